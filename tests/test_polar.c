/* Polar SC and SC-list decoders (refast/decoders.h) at every usable level, against the oracle
 * (oracle/polar.c) and against the facts they must satisfy:
 *   1. SC ref == oracle SC on random codes and AWGN, except frames whose oracle margin (min |L|
 *      over the information leaves) is <= tau u (sum|l| + N) (the registry's near-tie bound; it
 *      is conservative, so with the exact f and hundreds of leaves it skips ~15% of the frames;
 *      the test insists that most frames are compared).
 *   2. Every level's SC == ref SC bit for bit (minsum: the same exact operations, and the
 *      rate-0/rate-1 shortcuts are exact; exact f: the same libm calls), on AWGN and on inputs
 *      full of +-0, +-inf, NaN and huge values; misaligned buffers; frames = 0 writes nothing.
 *      2b. The same on masks built from the fast levels' shortcut nodes (rate-0, rate-1,
 *      repetition, SPC) with LLRs full of |L| ties, zeros, infinities, NaN and huge/small mixes
 *      (where a re-associated repetition sum or a tie-broken SPC flip would differ from SC), a
 *      hand-checked repetition node, and mask changes between calls (the cached schedule).
 *   3. SCL with L = 1 == SC, bit for bit, on the same inputs (the agreeing child wins ties).
 *   4. SCL with L >= 2^K == block ML by enumeration (minsum). Argument: with L >= 2^K no
 *      candidate is ever pruned (after j information bits there are 2^j <= L paths), so every
 *      codeword ends as a path. Under min-sum, SC's leaf LLR is the max-log LLR of the bit given
 *      the prefix (min-sum is exact max-marginalisation on the tree), so the penalty of a decision
 *      is Q(prefix, u) - Q(prefix) with Q the best correlation distance D(c) = sum |l_j| [c_j !=
 *      h(l_j)] over completions; the penalties telescope to PM(u) = D(c(u)) - min D, and the best
 *      metric is the ML codeword's. (With the exact f the |L| penalty is only the max-log of the
 *      true one, so the equality is not claimed there.) Frames with an ML margin <= bound skipped.
 *   5. SCL ref == oracle SCL for L in {2, 4, 8, 32}, both f (near-tie frames skipped).
 *   5b. Every level's SCL == ref SCL bit for bit for L in {1, 2, 4, 8, 16, 32}, both f, on AWGN,
 *      on special values and on small-integer LLRs (metrics tie all the time, so the tie rules of
 *      path selection decide); misaligned buffers; frames = 0 and list outside 1..32 write nothing.
 *   6. RM <-> polar: with the `rm` mask (popcount(i) >= m - r), the polar codeword read backwards
 *      is the canonical RM(m,r) codeword (SPEC's Plotkin recursion, written out below) whose
 *      message bit j is u at the j-th information position in DECREASING order. Reason: reversing
 *      (x_a ^ x_b, x_b) gives (rev x_b, rev x_a ^ rev x_b) = (u, u ^ v) with u from the upper
 *      half of the polar message, which the canonical encoder fills first. And SC with that mask
 *      decodes such codewords at high SNR.
 * Inputs come from this file's own splitmix64 generator.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "refast/registry.h"
#include "testlib.h"
#include "codes/construct.h"

#define U24 0x1p-24
#define GUARD 64

static uint64_t rng_state = 12345;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double next_unit(void)
{
    return ((double)(next_u64() >> 11) + 1.0) * 0x1p-53;
}

static double next_gauss(void)
{
    return sqrt(-2.0 * log(next_unit())) * cos(6.283185307179586 * next_unit());
}

/* x = u F^{(x)m} (the Plotkin step at every scale). */
static void polar_encode(unsigned m, const uint8_t *u, uint8_t *x)
{
    const size_t n = (size_t)1 << m;
    memcpy(x, u, n);
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t i = b; i < b + h; i++) x[i] ^= x[i + h];
}

