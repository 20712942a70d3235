/* Shared pieces of the gated-layer tests (tests/test_gated_*.c): random problems, one run of an
 * implementation against the oracle, and the judge of oracle/oracle_gated.h (sum class with
 * tau = ORA_GATED_TAU plus the near-tie rule for binary gates). Header-only (static inline) so
 * that each test stays one executable. */
#ifndef REFAST_TESTS_GATED_CHECK_H
#define REFAST_TESTS_GATED_CHECK_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_gated.h"
#include "refast/gated.h"
#include "testlib.h"

/* ---- the judge ------------------------------------------------------------------------------- */

typedef struct gated_verdict {
    size_t n;         /* outputs judged */
    size_t bad;       /* outside tau u S and not a near-tie flip, or a wrong NaN/inf */
    size_t flips;     /* outside tau u S at a near-tie (tie <= tau): tolerated */
    double max_ratio; /* max |got - want| / (u S) over the outputs that are not flips */
    size_t first_bad; /* index of the first bad output (valid when bad > 0) */
} gated_verdict;

/* terms: summands per dot product, for the judge's gradual-underflow allowance terms * eta. */
static inline gated_verdict gated_judge(const float *got, const long double *want,
                                        const long double *scale, const long double *tie, size_t n,
                                        size_t terms)
{
    gated_verdict v = {n, 0, 0, 0.0, 0};
    const long double eta = (long double)terms * FLT_TRUE_MIN;
    for (size_t i = 0; i < n; i++) {
        const long double g = got[i], w = want[i];
        int ok;
        if (!isfinite(w) || !isfinite(g)) {
            ok = isnan(w) ? isnan(g) : !isnan(g) && g == w;
        } else {
            const long double err = fabsl(g - w), us = ORA_GATED_U * scale[i];
            ok = err <= ORA_GATED_TAU * us + eta;
            if (!ok && tie && tie[i] <= ORA_GATED_TAU) {
                v.flips++;
                continue;
            }
            const double r = err == 0 ? 0.0 : us > 0 ? (double)(err / us) : INFINITY;
            if (ok && r > v.max_ratio) v.max_ratio = r;
        }
        if (!ok && v.bad++ == 0) v.first_bad = i;
    }
    return v;
}

/* ---- random problems ------------------------------------------------------------------------- */

static inline void gated_fill_uniform(float *p, size_t n, uint64_t *rng, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) p[i] = (float)rf_test_uniform(rng, lo, hi);
}

static inline void gated_fill_gauss(float *p, size_t n, uint64_t *rng, double sd)
{
    for (size_t i = 0; i < n; i++) p[i] = (float)(sd * rf_test_gauss(rng));
}

/* Weights U(-a, a), a = amp / sqrt(max(H, 1)) (amp = 1: PyTorch's GRU initialisation; larger amp
 * saturates the gates and pushes binary gates' margins around). */
static inline void gated_gru_weights(const rf_gru_spec *s, float *w, uint64_t *rng, double amp)
{
    const double a = amp / sqrt((double)(s->H ? s->H : 1));
    const size_t n = 3 * s->H * s->In + 3 * s->H * s->H + 4 * s->H;
    gated_fill_uniform(w, n, rng, -a, a);
}

/* A GRU problem with its buffers: inputs, oracle results and room for one run. */
typedef struct gru_case {
    rf_gru_spec s;
    rf_gru_counts c;
    float *w, *x, *h0, *out, *work; /* h0 may be NULL */
    long double *want, *scale, *tie;
} gru_case;

static inline void gru_case_free(gru_case *k)
{
    free(k->w);
    free(k->x);
    free(k->h0);
    free(k->out);
    free(k->work);
    free(k->want);
    free(k->scale);
    free(k->tie);
    memset(k, 0, sizeof *k);
}

/* Allocates every buffer of s (weights, inputs and h0 left for the caller to fill); with_h0 = 0
 * passes NULL. Exits on allocation failure: a test without memory cannot say anything. */
static inline void gru_case_alloc(gru_case *k, const rf_gru_spec *s, int with_h0)
{
    memset(k, 0, sizeof *k);
    k->s = *s;
    if (rf_gru_count(s, &k->c)) {
        fprintf(stderr, "gru_case_alloc: sizes overflow\n");
        exit(1);
    }
    const size_t no = k->c.out ? k->c.out : 1;
    k->w = malloc((k->c.w + 1) * sizeof(float));
    k->x = malloc((k->c.x + 1) * sizeof(float));
    k->h0 = with_h0 ? malloc((k->c.h0 + 1) * sizeof(float)) : NULL;
    k->out = malloc(no * sizeof(float));
    k->work = malloc(k->c.work * sizeof(float));
    k->want = malloc(no * sizeof(long double));
    k->scale = malloc(no * sizeof(long double));
    k->tie = malloc(no * sizeof(long double));
    if (!k->w || !k->x || (with_h0 && !k->h0) || !k->out || !k->work || !k->want || !k->scale ||
        !k->tie) {
        fprintf(stderr, "gru_case_alloc: out of memory\n");
        exit(1);
    }
}

