/* The pMoE reference kernels against the authors' computation (../shared/pmoe-reference, or
 * $REFAST_PMOE_REFERENCE), through the checker of lib/pmoe/refcheck.h:
 *   - every folder is recognised and run, double within 1e-12 and float32 within 1e-5 (normwise
 *     relative), every selection exact; the table of measured errors is printed;
 *   - the checker can fail: a kernel set whose SGD step is off by one part in 10^9 fails the
 *     double check, and one whose top-l ignores the column-major rule fails the separate-training
 *     and tie selections;
 *   - damaged copies of the directory (truncated array, wrong size in MANIFEST.txt, unknown dtype,
 *     a path leaving the directory, NaN in an input, a missing required array) are one-line errors.
 * Without the reference data the test fails (exit 77, a skip, only with REFAST_ALLOW_MISSING_SHARED=1) when the reference directory is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pmoe/refcheck.h"
#include "testlib.h"

static const char *refdir(void)
{
    const char *env = getenv("REFAST_PMOE_REFERENCE");
    return env && *env ? env : "../shared/pmoe-reference";
}

static void print_report(const rf_pmoe_check_report *rep)
{
    printf("%-22s %-9s %-28s %-5s %12s %10s %s\n", "folder", "kind", "output", "dtype", "max rel err", "tol",
           "selections");
    for (size_t i = 0; i < rep->count; i++) {
        const rf_pmoe_check_row *r = &rep->rows[i];
        char sel[32] = "";
        if (r->sel_rows >= 0) snprintf(sel, sizeof sel, "%ld/%ld", r->sel_agree, r->sel_rows);
        printf("%-22s %-9s %-28s %-5s %12.3e %10.1e %s%s\n", r->folder, r->kind, r->output, r->dtype, r->max_rel,
               r->tol, sel, r->pass ? "" : "   FAIL");
    }
    for (size_t i = 0; i < rep->nskipped; i++) printf("skipped folder: %s\n", rep->skipped[i]);
}

/* The largest error per (folder, dtype), the numbers a report quotes. */
static void print_summary(const rf_pmoe_check_report *rep)
{
    printf("\nlargest max-rel error per folder:\n");
    for (size_t i = 0; i < rep->count; i++) {
        const rf_pmoe_check_row *r = &rep->rows[i];
        int first = 1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(rep->rows[j].folder, r->folder) && rep->rows[j].dtype == r->dtype) first = 0;
        if (!first) continue;
        double worst = 0;
        long rows = 0, agree = 0;
        for (size_t j = i; j < rep->count; j++) {
            const rf_pmoe_check_row *q = &rep->rows[j];
            if (strcmp(q->folder, r->folder) || q->dtype != r->dtype) continue;
            if (q->sel_rows >= 0) rows += q->sel_rows, agree += q->sel_agree;
            else worst = fmax(worst, q->max_rel);
        }
        printf("  %-22s %-5s %10.3e   selections %ld/%ld\n", r->folder, r->dtype, worst, agree, rows);
    }
}

/* ---- kernel sets that must fail ----------------------------------------------------------------- */

static void sgd_off_f64(double *w, const double *grad, size_t count, double lr)
{
    pmoe_sgd_f64_ref(w, grad, count, lr * (1 + 1e-9));
}

static void topl_rowonly_f64(const double *g, size_t rows, size_t n, size_t l, int tie, size_t grid_w,
                             int32_t *idx, double *margin)
{
    (void)tie;
    pmoe_topl_f64_ref(g, rows, n, l, RF_PMOE_TIE_ROW, grid_w, idx, margin);
}

static size_t failures_with(const rf_pmoe_ops *ops, const char *kind, const char *output)
{
    rf_pmoe_check_opts opt;
    rf_pmoe_check_defaults(&opt);
    opt.run_f32 = 0;
    rf_pmoe_check_report rep;
    char err[512];
    if (rf_pmoe_check_reference(refdir(), ops, &opt, &rep, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < rep.count; i++)
        if (!rep.rows[i].pass && (!kind || !strcmp(rep.rows[i].kind, kind)) &&
            (!output || strstr(rep.rows[i].output, output)))
            n++;
    rf_pmoe_check_report_free(&rep);
    return n;
}

/* ---- damaged copies ------------------------------------------------------------------------------ */

static int copy_file(const char *from, const char *to, long truncate_to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) {
        if (in) fclose(in);
        if (out) fclose(out);
        return -1;
    }
    char buf[65536];
    size_t got;
    long total = 0;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        if (truncate_to >= 0 && total + (long)got > truncate_to) got = (size_t)(truncate_to - total);
        fwrite(buf, 1, got, out);
        total += (long)got;
        if (truncate_to >= 0 && total >= truncate_to) break;
    }
    fclose(in);
    return fclose(out);
}

