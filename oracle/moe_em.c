/* Oracle of the gating-EM kernels (oracle_moe_em.h). */
#include "oracle_moe_em.h"

#include <math.h>
#include <stdlib.h>

#include "oracle.h"
#include "oracle_moe_acc.h"
#include "refast/moe_em.h"

/* <a, b> of doubles: each product rounded once to long double (2^-64 relative), summed
 * compensated. Also returns sum |a_t b_t|. */
static long double cdot(const double *a, const double *b, size_t d, long double *abs_sum)
{
    ora_acc s = ora_acc_zero();
    long double as = 0.0L;
    for (size_t t = 0; t < d; t++) {
        const long double p = (long double)a[t] * (long double)b[t];
        ora_acc_add(&s, p);
        as += fabsl(p);
    }
    *abs_sum = as;
    return ora_acc_value(&s);
}

/* softmax of l[0..k) into p (the NaN rule of moe_em.h: a NaN or +inf logit, or every logit -inf,
 * makes all k NaN); rest[j] = sum_{m != j} p_m, i.e. 1 - p_j without cancellation. */
static void softmax(const long double *l, size_t k, long double *p, long double *rest)
{
    int bad = 0, some = 0;
    long double m = -INFINITY, tot = 0.0L;
    for (size_t j = 0; j < k; j++) {
        if (isnan(l[j]) || l[j] == INFINITY) bad = 1;
        else if (l[j] > -INFINITY) some = 1;
        if (l[j] > m) m = l[j];
    }
    for (size_t j = 0; j < k; j++) {
        p[j] = bad || !some ? (long double)NAN : expl(l[j] - m);
        tot += p[j];
    }
    for (size_t j = 0; j < k; j++) p[j] /= tot;
    for (size_t j = 0; j < k; j++) {
        rest[j] = 0.0L;
        for (size_t m2 = 0; m2 < k; m2++)
            if (m2 != j) rest[j] += p[m2];
    }
}

/* The scale of a softmax output p = softmax(l) whose logits carry errors up to c u Tmax:
 * first order, |dp_j| <= 2 p_j (1 - p_j) max_m |dl_m|; plus the rounding of p_j itself (and the
 * relative errors of exp, the sum and the division), plus 2^-1000 for underflowed exponentials
 * (u 2^-1000 must stay above the subnormal grid, or the judge would divide 0 by 0). */
static long double softmax_scale(long double p, long double rest, long double tmax)
{
    if (!isfinite(p)) return 1.0L;
    /* Beyond first order: once the logits' errors c u Tmax can reach ~1 (Tmax > 2^47, e.g. r^2/2 of
     * 1e300 whose double rounding moves a logit by 1e283), double arithmetic does not determine the
     * posterior at all, and any value in [0, 1] is an honest result: S = 1/u. The fuzz run found ref
     * at 0.5/0.5 where the exact posteriors are 0/1 (k=3 d=10 n=44 leaky_relu sigma=0.113). */
    if (tmax > 0x1p47L) return 0x1p53L;
    return 0x1p-1000L + p + 2.0L * p * rest * (tmax + 1.0L);
}

/* One sample: gating logits h[k] (h[k-1] = 0), posteriors post[k] with their scales spost[k];
 * *hmax = max_{j<k-1} sum_t |w_jt x_t| (the error scale of the gating logits). */
