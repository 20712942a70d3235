/* The simulation report without a browser (harness/report_sim.h, svg_plot.h; the rendering itself is
 * test_report_browser's):
 *   - reference curves: a CSV (header, comments, optional interval columns), a Markdown table in
 *     the layout of ko-reference/BER.md (U+2212 minus signs, "x [lo, hi]" cells, a row out of
 *     order, other tables and columns around it) and a refast sim JSON read on each axis;
 *   - bad inputs: one-line errors, exit 2, nothing written (no folder, no file);
 *   - a report: every chart file named in report.md exists, the HTML inlines as many charts, and
 *     the BER chart carries a series per input and reference;
 *   - the plot: a zero on a log axis draws no marker but its error bar, an empty plot says so;
 *   - the benchmark report's overview: each kernel's best speedup per level over its sizes and its
 *     best fraction of the level's peak, in the table and as bars of overview.svg. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "report_sim.h"
#include "svg_plot.h"
#include "testlib.h"

static char out[1 << 16], err[1 << 12];
#define CLI(...) rf_test_cli(out, sizeof out, err, sizeof err, __VA_ARGS__, NULL)

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool near(double a, double b)
{
    return fabs(a - b) <= 1e-12 * fabs(b);
}

static void test_csv_md(const char *dir)
{
    char csv[600], md[600], e[512];
    snprintf(csv, sizeof csv, "%s/r.csv", dir);
    snprintf(md, sizeof md, "%s/r.md", dir);
    write_file(csv, "# comment\nsnr_db, bler, ber, ber_lo, ber_hi\n2, 0.1, 0.01, 0.009, 0.011\n1,0.3,0.05,,\n");
    rf_curve *c = NULL;
    size_t n = 0;
    CHECKF(rf_curves_read_ref(csv, RF_AXIS_EBN0, &c, &n, e, sizeof e), "%s", e);
    CHECK(n == 1 && c[0].n == 2);
    if (n == 1 && c[0].n == 2) { /* sorted by x; missing cells NaN */
        CHECK(c[0].x[0] == 1 && c[0].x[1] == 2 && c[0].bler[0] == 0.3 && c[0].ber[1] == 0.01);
        CHECK(c[0].ber_lo[1] == 0.009 && c[0].ber_hi[1] == 0.011 && isnan(c[0].ber_lo[0]) && isnan(c[0].bler_lo[0]));
        CHECK(strstr(c[0].name, "r.csv") != NULL);
    }
    /* BER.md's layout: minus signs U+2212, an "extra" row last, a second table without an SNR column */
    write_file(md, "# t\n\n| Es/N0 dB | \xcf\x83 | Eb/N0 dB | frames | KO BER | KO BLER [95 %] | RM BER | RM BLER [95 %] |\n"
                   "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
                   "| \xe2\x88\x92" "6 | 1.41 | 2.4004 | 100000 | 1.3494e\xe2\x88\x92" "2 | 5.215e\xe2\x88\x92" "2 [5.08e\xe2\x88\x92"
                   "2, 5.35e\xe2\x88\x92" "2] | 4.0615e\xe2\x88\x92" "2 | 9.710e\xe2\x88\x92" "2 [9.53e\xe2\x88\x92" "2, 9.90e\xe2\x88\x92" "2] |\n"
                   "| \xe2\x88\x92" "7 (extra) | 1.58 | 1.4004 | 20000 | 6.1891e\xe2\x88\x92" "2 | 2.070e\xe2\x88\x92" "1 [2.01e\xe2\x88\x92"
                   "1, 2.13e\xe2\x88\x92" "1] | 1.2434e\xe2\x88\x92" "1 | 2.898e\xe2\x88\x92" "1 [2.84e\xe2\x88\x92" "1, 2.96e\xe2\x88\x92" "1] |\n"
                   "\n| setting | frames/s |\n| --- | --- |\n| 1 thread | 1000 |\n");
    CHECKF(rf_curves_read_ref(md, RF_AXIS_ESN0, &c, &n, e, sizeof e), "%s", e);
    CHECK(n == 3 && c[1].n == 2 && c[2].n == 2);
    if (n == 3 && c[1].n == 2) {
        CHECK(strstr(c[1].name, "KO") && strstr(c[2].name, "RM"));
        CHECK(c[1].x[0] == -7 && c[1].x[1] == -6 && near(c[1].ber[1], 1.3494e-2) && near(c[1].bler[0], 2.070e-1));
        CHECK(near(c[1].bler_lo[1], 5.08e-2) && near(c[1].bler_hi[1], 5.35e-2) && near(c[2].ber[0], 1.2434e-1));
    }
    /* the Eb/N0 axis takes the Eb/N0 column of the same table */
    CHECK(rf_curves_read_ref(md, RF_AXIS_EBN0, &c, &n, e, sizeof e) && n == 5 && near(c[3].x[1], 2.4004));
    /* no SNR column of that convention: an error naming the file */
    CHECK(!rf_curves_read_ref(md, RF_AXIS_SNR, &c, &n, e, sizeof e) && strstr(e, "r.md") && !strchr(e, '\n'));
    for (size_t i = 0; i < n; i++) rf_curve_free(&c[i]);
    free(c);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static size_t count(const char *hay, const char *needle)
{
    size_t k = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++) k++;
    return k;
}

