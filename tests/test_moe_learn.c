/* Tests of seed 001 Algorithm 1 as `refast moe learn --stage regressors` runs it
 * (harness/apps/cmd_moe_learn.c on top of kernels/moe_model.c, the CQT, the moment accumulator and the
 * decomposition):
 *   - the population check of Theorem 1 (issue item 3): for orthogonal gating and x ~ N(0, I),
 *     T3 = c3 sum_i pi_i a_i^{(x)3} and T2 = c2 sum_i pi_i a_i a_i^T with pi_i = E[p_i(x)]. The
 *     model has k = 2, where <w, x> ~ N(0, ||w||^2) and sigmoid(t) + sigmoid(-t) = 1 give
 *     pi_1 = pi_2 = 1/2 exactly (the Monte Carlo mean of p_1(x_i) over the same samples is printed
 *     beside it). T2, T3 are streamed through rf_moe_tacc_* over N samples in chunks of 4096; the
 *     standard error of each entry is the sample std of P_m(y_i) S_m(x_i)_entry over i divided by
 *     sqrt(N) (a second-moment pass over every entry, d = 4). Every entry must lie within 5
 *     standard errors (the largest |z| is printed); the same check with c3 or c2 raised, or with
 *     a_1 rotated by 0.1 rad, must fail, so the check has power. Run for g = linear (N = 2e6:
 *     c3 + 10%, c2 + 5%; a 5% change of c3 is only ~5 SE at this N, see main) and, because the
 *     theorem holds for any valid g through the CQT, for g = relu (N = 1e6: c3 + 50%, c2 + 10%).
 *     The rotation must be seen by T3 or T2.
 *   - the pipeline: on the seed 001 §4.2 orthogonal preset Algorithm 1 recovers the regressors
 *     (RegressorFit > 0.9 on each of 3 trials; the CLI prints the fits);
 *   - Gaussian-mixture inputs through the mixture's score tensors: --stage regressors on 001-gmm-p0.5
 *     recovers the regressors (RegressorFit > 0.8 on each of 3 trials);
 *   - the full pipeline (--stage all, the default) on every preset with --trials 2 and, to keep the
 *     test short, fewer iterations (EM 10, joint EM 15, l2 3 epochs, L4 2500 steps, L_log 40) and
 *     (003-l4) n = 50000 instead of 1e5 (the presets' n otherwise): every method row is printed
 *     with 2/2 trials (1/1 for the joint and L4 presets under qemu); on 001-orth and 001-nonorth Algorithm 1 + 2 gives RegressorFit and GatingFit
 *     > 0.9, on 003-l4 L4 + L_log gives E_reg < 0.1; --json writes a file with the curves;
 *   - the CLI: every SPEC §8 bad input of MoE exits 2 with one line; --help. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refast/moe.h"
#include "refast/moe_moments.h"
#include "testlib.h"
#include "moe/cqt.h"
#include "moe/model.h"
#include "moe/tacc.h"

#define CHUNK 4096
#define D 4

typedef struct pop_stats {
    double t2[D * (D + 1) / 2], t3[D * (D + 1) * (D + 2) / 6];       /* tacc estimates */
    double s2[D * (D + 1) / 2], s3[D * (D + 1) * (D + 2) / 6];       /* plain sums of v */
    double q2[D * (D + 1) / 2], q3[D * (D + 1) * (D + 2) / 6];       /* sums of v^2 */
    double mean_p1;
    uint64_t n;
} pop_stats;

/* Streams n samples of m: tacc for T2, T3, and per-entry sums of v and v^2 for the standard errors.
 * Entries are packed lexicographically over a <= b (<= c), as in refast/moe_moments.h. */
