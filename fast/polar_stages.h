/* Polar SC / SC-list per-node LLR stages, shared by fast/<isa>/polar_sc.c and polar_scl.c (and so
 * by fast/polar_sc_driver.h and fast/polar_scl_driver.h).
 *
 * Included at the top of fast/<isa>/polar_prims.h, which defines the level's vector pieces declared
 * below: polar_vf_minsum(L, h, out) (minsum f, h >= 4), polar_vf_minsum_small (h = 2, 1, partial
 * registers), polar_vg(L, x, h, out) (g, h >= 4), polar_vg_small (h = 2, 1) and polar_xor (whose
 * sub-16-byte tail is polar_xor_tail here). Here
 * they are composed into the stages both decoders run: f (minsum vectorised, the exact f through
 * ref's libm expf/log1pf per element, which vectorising would change) and g. Every vector lane does
 * exactly ref's float operations, so decisions are bit-identical to ref.
 */
#ifndef REFAST_FAST_POLAR_STAGES_H
#define REFAST_FAST_POLAR_STAGES_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refast/decoders.h"

static inline void polar_vf_minsum(const float *L, size_t h, float *out);
static inline void polar_vf_minsum_small(const float *L, size_t h, float *out);
static inline void polar_vg(const float *L, const uint8_t *x, size_t h, float *out);
static inline void polar_vg_small(const float *L, const uint8_t *x, size_t h, float *out);

/* w[j] = a[j] ^ v[j] for j in [i, len), len - i < 16: one 8- and one 4-byte word, then bytes. */
static inline void polar_xor_tail(uint8_t *w, const uint8_t *a, const uint8_t *v, size_t i, size_t len)
{
    if (len - i >= 8) {
        uint64_t p, q;
        memcpy(&p, a + i, 8);
        memcpy(&q, v + i, 8);
        p ^= q;
        memcpy(w + i, &p, 8);
        i += 8;
    }
    if (len - i >= 4) {
        uint32_t p, q;
        memcpy(&p, a + i, 4);
        memcpy(&q, v + i, 4);
        p ^= q;
        memcpy(w + i, &p, 4);
        i += 4;
    }
    for (; i < len; i++) w[i] = a[i] ^ v[i];
}

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
    } else if (h >= 4) {
        polar_vf_minsum(L, h, out);
    } else {
        polar_vf_minsum_small(L, h, out);
    }
}

/* out[i] = x[i] ? L[i + h] - L[i] : L[i + h] + L[i]. */
static inline void stage_g(const float *L, const uint8_t *x, size_t h, float *out)
{
    if (h >= 4) polar_vg(L, x, h, out);
    else polar_vg_small(L, x, h, out);
}

#endif
