/* The acceptance tests of issue 13, run by ctest as ab_self, ab_slow and ab_instructions with the
 * paths of `refast` and of refast_slow (tests/refast_slow.c: refast with a planted regression):
 *
 *   self          `refast ab` of refast against itself, three times: no regressed row in each of
 *                 the three runs (exit 0, or exit 2 when the noise rule refuses to certify on a
 *                 busy machine: it reports no regression either way; the power to see one is
 *                 what `slow` checks);
 *   slow          refast_slow against refast_slowed with every fht_f32 item doing 10% more calls,
 *                 three times (the third with --confirm): exit 1, at least half of fht_f32's rows
 *                 flagged, and no row of another kernel flagged;
 *   instructions  `refast bench --counter instructions` twice: identical counts in every row;
 *                 then refast_slow against refast_slowed with fht_f32's avx2 items doing 2% more
 *                 calls: `refast gate` flags exactly those rows, each by +2% (+-0.5), and every
 *                 other row has the same count.
 *
 * The A/B runs time fht_f32, uniform_f32 and rm1_map at scalar and avx2 (16 rows, cheap calls):
 * 8 rounds, 24 repetitions of 0.02 s per row and side, about 25 s of CPU per run (75 s of wall
 * time measured with the machine's load average at 5 on 2 cores). The
 * verdicts are read from `--json` (gate_out.h's schema). Times are measured while the machine
 * does other work: that is the point of the interleaved rounds and the statistics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchjson.h"
#include "benchrun.h"
#include "json.h"
#include "testlib.h"

static const char *refast, *slow, *slowed, *dir;
static const char *const kernels = "fht_f32,uniform_f32,rm1_map";

static char *path_in(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* Runs argv with REFAST_TEST_SLOW=slow_spec (NULL: unset) and its output in a log; exit code. */
static int run(const char *const *argv, const char *slow_spec, const char *log)
{
    char env[256], err[512];
    snprintf(env, sizeof env, "REFAST_TEST_SLOW=%s", slow_spec ? slow_spec : "");
    char *envx[] = {env, NULL};
    const int rc = rf_spawn_wait((char *const *)argv, log, envx, -1, err, sizeof err);
    if (rc < 0) fprintf(stderr, "%s\n", err);
    return rc;
}

static void show_log(const char *log)
{
    FILE *f = fopen(log, "r");
    for (char line[1024]; f && fgets(line, sizeof line, f);) fprintf(stderr, "    | %s", line);
    if (f) fclose(f);
}

/* The rows of a gate JSON with verdict REGRESSED: counts those of kernel `k` and the others. */
static bool regressed_rows(const char *json, const char *k, size_t *of_k, size_t *others, size_t *rows_of_k)
{
    char err[512];
    rf_json *doc = rf_json_parse_file(json, err, sizeof err);
    CHECKF(doc != NULL, "%s", err);
    if (!doc) return false;
    const rf_json *rows = rf_json_get(doc, "rows");
    *of_k = *others = *rows_of_k = 0;
    const size_t klen = strlen(k);
    for (size_t i = 0; rows && i < rows->count; i++) {
        const char *name = rf_json_get_string(&rows->items[i], "name");
        const char *v = rf_json_get_string(&rows->items[i], "verdict");
        const bool mine = name && !strncmp(name, k, klen) && name[klen] == '/';
        *rows_of_k += mine;
        if (v && !strcmp(v, "REGRESSED")) {
            if (mine) (*of_k)++;
            else {
                (*others)++;
                fprintf(stderr, "  flagged outside %s: %s\n", k, name);
            }
        }
    }
    rf_json_free(doc);
    return rows != NULL;
}

static int ab(const char *base, const char *head, const char *slow_spec, const char *tag, bool confirm)
{
    const char *json = path_in(tag), *log = path_in("ab.log");
    const char *argv[] = {refast, "ab", "--base", base, "--head", head, "--kernel", kernels, "--isa", "avx2",
                          "--no-peers", "--rounds", "8", "--repetitions", "24", "--min-time", "0.02", "--json", json,
                          confirm ? "--confirm" : NULL, NULL};
    const int rc = run(argv, slow_spec, log);
    if (rc != 0 && rc != 1) show_log(log);
    return rc;
}

static void test_self(void)
{
    for (int i = 0; i < 3; i++) {
        const int rc = ab(refast, refast, NULL, "self.json", false);
        size_t mine = 0, others = 0, nk = 0;
        CHECKF(rc == 0 || rc == 2, "run %d: refast ab of refast against itself exited %d", i + 1, rc);
        if (regressed_rows(path_in("self.json"), "fht_f32", &mine, &others, &nk))
            CHECKF(mine + others == 0, "run %d: %zu rows regressed", i + 1, mine + others);
        fprintf(stderr, "ab_self run %d: exit %d%s, %zu rows regressed\n", i + 1, rc,
                rc == 2 ? " (inconclusive: too noisy to certify)" : "", mine + others);
        if (rc == 1) show_log(path_in("ab.log"));
    }
}

