/* The range and frame driver shared by the fast RNG kernels (fast/<isa>/rng.c, mirroring
 * ref/rng.c: philox_u32, uniform_f32, gauss_f32, awgn_llr_f32). A level file includes
 * fast/rng_common.h, defines its primitives, then includes this header, which is compiled with
 * that level's flags:
 *   keys, keys_init(&k, seed, stream)   the round keys and stream words, as the step wants them
 *   RNG_BLOCKS                          Philox blocks per step
 *   step(kind, &k, b, dst)              the 4 RNG_BLOCKS numbers of blocks b .. b+RNG_BLOCKS-1 in
 *                                       stream order, stored (unaligned) at dst
 *   awgn_chunk(row, c, m, sigma, gain)  row[i] = fma(sigma, row[i], 1 - 2 (c[i] & 1)) * gain for
 *                                       the first i of m it chooses; returns how many
 *
 * Positions wrap modulo 2^64, so a range that crosses the wrap is two ranges. Within a range, a
 * partial step at either end is computed whole into a buffer, so a value never depends on the
 * range it was asked in. AWGN: the gaussians of a frame go straight into its LLR row, chunk by
 * chunk, and are turned into LLRs while still in L1: y = fma(sigma, z, s), L = y * (2 / sigma^2).
 */
#ifndef REFAST_FAST_RNG_DRIVER_H
#define REFAST_FAST_RNG_DRIVER_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rng_common.h"
#include "simd_inline.h"

#define RNG_STEP (4 * RNG_BLOCKS) /* numbers per step */
#define AWGN_CHUNK 1024           /* symbols per gaussian batch: the row segment stays in L1 */

/* Numbers first .. first+n-1 of the stream into out (4-byte elements), no wrap of the position. */
AI void generate_range(enum kind kind, const keys *k, uint64_t first, size_t n, char *o)
{
    uint64_t b = first / 4;
    size_t skip = (size_t)(first % 4);
    while (n > 0) {
        if (skip == 0 && n >= RNG_STEP) {
            step(kind, k, b, o);
            o += 4 * RNG_STEP;
            n -= RNG_STEP;
        } else {
            uint32_t tmp[RNG_STEP];
            step(kind, k, b, tmp);
            const size_t m = n < RNG_STEP - skip ? n : RNG_STEP - skip;
            memcpy(o, tmp + skip, 4 * m);
            o += 4 * m;
            n -= m;
            skip = 0;
        }
        b += RNG_BLOCKS;
    }
}

/* Numbers first .. first+n-1 of stream `stream` into out (4-byte elements). */
AI void generate(enum kind kind, uint64_t seed, uint64_t stream, uint64_t first, size_t n, void *out)
{
    if (n == 0) return;
    keys k;
    keys_init(&k, seed, stream);
    const uint64_t to_wrap = (uint64_t)0 - first;
    if (first != 0 && (uint64_t)n > to_wrap) {
        generate_range(kind, &k, first, (size_t)to_wrap, out);
        generate_range(kind, &k, 0, n - (size_t)to_wrap, (char *)out + 4 * (size_t)to_wrap);
    } else {
        generate_range(kind, &k, first, n, out);
    }
}

/* The whole of awgn_llr_f32. */
AI void awgn_frames(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                    uint64_t seed, float sigma, float *llr)
{
    const float gain = (float)(2.0 / ((double)sigma * sigma));
    for (size_t f = 0; f < frames; f++) {
        for (size_t k0 = 0; k0 < n; k0 += AWGN_CHUNK) {
            const size_t m = n - k0 < AWGN_CHUNK ? n - k0 : AWGN_CHUNK;
            float *row = llr + f * n + k0;
            const uint8_t *c = bits + f * n + k0;
            generate(GAUSS, seed, first_frame + f, k0, m, row);
            for (size_t i = awgn_chunk(row, c, m, sigma, gain); i < m; i++) {
                const float s = (c[i] & 1) ? -1.0f : 1.0f;
                row[i] = fmaf(sigma, row[i], s) * gain;
            }
        }
    }
}

#endif
