/* Oracles of the pMoE expert, loss and update kernels (oracle_pmoe.h): long double, compensated
 * sums, each output with its error scale S. Written from the seed's formulas, not from ref/. */
#include <math.h>

#include "oracle_moe_acc.h"
#include "oracle_pmoe.h"

typedef long double ld;

static ld relu(ld z)
{
    return isnan(z) ? z : fmaxl(z, 0);
}

static size_t slot_patch(const int32_t *idx, size_t b, size_t k, size_t l, size_t s, size_t t)
{
    return idx ? (size_t)idx[(b * k + s) * l + t] : t;
}

void ora_pmoe_expert_fwd(const double *x, size_t B, size_t n, size_t d, const int32_t *idx,
                         const double *G, size_t k, size_t l, const double *W, const double *a,
                         size_t h, double scale, long double *z, long double *z_scale, long double *c,
                         long double *c_scale, long double *f, long double *f_scale)
{
    for (size_t b = 0; b < B; b++) {
        ora_acc fb = ora_acc_zero();
        ld fb_scale = 0;
        for (size_t s = 0; s < k; s++)
            for (size_t t = 0; t < l; t++) {
                const size_t slot = (b * k + s) * l + t;
                const double *xj = x + (b * n + slot_patch(idx, b, k, l, s, t)) * d;
                ora_acc cj = ora_acc_zero();
                ld cj_scale = 0;
                for (size_t r = 0; r < h; r++) {
                    ora_acc zr = ora_acc_zero();
                    ld zr_scale = 0;
                    for (size_t p = 0; p < d; p++) {
                        const ld term = (ld)W[(s * h + r) * d + p] * (ld)xj[p];
                        ora_acc_add(&zr, term);
                        zr_scale += fabsl(term);
                    }
                    const ld zv = ora_acc_value(&zr);
                    if (z) z[slot * h + r] = zv;
                    if (z_scale) z_scale[slot * h + r] = zr_scale;
                    ora_acc_add(&cj, (ld)a[s * h + r] * relu(zv));
                    cj_scale += fabsl((ld)a[s * h + r]) * zr_scale;
                }
                const ld cv = ora_acc_value(&cj), gate = G ? (ld)G[slot] : 1;
                if (c) c[slot] = cv;
                if (c_scale) c_scale[slot] = cj_scale;
                ora_acc_add(&fb, gate * cv);
                fb_scale += fabsl(gate) * cj_scale;
            }
        f[b] = (ld)scale * ora_acc_value(&fb);
        f_scale[b] = fabsl((ld)scale) * fb_scale;
    }
}

/* log(1 + e^t) and 1 / (1 + e^-t) in long double. */
static ld softplus(ld t)
{
    return t > 0 ? t + log1pl(expl(-t)) : log1pl(expl(t));
}

static ld sigmoid(ld t)
{
    return t >= 0 ? 1 / (1 + expl(-t)) : expl(t) / (1 + expl(t));
}

void ora_pmoe_logistic(const double *f, const int8_t *y, size_t B, long double *loss_per,
                       long double *loss_per_scale, long double *loss, long double *loss_scale,
                       long double *dldf, long double *dldf_scale)
{
    ora_acc sum = ora_acc_zero();
    for (size_t b = 0; b < B; b++) {
        const ld yb = y[b] > 0 ? 1 : -1;
        const ld value = softplus(-yb * (ld)f[b]);
        loss_per[b] = value;
        loss_per_scale[b] = fabsl(value);
        ora_acc_add(&sum, value);
        dldf[b] = -yb * sigmoid(-yb * (ld)f[b]) / (ld)B;
        dldf_scale[b] = fabsl(dldf[b]);
    }
    *loss = B ? ora_acc_value(&sum) / (ld)B : 0;
    *loss_scale = fabsl(*loss);
}

