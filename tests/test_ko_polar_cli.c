/* The CLI with the authors' KO Polar(64,7) model (architecture polar_64_7; refast/ko_polar.h,
 * ko-reference/README.md §8): `refast ko init|import|info|encode|decode` and
 * `refast sim --code ko:FILE`.
 *  - init writes a polar_64_7 file that info describes; --tiny is refused for it;
 *  - external truth (when ../shared/ko-reference exists), at every usable level (--isa): import,
 *    then encode their 1000 messages (within 1e-5 of their codewords, README §4's bound) and decode
 *    their 200 + 200 received frames (LLRs within 2e-3 max(1, |L|), hard decisions equal to theirs:
 *    no exported Polar LLR is below 1e-2), so the bit / frame error counts are their 0 / 0 and
 *    58 / 27 exactly;
 *  - sim: at their level-2 noise (training SNR -6 dB, sigma = 1.9952623149688795) over 6000 frames,
 *    the KO BLER agrees with their 27 / 200 at the 99.9% level (two-proportion z test, the test of
 *    test_sim_ko.c), and KO beats plain Polar(64,7) SC (their information set, exact LSE) on the
 *    same frames (the sim draws frame f's message and noise from (seed, f) for both), as their
 *    200 frames do (27 vs 41 frame errors); counts add up, no leaf split is reported;
 *  - bad input: a wrong-sized received file, `refast code` on polar weights, a decoder other than
 *    ko -> exit 2 with one line, no output file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "refast/isa.h"
#include "testlib.h"

#define POLAR_DIR "../shared/ko-reference/ko_polar_64_7"
#define Z999 3.2905267314918945 /* two-sided 99.9% */

static char tmp[256];
static char out[1 << 16], err[4096];

static bool one_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl && nl[1] == '\0' && nl > s;
}

static void in_tmp(char *p, size_t len, const char *name)
{
    snprintf(p, len, "%s/%s", tmp, name);
}

static bool file_exists(const char *p)
{
    return access(p, F_OK) == 0;
}

static void test_init_info(void)
{
    char w[512];
    in_tmp(w, sizeof w, "init.kow");
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:polar_64_7", "--seed", "3", "--out", w,
                      (char *)NULL) == 0);
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "info", w, (char *)NULL) == 0 &&
          strstr(out, "KO Polar(64,7)") && strstr(out, "polar_64_7") && strstr(out, "floats: 190029"));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "info", w, "--tensors", (char *)NULL) == 0 &&
          strstr(out, "g5.skip.weight") && rf_test_lines(out) == 6 + 159);
    char w2[512];
    in_tmp(w2, sizeof w2, "tiny.kow");
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:polar_64_7", "--tiny", "--seed", "3",
                      "--out", w2, (char *)NULL) == 2 &&
          one_line(err) && !file_exists(w2));
    unlink(w);
}

static void *read_all(const char *path, size_t bytes)
{
    void *p = rf_test_read_exact(path, bytes);
    CHECKF(p != NULL, "%s: missing or not %zu bytes", path, bytes);
    return p;
}

