/* Dumer's recursive decoder, AVX2 + FMA (8 floats per register). Mirrors ref/dumer.c:
 * rm_dumer_ref and rm_dumer_soft_ref, the same recursion on the same layout.
 *
 * This file holds the level's primitives; the recursion and its tricks are in fast/dumer_driver.h
 * (the decoders run 8 frames at a time, one frame per lane, so every node works on whole
 * registers; left-over frames run one frame at a time).
 * Everything except the exact f is bit-identical to ref (same operations, same order); min-sum
 * decoding is therefore bit-identical to ref.
 * The exact f: s + log1p(e^-|a+b|) - log1p(e^-|a-b|) = s + log1p(d), d = (p - q) / (1 + q),
 * p = e^-|a+b|, q = e^-|a-b| (two exps, one division, one log instead of ref's two exps and two
 * log1ps), with
 *   e^-x (x >= 0): exp_nonpos of fast/avx2/vmath.h (shared with softmap.c, accuracy there);
 *     arguments below -87 give e^-87 (absolute error < 2e-38);
 *   log1p(d), d in [-1/2, 1]: 1 + d scaled into [sqrt(1/2), sqrt(2)) with the difference from 1
 *     formed exactly from d, then Cephes' logf polynomial.
 * f has max error 2.84 u of max(1, |f|) (u = 2^-24) against long double over 2^22 (a, b) pairs
 * (|a|, |b| <= 60, near-equal pairs, tiny a), measured at every level; ref's libm f shows 2.76 u
 * on the same set: a few u absolute per f, inside the `+ n` part of the decision scale
 * (kernels/registry/dumer.c). Results are judged by the decision class against the oracle.
 */
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/decoders.h"
#include "refast/softmap.h"
#include "vmath.h"

#define LANES 8
#define AI static inline __attribute__((always_inline))
#define RM1_MAP rm1_map_avx2
#define RM1_SOFTMAP_MAXLOG rm1_softmap_maxlog_avx2
#define RM_DUMER_FN rm_dumer_avx2
#define RM_DUMER_SOFT_FN rm_dumer_soft_avx2

typedef __m256 vf;

AI vf vld(const float *p) { return _mm256_loadu_ps(p); }
AI void vst(float *p, vf x) { _mm256_storeu_ps(p, x); }
AI vf vldm(const uint32_t *p) { return _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(const void *)p)); }
AI void vstm(uint32_t *p, vf x) { _mm256_storeu_si256((__m256i *)(void *)p, _mm256_castps_si256(x)); }
AI vf vsplatm(uint32_t x) { return _mm256_castsi256_ps(_mm256_set1_epi32((int)x)); }
AI vf vset(float x) { return _mm256_set1_ps(x); }
AI vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
AI vf vxor(vf a, vf b) { return _mm256_xor_ps(a, b); }
AI vf vabs(vf a) { return _mm256_and_ps(a, vsplatm(0x7fffffffu)); }
AI vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
AI vf vltz(vf x) { return _mm256_and_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ), vsplatm(0x80000000u)); }

AI vf vsel_gt(vf x, vf y, vf a, vf b) { return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, y, _CMP_GT_OQ)); }

/* The lane-wise running argmax of the RM(m,1) leaf: ref's first strict > (ordered). */
AI void vbest(vf x, vf i, vf *ba, vf *bw, vf *bi)
{
    const vf gt = _mm256_cmp_ps(vabs(x), *ba, _CMP_GT_OQ);
    *ba = _mm256_blendv_ps(*ba, vabs(x), gt);
    *bw = _mm256_blendv_ps(*bw, x, gt);
    *bi = _mm256_blendv_ps(*bi, i, gt);
}

/* dst[i LANES + l] = src[l stride + i] for i, l < 8: unpacks within 128-bit lanes, then one round
 * of 128-bit lane permutes. */
AI void vtranspose(const float *src, size_t stride, float *dst)
{
    __m256 r[8], t[8], u[8];
    for (int l = 0; l < 8; l++) r[l] = _mm256_loadu_ps(src + (size_t)l * stride);
    for (int p = 0; p < 4; p++) {
        t[2 * p] = _mm256_unpacklo_ps(r[2 * p], r[2 * p + 1]);
        t[2 * p + 1] = _mm256_unpackhi_ps(r[2 * p], r[2 * p + 1]);
    }
    for (int g = 0; g < 2; g++) /* u[4g + c]: in 128-bit lane q, column 4q + c of rows 4g..4g+3 */
        for (int c = 0; c < 4; c++) {
            const __m256d a = _mm256_castps_pd(t[4 * g + (c >> 1)]), b = _mm256_castps_pd(t[4 * g + 2 + (c >> 1)]);
            u[4 * g + c] = _mm256_castpd_ps(c & 1 ? _mm256_unpackhi_pd(a, b) : _mm256_unpacklo_pd(a, b));
        }
    for (int c = 0; c < 4; c++) {
        _mm256_storeu_ps(dst + (size_t)c * 8, _mm256_permute2f128_ps(u[c], u[4 + c], 0x20));
        _mm256_storeu_ps(dst + (size_t)(4 + c) * 8, _mm256_permute2f128_ps(u[c], u[4 + c], 0x31));
    }
}

