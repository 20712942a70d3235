/* refast ab: an A/B comparison of two builds in one job (SPEC §6, §7).
 *
 * Both binaries benchmark the same kernels on the same machine and inputs in alternating rounds,
 * ABBA ABBA ... (round i runs base then head when i mod 4 is 0 or 3, head then base otherwise), so
 * that a drift of the machine (another job starting, a thermal change) falls on both sides alike.
 * Each round is one `bench` process per side with --repetitions N/R (rounded up), so every
 * benchmark's repetitions are spread over all rounds; both processes are pinned to the same CPU.
 * Inside each process Google Benchmark interleaves the repetitions of all rows randomly (the
 * scalar row and each level's, which the speedup gate divides). Only options every refast
 * version has are passed, so the base may be an older build. The pooled rounds of each side are
 * then judged exactly like `refast gate --baseline base... --current head...` (gate.h), with
 * --confirm re-running the regressed rows' kernels, ABBA again, with twice the repetitions.
 * The round files stay in --out-dir when given (refast gate can judge them again), else in a
 * temporary directory removed at the end. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchjson.h"
#include "benchrun.h"
#include "bytes.h"
#include "cli.h"
#include "gate_cli.h"

typedef struct ab_args {
    const char *base, *head, *kernel, *isa, *out_dir;
    unsigned long long rounds, repetitions;
    double min_time;
    bool no_peers;
    rf_gate_args g;
} ab_args;

typedef struct ab_run {
    const ab_args *a;
    char dir[4096];
    bool own_dir; /* a temporary directory, removed at the end */
    int cpu;
    char **files[2]; /* per side, the round files written */
    size_t nfiles[2];
} ab_run;

static bool add_file(ab_run *r, int side, const char *path)
{
    char **nv = realloc(r->files[side], (r->nfiles[side] + 1) * sizeof *nv);
    if (!nv) return false;
    r->files[side] = nv;
    const size_t n = strlen(path) + 1;
    if (!(nv[r->nfiles[side]] = malloc(n))) return false;
    memcpy(nv[r->nfiles[side]++], path, n);
    return true;
}

static void clear_files(ab_run *r, bool remove_them)
{
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < r->nfiles[s]; i++) {
            if (remove_them) {
                remove(r->files[s][i]);
                char log[4200];
                snprintf(log, sizeof log, "%.4000s.log", r->files[s][i]);
                remove(log);
            }
            free(r->files[s][i]);
        }
        free(r->files[s]);
        r->files[s] = NULL;
        r->nfiles[s] = 0;
    }
}

/* ABBA... rounds of `kernel` with `reps` repetitions in all per side; files named <tag>-<side>-rNN. */
static bool run_rounds(ab_run *r, const char *kernel, unsigned long long reps, const char *tag, char *err,
                       size_t errlen)
{
    const ab_args *a = r->a;
    const unsigned long long rounds = a->rounds < reps ? a->rounds : reps;
    const unsigned long long per = (reps + rounds - 1) / rounds;
    static const char *const side_name[2] = {"base", "head"};
    for (unsigned long long i = 0; i < rounds; i++) {
        const int first = (i % 4 == 0 || i % 4 == 3) ? 0 : 1;
        for (int k = 0; k < 2; k++) {
            const int side = k ? 1 - first : first;
            char out[4200], log[4300];
            snprintf(out, sizeof out, "%s/%s-%s-r%02llu.json", r->dir, tag, side_name[side], i + 1);
            snprintf(log, sizeof log, "%s.log", out);
            fprintf(stderr, "refast: ab: round %llu/%llu: %s (%s)\n", i + 1, rounds, side_name[side],
                    side ? a->head : a->base);
            const rf_bench_job j = {.exe = side ? a->head : a->base, .kernel = kernel, .isa = a->isa,
                                    .repetitions = per, .min_time = a->min_time, .no_peers = a->no_peers,
                                    .out = out, .log = log, .cpu = r->cpu};
            if (!add_file(r, side, out)) return snprintf(err, errlen, "out of memory"), false;
            if (!rf_bench_job_run(&j, err, errlen)) return false;
        }
    }
    return true;
}

static bool load_sides(ab_run *r, rf_bench_file *fa, rf_bench_file *fb, char *err, size_t errlen)
{
    if (!rf_bench_load_merged((const char *const *)r->files[0], r->nfiles[0], fa, err, errlen)) return false;
    if (!rf_bench_load_merged((const char *const *)r->files[1], r->nfiles[1], fb, err, errlen)) {
        rf_bench_free(fa);
        return false;
    }
    return true;
}

/* --confirm: the regressed rows' kernels again, both sides, twice the repetitions. The first
 * run's files are kept aside (the first verdict's rows point into them). */
static bool confirm_ab(void *vctx, const char *const *names, size_t n, rf_bench_file *fa, rf_bench_file *fb,
                       char *err, size_t errlen)
{
    ab_run *r = vctx;
    const char **kernels = malloc(n * sizeof *kernels);
    char *buf = NULL;
    const size_t nk = kernels ? rf_gate_kernels_of(names, n, kernels, &buf) : 0;
    bool ok = kernels && buf;
    if (!ok) snprintf(err, errlen, "out of memory");
    ab_run c = *r;
    c.files[0] = c.files[1] = NULL;
    c.nfiles[0] = c.nfiles[1] = 0;
    for (size_t k = 0; ok && k < nk; k++) {
        char tag[160];
        snprintf(tag, sizeof tag, "confirm-%s", kernels[k]);
        ok = run_rounds(&c, kernels[k], 2 * r->a->repetitions, tag, err, errlen);
    }
    if (ok) ok = load_sides(&c, fa, fb, err, errlen);
    clear_files(&c, c.own_dir);
    free(kernels);
    free(buf);
    return ok;
}

