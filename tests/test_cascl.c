/* CRCs (lib/codes/crc.h), the SC list decoder's ranked final paths (polar_scl_paths) and CRC-aided
 * and adaptive list decoding (lib/codes/cascl.h):
 *   1. Check values of the catalogue ("123456789"): CRC-32 (GZIP, reflected) 0xCBF43926, and
 *      CRC-32 of random byte strings equal to zlib's crc32() (an independent implementation);
 *      non-reflected: CRC-16/XMODEM (0x1021) 0x31C3, CRC-24/LTE-A (0x864CFB) 0xCDE703, CRC-8/SMBUS
 *      (0x07) 0xF4, CRC-11/UMTS (0x307) 0x061, CRC-32/BZIP2 (init = xorout = 0xFFFFFFFF) 0xFC891918.
 *   2. TS 38.212 §5.1 for crc6, crc11, crc16, crc24c: message + parity, read as a polynomial with
 *      a_0 the highest power, is divisible by g(D) (schoolbook long division here, not the
 *      register), and every single-bit error is detected. Parsing: bad specifications refused.
 *   3. polar_scl_paths: every level == ref bit for bit (AWGN and small-integer LLRs, where metrics
 *      tie, L in 1..32, both f), row 0 == polar_scl; ref == the oracle's ranked list (near ties
 *      skipped); and the oracle's list == all 2^K messages sorted by ML correlation for minsum
 *      with L = 32 >= 2^K (test_polar.c's item 4 argument: PM(u) = D(c(u)) - min D, so ranking by
 *      metric is ranking by correlation; frames whose correlations come within the bound of each
 *      other skipped).
 *   4. CA-SCL and adaptive SCL at the active level == the rule applied to ref's SC output and
 *      ranked lists (item 3 ties those to every level and to the oracle) with this file's
 *      long-division CRC check; adaptive counters add up to the frames; batches == frame by frame.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "oracle.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "testlib.h"
#include "codes/cascl.h"
#include "codes/construct.h"
#include "codes/crc.h"

#define U24 0x1p-24

static uint64_t rng = 0xc5c1;

/* ---- 1. check values --------------------------------------------------------------------------- */

static size_t bytes_to_bits(const uint8_t *b, size_t n, int lsb_first, uint8_t *bits)
{
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 8; j++) bits[8 * i + (size_t)j] = (b[i] >> (lsb_first ? j : 7 - j)) & 1;
    return 8 * n;
}

static void test_check_values(void)
{
    const uint8_t s[] = "123456789";
    uint8_t bits[8 * 256];
    rf_crc c;
    char err[256];
    CHECK(rf_crc_parse("crc32", &c, err, sizeof err));
    size_t nb = bytes_to_bits(s, 9, 1, bits);
    CHECKF(rf_crc_bits(&c, bits, nb) == 0xCBF43926u, "crc32 check %08x", rf_crc_bits(&c, bits, nb));
    for (int t = 0; t < 200; t++) {
        uint8_t b[256];
        const size_t len = rf_test_u64(&rng) % 257;
        for (size_t i = 0; i < len; i++) b[i] = (uint8_t)rf_test_u64(&rng);
        nb = bytes_to_bits(b, len, 1, bits);
        const uint32_t want = (uint32_t)crc32(0, b, (uInt)len);
        CHECKF(rf_crc_bits(&c, bits, nb) == want, "crc32 != zlib on %zu bytes", len);
        /* the appended CRC (LSB first) is what gzip stores little-endian */
        uint8_t with[8 * 256 + 32];
        memcpy(with, bits, nb);
        rf_crc_parity(&c, bits, nb, with + nb);
        uint32_t got = 0;
        for (int j = 0; j < 32; j++) got |= (uint32_t)with[nb + (size_t)j] << j;
        CHECK(got == want && rf_crc_check(&c, with, nb + 32));
    }
    static const struct {
        const char *spec;
        uint32_t init, xorout, check;
    } msb[] = {{"0x1021/16", 0, 0, 0x31C3},      {"0x864CFB/24", 0, 0, 0xCDE703}, {"0x07/8", 0, 0, 0xF4},
               {"0x307/11", 0, 0, 0x061},        {"0x04C11DB7/32", 0xffffffffu, 0xffffffffu, 0xFC891918u},
               {"crc16", 0, 0, 0x31C3}};
    nb = bytes_to_bits(s, 9, 0, bits);
    for (size_t i = 0; i < sizeof msb / sizeof msb[0]; i++) {
        CHECKF(rf_crc_parse(msb[i].spec, &c, err, sizeof err), "%s: %s", msb[i].spec, err);
        c.init = msb[i].init;
        c.xorout = msb[i].xorout;
        CHECKF(rf_crc_bits(&c, bits, nb) == msb[i].check, "%s: check %x, want %x", msb[i].spec,
               rf_crc_bits(&c, bits, nb), msb[i].check);
    }
}

