/* `refast gated` (harness/apps/cmd_gated.c):
 *  - gru and moe2 round-trip: files written here, the command run at every usable level, its output
 *    file equal bit for bit to the kernel called directly at that level (h0 given and not, --last);
 *  - bad input, each one line on stderr, exit 2 and no output file: files shorter or longer than
 *    the shapes say, a missing file, NaN and inf in the weights, sizes 0 or overflowing, unknown
 *    variant / gate / g, --out naming --h0;
 *  - check-onednn runs and passes (when the build has oneDNN), and fails cleanly without it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refast/gated.h"
#include "refast/kernels.h"
#include "testlib.h"

static char out[1 << 16], err[1 << 12];
static char dir[512], wpath[600], xpath[600], hpath[600], opath[600];
static uint64_t rng = 0x676174656463ull;

static void write_f32(const char *path, const float *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECKF(f && fwrite(p, sizeof *p, n, f) == n, "cannot write %s", path);
    if (f) fclose(f);
}

static void fill(float *p, size_t n, double a)
{
    for (size_t i = 0; i < n; i++) p[i] = (float)rf_test_uniform(&rng, -a, a);
}

static int no_output(void)
{
    return access(opath, F_OK) != 0;
}

static void expect_bad(const char *what, int rc)
{
    CHECKF(rc == 2, "%s: exit %d, want 2 (%s)", what, rc, err);
    CHECKF(rf_test_lines(err) == 1 && strncmp(err, "refast: ", 8) == 0,
           "%s: want one line 'refast: ...', got: %s", what, err);
    CHECKF(no_output(), "%s: an output file was left behind", what);
}

static void test_gru_roundtrip(void)
{
    const rf_gru_spec base = {7, 3, 5, 11, RF_GRU_LBR, RF_GATE_SIGMOID, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
    rf_gru_counts c;
    CHECK(rf_gru_count(&base, &c) == 0);
    float *w = malloc(c.w * sizeof *w), *x = malloc(c.x * sizeof *x), *h0 = malloc(c.h0 * sizeof *h0);
    float *want = malloc(c.out * sizeof *want), *work = malloc(c.work * sizeof *work);
    if (!w || !x || !h0 || !want || !work) exit(1);
    fill(w, c.w, 0.4), fill(x, c.x, 1.0), fill(h0, c.h0, 1.0);
    write_f32(wpath, w, c.w);
    write_f32(xpath, x, c.x);
    write_f32(hpath, h0, c.h0);
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        if (!rf_isa_usable((rf_isa)l)) continue;
        const rf_gru_f32_fn fn = (rf_gru_f32_fn)rf_dispatch(RF_KID(gru_f32), (rf_isa)l, NULL);
        for (int k = 0; k < 8; k++) {
            rf_gru_spec s = base;
            s.variant = (rf_gru_variant)(k & 1);
            s.gate = (rf_gated_gate)((k >> 1) & 1);
            s.output = (rf_gru_output)((k >> 2) & 1);
            const int with_h0 = k % 3 != 0;
            const size_t n = s.output == RF_GRU_OUT_LAST ? c.h0 : c.out;
            fn(&s, w, x, with_h0 ? h0 : NULL, want, work);
            unlink(opath);
            int rc;
            const char *v = rf_gru_variant_name(s.variant), *g = rf_gated_gate_name(s.gate),
                       *isa = rf_isa_name((rf_isa)l);
            const char *last = s.output == RF_GRU_OUT_LAST ? "--last" : NULL;
            if (with_h0)
                rc = rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath,
                                 "--inputs", xpath, "--out", opath, "--T", "7", "--B", "3", "--I", "5",
                                 "--H", "11", "--variant", v, "--gate", g, "--isa", isa, "--h0", hpath,
                                 last, NULL);
            else
                rc = rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath,
                                 "--inputs", xpath, "--out", opath, "--T", "7", "--B", "3", "--I", "5",
                                 "--H", "11", "--variant", v, "--gate", g, "--isa", isa, last, NULL);
            CHECKF(rc == 0, "gated gru %s %s at %s: exit %d: %s", v, g, isa, rc, err);
            float *got = rf_test_read_exact(opath, n * sizeof(float));
            CHECKF(got && memcmp(got, want, n * sizeof *got) == 0,
                   "gated gru %s %s %s at %s: the file differs from the kernel's output", v, g,
                   last ? "last" : "all", isa);
            free(got);
        }
    }
    unlink(opath);

    /* bad input: nothing written, one line, exit 2 */
    expect_bad("short weights", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath,
                                            "--inputs", xpath, "--out", opath, "--T", "7", "--B", "3", "--I",
                                            "5", "--H", "12", NULL));
    expect_bad("long inputs", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath,
                                          "--inputs", wpath, "--out", opath, "--T", "7", "--B", "3", "--I",
                                          "5", "--H", "11", NULL));
    expect_bad("wrong h0", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath,
                                       "--inputs", xpath, "--h0", xpath, "--out", opath, "--T", "7", "--B",
                                       "3", "--I", "5", "--H", "11", NULL));
    expect_bad("missing file", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights",
                                           "/nonexistent/w.f32", "--inputs", xpath, "--out", opath, "--T",
                                           "7", "--B", "3", "--I", "5", "--H", "11", NULL));
    expect_bad("T = 0", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath,
                                    "--inputs", xpath, "--out", opath, "--T", "0", "--B", "3", "--I", "5",
                                    "--H", "11", NULL));
    expect_bad("overflowing sizes", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights",
                                                wpath, "--inputs", xpath, "--out", opath, "--T", "7", "--B",
                                                "3", "--I", "999999999999999", "--H", "999999999999999", NULL));
    expect_bad("unknown variant", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights",
                                              wpath, "--inputs", xpath, "--out", opath, "--T", "7", "--B",
                                              "3", "--I", "5", "--H", "11", "--variant", "elman", NULL));
    expect_bad("unknown gate", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights",
                                           wpath, "--inputs", xpath, "--out", opath, "--T", "7", "--B", "3",
                                           "--I", "5", "--H", "11", "--gate", "step", NULL));
    expect_bad("unknown g", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath,
                                        "--inputs", xpath, "--out", opath, "--T", "7", "--B", "3", "--I", "5",
                                        "--H", "11", "--g", "gelu", NULL));
    for (int k = 0; k < 2; k++) {
        w[c.w / 2] = k ? INFINITY : NAN;
        write_f32(wpath, w, c.w);
        expect_bad(k ? "inf weight" : "NaN weight",
                   rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath, "--inputs",
                               xpath, "--out", opath, "--T", "7", "--B", "3", "--I", "5", "--H", "11", NULL));
    }
    /* --out naming --h0 must not destroy h0 */
    const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "gated", "gru", "--weights", wpath, "--inputs",
                               xpath, "--out", hpath, "--h0", hpath, "--T", "7", "--B", "3", "--I", "5", "--H",
                               "11", NULL);
    CHECKF(rc == 2 && rf_test_lines(err) == 1, "--out = --h0: exit %d: %s", rc, err);
    float *kept = rf_test_read_exact(hpath, c.h0 * sizeof(float));
    CHECKF(kept && memcmp(kept, h0, c.h0 * sizeof *kept) == 0, "--out = --h0 changed the h0 file");
    free(kept);
    free(w), free(x), free(h0), free(want), free(work);
}

