/* polar_fscl and polar_fscl_paths (refast/decoders.h), the Fast-SSC list decoder, against the
 * plain SC list decoder it claims to equal (polar_scl with f = minsum) and against block ML:
 *   1. Integer LLRs (every sum exact in float, so both decoders compute exact metrics): on codes
 *      full of rate-0, repetition, rate-1 and SPC nodes, at every list size, polar_fscl_paths'
 *      ranked rows equal polar_scl_paths' row for row, except in frames where the oracle finds
 *      an exact tie (a selection's last kept and first pruned candidates, or two final paths, of
 *      equal metric), which are counted and must stay few.
 *   2. Float AWGN LLRs: polar_fscl's output equals polar_scl's frame by frame; a frame that
 *      differs must lie inside SCL's near-tie bound (oracle.h ora_scl_tie, tau = 8), which bounds
 *      how far float roundings move a metric.
 *   3. list >= 2^K: the list holds every message, so the output is block ML under min-sum's metric
 *      (sum of |l_i| where x_i disagrees with the sign of l_i, i.e. the largest correlation).
 *   4. Every level equals ref bit for bit (the same operations in the same order), on AWGN
 *      frames, specials (+-0, +-inf, NaN, huge values: the sanitising rule) and odd frame counts,
 *      with misaligned inputs and guarded outputs; frames = 0 and bad lists write nothing.
 * REFAST_FSCL_FRAMES=N runs part 2 with N frames per configuration (the note's 10^5-frame run).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codes/construct.h"
#include "oracle.h"
#include "refast/decoders.h"
#include "refast/registry.h"
#include "testlib.h"

static uint64_t rng = 20261207;


typedef struct code {
    const char *name;
    unsigned log2n;
    size_t K;
    double design;
} code;

/* Bhattacharyya codes: every node type at several sizes, and K small enough for part 3. */
static const code codes[] = {
    {"bhat5_16", 5, 16, 0.6}, {"bhat6_32", 6, 32, 0.6}, {"bhat7_96", 7, 96, 0.5},
    {"bhat8_128", 8, 128, 0.6}, {"bhat9_400", 9, 400, 0.5}, {"bhat10_512", 10, 512, 0.6},
};

static size_t make_code(const code *c, uint8_t *frozen)
{
    char err[128];
    if (!rf_polar_construct_bhattacharyya(c->log2n, c->K, c->design, frozen, err, sizeof err)) return 0;
    return rf_test_count_info((size_t)1 << c->log2n, frozen);
}

/* A random codeword through BPSK + AWGN: l = 2 y / sigma^2; integer LLRs round 64 l to an integer
 * in [-16383, 16383] (sums of N <= 2^10 such values stay within 2^24, so float is exact on them;
 * fine enough that equal metrics are rare). */
static void make_frame(unsigned log2n, const uint8_t *frozen, double sigma, int integer, float *llr)
{
    const size_t n = (size_t)1 << log2n;
    uint8_t u[1 << 10], x[1 << 10];
    for (size_t i = 0; i < n; i++) u[i] = frozen[i] ? 0 : rf_test_u64(&rng) & 1;
    ora_polar_encode(log2n, u, x);
    for (size_t i = 0; i < n; i++) {
        const double l = 2.0 * ((1.0 - 2.0 * x[i]) + sigma * rf_test_gauss(&rng)) / (sigma * sigma);
        llr[i] = integer ? (float)fmax(-16383.0, fmin(16383.0, nearbyint(64.0 * l))) : (float)l;
    }
}

static void test_integer_paths_equal_scl(void)
{
    static const unsigned lists[] = {1, 2, 4, 8, 16, 32};
    const double sigmas[] = {0.5, 0.7, 0.9};
    size_t frames = 0, ties = 0;
    for (size_t ci = 0; ci < sizeof codes / sizeof *codes; ci++) {
        const code *c = &codes[ci];
        const size_t n = (size_t)1 << c->log2n;
        uint8_t frozen[1 << 10];
        const size_t k = make_code(c, frozen);
        CHECK(k == c->K);
        float *llr = malloc(n * sizeof *llr);
        uint8_t *a = malloc(RF_SCL_MAX_L * k), *b = malloc(RF_SCL_MAX_L * k), *o = malloc(RF_SCL_MAX_L * k);
        long double metrics[RF_SCL_MAX_L];
        for (size_t li = 0; li < sizeof lists / sizeof *lists; li++) {
            const unsigned L = lists[li];
            const int trials = c->log2n >= 9 ? 6 : 20;
            for (int t = 0; t < trials; t++) {
                make_frame(c->log2n, frozen, sigmas[t % 3], 1, llr);
                RF_REF(polar_fscl_paths)(c->log2n, frozen, L, llr, 1, a);
                RF_REF(polar_scl_paths)(c->log2n, frozen, L, RF_F_MINSUM, llr, 1, b);
                frames++;
                if (memcmp(a, b, L * k) == 0) continue;
                ora_scl_tie tie = {.near = 0};
                CHECK(ora_polar_scl_paths(c->log2n, frozen, L, RF_F_MINSUM, llr, o, metrics, &tie) == 0);
                int exact_tie = tie.gap_min == 0;
                for (unsigned r = 1; r < L; r++) exact_tie |= metrics[r] == metrics[r - 1];
                CHECKF(exact_tie, "%s L=%u trial %d: Fast-SSCL's paths differ from SCL's without a tie", c->name, L,
                       t);
                ties += exact_tie;
            }
        }
        free(llr);
        free(a);
        free(b);
        free(o);
    }
    printf("integer LLRs: %zu frames, %zu differ at an exact tie\n", frames, ties);
    CHECKF(ties * 20 < frames, "ties in %zu of %zu frames: the test barely tests", ties, frames);
}