/* Random message on the information positions, encoded, BPSK, AWGN: L = 2y/sigma^2. */
static void awgn_frame(unsigned m, const uint8_t *frozen, double sigma, float *llr, uint8_t *msg)
{
    const size_t n = (size_t)1 << m;
    uint8_t u[1 << 12], x[1 << 12];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        u[i] = frozen[i] ? 0 : next_u64() & 1;
        if (!frozen[i] && msg) msg[k++] = u[i];
    }
    polar_encode(m, u, x);
    for (size_t i = 0; i < n; i++)
        llr[i] = (float)(2.0 * ((x[i] ? -1.0 : 1.0) + sigma * next_gauss()) / (sigma * sigma));
}

/* LLRs stressing the rules: +-0, +-1..3, +-inf, NaN, huge (2^100), subnormal, random. */
static float special_value(void)
{
    static const float v[] = {0.0f, -0.0f, 1.0f, -1.0f, 2.0f, -3.0f, INFINITY, -INFINITY, NAN, -NAN,
                              0x1p100f, -0x1p100f, 0x1p-149f};
    uint64_t r = next_u64();
    if (r % 3 == 0) return (float)(next_gauss() * 4.0);
    return v[(r >> 8) % (sizeof v / sizeof v[0])];
}

static void random_mask(size_t n, uint8_t *frozen, unsigned kind)
{
    for (size_t i = 0; i < n; i++) {
        switch (kind % 3) {
        case 0: frozen[i] = next_u64() & 1; break;
        case 1: frozen[i] = (next_u64() % 4) == 0; break; /* mostly information: rate-1 subtrees */
        default: frozen[i] = (next_u64() % 4) != 0; break;
        }
    }
}

static double abs_sum(const float *l, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(l[i])) s += fabs(l[i]);
    return s;
}

/* ---- 1. SC ref vs oracle --------------------------------------------------------------------- */

static void test_sc_oracle(void)
{
    int compared = 0, skipped = 0;
    for (unsigned m = 0; m <= 9; m++) {
        const size_t n = (size_t)1 << m;
        const int frames = m <= 7 ? 24 : 4;
        uint8_t *frozen = malloc(n), *got = malloc(n), *want = malloc(n);
        float *llr = malloc(n * sizeof *llr);
        for (int t = 0; t < frames; t++) {
            random_mask(n, frozen, (unsigned)t);
            const size_t k = rf_test_count_info(n, frozen);
            const double sigma = 0.5 + 0.1 * (t % 10);
            awgn_frame(m, frozen, sigma, llr, NULL);
            for (int f = 0; f < 2; f++) {
                polar_sc_ref(m, frozen, f, llr, 1, got);
                long double margin = ora_polar_sc(m, frozen, f, llr, want);
                double bound = (8.0 * m + 8.0) * U24 * (abs_sum(llr, n) + (f == RF_F_EXACT ? (double)n : 0));
                if (margin <= bound) {
                    skipped++;
                    continue;
                }
                compared++;
                CHECKF(memcmp(got, want, k) == 0, "SC ref != oracle: m=%u frame %d f=%d", m, t, f);
            }
        }
        free(frozen);
        free(got);
        free(want);
        free(llr);
    }
    CHECKF(skipped * 4 < compared, "too many near-tie frames skipped (%d of %d)", skipped, compared + skipped);
}

/* ---- 2. every level == ref, special inputs, alignment, guards -------------------------------- */

