/* The pMoE kernels at a vector level (refast/pmoe.h), mirroring ref/pmoe_route_tmpl.h (pmoe_route,
 * pmoe_route_bwd) and ref/pmoe_expert_tmpl.h (pmoe_expert_fwd, pmoe_expert_bwd), in float and
 * double over the level's fast/<isa>/simd.h. These four are the time of a training step (every
 * other pMoE kernel touches O(B k n) values, these O(B k l h d)).
 *
 * The trick: each is a small GEMM in disguise, run by the two register-blocked micro-kernels of
 * fast/generic/pmoe_gemm_tmpl.h over lists of patch pointers, so the top-l selection is a gather of
 * pointers, never a copy:
 * - route:      g = X W^T per sample, X its n patches, W the k routers (pm_dots);
 * - expert_fwd: z = X_s W_s^T per (sample, expert), X_s the l selected patches, W_s the expert's h
 *               neurons (pm_dots); c and f are then O(B k l h) scalar work in ref's order;
 * - expert_bwd: dW_s = C_s^T X_s over every (sample, slot) of expert s, C_s[slot][r] = (q_b G) a_rs
 *               where z > 0 and 0 elsewhere (pm_accum);
 * - route_bwd:  dw = dg^T X over every (sample, patch) (pm_accum).
 * Differences from ref: the sums are blocked (FMA lane partial sums, then a horizontal sum), within
 * the bound of refast/pmoe.h. expert_bwd adds 0 x for a neuron whose z <= 0 where ref skips the
 * term: the same value for every finite x (the only inputs lib/pmoe/ lets through); a non-finite
 * pixel there would make NaN where ref has a number. No memory is allocated: coefficients and
 * pointer lists live in fixed stack blocks (PM_CHUNK slots at a time).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "refast/pmoe.h"
#include "simd.h"

#define PM_CHUNK 64   /* patch pointers per pass */
#define PM_COEF 2048  /* coefficients per pass: PM_CHUNK slots x up to 32 rows */
#define PM_ROWS 32    /* output rows per pass of pm_accum */

#define T float
#define V vf
#define VL VF_LANES
#define VOP(op) vf_##op
#define PMT_SFX _f32
#include "pmoe_gemm_tmpl.h"
#undef T
#undef V
#undef VL
#undef VOP
#undef PMT_SFX

#define T double
#define V vd
#define VL VD_LANES
#define VOP(op) vd_##op
#define PMT_SFX _f64
#include "pmoe_gemm_tmpl.h"
#undef T
#undef V
#undef VL
#undef VOP
#undef PMT_SFX

