/* The fast polar SC decoders' frames-in-lanes path (fast/generic/polar_sc_lanes.h): W = VF_LANES
 * frames at a time, the frames left over one at a time. Every level must equal ref bit for bit, so
 * this decodes batches whose size straddles every level's W (4 on neon, 8 on avx2, 16 on avx512:
 * 1, W - 1, W, W + 1, 3W + 5 for each) on the short codes (Polar(64,7), Polar(128,96)), a
 * Bhattacharyya N = 256 code, masks made of the shortcut nodes (N = 1 .. 8192, so also nodes
 * narrower than a register and the largest lane size) and N = 16384 (one frame at a time only),
 * with both f. The frames of a batch differ in kind, so the lanes of one register disagree: AWGN frames,
 * AWGN frames with one LLR 0, -0 or NaN (a rate-1 / SPC precondition fails in that lane only),
 * frames of |L| ties (an SPC's least |L| tied in some lanes), and frames full of +-0, +-inf, NaN,
 * huge and subnormal values. Inputs and outputs are misaligned in some batches, and outputs are
 * checked for writes past the k bits per frame.
 * Inputs come from this file's own splitmix64 generator.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes/construct.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "refast/registry.h"
#include "testlib.h"

#define GUARD 64

static uint64_t rng_state = 16016;

/* A random codeword of the code (u F^{(x)m}), BPSK, AWGN: L = 2y/sigma^2. */
static void awgn_frame(unsigned m, const uint8_t *frozen, double sigma, float *llr)
{
    const size_t n = (size_t)1 << m;
    static uint8_t x[1 << 14];
    for (size_t i = 0; i < n; i++) x[i] = frozen[i] ? 0 : rf_test_u64(&rng_state) & 1;
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t i = b; i < b + h; i++) x[i] ^= x[i + h];
    for (size_t i = 0; i < n; i++)
        llr[i] = (float)(2.0 * ((x[i] ? -1.0 : 1.0) + sigma * rf_test_gauss(&rng_state)) / (sigma * sigma));
}

static float special_value(void)
{
    static const float v[] = {0.0f, -0.0f, 1.0f, -1.0f, 2.0f, -3.0f, INFINITY, -INFINITY, NAN, -NAN,
                              0x1p100f, -0x1p100f, 0x1p-149f};
    const uint64_t r = rf_test_u64(&rng_state);
    if (r % 3 == 0) return (float)(rf_test_gauss(&rng_state) * 4.0);
    return v[(r >> 8) % (sizeof v / sizeof v[0])];
}

/* One frame of the kind chosen for it (see the header). */
static void frame(unsigned m, const uint8_t *frozen, float *llr)
{
    const size_t n = (size_t)1 << m;
    static const float tie[] = {1.0f, -1.0f, 2.0f, -2.0f, 0.5f, -0.5f};
    static const float bad[] = {0.0f, -0.0f, NAN};
    switch (rf_test_u64(&rng_state) % 6) {
    case 0:
    case 1: awgn_frame(m, frozen, 0.5 + 0.1 * (double)(rf_test_u64(&rng_state) % 8), llr); break;
    case 2:
        awgn_frame(m, frozen, 0.6, llr);
        llr[rf_test_u64(&rng_state) % n] = bad[rf_test_u64(&rng_state) % 3];
        break;
    case 3:
        for (size_t i = 0; i < n; i++) llr[i] = tie[rf_test_u64(&rng_state) % 6];
        break;
    case 4:
        awgn_frame(m, frozen, 0.6, llr);
        for (size_t i = 0; i < n; i++) llr[i] = roundf(llr[i]); /* small integers: ties and zeros */
        break;
    default:
        for (size_t i = 0; i < n; i++) llr[i] = special_value();
        break;
    }
}

/* Masks made of the nodes the decoders shortcut (rate-0, rate-1, repetition, SPC) and random
 * blocks, of random sizes. */
