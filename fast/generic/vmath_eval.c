/* The vmath_f32 kernel (refast/vmath.h): each float function of fast/generic/vmath_f32.h over an
 * array, in the level's own code, so tests measure exactly what the kernels run. Full vectors by
 * vf_loadu, the tail by vf_loadn; with flush the level's FP mode (fast/<isa>/fpmode.h) is set for
 * the whole evaluation and restored after it. */
#include <string.h>

#include "refast/vmath.h"
#include "fpmode.h"
#include "simd.h"
#include "vmath_f32.h"

static vf vm_apply(int f, vf v)
{
    switch (f) {
    case RF_VM32_EXP_NONPOS: return vf_exp_nonpos(v);
    case RF_VM32_EXPM1_NONPOS: return vf_expm1_nonpos(v);
    case RF_VM32_TANH_HALF: return vf_tanh_half(v);
    case RF_VM32_LOG1P_UNIT: return vf_log1p_unit(v);
    case RF_VM32_LOG1P_HALF: return vf_log1p_half(v);
    case RF_VM32_SELU_SCALED: return vf_selu_scaled(v);
    default: return vf_set1(__builtin_nanf(""));
    }
}

void RF_LEVEL_FN(vmath_f32)(int f, int flush, const float *x, size_t n, float *out)
{
    const fpmode_t saved = fpmode_set_flush(flush);
    size_t i = 0;
    for (; i + VF_LANES <= n; i += VF_LANES) vf_storeu(out + i, vm_apply(f, vf_loadu(x + i)));
    if (i < n) vf_storen(out + i, n - i, vm_apply(f, vf_loadn(x + i, n - i)));
    fpmode_restore(saved);
}
