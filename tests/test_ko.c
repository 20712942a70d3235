/* KO(m,2) weights, encoder and decoder (SPEC §5.1 "KO codes", refast/ko.h):
 *  - .kow round trip (memory and file) for both architectures;
 *  - every corruption is an error naming the file and field: truncation at every length and a
 *    flipped bit at every byte of a small file, bad magic / version / m / architecture (with a
 *    recomputed file hash), a shape mismatch, NaN and infinite weights;
 *  - init: deterministic in the seed, N(0, 0.02^2) moments;
 *  - structure: with all-zero weights the KO encoder is the BPSK RM(m,2) encoder and the decoder
 *    returns the message on clean inputs, 3 <= m <= 10;
 *  - external truth (ko-reference/ko_{8,9}_2, the authors' PyTorch run): imported weights give
 *    their codewords (|dx| <= 1e-5) on 1000 messages, their LLRs (|dL| <= 2e-3 max(1, |L|)) and
 *    hard decisions (where |L_ref| > 1e-2) on 2 x 200 received vectors, at the scalar level;
 *  - the `refast ko` CLI: exit codes, one-line errors, no output file on failure.
 * Without ../shared/ko-reference the external part fails the test, unless
 * REFAST_ALLOW_MISSING_SHARED=1 (testlib.h rf_test_shared) turns it into a printed skip. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "refast/codes.h"
#include "refast/ko.h"
#include "testlib.h"
#include "ko/kow.h"

#define REF_DIR "../shared/ko-reference"

static uint64_t rng = 0x6b6f636f7265ull;
static char tmp[256]; /* this run's temporary directory, removed at the end */

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static bool one_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl && nl[1] == '\0' && nl > s;
}

/* Rewrites the trailing XXH3-128 so that a deliberately edited header is judged on its field. */
static void rehash(uint8_t *buf, size_t len)
{
    const XXH128_hash_t h = XXH3_128bits(buf, len - 16);
    for (unsigned i = 0; i < 8; i++) {
        buf[len - 16 + i] = (uint8_t)(h.high64 >> (8 * i));
        buf[len - 8 + i] = (uint8_t)(h.low64 >> (8 * i));
    }
}

static bool same_model(const rf_ko_model *a, const rf_ko_model *b)
{
    if (a->m != b->m || a->arch != b->arch || a->ntensors != b->ntensors || a->nfloats != b->nfloats)
        return false;
    for (size_t t = 0; t < a->ntensors; t++)
        if (strcmp(a->tensors[t].name, b->tensors[t].name) || a->tensors[t].count != b->tensors[t].count)
            return false;
    return memcmp(a->data, b->data, a->nfloats * sizeof(float)) == 0;
}

/* Decodes buf and expects failure with `field` in the one-line message. */
static void expect_bad(const uint8_t *buf, size_t len, const char *field, const char *what)
{
    rf_ko_model mdl;
    char err[512] = "";
    const bool ok = rf_ko_model_decode(&mdl, buf, len, "small.kow", err, sizeof err);
    CHECKF(!ok, "%s: accepted", what);
    if (ok) {
        rf_ko_model_free(&mdl);
        return;
    }
    CHECKF(strstr(err, "small.kow") && strstr(err, field) && !strchr(err, '\n'), "%s: message '%s' (want '%s')",
           what, err, field);
}