static void test_sc_levels(void)
{
    const rf_impl_set scs = rf_test_level_impls("polar_sc");
    const int nl = (int)scs.n;
    for (unsigned m = 0; m <= 12; m++) {
        const size_t n = (size_t)1 << m, frames = m <= 8 ? 5 : 2;
        uint8_t *frozen = malloc(n), *want = malloc(frames * n), *mem = malloc(frames * n + 2 * GUARD);
        float *llr_mem = malloc((frames * n + 1) * sizeof(float));
        for (int trial = 0; trial < 6; trial++) {
            random_mask(n, frozen, (unsigned)trial);
            const size_t k = rf_test_count_info(n, frozen);
            const int offset = 1 + trial % 3; /* misaligned inputs and outputs */
            float *llr = llr_mem + (trial & 1);
            for (size_t fr = 0; fr < frames; fr++) {
                if (trial >= 3) {
                    for (size_t i = 0; i < n; i++) llr[fr * n + i] = special_value();
                } else {
                    awgn_frame(m, frozen, 0.6 + 0.3 * trial, llr + fr * n, NULL);
                    if (trial == 2) llr[fr * n + next_u64() % n] = 0.0f; /* rate-1 fallback */
                }
            }
            for (int f = 0; f < 2; f++) {
                polar_sc_ref(m, frozen, f, llr, frames, want);
                for (int li = 0; li < nl; li++) {
                    memset(mem, 0xA5, frames * n + 2 * GUARD);
                    ((rf_polar_sc_fn)scs.at[li].fn)(m, frozen, f, llr, frames, mem + offset);
                    CHECKF(memcmp(mem + offset, want, frames * k) == 0, "%s SC != ref: m=%u trial %d f=%d",
                           scs.at[li].label, m, trial, f);
                    int guard_ok = 1;
                    for (int i = 0; i < offset; i++) guard_ok &= mem[i] == 0xA5;
                    for (size_t i = offset + frames * k; i < frames * n + 2 * GUARD; i++) guard_ok &= mem[i] == 0xA5;
                    CHECKF(guard_ok, "%s SC wrote outside its output (m=%u)", scs.at[li].label, m);
                    /* frames = 0: nothing written */
                    memset(mem, 0xA5, 16);
                    ((rf_polar_sc_fn)scs.at[li].fn)(m, frozen, f, llr, 0, mem);
                    CHECK(mem[0] == 0xA5);
                }
            }
        }
        free(frozen);
        free(want);
        free(mem);
        free(llr_mem);
    }
}

/* The documented rules on a hand-checked example: N = 4, frozen {1,0,1,0}, minsum. Leaf 1 sees
 * f(-1,1) then g: 1 + (-1) = +0, which decides 0; leaf 3 sees -2 + -1 = -3, which decides 1. */
static void test_sc_rules(void)
{
    const uint8_t frozen[4] = {1, 0, 1, 0};
    const float llr[4] = {1, -1, -2, -1};
    uint8_t msg[2];
    polar_sc_ref(2, frozen, RF_F_MINSUM, llr, 1, msg);
    CHECK(msg[0] == 0 && msg[1] == 1);
    /* a NaN leaf decides 0 whatever its sign, -0 decides 0 */
    const uint8_t fz1[1] = {0};
    const float nan_neg = -NAN, zero_neg = -0.0f;
    polar_sc_ref(0, fz1, RF_F_MINSUM, &nan_neg, 1, msg);
    CHECK(msg[0] == 0);
    polar_sc_ref(0, fz1, RF_F_MINSUM, &zero_neg, 1, msg);
    CHECK(msg[0] == 0);
}

/* ---- 2b. the fast levels' subtree shortcuts ------------------------------------------------- */

/* Masks built from blocks the fast decoders shortcut (rate-0, rate-1, repetition = every leaf
 * frozen but the last, SPC = only the first leaf frozen) and random blocks, of random sizes. */
static void shortcut_mask(unsigned m, uint8_t *frozen)
{
    const size_t n = (size_t)1 << m;
    size_t i = 0;
    while (i < n) {
        unsigned lb = (unsigned)(next_u64() % (m + 1));
        while (i % ((size_t)1 << lb)) lb--;
        const size_t b = (size_t)1 << lb;
        const unsigned kind = (unsigned)(next_u64() % 5);
        for (size_t t = 0; t < b; t++) {
            switch (kind) {
            case 0: frozen[i + t] = 1; break;
            case 1: frozen[i + t] = 0; break;
            case 2: frozen[i + t] = t + 1 < b; break;
            case 3: frozen[i + t] = t == 0; break;
            default: frozen[i + t] = next_u64() & 1; break;
            }
        }
        i += b;
    }
}

/* LLRs that stress exactness: ties of |L| (few distinct magnitudes), signed zeros, infinities,
 * NaN, and huge/small mixes whose sums round differently in different orders. */
