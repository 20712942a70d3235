/* RM and polar encoders and the polar constructions (refast/codes.h, SPEC §5.1), at every usable
 * level.
 *
 * Truths used (none is the code under test):
 * - the seed's RM(1,1), RM(2,1), RM(3,1) examples, written out literally below;
 * - the monomial evaluation of oracle/codes.c, c_i = XOR_t b_t M_t(i) with the monomials of
 *   degree <= r ordered by the integer of their variable set; proven here equal to SPEC's
 *   recursion (ref) for every 0 <= r <= m <= 10, which makes it the canonical order;
 * - the explicit generator matrix F^{(x)n} of oracle/codes.c for polar;
 * - table 4.1 of seed 004: n = 2^m, k = sum_{i<=r} C(m,i) (Pascal's triangle here), d = 2^(m-r)
 *   (minimum weight by enumerating every codeword when k <= 22, and attained by a generator row);
 * - GA and Bhattacharyya recomputed in long double by oracle/codes.c.
 *
 * Polar with the `rm` frozen set versus RM. Polar: x_i = XOR_{j superset of i} u_j. Reading it
 * backwards, x'_p = x_{n-1-p} = XOR_{j superset of ~p} u_j = XOR_{j' subset of p} u_{~j'}, the RM
 * zeta transform of w_{j'} = u_{n-1-j'}. The `rm` information positions (popcount(j) >= m - r) map
 * to popcount(j') <= r, RM's monomials. Polar message bit s sits at the s-th smallest information
 * j, i.e. at the s-th LARGEST j', which is RM message bit k-1-s. So:
 *     reverse(polar_rm(a_0, ..., a_{k-1})) = RM(m,r)(a_{k-1}, ..., a_0).
 *
 * Polar(64,7): GA reproduces the seed's {47,55,59,60,61,62,63} for design sigma in about
 * (1.00, 3.67) (Es/N0 from -3.0 dB down to -14.3 dB); the seed (appendix C.1) does not state its
 * design point. At sigma = 0.8 GA picks 31 instead of 60. Tested at 1.5 and 2.0 (in range) and
 * 0.8 (out of range). Bhattacharyya reproduces it for sigma in about (0.80, 3.61).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "refast/codes.h"
#include "refast/registry.h"
#include "testlib.h"
#include "codes/construct.h"

static uint64_t rng_state = 1;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void random_bits(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) b[i] = next_u64() & 1;
}

typedef struct impls {
    rf_rm_encode_packed_fn rm_packed;
    rf_rm_encode_f32_fn rm_f32;
    rf_polar_encode_packed_fn polar_packed;
    rf_polar_encode_f32_fn polar_f32;
    const char *name;
} impls;

/* The four encoders at every usable level, scalar (ref) first; returns the count. */
static int impls_by_level(impls out[RF_MAX_IMPLS])
{
    const rf_impl_set rp = rf_test_level_impls("rm_encode_packed"), rf = rf_test_level_impls("rm_encode_f32"),
                      pp = rf_test_level_impls("polar_encode_packed"), pf = rf_test_level_impls("polar_encode_f32");
    CHECK(rp.n == rf.n && rf.n == pp.n && pp.n == pf.n);
    size_t n = 0;
    for (; n < rp.n && n < rf.n && n < pp.n && n < pf.n; n++)
        out[n] = (impls){(rf_rm_encode_packed_fn)rp.at[n].fn, (rf_rm_encode_f32_fn)rf.at[n].fn,
                         (rf_polar_encode_packed_fn)pp.at[n].fn, (rf_polar_encode_f32_fn)pf.at[n].fn,
                         rf_isa_name(rp.at[n].level)};
    return (int)n;
}

static unsigned cw_bit(const uint64_t *cw, size_t i)
{
    return (unsigned)(cw[i / 64] >> (i % 64)) & 1;
}

/* ---- the seed's examples ---------------------------------------------------------------------- */

