/* The golden container and the golden/verify commands: a round trip is lossless, and every kind
 * of damage (truncation, a flipped byte, wrong magic, wrong version, wrong hash, an empty or
 * missing file) is a one-line error naming the file and the field, with exit code 2. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "golden.h"
#include "refast/registry.h"
#include "rfg.h"
#include "testlib.h"

static bool write_bytes(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* Reads a damaged image; it must fail with a message that names the file and a field. */
static void expect_rejected(const char *path, const uint8_t *p, size_t n, const char *field_hint,
                            const char *what)
{
    CHECK(write_bytes(path, p, n));
    rf_case c;
    rfg_hash h;
    char err[512] = "";
    bool ok = rfg_read(path, &c, &h, err, sizeof err);
    CHECKF(!ok, "%s was accepted", what);
    if (ok) {
        rf_case_free(&c);
        return;
    }
    CHECKF(strstr(err, path) != NULL, "%s: message does not name the file: %s", what, err);
    CHECKF(strstr(err, "field '") != NULL, "%s: message does not name a field: %s", what, err);
    CHECKF(strchr(err, '\n') == NULL, "%s: message is not one line", what);
    if (field_hint) CHECKF(strstr(err, field_hint) != NULL, "%s: expected '%s' in: %s", what, field_hint, err);
}

static void test_roundtrip_and_damage(const char *dir)
{
    const rf_kernel *k = rf_kernel_find("fht_f32");
    CHECK(k != NULL);
    if (!k) return;
    const rf_case_spec spec = {"t", "log2n=5 input=random seed=3"};
    rf_case c;
    char err[512];
    CHECK(rf_golden_build(k, &spec, &c, err, sizeof err));

    uint8_t *img;
    size_t len;
    rfg_hash h;
    CHECK(rfg_encode(&c, &img, &len, &h, err, sizeof err));
    char path[512];
    snprintf(path, sizeof path, "%s/case.rfg", dir);
    rfg_hash h2;
    CHECK(rfg_write(path, &c, &h2, err, sizeof err));
    CHECK(h.hi == h2.hi && h.lo == h2.lo);

    rf_case back;
    rfg_hash h3;
    CHECK(rfg_read(path, &back, &h3, err, sizeof err));
    CHECK(h3.hi == h.hi && h3.lo == h.lo);
    CHECK(!strcmp(back.kernel, c.kernel) && !strcmp(back.name, c.name) && !strcmp(back.params, c.params));
    CHECK(back.narrays == c.narrays && back.work_dtype == c.work_dtype);
    for (unsigned i = 0; i < c.narrays && i < back.narrays; i++) {
        const rf_array *a = &c.arrays[i], *b = &back.arrays[i];
        CHECK(!strcmp(a->name, b->name) && a->dtype == b->dtype && a->count == b->count);
        CHECK(memcmp(a->data, b->data, (size_t)a->count * rf_dtype_size(a->dtype)) == 0);
    }
    rf_case_free(&back);

    /* truncation at every length: never accepted, never a crash */
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 37)) {
        char what[64];
        snprintf(what, sizeof what, "truncated to %zu bytes", cut);
        expect_rejected(path, img, cut, NULL, what);
    }
    expect_rejected(path, img, 0, "magic", "empty file");

    /* one flipped byte anywhere: header fields, array metadata, payload, file hash */
    uint8_t *bad = malloc(len);
    for (size_t pos = 0; pos < len; pos += (pos < 128 ? 1 : 97)) {
        memcpy(bad, img, len);
        bad[pos] ^= 0x20;
        char what[64];
        snprintf(what, sizeof what, "byte %zu flipped", pos);
        expect_rejected(path, bad, len, NULL, what);
    }
    /* the last byte is part of the file hash */
    memcpy(bad, img, len);
    bad[len - 1] ^= 1;
    expect_rejected(path, bad, len, "file hash", "file hash flipped");
    /* a payload byte: the array's own XXH3-64 catches it first */
    memcpy(bad, img, len);
    bad[len - 20] ^= 1;
    expect_rejected(path, bad, len, "payload", "payload flipped");
    /* wrong magic and wrong version */
    memcpy(bad, img, len);
    memcpy(bad, "RFG2", 4);
    expect_rejected(path, bad, len, "magic", "wrong magic");
    memcpy(bad, img, len);
    bad[4] = 7;
    expect_rejected(path, bad, len, "version", "wrong version");
    free(bad);

    rf_case missing;
    CHECK(!rfg_read("/nonexistent/dir/x.rfg", &missing, &h3, err, sizeof err));
    CHECK(strstr(err, "/nonexistent/dir/x.rfg") != NULL);
    free(img);
    rf_case_free(&c);
}

