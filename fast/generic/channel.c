/* Rayleigh and bursty channels at a vector level (mirrors ref/channel.c: rayleigh_llr_f32,
 * bursty_llr_f32). The random numbers come from this level's generators (gauss_f32, uniform_f32)
 * on the streams of refast/channel.h; the channel arithmetic runs a register of symbols per step:
 *   Rayleigh  row[i] = (a y) gain, y = fma(sigma, row[i], a s_i), a = sqrt(fma(x, x, y' y') / 2),
 *             (x, y') = (g[2i], g[2i+1]) de-interleaved by vf_loadu_pairs
 *   bursty    row[i] = y gain, y = fma(sigma, row[i], s_i), plus fma(sigma_b, w[i], y) where
 *             u[i] < rho (ordered: a NaN rho never bursts), selected in; so rho = 0 reproduces this
 *             level's AWGN LLRs bit for bit
 * and the scalar tail of each chunk does the same operations in the same order.
 * s_i = 1 - 2 (c[i] & 1). The random numbers of a frame are drawn chunk by chunk on the streams of
 * refast/channel.h, straight into the output row and stack buffers, so the arithmetic reads them
 * while still in L1; the symbols a chunk function leaves are finished here with the same operation
 * order, so every symbol gets the same value whatever the chunking.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/channel.h"
#include "refast/rng.h"
#include "simd.h"

#define CHANNEL_CHUNK 1024 /* symbols per batch of random numbers */
#define GAUSS RF_LEVEL_FN(gauss_f32)
#define UNIFORM RF_LEVEL_FN(uniform_f32)

/* +-1 from bit 0 of VF_LANES bytes: the bit moved to the sign of 1.0f. */
AI vf bpsk(const uint8_t *c)
{
    return vi_as_vf(vi_or(vi_set1(0x3f800000u), vi_shl(vi_and(vi_load_u8(c), vi_set1(1)), 31)));
}

/* The whole registers of a Rayleigh chunk; returns how many symbols. */
AI size_t rayleigh_chunk(float *row, const float *g, const uint8_t *c, size_t m, float sigma, float gain)
{
    const vf vsig = vf_set1(sigma), vgain = vf_set1(gain), half = vf_set1(0.5f);
    size_t i = 0;
    for (; i + VF_LANES <= m; i += VF_LANES) {
        vf x, y2;
        vf_loadu_pairs(g + 2 * i, &x, &y2);
        const vf a = vf_sqrt(vf_mul(half, vf_fma(x, x, vf_mul(y2, y2))));
        const vf y = vf_fma(vsig, vf_loadu(row + i), vf_mul(a, bpsk(c + i)));
        vf_storeu(row + i, vf_mul(vf_mul(a, y), vgain));
    }
    return i;
}

/* The whole registers of a bursty chunk; returns how many symbols. */
AI size_t bursty_chunk(float *row, const float *u, const float *w, const uint8_t *c, size_t m, float sigma,
                       float rho, float sigma_b, float gain)
{
    const vf vsig = vf_set1(sigma), vgain = vf_set1(gain);
    const vf vrho = vf_set1(rho), vsb = vf_set1(sigma_b);
    size_t i = 0;
    for (; i + VF_LANES <= m; i += VF_LANES) {
        const vf y = vf_fma(vsig, vf_loadu(row + i), bpsk(c + i));
        const mf hit = vf_lt(vf_loadu(u + i), vrho);
        const vf yb = vf_fma(vsb, vf_loadu(w + i), y);
        vf_storeu(row + i, vf_mul(vf_select(hit, yb, y), vgain));
    }
    return i;
}

void RF_LEVEL_FN(rayleigh_llr_f32)(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
                                   float sigma, float *llr)
{
    const float gain = (float)(2.0 / ((double)sigma * sigma));
    float g[2 * CHANNEL_CHUNK];
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first_frame + f;
        for (size_t k0 = 0; k0 < n; k0 += CHANNEL_CHUNK) {
            const size_t m = n - k0 < CHANNEL_CHUNK ? n - k0 : CHANNEL_CHUNK;
            float *row = llr + f * n + k0;
            const uint8_t *c = bits + f * n + k0;
            GAUSS(seed, frame, k0, m, row);
            GAUSS(seed, frame + RF_STREAM_FADING, 2 * k0, 2 * m, g);
            for (size_t i = rayleigh_chunk(row, g, c, m, sigma, gain); i < m; i++) {
                const float x = g[2 * i], y2 = g[2 * i + 1];
                const float a = sqrtf(0.5f * fmaf(x, x, y2 * y2));
                const float s = (c[i] & 1) ? -1.0f : 1.0f;
                const float y = fmaf(sigma, row[i], a * s);
                row[i] = (a * y) * gain;
            }
        }
    }
}

void RF_LEVEL_FN(bursty_llr_f32)(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
                                 float sigma, float rho, float sigma_b, float *llr)
{
    const float gain = (float)(2.0 / ((double)sigma * sigma));
    float u[CHANNEL_CHUNK], w[CHANNEL_CHUNK];
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first_frame + f;
        for (size_t k0 = 0; k0 < n; k0 += CHANNEL_CHUNK) {
            const size_t m = n - k0 < CHANNEL_CHUNK ? n - k0 : CHANNEL_CHUNK;
            float *row = llr + f * n + k0;
            const uint8_t *c = bits + f * n + k0;
            GAUSS(seed, frame, k0, m, row);
            UNIFORM(seed, frame + RF_STREAM_BURST_FLAG, k0, m, u);
            GAUSS(seed, frame + RF_STREAM_BURST_NOISE, k0, m, w);
            for (size_t i = bursty_chunk(row, u, w, c, m, sigma, rho, sigma_b, gain); i < m; i++) {
                const float s = (c[i] & 1) ? -1.0f : 1.0f;
                float y = fmaf(sigma, row[i], s);
                if (u[i] < rho) y = fmaf(sigma_b, w[i], y);
                row[i] = y * gain;
            }
        }
    }
}
