/* MAP and Soft-MAP of RM(m,1) (refast/softmap.h) at every usable level, and the enumeration
 * kernel, against the enumeration oracle (oracle/softmap.c) and against ref.
 *
 * Bounds (SPEC §3, u = 2^-24, tau = 8 ceil(log2 n) + 8, S per frame as in the registry):
 *   maxlog  |got - oracle| <= tau u 2 sum|l|        (difference of two correlations)
 *   exact   |got - oracle| <= tau u (sum|l| + 2)    (see kernels/registry/softmap.c)
 *   MAP     bits equal to the oracle's, except at a near-tie: oracle margin <= tau u sum|l|.
 * The LLRs come from this file's own generator (splitmix64 + Box–Muller), not the registry's.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "refast/registry.h"
#include "refast/softmap.h"
#include "testlib.h"

#define U24 0x1p-24
#define MAXM 10
#define K_OF(m) ((m) + 1)

/* ---- inputs --------------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double next_unit(void) /* (0, 1] */
{
    return ((double)(next_u64() >> 11) + 1.0) * 0x1p-53;
}

static double next_gauss(void)
{
    double r = sqrt(-2.0 * log(next_unit()));
    return r * cos(6.283185307179586 * next_unit());
}

/* Canonical RM(m,1) codeword bit i of message bits msg[0..m]. */
static unsigned rm1_bit(const uint8_t *msg, unsigned m, size_t i)
{
    unsigned c = msg[0];
    for (unsigned j = 0; j < m; j++) c ^= ((i >> j) & 1) & msg[j + 1];
    return c;
}

/* frames of BPSK + AWGN LLRs L = 2y/sigma^2 of random messages (written to msgs if non-NULL). */
static void awgn(unsigned m, size_t frames, double sigma, float *llr, uint8_t *msgs)
{
    const size_t n = (size_t)1 << m;
    for (size_t f = 0; f < frames; f++) {
        uint8_t msg[RF_RM1_MAX_M + 1];
        for (unsigned j = 0; j <= m; j++) msg[j] = next_u64() & 1;
        if (msgs) memcpy(msgs + f * K_OF(m), msg, K_OF(m));
        for (size_t i = 0; i < n; i++) {
            double y = (rm1_bit(msg, m, i) ? -1.0 : 1.0) + sigma * next_gauss();
            llr[f * n + i] = (float)(2.0 * y / (sigma * sigma));
        }
    }
}

/* ---- oracle results ------------------------------------------------------------------------- */

typedef struct ref_result {
    uint8_t *bits;       /* frames x k */
    double *maxlog;      /* frames x k */
    double *exact;       /* frames x k */
    double *margin;      /* frames */
    double *abs_sum;     /* frames */
} ref_result;

static void oracle_results(const float *llr, unsigned m, size_t frames, ref_result *r)
{
    const size_t n = (size_t)1 << m, k = K_OF(m), msgs = (size_t)2 << m;
    r->bits = calloc(frames * k + 1, 1);
    r->maxlog = calloc(frames * k + 1, sizeof(double));
    r->exact = calloc(frames * k + 1, sizeof(double));
    r->margin = calloc(frames + 1, sizeof(double));
    r->abs_sum = calloc(frames + 1, sizeof(double));
    uint8_t *gen = malloc(k * n);
    long double *corr = malloc((frames + 1) * msgs * sizeof *corr);
    if (!r->bits || !r->maxlog || !r->exact || !r->margin || !r->abs_sum || !gen || !corr) abort();
    ora_rm1_generator(m, gen);
    if (ora_code_correlations(llr, frames, n, (unsigned)k, gen, corr)) abort();
    for (size_t f = 0; f < frames; f++) {
        long double o[RF_RM1_MAX_M + 1];
        r->margin[f] = (double)ora_rm1_map_from_corr(corr + f * msgs, m, r->bits + f * k);
        ora_softmap_from_corr(corr + f * msgs, (unsigned)k, 1, o);
        for (size_t j = 0; j < k; j++) r->maxlog[f * k + j] = (double)o[j];
        ora_softmap_from_corr(corr + f * msgs, (unsigned)k, 0, o);
        for (size_t j = 0; j < k; j++) r->exact[f * k + j] = (double)o[j];
        r->abs_sum[f] = (double)ora_abs_sum(llr + f * n, n);
    }
    free(gen);
    free(corr);
}