static void test_cli(const char *dir)
{
    char a[600], b[600], csv[600], rep[600], bad[600], f[900];
    snprintf(a, sizeof a, "%s/a.json", dir);
    snprintf(b, sizeof b, "%s/b.json", dir);
    snprintf(csv, sizeof csv, "%s/r.csv", dir);
    snprintf(rep, sizeof rep, "%s/rep", dir);
    snprintf(bad, sizeof bad, "%s/bad.txt", dir);
    CHECK(CLI("sim", "--code", "rm:5:1", "--decoder", "map", "--esn0", "-4:2:2", "--max-frames", "5000",
              "--target-errors", "100", "--json", a) == 0);
    CHECK(CLI("sim", "--code", "rm:5:2", "--decoder", "dumer", "--ebn0", "0:4:2", "--max-frames", "5000",
              "--target-errors", "100", "--json", b) == 0);
    write_file(bad, "x");
    /* bad inputs: exit 2, one line, no report folder */
    const char *const *cases[] = {
        (const char *const[]){"report", "--sim", bad, "--out", rep, NULL},
        (const char *const[]){"report", "--sim", csv, "--out", rep, NULL},               /* not JSON */
        (const char *const[]){"report", "--sim", a, "--ref", bad, "--out", rep, NULL},   /* unknown extension */
        (const char *const[]){"report", "--sim", a, "--distances", a, "--out", rep, NULL}, /* not distances */
        (const char *const[]){"report", "--in", a, "--x", "snr", "--out", rep, NULL},     /* --x without --sim */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const *v = cases[i];
        size_t n = 0;
        while (v[n]) n++;
        const int rc = n == 5   ? CLI(v[0], v[1], v[2], v[3], v[4])
                       : n == 7 ? CLI(v[0], v[1], v[2], v[3], v[4], v[5], v[6])
                                : -1;
        CHECKF(rc == 2 && rf_test_lines(err) == 1 && !exists(rep), "report case %zu: rc %d, %s", i, rc, err);
    }
    /* a report on the Es/N0 axis, though b ran in Eb/N0 */
    int rc = CLI("report", "--sim", a, b, "--ref", csv, "--x", "esn0", "--out", rep);
    CHECKF(rc == 0, "report --sim: rc %d, %s", rc, err);
    uint8_t *md = NULL, *html = NULL, *svg = NULL;
    size_t len;
    char e[256];
    snprintf(f, sizeof f, "%s/report.md", rep);
    CHECK(rf_read_file(f, 1 << 24, &md, &len, e, sizeof e));
    snprintf(f, sizeof f, "%s/report.html", rep);
    CHECK(rf_read_file(f, 1 << 24, &html, &len, e, sizeof e));
    size_t charts = 0;
    for (const char *p = md ? (const char *)md : ""; (p = strstr(p, "](")); p += 2) { /* every figure's file */
        char name[200];
        if (sscanf(p + 2, "%199[^)]", name) != 1) continue;
        snprintf(f, sizeof f, "%s/%s", rep, name);
        CHECKF(exists(f), "report.md names %s, which is not there", name);
        charts++;
    }
    CHECK(charts == 3); /* ber, bler and rm:5:2 dumer's leaves (rm:5:1 map has one leaf: no chart) */
    CHECK(html && count((const char *)html, "class=\"rf-chart\"") == charts);
    snprintf(f, sizeof f, "%s/ber.svg", rep);
    CHECK(rf_read_file(f, 1 << 24, &svg, &len, e, sizeof e));
    CHECK(svg && count((const char *)svg, "class=\"rf-series\"") == 3 && strstr((char *)svg, "Es/N0 (dB)") &&
          count((const char *)svg, "class=\"rf-legend-item\"") == 3);
    free(md);
    free(html);
    free(svg);
}

