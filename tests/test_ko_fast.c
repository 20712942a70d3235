/* The fast KO(m,2) codec (fast/<isa>/ko.c, fast/ko_codec_driver.h) and its openblas peer
 * (peers/ko_codec_blas.c), at every level this CPU has:
 *  - external truth (ko-reference/ko_{8,9}_2, the authors' PyTorch run), as tests/test_ko.c checks
 *    ref: codewords |dx| <= 1e-5 on 1000 messages, LLRs |dL| <= 2e-3 max(1, |L|) and equal hard
 *    decisions where |L_ref| > 1e-2 on 2 x 200 received vectors (skipped, not failed, without
 *    ../shared/ko-reference);
 *  - agreement with ref on `init` (KO) and `tiny` models, m = 3..10, frames 0 (nothing written),
 *    1, 5, and 37 (ko) or the driver's batch plus 3 (tiny: a full batch and a ragged one), on messages
 *    and on noisy codewords: the same bounds (codewords 1e-5, LLRs 2e-3 max(1,|L|), hard decisions
 *    equal where |L_ref| > 1e-2);
 *  - the vector LSE and tanh(x/2) of each level against long double on a sweep, with the bounds
 *    stated in fast/avx512/ko.c: |dLSE| <= 2^-24 (4 (|a| + |b|) + 10), tanh within 4 ulp
 *    relative (plus 2^-30 absolute below the smallest normal results). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/ko.h"
#include "refast/registry.h"
#include "testlib.h"
#include "ko/kow.h"
#include "refast/kernels.h"

#define REF_DIR "../shared/ko-reference"

/* Exported by fast/<isa>/ko.c for this test (fast/ko_codec_driver.h). */
typedef void (*lse_fn)(const float *a, const float *b, size_t n, float *out);
typedef void (*tanh_fn)(const float *x, size_t n, float *out);

typedef struct impl {
    const char *name;
    rf_ko_encode_f32_fn enc;
    rf_ko_decode_f32_fn dec;
    lse_fn lse;
    tanh_fn th;
} impl;

static uint64_t rng = 0x6b6f66617374ull;

/* The encoder and decoder of every vector level this CPU has (with the level's LSE and tanh) and
 * of the openblas peer, paired by implementation. */
static int impls(impl *im)
{
    static rf_impl e[RF_MAX_IMPLS], d[RF_MAX_IMPLS]; /* the labels outlive the call */
    const size_t ne = rf_test_impls(rf_kernel_find("ko_encode_f32"), true, e);
    CHECK(rf_test_impls(rf_kernel_find("ko_decode_f32"), true, d) == ne);
    int n = 0;
    for (size_t i = 0; i < ne; i++) {
        const bool level = e[i].kind == RF_IMPL_LEVEL;
        if (e[i].kind == RF_IMPL_AUTOVEC || (level && (e[i].level == RF_ISA_SCALAR || e[i].provided_by != e[i].level)))
            continue; /* ref is the yardstick; a fallback is tested at its own level */
        im[n++] = (impl){e[i].label, (rf_ko_encode_f32_fn)e[i].fn, (rf_ko_decode_f32_fn)d[i].fn,
                         level ? (lse_fn)rf_dispatch(RF_KID(ko_lse_f32), e[i].level, NULL) : NULL,
                         level ? (tanh_fn)rf_dispatch(RF_KID(ko_tanh_half_f32), e[i].level, NULL) : NULL};
    }
    return n;
}

/* Codewords: count of |x - want| > 1e-5; *dmax the largest. */
static size_t cmp_x(const float *x, const float *want, size_t count, double *dmax)
{
    size_t bad = 0;
    *dmax = 0;
    for (size_t i = 0; i < count; i++) {
        const double d = fabs((double)x[i] - want[i]);
        if (d > *dmax || isnan(d)) *dmax = isnan(d) ? INFINITY : d;
        if (!(d <= 1e-5)) bad++;
    }
    return bad;
}

/* LLRs: count outside 2e-3 max(1,|L|) and hard decisions differing where |L_ref| > 1e-2 (against
 * href if given, else the signs of lref). */
static void cmp_llr(const float *l, const float *lref, const uint8_t *href, size_t count, size_t *bad,
                    size_t *hard, double *rmax)
{
    *bad = *hard = 0;
    *rmax = 0;
    for (size_t i = 0; i < count; i++) {
        const double d = fabs((double)l[i] - lref[i]), rel = d / fmax(1.0, fabs(lref[i]));
        if (rel > *rmax || isnan(rel)) *rmax = isnan(rel) ? INFINITY : rel;
        if (!(rel <= 2e-3)) (*bad)++;
        const uint8_t want = href ? href[i] : (uint8_t)(lref[i] < 0.0f);
        if (fabsf(lref[i]) > 1e-2f && (uint8_t)(l[i] < 0.0f) != want) (*hard)++;
    }
}

