/* refast measure: the largest error ratio ref, every level and every peer reach per kernel output,
 * over the golden cases and fuzz-built ones, beside the tau the judge holds them to -- the numbers a
 * tolerance is derived from (SPEC §3: tau about 10x the measured worst) and the headroom it leaves.
 *
 * The ratio is the judge's own (compare.c): each implementation runs once per case and its outputs
 * go through rf_compare_case with a view of the case that holds one want.X at a time, so a row is
 * exactly what `refast verify` would report for that output alone (sum/iterate |got-want|/(u S),
 * ulp: ulps, exact/decision: mismatches). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "golden.h"
#include "jsonw.h"
#include "rfg.h"

typedef struct measure_opts {
    rf_levels levels;
    bool peers;
    const char *kernel, *golden, *json;
    unsigned long long fuzz, seed;
} measure_opts;

/* The worst of one implementation on one output of one kernel. */
typedef struct worst {
    char impl[32];
    char output[RF_NAME_MAX];
    rf_tol_class cls;
    double ratio;           /* largest ratio */
    double tau_min, tau_max; /* the bounds the judge used (a case may carry its own tau.X) */
    double headroom;        /* smallest bound/ratio over the cases (INFINITY while every ratio is 0) */
    char where[160];        /* the case that reached `ratio` */
    unsigned long long cases, failed;
} worst;

typedef struct tally {
    worst *w;
    size_t n, cap;
    size_t kernel_from; /* the current kernel's first row: rows are per kernel */
    unsigned long long fuzz_tried, fuzz_accepted, oracle_refused, run_failed;
} tally;

static worst *slot(tally *t, const char *impl, const char *output)
{
    for (size_t i = t->kernel_from; i < t->n; i++)
        if (!strcmp(t->w[i].impl, impl) && !strcmp(t->w[i].output, output)) return &t->w[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        worst *w = realloc(t->w, cap * sizeof *w);
        if (!w) return NULL;
        t->w = w, t->cap = cap;
    }
    worst *s = &t->w[t->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->impl, sizeof s->impl, "%s", impl);
    snprintf(s->output, sizeof s->output, "%s", output);
    s->tau_min = INFINITY;
    s->headroom = INFINITY;
    return s;
}

/* c with its want.* arrays reduced to the one at index a (the others' memory stays c's). */
static void one_output_view(const rf_case *c, unsigned a, rf_case *view)
{
    memcpy(view, c, sizeof *view);
    view->narrays = 0;
    for (unsigned i = 0; i < c->narrays; i++)
        if (i == a || strncmp(c->arrays[i].name, "want.", 5) != 0) view->arrays[view->narrays++] = c->arrays[i];
}

