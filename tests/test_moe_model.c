/* Tests of the MoE model, its generator and `refast moe gen` (kernels/moe_model.c,
 * harness/cmd_moe_gen.c):
 *   - sample i depends on (seed, i) only: any range regenerated alone, and any chunking of a run,
 *     is bit-identical to the rows of one full run; another seed differs;
 *   - parameters: ||a_i|| = 1, a_i = e_i for the basis layout, w_i orthogonal to span{a} with
 *     ||w_i|| = w_norm, w_i = w_norm e_{k+i}, row k-1 of W zero, mu on the sphere;
 *   - the sampling law: x ~ N(0, I) / the mixture (mean and covariance within 5 standard errors),
 *     z against the gating probabilities (within each bucket of argmax p(x); the same check with
 *     the probabilities of -W fails), y - g(<a_z, x>) ~ N(0, sigma^2);
 *   - RegressorFit: 1 on permuted / sign-flipped copies, cos(theta) for a rotated pair, and equal
 *     to a brute-force max-min over permutations for k = 2..9 (k = 9 takes the matching path);
 *   - presets and the spec checks (SPEC §8);
 *   - the CLI: a written file reads back and equals the generator's output; every bad input exits 2
 *     with one line and leaves no file (nor temporary) behind. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe.h"
#include "refast/rng.h"
#include "rfg.h"
#include "testlib.h"
#include "moe/model.h"

static rf_moe_spec spec(unsigned k, unsigned d, rf_moe_g g, rf_moe_gating gating, uint64_t seed)
{
    rf_moe_spec s = {0};
    s.k = k;
    s.d = d;
    s.g = g;
    s.sigma = 0.1;
    s.input = RF_MOE_X_GAUSS;
    s.regressors = RF_MOE_A_SPHERE;
    s.gating = gating;
    s.w_norm = 1;
    s.seed = seed;
    return s;
}

static double dotd(const double *a, const double *b, unsigned d)
{
    double s = 0;
    for (unsigned j = 0; j < d; j++) s += a[j] * b[j];
    return s;
}

/* ---- determinism ----------------------------------------------------------------------------- */

static void check_ranges(const rf_moe_spec *s, size_t n)
{
    char err[256];
    rf_moe_model m;
    if (!rf_moe_model_make(s, &m, err, sizeof err)) {
        CHECKF(0, "make: %s", err);
        return;
    }
    const unsigned d = s->d;
    double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    double *x2 = malloc(n * d * sizeof *x2), *y2 = malloc(n * sizeof *y2);
    uint32_t *z = malloc(n * sizeof *z), *z2 = malloc(n * sizeof *z2);
    rf_moe_sample(&m, 0, n, x, y, z);
    /* ranges alone, in reverse order */
    static const size_t ranges[][2] = {{250, 7}, {97, 1}, {3, 40}, {0, 1}, {0, 0}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        const size_t i0 = ranges[r][0], len = ranges[r][1];
        if (i0 + len > n) continue;
        rf_moe_sample(&m, i0, len, x2, y2, z2);
        CHECKF(!memcmp(x2, x + i0 * d, len * d * sizeof *x) && !memcmp(y2, y + i0, len * sizeof *y) &&
                   !memcmp(z2, z + i0, len * sizeof *z),
               "d=%u: samples [%zu, %zu) regenerated alone differ", d, i0, i0 + len);
    }
    /* uneven chunks (z may be NULL) */
    for (size_t i0 = 0, c = 1; i0 < n; i0 += c, c = c * 3 % 17 + 1) {
        const size_t len = c < n - i0 ? c : n - i0;
        rf_moe_sample(&m, i0, len, x2 + i0 * d, y2 + i0, NULL);
    }
    CHECKF(!memcmp(x2, x, n * d * sizeof *x) && !memcmp(y2, y, n * sizeof *y), "d=%u: chunked run differs", d);
    /* another seed gives other samples */
    rf_moe_spec s2 = *s;
    s2.seed ^= 1;
    rf_moe_model m2;
    CHECK(rf_moe_model_make(&s2, &m2, err, sizeof err));
    rf_moe_sample(&m2, 0, n, x2, y2, z2);
    CHECK(memcmp(x2, x, n * d * sizeof *x) != 0 && memcmp(y2, y, n * sizeof *y) != 0);
    CHECK(memcmp(m2.A, m.A, (size_t)s->k * d * sizeof *m.A) != 0 || s->regressors == RF_MOE_A_BASIS);
    rf_moe_model_free(&m2);
    for (size_t i = 0; i < n; i++) CHECK(z[i] < s->k && isfinite(y[i]));
    free(x);
    free(y);
    free(z);
    free(x2);
    free(y2);
    free(z2);
    rf_moe_model_free(&m);
}