static bool executable(const char *path, const char *what, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0)
        return snprintf(err, errlen, "%s %s: not an executable file", what, path), false;
    return true;
}

static int run_ab(const void *args)
{
    const ab_args *a = args;
    char err[600];
    if (!executable(a->base, "--base", err, sizeof err) || !executable(a->head, "--head", err, sizeof err))
        return rf_usage_error("ab: %s", err);
    /* the outputs are refused before minutes of benchmarking, not after */
    const char *outs[3] = {a->g.json, a->g.markdown, a->g.junit};
    for (int i = 0; i < 3; i++)
        if (outs[i] && !rf_check_writable(outs[i], err, sizeof err)) return rf_usage_error("ab: %s", err);
    ab_run r = {.a = a, .cpu = rf_pin_choose()};
    if (a->out_dir) {
        if (!rf_mkdirs(a->out_dir, err, sizeof err)) return rf_usage_error("ab: %s", err);
        snprintf(r.dir, sizeof r.dir, "%s", a->out_dir);
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(r.dir, sizeof r.dir, "%s/refast-ab-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(r.dir)) return rf_usage_error("ab: cannot create a temporary directory in %s", t ? t : "/tmp");
        r.own_dir = true;
    }
    fprintf(stderr, "refast: ab: %llu rounds (ABBA...), %llu repetitions per benchmark and side, pinned to CPU %d\n",
            a->rounds, a->repetitions, r.cpu);
    int rc;
    rf_bench_file fa = {0}, fb = {0};
    if (!run_rounds(&r, a->kernel, a->repetitions, "ab", err, sizeof err) || !load_sides(&r, &fa, &fb, err, sizeof err))
        rc = rf_usage_error("ab: %s", err);
    else {
        char wa[4200], wb[4200];
        snprintf(wa, sizeof wa, "%s (%zu rounds)", a->base, r.nfiles[0]);
        snprintf(wb, sizeof wb, "%s (%zu rounds)", a->head, r.nfiles[1]);
        rc = rf_gate_conclude("ab", &a->g, &fa, &fb, wa, wb, confirm_ab, &r);
    }
    rf_bench_free(&fa);
    rf_bench_free(&fb);
    clear_files(&r, r.own_dir);
    if (r.own_dir) rmdir(r.dir);
    return rc;
}

static const rf_opt ab_opts_table[] = {
    {"--base", RF_OPT_FILE, offsetof(ab_args, base), "OTHER/refast", .help = "the build to compare against",
     .flags = RF_OPT_REQUIRED},
    {"--head", RF_OPT_FILE, offsetof(ab_args, head), "REFAST", .help = "the build under test (default: this binary)",
     .def = "/proc/self/exe"},
    {"--kernel", RF_OPT_STR, offsetof(ab_args, kernel), "GLOB",
     .help = RF_OPT_KERNEL_HELP, .def = "*"},
    {"--isa", RF_OPT_STR, offsetof(ab_args, isa), "LEVEL|all", .help = "the levels to time beside scalar",
     .def = "all"},
    {"--rounds", RF_OPT_U64, offsetof(ab_args, rounds), "R", .help = "rounds per side, alternating ABBA...",
     .def = "6", .min = 1, .max = 1000},
    {"--repetitions", RF_OPT_U64, offsetof(ab_args, repetitions), "N",
     .help = "repetitions of every benchmark per side, spread over the rounds", .def = "12", .min = 1, .max = 10000},
    {"--min-time", RF_OPT_F64, offsetof(ab_args, min_time), "S", .help = "seconds of each repetition, at least",
     .def = "0.05", .min = 0, .max = 60, .flags = RF_OPT_MIN_OPEN},
    {"--no-peers", RF_OPT_FLAG, offsetof(ab_args, no_peers), NULL, .help = "leave out the autovec and openblas peers"},
    {"--out-dir", RF_OPT_FILE, offsetof(ab_args, out_dir), "DIR",
     .help = "keep every round's JSON and log there (default: a temporary directory)"},
    RF_GATE_OPT_ROWS(ab_args, g),
    {0},
};

const rf_command rf_cmd_ab = {
    .name = "ab",
    .summary = "A/B of two builds: interleaved rounds on this machine, judged like gate",
    .about = "Benchmarks the same kernels with two refast binaries on this machine in alternating\n"
             "rounds (ABBA...), each benchmark's repetitions spread over the rounds, both pinned to\n"
             "the same CPU, then judges head against base exactly like `refast gate` (time and speedup\n"
             "gates, Benjamini-Hochberg q-values, minimum detectable slowdown, registry thresholds,\n"
             "the noise rule). Exit codes: 0 no regression, 1 regression(s), 2 inconclusive or error.\n"
             "Example: refast ab --base ../main/build/release/harness/refast --kernel 'fht_*'\n"
             "           --markdown summary.md --junit ab.xml",
    .opts = ab_opts_table,
    .size = sizeof(ab_args),
    .run = run_ab,
};
