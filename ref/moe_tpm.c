/* Robust tensor power method with deflation, scalar reference (refast/moe_decomp.h); the
 * decomposer of seed 001 Algorithm 1 step 3.
 *
 * Anandkumar, Ge, Hsu, Kakade, Telgarsky, "Tensor decompositions for learning latent variable
 * models", JMLR 15 (2014), Algorithm 1, written here from its definition: for a symmetric
 * W = sum_j mu_j u_j^{(x)3} with orthonormal u_j, for each of the k components
 *   - for each of L random starts u (uniform on the sphere: a normalised Philox gaussian vector),
 *     N power iterations u <- W(I, u, u) / ||W(I, u, u)||;
 *   - keep the start with the largest W(u, u, u) (first start on ties);
 *   - N more iterations from it; mu = W(u, u, u);
 *   - deflate W <- W - mu u^{(x)3}.
 * The map is invariant under u -> -u, so the iteration settles on the sign for which
 * W(u, u, u) > 0: the mu returned are non-negative up to rounding. A zero W(I, u, u) (the tensor
 * already deflated to zero) leaves u where it is, and its mu is 0.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe_decomp_common.h"
#include "refast/moe_decomp.h"

/* N iterations of the power map on w from u (in place); tmp holds k doubles. */
static void power_iterations(const double *w, size_t k, unsigned iters, double *u, double *tmp)
{
    for (unsigned it = 0; it < iters; it++) {
        rf_dc_apply_iuu(w, k, u, tmp);
        const double norm = rf_dc_norm(tmp, k);
        if (!(norm > 0.0)) return;
        for (size_t a = 0; a < k; a++) u[a] = tmp[a] / norm;
    }
}

int RF_REF(moe_tpm_f64)(const double *t, size_t k, const rf_moe_tpm_opts *o, double *mu, double *U)
{
    if (k == 0 || k > RF_MOE_DECOMP_MAX_D || !o || o->starts == 0 || o->iters == 0) return -1;
    const size_t size = rf_dc_size3(k);
    for (size_t i = 0; i < size; i++)
        if (!isfinite(t[i])) return -1;
    double *w = malloc(size * sizeof *w);
    double *u = malloc(k * sizeof *u), *best = malloc(k * sizeof *best);
    double *tmp = malloc(k * sizeof *tmp);
    if (!w || !u || !best || !tmp) {
        free(w);
        free(u);
        free(best);
        free(tmp);
        return -1;
    }
    memcpy(w, t, size * sizeof *w);

    for (size_t j = 0; j < k; j++) {
        double best_value = -INFINITY;
        for (unsigned l = 0; l < o->starts; l++) {
            const uint64_t stream = (uint64_t)j * o->starts + l;
            for (size_t a = 0; a < k; a++) u[a] = rf_dc_gauss(o->seed, stream, a);
            const double norm = rf_dc_norm(u, k);
            for (size_t a = 0; a < k; a++) u[a] /= norm;
            power_iterations(w, k, o->iters, u, tmp);
            const double value = rf_dc_apply_uuu(w, k, u, tmp);
            if (value > best_value || l == 0) {
                best_value = value;
                memcpy(best, u, k * sizeof *u);
            }
        }
        power_iterations(w, k, o->iters, best, tmp);
        mu[j] = rf_dc_apply_uuu(w, k, best, tmp);
        memcpy(U + j * k, best, k * sizeof *best);
        rf_dc_deflate(w, k, mu[j], best);
    }
    free(w);
    free(u);
    free(best);
    free(tmp);
    return 0;
}
