/* Oracle of the gating-EM M-step (oracle_moe_gating.h). */
#include "oracle_moe_gating.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "oracle_moe_acc.h"
#include "oracle_moe_em.h"
#include "refast/moe.h"

#define MAXK 32

static ora_acc *acc_new(size_t count)
{
    ora_acc *a = malloc((count ? count : 1) * sizeof *a);
    if (a)
        for (size_t e = 0; e < count; e++) a[e] = ora_acc_zero();
    return a;
}

/* Gating softmax over the free experts of a long double W (k x d): q[k-1]; returns H_i. */
static long double gate(const double *x, size_t d, size_t k, const long double *W, long double *q)
{
    long double h[MAXK], M = 0.0L, Hi = 0.0L;
    for (size_t j = 0; j + 1 < k; j++) {
        ora_acc s = ora_acc_zero();
        long double as = 0.0L;
        for (size_t t = 0; t < d; t++) {
            ora_acc_add(&s, W[j * d + t] * (long double)x[t]);
            as += fabsl(W[j * d + t] * (long double)x[t]);
        }
        h[j] = ora_acc_value(&s);
        if (h[j] > M) M = h[j];
        if (as > Hi) Hi = as;
    }
    long double tot = expl(-M);
    for (size_t j = 0; j + 1 < k; j++) tot += (q[j] = expl(h[j] - M));
    for (size_t j = 0; j + 1 < k; j++) q[j] /= tot;
    return Hi;
}

/* a * b where an exact zero factor wins: a term that is exactly zero contributes nothing to an
 * error scale, even when the other factor is infinite (found by the fuzzer: inf * 0 = NaN scales). */
static long double mul0(long double a, long double b)
{
    return (a == 0.0L || b == 0.0L) ? 0.0L : a * b;
}

static long double sq(long double q, long double Hi)
{
    /* a saturated q (0 or 1 exactly) does not move with its logits: no 0 * inf for infinite H_i */
    const long double a = 2.0L * q * (1.0L - q);
    return 0x1p-1000L + q + (a == 0.0L ? 0.0L : a * (Hi + 1.0L));
}

/* Posteriors (eq. 9) of every sample at a long double W: post n x k. */
static void estep(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                  const long double *W, int g, double sigma, long double *post)
{
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        long double l[MAXK], M = -INFINITY;
        for (size_t j = 0; j < k; j++) {
            long double h = 0.0L, z = 0.0L;
            for (size_t t = 0; t < d; t++) {
                if (j + 1 < k) h += W[j * d + t] * (long double)xi[t];
                z += (long double)A[j * d + t] * (long double)xi[t];
            }
            const long double r = ((long double)y[i] - ora_moe_g(g, z)) / (long double)sigma;
            l[j] = h - r * r / 2.0L;
            if (l[j] > M) M = l[j];
        }
        long double tot = 0.0L;
        for (size_t j = 0; j < k; j++) tot += (post[i * k + j] = expl(l[j] - M));
        for (size_t j = 0; j < k; j++) post[i * k + j] /= tot;
    }
}

int ora_moe_q_hess(const double *x, size_t n, size_t d, size_t k, const double *W, long double *H,
                   long double *S)
{
    const size_t kf = k - 1, m = kf * d;
    ora_acc *a = acc_new(m * m);
    long double *Wl = malloc(k * d * sizeof *Wl);
    if (!a || !Wl) {
        free(a);
        free(Wl);
        return -1;
    }
    for (size_t e = 0; e < k * d; e++) Wl[e] = W[e];
    for (size_t e = 0; e < m * m; e++) S[e] = 0.0L;
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        long double q[MAXK];
        const long double Hi = gate(xi, d, k, Wl, q);
        for (size_t r = 0; r < m; r++) {
            const size_t j = r / d, s = r % d;
            for (size_t c = r; c < m; c++) {
                const size_t l = c / d, t = c % d;
                const long double cjl = (j == l ? q[j] : 0.0L) - q[j] * q[l];
                const long double xx = (long double)xi[s] * (long double)xi[t];
                ora_acc_add(&a[r * m + c], -cjl * xx);
                S[r * m + c] += mul0(fabsl(xx), mul0(sq(q[j], Hi), (j == l ? 1.0L : 0.0L) + q[l]) +
                                                  mul0(q[j], sq(q[l], Hi)));
            }
        }
    }
    for (size_t r = 0; r < m; r++)
        for (size_t c = r; c < m; c++) {
            H[r * m + c] = H[c * m + r] = ora_acc_value(&a[r * m + c]);
            S[c * m + r] = S[r * m + c];
        }
    free(a);
    free(Wl);
    return 0;
}

