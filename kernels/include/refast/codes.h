/* Reed–Muller and polar codes: parameters, encoders, polar frozen-set construction (SPEC §5.1).
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

/* msg: frames x k bits; cw: frames x rf_packed_words(2^m) words. */
typedef void (*rf_rm_encode_packed_fn)(unsigned m, unsigned r, const uint8_t *msg, size_t frames,
                                       uint64_t *cw);
/* x: frames x 2^m BPSK symbols (+1 for bit 0, -1 for bit 1). */
typedef void (*rf_rm_encode_f32_fn)(unsigned m, unsigned r, const uint8_t *msg, size_t frames, float *x);
RF_DECLARE_KERNEL(void, rm_encode_packed, (unsigned m, unsigned r, const uint8_t *msg, size_t frames,
                                           uint64_t *cw));
RF_DECLARE_KERNEL(void, rm_encode_f32, (unsigned m, unsigned r, const uint8_t *msg, size_t frames,
                                        float *x));

/* Polar encoders: msg frames x K bits (K = number of zeros in frozen). */
typedef void (*rf_polar_encode_packed_fn)(unsigned log2n, const uint8_t *frozen, const uint8_t *msg,
                                          size_t frames, uint64_t *cw);
typedef void (*rf_polar_encode_f32_fn)(unsigned log2n, const uint8_t *frozen, const uint8_t *msg,
                                       size_t frames, float *x);
RF_DECLARE_KERNEL(void, polar_encode_packed, (unsigned log2n, const uint8_t *frozen, const uint8_t *msg,
                                              size_t frames, uint64_t *cw));
RF_DECLARE_KERNEL(void, polar_encode_f32, (unsigned log2n, const uint8_t *frozen, const uint8_t *msg,
                                           size_t frames, float *x));

/* Dispatching entry points (level = rf_isa_current()), defined in kernels/registry/codes.c. */
void rf_rm_encode_packed(unsigned m, unsigned r, const uint8_t *msg, size_t frames, uint64_t *cw);
void rf_rm_encode_f32(unsigned m, unsigned r, const uint8_t *msg, size_t frames, float *x);
void rf_polar_encode_packed(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                            uint64_t *cw);
void rf_polar_encode_f32(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                         float *x);

/* Frozen-set construction (plain C, not dispatched: it runs once per code). Each writes N = 2^log2n
 * mask entries and returns false with a one-line reason for invalid arguments (K > N, sigma <= 0
 * or NaN, log2n > 16). Ties between equally reliable channels go to the larger index. */
bool rf_polar_construct_ga(unsigned log2n, size_t K, double sigma, uint8_t *frozen, char *err, size_t errlen);
bool rf_polar_construct_bhattacharyya(unsigned log2n, size_t K, double sigma, uint8_t *frozen, char *err,
                                      size_t errlen);
/* The `rm` rule: position i is information iff its row of F^{(x)m} has weight 2^popcount(i) >= 2^(m-r). */
bool rf_polar_construct_rm(unsigned m, unsigned r, uint8_t *frozen, char *err, size_t errlen);
/* Information set given as 0-based indices (any order, no duplicates). */
bool rf_polar_construct_list(unsigned log2n, const uint32_t *info, size_t K, uint8_t *frozen, char *err,
                             size_t errlen);
/* The seed's Polar(64,7): information set {47,55,59,60,61,62,63} (0-based). */
void rf_polar_preset_64_7(uint8_t frozen[64]);

#endif