static void sample(const double *x, double y, size_t d, size_t k, const double *A, const double *W,
                   int g, double sigma, long double *h, long double *post, long double *spost,
                   long double *hmax)
{
    long double l[RF_MOE_EM_MAX_K] = {0}, rest[RF_MOE_EM_MAX_K], tmax = 0.0L;
    const long double s = sigma, yl = y;
    *hmax = 0.0L;
    for (size_t j = 0; j < k; j++) {
        long double hab = 0.0L, zab;
        h[j] = 0.0L;
        if (j + 1 < k) {
            h[j] = cdot(W + j * d, x, d, &hab);
            if (isfinite(hab) && hab > *hmax) *hmax = hab;
        }
        const long double gz = ora_moe_g(g, cdot(A + j * d, x, d, &zab));
        const long double r = (yl - gz) / s;
        l[j] = h[j] - r * r / 2;
        const long double gmag = (g == RF_MOE_G_SIGMOID || g == RF_MOE_G_TANH) ? 1.0L : fabsl(gz);
        /* An infinite <a_j, x> (an infinite a_jt or x_t) that g maps to a finite value (sigmoid and
         * tanh saturate, relu(-inf) = 0) is exact: it carries no rounding into g, so zab leaves T.
         * Kept, it made T infinite, the sample's tmax skipped this expert, and its finite logit
         * -r^2/2 (often the largest term of the sample) went without a scale: ref failed by up to
         * 1200 u S on fuzz inputs (refast measure --kernel moe_estep_f64 --fuzz 4000 --seed 23). */
        const long double zterm = isinf(zab) && isfinite(gz) ? 0.0L : zab;
        const long double T = hab + fabsl(r) / s * (fabsl(yl) + gmag + zterm) + r * r / 2;
        if (isfinite(T) && T > tmax) tmax = T;
    }
    softmax(l, k, post, rest);
    for (size_t j = 0; j < k; j++) spost[j] = softmax_scale(post[j], rest[j], tmax);
}

void ora_moe_estep(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                   const double *W, int g, double sigma, long double *post, long double *scale)
{
    long double h[RF_MOE_EM_MAX_K], hmax;
    for (size_t i = 0; i < n; i++)
        sample(x + i * d, y[i], d, k, A, W, g, sigma, h, post + i * k, scale + i * k, &hmax);
}

int ora_moe_em_grad(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                    const double *W, int g, double sigma, long double *grad, long double *grad_scale,
                    long double *q, long double *q_scale)
{
    const size_t m = (k - 1) * d;
    ora_acc *ga = malloc((m + 1) * sizeof *ga);
    if (!ga) return -1;
    for (size_t e = 0; e <= m; e++) ga[e] = ora_acc_zero();
    for (size_t e = 0; e < m; e++) grad_scale[e] = 0.0L;
    long double qs = 0.0L;
    long double h[RF_MOE_EM_MAX_K], post[RF_MOE_EM_MAX_K], spost[RF_MOE_EM_MAX_K], hmax;
    long double gate[RF_MOE_EM_MAX_K], rest[RF_MOE_EM_MAX_K];
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        sample(xi, y[i], d, k, A, W, g, sigma, h, post, spost, &hmax);
        /* gate = softmax(h) over all k (h[k-1] = 0), lse0 = log(1 + sum_{j<k-1} e^h_j) */
        long double m0 = 0.0L, tot = 0.0L;
        for (size_t j = 0; j + 1 < k; j++)
            if (h[j] > m0) m0 = h[j];
        for (size_t j = 0; j < k; j++) tot += expl(h[j] - m0);
        const long double lse0 = m0 + logl(tot);
        softmax(h, k, gate, rest);
        ora_acc qi = ora_acc_zero();
        long double sq = 2.0L * (hmax + 1.0L);
        for (size_t j = 0; j + 1 < k; j++) {
            const long double c = post[j] - gate[j];
            const long double sc = spost[j] + softmax_scale(gate[j], rest[j], hmax);
            for (size_t t = 0; t < d; t++) {
                ora_acc_add(&ga[j * d + t], c * (long double)xi[t]);
                grad_scale[j * d + t] += fabsl((long double)xi[t]) * sc;
            }
            ora_acc_add(&qi, post[j] * h[j]);
            sq += spost[j] * fabsl(h[j]);
        }
        ora_acc_add(&qi, -lse0);
        ora_acc_add(&ga[m], ora_acc_value(&qi));
        qs += sq;
    }
    for (size_t e = 0; e < m; e++) grad[e] = ora_acc_value(&ga[e]);
    *q = ora_acc_value(&ga[m]);
    *q_scale = qs;
    free(ga);
    return 0;
}
