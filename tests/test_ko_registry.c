/* The registry entries ko_encode_f32 / ko_decode_f32 (kernels/registry/ko_codec.c):
 * - differential fuzzing in-process (48 cases each natively, 16 under qemu where the binary128 oracle is slow;
 *   fuzz/diff_fuzz.c does the long runs): the descriptors' fuzz_inputs (random m, arch, uniform weights,
 *   huge and zero y) judged against the long double oracle at every usable level and the peers,
 *   with most random byte strings accepted (so the loop is not vacuous);
 * - the judge has teeth: an implementation off by a small relative amount fails the recipe
 *   cases (encode 1e-5 on one symbol; decode 1e-4 on one LLR, a flipped confident decision);
 * - the oracle's sensitivity is stable: S from a second, independent set of perturbed runs is
 *   within a factor 8 of the stored one (the factor the kernel's tau = 16 leaves room for);
 * - bad parameters and a missing reference directory are clear errors; a case of m and frames alone
 *   (the benchmark sizes) builds from the defaults.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "oracle_ko.h"
#include "refast/ko.h"
#include "refast/registry.h"
#include "testlib.h"
#include "ko/kow.h"

static uint64_t rng = 0x4b4f7265676973ull; /* this file's rf_test_* stream */

static void test_fuzz(const rf_kernel *k, int cases)
{
    /* KO(6,2) weights: 26148 floats of 4 bytes, plus y */
    const int accepted = rf_test_fuzz_kernel(k, cases, 140000, &rng);
    printf("%s: %d of %d fuzz cases accepted\n", k->name, accepted, cases);
}

/* Implementations that are wrong by a little (on top of ref). */
static float g_delta;
static size_t g_at;
static void enc_off(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    ko_encode_f32_ref(mdl, msg, frames, x);
    x[g_at] *= 1.0f + g_delta;
}

static void dec_off(const rf_ko_model *mdl, const float *y, size_t frames, float *llr)
{
    ko_decode_f32_ref(mdl, y, frames, llr);
    llr[g_at] = g_delta == 0 ? -llr[g_at] : llr[g_at] + g_delta * fmaxf(1.0f, fabsf(llr[g_at]));
}

static void test_teeth(const rf_kernel *enc, const rf_kernel *dec)
{
    rf_case c;
    rf_verdict v;
    if (rf_test_build_case(enc, "m=5 arch=ko weights=init:2 frames=32 seed=2", &c)) {
        CHECK(rf_test_judge_fn(enc, (rf_fnptr)ko_encode_f32_ref, &c, &v));
        g_at = 77;
        g_delta = 1e-5f;
        CHECKF(!rf_test_judge_fn(enc, (rf_fnptr)enc_off, &c, &v), "encode off by 1e-5 relative passes (ratio %.3g)",
               v.max_ratio);
        rf_case_free(&c);
    }
    if (rf_test_build_case(dec, "m=5 arch=ko weights=init:2 frames=32 sigma=0.8 seed=13", &c)) {
        CHECK(rf_test_judge_fn(dec, (rf_fnptr)ko_decode_f32_ref, &c, &v));
        const double *L = rf_case_data(&c, "want.llr", RF_DT_F64, NULL);
        g_at = 0;
        while (fabs(L[g_at]) < 1.0) g_at++; /* a confident decision */
        g_delta = 1e-4f;
        CHECKF(!rf_test_judge_fn(dec, (rf_fnptr)dec_off, &c, &v), "decode off by 1e-4 relative passes (ratio %.3g)",
               v.max_ratio);
        g_delta = 0; /* sign flip: llr and hard both wrong */
        CHECK(!rf_test_judge_fn(dec, (rf_fnptr)dec_off, &c, &v) && v.mismatches >= 2);
        rf_case_free(&c);
    }
}

