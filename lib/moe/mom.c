/* Method of moments for the gating parameter of a 2-MoE (seed 001 Theorem 3, refast/moe_pipeline.h):
 * Ratio(x, y) = (y - g(<a_2,x>)) / (g(<a_1,x>) - g(<a_2,x>)) and w ∝ -E[1{Ratio <= 1/2} x]. */
#include <math.h>
#include <string.h>

#include "moe/pipeline.h"

void rf_mp_mom_init(rf_mp_mom *m, unsigned d)
{
    memset(m, 0, sizeof *m);
    m->d = d;
}

void rf_mp_mom_add(rf_mp_mom *m, const double *x, const double *y, size_t n, const double *A, rf_moe_g g)
{
    const unsigned d = m->d;
    const double *a1 = A, *a2 = A + d;
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        double z1 = 0, z2 = 0;
        for (unsigned t = 0; t < d; t++) z1 += a1[t] * xi[t], z2 += a2[t] * xi[t];
        const double g1 = rf_moe_g_eval(g, z1), g2 = rf_moe_g_eval(g, z2);
        const double den = g1 - g2;
        if (den == 0 || !isfinite(den)) continue;
        const double ratio = (y[i] - g2) / den;
        m->n++;
        for (unsigned t = 0; t < d; t++) m->xsum[t] += xi[t];
        if (ratio <= 0.5) {
            m->nind++;
            for (unsigned t = 0; t < d; t++) m->sum[t] += xi[t];
        }
    }
}

bool rf_mp_mom_finish(const rf_mp_mom *m, double R, double *w)
{
    double s = 0, v[RF_MOE_MAX_D];
    if (m->n == 0) return false;
    /* the centred moment: the covariance of the indicator with x */
    const double pind = (double)m->nind / (double)m->n;
    for (unsigned t = 0; t < m->d; t++) {
        v[t] = (m->sum[t] - pind * m->xsum[t]) / (double)m->n;
        s += v[t] * v[t];
    }
    s = sqrt(s);
    if (!(s > 0) || !isfinite(s)) return false;
    /* 1{Ratio <= 1/2} ~ 1{z = 2}: E[(1 - sigmoid(<w*,x>)) x] = -E[sigmoid'] w*, hence the sign */
    for (unsigned t = 0; t < m->d; t++) w[t] = -R * v[t] / s;
    return true;
}