static void test_slow(void)
{
    for (int i = 0; i < 3; i++) {
        /* the last run with --confirm: the flagged rows re-measured with 48 repetitions must stay */
        const int rc = ab(slow, slowed, "fht_f32/*=10", "slow.json", i == 2);
        size_t mine = 0, others = 0, nk = 0;
        CHECKF(rc == 1, "run %d: refast ab against the 10%%-slower fht_f32 exited %d", i + 1, rc);
        if (regressed_rows(path_in("slow.json"), "fht_f32", &mine, &others, &nk)) {
            /* every fht_f32 row got 10% slower; at least half of them must be flagged */
            CHECKF(2 * mine >= nk && nk > 0, "run %d: %zu of %zu fht_f32 rows flagged", i + 1, mine, nk);
            CHECKF(others == 0, "run %d: %zu rows of other kernels flagged", i + 1, others);
            fprintf(stderr, "ab_slow run %d: %zu of %zu fht_f32 rows flagged, %zu others\n", i + 1, mine, nk, others);
        }
    }
}

static bool counts(const char *bin, const char *slow_spec, const char *out)
{
    const char *argv[] = {bin, "bench", "--counter", "instructions", "--kernel", kernels, "--isa", "avx2",
                          "--calls", "50", "--out", out, NULL};
    const int rc = run(argv, slow_spec, path_in("instr.log"));
    CHECKF(rc == 0, "%s bench --counter instructions exited %d", bin, rc);
    if (rc) show_log(path_in("instr.log"));
    return rc == 0;
}

static void test_instructions(void)
{
    const char *a = path_in("i1.json"), *b = path_in("i2.json"), *s0 = path_in("islow0.json"),
               *s = path_in("islow.json");
    if (!counts(refast, NULL, a) || !counts(refast, NULL, b) || !counts(slow, "fht_f32/avx2/*=2", s0) ||
        !counts(slowed, "fht_f32/avx2/*=2", s))
        return;
    rf_bench_file fa, fb;
    char err[512];
    CHECKF(rf_bench_load(a, &fa, err, sizeof err), "%s", err);
    CHECKF(rf_bench_load(b, &fb, err, sizeof err), "%s", err);
    CHECK(fa.n > 20 && fa.n == fb.n);
    size_t same = 0;
    for (size_t i = 0; i < fa.n; i++) {
        const rf_bench *x = &fa.b[i], *y = rf_bench_find(&fb, x->name);
        const double *vx = rf_bench_counter_values(x, "instructions"), *vy = y ? rf_bench_counter_values(y, "instructions") : NULL;
        CHECKF(vx && vy && vx[0] == vy[0], "%s: %.17g vs %.17g", x->name, vx ? vx[0] : NAN, vy ? vy[0] : NAN);
        same += vx && vy && vx[0] == vy[0];
        CHECKF(!strstr(x->name, "/avx512/") && !strstr(x->name, "openblas"), "%s counted", x->name);
    }
    fprintf(stderr, "ab_instructions: %zu of %zu rows have identical counts in two runs\n", same, fa.n);
    rf_bench_free(&fa);
    rf_bench_free(&fb);

    const char *json = path_in("igate.json");
    const char *argv[] = {refast, "gate", "--baseline", s0, "--current", s, "--json", json, NULL};
    const int rc = run(argv, NULL, path_in("igate.log"));
    CHECKF(rc == 1, "gate on the 2%% instruction increase exited %d", rc);
    rf_json *doc = rf_json_parse_file(json, err, sizeof err);
    CHECKF(doc != NULL, "%s", err);
    const rf_json *rows = doc ? rf_json_get(doc, "rows") : NULL;
    size_t flagged = 0;
    for (size_t i = 0; rows && i < rows->count; i++) {
        const rf_json *row = &rows->items[i];
        const char *name = rf_json_get_string(row, "name"), *v = rf_json_get_string(row, "verdict");
        const bool target = name && !strncmp(name, "fht_f32/avx2/", 13);
        double change = NAN;
        const rf_json *t = rf_json_get(row, "time");
        if (t) rf_json_get_number(t, "change_pct", &change);
        if (target) {
            flagged++;
            CHECKF(v && !strcmp(v, "REGRESSED") && change > 1.5 && change < 2.5, "%s: %s %+.3f%%", name, v, change);
        } else {
            CHECKF(v && strcmp(v, "REGRESSED") && change == 0, "%s: %s %+.3f%%", name, v, change);
        }
    }
    CHECKF(flagged == 3, "%zu fht_f32/avx2 rows", flagged);
    rf_json_free(doc);
}

int main(int argc, char **argv)
{
#if !REFAST_HAVE_BENCH
    printf("ab_check: skipped (this build has no Google Benchmark)\n");
    return 77;
#endif
    if (argc != 5) {
        fprintf(stderr, "usage: ab_check self|slow|instructions REFAST REFAST_SLOW REFAST_SLOWED\n");
        return 2;
    }
    refast = argv[2];
    slow = argv[3];
    slowed = argv[4];
    dir = rf_test_tmpdir();
    if (!strcmp(argv[1], "self")) test_self();
    else if (!strcmp(argv[1], "slow")) test_slow();
    else if (!strcmp(argv[1], "instructions")) test_instructions();
    else return fprintf(stderr, "ab_check: unknown mode %s\n", argv[1]), 2;
    char name[64];
    snprintf(name, sizeof name, "ab_%s", argv[1]);
    return rf_test_summary(name);
}
