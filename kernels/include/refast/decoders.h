/* Decoders for RM and polar codes (SPEC §5.1): Dumer's recursive decoder (successive cancellation
 * on the Plotkin tree), polar SC and SC-list, and block ML by enumeration (the oracle for small
 * codes). Conventions as in refast/codes.h: LLR positive means bit 0; messages u8 0/1, k bits per
 * frame in the canonical order; llr frames x n floats.
 *
 * LSE variants for the check-node combination f(a, b): RF_F_EXACT
 *   sign(a) sign(b) min(|a|,|b|) + log1p(e^-|a+b|) - log1p(e^-|a-b|)   (the default), and
 * RF_F_MINSUM sign(a) sign(b) min(|a|,|b|).
 * Dumer: leaf r == 0 repetition (b = [sum L < 0]); leaf r == 1 (variant RF_DUMER) MAP of RM(m,1) via
 * the FHT (rm1_map's rule, ties to the lowest index); leaf r == m full rate (hard decision per
 * symbol, then the message bits of that RM(m,m) codeword); internal: Lv = f(L1, L2), v = decode(Lv),
 * Lu = L1 + (-1)^v L2, u = decode(Lu). RF_DUMER0 recurses through r == 1 nodes down to repetition
 * and full-rate leaves.
 * Polar SC in Arikan's layout: for halves L1 (x_a XOR x_b) and L2 (x_b): L_a = f(L1, L2), decode
 * x_a, L_b = L2 + (1 - 2 xhat_a) L1, decode x_b; leaves are single bits (frozen -> 0, else
 * [L < 0]). SCL: list size 1..32, path metrics in the LLR domain (penalty |L| for a decision
 * against the LLR's sign), the best-metric path at the end (ties: the lowest path index).
 * polar_sc_i8: polar SC on int8 LLRs in saturating fixed point, the same layout and leaf rule.
 * Inputs are read with -128 taken as -127 (symmetric saturation on read, so |L| and -L never
 * overflow); f(a, b) = sign(a) sign(b) min(|a|, |b|) (signs by comparison < 0, as the float
 * minsum), g(a, b, x) = sat(x ? b - a : b + a) with sat clamping to [-127, 127]; a leaf decides
 * [L < 0] (0 decides 0). Every operation is exact integer arithmetic, so every level is
 * bit-identical to ref (class exact). Float LLRs become int8 through rf_quantize_llr_i8
 * (lib/codes/quant.h: q = sat(round(l 2^frac)) to [-(2^(bits-1) - 1), 2^(bits-1) - 1], by
 * default 6 bits with 1 fractional bit, leaving 2 bits of headroom for g's sums inside the int8
 * arithmetic; quant.h says where that choice comes from). log2n > 16 or frames = 0 write nothing;
 * allocation failure writes nothing. in frames x N int8, msg frames x K as polar_sc.
 * polar_scl_paths: the same decoder, returning all its final paths (the candidates of CRC-aided
 * list decoding, lib/codes/cascl.h): paths is frames x list x K, the paths of a frame ranked by
 * (metric ascending, NaN last, then position in the decoder's list), so row 0 is polar_scl's
 * output; when the list never filled (2^K < list) the rows beyond the paths are all 0xff.
 * polar_fscl / polar_fscl_paths: Fast-SSC list decoding (Hashemi et al.), min-sum f only: the SCL
 * recursion stopped at rate-0, repetition, rate-1 and SPC nodes, each decided per path in closed
 * form (rate-0: PM += sum [a < 0]|a|; repetition: two candidates; rate-1: min(L - 1, n) forks on
 * the least reliable positions; SPC: the parity fix, then min(L, n) - 1 forks flipping pairs; the
 * rules in ref/polar_fscl.c). In exact arithmetic, without equal metrics, its list after every
 * node is SCL's, so its outputs are polar_scl's / polar_scl_paths' with f = minsum (judged by that
 * oracle); float roundings differ from SCL's only inside SCL's near-tie bound, and equal metrics
 * may be broken differently. Inputs are sanitised first (NaN -> 0, beyond +-2^100 -> +-2^100, as
 * rm_dumer), so every metric is finite. Same arguments as polar_scl without f.
 *
 * Dumer and block ML details (ref/dumer.c, ref/block_ml.c). Message bits in the canonical order
 * (u's k(m-1,ru) bits, then v's); 0 <= r <= m <= 16; frames = 0, r > m, m > 16 or an unknown
 * variant / f write nothing. Repetition leaf: the sum is taken by folding halves (t_i += t_{i+h},
 * h = n/2, ..., 1), the order polar SC adds a repetition subtree; [sum < 0], so a zero sum gives 0.
 * Full-rate leaf: [L_i < 0] (so +-0 give 0). Soft output (rm_dumer_soft, variant dumer): every
 * leaf's LLRs are max-log (eq. C.6 form, i.e. twice max-log of the exact posterior): repetition
 * 2 sum L; RM(m,1) rm1_softmap_maxlog; full rate (1 - 2 b_j) 2 min_{i in S_j} |L_i| with S_j the
 * codeword positions whose parity is message bit j; the recursion continues with the bits
 * [LLR < 0] re-encoded. NaN and infinity: every input LLR is first sanitised, NaN -> 0 (an
 * erasure), values beyond +-2^100 (+-inf included) -> +-2^100 ("certain"); with n <= 2^16 every
 * later sum stays finite, so the outputs never hold NaN or inf and every level follows the same
 * rule. Block ML sanitises the same way (finite for n <= 2^26). Allocation failure: the frame's
 * bits are 0xff (soft: NaN).
 */
