/* polar_sc_i8 (refast/decoders.h), the int8 saturating fixed-point SC decoder, and its quantiser
 * (lib/codes/quant.h):
 *   1. ref == the oracle (oracle/polar_i8.c, leaf LLRs rebuilt independently) on random masks and
 *      int8 inputs of every kind (small values with ties and zeros, saturated values, -128).
 *   2. Every level == ref bit for bit (class exact) on random masks and on masks made of the
 *      shortcut nodes (rate-0, rate-1, repetition, SPC), with inputs full of zeros, |L| ties,
 *      +-127 and -128 (saturating repetition sums, the rate-1 / SPC fallbacks), quantised AWGN;
 *      misaligned buffers, output guards, frames = 0 writes nothing, mask changes between calls.
 *   3. -128 decodes as -127 at every level; a hand-checked saturating repetition node.
 *   4. The quantiser's rounding, clamping and NaN/infinity rules, and its argument checks.
 *   5. Without saturation the int8 decoder is the float minsum SC: on quantised AWGN frames whose
 *      every g sum (computed here in wide integers) stays within [-127, 127], polar_sc_i8's
 *      decisions equal polar_sc_ref(minsum) on the same integers as floats (f is exact in both,
 *      g is an exact integer sum below 2^24 in float). Saturating frames are counted and must
 *      occur too (the quantised inputs reach the clamp), so the property is not vacuous.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codes/quant.h"
#include "oracle.h"
#include "refast/decoders.h"
#include "refast/registry.h"
#include "testlib.h"

#define GUARD 64

static uint64_t rng_state = 8128;

static void random_mask(size_t n, uint8_t *frozen, unsigned kind)
{
    for (size_t i = 0; i < n; i++)
        frozen[i] = kind % 3 == 0 ? rf_test_u64(&rng_state) & 1 : kind % 3 == 1 ? rf_test_u64(&rng_state) % 4 == 0 : rf_test_u64(&rng_state) % 4 != 0;
}

/* Blocks the fast decoder shortcuts (rate-0, rate-1, repetition, SPC) and random blocks. */
static void shortcut_mask(unsigned m, uint8_t *frozen)
{
    const size_t n = (size_t)1 << m;
    size_t i = 0;
    while (i < n) {
        unsigned lb = (unsigned)(rf_test_u64(&rng_state) % (m + 1));
        while (i % ((size_t)1 << lb)) lb--;
        const size_t b = (size_t)1 << lb;
        const unsigned kind = (unsigned)(rf_test_u64(&rng_state) % 5);
        for (size_t t = 0; t < b; t++)
            frozen[i + t] = kind == 0 ? 1 : kind == 1 ? 0 : kind == 2 ? t + 1 < b : kind == 3 ? t == 0 : rf_test_u64(&rng_state) & 1;
        i += b;
    }
}

/* x = u F^{(x)m}. */
static void encode(unsigned m, uint8_t *x)
{
    const size_t n = (size_t)1 << m;
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t i = b; i < b + h; i++) x[i] ^= x[i + h];
}

/* A random codeword over BPSK + AWGN, L = 2y/sigma^2, quantised in Q(bits, frac). */
static void awgn_q(unsigned m, const uint8_t *frozen, double sigma, unsigned bits, unsigned frac, int8_t *q)
{
    const size_t n = (size_t)1 << m;
    uint8_t *x = malloc(n);
    float *l = malloc(n * sizeof *l);
    for (size_t i = 0; i < n; i++) x[i] = frozen[i] ? 0 : rf_test_u64(&rng_state) & 1;
    encode(m, x);
    for (size_t i = 0; i < n; i++) l[i] = (float)(2.0 * ((x[i] ? -1.0 : 1.0) + sigma * rf_test_gauss(&rng_state)) / (sigma * sigma));
    CHECK(rf_quantize_llr_i8(l, n, bits, frac, q));
    free(x);
    free(l);
}

/* int8 inputs of four kinds: small (ties, zeros), extremes (+-127, -128, small), the whole range,
 * and values that saturate sums (+-100..127). */
static int8_t stress_i8(unsigned kind)
{
    const uint64_t r = rf_test_u64(&rng_state);
    switch (kind % 4) {
    case 0: return (int8_t)((int)(r % 7) - 3);
    case 1: {
        static const int8_t ext[] = {127, -127, -128, 0, 1, -1, 2, -2};
        return ext[r % 8];
    }
    case 2: return (int8_t)(uint8_t)r;
    default: return (int8_t)((r & 1 ? 1 : -1) * (int)(100 + r % 28));
    }
}

