/* refast bench: every kernel x level (+ autovec / openblas peers) x size through Google
 * Benchmark, plus this machine's limits (peak FMA per level, triad bandwidth). SPEC §7.
 * Noise control: pinned to one CPU, a warm-up per benchmark, the repetitions of all rows randomly
 * interleaved; provenance in the JSON context (provenance.h). --counter instructions counts
 * instructions under callgrind instead of timing (instr.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_hook.h"
#include "bytes.h"
#include "cli.h"
#include "machine_triad.h"
#include "refast/registry.h"

double (*rf_bench_extra_work)(const char *item_name);

typedef struct bench_opts {
    rf_levels levels;
    const char *kernel, *out, *pin;
    unsigned long long repetitions, calls;
    double min_time, warmup;
    bool no_peers, no_machine, no_interleave;
    int counter; /* index into "time|instructions" */
} bench_opts;

#if REFAST_HAVE_BENCH
#include "bench_pmoe.h"
#include "bench_shim.h"
#include "benchrun.h"
#include "instr.h"
#include "jsonw.h"
#include "provenance.h"

typedef struct kernel_ctx {
    rf_impl im;
    rf_bench_state *state;
    double extra, owed; /* rf_bench_extra_work's fraction and the calls it owes so far */
} kernel_ctx;

static void run_kernel(void *ctx, uint64_t iters)
{
    kernel_ctx *c = ctx;
    rf_bench_calls(&c->im, c->state, iters);
    if (c->extra > 0) { /* test builds only (bench_hook.h) */
        c->owed += c->extra * (double)iters;
        const uint64_t more = (uint64_t)c->owed;
        c->owed -= (double)more;
        if (more) rf_bench_calls(&c->im, c->state, more);
    }
}

/* Machine rows. The peak loop's result is kept in a volatile sink so the chains stay live. */
typedef double (*peak_fn)(uint64_t);
static volatile double peak_sink;
typedef struct peak_ctx {
    peak_fn fn;
} peak_ctx;

static void run_peak(void *ctx, uint64_t iters)
{
    peak_sink = ((peak_ctx *)ctx)->fn(iters * 64);
}

#define TRIAD_N ((size_t)1 << 23) /* 3 x 32 MiB: far beyond any cache */
typedef struct triad_ctx {
    float *a, *b, *c;
} triad_ctx;

static void run_triad(void *ctx, uint64_t iters)
{
    triad_ctx *t = ctx;
    for (uint64_t i = 0; i < iters; i++) machine_triad(t->a, t->b, t->c, 0.5f, TRIAD_N);
}

typedef struct bench_plan {
    rf_bench_item *items;
    size_t n, cap;
    rf_bench_state **states; /* kernel bench states to free */
    size_t nstates;
    kernel_ctx *kctx;
    peak_ctx pctx[RF_ISA_COUNT];
    triad_ctx triad;
    rf_pmoe_bench *pmoe; /* the whole-model pMoE rows (bench_pmoe.h) */
} bench_plan;

static rf_bench_item *plan_add(bench_plan *p)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        rf_bench_item *items = realloc(p->items, cap * sizeof *items);
        kernel_ctx *k = realloc(p->kctx, cap * sizeof *k);
        if (items) p->items = items;
        if (k) p->kctx = k;
        if (!items || !k) return NULL;
        p->cap = cap;
    }
    rf_bench_item *it = &p->items[p->n++];
    memset(it, 0, sizeof *it);
    return it;
}

static void size_slug(const char *params, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", params);
    for (char *c = out; *c; c++)
        if (*c == ' ') *c = ',';
}

static bool add_kernel_row(bench_plan *p, const rf_impl *im, rf_bench_state *state, const rf_work *w,
                           const char *level, const char *size)
{
    const rf_kernel *k = im->kernel;
    const char *impl = im->label;
    rf_bench_item *it = plan_add(p);
    if (!it) return false;
    kernel_ctx *c = &p->kctx[p->n - 1];
    c->im = *im;
    c->state = state;
    c->owed = 0;
    char slug[128];
    size_slug(size, slug, sizeof slug);
    snprintf(it->name, sizeof it->name, "%s/%s/%s", k->name, impl, slug);
    snprintf(it->label, sizeof it->label, "kernel=%s impl=%s level=%s unit=%s dtype=%s", k->name, impl,
             level, w->item_unit ? w->item_unit : "items", rf_dtype_name(k->work_dtype));
    it->run = run_kernel;
    it->items_per_iter = w->items;
    it->flops_per_iter = w->flops;
    it->bytes_per_iter = w->bytes;
    c->extra = rf_bench_extra_work ? rf_bench_extra_work(it->name) : 0;
    return true;
}

