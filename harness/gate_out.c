/* JSON, Markdown, JUnit and workflow-command outputs of a gate result (see gate_out.h). */
#include "gate_out.h"

#include <math.h>
#include <string.h>

#include "jsonw.h"
#include "junit.h"
#include "textesc.h"

static const char *overall_word(const rf_gate_result *r)
{
    const int rc = rf_gate_exit_code(r);
    return rc == 1 ? "regressed" : rc == 2 ? "inconclusive" : "pass";
}

static void json_cmp(rf_wbuf *w, const char *key, const rf_gate_cmp *c)
{
    rf_wbuf_printf(w, ",\"%s\":{\"baseline\":", key);
    rf_jsonw_num(w, c->base, 10);
    rf_jsonw_member_num(w, ",\"current\":", c->cur, 10);
    rf_jsonw_member_num(w, ",\"change_pct\":", c->change, 6);
    rf_jsonw_member_num(w, ",\"p\":", c->p, 6);
    rf_jsonw_member_num(w, ",\"q\":", c->q, 6);
    rf_jsonw_member_num(w, ",\"mds_pct\":", c->mds, 6); /* null when infinite: no slowdown is detectable */
    rf_wbuf_printf(w, ",\"verdict\":\"%s\"}", rf_verdict_name(c->v));
}

static void write_json(rf_wbuf *w, const rf_gate_result *r, const char *base_what, const char *cur_what)
{
    rf_jsonw_member_str(w, "{\"schema\":\"refast-gate/1\",\"baseline\":", base_what);
    rf_jsonw_member_str(w, ",\"current\":", cur_what);
    rf_wbuf_printf(w, ",\"metric\":\"%s\",\"time\":\"%s\",\"threshold_pct\":%g,\"alpha\":%g,\"power\":%g,"
                      "\"fdr\":\"benjamini-hochberg\",\"comparisons\":%zu",
                   r->metric == RF_METRIC_INSTRUCTIONS ? "instructions" : "time", r->cfg.cpu ? "cpu" : "real",
                   r->cfg.threshold, r->cfg.alpha, RF_GATE_POWER, r->ncomparisons);
    rf_wbuf_printf(w, ",\"verdict\":\"%s\",\"exit_code\":%d", overall_word(r), rf_gate_exit_code(r));
    rf_wbuf_printf(w, ",\"summary\":{\"regressions\":%zu,\"improvements\":%zu,\"unchanged\":%zu,\"inconclusive\":%zu,"
                      "\"only_in_baseline\":%zu,\"only_in_current\":%zu}",
                   r->nreg, r->nimp, r->nsame, r->ninc, r->only_a, r->only_b);
    rf_jsonw_member_num(w, ",\"geomean\":{\"current_over_baseline\":", r->geomean_time, 8);
    rf_jsonw_member_num(w, ",\"speedup_current_over_baseline\":", r->geomean_speedup, 8);
    rf_wbuf_printf(w, "},\"noise\":{\"blind_comparisons\":%zu,\"too_noisy\":%s,\"rule\":\"inconclusive when more "
                      "than half of the comparisons have a minimum detectable slowdown above their threshold\"}",
                   r->nblind, r->too_noisy ? "true" : "false");
    rf_wbuf_puts(w, ",\"warnings\":[");
    for (size_t i = 0; i < r->nwarnings; i++) {
        rf_jsonw_member_str(w, i ? "," : "", r->warnings[i]);
    }
    rf_wbuf_puts(w, "],\"rows\":[");
    for (size_t i = 0; i < r->n; i++) {
        const rf_gate_row *row = &r->rows[i];
        rf_wbuf_puts(w, i ? ",\n{\"name\":" : "\n{\"name\":");
        rf_jsonw_str(w, row->name);
        rf_wbuf_printf(w, ",\"verdict\":\"%s\",\"threshold_pct\":%g,\"threshold_source\":\"%s\","
                          "\"repetitions\":[%zu,%zu],\"confirmed_by_rerun\":%s",
                       rf_verdict_name(row->overall), row->threshold,
                       row->threshold_from_registry ? "registry" : "gate", row->a->n, row->b->n,
                       row->confirm_ran ? "true" : "false");
        if (row->time.present) json_cmp(w, "time", &row->time);
        if (row->speedup.present) {
            json_cmp(w, "speedup", &row->speedup);
            rf_jsonw_member_num(w, ",\"scalar_change_pct\":", row->scalar_change, 6);
        }
        rf_wbuf_puts(w, "}");
    }
    rf_wbuf_puts(w, "\n]}\n");
}

