/* Peak FMA loop of a vector level (mirrors machine_fma_peak_ref): RF_PEAK_CHAINS independent
 * register chains cover the FMA latency (4-5 cycles) times the FMA ports. The result only keeps
 * the chains alive (its value is not judged). */
#include "refast/machine.h"
#include "simd.h"

double RF_LEVEL_FN(machine_fma_peak)(uint64_t iters)
{
    vf acc[RF_PEAK_CHAINS];
    for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = vf_set1((float)c * 0.01f);
    const vf m = vf_set1(0.9999f), a = vf_set1(0.0001f);
    for (uint64_t i = 0; i < iters; i++)
        for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = vf_fma(acc[c], m, a);
    vf s = acc[0];
    for (int c = 1; c < RF_PEAK_CHAINS; c++) s = vf_add(s, acc[c]);
    return vf_hsum(s);
}

unsigned RF_LEVEL_FN(machine_f32_lanes)(void)
{
    return VF_LANES;
}