static void test_commands(const char *dir)
{
    char out[1 << 16], err[4096];
    /* generate one kernel into a fresh directory, then check it */
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "generate", "--golden", dir,
                         "--kernel", "fht_f32_batch", NULL);
    CHECKF(rc == 0, "generate: rc %d: %s", rc, err);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "check", "--golden", dir, "--kernel",
                     "fht_f32_batch", NULL);
    CHECKF(rc == 0, "check: rc %d: %s", rc, err);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--golden", dir, "--kernel",
                     "fht_f32_batch", "--isa", "all", NULL);
    CHECKF(rc == 0, "verify: rc %d: %s", rc, err);
    CHECK(strstr(out, "verify: ") != NULL && strstr(out, " 0 failed") != NULL);

    /* regenerating identical data changes nothing */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "generate", "--golden", dir,
                     "--kernel", "fht_f32_batch", NULL);
    CHECK(rc == 0 && strstr(out, " 0 changed") != NULL && strstr(err, "CHANGED") == NULL);

    /* damage one file: check and verify both refuse it with exit 2 */
    char path[600];
    snprintf(path, sizeof path, "%s/fht/fht_f32_batch.n8x5_random.rfg", dir);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 100, SEEK_SET);
        int ch = fgetc(f);
        fseek(f, 100, SEEK_SET);
        fputc(ch ^ 0x55, f);
        fclose(f);
    }
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "check", "--golden", dir, NULL);
    CHECKF(rc == 2, "check of a damaged file: rc %d", rc);
    CHECK(strstr(err, "n8x5_random.rfg") != NULL);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--golden", dir, "--kernel",
                     "fht_f32_batch", NULL);
    CHECKF(rc == 2 && rf_test_lines(err) == 1, "verify of a damaged file: rc %d, stderr: %s", rc, err);

    /* a MANIFEST hash that disagrees with the regenerated data is reported loudly */
    char mpath[600];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST", dir);
    f = fopen(mpath, "r+b");
    CHECK(f != NULL);
    if (f) {
        /* the first hash digit of the last line */
        fseek(f, -33, SEEK_END);
        int ch = fgetc(f);
        fseek(f, -33, SEEK_END);
        fputc(ch == '0' ? '1' : '0', f);
        fclose(f);
    }
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "generate", "--golden", dir,
                     "--kernel", "fht_f32_batch", NULL);
    CHECK(rc == 0 && strstr(err, "CHANGED") != NULL);

    /* a missing golden directory, and a malformed MANIFEST */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "check", "--golden",
                     "/nonexistent/golden", NULL);
    CHECK(rc == 2 && rf_test_lines(err) == 1);
    f = fopen(mpath, "a");
    if (f) {
        fputs("fht/x.rfg\tfht_f32\tno hash here\n", f);
        fclose(f);
    }
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "check", "--golden", dir, NULL);
    CHECK(rc == 2 && strstr(err, "MANIFEST") != NULL && rf_test_lines(err) == 1);

    /* a case no recipe produces any more is removed, file and MANIFEST line, loudly */
    char stale[700];
    snprintf(stale, sizeof stale, "%s/fht/fht_f32_batch.retired.rfg", dir);
    remove(mpath); /* the malformed line above: start this part from a fresh MANIFEST */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "generate", "--golden", dir,
                     "--kernel", "fht_f32_batch", NULL);
    CHECK(rc == 0);
    char src[700];
    snprintf(src, sizeof src, "%s/fht/fht_f32_batch.n8x5_random.rfg", dir);
    rf_case tmp;
    rfg_hash th;
    char why[512];
    if (rfg_read(src, &tmp, &th, why, sizeof why)) {
        CHECK(rfg_write(stale, &tmp, &th, why, sizeof why));
        rf_case_free(&tmp);
        f = fopen(mpath, "a");
        if (f) {
            char hex[33];
            rfg_hash_hex(th, hex);
            fprintf(f, "fht/fht_f32_batch.retired.rfg\tfht_f32_batch\t%s\t%s\n", tmp.params, hex);
            fclose(f);
        }
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "check", "--golden", dir, "--kernel",
                         "fht_f32_batch", NULL);
        CHECKF(rc == 0, "%s", err); /* listed and intact: check accepts it */
        /* a line of a kernel this binary does not know (another branch's, a family not wired
         * yet) is left alone by a generate whose --kernel does not name it */
        f = fopen(mpath, "a");
        if (f) {
            fprintf(f, "alien/alien_kernel.case.rfg\talien_kernel\tn=1\t00000000000000000000000000000000\n");
            fclose(f);
        }
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "generate", "--golden", dir,
                         "--kernel", "fht_f32_batch", NULL);
        CHECKF(rc == 0 && strstr(err, "REMOVED") && strstr(out, " 1 removed"), "rc %d: %s", rc, err);
        CHECKF(strstr(err, "alien") == NULL, "generate --kernel fht_f32_batch touched alien_kernel: %s", err);
        f = fopen(mpath, "r");
        if (f) {
            char line[1024];
            bool kept = false;
            while (fgets(line, sizeof line, f)) kept |= strstr(line, "alien_kernel") != NULL;
            fclose(f);
            CHECK(kept);
        }
        /* drop it again so the checks below see a clean MANIFEST */
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "generate", "--golden", dir,
                         "--kernel", "alien_kernel", NULL);
        CHECK(rc == 2); /* no kernel of that name: refused, nothing written */
        FILE *gone = fopen(stale, "rb");
        CHECK(gone == NULL);
        if (gone) fclose(gone);
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "check", "--golden", dir, "--kernel",
                         "fht_f32_batch", NULL);
        CHECKF(rc == 0, "%s", err);
    } else {
        CHECKF(false, "%s", why);
    }

    rc = rf_test_cli(out, sizeof out, err, sizeof err, "golden", "frobnicate", NULL);
    CHECK(rc == 2 && rf_test_lines(err) == 1);
}

