/* KO MLP block, AVX-512 (mirrors ref/ko_mlp.c: ko_mlp_f32_ref): 16 coordinates per zmm, tiles of
 * 2 zmm (32 coordinates) x 8 output units = 16 accumulators, weights broadcast; the driver is
 * fast/ko_mlp_driver.h.
 *
 * Vector SELU (lambda folded into the next layer's weights by the driver): t for t > 0, alpha
 * expm1(t) otherwise; the mask is `t <= 0`, false for NaN, which therefore passes through. expm1
 * for t <= 0 in expm1 form, so that there is no cancellation in e^t - 1 near 0:
 * t = k ln2 + r (t clamped at -87, k in [-126, 0]), q = r + r^2 P(r) = expm1(r) with the
 * polynomial of fast/avx512/vmath.h exp_nonpos (there e^r = 1 + q), then
 * alpha expm1(t) = (alpha 2^k) q + (alpha 2^k - alpha) by one FMA (alpha 2^k by VSCALEFPS, exact;
 * for k = 0 the addend is exactly 0). The reduction uses one float ln 2 (not a hi/lo pair): its
 * error 1.9e-9 moves e^t by |k| 1.9e-9 e^t relative, under 2^-26 of |expm1(t)| for every k <= 0
 * (that saves one FMA per SELU, ~3% of the kernel). Error of lambda * this: 2.10 ulp max against
 * lambda alpha expm1l, measured by tests/test_ko_mlp.c on a sweep of [-90, 0] (it fails above
 * 3 ulp, the value the tolerance derivation in kernels/registry/ko.c assumes).
 */
#include <immintrin.h>

#include "refast/ko_mlp.h"
#include "simd_inline.h"
#include "vmath.h"

/* selu(t) / lambda: t for t > 0 (and NaN), alpha expm1(t) otherwise. Lanes with t > 0 compute
 * garbage (even inf/NaN) in the expm1 part and are blended away. */
AI __m512 ko_selu_scaled(__m512 t)
{
    const __mmask16 neg = _mm512_cmp_ps_mask(t, _mm512_setzero_ps(), _CMP_LE_OQ);
    const __m512 tc = _mm512_max_ps(t, _mm512_set1_ps(-87.0f));
    const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(tc, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    /* One constant suffices: |k| <= 126 and the float ln 2 errs by 1.9e-9, which moves e^t by
     * |k| 1.9e-9 e^t relative -- below 2^-26 of |expm1(t)| for every k <= 0. */
    const __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693147182464599609f), tc);
    const __m512 p = exp_poly(r);
    const __m512 q = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r); /* expm1(r) */
    const __m512 alpha = _mm512_set1_ps(1.6732632423543772f);
    const __m512 a2k = _mm512_scalef_ps(alpha, k);               /* alpha 2^k, exact */
    const __m512 e = _mm512_fmadd_ps(a2k, q, _mm512_sub_ps(a2k, alpha));
    return _mm512_mask_blend_ps(neg, t, e);
}

/* The exported SELU for tests: lambda ko_selu_scaled(x) (one more rounding than inside the MLP,
 * where lambda sits in the weights). */
void ko_selu_f32_avx512(const float *x, size_t n, float *y)
{
    const __m512 lambda = _mm512_set1_ps(1.0507009873554805f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_mul_ps(lambda, ko_selu_scaled(_mm512_loadu_ps(x + i))));
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(lambda, ko_selu_scaled(_mm512_maskz_loadu_ps(m, x + i))));
    }
}

typedef __m512 V;
#define KO_VL 16
#define KO_G 8
#define KO_TV 2
#define V_LOADU(p) _mm512_loadu_ps(p)
#define V_STOREU(p, v) _mm512_storeu_ps(p, v)
#define V_SET1(x) _mm512_set1_ps(x)
#define V_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_SELU(v) ko_selu_scaled(v)
#define KO_MLP_FN ko_mlp_f32_avx512
#include "ko_mlp_driver.h"
