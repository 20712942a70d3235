/* Walsh–Hadamard transform (refast/fht.h): fht_f32 and fht_f32_batch at every usable level, taken
 * from the registry exactly as the harness runs them.
 *
 * Bounds (SPEC §3 `sum` class, u = 2^-24, tau = 8 log2n + 8, S = sum|x|):
 *   |got - exact| <= tau u S   against an independent exact value: the oracle ora_fht (long
 *                              double) for real inputs up to log2n = 12 (it is slow where long
 *                              double is software quad, as on AArch64), and at every size an int64
 *                              transform of integer inputs |x| <= 2^22 (exact, while the float
 *                              partial sums still round);
 *   |got - ref|   <= tau u S   (both sit within log2n u S of the exact value);
 *   |got - exact| <= ((1+u)^log2n - 1) S: what any summation tree of depth log2n with one
 *                              rounding per node guarantees, so an implementation that rounds
 *                              more often than the butterflies do fails it.
 * Vectors sit 0..3 floats past a 64-byte boundary between guard words that must stay untouched.
 * Non-finite inputs: checked against the IEEE pattern predicted from the signs (-1)^popcount(a&i)
 * of the non-finite terms. The batch form must equal a loop of single transforms bit for bit.
 * Inputs come from this file's own generator (splitmix64).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "refast/case.h"
#include "refast/fht.h"
#include "refast/registry.h"
#include "testlib.h"

#define U24 0x1p-24
#define GUARD 32 /* floats of guard on each side; a multiple of 16 keeps the 64-byte alignment */
#define GUARD_BITS 0x7fa5a5a5u /* a signalling NaN, which no arithmetic result can be */

static const unsigned sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20};
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* ---- inputs --------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static float next_signed(void)
{
    return (float)((double)(next_u64() >> 11) * 0x1p-52 - 1.0);
}

typedef enum { IN_UNIFORM, IN_POSITIVE, IN_WIDE, IN_INTEGER } input_kind;

static void fill(float *x, size_t n, input_kind kind)
{
    for (size_t i = 0; i < n; i++) {
        const uint64_t r = next_u64();
        switch (kind) {
        case IN_UNIFORM: x[i] = next_signed(); break;
        case IN_POSITIVE: /* [1, 2): output 0 is as large as S, its rounding errors count fully */
            x[i] = 1.0f + (float)(r >> 40) * 0x1p-24f;
            break;
        case IN_WIDE: /* random signs, magnitudes 2^[-60, 60]: partial sums of wildly mixed size */
            x[i] = ldexpf(1.0f + (float)(r >> 41) * 0x1p-23f, (int)(r % 121) - 60);
            if (r & (1ull << 40)) x[i] = -x[i];
            break;
        case IN_INTEGER: /* |x| <= 2^22: exact in float, the transform is not */
            x[i] = (float)((int64_t)(r % ((1u << 23) + 1)) - (1 << 22));
            break;
        }
    }
}

/* ---- buffers with guards -------------------------------------------------------------------- */

typedef struct guarded {
    float *base; /* 64-byte aligned */
    float *x;    /* base + GUARD + off */
    size_t len;  /* floats in the vector(s) */
    unsigned off;
} guarded;

static void set_guards(float *p, size_t count)
{
    const uint32_t g = GUARD_BITS;
    for (size_t i = 0; i < count; i++) memcpy(p + i, &g, sizeof g);
}

static bool guards_intact(const float *p, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t b;
        memcpy(&b, p + i, sizeof b);
        if (b != GUARD_BITS) return false;
    }
    return true;
}

static guarded guarded_new(size_t len, unsigned off)
{
    guarded g = {0};
    g.base = rf_alloc((GUARD + 3 + len + GUARD) * sizeof(float));
    if (!g.base) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    g.x = g.base + GUARD + off;
    g.len = len;
    g.off = off;
    set_guards(g.base, GUARD + off);
    set_guards(g.x + len, GUARD + 3 - off);
    return g;
}

static bool guarded_ok(const guarded *g)
{
    return guards_intact(g->base, GUARD + g->off) &&
           guards_intact(g->x + g->len, GUARD + 3 - g->off);
}