static void test_format(void)
{
    char err[512];
    for (unsigned arch = 0; arch < 2; arch++) {
        rf_ko_model a, b;
        CHECK(rf_ko_model_init(&a, 5, (rf_ko_arch)arch, 11, err, sizeof err));
        CHECK(a.ntensors == 3u * 3u * 2u * (arch ? 2u : 4u));
        uint8_t *buf;
        size_t len;
        CHECK(rf_ko_model_encode(&a, &buf, &len, err, sizeof err));
        CHECKF(rf_ko_model_decode(&b, buf, len, "mem", err, sizeof err), "%s", err);
        CHECK(same_model(&a, &b));
        /* the blocks are views of the loaded data */
        CHECK(b.blocks[0][RF_KO_ROLE_FRIGHT].in_dim == 4 && b.blocks[2][RF_KO_ROLE_G].w[0] != NULL &&
              b.blocks[2][RF_KO_ROLE_G].hidden == (arch ? 4u : 32u));
        rf_ko_model_free(&b);
        char path[512];
        snprintf(path, sizeof path, "%s/rt%u.kow", tmp, arch);
        CHECKF(rf_ko_model_save(&a, path, err, sizeof err), "%s", err);
        CHECKF(rf_ko_model_load(&b, path, err, sizeof err), "%s", err);
        CHECK(same_model(&a, &b));
        rf_ko_model_free(&b);
        /* same seed, same weights; another seed, other weights */
        CHECK(rf_ko_model_init(&b, 5, (rf_ko_arch)arch, 11, err, sizeof err) && same_model(&a, &b));
        rf_ko_model_free(&b);
        CHECK(rf_ko_model_init(&b, 5, (rf_ko_arch)arch, 12, err, sizeof err) && !same_model(&a, &b));
        rf_ko_model_free(&b);
        free(buf);
        rf_ko_model_free(&a);
    }
    /* N(0, 0.02^2): the sample moments of KO(10,2)'s ~64k weights */
    rf_ko_model big;
    CHECK(rf_ko_model_init(&big, 10, RF_KO_ARCH_KO, 7, err, sizeof err));
    double s = 0, ss = 0;
    for (size_t i = 0; i < big.nfloats; i++) s += big.data[i], ss += (double)big.data[i] * big.data[i];
    const double mean = s / (double)big.nfloats, sd = sqrt(ss / (double)big.nfloats - mean * mean);
    CHECKF(fabs(mean) < 3e-4 && fabs(sd - 0.02) < 4e-4, "init mean %g sd %g", mean, sd);
    rf_ko_model_free(&big);
    CHECK(!rf_ko_model_init(&big, 2, RF_KO_ARCH_KO, 1, err, sizeof err) && strstr(err, "m <="));
    CHECK(!rf_ko_model_init(&big, 11, RF_KO_ARCH_KO, 1, err, sizeof err));

    /* corruption of a small file: TinyKO(3,2), 12 tensors */
    rf_ko_model small;
    uint8_t *buf;
    size_t len;
    CHECK(rf_ko_model_init(&small, 3, RF_KO_ARCH_TINY, 3, err, sizeof err));
    CHECK(rf_ko_model_encode(&small, &buf, &len, err, sizeof err));
    size_t accepted = 0, multiline = 0;
    for (size_t cut = 0; cut < len; cut++) {
        rf_ko_model x;
        err[0] = '\0';
        if (rf_ko_model_decode(&x, buf, cut, "small.kow", err, sizeof err)) {
            accepted++;
            rf_ko_model_free(&x);
        } else if (!strstr(err, "small.kow") || strchr(err, '\n')) multiline++;
    }
    CHECKF(accepted == 0 && multiline == 0, "truncations of %zu bytes: %zu accepted, %zu bad messages", len,
           accepted, multiline);
    uint8_t *cp = malloc(len);
    accepted = 0;
    for (size_t at = 0; at < len; at++)
        for (unsigned bit = 0; bit < 8; bit += 7) {
            memcpy(cp, buf, len);
            cp[at] ^= (uint8_t)(1u << bit);
            rf_ko_model x;
            if (rf_ko_model_decode(&x, cp, len, "small.kow", err, sizeof err)) {
                accepted++;
                rf_ko_model_free(&x);
            }
        }
    CHECKF(accepted == 0, "%zu single-bit corruptions accepted", accepted);
    /* header fields, each with a valid file hash */
    memcpy(cp, buf, len), cp[0] = 'X', expect_bad(cp, len, "magic", "bad magic");
    memcpy(cp, buf, len), cp[4] = 2, rehash(cp, len), expect_bad(cp, len, "version", "version 2");
    memcpy(cp, buf, len), cp[8] = 11, rehash(cp, len), expect_bad(cp, len, "'m'", "m = 11");
    memcpy(cp, buf, len), cp[9] = 3, rehash(cp, len), expect_bad(cp, len, "'r'", "r = 3");
    memcpy(cp, buf, len), cp[10] = 0, rehash(cp, len), expect_bad(cp, len, "hidden", "tiny header as ko");
    memcpy(cp, buf, len), cp[10] = 7, rehash(cp, len), expect_bad(cp, len, "architecture", "arch 7");
    memcpy(cp, buf, len), cp[11] = 1, rehash(cp, len), expect_bad(cp, len, "normalisation", "norm 1");
    memcpy(cp, buf, len), cp[len - 1] ^= 0x40, expect_bad(cp, len, "file hash", "file hash");
    /* a payload byte changed and the file hash recomputed: the tensor's XXH3-64 catches it */
    memcpy(cp, buf, len), cp[len - 20] ^= 0x10, rehash(cp, len), expect_bad(cp, len, "XXH3-64", "payload");
    free(cp);
    free(buf);
    /* shape mismatch: n3_2.g.l1.w written as 4 x 1 (same count) */
    small.tensors[0].shape[0] = 4;
    small.tensors[0].shape[1] = 1;
    small.tensors[0].count = 4;
    CHECK(rf_ko_model_encode(&small, &buf, &len, err, sizeof err));
    expect_bad(buf, len, "n3_2.g.l1.w shape[1]", "shape mismatch");
    free(buf);
    small.tensors[0].shape[1] = 2;
    small.tensors[0].count = 8;
    /* NaN and infinite weights (hashes valid) */
    small.tensors[5].data[1] = NAN;
    CHECK(rf_ko_model_encode(&small, &buf, &len, err, sizeof err));
    expect_bad(buf, len, "NaN", "NaN weight");
    free(buf);
    small.tensors[5].data[1] = -INFINITY;
    CHECK(rf_ko_model_encode(&small, &buf, &len, err, sizeof err));
    expect_bad(buf, len, "infinite", "infinite weight");
    free(buf);
    rf_ko_model_free(&small);
}

