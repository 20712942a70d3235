/* refast verify: every golden case judged at ref and at every selected level (SPEC §3, §6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "golden.h"
#include "jsonw.h"

static void verify_help(void)
{
    printf("usage: refast verify [--isa LEVEL|all] [--peers] [--kernel GLOB] [--golden DIR] [--json FILE]\n"
           "Loads every golden case of the matching kernels and runs ref (scalar) and each\n"
           "selected level on its inputs, comparing with the oracle's outputs under the kernel's\n"
           "tolerance class. One row per case and level: max |error|, the error ratio\n"
           "(|got-want|/(u*S) for sum/iterate, ulps for ulp, mismatches for exact/decision), the\n"
           "bound and the verdict. A level without its own code runs its fallback, shown as\n"
           "'avx512->avx2'. --peers also judges the benchmark peers: autovec_<level> for each\n"
           "selected level and openblas, so that no ratio in a report rests on a wrong peer. Ends with 'verify: N passed, M failed'. Exit 1 if any case failed.\n"
           "Default level: REFAST_ISA, else the best this CPU has.\n");
}

/* Running totals and the JSON document of one verify run. */
typedef struct tally {
    size_t passed, failed;
    rf_jsonw jw;
} tally;

/* Judges one implementation on one case: a table row, a JSON record, the tally. */
static void judge_row(const rf_impl *im, const rf_case_spec *s, const rf_case *c, tally *t)
{
    const rf_kernel *k = im->kernel;
    /* a level shows where its code came from: "avx512->avx2" is avx512 falling back to avx2 */
    char lname[48];
    const char *level = im->kind == RF_IMPL_LEVEL ? rf_isa_name(im->level) : im->label;
    const char *provided_by = im->kind == RF_IMPL_LEVEL ? rf_isa_name(im->provided_by) : im->label;
    if (im->kind == RF_IMPL_LEVEL && im->provided_by != im->level)
        snprintf(lname, sizeof lname, "%s->%s", level, provided_by);
    else snprintf(lname, sizeof lname, "%s", im->label);
    rf_verdict v;
    bool ran = rf_judge(im, c, &v);
    bool pass = ran && v.pass;
    char label[128];
    snprintf(label, sizeof label, "%s.%s", k->name, s->name);
    printf("%-44s %-14s %-8s %10.3g %10.3g %8.3g  %s%s\n", label, lname, rf_tol_name(v.cls), v.max_abs,
           v.max_ratio, v.bound, pass ? "pass" : "FAIL", v.near_ties ? " (near-tie flips)" : "");
    if (!pass) printf("    %s\n", v.detail);
    pass ? t->passed++ : t->failed++;

    rf_jsonw *jw = &t->jw;
    if (t->passed + t->failed > 1) rf_jsonw_raw(jw, ",");
    rf_jsonw_raw(jw, "{\"kernel\":");
    rf_jsonw_str(jw, k->name);
    rf_jsonw_raw(jw, ",\"case\":");
    rf_jsonw_str(jw, s->name);
    rf_jsonw_raw(jw, ",\"level\":");
    rf_jsonw_str(jw, level);
    rf_jsonw_raw(jw, ",\"provided_by\":");
    rf_jsonw_str(jw, provided_by);
    rf_jsonw_raw(jw, ",\"class\":");
    rf_jsonw_str(jw, rf_tol_name(v.cls));
    rf_jsonw_fmt(jw, ",\"max_abs_error\":%.17g,\"ratio\":%.17g,\"bound\":%.17g,"
                     "\"compared\":%llu,\"mismatches\":%llu,\"near_ties\":%llu,\"pass\":%s,"
                     "\"detail\":",
                 v.max_abs, v.max_ratio, v.bound, (unsigned long long)v.compared,
                 (unsigned long long)v.mismatches, (unsigned long long)v.near_ties, pass ? "true" : "false");
    rf_jsonw_str(jw, v.detail);
    rf_jsonw_raw(jw, "}");
}

