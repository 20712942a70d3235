/* The RNG family at a vector level (mirrors ref/rng.c: philox_u32, uniform_f32, gauss_f32,
 * awgn_llr_f32). Philox4x32-10 runs one block per lane over the level's 32x32->64 multiply,
 * counter layout and stream-order store (fast/<isa>/philox.h: mulhilo, counters, store_stream),
 * two sets of VF_LANES blocks per step interleaved through the rounds (which hides the multiplier
 * latency: +25% measured on avx2 over one set). Its words become words, uniforms (bit-identical
 * to ref) and gaussians (Box–Muller by vf_bm_radius / vf_bm_cossin of fast/generic/vmath_f32.h:
 * the same operation sequence at every level, so the levels agree bit for bit; ref, in double,
 * differs within the bound stated there), then ranges, streams and AWGN frames.
 *
 * Positions wrap modulo 2^64, so a range that crosses the wrap is two ranges. Within a range, a
 * partial step at either end is computed whole into a buffer, so a value never depends on the
 * range it was asked in. AWGN: the gaussians of a frame go straight into its LLR row, chunk by
 * chunk, and are turned into LLRs while still in L1: y = fma(sigma, z, s), L = y * (2 / sigma^2).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "philox.h"
#include "refast/rng.h"
#include "simd.h"
#include "vmath_f32.h"

#define RNG_BLOCKS (2 * VF_LANES) /* Philox blocks per step: two sets of one block per lane */
#define RNG_STEP (4 * RNG_BLOCKS) /* numbers per step */
#define AWGN_CHUNK 1024           /* symbols per gaussian batch: the row segment stays in L1 */

/* Blocks b .. b+VF_LANES-1 into w[0][0..3] and the next VF_LANES into w[1][0..3], counter words
 * in structure of arrays. */
AI void philox_sets(const keys *k, uint64_t b, vi w[2][4])
{
    vi c0, c1, d0, d1;
    counters(b, &c0, &c1);
    counters(b + VF_LANES, &d0, &d1);
    vi c2 = k->stream_lo, c3 = k->stream_hi, d2 = c2, d3 = c3;
    const vi m0 = vi_set1(PHILOX_M0), m1 = vi_set1(PHILOX_M1);
    for (int r = 0; r < 10; r++) {
        vi hi0, lo0, hi1, lo1, gi0, go0, gi1, go1;
        mulhilo(c0, m0, &hi0, &lo0);
        mulhilo(d0, m0, &gi0, &go0);
        mulhilo(c2, m1, &hi1, &lo1);
        mulhilo(d2, m1, &gi1, &go1);
        c0 = vi_xor3(hi1, c1, k->k0[r]);
        d0 = vi_xor3(gi1, d1, k->k0[r]);
        c2 = vi_xor3(hi0, c3, k->k1[r]);
        d2 = vi_xor3(gi0, d3, k->k1[r]);
        c1 = lo1;
        d1 = go1;
        c3 = lo0;
        d3 = go0;
    }
    w[0][0] = c0, w[0][1] = c1, w[0][2] = c2, w[0][3] = c3;
    w[1][0] = d0, w[1][1] = d1, w[1][2] = d2, w[1][3] = d3;
}

/* What a step produces from the Philox words: the words, uniforms or gaussians (refast/rng.h). */
enum kind { WORDS, UNIFORM, GAUSS };

/* The top 24 bits of a word times 2^-24 (exact). */
AI vf uniform_of(vi w)
{
    return vf_mul(vf_from_vi(vi_shr(w, 8)), vf_set1(0x1p-24f));
}

/* The RNG_STEP numbers of blocks b .. b+RNG_BLOCKS-1 in stream order, stored (unaligned) at dst. */
AI void step(enum kind kind, const keys *k, uint64_t b, void *dst)
{
    vi w[2][4];
    philox_sets(k, b, w);
    RF_UNROLL
    for (int s = 0; s < 2; s++) {
        if (kind == GAUSS) {
            vf c0, s0, c1, s1;
            const vf r0 = vf_bm_radius(w[s][0]), r1 = vf_bm_radius(w[s][2]);
            vf_bm_cossin(w[s][1], &c0, &s0);
            vf_bm_cossin(w[s][3], &c1, &s1);
            w[s][0] = vf_as_vi(vf_mul(r0, c0));
            w[s][1] = vf_as_vi(vf_mul(r0, s0));
            w[s][2] = vf_as_vi(vf_mul(r1, c1));
            w[s][3] = vf_as_vi(vf_mul(r1, s1));
        } else if (kind == UNIFORM) {
            for (int i = 0; i < 4; i++) w[s][i] = vf_as_vi(uniform_of(w[s][i]));
        }
        store_stream(w[s], (char *)dst + (size_t)s * 16 * VF_LANES);
    }
}

/* row[i] = fma(sigma, row[i], 1 - 2 (c[i] & 1)) * gain over the whole registers of an AWGN chunk;
 * returns how many (awgn_frames finishes the tail with the same operations). */
AI size_t awgn_chunk(float *row, const uint8_t *c, size_t m, float sigma, float gain)
{
    const vf vsig = vf_set1(sigma), vgain = vf_set1(gain);
    size_t i = 0;
    for (; i + VF_LANES <= m; i += VF_LANES) {
        const vf s = vi_as_vf(vi_or(vi_set1(0x3f800000u), vi_shl(vi_and(vi_load_u8(c + i), vi_set1(1)), 31)));
        vf_storeu(row + i, vf_mul(vf_fma(vsig, vf_loadu(row + i), s), vgain));
    }
    return i;
}

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

void RF_LEVEL_FN(philox_u32)(uint64_t seed, uint64_t stream, uint64_t first, size_t n, uint32_t *out)
{
    generate(WORDS, seed, stream, first, n, out);
}

void RF_LEVEL_FN(uniform_f32)(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    generate(UNIFORM, seed, stream, first, n, out);
}

void RF_LEVEL_FN(gauss_f32)(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    generate(GAUSS, seed, stream, first, n, out);
}

void RF_LEVEL_FN(awgn_llr_f32)(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
                               float sigma, float *llr)
{
    awgn_frames(bits, n, frames, first_frame, seed, sigma, llr);
}
