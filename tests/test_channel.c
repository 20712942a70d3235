/* Tests of the channel family (refast/channel.h, SPEC §5.1 "Channels"):
 *   - rayleigh_llr_f32 and bursty_llr_f32 at every usable level (scalar = ref included) within the
 *     registry's sum bound of the long double oracle, over lengths 0..3*16+1 and longer multi-chunk
 *     frames, misaligned pointers, guard words untouched, frames = 0 / n = 0 write nothing;
 *   - a multi-frame call equals frame-by-frame calls bit for bit (frame f depends on (seed, f) only);
 *   - the documented streams: Rayleigh's noise is awgn_llr_f32's noise (so with a = 1 it is the
 *     AWGN channel: L_ray = a (L_awgn + G (a - 1) s) with a rebuilt from the fading stream), bursty
 *     with rho = 0 (or sigma_b = 0) is the same level's AWGN bit for bit, and the hit symbols are
 *     exactly those with u_i < rho on the burst-flag stream;
 *   - statistics: E[a^2] = 1 and E[a] = sqrt(pi)/2 for the fading, hit rate rho;
 *   - the SNR conventions: known values, the relations between them, invalid input gives NaN. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "refast/case.h"
#include "refast/channel.h"
#include "refast/registry.h"
#include "refast/rng.h"
#include "testlib.h"
#include "codes/snr.h"

static void random_bits(uint8_t *b, size_t n, uint64_t seed)
{
    uint32_t w[256];
    for (size_t i = 0; i < n; i += 256) {
        const size_t m = n - i < 256 ? n - i : 256;
        rf_philox_u32(seed, 99, i, m, w);
        for (size_t j = 0; j < m; j++) b[i + j] = (uint8_t)(w[j] & 0xff); /* every bit of the byte set at random */
    }
}

/* Runs one implementation on (n, frames) at byte offset `mis` of the buffers and checks the oracle
 * bound and the guards. */
static void check_vs_oracle(const rf_impl *im, size_t n, size_t frames, uint64_t first_frame, float sigma,
                            float rho, float sigma_b, size_t mis)
{
    const rf_kernel *k = im->kernel;
    const bool bursty = k->id == RF_KID(bursty_llr_f32);
    const size_t total = n * frames, guard = 16;
    uint8_t *bits_buf = malloc(total + 64);
    float *llr_buf = malloc((total + 2 * guard) * sizeof(float) + 64);
    long double *want = malloc((total + 1) * sizeof *want), *scale = malloc((total + 1) * sizeof *scale);
    uint8_t *bits = bits_buf + mis;
    float *llr = (float *)(void *)((char *)llr_buf + 4 * (mis % 4 == 0 ? 1 : 0)) + guard; /* misaligned by 4 */
    random_bits(bits, total, 5 + n);
    for (size_t i = 0; i < total + 2 * guard; i++) (llr - guard)[i] = -1234.5f;
    if (bursty) {
        ((rf_bursty_llr_f32_fn)im->fn)(bits, n, frames, first_frame, 77, sigma, rho, sigma_b, llr);
        ora_bursty_llr(bits, n, frames, first_frame, 77, sigma, rho, sigma_b, want, scale);
    } else {
        ((rf_rayleigh_llr_f32_fn)im->fn)(bits, n, frames, first_frame, 77, sigma, llr);
        ora_rayleigh_llr(bits, n, frames, first_frame, 77, sigma, want, scale);
    }
    double worst = 0;
    for (size_t i = 0; i < total; i++) {
        const double ratio = fabs((double)llr[i] - (double)want[i]) / (0x1p-24 * (double)scale[i]);
        if (!(ratio <= worst)) worst = ratio;
    }
    CHECKF(worst <= k->tol.tau, "%s %s n=%zu frames=%zu: error ratio %.3g > tau %.3g", k->name, im->label, n,
           frames, worst, k->tol.tau);
    bool guards = true;
    for (size_t i = 0; i < guard; i++) guards = guards && (llr - guard)[i] == -1234.5f && llr[total + i] == -1234.5f;
    CHECKF(guards, "%s %s n=%zu frames=%zu: wrote outside the output", k->name, im->label, n, frames);
    free(bits_buf);
    free(llr_buf);
    free(want);
    free(scale);
}