static void free_results(ref_result *r)
{
    free(r->bits);
    free(r->maxlog);
    free(r->exact);
    free(r->margin);
    free(r->abs_sum);
}

static double tau_of(unsigned m)
{
    return 8.0 * m + 8.0; /* 8 ceil(log2 n) + 8 with n = 2^m */
}

/* |got - want| within the bound, NaN meeting NaN. */
static int soft_ok(float got, double want, double bound)
{
    if (isnan(want)) return isnan(got);
    return fabs((double)got - want) <= bound;
}

/* ---- implementations by level ---------------------------------------------------------------- */

typedef struct impls {
    rf_rm1_map_fn map;
    rf_rm1_softmap_maxlog_fn maxlog;
    rf_rm1_softmap_exact_fn exact;
    const char *name;
} impls;

/* The three kernels at every usable level, scalar (ref) first; returns the count. */
static int impls_by_level(impls out[RF_MAX_IMPLS])
{
    const rf_impl_set map = rf_test_level_impls("rm1_map"), maxlog = rf_test_level_impls("rm1_softmap_maxlog"),
                      exact = rf_test_level_impls("rm1_softmap_exact");
    CHECK(map.n == maxlog.n && maxlog.n == exact.n);
    size_t n = 0;
    for (; n < map.n && n < maxlog.n && n < exact.n; n++)
        out[n] = (impls){(rf_rm1_map_fn)map.at[n].fn, (rf_rm1_softmap_maxlog_fn)maxlog.at[n].fn,
                         (rf_rm1_softmap_exact_fn)exact.at[n].fn, rf_isa_name(map.at[n].level)};
    return (int)n;
}

/* ---- sweep: m = 1..10, frames = 0..5, misaligned, guarded -------------------------------------- */

#define GUARD 16