/* grad Q(W|post) (m) compensated, at a long double W. */
static void q_grad(const double *x, const long double *post, size_t n, size_t d, size_t k,
                   const long double *W, ora_acc *ga, long double *grad)
{
    const size_t kf = k - 1, m = kf * d;
    for (size_t e = 0; e < m; e++) ga[e] = ora_acc_zero();
    for (size_t i = 0; i < n; i++) {
        long double q[MAXK];
        gate(x + i * d, d, k, W, q);
        for (size_t j = 0; j < kf; j++) {
            const long double c = post[i * k + j] - q[j];
            for (size_t t = 0; t < d; t++) ora_acc_add(&ga[j * d + t], c * (long double)x[i * d + t]);
        }
    }
    for (size_t e = 0; e < m; e++) grad[e] = ora_acc_value(&ga[e]);
}

/* -H at a long double W (plain long double sums: Newton converges whatever its last bits). */
static void neg_hess(const double *x, size_t n, size_t d, size_t k, const long double *W, long double *N)
{
    const size_t kf = k - 1, m = kf * d;
    for (size_t e = 0; e < m * m; e++) N[e] = 0.0L;
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        long double q[MAXK];
        gate(xi, d, k, W, q);
        for (size_t r = 0; r < m; r++)
            for (size_t c = r; c < m; c++) {
                const size_t j = r / d, l = c / d;
                N[r * m + c] += ((j == l ? q[j] : 0.0L) - q[j] * q[l]) * ((long double)xi[r % d] * xi[c % d]);
            }
    }
    for (size_t r = 0; r < m; r++)
        for (size_t c = 0; c < r; c++) N[r * m + c] = N[c * m + r];
}

/* In-place Cholesky (lower) of an SPD long double matrix; 0 or -1. */
static int chol(long double *L, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        long double s = L[j * m + j];
        for (size_t p = 0; p < j; p++) s -= L[j * m + p] * L[j * m + p];
        if (!(s > 0)) return -1;
        L[j * m + j] = sqrtl(s);
        for (size_t i = j + 1; i < m; i++) {
            long double v = L[i * m + j];
            for (size_t p = 0; p < j; p++) v -= L[i * m + p] * L[j * m + p];
            L[i * m + j] = v / L[j * m + j];
        }
    }
    return 0;
}

static void chol_solve(const long double *L, size_t m, long double *b)
{
    for (size_t i = 0; i < m; i++) {
        long double s = b[i];
        for (size_t p = 0; p < i; p++) s -= L[i * m + p] * b[p];
        b[i] = s / L[i * m + i];
    }
    for (size_t i = m; i-- > 0;) {
        long double s = b[i];
        for (size_t p = i + 1; p < m; p++) s -= L[p * m + i] * b[p];
        b[i] = s / L[i * m + i];
    }
}

static void project(long double *W, size_t d, size_t k, double R)
{
    if (!(R > 0) || isinf(R)) return;
    for (size_t j = 0; j + 1 < k; j++) {
        long double s = 0.0L;
        for (size_t t = 0; t < d; t++) s += W[j * d + t] * W[j * d + t];
        const long double nrm = sqrtl(s);
        if (nrm > (long double)R)
            for (size_t t = 0; t < d; t++) W[j * d + t] *= (long double)R / nrm;
    }
}

/* Sg = max_{j,t} sum_i |x_it| (S(post_ij) + S(q_ij)), S(post) from ora_moe_estep at Wpost (rounded
 * to double: scales need no precision), q at Wq. */
static long double grad_scale(const double *x, const double *y, size_t n, size_t d, size_t k,
                              const double *A, int g, double sigma, const long double *Wpost,
                              const long double *Wq, long double *ps, long double *pd, double *Wd)
{
    for (size_t e = 0; e < k * d; e++) Wd[e] = (double)Wpost[e];
    ora_moe_estep(x, y, n, d, k, A, Wd, g, sigma, pd, ps);
    const size_t kf = k - 1;
    long double *acc_s = calloc(kf * d, sizeof *acc_s), best = 0.0L;
    if (!acc_s) return INFINITY;
    for (size_t i = 0; i < n; i++) {
        long double q[MAXK];
        const long double Hi = gate(x + i * d, d, k, Wq, q);
        for (size_t j = 0; j < kf; j++)
            for (size_t t = 0; t < d; t++)
                acc_s[j * d + t] += fabsl((long double)x[i * d + t]) * (ps[i * k + j] + sq(q[j], Hi));
    }
    for (size_t e = 0; e < kf * d; e++)
        if (acc_s[e] > best) best = acc_s[e];
    free(acc_s);
    return best;
}

