/* KO(m,2) encoder and decoder, NEON (mirrors ref/ko.c: ko_encode_f32_ref, ko_decode_f32_ref): the
 * batched codec of fast/ko_codec_driver.h (B frames per block call) over this level's MLP block
 * ko_mlp_f32_neon and max-log Soft-MAP rm1_softmap_maxlog_neon, with the elementwise decoder steps
 * in q registers (4 coordinates). The operations and their error bounds are those of
 * fast/avx512/ko.c (LSE: exp_nonpos of fast/neon/vmath.h and log1p(z) = 2 atanh(z / (2 + z));
 * tanh(x/2) = -expm1(-|x|) / (2 + expm1(-|x|)), expm1 as 2^k q + (2^k - 1)); 2^k, k in [-126, 0],
 * is built in the exponent field.
 */
#include <arm_neon.h>

#include "refast/ko.h"
#include "refast/softmap.h"
#include "simd_inline.h"
#include "vmath.h"

/* log1p(z) for z in [0, 1] */
AI float32x4_t kv_log1p_unit(float32x4_t z)
{
    const float32x4_t s = vdivq_f32(z, vaddq_f32(z, vdupq_n_f32(2.0f)));
    const float32x4_t s2 = vmulq_f32(s, s);
    float32x4_t p = vdupq_n_f32(1.0f / 13.0f);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 11.0f), p, s2);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 9.0f), p, s2);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 7.0f), p, s2);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 5.0f), p, s2);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 3.0f), p, s2);
    const float32x4_t two_s = vaddq_f32(s, s);
    return vfmaq_f32(two_s, vmulq_f32(two_s, s2), p);
}

AI float32x4_t kv_lse(float32x4_t a, float32x4_t b)
{
    const float32x4_t s = vaddq_f32(a, b), d = vsubq_f32(a, b);
    const float32x4_t l1 = vaddq_f32(vmaxq_f32(s, vdupq_n_f32(0.0f)), kv_log1p_unit(exp_nonpos(vnegq_f32(vabsq_f32(s)))));
    const float32x4_t l2 = vaddq_f32(vmaxq_f32(a, b), kv_log1p_unit(exp_nonpos(vnegq_f32(vabsq_f32(d)))));
    return vsubq_f32(l1, l2);
}

/* expm1(t) for t <= 0 (t clamped at -87) */
AI float32x4_t kv_expm1_nonpos(float32x4_t t)
{
    t = vmaxq_f32(t, vdupq_n_f32(-87.0f));
    const float32x4_t k = vrndnq_f32(vmulq_n_f32(t, 1.44269504088896341f));
    float32x4_t r = vfmsq_f32(t, k, vdupq_n_f32(0.693145751953125f));
    r = vfmsq_f32(r, k, vdupq_n_f32(1.428606765330187e-06f));
    const float32x4_t q = vfmaq_f32(r, exp_poly(r), vmulq_f32(r, r));
    const float32x4_t p2k = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23));
    return vfmaq_f32(vsubq_f32(p2k, vdupq_n_f32(1.0f)), p2k, q);
}

AI float32x4_t kv_tanh_half(float32x4_t x)
{
    const float32x4_t e = kv_expm1_nonpos(vnegq_f32(vabsq_f32(x)));
    const float32x4_t t = vdivq_f32(vnegq_f32(e), vaddq_f32(e, vdupq_n_f32(2.0f)));
    const uint32x4_t sign = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u));
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(t), sign));
}

#define KC_VL 4
#define KC_LOADU(p) vld1q_f32(p)
#define KC_STOREU(p, v) vst1q_f32(p, v)
#define KC_ADD(a, b) vaddq_f32(a, b)
#define KC_LSE(a, b) kv_lse(a, b)
#define KC_TANH_HALF(x) kv_tanh_half(x)
#define KC_LSE_FN ko_lse_f32_neon
#define KC_TANH_FN ko_tanh_half_f32_neon
#define KO_CODEC_MLP(net, in, count, out) ko_mlp_f32_neon(net, in, count, out)
#define KO_CODEC_SOFTMAP(lv, mu, frames, out) rm1_softmap_maxlog_neon(lv, mu, frames, out)
#define KO_ENCODE_FN ko_encode_f32_neon
#define KO_DECODE_FN ko_decode_f32_neon
#include "ko_codec_driver.h"