static void test_determinism(void)
{
    rf_moe_spec s = spec(2, 10, RF_MOE_G_LINEAR, RF_MOE_W_ORTHOGONAL, 7);
    check_ranges(&s, 300);
    s = spec(3, 7, RF_MOE_G_RELU, RF_MOE_W_UNRESTRICTED, 12345678901234567ull);
    s.input = RF_MOE_X_GMM;
    s.gmm_p = 0.3;
    check_ranges(&s, 300);
    s = spec(2, 3, RF_MOE_G_TANH, RF_MOE_W_BASIS, 0);
    s.regressors = RF_MOE_A_BASIS;
    check_ranges(&s, 300);
}

/* ---- parameters ------------------------------------------------------------------------------ */

static void test_parameters(void)
{
    char err[256];
    rf_moe_model m;
    for (unsigned k = 2; k <= 5; k++) {
        const unsigned d = 2 * k - 1 + (k % 2) * 3;
        rf_moe_spec s = spec(k, d, RF_MOE_G_SIGMOID, RF_MOE_W_ORTHOGONAL, 100 + k);
        s.w_norm = 1.5;
        CHECK(rf_moe_model_make(&s, &m, err, sizeof err));
        double worst_norm = 0, worst_orth = 0, worst_w = 0;
        for (unsigned i = 0; i < k; i++) {
            const double *a = m.A + (size_t)i * d;
            worst_norm = fmax(worst_norm, fabs(sqrt(dotd(a, a, d)) - 1));
            for (unsigned l = 0; l + 1 < k; l++) worst_orth = fmax(worst_orth, fabs(dotd(m.W + (size_t)l * d, a, d)));
        }
        for (unsigned l = 0; l + 1 < k; l++) {
            const double *w = m.W + (size_t)l * d;
            worst_w = fmax(worst_w, fabs(sqrt(dotd(w, w, d)) - 1.5));
        }
        double last = 0;
        for (unsigned j = 0; j < d; j++) last = fmax(last, fabs(m.W[(size_t)(k - 1) * d + j]));
        CHECKF(worst_norm < 1e-14 && worst_orth < 1e-14 && worst_w < 1e-14 && last == 0,
               "k=%u d=%u: | ||a||-1 | %.2e, |<w,a>| %.2e, | ||w||-R | %.2e, last row %g", k, d, worst_norm,
               worst_orth, worst_w, last);
        rf_moe_model_free(&m);
        /* the unrestricted draw of the same seed is not orthogonal: the check above can fail */
        s.gating = RF_MOE_W_UNRESTRICTED;
        CHECK(rf_moe_model_make(&s, &m, err, sizeof err));
        double orth = 0;
        for (unsigned l = 0; l + 1 < k; l++) orth = fmax(orth, fabs(dotd(m.W + (size_t)l * d, m.A, d)));
        CHECK(orth > 1e-3);
        rf_moe_model_free(&m);
    }
    /* basis layouts (seed 003 §4) */
    rf_moe_spec s = spec(3, 5, RF_MOE_G_LINEAR, RF_MOE_W_BASIS, 9);
    s.regressors = RF_MOE_A_BASIS;
    s.w_norm = 2;
    CHECK(rf_moe_model_make(&s, &m, err, sizeof err));
    bool exact = true;
    for (unsigned i = 0; i < 3; i++)
        for (unsigned j = 0; j < 5; j++) {
            exact = exact && m.A[i * 5 + j] == (i == j ? 1.0 : 0.0);
            exact = exact && m.W[i * 5 + j] == (i < 2 && j == 3 + i ? 2.0 : 0.0);
        }
    CHECK(exact);
    rf_moe_model_free(&m);
    /* GMM means on the sphere */
    s = spec(2, 10, RF_MOE_G_LINEAR, RF_MOE_W_UNRESTRICTED, 4);
    s.input = RF_MOE_X_GMM;
    s.gmm_p = 0.5;
    CHECK(rf_moe_model_make(&s, &m, err, sizeof err));
    CHECK(fabs(dotd(m.mu1, m.mu1, 10) - 1) < 1e-14 && fabs(dotd(m.mu2, m.mu2, 10) - 1) < 1e-14);
    CHECK(fabs(dotd(m.mu1, m.mu2, 10)) < 1 - 1e-6);
    rf_moe_model_free(&m);
}