/* Runs every implementation on c once and records each output's ratio. */
static void measure_case(const rf_kernel *k, const rf_impl *im, size_t nim, const rf_case *c, const char *where,
                         tally *t)
{
    for (size_t j = 0; j < nim; j++) {
        if (im[j].kind != RF_IMPL_LEVEL && k->peer_refuses && k->peer_refuses(&im[j], c)) continue;
        rf_case out;
        rf_case_init(&out, c->kernel, c->name, c->params);
        char err[256] = "";
        if (rf_kernel_run(&im[j], c, &out, err, sizeof err) != 0) {
            printf("measure: %s %s at %s: run failed: %s\n", k->name, where, im[j].label, err);
            t->run_failed++;
            rf_case_free(&out);
            continue;
        }
        for (unsigned a = 0; a < c->narrays; a++) {
            if (strncmp(c->arrays[a].name, "want.", 5) != 0) continue;
            rf_case view;
            one_output_view(c, a, &view);
            rf_verdict v;
            worst *s = slot(t, im[j].label, c->arrays[a].name + 5);
            if (!s) continue;
            if (!rf_compare_case(k, &view, &out, &v)) {
                printf("measure: %s %s at %s: %s\n", k->name, where, im[j].label, v.detail);
                t->run_failed++;
                continue;
            }
            s->cls = v.cls;
            s->cases++;
            s->failed += !v.pass;
            if (v.bound < s->tau_min) s->tau_min = v.bound;
            if (v.bound > s->tau_max) s->tau_max = v.bound;
            if (v.max_ratio > 0 && v.bound / v.max_ratio < s->headroom) s->headroom = v.bound / v.max_ratio;
            if (v.max_ratio > s->ratio || !s->where[0]) {
                if (v.max_ratio > s->ratio) s->ratio = v.max_ratio;
                snprintf(s->where, sizeof s->where, "%s", where);
            }
        }
        rf_case_free(&out);
    }
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* n fuzz-built cases (fuzz_inputs on random bytes of 16 B .. 1 MiB, as test_registry draws them),
 * at most 4n tries. */
static void measure_fuzz(const rf_kernel *k, const rf_impl *im, size_t nim, unsigned long long n, uint64_t seed,
                         tally *t)
{
    if (!k->fuzz_inputs || !n) return;
    uint8_t *bytes = malloc((size_t)1 << 20);
    if (!bytes) return;
    uint64_t rng = seed;
    unsigned long long accepted = 0;
    for (unsigned long long f = 0; f < 4 * n && accepted < n; f++) {
        const size_t len = (size_t)1 << (4 + splitmix(&rng) % 17);
        for (size_t b = 0; b < len; b++) bytes[b] = (uint8_t)splitmix(&rng);
        t->fuzz_tried++;
        rf_case c;
        if (rf_kernel_fuzz_case(k, bytes, len, &c) != 0) continue;
        accepted++;
        t->fuzz_accepted++;
        char err[256] = "", where[160];
        snprintf(where, sizeof where, "fuzz#%llu (%.120s)", f, c.params);
        if (k->oracle(k, &c, err, sizeof err) != 0) {
            printf("measure: %s %s: the oracle refused it: %s\n", k->name, where, err);
            t->oracle_refused++;
        } else measure_case(k, im, nim, &c, where, t);
        rf_case_free(&c);
    }
    free(bytes);
}

static void print_rows(const rf_kernel *k, const tally *t, size_t from, rf_wbuf *jw, bool *first)
{
    for (size_t i = from; i < t->n; i++) {
        const worst *s = &t->w[i];
        char tau[48];
        if (s->tau_min == s->tau_max) snprintf(tau, sizeof tau, "%.4g", s->tau_max);
        else snprintf(tau, sizeof tau, "%.4g..%.4g", s->tau_min, s->tau_max);
        printf("%-22s %-10s %-16s %-8s %12s %12.4g %10.4g %6llu %4llu  %s\n", k->name, s->output, s->impl,
               rf_tol_name(s->cls), tau, s->ratio, s->headroom, s->cases, s->failed, s->where);
        rf_wbuf_puts(jw, *first ? "" : ",");
        *first = false;
        rf_jsonw_member_str(jw, "{\"kernel\":", k->name);
        rf_jsonw_member_str(jw, ",\"output\":", s->output);
        rf_jsonw_member_str(jw, ",\"impl\":", s->impl);
        rf_jsonw_member_str(jw, ",\"class\":", rf_tol_name(s->cls));
        rf_jsonw_member_num(jw, ",\"tau_min\":", s->tau_min, 17);
        rf_jsonw_member_num(jw, ",\"tau_max\":", s->tau_max, 17);
        rf_jsonw_member_num(jw, ",\"worst_ratio\":", s->ratio, 17);
        rf_jsonw_member_num(jw, ",\"headroom\":", s->headroom, 17);
        rf_wbuf_printf(jw, ",\"cases\":%llu,\"failed\":%llu,\"worst_case\":", s->cases, s->failed);
        rf_jsonw_str(jw, s->where);
        rf_wbuf_puts(jw, "}");
    }
}

static int run_measure(const void *opts)
{
    const measure_opts *o = opts;
    const char *glob = o->kernel, *dir = o->golden ? o->golden : rf_golden_dir();
    rf_isa sel[RF_ISA_COUNT];
    size_t nsel = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (l == RF_ISA_SCALAR || o->levels.on[l]) sel[nsel++] = (rf_isa)l;
    size_t matched = 0;
    for (size_t i = 0; i < rf_kernel_count(); i++) matched += rf_glob_match(glob, rf_kernel_at(i)->name);
    if (!matched) return rf_usage_error("measure: no kernel matches '%s'", glob);

    tally t = {0};
    rf_wbuf jw = {0};
    bool first = true;
    rf_wbuf_puts(&jw, "{\"cpu\":");
    rf_jsonw_str(&jw, rf_isa_cpu_summary());
    rf_wbuf_printf(&jw, ",\"fuzz\":%llu,\"seed\":%llu,\"rows\":[", o->fuzz, o->seed);
    printf("%-22s %-10s %-16s %-8s %12s %12s %10s %6s %4s  %s\n", "kernel", "output", "impl", "class", "tau",
           "worst", "headroom", "cases", "fail", "worst case");
    char err[512];
    int rc = RF_EXIT_OK;
    for (size_t i = 0; i < rf_kernel_count() && rc == RF_EXIT_OK; i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!rf_glob_match(glob, k->name)) continue;
        rf_impl im[RF_MAX_IMPLS];
        const size_t nim = rf_kernel_impls(k, sel, nsel, o->peers, im, RF_MAX_IMPLS);
        const size_t from = t.kernel_from = t.n;
        for (const rf_case_spec *s = k->cases; s && s->name; s++) {
            char rel[512], path[4096];
            rf_golden_relpath(k, s, rel, sizeof rel);
            snprintf(path, sizeof path, "%s/%s", dir, rel);
            rf_case c;
            rfg_hash h;
            if (!rfg_read(path, &c, &h, err, sizeof err)) {
                rc = rf_usage_error("%s", err);
                break;
            }
            measure_case(k, im, nim, &c, s->name, &t);
            rf_case_free(&c);
        }
        if (rc != RF_EXIT_OK) break;
        measure_fuzz(k, im, nim, o->fuzz, o->seed ^ (uint64_t)i * 0x9e3779b97f4a7c15ull, &t);
        print_rows(k, &t, from, &jw, &first);
        fflush(stdout);
    }
    unsigned long long failed = 0;
    for (size_t i = 0; i < t.n; i++) failed += t.w[i].failed;
    rf_wbuf_printf(&jw, "],\"fuzz_tried\":%llu,\"fuzz_accepted\":%llu,\"oracle_refused\":%llu,\"run_failed\":%llu,"
                        "\"failed\":%llu}\n",
                   t.fuzz_tried, t.fuzz_accepted, t.oracle_refused, t.run_failed, failed);
    if (rc == RF_EXIT_OK && o->json && !rf_wbuf_save(&jw, o->json, err, sizeof err)) rc = rf_usage_error("%s", err);
    rf_wbuf_free(&jw);
    free(t.w);
    if (rc != RF_EXIT_OK) return rc;
    printf("measure: %zu rows; fuzz %llu accepted of %llu tried, %llu refused by the oracle; %llu runs failed; "
           "%llu case-outputs outside their bound\n",
           t.n, t.fuzz_accepted, t.fuzz_tried, t.oracle_refused, t.run_failed, failed);
    return failed || t.run_failed ? RF_EXIT_CHECK : RF_EXIT_OK;
}