/* Zero weights: every MLP outputs 0, so the encoder is c = (u, u v) = the BPSK RM(m,2) codeword
 * (norm sqrt(n) already), and the decoder is a soft Dumer-like decoder that must return the
 * message on a clean, amplified codeword. */
static void test_zero_weights(void)
{
    char err[256];
    for (unsigned m = RF_KO_MIN_M; m <= RF_KO_MAX_M; m++) {
        rf_ko_model mdl;
        CHECK(rf_ko_model_alloc(&mdl, m, m % 2 ? RF_KO_ARCH_TINY : RF_KO_ARCH_KO, err, sizeof err));
        const size_t n = (size_t)1 << m, k = rf_ko_k(m), frames = 3;
        CHECK(k == rf_rm_k(m, 2));
        uint8_t *msg = malloc(frames * k);
        float *x = malloc(frames * n * sizeof(float)), *s = malloc(frames * n * sizeof(float));
        float *llr = malloc(frames * k * sizeof(float));
        for (size_t i = 0; i < frames * k; i++) msg[i] = (uint8_t)(rf_test_u64(&rng) & 1);
        ko_encode_f32_ref(&mdl, msg, frames, x);
        rm_encode_f32_ref(m, 2, msg, frames, s);
        size_t diff = 0;
        for (size_t i = 0; i < frames * n; i++) diff += fabsf(x[i] - s[i]) > 1e-6f;
        CHECKF(diff == 0, "m=%u zero weights: %zu symbols differ from BPSK RM(m,2)", m, diff);
        for (size_t i = 0; i < frames * n; i++) s[i] *= 3.0f;
        ko_decode_f32_ref(&mdl, s, frames, llr);
        size_t errs = 0;
        for (size_t i = 0; i < frames * k; i++) errs += (llr[i] < 0.0f) != msg[i];
        CHECKF(errs == 0, "m=%u zero weights: %zu of %zu bits wrong on clean input", m, errs, frames * k);
        free(msg), free(x), free(s), free(llr);
        rf_ko_model_free(&mdl);
    }
}