static float stress_value(unsigned kind)
{
    static const float tie[] = {1.0f, -1.0f, 2.0f, -2.0f, 0.5f, -0.5f};
    static const float mix[] = {1e8f, -1e8f, 1.0f, -0.75f, 3.0f, -0x1p-20f, 0x1p30f, -0x1p30f};
    uint64_t r = next_u64();
    switch (kind % 4) {
    case 0: return tie[r % 6];
    case 1: return (r & 15) == 0 ? special_value() : tie[r % 6];
    case 2: return mix[r % 8];
    default: return special_value();
    }
}

static void test_sc_shortcuts(void)
{
    const rf_impl_set scs = rf_test_level_impls("polar_sc");
    const int nl = (int)scs.n;
    /* hand-checked repetition node: SC folds (L2 + L0, L3 + L1) = (0, 0.25), then 0.25 + 0 > 0
     * decides 0; summing left to right would give ((1e8 + 1) - 1e8) - 0.75 = -0.75 and 1. */
    {
        const uint8_t frozen[4] = {1, 1, 1, 0};
        const float llr[4] = {1e8f, 1.0f, -1e8f, -0.75f};
        for (int li = 0; li < nl; li++)
            for (int f = 0; f < 2; f++) {
                uint8_t msg[1] = {0xA5};
                ((rf_polar_sc_fn)scs.at[li].fn)(2, frozen, f, llr, 1, msg);
                CHECKF(msg[0] == 0, "%s repetition fold order (f=%d)", scs.at[li].label, f);
            }
    }
    for (unsigned m = 0; m <= 11; m++) {
        const size_t n = (size_t)1 << m, frames = 3;
        uint8_t *frozen = malloc(n), *want = malloc(frames * n), *got = malloc(frames * n + GUARD);
        float *llr = malloc(frames * n * sizeof *llr);
        for (int trial = 0; trial < (m <= 8 ? 24 : 6); trial++) {
            shortcut_mask(m, frozen);
            const size_t k = rf_test_count_info(n, frozen);
            for (size_t i = 0; i < frames * n; i++) llr[i] = stress_value((unsigned)trial);
            if (trial % 4 == 0) awgn_frame(m, frozen, 0.7, llr, NULL);
            for (int f = 0; f < 2; f++) {
                polar_sc_ref(m, frozen, f, llr, frames, want);
                for (int li = 0; li < nl; li++) {
                    memset(got, 0xA5, frames * n + GUARD);
                    ((rf_polar_sc_fn)scs.at[li].fn)(m, frozen, f, llr, frames, got);
                    CHECKF(memcmp(got, want, frames * k) == 0, "%s SC != ref on shortcut nodes: m=%u trial %d f=%d",
                           scs.at[li].label, m, trial, f);
                    CHECKF(got[frames * k] == 0xA5, "%s SC wrote past its output (m=%u)", scs.at[li].label, m);
                }
            }
        }
        free(frozen);
        free(want);
        free(got);
        free(llr);
    }
}

/* The fast levels cache the schedule of the last mask: alternating masks of one length and
 * lengths must each decode as the reference does. */
static void test_sc_mask_changes(void)
{
    const rf_impl_set scs = rf_test_level_impls("polar_sc");
    const int nl = (int)scs.n;
    enum { M = 8, N = 1 << M };
    static uint8_t fa[N], fb[N], want[N], got[N];
    static float llr[N];
    shortcut_mask(M, fa);
    memcpy(fb, fa, N);
    fb[N - 1] ^= 1; /* differs only in the last leaf */
    for (size_t i = 0; i < N; i++) llr[i] = stress_value(1);
    for (int li = 0; li < nl; li++)
        for (int round = 0; round < 6; round++) {
            const unsigned m = round == 4 ? M - 1 : M;
            const uint8_t *fz = round & 1 ? fb : fa;
            polar_sc_ref(m, fz, RF_F_MINSUM, llr, 1, want);
            ((rf_polar_sc_fn)scs.at[li].fn)(m, fz, RF_F_MINSUM, llr, 1, got);
            CHECKF(memcmp(got, want, rf_test_count_info((size_t)1 << m, fz)) == 0, "%s SC after a mask change (round %d)",
                   scs.at[li].label, round);
        }
}