static const rf_opt measure_opts_table[] = {
    {"--kernel", RF_OPT_STR, offsetof(measure_opts, kernel), "GLOB",
     .help = RF_OPT_KERNEL_HELP, .def = "*"},
    {"--isa", RF_OPT_LEVELS, offsetof(measure_opts, levels), NULL,
     .help = "the levels to measure beside ref (scalar); default: REFAST_ISA, else the\nbest this CPU has"},
    {"--peers", RF_OPT_FLAG, offsetof(measure_opts, peers), NULL,
     .help = "also measure the peers: autovec_<level> for each selected level and openblas"},
    {"--fuzz", RF_OPT_U64, offsetof(measure_opts, fuzz), "N",
     .help = "also N fuzz-built cases per kernel (its fuzz_inputs on random bytes)", .def = "0", .min = 0,
     .max = 1e7},
    {"--seed", RF_OPT_U64, offsetof(measure_opts, seed), "S", .help = "the fuzz bytes' stream", .def = "1"},
    {"--golden", RF_OPT_FILE, offsetof(measure_opts, golden), "DIR",
     .help = "the golden files (default: $REFAST_GOLDEN, else golden)"},
    {"--json", RF_OPT_FILE, offsetof(measure_opts, json), "FILE", .help = "also write every row as JSON to FILE"},
    {0},
};

const rf_command rf_cmd_measure = {
    .name = "measure",
    .summary = "the worst error ratio per kernel output, level and peer, beside its tau",
    .about = "Runs ref (scalar), each selected level and, with --peers, each peer on every golden case\n"
             "of the matching kernels and on N fuzz-built cases, and judges each output alone with the\n"
             "judge's metric: |got-want|/(u*S) for sum/iterate, ulps for ulp, mismatches for\n"
             "exact/decision. One row per kernel, output and implementation: the class, the tau the\n"
             "judge used (a range when cases carry their own), the worst ratio, the headroom (the\n"
             "smallest tau/ratio over the cases), the cases measured and failed, and the case that\n"
             "reached the worst. Tolerances are set to about 10x the worst (SPEC §3).\n"
             "Exit 1 if an output fell outside its bound or a run failed.",
    .opts = measure_opts_table,
    .size = sizeof(measure_opts),
    .run = run_measure,
};