static void test_seed_examples(const impls *im)
{
    for (unsigned msg = 0; msg < 16; msg++) {
        uint8_t b[4] = {msg & 1, (msg >> 1) & 1, (msg >> 2) & 1, (msg >> 3) & 1};
        const unsigned m1 = b[0], m2 = b[1], m3 = b[2], m4 = b[3];
        /* RM(1,1): (b0, b1) -> (b0, b0^b1). RM(2,1): (b0, b0^b1, b0^b2, b0^b1^b2) (seed, m_i = b_{i-1}).
         * RM(3,1) = Plotkin((m1, m1^m2, m1^m3, m1^m2^m3), (m4, m4, m4, m4)). */
        const unsigned rm11[2] = {m1, m1 ^ m2};
        const unsigned rm21[4] = {m1, m1 ^ m2, m1 ^ m3, m1 ^ m2 ^ m3};
        const unsigned rm31[8] = {m1,      m1 ^ m2,      m1 ^ m3,      m1 ^ m2 ^ m3,
                                  m1 ^ m4, m1 ^ m2 ^ m4, m1 ^ m3 ^ m4, m1 ^ m2 ^ m3 ^ m4};
        const unsigned *want[3] = {rm11, rm21, rm31};
        for (unsigned m = 1; m <= 3; m++) {
            if (msg >= (1u << (m + 1))) continue;
            uint64_t cw = ~0ull;
            float x[8];
            im->rm_packed(m, 1, b, 1, &cw);
            im->rm_f32(m, 1, b, 1, x);
            int ok = cw >> (1u << m) == 0, okf = 1;
            for (unsigned i = 0; i < (1u << m); i++) {
                ok &= cw_bit(&cw, i) == want[m - 1][i];
                okf &= x[i] == (want[m - 1][i] ? -1.0f : 1.0f);
            }
            CHECKF(ok, "%s RM(%u,1) message %u: packed codeword differs from the seed's", im->name, m, msg);
            CHECKF(okf, "%s RM(%u,1) message %u: float codeword differs from the seed's", im->name, m, msg);
        }
    }
}

/* ---- table 4.1 -------------------------------------------------------------------------------- */

static void test_parameters(void)
{
    size_t pascal[17][17] = {{0}};
    for (unsigned m = 0; m <= 16; m++) {
        pascal[m][0] = 1;
        for (unsigned i = 1; i <= m; i++)
            pascal[m][i] = pascal[m - 1][i - 1] + (i < m ? pascal[m - 1][i] : 0);
    }
    int ok = 1;
    for (unsigned m = 0; m <= 16; m++)
        for (unsigned r = 0; r <= m; r++) {
            size_t k = 0;
            for (unsigned i = 0; i <= r; i++) k += pascal[m][i];
            ok &= rf_rm_k(m, r) == k;
            ok &= rf_rm_check(m, r, NULL, 0);
        }
    CHECKF(ok, "rf_rm_k disagrees with sum C(m,i) from Pascal's triangle");
    CHECK(rf_rm_k(3, 4) == 0);
    CHECK(rf_rm_k(16, 16) == 65536 && rf_rm_k(8, 2) == 37 && rf_rm_k(9, 2) == 46 && rf_rm_k(10, 3) == 176);
}

/* d = 2^(m-r): every nonzero codeword (k <= 22) has weight >= d, and some has weight exactly d. */
static void test_min_distance(void)
{
    const size_t chunk = 4096;
    for (unsigned m = 0; m <= 8; m++)
        for (unsigned r = 0; r <= m; r++) {
            const size_t k = rf_rm_k(m, r), n = (size_t)1 << m, words = rf_packed_words(n);
            if (k > 22) continue;
            uint8_t *msg = malloc(chunk * k);
            uint64_t *cw = malloc(chunk * words * sizeof *cw);
            if (!msg || !cw) abort();
            size_t dmin = SIZE_MAX;
            for (uint64_t u0 = 1; u0 < (1ull << k); u0 += chunk) {
                size_t cnt = (1ull << k) - u0 < chunk ? (size_t)((1ull << k) - u0) : chunk;
                for (size_t q = 0; q < cnt; q++)
                    for (size_t t = 0; t < k; t++) msg[q * k + t] = ((u0 + q) >> t) & 1;
                rf_rm_encode_packed(m, r, msg, cnt, cw);
                for (size_t q = 0; q < cnt; q++) {
                    size_t w = 0;
                    for (size_t j = 0; j < words; j++) w += (size_t)__builtin_popcountll(cw[q * words + j]);
                    if (w < dmin) dmin = w;
                }
            }
            CHECKF(dmin == ((size_t)1 << (m - r)), "RM(%u,%u): minimum distance %zu, table 4.1 says %zu", m,
                   r, dmin, (size_t)1 << (m - r));
            free(msg);
            free(cw);
        }
    /* Larger codes: the last message bit is the monomial x_{m-r}..x_{m-1} of degree r, weight 2^(m-r). */
    static const unsigned big[][2] = {{10, 3}, {12, 6}, {16, 2}, {16, 16}};
    for (size_t q = 0; q < sizeof big / sizeof big[0]; q++) {
        const unsigned m = big[q][0], r = big[q][1];
        const size_t k = rf_rm_k(m, r), words = rf_packed_words((size_t)1 << m);
        uint8_t *msg = calloc(k, 1);
        uint64_t *cw = malloc(words * sizeof *cw);
        if (!msg || !cw) abort();
        msg[k - 1] = 1;
        rf_rm_encode_packed(m, r, msg, 1, cw);
        size_t w = 0;
        for (size_t j = 0; j < words; j++) w += (size_t)__builtin_popcountll(cw[j]);
        CHECKF(w == ((size_t)1 << (m - r)), "RM(%u,%u): last generator row has weight %zu, want 2^(m-r)", m,
               r, w);
        free(msg);
        free(cw);
    }
}

