/* KO MLP block, AVX2 (mirrors ref/ko_mlp.c: ko_mlp_f32_ref): 8 coordinates per ymm, tiles of
 * 2 ymm (16 coordinates) x 4 output units = 8 accumulators (16 ymm registers in all: 8 acc, 2
 * inputs, 1 broadcast weight, the rest for SELU and the compiler); the driver is
 * fast/ko_mlp_driver.h.
 *
 * Vector SELU: the operations of fast/avx512/ko_mlp.c (lambda folded into the weights; expm1 form
 * (alpha 2^k) q + (alpha 2^k - alpha), no cancellation near 0), with alpha 2^k built by adding k
 * to alpha's exponent field (k in [-126, 0] after the clamp at -87; lanes with t > 0 compute
 * garbage that the blend discards). NaN: the `t <= 0` mask is false, the lane keeps NaN.
 */
#include <immintrin.h>

#include "refast/ko_mlp.h"
#include "simd_inline.h"
#include "vmath.h"

/* selu(t) / lambda: t for t > 0 (and NaN), alpha expm1(t) otherwise. */
AI __m256 ko_selu_scaled(__m256 t)
{
    const __m256 neg = _mm256_cmp_ps(t, _mm256_setzero_ps(), _CMP_LE_OQ);
    const __m256 tc = _mm256_max_ps(t, _mm256_set1_ps(-87.0f));
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(tc, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    /* one float ln 2 suffices for k in [-126, 0] (see fast/avx512/ko_mlp.c) */
    const __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693147182464599609f), tc);
    const __m256 p = exp_poly(r);
    const __m256 q = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r); /* expm1(r) */
    const __m256 alpha = _mm256_set1_ps(1.6732632423543772f);
    const __m256 a2k = _mm256_castsi256_ps(_mm256_add_epi32(
        _mm256_castps_si256(alpha), _mm256_slli_epi32(_mm256_cvtps_epi32(k), 23)));
    const __m256 e = _mm256_fmadd_ps(a2k, q, _mm256_sub_ps(a2k, alpha));
    return _mm256_blendv_ps(t, e, neg);
}

/* The exported SELU for tests: lambda ko_selu_scaled(x). */
void ko_selu_f32_avx2(const float *x, size_t n, float *y)
{
    const __m256 lambda = _mm256_set1_ps(1.0507009873554805f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(lambda, ko_selu_scaled(_mm256_loadu_ps(x + i))));
    if (i < n) {
        float t[8] = {0};
        for (size_t j = i; j < n; j++) t[j - i] = x[j];
        _mm256_storeu_ps(t, _mm256_mul_ps(lambda, ko_selu_scaled(_mm256_loadu_ps(t))));
        for (size_t j = i; j < n; j++) y[j] = t[j - i];
    }
}

typedef __m256 V;
#define KO_VL 8
#define KO_G 4
#define KO_TV 2
#define V_LOADU(p) _mm256_loadu_ps(p)
#define V_STOREU(p, v) _mm256_storeu_ps(p, v)
#define V_SET1(x) _mm256_set1_ps(x)
#define V_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_SELU(v) ko_selu_scaled(v)
#define KO_MLP_FN ko_mlp_f32_avx2
#include "ko_mlp_driver.h"
