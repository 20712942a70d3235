/* Peak FMA loop, NEON (mirrors machine_fma_peak_ref): 12 independent q-register chains. */
#include <arm_neon.h>

#include "refast/machine.h"

double machine_fma_peak_neon(uint64_t iters)
{
    float32x4_t acc[RF_PEAK_CHAINS];
    for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = vdupq_n_f32((float)c * 0.01f);
    const float32x4_t m = vdupq_n_f32(0.9999f), a = vdupq_n_f32(0.0001f);
    for (uint64_t i = 0; i < iters; i++)
        for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = vfmaq_f32(a, acc[c], m);
    float32x4_t s = acc[0];
    for (int c = 1; c < RF_PEAK_CHAINS; c++) s = vaddq_f32(s, acc[c]);
    return vaddvq_f32(s);
}

unsigned machine_f32_lanes_neon(void)
{
    return 4;
}