/* A random problem: weights at amplitude amp, x ~ N(0, 1), h0 ~ U(-1, 1) (or NULL), oracle run. */
static inline void gru_case_random(gru_case *k, const rf_gru_spec *s, int with_h0, double amp,
                                   uint64_t *rng)
{
    gru_case_alloc(k, s, with_h0);
    gated_gru_weights(s, k->w, rng, amp);
    gated_fill_gauss(k->x, k->c.x, rng, 1.0);
    if (with_h0) gated_fill_uniform(k->h0, k->c.h0, rng, -1, 1);
    if (ora_gru(s, k->w, k->x, k->h0, k->want, k->scale, k->tie)) {
        fprintf(stderr, "ora_gru: out of memory\n");
        exit(1);
    }
}

/* Runs fn on the case (output guarded by NaN-free garbage) and judges it. */
static inline gated_verdict gru_case_run(gru_case *k, rf_gru_f32_fn fn)
{
    for (size_t i = 0; i < k->c.out; i++) k->out[i] = -12345.0f;
    fn(&k->s, k->w, k->x, k->h0, k->out, k->work);
    return gated_judge(k->out, k->want, k->scale, k->tie, k->c.out, k->s.In + k->s.H + 3);
}

/* A short description of a GRU problem for failure messages. */
static inline const char *gru_case_name(const rf_gru_spec *s, int with_h0, char *buf, size_t len)
{
    snprintf(buf, len, "%s %s g=%s out=%s T=%zu B=%zu I=%zu H=%zu h0=%s",
             rf_gru_variant_name(s->variant), rf_gated_gate_name(s->gate), rf_gated_g_name(s->g),
             rf_gru_output_name(s->output), s->T, s->B, s->In, s->H, with_h0 ? "given" : "NULL");
    return buf;
}

/* The random GRU problems every implementation is judged on: GRU_RANDOM_SMALL small ones covering
 * every variant x gate x g x output x h0 (I = 0 included; every third with weights 4x larger,
 * saturating gates and moving binary gates' margins), then GRU_RANDOM_LARGE of realistic length. */
enum {
    GRU_RANDOM_SMALL = 96,
    GRU_RANDOM_LARGE = 4,
    GRU_RANDOM_COUNT = GRU_RANDOM_SMALL + GRU_RANDOM_LARGE
};

static inline void gru_random_shape(size_t i, rf_gru_spec *s, int *with_h0, double *amp,
                                    uint64_t *rng)
{
    /* T, B, I, H. The oracle's bound costs O(T^2 H^3) per sequence (oracle/gated_gru.c): these
     * keep a whole run of a test within a minute of CPU under qemu-aarch64 (CI's NEON step). */
    static const size_t big[GRU_RANDOM_LARGE][4] = {
        {50, 2, 64, 64}, {30, 1, 32, 128}, {20, 3, 128, 32}, {50, 1, 16, 16}};
    memset(s, 0, sizeof *s);
    s->variant = (rf_gru_variant)(i % 2);
    s->gate = (rf_gated_gate)((i / 2) % 2);
    s->g = (rf_gated_g)((i / 4) % 4);
    s->output = (rf_gru_output)((i / 16) % 2);
    *with_h0 = (int)((i / 32) % 2);
    if (i < GRU_RANDOM_SMALL) {
        s->T = 1 + rf_test_u64(rng) % 12;
        s->B = 1 + rf_test_u64(rng) % 4;
        s->In = rf_test_u64(rng) % 20;
        s->H = 1 + rf_test_u64(rng) % 24;
        *amp = i % 3 == 2 ? 4.0 : 1.0;
    } else {
        const size_t *d = big[(i - GRU_RANDOM_SMALL) % GRU_RANDOM_LARGE];
        s->T = d[0], s->B = d[1], s->In = d[2], s->H = d[3];
        *amp = 1.0;
    }
}

/* ---- checks shared by the ref, openblas and onednn tests ------------------------------------- */

