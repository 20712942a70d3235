/* The authors' KO Polar(64,7) model (refast/ko_polar.h, ko-reference/README.md §8), against their
 * PyTorch run (ko-reference/ko_polar_64_7):
 *  - imported weights give their codewords (|dx| <= 1e-5) on all 1000 messages and the whole
 *    128-word codebook, ||x||^2 = 64;
 *  - their LLRs (|dL| <= 2e-3 max(1, |L|), README §4's float32 bound) and hard decisions (where
 *    |L_ref| > 1e-2) on both levels' 200 received vectors, and their stored hard bits;
 *  - the importer rejects a missing directory, a wrong code, a truncated weights.f32, a missing
 *    tensor, a wrong shape and a non-finite value, each with a one-line message naming the field.
 * Without ../shared/ko-reference the test fails (a skip only with REFAST_ALLOW_MISSING_SHARED=1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refast/ko_polar.h"
#include "testlib.h"
#include "ko/polar_weights.h"

#define REF_DIR "../shared/ko-reference"
#define POLAR_DIR REF_DIR "/ko_polar_64_7"
#define N RF_KOP_N
#define K RF_KOP_K

static char tmp[256];

/* max |a_i - b_i|; a NaN difference sticks (so the bound fails). If-form, not fmax: fmax reductions
 * trip an aarch64 gcc-12 vectoriser ICE. */
static double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = fabs((double)a[i] - b[i]);
        if (!(d <= m)) m = d;
    }
    return m;
}

static void test_codewords(const rf_ko_polar_model *mdl)
{
    const size_t F = 1000;
    uint8_t *msg = rf_test_read_exact(POLAR_DIR "/messages.u8", F * K);
    float *xr = rf_test_read_exact(POLAR_DIR "/codewords.f32", F * N * sizeof(float));
    float *cb = rf_test_read_exact(POLAR_DIR "/codebook.f32", 128 * N * sizeof(float));
    float *x = malloc(F * N * sizeof(float));
    CHECK(msg && xr && cb && x);
    if (msg && xr && cb && x) {
        ko_polar_encode_f32_ref(mdl, msg, F, x);
        double dmax = max_abs_diff(x, xr, F * N), emax = 0;
        for (size_t f = 0; f < F; f++) {
            double e = 0;
            for (size_t p = 0; p < N; p++) e += (double)x[f * N + p] * x[f * N + p];
            if (!(fabs(e - 64.0) <= emax)) emax = fabs(e - 64.0);
        }
        printf("ko_polar_64_7: 1000 codewords, max |dx| %.3g, max | ||x||^2 - 64 | %.3g\n", dmax, emax);
        CHECKF(dmax <= 1e-5, "codewords: max |dx| %g", dmax);
        CHECKF(emax <= 1e-3, "codewords: energy off by %g", emax);
        uint8_t all[128 * K];
        for (unsigned r = 0; r < 128; r++)
            for (unsigned j = 0; j < K; j++) all[r * K + j] = (uint8_t)((r >> j) & 1u);
        ko_polar_encode_f32_ref(mdl, all, 128, x);
        dmax = max_abs_diff(x, cb, 128 * N);
        printf("ko_polar_64_7: 128-word codebook, max |dx| %.3g\n", dmax);
        CHECKF(dmax <= 1e-5, "codebook: max |dx| %g", dmax);
    }
    free(msg), free(xr), free(cb), free(x);
}

static void test_decoder(const rf_ko_polar_model *mdl)
{
    const size_t F = 200;
    char path[256];
    uint8_t *msg = rf_test_read_exact(POLAR_DIR "/messages.u8", 1000 * K);
    CHECK(msg != NULL);
    for (int level = 1; level <= 2 && msg; level++) {
        snprintf(path, sizeof path, POLAR_DIR "/level%d_received.f32", level);
        float *y = rf_test_read_exact(path, F * N * sizeof(float));
        snprintf(path, sizeof path, POLAR_DIR "/level%d_llr.f32", level);
        float *lr = rf_test_read_exact(path, F * K * sizeof(float));
        snprintf(path, sizeof path, POLAR_DIR "/level%d_hard.u8", level);
        uint8_t *hr = rf_test_read_exact(path, F * K);
        float *l = malloc(F * K * sizeof(float));
        CHECK(y && lr && hr && l);
        if (y && lr && hr && l) {
            ko_polar_decode_f32_ref(mdl, y, F, l);
            double amax = 0, rmax = 0;
            size_t hard_diff = 0, hard_cmp = 0, stored_diff = 0, bit_err = 0, ref_err = 0, over = 0;
            /* no fmax reductions here: they trip an aarch64 gcc-12 vectoriser ICE */
            for (size_t i = 0; i < F * K; i++) {
                const double d = fabs((double)l[i] - lr[i]), rel = d / fmax(1.0, fabs((double)lr[i]));
                if (!(d <= amax)) amax = d; /* if-form, not fmax: see above, and NaN sticks */
                if (!(rel <= rmax)) rmax = rel;
                over += !(rel <= 2e-3); /* NaN counts */
            }
            for (size_t i = 0; i < F * K; i++)
                if (fabs((double)lr[i]) > 1e-2) hard_cmp++, hard_diff += (l[i] < 0.0f) != (lr[i] < 0.0f);
            for (size_t i = 0; i < F * K; i++) stored_diff += hr[i] != (lr[i] < 0.0f);
            for (size_t i = 0; i < F * K; i++) bit_err += (l[i] < 0.0f) != msg[i];
            for (size_t i = 0; i < F * K; i++) ref_err += hr[i] != msg[i];
            printf("ko_polar_64_7 level%d: max |dL| %.3g, max rel %.3g, %zu over 2e-3, hard differ %zu of %zu, "
                   "bit errors %zu (theirs %zu)\n", level, amax, rmax, over, hard_diff, hard_cmp, bit_err, ref_err);
            CHECKF(over == 0, "level%d: %zu LLRs beyond 2e-3 max(1,|L|) (max rel %g)", level, over, rmax);
            CHECKF(hard_diff == 0 && hard_cmp > 0, "level%d: %zu hard decisions differ", level, hard_diff);
            CHECKF(stored_diff == 0, "level%d: their stored hard bits disagree with their LLRs", level);
            CHECKF(bit_err == ref_err, "level%d: %zu bit errors vs their %zu", level, bit_err, ref_err);
        }
        free(y), free(lr), free(hr), free(l);
    }
    free(msg);
}

