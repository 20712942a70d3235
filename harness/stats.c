/* Descriptive statistics, the Mann–Whitney U test, the bootstrap, Benjamini–Hochberg and the
 * normal quantile (see stats.h for the exact definitions). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A total order with NaN last, so that sorting never misbehaves on odd data. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

static double *sorted_copy(const double *x, size_t n)
{
    double *s = malloc(n * sizeof *s);
    if (!s) return NULL;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s;
}

double rf_stat_mean(const double *x, size_t n)
{
    if (!n) return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return s / (double)n;
}

double rf_stat_stddev(const double *x, size_t n)
{
    if (!n) return NAN;
    if (n == 1) return 0;
    double m = rf_stat_mean(x, n), s = 0;
    for (size_t i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (double)(n - 1));
}

double rf_stat_quantile(const double *x, size_t n, double p)
{
    if (!n || !(p >= 0 && p <= 1)) return NAN;
    double *s = sorted_copy(x, n);
    if (!s) return NAN;
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    double q = lo + 1 < n ? s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]) : s[lo];
    free(s);
    return q;
}

double rf_stat_median(const double *x, size_t n) { return rf_stat_quantile(x, n, 0.5); }

double rf_stat_min(const double *x, size_t n)
{
    if (!n) return NAN;
    double m = x[0];
    for (size_t i = 1; i < n; i++) if (x[i] < m) m = x[i];
    return m;
}

double rf_stat_max(const double *x, size_t n)
{
    if (!n) return NAN;
    double m = x[0];
    for (size_t i = 1; i < n; i++) if (x[i] > m) m = x[i];
    return m;
}

/* ---- Mann–Whitney U ----------------------------------------------------------------------- */

/* Counts of the null distribution of U (pairs x > y) for sample sizes m <= a, n <= b:
 * f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u) (the largest pooled value belongs either to x, and
 * then beats all n values of y, or to y). Rows indexed by m are updated in place for n = 1..b. */
double rf_mwu_exact_p(double u, size_t n1, size_t n2)
{
    if (n1 > RF_MWU_EXACT_MAX || n2 > RF_MWU_EXACT_MAX || !(u >= 0)) return NAN;
    if (n1 == 0 || n2 == 0) return 1;
    size_t a = n1 < n2 ? n1 : n2, b = n1 < n2 ? n2 : n1;
    size_t umax = a * b, w = umax + 1;
    double *f = calloc((a + 1) * w, sizeof *f);
    if (!f) return NAN;
    for (size_t m = 0; m <= a; m++) f[m * w] = 1; /* n = 0: only U = 0 */
    for (size_t n = 1; n <= b; n++)
        for (size_t m = 1; m <= a; m++) {
            double *row = f + m * w, *prev = f + (m - 1) * w;
            for (size_t k = umax + 1; k-- > n;) row[k] += prev[k - n];
        }
    /* The distribution is symmetric about umax/2: p = 2 P(U <= min(u, umax - u)). */
    double lo = fmin(u, (double)umax - u), tail = 0, total = 0;
    const double *row = f + a * w;
    for (size_t k = 0; k <= umax; k++) {
        total += row[k];
        if ((double)k <= lo + 1e-9) tail += row[k];
    }
    free(f);
    return fmin(1.0, 2 * tail / total);
}

double rf_mwu_normal_p(double u, size_t n1, size_t n2, double tie_sum)
{
    if (n1 == 0 || n2 == 0) return 1;
    double nn = (double)(n1 + n2), prod = (double)n1 * (double)n2;
    double var = prod / 12.0 * ((nn + 1) - tie_sum / (nn * (nn - 1)));
    if (!(var > 0)) return 1;
    double z = fmax(0.0, fabs(u - prod / 2) - 0.5) / sqrt(var);
    return fmin(1.0, erfc(z / sqrt(2.0)));
}

double rf_mwu_min_p(size_t n1, size_t n2)
{
    /* 2 / C(n1+n2, n1), via logs for large sizes. */
    if (n1 == 0 || n2 == 0) return 1;
    double lc = lgamma((double)(n1 + n2) + 1) - lgamma((double)n1 + 1) - lgamma((double)n2 + 1);
    return fmin(1.0, 2 * exp(-lc));
}

typedef struct tagged {
    double v;
    int from_x;
} tagged;

static int cmp_tagged(const void *a, const void *b)
{
    return cmp_double(&((const tagged *)a)->v, &((const tagged *)b)->v);
}