/* NaN -> 0, then clamp to +-2^100. */
AI vf vsanitize(vf x)
{
    x = _mm256_and_ps(x, _mm256_cmp_ps(x, x, _CMP_ORD_Q));
    x = _mm256_min_ps(x, vset(0x1p100f));
    return _mm256_max_ps(x, vset(-0x1p100f));
}

/* sign(a) sign(b) min(|a|,|b|): the XOR of the sign bits on the minimum magnitude. */
AI vf vminsum(vf a, vf b)
{
    const vf sgn = _mm256_and_ps(_mm256_xor_ps(a, b), vsplatm(0x80000000u));
    return _mm256_or_ps(_mm256_min_ps(vabs(a), vabs(b)), sgn);
}

/* log1p(d) for d in [-1/2, 1]: 1 + d is brought into [sqrt(1/2), sqrt(2)) by a power of two, its
 * difference from 1 formed exactly from d (no rounding of 1 + d is ever taken: (d - 1) / 2 and
 * 2 d + 1 are exact there by Sterbenz), then Cephes' logf polynomial. */
AI vf vlog1p_half(vf d)
{
    const vf one = vset(1.0f);
    const vf big = _mm256_cmp_ps(d, vset(0.41421356f), _CMP_GT_OQ);
    const vf small = _mm256_cmp_ps(d, vset(-0.29289322f), _CMP_LT_OQ);
    vf f = _mm256_blendv_ps(d, _mm256_mul_ps(_mm256_sub_ps(d, one), vset(0.5f)), big);
    f = _mm256_blendv_ps(f, _mm256_fmadd_ps(d, vset(2.0f), one), small); /* 2 d + 1 */
    const vf e = _mm256_or_ps(_mm256_and_ps(big, one), _mm256_and_ps(small, vset(-1.0f)));
    const vf z = _mm256_mul_ps(f, f);
    vf p = vset(7.0376836292E-2f);
    p = _mm256_fmadd_ps(p, f, vset(-1.1514610310E-1f));
    p = _mm256_fmadd_ps(p, f, vset(1.1676998740E-1f));
    p = _mm256_fmadd_ps(p, f, vset(-1.2420140846E-1f));
    p = _mm256_fmadd_ps(p, f, vset(1.4249322787E-1f));
    p = _mm256_fmadd_ps(p, f, vset(-1.6668057665E-1f));
    p = _mm256_fmadd_ps(p, f, vset(2.0000714765E-1f));
    p = _mm256_fmadd_ps(p, f, vset(-2.4999993993E-1f));
    p = _mm256_fmadd_ps(p, f, vset(3.3333331174E-1f));
    vf y2 = _mm256_mul_ps(_mm256_mul_ps(p, f), z);
    y2 = _mm256_fmadd_ps(e, vset(-2.12194440e-4f), y2);
    y2 = _mm256_fmadd_ps(z, vset(-0.5f), y2);
    const vf res = _mm256_add_ps(f, y2);
    return _mm256_fmadd_ps(e, vset(0.693359375f), res);
}

/* The exact f: s + log1p(e^-|a+b|) - log1p(e^-|a-b|) = s + log1p(d), d = (p - q) / (1 + q),
 * p = e^-|a+b|, q = e^-|a-b|: two exps, one log. */
AI vf vexact(vf a, vf b)
{
    const vf s = vminsum(a, b);
    const vf p = exp_nonpos(_mm256_sub_ps(_mm256_setzero_ps(), vabs(_mm256_add_ps(a, b))));
    const vf q = exp_nonpos(_mm256_sub_ps(_mm256_setzero_ps(), vabs(_mm256_sub_ps(a, b))));
    const vf d = _mm256_div_ps(_mm256_sub_ps(p, q), _mm256_add_ps(vset(1.0f), q));
    return _mm256_add_ps(s, vlog1p_half(d));
}

#include "dumer_driver.h"