/* ---- independent exact values --------------------------------------------------------------- */

/* Exact transform of integer inputs (|x| <= 2^22, n <= 2^20: |W| < 2^43). */
static void int_fht(const float *x, unsigned log2n, long double *out)
{
    const size_t n = (size_t)1 << log2n;
    int64_t *w = malloc(n * sizeof *w);
    if (!w) exit(1);
    for (size_t i = 0; i < n; i++) w[i] = (int64_t)x[i];
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t i = 0; i < n; i += 2 * h)
            for (size_t j = i; j < i + h; j++) {
                const int64_t a = w[j], b = w[j + h];
                w[j] = a + b;
                w[j + h] = a - b;
            }
    for (size_t i = 0; i < n; i++) out[i] = (long double)w[i];
    free(w);
}

/* Max over outputs of |got - want| / (u S); counts outputs outside tau (and outside the depth
 * bound) in *bad / *bad_depth. */
static double sum_ratio(const float *got, const long double *want, size_t n, long double S,
                        double tau, double depth, size_t *bad, size_t *bad_depth)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        const long double d = fabsl((long double)got[i] - want[i]);
        const double r = S > 0 ? (double)(d / (U24 * S)) : (d == 0 ? 0 : INFINITY);
        if (!(r <= tau)) (*bad)++;
        if (!(r <= depth)) (*bad_depth)++;
        if (!(r <= worst)) worst = r;
    }
    return worst;
}

/* ---- the checks ----------------------------------------------------------------------------- */

typedef struct impls {
    rf_isa level;
    rf_fht_f32_fn one;
    rf_fht_f32_batch_fn batch;
} impls;

static rf_fht_f32_fn ref_one;

/* One input kind at one size: every level, every offset, against the exact value and ref. */
static void check_values(const impls *lv, int nlv, unsigned log2n, input_kind kind)
{
    const size_t n = (size_t)1 << log2n;
    float *in = malloc(n * sizeof *in), *ref = malloc(n * sizeof *ref);
    long double *want = malloc(n * sizeof *want), *ref_ld = malloc(n * sizeof *ref_ld);
    if (!in || !ref || !want || !ref_ld) exit(1);
    fill(in, n, kind);
    if (kind == IN_INTEGER) int_fht(in, log2n, want);
    else ora_fht(in, log2n, want);
    const long double S = ora_abs_sum(in, n);
    const double tau = 8.0 * log2n + 8.0;
    /* ((1+u)^L - 1), with a hair of slack for evaluating the ratio itself. */
    const double depth = (pow(1.0 + U24, log2n) - 1.0) / U24 * (1.0 + 1e-9);
    memcpy(ref, in, n * sizeof *ref);
    ref_one(ref, log2n);
    for (size_t i = 0; i < n; i++) ref_ld[i] = ref[i];

    for (int l = 0; l < nlv; l++) {
        double worst = 0, worst_ref = 0;
        size_t bad = 0, bad_depth = 0, bad_ref = 0, ignored = 0;
        bool guards = true;
        for (unsigned off = 0; off < 4; off++) {
            guarded g = guarded_new(n, off);
            memcpy(g.x, in, n * sizeof *in);
            lv[l].one(g.x, log2n);
            guards &= guarded_ok(&g);
            double r = sum_ratio(g.x, want, n, S, tau, depth, &bad, &bad_depth);
            if (r > worst) worst = r;
            r = sum_ratio(g.x, ref_ld, n, S, tau, INFINITY, &bad_ref, &ignored);
            if (r > worst_ref) worst_ref = r;
            rf_free(g.base);
        }
        const char *name = rf_isa_name(lv[l].level);
        static const char *const kinds[] = {"uniform", "positive", "wide", "integer"};
        CHECKF(guards, "%s log2n=%u %s: a guard word changed", name, log2n, kinds[kind]);
        CHECKF(bad == 0, "%s log2n=%u %s: %zu outputs beyond tau=%g vs exact (worst %.3g u S)",
               name, log2n, kinds[kind], bad, tau, worst);
        CHECKF(bad_ref == 0, "%s log2n=%u %s: %zu outputs beyond tau=%g vs ref (worst %.3g u S)",
               name, log2n, kinds[kind], bad_ref, tau, worst_ref);
        CHECKF(bad_depth == 0, "%s log2n=%u %s: %zu outputs beyond the depth bound %.4g u S "
               "(worst %.4g u S)", name, log2n, kinds[kind], bad_depth, depth, worst);
        if (log2n == 10 || log2n == 20)
            printf("  %-7s log2n=%-2u %-8s max |got-exact|/(u S) = %.3f, |got-ref|/(u S) = %.3f"
                   " (tau %g)\n", name, log2n, kinds[kind], worst, worst_ref, tau);
    }
    free(in);
    free(ref);
    free(want);
    free(ref_ld);
}

