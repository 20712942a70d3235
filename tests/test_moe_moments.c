/* Score-tensor moment sums (refast/moe_moments.h): moe_t2/t3/t4_sum_f64 at every usable level and
 * the openblas peer, taken from the registry exactly as the harness runs them.
 *
 * - Packed index functions: the lexicographic walk over a <= b [<= c [<= e]] meets indices 0, 1,
 *   2, ... in order (a bijection onto [0, size)).
 * - Against a naive long double computation written here from the definition of S_m (each entry
 *   evaluated at its full index tuple, no packing, no raw moments): for odd d (T2: 1, 2, 7, 33;
 *   T3: 1, 2, 7, 33, 65; T4: 1, 5, 17) and lengths 0..3*8+1 samples plus lengths that cross blocks
 *   and panels, inputs and outputs misaligned (x and w one double past a 64-byte boundary, output
 *   between guard words that must stay untouched):
 *     |got - naive| <= (RF_MOE_BLOCK + ceil(log2 n) + 16) u S,  S = sum |terms|
 *   (the header's bound plus 2 u S for the naive long double sum itself). For d <= 7 and
 *   n <= 25 every one of the d^m full index tuples is also checked, at the packed entry of its
 *   sorted tuple (symmetry of the packed storage).
 * - The streaming accumulator equals one kernel call over the same samples divided by n, and two
 *   different splits into chunks agree, both to twice the bound.
 * - NaN/inf: samples with NaN, +-inf and zeros placed so that some entries get NaN, some +inf, some
 *   -inf: every level, the peer and the oracle (oracle/moe_moments.c) agree entry by entry on
 *   NaN / +inf / -inf / finite.
 * - Symmetry: permuting the coordinates of x permutes the entries (to twice the bound).
 * - d limits: rf_moe_tacc_init refuses d = 0, d > 256 (T2, T3) and d > 64 (T4).
 * Inputs come from this file's own seeded stream of the testlib generator (rf_test_gauss: splitmix64 +
 * Box–Muller).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_moe_moments.h"
#include "refast/case.h"
#include "refast/moe_moments.h"
#include "moe_sums.h"
#include "refast/registry.h"
#include "testlib.h"
#include "moe/tacc.h"

#define U53 0x1p-53

static uint64_t rng = 0x9e3779b97f4a7c15ull; /* this file's rf_test_* stream (testlib.h) */

static unsigned ceil_log2(size_t n)
{
    unsigned l = 0;
    while (((size_t)1 << l) < n) l++;
    return l;
}

static double bound_tau(size_t n)
{
    return RF_MOE_BLOCK + ceil_log2(n ? n : 1) + 16.0;
}

static size_t packed_size(unsigned order, size_t d)
{
    return order == 2 ? rf_sym2_size(d) : order == 3 ? rf_sym3_size(d) : rf_sym4_size(d);
}

static size_t packed_index(unsigned order, size_t d, const size_t *ix)
{
    return order == 2 ? rf_sym2_index(d, ix[0], ix[1])
         : order == 3 ? rf_sym3_index(d, ix[0], ix[1], ix[2])
                      : rf_sym4_index(d, ix[0], ix[1], ix[2], ix[3]);
}

/* Next nondecreasing tuple in lexicographic order; 0 at the end. */
static int next_tuple(size_t *ix, unsigned order, size_t d)
{
    for (unsigned j = order; j-- > 0;) {
        if (ix[j] + 1 < d) {
            ix[j]++;
            for (unsigned t = j + 1; t < order; t++) ix[t] = ix[j];
            return 1;
        }
    }
    return 0;
}

/* ---- the implementations under test ----------------------------------------------------------- */

typedef struct impl {
    const char *name;
    rf_moe_t2_sum_f64_fn fn;
} impl;

