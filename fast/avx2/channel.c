/* Rayleigh and bursty channels, AVX2 + FMA. Mirrors ref/channel.c (rayleigh_llr_f32,
 * bursty_llr_f32). The random numbers come from this level's generators (gauss_f32_avx2,
 * uniform_f32_avx2) on the streams of refast/channel.h; the frame and chunk loop is
 * fast/channel_driver.h. The channel arithmetic is 8 symbols per step (the driver's scalar fmaf
 * tail has the same operation order). The fading pairs (g_2i, g_2i+1) are de-interleaved with
 * shuffles + one cross-lane permute; a = sqrt(fma(x, x, y y) / 2). The bursty sum uses
 * awgn_llr_f32_avx2's fma(sigma, z, s) and adds the burst through a blend, so rho = 0 reproduces
 * this level's AWGN LLRs bit for bit. */
#include <immintrin.h>

#include "refast/channel.h"
#include "refast/rng.h"
#include "simd_inline.h"

#define RAYLEIGH_FN rayleigh_llr_f32_avx2
#define BURSTY_FN bursty_llr_f32_avx2
#define GAUSS gauss_f32_avx2
#define UNIFORM uniform_f32_avx2

AI __m256 bpsk8(const uint8_t *c)
{
    const __m256i cb = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)c));
    return _mm256_castsi256_ps(_mm256_or_si256(_mm256_set1_epi32(0x3f800000),
                                               _mm256_slli_epi32(_mm256_and_si256(cb, _mm256_set1_epi32(1)), 31)));
}

AI size_t rayleigh_chunk(float *row, const float *g, const uint8_t *c, size_t m, float sigma, float gain)
{
    const __m256 vsig = _mm256_set1_ps(sigma), vgain = _mm256_set1_ps(gain), half = _mm256_set1_ps(0.5f);
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        const __m256 p0 = _mm256_loadu_ps(g + 2 * i), p1 = _mm256_loadu_ps(g + 2 * i + 8);
        /* within 128-bit lanes: x0 x1 x4 x5 | x2 x3 x6 x7, then fix the lane order */
        const __m256 xs = _mm256_shuffle_ps(p0, p1, _MM_SHUFFLE(2, 0, 2, 0));
        const __m256 ys = _mm256_shuffle_ps(p0, p1, _MM_SHUFFLE(3, 1, 3, 1));
        const __m256 x = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(xs), _MM_SHUFFLE(3, 1, 2, 0)));
        const __m256 y2 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(ys), _MM_SHUFFLE(3, 1, 2, 0)));
        const __m256 a = _mm256_sqrt_ps(_mm256_mul_ps(half, _mm256_fmadd_ps(x, x, _mm256_mul_ps(y2, y2))));
        const __m256 y = _mm256_fmadd_ps(vsig, _mm256_loadu_ps(row + i), _mm256_mul_ps(a, bpsk8(c + i)));
        _mm256_storeu_ps(row + i, _mm256_mul_ps(_mm256_mul_ps(a, y), vgain));
    }
    return i;
}

AI size_t bursty_chunk(float *row, const float *u, const float *w, const uint8_t *c, size_t m, float sigma,
                       float rho, float sigma_b, float gain)
{
    const __m256 vsig = _mm256_set1_ps(sigma), vgain = _mm256_set1_ps(gain);
    const __m256 vrho = _mm256_set1_ps(rho), vsb = _mm256_set1_ps(sigma_b);
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        const __m256 y = _mm256_fmadd_ps(vsig, _mm256_loadu_ps(row + i), bpsk8(c + i));
        const __m256 hit = _mm256_cmp_ps(_mm256_loadu_ps(u + i), vrho, _CMP_LT_OQ); /* NaN rho: never */
        const __m256 yb = _mm256_fmadd_ps(vsb, _mm256_loadu_ps(w + i), y);
        _mm256_storeu_ps(row + i, _mm256_mul_ps(_mm256_blendv_ps(y, yb, hit), vgain));
    }
    return i;
}

#include "channel_driver.h"
