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
#include "sweep.h"

/* Running totals and the JSON document of one verify run. */
typedef struct tally {
    size_t passed, failed;
    /* what was exercised: rows per level with its own code, rows per level that ran a fallback,
     * rows per peer label */
    size_t own[RF_ISA_COUNT], fallback[RF_ISA_COUNT];
    struct {
        char label[32];
        size_t rows;
    } peer[2 * RF_ISA_COUNT + 4];
    size_t npeers;
    rf_wbuf jw;
    rf_wbuf matrix; /* --matrix: one line per case */
    rf_junit junit; /* --junit: one test case per case and level */
} tally;

static void count_row(tally *t, const rf_impl *im)
{
    if (im->kind == RF_IMPL_LEVEL) {
        im->provided_by == im->level ? t->own[im->level]++ : t->fallback[im->level]++;
        return;
    }
    size_t i = 0;
    while (i < t->npeers && strcmp(t->peer[i].label, im->label) != 0) i++;
    if (i == t->npeers) {
        if (t->npeers == sizeof t->peer / sizeof t->peer[0]) return;
        snprintf(t->peer[t->npeers++].label, sizeof t->peer[0].label, "%s", im->label);
    }
    t->peer[i].rows++;
}

/* Why no row judged level l's own code (selected: whether --isa named it). */
static const char *why_not_judged(rf_isa l, bool selected)
{
    return !rf_isa_compiled(l) ? "not built for this architecture"
         : !rf_isa_usable(l)   ? "this CPU lacks it"
         : !selected           ? "not selected (--isa)"
                               : "every matching kernel fell back, or no case matched";
}

/* The levels and peers this run judged and those it did not, and why: a green run says what it
 * covered (a CPU without AVX-512 judges no avx512 code, and this line shows it). */
static void print_coverage(const tally *t, const bool selected[RF_ISA_COUNT], bool peers)
{
    printf("verify: judged");
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (t->own[l] && t->fallback[l])
            printf(" %s (%zu rows, %zu of them by fallback)", rf_isa_name((rf_isa)l), t->own[l] + t->fallback[l],
                   t->fallback[l]);
        else if (t->own[l] || t->fallback[l])
            printf(" %s (%zu rows%s)", rf_isa_name((rf_isa)l), t->own[l] + t->fallback[l],
                   t->own[l] ? "" : ", all by fallback");
    for (size_t i = 0; i < t->npeers; i++) printf(" %s (%zu rows)", t->peer[i].label, t->peer[i].rows);
    printf("; not judged:");
    bool any = false;
    for (int l = 1; l < RF_ISA_COUNT; l++) {
        if (t->own[l] || t->fallback[l]) continue;
        printf("%s %s (%s)", any ? "," : "", rf_isa_name((rf_isa)l), why_not_judged((rf_isa)l, selected[l]));
        any = true;
    }
    if (!peers) printf("%s peers (no --peers)", any ? "," : ""), any = true;
    if (!any) printf(" nothing");
    printf("\n");
}

/* --require-isa: each named level must have been judged on its own code (not a fallback). */
static int check_required(const tally *t, const char *list, const bool selected[RF_ISA_COUNT])
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    int missing = 0;
    for (char *save = NULL, *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        rf_isa l;
        if (!rf_isa_parse(name, &l)) continue; /* checked before the run */
        if (t->own[l]) continue;
        printf("verify: --require-isa %s: no row judged %s's own code (%s)\n", name, name,
               why_not_judged(l, selected[l]));
        missing++;
    }
    return missing;
}

static int parse_required(const char *list)
{
    if (!list) return 0;
    char buf[256];
    if (snprintf(buf, sizeof buf, "%s", list) >= (int)sizeof buf)
        return rf_usage_error("verify: --require-isa: list too long");
    int n = 0;
    for (char *save = NULL, *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save), n++) {
        rf_isa l;
        if (!rf_isa_parse(name, &l)) return rf_usage_error("verify: --require-isa: unknown level '%s'", name);
    }
    if (!n) return rf_usage_error("verify: --require-isa: empty list");
    return 0;
}

