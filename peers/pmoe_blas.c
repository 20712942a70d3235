/* The `openblas` peers of the GEMM-shaped pMoE kernels (refast/pmoe.h): the same products through
 * single-threaded OpenBLAS (per-core rates compare with the levels), the scalar glue in plain C in
 * ref's order.
 *
 * route:      per sample, g_b (k x n) = W (k x d) X_b^T (X_b the n patches, n x d): one gemm.
 * route_bwd:  dw (k x d) = sum_b dg_b (k x n) X_b (n x d): one gemm per sample, beta = 1.
 * expert_fwd: the selected patches are not equally spaced, so per selected slot one gemv
 *             z_slot (h) = W_s (h x d) x_j; without a selection (the CNN) per sample one gemm
 *             Z_b (n x h) = X_b (n x d) W^T. c and f as ref.
 * expert_bwd: per slot one rank-1 update dW_s += coef x_j^T (ger), coef_r = (q G) a_rs where z > 0
 *             and 0 elsewhere (adding 0 x where ref skips: equal for finite x, as the fast level);
 *             without a selection (the CNN) per sample one gemm dW += C_b^T X_b, C_b (n x h) the
 *             coefficients in a stack block of PB_COEF values (when n h > PB_COEF, rank-1 updates).
 *             dG = q c as ref.
 */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "refast/pmoe.h"

void openblas_set_num_threads(int num_threads);

#define PB_COEF 4096