/* Part 2: float frames, best path. A frame whose output differs must have a deciding pair of
 * candidates within SCL's near-tie bound (tie <= tau u scale): outside it, float roundings cannot
 * reorder metrics, and Fast-SSCL's metrics are sums of the same node LLRs' penalties. */
static void test_float_equals_scl(size_t per_config)
{
    static const unsigned lists[] = {2, 8, 32};
    const double sigmas[] = {0.5, 0.6, 0.8};
    const long double near = 8.0L * 0x1p-24L;
    size_t frames = 0, differ = 0, excused = 0;
    /* the widest level of each (part 4 shows every level is ref bit for bit), for speed */
    const rf_impl_set fs = rf_test_level_impls("polar_fscl"), ss = rf_test_level_impls("polar_scl");
    const rf_polar_fscl_fn fscl = (rf_polar_fscl_fn)fs.at[fs.n - 1].fn;
    const rf_polar_scl_fn scl = (rf_polar_scl_fn)ss.at[ss.n - 1].fn;
    for (size_t ci = 0; ci < sizeof codes / sizeof *codes; ci++) {
        const code *c = &codes[ci];
        const size_t n = (size_t)1 << c->log2n;
        uint8_t frozen[1 << 10];
        const size_t k = make_code(c, frozen);
        float *llr = malloc(n * sizeof *llr);
        uint8_t *a = malloc(k), *b = malloc(k), *o = malloc(k);
        const size_t trials = per_config ? per_config : (c->log2n >= 9 ? 8 : 40);
        for (size_t li = 0; li < sizeof lists / sizeof *lists; li++) {
            for (size_t t = 0; t < trials; t++) {
                make_frame(c->log2n, frozen, sigmas[t % 3], 0, llr);
                fscl(c->log2n, frozen, lists[li], llr, 1, a);
                scl(c->log2n, frozen, lists[li], RF_F_MINSUM, llr, 1, b);
                frames++;
                if (memcmp(a, b, k) == 0) continue;
                differ++;
                ora_scl_tie tie = {.near = near};
                CHECK(ora_polar_scl(c->log2n, frozen, lists[li], RF_F_MINSUM, llr, o, &tie) == 0);
                const int inside = tie.tie <= near * tie.scale;
                CHECKF(inside, "%s L=%u frame %zu: Fast-SSCL differs from SCL outside the near-tie bound (tie %Lg, bound %Lg)",
                       c->name, lists[li], t, tie.tie, near * tie.scale);
                excused += inside;
            }
        }
        free(llr);
        free(a);
        free(b);
        free(o);
    }
    printf("float LLRs (%s): %zu frames, %zu differ from SCL, %zu of them inside the near-tie bound\n",
           fs.at[fs.n - 1].label, frames, differ, excused);
}

/* Part 3: with list >= 2^K every message survives (no selection prunes), so the best path is the
 * message of least min-sum metric, the largest correlation <l, 1 - 2x>: block ML. */
static void test_ml_when_list_holds_everything(void)
{
    size_t frames = 0, same = 0;
    for (unsigned log2n = 2; log2n <= 6; log2n++) {
        const size_t n = (size_t)1 << log2n;
        for (size_t K = 1; K <= 5 && K <= n; K++) {
            uint8_t frozen[64], gen[5 * 64], u[64], x[64];
            char err[128];
            CHECK(rf_polar_construct_bhattacharyya(log2n, K, 0.5, frozen, err, sizeof err));
            /* block_ml's generator: row j is the codeword of the j-th information bit */
            for (size_t j = 0, row = 0; j < n; j++) {
                if (frozen[j]) continue;
                memset(u, 0, n);
                u[j] = 1;
                ora_polar_encode(log2n, u, x);
                memcpy(gen + row++ * n, x, n);
            }
            float llr[64];
            uint8_t a[5], b[5];
            for (int t = 0; t < 30; t++) {
                make_frame(log2n, frozen, 1.0, 0, llr);
                RF_REF(polar_fscl)(log2n, frozen, 32, llr, 1, a);
                RF_REF(block_ml)(gen, (unsigned)K, n, llr, 1, b);
                frames++;
                same += memcmp(a, b, K) == 0;
                CHECKF(memcmp(a, b, K) == 0, "N=%zu K=%zu trial %d: list 32 is not block ML", n, K, t);
            }
        }
    }
    printf("list >= 2^K: %zu of %zu frames are block ML's decision\n", same, frames);
}

