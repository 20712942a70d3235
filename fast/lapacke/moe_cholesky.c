/* Cholesky factorisation and solve through LAPACKE (refast/moe_gating.h): dpotrf on the lower
 * triangle of the row-major matrix, dpotrs with one right-hand side; the implementation of
 * moe_cholesky_f64 / moe_chol_solve_f64 at every vector level (ref/moe_cholesky.c is scalar's). */
#include <lapacke.h>

#include "refast/moe_gating.h"

int moe_cholesky_f64_lapacke(double *A, size_t m)
{
    if (!A && m) return -1;
    if (m == 0) return 0;
    if (m > (size_t)1 << 30) return -1;
    const lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, A, (lapack_int)m);
    if (info < 0) return -1;
    if (info > 0) return (int)info;
    for (size_t j = 0; j < m; j++) /* a NaN that dpotrf let through */
        if (!(A[j * m + j] > 0)) return (int)(j + 1);
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++) A[i * m + j] = 0.0;
    return 0;
}

void moe_chol_solve_f64_lapacke(const double *L, size_t m, double *b)
{
    if (m == 0) return;
    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, 1, L, (lapack_int)m, b, 1);
}
