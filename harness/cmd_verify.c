/* refast verify: every golden case judged at ref and at every selected level (SPEC §3, §6). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "golden.h"
#include "jsonw.h"
#include "junit.h"

/* Running totals and the JSON document of one verify run. */
typedef struct tally {
    size_t passed, failed;
    rf_wbuf jw;
    rf_junit junit; /* --junit: one test case per case and level */
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
    if (ran && v.not_applicable) { /* a peer that does not compute this case: said, not counted */
        char nlabel[128];
        snprintf(nlabel, sizeof nlabel, "%s.%s", k->name, s->name);
        printf("%-44s %-14s n/a: %s\n", nlabel, lname, v.detail);
        return;
    }
    char label[128];
    snprintf(label, sizeof label, "%s.%s", k->name, s->name);
    printf("%-44s %-14s %-8s %10.3g %10.3g %8.3g  %s%s\n", label, lname, rf_tol_name(v.cls), v.max_abs,
           v.max_ratio, v.bound, pass ? "pass" : "FAIL", v.near_ties ? " (near-tie flips)" : "");
    if (!pass) printf("    %s\n", v.detail);
    pass ? t->passed++ : t->failed++;
    char cls[96], name[224], msg[320];
    snprintf(cls, sizeof cls, "verify.%s", k->name);
    snprintf(name, sizeof name, "%s [%s]", s->name, lname);
    snprintf(msg, sizeof msg, "%s: max ratio %.3g, bound %.3g (%s)", pass ? "pass" : "FAIL", v.max_ratio, v.bound,
             rf_tol_name(v.cls));
    rf_junit_case(&t->junit, cls, name, pass ? RF_JUNIT_PASS : RF_JUNIT_FAIL, msg, v.detail);

    rf_wbuf *jw = &t->jw;
    if (t->passed + t->failed > 1) rf_wbuf_puts(jw, ",");
    rf_wbuf_puts(jw, "{\"kernel\":");
    rf_jsonw_str(jw, k->name);
    rf_wbuf_puts(jw, ",\"case\":");
    rf_jsonw_str(jw, s->name);
    rf_wbuf_puts(jw, ",\"level\":");
    rf_jsonw_str(jw, level);
    rf_wbuf_puts(jw, ",\"provided_by\":");
    rf_jsonw_str(jw, provided_by);
    rf_wbuf_puts(jw, ",\"class\":");
    rf_jsonw_str(jw, rf_tol_name(v.cls));
    rf_wbuf_printf(jw, ",\"max_abs_error\":%.17g,\"ratio\":%.17g,\"bound\":%.17g,"
                       "\"compared\":%llu,\"mismatches\":%llu,\"near_ties\":%llu,\"pass\":%s,"
                       "\"detail\":",
                   v.max_abs, v.max_ratio, v.bound, (unsigned long long)v.compared,
                   (unsigned long long)v.mismatches, (unsigned long long)v.near_ties, pass ? "true" : "false");
    rf_jsonw_str(jw, v.detail);
    rf_wbuf_puts(jw, "}");
}

typedef struct verify_opts {
    rf_levels levels;
    bool peers;
    const char *kernel, *golden, *json, *junit;
} verify_opts;

static int run_verify(const void *opts)
{
    const verify_opts *o = opts;
    const char *glob = o->kernel, *dir = o->golden ? o->golden : rf_golden_dir();
    rf_isa sel[RF_ISA_COUNT];
    size_t nsel = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++) /* ref is judged against the oracle like every level */
        if (l == RF_ISA_SCALAR || o->levels.on[l]) sel[nsel++] = (rf_isa)l;

    size_t matched = 0;
    for (size_t i = 0; i < rf_kernel_count(); i++) matched += rf_glob_match(glob, rf_kernel_at(i)->name);
    if (!matched) return rf_usage_error("verify: no kernel matches '%s'", glob);

    tally t = {0};
    rf_wbuf_puts(&t.jw, "{\"cpu\":");
    rf_jsonw_str(&t.jw, rf_isa_cpu_summary());
    rf_wbuf_puts(&t.jw, ",\"results\":[");

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
                rf_wbuf_free(&t.jw);
                rf_junit_free(&t.junit);
                return rf_usage_error("%s", err);
            }
            if (strcmp(c.kernel, k->name) != 0) {
                rf_case_free(&c);
                rf_wbuf_free(&t.jw);
                rf_junit_free(&t.junit);
                return rf_usage_error("%s: field 'kernel': '%s', expected '%s'", path, c.kernel, k->name);
            }
            rf_impl im[RF_MAX_IMPLS];
            const size_t nim = rf_kernel_impls(k, sel, nsel, o->peers, im, RF_MAX_IMPLS);
            for (size_t j = 0; j < nim; j++) judge_row(&im[j], s, &c, &t);
            rf_case_free(&c);
        }
    }
    rf_wbuf_printf(&t.jw, "],\"passed\":%zu,\"failed\":%zu}\n", t.passed, t.failed);
    bool saved = !o->json || rf_wbuf_save(&t.jw, o->json, err, sizeof err);
    if (saved && o->junit) saved = rf_junit_save(&t.junit, "refast verify", o->junit, err, sizeof err);
    rf_wbuf_free(&t.jw);
    rf_junit_free(&t.junit);
    if (!saved) return rf_usage_error("%s", err);
    printf("verify: %zu passed, %zu failed\n", t.passed, t.failed);
    return t.failed ? RF_EXIT_CHECK : RF_EXIT_OK;
}

static const rf_opt verify_opts_table[] = {
    {"--isa", RF_OPT_LEVELS, offsetof(verify_opts, levels), NULL,
     .help = "the levels to judge beside ref (scalar); default: REFAST_ISA, else the\nbest this CPU has"},
    {"--peers", RF_OPT_FLAG, offsetof(verify_opts, peers), NULL,
     .help = "also judge the benchmark peers: autovec_<level> for each selected level\nand openblas"},
    {"--kernel", RF_OPT_STR, offsetof(verify_opts, kernel), "GLOB",
     .help = "kernels whose name matches (shell pattern)",
     .def = "*"},
    {"--golden", RF_OPT_FILE, offsetof(verify_opts, golden), "DIR",
     .help = "the golden files (default: $REFAST_GOLDEN, else golden)"},
    {"--json", RF_OPT_FILE, offsetof(verify_opts, json), "FILE", .help = "also write every row as JSON to FILE"},
    {"--junit", RF_OPT_FILE, offsetof(verify_opts, junit), "FILE",
     .help = "also write JUnit XML to FILE: one test case per case and level"},
    {0},
};

const rf_command rf_cmd_verify = {
    .name = "verify",
    .summary = "judge every golden case: oracle vs ref vs fast[level]",
    .about = "Loads every golden case of the matching kernels and runs ref (scalar) and each\n"
             "selected level on its inputs, comparing with the oracle's outputs under the kernel's\n"
             "tolerance class. One row per case and level: max |error|, the error ratio\n"
             "(|got-want|/(u*S) for sum/iterate, ulps for ulp, mismatches for exact/decision), the\n"
             "bound and the verdict. A level without its own code runs its fallback, shown as\n"
             "'avx512->avx2'. With --peers no ratio in a report rests on a wrong peer.\n"
             "Ends with 'verify: N passed, M failed'. Exit 1 if any case failed.",
    .opts = verify_opts_table,
    .size = sizeof(verify_opts),
    .run = run_verify,
};
