/* refast gate: compare two Google Benchmark runs and fail on a performance regression (SPEC §7).
 *
 * Two gates, both requiring statistical evidence AND a practically large change:
 *
 * 1. time: for every benchmark present in both files, the Mann–Whitney U test (stats.h) on the
 *    cpu_time repetitions (real_time with --time real), and change = median(current) / median(baseline) - 1. Regressed iff
 *    p <= alpha and change > +threshold; improved iff p <= alpha and change < -threshold.
 *
 * 2. speedup: for every `<kernel>/<impl>/<size>` with impl other than scalar (hand-written levels
 *    and the autovec/openblas peers) whose `<kernel>/scalar/<size>` exists in both files, the
 *    speedup within each file, S = median(scalar) / median(impl). change = S_cur / S_base - 1.
 *    Regressed iff change < -threshold (the speedup fell by more than threshold, relative to the
 *    baseline speedup) and a bootstrap test of S_cur / S_base = 1 (rf_boot_ratio_p: all four
 *    repetition sets resampled, so the noise of scalar counts as much as the impl's) rejects at
 *    alpha; improved symmetrically. Ratios within one file make this gate insensitive to the two
 *    files coming from machines of different speed (use --only speedup for that case). A speedup
 *    also falls when scalar got faster: the regression line shows both time changes.
 *
 * A benchmark counts as regressed if either gate says so, improved if one says improved and none
 * regressed, else unchanged. When the shift exceeds the threshold but the repetitions are too few
 * for the U test ever to reach alpha (2 / C(n1+n2, n1) > alpha, e.g. 3 vs 3; for the speedup gate
 * with n the smallest of its four repetition counts, n vs n) the verdict is "inconclusive",
 * counted as unchanged and warned about. Rows of the kernel "machine" (FMA peak,
 * triad) describe the machine, not refast: they are shown as "info" and never gate.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchjson.h"
#include "cli.h"
#include "stats.h"

enum { BOOT_RESAMPLES = 2000 };

typedef enum verdict { V_UNCHANGED = 0, V_REGRESSED, V_IMPROVED, V_INCONCLUSIVE, V_INFO } verdict;

static const char *verdict_name(verdict v)
{
    static const char *const names[] = {"unchanged", "REGRESSED", "improved", "inconclusive", "info"};
    return names[v];
}

typedef struct gate_opts {
    const char *baseline, *current;
    double threshold; /* percent */
    double alpha;
    unsigned long long min_reps;
    bool time_gate, speedup_gate;
    bool cpu; /* --time cpu: use cpu_time instead of real_time */
} gate_opts;

typedef struct gate_row {
    const char *name;
    const rf_bench *a, *b;
    double med_a, med_b, change, p;
    verdict tv;
    bool has_speedup;
    double sp_a, sp_b, sp_change, sp_p, scalar_change;
    verdict sv;
    verdict overall;
} gate_row;

/* slowdown: positive = worse, in percent. min_p: the smallest p the sample sizes allow. */
static verdict judge(double slowdown, double p, double min_p, const gate_opts *o)
{
    if (!(fabs(slowdown) > o->threshold)) return V_UNCHANGED;
    if (min_p > o->alpha) return V_INCONCLUSIVE;
    if (p <= o->alpha) return slowdown > 0 ? V_REGRESSED : V_IMPROVED;
    return V_UNCHANGED;
}

static bool is_machine_row(const char *name)
{
    rf_bench_name nm;
    return rf_bench_name_parse(name, &nm) && !strcmp(nm.kernel, "machine");
}

/* The scalar row of the same kernel and size, or NULL. */
static const rf_bench *scalar_peer(const rf_bench_file *f, const rf_bench_name *nm)
{
    char key[320];
    snprintf(key, sizeof key, "%s/scalar/%s", nm->kernel, nm->size);
    return rf_bench_find(f, key);
}

static const double *times(const rf_bench *b, const gate_opts *o) { return o->cpu ? b->cpu_ns : b->real_ns; }

static double median(const rf_bench *b, const gate_opts *o) { return rf_stat_median(times(b, o), b->n); }

/* --time cpu needs a positive cpu_time in every row (real_time is checked by the loader). */
static bool check_cpu_times(const rf_bench_file *f)
{
    for (size_t i = 0; i < f->n; i++)
        for (size_t k = 0; k < f->b[i].n; k++)
            if (!(isfinite(f->b[i].cpu_ns[k]) && f->b[i].cpu_ns[k] > 0)) {
                rf_usage_error("gate: %s: %s has no positive cpu_time (needed by --time cpu)", f->path, f->b[i].name);
                return false;
            }
    return true;
}