int ora_moe_gating_em(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                      int g, double sigma, const double *W0, int method, double alpha, double R,
                      unsigned inner, size_t T, long double *iters, long double *scale, char *err,
                      size_t errlen)
{
    const size_t kf = k - 1, m = kf * d, kd = k * d;
    long double *W = calloc(kd, sizeof *W), *Wp = calloc(kd, sizeof *Wp);
    long double *post = malloc(n * k * sizeof *post), *ps = malloc(n * k * sizeof *ps);
    long double *pd = malloc(n * k * sizeof *pd), *grad = malloc(m * sizeof *grad);
    long double *N = malloc(m * m * sizeof *N), *col = malloc(m * sizeof *col), *rows = malloc(m * sizeof *rows);
    double *Wd = calloc(kd, sizeof *Wd);
    ora_acc *ga = acc_new(m);
    int rc = 0;
    if (!W || !Wp || !post || !ps || !pd || !grad || !N || !col || !rows || !Wd || !ga) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    long double Smax = 0.0L;
    if (rc == 0) {
        for (size_t e = 0; e < m; e++) W[e] = W0[e];
        project(W, d, k, R);
    }
    for (size_t t = 1; rc == 0 && t <= T; t++) {
        memcpy(Wp, W, kd * sizeof *W);
        estep(x, y, n, d, k, A, Wp, g, sigma, post);
        long double E;
        if (method == 0) {
            for (unsigned it = 0; it < inner && rc == 0; it++) {
                q_grad(x, post, n, d, k, W, ga, grad);
                neg_hess(x, n, d, k, W, N);
                if (chol(N, m) != 0) {
                    snprintf(err, errlen, "-H is not positive definite at EM iteration %zu", t);
                    rc = -1;
                    break;
                }
                chol_solve(N, m, grad);
                for (size_t e = 0; e < m; e++) W[e] += grad[e];
                project(W, d, k, R);
            }
            if (rc != 0) break;
            /* ||(-H(W_t))^{-1}||_inf from the inverse's columns (symmetric: rows = columns) */
            neg_hess(x, n, d, k, W, N);
            if (chol(N, m) != 0) {
                snprintf(err, errlen, "-H is not positive definite at iterate %zu", t);
                rc = -1;
                break;
            }
            for (size_t r = 0; r < m; r++) rows[r] = 0.0L;
            for (size_t c = 0; c < m; c++) {
                for (size_t r = 0; r < m; r++) col[r] = r == c ? 1.0L : 0.0L;
                chol_solve(N, m, col);
                for (size_t r = 0; r < m; r++) rows[r] += fabsl(col[r]);
            }
            long double inv = 0.0L;
            for (size_t r = 0; r < m; r++)
                if (rows[r] > inv) inv = rows[r];
            E = inv * grad_scale(x, y, n, d, k, A, g, sigma, Wp, W, ps, pd, Wd);
        } else {
            q_grad(x, post, n, d, k, W, ga, grad);
            for (size_t e = 0; e < m; e++) W[e] += (long double)alpha * grad[e] / (long double)n;
            project(W, d, k, R);
            E = (long double)alpha / (long double)n * grad_scale(x, y, n, d, k, A, g, sigma, Wp, Wp, ps, pd, Wd);
        }
        long double wmax = 0.0L;
        for (size_t e = 0; e < m; e++) {
            if (!isfinite(W[e])) {
                snprintf(err, errlen, "iterate %zu is not finite", t);
                rc = -1;
            }
            if (fabsl(W[e]) > wmax) wmax = fabsl(W[e]);
        }
        if (E + wmax > Smax) Smax = E + wmax;
        for (size_t e = 0; e < kd; e++) iters[(t - 1) * kd + e] = e < m ? W[e] : 0.0L;
        scale[t - 1] = (long double)t * Smax;
    }
    free(W);
    free(Wp);
    free(post);
    free(ps);
    free(pd);
    free(grad);
    free(N);
    free(col);
    free(rows);
    free(Wd);
    free(ga);
    return rc;
}
