/* pMoE data (lib/pmoe): the IDX reader on good and damaged files (plain and gzip), composite images
 * from an IDX split, the seed's synthetic data model, patches, and the Philox draws.
 *   - IDX: a file written here is read back exactly, plain and gzipped; wrong magic, unsupported
 *     type, 0 or 5 dimensions, a zero dimension, truncated header, truncated data (plain and gzip),
 *     a corrupted gzip payload, trailing bytes, an empty or missing file, splits whose label count
 *     or dimensionality do not match: each a one-line error, never a crash.
 *   - The Debian Fashion-MNIST files (if installed): 60000 / 10000 images of 28 x 28, 10 classes of
 *     6000 / 1000 each.
 *   - Compose: classes alternate, the discriminative patch is an image of the sample's class at its
 *     recorded position (inside [pos_min, pos_max]), every other patch an image of an irrelevant
 *     class, no discriminative image is used twice, sets are nested and reproducible from the seed,
 *     and impossible requests (more samples than images, bad positions, a class both discriminative
 *     and irrelevant) are errors.
 *   - Synthetic: |o_i| = 1, <o_1, o_2> = delta_d, every irrelevant patch has |<o_i, q>| <= delta_r and
 *     norm `norm`, the discriminative patch is norm o_y; reproducible; bad parameters are errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "pmoe/compose.h"
#include "pmoe/idx.h"
#include "pmoe/patches.h"
#include "pmoe/prng.h"
#include "pmoe/synth.h"
#include "refast/rng.h"
#include "testlib.h"

static char path_buf[1024], tmpdir[512]; /* one temporary directory for the whole test */

static const char *tmp(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", tmpdir, name);
    return path_buf;
}

static void write_bytes(const char *path, const void *data, size_t len, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        if (f) {
            gzwrite(f, data, (unsigned)len);
            gzclose(f);
        }
        return;
    }
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

/* An IDX header + payload: type 0x08, dims as given. Returns its length in buf. */
static size_t make_idx(uint8_t *buf, const size_t *dims, size_t ndim, const uint8_t *payload, size_t plen)
{
    size_t at = 0;
    buf[at++] = 0, buf[at++] = 0, buf[at++] = 0x08, buf[at++] = (uint8_t)ndim;
    for (size_t i = 0; i < ndim; i++) {
        buf[at++] = (uint8_t)(dims[i] >> 24), buf[at++] = (uint8_t)(dims[i] >> 16);
        buf[at++] = (uint8_t)(dims[i] >> 8), buf[at++] = (uint8_t)dims[i];
    }
    memcpy(buf + at, payload, plen);
    return at + plen;
}

static void expect_idx_error(const char *path, const char *needle)
{
    rf_idx idx;
    char err[512] = "";
    const int rc = rf_idx_read(path, &idx, err, sizeof err);
    CHECKF(rc == -1 && strstr(err, needle) && !strchr(err, '\n') && idx.data == NULL,
           "expected an error with '%s': rc %d, '%s'", needle, rc, err);
    if (rc == 0) rf_idx_free(&idx);
}