static void test_plot(void)
{
    const double x[3] = {0, 1, 2}, y[3] = {1e-2, 1e-4, 0}, lo[3] = {5e-3, 5e-5, 0}, hi[3] = {2e-2, 2e-4, 3e-5};
    const rf_plot_series s = {"s", 0, 0, false, false, x, y, lo, hi, 3};
    const rf_plot p = {"t", NULL, "x", "y", true, &s, 1};
    rf_wbuf w = {0};
    rf_svg_plot(&w, &p);
    const char *t = rf_wbuf_text(&w);
    /* two markers (the zero has none), three error bars, decades 10^-5 .. 10^-1 */
    CHECK(count(t, "<circle") == 2 + 1 /* legend */ && count(t, "opacity=\"0.8\"") == 3);
    CHECK(strstr(t, ">-5</tspan>") && strstr(t, ">-1</tspan>") && !strstr(t, ">0</tspan>"));
    rf_wbuf_free(&w);
    const rf_plot empty = {"t", NULL, "x", "y", true, NULL, 0};
    rf_svg_plot(&w, &empty);
    CHECK(strstr(rf_wbuf_text(&w), "nothing to draw") != NULL);
    rf_wbuf_free(&w);
}

/* One benchmark row of Google Benchmark's JSON (one repetition: time in ns, FLOPS rate). */
static void bench_row(FILE *f, bool *first, const char *name, double ns, double flops)
{
    fprintf(f, "%s{\"name\":\"%s\",\"run_name\":\"%s\",\"run_type\":\"iteration\",\"repetitions\":1,"
               "\"repetition_index\":0,\"threads\":1,\"iterations\":100,\"real_time\":%g,\"cpu_time\":%g,"
               "\"time_unit\":\"ns\",\"items_per_second\":%g",
            *first ? "" : ",", name, name, ns, ns, 1e9 / ns);
    if (flops > 0) fprintf(f, ",\"FLOPS\":%g", flops);
    fputs("}", f);
    *first = false;
}

static void test_overview(const char *dir)
{
    char in[600], rep[600], f[900];
    snprintf(in, sizeof in, "%s/bench.json", dir);
    snprintf(rep, sizeof rep, "%s/brep", dir);
    FILE *fp = fopen(in, "w");
    if (!fp) return;
    bool first = true;
    fputs("{\"context\":{\"date\":\"x\",\"num_cpus\":2},\"benchmarks\":[", fp);
    /* k: best speedup 10x at n=2 (5x at n=1); at n=1 avx2 reaches 40% of its 100 GFLOP/s peak */
    bench_row(fp, &first, "k/scalar/n=1", 1000, 1e9);
    bench_row(fp, &first, "k/avx2/n=1", 200, 40e9);
    bench_row(fp, &first, "k/scalar/n=2", 1000, 0);
    bench_row(fp, &first, "k/avx2/n=2", 100, 0);
    bench_row(fp, &first, "j/scalar/n=1", 300, 0); /* j has no vector level */
    bench_row(fp, &first, "machine/fma_peak_avx2/-", 10, 100e9);
    fputs("]}\n", fp);
    fclose(fp);
    const int rc = CLI("report", "--in", in, "--out", rep);
    CHECKF(rc == 0, "report --in: rc %d, %s", rc, err);
    uint8_t *md = NULL, *svg = NULL;
    size_t len;
    char e[256];
    snprintf(f, sizeof f, "%s/report.md", rep);
    CHECK(rf_read_file(f, 1 << 24, &md, &len, e, sizeof e));
    const char *ov = md ? strstr((const char *)md, "## Overview") : NULL;
    const char *krow = ov ? strstr(ov, "| k |") : NULL, *jrow = ov ? strstr(ov, "| j |") : NULL;
    CHECKF(krow && !strncmp(krow, "| k | 10.00x | 40.0% |", 22), "overview row of k: %.60s", krow ? krow : "-");
    CHECKF(jrow && !strncmp(jrow, "| j | - | - |", 13), "overview row of j: %.40s", jrow ? jrow : "-");
    CHECK(ov && strstr((const char *)md, "## Inputs") > ov); /* at the top */
    snprintf(f, sizeof f, "%s/overview.svg", rep);
    CHECK(rf_read_file(f, 1 << 24, &svg, &len, e, sizeof e));
    CHECK(svg && strstr((char *)svg, ">10.0x<") && strstr((char *)svg, ">40.0%<") &&
          count((char *)svg, "class=\"rf-legend-item\"") == 1);
    free(md);
    free(svg);
}

int main(void)
{
    const char *dir = rf_test_tmpdir();
    test_csv_md(dir);
    test_cli(dir);
    test_plot();
    test_overview(dir);
    return rf_test_summary("test_report_sim");
}
