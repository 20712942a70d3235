/* The console tables of a gate result (see gate_print.h). */
#include "gate_print.h"

#include <math.h>
#include <string.h>

#include "stats.h"

static int name_width(const rf_gate_result *r)
{
    size_t w = strlen("speedup over scalar");
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->rows[i].name) > w) w = strlen(r->rows[i].name);
    return (int)(w > 64 ? 64 : w);
}

/* A median: a time, or an instruction count per call. */
static void fmt_value(const rf_gate_result *r, double v, char *buf, size_t len)
{
    if (r->metric == RF_METRIC_INSTRUCTIONS) snprintf(buf, len, "%.0f", v);
    else rf_fmt_time(v, buf, len);
}

static void fmt_p(double p, char *buf, size_t len)
{
    if (isnan(p)) snprintf(buf, len, "-");
    else snprintf(buf, len, "%.3g", p);
}

static void fmt_mds(double m, char *buf, size_t len)
{
    if (isinf(m)) snprintf(buf, len, "inf");
    else snprintf(buf, len, "%.1f%%", m);
}

static void print_table(FILE *f, const rf_gate_result *r, int w, bool speedup)
{
    fprintf(f, "%-*s  %12s  %12s  %9s  %9s  %9s  %7s  %7s  %6s  %s\n", w, speedup ? "speedup over scalar" : "benchmark",
            "baseline", "current", "change", "p-value", "q-value", "MDS", "reps", "thresh", "verdict");
    for (size_t i = 0; i < r->n; i++) {
        const rf_gate_row *row = &r->rows[i];
        const rf_gate_cmp *c = speedup ? &row->speedup : &row->time;
        if (!c->present && !(row->overall == RF_V_INFO && !speedup)) continue;
        char ta[32], tb[32], reps[32], p[16], q[16], m[16], thr[16];
        if (row->overall == RF_V_INFO) { /* machine rows: the medians only */
            fmt_value(r, row->time.base, ta, sizeof ta);
            fmt_value(r, row->time.cur, tb, sizeof tb);
            snprintf(reps, sizeof reps, "%zu/%zu", row->a->n, row->b->n);
            fprintf(f, "%-*s  %12s  %12s  %9s  %9s  %9s  %7s  %7s  %6s  %s\n", w, row->name, ta, tb, "", "", "", "",
                    reps, "", "info");
            continue;
        }
        if (speedup) {
            snprintf(ta, sizeof ta, "%.3fx", c->base);
            snprintf(tb, sizeof tb, "%.3fx", c->cur);
        } else {
            fmt_value(r, c->base, ta, sizeof ta);
            fmt_value(r, c->cur, tb, sizeof tb);
        }
        snprintf(reps, sizeof reps, "%zu/%zu", row->a->n, row->b->n);
        fmt_p(c->p, p, sizeof p);
        fmt_p(c->q, q, sizeof q);
        fmt_mds(c->mds, m, sizeof m);
        snprintf(thr, sizeof thr, "%g%%%s", row->threshold, row->threshold_from_registry ? "*" : "");
        fprintf(f, "%-*s  %12s  %12s  %+8.1f%%  %9s  %9s  %7s  %7s  %6s  %s%s\n", w, row->name, ta, tb, c->change, p, q, m,
                reps, thr, rf_verdict_name(c->v), row->confirm_ran ? " (confirmation)" : "");
    }
}

/* Names the first few benchmarks of `in` that `other` lacks. */
static void list_missing(FILE *f, const char *what, const rf_bench_file *in, const rf_bench_file *other)
{
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (rf_bench_find(other, in->b[i].name)) continue;
        if (total++ < 5) fprintf(f, "%s%s", shown++ ? ", " : "  ", in->b[i].name);
    }
    if (total > 5) fprintf(f, ", ... (%zu more)", total - 5);
    if (total) fprintf(f, " (%s)\n", what);
}

/* One stderr line for all benchmarks below min_reps. */
static void warn_repetitions(const rf_gate_result *r, unsigned long long min_reps)
{
    size_t few = 0, first = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->rows[i].a->n < min_reps || r->rows[i].b->n < min_reps) {
            if (!few) first = i;
            few++;
        }
    if (!few || r->metric == RF_METRIC_INSTRUCTIONS) return;
    size_t need = 1;
    while (need < 1000 && rf_mwu_min_p(need, need) > r->cfg.alpha) need++;
    fprintf(stderr,
            "refast: gate: warning: %zu of %zu benchmarks have fewer than %llu repetitions "
            "(e.g. %s: %zu baseline, %zu current); with equal counts the U test needs at least %zu "
            "each to reach p <= %g at all\n",
            few, r->n, min_reps, r->rows[first].name, r->rows[first].a->n, r->rows[first].b->n, need, r->cfg.alpha);
}

