/* Polar SC / SC-list per-node LLR stages of a vector level, shared by fast/generic/polar_sc.c and
 * polar_scl.c: f (minsum vectorised, the exact f through ref's libm expf/log1pf per element, which
 * vectorising would change) and g, a register of VF_LANES lanes at a time while h >= VF_LANES and
 * below that the level's narrower registers (fast/<isa>/polar_narrow.h: polar_minsum_narrow,
 * polar_g_narrow, branch-free, the same lane operations). Every lane does exactly ref's float
 * operations, so decisions are bit-identical to ref:
 *   minsum f   magnitude vf_min_sel(|a|, |b|) = ref's (|a| < |b|) ? |a| : |b| (MINPS; on NEON a
 *              compare-and-select, as FMIN would turn a NaN in |a| into NaN), sign the XOR of two
 *              ordered "< 0" compares applied by XOR with -0.0f (ref's negation);
 *   g          L2 - L1 where the left child's decision x is 1, else L2 + L1.
 */
#ifndef REFAST_FAST_POLAR_STAGES_H
#define REFAST_FAST_POLAR_STAGES_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refast/decoders.h"
#include "simd.h"

AI vf vf_minsum(vf a, vf b)
{
    const vf mn = vf_min_sel(vf_abs(a), vf_abs(b));
    const mf neg = mf_xor(vf_lt(a, vf_zero()), vf_lt(b, vf_zero()));
    return vf_xor(mn, vf_maskz(neg, vf_set1(-0.0f)));
}

/* g on one register: x[0..VF_LANES) (0 or 1) selects L2 - L1 over L2 + L1. */
AI vf vg(vf a, vf b, const uint8_t *x)
{
    return vf_select(mf_from_bytes(x), vf_sub(b, a), vf_add(b, a));
}

#include "polar_narrow.h"

static inline float f_minsum(float a, float b)
{
    float aa = fabsf(a), ab = fabsf(b);
    float mn = aa < ab ? aa : ab;
    return ((a < 0.0f) != (b < 0.0f)) ? -mn : mn;
}

static inline float f_exact(float a, float b)
{
    float s = f_minsum(a, b);
    return s + log1pf(expf(-fabsf(a + b))) - log1pf(expf(-fabsf(a - b)));
}

/* Child LLRs of the first half: out[i] = f(L[i], L[i + h]). */
static inline void stage_f(int f, const float *L, size_t h, float *out)
{
    if (f != RF_F_MINSUM) {
        for (size_t i = 0; i < h; i++) out[i] = f_exact(L[i], L[i + h]);
    } else if (h >= VF_LANES) {
        for (size_t i = 0; i < h; i += VF_LANES) vf_storeu(out + i, vf_minsum(vf_loadu(L + i), vf_loadu(L + i + h)));
    } else {
        polar_minsum_narrow(L, h, out);
    }
}

/* out[i] = x[i] ? L[i + h] - L[i] : L[i + h] + L[i]. */
static inline void stage_g(const float *L, const uint8_t *x, size_t h, float *out)
{
    if (h >= VF_LANES) {
        for (size_t i = 0; i < h; i += VF_LANES) vf_storeu(out + i, vg(vf_loadu(L + i), vf_loadu(L + i + h), x + i));
    } else {
        polar_g_narrow(L, x, h, out);
    }
}

#endif
