/* Rayleigh and bursty channels, AVX-512. Mirrors ref/channel.c (rayleigh_llr_f32, bursty_llr_f32).
 * The random numbers come from this level's generators (gauss_f32_avx512, uniform_f32_avx512) on
 * the streams of refast/channel.h; the frame and chunk loop is fast/channel_driver.h. The channel
 * arithmetic is 16 symbols per step with masked loads/stores for the tail (so the driver's scalar
 * tail never runs). The fading pairs (g_2i, g_2i+1) are de-interleaved with two permutes;
 * a = sqrt(fma(x, x, y y) / 2). The bursty sum uses the same fma(sigma, z, s) as
 * awgn_llr_f32_avx512 and adds the burst with a masked fma, so rho = 0 reproduces this level's AWGN
 * LLRs bit for bit. */
#include <immintrin.h>

#include "refast/channel.h"
#include "refast/rng.h"
#include "simd_inline.h"

#define RAYLEIGH_FN rayleigh_llr_f32_avx512
#define BURSTY_FN bursty_llr_f32_avx512
#define GAUSS gauss_f32_avx512
#define UNIFORM uniform_f32_avx512

AI __mmask16 live_mask(size_t left)
{
    return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
}

/* +-1 from bit 0 of 16 bytes: the bit moved to the sign of 1.0f. */
AI __m512 bpsk16(const uint8_t *c, __mmask16 live)
{
    const __m512i cb = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(live, c));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_set1_epi32(0x3f800000),
                                                _mm512_slli_epi32(_mm512_and_si512(cb, _mm512_set1_epi32(1)), 31)));
}

AI size_t rayleigh_chunk(float *row, const float *g, const uint8_t *c, size_t m, float sigma, float gain)
{
    const __m512 vsig = _mm512_set1_ps(sigma), vgain = _mm512_set1_ps(gain), half = _mm512_set1_ps(0.5f);
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    for (size_t i = 0; i < m; i += 16) {
        const __mmask16 live = live_mask(m - i);
        const __mmask16 lo = live_mask(2 * (m - i)), hi = live_mask(2 * (m - i) > 16 ? 2 * (m - i) - 16 : 0);
        const __m512 p0 = _mm512_maskz_loadu_ps(lo, g + 2 * i);
        const __m512 p1 = _mm512_maskz_loadu_ps(hi, g + 2 * i + 16);
        const __m512 x = _mm512_permutex2var_ps(p0, even, p1);
        const __m512 y2 = _mm512_permutex2var_ps(p0, odd, p1);
        const __m512 a = _mm512_sqrt_ps(_mm512_mul_ps(half, _mm512_fmadd_ps(x, x, _mm512_mul_ps(y2, y2))));
        const __m512 s = bpsk16(c + i, live);
        const __m512 y = _mm512_fmadd_ps(vsig, _mm512_maskz_loadu_ps(live, row + i), _mm512_mul_ps(a, s));
        _mm512_mask_storeu_ps(row + i, live, _mm512_mul_ps(_mm512_mul_ps(a, y), vgain));
    }
    return m;
}

AI size_t bursty_chunk(float *row, const float *u, const float *w, const uint8_t *c, size_t m, float sigma,
                       float rho, float sigma_b, float gain)
{
    const __m512 vsig = _mm512_set1_ps(sigma), vgain = _mm512_set1_ps(gain);
    const __m512 vrho = _mm512_set1_ps(rho), vsb = _mm512_set1_ps(sigma_b);
    for (size_t i = 0; i < m; i += 16) {
        const __mmask16 live = live_mask(m - i);
        const __m512 s = bpsk16(c + i, live);
        __m512 y = _mm512_fmadd_ps(vsig, _mm512_maskz_loadu_ps(live, row + i), s);
        /* u < rho, ordered: a NaN rho never bursts */
        const __mmask16 hit = _mm512_mask_cmp_ps_mask(live, _mm512_maskz_loadu_ps(live, u + i), vrho, _CMP_LT_OQ);
        y = _mm512_mask3_fmadd_ps(vsb, _mm512_maskz_loadu_ps(live, w + i), y, hit);
        _mm512_mask_storeu_ps(row + i, live, _mm512_mul_ps(y, vgain));
    }
    return m;
}

#include "channel_driver.h"
