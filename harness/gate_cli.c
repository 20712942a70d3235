/* Judging, confirming, printing and writing a gate result for a command (see gate_cli.h). */
#include "gate_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "gate_out.h"
#include "gate_print.h"

size_t rf_gate_kernels_of(const char *const *names, size_t n, const char **kernels, char **buf)
{
    size_t total = 0, k = 0;
    for (size_t i = 0; i < n; i++) total += strlen(names[i]) + 1;
    char *p = *buf = malloc(total ? total : 1);
    for (size_t i = 0; p && i < n; i++) {
        rf_bench_name nm;
        if (!rf_bench_name_parse(names[i], &nm)) continue;
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++) seen = !strcmp(kernels[j], nm.kernel);
        if (seen) continue;
        strcpy(p, nm.kernel);
        kernels[k++] = p;
        p += strlen(nm.kernel) + 1;
    }
    return k;
}

/* Re-measures the regressed rows and folds the re-run's verdicts into r; false after a message. */
static bool confirm_rows(const char *cmd, const rf_gate_cfg *cfg, rf_gate_result *r, rf_confirm_fn confirm, void *ctx,
                         rf_bench_file *ca, rf_bench_file *cb, rf_gate_result *cr)
{
    size_t n;
    const char **names = rf_gate_flagged(r, &n);
    char err[512];
    if (!names) return rf_usage_error("%s: out of memory", cmd), false;
    if (!n) {
        free(names);
        return true;
    }
    fprintf(stderr, "refast: %s: confirming %zu regressed rows with more repetitions\n", cmd, n);
    bool ok = confirm(ctx, names, n, ca, cb, err, sizeof err);
    if (!ok) rf_usage_error("%s: --confirm: %s", cmd, err);
    rf_gate_cfg c = *cfg;
    c.only = names;
    c.nonly = n;
    if (ok && !(ok = rf_gate_judge(&c, ca, cb, cr, err, sizeof err))) rf_usage_error("%s: --confirm: %s", cmd, err);
    if (ok) rf_gate_apply_confirmation(r, cr);
    free(names);
    return ok;
}

int rf_gate_conclude(const char *cmd, const rf_gate_args *a, const rf_bench_file *fa, const rf_bench_file *fb,
                     const char *base_what, const char *cur_what, rf_confirm_fn confirm, void *ctx)
{
    const rf_gate_cfg cfg = {.threshold = a->threshold_given ? a->threshold : -1, .alpha = a->alpha,
                             .time_gate = a->only != 1, .speedup_gate = a->only != 0, .cpu = a->time == 1};
    char err[512];
    if (a->confirm && !confirm) return rf_usage_error("%s: --confirm needs a way to re-run the benchmarks", cmd);
    rf_gate_result r;
    if (!rf_gate_judge(&cfg, fa, fb, &r, err, sizeof err)) return rf_usage_error("%s: %s", cmd, err);
    if (cfg.cpu && r.metric == RF_METRIC_TIME)
        for (size_t i = 0; i < r.n; i++)
            for (size_t s = 0; s < 2; s++) {
                const rf_bench *b = s ? r.rows[i].b : r.rows[i].a;
                for (size_t k = 0; k < b->n; k++)
                    if (!(b->cpu_ns[k] > 0 && b->cpu_ns[k] < 1e300)) {
                        rf_gate_result_free(&r);
                        return rf_usage_error("%s: %s: %s has no positive cpu_time (needed by --time cpu)", cmd,
                                              s ? fb->path : fa->path, b->name);
                    }
            }
    rf_bench_file ca = {0}, cb = {0};
    rf_gate_result cr = {0};
    int rc = RF_EXIT_OK;
    if (a->confirm && r.metric == RF_METRIC_TIME && r.nreg &&
        !confirm_rows(cmd, &cfg, &r, confirm, ctx, &ca, &cb, &cr))
        rc = RF_EXIT_USAGE;
    if (rc == RF_EXIT_OK) {
        rf_gate_print(stdout, &r, fa, fb, base_what, cur_what, a->min_reps);
        if (a->annotations) rf_gate_annotations(stdout, &r);
        const rf_gate_outputs o = {a->json, a->markdown, a->junit, a->annotations};
        if (!rf_gate_write_outputs(&r, &o, base_what, cur_what, err, sizeof err))
            rc = rf_usage_error("%s: %s", cmd, err);
        else rc = rf_gate_exit_code(&r);
    }
    fflush(stdout);
    rf_gate_result_free(&r);
    rf_gate_result_free(&cr);
    rf_bench_free(&ca);
    rf_bench_free(&cb);
    return rc;
}