/* ---- 2. 38.212 divisibility, single errors, parsing ---------------------------------------------- */

/* Remainder of the bit polynomial b_0 D^{n-1} + ... + b_{n-1} by g (w + 1 coefficients, g[0] the
 * D^w one), by long division on a copy; whether it is zero. */
static int divisible(const uint8_t *b, size_t n, uint32_t poly, unsigned w)
{
    uint8_t r[4096];
    memcpy(r, b, n);
    for (size_t i = 0; i + w < n; i++) {
        if (!r[i]) continue;
        for (unsigned j = 1; j <= w; j++) r[i + j] ^= (poly >> (w - j)) & 1;
        r[i] = 0;
    }
    for (size_t i = n > w ? n - w : 0; i < n; i++)
        if (r[i]) return 0;
    return 1;
}

static void test_3gpp(void)
{
    static const char *const names[] = {"crc6", "crc11", "crc16", "crc24c"};
    static const uint32_t polys[] = {0x21, 0x621, 0x1021, 0xB2B117};
    static const unsigned widths[] = {6, 11, 16, 24};
    char err[256];
    for (int i = 0; i < 4; i++) {
        rf_crc c;
        CHECK(rf_crc_parse(names[i], &c, err, sizeof err) && c.poly == polys[i] && c.width == widths[i] &&
              !c.reflected && c.init == 0 && c.xorout == 0);
        for (int t = 0; t < 60; t++) {
            uint8_t b[200];
            const size_t a = (size_t)t * 2;
            for (size_t j = 0; j < a; j++) b[j] = rf_test_u64(&rng) & 1;
            rf_crc_parity(&c, b, a, b + a);
            const size_t n = a + c.width;
            CHECKF(divisible(b, n, c.poly, c.width), "%s: A=%zu not divisible", names[i], a);
            CHECK(rf_crc_check(&c, b, n));
            for (size_t j = 0; j < n; j++) {
                b[j] ^= 1;
                CHECKF(!rf_crc_check(&c, b, n) && !divisible(b, n, c.poly, c.width), "%s: error at %zu missed",
                       names[i], j);
                b[j] ^= 1;
            }
        }
    }
    static const char *const bad[] = {"crc7", "", "0x1021", "0x1020/16", "0x11021/16", "0x1021/33", "0x1021/0",
                                      "0x/16", "0x1021/16x", "1021/16", "0x1021/-16", "CRC32"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rf_crc c;
        err[0] = 0;
        CHECKF(!rf_crc_parse(bad[i], &c, err, sizeof err) && err[0] && !strchr(err, '\n'), "accepted '%s'", bad[i]);
    }
}

/* ---- 3. the ranked paths -------------------------------------------------------------------------- */

static void awgn(unsigned m, const uint8_t *u, double sigma, float *llr)
{
    const size_t n = (size_t)1 << m;
    uint8_t x[1 << 12];
    ora_polar_encode(m, u, x);
    for (size_t i = 0; i < n; i++)
        llr[i] = (float)(2.0 * ((x[i] ? -1.0 : 1.0) + sigma * rf_test_gauss(&rng)) / (sigma * sigma));
}

static double abs_sum(const float *l, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += fabs(l[i]);
    return s;
}

/* A frame over the mask in frozen (a new random mask first when new_mask). */
static void random_frame(unsigned m, uint8_t *frozen, double sigma, float *llr, int ints, int new_mask)
{
    const size_t n = (size_t)1 << m;
    uint8_t u[128];
    for (size_t i = 0; new_mask && i < n; i++) frozen[i] = rf_test_u64(&rng) % 3 == 0;
    for (size_t i = 0; i < n; i++) u[i] = frozen[i] ? 0 : rf_test_u64(&rng) & 1;
    awgn(m, u, sigma, llr);
    if (ints)
        for (size_t i = 0; i < n; i++) llr[i] = (float)((int)(rf_test_u64(&rng) % 7) - 3);
}