static bool pop_stream(const rf_moe_model *m, const rf_moe_cqt *cqt, uint64_t n, pop_stats *st)
{
    memset(st, 0, sizeof *st);
    st->n = n;
    rf_moe_tacc acc2, acc3;
    if (rf_moe_tacc_init(&acc2, 2, D) != 0) return false;
    if (rf_moe_tacc_init(&acc3, 3, D) != 0) {
        rf_moe_tacc_free(&acc2);
        return false;
    }
    static double x[CHUNK * D], y[CHUNK], w2[CHUNK], w3[CHUNK];
    double p[2], sp1 = 0;
    for (uint64_t i0 = 0; i0 < n; i0 += CHUNK) {
        const size_t len = (size_t)(n - i0 < CHUNK ? n - i0 : CHUNK);
        rf_moe_sample(m, i0, len, x, y, NULL);
        for (size_t i = 0; i < len; i++) {
            w2[i] = rf_moe_poly(cqt->p2, 2, y[i]);
            w3[i] = rf_moe_poly(cqt->p3, 3, y[i]);
            const double *xi = x + i * D;
            rf_moe_gate_probs(m, xi, p);
            sp1 += p[0];
            size_t e = 0;
            for (unsigned a = 0; a < D; a++)
                for (unsigned b = a; b < D; b++, e++) {
                    const double v = w2[i] * (xi[a] * xi[b] - (a == b));
                    st->s2[e] += v;
                    st->q2[e] += v * v;
                }
            e = 0;
            for (unsigned a = 0; a < D; a++)
                for (unsigned b = a; b < D; b++)
                    for (unsigned c = b; c < D; c++, e++) {
                        const double s3 = xi[a] * xi[b] * xi[c] - xi[a] * (b == c) - xi[b] * (a == c) - xi[c] * (a == b);
                        const double v = w3[i] * s3;
                        st->s3[e] += v;
                        st->q3[e] += v * v;
                    }
        }
        rf_moe_tacc_add(&acc2, x, w2, len);
        rf_moe_tacc_add(&acc3, x, w3, len);
    }
    rf_moe_tacc_mean(&acc2, st->t2);
    rf_moe_tacc_mean(&acc3, st->t3);
    rf_moe_tacc_free(&acc2);
    rf_moe_tacc_free(&acc3);
    st->mean_p1 = sp1 / (double)n;
    return true;
}

/* Largest |T_hat - c sum_i pi_i a_i^{(x)m}| / SE over the entries of order m (2 or 3); also checks
 * the tacc estimate against the plain mean (they sum the same terms). A is k x D. */
static double pop_zmax(const pop_stats *st, unsigned order, double c, const double *pi, const double *A,
                       unsigned k, double *tacc_dev)
{
    const double nn = (double)st->n;
    double worst = 0, dev = 0;
    size_t e = 0;
    for (unsigned a = 0; a < D; a++)
        for (unsigned b = a; b < D; b++)
            for (unsigned cc = (order == 3 ? b : D - 1); cc < D; cc++, e++) {
                double pop = 0;
                for (unsigned i = 0; i < k; i++) {
                    const double *ai = A + (size_t)i * D;
                    pop += c * pi[i] * ai[a] * ai[b] * (order == 3 ? ai[cc] : 1.0);
                }
                const double s = order == 3 ? st->s3[e] : st->s2[e], q = order == 3 ? st->q3[e] : st->q2[e];
                const double mean = s / nn, var = q / nn - mean * mean;
                const double se = sqrt(var / nn);
                const double t = order == 3 ? st->t3[e] : st->t2[e];
                dev = fmax(dev, fabs(t - mean) / (fabs(mean) + se));
                worst = fmax(worst, fabs(t - pop) / se);
            }
    if (tacc_dev) *tacc_dev = dev;
    return worst;
}