/* ---- 3. SCL with L = 1 is SC ------------------------------------------------------------------ */

static void test_scl_l1(void)
{
    const rf_impl_set scls = rf_test_level_impls("polar_scl");
    const int nl = (int)scls.n;
    for (unsigned m = 0; m <= 8; m++) {
        const size_t n = (size_t)1 << m, frames = 4;
        uint8_t *frozen = malloc(n), *a = malloc(frames * n), *b = malloc(frames * n);
        float *llr = malloc(frames * n * sizeof *llr);
        for (int trial = 0; trial < 6; trial++) {
            random_mask(n, frozen, (unsigned)trial);
            const size_t k = rf_test_count_info(n, frozen);
            for (size_t fr = 0; fr < frames; fr++) {
                if (trial >= 3)
                    for (size_t i = 0; i < n; i++) llr[fr * n + i] = special_value();
                else
                    awgn_frame(m, frozen, 0.8 + 0.4 * trial, llr + fr * n, NULL);
            }
            for (int f = 0; f < 2; f++) {
                polar_sc_ref(m, frozen, f, llr, frames, a);
                for (int li = 0; li < nl; li++) {
                    ((rf_polar_scl_fn)scls.at[li].fn)(m, frozen, 1, f, llr, frames, b);
                    CHECKF(memcmp(a, b, frames * k) == 0, "%s SCL(L=1) != SC: m=%u trial %d f=%d",
                           scls.at[li].label, m, trial, f);
                }
            }
        }
        free(frozen);
        free(a);
        free(b);
        free(llr);
    }
}

/* ---- 4. SCL with L >= 2^K is ML (minsum) ------------------------------------------------------ */

static void test_scl_ml(void)
{
    int compared = 0;
    for (unsigned m = 1; m <= 6; m++) {
        const size_t n = (size_t)1 << m;
        uint8_t frozen[64], got[64], want[64];
        float llr[64];
        for (int t = 0; t < 40; t++) {
            /* K <= 5 information positions, L = 32 >= 2^K; and K <= 3 with L = 8 */
            const unsigned kmax = (t & 1) ? 3 : 5, list = (t & 1) ? 8 : 32;
            memset(frozen, 1, n);
            const unsigned K = (unsigned)(next_u64() % (kmax + 1 < n + 1 ? kmax + 1 : n + 1));
            for (unsigned j = 0; j < K;) {
                size_t pos = next_u64() % n;
                if (frozen[pos]) {
                    frozen[pos] = 0;
                    j++;
                }
            }
            awgn_frame(m, frozen, 0.8 + 0.1 * (t % 8), llr, NULL);
            long double margin = ora_polar_ml(m, frozen, llr, want);
            /* correlations of n terms; PM sums of up to n leaf LLRs: the SCL bound of the registry */
            double bound = (8.0 * m + 8.0) * U24 * (double)n * 2.0 * abs_sum(llr, n);
            if (margin <= bound) continue;
            polar_scl_ref(m, frozen, list, RF_F_MINSUM, llr, 1, got);
            compared++;
            CHECKF(memcmp(got, want, K) == 0, "SCL(L=%u) != ML: m=%u K=%u frame %d", list, m, K, t);
        }
    }
    CHECK(compared > 150);
}

/* ---- 5. SCL ref vs oracle --------------------------------------------------------------------- */

static void test_scl_oracle(void)
{
    static const unsigned lists[] = {2, 4, 8, 32};
    int compared = 0, skipped = 0;
    for (unsigned m = 1; m <= 7; m++) {
        const size_t n = (size_t)1 << m;
        uint8_t frozen[128], got[128], want[128];
        float llr[128];
        for (int t = 0; t < 16; t++) {
            random_mask(n, frozen, (unsigned)t);
            const size_t k = rf_test_count_info(n, frozen);
            awgn_frame(m, frozen, 0.6 + 0.15 * (t % 8), llr, NULL);
            const unsigned list = lists[t % 4];
            const int f = (t / 4) & 1;
            const double tau = 8.0; /* SCL_TAU of the registry */
            ora_scl_tie tie = {.near = tau * U24};
            CHECK(ora_polar_scl(m, frozen, list, f, llr, want, &tie) == 0);
            if (tie.tie <= tau * U24 * tie.scale) {
                skipped++;
                continue;
            }
            compared++;
            polar_scl_ref(m, frozen, list, f, llr, 1, got);
            CHECKF(memcmp(got, want, k) == 0, "SCL ref != oracle: m=%u L=%u f=%d frame %d", m, list, f, t);
        }
    }
    CHECKF(skipped * 2 < compared, "too many near-tie frames skipped (%d of %d)", skipped, compared + skipped);
}