/* One implementation's result on the case in hand, for the reproducibility matrix. */
typedef struct matrix_slot {
    char label[48];
    uint64_t hash;
    bool ran, na; /* na: a peer that does not compute this case (kernel's peer_refuses) */
} matrix_slot;

/* Judges one implementation on one case: a table row, a JSON record, the tally. */
static void judge_row(const rf_impl *im, const rf_case_spec *s, const rf_case *c, tally *t, matrix_slot *slot)
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
    snprintf(slot->label, sizeof slot->label, "%s", lname);
    slot->hash = v.out_hash;
    slot->ran = ran;
    slot->na = ran && v.not_applicable;
    if (slot->na) { /* a peer that does not compute this case: said, not counted */
        char nlabel[128];
        snprintf(nlabel, sizeof nlabel, "%s.%s", k->name, s->name);
        printf("%-44s %-14s n/a: %s\n", nlabel, lname, v.detail);
        return;
    }
    count_row(t, im);
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
    rf_jsonw_member_str(jw, "{\"kernel\":", k->name);
    rf_jsonw_member_str(jw, ",\"case\":", s->name);
    rf_jsonw_member_str(jw, ",\"level\":", level);
    rf_jsonw_member_str(jw, ",\"provided_by\":", provided_by);
    rf_jsonw_member_str(jw, ",\"class\":", rf_tol_name(v.cls));
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
    bool peers, sweep;
    unsigned long long sweep_cases;
    const char *kernel, *golden, *json, *junit, *require_isa, *matrix, *shard;
} verify_opts;

/* --shard I/N: the cases whose ordinal (over every matching kernel's cases, in registry order)
 * is I mod N, so N processes judge disjoint sets that together are the whole run (CI runs the
 * qemu judge as two shards on its two cores). */
static int parse_shard(const char *s, unsigned *index, unsigned *count)
{
    *index = 0;
    *count = 1;
    if (!s) return 0;
    char tail;
    if (sscanf(s, "%u/%u%c", index, count, &tail) != 2 || *count == 0 || *count > 1024 || *index >= *count)
        return rf_usage_error("verify: --shard: '%s' is not I/N with 0 <= I < N <= 1024", s);
    return 0;
}

/* --sweep: rows judged at every misalignment (and tail length), each one line. */
typedef struct sweep_tally {
    size_t passed, failed, placements;
} sweep_tally;

static void impl_name(const rf_impl *im, char *buf, size_t len)
{
    if (im->kind == RF_IMPL_LEVEL && im->provided_by != im->level)
        snprintf(buf, len, "%s->%s", rf_isa_name(im->level), rf_isa_name(im->provided_by));
    else snprintf(buf, len, "%s", im->label);
}

/* One row per implementation of case c (label "kernel.case" or a tail's "kernel.case@n=37"):
 * misaligned at 0 .. W-1 elements with both guards (tails: only flush, steps = 1). */
static void sweep_rows(const char *label, const rf_case *c, const rf_impl *im, size_t nim, bool tail,
                       sweep_tally *st)
{
    for (size_t j = 0; j < nim; j++) {
        rf_sweep_result r;
        const size_t span = rf_sweep_span(&im[j]);
        rf_sweep_impl(&im[j], c, tail ? 0 : span, tail, &r);
        st->placements += r.judged;
        if (r.na) continue; /* a peer that does not compute the case: verify's row says so */
        char lname[48];
        impl_name(&im[j], lname, sizeof lname);
        printf("%-44s %-14s sweep  %4zu placements  %s\n", label, lname, r.judged, r.pass ? "pass" : "FAIL");
        if (!r.pass) {
            char where[64];
            rf_sweep_where(r.where, where, sizeof where);
            printf("    %s at %s (%s): %s\n", label, where, lname, r.v.detail);
        }
        r.pass ? st->passed++ : st->failed++;
    }
}

/* Tails: the recipe rebuilt at its free length n + step .. n + W steps (below n at the kernel's
 * free_max) (W: the widest vector of
 * the implementations in elements of the working dtype, 32-bit lanes for integer kernels) and
 * judged flush against both guards. */
