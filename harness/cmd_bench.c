/* refast bench: every kernel x level (+ autovec / openblas peers) x size through Google
 * Benchmark, plus this machine's limits (peak FMA per level, triad bandwidth). SPEC §7. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "cli.h"
#include "machine_triad.h"
#include "refast/registry.h"

typedef struct bench_opts {
    rf_levels levels;
    const char *kernel, *out;
    unsigned long long repetitions;
    double min_time;
    bool no_peers, no_machine;
} bench_opts;

#if REFAST_HAVE_BENCH
#include "bench_shim.h"

typedef struct kernel_ctx {
    rf_impl im;
    rf_bench_state *state;
} kernel_ctx;

static void run_kernel(void *ctx, uint64_t iters)
{
    kernel_ctx *c = ctx;
    rf_bench_calls(&c->im, c->state, iters);
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
    char slug[128];
    size_slug(size, slug, sizeof slug);
    snprintf(it->name, sizeof it->name, "%s/%s/%s", k->name, impl, slug);
    snprintf(it->label, sizeof it->label, "kernel=%s impl=%s level=%s unit=%s dtype=%s", k->name, impl,
             level, w->item_unit ? w->item_unit : "items", rf_dtype_name(k->work_dtype));
    it->run = run_kernel;
    it->items_per_iter = w->items;
    it->flops_per_iter = w->flops;
    it->bytes_per_iter = w->bytes;
    return true;
}

static int run_bench(const void *opts)
{
    const bench_opts *o = opts;
    const char *glob = o->kernel;
    const bool *levels = o->levels.on;
    char tmp[4200], err[512];
    if (o->out && !rf_tmp_path(o->out, tmp, sizeof tmp)) return rf_usage_error("bench: %s: path too long", o->out);
    /* fail early, not after minutes of benchmarking */
    if (o->out && !rf_check_writable(o->out, err, sizeof err)) return rf_usage_error("bench: %s", err);

    bench_plan p;
    memset(&p, 0, sizeof p);
    size_t nk = rf_kernel_count();
    p.states = calloc(nk * 8, sizeof *p.states);
    int rc = RF_EXIT_OK;
    rf_isa sel[RF_ISA_COUNT];
    size_t nsel = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (l == RF_ISA_SCALAR || levels[l]) sel[nsel++] = (rf_isa)l;
    size_t matched = 0;
    for (size_t i = 0; i < nk && rc == RF_EXIT_OK; i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!rf_glob_match(glob, k->name) || !k->bench_sizes) continue;
        matched++;
        rf_impl im[RF_MAX_IMPLS];
        const size_t nim = rf_kernel_impls(k, sel, nsel, !o->no_peers, im, RF_MAX_IMPLS);
        for (const char *const *size = k->bench_sizes; *size && p.nstates < nk * 8; size++) {
            rf_work w = {0};
            rf_bench_state *state = rf_bench_setup(k, *size, &w, err, sizeof err);
            if (!state) {
                rc = rf_usage_error("bench: %s", err);
                break;
            }
            p.states[p.nstates++] = state;
            for (size_t j = 0; j < nim; j++) {
                /* A level without its own code is not timed twice: its fallback's row is there. */
                if (im[j].kind == RF_IMPL_LEVEL && im[j].provided_by != im[j].level) continue;
                /* OpenBLAS picks its own kernels for the CPU's best instructions: its roofline
                 * level is the best level this CPU has, not scalar. */
                const rf_isa roof = im[j].kind == RF_IMPL_OPENBLAS || im[j].kind == RF_IMPL_ONEDNN ? rf_isa_best() : im[j].level;
                add_kernel_row(&p, &im[j], state, &w, rf_isa_name(roof), *size);
            }
        }
    }
    if (rc == RF_EXIT_OK && !matched) rc = rf_usage_error("bench: no kernel matches '%s'", glob);

    if (rc == RF_EXIT_OK && !o->no_machine) {
        for (int l = 0; l < RF_ISA_COUNT; l++) {
            if (!levels[l] && l != RF_ISA_SCALAR) continue;
            if (!rf_dispatch_native(RF_KID(machine_fma_peak), (rf_isa)l)) continue;
            const peak_fn fn = (peak_fn)rf_dispatch(RF_KID(machine_fma_peak), (rf_isa)l, NULL);
            const unsigned lanes = ((rf_machine_f32_lanes_fn)rf_dispatch(RF_KID(machine_f32_lanes), (rf_isa)l, NULL))();
            rf_bench_item *it = plan_add(&p);
            if (!it) break;
            p.pctx[l].fn = fn;
            snprintf(it->name, sizeof it->name, "machine/fma_peak_%s/-", rf_isa_name((rf_isa)l));
            snprintf(it->label, sizeof it->label, "kernel=machine impl=fma_peak level=%s unit=fma-loops",
                     rf_isa_name((rf_isa)l));
            it->run = run_peak;
            it->ctx = &p.pctx[l];
            it->items_per_iter = 64;
            it->flops_per_iter = 64.0 * RF_PEAK_CHAINS * lanes * 2;
        }
        p.triad.a = rf_alloc(TRIAD_N * sizeof(float));
        p.triad.b = rf_alloc(TRIAD_N * sizeof(float));
        p.triad.c = rf_alloc(TRIAD_N * sizeof(float));
        rf_bench_item *it = p.triad.a && p.triad.b && p.triad.c ? plan_add(&p) : NULL;
        if (it) {
            snprintf(it->name, sizeof it->name, "machine/triad/-");
            snprintf(it->label, sizeof it->label, "kernel=machine impl=triad level=scalar unit=elements");
            it->run = run_triad;
            it->ctx = &p.triad;
            it->items_per_iter = (double)TRIAD_N;
            it->flops_per_iter = 2.0 * (double)TRIAD_N;
            it->bytes_per_iter = 3.0 * sizeof(float) * (double)TRIAD_N;
        }
    }
    /* kernel rows' ctx point into p.kctx, which may have moved while growing */
    for (size_t i = 0; i < p.n; i++)
        if (p.items[i].run == run_kernel) p.items[i].ctx = &p.kctx[i];

    if (rc == RF_EXIT_OK) {
        char cls[160], ncpu[16];
        const char *mc = getenv("REFAST_MACHINE_CLASS");
        snprintf(cls, sizeof cls, "%s", mc && *mc ? mc : "unspecified");
        snprintf(ncpu, sizeof ncpu, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
        rf_bench_options opt = {.repetitions = (int)o->repetitions, .min_time = o->min_time,
                               .json_out = o->out ? tmp : NULL};
        opt.context[0][0] = "refast_cpu_features";
        opt.context[0][1] = rf_isa_cpu_summary();
        opt.context[1][0] = "refast_machine_class";
        opt.context[1][1] = cls;
        opt.context[2][0] = "refast_online_cpus";
        opt.context[2][1] = ncpu;
        if (rf_bench_run(p.items, p.n, &opt, err, sizeof err) != 0) rc = rf_usage_error("bench: %s", err);
    }
    for (size_t i = 0; i < p.nstates; i++) rf_bench_release(p.states[i]);
    rf_free(p.triad.a);
    rf_free(p.triad.b);
    rf_free(p.triad.c);
    free(p.items);
    free(p.kctx);
    free(p.states);
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
    {"--kernel", RF_OPT_STR, offsetof(bench_opts, kernel), "GLOB", .help = "kernels whose name matches (shell pattern)",
     .def = "*"},
    {"--repetitions", RF_OPT_U64, offsetof(bench_opts, repetitions), "R", .help = "repetitions of every benchmark",
     .def = "5", .min = 1, .max = 1000},
    {"--min-time", RF_OPT_F64, offsetof(bench_opts, min_time), "S", .help = "seconds of each repetition, at least",
     .def = "0.1", .min = 0, .max = 60, .flags = RF_OPT_MIN_OPEN},
    {"--out", RF_OPT_FILE, offsetof(bench_opts, out), "FILE.json",
     .help = "write Google Benchmark's own JSON (its compare.py reads it; refast\ngate and report too)"},
    {"--no-peers", RF_OPT_FLAG, offsetof(bench_opts, no_peers), NULL,
     .help = "leave out the autovec and openblas peers"},
    {"--no-machine", RF_OPT_FLAG, offsetof(bench_opts, no_machine), NULL, .help = "leave out the machine rows"},
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
             "Names are <kernel>/<impl>/<size>.",
    .opts = bench_opts_table,
    .size = sizeof(bench_opts),
    .run = run_bench,
};
