/* Vector elementary functions of the AVX-512 level, shared by this level's soft decoders
 * (fast/avx512/softmap.c, fast/avx512/dumer.c) so both use the same operations bit for bit.
 * Compiled with this level's flags (-march=x86-64-v4); the functions are static inline and forced
 * inline.
 *
 * exp_nonpos(x) = e^x for x <= 0: a degree-6 polynomial after reduction by ln 2 (FMA, ln 2 split
 * in two) and VSCALEFPS. Max relative error 1.2e-7 (1.26 ulp), measured against expl on every
 * float in [-87, 0]; arguments below -87 give e^-87 instead of a smaller number (absolute error
 * under 2e-38).
 */
#ifndef REFAST_FAST_AVX512_VMATH_H
#define REFAST_FAST_AVX512_VMATH_H

#include <immintrin.h>

#include "simd_inline.h"

/* The polynomial of exp_nonpos on the reduced argument |r| <= ln2/2: e^r = 1 + r + r^2 p(r).
 * Shared with the SELU of fast/avx512/ko_mlp.c, which forms expm1(r) = r + r^2 p(r) from it. */
AI __m512 exp_poly(__m512 r)
{
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    return p;
}

AI __m512 exp_nonpos(__m512 x)
{
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.428606765330187e-06f), r);
    __m512 p = exp_poly(r);
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, k);
}

#endif
