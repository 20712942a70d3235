/* refast bench: every kernel x level (+ autovec / openblas peers) x size through Google
 * Benchmark, plus this machine's limits (peak FMA per level, triad bandwidth). SPEC §7. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "machine_triad.h"
#include "refast/registry.h"

static void bench_help(void)
{
    printf("usage: refast bench [--isa LEVEL|all] [--kernel GLOB] [--repetitions R] [--min-time S]\n"
           "                    [--out FILE.json] [--no-peers] [--no-machine]\n"
           "Benchmarks every matching kernel at every selected level (default: all levels this CPU\n"
           "has), always with the scalar ref row beside it for ratios, plus the peers: autovec (the\n"
           "ref source at -O3 with the level's flags) and openblas where a kernel has one. A level\n"
           "without its own code is not benchmarked twice (refast list shows its fallback). Also\n"
           "measures this machine's limits: machine/fma_peak_<level> (FLOPS counter) and\n"
           "machine/triad (bytes_per_second). Names are <kernel>/<impl>/<size>; --out writes\n"
           "Google Benchmark's own JSON (its compare.py reads it; refast gate/report too).\n"
           "Defaults: --repetitions 5 --min-time 0.1.\n");
}

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

int cmd_bench(int argc, char **argv)
{
    const char *isa = "all", *glob = "*", *out = NULL;
    unsigned long long reps = 5;
    double min_time = 0.1;
    bool peers = true, machine = true;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            bench_help();
            return RF_EXIT_OK;
        } else if (rf_opt(argc, argv, &i, "--isa", &v)) {
            if (!v) return rf_usage_error("bench: --isa needs a level or 'all'");
            isa = v;
        } else if (rf_opt(argc, argv, &i, "--kernel", &v)) {
            if (!v) return rf_usage_error("bench: --kernel needs a glob");
            glob = v;
        } else if (rf_opt(argc, argv, &i, "--repetitions", &v)) {
            if (!rf_parse_u64(v, &reps) || reps < 1 || reps > 1000)
                return rf_usage_error("bench: --repetitions must be an integer in 1..1000");
        } else if (rf_opt(argc, argv, &i, "--min-time", &v)) {
            if (!rf_parse_f64(v, &min_time) || min_time <= 0 || min_time > 60)
                return rf_usage_error("bench: --min-time must be a number of seconds in (0, 60]");
        } else if (rf_opt(argc, argv, &i, "--out", &v)) {
            if (!v) return rf_usage_error("bench: --out needs a file name");
            out = v;
        } else if (!strcmp(argv[i], "--no-peers")) {
            peers = false;
        } else if (!strcmp(argv[i], "--no-machine")) {
            machine = false;
        } else {
            return rf_usage_error("bench: unknown argument '%s' (see refast bench --help)", argv[i]);
        }
    }
    bool levels[RF_ISA_COUNT];
    if (!rf_cli_levels(isa, levels)) return RF_EXIT_USAGE;
    if (out) {
        /* fail early, not after minutes of benchmarking */
        FILE *f = fopen(out, "a");
        if (!f) return rf_usage_error("bench: cannot write '%s'", out);
        fclose(f);
    }

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
        const size_t nim = rf_kernel_impls(k, sel, nsel, peers, im, RF_MAX_IMPLS);
        for (const char *const *size = k->bench_sizes; *size && p.nstates < nk * 8; size++) {
            rf_work w = {0};
            char err[512];
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
                const rf_isa roof = im[j].kind == RF_IMPL_OPENBLAS ? rf_isa_best() : im[j].level;
                add_kernel_row(&p, &im[j], state, &w, rf_isa_name(roof), *size);
            }
        }
    }
    if (rc == RF_EXIT_OK && !matched) rc = rf_usage_error("bench: no kernel matches '%s'", glob);

    if (rc == RF_EXIT_OK && machine) {
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
        char cls[160], ncpu[16], err[512];
        const char *mc = getenv("REFAST_MACHINE_CLASS");
        snprintf(cls, sizeof cls, "%s", mc && *mc ? mc : "unspecified");
        snprintf(ncpu, sizeof ncpu, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
        rf_bench_options opt = {.repetitions = (int)reps, .min_time = min_time, .json_out = out};
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
    return rc;
}
#else
int cmd_bench(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            bench_help();
            return RF_EXIT_OK;
        }
    }
    return rf_usage_error("bench: this build has no Google Benchmark (configure with libbenchmark-dev "
                          "installed and REFAST_BENCH=ON)");
}
#endif