static void test_oracle(void)
{
    const rf_impl_set ray = rf_test_level_impls("rayleigh_llr_f32"), bur = rf_test_level_impls("bursty_llr_f32");
    CHECK(ray.n == bur.n);
    for (size_t l = 0; l < ray.n && l < bur.n; l++) {
        for (size_t n = 0; n <= 3 * 16 + 1; n++) {
            check_vs_oracle(&ray.at[l], n, 2, 11, 0.75f, 0, 0, n % 3);
            check_vs_oracle(&bur.at[l], n, 2, 11, 0.75f, 0.3f, 1.5f, n % 3);
        }
        check_vs_oracle(&ray.at[l], 2500, 2, 0xfffffffeull, 1.25f, 0, 0, 1); /* chunks, counter carry */
        check_vs_oracle(&bur.at[l], 2500, 2, 0xfffffffeull, 1.25f, 0.1f, (float)(sqrt(2.0) * 1.25), 1);
        check_vs_oracle(&ray.at[l], 300, 3, UINT64_MAX - 1, 0.5f, 0, 0, 2); /* frame index wraps */
        check_vs_oracle(&bur.at[l], 300, 3, UINT64_MAX - 1, 0.5f, 1.0f, 0.25f, 2);

        /* frames = 0 and n = 0 write nothing (NULL accepted) */
        float sentinel = 3.0f;
        ((rf_rayleigh_llr_f32_fn)ray.at[l].fn)(NULL, 0, 5, 0, 1, 1.0f, &sentinel);
        ((rf_bursty_llr_f32_fn)bur.at[l].fn)(NULL, 7, 0, 0, 1, 1.0f, 0.1f, 1.0f, &sentinel);
        CHECK(sentinel == 3.0f);
    }
}

/* Frame f depends on (seed, f) alone: one call over F frames equals F calls of one frame. */
static void test_frame_independence(void)
{
    const size_t n = 1100, frames = 5;
    uint8_t *bits = malloc(n * frames);
    float *a = malloc(n * frames * sizeof(float)), *b = malloc(n * frames * sizeof(float));
    random_bits(bits, n * frames, 3);
    const rf_impl_set ray = rf_test_level_impls("rayleigh_llr_f32"), bur = rf_test_level_impls("bursty_llr_f32");
    for (size_t l = 0; l < ray.n && l < bur.n; l++) {
        for (int bursty = 0; bursty < 2; bursty++) {
            if (bursty) {
                rf_bursty_llr_f32_fn fn = (rf_bursty_llr_f32_fn)bur.at[l].fn;
                fn(bits, n, frames, 40, 9, 0.9f, 0.2f, 1.3f, a);
                for (size_t f = 0; f < frames; f++) fn(bits + f * n, n, 1, 40 + f, 9, 0.9f, 0.2f, 1.3f, b + f * n);
            } else {
                rf_rayleigh_llr_f32_fn fn = (rf_rayleigh_llr_f32_fn)ray.at[l].fn;
                fn(bits, n, frames, 40, 9, 0.9f, a);
                for (size_t f = 0; f < frames; f++) fn(bits + f * n, n, 1, 40 + f, 9, 0.9f, b + f * n);
            }
            CHECKF(memcmp(a, b, n * frames * sizeof(float)) == 0, "%s %s: multi-frame call differs from per-frame calls",
                   bursty ? "bursty" : "rayleigh", ray.at[l].label);
        }
    }
    free(bits);
    free(a);
    free(b);
}