static void sweep_tails(const rf_kernel *k, const rf_case_spec *s, const rf_impl *im, size_t nim, sweep_tally *st)
{
    if (!rf_sweep_has_tail(k, s)) return;
    size_t span = 0;
    for (size_t j = 0; j < nim; j++)
        if (rf_sweep_span(&im[j]) > span) span = rf_sweep_span(&im[j]);
    /* integer kernels (no working dtype) vectorise over 32-bit lanes at most (16 at avx512) */
    const size_t es = rf_dtype_size(k->work_dtype) ? rf_dtype_size(k->work_dtype) : 4;
    const size_t w = span / es ? span / es : 1;
    for (size_t t = 1; t <= w; t++) {
        char label[128], err[512];
        rf_case c;
        if (!rf_sweep_tail_build(k, s, t, w, &c, label, sizeof label, err, sizeof err)) {
            printf("%-44s %-14s sweep  FAIL\n    the recipe at this length does not build: %s\n", label, "-",
                   err);
            st->failed++;
            continue;
        }
        sweep_rows(label, &c, im, nim, true, st);
        rf_case_free(&c);
    }
}

/* --sweep-cases N: which recipes of k are among its N cheapest golden cases (ties: the first). Cheap
 * by rf_case_cost, the work one call does: a case's file size says little about it (an enumeration
 * over 2^16 codewords reads 24 floats a frame). A case whose cost is unknown counts by its file
 * size, after every case whose cost is known. mask: one entry per recipe. */
#define SWEEP_MAX_CASES 1024 /* recipes per kernel ranked (every kernel has far fewer) */
static void sweep_select(const rf_kernel *k, const char *dir, unsigned long long n, bool *mask)
{
    size_t count = 0;
    while (k->cases[count].name && count < SWEEP_MAX_CASES) count++;
    if (!n) { /* every case: nothing to rank */
        for (size_t i = 0; i < count; i++) mask[i] = true;
        return;
    }
    double *key = malloc((count ? count : 1) * sizeof *key);
    bool *known = malloc(count ? count : 1);
    for (size_t i = 0; key && known && i < count; i++) {
        char rel[512], path[4096], err[512];
        rf_golden_relpath(k, &k->cases[i], rel, sizeof rel);
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        rf_case c;
        rfg_hash h;
        key[i] = -1;
        if (rfg_read(path, &c, &h, err, sizeof err)) {
            key[i] = rf_case_cost(k, &c);
            rf_case_free(&c);
        }
        known[i] = key[i] >= 0;
        if (!known[i]) {
            FILE *f = fopen(path, "rb");
            if (f && fseek(f, 0, SEEK_END) == 0) key[i] = (double)ftell(f);
            if (f) fclose(f);
        }
    }
    for (size_t i = 0; i < count; i++) {
        size_t rank = 0;
        for (size_t t = 0; key && known && t < count; t++)
            rank += (known[t] && !known[i]) ||
                    (known[t] == known[i] && (key[t] < key[i] || (key[t] == key[i] && t < i)));
        mask[i] = key && known && rank < n;
    }
    free(key);
    free(known);
}

/* A line of the reproducibility matrix: the case, then its implementations in groups of
 * bit-identical results, '|' between groups, in the order they ran (scalar first). A run that
 * failed to complete stands alone, marked '!'. */
static void matrix_line(rf_wbuf *w, const rf_kernel *k, const rf_case_spec *s, const matrix_slot *sl, size_t n)
{
    bool done[RF_MAX_IMPLS] = {0};
    rf_wbuf_printf(w, "%s.%s", k->name, s->name);
    for (size_t i = 0; i < n; i++) {
        if (done[i]) continue;
        rf_wbuf_puts(w, i ? " |" : "");
        for (size_t j = i; j < n; j++) {
            const bool alone = !sl[i].ran || !sl[j].ran || sl[i].na || sl[j].na;
            if (done[j] || (j != i && (alone || sl[j].hash != sl[i].hash))) continue;
            done[j] = true;
            rf_wbuf_printf(w, " %s%s", sl[j].label, sl[j].na ? ":n/a" : sl[j].ran ? "" : "!");
        }
    }
    rf_wbuf_puts(w, "\n");
}

