/* Tests of the performance side of the harness: the JSON reader, the statistics (Mann–Whitney U
 * against published and independently enumerated values), the Google Benchmark loader, `refast
 * gate` on synthetic runs with known shifts, and a `refast report` smoke test.
 *
 * Synthetic Google Benchmark files are written by this test with a fixed 64-bit LCG feeding
 * Box–Muller, so every run sees the same numbers. The commands run through rf_cli_main with
 * argv built here; their stdout/stderr go to files in a temporary directory that is removed at
 * the end (unless REFAST_TEST_KEEP is set, to look at them).
 */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchjson.h"
#include "cli.h"
#include "json.h"
#include "stats.h"
#include "testlib.h"

static char tmpdir[256];

/* ---- helpers -------------------------------------------------------------------------------- */

static uint64_t lcg_state;

static double lcg_uniform(void) /* (0, 1) */
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(lcg_state >> 11) + 0.5) / 9007199254740992.0;
}

static double lcg_gauss(void)
{
    double u1 = lcg_uniform(), u2 = lcg_uniform();
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
        len += got;
        if (len + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (buf) buf[len] = '\0';
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* Path of a file in the temporary directory; the same name always gives the same buffer. */
static const char *tpath(const char *name)
{
    static char names[64][64], paths[64][512];
    static int n;
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return paths[i];
    if (n == 64) return "/nonexistent/too-many-test-paths";
    snprintf(names[n], sizeof names[n], "%s", name);
    snprintf(paths[n], sizeof paths[n], "%s/%s", tmpdir, name);
    return paths[n++];
}

static char last_out[1 << 16], last_err[1 << 16];

/* Runs fn(argv) with stdout/stderr captured into last_out/last_err; returns its exit code. */
/* Runs `refast ARGS...` in-process (the first of args is the command). */
static int run(const char *const *args)
{
    char *argv[32] = {(char *)"refast"};
    int argc = 1;
    for (; args[argc - 1] && argc < 31; argc++) argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(tpath("stdout.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(tpath("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = rf_cli_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);
    char *o = read_all(tpath("stdout.txt")), *e = read_all(tpath("stderr.txt"));
    snprintf(last_out, sizeof last_out, "%s", o ? o : "");
    snprintf(last_err, sizeof last_err, "%s", e ? e : "");
    free(o);
    free(e);
    return rc;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (!lstat(p, &st) && S_ISDIR(st.st_mode)) remove_tree(p);
        else remove(p);
    }
    closedir(d);
    rmdir(dir);
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* ---- synthetic Google Benchmark files ------------------------------------------------------- */

typedef struct synth {
    const char *name;
    double ns;      /* centre of the per-repetition times */
    double noise;   /* relative standard deviation */
    int reps;
    double flops;   /* per call, 0 = no FLOPS counter */
    double bytes;   /* per call */
    double fixed_flops_rate; /* machine rows: counter FLOPS written as is */
    double fixed_bytes_rate;
} synth;

/* Writes rows like GB 1.7 does with ->Repetitions(R): names carry "/repeats:R", every repetition
 * is an iteration row, followed by mean/median/stddev/cv aggregates. The aggregates here are
 * deliberately wrong (1 s) so that a loader using them instead of the repetitions is caught. */
static const char *synth_machine_class = "x86-64-v4";

static void write_gb(const char *path, const synth *rows, size_t n, uint64_t seed)
{
    lcg_state = seed;
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "{\n  \"context\": {\n    \"date\": \"2025-01-01T00:00:00+00:00\",\n    \"host_name\": \"synthetic\",\n"
               "    \"num_cpus\": 2,\n    \"mhz_per_cpu\": 2600,\n    \"cpu_scaling_enabled\": false,\n"
               "    \"caches\": [{\"type\": \"Data\", \"level\": 1, \"size\": 32768, \"num_sharing\": 1}],\n"
               "    \"load_avg\": [0.5,0.1,0.0],\n    \"library_build_type\": \"release\",\n"
               "    \"refast_machine_class\": \"%s\"\n  },\n  \"benchmarks\": [\n", synth_machine_class);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const synth *r = &rows[i];
        char rn[256];
        snprintf(rn, sizeof rn, "%s/repeats:%d", r->name, r->reps);
        for (int k = 0; k < r->reps + 4; k++) {
            bool agg = k >= r->reps;
            double t = agg ? 1e9 : r->ns * (1 + r->noise * lcg_gauss());
            double flops = r->fixed_flops_rate ? r->fixed_flops_rate : r->flops / (t * 1e-9);
            double bps = r->fixed_bytes_rate ? r->fixed_bytes_rate : r->bytes / (t * 1e-9);
            static const char *const aggs[] = {"mean", "median", "stddev", "cv"};
            fprintf(f, "%s    {\n      \"name\": \"%s%s%s\",\n      \"family_index\": %zu,\n", first ? "" : ",\n", rn,
                    agg ? "_" : "", agg ? aggs[k - r->reps] : "", i);
            fprintf(f, "      \"per_family_instance_index\": 0,\n      \"run_name\": \"%s\",\n", rn);
            if (agg)
                fprintf(f, "      \"run_type\": \"aggregate\",\n      \"repetitions\": %d,\n      \"threads\": 1,\n"
                           "      \"aggregate_name\": \"%s\",\n      \"aggregate_unit\": \"time\",\n",
                        r->reps, aggs[k - r->reps]);
            else
                fprintf(f, "      \"run_type\": \"iteration\",\n      \"repetitions\": %d,\n"
                           "      \"repetition_index\": %d,\n      \"threads\": 1,\n",
                        r->reps, k);
            /* Times in us for half of the rows, to exercise the unit conversion. */
            bool us = i % 2 == 1;
            fprintf(f, "      \"iterations\": 1000,\n      \"real_time\": %.17e,\n      \"cpu_time\": %.17e,\n"
                       "      \"time_unit\": \"%s\",\n      \"items_per_second\": %.17e",
                    us ? t / 1e3 : t, us ? t / 1e3 : t, us ? "us" : "ns", 1e9 / t);
            if (r->flops || r->fixed_flops_rate) fprintf(f, ",\n      \"FLOPS\": %.17e", flops);
            if (r->bytes || r->fixed_bytes_rate) fprintf(f, ",\n      \"bytes_per_second\": %.17e", bps);
            fprintf(f, ",\n      \"label\": \"kernel=x unit=transforms\"\n    }");
            first = false;
        }
    }
    fprintf(f, "\n  ]\n}\n");
    fclose(f);
}

/* The standard synthetic suite: kernel fht_f32 at scalar/avx2/avx512 (+ autovec peer) at two
 * sizes, plus machine rows. scale[j] multiplies row j's time. */
enum { NROWS = 9 };
static void suite(synth rows[NROWS], double noise, int reps, const double scale[NROWS])
{
    static const struct {
        const char *name;
        double ns;
    } base[NROWS] = {
        {"fht_f32/scalar/log2n=10", 8000},         {"fht_f32/avx2/log2n=10", 1100},
        {"fht_f32/avx512/log2n=10", 700},          {"fht_f32/autovec_avx2/log2n=10", 3000},
        {"fht_f32/scalar/log2n=16", 900000},       {"fht_f32/avx2/log2n=16", 150000},
        {"fht_f32/avx512/log2n=16", 110000},       {"machine/fma_peak_avx512/-", 50000},
        {"machine/triad/-", 200000},
    };
    for (int j = 0; j < NROWS; j++) {
        rows[j] = (synth){base[j].name, base[j].ns * (scale ? scale[j] : 1), noise, reps, 0, 0, 0, 0};
        if (j < 7) {
            double n = j < 4 ? 1024 : 65536, log2n = j < 4 ? 10 : 16;
            rows[j].flops = n * log2n;
            rows[j].bytes = 8 * n;
        }
    }
    rows[7].fixed_flops_rate = 100e9;
    rows[8].fixed_bytes_rate = 20e9;
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static rf_json *parse(const char *s, char *err, size_t errlen) { return rf_json_parse(s, strlen(s), err, errlen); }

static void expect_error(const char *text, const char *fragment)
{
    char err[256] = "";
    rf_json *v = parse(text, err, sizeof err);
    CHECKF(!v, "accepted %s", text);
    CHECKF(strstr(err, fragment) != NULL, "input %s: error '%s' lacks '%s'", text, err, fragment);
    rf_json_free(v);
}

static void test_json(void)
{
    char err[256];
    const char *doc = "{\"a\": [1, -2.5e3, true, false, null, \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\"],\n"
                      " \"u\": \"\\u00e9\\ud83d\\ude00\", \"z\": \"a\\u0000b\", \"a\": 7, \"nan\": NaN, "
                      "\"inf\": -Infinity, \"e\": {}, \"f\": []}";
    rf_json *v = parse(doc, err, sizeof err);
    CHECKF(v != NULL, "%s", err);
    if (v) {
        const rf_json *a = &v->items[0];
        CHECK(v->type == RF_JSON_OBJECT && v->count == 8);
        CHECK(a->type == RF_JSON_ARRAY && a->count == 6);
        CHECK(a->items[0].number == 1 && a->items[1].number == -2500);
        CHECK(a->items[2].type == RF_JSON_BOOL && a->items[2].boolean && !a->items[3].boolean);
        CHECK(a->items[4].type == RF_JSON_NULL);
        CHECK(!strcmp(a->items[5].str, "x\"\\/\b\f\n\r\t"));
        CHECK(!strcmp(rf_json_get_string(v, "u"), "\xC3\xA9\xF0\x9F\x98\x80"));
        const rf_json *z = rf_json_get(v, "z");
        CHECK(z && z->len == 3 && z->str[1] == '\0' && z->str[2] == 'b');
        double num = 0;
        CHECK(rf_json_get_number(v, "a", &num) && num == 7); /* last duplicate wins */
        CHECK(rf_json_get_number(v, "nan", &num) && isnan(num));
        CHECK(rf_json_get_number(v, "inf", &num) && isinf(num) && num < 0);
        CHECK(rf_json_get(v, "e")->type == RF_JSON_OBJECT && rf_json_get(v, "f")->count == 0);
        CHECK(rf_json_get(v, "u")->line == 2);
    }
    rf_json_free(v);

    /* Every strict prefix of an object document is malformed, and reported without a crash. */
    size_t len = strlen(doc), bad = 0;
    for (size_t k = 0; k < len; k++) {
        rf_json *p = rf_json_parse(doc, k, err, sizeof err);
        if (p) bad++;
        rf_json_free(p);
    }
    CHECKF(bad == 0, "%zu truncations parsed", bad);

    expect_error("{\"a\": 1,\n  \"b\" 2}", "line 2, column 7: unexpected '2', expected ':'");
    expect_error("[1, 2", "line 1, column 6: unexpected end of input");
    expect_error("", "empty input");
    expect_error("  \n ", "empty input");
    expect_error("{} x", "after the JSON value");
    expect_error("01", "leading zero");
    expect_error("-", "expected a digit");
    expect_error("1.", "expected a digit after '.'");
    expect_error("1e+", "exponent");
    expect_error("1e400", "out of range");
    expect_error("\"abc", "unterminated string");
    expect_error("\"a\x01\"", "raw control character");
    expect_error("\"\xC3\x28\"", "invalid UTF-8");
    expect_error("\"\xED\xA0\x80\"", "invalid UTF-8"); /* an encoded surrogate */
    expect_error("\"\\udc00\"", "unpaired low surrogate");
    expect_error("\"\\ud800x\"", "not followed by a low surrogate");
    expect_error("\"\\u12G4\"", "invalid hex digit");
    expect_error("\"\\x\"", "invalid escape");
    expect_error("{\"a\" : 1,}", "expected a string");
    expect_error("[1 2]", "expected ',' or ']'");
    expect_error("tru", "unexpected 't'");
    rf_json *nul = rf_json_parse("\0", 1, err, sizeof err);
    CHECKF(!nul && strstr(err, "unexpected byte 0x00"), "%s", err);

    double num;
    v = parse("[1e-400, 1.7976931348623157e308]", err, sizeof err);
    CHECKF(v && v->items[0].number == 0 && v->items[1].number > 1e308, "%s", err);
    rf_json_free(v);
    (void)num;

    /* A 300-digit integer is a double; 10000 digits overflow: an error, not a crash. */
    char big[10010];
    memset(big, '9', 300);
    big[300] = '\0';
    v = parse(big, err, sizeof err);
    CHECKF(v && v->number > 9.9e299, "%s", err);
    rf_json_free(v);
    memset(big, '9', 10000);
    big[10000] = '\0';
    expect_error(big, "out of range");

    /* Nesting: RF_JSON_MAX_DEPTH levels parse, one more is refused, 100000 do not blow the stack. */
    static char deep[200002];
    for (int d = RF_JSON_MAX_DEPTH; d <= RF_JSON_MAX_DEPTH + 1; d++) {
        memset(deep, '[', (size_t)d);
        memset(deep + d, ']', (size_t)d);
        deep[2 * d] = '\0';
        v = parse(deep, err, sizeof err);
        CHECKF((v != NULL) == (d == RF_JSON_MAX_DEPTH), "depth %d: %s", d, v ? "ok" : err);
        rf_json_free(v);
    }
    memset(deep, '[', 100000);
    deep[100000] = '\0';
    expect_error(deep, "nesting deeper than");

    /* Binary garbage, and garbage spliced into a valid document: errors, never crashes. */
    lcg_state = 12345;
    char junk[512];
    size_t accepted = 0;
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(lcg_uniform() * sizeof junk);
        for (size_t k = 0; k < n; k++) junk[k] = (char)(lcg_uniform() * 256);
        if (round % 2) { /* mutate the valid document instead */
            n = len < sizeof junk ? len : sizeof junk;
            memcpy(junk, doc, n);
            junk[(size_t)(lcg_uniform() * n)] = (char)(lcg_uniform() * 256);
        }
        rf_json *g = rf_json_parse(junk, n, err, sizeof err);
        if (g) accepted++;
        else CHECKF(strstr(err, "line ") == err, "error without position: %s", err);
        rf_json_free(g);
    }
    CHECK(accepted < 2000);

    /* Files: a missing one and a directory name the path. */
    v = rf_json_parse_file(tpath("does-not-exist.json"), err, sizeof err);
    CHECKF(!v && strstr(err, "does-not-exist.json: cannot open"), "%s", err);
    write_text(tpath("bad.json"), "{\n \"benchmarks\": [\n  {\"name\": 1,,}\n ]\n}\n");
    v = rf_json_parse_file(tpath("bad.json"), err, sizeof err);
    CHECKF(!v && strstr(err, "bad.json:3:14: malformed JSON"), "%s", err);
}

/* ---- statistics ----------------------------------------------------------------------------- */

static bool close_rel(double a, double b, double rel) { return fabs(a - b) <= rel * fabs(b); }

static void test_stats(void)
{
    const double a3[] = {3, 1, 2}, a4[] = {4, 1, 3, 2}, a8[] = {2, 4, 4, 4, 5, 5, 7, 9};
    CHECK(rf_stat_median(a3, 3) == 2);
    CHECK(rf_stat_median(a4, 4) == 2.5);
    CHECK(rf_stat_quantile(a4, 4, 0.25) == 1.75); /* type 7: h = 0.75 */
    CHECK(rf_stat_quantile(a4, 4, 0) == 1 && rf_stat_quantile(a4, 4, 1) == 4);
    CHECK(rf_stat_mean(a8, 8) == 5);
    CHECK(close_rel(rf_stat_stddev(a8, 8), sqrt(32.0 / 7.0), 1e-15));
    CHECK(isnan(rf_stat_median(a8, 0)) && rf_stat_stddev(a8, 1) == 0);
    CHECK(a4[0] == 4); /* inputs untouched */

    /* Benjamini-Hochberg against R's p.adjust(c(0.01, 0.04, 0.03, 0.005, NA), "BH"): sorted
     * 0.005, 0.01, 0.03, 0.04 give 0.02, 0.02, 0.04, 0.04 (the running minimum from the top);
     * the NaN is not a test and does not count in m. */
    const double pv[] = {0.01, 0.04, 0.03, 0.005, NAN};
    double qv[5];
    CHECK(rf_bh_qvalues(pv, 5, qv));
    CHECKF(close_rel(qv[0], 0.02, 1e-12) && close_rel(qv[1], 0.04, 1e-12) && close_rel(qv[2], 0.04, 1e-12) &&
               close_rel(qv[3], 0.02, 1e-12) && isnan(qv[4]),
           "%g %g %g %g %g", qv[0], qv[1], qv[2], qv[3], qv[4]);
    const double pm[] = {0.9, 0.8}; /* never above 1, monotone */
    CHECK(rf_bh_qvalues(pm, 2, qv) && qv[0] == 0.9 && qv[1] == 0.9);
    /* Normal quantiles (R's qnorm) and the other helpers. */
    CHECK(close_rel(rf_norm_quantile(0.975), 1.959963984540054, 1e-12));
    CHECK(close_rel(rf_norm_quantile(0.8), 0.8416212335729143, 1e-12));
    CHECK(close_rel(rf_norm_quantile(1e-10), -6.361340902404056, 1e-10));
    CHECK(close_rel(rf_norm_quantile(1 - 1e-6), 4.753424308822899, 1e-10));
    CHECK(isnan(rf_norm_quantile(0)) && isnan(rf_norm_quantile(1)));
    const double g[] = {1, 4, -1, NAN};
    CHECK(close_rel(rf_stat_geomean(g, 4), 2, 1e-15)); /* over the positive finite values */
    const double r5[] = {10, 11, 9, 10, 100}; /* median 10, MAD 1: 0.14826, the outlier ignored */
    CHECK(close_rel(rf_stat_robust_cv(r5, 5), 0.14826, 1e-12));

    /* Fully separated samples of 10 and 10: U = 0, exact two-sided p = 2 / C(20, 10). */
    double x[20], y[20];
    for (int i = 0; i < 10; i++) x[i] = i, y[i] = 10 + i;
    rf_mwu t;
    CHECK(rf_mann_whitney(x, 10, y, 10, &t));
    CHECK(t.exact && !t.ties && t.u1 == 0 && t.u2 == 100);
    CHECKF(close_rel(t.p, 2.0 / 184756.0, 1e-12), "p = %.17g", t.p);
    /* The normal approximation of the same U: z = 49.5 / sqrt(175) (value from Python's math.erfc). */
    CHECKF(close_rel(rf_mwu_normal_p(0, 10, 10, 0), 0.0001826717911095504, 1e-12), "p = %.17g",
           rf_mwu_normal_p(0, 10, 10, 0));

    /* SciPy's documented example (mannwhitneyu docs): males vs females, U1 = 17; exact p = 1/9,
     * asymptotic with continuity correction p = 0.11134688653314041. */
    const double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
    CHECK(rf_mann_whitney(males, 5, females, 4, &t));
    CHECK(t.u1 == 17 && t.u2 == 3 && t.exact);
    CHECKF(close_rel(t.p, 1.0 / 9.0, 1e-12), "p = %.17g", t.p);
    CHECKF(close_rel(rf_mwu_normal_p(17, 5, 4, 0), 0.11134688653314041, 1e-12), "p = %.17g",
           rf_mwu_normal_p(17, 5, 4, 0));
    /* Symmetry: swapping the samples swaps U1/U2, keeps p. */
    rf_mwu t2;
    CHECK(rf_mann_whitney(females, 4, males, 5, &t2));
    CHECK(t2.u1 == 3 && t2.p == t.p);

    /* Exact p by brute-force enumeration of all C(n1+n2, n1) rankings (done in Python):
     * {1.1,...} vs {2.5,...}: U1 = 3, p = 2 * 5/462 = 1/33; U = 3 for sizes 4, 5: p = 1/9. */
    const double m1[] = {1.1, 2.2, 3.3, 4.4, 5.5}, m2[] = {2.5, 6.1, 7.2, 8.3, 9.4, 10.5};
    CHECK(rf_mann_whitney(m1, 5, m2, 6, &t) && t.u1 == 3);
    CHECKF(close_rel(t.p, 1.0 / 33.0, 1e-12), "p = %.17g", t.p);
    CHECK(close_rel(rf_mwu_exact_p(3, 4, 5), 1.0 / 9.0, 1e-12));
    CHECK(rf_mwu_exact_p(10, 4, 5) == 1); /* the centre of the distribution */
    CHECK(isnan(rf_mwu_exact_p(3, RF_MWU_EXACT_MAX + 1, 5)));

    /* Ties: {1,2,2,3} vs {2,3,3,4}: mid-ranks give U1 = 3, tie term 6 + 24 = 30 (groups of 3),
     * normal approximation p = 0.17203370892182296 (Python, same formula, independent code). */
    const double t1[] = {1, 2, 2, 3}, t2v[] = {2, 3, 3, 4};
    CHECK(rf_mann_whitney(t1, 4, t2v, 4, &t));
    CHECK(t.ties && !t.exact && t.u1 == 3);
    CHECKF(close_rel(t.p, 0.17203370892182296, 1e-12), "p = %.17g", t.p);
    const double same[] = {5, 5, 5};
    CHECK(rf_mann_whitney(same, 3, same, 3, &t) && t.p == 1);
    CHECK(rf_mann_whitney(same, 0, same, 3, &t) && t.p == 1);

    /* 20 vs 20 shifted by 3.5: U1 = 136; exact p = 0.08591401998569383 (Python, the same
     * recursion in exact integers, whose counts sum to C(40,20)); the normal route agrees within
     * 1% here (it is off by ~25% further in the tail, near p = 0.003). */
    for (int i = 0; i < 20; i++) x[i] = i, y[i] = i + 3.5;
    CHECK(rf_mann_whitney(x, 20, y, 20, &t) && t.exact && t.u1 == 136);
    CHECKF(close_rel(t.p, 0.08591401998569383, 1e-12), "p = %.17g", t.p);
    double pn = rf_mwu_normal_p(t.u1, 20, 20, 0);
    CHECKF(fabs(t.p - pn) < 0.01 * pn, "exact %g normal %g", t.p, pn);

    /* Bootstrap test of a ratio of medians (speedups). */
    double br[10], bx[10], cr[10], cx[10];
    lcg_state = 77;
    for (int i = 0; i < 10; i++) {
        br[i] = 100 * (1 + 0.01 * lcg_gauss());
        bx[i] = 10 * (1 + 0.01 * lcg_gauss());
        cr[i] = 100 * (1 + 0.01 * lcg_gauss());
        cx[i] = 11.2 * (1 + 0.01 * lcg_gauss()); /* the speedup fell by 11% */
    }
    double pb = rf_boot_ratio_p(br, 10, bx, 10, cr, 10, cx, 10, 2000, 1);
    CHECKF(pb == 2.0 / 2001.0, "p = %g", pb); /* every resample is on the same side */
    CHECK(rf_boot_ratio_p(br, 10, bx, 10, cr, 10, cx, 10, 2000, 1) == pb); /* reproducible */
    pb = rf_boot_ratio_p(br, 10, bx, 10, br, 10, bx, 10, 2000, 1); /* no change at all */
    CHECKF(pb > 0.5, "p = %g", pb);
    /* The same 11% fall, but scalar (the numerator) with 30% noise: the fall is within what that
     * noise can produce, although a rank test on the impl alone is as sure as it can be. */
    lcg_state = 78;
    for (int i = 0; i < 10; i++) br[i] = 100 * (1 + 0.3 * lcg_gauss()), cr[i] = 100 * (1 + 0.3 * lcg_gauss());
    pb = rf_boot_ratio_p(br, 10, bx, 10, cr, 10, cx, 10, 2000, 1);
    CHECK(rf_mann_whitney(cx, 10, bx, 10, &t) && t.p < 1.1e-5);
    CHECKF(pb > 0.05, "p = %g", pb);
    CHECK(isnan(rf_boot_ratio_p(br, 0, bx, 10, cr, 10, cx, 10, 2000, 1)));

    CHECK(close_rel(rf_mwu_min_p(3, 3), 0.1, 1e-12));
    CHECK(close_rel(rf_mwu_min_p(4, 4), 2.0 / 70.0, 1e-12));
    CHECK(rf_mwu_min_p(1, 1) == 1);
}

/* ---- Google Benchmark loader ---------------------------------------------------------------- */

static void test_benchjson(void)
{
    char err[512];
    synth rows[NROWS];
    suite(rows, 0.01, 5, NULL);
    write_gb(tpath("load.json"), rows, NROWS, 1);
    rf_bench_file f;
    CHECKF(rf_bench_load(tpath("load.json"), &f, err, sizeof err), "%s", err);
    CHECK(f.n == NROWS);
    const rf_bench *b = rf_bench_find(&f, "fht_f32/avx2/log2n=10"); /* "/repeats:5" removed */
    CHECK(b && b->n == 5 && !b->aggregate_only);
    if (b) {
        /* us rows converted to ns; aggregates (1 s) ignored. */
        double med = rf_bench_median_ns(b);
        CHECKF(med > 1000 && med < 1200, "median %g", med);
        CHECK(!strcmp(b->label, "kernel=x unit=transforms"));
        double ips = rf_bench_counter_median(b, "items_per_second");
        CHECKF(close_rel(ips, 1e9 / med, 0.03), "items/s %g", ips);
        CHECK(isfinite(rf_bench_counter_median(b, "FLOPS")));
        CHECK(isnan(rf_bench_counter_median(b, "no_such_counter")));
    }
    b = rf_bench_find(&f, "machine/fma_peak_avx512/-");
    CHECK(b && rf_bench_counter_median(b, "FLOPS") == 100e9);
    CHECK(f.context && !strcmp(rf_json_get_string(f.context, "refast_machine_class"), "x86-64-v4"));
    rf_bench_free(&f);

    /* Aggregates only (report_aggregates_only): the median row is the one sample. Error rows are
     * skipped. A lone row without run_type (older GB) is one sample. */
    write_text(tpath("agg.json"),
               "{\"benchmarks\": [{\"name\": \"k/scalar/n=1_mean\", \"run_name\": \"k/scalar/n=1\", "
               "\"run_type\": \"aggregate\", \"aggregate_name\": \"mean\", \"real_time\": 5, \"time_unit\": \"ms\"},"
               "{\"name\": \"k/scalar/n=1_median\", \"run_name\": \"k/scalar/n=1\", \"run_type\": \"aggregate\", "
               "\"aggregate_name\": \"median\", \"real_time\": 4, \"time_unit\": \"ms\"},"
               "{\"name\": \"k/scalar/n=1_stddev\", \"run_name\": \"k/scalar/n=1\", \"run_type\": \"aggregate\", "
               "\"aggregate_name\": \"stddev\", \"real_time\": 0, \"time_unit\": \"ms\"},"
               "{\"name\": \"k/avx2/n=1\", \"real_time\": 2, \"time_unit\": \"s\", \"extra\": {\"x\": [1]}},"
               "{\"name\": \"k/avx512/n=1\", \"error_occurred\": true, \"error_message\": \"boom\"}]}");
    CHECKF(rf_bench_load(tpath("agg.json"), &f, err, sizeof err), "%s", err);
    CHECK(f.n == 2 && f.error_rows == 1 && !f.context);
    b = rf_bench_find(&f, "k/scalar/n=1");
    CHECK(b && b->aggregate_only && b->n == 1 && b->real_ns[0] == 4e6);
    b = rf_bench_find(&f, "k/avx2/n=1");
    CHECK(b && b->n == 1 && b->real_ns[0] == 2e9);
    rf_bench_free(&f);

    /* Rates are per CPU time unless the name says real_time: both rows do 1 item per call. */
    write_text(tpath("rates.json"),
               "{\"benchmarks\": [{\"name\": \"k/scalar/n=1\", \"real_time\": 200, \"cpu_time\": 100, "
               "\"items_per_second\": 1e7},"
               "{\"name\": \"k/avx2/n=1/real_time\", \"real_time\": 200, \"cpu_time\": 100, "
               "\"items_per_second\": 5e6}]}");
    CHECKF(rf_bench_load(tpath("rates.json"), &f, err, sizeof err), "%s", err);
    if (f.n == 2) {
        CHECK(!f.b[0].rates_real && f.b[1].rates_real && !strcmp(f.b[1].name, "k/avx2/n=1"));
        CHECK(close_rel(rf_bench_per_call(&f.b[0], "items_per_second"), 1, 1e-12));
        CHECK(close_rel(rf_bench_per_call(&f.b[1], "items_per_second"), 1, 1e-12));
        CHECK(isnan(rf_bench_per_call(&f.b[0], "FLOPS")));
    }
    rf_bench_free(&f);

    static const struct {
        const char *text, *fragment;
    } bad[] = {
        {"[1, 2]", "top-level array"},
        {"{\"context\": {}}", "no \"benchmarks\" array"},
        {"{\"benchmarks\": [3]}", "benchmarks[0] (line 1): expected an object, got number"},
        {"{\"benchmarks\": [{\"real_time\": 1}]}", "missing \"name\""},
        {"{\"benchmarks\": [{\"name\": \"a/b/c\"}]}", "benchmarks[0] (a/b/c): missing or non-numeric \"real_time\""},
        {"{\"benchmarks\": [{\"name\": \"a/b/c\", \"real_time\": \"1\"}]}", "non-numeric"},
        {"{\"benchmarks\": [{\"name\": \"a/b/c\", \"real_time\": NaN}]}", "not a positive finite number"},
        {"{\"benchmarks\": [{\"name\": \"a/b/c\", \"real_time\": -1}]}", "not a positive finite number"},
        {"{\"benchmarks\": [{\"name\": \"a/b/c\", \"real_time\": 1, \"time_unit\": \"min\"}]}", "unknown time_unit"},
        {"{\"benchmarks\": [{\"name\": \"a/b/c\", \"real_time\": 1, \"run_type\": \"x\"}]}", "unknown run_type"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(tpath("bad.json"), bad[i].text);
        bool ok = rf_bench_load(tpath("bad.json"), &f, err, sizeof err);
        CHECKF(!ok && strstr(err, "bad.json: ") && strstr(err, bad[i].fragment), "%s -> %s", bad[i].text,
               ok ? "accepted" : err);
        if (ok) rf_bench_free(&f);
    }

    rf_bench_name nm;
    CHECK(rf_bench_name_parse("fht_f32_batch/avx2/log2n=8,count=64", &nm) && !strcmp(nm.kernel, "fht_f32_batch") &&
          !strcmp(nm.impl, "avx2") && !strcmp(nm.size, "log2n=8,count=64"));
    CHECK(rf_bench_name_parse("machine/triad/-", &nm) && !strcmp(nm.impl, "triad") && !strcmp(nm.size, "-"));
    CHECK(!rf_bench_name_parse("a/b", &nm) && !rf_bench_name_parse("a//c", &nm) && !rf_bench_name_parse("a/b/", &nm));
    char *s = rf_bench_name_normalise("fht_f32/avx2/log2n=10/min_time:0.010/repeats:3");
    CHECK(s && !strcmp(s, "fht_f32/avx2/log2n=10"));
    free(s);
    s = rf_bench_name_normalise("machine/triad/-/real_time/threads:1");
    CHECK(s && !strcmp(s, "machine/triad/-"));
    free(s);
    char lv[32];
    rf_fmt_time(999.99, lv, sizeof lv);
    CHECKF(!strcmp(lv, "1 us"), "%s", lv);
    rf_fmt_time(812.34, lv, sizeof lv);
    CHECKF(!strcmp(lv, "812.3 ns"), "%s", lv);
    rf_fmt_si(999999.99, lv, sizeof lv);
    CHECKF(!strcmp(lv, "1M"), "%s", lv);
    rf_fmt_si(1234.5, lv, sizeof lv);
    CHECKF(!strcmp(lv, "1.234k") || !strcmp(lv, "1.235k"), "%s", lv);
    CHECK(rf_bench_row_kind("scalar", lv, sizeof lv) == RF_ROW_SCALAR);
    CHECK(rf_bench_row_kind("avx512", lv, sizeof lv) == RF_ROW_LEVEL && !strcmp(lv, "avx512"));
    CHECK(rf_bench_row_kind("autovec_neon", lv, sizeof lv) == RF_ROW_AUTOVEC && !strcmp(lv, "neon"));
    CHECK(rf_bench_row_kind("openblas", lv, sizeof lv) == RF_ROW_PEER && !*lv);
    CHECK(rf_bench_label_get("kernel=fht_f32 impl=avx512 level=avx2 unit=transforms", "level", lv, sizeof lv) &&
          !strcmp(lv, "avx2"));
    CHECK(!rf_bench_label_get("kernel=fht_f32", "level", lv, sizeof lv));
}

/* ---- gate ----------------------------------------------------------------------------------- */

static int gate(const char *base, const char *cur, const char *extra1, const char *extra2)
{
    const char *args[] = {"gate", "--baseline", base, "--current", cur, extra1, extra2, NULL};
    return run(args);
}

static void test_gate(void)
{
    synth rows[NROWS];
    double scale[NROWS];
    const char *base = tpath("base.json"), *cur = tpath("cur.json");
    suite(rows, 0.01, 10, NULL);
    write_gb(base, rows, NROWS, 100);

    /* Pure noise of the same spread, different draws: nothing flagged. */
    write_gb(cur, rows, NROWS, 200);
    int rc = gate(base, cur, NULL, NULL);
    CHECKF(rc == 0, "rc %d\n%s%s", rc, last_out, last_err);
    CHECK(strstr(last_out, "gate: 0 regressions, 0 improvements, 7 unchanged\n") != NULL);
    CHECK(strstr(last_out, "machine/triad/-") && strstr(last_out, "info"));
    CHECK(!strstr(last_err, "fewer than")); /* 10 repetitions: no warning */
    CHECK(!strstr(last_err, "machine class"));
    synth_machine_class = "aarch64";
    write_gb(cur, rows, NROWS, 200);
    synth_machine_class = "x86-64-v4";
    CHECK(gate(base, cur, NULL, NULL) == 0 && strstr(last_err, "machine class x86-64-v4, current from aarch64"));
    /* the same warning in the JSON: the first (here the only) one too (a refactor once dropped it) */
    CHECK(gate(base, cur, "--json", tpath("w.json")) == 0);
    {
        char *js = read_all(tpath("w.json")), jerr[256];
        rf_json *doc = js ? rf_json_parse(js, strlen(js), jerr, sizeof jerr) : NULL;
        const rf_json *w = doc ? rf_json_get(doc, "warnings") : NULL;
        CHECKF(w && w->count == 1 && w->items[0].type == RF_JSON_STRING &&
                   strstr(w->items[0].str, "machine class x86-64-v4, current from aarch64"),
               "warnings in the JSON: %s", js ? js : "(none)");
        rf_json_free(doc);
        free(js);
    }

    /* A clean 10% slowdown of one benchmark: caught by the time gate (and, as scalar did not
     * move, by the speedup gate too); still one regressed benchmark. */
    for (int j = 0; j < NROWS; j++) scale[j] = j == 2 ? 1.10 : 1.0;
    suite(rows, 0.01, 10, scale);
    write_gb(cur, rows, NROWS, 200);
    rc = gate(base, cur, NULL, NULL);
    CHECKF(rc == 1, "rc %d\n%s%s", rc, last_out, last_err);
    CHECK(strstr(last_out, "gate: 1 regressions, 0 improvements, 6 unchanged\n") != NULL);
    CHECK(strstr(last_out, "regression: fht_f32/avx512/log2n=10: median") != NULL);
    CHECK(strstr(last_out, "regression: fht_f32/avx512/log2n=10: speedup over scalar") != NULL);
    const char *line = strstr(last_out, "\nfht_f32/avx512/log2n=10 ");
    CHECKF(line && strstr(line, "REGRESSED") && strstr(line, "+") && strstr(line, "10/10"), "%s", last_out);
    /* A higher threshold lets it pass; an absurdly small alpha too. */
    CHECK(gate(base, cur, "--threshold", "15") == 0);
    CHECK(gate(base, cur, "--threshold=12%", NULL) == 0);
    /* alpha 1e-9: ten repetitions cannot reach it (the smallest p of 10 vs 10 is 1.1e-5): every
     * comparison is blind, and the run refuses a verdict instead of passing it. */
    rc = gate(base, cur, "--alpha", "1e-9");
    CHECKF(rc == 2 && strstr(last_out, "gate: inconclusive") && strstr(last_out, "12 of 12 comparisons"), "rc %d\n%s",
           rc, last_out);

    /* The same benchmark 10% faster: an improvement, exit 0. */
    scale[2] = 0.90;
    suite(rows, 0.01, 10, scale);
    write_gb(cur, rows, NROWS, 200);
    rc = gate(base, cur, NULL, NULL);
    CHECKF(rc == 0 && strstr(last_out, "gate: 0 regressions, 1 improvements, 6 unchanged\n"), "rc %d\n%s", rc,
           last_out);

    /* A 3% shift everywhere with tiny noise: significant (p ~ 1e-5) but under the 5% threshold. */
    suite(rows, 0.001, 10, NULL);
    write_gb(tpath("base_quiet.json"), rows, NROWS, 300);
    for (int j = 0; j < NROWS; j++) scale[j] = 1.03;
    suite(rows, 0.001, 10, scale);
    write_gb(cur, rows, NROWS, 400);
    rc = gate(tpath("base_quiet.json"), cur, NULL, NULL);
    CHECKF(rc == 0 && strstr(last_out, "gate: 0 regressions, 0 improvements, 7 unchanged\n"), "rc %d\n%s", rc,
           last_out);
    CHECK(strstr(last_out, "1.08e-05") != NULL); /* fully separated: the exact 2/C(20,10) */
    CHECK(gate(tpath("base_quiet.json"), cur, "--threshold", "2") == 1); /* but it is over 2% */

    /* Speedup gate. The whole current machine 30% slower: the time gate flags everything, the
     * speedup gate alone nothing. */
    for (int j = 0; j < NROWS; j++) scale[j] = 1.30;
    suite(rows, 0.01, 10, scale);
    write_gb(cur, rows, NROWS, 500);
    CHECK(gate(base, cur, NULL, NULL) == 1);
    rc = gate(base, cur, "--only", "speedup");
    CHECKF(rc == 0 && strstr(last_out, "gate: 0 regressions"), "rc %d\n%s", rc, last_out);
    /* ... and on that slower machine, avx2 at log2n=16 lost 12% more while scalar did not: the
     * speedup gate catches it and only it. */
    scale[5] = 1.30 * 1.12;
    suite(rows, 0.01, 10, scale);
    write_gb(cur, rows, NROWS, 500);
    rc = gate(base, cur, "--only", "speedup");
    CHECKF(rc == 1 && strstr(last_out, "gate: 1 regressions, 0 improvements, 6 unchanged\n") &&
               strstr(last_out, "regression: fht_f32/avx2/log2n=16: speedup over scalar"),
           "rc %d\n%s", rc, last_out);
    CHECK(!strstr(last_out, "regression: fht_f32/avx2/log2n=16: median")); /* time gate off */
    /* avx2 at log2n=16 12% slower but scalar there has 30% noise: the time gate sees it, the
     * speedup gate (whose bootstrap resamples scalar too) cannot tell it from scalar's noise. */
    for (int j = 0; j < NROWS; j++) scale[j] = j == 5 ? 1.12 : 1.0;
    suite(rows, 0.01, 10, NULL);
    rows[4].noise = 0.3;
    write_gb(tpath("base_noisy.json"), rows, NROWS, 100);
    suite(rows, 0.01, 10, scale);
    rows[4].noise = 0.3;
    write_gb(cur, rows, NROWS, 200);
    rc = gate(tpath("base_noisy.json"), cur, NULL, NULL);
    CHECKF(rc == 1 && strstr(last_out, "regression: fht_f32/avx2/log2n=16: median") &&
               !strstr(last_out, "regression: fht_f32/avx2/log2n=16: speedup"),
           "rc %d\n%s", rc, last_out);
    /* Scalar unchanged, avx512 at log2n=10 8% slower (time gate and speedup gate agree). */
    for (int j = 0; j < NROWS; j++) scale[j] = j == 2 ? 1.08 : 1.0;
    suite(rows, 0.01, 10, scale);
    write_gb(cur, rows, NROWS, 600);
    rc = gate(base, cur, "--only", "speedup");
    CHECKF(rc == 1 && strstr(last_out, "regression: fht_f32/avx512/log2n=10: speedup over scalar"), "rc %d\n%s", rc,
           last_out);
    rc = gate(base, cur, "--only", "time");
    CHECKF(rc == 1 && strstr(last_out, "regression: fht_f32/avx512/log2n=10: median"), "rc %d\n%s", rc, last_out);

    /* Three repetitions cannot reach alpha = 0.05 (min p = 0.1): a 10% slowdown is inconclusive,
     * warned about, and the run as a whole refuses a verdict (exit 2): it could not have seen a
     * regression of the threshold anywhere. */
    for (int j = 0; j < NROWS; j++) scale[j] = j == 2 ? 1.10 : 1.0;
    suite(rows, 0.01, 3, NULL);
    write_gb(tpath("base3.json"), rows, NROWS, 700);
    suite(rows, 0.01, 3, scale);
    write_gb(cur, rows, NROWS, 800);
    rc = gate(tpath("base3.json"), cur, NULL, NULL);
    CHECKF(rc == 2 && strstr(last_out, "inconclusive") && strstr(last_err, "fewer than 9 repetitions") &&
               strstr(last_err, "at least 4 each") && strstr(last_out, "gate: 0 regressions"),
           "rc %d\n%s%s", rc, last_out, last_err);
    CHECK(gate(tpath("base3.json"), cur, "--min-repetitions", "3") == 2 && !strstr(last_err, "fewer than"));

    /* The CI outputs of the clean 10% slowdown of fht_f32/avx512/log2n=10. */
    for (int j = 0; j < NROWS; j++) scale[j] = j == 2 ? 1.10 : 1.0;
    suite(rows, 0.01, 10, scale);
    write_gb(cur, rows, NROWS, 200);
    {
        const char *args[] = {"gate", "--baseline", base, "--current", cur, "--json", tpath("g.json"), "--markdown",
                              tpath("g.md"), "--junit", tpath("g.xml"), "--annotations", NULL};
        rc = run(args);
        CHECKF(rc == 1, "rc %d\n%s", rc, last_err);
        char *js = read_all(tpath("g.json")), *md = read_all(tpath("g.md")), *xml = read_all(tpath("g.xml"));
        char jerr[256];
        rf_json *doc = js ? rf_json_parse(js, strlen(js), jerr, sizeof jerr) : NULL;
        CHECKF(doc != NULL, "%s", js ? jerr : "no JSON");
        if (doc) {
            CHECK(!strcmp(rf_json_get_string(doc, "verdict"), "regressed"));
            const rf_json *summary = rf_json_get(doc, "summary"), *rws = rf_json_get(doc, "rows");
            double nreg = 0, q = NAN, comps = 0;
            CHECK(rf_json_get_number(summary, "regressions", &nreg) && nreg == 1);
            CHECK(rf_json_get_number(doc, "comparisons", &comps) && comps == 12); /* 7 time + 5 speedup */
            for (size_t i = 0; rws && i < rws->count; i++)
                if (!strcmp(rf_json_get_string(&rws->items[i], "name"), "fht_f32/avx512/log2n=10")) {
                    CHECK(!strcmp(rf_json_get_string(&rws->items[i], "verdict"), "REGRESSED"));
                    CHECK(rf_json_get_number(rf_json_get(&rws->items[i], "time"), "q", &q) && q > 0 && q < 1e-3);
                }
            CHECK(q > 0);
        }
        rf_json_free(doc);
        CHECKF(md && strstr(md, "### refast gate: **regression**") && strstr(md, "| `fht_f32/avx512/log2n=10` | REGRESSED") &&
                   strstr(md, "<details>"),
               "%s", md ? md : "");
        CHECKF(xml && strstr(xml, "tests=\"9\" failures=\"1\"") && strstr(xml, "name=\"fht_f32/avx512/log2n=10\">\n      <failure message=\"REGRESSED: time +") &&
                   strstr(xml, "classname=\"gate.machine\""),
               "%s", xml ? xml : "");
        CHECKF(strstr(last_out, "\n::error title=refast gate: fht_f32/avx512/log2n=10::REGRESSED: time +") &&
                   !strstr(last_out, "::error title=refast gate: fht_f32/avx2"),
               "%s", last_out);
        CHECK(strstr(last_out, "geometric mean: time current/baseline 1.01"));
        free(js), free(md), free(xml);
        /* an unwritable output: exit 2 and none of the other files written */
        remove(tpath("g.json"));
        const char *bad_out[] = {"gate", "--baseline", base, "--current", cur, "--json", tpath("g.json"), "--junit",
                                 "/nonexistent/dir/g.xml", NULL};
        CHECK(run(bad_out) == 2 && !file_exists(tpath("g.json")));
    }

    /* A kernel whose registry entry declares a wider threshold (moe_t3_sum_f64: 45%) keeps a 20%
     * slowdown that the default 5% would flag, and the table says why. */
    {
        synth k3[2] = {{"moe_t3_sum_f64/scalar/d=32,n=100000", 6.8e8, 0.01, 10, 0, 0, 0, 0},
                       {"fht_f32/scalar/log2n=10", 8000, 0.01, 10, 0, 0, 0, 0}};
        write_gb(tpath("k3a.json"), k3, 2, 1100);
        k3[0].ns *= 1.2;
        k3[1].ns *= 1.2;
        write_gb(tpath("k3b.json"), k3, 2, 1101);
        rc = gate(tpath("k3a.json"), tpath("k3b.json"), NULL, NULL);
        const char *l3 = strstr(last_out, "\nmoe_t3_sum_f64/scalar/d=32,n=100000 ");
        CHECKF(rc == 1 && l3 && strstr(l3, "45%*  unchanged") && strstr(last_out, "(gate_threshold_pct)") &&
                   strstr(last_out, "moe_t3_sum_f64 45%") && strstr(last_out, "gate: 1 regressions"),
               "rc %d\n%s", rc, last_out);
    }

    /* Several files are one side: two baselines of 5 repetitions pool to 10. */
    suite(rows, 0.01, 5, NULL);
    write_gb(tpath("b5a.json"), rows, NROWS, 1000);
    write_gb(tpath("b5b.json"), rows, NROWS, 1001);
    {
        const char *args[] = {"gate", "--baseline", tpath("b5a.json"), tpath("b5b.json"), "--current", base, NULL};
        rc = run(args);
        const char *line2 = strstr(last_out, "\nfht_f32/avx2/log2n=10 ");
        CHECKF(rc == 0 && line2 && strstr(line2, "10/10") && strstr(last_out, "(+1 files)"), "rc %d\n%s", rc, last_out);
    }

    /* Input and usage errors: exit 2 with one line on stderr. */
    write_text(tpath("malformed.json"), "{\"benchmarks\": [ {\"name\": \"x\", ");
    rc = gate(tpath("malformed.json"), base, NULL, NULL);
    CHECKF(rc == 2 && strstr(last_err, "refast: gate: baseline ") && strstr(last_err, "malformed JSON") &&
               strchr(last_err, '\n') == last_err + strlen(last_err) - 1,
           "rc %d: %s", rc, last_err);
    rc = gate(base, tpath("missing.json"), NULL, NULL);
    CHECKF(rc == 2 && strstr(last_err, "missing.json: cannot open"), "rc %d: %s", rc, last_err);
    write_text(tpath("other.json"),
               "{\"benchmarks\": [{\"name\": \"other/scalar/-\", \"real_time\": 1, \"cpu_time\": 1}]}");
    rc = gate(base, tpath("other.json"), NULL, NULL);
    CHECKF(rc == 2 && strstr(last_err, "no benchmark is present in both"), "rc %d: %s", rc, last_err);
    CHECK(gate(base, cur, "--alpha", "2") == 2);
    CHECK(gate(base, cur, "--threshold", "-1") == 2);
    CHECK(gate(base, cur, "--threshold", NULL) == 2);
    CHECK(gate(base, cur, "--only", "both") == 2);
    CHECK(gate(base, cur, "--bogus", NULL) == 2);
    const char *no_current[] = {"gate", "--baseline", base, NULL};
    CHECK(run(no_current) == 2 && strstr(last_err, "--current"));
    const char *help[] = {"gate", "--help", NULL};
    CHECK(run(help) == 0 && strstr(last_out, "usage: refast gate"));
    /* refast ab refuses what it cannot run before benchmarking anything */
    const char *ab_bad[] = {"ab", "--base", tpath("nope"), NULL};
    rc = run(ab_bad);
    CHECKF(rc == 2 && strstr(last_err, "refast: ab: --base ") && strstr(last_err, "not an executable file") &&
               rf_test_lines(last_err) == 1,
           "rc %d: %s", rc, last_err);
    const char *ab_out[] = {"ab", "--base", "/proc/self/exe", "--json", "/nonexistent/dir/x.json", NULL};
    CHECK(run(ab_out) == 2 && strstr(last_err, "/nonexistent/dir/x.json"));
    /* --confirm needs a binary to re-run: a synthetic file names none */
    for (int j = 0; j < NROWS; j++) scale[j] = j == 2 ? 1.10 : 1.0;
    suite(rows, 0.01, 10, scale);
    write_gb(cur, rows, NROWS, 200);
    rc = gate(base, cur, "--confirm", NULL);
    CHECKF(rc == 2 && strstr(last_err, "--confirm") && strstr(last_err, "refast_executable"), "rc %d: %s", rc, last_err);
}

/* ---- instruction counts ---------------------------------------------------------------------- */

/* A file as `refast bench --counter instructions` writes it: one row per item, the counter
 * "instructions" per call, the context key refast_counter. */
static void write_instr(const char *path, const double *counts, const char *const *names, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "{\"context\": {\"refast_counter\": \"instructions\"}, \"benchmarks\": [");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s{\"name\": \"%s\", \"run_type\": \"iteration\", \"iterations\": 20, \"real_time\": 0.001, "
                   "\"cpu_time\": 0.001, \"time_unit\": \"s\", \"instructions\": %.17g}",
                i ? "," : "", names[i], counts[i]);
    fprintf(f, "]}\n");
    fclose(f);
}

static void test_instructions(void)
{
    static const char *const names[] = {"fht_f32/scalar/log2n=10", "fht_f32/avx2/log2n=10", "fht_f32/autovec_avx2/log2n=10"};
    const double base[] = {60650, 2711, 37328};
    double cur[3] = {60650, 2711 * 1.02, 37328 * 1.005};
    write_instr(tpath("ib.json"), base, names, 3);
    write_instr(tpath("ic.json"), cur, names, 3);
    int rc = gate(tpath("ib.json"), tpath("ic.json"), NULL, NULL);
    /* +2% at avx2 is over the 1% default (and its speedup fell 2% too); +0.5% is not */
    CHECKF(rc == 1 && strstr(last_out, "instructions per call, threshold 1%") &&
               strstr(last_out, "regression: fht_f32/avx2/log2n=10: instructions per call 2711 -> 2765 (+2.00%") &&
               strstr(last_out, "gate: 1 regressions, 0 improvements, 2 unchanged") && !strstr(last_out, "noise:"),
           "rc %d\n%s%s", rc, last_out, last_err);
    CHECK(!strstr(last_out, "regression: fht_f32/autovec_avx2"));
    CHECK(gate(tpath("ib.json"), tpath("ic.json"), "--threshold", "3") == 0);
    CHECK(gate(tpath("ib.json"), tpath("ib.json"), NULL, NULL) == 0);
    /* instruction counts against times: refused */
    synth rows[NROWS];
    suite(rows, 0.01, 10, NULL);
    write_gb(tpath("t.json"), rows, NROWS, 1);
    rc = gate(tpath("ib.json"), tpath("t.json"), NULL, NULL);
    CHECKF(rc == 2 && strstr(last_err, "compare like with like"), "rc %d: %s", rc, last_err);
}

/* ---- report --------------------------------------------------------------------------------- */

static void test_report(void)
{
    synth rows[NROWS];
    suite(rows, 0.01, 5, NULL);
    write_gb(tpath("r1.json"), rows, NROWS, 900);
    double scale[NROWS];
    for (int j = 0; j < NROWS; j++) scale[j] = 0.8;
    suite(rows, 0.01, 5, scale);
    write_gb(tpath("r2.json"), rows, NROWS, 901);

    const char *out = tpath("rep");
    const char *args[] = {"report", "--in", tpath("r1.json"), "--out", out, NULL};
    int rc = run(args);
    CHECKF(rc == 0, "rc %d: %s", rc, last_err);
    char *md = read_all(tpath("rep/report.md")), *html = read_all(tpath("rep/report.html"));
    char *svg = read_all(tpath("rep/fht_f32.svg"));
    CHECK(md && html && svg);
    if (md && html && svg) {
        CHECK(strstr(md, "fht_f32") && strstr(md, "avx512") && strstr(md, "log2n=10") && strstr(md, "autovec_avx2"));
        CHECK(strstr(md, "fht_f32.svg") && strstr(md, "fma_peak_avx512") && strstr(md, "x86-64-v4"));
        CHECK(strstr(html, "<svg") && strstr(html, "fht_f32") && strstr(html, "log2n=16"));
        CHECK(!strstr(html, "src=") && !strstr(html, "href=") && !strstr(html, "<script"));
        CHECK(strstr(svg, "<svg") && strstr(svg, "avx512") && strstr(svg, "log2n=10") && strstr(svg, "</svg>"));
        /* scalar 8000 ns vs avx512 700 ns: 11.43x; vs its autovec peer: avx2 1100 vs 3000 ns: 2.73x
         * (medians of 5 noisy repetitions, so check the leading digits only). */
        CHECK(strstr(md, "| 11.") && strstr(md, "| 2.7"));
        /* Roofline: avx512 at log2n=16 does 65536*16 flops in ~110 us = 9.5 GFLOP/s against the
         * 100 GFLOP/s peak row: 9.x%. Its bandwidth 8*65536 B / 110 us = 4.8 GB/s of 20 GB/s. */
        const char *row = strstr(md, "| log2n=16 | avx512 |");
        CHECKF(row && strstr(row, "| 9.") && strstr(row, "| 2"), "%s", row ? row : md);
    }
    free(md);
    free(html);
    free(svg);

    /* Two inputs side by side. */
    const char *args2[] = {"report", "--in", tpath("r1.json"), tpath("r2.json"), "--out", out, "--title", "A & B", NULL};
    rc = run(args2);
    CHECKF(rc == 0, "rc %d: %s", rc, last_err);
    md = read_all(tpath("rep/report.md"));
    html = read_all(tpath("rep/report.html"));
    CHECK(md && strstr(md, "# A & B") && strstr(md, "r2 vs r1") && strstr(md, "| 1.2")); /* 1/0.8 */
    CHECK(html && strstr(html, "A &amp; B") && !strstr(html, "A & B"));
    free(md);
    free(html);

    /* A busy machine: real time twice the CPU time. GB's rates are per CPU time; the report
     * keeps CPU time (default) or rebases them on real time (--time real), never mixing the two. */
    write_text(tpath("busy.json"),
               "{\"benchmarks\": [{\"name\": \"k/scalar/n=1\", \"real_time\": 2000, \"cpu_time\": 1000, "
               "\"items_per_second\": 1e6},"
               "{\"name\": \"k/avx2/n=1\", \"real_time\": 200, \"cpu_time\": 100, \"items_per_second\": 1e7}]}");
    const char *busy[] = {"report", "--in", tpath("busy.json"), "--out", out, "--time", "real", NULL};
    CHECK(run(busy) == 0);
    md = read_all(tpath("rep/report.md"));
    CHECKF(md && strstr(md, "| 2 us | 500k items/s |") && strstr(md, "| 200 ns | 5M items/s |") &&
               strstr(md, "| 10.00x |") && strstr(md, "2 of 2 benchmarks have a median CPU time"),
           "%s", md ? md : "");
    free(md);
    const char *busy_cpu[] = {"report", "--in", tpath("busy.json"), "--out", out, "--time", "cpu", NULL};
    CHECK(run(busy_cpu) == 0);
    md = read_all(tpath("rep/report.md"));
    CHECKF(md && strstr(md, "| 1 us | 1M items/s |") && strstr(md, "| 100 ns | 10M items/s |") &&
               strstr(md, "median cpu time"),
           "%s", md ? md : "");
    free(md);

    /* Errors: exit 2, nothing written. */
    const char *fresh = tpath("rep2");
    const char *bad[] = {"report", "--in", tpath("r1.json"), tpath("nope.json"), "--out", fresh, NULL};
    CHECK(run(bad) == 2 && strstr(last_err, "nope.json"));
    CHECK(!file_exists(tpath("rep2/report.md")));
    write_text(tpath("afile"), "x");
    const char *notdir[] = {"report", "--in", tpath("r1.json"), "--out", tpath("afile"), NULL};
    CHECK(run(notdir) == 2);
    const char *noout[] = {"report", "--in", tpath("r1.json"), NULL};
    CHECK(run(noout) == 2 && strstr(last_err, "--out"));
    const char *help[] = {"report", "--help", NULL};
    CHECK(run(help) == 0 && strstr(last_out, "usage: refast report"));
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/refast_test_gate_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_json();
    test_stats();
    test_benchjson();
    test_gate();
    test_instructions();
    test_report();
    if (getenv("REFAST_TEST_KEEP")) fprintf(stderr, "test_gate: files kept in %s\n", tmpdir);
    else remove_tree(tmpdir);
    return rf_test_summary("test_gate");
}
