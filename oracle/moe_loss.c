/* Oracles of the L4 and L_log losses (oracle_moe_loss.h): the seed's formulas evaluated literally in
 * long double, means in double-long-double. */
#include <math.h>
#include <stdlib.h>

#include "oracle.h"
#include "oracle_moe_loss.h"

typedef long double ld;

static ora_dd dd_addl(ora_dd a, ld x)
{
    return ora_dd_add(a, ora_dd_from(x));
}

/* ---- L4 ----------------------------------------------------------------------------------------- */

/* Work arrays of one ora_moe_l4 call. */
typedef struct l4_work {
    ld *u, *ut, *nrm, *G, *Gt; /* per sample: u, u~; per call: n_i, G, G~ */
    ora_dd *g4, *g2;           /* sum q4 (sum_{j!=i} 2 dt1 - mu dt2) c, sum q2 dt3 c'  (k x d) */
    ora_dd *e2;                /* sum q2 t3(a_i) c'  (k) */
    ld *s4, *s2;               /* scales of g4 (per entry) and of E[q2 u x] (k x d) */
    ld *Mt, *E2t;              /* sum |q4| u~_i u~_j (k x k), sum |q2| u~_i^2 (k) */
} l4_work;

static void l4_free(l4_work *w)
{
    free(w->u);
    free(w->ut);
    free(w->nrm);
    free(w->G);
    free(w->Gt);
    free(w->g4);
    free(w->g2);
    free(w->e2);
    free(w->s4);
    free(w->s2);
    free(w->Mt);
    free(w->E2t);
}