/* ---- the sampling law ------------------------------------------------------------------------ */

/* z against p(x): in each bucket b = argmax_i p_i(x), count(z = i) - sum p_i(x) over the bucket,
 * divided by sqrt(sum p_i (1 - p_i)) (the exact standard deviation of the count given the x's).
 * Returns the largest |score|; `flip` uses the probabilities of -W instead. */
static double gate_score(const rf_moe_model *m, const double *x, const uint32_t *z, size_t n, bool flip)
{
    const unsigned k = m->spec.k, d = m->spec.d;
    double cnt[8][8] = {{0}}, sp[8][8] = {{0}}, var[8][8] = {{0}};
    double p[8], xn[64];
    for (size_t r = 0; r < n; r++) {
        for (unsigned j = 0; j < d; j++) xn[j] = flip ? -x[r * d + j] : x[r * d + j];
        rf_moe_gate_probs(m, xn, p);
        unsigned b = 0;
        for (unsigned i = 1; i < k; i++)
            if (p[i] > p[b]) b = i;
        for (unsigned i = 0; i < k; i++) {
            cnt[b][i] += z[r] == i;
            sp[b][i] += p[i];
            var[b][i] += p[i] * (1 - p[i]);
        }
    }
    double worst = 0;
    for (unsigned b = 0; b < k; b++)
        for (unsigned i = 0; i < k; i++)
            if (var[b][i] > 0) worst = fmax(worst, fabs(cnt[b][i] - sp[b][i]) / sqrt(var[b][i]));
    return worst;
}