typedef struct refset {
    const char *dir;
    unsigned m;
} refset;

static void test_reference(const refset *rs, const char *kow)
{
    char dir[256], path[320], err[512];
    snprintf(dir, sizeof dir, REF_DIR "/%s", rs->dir);
    rf_ko_model imp, mdl;
    CHECKF(rf_ko_model_import(&imp, dir, err, sizeof err), "%s", err);
    if (!imp.tensors) return;
    /* through the file, as the CLI uses it */
    CHECKF(rf_ko_model_save(&imp, kow, err, sizeof err), "%s", err);
    CHECKF(rf_ko_model_load(&mdl, kow, err, sizeof err), "%s", err);
    CHECK(mdl.tensors && same_model(&imp, &mdl));
    rf_ko_model_free(&imp);
    if (!mdl.tensors) return;
    const size_t n = (size_t)1 << rs->m, k = rf_ko_k(rs->m), NM = 1000, NY = 200;
    snprintf(path, sizeof path, "%s/messages.u8", dir);
    uint8_t *msg = rf_test_read_exact(path, NM * k);
    snprintf(path, sizeof path, "%s/codewords.f32", dir);
    float *want = rf_test_read_exact(path, NM * n * sizeof(float));
    CHECKF(msg && want, "%s: messages/codewords missing or wrong size", dir);
    if (msg && want) {
        float *x = malloc(NM * n * sizeof(float));
        ko_encode_f32_ref(&mdl, msg, NM, x);
        double dmax = 0;
        size_t bad = 0;
        for (size_t i = 0; i < NM * n; i++) {
            const double d = fabs((double)x[i] - want[i]);
            if (d > dmax) dmax = d;
            if (!(d <= 1e-5)) bad++;
        }
        printf("%s: codewords max |dx| = %.3g over %zu frames\n", rs->dir, dmax, NM);
        CHECKF(bad == 0, "%s: %zu codeword symbols off by more than 1e-5 (max %.3g)", rs->dir, bad, dmax);
        free(x);
    }
    free(msg), free(want);
    for (int level = 1; level <= 2; level++) {
        snprintf(path, sizeof path, "%s/level%d_received.f32", dir, level);
        float *y = rf_test_read_exact(path, NY * n * sizeof(float));
        snprintf(path, sizeof path, "%s/level%d_llr.f32", dir, level);
        float *lref = rf_test_read_exact(path, NY * k * sizeof(float));
        snprintf(path, sizeof path, "%s/level%d_hard.u8", dir, level);
        uint8_t *href = rf_test_read_exact(path, NY * k);
        CHECKF(y && lref && href, "%s level%d: reference files missing or wrong size", rs->dir, level);
        if (y && lref && href) {
            float *l = malloc(NY * k * sizeof(float));
            ko_decode_f32_ref(&mdl, y, NY, l);
            double rmax = 0;
            size_t bad = 0, hard = 0, compared = 0;
            for (size_t i = 0; i < NY * k; i++) {
                const double d = fabs((double)l[i] - lref[i]), rel = d / fmax(1.0, fabs(lref[i]));
                if (rel > rmax) rmax = rel;
                if (!(rel <= 2e-3)) bad++;
                if (fabsf(lref[i]) > 1e-2f) {
                    compared++;
                    if ((uint8_t)(l[i] < 0.0f) != href[i]) hard++;
                }
            }
            printf("%s level%d: LLR max |dL|/max(1,|L|) = %.3g, hard decisions differing %zu of %zu\n", rs->dir,
                   level, rmax, hard, compared);
            CHECKF(bad == 0, "%s level%d: %zu LLRs outside 2e-3 max(1,|L|) (max rel %.3g)", rs->dir, level, bad, rmax);
            CHECKF(hard == 0, "%s level%d: %zu hard decisions differ", rs->dir, level, hard);
            free(l);
        }
        free(y), free(lref), free(href);
    }
    rf_ko_model_free(&mdl);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static void test_cli_ko(void)
{
    char out[8192], err[2048];
    const char *d = tmp;
    char w[512], m[512], x[512], y[512], l[512], h[512], bad[512];
    snprintf(w, sizeof w, "%s/c.kow", d);
    snprintf(m, sizeof m, "%s/m.u8", d);
    snprintf(x, sizeof x, "%s/x.f32", d);
    snprintf(y, sizeof y, "%s/y.f32", d);
    snprintf(l, sizeof l, "%s/l.f32", d);
    snprintf(h, sizeof h, "%s/h.u8", d);
    snprintf(bad, sizeof bad, "%s/bad.kow", d);
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", (char *)NULL) == 2 && one_line(err));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "--help", (char *)NULL) == 0 && strstr(out, "usage"));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "bogus", (char *)NULL) == 2 && one_line(err));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:2:2", "--seed", "1", "--out", w, (char *)NULL) == 2 &&
          one_line(err) && !exists(w));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:4:1", "--seed", "1", "--out", w, (char *)NULL) == 2 &&
          one_line(err) && !exists(w));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:4:2", "--seed", "x", "--out", w, (char *)NULL) == 2 &&
          one_line(err) && !exists(w));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:4:2", "--seed", "1", (char *)NULL) == 2 &&
          one_line(err));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:4:2", "--tiny", "--seed", "5", "--out", w, (char *)NULL) == 0 &&
          exists(w));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "info", w, "--tensors", (char *)NULL) == 0 && strstr(out, "KO(4,2)") &&
          strstr(out, "tiny") && strstr(out, "n4_2.f_right.l1.w"));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "info", "/nonexistent.kow", (char *)NULL) == 2 && one_line(err));
    /* a corrupted copy: info and encode refuse it in one line */
    {
        size_t len = 0;
        FILE *f = fopen(w, "rb");
        uint8_t buf[4096];
        if (f) {
            len = fread(buf, 1, sizeof buf, f);
            fclose(f);
        }
        CHECK(len > 100 && len < sizeof buf);
        buf[len / 2] ^= 4;
        write_file(bad, buf, len);
        CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "info", bad, (char *)NULL) == 2 && one_line(err) &&
              strstr(err, "bad.kow"));
    }
    const size_t k = rf_ko_k(4), n = 16;
    uint8_t msg[2 * 11];
    for (size_t i = 0; i < 2 * k; i++) msg[i] = (uint8_t)(i % 3 == 0);
    write_file(m, msg, 2 * k);
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "encode", "--weights", bad, "--messages", m, "--out", x, (char *)NULL) == 2 &&
          one_line(err) && !exists(x));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "encode", "--weights", w, "--messages", m, "--out", x, (char *)NULL) == 0);
    float *xv = rf_test_read_exact(x, 2 * n * sizeof(float));
    CHECK(xv != NULL);
    if (xv) {
        double ss = 0;
        for (size_t i = 0; i < n; i++) ss += (double)xv[i] * xv[i];
        CHECKF(fabs(ss - (double)n) < 1e-4 * (double)n, "||x||^2 = %g, want %zu", ss, n);
        write_file(y, xv, 2 * n * sizeof(float));
    }
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "decode", "--weights", w, "--received", y, "--out", l, "--hard", h, (char *)NULL) == 0 &&
          exists(l) && exists(h));
    uint8_t *hv = rf_test_read_exact(h, 2 * k);
    float *lv = rf_test_read_exact(l, 2 * k * sizeof(float));
    CHECK(hv && lv);
    if (hv && lv)
        for (size_t i = 0; i < 2 * k; i++) CHECK(hv[i] == (lv[i] < 0.0f));
    free(hv), free(lv);
    /* --isa: scalar gives the same hard bits as the default level; an unknown level is exit 2 */
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "decode", "--weights", w, "--received", y, "--out", l, "--hard", x,
                      "--isa", "scalar", (char *)NULL) == 0);
    uint8_t *hs = rf_test_read_exact(x, 2 * k), *hd = rf_test_read_exact(h, 2 * k);
    CHECK(hs && hd && memcmp(hs, hd, 2 * k) == 0);
    free(hs), free(hd);
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "decode", "--weights", w, "--received", y, "--out", l,
                      "--isa", "bogus", (char *)NULL) == 2 && one_line(err));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "encode", "--weights", w, "--messages", m, "--out", l,
                      "--isa", "bogus", (char *)NULL) == 2 && one_line(err));
    remove(x), remove(l), remove(h);
    /* bad messages: a byte 2, and a size that is not a multiple of k */
    msg[3] = 2;
    write_file(m, msg, 2 * k);
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "encode", "--weights", w, "--messages", m, "--out", x, (char *)NULL) == 2 &&
          one_line(err) && !exists(x));
    msg[3] = 0;
    write_file(m, msg, 2 * k - 1);
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "encode", "--weights", w, "--messages", m, "--out", x, (char *)NULL) == 2 &&
          one_line(err) && !exists(x));
    /* bad received vectors: a NaN, a wrong size */
    if (xv) {
        xv[5] = NAN;
        write_file(y, xv, 2 * n * sizeof(float));
        CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "decode", "--weights", w, "--received", y, "--out", l, "--hard", h, (char *)NULL) == 2 &&
              one_line(err) && !exists(l) && !exists(h));
        write_file(y, xv, 2 * n * sizeof(float) - 4);
        CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "decode", "--weights", w, "--received", y, "--out", l, (char *)NULL) == 2 &&
              one_line(err) && !exists(l));
    }
    free(xv);
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "decode", "--weights", w, "--received", y, "--out", l, "--hard", l, (char *)NULL) == 2 &&
          one_line(err));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "import", "/nonexistent", "--out", bad, (char *)NULL) == 2 && one_line(err));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "encode", "--weights", w, "--bogus", "1", (char *)NULL) == 2 &&
          one_line(err));
}