static bool time_gate(gate_row *r, const gate_opts *o)
{
    rf_mwu t;
    if (!rf_mann_whitney(times(r->b, o), r->b->n, times(r->a, o), r->a->n, &t)) return false;
    r->med_a = median(r->a, o);
    r->med_b = median(r->b, o);
    r->change = (r->med_b / r->med_a - 1) * 100;
    r->p = t.p;
    r->tv = is_machine_row(r->name) ? V_INFO : judge(r->change, r->p, rf_mwu_min_p(r->a->n, r->b->n), o);
    return true;
}

/* FNV-1a, so that each row's bootstrap draws its own reproducible stream. */
static uint64_t name_seed(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool speedup_gate(gate_row *r, const rf_bench_file *fa, const rf_bench_file *fb, const gate_opts *o)
{
    rf_bench_name nm;
    if (!rf_bench_name_parse(r->name, &nm) || !strcmp(nm.kernel, "machine") ||
        rf_bench_row_kind(nm.impl, NULL, 0) == RF_ROW_SCALAR)
        return true;
    const rf_bench *sa = scalar_peer(fa, &nm), *sb = scalar_peer(fb, &nm);
    if (!sa || !sb) return true;
    double ma = median(sa, o), mb = median(sb, o);
    r->has_speedup = true;
    r->sp_a = ma / median(r->a, o);
    r->sp_b = mb / median(r->b, o);
    r->sp_change = (r->sp_b / r->sp_a - 1) * 100;
    r->scalar_change = (mb / ma - 1) * 100;
    r->sp_p = rf_boot_ratio_p(times(sa, o), sa->n, times(r->a, o), r->a->n, times(sb, o), sb->n, times(r->b, o),
                              r->b->n, BOOT_RESAMPLES, name_seed(r->name));
    if (isnan(r->sp_p)) return false;
    size_t nmin = sa->n;
    if (sb->n < nmin) nmin = sb->n;
    if (r->a->n < nmin) nmin = r->a->n;
    if (r->b->n < nmin) nmin = r->b->n;
    r->sv = judge(-r->sp_change, r->sp_p, rf_mwu_min_p(nmin, nmin), o);
    return true;
}

static int name_width(const gate_row *rows, size_t n)
{
    size_t w = strlen("benchmark");
    for (size_t i = 0; i < n; i++)
        if (strlen(rows[i].name) > w) w = strlen(rows[i].name);
    return (int)(w > 64 ? 64 : w);
}

static void print_time_table(const gate_row *rows, size_t n, int w)
{
    printf("%-*s  %12s  %12s  %9s  %9s  %7s  %s\n", w, "benchmark", "baseline", "current", "change",
           "p-value", "reps", "verdict");
    for (size_t i = 0; i < n; i++) {
        const gate_row *r = &rows[i];
        char ta[32], tb[32], reps[32];
        rf_fmt_time(r->med_a, ta, sizeof ta);
        rf_fmt_time(r->med_b, tb, sizeof tb);
        snprintf(reps, sizeof reps, "%zu/%zu", r->a->n, r->b->n);
        printf("%-*s  %12s  %12s  %+8.1f%%  %9.3g  %7s  %s\n", w, r->name, ta, tb, r->change, r->p, reps,
               verdict_name(r->tv));
    }
}

static void print_speedup_table(const gate_row *rows, size_t n, int w)
{
    printf("%-*s  %12s  %12s  %9s  %9s  %7s  %s\n", w, "speedup over scalar", "baseline", "current",
           "change", "p-value", "reps", "verdict");
    for (size_t i = 0; i < n; i++) {
        const gate_row *r = &rows[i];
        if (!r->has_speedup) continue;
        char reps[32];
        snprintf(reps, sizeof reps, "%zu/%zu", r->a->n, r->b->n);
        printf("%-*s  %11.3fx  %11.3fx  %+8.1f%%  %9.3g  %7s  %s\n", w, r->name, r->sp_a, r->sp_b,
               r->sp_change, r->sp_p, reps, verdict_name(r->sv));
    }
}

/* One stderr line for all benchmarks below --min-repetitions. */
static void warn_repetitions(const gate_row *rows, size_t n, const gate_opts *o)
{
    size_t few = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].a->n < o->min_reps || rows[i].b->n < o->min_reps) {
            if (!few) first = i;
            few++;
        }
    if (!few) return;
    size_t need = 1;
    while (need < 1000 && rf_mwu_min_p(need, need) > o->alpha) need++;
    fprintf(stderr,
            "refast: gate: warning: %zu of %zu benchmarks have fewer than %llu repetitions "
            "(e.g. %s: %zu baseline, %zu current); with equal counts the U test needs at least %zu "
            "each to reach p <= %g at all\n",
            few, n, o->min_reps, rows[first].name, rows[first].a->n, rows[first].b->n, need, o->alpha);
}