#define PB_KERNELS(T, SFX, GEMM, GEMV, GER)                                                                        \
    static T pb_relu_##SFX(T z) { return z != z ? z : (z > 0 ? z : 0); }                                          \
                                                                                                                   \
    void pmoe_route_##SFX##_openblas(const T *x, size_t B, size_t n, size_t d, const T *w, size_t k, T *g)        \
    {                                                                                                              \
        openblas_set_num_threads(1);                                                                               \
        if (d == 0) {                                                                                              \
            memset(g, 0, B * k * n * sizeof *g);                                                                   \
            return;                                                                                                \
        }                                                                                                          \
        for (size_t b = 0; b < B; b++)                                                                             \
            GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)k, (int)n, (int)d, 1, w, (int)d, x + b * n * d,    \
                 (int)d, 0, g + b * k * n, (int)n);                                                                \
    }                                                                                                              \
                                                                                                                   \
    void pmoe_route_bwd_##SFX##_openblas(const T *x, size_t B, size_t n, size_t d, const T *dg, size_t k, T *dw)  \
    {                                                                                                              \
        openblas_set_num_threads(1);                                                                               \
        memset(dw, 0, k * d * sizeof *dw);                                                                         \
        if (d == 0 || n == 0) return;                                                                              \
        for (size_t b = 0; b < B; b++)                                                                             \
            GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)d, (int)n, 1, dg + b * k * n, (int)n,    \
                 x + b * n * d, (int)d, 1, dw, (int)d);                                                            \
    }                                                                                                              \
                                                                                                                   \
    void pmoe_expert_fwd_##SFX##_openblas(const T *x, size_t B, size_t n, size_t d, const int32_t *idx,            \
                                          const T *G, size_t k, size_t l, const T *W, const T *a, size_t h,        \
                                          T scale, T *z, T *c, T *f)                                               \
    {                                                                                                              \
        openblas_set_num_threads(1);                                                                               \
        const int valid = l <= n && (idx || l == n);                                                               \
        T zs[PB_COEF];                                                                                             \
        for (size_t b = 0; b < B; b++) {                                                                           \
            if (!valid) {                                                                                          \
                f[b] = (T)NAN;                                                                                     \
                continue;                                                                                          \
            }                                                                                                      \
            T acc = 0;                                                                                             \
            for (size_t s = 0; s < k; s++)                                                                         \
                for (size_t t = 0; t < l; t++) {                                                                   \
                    const size_t slot = (b * k + s) * l + t;                                                       \
                    T *zt = z ? z + slot * h : zs;                                                                 \
                    T cj = 0;                                                                                      \
                    if (!z && h > PB_COEF) { /* no room for z: one neuron at a time */                             \
                        for (size_t r = 0; r < h; r++) {                                                           \
                            const T *xj = x + (b * n + (idx ? (size_t)idx[slot] : t)) * d;                         \
                            T zr = 0;                                                                              \
                            for (size_t p = 0; p < d; p++) zr += W[(s * h + r) * d + p] * xj[p];                   \
                            cj += a[s * h + r] * pb_relu_##SFX(zr);                                                \
                        }                                                                                          \
                    } else {                                                                                       \
                        const T *xj = x + (b * n + (idx ? (size_t)idx[slot] : t)) * d;                             \
                        if (d) GEMV(CblasRowMajor, CblasNoTrans, (int)h, (int)d, 1, W + s * h * d, (int)d, xj, 1,  \
                                    0, zt, 1);                                                                     \
                        else memset(zt, 0, h * sizeof *zt);                                                        \
                        for (size_t r = 0; r < h; r++) cj += a[s * h + r] * pb_relu_##SFX(zt[r]);                  \
                    }                                                                                              \
                    if (c) c[slot] = cj;                                                                           \
                    acc += (G ? G[slot] : 1) * cj;                                                                 \
                }                                                                                                  \
            f[b] = scale * acc;                                                                                    \
        }                                                                                                          \
    }                                                                                                              \
                                                                                                                   \
    void pmoe_expert_bwd_##SFX##_openblas(const T *x, size_t B, size_t n, size_t d, const int32_t *idx,            \
                                          const T *G, size_t k, size_t l, const T *a, size_t h, T scale,           \
                                          const T *z, const T *c, const T *dldf, T *dW, T *dG)                     \
    {                                                                                                              \
        openblas_set_num_threads(1);                                                                               \
        const int valid = l <= n && (idx || l == n);                                                               \
        for (size_t i = 0; i < k * h * d; i++) dW[i] = valid ? 0 : (T)NAN;                                        \
        if (!valid) return;                                                                                        \
        T coef[PB_COEF];                                                                                           \
        const int block = !idx && l * h <= PB_COEF && d > 0; /* the CNN: one gemm per sample */                   \
        for (size_t b = 0; b < B; b++) {                                                                           \
            const T q = dldf[b] * scale;                                                                           \
            for (size_t s = 0; s < k; s++) {                                                                       \
                for (size_t t = 0; t < l; t++) {                                                                   \
                    const size_t slot = (b * k + s) * l + t;                                                       \
                    const T qg = q * (G ? G[slot] : 1);                                                            \
                    if (dG) dG[slot] = q * c[slot];                                                                \
                    if (block) {                                                                                   \
                        for (size_t r = 0; r < h; r++)                                                             \
                            coef[t * h + r] = z[slot * h + r] > 0 ? qg * a[s * h + r] : 0;                         \
                        continue;                                                                                  \
                    }                                                                                              \
                    const T *xj = x + (b * n + (idx ? (size_t)idx[slot] : t)) * d;                                 \
                    for (size_t r0 = 0; r0 < h && d; r0 += PB_COEF) { /* rank-1 updates of PB_COEF rows */          \
                        const size_t nr = h - r0 < PB_COEF ? h - r0 : PB_COEF;                                     \
                        for (size_t r = 0; r < nr; r++)                                                            \
                            coef[r] = z[slot * h + r0 + r] > 0 ? qg * a[s * h + r0 + r] : 0;                       \
                        GER(CblasRowMajor, (int)nr, (int)d, 1, coef, 1, xj, 1, dW + (s * h + r0) * d, (int)d);     \
                    }                                                                                              \
                }                                                                                                  \
                if (block)                                                                                         \
                    GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)h, (int)d, (int)l, 1, coef, (int)h,         \
                         x + b * n * d, (int)d, 1, dW + s * h * d, (int)d);                                        \
            }                                                                                                      \
        }                                                                                                          \
    }

PB_KERNELS(float, f32, cblas_sgemm, cblas_sgemv, cblas_sger)
PB_KERNELS(double, f64, cblas_dgemm, cblas_dgemv, cblas_dger)