/* ---- 5a. the SCL bound covers the float error ----------------------------------------------- */

float RF_REF(polar_f_minsum)(float a, float b);
float RF_REF(polar_f_exact)(float a, float b);

/* Leaf i's LLR with ref's float operations (ref/polar_sc.c: f on the left, g on the right). */
static float float_leaf(const float *L, unsigned m, const uint8_t *u, size_t i, int f)
{
    if (m == 0) return L[0];
    const size_t h = (size_t)1 << (m - 1);
    float c[64];
    if (i < h) {
        for (size_t j = 0; j < h; j++)
            c[j] = f == RF_F_MINSUM ? RF_REF(polar_f_minsum)(L[j], L[j + h]) : RF_REF(polar_f_exact)(L[j], L[j + h]);
        return float_leaf(c, m - 1, u, i, f);
    }
    uint8_t x[64];
    polar_encode(m - 1, u, x);
    for (size_t j = 0; j < h; j++) c[j] = x[j] ? L[j + h] - L[j] : L[j + h] + L[j];
    return float_leaf(c, m - 1, u + h, i - h, f);
}

/* The running leaf bound of ora_polar_leaf and the path-metric bound w = E + n metric of
 * ora_scl_tie, checked against ref's float arithmetic without tau: on random paths (random bits at
 * every leaf, so that about half the leaves are penalised) of AWGN frames over a wide range of
 * LLR magnitudes, |float leaf - oracle leaf| <= u e and |float metric - oracle metric| <= u w,
 * with n counting the leaves within u e of 0 (the only ones a float sign can flip at). */
static void test_scl_bound_covers_error(void)
{
    double worst_leaf = 0, worst_metric = 0;
    int leaves = 0, paths = 0;
    for (unsigned m = 1; m <= 7; m++) {
        const size_t n = (size_t)1 << m;
        uint8_t frozen[128], u[128];
        float llr[128];
        for (int t = 0; t < 24; t++) {
            random_mask(n, frozen, (unsigned)t);
            awgn_frame(m, frozen, 0.3 + 0.1 * (t % 12), llr, NULL);
            const float gain = (float)ldexp(1.0, (t % 6) * 6 - 12); /* 2^-12 .. 2^18 */
            for (size_t i = 0; i < n; i++) llr[i] *= gain;
            const int f = t & 1;
            long double pm = 0, E = 0;
            float pmf = 0.0f;
            unsigned count = 0;
            for (size_t i = 0; i < n; i++) {
                long double e;
                const long double l = ora_polar_leaf(m, f, llr, u, i, &e);
                const float lf = float_leaf(llr, m, u, i, f);
                const double d = fabs((double)lf - (double)l);
                CHECKF(d <= U24 * (double)e, "leaf error %g > u e = %g (m=%u f=%d leaf %zu)", d, (double)(U24 * e), m,
                       f, i);
                if (e > 0 && d / (U24 * (double)e) > worst_leaf) worst_leaf = d / (U24 * (double)e);
                leaves++;
                u[i] = frozen[i] ? 0 : next_u64() & 1;
                const bool penalised = u[i] != (l < 0);
                if (penalised) pm += fabsl(l);
                if (u[i] != (lf < 0.0f)) pmf += fabsf(lf);
                if (penalised || fabsl(l) <= U24 * e) {
                    count++;
                    E += e;
                }
            }
            const long double w = E + count * pm;
            const double d = fabs((double)pmf - (double)pm);
            CHECKF(d <= U24 * (double)w, "metric error %g > u w = %g (m=%u f=%d t=%d)", d, (double)(U24 * w), m, f, t);
            if (w > 0 && d / (U24 * (double)w) > worst_metric) worst_metric = d / (U24 * (double)w);
            paths++;
        }
    }
    printf("SCL bound: worst |float - oracle| / (u e) %.3f over %d leaves, / (u w) %.3f over %d path metrics\n",
           worst_leaf, leaves, worst_metric, paths);
}