static void test_idx(void)
{
    uint8_t payload[3 * 2 * 2], buf[256];
    for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(17 * i + 3);
    const size_t dims[3] = {3, 2, 2};
    const size_t len = make_idx(buf, dims, 3, payload, sizeof payload);
    for (int gz = 0; gz < 2; gz++) {
        const char *p = tmp(gz ? "good.idx.gz" : "good.idx");
        write_bytes(p, buf, len, gz);
        rf_idx idx;
        char err[512];
        CHECKF(rf_idx_read(p, &idx, err, sizeof err) == 0, "%s", err);
        CHECK(idx.ndim == 3 && idx.dims[0] == 3 && idx.dims[1] == 2 && idx.dims[2] == 2 && idx.item == 4);
        CHECK(idx.data && memcmp(idx.data, payload, sizeof payload) == 0);
        rf_idx_free(&idx);
    }
    uint8_t bad[256];
    memcpy(bad, buf, len);
    bad[0] = 0x1f, bad[1] = 0x9d; /* not gzip, not IDX */
    write_bytes(tmp("magic.idx"), bad, len, 0);
    expect_idx_error(tmp("magic.idx"), "not an IDX file");
    memcpy(bad, buf, len);
    bad[2] = 0x0d;
    write_bytes(tmp("type.idx"), bad, len, 0);
    expect_idx_error(tmp("type.idx"), "0x0d is not supported");
    memcpy(bad, buf, len);
    bad[3] = 0;
    write_bytes(tmp("dims0.idx"), bad, len, 0);
    expect_idx_error(tmp("dims0.idx"), "0 dimensions");
    bad[3] = 5;
    write_bytes(tmp("dims5.idx"), bad, len, 0);
    expect_idx_error(tmp("dims5.idx"), "5 dimensions");
    memcpy(bad, buf, len);
    bad[7] = 0; /* dims[0] = 0 */
    write_bytes(tmp("zero.idx"), bad, len, 0);
    expect_idx_error(tmp("zero.idx"), "dimension 0 is 0");
    write_bytes(tmp("head.idx"), buf, 2, 0);
    expect_idx_error(tmp("head.idx"), "header");
    write_bytes(tmp("dimcut.idx"), buf, 9, 0);
    expect_idx_error(tmp("dimcut.idx"), "dimensions: truncated: 5 of 12 bytes");
    write_bytes(tmp("short.idx"), buf, len - 3, 0);
    expect_idx_error(tmp("short.idx"), "data: truncated: 9 of 12 bytes");
    write_bytes(tmp("long.idx"), buf, len, 0);
    {
        FILE *f = fopen(tmp("long.idx"), "ab");
        if (f) {
            fputc(7, f);
            fclose(f);
        }
    }
    expect_idx_error(tmp("long.idx"), "longer than its header");
    write_bytes(tmp("empty.idx"), buf, 0, 0);
    expect_idx_error(tmp("empty.idx"), "header");
    expect_idx_error(tmp("missing.idx"), "cannot open");
    /* a gzip file cut in the middle, and one with a flipped payload byte */
    write_bytes(tmp("full.gz"), buf, len, 1);
    FILE *f = fopen(tmp("full.gz"), "rb");
    uint8_t gzbuf[512];
    const size_t gzlen = f ? fread(gzbuf, 1, sizeof gzbuf, f) : 0;
    if (f) fclose(f);
    CHECK(gzlen > 20);
    write_bytes(tmp("cut.gz"), gzbuf, gzlen - 12, 0);
    expect_idx_error(tmp("cut.gz"), "truncated");
    gzbuf[gzlen - 6] ^= 0x55; /* inside the CRC-32 of the trailer */
    write_bytes(tmp("crc.gz"), gzbuf, gzlen, 0);
    expect_idx_error(tmp("crc.gz"), "damaged gzip data: incorrect data check");

    /* splits: labels that do not match the images */
    char dir[600];
    snprintf(dir, sizeof dir, "%s/split", tmpdir);
    CHECK(mkdir(dir, 0700) == 0);
    char p[700];
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte", dir);
    write_bytes(p, buf, len, 0);
    uint8_t lab[64];
    const size_t ldims[1] = {4}, l3[1] = {3};
    const uint8_t lp[4] = {0, 1, 2, 3};
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte.gz", dir);
    write_bytes(p, lab, make_idx(lab, ldims, 1, lp, 4), 1);
    rf_idx_split s;
    char err[512] = "";
    CHECK(rf_idx_split_read(dir, "train", &s, err, sizeof err) == -1 && strstr(err, "4 labels for 3 images"));
    write_bytes(p, lab, make_idx(lab, l3, 1, lp, 3), 1);
    CHECKF(rf_idx_split_read(dir, "train", &s, err, sizeof err) == 0, "%s", err);
    CHECK(s.count == 3 && s.rows == 2 && s.cols == 2 && s.labels.data[2] == 2);
    rf_idx_split_free(&s);
    CHECK(rf_idx_split_read(dir, "t10k", &s, err, sizeof err) == -1 && strstr(err, "no t10k-images"));
}