/* ---- 1. ref == oracle ------------------------------------------------------------------------ */

static void test_ref_oracle(void)
{
    for (unsigned m = 0; m <= 9; m++) {
        const size_t n = (size_t)1 << m;
        uint8_t *frozen = malloc(n), *want = malloc(n), *got = malloc(n);
        int8_t *llr = malloc(n);
        for (int trial = 0; trial < 12; trial++) {
            random_mask(n, frozen, (unsigned)trial);
            const size_t k = rf_test_count_info(n, frozen);
            if (trial >= 8) awgn_q(m, frozen, 0.6 + 0.2 * (trial - 8), RF_QUANT_SC_BITS, RF_QUANT_SC_FRAC, llr);
            else for (size_t i = 0; i < n; i++) llr[i] = stress_i8((unsigned)trial);
            CHECK(ora_polar_sc_i8(m, frozen, llr, want) == 0);
            polar_sc_i8_ref(m, frozen, llr, 1, got);
            CHECKF(memcmp(got, want, k) == 0, "ref != oracle: m=%u trial %d", m, trial);
        }
        free(frozen);
        free(want);
        free(got);
        free(llr);
    }
}

/* ---- 2. every level == ref ------------------------------------------------------------------- */

static void check_levels(const rf_impl_set *s, unsigned m, const uint8_t *frozen, const int8_t *llr, size_t frames,
                         const char *what, int trial)
{
    const size_t n = (size_t)1 << m, k = rf_test_count_info(n, frozen);
    uint8_t *want = malloc(frames * k + 1), *mem = malloc(frames * n + 2 * GUARD);
    polar_sc_i8_ref(m, frozen, llr, frames, want);
    for (size_t li = 0; li < s->n; li++) {
        const int offset = 1 + trial % 3;
        memset(mem, 0xA5, frames * n + 2 * GUARD);
        ((rf_polar_sc_i8_fn)s->at[li].fn)(m, frozen, llr, frames, mem + offset);
        CHECKF(memcmp(mem + offset, want, frames * k) == 0, "%s != ref (%s): m=%u trial %d", s->at[li].label, what,
               m, trial);
        int guard_ok = 1;
        for (int i = 0; i < offset; i++) guard_ok &= mem[i] == 0xA5;
        for (size_t i = offset + frames * k; i < frames * n + 2 * GUARD; i++) guard_ok &= mem[i] == 0xA5;
        CHECKF(guard_ok, "%s wrote outside its output (m=%u)", s->at[li].label, m);
        memset(mem, 0xA5, 16);
        ((rf_polar_sc_i8_fn)s->at[li].fn)(m, frozen, llr, 0, mem);
        CHECK(mem[0] == 0xA5);
    }
    free(want);
    free(mem);
}

static void test_levels(void)
{
    const rf_impl_set s = rf_test_level_impls("polar_sc_i8");
    CHECK(s.n >= 1);
    for (unsigned m = 0; m <= 12; m++) {
        const size_t n = (size_t)1 << m, frames = m <= 8 ? 4 : 2;
        uint8_t *frozen = malloc(n);
        int8_t *mem = malloc(frames * n + 1);
        for (int trial = 0; trial < (m <= 9 ? 24 : 8); trial++) {
            int8_t *llr = mem + (trial & 1); /* misaligned inputs */
            if (trial % 2) shortcut_mask(m, frozen);
            else random_mask(n, frozen, (unsigned)trial / 2);
            for (size_t fr = 0; fr < frames; fr++) {
                if (trial % 6 == 5) {
                    const unsigned frac = (unsigned)(trial % 4);
                    awgn_q(m, frozen, 0.5 + 0.1 * (trial % 5), trial % 4 == 1 ? 8 : 6, frac, llr + fr * n);
                } else {
                    for (size_t i = 0; i < n; i++) llr[fr * n + i] = stress_i8((unsigned)trial / 2);
                }
            }
            check_levels(&s, m, frozen, llr, frames, trial % 2 ? "shortcut mask" : "random mask", trial);
        }
        free(frozen);
        free(mem);
    }
}

/* The fast levels cache the last mask's schedule: alternating masks of one length. */
static void test_mask_changes(void)
{
    const rf_impl_set s = rf_test_level_impls("polar_sc_i8");
    const unsigned m = 8;
    const size_t n = (size_t)1 << m;
    uint8_t a[256], b[256];
    int8_t llr[256];
    shortcut_mask(m, a);
    shortcut_mask(m, b);
    for (int trial = 0; trial < 6; trial++) {
        for (size_t i = 0; i < n; i++) llr[i] = stress_i8(0);
        check_levels(&s, m, trial & 1 ? b : a, llr, 1, "alternating masks", trial);
    }
}