/* The kernel rows of every matching kernel (instruction counts: no openblas), then the machine
 * rows unless left out. Returns 0 or an exit code after the message. */
static int build_plan(const bench_opts *o, bool instr, bench_plan *p)
{
    const bool *levels = o->levels.on;
    char err[512];
    size_t nk = rf_kernel_count();
    p->states = calloc(nk * 8, sizeof *p->states);
    if (!p->states) return rf_usage_error("bench: out of memory");
    rf_isa sel[RF_ISA_COUNT];
    size_t nsel = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (l == RF_ISA_SCALAR || levels[l]) sel[nsel++] = (rf_isa)l;
    size_t matched = 0;
    for (size_t i = 0; i < nk; i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!rf_glob_match(o->kernel, k->name) || !k->bench_sizes) continue;
        matched++;
        rf_impl im[RF_MAX_IMPLS];
        const size_t nim = rf_kernel_impls(k, sel, nsel, !o->no_peers, im, RF_MAX_IMPLS);
        for (const char *const *size = k->bench_sizes; *size && p->nstates < nk * 8; size++) {
            rf_work w = {0};
            rf_bench_state *state = rf_bench_setup(k, *size, &w, err, sizeof err);
            if (!state) return rf_usage_error("bench: %s", err);
            p->states[p->nstates++] = state;
            for (size_t j = 0; j < nim; j++) {
                /* A level without its own code is not timed twice: its fallback's row is there. */
                if (im[j].kind == RF_IMPL_LEVEL && im[j].provided_by != im[j].level) continue;
                if (instr && (im[j].kind == RF_IMPL_OPENBLAS || im[j].kind == RF_IMPL_ONEDNN)) continue;
                /* OpenBLAS picks its own kernels for the CPU's best instructions: its roofline
                 * level is the best level this CPU has, not scalar. */
                const rf_isa roof = im[j].kind == RF_IMPL_OPENBLAS || im[j].kind == RF_IMPL_ONEDNN ? rf_isa_best() : im[j].level;
                if (!add_kernel_row(p, &im[j], state, &w, rf_isa_name(roof), *size))
                    return rf_usage_error("bench: out of memory");
            }
        }
    }
    /* the whole-model pMoE rows: timed only (their scalar step under callgrind is minutes) */
    if (instr && !matched && rf_pmoe_bench_matches(o->kernel))
        return rf_usage_error("bench: the pmoe_model rows are not counted under --counter instructions");
    if (!instr) {
        if (rf_pmoe_bench_plan(o->kernel, levels, !o->no_peers, &p->pmoe, err, sizeof err))
            return rf_usage_error("%s", err);
        for (size_t i = 0; i < rf_pmoe_bench_count(p->pmoe); i++, matched++) {
            rf_bench_item *it = plan_add(p);
            if (!it) return rf_usage_error("bench: out of memory");
            rf_pmoe_bench_item(p->pmoe, i, it);
        }
    }
    if (!matched) return rf_usage_error("bench: no kernel matches '%s'", o->kernel);
    if (!o->no_machine && !instr) {
        for (int l = 0; l < RF_ISA_COUNT; l++) {
            if (!levels[l] && l != RF_ISA_SCALAR) continue;
            if (!rf_dispatch_native(RF_KID(machine_fma_peak), (rf_isa)l)) continue;
            const peak_fn fn = (peak_fn)rf_dispatch(RF_KID(machine_fma_peak), (rf_isa)l, NULL);
            const unsigned lanes = ((rf_machine_f32_lanes_fn)rf_dispatch(RF_KID(machine_f32_lanes), (rf_isa)l, NULL))();
            rf_bench_item *it = plan_add(p);
            if (!it) break;
            p->pctx[l].fn = fn;
            snprintf(it->name, sizeof it->name, "machine/fma_peak_%s/-", rf_isa_name((rf_isa)l));
            snprintf(it->label, sizeof it->label, "kernel=machine impl=fma_peak level=%s unit=fma-loops",
                     rf_isa_name((rf_isa)l));
            it->run = run_peak;
            it->ctx = &p->pctx[l];
            it->items_per_iter = 64;
            it->flops_per_iter = 64.0 * RF_PEAK_CHAINS * lanes * 2;
        }
        p->triad.a = rf_alloc(TRIAD_N * sizeof(float));
        p->triad.b = rf_alloc(TRIAD_N * sizeof(float));
        p->triad.c = rf_alloc(TRIAD_N * sizeof(float));
        rf_bench_item *it = p->triad.a && p->triad.b && p->triad.c ? plan_add(p) : NULL;
        if (it) {
            snprintf(it->name, sizeof it->name, "machine/triad/-");
            snprintf(it->label, sizeof it->label, "kernel=machine impl=triad level=scalar unit=elements");
            it->run = run_triad;
            it->ctx = &p->triad;
            it->items_per_iter = (double)TRIAD_N;
            it->flops_per_iter = 2.0 * (double)TRIAD_N;
            it->bytes_per_iter = 3.0 * sizeof(float) * (double)TRIAD_N;
        }
    }
    /* kernel rows' ctx point into p->kctx, which may have moved while growing */
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i].run == run_kernel) p->items[i].ctx = &p->kctx[i];
    return RF_EXIT_OK;
}