/* n samples; the check must fail when c3 is scaled by c3_step, c2 by c2_step, or a_1 rotated by 0.1. */
static void population_check(rf_moe_g g, uint64_t seed, uint64_t n, double c3_step, double c2_step)
{
    rf_moe_spec s = {0};
    s.k = 2;
    s.d = D;
    s.g = g;
    s.sigma = 0.1;
    s.input = RF_MOE_X_GAUSS;
    s.regressors = RF_MOE_A_SPHERE;
    s.gating = RF_MOE_W_ORTHOGONAL;
    s.w_norm = 1;
    s.seed = seed;
    char err[256];
    rf_moe_model m;
    rf_moe_cqt cqt;
    if (!rf_moe_model_make(&s, &m, err, sizeof err) || !rf_moe_cqt_solve(g, s.sigma, &cqt, err, sizeof err)) {
        CHECKF(0, "%s: %s", rf_moe_g_name(g), err);
        return;
    }
    static pop_stats st;
    if (!pop_stream(&m, &cqt, n, &st)) {
        CHECKF(0, "tacc init failed");
        rf_moe_model_free(&m);
        return;
    }
    const double pi[2] = {0.5, 0.5}; /* exact for k = 2 (see the file comment) */
    double dev2, dev3;
    const double z3 = pop_zmax(&st, 3, cqt.c3, pi, m.A, 2, &dev3);
    const double z2 = pop_zmax(&st, 2, cqt.c2, pi, m.A, 2, &dev2);
    printf("population check, g = %s, n = %llu: pi_1 = 1/2 (Monte Carlo mean of p_1(x): %.5f), c3 = %.6g, "
           "c2 = %.6g, max |z| T3 %.2f, T2 %.2f\n",
           rf_moe_g_name(g), (unsigned long long)n, st.mean_p1, cqt.c3, cqt.c2, z3, z2);
    CHECKF(z3 < 5 && z2 < 5, "%s: T3 max |z| %.2f, T2 max |z| %.2f (bound 5)", rf_moe_g_name(g), z3, z2);
    CHECKF(dev2 < 1e-9 && dev3 < 1e-9, "%s: tacc vs plain mean: %.3g, %.3g", rf_moe_g_name(g), dev2, dev3);
    CHECKF(fabs(st.mean_p1 - 0.5) < 5 * 0.5 / sqrt((double)n), "%s: mean p_1 %.6f", rf_moe_g_name(g), st.mean_p1);
    /* power: the check must fail for a 5% error in c3 (c2) or a rotated a_1 */
    const double z3c = pop_zmax(&st, 3, c3_step * cqt.c3, pi, m.A, 2, NULL);
    const double z2c = pop_zmax(&st, 2, c2_step * cqt.c2, pi, m.A, 2, NULL);
    const double z3_5 = pop_zmax(&st, 3, 1.05 * cqt.c3, pi, m.A, 2, NULL);
    double Ar[2 * D];
    memcpy(Ar, m.A, sizeof Ar);
    double u[D]; /* unit vector orthogonal to a_1, in the plane of a_1 and e_0 (or e_1) */
    for (unsigned j = 0; j < D; j++) u[j] = (j == (fabs(m.A[0]) < 0.9 ? 0u : 1u)) - m.A[j] * m.A[fabs(m.A[0]) < 0.9 ? 0 : 1];
    double un = 0;
    for (unsigned j = 0; j < D; j++) un += u[j] * u[j];
    for (unsigned j = 0; j < D; j++) Ar[j] = cos(0.1) * m.A[j] + sin(0.1) * u[j] / sqrt(un);
    const double z3r = pop_zmax(&st, 3, cqt.c3, pi, Ar, 2, NULL);
    const double z2r = pop_zmax(&st, 2, cqt.c2, pi, Ar, 2, NULL);
    printf("  with c3 x %.2f: max |z| T3 %.2f (c3 x 1.05: %.2f); c2 x %.2f: T2 %.2f; a_1 rotated by 0.1 rad: T3 %.2f, "
           "T2 %.2f\n",
           c3_step, z3c, z3_5, c2_step, z2c, z3r, z2r);
    CHECKF(z3c > 5, "%s: T3 check blind to c3 x %.2f (max |z| %.2f)", rf_moe_g_name(g), c3_step, z3c);
    CHECKF(z2c > 5, "%s: T2 check blind to c2 x %.2f (max |z| %.2f)", rf_moe_g_name(g), c2_step, z2c);
    CHECKF(fmax(z3r, z2r) > 5, "%s: check blind to a rotated a_1 (max |z| %.2f, %.2f)", rf_moe_g_name(g), z3r, z2r);
    rf_moe_model_free(&m);
}