static void test_paths_levels(void)
{
    const rf_impl_set set = rf_test_level_impls("polar_scl_paths");
    const rf_impl_set one = rf_test_level_impls("polar_scl");
    CHECK(set.n >= 1 && one.n == set.n);
    static const unsigned lists[] = {1, 2, 3, 4, 8, 16, 32};
    enum { FR = 3 };
    uint8_t frozen[128], want[FR * 32 * 128], got[FR * 32 * 128], best[FR * 128];
    float llr[FR * 128];
    for (unsigned m = 0; m <= 7; m++) {
        const size_t n = (size_t)1 << m;
        for (int t = 0; t < 14; t++) {
            const unsigned list = lists[t % 7];
            const int f = t & 1;
            for (int fr = 0; fr < FR; fr++) random_frame(m, frozen, 0.9, llr + fr * n, t >= 7, fr == 0);
            size_t k = 0;
            for (size_t i = 0; i < n; i++) k += !frozen[i];
            ((rf_polar_scl_paths_fn)set.at[0].fn)(m, frozen, list, f, llr, FR, want);
            ((rf_polar_scl_fn)one.at[0].fn)(m, frozen, list, f, llr, FR, best);
            for (int fr = 0; fr < FR; fr++)
                CHECKF(memcmp(want + fr * list * k, best + fr * k, k) == 0, "row 0 != polar_scl m=%u L=%u", m, list);
            for (size_t li = 1; li < set.n; li++) {
                memset(got, 0x5a, sizeof got);
                ((rf_polar_scl_paths_fn)set.at[li].fn)(m, frozen, list, f, llr, FR, got);
                CHECKF(memcmp(got, want, FR * list * k) == 0 && got[FR * list * k] == 0x5a, "%s != ref: m=%u L=%u f=%d",
                       set.at[li].label, m, list, f);
            }
        }
    }
}

static void test_paths_oracle(void)
{
    int compared = 0, skipped = 0, ml = 0;
    uint8_t frozen[128], want[32 * 128], got[32 * 128];
    float llr[128];
    for (unsigned m = 1; m <= 7; m++) {
        const size_t n = (size_t)1 << m;
        for (int t = 0; t < 16; t++) {
            const unsigned list = (t % 4 == 0) ? 2 : (t % 4 == 1) ? 4 : (t % 4 == 2) ? 8 : 32;
            const int f = (t / 4) & 1;
            random_frame(m, frozen, 0.5 + 0.1 * (t % 5), llr, 0, 1);
            size_t k = 0;
            for (size_t i = 0; i < n; i++) k += !frozen[i];
            long double pm[32];
            const double tau = 8.0; /* SCL_TAU of the registry */
            ora_scl_tie tie = {.near = tau * U24};
            CHECK(ora_polar_scl_paths(m, frozen, list, f, llr, want, pm, &tie) == 0);
            if (tie.tie <= tau * U24 * tie.scale) {
                skipped++;
                continue;
            }
            compared++;
            polar_scl_paths_ref(m, frozen, list, f, llr, 1, got);
            /* a row may change when two paths ranked i <= r <= j are within their bound (the
             * registry's rule) */
            double row_tie[32], row_scale[32];
            ora_polar_scl_row_ties(list, pm, &tie, row_tie, row_scale);
            for (unsigned r = 0; r < list; r++) {
                if (!(row_tie[r] > tau * U24 * row_scale[r])) continue;
                CHECKF(memcmp(got + r * k, want + r * k, k) == 0, "paths ref != oracle m=%u L=%u f=%d row %u", m, list,
                       f, r);
            }
        }
    }
    CHECKF(compared > 2 * skipped, "too many near ties skipped (%d of %d)", skipped, compared + skipped);
    /* minsum, L = 32 >= 2^K: the list is every message, in decreasing ML correlation */
    for (int t = 0; t < 200; t++) {
        const unsigned m = 2 + (unsigned)(t % 5);
        const size_t n = (size_t)1 << m;
        unsigned K = 1 + (unsigned)(rf_test_u64(&rng) % 5);
        if (K > n) K = (unsigned)n;
        memset(frozen, 1, n);
        for (unsigned j = 0; j < K;) {
            const size_t pos = rf_test_u64(&rng) % n;
            if (frozen[pos]) frozen[pos] = 0, j++;
        }
        uint8_t u[128] = {0};
        awgn(m, u, 0.9, llr);
        /* correlations of every message */
        long double corr[32];
        size_t info[8], kk = 0;
        for (size_t i = 0; i < n; i++)
            if (!frozen[i]) info[kk++] = i;
        for (uint32_t v = 0; v < (1u << K); v++) {
            uint8_t uu[128] = {0}, x[128];
            for (unsigned j = 0; j < K; j++) uu[info[j]] = (v >> j) & 1;
            ora_polar_encode(m, uu, x);
            corr[v] = 0;
            for (size_t j = 0; j < n; j++) corr[v] += x[j] ? -(long double)llr[j] : (long double)llr[j];
        }
        long double pm[32];
        ora_scl_tie tie = {.near = 0};
        CHECK(ora_polar_scl_paths(m, frozen, 32, RF_F_MINSUM, llr, want, pm, &tie) == 0);
        const double bound = (8.0 * m + 8.0) * U24 * (double)n * 2.0 * abs_sum(llr, n);
        int clear = 1;
        for (uint32_t a = 0; a < (1u << K); a++)
            for (uint32_t b = a + 1; b < (1u << K); b++) clear &= fabsl(corr[a] - corr[b]) > bound;
        if (!clear) continue;
        ml++;
        for (unsigned r = 0; r < (1u << K); r++) {
            uint32_t v = 0;
            for (unsigned j = 0; j < K; j++) v |= (uint32_t)want[r * K + j] << j;
            int rank = 0;
            for (uint32_t q = 0; q < (1u << K); q++) rank += corr[q] > corr[v];
            CHECKF(rank == (int)r, "oracle list rank %u holds the ML rank-%d message (m=%u K=%u)", r, rank, m, K);
        }
        for (unsigned r = 1u << K; r < 32; r++) CHECK(want[r * K] == 0xff);
    }
    CHECKF(ml > 100, "only %d ML frames compared", ml);
}

