/* KO MLP block, NEON (mirrors ref/ko_mlp.c: ko_mlp_f32_ref): 4 coordinates per q register, tiles
 * of 2 registers (8 coordinates) x 8 output units = 16 accumulators of the 32 q registers; the
 * driver is fast/ko_mlp_driver.h.
 *
 * Vector SELU: the operations of fast/avx2/ko_mlp.c (lambda folded into the weights; expm1 form
 * (alpha 2^k) q + (alpha 2^k - alpha), no cancellation near 0; alpha 2^k by adding k to alpha's
 * exponent field). NaN: the `t <= 0` mask is false, the lane keeps NaN.
 */
#include <arm_neon.h>

#include "refast/ko_mlp.h"
#include "simd_inline.h"
#include "vmath.h"

/* selu(t) / lambda: t for t > 0 (and NaN), alpha expm1(t) otherwise. */
AI float32x4_t ko_selu_scaled(float32x4_t t)
{
    const uint32x4_t neg = vcleq_f32(t, vdupq_n_f32(0.0f));
    const float32x4_t tc = vmaxq_f32(t, vdupq_n_f32(-87.0f));
    const float32x4_t k = vrndnq_f32(vmulq_n_f32(tc, 1.44269504088896341f));
    /* one float ln 2 suffices for k in [-126, 0] (see fast/avx512/ko_mlp.c) */
    const float32x4_t r = vfmsq_f32(tc, k, vdupq_n_f32(0.693147182464599609f));
    const float32x4_t p = exp_poly(r);
    const float32x4_t q = vfmaq_f32(r, p, vmulq_f32(r, r)); /* expm1(r) */
    const float32x4_t alpha = vdupq_n_f32(1.6732632423543772f);
    const float32x4_t a2k = vreinterpretq_f32_s32(
        vaddq_s32(vreinterpretq_s32_f32(alpha), vshlq_n_s32(vcvtq_s32_f32(k), 23)));
    const float32x4_t e = vfmaq_f32(vsubq_f32(a2k, alpha), a2k, q);
    return vbslq_f32(neg, e, t);
}

/* The exported SELU for tests: lambda ko_selu_scaled(x). */
void ko_selu_f32_neon(const float *x, size_t n, float *y)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_n_f32(ko_selu_scaled(vld1q_f32(x + i)), 1.0507009873554805f));
    if (i < n) {
        float t[4] = {0};
        for (size_t j = i; j < n; j++) t[j - i] = x[j];
        vst1q_f32(t, vmulq_n_f32(ko_selu_scaled(vld1q_f32(t)), 1.0507009873554805f));
        for (size_t j = i; j < n; j++) y[j] = t[j - i];
    }
}

typedef float32x4_t V;
#define KO_VL 4
#define KO_G 8
#define KO_TV 2
#define V_LOADU(p) vld1q_f32(p)
#define V_STOREU(p, v) vst1q_f32(p, v)
#define V_SET1(x) vdupq_n_f32(x)
#define V_FMA(a, b, c) vfmaq_f32(c, a, b)
#define V_ADD(a, b) vaddq_f32(a, b)
#define V_SELU(v) ko_selu_scaled(v)
#define KO_MLP_FN ko_mlp_f32_neon
#include "ko_mlp_driver.h"
