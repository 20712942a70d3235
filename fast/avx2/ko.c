/* KO(m,2) encoder and decoder, AVX2 + FMA (mirrors ref/ko.c: ko_encode_f32_ref, ko_decode_f32_ref):
 * the batched codec of fast/ko_codec_driver.h (B frames per block call) over this level's MLP
 * block ko_mlp_f32_avx2 and max-log Soft-MAP rm1_softmap_maxlog_avx2, with the elementwise decoder
 * steps in ymm registers (8 coordinates). The operations and their error bounds are those of
 * fast/avx512/ko.c (LSE: exp_nonpos of fast/avx2/vmath.h and log1p(z) = 2 atanh(z / (2 + z));
 * tanh(x/2) = -expm1(-|x|) / (2 + expm1(-|x|)), expm1 as 2^k q + (2^k - 1)); 2^k, k in [-126, 0],
 * is built in the exponent field.
 */
#include <immintrin.h>

#include "refast/ko.h"
#include "refast/softmap.h"
#include "simd_inline.h"
#include "vmath.h"

AI __m256 kv_abs(__m256 x)
{
    return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
}

/* log1p(z) for z in [0, 1] */
AI __m256 kv_log1p_unit(__m256 z)
{
    const __m256 s = _mm256_div_ps(z, _mm256_add_ps(z, _mm256_set1_ps(2.0f)));
    const __m256 s2 = _mm256_mul_ps(s, s);
    __m256 p = _mm256_set1_ps(1.0f / 13.0f);
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f / 11.0f));
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f / 9.0f));
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f / 7.0f));
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f / 5.0f));
    p = _mm256_fmadd_ps(p, s2, _mm256_set1_ps(1.0f / 3.0f));
    const __m256 two_s = _mm256_add_ps(s, s);
    return _mm256_fmadd_ps(_mm256_mul_ps(two_s, s2), p, two_s);
}

AI __m256 kv_lse(__m256 a, __m256 b)
{
    const __m256 s = _mm256_add_ps(a, b), d = _mm256_sub_ps(a, b);
    const __m256 zero = _mm256_setzero_ps();
    const __m256 l1 = _mm256_add_ps(_mm256_max_ps(s, zero), kv_log1p_unit(exp_nonpos(_mm256_sub_ps(zero, kv_abs(s)))));
    const __m256 l2 = _mm256_add_ps(_mm256_max_ps(a, b), kv_log1p_unit(exp_nonpos(_mm256_sub_ps(zero, kv_abs(d)))));
    return _mm256_sub_ps(l1, l2);
}

/* expm1(t) for t <= 0 (t clamped at -87) */
AI __m256 kv_expm1_nonpos(__m256 t)
{
    t = _mm256_max_ps(t, _mm256_set1_ps(-87.0f));
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(t, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), t);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.428606765330187e-06f), r);
    const __m256 q = _mm256_fmadd_ps(exp_poly(r), _mm256_mul_ps(r, r), r);
    const __m256 p2k = _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23));
    return _mm256_fmadd_ps(p2k, q, _mm256_sub_ps(p2k, _mm256_set1_ps(1.0f)));
}

AI __m256 kv_tanh_half(__m256 x)
{
    const __m256 e = kv_expm1_nonpos(_mm256_sub_ps(_mm256_setzero_ps(), kv_abs(x)));
    const __m256 t = _mm256_div_ps(_mm256_sub_ps(_mm256_setzero_ps(), e), _mm256_add_ps(e, _mm256_set1_ps(2.0f)));
    return _mm256_or_ps(t, _mm256_and_ps(x, _mm256_set1_ps(-0.0f)));
}

#define KC_VL 8
#define KC_LOADU(p) _mm256_loadu_ps(p)
#define KC_STOREU(p, v) _mm256_storeu_ps(p, v)
#define KC_ADD(a, b) _mm256_add_ps(a, b)
#define KC_LSE(a, b) kv_lse(a, b)
#define KC_TANH_HALF(x) kv_tanh_half(x)
#define KC_LSE_FN ko_lse_f32_avx2
#define KC_TANH_FN ko_tanh_half_f32_avx2
#define KO_CODEC_MLP(net, in, count, out) ko_mlp_f32_avx2(net, in, count, out)
#define KO_CODEC_SOFTMAP(lv, mu, frames, out) rm1_softmap_maxlog_avx2(lv, mu, frames, out)
#define KO_ENCODE_FN ko_encode_f32_avx2
#define KO_DECODE_FN ko_decode_f32_avx2
#include "ko_codec_driver.h"