/* The real Fashion-MNIST of Debian's dataset-fashion-mnist, when installed. */
static void test_fashion(void)
{
    const char *dir = "/usr/share/datasets/fashion-mnist";
    if (access(dir, R_OK) != 0) {
        printf("  (no %s: Fashion-MNIST checks skipped)\n", dir);
        return;
    }
    static const struct {
        const char *split;
        size_t count;
    } splits[2] = {{"train", 60000}, {"t10k", 10000}};
    for (int i = 0; i < 2; i++) {
        rf_idx_split s;
        char err[512];
        CHECKF(rf_idx_split_read(dir, splits[i].split, &s, err, sizeof err) == 0, "%s", err);
        if (s.count != splits[i].count) {
            CHECKF(0, "%s: %zu images", splits[i].split, s.count);
            rf_idx_split_free(&s);
            continue;
        }
        CHECK(s.rows == 28 && s.cols == 28);
        size_t per[256] = {0};
        for (size_t j = 0; j < s.count; j++) per[s.labels.data[j]]++;
        int ok = 1;
        for (int c = 0; c < 10; c++) ok &= per[c] == s.count / 10;
        CHECK(ok);
        rf_idx_split_free(&s);
    }
}

/* ---- composite images ----------------------------------------------------------------------------- */

/* A split of 4 x 4 images whose pixels all equal the image index (mod 256), labels i % 10: a patch
 * identifies its source image. */
static void fake_split(rf_idx_split *s, size_t count)
{
    memset(s, 0, sizeof *s);
    s->count = count, s->rows = 4, s->cols = 4;
    s->images.data = malloc(count * 16);
    s->labels.data = malloc(count);
    s->images.ndim = 3, s->images.dims[0] = count, s->images.dims[1] = 4, s->images.dims[2] = 4, s->images.item = 16;
    s->labels.ndim = 1, s->labels.dims[0] = count, s->labels.item = 1;
    for (size_t i = 0; i < count; i++) {
        memset(s->images.data + i * 16, (int)(i % 256), 16);
        s->labels.data[i] = (uint8_t)(i % 10);
    }
}

static void test_compose(void)
{
    rf_idx_split src;
    fake_split(&src, 200); /* 20 images per class */
    rf_pmoe_compose_cfg cfg;
    rf_pmoe_compose_defaults(&cfg);
    rf_pmoe_dataset a, b, c;
    char err[512];
    const uint64_t base = rf_pmoe_stream(RF_PMOE_STREAM_TRAIN_DATA, 3, 0);
    CHECKF(rf_pmoe_compose(&src, &cfg, 40, 11, base, &a, err, sizeof err) == 0, "%s", err);
    CHECK(a.count == 40 && a.n == 16 && a.d == 16 && a.grid_w == 4 && a.u8);
    int used[200] = {0}, ok = 1;
    for (size_t i = 0; i < a.count; i++) {
        ok &= a.y[i] == ((i & 1) ? -1 : 1);
        ok &= a.disc[i] >= 0 && a.disc[i] < 16;
        for (size_t j = 0; j < 16; j++) {
            const uint8_t img = a.u8[(i * 16 + j) * 16];
            const int label = img % 10;
            if ((int32_t)j == a.disc[i]) {
                ok &= label == (a.y[i] > 0 ? 1 : 0);
                ok &= used[img]++ == 0;
            } else {
                ok &= label >= 2;
            }
        }
    }
    CHECKF(ok, "composite structure");
    /* nested and reproducible; another seed differs */
    CHECK(rf_pmoe_compose(&src, &cfg, 20, 11, base, &b, err, sizeof err) == 0);
    CHECK(memcmp(a.u8, b.u8, 20 * 256) == 0 && memcmp(a.disc, b.disc, 20 * sizeof *a.disc) == 0);
    CHECK(rf_pmoe_compose(&src, &cfg, 20, 12, base, &c, err, sizeof err) == 0);
    CHECK(memcmp(a.u8, c.u8, 20 * 256) != 0);
    rf_pmoe_dataset_free(&b);
    rf_pmoe_dataset_free(&c);
    /* the float view is byte / 255 */
    float x[256];
    rf_pmoe_dataset_get(&a, 5, x);
    CHECK(x[17] == (float)a.u8[5 * 256 + 17] / 255.0f);
    rf_pmoe_dataset_free(&a);
    /* positions restricted to 1 .. 14 (the authors' shipped test positions) */
    cfg.pos_min = 1, cfg.pos_max = 14;
    CHECK(rf_pmoe_compose(&src, &cfg, 40, 1, base, &a, err, sizeof err) == 0);
    ok = 1;
    for (size_t i = 0; i < a.count; i++) ok &= a.disc[i] >= 1 && a.disc[i] <= 14;
    CHECK(ok);
    rf_pmoe_dataset_free(&a);
    /* impossible requests */
    rf_pmoe_compose_defaults(&cfg);
    CHECK(rf_pmoe_compose(&src, &cfg, 42, 1, base, &a, err, sizeof err) == -1 && strstr(err, "need 21 images of class 1"));
    cfg.pos_max = 16;
    CHECK(rf_pmoe_compose(&src, &cfg, 4, 1, base, &a, err, sizeof err) == -1 && strstr(err, "do not fit"));
    rf_pmoe_compose_defaults(&cfg);
    cfg.irrelevant |= 2;
    CHECK(rf_pmoe_compose(&src, &cfg, 4, 1, base, &a, err, sizeof err) == -1 && strstr(err, "both"));
    rf_pmoe_compose_defaults(&cfg);
    cfg.class_neg = 1;
    CHECK(rf_pmoe_compose(&src, &cfg, 4, 1, base, &a, err, sizeof err) == -1 && strstr(err, "same label"));
    rf_idx_split_free(&src);
}