static int impls_of(unsigned order, impl *out)
{
    static const char *const names[] = {"moe_t2_sum_f64", "moe_t3_sum_f64", "moe_t4_sum_f64"};
    rf_impl im[RF_MAX_IMPLS];
    const size_t nim = rf_test_impls(rf_kernel_find(names[order - 2]), true, im);
    static char labels[RF_MAX_IMPLS][32];
    int n = 0;
    for (size_t i = 0; i < nim; i++) {
        if (im[i].kind == RF_IMPL_AUTOVEC) continue;
        if (im[i].kind == RF_IMPL_LEVEL && im[i].level != RF_ISA_SCALAR && im[i].provided_by != im[i].level)
            continue; /* a fallback is tested as its own level */
        snprintf(labels[n], sizeof labels[n], "%s", im[i].label);
        out[n] = (impl){labels[n], (rf_moe_t2_sum_f64_fn)im[i].fn};
        n++;
    }
    return n;
}

/* ---- the naive computation -------------------------------------------------------------------- */

/* sum_i w_i S_m(x_i) at the index tuple ix (any order of indices), with S = sum |terms|. */
static long double naive_entry(unsigned order, const double *x, const double *w, size_t n, size_t d,
                               const size_t *ix, long double *scale)
{
    long double sum = 0, abs = 0;
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        const long double wi = w[i];
        long double t = wi;
        for (unsigned j = 0; j < order; j++) t *= xi[ix[j]];
        sum += t;
        abs += fabsl(t);
        /* Every way to choose 2 of the indices to carry the delta: -w (product of the others);
         * order 4 also every split into two deltas: +w. */
        for (unsigned p = 0; p < order; p++)
            for (unsigned q = p + 1; q < order; q++) {
                if (ix[p] != ix[q]) continue;
                long double r = -wi;
                for (unsigned j = 0; j < order; j++)
                    if (j != p && j != q) r *= xi[ix[j]];
                sum += r;
                abs += fabsl(r);
            }
        if (order == 4) {
            const int k = (ix[0] == ix[1] && ix[2] == ix[3]) + (ix[0] == ix[2] && ix[1] == ix[3]) +
                          (ix[0] == ix[3] && ix[1] == ix[2]);
            sum += k * wi;
            abs += k * fabsl(wi);
        }
    }
    *scale = abs;
    return sum;
}

/* ---- buffers ---------------------------------------------------------------------------------- */

#define GUARD 8
static const uint64_t guard_bits = 0x7ff4a5a5a5a5a5a5ull; /* a signalling NaN */

typedef struct guarded {
    double *base, *p;
    size_t n;
} guarded;

static guarded guarded_alloc(size_t n)
{
    guarded g;
    g.n = n;
    g.base = rf_alloc((n + 2 * GUARD + 1) * sizeof(double));
    g.p = g.base + GUARD + 1; /* 8 bytes past the 64-byte boundary */
    for (size_t k = 0; k < n + 2 * GUARD + 1; k++) memcpy(&g.base[k], &guard_bits, 8);
    return g;
}

static int guards_intact(const guarded *g)
{
    for (size_t k = 0; k < GUARD + 1; k++)
        if (memcmp(&g->base[k], &guard_bits, 8) != 0) return 0;
    for (size_t k = 0; k < GUARD; k++)
        if (memcmp(&g->p[g->n + k], &guard_bits, 8) != 0) return 0;
    return 1;
}