static void test_moe2_roundtrip(void)
{
    const rf_moe2_spec s = {4, 9, 6, RF_GATE_BINARY, RF_GATED_G_RELU};
    rf_moe2_counts c;
    CHECK(rf_moe2_count(&s, &c) == 0);
    float *w = malloc(c.w * sizeof *w), *x = malloc(c.x * sizeof *x), *want = malloc(c.y * sizeof *want);
    if (!w || !x || !want) exit(1);
    fill(w, c.w, 0.5), fill(x, c.x, 1.0);
    write_f32(wpath, w, c.w);
    write_f32(xpath, x, c.x);
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        if (!rf_isa_usable((rf_isa)l)) continue;
        ((rf_moe2_f32_fn)rf_dispatch(RF_KID(moe2_f32), (rf_isa)l, NULL))(&s, w, x, want);
        unlink(opath);
        const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "gated", "moe2", "--weights", wpath,
                                   "--inputs", xpath, "--out", opath, "--B", "4", "--d", "9", "--m", "6",
                                   "--gate", "binary", "--g", "relu", "--isa", rf_isa_name((rf_isa)l), NULL);
        CHECKF(rc == 0, "gated moe2 at %s: exit %d: %s", rf_isa_name((rf_isa)l), rc, err);
        float *got = rf_test_read_exact(opath, c.y * sizeof(float));
        CHECKF(got && memcmp(got, want, c.y * sizeof *got) == 0, "gated moe2 at %s: file differs",
               rf_isa_name((rf_isa)l));
        free(got);
    }
    unlink(opath);
    expect_bad("moe2 short weights", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "moe2", "--weights",
                                                 wpath, "--inputs", xpath, "--out", opath, "--B", "4", "--d",
                                                 "9", "--m", "7", NULL));
    expect_bad("moe2 m = 0", rf_test_cli(out, sizeof out, err, sizeof err, "gated", "moe2", "--weights", wpath,
                                         "--inputs", xpath, "--out", opath, "--B", "4", "--d", "9", "--m", "0",
                                         NULL));
    free(w), free(x), free(want);
}

static void test_check_onednn(void)
{
    const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "gated", "check-onednn", "--T", "6", "--B", "2",
                               "--I", "7", "--H", "9", NULL);
    if (rf_dispatch_onednn(RF_KID(gru_f32))) {
        CHECKF(rc == 0, "check-onednn: exit %d: %s", rc, err);
        CHECKF(strstr(out, "cho ") && strstr(out, "lbr ") && strstr(out, "onednn"),
               "check-onednn printed no row per variant: %s", out);
    } else {
        CHECKF(rc == 2 && rf_test_lines(err) == 1, "check-onednn without oneDNN: exit %d: %s", rc, err);
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", rf_test_tmpdir());
    snprintf(wpath, sizeof wpath, "%s/w.f32", dir);
    snprintf(xpath, sizeof xpath, "%s/x.f32", dir);
    snprintf(hpath, sizeof hpath, "%s/h0.f32", dir);
    snprintf(opath, sizeof opath, "%s/out.f32", dir);
    test_gru_roundtrip();
    test_moe2_roundtrip();
    test_check_onednn();
    unlink(wpath), unlink(xpath), unlink(hpath), unlink(opath);
    rmdir(dir);
    return rf_test_summary("test_gated_cli");
}