int ora_moe_l4(const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,
               const double *A, const double *hyper, long double *loss, long double *loss_scale,
               long double *grad, long double *grad_scale)
{
    const ld c = hyper[0], cp = hyper[1], mu = hyper[2], lambda = hyper[3], delta = hyper[4];
    l4_work w = {0};
    w.u = calloc(k, sizeof(ld));
    w.ut = calloc(k, sizeof(ld));
    w.nrm = calloc(k, sizeof(ld));
    w.G = calloc(k * k, sizeof(ld));
    w.Gt = calloc(k * k, sizeof(ld));
    w.g4 = calloc(k * d, sizeof(ora_dd));
    w.g2 = calloc(k * d, sizeof(ora_dd));
    w.e2 = calloc(k, sizeof(ora_dd));
    w.s4 = calloc(k * d, sizeof(ld));
    w.s2 = calloc(k * d, sizeof(ld));
    w.Mt = calloc(k * k, sizeof(ld));
    w.E2t = calloc(k, sizeof(ld));
    if (!w.u || !w.ut || !w.nrm || !w.G || !w.Gt || !w.g4 || !w.g2 || !w.e2 || !w.s4 || !w.s2 || !w.Mt ||
        !w.E2t) {
        l4_free(&w);
        return -1;
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            ld g = 0, gt = 0;
            for (size_t b = 0; b < d; b++) {
                g += (ld)A[i * d + b] * A[j * d + b];
                gt += fabsl((ld)A[i * d + b] * A[j * d + b]);
            }
            w.G[i * k + j] = g;
            w.Gt[i * k + j] = gt;
        }
    ld N = 0;
    for (size_t i = 0; i < k; i++) {
        w.nrm[i] = w.G[i * k + i];
        N += w.nrm[i];
    }
    ora_dd quart = ora_dd_from(0), eq2 = ora_dd_from(0);
    ld q4abs = 0, q2abs = 0, phit = 0;
    for (size_t s = 0; s < n; s++) {
        const double *xs = x + s * d;
        const ld a4 = q4[s], a2 = q2[s];
        ld St = 0, U4t = 0, NU2t = 0, UGUt = 0;
        for (size_t i = 0; i < k; i++) {
            ld t = 0, tt = 0;
            for (size_t b = 0; b < d; b++) {
                t += (ld)A[i * d + b] * xs[b];
                tt += fabsl((ld)A[i * d + b] * xs[b]);
            }
            w.u[i] = t;
            w.ut[i] = tt;
            St += tt * tt;
            U4t += tt * tt * tt * tt;
            NU2t += w.nrm[i] * tt * tt;
        }
        /* The quartic part of eq. 6, literally: sum_{i != j} t1 - mu sum_i t2 (times c). */
        ld quartic = 0;
        for (size_t i = 0; i < k; i++) {
            const ld ui = w.u[i], ni = w.nrm[i];
            for (size_t j = 0; j < k; j++) {
                if (j == i) continue;
                const ld uj = w.u[j], nj = w.nrm[j], gij = w.G[i * k + j];
                quartic += ui * ui * uj * uj - ni * uj * uj - 4 * ui * uj * gij - nj * ui * ui + ni * nj +
                           2 * gij * gij;
                UGUt += w.ut[i] * w.Gt[i * k + j] * w.ut[j];
            }
            quartic -= mu * (ui * ui * ui * ui - 6 * ni * ui * ui + 3 * ni * ni);
        }
        quart = dd_addl(quart, a4 * quartic);
        eq2 = dd_addl(eq2, a2);
        q4abs += fabsl(a4);
        q2abs += fabsl(a2);
        phit += fabsl(a4) * (St * St + U4t + 2 * (N * St + NU2t) + 4 * UGUt + fabsl(mu) * (U4t + 6 * NU2t));
        for (size_t i = 0; i < k; i++) {
            const ld ui = w.u[i], ni = w.nrm[i], uti = w.ut[i];
            w.e2[i] = dd_addl(w.e2[i], a2 * (ui * ui - ni));
            w.E2t[i] += fabsl(a2) * uti * uti;
            for (size_t j = 0; j < k; j++) w.Mt[i * k + j] += fabsl(a4) * uti * w.ut[j];
            /* Coefficients of x and of each a_j in q4 d(sum_{j != i} 2 t1(a_i, a_j) - mu t2(a_i))/da_i. */
            ld cx = 0, ca_i = 0, offt = 0;
            for (size_t j = 0; j < k; j++) {
                if (j == i) continue;
                const ld uj = w.u[j], nj = w.nrm[j], gij = w.G[i * k + j];
                cx += 2 * (2 * ui * uj * uj - 4 * gij * uj - 2 * nj * ui);
                ca_i += 2 * (-2 * uj * uj + 2 * nj);
                offt += w.Gt[i * k + j] * w.ut[j];
            }
            cx -= mu * (4 * ui * ui * ui - 12 * ni * ui);
            ca_i -= mu * (-12 * ui * ui + 12 * ni);
            const ld ct = 4 * uti * (St + uti * uti + N + ni) + 8 * offt +
                          fabsl(mu) * (4 * uti * uti * uti + 12 * ni * uti);
            for (size_t b = 0; b < d; b++) {
                ld v = cx * xs[b] + ca_i * A[i * d + b];
                for (size_t j = 0; j < k; j++) {
                    if (j == i) continue;
                    const ld uj = w.u[j], gij = w.G[i * k + j];
                    v += 2 * (-4 * ui * uj + 4 * gij) * A[j * d + b];
                }
                w.g4[i * d + b] = dd_addl(w.g4[i * d + b], a4 * v);
                w.g2[i * d + b] = dd_addl(w.g2[i * d + b], a2 * (2 * ui * xs[b] - 2 * A[i * d + b]));
                w.s4[i * d + b] += fabsl(a4) * ct * fabsl((ld)xs[b]);
                w.s2[i * d + b] += fabsl(a2) * uti * fabsl((ld)xs[b]);
            }
        }
    }
    const ld inv = n ? 1.0L / (ld)n : 0.0L;
    /* Loss. */
    ld c1t = 0, c2t = 0, frob = 0, trMt = 0;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < k; j++)
            if (j != i) c1t += w.nrm[i] * w.nrm[j] + 2 * w.Gt[i * k + j] * w.Gt[i * k + j];
        c2t += 3 * w.nrm[i] * w.nrm[i];
        frob += w.nrm[i];
        trMt += w.Mt[i * k + i];
    }
    ld value = ora_dd_value(quart) * inv / c;
    ld scale = (phit * inv + q4abs * inv * (c1t + fabsl(mu) * c2t)) / fabsl(c);
    ld e[64], se[64];
    for (size_t i = 0; i < k && i < 64; i++) {
        e[i] = ora_dd_value(w.e2[i]) * inv / cp;
        se[i] = (w.E2t[i] * inv + w.nrm[i] * q2abs * inv) / fabsl(cp);
        value += lambda * (e[i] - 1) * (e[i] - 1);
        scale += fabsl(lambda) * (se[i] + 1) * (se[i] + 1);
    }
    *loss = value + delta / 2 * frob;
    *loss_scale = scale + fabsl(delta) / 2 * frob;
    /* Gradient. */
    for (size_t m = 0; m < k; m++) {
        const ld kappa = 2 * lambda * (e[m] - 1) / cp; /* d lambda (e - 1)^2 / de times 1/c' */
        const ld Mtmm = w.Mt[m * k + m] * inv, Eq4t = q4abs * inv, Eq2t = q2abs * inv;
        for (size_t b = 0; b < d; b++) {
            const ld am = A[m * d + b];
            grad[m * d + b] = ora_dd_value(w.g4[m * d + b]) * inv / c +
                              kappa * ora_dd_value(w.g2[m * d + b]) * inv + delta * am;
            ld st = w.s4[m * d + b] * inv + 2 * fabsl(am) * (2 * (Mtmm + trMt * inv) + 2 * (N + w.nrm[m]) * Eq4t +
                                                             6 * fabsl(mu) * (Mtmm + w.nrm[m] * Eq4t));
            for (size_t j = 0; j < k; j++)
                if (j != m) st += 8 * (w.Gt[m * k + j] * Eq4t + w.Mt[m * k + j] * inv) * fabsl((ld)A[j * d + b]);
            grad_scale[m * d + b] = st / fabsl(c) +
                                    4 * fabsl(lambda) / fabsl(cp) * (se[m] + 1) *
                                        (w.s2[m * d + b] * inv + fabsl(am) * Eq2t) +
                                    fabsl(delta * am);
        }
    }
    l4_free(&w);
    return 0;
}