/* ---- monomial identity and all levels --------------------------------------------------------- */

#define GUARD 8

/* One (m, r, frames) at one level against the oracle bits, with misaligned buffers and guards. */
static void check_rm(const impls *im, unsigned m, unsigned r, size_t frames, const uint8_t *msg,
                     const uint8_t *want, int offset)
{
    const size_t n = (size_t)1 << m, words = rf_packed_words(n);
    uint64_t *cw_mem = malloc((frames * words + GUARD + 1) * sizeof *cw_mem);
    float *x_mem = malloc((frames * n + GUARD + 1) * sizeof *x_mem);
    if (!cw_mem || !x_mem) abort();
    for (size_t i = 0; i < frames * words + GUARD + 1; i++) cw_mem[i] = 0xA5A5A5A5A5A5A5A5ull;
    for (size_t i = 0; i < frames * n + GUARD + 1; i++) x_mem[i] = 7.0f;
    uint64_t *cw = cw_mem + offset;
    float *x = x_mem + offset;
    im->rm_packed(m, r, frames ? msg : NULL, frames, frames ? cw : NULL);
    im->rm_f32(m, r, frames ? msg : NULL, frames, frames ? x : NULL);
    int ok = 1, okf = 1, guard = 1;
    for (size_t f = 0; f < frames; f++) {
        for (size_t i = 0; i < n; i++) {
            ok &= cw_bit(cw + f * words, i) == want[f * n + i];
            okf &= x[f * n + i] == (want[f * n + i] ? -1.0f : 1.0f);
        }
        for (size_t i = n; i < words * 64; i++) ok &= cw_bit(cw + f * words, i) == 0;
    }
    for (int i = 0; i < offset; i++) guard &= cw_mem[i] == 0xA5A5A5A5A5A5A5A5ull && x_mem[i] == 7.0f;
    for (size_t i = frames * words + offset; i < frames * words + GUARD + 1; i++)
        guard &= cw_mem[i] == 0xA5A5A5A5A5A5A5A5ull;
    for (size_t i = frames * n + offset; i < frames * n + GUARD + 1; i++) guard &= x_mem[i] == 7.0f;
    CHECKF(ok, "%s RM(%u,%u) frames=%zu: packed codeword differs from the monomial evaluation", im->name, m,
           r, frames);
    CHECKF(okf, "%s RM(%u,%u) frames=%zu: float codeword differs from the monomial evaluation", im->name, m,
           r, frames);
    CHECKF(guard, "%s RM(%u,%u) frames=%zu wrote outside its output", im->name, m, r, frames);
    free(cw_mem);
    free(x_mem);
}