static void print_regressions(const gate_row *rows, size_t n, const gate_opts *o)
{
    for (size_t i = 0; i < n; i++) {
        const gate_row *r = &rows[i];
        if (r->tv == V_REGRESSED) {
            char ta[32], tb[32];
            rf_fmt_time(r->med_a, ta, sizeof ta);
            rf_fmt_time(r->med_b, tb, sizeof tb);
            printf("regression: %s: median %s -> %s (%+.1f%%, threshold %g%%), p = %.3g (alpha %g), "
                   "%zu vs %zu repetitions\n",
                   r->name, ta, tb, r->change, o->threshold, r->p, o->alpha, r->a->n, r->b->n);
        }
        if (r->sv == V_REGRESSED)
            printf("regression: %s: speedup over scalar %.3fx -> %.3fx (%+.1f%%, threshold -%g%%), "
                   "p = %.3g (alpha %g); its time %+.1f%%, scalar's %+.1f%%\n",
                   r->name, r->sp_a, r->sp_b, r->sp_change, o->threshold, r->sp_p, o->alpha,
                   (median(r->b, o) / median(r->a, o) - 1) * 100, r->scalar_change);
    }
}

/* Names the first few benchmarks of `in` that `other` lacks. */
static void list_missing(const char *what, const rf_bench_file *in, const rf_bench_file *other)
{
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (rf_bench_find(other, in->b[i].name)) continue;
        if (total++ < 5) printf("%s%s", shown++ ? ", " : "  ", in->b[i].name);
    }
    if (total > 5) printf(", ... (%zu more)", total - 5);
    if (total) printf(" (%s)\n", what);
}

static int run_gate(const gate_opts *o, const rf_bench_file *fa, const rf_bench_file *fb)
{
    gate_row *rows = calloc(fa->n ? fa->n : 1, sizeof *rows);
    if (!rows) return rf_usage_error("gate: out of memory");
    size_t n = 0, only_a = 0, only_b = 0;
    for (size_t i = 0; i < fa->n; i++) {
        const rf_bench *b = rf_bench_find(fb, fa->b[i].name);
        if (!b) {
            only_a++;
            continue;
        }
        rows[n++] = (gate_row){.name = fa->b[i].name, .a = &fa->b[i], .b = b};
    }
    for (size_t i = 0; i < fb->n; i++)
        if (!rf_bench_find(fa, fb->b[i].name)) only_b++;
    if (n == 0) {
        free(rows);
        return rf_usage_error("gate: no benchmark is present in both %s (%zu) and %s (%zu)", o->baseline,
                              fa->n, o->current, fb->n);
    }
    for (size_t i = 0; i < n; i++) {
        gate_row *r = &rows[i];
        if (!time_gate(r, o) || !speedup_gate(r, fa, fb, o)) {
            free(rows);
            return rf_usage_error("gate: out of memory");
        }
        if (!o->time_gate && r->tv != V_INFO) r->tv = V_UNCHANGED;
        if (!o->speedup_gate) r->has_speedup = false, r->sv = V_UNCHANGED;
    }

    int w = name_width(rows, n);
    printf("refast gate: baseline %s, current %s; %s time, threshold %g%%, alpha %g\n\n", o->baseline,
           o->current, o->cpu ? "cpu" : "real", o->threshold, o->alpha);
    if (o->time_gate) print_time_table(rows, n, w);
    bool any_speedup = false;
    for (size_t i = 0; i < n; i++) any_speedup |= rows[i].has_speedup;
    if (any_speedup) {
        if (o->time_gate) printf("\n");
        print_speedup_table(rows, n, w);
    } else if (o->speedup_gate && !o->time_gate) {
        printf("(no benchmark has a scalar row of the same kernel and size in both files)\n");
    }
    if (only_a || only_b) {
        printf("\n%zu benchmarks only in the baseline, %zu only in the current run (not compared)\n", only_a,
               only_b);
        list_missing("only in the baseline", fa, fb);
        list_missing("only in the current run", fb, fa);
    }
    warn_repetitions(rows, n, o);
    const char *ca = rf_json_get_string(fa->context, "refast_machine_class");
    const char *cb = rf_json_get_string(fb->context, "refast_machine_class");
    if (ca && cb && strcmp(ca, cb) && o->time_gate)
        fprintf(stderr,
                "refast: gate: warning: baseline is from machine class %s, current from %s; times are not "
                "comparable across machines (--only speedup compares speedups only)\n",
                ca, cb);
    if (fa->error_rows || fb->error_rows)
        fprintf(stderr, "refast: gate: warning: skipped %zu baseline and %zu current rows reporting an error\n",
                fa->error_rows, fb->error_rows);

    size_t nreg = 0, nimp = 0, nsame = 0, ninc = 0;
    for (size_t i = 0; i < n; i++) {
        gate_row *r = &rows[i];
        if (r->tv == V_INFO) continue;
        if (r->tv == V_REGRESSED || r->sv == V_REGRESSED) r->overall = V_REGRESSED, nreg++;
        else if (r->tv == V_IMPROVED || r->sv == V_IMPROVED) r->overall = V_IMPROVED, nimp++;
        else {
            nsame++;
            if (r->tv == V_INCONCLUSIVE || r->sv == V_INCONCLUSIVE) ninc++;
        }
    }
    printf("\n");
    print_regressions(rows, n, o);
    if (ninc)
        printf("%zu benchmarks changed by more than %g%% but have too few repetitions to test "
               "(counted as unchanged)\n",
               ninc, o->threshold);
    printf("gate: %zu regressions, %zu improvements, %zu unchanged\n", nreg, nimp, nsame);
    free(rows);
    return nreg ? RF_EXIT_CHECK : RF_EXIT_OK;
}