/* Their data through the CLI at one level. */
static void test_reference_level(const char *w, const char *isa)
{
    char x[512], l[512], h[512], recv[512], ref[512];
    in_tmp(x, sizeof x, "x.f32");
    CHECKF(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "encode", "--weights", w, "--messages",
                       POLAR_DIR "/messages.u8", "--out", x, "--isa", isa, (char *)NULL) == 0,
           "%s: %s", isa, err);
    float *got = read_all(x, 1000 * 64 * 4), *want = read_all(POLAR_DIR "/codewords.f32", 1000 * 64 * 4);
    double dx = 0;
    for (size_t i = 0; got && want && i < 1000 * 64; i++) dx = fmax(dx, fabs((double)got[i] - want[i]));
    CHECKF(got && want && dx <= 1e-5, "%s: codewords max |dx| %.3g", isa, dx);
    free(got), free(want);
    unlink(x);
    uint8_t *msg = read_all(POLAR_DIR "/messages.u8", 1000 * 7);
    static const unsigned want_bits[3] = {0, 0, 58}, want_frames[3] = {0, 0, 27};
    for (unsigned level = 1; level <= 2 && msg; level++) {
        in_tmp(l, sizeof l, "l.f32");
        in_tmp(h, sizeof h, "h.u8");
        snprintf(recv, sizeof recv, POLAR_DIR "/level%u_received.f32", level);
        CHECKF(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "decode", "--weights", w, "--received", recv, "--out",
                           l, "--hard", h, "--isa", isa, (char *)NULL) == 0,
               "%s: %s", isa, err);
        float *L = read_all(l, 200 * 7 * 4);
        uint8_t *H = read_all(h, 200 * 7);
        snprintf(ref, sizeof ref, POLAR_DIR "/level%u_llr.f32", level);
        float *Lr = read_all(ref, 200 * 7 * 4);
        snprintf(ref, sizeof ref, POLAR_DIR "/level%u_hard.u8", level);
        uint8_t *Hr = read_all(ref, 200 * 7);
        double rel = 0;
        unsigned hdiff = 0, bits = 0, frames = 0;
        for (size_t f = 0; L && H && Lr && Hr && f < 200; f++) {
            unsigned e = 0;
            for (size_t j = 0; j < 7; j++) {
                const size_t i = f * 7 + j;
                rel = fmax(rel, fabs((double)L[i] - Lr[i]) / fmax(1.0, fabs((double)Lr[i])));
                hdiff += H[i] != Hr[i];
                e += H[i] != msg[i];
            }
            bits += e;
            frames += e > 0;
        }
        printf("test_ko_polar_cli: %s level %u: max |dL| / max(1, |L|) %.3g, %u decisions differ, KO %u bit / %u frame "
               "errors (theirs %u / %u)\n",
               isa, level, rel, hdiff, bits, frames, want_bits[level], want_frames[level]);
        CHECKF(rel <= 2e-3 && hdiff == 0 && bits == want_bits[level] && frames == want_frames[level],
               "%s level %u: rel %.3g, %u decisions differ, %u / %u errors", isa, level, rel, hdiff, bits, frames);
        free(L), free(H), free(Lr), free(Hr);
        unlink(l);
        unlink(h);
    }
    free(msg);
}

typedef struct point {
    double sigma, frames, bits, bit_errors, block_errors, ber, bler;
    bool leaves;
} point;

/* One `refast sim` point at training SNR -6 dB (their level 2) into p. */
static int sim_point(point *p, const char *code, const char *decoder, const char *extra, const char *val)
{
    char json[512];
    in_tmp(json, sizeof json, "sim.json");
    unlink(json);
    const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "sim", "--code", code, "--decoder", decoder, "--snr",
                               "-6:-6:1", "--max-frames", "6000", "--target-errors", "1000000", "--seed", "5",
                               "--json", json, extra, val, (char *)NULL);
    memset(p, 0, sizeof *p);
    if (rc != 0) return rc;
    char jerr[256];
    rf_json *doc = rf_json_parse_file(json, jerr, sizeof jerr);
    CHECKF(doc != NULL, "%s", jerr);
    if (!doc) return -1;
    const rf_json *pts = rf_json_get(doc, "points");
    CHECK(pts && pts->type == RF_JSON_ARRAY && pts->count == 1);
    if (pts && pts->count == 1) {
        const rf_json *q = &pts->items[0];
        rf_json_get_number(q, "sigma", &p->sigma);
        rf_json_get_number(q, "frames", &p->frames);
        rf_json_get_number(q, "bits", &p->bits);
        rf_json_get_number(q, "bit_errors", &p->bit_errors);
        rf_json_get_number(q, "block_errors", &p->block_errors);
        rf_json_get_number(q, "ber", &p->ber);
        rf_json_get_number(q, "bler", &p->bler);
        const rf_json *lv = rf_json_get(q, "leaves");
        p->leaves = lv && lv->type == RF_JSON_ARRAY && lv->count > 0;
    }
    rf_json_free(doc);
    unlink(json);
    return 0;
}