/* The streams of refast/channel.h, checked against the AWGN kernel and the generators. */
static void test_streams(void)
{
    const size_t n = 4099, frames = 3, total = n * frames;
    const float sigma = 0.8f, gain = (float)(2.0 / ((double)sigma * sigma));
    uint8_t *bits = malloc(total);
    float *awgn = malloc(total * sizeof(float)), *ray = malloc(total * sizeof(float));
    float *bur = malloc(total * sizeof(float)), *g = malloc(2 * n * sizeof(float)), *u = malloc(n * sizeof(float));
    random_bits(bits, total, 8);
    const rf_kernel *rk = rf_test_kernel("rayleigh_llr_f32");
    /* the kernels at one level: the same index of each set */
    const rf_impl_set awgns = rf_test_level_impls("awgn_llr_f32"), rays = rf_test_level_impls("rayleigh_llr_f32"),
                      burs = rf_test_level_impls("bursty_llr_f32"), gausses = rf_test_level_impls("gauss_f32"),
                      uniforms = rf_test_level_impls("uniform_f32");
    CHECK(awgns.n == rays.n && rays.n == burs.n && burs.n == gausses.n && gausses.n == uniforms.n);
    for (size_t l = 0; l < awgns.n && l < rays.n && l < burs.n && l < gausses.n && l < uniforms.n; l++) {
        const char *ln = awgns.at[l].label;
        ((rf_awgn_llr_f32_fn)awgns.at[l].fn)(bits, n, frames, 1000, 4, sigma, awgn);
        ((rf_rayleigh_llr_f32_fn)rays.at[l].fn)(bits, n, frames, 1000, 4, sigma, ray);
        rf_gauss_f32_fn gauss = (rf_gauss_f32_fn)gausses.at[l].fn;
        rf_uniform_f32_fn uniform = (rf_uniform_f32_fn)uniforms.at[l].fn;

        /* L_ray = G a (a s + sigma z) and L_awgn = G (s + sigma z): L_ray = a (L_awgn + G (a - 1) s) */
        double worst = 0;
        for (size_t f = 0; f < frames; f++) {
            gauss(4, 1000 + f + RF_STREAM_FADING, 0, 2 * n, g);
            for (size_t i = 0; i < n; i++) {
                const double a = sqrt(((double)g[2 * i] * g[2 * i] + (double)g[2 * i + 1] * g[2 * i + 1]) / 2);
                const double s = (bits[f * n + i] & 1) ? -1 : 1, la = awgn[f * n + i];
                const double expect = a * (la + gain * (a - 1) * s);
                const double scale = gain * (a + a * a + a * fabs(la / gain - s));
                const double ratio = fabs(ray[f * n + i] - expect) / (0x1p-24 * scale);
                if (!(ratio <= worst)) worst = ratio;
            }
        }
        /* both sides carry rounding: twice the kernel's bound */
        CHECKF(worst <= 2 * rk->tol.tau, "%s: Rayleigh's noise is not awgn_llr_f32's (ratio %.3g)", ln, worst);

        rf_bursty_llr_f32_fn bfn = (rf_bursty_llr_f32_fn)burs.at[l].fn;
        bfn(bits, n, frames, 1000, 4, sigma, 0.0f, 2.0f, bur);
        CHECKF(memcmp(bur, awgn, total * sizeof(float)) == 0, "%s: bursty with rho = 0 differs from AWGN", ln);
        bfn(bits, n, frames, 1000, 4, sigma, 1.0f, 0.0f, bur);
        CHECKF(memcmp(bur, awgn, total * sizeof(float)) == 0, "%s: bursty with sigma_b = 0 differs from AWGN", ln);
        bfn(bits, n, frames, 1000, 4, sigma, NAN, 2.0f, bur);
        CHECKF(memcmp(bur, awgn, total * sizeof(float)) == 0, "%s: bursty with rho = NaN burst", ln);

        /* rho = 0.25, then rho equal to one symbol's uniform exactly (u < rho is strict: no hit) */
        uniform(4, 1000 + RF_STREAM_BURST_FLAG, 17, 1, u);
        const float rhos[2] = {0.25f, u[0]};
        for (int t = 0; t < 2; t++) {
            const float rho = rhos[t];
            bfn(bits, n, frames, 1000, 4, sigma, rho, 2.0f, bur);
            size_t mismatch = 0, hits = 0;
            for (size_t f = 0; f < frames; f++) {
                uniform(4, 1000 + f + RF_STREAM_BURST_FLAG, 0, n, u);
                for (size_t i = 0; i < n; i++) {
                    const bool hit = u[i] < rho, differs = bur[f * n + i] != awgn[f * n + i];
                    hits += hit;
                    mismatch += hit != differs;
                }
            }
            CHECKF(mismatch == 0, "%s: %zu symbols where the burst does not follow u < rho = %g", ln, mismatch,
                   (double)rho);
            CHECKF(bur[17] == awgn[17] || t == 0, "%s: u = rho must not burst", ln);
            /* 12297 symbols, rho = 0.25: sd 48; 5 sd */
            if (t == 0) CHECKF(fabs((double)hits - 0.25 * (double)total) < 240, "%s: %zu hits of %zu", ln, hits, total);
        }
    }
    free(bits);
    free(awgn);
    free(ray);
    free(bur);
    free(g);
    free(u);
}

/* The fading amplitude: E[a^2] = 1 (the seed's normalisation), E[a] = sqrt(pi)/2; recovered from the
 * LLRs of all-zero frames at a tiny sigma, where L = G a (a + sigma z) ~ G a^2. */