/* Checks the per-trial rows "<trial> <seed> <RegressorFit> ..." of `moe learn --stage regressors`:
 * exactly `want` of them, each fit in (min_fit, 1]; with seeded_by_trial, trial t must have run with
 * seed 1 + t. */
static void check_trial_rows(const char *out, const char *what, int want, double min_fit, bool seeded_by_trial)
{
    int trials = 0;
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        unsigned t;
        unsigned long long seed;
        double fit;
        if (sscanf(l, "%u %llu %lf", &t, &seed, &fit) == 3) {
            trials++;
            CHECKF(fit > min_fit && fit <= 1 + 1e-12, "%s trial %u (seed %llu): RegressorFit %.4f", what, t, seed,
                   fit);
            if (seeded_by_trial) CHECK(seed == 1 + t);
        }
    }
    CHECKF(trials == want, "%s: %d trial rows, want %d", what, trials, want);
}

static void test_pipeline(void)
{
    char out[8192], err[4096];
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "learn", "--stage", "regressors", "--preset",
                         "001-orth", "--trials", "3", NULL);
    CHECKF(rc == 0, "learn 001-orth: rc %d: %s", rc, err);
    fputs(out, stdout);
    check_trial_rows(out, "001-orth", 3, 0.9, true);
    CHECK(strstr(out, "RegressorFit: ") && strstr(out, "samples/s"));
    /* explicit options and the other decomposer */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "learn", "--stage", "regressors", "--k", "3", "--d", "8",
                     "--g", "relu", "--sigma", "0.1", "--n", "20000", "--trials", "1", "--seed", "9", "--decomposer",
                     "orth-als", "--iters", "50", NULL);
    CHECKF(rc == 0 && strstr(out, "orth-als"), "learn explicit: rc %d: %s", rc, err);
}

static void test_gmm_regressors(void)
{
    char out[8192], err[4096];
    const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "learn", "--stage", "regressors", "--preset",
                               "001-gmm-p0.5", "--trials", "3", NULL);
    CHECKF(rc == 0 && strstr(out, "score tensors"), "learn --stage regressors 001-gmm-p0.5: rc %d: %s", rc, err);
    check_trial_rows(out, "001-gmm-p0.5", 3, 0.8, false);
}

/* The trial count the full-preset runs use: 2, and 1 for the costly presets under qemu. */
static const char *table_trials = "2/2";

/* The value of column `col` (0 = RegressorFit .. 4 = E_gating: the mean) of the table row whose
 * label starts with `label`; NAN when absent. Also checks the trial count (table_trials). */
static double table_value(const char *out, const char *label, int col)
{
    const char *l = strstr(out, label);
    if (!l) return NAN;
    l += strlen(label);
    while (*l == ' ') l++;
    if (strncmp(l, table_trials, 3) != 0) return NAN;
    l += 3;
    for (int c = 0; c <= col; c++) {
        while (*l == ' ') l++;
        if (*l == '-') {
            if (c == col) return NAN;
            l++;
            continue;
        }
        char *end;
        const double v = strtod(l, &end);
        if (end == l) return NAN;
        if (c == col) return v;
        l = strstr(end, "±");
        if (!l) return NAN;
        l += strlen("±");
        strtod(l, &end);
        l = end;
    }
    return NAN;
}