int cmd_verify(int argc, char **argv)
{
    const char *isa = NULL, *glob = "*", *dir = rf_golden_dir(), *json = NULL;
    bool peers = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            verify_help();
            return RF_EXIT_OK;
        } else if (!strcmp(argv[i], "--peers")) {
            peers = true;
        } else if (rf_opt(argc, argv, &i, "--isa", &v)) {
            if (!v) return rf_usage_error("verify: --isa needs a level or 'all'");
            isa = v;
        } else if (rf_opt(argc, argv, &i, "--kernel", &v)) {
            if (!v) return rf_usage_error("verify: --kernel needs a glob");
            glob = v;
        } else if (rf_opt(argc, argv, &i, "--golden", &v)) {
            if (!v) return rf_usage_error("verify: --golden needs a directory");
            dir = v;
        } else if (rf_opt(argc, argv, &i, "--json", &v)) {
            if (!v) return rf_usage_error("verify: --json needs a file name");
            json = v;
        } else {
            return rf_usage_error("verify: unknown argument '%s' (see refast verify --help)", argv[i]);
        }
    }
    bool levels[RF_ISA_COUNT];
    if (!rf_cli_levels(isa, levels)) return RF_EXIT_USAGE;
    rf_isa sel[RF_ISA_COUNT];
    size_t nsel = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (levels[l]) sel[nsel++] = (rf_isa)l;
    levels[RF_ISA_SCALAR] = true; /* ref is judged against the oracle like every level */

    size_t matched = 0;
    for (size_t i = 0; i < rf_kernel_count(); i++) matched += rf_glob_match(glob, rf_kernel_at(i)->name);
    if (!matched) return rf_usage_error("verify: no kernel matches '%s'", glob);

    tally t = {0};
    rf_jsonw_init(&t.jw);
    rf_jsonw_raw(&t.jw, "{\"cpu\":");
    rf_jsonw_str(&t.jw, rf_isa_cpu_summary());
    rf_jsonw_raw(&t.jw, ",\"results\":[");

    printf("%-44s %-14s %-8s %10s %10s %8s  %s\n", "case", "level", "class", "max|err|", "ratio",
           "bound", "verdict");
    char err[512];
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!rf_glob_match(glob, k->name)) continue;
        for (const rf_case_spec *s = k->cases; s && s->name; s++) {
            char rel[512], path[4096];
            rf_golden_relpath(k, s, rel, sizeof rel);
            snprintf(path, sizeof path, "%s/%s", dir, rel);
            rf_case c;
            rfg_hash h;
            if (!rfg_read(path, &c, &h, err, sizeof err)) {
                rf_jsonw_free(&t.jw);
                return rf_usage_error("%s", err);
            }
            if (strcmp(c.kernel, k->name) != 0) {
                rf_case_free(&c);
                rf_jsonw_free(&t.jw);
                return rf_usage_error("%s: field 'kernel': '%s', expected '%s'", path, c.kernel, k->name);
            }
            rf_impl im[RF_MAX_IMPLS];
            const size_t nim = rf_kernel_impls(k, sel, nsel, peers, im, RF_MAX_IMPLS);
            for (size_t j = 0; j < nim; j++) judge_row(&im[j], s, &c, &t);
            rf_case_free(&c);
        }
    }
    rf_jsonw_fmt(&t.jw, "],\"passed\":%zu,\"failed\":%zu}\n", t.passed, t.failed);
    if (json && !rf_jsonw_save(&t.jw, json, err, sizeof err)) {
        rf_jsonw_free(&t.jw);
        return rf_usage_error("%s", err);
    }
    rf_jsonw_free(&t.jw);
    printf("verify: %zu passed, %zu failed\n", t.passed, t.failed);
    return t.failed ? RF_EXIT_CHECK : RF_EXIT_OK;
}