static void test_fading_stats(void)
{
    const size_t n = 1 << 17;
    float *g = malloc(2 * n * sizeof(float));
    rf_gauss_f32(12, 5 + RF_STREAM_FADING, 0, 2 * n, g);
    double m1 = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
        const double a2 = ((double)g[2 * i] * g[2 * i] + (double)g[2 * i + 1] * g[2 * i + 1]) / 2;
        m1 += sqrt(a2);
        m2 += a2;
    }
    m1 /= (double)n;
    m2 /= (double)n;
    /* sd of a^2 ~ Exp(1) is 1, of a is 0.463: standard errors 0.0028 and 0.0013; 6 se */
    CHECKF(fabs(m2 - 1) < 0.017, "E[a^2] = %.5f", m2);
    CHECKF(fabs(m1 - sqrt(acos(-1.0)) / 2) < 0.008, "E[a] = %.5f", m1);

    uint8_t *bits = calloc(n, 1);
    float *llr = malloc(n * sizeof(float));
    const float sigma = 1.0f / 1024;
    rf_rayleigh_llr_f32(bits, n, 1, 5, 12, sigma, llr);
    double m = 0;
    for (size_t i = 0; i < n; i++) m += llr[i] * ((double)sigma * sigma / 2);
    m /= (double)n;
    CHECKF(fabs(m - 1) < 0.017, "E[L sigma^2 / 2] = %.5f at a tiny sigma (should be E[a^2] = 1)", m);
    free(bits);
    free(llr);
    free(g);
}

static void test_snr(void)
{
    CHECK(fabs(rf_sigma_from_ebn0(0, 0.5) - 1) < 1e-15);
    CHECK(fabs(rf_sigma_from_esn0(0) - sqrt(0.5)) < 1e-15);
    CHECK(fabs(rf_sigma_from_snr(0) - 1) < 1e-15);
    CHECK(fabs(rf_sigma_from_snr(20) - 0.1) < 1e-15);
    /* 3 dB Eb/N0 at R = 1/2: sigma^2 = 1 / 10^0.3 */
    CHECK(fabs(rf_sigma_from_ebn0(3, 0.5) - sqrt(pow(10, -0.3))) < 1e-15);
    for (double x = -10; x <= 10; x += 0.5) {
        const double r = 37.0 / 256, s = rf_sigma_from_ebn0(x, r);
        CHECKF(fabs(rf_ebn0_from_sigma(s, r) - x) < 1e-12, "Eb/N0 round trip at %g", x);
        CHECKF(fabs(rf_esn0_from_sigma(s) - (x + 10 * log10(r))) < 1e-12, "Es/N0 = Eb/N0 + 10 log10 R at %g", x);
        CHECKF(fabs(rf_snr_from_sigma(s) - (rf_esn0_from_sigma(s) + 10 * log10(2.0))) < 1e-12,
               "SNR = Es/N0 + 3.01 dB at %g", x);
        CHECK(fabs(rf_sigma_from_esn0(rf_esn0_from_sigma(s)) - s) < 1e-13 * s);
        CHECK(fabs(rf_sigma_from_snr(rf_snr_from_sigma(s)) - s) < 1e-13 * s);
    }
    CHECK(isnan(rf_sigma_from_ebn0(1, 0)));
    CHECK(isnan(rf_sigma_from_ebn0(1, -1)));
    CHECK(isnan(rf_ebn0_from_sigma(0, 0.5)));
    CHECK(isnan(rf_esn0_from_sigma(-1)));
    CHECK(isnan(rf_snr_from_sigma(NAN)));
}

static void test_registry(void)
{
    const rf_kernel *r = rf_test_kernel("rayleigh_llr_f32"), *b = rf_test_kernel("bursty_llr_f32");
    CHECK(!strcmp(r->family, "channel") && !strcmp(b->family, "channel"));
    CHECK(r->tol.cls == RF_TOL_SUM && b->tol.cls == RF_TOL_SUM);
    /* every golden recipe builds inputs and an oracle */
    const rf_kernel *ks[2] = {r, b};
    for (int i = 0; i < 2; i++)
        for (const rf_case_spec *s = ks[i]->cases; s->name; s++) {
            rf_case c;
            char err[256] = "";
            rf_case_init(&c, ks[i]->name, s->name, s->params);
            CHECKF(ks[i]->make_inputs(ks[i], &c, err, sizeof err) == 0 && ks[i]->oracle(ks[i], &c, err, sizeof err) == 0,
                   "%s.%s: %s", ks[i]->name, s->name, err);
            rf_case_free(&c);
        }
    /* bad parameters are refused */
    rf_case c;
    char err[256] = "";
    rf_case_init(&c, "bursty_llr_f32", "bad", "n=4 frames=1 sigma=1 rho=1.5");
    CHECK(b->make_inputs(b, &c, err, sizeof err) != 0 && strstr(err, "rho"));
    rf_case_free(&c);
    rf_case_init(&c, "rayleigh_llr_f32", "bad", "n=4 frames=1 sigma=-1");
    CHECK(r->make_inputs(r, &c, err, sizeof err) != 0 && strstr(err, "sigma"));
    rf_case_free(&c);
}

int main(void)
{
    test_oracle();
    test_frame_independence();
    test_streams();
    test_fading_stats();
    test_snr();
    test_registry();
    return rf_test_summary("test_channel");
}