/* Sign of term i in output a: (-1)^popcount(a & i). */
static int term_sign(size_t a, size_t i)
{
    size_t v = a & i;
    int p = 0;
    while (v) {
        p ^= 1;
        v &= v - 1;
    }
    return p ? -1 : 1;
}

/* Finite random values plus non-finite ones at positions pos[] (values val[]); every output must
 * follow IEEE: NaN if a NaN or both infinities appear among its terms, else the one infinity. */
static void check_nonfinite(const impls *lv, int nlv, unsigned log2n, const size_t *pos,
                            const float *val, int k, const char *what)
{
    const size_t n = (size_t)1 << log2n;
    float *in = malloc(n * sizeof *in);
    long double *ora = malloc(n * sizeof *ora);
    if (!in || !ora) exit(1);
    fill(in, n, IN_UNIFORM);
    for (int t = 0; t < k; t++) in[pos[t] & (n - 1)] = val[t];
    ora_fht(in, log2n, ora);
    for (int l = 0; l < nlv; l++) {
        guarded g = guarded_new(n, 1 + (unsigned)l % 3);
        memcpy(g.x, in, n * sizeof *in);
        lv[l].one(g.x, log2n);
        size_t wrong = 0, first = n, disagree_ora = 0;
        for (size_t a = 0; a < n; a++) {
            bool nan = false, pinf = false, ninf = false;
            for (int t = 0; t < k; t++) {
                const float v = val[t] * (float)term_sign(a, pos[t] & (n - 1));
                nan |= isnan(v);
                pinf |= v == INFINITY;
                ninf |= v == -INFINITY;
            }
            const float got = g.x[a];
            bool ok;
            if (nan || (pinf && ninf)) ok = isnan(got);
            else if (pinf) ok = got == INFINITY;
            else if (ninf) ok = got == -INFINITY;
            else ok = isfinite(got);
            if (!ok && first == n) first = a;
            wrong += !ok;
            /* The oracle's IEEE pattern must be the same (NaN meets NaN, inf the same inf). */
            const bool same = isnan(ora[a])   ? isnan(got)
                              : isinf(ora[a]) ? (long double)got == ora[a]
                                              : isfinite(got);
            disagree_ora += !same;
        }
        CHECKF(wrong == 0, "%s log2n=%u %s: %zu outputs with the wrong non-finite pattern "
               "(first at %zu: %g)", rf_isa_name(lv[l].level), log2n, what, wrong, first,
               first < n ? (double)g.x[first] : 0.0);
        CHECKF(disagree_ora == 0, "%s log2n=%u %s: %zu outputs disagree with the oracle's pattern",
               rf_isa_name(lv[l].level), log2n, what, disagree_ora);
        CHECKF(guarded_ok(&g), "%s log2n=%u %s: a guard word changed", rf_isa_name(lv[l].level),
               log2n, what);
        rf_free(g.base);
    }
    free(in);
    free(ora);
}