/* ---- importer on damaged copies ------------------------------------------------------------------ */

static void *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) free(p), p = NULL;
    if (p) p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void write_all(const char *name, const void *p, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(p, 1, len, f) == len);
    if (f) fclose(f);
}

/* Imports tmp/ and expects failure, one line, mentioning `field`. */
static void expect_bad(const char *field, const char *what)
{
    rf_ko_polar_model mdl;
    char err[1024] = "";
    const bool ok = rf_ko_polar_import(&mdl, tmp, err, sizeof err);
    CHECKF(!ok, "%s: accepted", what);
    if (ok) {
        rf_ko_polar_free(&mdl);
        return;
    }
    CHECKF(strstr(err, field) && !strchr(err, '\n') && err[0], "%s: message '%s' (want '%s')", what, err, field);
}

/* Replaces the first occurrence of `from` in a copy of json by `to` and writes it as weights.json. */
static void write_json_edit(const char *json, const char *from, const char *to)
{
    const char *at = strstr(json, from);
    CHECKF(at != NULL, "'%s' not in weights.json", from);
    if (!at) return;
    const size_t a = (size_t)(at - json), fl = strlen(from), tl = strlen(to), n = strlen(json);
    char *s = malloc(n - fl + tl + 1);
    memcpy(s, json, a);
    memcpy(s + a, to, tl);
    memcpy(s + a + tl, at + fl, n - a - fl + 1);
    write_all("weights.json", s, strlen(s));
    free(s);
}

static void test_bad_import(void)
{
    rf_ko_polar_model mdl;
    char err[1024] = "";
    CHECK(!rf_ko_polar_import(&mdl, "/nonexistent-kopolar", err, sizeof err) && strstr(err, "weights.json") &&
          !strchr(err, '\n'));
    size_t jlen = 0, wlen = 0;
    char *json = read_all(POLAR_DIR "/weights.json", &jlen);
    uint8_t *w = read_all(POLAR_DIR "/weights.f32", &wlen);
    CHECK(json && w && wlen == 190029 * 4);
    if (!json || !w || wlen != 190029 * 4) {
        free(json), free(w);
        return;
    }
    /* the untouched copy imports (so the failures below are the edits' doing) */
    write_all("weights.json", json, jlen);
    write_all("weights.f32", w, wlen);
    CHECK(rf_ko_polar_import(&mdl, tmp, err, sizeof err));
    rf_ko_polar_free(&mdl);
    write_json_edit(json, "\"KO Polar(64,7)\"", "\"KO Polar(64,8)\"");
    expect_bad("'code'", "wrong code");
    write_json_edit(json, "\"f1_right_right.fc4.bias\"", "\"f1_right_right.fc4.biax\"");
    expect_bad("f1_right_right.fc4.bias", "missing tensor");
    write_json_edit(json, "\"shape\": [\n    64,\n    32\n   ]", "\"shape\": [\n    64,\n    31\n   ]");
    expect_bad("g5.fc1.weight", "wrong shape");
    write_json_edit(json, "\"offset\": 189964", "\"offset\": 189999");
    expect_bad("f1_right_right.fc4.weight", "offset past the end");
    write_all("weights.json", json, jlen);
    write_all("weights.f32", w, wlen - 4);
    expect_bad("weights.f32", "truncated weights.f32");
    /* a NaN inside g2.fc2.weight (offset 17858) */
    const uint32_t nan_bits = 0x7fc00000u;
    memcpy(w + 4 * (17858 + 5), &nan_bits, 4);
    write_all("weights.f32", w, wlen);
    expect_bad("g2.fc2.weight", "NaN weight");
    free(json), free(w);
    char path[512];
    snprintf(path, sizeof path, "%s/weights.json", tmp);
    remove(path);
    snprintf(path, sizeof path, "%s/weights.f32", tmp);
    remove(path);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "%s", rf_test_tmpdir());
    if (!rf_test_shared(REF_DIR "/README.md", "test_ko_polar")) {
        remove(tmp);
        return rf_test_failed ? rf_test_summary("test_ko_polar") : 77;
    }
    rf_ko_polar_model mdl;
    char err[1024];
    const bool ok = rf_ko_polar_import(&mdl, POLAR_DIR, err, sizeof err);
    CHECKF(ok, "import: %s", err);
    if (ok) {
        /* every float of weights.f32 belongs to some block (g6 included): nothing left unchecked */
        CHECKF(mdl.nfloats == 190029, "imported %zu floats of 190029", mdl.nfloats);
        test_codewords(&mdl);
        test_decoder(&mdl);
        rf_ko_polar_free(&mdl);
    }
    test_bad_import();
    CHECKF(remove(tmp) == 0, "%s: not empty after the test", tmp);
    return rf_test_summary("test_ko_polar");
}
