/* Polar frozen-set construction (lib/codes/construct.h, SPEC §5.1). Plain C, compiled once at the
 * baseline: a construction runs once per code, never in a hot loop.
 *
 * Channel indexing: with x = u F^{(x)n} in Plotkin form x = (x_a XOR x_b, x_b), the first half of
 * u sees the worse synthetic channel of the two halves and the second half the better one, so the
 * most significant bit of an index chooses first: channel i is reached from the physical channel
 * by applying, for bit n-1 down to bit 0, the worse (bit 0) or the better (bit 1) transform. The
 * arrays below are grown level by level, j -> (2j worse, 2j+1 better), which produces exactly that
 * order.
 *
 * Gaussian approximation (GA): mean LLR z0 = 2/sigma^2; better 2t; worse phi^-1(1 - (1 - phi(t))^2)
 * with Chung's phi. Both branches of phi have closed-form inverses (branch 1 a quadratic in t,
 * branch 2 a power), so no bisection is needed; the branches meet at T = 0.867861 (their values
 * agree to 6 digits) and a value y picks branch 1 iff y > phi(T). The transform is evaluated in
 * log phi so that neither phi -> 0 (large t) nor phi -> 1 (small t) loses digits:
 *   log y = log phi + log(2 - phi)       when phi < 1/2,
 *         = log1p(-q^2), q = -expm1(log phi)   otherwise.
 * A mean below ~1e-154 makes q^2 underflow, so the worse child of such a channel is 0: those
 * (hopeless) channels tie at 0 and are ordered by index like every other tie.
 *
 * Bhattacharyya: z0 = exp(-1/(2 sigma^2)) (BPSK on AWGN: exp(-Es/N0), N0 = 2 sigma^2); worse child
 * 2z - z^2 (exact on the BEC, an upper bound elsewhere), better child z^2. Kept as log z so that
 * z^(2^16) does not underflow: better 2 log z, worse log(2z - z^2) evaluated without cancellation
 * (bh_worse).
 *
 * Selection: the K channels with the largest GA mean (smallest Bhattacharyya parameter) carry
 * information; equal values rank the larger index first.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes/construct.h"
#include "errf.h"

#define POLAR_MAX_LOG2N 16

static bool check_polar(unsigned log2n, size_t K, char *err, size_t errlen)
{
    if (log2n > POLAR_MAX_LOG2N)
        return rf_fail(err, errlen, "polar: log2 N = %u exceeds the maximum %d", log2n, POLAR_MAX_LOG2N);
    if (K > ((size_t)1 << log2n))
        return rf_fail(err, errlen, "polar: K = %zu exceeds N = %zu", K, (size_t)1 << log2n);
    return true;
}

static bool check_sigma(double sigma, char *err, size_t errlen)
{
    if (!(sigma > 0.0) || !isfinite(sigma))
        return rf_fail(err, errlen, "polar construction: design sigma %g must be positive and finite", sigma);
    return true;
}

/* ---- Gaussian approximation ---------------------------------------------------------------- */

#define GA_T 0.867861
#define GA_A 0.0564
#define GA_B 0.4856
#define GA_C 0.4527
#define GA_P 0.86
#define GA_D 0.0218

static double ga_log_phi(double t)
{
    return t < GA_T ? t * (GA_A * t - GA_B) : -GA_C * pow(t, GA_P) + GA_D;
}

/* phi^-1 from log y, y in (0, 1]. Branch 1 solves A t^2 - B t - log y = 0 for the root in
 * [0, T], written as 2c / (B + sqrt(B^2 - 4 A c)) with c = -log y to avoid cancellation. */
static double ga_inv_log_phi(double ly)
{
    if (ly >= 0.0) return 0.0;
    if (ly > ga_log_phi(GA_T)) {
        const double c = -ly;
        return 2.0 * c / (GA_B + sqrt(GA_B * GA_B - 4.0 * GA_A * c));
    }
    return pow((GA_D - ly) / GA_C, 1.0 / GA_P);
}

static double ga_worse(double t)
{
    if (t <= 0.0) return 0.0;
    const double lp = ga_log_phi(t);
    const double p = exp(lp);
    double ly;
    if (p < 0.5) {
        ly = lp + log(2.0 - p);
    } else {
        const double q = -expm1(lp);
        ly = log1p(-q * q);
    }
    return ga_inv_log_phi(ly);
}

/* ---- selection ------------------------------------------------------------------------------ */

typedef struct ranked {
    double key; /* larger = more reliable */
    uint32_t index;
} ranked;

static int by_reliability(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->key != b->key) return a->key > b->key ? -1 : 1;
    return a->index > b->index ? -1 : a->index < b->index;
}