static void test_rm_levels(const impls *all, int nlev)
{
    rng_state = 11;
    for (unsigned m = 0; m <= 16; m++)
        for (unsigned r = 0; r <= m; r++) {
            /* Every r up to m = 10 (the monomial identity on all of them); beyond, the edges and
             * a middle order, since the oracle costs k n per frame. */
            if (m > 10 && !(r == 0 || r == 1 || r == m || (m <= 12 && r == m / 2) || (m == 16 && r == 2)))
                continue;
            const size_t k = rf_rm_k(m, r), n = (size_t)1 << m;
            const size_t maxf = m <= 8 ? 3 : 1;
            uint8_t *msg_mem = malloc(maxf * k + 2), *want = malloc(maxf * n + 1);
            if (!msg_mem || !want) abort();
            uint8_t *msg = msg_mem + 1; /* misaligned input */
            random_bits(msg, maxf * k);
            if (m > 12 && r == m) {
                /* The oracle would cost k n = 2^32 per frame. The all-ones message of RM(m,m) has
                 * c_i = XOR of 1 over the 2^popcount(i) subsets of i = [i == 0]. */
                memset(msg, 1, maxf * k);
                for (size_t f = 0; f < maxf; f++)
                    for (size_t i = 0; i < n; i++) want[f * n + i] = i == 0;
            } else {
                ora_rm_encode_monomial(m, r, msg, maxf, want);
            }
            for (int l = 0; l < nlev; l++) {
                const impls im = all[l];
                for (size_t frames = 0; frames <= maxf; frames++)
                    check_rm(&im, m, r, frames, msg, want, (int)(frames & 1));
            }
            free(msg_mem);
            free(want);
        }
}

/* ---- polar ------------------------------------------------------------------------------------ */

static void check_polar(const impls *im, unsigned log2n, const uint8_t *frozen, size_t frames,
                        const uint8_t *msg, const uint8_t *want, const char *what)
{
    const size_t n = (size_t)1 << log2n, words = rf_packed_words(n);
    uint64_t *cw_mem = malloc((frames * words + GUARD + 1) * sizeof *cw_mem);
    float *x_mem = malloc((frames * n + GUARD + 1) * sizeof *x_mem);
    if (!cw_mem || !x_mem) abort();
    for (size_t i = 0; i < frames * words + GUARD + 1; i++) cw_mem[i] = 0x5A5A5A5A5A5A5A5Aull;
    for (size_t i = 0; i < frames * n + GUARD + 1; i++) x_mem[i] = 3.0f;
    const int offset = 1;
    im->polar_packed(log2n, frozen, msg, frames, cw_mem + offset);
    im->polar_f32(log2n, frozen, msg, frames, x_mem + offset);
    int ok = 1, okf = 1, guard = cw_mem[0] == 0x5A5A5A5A5A5A5A5Aull && x_mem[0] == 3.0f;
    for (size_t f = 0; f < frames; f++) {
        for (size_t i = 0; i < n; i++) {
            ok &= cw_bit(cw_mem + offset + f * words, i) == want[f * n + i];
            okf &= x_mem[offset + f * n + i] == (want[f * n + i] ? -1.0f : 1.0f);
        }
        for (size_t i = n; i < words * 64; i++) ok &= cw_bit(cw_mem + offset + f * words, i) == 0;
    }
    for (size_t i = frames * words + offset; i < frames * words + GUARD + 1; i++)
        guard &= cw_mem[i] == 0x5A5A5A5A5A5A5A5Aull;
    for (size_t i = frames * n + offset; i < frames * n + GUARD + 1; i++) guard &= x_mem[i] == 3.0f;
    CHECKF(ok, "%s polar N=%zu (%s): packed codeword differs", im->name, n, what);
    CHECKF(okf, "%s polar N=%zu (%s): float codeword differs", im->name, n, what);
    CHECKF(guard, "%s polar N=%zu (%s) wrote outside its output", im->name, n, what);
    free(cw_mem);
    free(x_mem);
}