/* What the command line says; gate_opts is derived from it. */
typedef struct gate_args {
    const char *baseline, *current;
    double threshold, alpha;
    unsigned long long min_reps;
    int only, time; /* indices into "time|speedup" and "real|cpu" */
} gate_args;

static int run_gate_cmd(const void *args)
{
    const gate_args *a = args;
    const gate_opts o = {a->baseline, a->current, a->threshold, a->alpha, a->min_reps,
                         a->only != 1, a->only != 0, a->time == 1};
    char err[512];
    rf_bench_file fa, fb;
    if (!rf_bench_load(o.baseline, &fa, err, sizeof err)) return rf_usage_error("gate: baseline %s", err);
    if (!rf_bench_load(o.current, &fb, err, sizeof err)) {
        rf_bench_free(&fa);
        return rf_usage_error("gate: current %s", err);
    }
    const int rc = o.cpu && (!check_cpu_times(&fa) || !check_cpu_times(&fb)) ? RF_EXIT_USAGE : run_gate(&o, &fa, &fb);
    fflush(stdout);
    rf_bench_free(&fa);
    rf_bench_free(&fb);
    return rc;
}

static const rf_opt gate_opts_table[] = {
    {"--baseline", RF_OPT_FILE, offsetof(gate_args, baseline), "A.json",
     .help = "the reference run (refast bench --out)",
     .flags = RF_OPT_REQUIRED},
    {"--current", RF_OPT_FILE, offsetof(gate_args, current), "B.json", .help = "the run under test",
     .flags = RF_OPT_REQUIRED},
    {"--threshold", RF_OPT_F64, offsetof(gate_args, threshold), "PCT",
     .help = "minimum relative change that counts, in percent (\"5%\" is accepted)", .def = "5", .min = 0,
     .flags = RF_OPT_PERCENT},
    {"--alpha", RF_OPT_F64, offsetof(gate_args, alpha), "A", .help = "significance level of the tests", .def = "0.05",
     .min = 0, .max = 1, .flags = RF_OPT_MIN_OPEN | RF_OPT_MAX_OPEN},
    {"--min-repetitions", RF_OPT_U64, offsetof(gate_args, min_reps), "N",
     .help = "warn about benchmarks with fewer repetitions", .def = "9", .min = 1, .max = 1000000},
    {"--only", RF_OPT_CHOICE, offsetof(gate_args, only), "time|speedup", .help = "run one gate only (default: both)"},
    {"--time", RF_OPT_CHOICE, offsetof(gate_args, time), "real|cpu",
     .help = "which time of each repetition to compare (cpu: steadier on a shared\n"
             "machine, where real time includes waits)",
     .def = "cpu"},
    {0},
};

const rf_command rf_cmd_gate = {
    .name = "gate",
    .summary = "compare two benchmark runs; exit 1 on a regression",
    .about = "Compares two Google Benchmark JSON files (refast bench --out) and exits 1 on a regression.\n"
             "  time gate:    a benchmark regressed if the two-sided Mann-Whitney U test on its\n"
             "                repetitions rejects equality at alpha AND its median slowed by\n"
             "                more than PCT percent.\n"
             "  speedup gate: each non-scalar implementation's speedup over scalar of the same kernel\n"
             "                and size, measured within each file (median ratio), regressed if it fell\n"
             "                by more than PCT percent of the baseline speedup AND a bootstrap test of\n"
             "                the ratio of speedups (scalar and impl repetitions resampled) rejects at\n"
             "                alpha. Robust to the files coming from machines of different speed.\n"
             "Prints a table per gate and a last line \"gate: N regressions, M improvements, K unchanged\".\n"
             "Rows of the kernel \"machine\" are informational. Exit codes: 0 no regression,\n"
             "1 regression(s) (each listed with its numbers), 2 usage or input error.",
    .opts = gate_opts_table,
    .size = sizeof(gate_args),
    .run = run_gate_cmd,
};
