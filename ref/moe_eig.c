/* Top-k eigenpairs of a symmetric matrix by the cyclic Jacobi method, scalar reference
 * (refast/moe_decomp.h). Used to whiten T2 in seed 001 Algorithm 1 step 3.
 *
 * Cyclic Jacobi (Jacobi 1846; the form of Golub & Van Loan, "Matrix Computations", §8.5): sweep
 * over the pairs p < q in row order; each pair with a non-negligible a_pq is annihilated by the
 * rotation J(p, q, theta), A <- J^T A J, V <- V J, with
 *   tau = (a_qq - a_pp) / (2 a_pq),  t = sign(tau) / (|tau| + sqrt(1 + tau^2)) (the smaller root
 *   of t^2 + 2 tau t - 1 = 0, |t| <= 1),  c = 1 / sqrt(1 + t^2),  s = t c,
 *   a_pp <- a_pp - t a_pq,  a_qq <- a_qq + t a_pq,  a_pq <- 0,
 *   columns p, q of A (and rows, by symmetry) and of V: x_p <- c x_p - s x_q, x_q <- s x_p + c x_q.
 * A pair is negligible when |a_pq| <= 2^-60 ||A||_F: its rotation would move an eigenvalue by
 * less than 2^-120 ||A||_F^2 / gap and an eigenvector by less than 2^-60 ||A||_F / gap, far below
 * the u ||A|| / gap that rounding already costs. Sweeps end when one performs no rotation
 * (convergence is quadratic: about 6-10 sweeps); more than 100 sweeps is reported as a failure.
 */
#include <math.h>
#include <stdlib.h>

#include "moe_decomp_common.h"
#include "refast/moe_decomp.h"

#define JACOBI_MAX_SWEEPS 100

/* Diagonalises the full symmetric d x d matrix a in place (its diagonal becomes the eigenvalues)
 * and accumulates the rotations in v (initially I). Returns 0, or -1 without convergence. */
static int jacobi_cyclic(double *a, double *v, size_t d)
{
    double fro2 = 0.0;
    for (size_t i = 0; i < d * d; i++) fro2 += a[i] * a[i];
    const double negligible = 0x1p-60 * sqrt(fro2);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) v[i * d + j] = i == j ? 1.0 : 0.0;

    for (int sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
        size_t rotations = 0;
        for (size_t p = 0; p + 1 < d; p++) {
            for (size_t q = p + 1; q < d; q++) {
                const double apq = a[p * d + q];
                if (fabs(apq) <= negligible) continue;
                rotations++;
                const double tau = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                double t;
                if (fabs(tau) > 1e150) t = 0.5 / tau; /* 1 + tau^2 would overflow */
                else t = (tau >= 0 ? 1.0 : -1.0) / (fabs(tau) + sqrt(1.0 + tau * tau));
                const double c = 1.0 / sqrt(1.0 + t * t), s = t * c;

                a[p * d + p] -= t * apq;
                a[q * d + q] += t * apq;
                a[p * d + q] = 0.0;
                a[q * d + p] = 0.0;
                for (size_t r = 0; r < d; r++) {
                    if (r == p || r == q) continue;
                    const double arp = a[r * d + p], arq = a[r * d + q];
                    a[r * d + p] = a[p * d + r] = c * arp - s * arq;
                    a[r * d + q] = a[q * d + r] = s * arp + c * arq;
                }
                for (size_t r = 0; r < d; r++) {
                    const double vrp = v[r * d + p], vrq = v[r * d + q];
                    v[r * d + p] = c * vrp - s * vrq;
                    v[r * d + q] = s * vrp + c * vrq;
                }
            }
        }
        if (rotations == 0) return 0;
    }
    return -1;
}

int RF_REF(moe_eig_topk_f64)(const double *t2, size_t d, size_t k, double *lambda, double *V)
{
    if (d == 0 || k == 0 || k > d || d > RF_MOE_DECOMP_MAX_D) return -1;
    for (size_t i = 0; i < d * (d + 1) / 2; i++)
        if (!isfinite(t2[i])) return -1;
    double *a = malloc(d * d * sizeof *a);
    double *v = malloc(d * d * sizeof *v);
    double *ev = malloc(d * sizeof *ev);
    size_t *order = malloc(d * sizeof *order);
    int rc = -1;
    if (a && v && ev && order) {
        for (size_t i = 0; i < d; i++)
            for (size_t j = i; j < d; j++) a[i * d + j] = a[j * d + i] = t2[rf_dc_idx2(d, i, j)];
        if (jacobi_cyclic(a, v, d) == 0) {
            for (size_t i = 0; i < d; i++) ev[i] = a[i * d + i];
            rf_dc_topk(ev, v, d, d, k, order, lambda, V);
            rc = 0;
        }
    }
    free(a);
    free(v);
    free(ev);
    free(order);
    return rc;
}