static void test_polar_levels(const impls *all, int nlev)
{
    rng_state = 21;
    for (unsigned log2n = 0; log2n <= 12; log2n++)
        for (int trial = 0; trial < 4; trial++) {
            const size_t n = (size_t)1 << log2n, frames = 3;
            uint8_t *frozen = malloc(n), *msg = malloc(frames * n + 1), *want = malloc(frames * n);
            if (!frozen || !msg || !want) abort();
            /* trial 0: all information, 1: all frozen, 2-3: random density */
            const unsigned dens = trial == 0 ? 0 : trial == 1 ? 256 : (unsigned)(next_u64() % 257);
            size_t K = 0;
            for (size_t i = 0; i < n; i++) {
                frozen[i] = trial == 1 || (next_u64() & 255) < dens ? (uint8_t)(1 + next_u64() % 3) : 0;
                K += frozen[i] == 0; /* frozen bytes 1..3: any nonzero byte means frozen */
            }
            random_bits(msg, frames * K);
            if (ora_polar_encode_gen(log2n, frozen, msg, frames, want)) abort();
            for (int l = 0; l < nlev; l++) {
                const impls im = all[l];
                check_polar(&im, log2n, frozen, frames, msg, want, "random frozen set");
                check_polar(&im, log2n, frozen, 0, NULL, want, "no frames");
            }
            free(frozen);
            free(msg);
            free(want);
        }
    /* N = 2^16 against ref (the generator oracle would need 4 GiB). */
    const size_t n = (size_t)1 << 16;
    uint8_t *frozen = malloc(n), *msg = malloc(2 * n), *want = malloc(2 * n);
    uint64_t *rcw = malloc(2 * rf_packed_words(n) * sizeof *rcw);
    if (!frozen || !msg || !want || !rcw) abort();
    char err[128];
    CHECK(rf_polar_construct_ga(16, 54321, 0.8, frozen, err, sizeof err));
    random_bits(msg, 2 * 54321);
    const impls ref = all[0];
    ref.polar_packed(16, frozen, msg, 2, rcw);
    for (size_t i = 0; i < 2 * n; i++) want[i] = (uint8_t)cw_bit(rcw, i);
    for (int l = 1; l < nlev; l++) {
        const impls im = all[l];
        check_polar(&im, 16, frozen, 2, msg, want, "GA N=65536 vs ref");
    }
    free(frozen);
    free(msg);
    free(want);
    free(rcw);
}

/* reverse(polar_rm(a_0..a_{k-1})) == RM(m,r)(a_{k-1}..a_0), see the file comment. */
static void test_polar_rm_relation(const impls *all, int nlev)
{
    rng_state = 31;
    for (int l = 0; l < nlev; l++) {
        const impls im = all[l];
        for (unsigned m = 0; m <= 10; m++)
            for (unsigned r = 0; r <= m; r++) {
                const size_t n = (size_t)1 << m, k = rf_rm_k(m, r), words = rf_packed_words(n), frames = 2;
                uint8_t *frozen = malloc(n), *a = malloc(frames * k + 1), *rev = malloc(frames * k + 1);
                uint64_t *pc = malloc(frames * words * 8), *rc = malloc(frames * words * 8);
                if (!frozen || !a || !rev || !pc || !rc) abort();
                CHECK(rf_polar_construct_rm(m, r, frozen, NULL, 0));
                size_t K = 0;
                for (size_t i = 0; i < n; i++) K += frozen[i] == 0;
                CHECKF(K == k, "rm rule for (%u,%u) gives %zu information positions, want k = %zu", m, r, K,
                       k);
                random_bits(a, frames * k);
                for (size_t f = 0; f < frames; f++)
                    for (size_t t = 0; t < k; t++) rev[f * k + t] = a[f * k + k - 1 - t];
                im.polar_packed(m, frozen, a, frames, pc);
                im.rm_packed(m, r, rev, frames, rc);
                int ok = 1;
                for (size_t f = 0; f < frames; f++)
                    for (size_t p = 0; p < n; p++)
                        ok &= cw_bit(pc + f * words, n - 1 - p) == cw_bit(rc + f * words, p);
                CHECKF(ok, "%s: reversed polar(rm %u,%u) codeword is not RM(%u,%u) of the reversed message",
                       im.name, m, r, m, r);
                free(frozen);
                free(a);
                free(rev);
                free(pc);
                free(rc);
            }
    }
}

/* ---- constructions ---------------------------------------------------------------------------- */

static void info_set(const uint8_t *frozen, size_t n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && o + 8 < len; i++)
        if (!frozen[i]) o += (size_t)snprintf(buf + o, len - o, " %zu", i);
}

static void test_preset(void)
{
    uint8_t pre[64], fz[64];
    rf_polar_preset_64_7(pre);
    static const unsigned seed_set[7] = {47, 55, 59, 60, 61, 62, 63}; /* seed C.1, 1-based 48..64 */
    size_t K = 0;
    for (size_t i = 0; i < 64; i++) K += pre[i] == 0;
    int ok = K == 7;
    for (size_t i = 0; i < 7; i++) ok &= pre[seed_set[i]] == 0;
    CHECKF(ok, "Polar(64,7) preset is not {47,55,59,60,61,62,63}");
    char got[256];
    static const double in_range[] = {1.5, 2.0};
    for (size_t q = 0; q < 2; q++) {
        CHECK(rf_polar_construct_ga(6, 7, in_range[q], fz, NULL, 0));
        info_set(fz, 64, got, sizeof got);
        CHECKF(memcmp(fz, pre, 64) == 0, "GA(64,7) at sigma %g gives {%s }, not the seed's preset",
               in_range[q], got);
    }
    CHECK(rf_polar_construct_ga(6, 7, 0.8, fz, NULL, 0));
    CHECKF(fz[31] == 0 && fz[60] == 1, "GA(64,7) at sigma 0.8 was expected to take 31 instead of 60");
    CHECK(rf_polar_construct_bhattacharyya(6, 7, 1.5, fz, NULL, 0));
    CHECKF(memcmp(fz, pre, 64) == 0, "Bhattacharyya(64,7) at sigma 1.5 is not the seed's preset");
}

