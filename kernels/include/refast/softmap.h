/* MAP and Soft-MAP decoding of first-order Reed–Muller codes RM(m,1) (seed 004 appendix C.6,
 * SPEC §5.1), and the generic Soft-MAP by enumeration for any small code.
 *
 * Conventions: n = 2^m, k = m + 1. LLR l_i = log P(y_i|c_i=0)/P(y_i|c_i=1), positive means bit 0.
 * Message bits in the canonical (Plotkin) order b0, b1, ..., bm: codeword bit
 *   c_i = b0 XOR (XOR_j bit_j(i) & b_{j+1}),
 * so with W = FHT(l) the correlation of l with the BPSK image of codeword (b0, a) is (-1)^b0 W(a)
 * where a = sum_j b_{j+1} 2^j.
 *
 * rm1_map:            a* = argmax_a |W(a)|, the LOWEST index among equal maxima (a NaN never
 *                     wins: the comparison is a strict `>` scanned in index order, starting below
 *                     every |W|); b0 = [W(a*) < 0]. So W(a*) = +-0 gives b0 = 0, and a frame whose
 *                     W are all NaN decodes to a* = 0, b0 = 0 (all bits 0). Any non-finite input
 *                     makes every W(a) non-finite (each sums all inputs), and the NaN/inf pattern
 *                     of W does not depend on the summation order, so these rules give the same
 *                     bits at every level. Output: k bits per frame (u8 0/1), order b0..bm.
 * rm1_softmap_maxlog: seed eq. (C.6) literally: L(b0) = max_a W(a) + min_a W(a),
 *                     L(b_{j+1}) = max_{bit_j(a)=0} |W(a)| - max_{bit_j(a)=1} |W(a)|.
 * rm1_softmap_exact:  the true posterior LLR, LSE over codewords of <l,s_c>/2 with bit 0 minus the
 *                     same with bit 1 (max-log of it is rm1_softmap_maxlog / 2; each LSE over
 *                     N = 2^m terms lies in [max, max + log N], so |exact - maxlog/2| <= m log 2).
 *                     For both soft kernels: if any W(a) of a frame is not finite (NaN or +-inf,
 *                     e.g. from infinite input LLRs), every output of that frame is NaN. Finite
 *                     inputs whose W overflow float are outside the contract.
 * softmap_enum:       any (n, k) code with 1 <= k <= 16 given by a k x n generator matrix (u8 0/1,
 *                     row-major; message bit i multiplies row i); maxlog != 0 gives the C.6 form
 *                     (max of <l, 1-2c>), else the exact LLR (LSE of <l, 1-2c>/2). If any
 *                     correlation of a frame is not finite, the frame's outputs are NaN. ref only:
 *                     it is also the oracle's algorithm.
 * llr: frames x n floats (row-major); outputs frames x k. 1 <= m <= 16; with m (or k) outside its
 * range, or frames = 0, nothing is read or written. Any alignment. Scratch lives on the stack up
 * to n = 4096 (enumeration: 2^k = 1024); larger sizes allocate, and if that fails the affected
 * outputs are NaN (soft) or 0xff (MAP bits) instead of a result.
 */
#ifndef REFAST_SOFTMAP_H
#define REFAST_SOFTMAP_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

#define RF_RM1_MAX_M 16
#define RF_ENUM_MAX_K 16

#define RF_KERNELS_SOFTMAP(X)                                                                    \
    X(rm1_map, HAND, NONE, VOID, (const float *llr, unsigned m, size_t frames, uint8_t *bits),   \
      (llr, m, frames, bits))                                                                    \
    X(rm1_softmap_maxlog, HAND, NONE, VOID,                                                      \
      (const float *llr, unsigned m, size_t frames, float *out), (llr, m, frames, out))          \
    X(rm1_softmap_exact, HAND, NONE, VOID,                                                       \
      (const float *llr, unsigned m, size_t frames, float *out), (llr, m, frames, out))          \
    X(softmap_enum, REF, NONE, VOID,                                                             \
      (const float *llr, size_t n, unsigned k, const uint8_t *gen, size_t frames, int maxlog,    \
       float *out),                                                                              \
      (llr, n, k, gen, frames, maxlog, out))
RF_DECLARE_KERNELS(RF_KERNELS_SOFTMAP)

#endif