/* A copy of the cnn_m4 and data folders of the reference with MANIFEST.txt lines `manifest`. */
static const char *small_copy(const char *manifest)
{
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/ref%d", rf_test_tmpdir(), rand());
    mkdir(dir, 0700);
    static const char *const files[] = {"data/Xp.f64", "data/y_pm1.i32", "cnn_m4/W.f64", "cnn_m4/a.f64",
                                        "cnn_m4/f.f64"};
    char sub[600], from[600], to[600];
    snprintf(sub, sizeof sub, "%s/data", dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/cnn_m4", dir);
    mkdir(sub, 0700);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(from, sizeof from, "%s/%s", refdir(), files[i]);
        snprintf(to, sizeof to, "%s/%s", dir, files[i]);
        copy_file(from, to, -1);
    }
    snprintf(to, sizeof to, "%s/MANIFEST.txt", dir);
    FILE *f = fopen(to, "w");
    if (f) {
        fputs(manifest, f);
        fclose(f);
    }
    return dir;
}

static int check_dir(const char *dir, char *err, size_t errlen, rf_pmoe_check_report *rep)
{
    rf_pmoe_check_opts opt;
    rf_pmoe_check_defaults(&opt);
    return rf_pmoe_check_reference(dir, &rf_pmoe_ops_ref, &opt, rep, err, errlen);
}

static void expect_error(const char *dir, const char *needle)
{
    char err[512] = "";
    rf_pmoe_check_report rep;
    const int rc = check_dir(dir, err, sizeof err, &rep);
    CHECKF(rc == -1 && strstr(err, needle) && !strchr(err, '\n'), "expected an error containing '%s', got rc %d: %s",
           needle, rc, err);
    if (rc == 0) rf_pmoe_check_report_free(&rep);
}

static void test_damaged(void)
{
    char err[512], path[700];
    rf_pmoe_check_report rep;
    const char *good = small_copy("data/Xp.f64 <f8 8x16x784\ndata/y_pm1.i32 <i4 8\ncnn_m4/W.f64 <f8 4x784\n"
                                  "cnn_m4/a.f64 <f8 4\ncnn_m4/h.f64 <f8 8x16x4\ncnn_m4/f.f64 <f8 8\n");
    /* h listed, its file missing: an error naming it; without h, cnn_m4 is no recognisable model */
    expect_error(good, "h.f64");
    const char *good2 = small_copy("data/Xp.f64 <f8 8x16x784\ndata/y_pm1.i32 <i4 8\ncnn_m4/W.f64 <f8 4x784\n"
                                   "cnn_m4/a.f64 <f8 4\ncnn_m4/f.f64 <f8 8\n");
    CHECK(check_dir(good2, err, sizeof err, &rep) == 0);
    CHECK(rep.models == 0 && rep.nskipped == 1 && !strcmp(rep.skipped[0], "cnn_m4"));
    rf_pmoe_check_report_free(&rep);

    /* truncated array */
    const char *t = small_copy("data/Xp.f64 <f8 8x16x784\ndata/y_pm1.i32 <i4 8\n");
    snprintf(path, sizeof path, "%s/data/Xp.f64", t);
    char from[600];
    snprintf(from, sizeof from, "%s/data/Xp.f64", refdir());
    copy_file(from, path, 1000);
    expect_error(t, "truncated");
    /* wrong shape in the manifest */
    expect_error(small_copy("data/Xp.f64 <f8 8x16x785\ndata/y_pm1.i32 <i4 8\n"), "MANIFEST.txt gives");
    /* unknown dtype, bad shape, a path leaving the directory, an empty manifest, a missing manifest */
    expect_error(small_copy("data/Xp.f64 <f4 8x16x784\n"), "unknown dtype");
    expect_error(small_copy("data/Xp.f64 <f8 8x0x784\n"), "bad shape");
    expect_error(small_copy("../x.f64 <f8 8\n"), "stay inside");
    expect_error(small_copy("# nothing\n"), "no arrays");
    snprintf(path, sizeof path, "%s/does-not-exist", rf_test_tmpdir());
    expect_error(path, "MANIFEST.txt");
    /* NaN in an input */
    const char *nan_dir = small_copy("data/Xp.f64 <f8 8x16x784\ndata/y_pm1.i32 <i4 8\ncnn_m4/W.f64 <f8 4x784\n"
                                     "cnn_m4/a.f64 <f8 4\ncnn_m4/h.f64 <f8 8x16x4\n");
    snprintf(path, sizeof path, "%s/cnn_m4/h.f64", nan_dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        const double v[8 * 16 * 4] = {NAN};
        fwrite(v, sizeof v, 1, f);
        fclose(f);
    }
    expect_error(nan_dir, "not finite");
    /* a model folder without a data folder */
    expect_error(small_copy("cnn_m4/W.f64 <f8 4x784\ncnn_m4/a.f64 <f8 4\ncnn_m4/h.f64 <f8 8x16x4\n"), "data folder");
}