static void test_full_presets(void)
{
    static char out[32768];
    char err[4096];
    /* Under qemu (REFAST_TEST_EMULATED) one trial of the joint and L4 presets: they are 90% of the
     * test's time there (003-l4 needs its n = 50000 for E_reg < 0.1: at 20000 it reaches 0.102). */
    const bool emulated = getenv("REFAST_TEST_EMULATED") != NULL;
    for (const char *const *p = rf_moe_preset_names; *p; p++) {
        const bool l4 = !strncmp(*p, "003-", 4);
        const bool one = emulated && (l4 || strstr(*p, "joint"));
        table_trials = one ? "1/1" : "2/2";
        const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "learn", "--preset", *p, "--trials", one ? "1" : "2",
                                   "--em-iters", "10", "--joint-iters", "15", "--l2-epochs", "3", "--l4-steps", "2500",
                                   "--llog-steps", "40", "--n", l4 ? "50000" : strstr(*p, "joint") ? "8000" : "2000", NULL);
        CHECKF(rc == 0, "learn --preset %s: rc %d: %s", *p, rc, err);
        const double rfit = table_value(out, "Alg. 1 + Alg. 2 (EM)", 0), gfit = table_value(out, "Alg. 1 + Alg. 2 (EM)", 1);
        const double eaw_joint = table_value(out, "joint EM", 2);
        printf("%s: Alg. 1 + 2 RegressorFit %.3f GatingFit %.3f; joint EM E(A,W) %.3f", *p, rfit, gfit, eaw_joint);
        CHECKF(isfinite(eaw_joint), "%s: no joint EM row with %s trials", *p, table_trials);
        CHECKF(strstr(out, "samples/s") && strstr(out, "mean error curves"), "%s: table incomplete", *p);
        if (!strcmp(*p, "001-orth") || !strcmp(*p, "001-nonorth"))
            CHECKF(rfit > 0.9 && gfit > 0.9, "%s: RegressorFit %.3f GatingFit %.3f", *p, rfit, gfit);
        if (strstr(*p, "gmm") || !strncmp(*p, "001-o", 5) || !strncmp(*p, "001-n", 5))
            CHECKF(isfinite(table_value(out, "Alg. 1 + MoM (Thm 3)", 1)), "%s: no MoM row", *p);
        if (l4) {
            const double ereg = table_value(out, "L4 + L_log", 3), e2 = table_value(out, "l2 SGD", 3);
            printf("; L4 E_reg %.3f, l2 E_reg %.3f", ereg, e2);
            CHECKF(ereg < 0.1, "003-l4: L4 E_reg %.3f", ereg);
            CHECKF(isfinite(e2), "003-l4: no l2 row");
        }
        printf("\n");
    }
    /* --json: per-trial metrics and curves, written atomically */
    char path[256];
    snprintf(path, sizeof path, "test_moe_learn_%ld.json", (long)getpid());
    const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "learn", "--preset", "001-orth", "--trials", "2",
                               "--methods", "alg12,joint-em", "--joint-iters", "5", "--json", path, NULL);
    CHECKF(rc == 0, "learn --json: rc %d: %s", rc, err);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) {
        static char buf[1 << 16];
        const size_t got = fread(buf, 1, sizeof buf - 1, f);
        buf[got] = 0;
        fclose(f);
        CHECK(strstr(buf, "\"trials\"") && strstr(buf, "\"curve\"") && strstr(buf, "\"E_AW\"") &&
              strstr(buf, "\"joint-em\"") && strstr(buf, "\"GatingFit\""));
        remove(path);
    }
}