static void test_reference(const impl *im, int nim, const char *set, unsigned m)
{
    char dir[256], path[320], err[512];
    snprintf(dir, sizeof dir, REF_DIR "/%s", set);
    rf_ko_model mdl;
    CHECKF(rf_ko_model_import(&mdl, dir, err, sizeof err), "%s", err);
    if (!mdl.tensors) return;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m), NM = 1000, NY = 200;
    snprintf(path, sizeof path, "%s/messages.u8", dir);
    uint8_t *msg = rf_test_read_exact(path, NM * k);
    snprintf(path, sizeof path, "%s/codewords.f32", dir);
    float *want = rf_test_read_exact(path, NM * n * sizeof(float));
    CHECKF(msg && want, "%s: messages/codewords missing or wrong size", set);
    float *x = malloc(NM * n * sizeof(float));
    for (int i = 0; i < nim && msg && want; i++) {
        im[i].enc(&mdl, msg, NM, x);
        double dmax;
        const size_t bad = cmp_x(x, want, NM * n, &dmax);
        printf("%s %s: codewords max |dx| = %.3g\n", set, im[i].name, dmax);
        CHECKF(bad == 0, "%s %s: %zu codeword symbols off by more than 1e-5 (max %.3g)", set, im[i].name, bad, dmax);
    }
    free(x), free(msg), free(want);
    for (int level = 1; level <= 2; level++) {
        snprintf(path, sizeof path, "%s/level%d_received.f32", dir, level);
        float *y = rf_test_read_exact(path, NY * n * sizeof(float));
        snprintf(path, sizeof path, "%s/level%d_llr.f32", dir, level);
        float *lref = rf_test_read_exact(path, NY * k * sizeof(float));
        snprintf(path, sizeof path, "%s/level%d_hard.u8", dir, level);
        uint8_t *href = rf_test_read_exact(path, NY * k);
        CHECKF(y && lref && href, "%s level%d: reference files missing or wrong size", set, level);
        float *l = malloc(NY * k * sizeof(float));
        for (int i = 0; i < nim && y && lref && href; i++) {
            im[i].dec(&mdl, y, NY, l);
            size_t bad, hard;
            double rmax;
            cmp_llr(l, lref, href, NY * k, &bad, &hard, &rmax);
            printf("%s level%d %s: LLR max |dL|/max(1,|L|) = %.3g, hard decisions differing %zu\n", set, level,
                   im[i].name, rmax, hard);
            CHECKF(bad == 0, "%s level%d %s: %zu LLRs outside 2e-3 max(1,|L|) (max rel %.3g)", set, level,
                   im[i].name, bad, rmax);
            CHECKF(hard == 0, "%s level%d %s: %zu hard decisions differ", set, level, im[i].name, hard);
        }
        free(l), free(y), free(lref), free(href);
    }
    rf_ko_model_free(&mdl);
}

/* fast vs ref on a random-weights model, several frame counts (0 included) */
static void test_vs_ref(const impl *im, int nim)
{
    char err[256];
    double worst_x = 0, worst_l = 0;
    for (unsigned m = RF_KO_MIN_M; m <= RF_KO_MAX_M; m++)
        for (unsigned arch = 0; arch < 2; arch++) {
            rf_ko_model mdl;
            CHECKF(rf_ko_model_init(&mdl, m, (rf_ko_arch)arch, 100u + m, err, sizeof err), "%s", err);
            if (!mdl.tensors) continue;
            const size_t n = (size_t)1 << m, k = rf_ko_k(m);
            size_t batch = (size_t)16384 >> (m - 1); /* fast/ko_codec_driver.h: KC_COORDS, KC_MIN_BATCH */
            if (batch < 32) batch = 32;
            /* the full-plus-ragged batch with the cheap tiny blocks; 37 frames with the KO ones (two
             * batches at m = 10; keeps the qemu run short) */
            const size_t counts[] = {0, 1, 5, arch ? batch + 3 : 37};
            for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
                const size_t F = counts[c];
                uint8_t *msg = malloc(F * k + 1);
                float *xr = malloc((F * n + 1) * sizeof(float)), *x = malloc((F * n + 1) * sizeof(float));
                float *lr = malloc((F * k + 1) * sizeof(float)), *l = malloc((F * k + 1) * sizeof(float));
                float *y = malloc((F * n + 1) * sizeof(float));
                for (size_t i = 0; i < F * k; i++) msg[i] = (uint8_t)(rf_test_u64(&rng) & 1u);
                ko_encode_f32_ref(&mdl, msg, F, xr);
                for (size_t i = 0; i < F * n; i++) y[i] = xr[i] + (float)(0.8 * rf_test_gauss(&rng));
                ko_decode_f32_ref(&mdl, y, F, lr);
                for (int i = 0; i < nim; i++) {
                    x[F * n] = 12345.0f, l[F * k] = 12345.0f;
                    if (F == 0) x[0] = l[0] = 12345.0f;
                    im[i].enc(&mdl, msg, F, x);
                    im[i].dec(&mdl, y, F, l);
                    CHECKF(x[F * n] == 12345.0f && l[F * k] == 12345.0f, "%s m=%u frames=%zu: wrote past the end",
                           im[i].name, m, F);
                    double dmax, rmax;
                    size_t bad, hard;
                    const size_t xbad = cmp_x(x, xr, F * n, &dmax);
                    cmp_llr(l, lr, NULL, F * k, &bad, &hard, &rmax);
                    if (dmax > worst_x) worst_x = dmax;
                    if (rmax > worst_l) worst_l = rmax;
                    CHECKF(xbad == 0 && bad == 0 && hard == 0,
                           "%s m=%u %s frames=%zu: %zu symbols > 1e-5 (max %.3g), %zu LLRs > 2e-3 rel (max %.3g), "
                           "%zu hard decisions differ",
                           im[i].name, m, arch ? "tiny" : "ko", F, xbad, dmax, bad, rmax, hard);
                }
                free(msg), free(xr), free(x), free(lr), free(l), free(y);
            }
            rf_ko_model_free(&mdl);
        }
    printf("vs ref (init/tiny, m = 3..10): max |dx| %.3g, max LLR rel %.3g\n", worst_x, worst_l);
}