/* An implementation under test. moe2 may be NULL (no moe2 peer); supports NULL means everything. */
typedef struct gated_impl {
    const char *name;
    rf_gru_f32_fn gru;
    rf_moe2_f32_fn moe2;
    int (*supports)(const rf_gru_spec *s);
} gated_impl;

static inline int gated_supports(const gated_impl *im, const rf_gru_spec *s)
{
    return !im->supports || im->supports(s);
}

/* Every random problem each implementation supports: no output outside 2 u S except near-tie
 * flips, which must stay rare (random data almost never puts a pre-activation within 2 u E_a of
 * zero). Prints the max ratio per implementation; *ratios (if not NULL) receives them. */
static inline void gated_check_random_gru(const gated_impl *im, int nim, uint64_t *rng,
                                          double *ratios)
{
    double worst[8] = {0};
    size_t flips[8] = {0}, outputs[8] = {0}, cases[8] = {0};
    rf_gru_spec s;
    int with_h0;
    double amp;
    for (size_t i = 0; i < GRU_RANDOM_COUNT; i++) {
        gru_random_shape(i, &s, &with_h0, &amp, rng);
        gru_case k;
        gru_case_random(&k, &s, with_h0, amp, rng);
        for (int m = 0; m < nim; m++) {
            if (!gated_supports(&im[m], &s)) continue;
            const gated_verdict v = gru_case_run(&k, im[m].gru);
            char name[160];
            CHECKF(v.bad == 0,
                   "%s gru %s: %zu of %zu outputs outside 2 u S (first [%zu]: got %.9g want %.12Lg "
                   "S %.3Lg tie %.3Lg)",
                   im[m].name, gru_case_name(&s, with_h0, name, sizeof name), v.bad, v.n,
                   v.first_bad, v.bad ? k.out[v.first_bad] : 0.0f,
                   v.bad ? k.want[v.first_bad] : 0.0L, v.bad ? k.scale[v.first_bad] : 0.0L,
                   v.bad ? k.tie[v.first_bad] : 0.0L);
            if (v.max_ratio > worst[m]) worst[m] = v.max_ratio;
            flips[m] += v.flips;
            outputs[m] += k.c.out;
            cases[m]++;
        }
        gru_case_free(&k);
    }
    for (int m = 0; m < nim; m++) {
        printf("  gru  %-16s max |got - want| / (u S) = %.4f (tau 2) over %zu problems, near-tie "
               "flips %zu of %zu outputs\n",
               im[m].name, worst[m], cases[m], flips[m], outputs[m]);
        CHECKF(cases[m] > 0, "%s: no random problem was supported", im[m].name);
        CHECKF(flips[m] * 1000 < outputs[m], "%s: %zu near-tie flips in %zu outputs", im[m].name,
               flips[m], outputs[m]);
        if (ratios) ratios[m] = worst[m];
    }
}

/* Random moe2 problems (d = 0 included) for every implementation with a moe2. */
static inline void gated_check_random_moe2(const gated_impl *im, int nim, uint64_t *rng)
{
    double worst[8] = {0};
    for (int i = 0; i < 64; i++) {
        const rf_moe2_spec s = {1 + rf_test_u64(rng) % 6, rf_test_u64(rng) % 70,
                                1 + rf_test_u64(rng) % 40, (rf_gated_gate)(i % 2),
                                (rf_gated_g)((i / 2) % 4)};
        rf_moe2_counts c;
        CHECK(rf_moe2_count(&s, &c) == 0);
        float *w = malloc((c.w + 1) * sizeof *w), *x = malloc((c.x + 1) * sizeof *x),
              *y = malloc(c.y * sizeof *y);
        long double *want = malloc(c.y * sizeof *want), *scale = malloc(c.y * sizeof *scale),
                    *tie = malloc(c.y * sizeof *tie);
        if (!w || !x || !y || !want || !scale || !tie) exit(1);
        const double a = (i % 3 == 2 ? 4.0 : 1.0) / sqrt((double)(s.d ? s.d : 1));
        gated_fill_uniform(w, c.w, rng, -a, a);
        gated_fill_gauss(x, c.x, rng, 1.0);
        ora_moe2(&s, w, x, want, scale, tie);
        for (int m = 0; m < nim; m++) {
            if (!im[m].moe2) continue;
            im[m].moe2(&s, w, x, y);
            const gated_verdict v = gated_judge(y, want, scale, tie, c.y, s.d);
            CHECKF(v.bad == 0 && v.flips == 0,
                   "%s moe2 %s g=%s B=%zu d=%zu m=%zu: %zu bad, %zu flips", im[m].name,
                   rf_gated_gate_name(s.gate), rf_gated_g_name(s.g), s.B, s.d, s.m, v.bad, v.flips);
            if (v.max_ratio > worst[m]) worst[m] = v.max_ratio;
        }
        free(w), free(x), free(y), free(want), free(scale), free(tie);
    }
    for (int m = 0; m < nim; m++)
        if (im[m].moe2)
            printf("  moe2 %-16s max |got - want| / (u S) = %.4f (tau 2)\n", im[m].name, worst[m]);
}

