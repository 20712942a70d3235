/* Peak FMA loop, AVX-512 (mirrors machine_fma_peak_ref): 12 independent zmm chains. */
#include <immintrin.h>

#include "refast/machine.h"

double machine_fma_peak_avx512(uint64_t iters)
{
    __m512 acc[RF_PEAK_CHAINS];
    for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = _mm512_set1_ps((float)c * 0.01f);
    const __m512 m = _mm512_set1_ps(0.9999f), a = _mm512_set1_ps(0.0001f);
    for (uint64_t i = 0; i < iters; i++)
        for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = _mm512_fmadd_ps(acc[c], m, a);
    __m512 s = acc[0];
    for (int c = 1; c < RF_PEAK_CHAINS; c++) s = _mm512_add_ps(s, acc[c]);
    return _mm512_reduce_add_ps(s);
}

unsigned machine_f32_lanes_avx512(void)
{
    return 16;
}