static void check_frames(const impls *im, const impls *ref, unsigned m, size_t frames,
                         const float *llr, const ref_result *r, int offset, long *near_ties,
                         long *decisions)
{
    const size_t k = K_OF(m);
    const double tau = tau_of(m);
    uint8_t *bits_mem = malloc(frames * k + GUARD + 1), *rbits = malloc(frames * k + 1);
    float *soft_mem = malloc((frames * k + GUARD + 1) * sizeof(float));
    float *rsoft = malloc((frames * k + 1) * sizeof(float));
    if (!bits_mem || !rbits || !soft_mem || !rsoft) abort();
    uint8_t *bits = bits_mem + offset;
    float *soft = soft_mem + offset;

    /* MAP */
    memset(bits_mem, 0xA5, frames * k + GUARD + 1);
    im->map(frames ? llr : NULL, m, frames, frames ? bits : NULL);
    ref->map(llr, m, frames, rbits);
    int guard_ok = 1;
    for (size_t i = frames * k + offset; i < frames * k + GUARD + 1; i++) guard_ok &= bits_mem[i] == 0xA5;
    for (int i = 0; i < offset; i++) guard_ok &= bits_mem[i] == 0xA5;
    CHECKF(guard_ok, "%s rm1_map m=%u frames=%zu wrote outside its output", im->name, m, frames);
    for (size_t f = 0; f < frames; f++) {
        int same = memcmp(bits + f * k, r->bits + f * k, k) == 0;
        int same_ref = memcmp(bits + f * k, rbits + f * k, k) == 0;
        int near = r->margin[f] <= tau * U24 * r->abs_sum[f];
        *decisions += (long)k;
        if ((!same || !same_ref) && near) (*near_ties)++;
        CHECKF(same || near, "%s rm1_map m=%u frame %zu differs from the oracle (margin %g)",
               im->name, m, f, r->margin[f]);
        CHECKF(same_ref || near, "%s rm1_map m=%u frame %zu differs from ref", im->name, m, f);
    }

    /* maxlog and exact: vs oracle, and vs ref (both within the bound => within twice it) */
    for (int kind = 0; kind < 2; kind++) {
        rf_rm1_softmap_maxlog_fn fn = kind ? im->exact : im->maxlog, rfn = kind ? ref->exact : ref->maxlog;
        const double *want = kind ? r->exact : r->maxlog;
        const char *kname = kind ? "exact" : "maxlog";
        for (size_t i = 0; i < frames * k + GUARD + 1; i++) soft_mem[i] = -12345.0f;
        fn(frames ? llr : NULL, m, frames, frames ? soft : NULL);
        rfn(llr, m, frames, rsoft);
        guard_ok = 1;
        for (size_t i = frames * k + offset; i < frames * k + GUARD + 1; i++)
            guard_ok &= soft_mem[i] == -12345.0f;
        for (int i = 0; i < offset; i++) guard_ok &= soft_mem[i] == -12345.0f;
        CHECKF(guard_ok, "%s %s m=%u frames=%zu wrote outside its output", im->name, kname, m, frames);
        int all_ok = 1, all_ref = 1;
        double worst = 0.0;
        for (size_t f = 0; f < frames; f++) {
            double s = kind ? r->abs_sum[f] + 2.0 : 2.0 * r->abs_sum[f];
            for (size_t j = 0; j < k; j++) {
                float g = soft[f * k + j];
                int ok = soft_ok(g, want[f * k + j], tau * U24 * s);
                if (!ok && all_ok)
                    fprintf(stderr, "  %s %s m=%u frame %zu bit %zu: got %.9g want %.9g bound %g\n",
                            im->name, kname, m, f, j, g, want[f * k + j], tau * U24 * s);
                all_ok &= ok;
                all_ref &= soft_ok(g, rsoft[f * k + j], 2.0 * tau * U24 * s);
                if (isfinite(want[f * k + j]))
                    worst = fmax(worst, fabs(g - want[f * k + j]) / (U24 * s));
            }
        }
        CHECKF(all_ok, "%s %s m=%u frames=%zu vs oracle (worst ratio %.2f, tau %g)", im->name,
               kname, m, frames, worst, tau);
        CHECKF(all_ref, "%s %s m=%u frames=%zu vs ref", im->name, kname, m, frames);
    }
    free(bits_mem);
    free(rbits);
    free(soft_mem);
    free(rsoft);
}

static void test_sweep(const impls *all, int nlev)
{
    static const double sigmas[] = {0.5, 1.0, 2.0};
    const impls ref = all[0];
    long near_ties = 0, decisions = 0;
    rng_state = 1;
    for (unsigned m = 1; m <= MAXM; m++)
        for (size_t frames = 0; frames <= 5; frames++) {
            const size_t n = (size_t)1 << m;
            float *mem = malloc((frames * n + 1) * sizeof(float));
            if (!mem) abort();
            float *llr = mem + ((m + frames) & 1); /* every other call misaligned by one float */
            awgn(m, frames, sigmas[(m + frames) % 3], llr, NULL);
            ref_result r;
            oracle_results(llr, m, frames, &r);
            for (int l = 0; l < nlev; l++) {
                impls im = all[l];
                check_frames(&im, &ref, m, frames, llr, &r, (int)(frames & 1), &near_ties,
                             &decisions);
            }
            free_results(&r);
            free(mem);
        }
    CHECKF(near_ties <= 1e-4 * (double)decisions, "%ld near-tie flips in %ld decisions", near_ties,
           decisions);
}

/* Out-of-range m writes nothing; frames = 0 reads and writes nothing (NULL pointers). */
static void test_no_touch(const impls *all, int nlev)
{
    for (int l = 0; l < nlev; l++) {
        impls im = all[l];
        float llr[4] = {1, 2, 3, 4}, out[8];
        uint8_t bits[8];
        for (unsigned m = 0; m <= 17; m += 17) {
            memset(bits, 0x5A, sizeof bits);
            for (int i = 0; i < 8; i++) out[i] = 7.0f;
            im.map(llr, m, 1, bits);
            im.maxlog(llr, m, 1, out);
            im.exact(llr, m, 1, out);
            int untouched = 1;
            for (int i = 0; i < 8; i++) untouched &= bits[i] == 0x5A && out[i] == 7.0f;
            CHECKF(untouched, "%s: m=%u wrote output", im.name, m);
        }
        im.map(NULL, 5, 0, NULL);
        im.maxlog(NULL, 5, 0, NULL);
        im.exact(NULL, 5, 0, NULL);
        CHECK(1); /* reached: frames = 0 with NULL pointers did not fault */
    }
    rf_softmap_enum(NULL, 4, 4, NULL, 0, 0, NULL);
}

