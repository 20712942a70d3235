/* Small helpers shared by the decomposition sources (ref/moe_eig.c, ref/moe_tpm.c,
 * ref/moe_orth_als.c, kernels/moe_eig_lapacke.c, kernels/moe_decomp.c): packed symmetric
 * indexing (the layout of refast/moe_moments.h, restated here so that this family does not
 * depend on the moments sources), contractions of a packed k x k x k tensor, the Philox gaussian
 * starts of refast/moe_decomp.h, and the eigenpair order and sign convention.
 * Everything is static inline and written for clarity: these are O(k^3) operations on k <= 256.
 */
#ifndef REFAST_REF_MOE_DECOMP_COMMON_H
#define REFAST_REF_MOE_DECOMP_COMMON_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/rng.h"

/* Packed offset of (b <= c) in a symmetric n x n matrix: rows b' < b hold n - b' entries each. */
static inline size_t rf_dc_idx2(size_t n, size_t b, size_t c)
{
    return b * n - b * (b - 1) / 2 + (c - b);
}

/* Number of packed entries of a symmetric n x n x n tensor: C(n+2, 3). */
static inline size_t rf_dc_size3(size_t n)
{
    return n * (n + 1) * (n + 2) / 6;
}

/* Packed offset of (a <= b <= c): the slabs a' < a hold C(d-a'+1, 2) entries, i.e. all of
 * size3(d) except size3(d-a); inside slab a the pairs (b, c) index a packed (d-a) matrix. */
static inline size_t rf_dc_idx3(size_t d, size_t a, size_t b, size_t c)
{
    return rf_dc_size3(d) - rf_dc_size3(d - a) + rf_dc_idx2(d - a, b - a, c - a);
}

/* Entry T_abc of a packed symmetric tensor for any order of the indices. */
static inline double rf_dc_get3(const double *t, size_t d, size_t a, size_t b, size_t c)
{
    size_t x;
    if (a > b) { x = a; a = b; b = x; }
    if (b > c) { x = b; b = c; c = x; }
    if (a > b) { x = a; a = b; b = x; }
    return t[rf_dc_idx3(d, a, b, c)];
}

/* out_a = T(I, u, u)_a = sum_{b,c} T_abc u_b u_c (the tensor power map before normalisation). */
static inline void rf_dc_apply_iuu(const double *t, size_t k, const double *u, double *out)
{
    for (size_t a = 0; a < k; a++) {
        double s = 0.0;
        for (size_t b = 0; b < k; b++)
            for (size_t c = 0; c < k; c++) s += rf_dc_get3(t, k, a, b, c) * u[b] * u[c];
        out[a] = s;
    }
}

/* T(u, u, u) = sum_a u_a T(I, u, u)_a; scratch holds k doubles. */
static inline double rf_dc_apply_uuu(const double *t, size_t k, const double *u, double *scratch)
{
    rf_dc_apply_iuu(t, k, u, scratch);
    double s = 0.0;
    for (size_t a = 0; a < k; a++) s += u[a] * scratch[a];
    return s;
}

/* Deflation T <- T - mu u^{(x)3} on the packed entries. */
static inline void rf_dc_deflate(double *t, size_t k, double mu, const double *u)
{
    for (size_t a = 0; a < k; a++)
        for (size_t b = a; b < k; b++)
            for (size_t c = b; c < k; c++) t[rf_dc_idx3(k, a, b, c)] -= mu * u[a] * u[b] * u[c];
}

static inline double rf_dc_norm(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += x[i] * x[i];
    return sqrt(s);
}

/* Word pos of Philox stream (seed, stream), refast/rng.h addressing. */
static inline uint32_t rf_dc_word(uint64_t seed, uint64_t stream, uint64_t pos)
{
    const uint64_t blk = pos / 4;
    const uint32_t ctr[4] = {(uint32_t)blk, (uint32_t)(blk >> 32), (uint32_t)stream,
                             (uint32_t)(stream >> 32)};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t out[4];
    rf_philox4x32_10(ctr, key, out);
    return out[pos % 4];
}

/* Gaussian i of stream (seed, stream): Box–Muller on words 2i, 2i+1 (refast/moe_decomp.h). */
static inline double rf_dc_gauss(uint64_t seed, uint64_t stream, uint64_t i)
{
    const double u1 = ((double)rf_dc_word(seed, stream, 2 * i) + 0.5) * 0x1p-32;
    const double u2 = (double)rf_dc_word(seed, stream, 2 * i + 1) * 0x1p-32;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925286766559 * u2);
}

/* Reorders the n eigenpairs (lambda[i], column i of the n-column row-major V with d rows) by
 * decreasing |lambda| (positive first on exact ties), keeps the first k in
 * lambda_out / V_out (d x k), and fixes each vector's sign so that its entry of largest magnitude
 * (first on ties) is positive. order is scratch of n size_t. Selection sort: n <= 256. */
static inline void rf_dc_topk(const double *lambda, const double *V, size_t d, size_t n, size_t k,
                              size_t *order, double *lambda_out, double *V_out)
{
    for (size_t i = 0; i < n; i++) order[i] = i;
    for (size_t i = 0; i < k; i++) {
        size_t best = i;
        for (size_t j = i + 1; j < n; j++) {
            const double a = fabs(lambda[order[j]]), b = fabs(lambda[order[best]]);
            if (a > b || (a == b && lambda[order[j]] > lambda[order[best]])) best = j;
        }
        const size_t tmp = order[i];
        order[i] = order[best];
        order[best] = tmp;
    }
    for (size_t j = 0; j < k; j++) {
        const size_t src = order[j];
        size_t imax = 0;
        for (size_t r = 1; r < d; r++)
            if (fabs(V[r * n + src]) > fabs(V[imax * n + src])) imax = r;
        const double sign = V[imax * n + src] < 0 ? -1.0 : 1.0;
        lambda_out[j] = lambda[src];
        for (size_t r = 0; r < d; r++) V_out[r * k + j] = sign * V[r * n + src];
    }
}

#endif
