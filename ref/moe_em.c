/* Gating EM, scalar reference (refast/moe_em.h): the E-step of seed 001 eq. 9 and the gradient and
 * value of Q (eq. 8, log restored per SPEC §9), one sample at a time, as the formulas read.
 *
 *   h_j  = <w_j, x>  (j < k-1),  h_{k-1} = 0                     gating logits
 *   z_j  = <a_j, x>,  r_j = (y - g(z_j)) / sigma                  expert residuals
 *   l_j  = h_j - r_j^2 / 2                                        log(p_j(x) N(y|g(z_j), sigma^2)) + const
 *   post_j = e^(l_j - m) / sum_i e^(l_i - m),  m = max_j l_j      eq. 9 by a stable log-sum-exp
 *   gate_j = e^(h_j - m0) / sum_i e^(h_i - m0), m0 = max(0, max h) softmax of the gating logits
 *   grad_j += (post_j - gate_j) x                                 d Q(W'|W) / d w'_j at W' = W
 *   q      += sum_{j<k-1} post_j h_j - (m0 + log sum_i e^(h_i - m0))
 * The normalising constant -log(sqrt(2 pi) sigma) of the Gaussian cancels in the softmax.
 * Samples go in blocks of RF_MOE_EM_BLOCK, each block summed in order; block sums are combined
 * pairwise by a binary counter (pairsum_* below), so the rounding depth is 64 + log2(n/64).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_em.h"

static double g_eval(int g, double z)
{
    switch (g) {
    case RF_MOE_G_RELU: return z < 0 ? 0.0 : z;               /* NaN propagates */
    case RF_MOE_G_LEAKY_RELU: return z < 0 ? 0.01 * z : z;
    case RF_MOE_G_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case RF_MOE_G_TANH: return tanh(z);
    default: return z; /* linear */
    }
}

static double dot(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t t = 0; t < d; t++) s += a[t] * b[t];
    return s;
}

static int args_ok(size_t d, size_t k, int g)
{
    return k >= 2 && k <= RF_MOE_EM_MAX_K && d >= 1 && d <= RF_MOE_MAX_D && g >= 0 && g < RF_MOE_G_COUNT;
}

/* Posteriors of one sample (eq. 9) into post[k]; the gating logits into h[k] (h[k-1] = 0). */
static void estep_sample(const double *x, double y, size_t d, size_t k, const double *A,
                         const double *W, int g, double sigma, double *h, double *post)
{
    double l[RF_MOE_EM_MAX_K];
    for (size_t j = 0; j + 1 < k; j++) h[j] = dot(W + j * d, x, d);
    h[k - 1] = 0.0;
    for (size_t j = 0; j < k; j++) {
        const double r = (y - g_eval(g, dot(A + j * d, x, d))) / sigma;
        l[j] = h[j] - 0.5 * r * r;
    }
    double m = l[0];
    for (size_t j = 1; j < k; j++)
        if (l[j] > m) m = l[j];
    double s = 0.0;
    for (size_t j = 0; j < k; j++) {
        post[j] = exp(l[j] - m);
        s += post[j];
    }
    for (size_t j = 0; j < k; j++) post[j] /= s;
}

int RF_REF(moe_estep_f64)(const double *x, const double *y, size_t n, size_t d, size_t k,
                          const double *A, const double *W, int g, double sigma, double *post)
{
    if (!args_ok(d, k, g)) return -1;
    double h[RF_MOE_EM_MAX_K];
    for (size_t i = 0; i < n; i++) estep_sample(x + i * d, y[i], d, k, A, W, g, sigma, h, post + i * k);
    return 0;
}

/* ---- pairwise combination of block sums ------------------------------------------------------ */

/* level[l] holds the sum of 2^l blocks while full[l]; adding a block carries like a binary counter,
 * so every block sum meets O(log nblocks) additions. */
typedef struct pairsum {
    size_t len;
    unsigned nlevels;
    unsigned char full[64];
    double *level; /* nlevels x len */
} pairsum;