/* ---- 5b. every level's SCL == ref SCL -------------------------------------------------------- */

static void test_scl_levels(void)
{
    static const unsigned lists[] = {1, 2, 4, 8, 16, 32};
    const rf_impl_set scls = rf_test_level_impls("polar_scl");
    const int nl = (int)scls.n;
    for (unsigned m = 0; m <= 10; m++) {
        const size_t n = (size_t)1 << m, frames = m <= 6 ? 4 : m <= 8 ? 2 : 1;
        uint8_t *frozen = malloc(n), *want = malloc(frames * n), *mem = malloc(frames * n + 2 * GUARD);
        float *llr_mem = malloc((frames * n + 1) * sizeof(float));
        for (int trial = 0; trial < 4; trial++) {
            random_mask(n, frozen, (unsigned)(trial + m));
            const size_t k = rf_test_count_info(n, frozen);
            const int offset = 1 + trial % 3;
            float *llr = llr_mem + (trial & 1);
            for (size_t fr = 0; fr < frames; fr++) {
                for (size_t i = 0; i < n; i++) {
                    float *l = llr + fr * n + i;
                    if (trial == 2) *l = special_value();
                    else if (trial == 3) *l = (float)((int)(next_u64() % 5) - 2); /* ties everywhere */
                }
                if (trial < 2) awgn_frame(m, frozen, 0.7 + 0.5 * trial, llr + fr * n, NULL);
            }
            for (int f = 0; f < 2; f++) {
                for (size_t li2 = 0; li2 < sizeof lists / sizeof lists[0]; li2++) {
                    const unsigned list = lists[li2];
                    polar_scl_ref(m, frozen, list, f, llr, frames, want);
                    for (int li = 0; li < nl; li++) {
                        memset(mem, 0xA5, frames * n + 2 * GUARD);
                        ((rf_polar_scl_fn)scls.at[li].fn)(m, frozen, list, f, llr, frames, mem + offset);
                        CHECKF(memcmp(mem + offset, want, frames * k) == 0,
                               "%s SCL != ref: m=%u L=%u trial %d f=%d", scls.at[li].label, m, list,
                               trial, f);
                        int guard_ok = 1;
                        for (int i = 0; i < offset; i++) guard_ok &= mem[i] == 0xA5;
                        for (size_t i = offset + frames * k; i < frames * n + 2 * GUARD; i++)
                            guard_ok &= mem[i] == 0xA5;
                        CHECKF(guard_ok, "%s SCL wrote outside its output (m=%u L=%u)", scls.at[li].label,
                               m, list);
                    }
                }
            }
        }
        for (int li = 0; li < nl; li++) {
            memset(mem, 0xA5, 16);
            ((rf_polar_scl_fn)scls.at[li].fn)(m, frozen, 4, RF_F_MINSUM, llr_mem, 0, mem);
            ((rf_polar_scl_fn)scls.at[li].fn)(m, frozen, 0, RF_F_MINSUM, llr_mem, 1, mem);
            ((rf_polar_scl_fn)scls.at[li].fn)(m, frozen, RF_SCL_MAX_L + 1, RF_F_MINSUM, llr_mem, 1, mem);
            CHECKF(mem[0] == 0xA5, "%s SCL wrote with frames = 0 or list outside 1..32", scls.at[li].label);
        }
        free(frozen);
        free(want);
        free(mem);
        free(llr_mem);
    }
}

/* ---- 6. RM through the `rm` frozen set -------------------------------------------------------- */

/* SPEC §5.1's canonical RM encoder, written out independently. */
static size_t rm_k(unsigned m, unsigned r)
{
    size_t k = 0, c = 1;
    for (unsigned i = 0; i <= r && i <= m; i++) {
        k += c;
        c = c * (m - i) / (i + 1);
    }
    return k;
}