int main(void)
{
    struct stat st;
    char probe[600];
    snprintf(probe, sizeof probe, "%s/MANIFEST.txt", refdir());
    if (stat(probe, &st) != 0) {
        (void)rf_test_shared(probe, "test_pmoe_reference");
        return rf_test_failed ? rf_test_summary("test_pmoe_reference") : 77;
    }
    rf_pmoe_check_opts opt;
    rf_pmoe_check_defaults(&opt);
    rf_pmoe_check_report rep;
    char err[512];
    const int rc = rf_pmoe_check_reference(refdir(), &rf_pmoe_ops_ref, &opt, &rep, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    if (rc == 0) {
        print_report(&rep);
        print_summary(&rep);
        CHECKF(rf_pmoe_check_failures(&rep) == 0, "%zu outputs beyond tolerance", rf_pmoe_check_failures(&rep));
        /* every folder of the shipped reference is recognised: 10 model folders, nothing skipped */
        CHECKF(rep.models == 10 && rep.nskipped == 0, "%zu models run, %zu folders skipped", rep.models, rep.nskipped);
        size_t sel_rows = 0;
        for (size_t i = 0; i < rep.count; i++)
            if (rep.rows[i].sel_rows > 0) sel_rows += (size_t)rep.rows[i].sel_rows;
        CHECK(sel_rows > 0);
        rf_pmoe_check_report_free(&rep);
    }
    /* the same check at every usable level (the kernel set the dispatch gives it: its own fast
     * kernels where it has them, ref elsewhere) */
    rf_isa lv[RF_ISA_COUNT];
    const int nl = rf_test_levels(lv);
    for (int i = 0; i < nl; i++) {
        rf_pmoe_ops ops;
        CHECKF(rf_pmoe_ops_level(lv[i], &ops, err, sizeof err) == 0, "%s", err);
        if (rf_pmoe_check_reference(refdir(), &ops, &opt, &rep, err, sizeof err) != 0) {
            CHECKF(0, "%s: %s", rf_isa_name(lv[i]), err);
            continue;
        }
        CHECKF(rf_pmoe_check_failures(&rep) == 0 && rep.models == 10, "%s: %zu outputs beyond tolerance, %zu models",
               rf_isa_name(lv[i]), rf_pmoe_check_failures(&rep), rep.models);
        printf("level %-8s %zu outputs checked, %zu beyond tolerance\n", rf_isa_name(lv[i]), rep.count,
               rf_pmoe_check_failures(&rep));
        rf_pmoe_check_report_free(&rep);
    }

    rf_pmoe_ops bad = rf_pmoe_ops_ref;
    bad.name = "sgd off by 1e-9";
    bad.f64.sgd = sgd_off_f64;
    CHECKF(failures_with(&bad, NULL, "after") > 0, "a 1e-9 error in the SGD step went unnoticed");
    bad = rf_pmoe_ops_ref;
    bad.name = "row-major ties only";
    bad.f64.topl = topl_rowonly_f64;
    CHECKF(failures_with(&bad, "tie", "sep_sel_idx") > 0, "the column-major tie rule is not tested by tie/");
    bad.f64.topl = NULL;
    {
        rf_pmoe_check_report r2;
        CHECK(check_dir(refdir(), err, sizeof err, &r2) == 0);
        rf_pmoe_check_report_free(&r2);
        CHECK(rf_pmoe_check_reference(refdir(), &bad, &opt, &r2, err, sizeof err) == -1 && strstr(err, "topl"));
    }
    test_damaged();
    return rf_test_summary("test_pmoe_reference");
}