/* Degenerate and minimal sizes, both output modes, h0 given or NULL: within the bound, nothing
 * written past out, and T = 0 with OUT_LAST returns h0 (or zeros). */
static inline void gated_check_sizes(const gated_impl *im, int nim, uint64_t *rng)
{
    static const size_t shapes[][4] = {{0, 2, 3, 4}, {3, 0, 3, 4}, {3, 2, 3, 0}, {3, 2, 0, 4},
                                       {1, 2, 3, 4}, {4, 1, 3, 4}, {1, 1, 1, 1}, {0, 1, 1, 1}};
    const float sentinel = -777.0f;
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        for (int mode = 0; mode < 2; mode++)
            for (int with_h0 = 0; with_h0 < 2; with_h0++) {
                const rf_gru_spec s = {shapes[i][0],
                                       shapes[i][1],
                                       shapes[i][2],
                                       shapes[i][3],
                                       (rf_gru_variant)(i % 2),
                                       RF_GATE_SIGMOID,
                                       RF_GATED_G_TANH,
                                       (rf_gru_output)mode};
                gru_case k;
                gru_case_random(&k, &s, with_h0, 1.0, rng);
                float *big = malloc((k.c.out + 8) * sizeof *big);
                if (!big) exit(1);
                for (int m = 0; m < nim; m++) {
                    if (!gated_supports(&im[m], &s)) continue;
                    for (size_t e = 0; e < k.c.out + 8; e++) big[e] = sentinel;
                    im[m].gru(&s, k.w, k.x, k.h0, big, k.work);
                    int tail = 1;
                    for (size_t e = k.c.out; e < k.c.out + 8; e++) tail &= big[e] == sentinel;
                    const gated_verdict v =
                        gated_judge(big, k.want, k.scale, k.tie, k.c.out, s.In + s.H + 3);
                    char name[160];
                    CHECKF(v.bad == 0 && tail, "%s sizes %s: %zu bad, %s", im[m].name,
                           gru_case_name(&s, with_h0, name, sizeof name), v.bad,
                           tail ? "" : "wrote past out");
                    if (s.T == 0 && mode == RF_GRU_OUT_LAST)
                        for (size_t e = 0; e < k.c.out; e++)
                            CHECK(big[e] == (with_h0 ? k.h0[e] : 0.0f));
                }
                free(big);
                gru_case_free(&k);
            }
}

/* h0 = NULL is h0 = zeros bit for bit; OUT_LAST is the last T-slice of OUT_ALL bit for bit. */
static inline void gated_check_h0_and_modes(const gated_impl *im, int nim, uint64_t *rng)
{
    for (int v = 0; v < 2; v++)
        for (int gt = 0; gt < 2; gt++) {
            rf_gru_spec s = {
                7, 3, 5, 6, (rf_gru_variant)v, (rf_gated_gate)gt, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
            gru_case k;
            gru_case_random(&k, &s, 1, 1.0, rng);
            memset(k.h0, 0, k.c.h0 * sizeof *k.h0);
            const size_t n = k.c.out, bh = s.B * s.H;
            float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b),
                  *last = malloc(bh * sizeof *last);
            if (!a || !b || !last) exit(1);
            for (int m = 0; m < nim; m++) {
                if (!gated_supports(&im[m], &s)) continue;
                s.output = RF_GRU_OUT_ALL;
                im[m].gru(&s, k.w, k.x, k.h0, a, k.work);
                im[m].gru(&s, k.w, k.x, NULL, b, k.work);
                CHECKF(memcmp(a, b, n * sizeof *a) == 0, "%s %s %s: h0 = NULL differs from h0 = 0",
                       im[m].name, rf_gru_variant_name(s.variant), rf_gated_gate_name(s.gate));
                s.output = RF_GRU_OUT_LAST;
                im[m].gru(&s, k.w, k.x, NULL, last, k.work);
                CHECKF(memcmp(last, a + n - bh, bh * sizeof *a) == 0,
                       "%s %s %s: last-only mode differs from h_T", im[m].name,
                       rf_gru_variant_name(s.variant), rf_gated_gate_name(s.gate));
            }
            free(a), free(b), free(last);
            gru_case_free(&k);
        }
}

#endif