static void test_cli_errors(void)
{
    char out[8192], err[4096];
    const char *bad[][12] = {
        {"--stage", "regressors", "--k", "1", "--d", "10", "--g", "linear", "--sigma", "0.1"},
        {"--stage", "regressors", "--k", "11", "--d", "10", "--g", "linear", "--sigma", "0.1"},
        {"--stage", "regressors", "--k", "2", "--d", "257", "--g", "linear", "--sigma", "0.1"},
        {"--stage", "regressors", "--k", "2", "--d", "10", "--g", "linear", "--sigma", "0"},
        {"--stage", "regressors", "--k", "2", "--d", "10", "--g", "linear", "--sigma", "-0.5"},
        {"--stage", "regressors", "--k", "2", "--d", "10", "--g", "linear", "--sigma", "nan"},
        {"--stage", "regressors", "--k", "2", "--d", "10", "--g", "cubic", "--sigma", "0.1"},
        {"--stage", "regressors", "--preset", "001-orth", "--n", "0"},
        {"--stage", "regressors", "--preset", "001-orth", "--trials", "0"},
        {"--stage", "regressors", "--preset", "no-such-preset"},
        {"--stage", "regressors", "--k", "2", "--d", "10", "--g", "linear", "--sigma", "0.1", "--input", "gmm"},
        {"--stage", "gating", "--preset", "001-orth"},
        {"--stage", "regressors", "--preset", "001-orth", "--decomposer", "svd"},
        {"--stage", "regressors", "--preset", "001-orth", "--decomposer", "orth-als", "--starts", "3"},
        {"--stage", "regressors", "--preset", "001-orth", "--isa", "sse9"},
        {"--stage", "regressors", "--preset", "001-orth", "--seed", "18446744073709551615", "--trials", "2"},
        {"--stage", "regressors", "--preset", "001-orth", "--frobnicate"},
        {"--stage", "regressors", "--preset", "001-orth", "--n", "281474976710657"},
        {"--stage", "regressors", "--preset", "001-orth", "--n", "-5"},
        {"--stage", "regressors", "--preset", "001-orth", "--k", "3"},
        {"--stage", "regressors", "--k", "6", "--d", "10", "--g", "linear", "--sigma", "0.1"},
        {"--stage", "regressors", "--preset", "001-orth", "--trials", "100001"},
        {"--preset", "001-orth", "--methods", "alg12,svd"},
        {"--preset", "001-orth", "--methods", ""},
        {"--preset", "001-orth", "--methods", "alg12,"},
        {"--preset", "001-joint-k3", "--methods", "mom"},
        {"--preset", "001-orth", "--em-iters", "0"},
        {"--preset", "001-orth", "--l2-epochs", "-1"},
        {"--preset", "001-orth", "--joint-iters", "1000001"},
        {"--preset", "001-orth", "--json", "/nonexistent-dir/x.json"},
        {"--stage", "regressors", "--preset", "001-orth", "--json", "x.json"},
        {"--preset", "001-orth", "--n", "10000000"},
        {"--stage", "everything", "--preset", "001-orth"},
        {"--preset", "001-orth", "--json"},
    };
    for (size_t t = 0; t < sizeof bad / sizeof bad[0]; t++) {
        const char *const *a = bad[t]; /* NULL-padded rows */
        const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "learn", a[0], a[1], a[2], a[3], a[4],
                                   a[5], a[6], a[7], a[8], a[9], a[10], a[11], NULL);
        CHECKF(rc == 2 && rf_test_lines(err) == 1, "bad input %zu (%s %s %s %s ...): rc %d, stderr '%s'", t, a[0],
               a[1], a[2] ? a[2] : "", a[3] ? a[3] : "", rc, err);
    }
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "learn", "--stage", "gating", "--preset", "001-orth",
                         NULL);
    CHECK(rc == 2 && strstr(err, "expected all or regressors"));
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "learn", "--help", NULL);
    CHECK(rc == 0 && strstr(out, "seed S + t") && strstr(out, "001-orth"));
}

int main(void)
{
    test_cli_errors();
    /* The standard error of the c3 direction is ~1% of c3 at n = 2e6 for linear g (the variance of
     * P3(y) He_3(<a, x>) is ~1.7e3 against c3 pi = 3), so a 5% error of c3 sits at only ~5 SE there
     * (printed); a robust 5% check needs ~8e6 samples, which under qemu-aarch64 costs minutes. We
     * assert 10% at 2e6 (~10 SE). relu: c3 = 0.372 against a noisier P3(y), ~3x the relative SE:
     * its run (1e6) validates the theorem for a non-linear g; its power checks are c3 + 50%,
     * c2 + 10% and the rotation. */
    population_check(RF_MOE_G_LINEAR, 3, 2000000, 1.10, 1.05);
    population_check(RF_MOE_G_RELU, 4, 1000000, 1.50, 1.10);
    test_pipeline();
    test_gmm_regressors();
    test_full_presets();
    return rf_test_summary("test_moe_learn");
}