static void free_plan(bench_plan *p)
{
    for (size_t i = 0; i < p->nstates; i++) rf_bench_release(p->states[i]);
    rf_free(p->triad.a);
    rf_free(p->triad.b);
    rf_free(p->triad.c);
    rf_pmoe_bench_free(p->pmoe);
    free(p->items);
    free(p->kctx);
    free(p->states);
}

/* --pin: "auto" (the CPU rf_pin_choose picks), "none", or a CPU number. Returns the CPU pinned to,
 * -1 for none, or -2 after the message. */
static int apply_pin(const char *pin)
{
    if (!strcmp(pin, "none")) return -1;
    char *end;
    const long cpu = !strcmp(pin, "auto") ? rf_pin_choose() : strtol(pin, &end, 10);
    if (strcmp(pin, "auto") && (*end || cpu < 0 || cpu > 4095))
        return rf_usage_error("bench: --pin '%s': expected auto, none or a CPU number", pin), -2;
    if (cpu < 0) return -1; /* the affinity cannot be read: run unpinned */
    if (!rf_pin_self((int)cpu)) return rf_usage_error("bench: --pin %ld: this process may not run on CPU %ld", cpu, cpu), -2;
    return (int)cpu;
}

/* Google Benchmark writes its context before the run: the load average after it is added here,
 * by rewriting the finished file (its temporary name). */
static bool add_load_after(const char *path, char *err, size_t errlen)
{
    char load[32];
    if (!rf_loadavg(load, sizeof load)) return true;
    rf_json *doc = rf_json_parse_file(path, err, errlen);
    if (!doc) return false;
    rf_json *ctx = (rf_json *)rf_json_get(doc, "context");
    bool ok = true;
    if (ctx && ctx->type == RF_JSON_OBJECT) {
        rf_wbuf w = {0};
        rf_wbuf_puts(&w, "{\n  \"context\": {");
        for (size_t i = 0; i < ctx->count; i++) {
            rf_wbuf_puts(&w, i ? ",\n    " : "\n    ");
            rf_jsonw_str(&w, ctx->keys[i]);
            rf_wbuf_puts(&w, ": ");
            rf_jsonw_value(&w, &ctx->items[i], 2);
        }
        rf_wbuf_printf(&w, ",\n    \"refast_load_after\": \"%s\"\n  }", load);
        for (size_t i = 0; i < doc->count; i++) {
            if (&doc->items[i] == ctx) continue;
            rf_wbuf_puts(&w, ",\n  ");
            rf_jsonw_str(&w, doc->keys[i]);
            rf_wbuf_puts(&w, ": ");
            rf_jsonw_value(&w, &doc->items[i], 1);
        }
        rf_wbuf_puts(&w, "\n}\n");
        ok = rf_wbuf_save(&w, path, err, errlen);
        rf_wbuf_free(&w);
    }
    rf_json_free(doc);
    return ok;
}