static void test_constructions_vs_oracle(void)
{
    static const struct {
        unsigned log2n;
        size_t K;
        double sigma;
    } cases[] = {
        {3, 4, 1.0},   {5, 16, 0.7},  {6, 7, 1.5},    {7, 96, 0.5},   {7, 96, 0.7},   {7, 64, 1.2},
        {8, 128, 0.8}, {9, 100, 2.0}, {10, 512, 0.6}, {10, 860, 0.5}, {10, 256, 1.0},
    };
    for (size_t q = 0; q < sizeof cases / sizeof cases[0]; q++) {
        const unsigned log2n = cases[q].log2n;
        const size_t n = (size_t)1 << log2n, K = cases[q].K;
        const double sigma = cases[q].sigma;
        long double *rel = malloc(n * sizeof *rel);
        uint8_t *want = malloc(n), *got = malloc(n);
        if (!rel || !want || !got) abort();
        ora_polar_ga_means(log2n, sigma, rel);
        const long double gap = ora_polar_select(rel, n, K, want);
        CHECK(rf_polar_construct_ga(log2n, K, sigma, got, NULL, 0));
        CHECKF(gap > 1e-9L,
               "GA N=%zu K=%zu sigma=%g: the oracle sees a near-tie (gap %Lg), pick another case", n, K,
               sigma, gap);
        CHECKF(memcmp(got, want, n) == 0, "GA N=%zu K=%zu sigma=%g differs from the long double oracle", n, K,
               sigma);
        ora_polar_bhattacharyya(log2n, sigma, rel);
        for (size_t i = 0; i < n; i++) rel[i] = -rel[i]; /* smaller z is better */
        const long double bgap = ora_polar_select(rel, n, K, want);
        CHECK(rf_polar_construct_bhattacharyya(log2n, K, sigma, got, NULL, 0));
        CHECKF(bgap > 1e-9L, "Bhattacharyya N=%zu K=%zu sigma=%g: oracle near-tie (gap %Lg)", n, K, sigma,
               bgap);
        CHECKF(memcmp(got, want, n) == 0, "Bhattacharyya N=%zu K=%zu sigma=%g differs from the oracle", n, K,
               sigma);
        free(rel);
        free(want);
        free(got);
    }
}

/* Exact ties break toward the larger index. At design sigma 10 the GA means of the channels that
 * start with 8 worse steps underflow to 0 in double (the worse child of t is ~0.49 t^2), so
 * channels 0..3 of N = 1024 tie at 0; with the Bhattacharyya parameter at sigma 1000 the first
 * channels tie at z = 1. The frozen ones must be the lowest indices. */
static void test_ties(void)
{
    uint8_t fz[1024];
    for (size_t frozen_count = 1; frozen_count <= 3; frozen_count++) {
        CHECK(rf_polar_construct_ga(10, 1024 - frozen_count, 10.0, fz, NULL, 0));
        int ok = 1;
        for (size_t i = 0; i < 1024; i++) ok &= fz[i] == (i < frozen_count);
        CHECKF(ok, "GA ties at sigma 10: frozen set is not {0..%zu}", frozen_count - 1);
        CHECK(rf_polar_construct_bhattacharyya(10, 1024 - frozen_count, 1000.0, fz, NULL, 0));
        ok = 1;
        for (size_t i = 0; i < 1024; i++) ok &= fz[i] == (i < frozen_count);
        CHECKF(ok, "Bhattacharyya ties at sigma 1000: frozen set is not {0..%zu}", frozen_count - 1);
    }
}