static int run_verify(const void *opts)
{
    const verify_opts *o = opts;
    const char *glob = o->kernel, *dir = o->golden ? o->golden : rf_golden_dir();
    rf_isa sel[RF_ISA_COUNT];
    size_t nsel = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++) /* ref is judged against the oracle like every level */
        if (l == RF_ISA_SCALAR || o->levels.on[l]) sel[nsel++] = (rf_isa)l;

    if (parse_required(o->require_isa)) return RF_EXIT_USAGE;
    unsigned shard, shards;
    if (parse_shard(o->shard, &shard, &shards)) return RF_EXIT_USAGE;
    bool selected[RF_ISA_COUNT] = {0};
    for (size_t i = 0; i < nsel; i++) selected[sel[i]] = true;

    size_t matched = 0;
    for (size_t i = 0; i < rf_kernel_count(); i++) matched += rf_glob_match(glob, rf_kernel_at(i)->name);
    if (!matched) return rf_usage_error("verify: no kernel matches '%s'", glob);

    tally t = {0};
    sweep_tally st = {0};
    rf_wbuf_puts(&t.jw, "{\"cpu\":");
    rf_jsonw_str(&t.jw, rf_isa_cpu_summary());
    rf_wbuf_puts(&t.jw, ",\"results\":[");

    printf("%-44s %-14s %-8s %10s %10s %8s  %s\n", "case", "level", "class", "max|err|", "ratio",
           "bound", "verdict");
    char err[512];
    size_t ordinal = 0;
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!rf_glob_match(glob, k->name) || !k->cases) continue;
        bool sweep_mask[SWEEP_MAX_CASES] = {0};
        if (o->sweep) sweep_select(k, dir, o->sweep_cases, sweep_mask);
        for (const rf_case_spec *s = k->cases; s && s->name; s++) {
            if (ordinal++ % shards != shard) continue;
            char rel[512], path[4096];
            rf_golden_relpath(k, s, rel, sizeof rel);
            snprintf(path, sizeof path, "%s/%s", dir, rel);
            rf_case c;
            rfg_hash h;
            if (!rfg_read(path, &c, &h, err, sizeof err)) {
                rf_wbuf_free(&t.jw);
                rf_wbuf_free(&t.matrix);
                rf_junit_free(&t.junit);
                return rf_usage_error("%s", err);
            }
            if (strcmp(c.kernel, k->name) != 0) {
                rf_case_free(&c);
                rf_wbuf_free(&t.jw);
                rf_wbuf_free(&t.matrix);
                rf_junit_free(&t.junit);
                return rf_usage_error("%s: field 'kernel': '%s', expected '%s'", path, c.kernel, k->name);
            }
            rf_impl im[RF_MAX_IMPLS];
            matrix_slot slots[RF_MAX_IMPLS];
            const size_t nim = rf_kernel_impls(k, sel, nsel, o->peers, im, RF_MAX_IMPLS);
            for (size_t j = 0; j < nim; j++) judge_row(&im[j], s, &c, &t, &slots[j]);
            const size_t ci = (size_t)(s - k->cases);
            if (o->sweep && (ci < SWEEP_MAX_CASES ? sweep_mask[ci] : !o->sweep_cases)) {
                char label[128];
                snprintf(label, sizeof label, "%s.%s", k->name, s->name);
                sweep_rows(label, &c, im, nim, false, &st);
                sweep_tails(k, s, im, nim, &st);
            }
            if (o->matrix) matrix_line(&t.matrix, k, s, slots, nim);
            rf_case_free(&c);
        }
    }
    rf_wbuf_printf(&t.jw, "],\"passed\":%zu,\"failed\":%zu}\n", t.passed, t.failed);
    bool saved = !o->json || rf_wbuf_save(&t.jw, o->json, err, sizeof err);
    if (saved && o->matrix) saved = rf_wbuf_save(&t.matrix, o->matrix, err, sizeof err);
    if (saved && o->junit) saved = rf_junit_save(&t.junit, "refast verify", o->junit, err, sizeof err);
    rf_wbuf_free(&t.jw);
    rf_wbuf_free(&t.matrix);
    rf_junit_free(&t.junit);
    if (!saved) return rf_usage_error("%s", err);
    print_coverage(&t, selected, o->peers);
    const int missing = o->require_isa ? check_required(&t, o->require_isa, selected) : 0;
    printf("verify: %zu passed, %zu failed\n", t.passed, t.failed + (size_t)missing);
    if (o->sweep) printf("sweep: %zu passed, %zu failed (%zu placements judged)\n", st.passed, st.failed, st.placements);
    return t.failed || missing || st.failed ? RF_EXIT_CHECK : RF_EXIT_OK;
}

