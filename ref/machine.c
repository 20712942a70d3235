/* Peak loop of the scalar level (see refast/machine.h). Built with the ref/ flags, so it stays
 * scalar: a multiply and an add per chain step (2 flops; the baseline has no FMA). The chains are
 * named locals, not an array, so that they live in registers: with an array the compiler may keep
 * them in memory and the loop then measures store-to-load forwarding instead of the FP units. */
#include "refast/machine.h"

#define STEP(v) v = v * m + a

double RF_REF(machine_fma_peak)(uint64_t iters)
{
    _Static_assert(RF_PEAK_CHAINS == 12, "the scalar peak loop spells out 12 chains");
    const float m = 0.9999f, a = 0.0001f; /* converges to 1: no overflow, no denormals */
    float c0 = 0.00f, c1 = 0.01f, c2 = 0.02f, c3 = 0.03f, c4 = 0.04f, c5 = 0.05f;
    float c6 = 0.06f, c7 = 0.07f, c8 = 0.08f, c9 = 0.09f, c10 = 0.10f, c11 = 0.11f;
    for (uint64_t i = 0; i < iters; i++) {
        STEP(c0); STEP(c1); STEP(c2); STEP(c3); STEP(c4); STEP(c5);
        STEP(c6); STEP(c7); STEP(c8); STEP(c9); STEP(c10); STEP(c11);
    }
    return (double)c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
}

unsigned RF_REF(machine_f32_lanes)(void)
{
    return 1;
}
