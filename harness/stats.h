/* Descriptive statistics, the Mann–Whitney U test, a bootstrap test for ratios, the
 * Benjamini–Hochberg false-discovery-rate adjustment and the normal quantile behind the minimum
 * detectable effect, used by `refast gate`, `refast ab` and `refast report`.
 *
 * Functions take (x, n) arrays and never modify them. Empty input gives NaN. Quantiles use linear
 * interpolation between order statistics (Hyndman & Fan type 7, the default of R and NumPy):
 * q(p) = x_(h) + (h - floor h)(x_(floor h + 1) - x_(h)) with h = (n - 1) p on the sorted sample
 * (0-based), so the median of an even sample is the mean of the two middle values. stddev is the
 * sample standard deviation (divisor n - 1; 0 for n = 1).
 *
 * Mann–Whitney U (two-sided, H0: both samples come from the same distribution):
 *   ranks over the pooled sample, ties get their mid-rank; U1 = R1 - n1(n1+1)/2, U2 = n1 n2 - U1.
 *   p-value:
 *   - exact when there are no ties and n1, n2 <= RF_MWU_EXACT_MAX: the null distribution of U is
 *     counted exactly (number of rankings giving each U; the counts sum to C(n1+n2, n1)) and
 *     p = min(1, 2 P(U <= min(U1, U2))). Fully separated samples of 10 and 10 give 2/C(20,10).
 *   - otherwise the normal approximation with tie correction and continuity correction:
 *     mu = n1 n2 / 2, sigma^2 = n1 n2 / 12 * ((N + 1) - sum_t (t^3 - t) / (N (N - 1))),
 *     z = max(0, |U1 - mu| - 1/2) / sigma, p = erfc(z / sqrt 2); p = 1 when sigma = 0 (every value
 *     tied). This is SciPy's mannwhitneyu(method="asymptotic", use_continuity=True).
 *   Either sample empty: p = 1 (no evidence).
 */
#ifndef REFAST_STATS_H
#define REFAST_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RF_MWU_EXACT_MAX 50

double rf_stat_mean(const double *x, size_t n);
double rf_stat_stddev(const double *x, size_t n);
double rf_stat_quantile(const double *x, size_t n, double p);
double rf_stat_median(const double *x, size_t n);
double rf_stat_min(const double *x, size_t n);
double rf_stat_max(const double *x, size_t n);

typedef struct rf_mwu {
    double u1, u2;  /* U statistics of sample x and of sample y */
    double p;       /* two-sided p-value */
    bool exact;     /* p from the exact distribution (else normal approximation) */
    bool ties;      /* the pooled sample had ties */
} rf_mwu;

/* The test as documented above. Returns false only when memory runs out. */
bool rf_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, rf_mwu *out);
/* The two p-value routes, exposed for tests: exact two-sided p for U = u (no ties) with sample
 * sizes n1, n2 <= RF_MWU_EXACT_MAX (NaN beyond); normal approximation given the tie term
 * sum_t (t^3 - t) (0 without ties). */
double rf_mwu_exact_p(double u, size_t n1, size_t n2);
double rf_mwu_normal_p(double u, size_t n1, size_t n2, double tie_sum);
/* The smallest two-sided p-value any untied samples of these sizes can give: 2 / C(n1+n2, n1)
 * (capped at 1). When it exceeds alpha the test cannot reject, whatever the data. */
double rf_mwu_min_p(size_t n1, size_t n2);

/* Bootstrap test for a change of a ratio of medians, as used for speedups:
 * H0: median(cur_ref) / median(cur_x) == median(base_ref) / median(base_x).
 * Each of the four samples is resampled with replacement `resamples` times (a fixed xorshift
 * generator seeded with `seed`, so results are reproducible) and R* = S*_cur / S*_base is formed;
 * the two-sided percentile p-value is min(1, 2 min(1 + #{R* >= 1}, 1 + #{R* <= 1}) / (resamples + 1)).
 * Unlike a rank test on x alone, this accounts for the noise of both numerator and denominator.
 * With very small samples the bootstrap is optimistic: callers should also require enough
 * repetitions (rf_mwu_min_p). Returns NaN on empty input or when out of memory. */
double rf_boot_ratio_p(const double *base_ref, size_t n_base_ref, const double *base_x, size_t n_base_x,
                       const double *cur_ref, size_t n_cur_ref, const double *cur_x, size_t n_cur_x,
                       unsigned resamples, uint64_t seed);

/* Robust relative spread: 1.4826 * MAD / median (the standard deviation over the mean for normal
 * data, unmoved by a few outliers). NaN for empty input or a zero median. */
double rf_stat_robust_cv(const double *x, size_t n);
/* exp(mean(log x)) over the positive finite values of x; NaN when there are none. */
double rf_stat_geomean(const double *x, size_t n);

/* Benjamini–Hochberg adjusted p-values (q-values) of the m p-values p[]: with the finite p sorted
 * ascending p_(1) <= ... <= p_(k), q_(i) = min_{j >= i} min(1, p_(j) k / j). Rejecting every test
 * with q <= alpha keeps the expected share of false discoveries among the rejections <= alpha
 * (independent or positively dependent tests). NaN entries are not tests: their q is NaN and they
 * do not count in k. Returns false only when memory runs out. */
bool rf_bh_qvalues(const double *p, size_t m, double *q);

/* The standard normal quantile Phi^-1(p) for p in (0, 1) (Acklam's rational approximation, one
 * Newton step on erfc: |error| < 1e-12); NaN outside (0, 1). */
double rf_norm_quantile(double p);

#endif
