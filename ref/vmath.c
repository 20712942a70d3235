/* The ref version of refast/vmath.h's vmath_f32: libm's float functions on the same mathematical
 * functions (what the vector levels are compared with; flush is ignored, see refast/vmath.h). */
#include <math.h>

#include "refast/vmath.h"

static float vm_ref(int f, float x)
{
    switch (f) {
    case RF_VM32_EXP_NONPOS: return expf(x);
    case RF_VM32_EXPM1_NONPOS: return expm1f(x);
    case RF_VM32_TANH_HALF: return tanhf(x / 2.0f);
    case RF_VM32_LOG1P_UNIT:
    case RF_VM32_LOG1P_HALF: return log1pf(x);
    case RF_VM32_SELU_SCALED: return x > 0.0f ? x : 1.6732632423543772f * expm1f(x);
    default: return NAN;
    }
}

void RF_REF(vmath_f32)(int f, int flush, const float *x, size_t n, float *out)
{
    (void)flush;
    for (size_t i = 0; i < n; i++) out[i] = vm_ref(f, x[i]);
}