/* frozen[i] = 0 for the K most reliable channels (key[i] larger = better), 1 elsewhere. */
static bool select_best(const double *key, size_t n, size_t K, uint8_t *frozen, char *err, size_t errlen)
{
    ranked *r = malloc(n * sizeof *r);
    if (!r) return rf_fail(err, errlen, "polar construction: out of memory for N = %zu", n);
    for (size_t i = 0; i < n; i++) {
        r[i].key = key[i];
        r[i].index = (uint32_t)i;
    }
    qsort(r, n, sizeof *r, by_reliability);
    for (size_t i = 0; i < n; i++) frozen[r[i].index] = i >= K;
    free(r);
    return true;
}

/* Grows key[0..2^log2n) from key[0] = z0 by the two child maps (see the file comment). */
static void polarize(double *key, unsigned log2n, double (*worse)(double), double (*better)(double))
{
    for (unsigned lev = 0; lev < log2n; lev++) {
        const size_t len = (size_t)1 << lev;
        for (size_t j = len; j-- > 0;) {
            const double z = key[j];
            key[2 * j] = worse(z);
            key[2 * j + 1] = better(z);
        }
    }
}

static double ga_better(double t)
{
    return 2.0 * t;
}

bool rf_polar_construct_ga(unsigned log2n, size_t K, double sigma, uint8_t *frozen, char *err, size_t errlen)
{
    if (!check_polar(log2n, K, err, errlen) || !check_sigma(sigma, err, errlen)) return false;
    const size_t n = (size_t)1 << log2n;
    double *z = malloc(n * sizeof *z);
    if (!z) return rf_fail(err, errlen, "polar construction: out of memory for N = %zu", n);
    z[0] = 2.0 / (sigma * sigma);
    polarize(z, log2n, ga_worse, ga_better);
    bool ok = select_best(z, n, K, frozen, err, errlen);
    free(z);
    return ok;
}

/* Bhattacharyya in log z (<= 0). The key is -log z so that larger is better. The worse child
 * log(2z - z^2) = log(1 - y^2) with y = 1 - z: near z = 1 it is log1p(-y^2) with y = -expm1(log z)
 * (log z + log(2 - z) would cancel to a few digits there), near z = 0 log z + log(2 - z). */
static double bh_worse(double lz)
{
    const double z = exp(lz);
    if (z < 0.5) return lz + log(2.0 - z);
    const double y = -expm1(lz);
    return log1p(-y * y);
}

static double bh_better(double lz)
{
    return 2.0 * lz;
}

bool rf_polar_construct_bhattacharyya(unsigned log2n, size_t K, double sigma, uint8_t *frozen, char *err,
                                      size_t errlen)
{
    if (!check_polar(log2n, K, err, errlen) || !check_sigma(sigma, err, errlen)) return false;
    const size_t n = (size_t)1 << log2n;
    double *lz = malloc(n * sizeof *lz);
    if (!lz) return rf_fail(err, errlen, "polar construction: out of memory for N = %zu", n);
    lz[0] = -1.0 / (2.0 * sigma * sigma);
    polarize(lz, log2n, bh_worse, bh_better);
    for (size_t i = 0; i < n; i++) lz[i] = -lz[i];
    bool ok = select_best(lz, n, K, frozen, err, errlen);
    free(lz);
    return ok;
}

/* ---- rm rule, explicit list, preset --------------------------------------------------------- */

bool rf_polar_construct_rm(unsigned m, unsigned r, uint8_t *frozen, char *err, size_t errlen)
{
    if (!rf_rm_check(m, r, err, errlen)) return false;
    const size_t n = (size_t)1 << m;
    for (size_t i = 0; i < n; i++) frozen[i] = (unsigned)__builtin_popcountll(i) + r < m;
    return true;
}

bool rf_polar_construct_list(unsigned log2n, const uint32_t *info, size_t K, uint8_t *frozen, char *err,
                             size_t errlen)
{
    if (!check_polar(log2n, K, err, errlen)) return false;
    const size_t n = (size_t)1 << log2n;
    for (size_t i = 0; i < K; i++)
        if (info[i] >= n)
            return rf_fail(err, errlen, "polar: information index %u is outside [0, %zu)", (unsigned)info[i], n);
    memset(frozen, 1, n);
    for (size_t i = 0; i < K; i++) {
        if (!frozen[info[i]]) {
            memset(frozen, 1, n);
            return rf_fail(err, errlen, "polar: information index %u is listed twice", (unsigned)info[i]);
        }
        frozen[info[i]] = 0;
    }
    return true;
}

void rf_polar_preset_64_7(uint8_t frozen[64])
{
    static const uint32_t info[7] = {47, 55, 59, 60, 61, 62, 63};
    rf_polar_construct_list(6, info, 7, frozen, NULL, 0);
}