/* ---- 4. CA-SCL and adaptive against the oracle's lists -------------------------------------------- */

static int crc_ok(const rf_crc *c, const uint8_t *b, size_t k)
{
    /* independent of the register for the non-reflected codes used here */
    return divisible(b, k, c->poly, c->width);
}

static void test_cascl(void)
{
    rf_crc c;
    char err[256];
    CHECK(rf_crc_parse("crc6", &c, err, sizeof err));
    const unsigned m = 7;
    const size_t n = 128;
    uint8_t frozen[128], lists[6][32 * 128], msg[128], ok, u[128], sc[128];
    float llr[128];
    uint64_t used[RF_CASCL_USED] = {0};
    int compared = 0, passed = 0, adaptive_list = 0, frames = 0, failed = 0;
    for (int t = 0; t < 120; t++) {
        /* K = 40 (34 + CRC-6) best positions by the Bhattacharyya construction at sigma 0.7 */
        char cerr[128];
        CHECK(rf_polar_construct_bhattacharyya(m, 40, 0.7, frozen, cerr, sizeof cerr));
        const size_t k = 40, a = 34;
        uint8_t info[40];
        for (size_t j = 0; j < a; j++) info[j] = rf_test_u64(&rng) & 1;
        rf_cascl_attach(&c, info, a, 1, info);
        CHECK(crc_ok(&c, info, k));
        size_t q = 0;
        for (size_t i = 0; i < n; i++) u[i] = frozen[i] ? 0 : info[q++];
        awgn(m, u, 1.0 + 0.15 * (t % 4), llr);
        /* the reference SC and lists L = 2..32 (every level equals them bit for bit: item 3) */
        polar_sc_ref(m, frozen, RF_F_MINSUM, llr, 1, sc);
        for (int s = 1; s <= 5; s++) polar_scl_paths_ref(m, frozen, 1u << s, RF_F_MINSUM, llr, 1, lists[s]);
        compared++;
        /* CA-SCL L = 8 */
        const uint8_t *l8 = lists[3];
        int pick = -1;
        for (int r = 0; r < 8 && pick < 0; r++)
            if (l8[r * k] != 0xff && crc_ok(&c, l8 + r * k, k)) pick = r;
        CHECK(rf_polar_cascl(m, frozen, 8, RF_F_MINSUM, RF_LIST_SCL, &c, llr, 1, msg, &ok) == 0);
        CHECKF(ok == (pick >= 0) && memcmp(msg, l8 + (pick < 0 ? 0 : pick) * k, a) == 0, "CA-SCL frame %d", t);
        passed += ok;
        /* adaptive, L_max = 32 */
        int stage = crc_ok(&c, sc, k) ? 0 : -1;
        const uint8_t *want = sc;
        for (int s = 1; s <= 5 && stage < 0; s++) {
            for (int r = 0; r < (1 << s) && stage < 0; r++)
                if (lists[s][r * k] != 0xff && crc_ok(&c, lists[s] + r * k, k)) stage = s, want = lists[s] + r * k;
        }
        if (stage < 0) want = lists[5];
        uint64_t before = used[stage < 0 ? 5 : stage];
        CHECK(rf_polar_cascl_adaptive(m, frozen, 32, RF_F_MINSUM, RF_LIST_SCL, &c, llr, 1, msg, &ok, used) == 0);
        frames++;
        CHECKF(ok == (stage >= 0) && memcmp(msg, want, a) == 0, "adaptive frame %d (stage %d)", t, stage);
        CHECK(used[stage < 0 ? 5 : stage] == before + 1);
        adaptive_list += stage != 0;
        failed += stage < 0;
    }
    uint64_t total = 0;
    for (int i = 0; i < RF_CASCL_USED; i++) total += used[i];
    CHECK(total == (uint64_t)frames);
    CHECKF(compared == 120 && passed > 0 && adaptive_list > 0 && failed > 0 && failed < 60,
           "compared %d, passed %d, list-decoded %d, failed %d", compared, passed, adaptive_list, failed);
    /* batches: the same decisions frame by frame */
    enum { B = 37 };
    float *bl = malloc(B * n * sizeof *bl);
    uint8_t *bm = malloc(B * 34), *bo = malloc(B), *one = malloc(34);
    CHECK(rf_polar_construct_bhattacharyya(m, 40, 0.7, frozen, err, sizeof err));
    for (int i = 0; i < B; i++) {
        for (size_t j = 0; j < n; j++) u[j] = frozen[j] ? 0 : rf_test_u64(&rng) & 1; /* CRC fails mostly */
        awgn(m, u, 0.8, bl + i * n);
    }
    for (int ad = 0; ad < 2; ad++) {
        if (ad) CHECK(rf_polar_cascl_adaptive(m, frozen, 16, RF_F_MINSUM, RF_LIST_SCL, &c, bl, B, bm, bo, NULL) == 0);
        else CHECK(rf_polar_cascl(m, frozen, 16, RF_F_MINSUM, RF_LIST_SCL, &c, bl, B, bm, bo) == 0);
        for (int i = 0; i < B; i++) {
            if (ad) rf_polar_cascl_adaptive(m, frozen, 16, RF_F_MINSUM, RF_LIST_SCL, &c, bl + i * n, 1, one, &ok, NULL);
            else rf_polar_cascl(m, frozen, 16, RF_F_MINSUM, RF_LIST_SCL, &c, bl + i * n, 1, one, &ok);
            CHECKF(memcmp(one, bm + i * 34, 34) == 0 && ok == bo[i], "batch frame %d differs (adaptive %d)", i, ad);
        }
    }
    /* the Fast-SSC lists: the same frames, the same outputs (its paths are SCL's up to near-ties,
     * tests/test_polar_fscl.c), and f = exact refused */
    uint8_t *fm = malloc(B * 34), *fo = malloc(B);
    for (int ad = 0; ad < 2; ad++) {
        if (ad) {
            CHECK(rf_polar_cascl_adaptive(m, frozen, 16, RF_F_MINSUM, RF_LIST_SCL, &c, bl, B, bm, bo, NULL) == 0);
            CHECK(rf_polar_cascl_adaptive(m, frozen, 16, RF_F_MINSUM, RF_LIST_FAST_SSC, &c, bl, B, fm, fo, NULL) == 0);
            CHECK(rf_polar_cascl_adaptive(m, frozen, 16, RF_F_EXACT, RF_LIST_FAST_SSC, &c, bl, B, fm, fo, NULL) == -1);
        } else {
            CHECK(rf_polar_cascl(m, frozen, 16, RF_F_MINSUM, RF_LIST_SCL, &c, bl, B, bm, bo) == 0);
            CHECK(rf_polar_cascl(m, frozen, 16, RF_F_MINSUM, RF_LIST_FAST_SSC, &c, bl, B, fm, fo) == 0);
        }
        if (!ad) CHECKF(memcmp(fm, bm, B * 34) == 0 && memcmp(fo, bo, B) == 0, "Fast-SSC CA-SCL differs (adaptive %d)", ad);
        else CHECKF(memcmp(fm, bm, B * 34) == 0, "Fast-SSC adaptive CA-SCL differs");
    }
    CHECK(rf_polar_cascl(m, frozen, 16, RF_F_EXACT, RF_LIST_FAST_SSC, &c, bl, B, fm, fo) == -1);
    free(fm);
    free(fo);
    free(bl);
    free(bm);
    free(bo);
    free(one);
}

int main(void)
{
    test_check_values();
    test_3gpp();
    test_paths_levels();
    test_paths_oracle();
    test_cascl();
    return rf_test_summary("test_cascl");
}
