/* Vector elementary functions of the AVX2 + FMA level, shared by this level's soft decoders
 * (fast/avx2/softmap.c, fast/avx2/dumer.c) so both use the same operations bit for bit. Compiled
 * with this level's flags (-march=x86-64-v3); the functions are static inline and forced inline.
 *
 * exp_nonpos(x) = e^x for x <= 0: a degree-6 polynomial after reduction by ln 2 (FMA, ln 2 split
 * in two), scaled by 2^k built in the exponent field. Max relative error 1.2e-7 (1.26 ulp),
 * measured against expl on every float in [-87, 0]; arguments below -87 give e^-87 instead of a
 * smaller number (absolute error under 2e-38).
 */
#ifndef REFAST_FAST_AVX2_VMATH_H
#define REFAST_FAST_AVX2_VMATH_H

#include <immintrin.h>

#include "simd_inline.h"

/* The polynomial of exp_nonpos on the reduced argument |r| <= ln2/2: e^r = 1 + r + r^2 p(r).
 * Shared with the SELU of fast/avx2/ko_mlp.c, which forms expm1(r) = r + r^2 p(r) from it. */
AI __m256 exp_poly(__m256 r)
{
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    return p;
}

AI __m256 exp_nonpos(__m256 x)
{
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
    __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.428606765330187e-06f), r);
    __m256 p = exp_poly(r);
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    /* k in [-126, 0]: 2^k is a normal float built directly in the exponent field */
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

#endif