/* Part 4: every level against ref, bit for bit: random masks (all node mixes) and Bhattacharyya
 * codes, AWGN and special values, odd frame counts, misaligned inputs, guarded outputs. */
static float special_llr(void)
{
    static const float v[] = {0.0f, -0.0f, 1.0f, -1.0f, 2.5f, -2.5f, INFINITY, -INFINITY, NAN, 0x1p110f, -0x1p110f};
    const uint64_t r = rf_test_u64(&rng);
    return r % 3 ? (float)(rf_test_gauss(&rng) * 3.0) : v[(r >> 8) % (sizeof v / sizeof *v)];
}

static void test_levels_equal_ref(void)
{
    const rf_impl_set fs = rf_test_level_impls("polar_fscl"), ps = rf_test_level_impls("polar_fscl_paths");
    CHECK(fs.n >= 1 && ps.n == fs.n);
    enum { GUARD = 64 };
    static const unsigned lists[] = {1, 2, 3, 8, 17, 32};
    for (unsigned m = 0; m <= 11; m++) {
        const size_t n = (size_t)1 << m;
        uint8_t *frozen = malloc(n);
        for (int trial = 0; trial < (m <= 8 ? 12 : 3); trial++) {
            const unsigned L = lists[(size_t)trial % (sizeof lists / sizeof *lists)];
            const size_t frames = 1 + (size_t)trial % 3;
            if (trial % 3 == 0 && m >= 1) {
                char err[128];
                CHECK(rf_polar_construct_bhattacharyya(m, n / 2 + (size_t)trial % (n / 2 + 1) / 2, 0.6, frozen, err,
                                                      sizeof err));
            } else {
                for (size_t i = 0; i < n; i++) frozen[i] = rf_test_u64(&rng) % 4 < (uint64_t)(trial % 4);
            }
            const size_t k = rf_test_count_info(n, frozen), out = frames * L * k;
            float *mem = malloc((frames * n + 1) * sizeof *mem), *llr = mem + (trial & 1);
            for (size_t i = 0; i < frames * n; i++) llr[i] = trial % 4 == 3 ? special_llr() : (float)(rf_test_gauss(&rng) * 2.0 + 1.0);
            uint8_t *want = malloc(out + 1), *got = malloc(out + GUARD);
            for (int paths = 0; paths < 2; paths++) {
                const rf_impl_set *set = paths ? &ps : &fs;
                const size_t len = paths ? out : frames * k;
                if (paths) RF_REF(polar_fscl_paths)(m, frozen, L, llr, frames, want);
                else RF_REF(polar_fscl)(m, frozen, L, llr, frames, want);
                for (size_t li = 1; li < set->n; li++) {
                    memset(got, 0xa5, len + GUARD);
                    if (paths) ((rf_polar_fscl_paths_fn)set->at[li].fn)(m, frozen, L, llr, frames, got);
                    else ((rf_polar_fscl_fn)set->at[li].fn)(m, frozen, L, llr, frames, got);
                    int guard_ok = 1;
                    for (size_t g = 0; g < GUARD; g++) guard_ok &= got[len + g] == 0xa5;
                    CHECKF(memcmp(got, want, len) == 0 && guard_ok, "%s m=%u L=%u trial %d: differs from ref",
                           set->at[li].label, m, L, trial);
                }
            }
            free(mem);
            free(want);
            free(got);
        }
        free(frozen);
    }
    /* frames = 0 and bad lists write nothing */
    uint8_t frozen[8] = {1, 1, 1, 0, 1, 0, 0, 0}, msg[64];
    float llr[8] = {1, -1, 2, -2, 3, -3, 4, -4};
    for (size_t li = 0; li < fs.n; li++) {
        memset(msg, 0x5a, sizeof msg);
        ((rf_polar_fscl_fn)fs.at[li].fn)(3, frozen, 4, llr, 0, msg);
        ((rf_polar_fscl_fn)fs.at[li].fn)(3, frozen, 0, llr, 1, msg);
        ((rf_polar_fscl_fn)fs.at[li].fn)(3, frozen, RF_SCL_MAX_L + 1, llr, 1, msg);
        int untouched = 1;
        for (size_t i = 0; i < sizeof msg; i++) untouched &= msg[i] == 0x5a;
        CHECKF(untouched, "%s wrote output for frames = 0 or a bad list", fs.at[li].label);
    }
}

int main(void)
{
    test_levels_equal_ref();
    test_integer_paths_equal_scl();
    const char *env = getenv("REFAST_FSCL_FRAMES");
    test_float_equals_scl(env ? (size_t)strtoull(env, NULL, 10) : 0);
    test_ml_when_list_holds_everything();
    return rf_test_summary("test_polar_fscl");
}