#ifndef REFAST_DECODERS_H
#define REFAST_DECODERS_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

enum { RF_F_EXACT = 0, RF_F_MINSUM = 1 };
enum { RF_DUMER = 0, RF_DUMER0 = 1 };
#define RF_SCL_MAX_L 32
#define RF_ML_MAX_K 16

/* rm_dumer: msg is frames x k(m, r) hard bits. rm_dumer_soft: frames x k leaf Soft-MAP LLRs (C.6 /
 * max-log form) of the message bits; the recursion continues with the hard decisions they imply.
 * block_ml: block ML over a k x n generator (k <= 16), the message maximising <l, 1 - 2c> (ties:
 * lowest message index, the message read as the integer sum b_j 2^j). */
#define RF_KERNELS_DECODERS(X)                                                                   \
    X(rm_dumer, HAND, NONE, VOID,                                                                \
      (unsigned m, unsigned r, int variant, int f, const float *llr, size_t frames, uint8_t *msg), \
      (m, r, variant, f, llr, frames, msg))                                                      \
    X(rm_dumer_soft, HAND, NONE, VOID,                                                           \
      (unsigned m, unsigned r, int f, const float *llr, size_t frames, float *msg_llr),          \
      (m, r, f, llr, frames, msg_llr))                                                           \
    X(polar_sc, HAND, NONE, VOID,                                                                \
      (unsigned log2n, const uint8_t *frozen, int f, const float *llr, size_t frames, uint8_t *msg), \
      (log2n, frozen, f, llr, frames, msg))                                                      \
    X(polar_sc_i8, HAND, NONE, VOID,                                                             \
      (unsigned log2n, const uint8_t *frozen, const int8_t *llr, size_t frames, uint8_t *msg),   \
      (log2n, frozen, llr, frames, msg))                                                         \
    X(polar_scl, HAND, NONE, VOID,                                                               \
      (unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,            \
       size_t frames, uint8_t *msg),                                                             \
      (log2n, frozen, list, f, llr, frames, msg))                                                \
    X(polar_scl_paths, HAND, NONE, VOID,                                                         \
      (unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,            \
       size_t frames, uint8_t *paths),                                                           \
      (log2n, frozen, list, f, llr, frames, paths))                                              \
    X(polar_fscl, HAND, NONE, VOID,                                                              \
      (unsigned log2n, const uint8_t *frozen, unsigned list, const float *llr, size_t frames,    \
       uint8_t *msg),                                                                            \
      (log2n, frozen, list, llr, frames, msg))                                                   \
    X(polar_fscl_paths, HAND, NONE, VOID,                                                        \
      (unsigned log2n, const uint8_t *frozen, unsigned list, const float *llr, size_t frames,    \
       uint8_t *paths),                                                                          \
      (log2n, frozen, list, llr, frames, paths))                                                 \
    X(block_ml, REF, NONE, VOID,                                                                 \
      (const uint8_t *gen, unsigned k, size_t n, const float *llr, size_t frames, uint8_t *msg), \
      (gen, k, n, llr, frames, msg))
RF_DECLARE_KERNELS(RF_KERNELS_DECODERS)

#endif
