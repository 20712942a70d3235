/* Score tensors of a Gaussian mixture x ~ sum_c pi_c N(mu_c, I) (refast/moe_pipeline.h; seed 001 §4.1,
 * seed 000 eq. 10, Janzamin et al. 2014). p(x) = sum_c pi_c phi(x - mu_c) and
 * grad^m phi(u) = (-1)^m He_m(u) phi(u) (the Hermite tensors of refast/moe_moments.h), so
 *   S_m(x) = (-1)^m grad^m p / p = sum_c [pi_c phi(x - mu_c) / p(x)] He_m(x - mu_c) = sum_c r_c(x) He_m(x - mu_c).
 * T_m = (1/n) sum_i w_i S_m(x_i) is therefore a sum over components of Hermite moment sums of the
 * shifted inputs x_i - mu_c with weights w_i r_c(x_i): the existing streaming accumulator does the
 * work, one per component. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_moments.h"
#include "moe_sums.h"
#include "moe/pipeline.h"
#include "moe/tacc.h"

void rf_mp_gmm_resp(const rf_mp_gmm *g, const double *x, size_t n, double *r)
{
    const unsigned C = g->ncomp, d = g->d;
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        double l[RF_MP_GMM_MAX_C], mx = -INFINITY;
        for (unsigned c = 0; c < C; c++) {
            double q = 0;
            for (unsigned t = 0; t < d; t++) {
                const double e = xi[t] - g->mu[c][t];
                q += e * e;
            }
            l[c] = log(g->pi[c]) - 0.5 * q; /* the (2 pi)^{-d/2} is common and cancels */
            mx = fmax(mx, l[c]);
        }
        double s = 0;
        for (unsigned c = 0; c < C; c++) s += (l[c] = exp(l[c] - mx));
        for (unsigned c = 0; c < C; c++) r[i * C + c] = l[c] / s;
    }
}

int rf_mp_gmm_tacc_init(rf_mp_gmm_tacc *t, const rf_mp_gmm *g, unsigned order)
{
    memset(t, 0, sizeof *t);
    if (g->ncomp < 1 || g->ncomp > RF_MP_GMM_MAX_C || order < 2 || order > 4) return -1;
    t->gmm = *g;
    t->order = order;
    rf_moe_tacc *acc = calloc(g->ncomp, sizeof *acc);
    if (!acc) return -1;
    t->acc = acc;
    for (unsigned c = 0; c < g->ncomp; c++)
        if (rf_moe_tacc_init(&acc[c], order, g->d) != 0) {
            rf_mp_gmm_tacc_free(t);
            return -1;
        }
    return 0;
}

int rf_mp_gmm_tacc_add(rf_mp_gmm_tacc *t, const double *x, const double *w, size_t n)
{
    const unsigned C = t->gmm.ncomp, d = t->gmm.d;
    if (n > t->cap) {
        free(t->xs);
        free(t->ws);
        free(t->r);
        t->xs = malloc(n * d * sizeof *t->xs);
        t->ws = malloc(n * sizeof *t->ws);
        t->r = malloc(n * C * sizeof *t->r);
        t->cap = t->xs && t->ws && t->r ? n : 0;
        if (!t->cap) return -1;
    }
    rf_mp_gmm_resp(&t->gmm, x, n, t->r);
    rf_moe_tacc *acc = t->acc;
    for (unsigned c = 0; c < C; c++) {
        const double *mu = t->gmm.mu[c];
        for (size_t i = 0; i < n; i++) {
            for (unsigned a = 0; a < d; a++) t->xs[i * d + a] = x[i * d + a] - mu[a];
            t->ws[i] = w[i] * t->r[i * C + c];
        }
        rf_moe_tacc_add(&acc[c], t->xs, t->ws, n);
    }
    return 0;
}

void rf_mp_gmm_tacc_mean(const rf_mp_gmm_tacc *t, double *out)
{
    const rf_moe_tacc *acc = t->acc;
    const size_t size = acc[0].size;
    double *tmp = malloc(size * sizeof *tmp);
    if (!tmp) {
        rf_moe_fill_nan(out, size);
        return;
    }
    rf_moe_tacc_mean(&acc[0], out);
    for (unsigned c = 1; c < t->gmm.ncomp; c++) {
        rf_moe_tacc_mean(&acc[c], tmp);
        for (size_t e = 0; e < size; e++) out[e] += tmp[e];
    }
    free(tmp);
}

void rf_mp_gmm_tacc_free(rf_mp_gmm_tacc *t)
{
    rf_moe_tacc *acc = t->acc;
    if (acc)
        for (unsigned c = 0; c < t->gmm.ncomp; c++) rf_moe_tacc_free(&acc[c]);
    free(acc);
    free(t->xs);
    free(t->ws);
    free(t->r);
    memset(t, 0, sizeof *t);
}