/* ---- 3. -128 and a hand-checked saturating repetition ----------------------------------------- */

static void test_rules(void)
{
    const rf_impl_set s = rf_test_level_impls("polar_sc_i8");
    /* Repetition N = 8 (only the last leaf information): SC folds t_i = sat(t_{i+h} + t_i),
     * h = 4, 2, 1. L = (127, -50, -50, 0, 127, -50, -50, 0): h = 4 gives (sat(254) = 127, -100,
     * -100, 0), h = 2 (27, -100), h = 1 -73: decides 1. Without the clamp the sum is +54 (0), and
     * a left-to-right clamped sum gives +27 (0): only ref's fold with ref's clamp decides 1.
     * The same frame with -128 for one -127-free value is not possible here, so a second frame
     * checks -128 == -127 inside a saturating fold: (-128, 0, 0, 0, -128, 0, 0, 100) folds to
     * (-127, 0, 0, 100), (-127, 100), -27: 1 (unclamped -256 + 100 < 0 too; with -128 read as -128
     * and an int8 wrap it would differ). */
    const uint8_t rep8[8] = {1, 1, 1, 1, 1, 1, 1, 0};
    const int8_t frames[][8] = {{127, -50, -50, 0, 127, -50, -50, 0}, {-128, 0, 0, 0, -128, 0, 0, 100},
                                {-127, 0, 0, 0, -127, 0, 0, 100}};
    const uint8_t want[] = {1, 1, 1};
    for (size_t f = 0; f < sizeof want; f++) {
        uint8_t ora = 0xA5;
        CHECK(ora_polar_sc_i8(3, rep8, frames[f], &ora) == 0);
        CHECKF(ora == want[f], "oracle repetition frame %zu", f);
        uint8_t r = 0xA5;
        polar_sc_i8_ref(3, rep8, frames[f], 1, &r);
        CHECKF(r == want[f], "ref repetition frame %zu", f);
        for (size_t li = 0; li < s.n; li++) {
            uint8_t msg = 0xA5;
            ((rf_polar_sc_i8_fn)s.at[li].fn)(3, rep8, frames[f], 1, &msg);
            CHECKF(msg == want[f], "%s repetition frame %zu", s.at[li].label, f);
        }
    }
    /* -128 == -127 on random codes at every level */
    for (unsigned m = 1; m <= 10; m++) {
        const size_t n = (size_t)1 << m;
        uint8_t *fz = malloc(n), *a = malloc(n), *b = malloc(n);
        int8_t *x = malloc(n), *y = malloc(n);
        random_mask(n, fz, m);
        const size_t k = rf_test_count_info(n, fz);
        for (size_t i = 0; i < n; i++) {
            x[i] = stress_i8(1);
            y[i] = x[i] == -128 ? -127 : x[i];
        }
        for (size_t li = 0; li < s.n; li++) {
            ((rf_polar_sc_i8_fn)s.at[li].fn)(m, fz, x, 1, a);
            ((rf_polar_sc_i8_fn)s.at[li].fn)(m, fz, y, 1, b);
            CHECKF(memcmp(a, b, k) == 0, "%s: -128 decodes unlike -127 (m=%u)", s.at[li].label, m);
        }
        free(fz);
        free(a);
        free(b);
        free(x);
        free(y);
    }
}

/* ---- 4. the quantiser ------------------------------------------------------------------------ */

static void test_quantiser(void)
{
    const float l[] = {0.0f, 0.24f, 0.25f, -0.25f, 0.74f, 0.75f, -0.76f, 15.4f, 15.5f, 16.0f, -100.0f,
                       INFINITY, -INFINITY, NAN, 3.0e38f};
    /* Q(6, 1): round(2 l) halves away from zero, clamped to [-31, 31] */
    const int8_t want61[] = {0, 0, 1, -1, 1, 2, -2, 31, 31, 31, -31, 31, -31, 0, 31};
    const size_t n = sizeof l / sizeof l[0];
    int8_t q[sizeof l / sizeof l[0]];
    CHECK(rf_quantize_llr_i8(l, n, 6, 1, q));
    for (size_t i = 0; i < n; i++) CHECKF(q[i] == want61[i], "Q(6,1) of %g: %d, want %d", (double)l[i], q[i], want61[i]);
    /* Q(8, 2): round(4 l) clamped to [-127, 127] (never -128) */
    const int8_t want82[] = {0, 1, 1, -1, 3, 3, -3, 62, 62, 64, -127, 127, -127, 0, 127};
    CHECK(rf_quantize_llr_i8(l, n, 8, 2, q));
    for (size_t i = 0; i < n; i++) CHECKF(q[i] == want82[i], "Q(8,2) of %g: %d, want %d", (double)l[i], q[i], want82[i]);
    /* bad formats write nothing */
    memset(q, 0x55, sizeof q);
    CHECK(!rf_quantize_llr_i8(l, n, 9, 1, q));
    CHECK(!rf_quantize_llr_i8(l, n, 1, 0, q));
    CHECK(!rf_quantize_llr_i8(l, n, 6, 8, q));
    CHECK(q[0] == 0x55);
}

