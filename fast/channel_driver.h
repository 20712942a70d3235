/* The frame and chunk driver shared by the fast channel kernels (fast/<isa>/channel.c, mirroring
 * ref/channel.c: rayleigh_llr_f32, bursty_llr_f32). A level file defines its primitives, then
 * includes this header, which is compiled with that level's flags:
 *   RAYLEIGH_FN, BURSTY_FN          the names of the level's two kernels
 *   GAUSS, UNIFORM                  the level's gauss_f32_<isa> and uniform_f32_<isa>
 *   rayleigh_chunk(row, g, c, m, sigma, gain)
 *                                   row[i] = (a y) gain, y = fma(sigma, row[i], a s_i),
 *                                   a = sqrt(fma(x, x, y' y') / 2), (x, y') = (g[2i], g[2i+1]), for
 *                                   the first i of m it chooses; returns how many
 *   bursty_chunk(row, u, w, c, m, sigma, rho, sigma_b, gain)
 *                                   row[i] = y gain, y = fma(sigma, row[i], s_i), plus
 *                                   fma(sigma_b, w[i], y) where u[i] < rho, likewise
 * s_i = 1 - 2 (c[i] & 1). The random numbers of a frame are drawn chunk by chunk on the streams of
 * refast/channel.h, straight into the output row and stack buffers, so the arithmetic reads them
 * while still in L1; the symbols a chunk function leaves are finished here with the same operation
 * order, so every symbol gets the same value whatever the chunking.
 */
#ifndef REFAST_FAST_CHANNEL_DRIVER_H
#define REFAST_FAST_CHANNEL_DRIVER_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/channel.h"
#include "refast/rng.h"

#define CHANNEL_CHUNK 1024 /* symbols per batch of random numbers */

void RAYLEIGH_FN(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
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

void BURSTY_FN(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
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

#endif