/* A table cell: "+12.3% (q 0.001) REGRESSED", or empty when the comparison was not made. */
static void md_cmp(rf_wbuf *w, const rf_gate_result *r, const rf_gate_cmp *c)
{
    if (!c->present) {
        rf_wbuf_puts(w, " |");
        return;
    }
    rf_wbuf_printf(w, " %+.1f%%", c->change);
    if (r->metric == RF_METRIC_TIME && !isnan(c->q)) rf_wbuf_printf(w, " (q %.2g)", c->q);
    rf_wbuf_printf(w, "%s%s |", c->v == RF_V_UNCHANGED ? "" : " ", c->v == RF_V_UNCHANGED ? "" : rf_verdict_name(c->v));
}

static void md_rows(rf_wbuf *w, const rf_gate_result *r, bool flagged_only)
{
    rf_wbuf_puts(w, "| benchmark | verdict | time / instructions | speedup over scalar | threshold |\n"
                    "|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->n; i++) {
        const rf_gate_row *row = &r->rows[i];
        const bool flagged = row->overall == RF_V_REGRESSED || row->overall == RF_V_IMPROVED ||
                             row->overall == RF_V_INCONCLUSIVE || row->confirm_ran;
        if (flagged_only && !flagged) continue;
        rf_wbuf_puts(w, "| `");
        rf_esc_md(w, row->name);
        rf_wbuf_printf(w, "` | %s%s |", rf_verdict_name(row->overall), row->confirm_ran ? " (re-run)" : "");
        md_cmp(w, r, &row->time);
        md_cmp(w, r, &row->speedup);
        if (row->overall == RF_V_INFO) rf_wbuf_puts(w, " |\n");
        else rf_wbuf_printf(w, " %g%%%s |\n", row->threshold, row->threshold_from_registry ? " (registry)" : "");
    }
}

static void write_markdown(rf_wbuf *w, const rf_gate_result *r, const char *base_what, const char *cur_what)
{
    const int rc = rf_gate_exit_code(r);
    rf_wbuf_printf(w, "### refast gate: %s\n\n", rc == 1 ? "**regression**" : rc == 2 ? "**inconclusive**" : "pass");
    rf_wbuf_puts(w, "Baseline `");
    rf_esc_md(w, base_what);
    rf_wbuf_puts(w, "`, current `");
    rf_esc_md(w, cur_what);
    if (r->metric == RF_METRIC_INSTRUCTIONS)
        rf_wbuf_printf(w, "`: instructions per call (callgrind), threshold %g%%.\n\n", r->cfg.threshold);
    else
        rf_wbuf_printf(w, "`: %s time, threshold %g%%, false discovery rate %g (Benjamini-Hochberg over %zu "
                          "comparisons).\n\n",
                       r->cfg.cpu ? "cpu" : "real", r->cfg.threshold, r->cfg.alpha, r->ncomparisons);
    rf_wbuf_printf(w, "**%zu regressions, %zu improvements, %zu unchanged** (%zu inconclusive)", r->nreg, r->nimp,
                   r->nsame, r->ninc);
    if (isfinite(r->geomean_time))
        rf_wbuf_printf(w, "; geometric mean current/baseline %.4f (%+.2f%%)", r->geomean_time,
                       (r->geomean_time - 1) * 100);
    if (isfinite(r->geomean_speedup))
        rf_wbuf_printf(w, "; speedup over scalar %.4f (%+.2f%%)", r->geomean_speedup, (r->geomean_speedup - 1) * 100);
    rf_wbuf_puts(w, ".\n\n");
    if (r->metric == RF_METRIC_TIME)
        rf_wbuf_printf(w, "Noise: %zu of %zu comparisons could not detect a slowdown of their threshold%s.\n\n",
                       r->nblind, r->ncomparisons, r->too_noisy ? " (more than half: too noisy to certify)" : "");
    for (size_t i = 0; i < r->nwarnings; i++) {
        rf_wbuf_puts(w, "> warning: ");
        rf_esc_md(w, r->warnings[i]);
        rf_wbuf_puts(w, "\n");
    }
    if (r->nwarnings) rf_wbuf_puts(w, "\n");
    if (r->nreg || r->nimp || r->ninc) {
        md_rows(w, r, true);
        rf_wbuf_puts(w, "\n");
    }
    rf_wbuf_printf(w, "<details><summary>All %zu benchmarks</summary>\n\n", r->n);
    md_rows(w, r, false);
    rf_wbuf_puts(w, "\n</details>\n");
}