/* ---- synthetic data ---------------------------------------------------------------------------------- */

static double dotf(const float *x, const double *o, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++) s += x[i] * o[i];
    return s;
}

static void test_synth(void)
{
    rf_pmoe_synth_cfg cfg;
    rf_pmoe_synth_defaults(&cfg);
    cfg.d = 100, cfg.p = 5, cfg.delta_d = -0.3, cfg.delta_r = 0.25, cfg.radius = 3, cfg.norm = 2;
    rf_pmoe_synth m;
    char err[512];
    CHECKF(rf_pmoe_synth_make(&cfg, 7, &m, err, sizeof err) == 0, "%s", err);
    double o11 = 0, o22 = 0, o12 = 0;
    for (size_t i = 0; i < cfg.d; i++) o11 += m.o1[i] * m.o1[i], o22 += m.o2[i] * m.o2[i], o12 += m.o1[i] * m.o2[i];
    CHECK(fabs(o11 - 1) < 1e-12 && fabs(o22 - 1) < 1e-12 && fabs(o12 - cfg.delta_d) < 1e-12);
    rf_pmoe_dataset ds, again;
    const uint64_t base = rf_pmoe_stream(RF_PMOE_STREAM_TRAIN_DATA, 0, 0);
    CHECK(rf_pmoe_synth_sample(&m, 50, base, &ds, err, sizeof err) == 0);
    int ok = 1;
    double worst = 0;
    for (size_t i = 0; i < ds.count; i++)
        for (size_t j = 0; j < ds.n; j++) {
            const float *x = ds.f32 + (i * ds.n + j) * ds.d;
            double nn = 0;
            for (size_t k = 0; k < ds.d; k++) nn += (double)x[k] * x[k];
            ok &= fabs(sqrt(nn) - cfg.norm) < 1e-5;
            const double c1 = dotf(x, m.o1, ds.d) / cfg.norm, c2 = dotf(x, m.o2, ds.d) / cfg.norm;
            if ((int32_t)j == ds.disc[i]) {
                ok &= fabs((ds.y[i] > 0 ? c1 : c2) - 1) < 1e-6;
            } else {
                worst = fmax(worst, fmax(fabs(c1), fabs(c2)));
            }
        }
    CHECK(ok);
    CHECKF(worst <= cfg.delta_r + 1e-6 && worst > 0.05, "max |<o_i, q>| = %g (delta_r %g)", worst, cfg.delta_r);
    CHECK(rf_pmoe_synth_sample(&m, 50, base, &again, err, sizeof err) == 0);
    CHECK(memcmp(ds.f32, again.f32, 50 * ds.n * ds.d * sizeof(float)) == 0);
    rf_pmoe_dataset_free(&ds);
    rf_pmoe_dataset_free(&again);
    rf_pmoe_synth_free(&m);
    cfg.d = 3;
    CHECK(rf_pmoe_synth_make(&cfg, 7, &m, err, sizeof err) == -1 && strstr(err, "d must"));
    cfg.d = 100, cfg.delta_d = 1;
    CHECK(rf_pmoe_synth_make(&cfg, 7, &m, err, sizeof err) == -1 && strstr(err, "delta_d"));
    cfg.delta_d = 0, cfg.norm = NAN;
    CHECK(rf_pmoe_synth_make(&cfg, 7, &m, err, sizeof err) == -1 && strstr(err, "norm"));
}

