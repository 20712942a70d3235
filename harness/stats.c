/* Descriptive statistics and the Mann–Whitney U test (see stats.h for the exact definitions). */
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