bool rf_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, rf_mwu *out)
{
    memset(out, 0, sizeof *out);
    out->p = 1;
    if (nx == 0 || ny == 0) return true;
    size_t n = nx + ny;
    tagged *t = malloc(n * sizeof *t);
    if (!t) return false;
    for (size_t i = 0; i < nx; i++) t[i] = (tagged){x[i], 1};
    for (size_t i = 0; i < ny; i++) t[nx + i] = (tagged){y[i], 0};
    qsort(t, n, sizeof *t, cmp_tagged);
    double r1 = 0, tie_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && cmp_tagged(&t[i], &t[j]) == 0) j++;
        double rank = ((double)(i + 1) + (double)j) / 2, len = (double)(j - i); /* mid-rank */
        for (size_t k = i; k < j; k++)
            if (t[k].from_x) r1 += rank;
        tie_sum += len * len * len - len;
        i = j;
    }
    free(t);
    out->ties = tie_sum > 0;
    out->u1 = r1 - (double)nx * (double)(nx + 1) / 2;
    out->u2 = (double)nx * (double)ny - out->u1;
    if (!out->ties && nx <= RF_MWU_EXACT_MAX && ny <= RF_MWU_EXACT_MAX) {
        out->p = rf_mwu_exact_p(out->u1, nx, ny);
        out->exact = true;
        if (isnan(out->p)) return false;
    } else {
        out->p = rf_mwu_normal_p(out->u1, nx, ny, tie_sum);
    }
    return true;
}

/* ---- bootstrap ------------------------------------------------------------------------------ */

static uint64_t xorshift64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Median of a resample (with replacement) of x[0..n-1], using buf[n] as scratch. */
static double resample_median(const double *x, size_t n, double *buf, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[xorshift64(rng) % n];
        size_t j = i;
        for (; j > 0 && buf[j - 1] > v; j--) buf[j] = buf[j - 1]; /* insertion sort: n is small */
        buf[j] = v;
    }
    return n % 2 ? buf[n / 2] : (buf[n / 2 - 1] + buf[n / 2]) / 2;
}

double rf_boot_ratio_p(const double *base_ref, size_t n_base_ref, const double *base_x, size_t n_base_x,
                       const double *cur_ref, size_t n_cur_ref, const double *cur_x, size_t n_cur_x,
                       unsigned resamples, uint64_t seed)
{
    if (!n_base_ref || !n_base_x || !n_cur_ref || !n_cur_x || !resamples) return NAN;
    size_t nmax = n_base_ref;
    if (n_base_x > nmax) nmax = n_base_x;
    if (n_cur_ref > nmax) nmax = n_cur_ref;
    if (n_cur_x > nmax) nmax = n_cur_x;
    double *buf = malloc(nmax * sizeof *buf);
    if (!buf) return NAN;
    uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    if (!rng) rng = 1;
    unsigned ge = 0, le = 0;
    for (unsigned b = 0; b < resamples; b++) {
        double sb = resample_median(base_ref, n_base_ref, buf, &rng) / resample_median(base_x, n_base_x, buf, &rng);
        double sc = resample_median(cur_ref, n_cur_ref, buf, &rng) / resample_median(cur_x, n_cur_x, buf, &rng);
        double r = sc / sb;
        ge += r >= 1;
        le += r <= 1;
    }
    free(buf);
    double tail = (double)(1 + (ge < le ? ge : le)) / ((double)resamples + 1);
    return fmin(1.0, 2 * tail);
}

/* ---- robust spread, geometric mean ----------------------------------------------------------- */

double rf_stat_robust_cv(const double *x, size_t n)
{
    if (!n) return NAN;
    const double med = rf_stat_median(x, n);
    double *d = malloc(n * sizeof *d);
    if (!d || !(med != 0)) {
        free(d);
        return NAN;
    }
    for (size_t i = 0; i < n; i++) d[i] = fabs(x[i] - med);
    const double mad = rf_stat_median(d, n);
    free(d);
    return 1.4826 * mad / fabs(med);
}

double rf_stat_geomean(const double *x, size_t n)
{
    double s = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && x[i] > 0) s += log(x[i]), k++;
    return k ? exp(s / (double)k) : NAN;
}

/* ---- Benjamini–Hochberg ---------------------------------------------------------------------- */

typedef struct indexed {
    double p;
    size_t i;
} indexed;

static int cmp_indexed(const void *a, const void *b)
{
    return cmp_double(&((const indexed *)a)->p, &((const indexed *)b)->p);
}

bool rf_bh_qvalues(const double *p, size_t m, double *q)
{
    indexed *s = malloc((m ? m : 1) * sizeof *s);
    if (!s) return false;
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        q[i] = NAN;
        if (!isnan(p[i])) s[k++] = (indexed){p[i], i};
    }
    qsort(s, k, sizeof *s, cmp_indexed);
    double run = 1; /* the running minimum from the largest p down */
    for (size_t j = k; j-- > 0;) {
        const double v = fmin(1.0, s[j].p * (double)k / (double)(j + 1));
        if (v < run) run = v;
        q[s[j].i] = run;
    }
    free(s);
    return true;
}

/* ---- normal quantile ------------------------------------------------------------------------- */

double rf_norm_quantile(double p)
{
    if (!(p > 0 && p < 1)) return NAN;
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                               1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double lo = 0.02425;
    double x;
    if (p < lo) {
        const double t = sqrt(-2 * log(p));
        x = (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
            ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
    } else if (p <= 1 - lo) {
        const double t = p - 0.5, r = t * t;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * t /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double t = sqrt(-2 * log1p(-p));
        x = -(((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
            ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
    }
    /* one Newton (Halley) step on Phi(x) = 0.5 erfc(-x / sqrt 2) */
    const double e = 0.5 * erfc(-x / sqrt(2.0)) - p;
    const double u = e * sqrt(2 * 3.14159265358979323846) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}