static void junit_message(const rf_gate_result *r, const rf_gate_row *row, char *buf, size_t len)
{
    const rf_gate_cmp *c = row->time.v == row->overall || !row->speedup.present ? &row->time : &row->speedup;
    if (r->metric == RF_METRIC_INSTRUCTIONS)
        snprintf(buf, len, "%s: %s %+.2f%% (threshold %g%%)", rf_verdict_name(row->overall),
                 c == &row->time ? "instructions" : "speedup", c->change, row->threshold);
    else
        snprintf(buf, len, "%s: %s %+.1f%% (threshold %g%%), p = %.3g, q = %.3g, minimum detectable slowdown %.1f%%",
                 rf_verdict_name(row->overall), c == &row->time ? "time" : "speedup over scalar", c->change,
                 row->threshold, c->p, c->q, c->mds);
}

static void write_junit(rf_junit *j, const rf_gate_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const rf_gate_row *row = &r->rows[i];
        rf_bench_name nm;
        char cls[128], msg[320];
        snprintf(cls, sizeof cls, "gate.%s", rf_bench_name_parse(row->name, &nm) ? nm.kernel : "?");
        junit_message(r, row, msg, sizeof msg);
        if (row->overall == RF_V_REGRESSED) rf_junit_case(j, cls, row->name, RF_JUNIT_FAIL, msg, NULL);
        else if (row->overall == RF_V_INCONCLUSIVE) rf_junit_case(j, cls, row->name, RF_JUNIT_SKIP, msg, NULL);
        else if (row->overall == RF_V_INFO)
            rf_junit_case(j, cls, row->name, RF_JUNIT_SKIP, "information about the machine, not gated", NULL);
        else rf_junit_case(j, cls, row->name, RF_JUNIT_PASS, NULL, NULL);
    }
}

bool rf_gate_write_outputs(const rf_gate_result *r, const rf_gate_outputs *o, const char *base_what,
                           const char *cur_what, char *err, size_t errlen)
{
    rf_wbuf json = {0}, md = {0};
    rf_junit j = {0};
    rf_outfile files[3];
    size_t n = 0;
    if (o->json) {
        write_json(&json, r, base_what, cur_what);
        files[n++] = (rf_outfile){o->json, json.p, json.len};
    }
    if (o->markdown) {
        write_markdown(&md, r, base_what, cur_what);
        files[n++] = (rf_outfile){o->markdown, md.p, md.len};
    }
    rf_wbuf ju = {0};
    if (o->junit) {
        write_junit(&j, r);
        rf_junit_render(&j, "refast gate", &ju);
        files[n++] = (rf_outfile){o->junit, ju.p, ju.len};
    }
    bool ok = true;
    if (json.oom || md.oom || ju.oom) {
        snprintf(err, errlen, "out of memory writing the gate's outputs");
        ok = false;
    }
    if (ok && n) ok = rf_write_files_atomic(files, n, err, errlen);
    rf_wbuf_free(&json);
    rf_wbuf_free(&md);
    rf_wbuf_free(&ju);
    rf_junit_free(&j);
    return ok;
}

void rf_gate_annotations(FILE *out, const rf_gate_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const rf_gate_row *row = &r->rows[i];
        if (row->overall != RF_V_REGRESSED && row->overall != RF_V_INCONCLUSIVE) continue;
        char msg[320];
        junit_message(r, row, msg, sizeof msg);
        /* workflow commands end at the line: messages are one line already */
        fprintf(out, "::%s title=refast gate: %s::%s\n", row->overall == RF_V_REGRESSED ? "error" : "warning",
                row->name, msg);
    }
    for (size_t i = 0; i < r->nwarnings; i++) fprintf(out, "::warning title=refast gate::%s\n", r->warnings[i]);
    if (!r->nreg && r->too_noisy)
        fprintf(out, "::warning title=refast gate::inconclusive: %zu of %zu comparisons cannot detect a slowdown of "
                     "their threshold\n",
                r->nblind, r->ncomparisons);
}
