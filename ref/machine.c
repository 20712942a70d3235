/* Peak loop of the scalar level (see refast/machine.h). Built with the ref/ flags, so it stays
 * scalar: a multiply and an add per chain step (2 flops; the baseline has no FMA). */
#include "refast/machine.h"

double RF_REF(machine_fma_peak)(uint64_t iters)
{
    float acc[RF_PEAK_CHAINS];
    for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = (float)c * 0.01f;
    const float m = 0.9999f, a = 0.0001f; /* converges to 1: no overflow, no denormals */
    for (uint64_t i = 0; i < iters; i++)
        for (int c = 0; c < RF_PEAK_CHAINS; c++) acc[c] = acc[c] * m + a;
    double s = 0;
    for (int c = 0; c < RF_PEAK_CHAINS; c++) s += acc[c];
    return s;
}