/* SPEC: with the seed's N(0, 0.02^2) initialisation KO must perform close to RM. On the authors'
 * RM(8,2) frames (rm_8_2: BPSK RM codewords + noise at Es/N0 -4 and -7 dB, raw y as the KO decoder
 * takes it), the initialised KO(8,2) decoder's bit errors are within 10% of their hard Dumer
 * decoder's on the same frames (level1: both 0; level2: 903 for Dumer, 874..883 measured for seeds
 * 1..3), and the initialised encoder stays near the BPSK RM codeword (max |x - s| 0.10..0.15 measured;
 * bound 0.25). */
static void test_init_close_to_rm(void)
{
    char err[256], path[256];
    rf_ko_model mdl;
    CHECK(rf_ko_model_init(&mdl, 8, RF_KO_ARCH_KO, 1, err, sizeof err));
    const size_t n = 256, k = 37, F = 200;
    uint8_t *msg = rf_test_read_exact(REF_DIR "/rm_8_2/messages.u8", 1000 * k);
    CHECK(msg != NULL);
    if (!msg) {
        rf_ko_model_free(&mdl);
        return;
    }
    float *x = malloc(F * n * sizeof(float)), *s = malloc(F * n * sizeof(float)), *l = malloc(F * k * sizeof(float));
    ko_encode_f32_ref(&mdl, msg, F, x);
    rm_encode_f32_ref(8, 2, msg, F, s);
    double dmax = 0;
    for (size_t i = 0; i < F * n; i++) {
        const double d = fabs((double)x[i] - s[i]);
        if (d > dmax) dmax = d;
    }
    CHECKF(dmax <= 0.25, "initialised KO(8,2) codewords differ from BPSK RM by %g", dmax);
    for (int level = 1; level <= 2; level++) {
        snprintf(path, sizeof path, REF_DIR "/rm_8_2/level%d_received.f32", level);
        float *y = rf_test_read_exact(path, F * n * sizeof(float));
        snprintf(path, sizeof path, REF_DIR "/rm_8_2/level%d_dumer_hard.u8", level);
        uint8_t *dh = rf_test_read_exact(path, F * k);
        CHECK(y && dh);
        if (y && dh) {
            ko_decode_f32_ref(&mdl, y, F, l);
            size_t eko = 0, edumer = 0;
            /* two loops: one fused loop trips an aarch64 gcc-12 vectoriser ICE */
            for (size_t i = 0; i < F * k; i++) eko += (l[i] < 0.0f) != msg[i];
            for (size_t i = 0; i < F * k; i++) edumer += dh[i] != msg[i];
            printf("rm_8_2 level%d: initialised KO(8,2) %zu bit errors, their Dumer %zu\n", level, eko, edumer);
            CHECKF((double)eko <= 1.1 * (double)edumer && (double)eko >= 0.9 * (double)edumer,
                   "level%d: initialised KO %zu bit errors vs Dumer %zu", level, eko, edumer);
        }
        free(y), free(dh);
    }
    free(msg), free(x), free(s), free(l);
    rf_ko_model_free(&mdl);
}