static void check_nonfinite_all(const impls *lv, int nlv, unsigned log2n)
{
    const size_t n = (size_t)1 << log2n;
    const size_t i = (size_t)(next_u64() % n), j = (i + 1 + (size_t)(next_u64() % (n - 1))) % n;
    const size_t pp[2] = {i, j};
    const float one_inf[1] = {INFINITY};
    const float two_pinf[2] = {INFINITY, INFINITY};
    const float mixed[2] = {INFINITY, -INFINITY};
    const float nan1[1] = {NAN};
    check_nonfinite(lv, nlv, log2n, pp, one_inf, 1, "+inf alone");
    check_nonfinite(lv, nlv, log2n, pp, two_pinf, 2, "+inf,+inf");
    check_nonfinite(lv, nlv, log2n, pp, mixed, 2, "+inf,-inf");
    check_nonfinite(lv, nlv, log2n, pp, nan1, 1, "NaN");
}

/* The batch form equals a loop of single transforms at the same level, bit for bit, and leaves
 * the guards alone (count 0 included). */
static void check_batch(const impls *lv, int nlv, unsigned log2n, size_t count, unsigned off)
{
    const size_t n = (size_t)1 << log2n;
    float *in = malloc((count ? count : 1) * n * sizeof *in);
    if (!in) exit(1);
    fill(in, count * n, (count & 1) ? IN_UNIFORM : IN_WIDE);
    for (int l = 0; l < nlv; l++) {
        guarded a = guarded_new(count * n, off), b = guarded_new(count * n, off);
        memcpy(a.x, in, count * n * sizeof *in);
        memcpy(b.x, in, count * n * sizeof *in);
        for (size_t v = 0; v < count; v++) lv[l].one(a.x + v * n, log2n);
        lv[l].batch(b.x, log2n, count);
        CHECKF(memcmp(a.base, b.base, (GUARD + 3 + count * n + GUARD) * sizeof(float)) == 0,
               "%s log2n=%u count=%zu off=%u: batch differs from single transforms",
               rf_isa_name(lv[l].level), log2n, count, off);
        CHECKF(guarded_ok(&b), "%s log2n=%u count=%zu: batch changed a guard word",
               rf_isa_name(lv[l].level), log2n, count);
        rf_free(a.base);
        rf_free(b.base);
    }
    free(in);
}

int main(void)
{
    const rf_impl_set ones = rf_test_level_impls("fht_f32"), batches = rf_test_level_impls("fht_f32_batch");
    CHECK(ones.n == batches.n && ones.n > 0);
    const int nlv = (int)(ones.n < batches.n ? ones.n : batches.n);
    impls lv[RF_MAX_IMPLS];
    for (int l = 0; l < nlv; l++) {
        const rf_impl *one = &ones.at[l], *batch = &batches.at[l];
        lv[l].level = one->level;
        lv[l].one = (rf_fht_f32_fn)one->fn;
        lv[l].batch = (rf_fht_f32_batch_fn)batch->fn;
        /* Every level has its own FHT: a fallback here would test ref under another name. */
        CHECKF(one->fn && batch->fn && one->provided_by == one->level && batch->level == one->level &&
                   batch->provided_by == batch->level,
               "level %s: fht implementations missing or falling back", one->label);
        if (!lv[l].one || !lv[l].batch) return rf_test_summary("test_fht");
        printf("level %s\n", one->label);
    }
    if (nlv == 0) return rf_test_summary("test_fht");
    CHECK(lv[0].level == RF_ISA_SCALAR);
    ref_one = lv[0].one;

    for (size_t s = 0; s < NSIZES; s++) {
        const unsigned lg = sizes[s];
        if (lg <= 12) {
            check_values(lv, nlv, lg, IN_UNIFORM);
            check_values(lv, nlv, lg, IN_POSITIVE);
            check_values(lv, nlv, lg, IN_WIDE);
            check_nonfinite_all(lv, nlv, lg);
        }
        check_values(lv, nlv, lg, IN_INTEGER);
    }

    /* Batch: every count up to past two full chunks of the packed short-vector paths (256
     * floats for avx512) and their tails, at every offset. */
    for (unsigned lg = 1; lg <= 12; lg++) {
        const size_t maxcount = lg <= 8 ? (600u >> lg) + 3 : 3;
        for (size_t count = 0; count <= maxcount; count++)
            check_batch(lv, nlv, lg, count, (unsigned)count % 4);
    }
    check_batch(lv, nlv, 16, 2, 3);
    check_batch(lv, nlv, 20, 1, 1);

    return rf_test_summary("test_fht");
}