/* ---- 5. no saturation: int8 SC == float minsum SC ---------------------------------------------- */

/* SC in wide integers without any clamp: writes the decisions and returns the largest |g| met. */
static int wide_node(unsigned log2n, const uint8_t *frozen, const int *L, uint8_t *x, uint8_t **msg)
{
    if (log2n == 0) {
        x[0] = frozen[0] ? 0 : L[0] < 0;
        if (!frozen[0]) *(*msg)++ = x[0];
        return 0;
    }
    const size_t h = (size_t)1 << (log2n - 1);
    int *c = malloc(h * sizeof *c), worst = 0;
    for (size_t i = 0; i < h; i++) {
        const int a = abs(L[i]) < abs(L[i + h]) ? abs(L[i]) : abs(L[i + h]);
        c[i] = (L[i] < 0) != (L[i + h] < 0) ? -a : a;
    }
    int w = wide_node(log2n - 1, frozen, c, x, msg);
    worst = w > worst ? w : worst;
    for (size_t i = 0; i < h; i++) {
        c[i] = x[i] ? L[i + h] - L[i] : L[i + h] + L[i];
        worst = abs(c[i]) > worst ? abs(c[i]) : worst;
    }
    w = wide_node(log2n - 1, frozen + h, c, x + h, msg);
    worst = w > worst ? w : worst;
    for (size_t i = 0; i < h; i++) x[i] ^= x[i + h];
    free(c);
    return worst;
}

static void test_matches_float(void)
{
    const rf_impl_set s = rf_test_level_impls("polar_sc_i8");
    int unsaturated = 0, saturated = 0;
    for (unsigned m = 3; m <= 8; m++) {
        const size_t n = (size_t)1 << m;
        uint8_t *frozen = malloc(n), *x = malloc(n), *wide = malloc(n), *got = malloc(n), *fl = malloc(n);
        int8_t *q = malloc(n);
        int *L = malloc(n * sizeof *L);
        float *lf = malloc(n * sizeof *lf);
        for (int trial = 0; trial < 60; trial++) {
            random_mask(n, frozen, (unsigned)trial);
            const size_t k = rf_test_count_info(n, frozen);
            awgn_q(m, frozen, 0.7 + 0.05 * (trial % 20), RF_QUANT_SC_BITS, RF_QUANT_SC_FRAC, q);
            for (size_t i = 0; i < n; i++) {
                L[i] = q[i];
                lf[i] = (float)q[i];
            }
            uint8_t *w = wide;
            const int worst = wide_node(m, frozen, L, x, &w);
            if (worst > 127) {
                saturated++;
                continue;
            }
            unsaturated++;
            polar_sc_ref(m, frozen, RF_F_MINSUM, lf, 1, fl);
            CHECKF(memcmp(wide, fl, k) == 0, "wide-integer SC != float minsum SC (m=%u trial %d)", m, trial);
            for (size_t li = 0; li < s.n; li++) {
                ((rf_polar_sc_i8_fn)s.at[li].fn)(m, frozen, q, 1, got);
                CHECKF(memcmp(got, fl, k) == 0, "%s int8 SC != float minsum SC without saturation (m=%u trial %d)",
                       s.at[li].label, m, trial);
            }
        }
        free(frozen);
        free(x);
        free(wide);
        free(got);
        free(fl);
        free(q);
        free(L);
        free(lf);
    }
    printf("int8 vs float minsum: %d frames without saturation compared, %d saturating frames skipped\n",
           unsaturated, saturated);
    CHECK(unsaturated >= 60);
    CHECK(saturated >= 10);
}

int main(void)
{
    test_quantiser();
    test_ref_oracle();
    test_levels();
    test_mask_changes();
    test_rules();
    test_matches_float();
    return rf_test_summary("test_polar_i8");
}