/* S (stored scale.llr) against the maximum over 8 other perturbed runs: same order of magnitude. */
static void test_sensitivity_stable(const rf_kernel *dec)
{
    rf_case c;
    if (!rf_test_build_case(dec, "m=6 arch=ko weights=init:9 frames=8 sigma=1.2 seed=3", &c)) return;
    rf_ko_model mdl;
    char err[256];
    CHECK(rf_ko_model_alloc(&mdl, 6, RF_KO_ARCH_KO, err, sizeof err));
    uint64_t nw = 0, ny = 0;
    const float *w = rf_case_data(&c, "in.weights", RF_DT_F32, &nw), *y = rf_case_data(&c, "in.y", RF_DT_F32, &ny);
    const double *S = rf_case_data(&c, "scale.llr", RF_DT_F64, NULL);
    CHECK(w && y && S && nw == mdl.nfloats);
    if (w && y && S && nw == mdl.nfloats) {
        memcpy(mdl.data, w, nw * sizeof(float));
        const size_t nl = 8 * rf_ko_k(6);
        long double *l0 = malloc(nl * sizeof *l0), *l1 = malloc(nl * sizeof *l1);
        double *s2 = calloc(nl, sizeof *s2);
        CHECK(ora_ko_decode(&mdl, y, 8, 0, 0, l0) == 0);
        for (uint64_t r = 100; r < 108; r++) {
            CHECK(ora_ko_decode(&mdl, y, 8, 0x1p-24L, r, l1) == 0);
            for (size_t i = 0; i < nl; i++) s2[i] = fmax(s2[i], (double)(fabsl(l1[i] - l0[i]) * 0x1p24L));
        }
        double worst = 1;
        for (size_t i = 0; i < nl; i++) {
            const double q = fmax(s2[i], fabs((double)l0[i])) / S[i];
            if (q > worst) worst = q;
            if (1 / q > worst) worst = 1 / q;
        }
        printf("ko_decode_f32: independent sensitivity runs agree within a factor %.3g\n", worst);
        CHECKF(worst < 8, "sensitivity estimate unstable: factor %.3g", worst);
        free(l0), free(l1), free(s2);
    }
    rf_ko_model_free(&mdl);
    rf_case_free(&c);
}

static void test_bad(const rf_kernel *enc, const rf_kernel *dec)
{
    char err[512];
    rf_case c;
    rf_case_init(&c, enc->name, "bad", "m=5 arch=huge weights=init:1 frames=2");
    CHECK(enc->make_inputs(enc, &c, err, sizeof err) != 0 && strstr(err, "arch"));
    rf_case_free(&c);
    rf_case_init(&c, enc->name, "bad", "m=5 weights=gauss:1 frames=2");
    CHECK(enc->make_inputs(enc, &c, err, sizeof err) != 0 && strstr(err, "weights"));
    rf_case_free(&c);
    rf_case_init(&c, dec->name, "bad", "m=5 weights=init:1 frames=2 sigma=-1");
    CHECK(dec->make_inputs(dec, &c, err, sizeof err) != 0 && strstr(err, "sigma"));
    rf_case_free(&c);
    /* weights (init:1) and sigma (1) have defaults: the benchmark sizes give only m and frames */
    if (rf_test_build_case(dec, "m=3 frames=2", &c)) rf_case_free(&c);
    rf_case_init(&c, dec->name, "bad", "m=11 weights=init:1 frames=2 sigma=1");
    CHECK(dec->make_inputs(dec, &c, err, sizeof err) != 0);
    rf_case_free(&c);
    rf_case_init(&c, dec->name, "bad", "source=ko_7_2 level=1 frames=2");
    CHECK(dec->make_inputs(dec, &c, err, sizeof err) != 0 && strstr(err, "ko_7_2"));
    rf_case_free(&c);
    setenv("REFAST_KO_REFERENCE", "/nonexistent/ko-reference", 1);
    rf_case_init(&c, dec->name, "bad", "source=ko_8_2 level=1 frames=2");
    CHECK(dec->make_inputs(dec, &c, err, sizeof err) != 0 && strstr(err, "REFAST_KO_REFERENCE") &&
          strstr(err, "/nonexistent/ko-reference"));
    rf_case_free(&c);
    unsetenv("REFAST_KO_REFERENCE");
    /* a message byte that is not a bit is refused by run(), not passed to the kernel */
    if (rf_test_build_case(enc, "m=3 arch=tiny weights=init:1 frames=2 seed=1", &c)) {
        ((uint8_t *)rf_case_data(&c, "in.msg", RF_DT_U8, NULL))[3] = 2;
        rf_case out;
        rf_case_init(&out, enc->name, "t", "");
        const rf_impl im = rf_test_impl(enc, (rf_fnptr)ko_encode_f32_ref, "scalar");
        CHECK(rf_kernel_run(&im, &c, &out, err, sizeof err) != 0 && strstr(err, "bit"));
        rf_case_free(&out);
        rf_case_free(&c);
    }
}

int main(void)
{
    const rf_kernel *enc = rf_kernel_find("ko_encode_f32"), *dec = rf_kernel_find("ko_decode_f32");
    CHECK(enc && dec);
    if (!enc || !dec) return rf_test_summary("test_ko_registry");
    test_teeth(enc, dec);
    test_sensitivity_stable(dec);
    test_bad(enc, dec);
    /* Under qemu (REFAST_TEST_EMULATED) the binary128 oracle costs ~100x: 16 cases each still put
     * every NEON path through the judge, and aarch64-verify judges the golden cases. */
    const int cases = getenv("REFAST_TEST_EMULATED") ? 16 : 48;
    test_fuzz(enc, cases);
    test_fuzz(dec, cases);
    return rf_test_summary("test_ko_registry");
}
