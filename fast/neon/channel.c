/* Rayleigh and bursty channels, NEON. Mirrors ref/channel.c (rayleigh_llr_f32, bursty_llr_f32).
 * The random numbers come from this level's generators (gauss_f32_neon, uniform_f32_neon) on the
 * streams of refast/channel.h; the frame and chunk loop is fast/channel_driver.h. The channel
 * arithmetic is 4 symbols per step (the driver's scalar fmaf tail has the same operation order).
 * The fading pairs (g_2i, g_2i+1) are de-interleaved for free by vld2q_f32;
 * a = sqrt(fma(x, x, y y) / 2). The bursty sum uses awgn_llr_f32_neon's fma(sigma, z, s) and adds
 * the burst through a bit select, so rho = 0 reproduces this level's AWGN LLRs bit for bit. */
#include <arm_neon.h>
#include <string.h>

#include "refast/channel.h"
#include "refast/rng.h"
#include "simd_inline.h"

#define RAYLEIGH_FN rayleigh_llr_f32_neon
#define BURSTY_FN bursty_llr_f32_neon
#define GAUSS gauss_f32_neon
#define UNIFORM uniform_f32_neon

AI float32x4_t bpsk4(const uint8_t *c)
{
    uint32_t cw;
    memcpy(&cw, c, 4);
    const uint32x4_t cb = vmovl_u16(vget_low_u16(vmovl_u8(vcreate_u8(cw))));
    return vreinterpretq_f32_u32(vorrq_u32(vdupq_n_u32(0x3f800000u), vshlq_n_u32(vandq_u32(cb, vdupq_n_u32(1)), 31)));
}

AI size_t rayleigh_chunk(float *row, const float *g, const uint8_t *c, size_t m, float sigma, float gain)
{
    const float32x4_t vsig = vdupq_n_f32(sigma), vgain = vdupq_n_f32(gain), half = vdupq_n_f32(0.5f);
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        const float32x4x2_t p = vld2q_f32(g + 2 * i); /* val[0] = x, val[1] = y */
        const float32x4_t a = vsqrtq_f32(vmulq_f32(half, vfmaq_f32(vmulq_f32(p.val[1], p.val[1]), p.val[0], p.val[0])));
        const float32x4_t y = vfmaq_f32(vmulq_f32(a, bpsk4(c + i)), vsig, vld1q_f32(row + i));
        vst1q_f32(row + i, vmulq_f32(vmulq_f32(a, y), vgain));
    }
    return i;
}

AI size_t bursty_chunk(float *row, const float *u, const float *w, const uint8_t *c, size_t m, float sigma,
                       float rho, float sigma_b, float gain)
{
    const float32x4_t vsig = vdupq_n_f32(sigma), vgain = vdupq_n_f32(gain);
    const float32x4_t vrho = vdupq_n_f32(rho), vsb = vdupq_n_f32(sigma_b);
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        const float32x4_t y = vfmaq_f32(bpsk4(c + i), vsig, vld1q_f32(row + i));
        const uint32x4_t hit = vcltq_f32(vld1q_f32(u + i), vrho); /* NaN rho: never */
        const float32x4_t yb = vfmaq_f32(y, vsb, vld1q_f32(w + i));
        vst1q_f32(row + i, vmulq_f32(vbslq_f32(hit, yb, y), vgain));
    }
    return i;
}

#include "channel_driver.h"