/* ---- the tie rule on hand-built exact ties ---------------------------------------------------- */

/* l = sum_r coef[r] h_{rows[r]}: W = n coef[r] at rows[r] and 0 elsewhere, exactly. */
static void hadamard_mix(unsigned m, const size_t *rows, const int *coef, unsigned cnt, float *llr)
{
    const size_t n = (size_t)1 << m;
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (unsigned r = 0; r < cnt; r++) v += __builtin_parityll(rows[r] & i) ? -coef[r] : coef[r];
        llr[i] = (float)v;
    }
}

typedef struct tie_case {
    unsigned m;
    unsigned cnt;
    size_t rows[4];
    int coef[4];
    size_t astar; /* expected: the lowest index among the equal maxima */
    int b0;       /* expected: [W(a*) < 0] */
    const char *why;
} tie_case;

static void test_ties(const impls *all, int nlev)
{
    static const tie_case cases[] = {
        {3, 2, {5, 2}, {1, 1}, 2, 0, "W(2) = W(5) = 8: lowest index 2"},
        {3, 2, {6, 3}, {-1, 1}, 3, 0, "W(3) = 8, W(6) = -8: |W| tie, 3 wins, W(3) > 0"},
        {3, 3, {7, 6, 3}, {1, -1, -1}, 3, 1, "W(3) = W(6) = -8, W(7) = 8: 3 wins, b0 = 1"},
        {3, 2, {1, 0}, {1, -1}, 0, 1, "W(0) = -8, W(1) = 8: index 0 wins, b0 = 1"},
        {3, 0, {0}, {0}, 0, 0, "all W = 0: a* = 0 and b0 = [0 < 0] = 0"},
        {6, 4, {63, 40, 17, 9}, {-2, 2, -2, 2}, 9, 0, "four rows tie at 128: 9 wins"},
        {6, 4, {63, 40, 9, 17}, {3, -3, -3, 1}, 9, 1, "9 and 40 and 63 tie at 192, 17 is lower"},
        {10, 3, {1023, 512, 700}, {-1, 1, 1}, 512, 0, "m = 10: 512 < 700 < 1023"},
        {5, 2, {31, 16}, {1, -1}, 16, 1, "16 and 31 across a register boundary (avx2)"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const tie_case *t = &cases[c];
        const size_t n = (size_t)1 << t->m, k = K_OF(t->m);
        float *llr = malloc(n * sizeof *llr);
        if (!llr) abort();
        hadamard_mix(t->m, t->rows, t->coef, t->cnt, llr);
        uint8_t want[RF_RM1_MAX_M + 1], orab[RF_RM1_MAX_M + 1];
        want[0] = (uint8_t)t->b0;
        for (unsigned j = 0; j < t->m; j++) want[j + 1] = (t->astar >> j) & 1;
        /* the oracle agrees with the documented answer */
        ref_result r;
        oracle_results(llr, t->m, 1, &r);
        memcpy(orab, r.bits, k);
        CHECKF(memcmp(orab, want, k) == 0, "oracle breaks the tie rule: %s", t->why);
        CHECKF(r.margin[0] == 0.0, "oracle margin %g on an exact tie: %s", r.margin[0], t->why);
        for (int l = 0; l < nlev; l++) {
            impls im = all[l];
            uint8_t got[RF_RM1_MAX_M + 1];
            float ml[RF_RM1_MAX_M + 1];
            im.map(llr, t->m, 1, got);
            CHECKF(memcmp(got, want, k) == 0, "%s: %s", im.name, t->why);
            /* integer W: maxlog is exact at every level */
            im.maxlog(llr, t->m, 1, ml);
            int exact = 1;
            for (size_t j = 0; j < k; j++) exact &= (double)ml[j] == r.maxlog[j];
            CHECKF(exact, "%s: maxlog not exact on the integer case: %s", im.name, t->why);
        }
        free_results(&r);
        free(llr);
    }
    /* Signed zeros: W(a*) = +-0 gives b0 = 0 and a* = 0. */
    for (int l = 0; l < nlev; l++) {
        impls im = all[l];
        float z[64];
        for (int i = 0; i < 64; i++) z[i] = (i % 3) ? -0.0f : 0.0f;
        uint8_t got[7];
        im.map(z, 6, 1, got);
        int zero = 1;
        for (int j = 0; j < 7; j++) zero &= got[j] == 0;
        CHECKF(zero, "%s: signed-zero frame does not decode to all-zero bits", im.name);
    }
}

/* ---- MAP = block ML by enumeration ------------------------------------------------------------ */

static void test_block_ml(const impls *all, int nlev)
{
    rng_state = 77;
    long errors = 0, frames_total = 0;
    for (unsigned m = 1; m <= 8; m++) {
        const size_t n = (size_t)1 << m, k = K_OF(m), frames = 24;
        float *llr = malloc(frames * n * sizeof *llr);
        uint8_t *sent = malloc(frames * k);
        if (!llr || !sent) abort();
        awgn(m, frames, 1.6, llr, sent); /* low SNR: ML often differs from what was sent */
        for (size_t f = 0; f < frames; f++) {
            /* brute force in double over all 2^(m+1) messages, first strict maximum */
            const float *l = llr + f * n;
            double best = -INFINITY, second = -INFINITY;
            size_t bu = 0;
            for (size_t u = 0; u < ((size_t)2 << m); u++) {
                uint8_t msg[RF_RM1_MAX_M + 1];
                for (size_t j = 0; j < k; j++) msg[j] = (u >> j) & 1;
                double s = 0.0;
                for (size_t i = 0; i < n; i++) s += rm1_bit(msg, m, i) ? -(double)l[i] : l[i];
                if (s > best) {
                    second = best;
                    best = s;
                    bu = u;
                } else if (s > second) {
                    second = s;
                }
            }
            uint8_t ml[RF_RM1_MAX_M + 1];
            for (size_t j = 0; j < k; j++) ml[j] = (bu >> j) & 1;
            errors += memcmp(ml, sent + f * k, k) != 0;
            frames_total++;
            /* a gap of 1e-3 sum|l| is far beyond float rounding of W, so the decision is firm */
            double abs_sum = 0.0;
            for (size_t i = 0; i < n; i++) abs_sum += fabs(l[i]);
            int firm = best - second > 1e-3 * abs_sum;
            for (int lv = 0; lv < nlev && firm; lv++) {
                impls im = all[lv];
                uint8_t got[RF_RM1_MAX_M + 1];
                im.map(l, m, 1, got);
                CHECKF(memcmp(got, ml, k) == 0, "%s: rm1_map m=%u frame %zu is not block ML",
                       im.name, m, f);
            }
        }
        free(llr);
        free(sent);
    }
    /* the comparison has teeth: at this SNR the ML decision is not always the sent message */
    CHECKF(errors > 0 && errors < frames_total, "ML block errors %ld of %ld", errors, frames_total);
}

/* ---- exact vs maxlog/2 ----------------------------------------------------------------------- */

/* Each LSE over N = 2^m terms lies in [max, max + log N], so exact - maxlog/2 = (LSE0 - max0) -
 * (LSE1 - max1) lies in [-m log 2, m log 2] for ANY input. At high SNR the LLRs grow like 2n/sigma^2
 * while the gap stays bounded, so exact / (maxlog/2) -> 1. */
static void test_maxlog_relation(const impls *all, int nlev)
{
    static const double sigmas[] = {0.35, 0.7, 1.5};
    rng_state = 99;
    for (unsigned m = 2; m <= 8; m += 3)
        for (int s = 0; s < 3; s++) {
            const size_t n = (size_t)1 << m, k = K_OF(m), frames = 8;
            float *llr = malloc(frames * n * sizeof *llr);
            float *ml = malloc(frames * k * sizeof *ml), *ex = malloc(frames * k * sizeof *ex);
            if (!llr || !ml || !ex) abort();
            awgn(m, frames, sigmas[s], llr, NULL);
            ref_result r;
            oracle_results(llr, m, frames, &r);
            const double gap = m * log(2.0);
            int ok = 1;
            for (size_t i = 0; i < frames * k; i++)
                ok &= fabs(r.exact[i] - r.maxlog[i] / 2) <= gap * (1 + 1e-12);
            CHECKF(ok, "oracle: |exact - maxlog/2| > m log 2 (m=%u sigma=%g)", m, sigmas[s]);
            for (int l = 0; l < nlev; l++) {
                impls im = all[l];
                im.maxlog(llr, m, frames, ml);
                im.exact(llr, m, frames, ex);
                int within = 1, close = 1;
                for (size_t f = 0; f < frames; f++)
                    for (size_t j = 0; j < k; j++) {
                        const size_t i = f * k + j;
                        /* plus the rounding allowed to each kernel */
                        double slack = tau_of(m) * U24 * (r.abs_sum[f] + 2 + r.abs_sum[f]);
                        within &= fabs(ex[i] - ml[i] / 2.0) <= gap + slack;
                        if (s == 0 && m == 8) close &= fabs(ex[i] - ml[i] / 2.0) <= 0.01 * fabs(ml[i] / 2.0);
                    }
                CHECKF(within, "%s: |exact - maxlog/2| > m log 2 (m=%u sigma=%g)", im.name, m,
                       sigmas[s]);
                /* m = 8, sigma = 0.35: |maxlog/2| ~ (2n/sigma^2 - noise)/2 ~ 1900 >> 100 m log 2 */
                CHECKF(close, "%s: exact not within 1%% of maxlog/2 at sigma 0.35 (m=%u)", im.name, m);
            }
            free_results(&r);
            free(llr);
            free(ml);
            free(ex);
        }
}

/* ---- NaN and infinity -------------------------------------------------------------------------- */

static void test_nonfinite(const impls *all, int nlev)
{
    for (unsigned m = 2; m <= 6; m += 2) {
        const size_t n = (size_t)1 << m, k = K_OF(m), frames = 7;
        float *llr = malloc(frames * n * sizeof *llr);
        if (!llr) abort();
        rng_state = 5;
        awgn(m, frames, 1.0, llr, NULL);
        /* frame 0 finite; 1 NaN; 2 +inf at 0; 3 -inf at 0; 4 +inf at 0 and -inf at 1;
         * 5 +inf at 3; 6 -inf at n-1 */
        llr[1 * n + 1] = NAN;
        llr[2 * n + 0] = INFINITY;
        llr[3 * n + 0] = -INFINITY;
        llr[4 * n + 0] = INFINITY;
        llr[4 * n + 1] = -INFINITY;
        llr[5 * n + 3] = INFINITY;
        llr[6 * n + n - 1] = -INFINITY;
        /* MAP: every W of a non-finite frame is non-finite.
         * 1: all NaN -> a* = 0, b0 = 0.   2: all +inf -> a* = 0, b0 = 0.
         * 3: all -inf -> a* = 0, b0 = 1.  4: W(a) = inf - (-1)^a0 inf: NaN for even a, +inf for
         * odd a -> a* = 1, b0 = 0.  5: W(a) = (-1)^popcount(a&3) inf, W(0) = +inf -> a* = 0, b0 = 0.
         * 6: W(0) = -inf -> a* = 0, b0 = 1. */
        static const size_t astar[7] = {0, 0, 0, 0, 1, 0, 0};
        static const int b0[7] = {0, 0, 0, 1, 0, 0, 1};
        for (int l = 0; l < nlev; l++) {
            impls im = all[l], ref = all[0];
            uint8_t bits[7 * (RF_RM1_MAX_M + 1)], one[RF_RM1_MAX_M + 1];
            im.map(llr, m, frames, bits);
            ref.map(llr, m, 1, one);
            CHECKF(memcmp(bits, one, k) == 0, "%s m=%u: finite frame beside non-finite ones", im.name, m);
            for (size_t f = 1; f < frames; f++) {
                int ok = bits[f * k] == b0[f];
                for (unsigned j = 0; j < m; j++) ok &= bits[f * k + j + 1] == ((astar[f] >> j) & 1);
                CHECKF(ok, "%s m=%u: MAP NaN/inf rule, frame %zu", im.name, m, f);
            }
            float out[7 * (RF_RM1_MAX_M + 1)], fin[RF_RM1_MAX_M + 1];
            for (int kind = 0; kind < 2; kind++) {
                rf_rm1_softmap_maxlog_fn fn = kind ? im.exact : im.maxlog;
                fn(llr, m, frames, out);
                fn(llr, m, 1, fin);
                int ok = 1;
                for (size_t j = 0; j < k; j++) ok &= out[j] == fin[j] && isfinite(out[j]);
                for (size_t i = k; i < frames * k; i++) ok &= isnan(out[i]) != 0;
                CHECKF(ok, "%s m=%u %s: non-finite frames must be all NaN, others unaffected",
                       im.name, m, kind ? "exact" : "maxlog");
            }
        }
        free(llr);
    }
}

/* ---- larger codes (heap scratch) vs ref -------------------------------------------------------- */

static void test_large(const impls *all, int nlev)
{
    const impls ref = all[0];
    rng_state = 1234;
    for (unsigned m = 11; m <= 13; m++) {
        const size_t n = (size_t)1 << m, k = K_OF(m), frames = 3;
        float *llr = malloc(frames * n * sizeof *llr);
        float *a = malloc(frames * k * sizeof *a), *b = malloc(frames * k * sizeof *b);
        uint8_t *x = malloc(frames * k), *y = malloc(frames * k);
        if (!llr || !a || !b || !x || !y) abort();
        awgn(m, frames, 1.0, llr, NULL);
        double abs_sum[3] = {0};
        for (size_t f = 0; f < frames; f++)
            for (size_t i = 0; i < n; i++) abs_sum[f] += fabs(llr[f * n + i]);
        ref.map(llr, m, frames, x);
        for (int l = 1; l < nlev; l++) {
            impls im = all[l];
            im.map(llr, m, frames, y);
            CHECKF(memcmp(x, y, frames * k) == 0, "%s rm1_map m=%u differs from ref", im.name, m);
            for (int kind = 0; kind < 2; kind++) {
                (kind ? ref.exact : ref.maxlog)(llr, m, frames, a);
                (kind ? im.exact : im.maxlog)(llr, m, frames, b);
                int ok = 1;
                for (size_t f = 0; f < frames; f++)
                    for (size_t j = 0; j < k; j++) {
                        double s = kind ? abs_sum[f] + 2 : 2 * abs_sum[f];
                        ok &= fabs(a[f * k + j] - b[f * k + j]) <= 2 * tau_of(m) * U24 * s;
                    }
                CHECKF(ok, "%s %s m=%u differs from ref beyond twice the bound", im.name,
                       kind ? "exact" : "maxlog", m);
            }
        }
        free(llr);
        free(a);
        free(b);
        free(x);
        free(y);
    }
}

/* ---- softmap_enum ---------------------------------------------------------------------------- */

static void check_enum(const char *what, const uint8_t *gen, size_t n, unsigned k, double sigma)
{
    const size_t frames = 40, msgs = (size_t)1 << k;
    float *llr = malloc(frames * n * sizeof *llr), *out = malloc(frames * k * sizeof *out);
    long double *corr = malloc(msgs * sizeof *corr);
    if (!llr || !out || !corr) abort();
    for (size_t f = 0; f < frames; f++) {
        size_t u = next_u64() & (msgs - 1);
        for (size_t i = 0; i < n; i++) {
            unsigned c = 0;
            for (unsigned r = 0; r < k; r++) c ^= ((u >> r) & 1) & gen[r * n + i];
            llr[f * n + i] = (float)(2.0 * ((c ? -1.0 : 1.0) + sigma * next_gauss()) / (sigma * sigma));
        }
    }
    const size_t terms = n > msgs ? n : msgs;
    const double tau = 8.0 * ceil(log2((double)terms)) + 8.0;
    for (int maxlog = 0; maxlog < 2; maxlog++) {
        rf_softmap_enum(llr, n, k, gen, frames, maxlog, out);
        int ok = 1;
        for (size_t f = 0; f < frames; f++) {
            long double want[RF_ENUM_MAX_K];
            if (ora_code_correlations(llr + f * n, 1, n, k, gen, corr)) abort();
            ora_softmap_from_corr(corr, k, maxlog, want);
            double as = (double)ora_abs_sum(llr + f * n, n), s = maxlog ? 2 * as : as + 2;
            for (unsigned j = 0; j < k; j++) ok &= soft_ok(out[f * k + j], (double)want[j], tau * U24 * s);
        }
        CHECKF(ok, "softmap_enum %s maxlog=%d vs oracle", what, maxlog);
    }
    free(llr);
    free(out);
    free(corr);
}

static void test_enum(void)
{
    rng_state = 4242;
    static const uint8_t rm22[16] = {1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1};
    check_enum("RM(2,2)", rm22, 4, 4, 0.8);
    uint8_t rm31[4 * 8];
    ora_rm1_generator(3, rm31);
    check_enum("RM(3,1)", rm31, 8, 4, 1.0);
    uint8_t rnd[4 * 7];
    for (size_t r = 0; r < 4; r++)
        for (size_t i = 0; i < 7; i++) rnd[r * 7 + i] = i < 4 ? i == r : next_u64() & 1;
    check_enum("random (7,4)", rnd, 7, 4, 0.7);
    /* k = 12 > 10: the enumeration's scratch moves to the heap */
    static uint8_t big[12 * 16];
    for (size_t r = 0; r < 12; r++)
        for (size_t i = 0; i < 16; i++) big[r * 16 + i] = i < 12 ? i == r : next_u64() & 1;
    check_enum("random (16,12)", big, 16, 12, 0.6);

    /* On RM(m,1) the enumeration and the FHT kernels compute the same LLRs (to rounding). */
    for (unsigned m = 1; m <= 5; m++) {
        const size_t n = (size_t)1 << m, k = K_OF(m), frames = 6;
        uint8_t gen[6 * 32];
        float llr[6 * 32], a[6 * 6], b[6 * 6];
        ora_rm1_generator(m, gen);
        awgn(m, frames, 1.0, llr, NULL);
        for (int maxlog = 0; maxlog < 2; maxlog++) {
            softmap_enum_ref(llr, n, (unsigned)k, gen, frames, maxlog, a);
            (maxlog ? rm1_softmap_maxlog_ref : rm1_softmap_exact_ref)(llr, m, frames, b);
            int ok = 1;
            for (size_t f = 0; f < frames; f++) {
                double as = 0;
                for (size_t i = 0; i < n; i++) as += fabs(llr[f * n + i]);
                for (size_t j = 0; j < k; j++)
                    ok &= fabs(a[f * k + j] - b[f * k + j]) <= 2 * tau_of(m) * U24 * (2 * as + 2);
            }
            CHECKF(ok, "softmap_enum on RM(%u,1) != rm1 kernel (maxlog=%d)", m, maxlog);
        }
    }

    /* Non-finite correlations give NaN. */
    float bad[4] = {1.0f, INFINITY, 2.0f, 3.0f}, o[4];
    rf_softmap_enum(bad, 4, 4, rm22, 1, 0, o);
    CHECK(isnan(o[0]) && isnan(o[1]) && isnan(o[2]) && isnan(o[3]));
}

int main(void)
{
    impls all[RF_MAX_IMPLS];
    const int nlev = impls_by_level(all);
    for (int l = 0; l < nlev; l++) printf("level %s\n", all[l].name);
    test_no_touch(all, nlev);
    test_ties(all, nlev);
    test_nonfinite(all, nlev);
    test_block_ml(all, nlev);
    test_maxlog_relation(all, nlev);
    test_enum();
    test_large(all, nlev);
    test_sweep(all, nlev);
    return rf_test_summary("test_softmap");
}
