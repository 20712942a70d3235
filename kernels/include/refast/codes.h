/* Reed–Muller and polar codes: parameters and encoders (SPEC §5.1).
 *
 * Conventions (the whole project): bits c in {0,1}; BPSK s = 1 - 2c; LLR L = log P(y|c=0)/P(y|c=1)
 * (positive means bit 0). Messages are one bit per byte (u8 0/1), frames back to back.
 * Packed codewords: 64 codeword bits per u64 word, bit i of a codeword in word i / 64 at bit
 * position i % 64 (least significant first); a frame occupies ceil(n / 64) words (unused high bits
 * of the last word are 0).
 *
 * RM(m,r), 0 <= r <= m <= 16, n = 2^m, k = sum_{i<=r} C(m,i): the canonical Plotkin recursion of
 * SPEC §5.1 fixes the message-bit order:
 *   encode(m, r, b) = r == 0: b0 repeated 2^m times; m == 0: (b0);
 *                     else ru = min(r, m-1), ku = k(m-1, ru), u = encode(m-1, ru, b[0..ku)),
 *                          v = encode(m-1, r-1, b[ku..k)), return (u, u XOR v).
 *
 * Polar(N, K), N = 2^log2n: x = u F^{(x)log2n}, F = [[1,0],[1,1]], no bit reversal, frozen bits 0.
 * `frozen` is a u8 mask of N entries (1 = frozen); the K message bits fill the information
 * positions in increasing index order. In Plotkin form x = (x_a XOR x_b, x_b) with x_a the
 * encoding of the first half of u.
 */
#ifndef REFAST_CODES_H
#define REFAST_CODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

#define RF_RM_MAX_M 16

/* k(m, r) = sum_{i=0}^{r} C(m, i); 0 when r > m. */
size_t rf_rm_k(unsigned m, unsigned r);
/* Validates 0 <= r <= m <= 16; on failure a one-line reason in err. */
bool rf_rm_check(unsigned m, unsigned r, char *err, size_t errlen);
/* Words per packed frame of n bits. */
static inline size_t rf_packed_words(size_t n)
{
    return (n + 63) / 64;
}

/* RM encoders: msg frames x k bits; cw frames x rf_packed_words(2^m) words; x frames x 2^m BPSK
 * symbols (+1 for bit 0, -1 for bit 1). Polar encoders: msg frames x K bits (K = number of zeros
 * in frozen). (Frozen-set constructions are in lib/codes/construct.h.) */
#define RF_KERNELS_CODES(X)                                                                      \
    X(rm_encode_packed, HAND, NONE, VOID,                                                        \
      (unsigned m, unsigned r, const uint8_t *msg, size_t frames, uint64_t *cw),                 \
      (m, r, msg, frames, cw))                                                                   \
    X(rm_encode_f32, HAND, NONE, VOID,                                                           \
      (unsigned m, unsigned r, const uint8_t *msg, size_t frames, float *x), (m, r, msg, frames, x)) \
    X(polar_encode_packed, HAND, NONE, VOID,                                                     \
      (unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames, uint64_t *cw),  \
      (log2n, frozen, msg, frames, cw))                                                          \
    X(polar_encode_f32, HAND, NONE, VOID,                                                        \
      (unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames, float *x),      \
      (log2n, frozen, msg, frames, x))
RF_DECLARE_KERNELS(RF_KERNELS_CODES)

#endif
