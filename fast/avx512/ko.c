/* KO(m,2) encoder and decoder, AVX-512 (mirrors ref/ko.c: ko_encode_f32_ref, ko_decode_f32_ref):
 * the batched codec of fast/ko_codec_driver.h (B frames per block call) over this level's MLP
 * block ko_mlp_f32_avx512 and max-log Soft-MAP rm1_softmap_maxlog_avx512, with the elementwise
 * decoder steps in zmm registers (16 coordinates):
 *
 * LSE(a, b) = [max(a+b, 0) + log1p(e^-|a+b|)] - [max(a, b) + log1p(e^-|a-b|)], as ref/ko.c
 * associates it. e^-|d| by exp_nonpos (fast/avx512/vmath.h, 1.26 ulp); log1p(z), z in [0, 1], as
 * 2 atanh(s), s = z / (2 + z) in [0, 1/3]: 2s (1 + s^2/3 + ... + s^12/13), truncation below
 * (1/9)^7 / 15 = 1.4e-8 relative, no cancellation for small z. Each log1p term then errs by at
 * most ~5 ulp(ln 2), so |LSE error| <= 2^-24 (4 (|a| + |b|) + 10) (half an ulp for each of the four
 * additions, whose operands are at most |a| + |b| + ln 2, plus the two log1p terms);
 * tests/test_ko_fast.c checks that bound against long double on a sweep (worst 0.41 of it).
 *
 * tanh(x/2) = -expm1(-|x|) / (2 + expm1(-|x|)) with x's sign: expm1 in the form of the SELU of
 * fast/avx512/ko_mlp.c, 2^k q + (2^k - 1), q = expm1(r) = r + r^2 p(r) (ln 2 split in two), so
 * there is no cancellation near 0; the test bounds it by 4 ulp relative (1.40 ulp measured).
 */
#include <immintrin.h>

#include "refast/ko.h"
#include "refast/softmap.h"
#include "simd_inline.h"
#include "vmath.h"

AI __m512 kv_abs(__m512 x)
{
    return _mm512_abs_ps(x);
}

/* log1p(z) for z in [0, 1] */
AI __m512 kv_log1p_unit(__m512 z)
{
    const __m512 s = _mm512_div_ps(z, _mm512_add_ps(z, _mm512_set1_ps(2.0f)));
    const __m512 s2 = _mm512_mul_ps(s, s);
    __m512 p = _mm512_set1_ps(1.0f / 13.0f);
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 11.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 9.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 7.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 5.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 3.0f));
    const __m512 two_s = _mm512_add_ps(s, s);
    return _mm512_fmadd_ps(_mm512_mul_ps(two_s, s2), p, two_s);
}

AI __m512 kv_lse(__m512 a, __m512 b)
{
    const __m512 s = _mm512_add_ps(a, b), d = _mm512_sub_ps(a, b);
    const __m512 zero = _mm512_setzero_ps();
    const __m512 l1 = _mm512_add_ps(_mm512_max_ps(s, zero), kv_log1p_unit(exp_nonpos(_mm512_sub_ps(zero, kv_abs(s)))));
    const __m512 l2 = _mm512_add_ps(_mm512_max_ps(a, b), kv_log1p_unit(exp_nonpos(_mm512_sub_ps(zero, kv_abs(d)))));
    return _mm512_sub_ps(l1, l2);
}

/* expm1(t) for t <= 0 (t clamped at -87) */
AI __m512 kv_expm1_nonpos(__m512 t)
{
    t = _mm512_max_ps(t, _mm512_set1_ps(-87.0f));
    const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(t, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693145751953125f), t);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.428606765330187e-06f), r);
    const __m512 q = _mm512_fmadd_ps(exp_poly(r), _mm512_mul_ps(r, r), r);
    const __m512 p2k = _mm512_scalef_ps(_mm512_set1_ps(1.0f), k); /* 2^k, exact */
    return _mm512_fmadd_ps(p2k, q, _mm512_sub_ps(p2k, _mm512_set1_ps(1.0f)));
}

AI __m512 kv_tanh_half(__m512 x)
{
    const __m512 e = kv_expm1_nonpos(_mm512_sub_ps(_mm512_setzero_ps(), kv_abs(x)));
    const __m512 t = _mm512_div_ps(_mm512_sub_ps(_mm512_setzero_ps(), e), _mm512_add_ps(e, _mm512_set1_ps(2.0f)));
    const __m512 sign = _mm512_and_ps(x, _mm512_set1_ps(-0.0f));
    return _mm512_or_ps(t, sign);
}

#define KC_VL 16
#define KC_LOADU(p) _mm512_loadu_ps(p)
#define KC_STOREU(p, v) _mm512_storeu_ps(p, v)
#define KC_ADD(a, b) _mm512_add_ps(a, b)
#define KC_LSE(a, b) kv_lse(a, b)
#define KC_TANH_HALF(x) kv_tanh_half(x)
#define KC_LSE_FN ko_lse_f32_avx512
#define KC_TANH_FN ko_tanh_half_f32_avx512
#define KO_CODEC_MLP(net, in, count, out) ko_mlp_f32_avx512(net, in, count, out)
#define KO_CODEC_SOFTMAP(lv, mu, frames, out) rm1_softmap_maxlog_avx512(lv, mu, frames, out)
#define KO_ENCODE_FN ko_encode_f32_avx512
#define KO_DECODE_FN ko_decode_f32_avx512
#include "ko_codec_driver.h"
