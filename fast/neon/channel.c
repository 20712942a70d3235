/* Rayleigh and bursty channels, NEON. Mirrors ref/channel.c (rayleigh_llr_f32, bursty_llr_f32).
 * The random numbers come from this level's generators (gauss_f32_neon, uniform_f32_neon) on the
 * streams of refast/channel.h, chunk by chunk into the output row and stack buffers; the channel
 * arithmetic is then 4 symbols per step (scalar fmaf tail with the same operation order). The
 * fading pairs (g_2i, g_2i+1) are de-interleaved for free by vld2q_f32; a = sqrt(fma(x, x, y y) / 2).
 * The bursty sum uses awgn_llr_f32_neon's fma(sigma, z, s) and adds the burst through a bit
 * select, so rho = 0 reproduces this level's AWGN LLRs bit for bit. */
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "refast/channel.h"
#include "refast/rng.h"

#define CHUNK 1024

static inline float32x4_t bpsk4(const uint8_t *c)
{
    uint32_t cw;
    memcpy(&cw, c, 4);
    const uint32x4_t cb = vmovl_u16(vget_low_u16(vmovl_u8(vcreate_u8(cw))));
    return vreinterpretq_f32_u32(vorrq_u32(vdupq_n_u32(0x3f800000u), vshlq_n_u32(vandq_u32(cb, vdupq_n_u32(1)), 31)));
}

void rayleigh_llr_f32_neon(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                           uint64_t seed, float sigma, float *llr)
{
    const float gain = (float)(2.0 / ((double)sigma * sigma));
    const float32x4_t vsig = vdupq_n_f32(sigma), vgain = vdupq_n_f32(gain), half = vdupq_n_f32(0.5f);
    float g[2 * CHUNK];
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first_frame + f;
        for (size_t k0 = 0; k0 < n; k0 += CHUNK) {
            const size_t m = n - k0 < CHUNK ? n - k0 : CHUNK;
            float *row = llr + f * n + k0;
            const uint8_t *c = bits + f * n + k0;
            gauss_f32_neon(seed, frame, k0, m, row);
            gauss_f32_neon(seed, frame + RF_STREAM_FADING, 2 * k0, 2 * m, g);
            size_t i = 0;
            for (; i + 4 <= m; i += 4) {
                const float32x4x2_t p = vld2q_f32(g + 2 * i); /* val[0] = x, val[1] = y */
                const float32x4_t a = vsqrtq_f32(vmulq_f32(half, vfmaq_f32(vmulq_f32(p.val[1], p.val[1]), p.val[0], p.val[0])));
                const float32x4_t y = vfmaq_f32(vmulq_f32(a, bpsk4(c + i)), vsig, vld1q_f32(row + i));
                vst1q_f32(row + i, vmulq_f32(vmulq_f32(a, y), vgain));
            }
            for (; i < m; i++) {
                const float x = g[2 * i], y2 = g[2 * i + 1];
                const float a = sqrtf(0.5f * fmaf(x, x, y2 * y2));
                const float s = (c[i] & 1) ? -1.0f : 1.0f;
                const float y = fmaf(sigma, row[i], a * s);
                row[i] = (a * y) * gain;
            }
        }
    }
}

void bursty_llr_f32_neon(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                         uint64_t seed, float sigma, float rho, float sigma_b, float *llr)
{
    const float gain = (float)(2.0 / ((double)sigma * sigma));
    const float32x4_t vsig = vdupq_n_f32(sigma), vgain = vdupq_n_f32(gain);
    const float32x4_t vrho = vdupq_n_f32(rho), vsb = vdupq_n_f32(sigma_b);
    float u[CHUNK], w[CHUNK];
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first_frame + f;
        for (size_t k0 = 0; k0 < n; k0 += CHUNK) {
            const size_t m = n - k0 < CHUNK ? n - k0 : CHUNK;
            float *row = llr + f * n + k0;
            const uint8_t *c = bits + f * n + k0;
            gauss_f32_neon(seed, frame, k0, m, row);
            uniform_f32_neon(seed, frame + RF_STREAM_BURST_FLAG, k0, m, u);
            gauss_f32_neon(seed, frame + RF_STREAM_BURST_NOISE, k0, m, w);
            size_t i = 0;
            for (; i + 4 <= m; i += 4) {
                const float32x4_t y = vfmaq_f32(bpsk4(c + i), vsig, vld1q_f32(row + i));
                const uint32x4_t hit = vcltq_f32(vld1q_f32(u + i), vrho); /* NaN rho: never */
                const float32x4_t yb = vfmaq_f32(y, vsb, vld1q_f32(w + i));
                vst1q_f32(row + i, vmulq_f32(vbslq_f32(hit, yb, y), vgain));
            }
            for (; i < m; i++) {
                const float s = (c[i] & 1) ? -1.0f : 1.0f;
                float y = fmaf(sigma, row[i], s);
                if (u[i] < rho) y = fmaf(sigma_b, w[i], y);
                row[i] = y * gain;
            }
        }
    }
}