/* The sum class at the bottom of the double range: an exact match passes whatever S is (a
 * subnormal S once made u*S round to 0 and 0/0 fail, found by the fuzzer on moe_q_hess_f64), an
 * error of a few subnormals passes as underflow, a relative error far above u*S still fails. */
static bool judge_sum(double want, double scale, double got)
{
    rf_kernel k;
    memset(&k, 0, sizeof k);
    k.name = "sum_probe";
    k.work_dtype = RF_DT_F64;
    k.tol.cls = RF_TOL_SUM;
    rf_case c, out;
    rf_case_init(&c, "sum_probe", "t", "terms=16");
    rf_case_init(&out, "sum_probe", "t", "terms=16");
    *(double *)rf_case_add1(&c, "want.y", RF_DT_F64, 1) = want;
    *(double *)rf_case_add1(&c, "scale.y", RF_DT_F64, 1) = scale;
    *(double *)rf_case_add1(&out, "y", RF_DT_F64, 1) = got;
    rf_verdict v;
    bool ok = rf_compare_case(&k, &c, &out, &v) && v.pass;
    rf_case_free(&c);
    rf_case_free(&out);
    return ok;
}

static void test_sum_class_underflow(void)
{
    CHECK(judge_sum(0.0, 1e-320, -0.0));
    CHECK(judge_sum(0.0, 0.0, 0.0));
    CHECK(judge_sum(1e-320, 2e-320, 1e-320 + 2 * DBL_TRUE_MIN));
    CHECK(!judge_sum(1e-300, 1e-300, 1.5e-300));
    CHECK(!judge_sum(1e-320, 1e-320, 1e-318));
    CHECK(judge_sum(1.0, 1.0, 1.0 + 1e-15));
    CHECK(!judge_sum(1.0, 1.0, 1.0 + 1e-12));
}

/* A per-output class (tol.<output>=<class>): hard decisions judged as `decision` next to the
 * `iterate` LLRs of the same case; a flip away from a tie fails, a flip at a near-tie passes while
 * rare, an unknown class is an error. */
static bool judge_mixed(uint8_t got_bit, float tie, const char *extra)
{
    rf_kernel k;
    memset(&k, 0, sizeof k);
    k.name = "mixed_probe";
    k.work_dtype = RF_DT_F32;
    k.tol.cls = RF_TOL_ITERATE;
    k.tol.tau = 1.0;
    char params[128];
    snprintf(params, sizeof params, "tol.hard=decision %s", extra);
    rf_case c, out;
    rf_case_init(&c, "mixed_probe", "t", params);
    rf_case_init(&out, "mixed_probe", "t", params);
    const uint64_t n = 20000; /* one near-tie flip is 0.5e-4 of the decisions: tolerated */
    float *wl = rf_case_add1(&c, "want.llr", RF_DT_F32, n), *sl = rf_case_add1(&c, "scale.llr", RF_DT_F32, n);
    uint8_t *wh = rf_case_add1(&c, "want.hard", RF_DT_U8, n);
    float *sh = rf_case_add1(&c, "scale.hard", RF_DT_F32, n), *th = rf_case_add1(&c, "tie.hard", RF_DT_F32, n);
    float *gl = rf_case_add1(&out, "llr", RF_DT_F32, n);
    uint8_t *gh = rf_case_add1(&out, "hard", RF_DT_U8, n);
    for (uint64_t i = 0; i < n; i++) {
        wl[i] = gl[i] = 1.0f;
        sl[i] = 1.0f;
        wh[i] = gh[i] = 0;
        sh[i] = 1e-2f * 16777216.0f; /* tau u S = 1e-2 with tau = 1, u = 2^-24 */
        th[i] = 1.0f;
    }
    th[7] = tie;
    gh[7] = got_bit;
    rf_verdict v;
    bool ok = rf_compare_case(&k, &c, &out, &v) && v.pass;
    rf_case_free(&c);
    rf_case_free(&out);
    return ok;
}

int main(void)
{
    test_sum_class_underflow();
    CHECK(judge_mixed(0, 1.0f, ""));
    CHECK(!judge_mixed(1, 1.0f, ""));
    CHECK(judge_mixed(1, 1e-3f, ""));
    CHECK(!judge_mixed(0, 1.0f, "tol.llr=frobnicate"));
    const char *dir = rf_test_tmpdir();
    char d1[300], d2[400];
    snprintf(d1, sizeof d1, "%s", dir);
    snprintf(d2, sizeof d2, "%s/generated", d1);
    test_roundtrip_and_damage(d1);
    test_commands(d2);
    return rf_test_summary("test_golden");
}