static void test_law(void)
{
    char err[256];
    const size_t n = 100000;
    const unsigned d = 5;
    double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    uint32_t *z = malloc(n * sizeof *z);
    for (int gmm = 0; gmm <= 1; gmm++) {
        rf_moe_spec s = spec(3, d, gmm ? RF_MOE_G_LEAKY_RELU : RF_MOE_G_SIGMOID, RF_MOE_W_UNRESTRICTED, 77);
        s.w_norm = 2;
        s.sigma = 0.3;
        if (gmm) {
            s.input = RF_MOE_X_GMM;
            s.gmm_p = 0.3;
        }
        rf_moe_model m;
        CHECK(rf_moe_model_make(&s, &m, err, sizeof err));
        rf_moe_sample(&m, 0, n, x, y, z);
        /* x: mean (p mu1 + (1-p) mu2 or 0) and covariance I (+ p(1-p) dmu dmu^T) within 5 SE */
        double worst_mean = 0, worst_cov = 0;
        for (unsigned a = 0; a < d; a++) {
            const double mu = gmm ? 0.3 * m.mu1[a] + 0.7 * m.mu2[a] : 0;
            double s1 = 0;
            for (size_t r = 0; r < n; r++) s1 += x[r * d + a];
            worst_mean = fmax(worst_mean, fabs(s1 / (double)n - mu) / sqrt(1.25 / (double)n));
            for (unsigned b = a; b < d; b++) {
                const double mub = gmm ? 0.3 * m.mu1[b] + 0.7 * m.mu2[b] : 0;
                const double dm = gmm ? 0.21 * (m.mu1[a] - m.mu2[a]) * (m.mu1[b] - m.mu2[b]) : 0;
                double s2 = 0, s4 = 0;
                for (size_t r = 0; r < n; r++) {
                    const double v = (x[r * d + a] - mu) * (x[r * d + b] - mub);
                    s2 += v;
                    s4 += v * v;
                }
                const double mean = s2 / (double)n, var = s4 / (double)n - mean * mean;
                worst_cov = fmax(worst_cov, fabs(mean - (a == b) - dm) / sqrt(var / (double)n));
            }
        }
        CHECKF(worst_mean < 5 && worst_cov < 5, "gmm=%d: x mean z-score %.2f, covariance z-score %.2f", gmm,
               worst_mean, worst_cov);
        const double zs = gate_score(&m, x, z, n, false), zflip = gate_score(&m, x, z, n, true);
        CHECKF(zs < 5, "gmm=%d: z vs p(x): max |score| %.2f", gmm, zs);
        CHECKF(zflip > 20, "gmm=%d: z vs p(-x) should be far off, score %.2f", gmm, zflip);
        /* y - g(<a_z, x>) ~ N(0, sigma^2): mean, variance (4th moment 3 sigma^4) */
        double e1 = 0, e2 = 0, wrong = 0;
        for (size_t r = 0; r < n; r++) {
            const double e = y[r] - rf_moe_g_eval(s.g, dotd(m.A + (size_t)z[r] * d, x + r * d, d));
            e1 += e;
            e2 += e * e;
            const double o = y[r] - rf_moe_g_eval(s.g, dotd(m.A + (size_t)((z[r] + 1) % 3) * d, x + r * d, d));
            wrong += o * o;
        }
        const double sig2 = s.sigma * s.sigma;
        CHECKF(fabs(e1 / (double)n) < 5 * s.sigma / sqrt((double)n) &&
                   fabs(e2 / (double)n - sig2) < 5 * sig2 * sqrt(2.0 / (double)n),
               "gmm=%d: residual mean %.3g, variance %.5g vs %.5g", gmm, e1 / (double)n, e2 / (double)n, sig2);
        CHECK(wrong / (double)n > 2 * sig2); /* another expert's residual is not noise */
        rf_moe_model_free(&m);
    }
    free(x);
    free(y);
    free(z);
}

/* ---- RegressorFit ---------------------------------------------------------------------------- */

static double brute_fit(const double *C, unsigned k, unsigned j, unsigned used, double cur)
{
    if (j == k) return cur;
    double best = -1;
    for (unsigned i = 0; i < k; i++)
        if (!(used >> i & 1u)) best = fmax(best, brute_fit(C, k, j + 1, used | 1u << i, fmin(cur, C[i * k + j])));
    return best;
}

static void test_fit(void)
{
    double A[12 * 12], B[12 * 12], C[12 * 12];
    /* rotation: fit = cos theta */
    const double th = 0.3;
    const double At[4] = {1, 0, 0, 1}, Ar[4] = {cos(th), sin(th), -sin(th), cos(th)};
    CHECK(fabs(rf_moe_regressor_fit(Ar, At, 2, 2) - cos(th)) < 1e-15);
    for (unsigned k = 2; k <= 9; k++) {
        const unsigned d = k + 3;
        float g[12 * 12];
        gauss_f32_ref(k, 5, 0, (size_t)k * d, g);
        for (unsigned i = 0; i < k * d; i++) A[i] = g[i];
        /* permuted, sign-flipped, rescaled copy */
        for (unsigned i = 0; i < k; i++)
            for (unsigned j = 0; j < d; j++)
                B[((i * 5 + 2) % k) * d + j] = (i % 2 ? -2.5 : 0.7) * A[i * d + j];
        const bool coprime = k % 5 != 0;
        if (coprime) CHECKF(fabs(rf_moe_regressor_fit(B, A, k, d) - 1) < 1e-14, "k=%u: permuted copy", k);
        /* a random pair against the brute force */
        gauss_f32_ref(k, 6, 0, (size_t)k * d, g);
        for (unsigned i = 0; i < k * d; i++) B[i] = g[i];
        for (unsigned i = 0; i < k; i++)
            for (unsigned j = 0; j < k; j++)
                C[i * k + j] = fabs(dotd(B + i * d, A + j * d, d)) / sqrt(dotd(B + i * d, B + i * d, d) * dotd(A + j * d, A + j * d, d));
        const double want = brute_fit(C, k, 0, 0, INFINITY), got = rf_moe_regressor_fit(B, A, k, d);
        CHECKF(fabs(got - want) < 1e-15 && want > 0 && want < 1, "k=%u: fit %.17g, brute force %.17g", k, got, want);
    }
    /* a zero row fits nothing */
    double Z[4] = {0, 0, 0, 1};
    CHECK(rf_moe_regressor_fit(Z, At, 2, 2) == 0);
}