/* --counter instructions, in the parent: the levels valgrind can run, then the child. */
static int run_instructions(const bench_opts *o)
{
    size_t on = 0;
    const char *isa = "scalar";
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (o->levels.on[l]) on++, isa = rf_isa_name((rf_isa)l);
    if (o->levels.on[RF_ISA_AVX512]) {
        if (on == 1)
            return rf_usage_error("bench: --counter instructions: valgrind cannot execute AVX-512 code (use --isa "
                                  "scalar, avx2 or all, which leaves avx512 out)");
        fprintf(stderr, "refast: bench: avx512 left out: valgrind cannot execute AVX-512 code\n");
    }
    if (on > 1) isa = "all"; /* valgrind's CPUID hides avx512 from the child */
    char calls[32];
    snprintf(calls, sizeof calls, "%llu", o->calls);
    const char *argv[16] = {"bench", "--counter", "instructions", "--kernel", o->kernel, "--isa", isa, "--calls", calls};
    size_t n = 9;
    if (o->no_peers) argv[n++] = "--no-peers";
    argv[n] = NULL;
    rf_provenance prov;
    rf_provenance_collect(&prov);
    char tmp[4200], err[512];
    if (o->out && !rf_tmp_path(o->out, tmp, sizeof tmp)) return rf_usage_error("bench: %s: path too long", o->out);
    if (o->out && !rf_check_writable(o->out, err, sizeof err)) return rf_usage_error("bench: %s", err);
    return rf_instr_parent_run(argv, &prov, o->out);
}

/* OpenBLAS (the openblas peers, and LAPACKE behind moe_eig_topk_f64 and moe_recover_f64 at the
 * vector levels) starts with a thread per CPU, created when the library loads, before this
 * process pins itself, so they are not pinned; the peers set it to one thread only when one of
 * them has run. So a LAPACKE row's numbers depended on what ran before it in the process. Seen as
 * moe_eig_topk_f64/avx2/d=100,k=5 at 0.66-0.76 ms in the baselines (full runs, peers interleaved)
 * against 1.2-1.3 ms single-threaded from the start: the speedup gate flagged it (-56%). Every
 * benchmark is single-threaded from the start. */
void openblas_set_num_threads(int num_threads);

static int run_bench(const void *opts)
{
    const bench_opts *o = opts;
    const bool instr = o->counter == 1;
    openblas_set_num_threads(1);
    const char *child = rf_instr_child_dir();
    if (instr && !child) return run_instructions(o);
    char tmp[4200], err[512];
    if (!child && o->out && !rf_tmp_path(o->out, tmp, sizeof tmp)) return rf_usage_error("bench: %s: path too long", o->out);
    /* fail early, not after minutes of benchmarking */
    if (!child && o->out && !rf_check_writable(o->out, err, sizeof err)) return rf_usage_error("bench: %s", err);

    bench_plan p;
    memset(&p, 0, sizeof p);
    int rc = build_plan(o, instr, &p);
    if (rc == RF_EXIT_OK && child) {
        if (rf_instr_child_run(p.items, p.n, o->calls, child, err, sizeof err) != 0) rc = rf_usage_error("bench: %s", err);
        free_plan(&p);
        return rc;
    }
    const int cpu = rc == RF_EXIT_OK ? apply_pin(o->pin) : -1;
    if (cpu == -2) rc = RF_EXIT_USAGE;

    if (rc == RF_EXIT_OK) {
        char cls[160], ncpu[16], mt[32], pinned[16], warm[32];
        const char *mc = getenv("REFAST_MACHINE_CLASS");
        snprintf(cls, sizeof cls, "%s", mc && *mc ? mc : "unspecified");
        snprintf(ncpu, sizeof ncpu, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
        snprintf(mt, sizeof mt, "%g", o->min_time);
        snprintf(warm, sizeof warm, "%g", o->warmup);
        snprintf(pinned, sizeof pinned, "%d", cpu);
        rf_bench_options opt = {.repetitions = (int)o->repetitions, .min_time = o->min_time, .warmup = o->warmup,
                               .interleave = !o->no_interleave, .json_out = o->out ? tmp : NULL};
        const char *extra[][2] = {
            {"refast_cpu_features", rf_isa_cpu_summary()},
            {"refast_machine_class", cls},
            {"refast_online_cpus", ncpu},
            {"refast_counter", "time"},
            {"refast_min_time", mt},
            {"refast_warmup", warm},
            {"refast_pinned_cpu", cpu >= 0 ? pinned : "none"},
            {"refast_interleaving", o->no_interleave ? "none" : "random"},
        };
        size_t nc = 0;
        for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
            opt.context[nc][0] = extra[i][0];
            opt.context[nc++][1] = extra[i][1];
        }
        rf_provenance prov;
        rf_provenance_collect(&prov);
        for (size_t i = 0; i < prov.n && nc + 1 < sizeof opt.context / sizeof opt.context[0]; i++) {
            opt.context[nc][0] = prov.kv[i][0];
            opt.context[nc++][1] = prov.kv[i][1];
        }
        if (rf_bench_run(p.items, p.n, &opt, err, sizeof err) != 0) rc = rf_usage_error("bench: %s", err);
        else if (o->out && !add_load_after(tmp, err, sizeof err)) rc = rf_usage_error("bench: %s", err);
    }
    free_plan(&p);
    /* Google Benchmark wrote --out to the temporary name: in place only when the run succeeded */
    if (o->out && !rf_tmp_commit(o->out, rc == RF_EXIT_OK, err, sizeof err) && rc == RF_EXIT_OK)
        rc = rf_usage_error("bench: %s", err);
    return rc;
}
#else
static int run_bench(const void *opts)
{
    (void)opts;
    return rf_usage_error("bench: this build has no Google Benchmark (configure with libbenchmark-dev "
                          "installed and REFAST_BENCH=ON)");
}
#endif

