/* Orthogonalised alternating least squares (Orth-ALS), scalar reference (refast/moe_decomp.h);
 * the decomposer the seed 001 experiments (§4) used.
 *
 * Sharan & Valiant, "Orthogonalized ALS: A Theoretically Principled Tensor Decomposition Algorithm
 * for Practical Use", ICML 2017, written here from its definition and specialised to a symmetric
 * tensor whose components are orthonormal after whitening:
 *   - k starting factors: the Gram–Schmidt orthonormalisation of a k x k Philox gaussian matrix;
 *   - each sweep: every factor u_j <- W(I, u_j, u_j) (the ALS update of one mode with the other
 *     two fixed to u_j, up to scale), then the factors are orthonormalised again by modified
 *     Gram–Schmidt in the order j = 0..k-1 (the QR step of Orth-ALS);
 *   - stop after `iters` sweeps, or earlier when max_j ||u_j(new) - u_j(old)|| < tol;
 *   - mu_j = W(u_j, u_j, u_j).
 * The update is invariant under u_j -> -u_j, so the factors settle on the sign with
 * W(u_j, u_j, u_j) > 0. A factor whose update vanishes after orthogonalisation (a tensor of rank
 * < k) keeps its previous direction, orthogonalised against the factors before it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe_decomp_common.h"
#include "refast/moe_decomp.h"

/* Orthogonalises row j of x (k x k) against rows 0..j-1 and normalises it. Returns its norm
 * after orthogonalisation (0 when it lies in their span). */
static double gram_schmidt_row(double *x, size_t k, size_t j)
{
    double *row = x + j * k;
    for (size_t i = 0; i < j; i++) {
        const double *q = x + i * k;
        double dot = 0.0;
        for (size_t a = 0; a < k; a++) dot += q[a] * row[a];
        for (size_t a = 0; a < k; a++) row[a] -= dot * q[a];
    }
    const double norm = rf_dc_norm(row, k);
    if (norm > 0.0)
        for (size_t a = 0; a < k; a++) row[a] /= norm;
    return norm;
}

int RF_REF(moe_orth_als_f64)(const double *t, size_t k, const rf_moe_als_opts *o, double *mu, double *U)
{
    if (k == 0 || k > RF_MOE_DECOMP_MAX_D || !o || o->iters == 0 || !(o->tol >= 0.0)) return -1;
    const size_t size = rf_dc_size3(k);
    for (size_t i = 0; i < size; i++)
        if (!isfinite(t[i])) return -1;
    double *next = malloc(k * k * sizeof *next), *tmp = malloc(k * sizeof *tmp);
    int rc = -1;
    if (!next || !tmp) goto done;

    for (size_t j = 0; j < k; j++) {
        for (size_t a = 0; a < k; a++) U[j * k + a] = rf_dc_gauss(o->seed, 0, j * k + a);
        if (!(gram_schmidt_row(U, k, j) > 0.0)) goto done;
    }
    for (unsigned sweep = 0; sweep < o->iters; sweep++) {
        for (size_t j = 0; j < k; j++) rf_dc_apply_iuu(t, k, U + j * k, next + j * k);
        double change = 0.0;
        for (size_t j = 0; j < k; j++) {
            if (!(gram_schmidt_row(next, k, j) > 0.0)) {
                memcpy(next + j * k, U + j * k, k * sizeof *next);
                if (!(gram_schmidt_row(next, k, j) > 0.0)) goto done;
            }
            double diff2 = 0.0;
            for (size_t a = 0; a < k; a++) {
                const double e = next[j * k + a] - U[j * k + a];
                diff2 += e * e;
            }
            if (sqrt(diff2) > change) change = sqrt(diff2);
        }
        memcpy(U, next, k * k * sizeof *U);
        if (change < o->tol) break;
    }
    for (size_t j = 0; j < k; j++) mu[j] = rf_dc_apply_uuu(t, k, U + j * k, tmp);
    rc = 0;
done:
    free(next);
    free(tmp);
    return rc;
}