/* The exported kernels, once per element type (T, SFX, and the micro-kernels' suffix). */
#define PM_KERNELS(T, SFX)                                                                                         \
    static T relu_##SFX(T z) { return z != z ? z : (z > 0 ? z : 0); }                                             \
                                                                                                                   \
    void RF_LEVEL_FN(pmoe_route_##SFX)(const T *x, size_t B, size_t n, size_t d, const T *w, size_t k, T *g)      \
    {                                                                                                              \
        const T *ws[PM_CHUNK], *xs[PM_CHUNK];                                                                      \
        for (size_t b = 0; b < B; b++)                                                                             \
            for (size_t s0 = 0; s0 < k; s0 += PM_CHUNK) {                                                          \
                const size_t ns = k - s0 < PM_CHUNK ? k - s0 : PM_CHUNK;                                           \
                for (size_t s = 0; s < ns; s++) ws[s] = w + (s0 + s) * d;                                          \
                for (size_t j0 = 0; j0 < n; j0 += PM_CHUNK) {                                                      \
                    const size_t nj = n - j0 < PM_CHUNK ? n - j0 : PM_CHUNK;                                       \
                    for (size_t j = 0; j < nj; j++) xs[j] = x + (b * n + j0 + j) * d;                              \
                    pm_dots__##SFX(xs, nj, ws, ns, d, g + (b * k + s0) * n + j0, 1, n);                            \
                }                                                                                                  \
            }                                                                                                      \
    }                                                                                                              \
                                                                                                                   \
    void RF_LEVEL_FN(pmoe_expert_fwd_##SFX)(const T *x, size_t B, size_t n, size_t d, const int32_t *idx,          \
                                            const T *G, size_t k, size_t l, const T *W, const T *a, size_t h,      \
                                            T scale, T *z, T *c, T *f)                                             \
    {                                                                                                              \
        const int valid = l <= n && (idx || l == n);                                                               \
        const T *ws[PM_CHUNK], *xs[PM_CHUNK];                                                                      \
        T zbuf[PM_CHUNK * PM_CHUNK];                                                                               \
        for (size_t b = 0; b < B; b++) {                                                                           \
            if (!valid) {                                                                                          \
                f[b] = (T)NAN;                                                                                     \
                continue;                                                                                          \
            }                                                                                                      \
            T acc = 0;                                                                                             \
            for (size_t s = 0; s < k; s++)                                                                         \
                for (size_t t0 = 0; t0 < l; t0 += PM_CHUNK) {                                                      \
                    const size_t nt = l - t0 < PM_CHUNK ? l - t0 : PM_CHUNK;                                       \
                    for (size_t t = 0; t < nt; t++) {                                                              \
                        const size_t slot = (b * k + s) * l + t0 + t;                                              \
                        xs[t] = x + (b * n + (idx ? (size_t)idx[slot] : t0 + t)) * d;                              \
                    }                                                                                              \
                    /* c needs every neuron of a slot in order: z of PM_CHUNK neurons at a time into zbuf */       \
                    T cpart[PM_CHUNK];                                                                             \
                    for (size_t t = 0; t < nt; t++) cpart[t] = 0;                                                  \
                    for (size_t r0 = 0; r0 < h; r0 += PM_CHUNK) {                                                  \
                        const size_t nr = h - r0 < PM_CHUNK ? h - r0 : PM_CHUNK;                                   \
                        for (size_t r = 0; r < nr; r++) ws[r] = W + (s * h + r0 + r) * d;                          \
                        pm_dots__##SFX(xs, nt, ws, nr, d, zbuf, nr, 1);                                            \
                        for (size_t t = 0; t < nt; t++) {                                                          \
                            const size_t slot = (b * k + s) * l + t0 + t;                                          \
                            for (size_t r = 0; r < nr; r++) {                                                      \
                                const T zr = zbuf[t * nr + r];                                                     \
                                if (z) z[slot * h + r0 + r] = zr;                                                  \
                                cpart[t] += a[s * h + r0 + r] * relu_##SFX(zr);                                    \
                            }                                                                                      \
                        }                                                                                          \
                    }                                                                                              \
                    for (size_t t = 0; t < nt; t++) {                                                              \
                        const size_t slot = (b * k + s) * l + t0 + t;                                              \
                        if (c) c[slot] = cpart[t];                                                                 \
                        acc += (G ? G[slot] : 1) * cpart[t];                                                       \
                    }                                                                                              \
                }                                                                                                  \
            f[b] = scale * acc;                                                                                    \
        }                                                                                                          \
    }                                                                                                              \
                                                                                                                   \
    void RF_LEVEL_FN(pmoe_expert_bwd_##SFX)(const T *x, size_t B, size_t n, size_t d, const int32_t *idx,          \
                                            const T *G, size_t k, size_t l, const T *a, size_t h, T scale,         \
                                            const T *z, const T *c, const T *dldf, T *dW, T *dG)                   \
    {                                                                                                              \
        const int valid = l <= n && (idx || l == n);                                                               \
        for (size_t i = 0; i < k * h * d; i++) dW[i] = valid ? 0 : (T)NAN;                                        \
        if (!valid) return;                                                                                        \
        if (dG)                                                                                                    \
            for (size_t b = 0; b < B; b++) {                                                                       \
                const T q = dldf[b] * scale;                                                                       \
                for (size_t i = 0; i < k * l; i++) dG[b * k * l + i] = q * c[b * k * l + i];                       \
            }                                                                                                      \
        const T *xs[PM_CHUNK];                                                                                     \
        T coef[PM_COEF];                                                                                           \
        for (size_t s = 0; s < k; s++)                                                                             \
            for (size_t r0 = 0; r0 < h; r0 += PM_ROWS) {                                                           \
                const size_t nr = h - r0 < PM_ROWS ? h - r0 : PM_ROWS;                                             \
                size_t ns = 0;                                                                                     \
                for (size_t b = 0; b < B; b++) {                                                                   \
                    const T q = dldf[b] * scale;                                                                   \
                    for (size_t t = 0; t < l; t++) {                                                               \
                        const size_t slot = (b * k + s) * l + t;                                                   \
                        const T qg = q * (G ? G[slot] : 1);                                                        \
                        int any = 0;                                                                               \
                        for (size_t r = 0; r < nr; r++) {                                                          \
                            const int on = z[slot * h + r0 + r] > 0; /* relu'(z) = 0 for z <= 0 and NaN */         \
                            coef[ns * nr + r] = on ? qg * a[s * h + r0 + r] : 0;                                   \
                            any |= on;                                                                             \
                        }                                                                                          \
                        if (!any) continue; /* a slot no neuron of the block sees adds nothing */                  \
                        xs[ns++] = x + (b * n + (idx ? (size_t)idx[slot] : t)) * d;                                \
                        if (ns == PM_CHUNK) {                                                                      \
                            pm_accum__##SFX(xs, coef, ns, nr, d, dW + (s * h + r0) * d);                           \
                            ns = 0;                                                                                \
                        }                                                                                          \
                    }                                                                                              \
                }                                                                                                  \
                if (ns) pm_accum__##SFX(xs, coef, ns, nr, d, dW + (s * h + r0) * d);                               \
            }                                                                                                      \
    }                                                                                                              \
                                                                                                                   \
    void RF_LEVEL_FN(pmoe_route_bwd_##SFX)(const T *x, size_t B, size_t n, size_t d, const T *dg, size_t k, T *dw) \
    {                                                                                                              \
        for (size_t i = 0; i < k * d; i++) dw[i] = 0;                                                              \
        const T *xs[PM_CHUNK];                                                                                     \
        T coef[PM_COEF];                                                                                           \
        for (size_t s0 = 0; s0 < k; s0 += PM_ROWS) {                                                               \
            const size_t nr = k - s0 < PM_ROWS ? k - s0 : PM_ROWS;                                                 \
            size_t ns = 0;                                                                                         \
            for (size_t b = 0; b < B; b++)                                                                         \
                for (size_t j = 0; j < n; j++) {                                                                   \
                    for (size_t r = 0; r < nr; r++) coef[ns * nr + r] = dg[(b * k + s0 + r) * n + j];              \
                    xs[ns++] = x + (b * n + j) * d;                                                                \
                    if (ns == PM_CHUNK) {                                                                          \
                        pm_accum__##SFX(xs, coef, ns, nr, d, dw + s0 * d);                                         \
                        ns = 0;                                                                                    \
                    }                                                                                              \
                }                                                                                                  \
            if (ns) pm_accum__##SFX(xs, coef, ns, nr, d, dw + s0 * d);                                             \
        }                                                                                                          \
    }

PM_KERNELS(float, f32)
PM_KERNELS(double, f64)