void ora_pmoe_expert_bwd(const double *x, size_t B, size_t n, size_t d, const int32_t *idx,
                         const double *G, size_t k, size_t l, const double *a, size_t h, double scale,
                         const double *z, const double *c, const double *dldf, long double *dW,
                         long double *dW_scale, long double *dG, long double *dG_scale)
{
    /* d f_b / d w_rs = scale sum_{t} G_bst a_rs relu'(z_bstr) x_b^(j_t); one entry at a time. */
    for (size_t s = 0; s < k; s++)
        for (size_t r = 0; r < h; r++)
            for (size_t p = 0; p < d; p++) {
                ora_acc acc = ora_acc_zero();
                ld m = 0;
                for (size_t b = 0; b < B; b++)
                    for (size_t t = 0; t < l; t++) {
                        const size_t slot = (b * k + s) * l + t;
                        if (!(z[slot * h + r] > 0)) continue;
                        const ld gate = G ? (ld)G[slot] : 1;
                        const ld term = (ld)dldf[b] * (ld)scale * gate * (ld)a[s * h + r] *
                                        (ld)x[(b * n + slot_patch(idx, b, k, l, s, t)) * d + p];
                        ora_acc_add(&acc, term);
                        m += fabsl(term);
                    }
                dW[(s * h + r) * d + p] = ora_acc_value(&acc);
                dW_scale[(s * h + r) * d + p] = m;
            }
    if (dG)
        for (size_t b = 0; b < B; b++)
            for (size_t i = 0; i < k * l; i++) {
                const size_t slot = b * k * l + i;
                dG[slot] = (ld)dldf[b] * (ld)scale * (ld)c[slot];
                dG_scale[slot] = fabsl(dG[slot]);
            }
}

void ora_pmoe_router_loss(const double *x, const int8_t *y, size_t B, size_t n, size_t d,
                          const double *w, long double *f, long double *f_scale, long double *loss,
                          long double *loss_scale, long double *dw, long double *dw_scale)
{
    /* f_b = sum_j <w_1, x^(j)> - sum_j <w_2, x^(j)>: every term of the double sum kept apart. */
    ora_acc total = ora_acc_zero();
    ld total_scale = 0;
    for (size_t b = 0; b < B; b++) {
        const ld yb = y[b] > 0 ? 1 : -1;
        ora_acc fb = ora_acc_zero();
        ld m = 0;
        for (size_t j = 0; j < n; j++)
            for (size_t p = 0; p < d; p++) {
                const ld xv = x[(b * n + j) * d + p];
                ora_acc_add(&fb, (ld)w[p] * xv);
                ora_acc_add(&fb, -(ld)w[d + p] * xv);
                m += (fabsl((ld)w[p]) + fabsl((ld)w[d + p])) * fabsl(xv);
            }
        f[b] = ora_acc_value(&fb);
        f_scale[b] = m;
        ora_acc_add(&total, -yb * f[b]);
        total_scale += m;
    }
    *loss = B ? ora_acc_value(&total) / (ld)B : 0;
    *loss_scale = B ? total_scale / (ld)B : 0;
    for (size_t p = 0; p < d; p++) {
        ora_acc acc = ora_acc_zero();
        ld m = 0;
        for (size_t b = 0; b < B; b++)
            for (size_t j = 0; j < n; j++) {
                const ld xv = x[(b * n + j) * d + p];
                ora_acc_add(&acc, (y[b] > 0 ? 1 : -1) * xv);
                m += fabsl(xv);
            }
        const ld mean = B ? ora_acc_value(&acc) / (ld)B : 0;
        dw[p] = -mean;
        dw[d + p] = mean;
        dw_scale[p] = dw_scale[d + p] = B ? m / (ld)B : 0;
    }
}

void ora_pmoe_sgd(const double *w, const double *grad, size_t count, double lr, long double *out,
                  long double *scale)
{
    for (size_t i = 0; i < count; i++) {
        const ld step = (ld)lr * (ld)grad[i];
        out[i] = (ld)w[i] - step;
        scale[i] = fabsl((ld)w[i]) + fabsl(step);
    }
}