/* ---- patches and random draws -------------------------------------------------------------------------- */

static void test_patches(void)
{
    /* one 4 x 6 two-channel image, 2 x 3 patches: value = 100 row + 10 col + channel */
    double img[4 * 6 * 2], pat[4 * 6 * 2], back[4 * 6 * 2];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 6; c++)
            for (int ch = 0; ch < 2; ch++) img[(r * 6 + c) * 2 + ch] = 100 * r + 10 * c + ch;
    char err[256];
    CHECK(rf_pmoe_patchify(img, 1, 4, 6, 2, 2, 3, pat, err, sizeof err) == 0);
    /* patch j = 1 is grid (R 0, C 1): rows 0-1, cols 3-5; its value p = (u 3 + v) 2 + ch */
    CHECK(pat[1 * 12 + (1 * 3 + 2) * 2 + 1] == 100 * 1 + 10 * 5 + 1);
    CHECK(pat[3 * 12 + 0] == 100 * 2 + 10 * 3);
    rf_pmoe_unpatchify(pat, 1, 4, 6, 2, 2, 3, back);
    CHECK(memcmp(img, back, sizeof img) == 0);
    CHECK(rf_pmoe_patchify(img, 1, 4, 6, 2, 3, 3, pat, err, sizeof err) == -1 && strstr(err, "whole number"));
}

static void test_prng(void)
{
    rf_pmoe_rng r, s;
    rf_pmoe_rng_init(&r, 5, rf_pmoe_stream(RF_PMOE_STREAM_INIT, 2, 1));
    rf_pmoe_rng_init(&s, 5, rf_pmoe_stream(RF_PMOE_STREAM_INIT, 2, 1));
    double sum = 0, sq = 0;
    const int N = 200000;
    int same = 1;
    for (int i = 0; i < N; i++) {
        const double g = rf_pmoe_rng_gauss(&r);
        same &= g == rf_pmoe_rng_gauss(&s);
        sum += g, sq += g * g;
    }
    CHECK(same);
    CHECKF(fabs(sum / N) < 0.01 && fabs(sq / N - 1) < 0.02, "gauss mean %g var %g", sum / N, sq / N);
    size_t counts[7] = {0};
    for (int i = 0; i < 70000; i++) counts[rf_pmoe_rng_below(&r, 7)]++;
    int flat = 1;
    for (int i = 0; i < 7; i++) flat &= counts[i] > 9500 && counts[i] < 10500;
    CHECK(flat);
    uint32_t perm[100];
    for (uint32_t i = 0; i < 100; i++) perm[i] = i;
    rf_pmoe_rng_shuffle(&r, perm, 100);
    int seen[100] = {0}, moved = 0;
    for (uint32_t i = 0; i < 100; i++) seen[perm[i]]++, moved += perm[i] != i;
    int isperm = 1;
    for (int i = 0; i < 100; i++) isperm &= seen[i] == 1;
    CHECK(isperm && moved > 50);
    /* words follow refast/rng.h's addressing: stream s, word p = block p / 4 */
    rf_pmoe_rng_init(&r, 0x1234, 77);
    uint32_t w[8];
    for (int i = 0; i < 8; i++) w[i] = rf_pmoe_rng_u32(&r);
    const uint32_t ctr[4] = {1, 0, 77, 0}, key[2] = {0x1234, 0};
    uint32_t blk[4];
    rf_philox4x32_10(ctr, key, blk);
    CHECK(memcmp(w + 4, blk, sizeof blk) == 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", rf_test_tmpdir());
    test_idx();
    test_fashion();
    test_compose();
    test_synth();
    test_patches();
    test_prng();
    return rf_test_summary("test_pmoe_data");
}