static const rf_opt bench_opts_table[] = {
    {"--isa", RF_OPT_LEVELS, offsetof(bench_opts, levels), NULL, .help = "the levels to time beside scalar",
     .def = "all"},
    {"--kernel", RF_OPT_STR, offsetof(bench_opts, kernel), "GLOB",
     .help = RF_OPT_KERNEL_HELP, .def = "*"},
    {"--repetitions", RF_OPT_U64, offsetof(bench_opts, repetitions), "R", .help = "repetitions of every benchmark",
     .def = "5", .min = 1, .max = 1000},
    {"--min-time", RF_OPT_F64, offsetof(bench_opts, min_time), "S", .help = "seconds of each repetition, at least",
     .def = "0.1", .min = 0, .max = 60, .flags = RF_OPT_MIN_OPEN},
    {"--out", RF_OPT_FILE, offsetof(bench_opts, out), "FILE.json",
     .help = "write Google Benchmark's own JSON (its compare.py reads it; refast\ngate and report too)"},
    {"--no-peers", RF_OPT_FLAG, offsetof(bench_opts, no_peers), NULL,
     .help = "leave out the autovec and openblas peers"},
    {"--no-machine", RF_OPT_FLAG, offsetof(bench_opts, no_machine), NULL, .help = "leave out the machine rows"},
    {"--counter", RF_OPT_CHOICE, offsetof(bench_opts, counter), "time|instructions",
     .help = "instructions: count executed instructions per call under valgrind's\n"
             "callgrind (deterministic; scalar, avx2 and autovec; never avx512)",
     .def = "time"},
    {"--calls", RF_OPT_U64, offsetof(bench_opts, calls), "N", .help = "calls counted per item (--counter instructions)",
     .def = "20", .min = 1, .max = 1000000},
    {"--pin", RF_OPT_STR, offsetof(bench_opts, pin), "auto|none|CPU",
     .help = "pin to one CPU (auto: the highest-numbered one this process may use)", .def = "auto"},
    {"--warmup", RF_OPT_F64, offsetof(bench_opts, warmup), "S",
     .help = "seconds each benchmark runs untimed before its first repetition", .def = "0.01", .min = 0, .max = 60},
    {"--no-interleave", RF_OPT_FLAG, offsetof(bench_opts, no_interleave), NULL,
     .help = "run each benchmark's repetitions back to back (default: all repetitions\n"
             "of all benchmarks in a random order)"},
    {0},
};

const rf_command rf_cmd_bench = {
    .name = "bench",
    .summary = "benchmark every kernel x level (Google Benchmark JSON)",
    .about = "Benchmarks every matching kernel at every selected level, always with the scalar ref\n"
             "row beside it for ratios, plus the peers: autovec (the ref source at -O3 with the\n"
             "level's flags) and openblas where a kernel has one. A level without its own code is not\n"
             "benchmarked twice (refast list shows its fallback). Also measures this machine's\n"
             "limits: machine/fma_peak_<level> (FLOPS counter) and machine/triad (bytes_per_second).\n"
             "Whole pMoE models (forward, backward, SGD step of lib/pmoe at the authors' shapes, in\n"
             "samples/s): pmoe_model_<joint|separate|cnn4|cnn40>_<forward|backward|step>, timed only;\n"
             "the default --kernel '*' takes the step rows, 'pmoe_model_*' all of them.\n"
             "Names are <kernel>/<impl>/<size>. Pinned to one CPU, a warm-up per benchmark, the\n"
             "repetitions of all rows randomly interleaved; the JSON context records the git\n"
             "commit, compiler, flags per level, library versions, CPU model and load average.\n"
             "--counter instructions writes instructions per call (counter \"instructions\")\n"
             "instead of times, for `refast gate` with a plain relative threshold.",
    .opts = bench_opts_table,
    .size = sizeof(bench_opts),
    .run = run_bench,
};
