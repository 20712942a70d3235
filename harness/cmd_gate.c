/* refast gate: compare two benchmark runs and fail on a performance regression (SPEC §7). The
 * rules are gate.h's; this file loads the two sides (each may be several files of the same
 * benchmarks, merged: the rounds of an A/B run) and re-measures for --confirm. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchjson.h"
#include "benchrun.h"
#include "cli.h"
#include "gate_cli.h"
#include "stats.h"

typedef struct gate_cmd_args {
    rf_strlist baseline, current;
    rf_gate_args g;
} gate_cmd_args;

/* --confirm: the current run again, by the binary its context names, for the flagged kernels
 * only, with twice its repetitions; the baseline files as they are (a committed baseline cannot
 * be re-measured). */
typedef struct rerun_ctx {
    const gate_cmd_args *a;
    const rf_bench_file *cur;
} rerun_ctx;

static bool rerun_current(void *vctx, const char *const *names, size_t n, rf_bench_file *fa, rf_bench_file *fb,
                          char *err, size_t errlen)
{
    const rerun_ctx *c = vctx;
    const char *exe = c->cur->context ? rf_json_get_string(c->cur->context, "refast_executable") : NULL;
    const char *mt = c->cur->context ? rf_json_get_string(c->cur->context, "refast_min_time") : NULL;
    if (!exe || access(exe, X_OK) != 0)
        return snprintf(err, errlen, "%s does not name a refast binary that still exists (context refast_executable)",
                        c->cur->path),
               false;
    size_t reps = 1;
    for (size_t i = 0; i < c->cur->n; i++)
        if (c->cur->b[i].n > reps) reps = c->cur->b[i].n;
    const char **kernels = malloc(n * sizeof *kernels);
    char *buf = NULL;
    const size_t nk = kernels ? rf_gate_kernels_of(names, n, kernels, &buf) : 0;
    char dir[] = "/tmp/refast-confirm-XXXXXX";
    const char **outs = calloc(nk ? nk : 1, sizeof *outs);
    char (*paths)[2][4200] = calloc(nk ? nk : 1, sizeof *paths);
    bool ok = kernels && buf && outs && paths && mkdtemp(dir);
    if (!ok) snprintf(err, errlen, "out of memory or no temporary directory");
    for (size_t k = 0; ok && k < nk; k++) {
        snprintf(paths[k][0], sizeof paths[k][0], "%s/%s.json", dir, kernels[k]);
        snprintf(paths[k][1], sizeof paths[k][1], "%s/%s.log", dir, kernels[k]);
        const rf_bench_job j = {.exe = exe, .kernel = kernels[k], .isa = "all", .repetitions = 2 * reps,
                                .min_time = mt ? atof(mt) : 0.1, .out = paths[k][0], .log = paths[k][1],
                                .cpu = rf_pin_choose()};
        outs[k] = paths[k][0];
        ok = rf_bench_job_run(&j, err, errlen);
    }
    if (ok) ok = rf_bench_load_merged(c->a->baseline.v, c->a->baseline.n, fa, err, errlen);
    if (ok && !(ok = rf_bench_load_merged(outs, nk, fb, err, errlen))) rf_bench_free(fa);
    for (size_t k = 0; paths && k < nk; k++) remove(paths[k][0]), remove(paths[k][1]);
    rmdir(dir);
    free(paths);
    free(outs);
    free(kernels);
    free(buf);
    return ok;
}

/* "a.json" or "a.json (+2 files)" */
static const char *describe(const rf_strlist *l, char *buf, size_t len)
{
    if (l->n == 1) snprintf(buf, len, "%s", l->v[0]);
    else snprintf(buf, len, "%s (+%zu files)", l->v[0], l->n - 1);
    return buf;
}

static int run_gate_cmd(const void *args)
{
    const gate_cmd_args *a = args;
    char err[512], wa[600], wb[600];
    rf_bench_file fa, fb;
    if (!rf_bench_load_merged(a->baseline.v, a->baseline.n, &fa, err, sizeof err))
        return rf_usage_error("gate: baseline %s", err);
    if (!rf_bench_load_merged(a->current.v, a->current.n, &fb, err, sizeof err)) {
        rf_bench_free(&fa);
        return rf_usage_error("gate: current %s", err);
    }
    rerun_ctx ctx = {a, &fb};
    const int rc = rf_gate_conclude("gate", &a->g, &fa, &fb, describe(&a->baseline, wa, sizeof wa),
                                    describe(&a->current, wb, sizeof wb), rerun_current, &ctx);
    rf_bench_free(&fa);
    rf_bench_free(&fb);
    return rc;
}

static const rf_opt gate_opts_table[] = {
    {"--baseline", RF_OPT_FILES, offsetof(gate_cmd_args, baseline), "A.json",
     .help = "the reference run (refast bench --out); several files are one run\n(their repetitions pooled)",
     .flags = RF_OPT_REQUIRED},
    {"--current", RF_OPT_FILES, offsetof(gate_cmd_args, current), "B.json", .help = "the run under test (likewise)",
     .flags = RF_OPT_REQUIRED},
    RF_GATE_OPT_ROWS(gate_cmd_args, g),
    {0},
};

const rf_command rf_cmd_gate = {
    .name = "gate",
    .summary = "compare two benchmark runs; exit 1 on a regression",
    .about = "Compares two Google Benchmark JSON files (refast bench --out) and exits 1 on a regression.\n"
             "  time gate:    the two-sided Mann-Whitney U test on each benchmark's repetitions and\n"
             "                the change of its median.\n"
             "  speedup gate: each non-scalar implementation's speedup over scalar of the same kernel\n"
             "                and size within each file (median ratio), tested by a bootstrap of all\n"
             "                four repetition sets. Robust to machines of different speed.\n"
             "All p-values of the run are adjusted together (Benjamini-Hochberg q-values, false\n"
             "discovery rate alpha). A comparison regressed when q <= alpha AND it slowed by more than\n"
             "its threshold; \"inconclusive\" when it moved by more than the threshold but the minimum\n"
             "detectable slowdown (MDS, 80% power) of its repetitions exceeds the threshold. When more\n"
             "than half of the comparisons have MDS > threshold the run is too noisy to certify: exit 2\n"
             "\"inconclusive\" (unless a regression was found anyway). Instruction-count files (refast\n"
             "bench --counter instructions) are compared by the threshold alone (default 1%).\n"
             "Prints a table per gate, the geometric means and a last line \"gate: N regressions, M\n"
             "improvements, K unchanged\". Rows of the kernel \"machine\" are informational. Exit codes:\n"
             "0 no regression, 1 regression(s) (each listed with its numbers), 2 inconclusive or a\n"
             "usage or input error.",
    .opts = gate_opts_table,
    .size = sizeof(gate_cmd_args),
    .run = run_gate_cmd,
};