static void print_regressions(FILE *f, const rf_gate_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const rf_gate_row *row = &r->rows[i];
        if (row->overall != RF_V_REGRESSED) continue;
        const char *conf = row->confirm_ran ? " [confirmed by a re-run]" : "";
        if (row->time.v == RF_V_REGRESSED) {
            char ta[32], tb[32];
            fmt_value(r, row->time.base, ta, sizeof ta);
            fmt_value(r, row->time.cur, tb, sizeof tb);
            if (r->metric == RF_METRIC_INSTRUCTIONS)
                fprintf(f, "regression: %s: instructions per call %s -> %s (%+.2f%%, threshold %g%%)%s\n", row->name, ta,
                        tb, row->time.change, row->threshold, conf);
            else
                fprintf(f, "regression: %s: median %s -> %s (%+.1f%%, threshold %g%%), p = %.3g, q = %.3g (alpha %g), "
                           "%zu vs %zu repetitions%s\n",
                        row->name, ta, tb, row->time.change, row->threshold, row->time.p, row->time.q, r->cfg.alpha,
                        row->a->n, row->b->n, conf);
        }
        if (row->speedup.v == RF_V_REGRESSED)
            fprintf(f, "regression: %s: speedup over scalar %.3fx -> %.3fx (%+.1f%%, threshold -%g%%), "
                       "p = %.3g, q = %.3g (alpha %g); scalar's change %+.1f%%%s\n",
                    row->name, row->speedup.base, row->speedup.cur, row->speedup.change, row->threshold, row->speedup.p,
                    row->speedup.q, r->cfg.alpha, row->scalar_change, conf);
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->rows[i].confirm_ran && r->rows[i].overall != RF_V_REGRESSED)
            fprintf(f, "not confirmed: %s was flagged, but the re-run with more repetitions did not reproduce it\n",
                    r->rows[i].name);
}

void rf_gate_print(FILE *out, const rf_gate_result *r, const rf_bench_file *fa, const rf_bench_file *fb,
                   const char *base_what, const char *cur_what, unsigned long long min_reps)
{
    const int w = name_width(r);
    if (r->metric == RF_METRIC_INSTRUCTIONS)
        fprintf(out, "refast gate: baseline %s, current %s; instructions per call, threshold %g%% (deterministic "
                     "counts: no statistics)\n\n",
                base_what, cur_what, r->cfg.threshold);
    else
        fprintf(out, "refast gate: baseline %s, current %s; %s time, threshold %g%%, alpha %g (false discovery rate, "
                     "Benjamini-Hochberg over %zu comparisons)\n\n",
                base_what, cur_what, r->cfg.cpu ? "cpu" : "real", r->cfg.threshold, r->cfg.alpha, r->ncomparisons);
    bool any_speedup = false, any_registry = false;
    for (size_t i = 0; i < r->n; i++) {
        any_speedup |= r->rows[i].speedup.present;
        any_registry |= r->rows[i].threshold_from_registry;
    }
    if (r->cfg.time_gate) print_table(out, r, w, false);
    if (any_speedup) {
        if (r->cfg.time_gate) fprintf(out, "\n");
        print_table(out, r, w, true);
    } else if (r->cfg.speedup_gate && !r->cfg.time_gate) {
        fprintf(out, "(no benchmark has a scalar row of the same kernel and size in both files)\n");
    }
    if (any_registry) {
        fprintf(out, "\n* threshold of the kernel's registry entry (gate_threshold_pct), wider than the default:");
        char last[96] = "";
        for (size_t i = 0; i < r->n; i++) {
            rf_bench_name nm;
            if (!r->rows[i].threshold_from_registry || !rf_bench_name_parse(r->rows[i].name, &nm) ||
                !strcmp(nm.kernel, last))
                continue; /* a kernel's rows are contiguous in a bench file: each kernel once */
            fprintf(out, " %s %g%%", nm.kernel, r->rows[i].threshold);
            snprintf(last, sizeof last, "%s", nm.kernel);
        }
        fprintf(out, "\n");
    }
    if (r->only_a || r->only_b) {
        fprintf(out, "\n%zu benchmarks only in the baseline, %zu only in the current run (not compared)\n", r->only_a,
                r->only_b);
        list_missing(out, "only in the baseline", fa, fb);
        list_missing(out, "only in the current run", fb, fa);
    }
    warn_repetitions(r, min_reps);
    for (size_t i = 0; i < r->nwarnings; i++) fprintf(stderr, "refast: gate: warning: %s\n", r->warnings[i]);

    fprintf(out, "\n");
    print_regressions(out, r);
    if (r->ninc)
        fprintf(out, "%zu benchmarks changed by more than their threshold but the repetitions could not test it "
                     "(inconclusive, counted as unchanged)\n",
                r->ninc);
    if (isfinite(r->geomean_time) || isfinite(r->geomean_speedup)) {
        fprintf(out, "geometric mean:");
        if (isfinite(r->geomean_time))
            fprintf(out, " %s current/baseline %.4f (%+.2f%%)", r->metric == RF_METRIC_INSTRUCTIONS ? "instructions" : "time",
                    r->geomean_time, (r->geomean_time - 1) * 100);
        if (isfinite(r->geomean_speedup))
            fprintf(out, "%s speedup over scalar current/baseline %.4f (%+.2f%%)", isfinite(r->geomean_time) ? ";" : "",
                    r->geomean_speedup, (r->geomean_speedup - 1) * 100);
        fprintf(out, "\n");
    }
    if (r->metric == RF_METRIC_TIME)
        fprintf(out, "noise: %zu of %zu comparisons cannot detect a slowdown of their threshold (MDS > threshold)%s\n",
                r->nblind, r->ncomparisons, r->too_noisy ? ": more than half, too noisy to certify" : "");
    fprintf(out, "gate: %zu regressions, %zu improvements, %zu unchanged\n", r->nreg, r->nimp, r->nsame);
    if (!r->nreg && r->too_noisy)
        fprintf(out, "gate: inconclusive: the measurements are too noisy to detect a regression of the threshold "
                     "(more repetitions or a quieter machine)\n");
}