static int pairsum_init(pairsum *p, size_t len, size_t nblocks)
{
    unsigned nl = 1;
    while (((size_t)1 << (nl - 1)) < nblocks) nl++;
    memset(p, 0, sizeof *p);
    p->len = len;
    p->nlevels = nl;
    p->level = malloc((size_t)nl * len * sizeof *p->level);
    return p->level ? 0 : -1;
}

static void pairsum_add(pairsum *p, double *block)
{
    unsigned l = 0;
    while (p->full[l]) {
        double *lv = p->level + l * p->len;
        for (size_t e = 0; e < p->len; e++) block[e] = lv[e] + block[e];
        p->full[l++] = 0;
    }
    memcpy(p->level + l * p->len, block, p->len * sizeof *block);
    p->full[l] = 1;
}

/* The total, lowest level first; zeros when nothing was added. */
static void pairsum_finish(pairsum *p, double *out)
{
    int any = 0;
    for (unsigned l = 0; l < p->nlevels; l++) {
        if (!p->full[l]) continue;
        const double *lv = p->level + l * p->len;
        for (size_t e = 0; e < p->len; e++) out[e] = any ? lv[e] + out[e] : lv[e];
        any = 1;
    }
    if (!any) memset(out, 0, p->len * sizeof *out);
    free(p->level);
}

int RF_REF(moe_em_grad_f64)(const double *x, const double *y, size_t n, size_t d, size_t k,
                            const double *A, const double *W, int g, double sigma, double *grad,
                            double *q)
{
    if (!args_ok(d, k, g)) return -1;
    const size_t len = (k - 1) * d + 1; /* grad, then q */
    const size_t nblocks = (n + RF_MOE_EM_BLOCK - 1) / RF_MOE_EM_BLOCK;
    pairsum ps;
    double *block = malloc(len * sizeof *block);
    if (!block || pairsum_init(&ps, len, nblocks) != 0) {
        free(block);
        return -1;
    }
    double h[RF_MOE_EM_MAX_K], post[RF_MOE_EM_MAX_K], gate[RF_MOE_EM_MAX_K];
    for (size_t b = 0; b < nblocks; b++) {
        memset(block, 0, len * sizeof *block);
        const size_t i1 = (b + 1) * RF_MOE_EM_BLOCK < n ? (b + 1) * RF_MOE_EM_BLOCK : n;
        for (size_t i = b * RF_MOE_EM_BLOCK; i < i1; i++) {
            const double *xi = x + i * d;
            estep_sample(xi, y[i], d, k, A, W, g, sigma, h, post);
            /* softmax of the gating logits, and log(1 + sum e^h) = m0 + log(sum e^(h - m0)) */
            double m0 = 0.0;
            for (size_t j = 0; j + 1 < k; j++)
                if (h[j] > m0) m0 = h[j];
            double s0 = 0.0;
            for (size_t j = 0; j < k; j++) {
                gate[j] = exp(h[j] - m0);
                s0 += gate[j];
            }
            double qi = 0.0;
            for (size_t j = 0; j + 1 < k; j++) {
                const double c = post[j] - gate[j] / s0;
                for (size_t t = 0; t < d; t++) block[j * d + t] += c * xi[t];
                qi += post[j] * h[j];
            }
            block[len - 1] += qi - (m0 + log(s0));
        }
        pairsum_add(&ps, block);
    }
    double *total = block; /* reuse */
    pairsum_finish(&ps, total);
    memcpy(grad, total, (len - 1) * sizeof *grad);
    *q = total[len - 1];
    free(block);
    return 0;
}

/* The elementary functions of refast/moe_em.h's vmath kernel, from libm: what the vector levels'
 * own exp, expm1, log, sigmoid and tanh are measured against. */
void RF_REF(moe_em_vmath_f64)(int f, const double *x, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        const double v = x[i];
        switch (f) {
        case RF_VMATH_EXP: out[i] = exp(v); break;
        case RF_VMATH_EXPM1: out[i] = expm1(v); break;
        case RF_VMATH_LOG: out[i] = log(v); break;
        case RF_VMATH_SIGMOID: out[i] = 1.0 / (1.0 + exp(-v)); break;
        case RF_VMATH_TANH: out[i] = tanh(v); break;
        default: out[i] = NAN; break;
        }
    }
}