/* ---- L_log -------------------------------------------------------------------------------------- */

static int g_eval(unsigned g, ld z, ld *out)
{
    switch (g) {
    case 0: *out = z; return 0;
    case 1: *out = z > 0 ? z : 0; return 0;
    case 2: *out = z > 0 ? z : 0.01L * z; return 0;
    case 3: *out = 1 / (1 + expl(-z)); return 0;
    case 4: *out = tanhl(z); return 0;
    default: return -1;
    }
}

static ld lse(const ld *v, size_t k)
{
    ld m = v[0];
    for (size_t i = 1; i < k; i++)
        if (v[i] > m) m = v[i];
    ld s = 0;
    for (size_t i = 0; i < k; i++) s += expl(v[i] - m);
    return m + logl(s);
}

int ora_moe_llog(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                 const double *W, unsigned g, double sigma, long double *value, long double *value_scale,
                 long double *grad, long double *grad_scale)
{
    if (g > 4 || k < 2 || k > 64) return -1;
    ora_dd *gs = calloc((k - 1) * d, sizeof *gs);
    ld *gsc = calloc((k - 1) * d, sizeof *gsc);
    if (!gs || !gsc) {
        free(gs);
        free(gsc);
        return -1;
    }
    const ld s = sigma, lognorm = -logl(s * sqrtl(2 * 3.14159265358979323846264338327950288L));
    ora_dd val = ora_dd_from(0);
    ld vscale = 0;
    for (size_t t = 0; t < n; t++) {
        const double *xs = x + t * d;
        ld l[64], lt[64], joint[64], r[64];
        ld T = fabsl(lognorm);
        for (size_t i = 0; i < k; i++) {
            ld li = 0, lti = 0, ui = 0, uti = 0;
            for (size_t b = 0; b < d && i + 1 < k; b++) {
                li += (ld)W[i * d + b] * xs[b];
                lti += fabsl((ld)W[i * d + b] * xs[b]);
            }
            for (size_t b = 0; b < d; b++) {
                ui += (ld)A[i * d + b] * xs[b];
                uti += fabsl((ld)A[i * d + b] * xs[b]);
            }
            ld gi;
            g_eval(g, ui, &gi);
            const ld res = (ld)y[t] - gi;
            l[i] = li;
            lt[i] = lti;
            r[i] = -res * res / (2 * s * s) + lognorm;
            joint[i] = l[i] + r[i];
            const ld big = fabsl((ld)y[t]) + uti + fabsl(gi);
            T += lti + big * big / (2 * s * s);
        }
        const ld lj = lse(joint, k), lg = lse(l, k);
        const ld vs = -(lj - lg);
        val = dd_addl(val, vs);
        vscale += fabsl(vs) + T;
        for (size_t j = 0; j + 1 < k; j++) {
            const ld post = expl(joint[j] - lj), gate = expl(l[j] - lg);
            for (size_t b = 0; b < d; b++) {
                gs[j * d + b] = dd_addl(gs[j * d + b], -(post - gate) * xs[b]);
                gsc[j * d + b] += fabsl((ld)xs[b]) * (post + gate) * (1 + 2 * T);
            }
        }
        (void)lt;
    }
    const ld inv = n ? 1.0L / (ld)n : 0.0L;
    *value = ora_dd_value(val) * inv;
    *value_scale = vscale * inv;
    for (size_t i = 0; i < (k - 1) * d; i++) {
        grad[i] = ora_dd_value(gs[i]) * inv;
        grad_scale[i] = gsc[i] * inv;
    }
    free(gs);
    free(gsc);
    return 0;
}