static const rf_opt verify_opts_table[] = {
    {"--isa", RF_OPT_LEVELS, offsetof(verify_opts, levels), NULL,
     .help = "the levels to judge beside ref (scalar); default: REFAST_ISA, else the\nbest this CPU has"},
    {"--peers", RF_OPT_FLAG, offsetof(verify_opts, peers), NULL,
     .help = "also judge the benchmark peers: autovec_<level> for each selected level\nand openblas"},
    {"--kernel", RF_OPT_STR, offsetof(verify_opts, kernel), "GLOB",
     .help = RF_OPT_KERNEL_HELP,
     .def = "*"},
    {"--sweep", RF_OPT_FLAG, offsetof(verify_opts, sweep), NULL,
     .help = "also judge every case with each array misaligned by 0 .. W-1 elements\n"
             "(W: the vector width of the code that runs), a guard page before and\n"
             "after; and kernels with a free length at n+1 .. n+W; one row per case and\n"
             "level, then 'sweep: N passed, M failed'"},
    {"--sweep-cases", RF_OPT_U64, offsetof(verify_opts, sweep_cases), "N",
     .help = "--sweep only the N cheapest golden cases of each kernel, by the work one\ncall does (0: all; CI: 1)",
     .def = "0"},
    {"--golden", RF_OPT_FILE, offsetof(verify_opts, golden), "DIR",
     .help = "the golden files (default: $REFAST_GOLDEN, else golden)"},
    {"--require-isa", RF_OPT_STR, offsetof(verify_opts, require_isa), "LEVEL,...",
     .help = "fail (exit 1) unless each named level was judged on its own code: a CI\n"
             "on an AVX-512 machine says --require-isa avx2,avx512 so that a detection\n"
             "bug or a missing level cannot pass as a skip"},
    {"--json", RF_OPT_FILE, offsetof(verify_opts, json), "FILE", .help = "also write every row as JSON to FILE"},
    {"--matrix", RF_OPT_FILE, offsetof(verify_opts, matrix), "FILE",
     .help = "also write the reproducibility matrix to FILE: per case, the levels and\n"
             "peers in groups of bit-identical outputs ('|' between groups); CI compares\n"
             "it with golden/REPRODUCIBILITY.<arch>"},
    {"--junit", RF_OPT_FILE, offsetof(verify_opts, junit), "FILE",
     .help = "also write JUnit XML to FILE: one test case per case and level"},
    {"--shard", RF_OPT_STR, offsetof(verify_opts, shard), "I/N",
     .help = "judge only the cases whose ordinal (registry order) is I mod N: N runs with\n"
             "I = 0 .. N-1 together judge every case once (CI splits the qemu run in two)"},
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
             "Then a line naming the levels and peers judged (rows each) and those not\n"
             "judged and why. Ends with 'verify: N passed, M failed' (a level --require-isa\n"
             "names and no row judged counts as failed). With --sweep, after each case's rows, one\n"
             "row per level of the case judged at every misalignment and tail length, and a last\n"
             "line 'sweep: N passed, M failed'. Exit 1 if any case failed.",
    .opts = verify_opts_table,
    .size = sizeof(verify_opts),
    .run = run_verify,
};