static void test_rm_rule_and_list(void)
{
    uint8_t fz[256];
    int ok = 1;
    for (unsigned m = 0; m <= 8; m++)
        for (unsigned r = 0; r <= m; r++) {
            CHECK(rf_polar_construct_rm(m, r, fz, NULL, 0));
            for (size_t i = 0; i < ((size_t)1 << m); i++) /* row i of F^(x)m has weight 2^popcount(i) */
                ok &= fz[i] == !((1u << __builtin_popcountll(i)) >= (1u << (m - r)));
        }
    CHECKF(ok, "rm rule: information iff row weight 2^popcount(i) >= 2^(m-r)");
    static const uint32_t info[3] = {5, 1, 7};
    CHECK(rf_polar_construct_list(3, info, 3, fz, NULL, 0));
    CHECK(fz[0] && !fz[1] && fz[2] && fz[3] && fz[4] && !fz[5] && fz[6] && !fz[7]);
}

static void test_bad_arguments(void)
{
    char err[160];
    uint8_t fz[64];
    err[0] = 0;
    CHECK(!rf_rm_check(17, 1, err, sizeof err) && strstr(err, "m = 17") && !strchr(err, '\n'));
    CHECK(!rf_rm_check(3, 4, err, sizeof err) && strstr(err, "r = 4"));
    CHECK(!rf_polar_construct_rm(3, 5, fz, err, sizeof err) && strstr(err, "r = 5"));
    CHECK(!rf_polar_construct_ga(3, 9, 1.0, fz, err, sizeof err) && strstr(err, "K = 9"));
    CHECK(!rf_polar_construct_bhattacharyya(3, 9, 1.0, fz, err, sizeof err) && strstr(err, "K = 9"));
    CHECK(!rf_polar_construct_ga(17, 1, 1.0, fz, err, sizeof err) && strstr(err, "17"));
    const double bad[] = {0.0, -1.0, NAN, INFINITY};
    for (size_t q = 0; q < 4; q++) {
        CHECK(!rf_polar_construct_ga(3, 2, bad[q], fz, err, sizeof err) && strstr(err, "sigma"));
        CHECK(!rf_polar_construct_bhattacharyya(3, 2, bad[q], fz, err, sizeof err) && strstr(err, "sigma"));
    }
    static const uint32_t dup[2] = {3, 3}, out[1] = {8};
    CHECK(!rf_polar_construct_list(3, dup, 2, fz, err, sizeof err) && strstr(err, "twice"));
    CHECK(!rf_polar_construct_list(3, out, 1, fz, err, sizeof err) && strstr(err, "outside"));
    CHECK(!rf_polar_construct_list(3, dup, 9, fz, err, sizeof err) && strstr(err, "K = 9"));
}

/* The dispatching wrappers reach the current level's kernels. */
static void test_wrappers(const impls *ref)
{
    uint8_t msg[37], fz[128], pmsg[96];
    uint64_t a[4], b[4], c[2], d[2];
    rng_state = 41;
    random_bits(msg, 37);
    random_bits(pmsg, 96);
    rf_rm_encode_packed(8, 2, msg, 1, a);
    ref->rm_packed(8, 2, msg, 1, b);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(rf_polar_construct_ga(7, 96, 0.5, fz, NULL, 0));
    rf_polar_encode_packed(7, fz, pmsg, 1, c);
    ref->polar_packed(7, fz, pmsg, 1, d);
    CHECK(memcmp(c, d, sizeof c) == 0);
    float x[256], y[256];
    rf_rm_encode_f32(8, 2, msg, 1, x);
    ref->rm_f32(8, 2, msg, 1, y);
    CHECK(memcmp(x, y, sizeof x) == 0);
    rf_polar_encode_f32(7, fz, pmsg, 1, x);
    ref->polar_f32(7, fz, pmsg, 1, y);
    CHECK(memcmp(x, y, 128 * sizeof(float)) == 0);
}

int main(void)
{
    impls all[RF_MAX_IMPLS];
    const int nlev = impls_by_level(all);
    for (int l = 0; l < nlev; l++) {
        const impls im = all[l];
        test_seed_examples(&im);
    }
    test_parameters();
    test_min_distance();
    test_rm_levels(all, nlev);
    test_polar_levels(all, nlev);
    test_polar_rm_relation(all, nlev);
    test_preset();
    test_constructions_vs_oracle();
    test_ties();
    test_rm_rule_and_list();
    test_bad_arguments();
    test_wrappers(&all[0]);
    return rf_test_summary("test_codes");
}