/* ---- presets and spec checks ----------------------------------------------------------------- */

static void test_presets(void)
{
    char err[256];
    rf_moe_spec s;
    uint64_t n;
    int count = 0;
    for (const char *const *p = rf_moe_preset_names; *p; p++, count++) {
        CHECKF(rf_moe_preset(*p, &s, &n, err, sizeof err), "%s: %s", *p, err);
        rf_moe_model m;
        CHECKF(rf_moe_model_make(&s, &m, err, sizeof err), "%s: %s", *p, err);
        rf_moe_model_free(&m);
        CHECK(s.g == RF_MOE_G_LINEAR && s.d == 10 && s.w_norm == 1);
    }
    CHECK(count == 10);
    CHECK(rf_moe_preset("001-orth", &s, &n, err, sizeof err) && s.k == 2 && s.sigma == 0.1 && n == 2000 &&
          s.gating == RF_MOE_W_ORTHOGONAL && s.input == RF_MOE_X_GAUSS && s.regressors == RF_MOE_A_SPHERE);
    CHECK(rf_moe_preset("001-nonorth", &s, &n, err, sizeof err) && s.gating == RF_MOE_W_UNRESTRICTED);
    CHECK(rf_moe_preset("001-gmm-p0.7", &s, &n, err, sizeof err) && s.input == RF_MOE_X_GMM && s.gmm_p == 0.7);
    CHECK(rf_moe_preset("001-joint-k4", &s, &n, err, sizeof err) && s.k == 4 && s.sigma == 0.5 && n == 8000);
    CHECK(rf_moe_preset("003-l4", &s, &n, err, sizeof err) && s.k == 3 && s.sigma == 0.05 &&
          s.regressors == RF_MOE_A_BASIS && s.gating == RF_MOE_W_BASIS);
    CHECK(!rf_moe_preset("001-gmm-p0.2", &s, &n, err, sizeof err) && strstr(err, "001-orth"));

    /* SPEC §8 and the layouts that do not fit */
    struct {
        rf_moe_spec s;
        const char *why;
    } bad[12];
    for (int i = 0; i < 12; i++) bad[i].s = spec(2, 10, RF_MOE_G_LINEAR, RF_MOE_W_ORTHOGONAL, 1);
    bad[0].s.k = 1, bad[0].why = "k >= 2";
    bad[1].s.k = 11, bad[1].why = "exceeds d";
    bad[2].s.d = 257, bad[2].why = "limit";
    bad[3].s.sigma = 0, bad[3].why = "sigma";
    bad[4].s.sigma = NAN, bad[4].why = "sigma";
    bad[5].s.sigma = INFINITY, bad[5].why = "sigma";
    bad[6].s.g = RF_MOE_G_COUNT, bad[6].why = "non-linearity";
    bad[7].s.input = RF_MOE_X_GMM, bad[7].s.gmm_p = 1, bad[7].why = "(0, 1)";
    bad[8].s.w_norm = -1, bad[8].why = "w-norm";
    bad[9].s.k = 6, bad[9].why = "2k - 1 <= d";
    bad[10].s.k = 6, bad[10].s.gating = RF_MOE_W_BASIS, bad[10].why = "2k - 1 <= d";
    bad[11].s.sigma = -0.1, bad[11].why = "sigma";
    for (int i = 0; i < 12; i++) {
        rf_moe_model m;
        err[0] = 0;
        const bool ok = rf_moe_model_make(&bad[i].s, &m, err, sizeof err);
        CHECKF(!ok && strstr(err, bad[i].why), "bad spec %d accepted or wrong reason: '%s'", i, err);
    }
    /* the limits themselves are fine */
    rf_moe_spec edge = spec(6, 11, RF_MOE_G_LINEAR, RF_MOE_W_ORTHOGONAL, 1);
    rf_moe_model m;
    CHECK(rf_moe_model_make(&edge, &m, err, sizeof err));
    rf_moe_model_free(&m);
    edge = spec(10, 10, RF_MOE_G_LINEAR, RF_MOE_W_UNRESTRICTED, 1);
    CHECK(rf_moe_model_make(&edge, &m, err, sizeof err));
    rf_moe_model_free(&m);
    edge = spec(2, 256, RF_MOE_G_LINEAR, RF_MOE_W_ORTHOGONAL, 1);
    CHECK(rf_moe_model_make(&edge, &m, err, sizeof err));
    rf_moe_model_free(&m);
}