static void fill_gauss(double *x, size_t count)
{
    for (size_t k = 0; k < count; k++) x[k] = rf_test_gauss(&rng);
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_indices(void)
{
    for (unsigned order = 2; order <= 4; order++)
        for (size_t d = 1; d <= 12; d++) {
            size_t ix[4] = {0, 0, 0, 0}, k = 0;
            int ok = 1;
            do ok &= packed_index(order, d, ix) == k++;
            while (next_tuple(ix, order, d));
            CHECKF(ok && k == packed_size(order, d), "order %u d %zu: walk %zu of %zu", order, d, k,
                   packed_size(order, d));
        }
    /* Large d: first, last and a few inner entries. */
    CHECK(rf_sym3_index(256, 0, 0, 0) == 0);
    CHECK(rf_sym3_index(256, 255, 255, 255) == rf_sym3_size(256) - 1);
    CHECK(rf_sym3_index(256, 0, 0, 255) == 255 && rf_sym3_index(256, 0, 1, 1) == 256);
    CHECK(rf_sym4_index(64, 63, 63, 63, 63) == rf_sym4_size(64) - 1);
    CHECK(rf_sym2_index(256, 1, 1) == 256 && rf_sym2_index(256, 255, 255) == rf_sym2_size(256) - 1);
}

/* One data set against every implementation; returns the worst ratio |err| / (u S). */
static void check_against_naive(unsigned order, size_t d, size_t n)
{
    impl im[RF_ISA_COUNT + 1];
    const int ni = impls_of(order, im);
    const size_t size = packed_size(order, d);
    guarded gx = guarded_alloc(n * d), gw = guarded_alloc(n);
    fill_gauss(gx.p, n * d);
    fill_gauss(gw.p, n);
    if (n > 3) gw.p[n / 2] = 0.0; /* a zero weight */
    long double *want = malloc(size * sizeof *want), *scale = malloc(size * sizeof *scale);
    size_t ix[4] = {0, 0, 0, 0}, k = 0;
    do want[k] = naive_entry(order, gx.p, gw.p, n, d, ix, &scale[k]), k++;
    while (next_tuple(ix, order, d));
    const double tau = bound_tau(n);
    /* For small d and n: the naive value at every one of the d^m full index tuples, and the packed
     * index of its sorted tuple. */
    size_t total = 0;
    if (d <= 7 && n > 0 && n <= 25) total = order == 2 ? d * d : order == 3 ? d * d * d : d * d * d * d;
    long double *full_want = total ? malloc(total * sizeof *full_want) : NULL;
    long double *full_scale = total ? malloc(total * sizeof *full_scale) : NULL;
    size_t *full_packed = total ? malloc(total * sizeof *full_packed) : NULL;
    for (size_t f = 0; f < total; f++) {
        size_t full[4], sorted[4], r = f;
        for (unsigned j = order; j-- > 0;) full[j] = r % d, r /= d;
        memcpy(sorted, full, sizeof sorted);
        for (unsigned a = 0; a < order; a++)
            for (unsigned b = a + 1; b < order; b++)
                if (sorted[b] < sorted[a]) {
                    const size_t t = sorted[a];
                    sorted[a] = sorted[b];
                    sorted[b] = t;
                }
        full_want[f] = naive_entry(order, gx.p, gw.p, n, d, full, &full_scale[f]);
        full_packed[f] = packed_index(order, d, sorted);
    }
    for (int m = 0; m < ni; m++) {
        guarded go = guarded_alloc(size);
        im[m].fn(gx.p, gw.p, n, d, go.p);
        double worst = 0;
        size_t bad = 0;
        for (size_t e = 0; e < size; e++) {
            const double err = fabs((double)((long double)go.p[e] - want[e]));
            const double lim = tau * U53 * (double)scale[e];
            if (!(err <= lim)) bad++;
            const double ratio = scale[e] > 0 ? err / (U53 * (double)scale[e]) : 0.0;
            if (ratio > worst) worst = ratio;
        }
        CHECKF(bad == 0, "T%u d=%zu n=%zu %s: %zu entries outside %.0f u S (worst ratio %.1f)", order,
               d, n, im[m].name, bad, tau, worst);
        CHECKF(guards_intact(&go), "T%u d=%zu n=%zu %s wrote outside its output", order, d, n,
               im[m].name);
        if (full_want) {
            /* The full tensor from the packed one: every permutation of a tuple maps to it. */
            int sym = 1;
            for (size_t f = 0; f < total; f++)
                sym &= fabs((double)((long double)go.p[full_packed[f]] - full_want[f])) <=
                       tau * U53 * (double)full_scale[f];
            CHECKF(sym, "T%u d=%zu n=%zu %s: full tensor not symmetric to the bound", order, d, n,
                   im[m].name);
        }
        rf_free(go.base);
    }
    CHECK(guards_intact(&gx) && guards_intact(&gw));
    free(full_want);
    free(full_scale);
    free(full_packed);
    free(want);
    free(scale);
    rf_free(gx.base);
    rf_free(gw.base);
}

static void test_naive(void)
{
    /* Every length 0..25 (3 registers of 8 + 1) at small d; at large d (where the long double
     * reference is slow under emulation) the lengths around the register multiples. */
    static const size_t d2[] = {1, 2, 7, 33}, d3[] = {1, 2, 7, 33, 65}, d4[] = {1, 5, 17};
    static const size_t some_n[] = {0, 1, 2, 7, 8, 9, 16, 17, 24, 25};
    for (size_t i = 0; i < sizeof d2 / sizeof *d2; i++)
        for (size_t n = 0; n <= 25; n++) check_against_naive(2, d2[i], n);
    for (size_t i = 0; i < sizeof d3 / sizeof *d3; i++)
        for (size_t j = 0; j < (d3[i] > 7 ? sizeof some_n / sizeof *some_n : 26); j++)
            if (d3[i] < 65 || some_n[j] % 8 == 1 || some_n[j] == 0)
                check_against_naive(3, d3[i], d3[i] > 7 ? some_n[j] : j);
    for (size_t i = 0; i < sizeof d4 / sizeof *d4; i++)
        for (size_t j = 0; j < (d4[i] > 7 ? sizeof some_n / sizeof *some_n : 26); j++)
            check_against_naive(4, d4[i], d4[i] > 7 ? some_n[j] : j);
    /* Across blocks and panels (8 blocks of 64 per panel at small d). */
    check_against_naive(2, 7, 1061);
    check_against_naive(3, 7, 1061);
    check_against_naive(3, 33, 577);
    check_against_naive(3, 65, 67); /* 65 > 64: a second block */
    check_against_naive(4, 5, 1061);
    check_against_naive(4, 17, 130);
}

/* Streaming accumulator vs one call, and two splits against each other. */
static void test_stream(void)
{
    for (unsigned order = 2; order <= 4; order++) {
        const size_t d = order == 4 ? 6 : 11, n = 2000, size = packed_size(order, d);
        double *x = malloc(n * d * sizeof *x), *w = malloc(n * sizeof *w);
        fill_gauss(x, n * d);
        fill_gauss(w, n);
        double *one = malloc(size * sizeof *one), *m1 = malloc(size * sizeof *m1),
               *m2 = malloc(size * sizeof *m2);
        rf_moe_t2_sum_f64(x, w, 0, d, one); /* n = 0 is harmless for any order: overwritten below */
        if (order == 2) rf_moe_t2_sum_f64(x, w, n, d, one);
        else if (order == 3) rf_moe_t3_sum_f64(x, w, n, d, one);
        else rf_moe_t4_sum_f64(x, w, n, d, one);
        static const size_t split1[] = {1, 63, 64, 65, 500, 7, 1300}; /* sums to 2000 */
        rf_moe_tacc a, b;
        CHECK(rf_moe_tacc_init(&a, order, d) == 0 && rf_moe_tacc_init(&b, order, d) == 0);
        size_t at = 0;
        for (size_t c = 0; c < sizeof split1 / sizeof *split1; c++) {
            rf_moe_tacc_add(&a, x + at * d, w + at, split1[c]);
            at += split1[c];
        }
        for (size_t i = 0; i < n; i += 250) rf_moe_tacc_add(&b, x + i * d, w + i, 250);
        rf_moe_tacc_add(&b, x, w, 0); /* an empty chunk changes nothing */
        CHECK(at == n && a.n == n && b.n == n);
        rf_moe_tacc_mean(&a, m1);
        rf_moe_tacc_mean(&b, m2);
        const double tau = 2 * bound_tau(n);
        size_t ix[4] = {0, 0, 0, 0}, k = 0, bad1 = 0, bad2 = 0;
        do {
            long double sc;
            naive_entry(order, x, w, n, d, ix, &sc);
            const double lim = tau * U53 * (double)sc / (double)n;
            if (!(fabs(m1[k] - one[k] / (double)n) <= lim)) bad1++;
            if (!(fabs(m1[k] - m2[k]) <= lim)) bad2++;
            k++;
        } while (next_tuple(ix, order, d));
        CHECKF(bad1 == 0, "T%u accumulator vs one call: %zu entries outside the bound", order, bad1);
        CHECKF(bad2 == 0, "T%u two splits: %zu entries outside the bound", order, bad2);
        rf_moe_tacc_free(&a);
        rf_moe_tacc_free(&b);
        free(x);
        free(w);
        free(one);
        free(m1);
        free(m2);
    }
    rf_moe_tacc e;
    CHECK(rf_moe_tacc_init(&e, 3, 4) == 0);
    double out[20];
    rf_moe_tacc_mean(&e, out);
    CHECK(out[0] == 0.0 && out[19] == 0.0); /* no samples: zeros */
    rf_moe_tacc_free(&e);
}

static int klass(double v)
{
    return isnan(v) ? 0 : v == INFINITY ? 1 : v == -INFINITY ? 2 : 3;
}

/* variant 0: non-finite coordinates and a zero weight next to an infinite coordinate; variant 1:
 * one infinite weight (every entry then has infinite terms: +-inf or NaN, never finite). */
static void test_nonfinite(void)
{
    for (unsigned order = 2; order <= 4; order++)
        for (int variant = 0; variant < 2; variant++) {
            impl im[RF_ISA_COUNT + 1];
            const int ni = impls_of(order, im);
            const size_t d = order == 4 ? 9 : 19, n = 150, size = packed_size(order, d);
            double *x = malloc(n * d * sizeof *x), *w = malloc(n * sizeof *w);
            fill_gauss(x, n * d);
            fill_gauss(w, n);
            if (variant == 0) {
                x[3 * d + 2] = INFINITY;  /* +inf x_2: +-inf raw terms, NaN with a correction */
                x[7 * d + 5] = -INFINITY; /* -inf x_5 */
                x[7 * d + (d - 1)] = 0.0; /* in the same sample: inf * 0 = NaN */
                x[40 * d + 8] = NAN;      /* NaN x_8 */
                w[91] = 0.0;
                x[91 * d + 1] = INFINITY; /* 0 * inf = NaN in the entries with coordinate 1 */
            } else {
                w[90] = -INFINITY;
            }
            long double *want = malloc(size * sizeof *want), *scale = malloc(size * sizeof *scale);
            CHECK(ora_moe_tsum(order, x, w, n, d, want, scale) == 0);
            int counts[4] = {0, 0, 0, 0};
            for (size_t k = 0; k < size; k++) counts[klass((double)want[k])]++;
            if (variant == 0)
                CHECKF(counts[0] > 0 && counts[1] > 0 && counts[2] > 0 && counts[3] > 0,
                       "T%u: the data should give NaN, +inf, -inf and finite entries (%d %d %d %d)",
                       order, counts[0], counts[1], counts[2], counts[3]);
            else
                CHECKF(counts[3] == 0 && counts[1] + counts[2] > 0,
                       "T%u: an infinite weight leaves no entry finite (%d %d %d %d)", order,
                       counts[0], counts[1], counts[2], counts[3]);
            for (int m = 0; m < ni; m++) {
                double *got = malloc(size * sizeof *got);
                im[m].fn(x, w, n, d, got);
                size_t diff = 0;
                for (size_t k = 0; k < size; k++) diff += klass(got[k]) != klass((double)want[k]);
                CHECKF(diff == 0, "T%u variant %d %s: %zu entries differ from the oracle in NaN/inf/finite",
                       order, variant, im[m].name, diff);
                free(got);
            }
            free(want);
            free(scale);
            free(x);
            free(w);
        }
}

/* Permuting the coordinates of x permutes the entries. */
static void test_permutation(void)
{
    for (unsigned order = 2; order <= 4; order++) {
        impl im[RF_ISA_COUNT + 1];
        const int ni = impls_of(order, im);
        const size_t d = order == 4 ? 10 : 21, n = 300, size = packed_size(order, d);
        double *x = malloc(n * d * sizeof *x), *xp = malloc(n * d * sizeof *xp), *w = malloc(n * sizeof *w);
        size_t perm[32];
        for (size_t a = 0; a < d; a++) perm[a] = a;
        for (size_t a = d - 1; a > 0; a--) {
            const size_t j = rf_test_u64(&rng) % (a + 1), t = perm[a];
            perm[a] = perm[j];
            perm[j] = t;
        }
        fill_gauss(x, n * d);
        fill_gauss(w, n);
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < d; a++) xp[i * d + perm[a]] = x[i * d + a];
        long double *sc = malloc(size * sizeof *sc);
        {
            size_t ix[4] = {0, 0, 0, 0}, k = 0;
            do naive_entry(order, x, w, n, d, ix, &sc[k++]);
            while (next_tuple(ix, order, d));
        }
        for (int m = 0; m < ni; m++) {
            double *t = malloc(size * sizeof *t), *tp = malloc(size * sizeof *tp);
            im[m].fn(x, w, n, d, t);
            im[m].fn(xp, w, n, d, tp);
            size_t ix[4] = {0, 0, 0, 0}, k = 0, bad = 0;
            do {
                size_t q[4];
                for (unsigned j = 0; j < order; j++) q[j] = perm[ix[j]];
                for (unsigned a = 0; a < order; a++)
                    for (unsigned b = a + 1; b < order; b++)
                        if (q[b] < q[a]) {
                            size_t s = q[a];
                            q[a] = q[b];
                            q[b] = s;
                        }
                if (!(fabs(t[k] - tp[packed_index(order, d, q)]) <= 2 * bound_tau(n) * U53 * (double)sc[k]))
                    bad++;
                k++;
            } while (next_tuple(ix, order, d));
            CHECKF(bad == 0, "T%u %s: %zu entries do not follow the permutation", order, im[m].name, bad);
            free(t);
            free(tp);
        }
        free(sc);
        free(x);
        free(xp);
        free(w);
    }
}