static void cleanup(void)
{
    static const char *const files[] = {"rt0.kow", "rt1.kow", "c.kow", "m.u8", "x.f32", "y.f32", "l.f32",
                                        "h.u8", "bad.kow", "ko_8_2.kow", "ko_9_2.kow", "cli_ko_8_2.kow"};
    char path[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmp, files[i]);
        remove(path);
    }
    CHECKF(remove(tmp) == 0, "%s: not empty after the test", tmp);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "%s", rf_test_tmpdir());
    test_format();
    test_zero_weights();
    test_cli_ko();
    if (rf_test_shared(REF_DIR "/README.md", "test_ko: external truth")) {
        test_init_close_to_rm();
        static const refset sets[] = {{"ko_8_2", 8}, {"ko_9_2", 9}};
        char kow[512], out[8192], err[2048];
        for (size_t s = 0; s < 2; s++) {
            snprintf(kow, sizeof kow, "%s/%s.kow", tmp, sets[s].dir);
            test_reference(&sets[s], kow);
        }
        /* the CLI import of the same directory writes the same file */
        char kow2[512], dir[256];
        snprintf(kow2, sizeof kow2, "%s/cli_ko_8_2.kow", tmp);
        snprintf(dir, sizeof dir, REF_DIR "/ko_8_2");
        snprintf(kow, sizeof kow, "%s/ko_8_2.kow", tmp);
        CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "import", dir, "--out", kow2, (char *)NULL) == 0);
        size_t len = 0;
        FILE *a = fopen(kow, "rb"), *b = fopen(kow2, "rb");
        bool same = a && b;
        for (int ca, cb; same;) {
            ca = fgetc(a), cb = fgetc(b);
            if (ca != cb) same = false;
            if (ca == EOF) break;
            len++;
        }
        if (a) fclose(a);
        if (b) fclose(b);
        CHECKF(same && len > 160000, "CLI import differs from the library import (%zu bytes)", len);
    }
    cleanup();
    return rf_test_summary("test_ko");
}
