/* Peak FMA loop, AVX2 (mirrors machine_fma_peak_ref): 12 independent chains cover the FMA
 * latency (4-5 cycles) times the two FMA ports. */
#include <immintrin.h>

#include "refast/machine.h"

double machine_fma_peak_avx2(uint64_t iters)
{
    __m256 acc[RF_PEAK_CHAINS];
    for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = _mm256_set1_ps((float)c * 0.01f);
    const __m256 m = _mm256_set1_ps(0.9999f), a = _mm256_set1_ps(0.0001f);
    for (uint64_t i = 0; i < iters; i++)
        for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = _mm256_fmadd_ps(acc[c], m, a);
    __m256 s = acc[0];
    for (int c = 1; c < RF_PEAK_CHAINS; c++) s = _mm256_add_ps(s, acc[c]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[7];
}

unsigned machine_f32_lanes_avx2(void)
{
    return 8;
}