static void test_limits(void)
{
    rf_moe_tacc a;
    CHECK(rf_moe_tacc_init(&a, 3, 0) == -1);
    CHECK(rf_moe_tacc_init(&a, 3, RF_MOE_T3_MAX_D + 1) == -1);
    CHECK(rf_moe_tacc_init(&a, 2, RF_MOE_T3_MAX_D + 1) == -1);
    CHECK(rf_moe_tacc_init(&a, 4, RF_MOE_T4_MAX_D + 1) == -1);
    CHECK(rf_moe_tacc_init(&a, 5, 3) == -1 && rf_moe_tacc_init(&a, 1, 3) == -1);
    CHECK(rf_moe_tacc_init(&a, 4, RF_MOE_T4_MAX_D) == 0);
    CHECK(a.size == rf_sym4_size(64));
    rf_moe_tacc_free(&a);
    /* The largest T3 at every level: one sample, against the naive value at a few entries. */
    const size_t d = RF_MOE_T3_MAX_D, size = rf_sym3_size(d);
    double *x = malloc(2 * d * sizeof *x), w[2] = {0.75, -1.25};
    fill_gauss(x, 2 * d);
    impl im[RF_ISA_COUNT + 1];
    const int ni = impls_of(3, im);
    double *t = malloc(size * sizeof *t);
    for (int m = 0; m < ni; m++) {
        if (strcmp(im[m].name, "openblas") == 0) continue; /* its full d^3 tensor is 134 MB here */
        im[m].fn(x, w, 2, d, t);
        static const size_t probe[][3] = {{0, 0, 0},       {0, 0, 255},     {3, 3, 3},
                                          {17, 200, 200}, {255, 255, 255}, {100, 101, 102}};
        int ok = 1;
        for (size_t p = 0; p < 6; p++) {
            long double sc;
            const long double v = naive_entry(3, x, w, 2, d, probe[p], &sc);
            const double got = t[rf_sym3_index(d, probe[p][0], probe[p][1], probe[p][2])];
            ok &= fabs((double)((long double)got - v)) <= bound_tau(2) * U53 * (double)sc;
        }
        CHECKF(ok, "T3 d=256 %s", im[m].name);
    }
    free(t);
    free(x);
}

int main(void)
{
    test_indices();
    test_naive();
    test_stream();
    test_nonfinite();
    test_permutation();
    test_limits();
    return rf_test_summary("test_moe_moments");
}
