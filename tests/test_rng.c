/* Tests of the RNG family (refast/rng.h, SPEC §3 "Random numbers", §5.1 "Channels"):
 *   - the three Philox4x32-10 known-answer vectors of SPEC §3, and the (seed, stream, position)
 *     addressing of the word generator;
 *   - words and uniforms: every level equals ref bit for bit over many (first, n), n = 0 included
 *     (nothing written, NULL accepted), output pointers misaligned, guard words untouched;
 *   - gaussians: every level (scalar = ref included) within the registry's ulp bound of the long
 *     double oracle over 2^20 values, max ulp printed; a value does not depend on the range it
 *     was requested in; mean, variance, pair correlation and a chi-square on 34 bins;
 *   - AWGN: a multi-frame call equals frame-by-frame calls; LLRs within the registry's sum bound
 *     of the oracle; the sign convention (positive means bit 0).
 * The statistical thresholds are fixed (see test_gauss_stats) and the stream is fixed, so the
 * outcome is deterministic. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "refast/case.h"
#include "refast/registry.h"
#include "refast/rng.h"
#include "testlib.h"

/* ---- Philox ----------------------------------------------------------------------------------- */

static void test_kat(void)
{
    /* SPEC §3: counter words 0-3 | key words 0-1 | output words 0-3 */
    static const uint32_t kat[3][10] = {
        {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x6627e8d5,
         0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
         0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (int t = 0; t < 3; t++) {
        uint32_t out[4];
        rf_philox4x32_10(kat[t], kat[t] + 4, out);
        for (int i = 0; i < 4; i++)
            CHECKF(out[i] == kat[t][6 + i], "KAT %d word %d: got %08x want %08x", t, i, out[i],
                   kat[t][6 + i]);
    }
    /* The same vectors through the stream addressing: counter (b lo, b hi, stream lo, stream hi),
     * key (seed lo, seed hi), word p % 4 of block p / 4. A 64-bit position reaches blocks below
     * 2^62 only, so KATs 1 and 2 (block counters >= 2^62) are checked with their block moved to
     * a reachable one: block 2^62 - 1 must equal the direct block function on that counter. */
    for (int t = 0; t < 3; t++) {
        uint64_t b = (uint64_t)kat[t][1] << 32 | kat[t][0];
        uint32_t expect[4];
        memcpy(expect, kat[t] + 6, sizeof expect);
        if (b >= (uint64_t)1 << 62) {
            b = ((uint64_t)1 << 62) - 1;
            const uint32_t ctr[4] = {(uint32_t)b, (uint32_t)(b >> 32), kat[t][2], kat[t][3]};
            rf_philox4x32_10(ctr, kat[t] + 4, expect);
        }
        const uint64_t stream = (uint64_t)kat[t][3] << 32 | kat[t][2];
        const uint64_t seed = (uint64_t)kat[t][5] << 32 | kat[t][4];
        const rf_impl_set words = rf_test_level_impls("philox_u32");
        for (size_t l = 0; l < words.n; l++) {
            uint32_t w[4];
            ((rf_philox_u32_fn)words.at[l].fn)(seed, stream, 4 * b, 4, w);
            CHECKF(memcmp(w, expect, sizeof w) == 0, "KAT %d through philox_u32 at %s", t, words.at[l].label);
        }
    }
}

/* ref's words and uniforms against the definition written out here. */
static void test_addressing(void)
{
    const uint64_t seed = 0x0123456789abcdefull, stream = 0xfedcba9876543210ull;
    const uint64_t first = ((uint64_t)1 << 34) - 9; /* crosses block 2^32: the counter's high word */
    uint32_t w[40];
    float u[40];
    philox_u32_ref(seed, stream, first, 40, w);
    uniform_f32_ref(seed, stream, first, 40, u);
    for (int i = 0; i < 40; i++) {
        const uint64_t p = first + (uint64_t)i, b = p / 4;
        const uint32_t ctr[4] = {(uint32_t)b, (uint32_t)(b >> 32), (uint32_t)stream, (uint32_t)(stream >> 32)};
        const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        uint32_t blk[4];
        rf_philox4x32_10(ctr, key, blk);
        CHECKF(w[i] == blk[p % 4], "word %d", i);
        CHECKF(u[i] == (float)(blk[p % 4] >> 8) / 16777216.0f, "uniform %d", i);
    }
}

#define GUARD 0xA5A5A5A5u
#define PAD 16
/* lengths 0 .. 3 * step + 1, the widest step being avx512's 32 blocks = 128 numbers */
#define SWEEP (3 * 128 + 1)

/* Every level's words and uniforms equal ref's, for every (first, n, misalignment). */
static void test_exact_levels(void)
{
    static const uint64_t firsts[] = {0, 1, 2, 3, 4, 5, 7, 63, 64, 65, 1001,
                                      ((uint64_t)1 << 34) - 37, /* counter carry */
                                      UINT64_MAX - 40, UINT64_MAX}; /* position wrap */
    static const size_t offsets[] = {0, 1, 2, 3, 5, 15};
    const size_t maxn = 4099;
    uint32_t *want = rf_alloc((maxn + 2 * PAD + 16) * 4), *got = rf_alloc((maxn + 2 * PAD + 16) * 4);
    if (!want || !got) {
        CHECK(!"out of memory");
        return;
    }
    for (int kind = 0; kind < 2; kind++) {
        const char *name = kind ? "uniform_f32" : "philox_u32";
        const rf_impl_set im = rf_test_level_impls(name);
        for (size_t l = 0; l < im.n; l++) {
            if (im.at[l].level == RF_ISA_SCALAR) continue;
            rf_fnptr fn = im.at[l].fn;
            const char *lv = im.at[l].label;
            unsigned long bad = 0, guard_bad = 0, runs = 0;
            for (size_t fi = 0; fi < sizeof firsts / sizeof firsts[0]; fi++)
                for (size_t n = 0; n <= maxn; n = n < SWEEP ? n + 1 : n == SWEEP ? 1000 : n == 1000 ? maxn : maxn + 1)
                    for (size_t oi = 0; oi < sizeof offsets / sizeof offsets[0]; oi++) {
                        const uint64_t seed = 0x9e3779b97f4a7c15ull * (fi + 1), stream = n % 5;
                        uint32_t *o = got + PAD + offsets[oi];
                        for (size_t i = 0; i < maxn + 2 * PAD + 16; i++) got[i] = GUARD;
                        if (kind) {
                            uniform_f32_ref(seed, stream, firsts[fi], n, (float *)(void *)want);
                            ((rf_uniform_f32_fn)fn)(seed, stream, firsts[fi], n, (float *)(void *)o);
                        } else {
                            philox_u32_ref(seed, stream, firsts[fi], n, want);
                            ((rf_philox_u32_fn)fn)(seed, stream, firsts[fi], n, o);
                        }
                        runs++;
                        if (memcmp(o, want, 4 * n) != 0) {
                            if (!bad) fprintf(stderr, "%s %s: first=%llu n=%zu offset=%zu differs from ref\n", name,
                                              lv, (unsigned long long)firsts[fi], n, offsets[oi]);
                            bad++;
                        }
                        for (size_t i = 0; i < PAD + offsets[oi]; i++) guard_bad += got[i] != GUARD;
                        for (size_t i = PAD + offsets[oi] + n; i < maxn + 2 * PAD + 16; i++) guard_bad += got[i] != GUARD;
                    }
            CHECKF(bad == 0, "%s %s: %lu of %lu runs differ from ref", name, lv, bad, runs);
            CHECKF(guard_bad == 0, "%s %s: %lu guard words overwritten", name, lv, guard_bad);
        }
    }
    /* n = 0 writes nothing, even through a NULL pointer */
    const rf_impl_set words = rf_test_level_impls("philox_u32"), uniforms = rf_test_level_impls("uniform_f32");
    const rf_impl_set gauss = rf_test_level_impls("gauss_f32"), awgn = rf_test_level_impls("awgn_llr_f32");
    for (size_t l = 0; l < words.n; l++) ((rf_philox_u32_fn)words.at[l].fn)(1, 2, 3, 0, NULL);
    for (size_t l = 0; l < uniforms.n; l++) ((rf_uniform_f32_fn)uniforms.at[l].fn)(1, 2, 3, 0, NULL);
    for (size_t l = 0; l < gauss.n; l++) ((rf_gauss_f32_fn)gauss.at[l].fn)(1, 2, 3, 0, NULL);
    for (size_t l = 0; l < awgn.n; l++) {
        ((rf_awgn_llr_f32_fn)awgn.at[l].fn)(NULL, 0, 5, 0, 1, 1.0f, NULL);
        ((rf_awgn_llr_f32_fn)awgn.at[l].fn)(NULL, 7, 0, 0, 1, 1.0f, NULL);
    }
    CHECK(1); /* reaching here is the check */
    rf_free(want);
    rf_free(got);
}

/* ---- gaussians -------------------------------------------------------------------------------- */

#define GN ((size_t)1 << 20)
static const uint64_t g_seed = 0x243f6a8885a308d3ull, g_stream = 3, g_first = 1;

static unsigned ulp_dist(float got, double want)
{
    float w = (float)want;
    int32_t a, b;
    memcpy(&a, &got, 4);
    memcpy(&b, &w, 4);
    int64_t ao = a < 0 ? (int64_t)INT32_MIN - a : a, bo = b < 0 ? (int64_t)INT32_MIN - b : b;
    return (unsigned)llabs(ao - bo);
}

/* Mean, variance, pair correlation and chi-square of n standard normal samples. Thresholds:
 * |mean| < 5/sqrt(n), |var - 1| < 5 sqrt(2/n), |corr(z_2j, z_2j+1)| < 5/sqrt(n/2) (five standard
 * errors), chi-square over 34 bins (edges -4, -3.75, ..., 4 plus the two tails; 33 degrees of
 * freedom) < 72.03, its upper 1e-4 quantile. */
static void gauss_stats(const float *z, size_t n, const char *who)
{
    double sum = 0, sq = 0, cross = 0;
    unsigned long bins[34] = {0};
    for (size_t i = 0; i < n; i++) {
        sum += z[i];
        sq += (double)z[i] * z[i];
        if (i % 2 == 0 && i + 1 < n) cross += (double)z[i] * z[i + 1];
        int b = (int)floor((z[i] + 4.0) / 0.25) + 1;
        bins[b < 0 ? 0 : b > 33 ? 33 : b]++;
    }
    const double mean = sum / n, var = sq / n - mean * mean, corr = cross / (double)(n / 2);
    double chi2 = 0;
    for (int b = 0; b < 34; b++) {
        const double lo = b == 0 ? -INFINITY : -4.0 + 0.25 * (b - 1), hi = b == 33 ? INFINITY : -4.0 + 0.25 * b;
        const double p = 0.5 * erfc(-hi / sqrt(2.0)) - 0.5 * erfc(-lo / sqrt(2.0));
        const double e = p * (double)n;
        chi2 += (bins[b] - e) * (bins[b] - e) / e;
    }
    printf("gauss_f32 %-7s stats: mean %+.5f var %.5f pair-corr %+.5f chi2(33) %.2f\n", who, mean, var, corr, chi2);
    CHECKF(fabs(mean) < 5.0 / sqrt((double)n), "%s mean %g", who, mean);
    CHECKF(fabs(var - 1.0) < 5.0 * sqrt(2.0 / (double)n), "%s variance %g", who, var);
    CHECKF(fabs(corr) < 5.0 / sqrt((double)n / 2), "%s pair correlation %g", who, corr);
    CHECKF(chi2 < 72.03, "%s chi-square %g", who, chi2);
}

static void test_gauss(void)
{
    const rf_kernel *k = rf_test_kernel("gauss_f32");
    const rf_impl_set gauss = rf_test_level_impls("gauss_f32");
    double *want = malloc(GN * sizeof *want);
    float *got = rf_alloc(GN * sizeof *got);
    if (!want || !got) {
        CHECK(!"out of memory");
        free(want);
        rf_free(got);
        return;
    }
    for (size_t i = 0; i < GN; i++) want[i] = (double)ora_gauss(g_seed, g_stream, g_first + i);
    float *fast_ref = NULL;
    const char *fast_ref_level = "";
    for (size_t l = 0; l < gauss.n; l++) {
        const char *lv = gauss.at[l].label;
        rf_gauss_f32_fn fn = (rf_gauss_f32_fn)gauss.at[l].fn;
        fn(g_seed, g_stream, g_first, GN, got);
        unsigned maxd = 0;
        unsigned long hist[5] = {0};
        size_t worst = 0;
        for (size_t i = 0; i < GN; i++) {
            const unsigned d = ulp_dist(got[i], want[i]);
            hist[d < 4 ? d : 4]++;
            if (d > maxd) maxd = d, worst = i;
        }
        printf("gauss_f32 %-7s max %u ulp over %zu values (0:%lu 1:%lu 2:%lu 3:%lu >3:%lu)\n", lv, maxd, GN,
               hist[0], hist[1], hist[2], hist[3], hist[4]);
        CHECKF(maxd <= k->tol.ulps, "%s: %u ulp at index %zu (got %.9g want %.17g), bound %g", lv, maxd, worst,
               (double)got[worst], want[worst], k->tol.ulps);
        if (gauss.at[l].level == RF_ISA_SCALAR) /* ref/rng.c claims: correctly rounded but for near-midpoints */
            CHECKF(maxd <= 1, "ref: %u ulp", maxd);
        gauss_stats(got, GN, lv);
        /* fast/ claims one operation sequence for avx2, avx512 and neon: bit-identical results */
        if (gauss.at[l].level != RF_ISA_SCALAR) {
            if (!fast_ref) {
                fast_ref = rf_alloc(GN * sizeof *fast_ref);
                if (fast_ref) memcpy(fast_ref, got, GN * sizeof *got), fast_ref_level = lv;
            } else {
                CHECKF(memcmp(fast_ref, got, GN * sizeof *got) == 0, "gauss_f32 %s differs from %s", lv,
                       fast_ref_level);
            }
        }

        /* a value does not depend on the range it was requested in */
        static const size_t starts[] = {0, 1, 2, 3, 5, 31, 64, 999};
        float part[300];
        unsigned long bad = 0;
        for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++)
            for (size_t n = 0; n < 300; n += 1 + n / 8) {
                fn(g_seed, g_stream, g_first + starts[s], n, part);
                bad += memcmp(part, got + starts[s], n * sizeof *part) != 0;
            }
        CHECKF(bad == 0, "%s: %lu sub-ranges differ from the whole", lv, bad);
    }
    free(want);
    rf_free(got);
    rf_free(fast_ref);
}

/* ---- AWGN ------------------------------------------------------------------------------------- */

static void test_awgn(void)
{
    const rf_kernel *k = rf_test_kernel("awgn_llr_f32");
    const rf_impl_set awgn = rf_test_level_impls("awgn_llr_f32");
    static const size_t lens[] = {1, 7, 33, 256, 1029, 2500};
    const size_t frames = 5, maxn = 2500;
    const uint64_t seed = 77, f0 = ((uint64_t)1 << 32) - 2; /* streams cross 2^32 */
    const float sigma = 0.75f;
    uint8_t *bits = malloc(frames * maxn + 1);
    float *all = rf_alloc((frames * maxn + 1) * sizeof(float)), *one = rf_alloc((maxn + 1) * sizeof(float));
    long double *lw = malloc(frames * maxn * sizeof *lw), *ls = malloc(frames * maxn * sizeof *ls);
    if (!bits || !all || !one || !lw || !ls) {
        CHECK(!"out of memory");
        goto done;
    }
    for (size_t i = 0; i < frames * maxn + 1; i++) bits[i] = (uint8_t)ora_philox_word(5, 6, i); /* any byte */
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        const size_t n = lens[li];
        const uint8_t *b = bits + 1; /* misaligned bits */
        ora_awgn_llr(b, n, frames, f0, seed, sigma, lw, ls);
        for (size_t l = 0; l < awgn.n; l++) {
            const char *lv = awgn.at[l].label;
            rf_awgn_llr_f32_fn fn = (rf_awgn_llr_f32_fn)awgn.at[l].fn;
            float *o = all + 1; /* misaligned output */
            fn(b, n, frames, f0, seed, sigma, o);
            unsigned long split_bad = 0, out_of_bound = 0;
            double worst = 0;
            for (size_t f = 0; f < frames; f++) {
                fn(b + f * n, n, 1, f0 + f, seed, sigma, one + (f & 1));
                split_bad += memcmp(one + (f & 1), o + f * n, n * sizeof(float)) != 0;
            }
            for (size_t i = 0; i < frames * n; i++) {
                const double ratio = (double)(fabsl((long double)o[i] - lw[i]) / (0x1p-24L * ls[i]));
                if (ratio > worst) worst = ratio;
                out_of_bound += !(ratio <= k->tol.tau);
            }
            if (n == 2500) printf("awgn_llr_f32 %-7s max |err|/(u S) = %.3f (tau %g)\n", lv, worst, k->tol.tau);
            CHECKF(split_bad == 0, "%s n=%zu: %lu frames differ when computed alone", lv, n, split_bad);
            CHECKF(out_of_bound == 0, "%s n=%zu: %lu LLRs outside tau u S (worst ratio %g)", lv, n, out_of_bound,
                   worst);
        }
    }
    /* sign convention: positive means bit 0 (noise negligible at sigma = 2^-10) */
    for (size_t l = 0; l < awgn.n; l++) {
        rf_awgn_llr_f32_fn fn = (rf_awgn_llr_f32_fn)awgn.at[l].fn;
        fn(bits, 1000, 1, 3, seed, 0x1p-10f, all);
        unsigned long wrong = 0;
        for (size_t i = 0; i < 1000; i++) wrong += (all[i] > 0) != ((bits[i] & 1) == 0);
        CHECKF(wrong == 0, "%s: %lu LLR signs disagree with the bits", awgn.at[l].label, wrong);
    }
done:
    free(bits);
    rf_free(all);
    rf_free(one);
    free(lw);
    free(ls);
}

int main(void)
{
    test_kat();
    test_addressing();
    test_exact_levels();
    test_gauss();
    test_awgn();
    return rf_test_summary("test_rng");
}