static long double ora_lse(long double a, long double b)
{
    const long double s = a + b;
    const long double l1 = fmaxl(s, 0) + log1pl(expl(-fabsl(s)));
    const long double l2 = fmaxl(a, b) + log1pl(expl(-fabsl(a - b)));
    return l1 - l2;
}

static void test_steps(const impl *im, int nim)
{
    enum { N = 40000 };
    float *a = malloc(N * sizeof(float)), *b = malloc(N * sizeof(float)), *o = malloc(N * sizeof(float));
    if (!a || !b || !o) abort();
    for (size_t i = 0; i < N; i++) {
        const double scale = i % 4 == 0 ? 1e-4 : i % 4 == 1 ? 1.0 : i % 4 == 2 ? 8.0 : 60.0;
        a[i] = (float)rf_test_uniform(&rng, -scale, scale);
        b[i] = (float)rf_test_uniform(&rng, -scale, scale);
    }
    a[0] = b[0] = 0.0f;
    a[1] = 100.0f, b[1] = -100.0f;
    a[2] = -200.0f, b[2] = -200.0f;
    /* the long double references once for every level (binary128 is software on aarch64) */
    long double *want_lse = malloc(N * sizeof *want_lse), *want_th = malloc(N * sizeof *want_th);
    if (!want_lse || !want_th) abort();
    for (size_t j = 0; j < N; j++) {
        want_lse[j] = ora_lse(a[j], b[j]);
        want_th[j] = tanhl((long double)a[j] / 2);
    }
    for (int i = 0; i < nim; i++) {
        if (!im[i].lse) continue;
        im[i].lse(a, b, N, o);
        double worst = 0; /* in units of the bound */
        size_t bad = 0;
        for (size_t j = 0; j < N; j++) {
            const long double want = want_lse[j];
            const double bound = ldexp(4.0 * (fabs(a[j]) + fabs(b[j])) + 10.0, -24);
            const double e = (double)fabsl((long double)o[j] - want) / bound;
            if (e > worst || isnan(e)) worst = isnan(e) ? INFINITY : e;
            if (!(e <= 1.0)) bad++;
        }
        printf("%s LSE: max error %.3f of the bound\n", im[i].name, worst);
        CHECKF(bad == 0, "%s LSE: %zu of %d outside the bound (worst %.3g x)", im[i].name, bad, N, worst);
        /* tanh(x/2): relative error in ulp of the result */
        im[i].th(a, N, o);
        double wulp = 0;
        bad = 0;
        for (size_t j = 0; j < N; j++) {
            const long double want = want_th[j];
            const double ulp = fmax(ldexp(fabs((double)want), -23), ldexp(1.0, -149));
            const double e = (double)fabsl((long double)o[j] - want) / ulp;
            if (e > wulp || isnan(e)) wulp = isnan(e) ? INFINITY : e;
            if (!(e <= 4.0) && !(fabsl((long double)o[j] - want) <= 0x1p-30L * 0x1p-126L)) bad++;
        }
        printf("%s tanh(x/2): max error %.2f ulp\n", im[i].name, wulp);
        CHECKF(bad == 0, "%s tanh(x/2): %zu of %d beyond 4 ulp (worst %.3g)", im[i].name, bad, N, wulp);
        const float sp[4] = {0.0f, -0.0f, INFINITY, -INFINITY};
        float so[4];
        im[i].th(sp, 4, so);
        CHECKF(so[0] == 0.0f && so[1] == 0.0f && so[2] == 1.0f && so[3] == -1.0f, "%s tanh specials %g %g %g %g",
               im[i].name, (double)so[0], (double)so[1], (double)so[2], (double)so[3]);
    }
    free(a), free(b), free(o), free(want_lse), free(want_th);
}

int main(void)
{
    impl im[RF_MAX_IMPLS];
    const int nim = impls(im);
    test_steps(im, nim);
    test_vs_ref(im, nim);
    FILE *probe = fopen(REF_DIR "/ko_8_2/weights.json", "rb");
    if (probe) {
        fclose(probe);
        test_reference(im, nim, "ko_8_2", 8);
        test_reference(im, nim, "ko_9_2", 9);
    } else
        printf("%s absent: external part skipped\n", REF_DIR);
    return rf_test_summary("test_ko_fast");
}
