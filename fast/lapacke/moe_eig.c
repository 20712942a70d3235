/* Top-k eigenpairs for the whitening of T2 through LAPACKE dsyevd (divide and conquer), the
 * implementation of moe_eig_topk_f64 at every fast level (avx2, avx512, neon): the solver is
 * OpenBLAS/LAPACK's own, compiled for the baseline and dispatching its BLAS internally, so one
 * build serves every level. Mirrors ref/moe_eig.c (cyclic Jacobi): same selection by |eigenvalue|
 * and the same sign convention (refast/moe_decomp.h), shared through ref/moe_decomp_common.h.
 */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "moe_decomp_common.h"
#include "refast/moe_decomp.h"

int moe_eig_topk_f64_lapacke(const double *t2, size_t d, size_t k, double *lambda, double *V)
{
    if (d == 0 || k == 0 || k > d || d > RF_MOE_DECOMP_MAX_D) return -1;
    for (size_t i = 0; i < d * (d + 1) / 2; i++)
        if (!isfinite(t2[i])) return -1;
    double *a = malloc(d * d * sizeof *a);
    double *w = malloc(d * sizeof *w);
    size_t *order = malloc(d * sizeof *order);
    int rc = -1;
    if (a && w && order) {
        for (size_t i = 0; i < d; i++)
            for (size_t j = i; j < d; j++) a[i * d + j] = a[j * d + i] = t2[rf_dc_idx2(d, i, j)];
        const lapack_int n = (lapack_int)d;
        /* row-major: on exit column j of a is the eigenvector of w[j] (ascending order) */
        if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', n, a, n, w) == 0) {
            rf_dc_topk(w, a, d, d, k, order, lambda, V);
            rc = 0;
        }
    }
    free(a);
    free(w);
    free(order);
    return rc;
}