static void test_sim(const char *w)
{
    char code[600], info[512];
    snprintf(code, sizeof code, "ko:%s", w);
    in_tmp(info, sizeof info, "info.txt");
    FILE *f = fopen(info, "w");
    if (f) {
        fputs("# the authors' Polar(64,7) information set (README §8)\n47 55 59 60 61 62 63\n", f);
        fclose(f);
    }
    char cons[600];
    snprintf(cons, sizeof cons, "file:%s", info);
    point ko, sc;
    CHECKF(sim_point(&ko, code, "ko", NULL, NULL) == 0, "%s", err);
    CHECKF(sim_point(&sc, "polar:64:7", "sc", "--construction", cons) == 0, "%s", err);
    CHECK(fabs(ko.sigma - 1.9952623149688795) < 1e-12 && ko.frames == 6000 && sc.frames == 6000);
    CHECK(ko.bits == 7 * ko.frames && ko.bit_errors >= ko.block_errors && ko.bit_errors <= 7 * ko.block_errors);
    CHECK(!ko.leaves);
    /* their 200 frames: 27 frame errors */
    const double n1 = ko.frames, n2 = 200, p1 = ko.bler, p2 = 27.0 / n2, pool = (ko.block_errors + 27) / (n1 + n2);
    const double z = (p1 - p2) / sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2));
    printf("test_ko_polar_cli: training SNR -6 dB, 6000 frames: KO BER %.4e BLER %.4e (theirs over 200 frames: BER "
           "%.4e BLER %.4e, z %.2f); Polar SC BER %.4e BLER %.4e (theirs %.4e / %.4e)\n",
           ko.ber, p1, 58.0 / 1400, p2, z, sc.ber, sc.bler, 119.0 / 1400, 41.0 / 200);
    CHECKF(fabs(z) <= Z999, "KO BLER %.4e vs their 27/200: z = %.2f", p1, z);
    CHECKF(ko.bler < sc.bler && ko.ber < sc.ber, "KO BER %.4e BLER %.4e not below Polar SC %.4e %.4e", ko.ber, ko.bler,
           sc.ber, sc.bler);
    /* a KO code takes the ko decoder only */
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "sim", "--code", code, "--decoder", "sc", "--snr", "0:0:1",
                      "--max-frames", "10", "--target-errors", "10", (char *)NULL) == 2 &&
          one_line(err));
    unlink(info);
}

static void test_bad_input(const char *w)
{
    char y[512], l[512], code[600];
    in_tmp(y, sizeof y, "short.f32");
    in_tmp(l, sizeof l, "never.f32");
    FILE *f = fopen(y, "wb");
    if (f) {
        const float v[100] = {0};
        fwrite(v, sizeof(float), 100, f); /* 100 floats: not frames of 64 */
        fclose(f);
    }
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "decode", "--weights", w, "--received", y, "--out", l,
                      (char *)NULL) == 2 &&
          one_line(err) && !file_exists(l));
    snprintf(code, sizeof code, "ko:%s", w);
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "code", "info", code, (char *)NULL) == 2 && one_line(err) &&
          strstr(err, "polar_64_7"));
    unlink(y);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "%s", rf_test_tmpdir());
    test_init_info();
    char w[512];
    in_tmp(w, sizeof w, "polar.kow");
    if (rf_test_shared(POLAR_DIR "/weights.json", "test_ko_polar_cli: the authors' data")) {
        CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "import", POLAR_DIR, "--out", w, (char *)NULL) == 0 &&
              strstr(out, "KO Polar(64,7)"));
        rf_isa lv[RF_ISA_COUNT];
        const int nl = rf_test_levels(lv);
        for (int i = 0; i < nl; i++) test_reference_level(w, rf_isa_name(lv[i]));
        test_sim(w);
        test_bad_input(w);
        unlink(w);
    } else {
        /* without their data: the bad-input half on init weights */
        CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:polar_64_7", "--seed", "1",
                          "--out", w, (char *)NULL) == 0);
        test_bad_input(w);
        unlink(w);
    }
    return rf_test_summary("test_ko_polar_cli");
}