static void rm_encode(unsigned m, unsigned r, const uint8_t *b, uint8_t *c)
{
    const size_t n = (size_t)1 << m;
    if (r == 0) {
        memset(c, b[0], n);
        return;
    }
    if (m == 0) {
        c[0] = b[0];
        return;
    }
    const unsigned ru = r < m - 1 ? r : m - 1;
    const size_t ku = rm_k(m - 1, ru), h = n / 2;
    uint8_t v[1 << 10];
    rm_encode(m - 1, ru, b, c);
    rm_encode(m - 1, r - 1, b + ku, v);
    for (size_t i = 0; i < h; i++) c[h + i] = c[i] ^ v[i];
}

static void test_rm(void)
{
    const rf_impl_set scs = rf_test_level_impls("polar_sc");
    const int nl = (int)scs.n;
    for (unsigned m = 1; m <= 10; m++) {
        for (unsigned r = 0; r <= m; r++) {
            const size_t n = (size_t)1 << m;
            uint8_t frozen[1024], u[1024], x[1024], c[1024], b[1024], got[1024];
            float llr[1024];
            size_t info[1024], k = 0;
            for (size_t i = 0; i < n; i++) frozen[i] = __builtin_popcountll(i) < (int)(m - r);
            for (size_t i = n; i-- > 0;)
                if (!frozen[i]) info[k++] = i; /* decreasing order */
            CHECK(k == rm_k(m, r));
            for (int t = 0; t < 3; t++) {
                memset(u, 0, n);
                for (size_t j = 0; j < k; j++) u[info[j]] = b[j] = next_u64() & 1;
                polar_encode(m, u, x);
                rm_encode(m, r, b, c);
                int same = 1;
                for (size_t p = 0; p < n; p++) same &= x[n - 1 - p] == c[p];
                CHECKF(same, "reversed polar codeword != canonical RM(%u,%u) codeword", m, r);
                /* SC with the rm mask decodes the RM codeword (reversed into polar order) at high SNR */
                for (size_t p = 0; p < n; p++)
                    llr[n - 1 - p] = (float)(2.0 * ((c[p] ? -1.0 : 1.0) + 0.15 * next_gauss()) / 0.0225);
                for (int li = 0; li < nl; li++) {
                    ((rf_polar_sc_fn)scs.at[li].fn)(m, frozen, RF_F_EXACT, llr, 1, got);
                    int ok = 1;
                    for (size_t j = 0; j < k; j++) ok &= got[k - 1 - j] == b[j]; /* msg is in increasing order */
                    CHECKF(ok, "%s SC did not decode RM(%u,%u) at sigma 0.15", scs.at[li].label, m, r);
                }
            }
        }
    }
}

/* The registry's stored Polar(128,96) information set is the GA construction at sigma 0.5. */
static void test_p128_96_mask(void)
{
    const rf_kernel *k = rf_kernel_find("polar_sc");
    rf_case c;
    char err[256];
    uint8_t ga[128];
    rf_case_init(&c, "polar_sc", "t", "code=p128_96 frames=1 sigma=0.5");
    CHECK(k->make_inputs(k, &c, err, sizeof err) == 0);
    uint64_t count = 0;
    const uint8_t *frozen = rf_case_data(&c, "in.frozen", RF_DT_U8, &count);
    CHECK(rf_polar_construct_ga(7, 96, 0.5, ga, err, sizeof err));
    CHECK(frozen && count == 128 && memcmp(frozen, ga, 128) == 0);
    rf_case_free(&c);
}

int main(void)
{
    test_p128_96_mask();
    test_sc_rules();
    test_sc_oracle();
    test_sc_levels();
    test_scl_l1();
    test_scl_ml();
    test_scl_oracle();
    test_scl_levels();
    test_scl_bound_covers_error();
    test_rm();
    test_sc_shortcuts(); /* last: the earlier tests' random streams stay as they were */
    test_sc_mask_changes();
    return rf_test_summary("test_polar");
}