/* ---- the CLI --------------------------------------------------------------------------------- */

static int dir_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(dp));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(dp);
    return n;
}

static void test_cli(void)
{
    char out[8192], err[4096], path[512], emsg[512];
    const char *dir = rf_test_tmpdir();
    snprintf(path, sizeof path, "%s/orth.rfg", dir);
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--preset", "001-orth", "--seed", "5",
                         "--n", "333", "--out", path, NULL);
    CHECKF(rc == 0, "gen: rc %d: %s", rc, err);
    rf_case c;
    rfg_hash h;
    if (rc == 0 && rfg_read(path, &c, &h, emsg, sizeof emsg)) {
        rf_moe_spec s;
        uint64_t n;
        char e2[256];
        CHECK(rf_moe_preset("001-orth", &s, &n, e2, sizeof e2));
        s.seed = 5;
        rf_moe_model m;
        CHECK(rf_moe_model_make(&s, &m, e2, sizeof e2));
        double x[333 * 10], y[333];
        uint32_t z[333];
        rf_moe_sample(&m, 0, 333, x, y, z);
        uint64_t cnt;
        const double *fx = rf_case_data(&c, "x", RF_DT_F64, &cnt);
        CHECK(fx && cnt == 3330 && !memcmp(fx, x, sizeof x));
        const double *fy = rf_case_data(&c, "y", RF_DT_F64, &cnt);
        CHECK(fy && cnt == 333 && !memcmp(fy, y, sizeof y));
        const uint32_t *fz = rf_case_data(&c, "z", RF_DT_U32, &cnt);
        CHECK(fz && cnt == 333 && !memcmp(fz, z, sizeof z));
        const double *fa = rf_case_data(&c, "A", RF_DT_F64, &cnt);
        CHECK(fa && cnt == 20 && !memcmp(fa, m.A, 20 * sizeof *fa));
        const double *fw = rf_case_data(&c, "W", RF_DT_F64, &cnt);
        CHECK(fw && cnt == 20 && !memcmp(fw, m.W, 20 * sizeof *fw));
        CHECK(!rf_case_find(&c, "mu1"));
        uint64_t pk, pd, pn, pseed;
        double psig;
        char pg[32], pgate[32];
        CHECK(rf_param_u64(c.params, "k", &pk) && pk == 2 && rf_param_u64(c.params, "d", &pd) && pd == 10 &&
              rf_param_u64(c.params, "n", &pn) && pn == 333 && rf_param_u64(c.params, "seed", &pseed) &&
              pseed == 5 && rf_param_f64(c.params, "sigma", &psig) && psig == 0.1 &&
              rf_param_str(c.params, "g", pg, sizeof pg) && !strcmp(pg, "linear") &&
              rf_param_str(c.params, "gating", pgate, sizeof pgate) && !strcmp(pgate, "orthogonal"));
        rf_moe_model_free(&m);
        rf_case_free(&c);
    } else if (rc == 0) {
        CHECKF(0, "read back: %s", emsg);
    }
    snprintf(path, sizeof path, "%s/gmm.rfg", dir);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--k", "3", "--d", "6", "--g", "tanh",
                     "--sigma", "0.2", "--input", "gmm", "--gmm-p", "0.25", "--gating", "unrestricted", "--n", "10",
                     "--out", path, NULL);
    CHECKF(rc == 0, "gen gmm: rc %d: %s", rc, err);
    if (rc == 0 && rfg_read(path, &c, &h, emsg, sizeof emsg)) {
        uint64_t cnt;
        CHECK(rf_case_data(&c, "mu1", RF_DT_F64, &cnt) && cnt == 6 && rf_case_data(&c, "mu2", RF_DT_F64, &cnt));
        double p;
        CHECK(rf_param_f64(c.params, "gmm_p", &p) && p == 0.25);
        rf_case_free(&c);
    }
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--help", NULL);
    CHECK(rc == 0 && strstr(out, "001-nonorth") && strstr(out, "--out"));

    /* bad inputs: exit 2, one line, nothing written */
    char badd[512];
    snprintf(badd, sizeof badd, "%s/bad", dir);
    snprintf(path, sizeof path, "%s/bad/x.rfg", dir);
    const char *bad[][12] = {
        {"--k", "1", "--d", "10", "--g", "linear", "--sigma", "0.1"},
        {"--k", "11", "--d", "10", "--g", "linear", "--sigma", "0.1"},
        {"--k", "2", "--d", "257", "--g", "linear", "--sigma", "0.1"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "0"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "-1"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "nan"},
        {"--k", "2", "--d", "10", "--g", "swish", "--sigma", "0.1"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "0.1", "--n", "0"},
        {"--k", "2", "--d", "256", "--g", "linear", "--sigma", "0.1", "--n", "18446744073709551615"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "0.1", "--n", "99999999999999999999"},
        {"--k", "6", "--d", "10", "--g", "linear", "--sigma", "0.1"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "0.1", "--input", "gmm"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "0.1", "--input", "gmm", "--gmm-p", "1.5"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "0.1", "--gating", "diagonal"},
        {"--k", "2", "--d", "10", "--g", "linear", "--sigma", "0.1", "--w-norm", "-1"},
        {"--k", "2", "--d", "10", "--g", "linear"},
        {"--preset", "001-gmm-p0.2"},
        {"--preset", "001-orth", "--k", "3"},
        {"--preset", "001-orth", "--bogus"},
        {"--preset"},
    };
    for (size_t t = 0; t < sizeof bad / sizeof bad[0]; t++) {
        const char *const *a = bad[t];
        /* rows are NULL-padded: the argument list ends at the row's first NULL */
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--out", path, a[0], a[1], a[2], a[3],
                         a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], NULL);
        CHECKF(rc == 2 && rf_test_lines(err) == 1, "bad input %zu (%s %s ...): rc %d, stderr '%s'", t, a[0],
               a[1] ? a[1] : "", rc, err);
    }
    /* --out after the bad option, and the remaining cases */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--out", path, "--k", "1", "--d", "10", "--g",
                     "linear", "--sigma", "0.1", NULL);
    CHECK(rc == 2 && rf_test_lines(err) == 1);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--k", "2", "--d", "10", "--g", "linear",
                     "--sigma", "nan", "--out", path, NULL);
    CHECK(rc == 2 && rf_test_lines(err) == 1);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--k", "2", "--d", "256", "--g", "linear",
                     "--sigma", "0.1", "--n", "1000000000", "--out", path, NULL);
    CHECK(rc == 2 && rf_test_lines(err) == 1 && strstr(err, "2 GiB"));
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--preset", "001-orth", NULL);
    CHECK(rc == 2 && rf_test_lines(err) == 1 && strstr(err, "--out"));
    CHECKF(dir_entries(badd) <= 0, "bad inputs left %d entries in %s", dir_entries(badd), badd);
    /* an unwritable destination: exit 2, nothing left */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "gen", "--preset", "001-orth", "--out",
                     "/proc/refast-no-such-dir/x.rfg", NULL);
    CHECK(rc == 2 && rf_test_lines(err) == 1);
}

int main(void)
{
    test_determinism();
    test_parameters();
    test_law();
    test_fit();
    test_presets();
    test_cli();
    return rf_test_summary("test_moe_model");
}
