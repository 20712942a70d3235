/* Cholesky factorisation and solve, scalar reference (refast/moe_gating.h): the textbook
 * row-by-row (Cholesky–Banachiewicz) recurrence, in place on a row-major m x m matrix,
 *
 *   L_jj = sqrt(A_jj - sum_{p<j} L_jp^2),   L_ij = (A_ij - sum_{p<j} L_ip L_jp) / L_jj   (i > j),
 *
 * reading only the lower triangle. A pivot that is not > 0 (or NaN) stops the factorisation: the
 * matrix is not positive definite, and the 1-based index of that pivot is returned (LAPACK's info).
 * The solve of L L^T z = b: forward substitution L v = b, then back substitution L^T z = v.
 * The vector levels use LAPACKE (fast/lapacke/moe_cholesky.c).
 */
#include <math.h>
#include <stddef.h>

#include "refast/moe_gating.h"

int RF_REF(moe_cholesky_f64)(double *A, size_t m)
{
    if (!A && m) return -1;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j <= i; j++) {
            double s = A[i * m + j];
            for (size_t p = 0; p < j; p++) s -= A[i * m + p] * A[j * m + p];
            if (i == j) {
                if (!(s > 0)) return (int)(j + 1);
                A[i * m + i] = sqrt(s);
            } else {
                A[i * m + j] = s / A[j * m + j];
            }
        }
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++) A[i * m + j] = 0.0;
    return 0;
}

void RF_REF(moe_chol_solve_f64)(const double *L, size_t m, double *b)
{
    for (size_t i = 0; i < m; i++) { /* L v = b */
        double s = b[i];
        for (size_t p = 0; p < i; p++) s -= L[i * m + p] * b[p];
        b[i] = s / L[i * m + i];
    }
    for (size_t i = m; i-- > 0;) { /* L^T z = v */
        double s = b[i];
        for (size_t p = i + 1; p < m; p++) s -= L[p * m + i] * b[p];
        b[i] = s / L[i * m + i];
    }
}
