/* Rayleigh fast fading and bursty channels, scalar reference (refast/channel.h; SPEC §5.1
 * "Channels"; seed 004 §4.4.3).
 *
 * Every random number comes from the RNG family's reference generators on the streams documented
 * in refast/channel.h, so the noise z is bit for bit the z of RF_REF(awgn_llr_f32) and the code
 * below is the channel formula and nothing else. Work goes in chunks of CHUNK symbols so the
 * scratch lives on the stack. */
#include <math.h>

#include "refast/channel.h"
#include "refast/rng.h"

#define CHUNK 256

void RF_REF(rayleigh_llr_f32)(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                              uint64_t seed, float sigma, float *llr)
{
    const float gain = (float)(2.0 / ((double)sigma * sigma)); /* L = 2 a y / sigma^2 */
    float g[2 * CHUNK];
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first_frame + f;
        for (size_t k0 = 0; k0 < n; k0 += CHUNK) {
            const size_t m = n - k0 < CHUNK ? n - k0 : CHUNK;
            float *row = llr + f * n + k0;
            const uint8_t *c = bits + f * n + k0;
            RF_REF(gauss_f32)(seed, frame, k0, m, row);                          /* z_i */
            RF_REF(gauss_f32)(seed, frame + RF_STREAM_FADING, 2 * k0, 2 * m, g); /* pairs */
            for (size_t i = 0; i < m; i++) {
                /* a = sqrt((x^2 + y^2) / 2): x, y one Box–Muller pair, so a^2 ~ Exp(1) */
                const float a = sqrtf(0.5f * (g[2 * i] * g[2 * i] + g[2 * i + 1] * g[2 * i + 1]));
                const float s = (c[i] & 1) ? -1.0f : 1.0f; /* BPSK: bit 0 -> +1 */
                const float y = a * s + sigma * row[i];
                row[i] = (a * y) * gain;
            }
        }
    }
}

void RF_REF(bursty_llr_f32)(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                            uint64_t seed, float sigma, float rho, float sigma_b, float *llr)
{
    const float gain = (float)(2.0 / ((double)sigma * sigma)); /* the AWGN LLR: 2 y / sigma^2 */
    float u[CHUNK], w[CHUNK];
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first_frame + f;
        for (size_t k0 = 0; k0 < n; k0 += CHUNK) {
            const size_t m = n - k0 < CHUNK ? n - k0 : CHUNK;
            float *row = llr + f * n + k0;
            const uint8_t *c = bits + f * n + k0;
            RF_REF(gauss_f32)(seed, frame, k0, m, row);
            RF_REF(uniform_f32)(seed, frame + RF_STREAM_BURST_FLAG, k0, m, u);
            RF_REF(gauss_f32)(seed, frame + RF_STREAM_BURST_NOISE, k0, m, w);
            for (size_t i = 0; i < m; i++) {
                const float s = (c[i] & 1) ? -1.0f : 1.0f;
                float y = s + sigma * row[i];
                if (u[i] < rho) y = y + sigma_b * w[i]; /* hit by the burst with probability rho */
                row[i] = y * gain;
            }
        }
    }
}