static void shortcut_mask(unsigned m, uint8_t *frozen)
{
    const size_t n = (size_t)1 << m;
    size_t i = 0;
    while (i < n) {
        unsigned lb = (unsigned)(rf_test_u64(&rng_state) % (m + 1));
        while (i % ((size_t)1 << lb)) lb--;
        const size_t b = (size_t)1 << lb;
        const unsigned kind = (unsigned)(rf_test_u64(&rng_state) % 5);
        for (size_t t = 0; t < b; t++) {
            switch (kind) {
            case 0: frozen[i + t] = 1; break;
            case 1: frozen[i + t] = 0; break;
            case 2: frozen[i + t] = t + 1 < b; break;
            case 3: frozen[i + t] = t == 0; break;
            default: frozen[i + t] = rf_test_u64(&rng_state) & 1; break;
            }
        }
        i += b;
    }
}

static const size_t batch_sizes[] = {1, 3, 4, 5, 17, 7, 8, 9, 29, 15, 16, 53};
#define NBATCH (sizeof batch_sizes / sizeof batch_sizes[0])
#define MAX_FRAMES 53

/* Every level against ref on every batch size, both f, for one mask. */
static void check_code(const char *name, unsigned m, const uint8_t *frozen)
{
    const rf_impl_set scs = rf_test_level_impls("polar_sc");
    const size_t n = (size_t)1 << m, k = rf_test_count_info(n, frozen);
    float *llr_mem = malloc((MAX_FRAMES * n + 1) * sizeof *llr_mem);
    uint8_t *want = malloc(MAX_FRAMES * k + 1), *got_mem = malloc(MAX_FRAMES * k + GUARD + 2);
    for (size_t b = 0; b < NBATCH; b++) {
        const size_t frames = batch_sizes[b];
        float *llr = llr_mem + (b & 1); /* misaligned inputs and outputs in every other batch */
        uint8_t *got = got_mem + (b & 2) / 2 + (b & 1);
        for (size_t fr = 0; fr < frames; fr++) frame(m, frozen, llr + fr * n);
        for (int f = 0; f < 2; f++) {
            polar_sc_ref(m, frozen, f, llr, frames, want);
            for (size_t li = 0; li < scs.n; li++) {
                memset(got, 0xA5, frames * k + GUARD);
                ((rf_polar_sc_fn)scs.at[li].fn)(m, frozen, f, llr, frames, got);
                size_t bad = frames;
                for (size_t fr = frames; fr-- > 0;)
                    if (memcmp(got + fr * k, want + fr * k, k) != 0) bad = fr;
                CHECKF(bad == frames, "%s SC != ref: %s frames=%zu f=%d, first differing frame %zu", scs.at[li].label,
                       name, frames, f, bad);
                int guard_ok = 1;
                for (size_t i = frames * k; i < frames * k + GUARD; i++) guard_ok &= got[i] == 0xA5;
                CHECKF(guard_ok, "%s SC wrote past its output: %s frames=%zu", scs.at[li].label, name, frames);
            }
        }
    }
    free(llr_mem);
    free(want);
    free(got_mem);
}

int main(void)
{
    char err[256];
    static uint8_t frozen[1 << 14];
    rf_polar_preset_64_7(frozen);
    check_code("p64_7", 6, frozen);
    CHECK(rf_polar_construct_ga(7, 96, 0.5, frozen, err, sizeof err));
    check_code("p128_96", 7, frozen);
    CHECK(rf_polar_construct_bhattacharyya(8, 128, 0.6, frozen, err, sizeof err));
    check_code("bhat N=256 K=128", 8, frozen);
    /* Under qemu (REFAST_TEST_EMULATED) up to N = 8192, the largest lane size: N = 16384 decodes one
     * frame at a time, the path test_polar covers, and was half of this test's minute there. */
    const unsigned max_m = getenv("REFAST_TEST_EMULATED") ? 13 : 14;
    for (unsigned m = 0; m <= max_m; m++)
        for (int t = 0; t < (m <= 8 ? 4 : 1); t++) {
            char name[64];
            snprintf(name, sizeof name, "shortcut mask N=%zu #%d", (size_t)1 << m, t);
            shortcut_mask(m, frozen);
            check_code(name, m, frozen);
        }
    return rf_test_summary("test_polar_lanes");
}
