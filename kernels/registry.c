/* The list of kernel families, lookups over it, and the framework every descriptor runs through
 * (refast/registry.h): the implementations of a descriptor, running one on a case, benchmarks
 * built from make_inputs. Adding a family: one line in `families` below and its rf_family_<name>
 * in kernels/registry/. */
#include "refast/registry.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static const rf_kernel *const *const families[] = {
    rf_family_rng,
    rf_family_fht,
    rf_family_softmap,
    rf_family_codes,
    rf_family_channel,
    rf_family_dumer,
    rf_family_polar,
    rf_family_polar_i8,
    rf_family_moe_moments,
    rf_family_moe_decomp,
    rf_family_moe_em,
    rf_family_moe_gating,
    rf_family_moe_loss,
    rf_family_ko,
    rf_family_ko_codec,
    rf_family_ko_polar,
    rf_family_pmoe,
    rf_family_gated,
};

/* The descriptors flattened once (they are compile-time constants). */
static const rf_kernel *all[256];
static size_t nall;

static void flatten(void)
{
    if (nall) return;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (const rf_kernel *const *k = families[f]; *k && nall < sizeof all / sizeof all[0]; k++)
            all[nall++] = *k;
}

size_t rf_kernel_count(void)
{
    flatten();
    return nall;
}

const rf_kernel *rf_kernel_at(size_t i)
{
    flatten();
    return i < nall ? all[i] : NULL;
}

const rf_kernel *rf_kernel_find(const char *name)
{
    flatten();
    for (size_t i = 0; i < nall; i++)
        if (strcmp(all[i]->name, name) == 0) return all[i];
    return NULL;
}

bool rf_glob_match(const char *patterns, const char *name)
{
    char one[256];
    for (const char *p = patterns;;) {
        const size_t n = strcspn(p, ",");
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        if (n && fnmatch(one, name, 0) == 0) return true;
        if (!p[n]) return false;
        p += n + 1;
    }
}

static void impl_init(rf_impl *im, const rf_kernel *k, rf_impl_kind kind, rf_isa level)
{
    memset(im, 0, sizeof *im);
    im->kernel = k;
    im->kind = kind;
    im->level = level;
    im->provided_by = level;
}

bool rf_kernel_level(const rf_kernel *k, rf_isa level, rf_impl *out)
{
    impl_init(out, k, RF_IMPL_LEVEL, level);
    snprintf(out->label, sizeof out->label, "%s", rf_isa_name(level));
    if (k->id == RF_ALGORITHM) {
        if (!k->algorithm_levels) out->provided_by = RF_ISA_SCALAR;
        return true;
    }
    out->fn = rf_dispatch((rf_kernel_id)k->id, level, &out->provided_by);
    return out->fn != NULL;
}

rf_fnptr rf_kernel_impl(const rf_kernel *k, rf_isa level, rf_isa *provided_by)
{
    rf_impl im;
    const bool ok = rf_kernel_level(k, level, &im);
    if (provided_by) *provided_by = im.provided_by;
    return ok ? im.fn : NULL;
}

size_t rf_kernel_impls(const rf_kernel *k, const rf_isa *levels, size_t nlevels, bool peers,
                       rf_impl *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < nlevels && n < cap; i++)
        if (rf_kernel_level(k, levels[i], &out[n])) n++;
    if (!peers || k->id == RF_ALGORITHM) return n;
    for (size_t i = 0; i < nlevels && n < cap; i++) {
        const rf_fnptr fn = rf_dispatch_autovec((rf_kernel_id)k->id, levels[i]);
        if (!fn) continue;
        impl_init(&out[n], k, RF_IMPL_AUTOVEC, levels[i]);
        out[n].fn = fn;
        snprintf(out[n].label, sizeof out[n].label, "autovec_%s", rf_isa_name(levels[i]));
        n++;
    }
    const struct {
        rf_fnptr fn;
        rf_impl_kind kind;
        const char *label;
    } libs[] = {{rf_dispatch_openblas((rf_kernel_id)k->id), RF_IMPL_OPENBLAS, "openblas"},
                {rf_dispatch_onednn((rf_kernel_id)k->id), RF_IMPL_ONEDNN, "onednn"}};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        if (!libs[i].fn || n >= cap) continue;
        impl_init(&out[n], k, libs[i].kind, RF_ISA_SCALAR);
        out[n].fn = libs[i].fn;
        snprintf(out[n].label, sizeof out[n].label, "%s", libs[i].label);
        n++;
    }
    return n;
}

/* What a run in progress owns, so that a judge whose call faulted (and jumped over these frames)
 * can free it: rf_kernel_run_abandoned. */
static _Thread_local struct {
    void *args;
    rf_case inputs;
    bool inputs_live;
} in_flight;

int rf_kernel_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    const rf_kernel *k = im->kernel;
    if (k->run) return k->run(im, c, out, err, errlen);
    if (!k->bind || !k->call) return rf_run_error(err, errlen, "%s: no way to run it", k->name);
    void *args = calloc(1, k->args_size ? k->args_size : 1);
    if (!args) return rf_run_error(err, errlen, "out of memory");
    in_flight.args = args;
    int rc = k->bind(k, c, out, args, err, errlen);
    if (rc == 0) k->call(im, args);
    in_flight.args = NULL;
    free(args);
    return rc;
}

double rf_case_cost(const rf_kernel *k, const rf_case *c)
{
    if (!k->bind || !k->work) return -1;
    void *args = calloc(1, k->args_size ? k->args_size : 1);
    if (!args) return -1;
    rf_case out;
    rf_case_init(&out, c->kernel, c->name, c->params);
    char err[256];
    double cost = -1;
    if (k->bind(k, c, &out, args, err, sizeof err) == 0) {
        rf_work w = {0};
        k->work(k, args, &w);
        cost = w.flops > w.bytes ? w.flops : w.bytes;
    }
    free(args);
    rf_case_free(&out);
    return cost;
}

void rf_kernel_run_abandoned(void)
{
    free(in_flight.args);
    in_flight.args = NULL;
    if (in_flight.inputs_live) rf_case_free(&in_flight.inputs);
    in_flight.inputs_live = false;
}

/* The inputs the call sees: a copy of c's in.* arrays at `place`, each at its exact size. */
static int copy_inputs(const rf_case *c, rf_placement place, rf_case *g, char *err, size_t errlen)
{
    rf_case_init(g, c->kernel, c->name, c->params);
    g->work_dtype = c->work_dtype;
    g->place = place;
    for (unsigned i = 0; i < c->narrays; i++) {
        const rf_array *a = &c->arrays[i];
        if (strncmp(a->name, "in.", 3) != 0) continue;
        void *d = rf_case_add(g, a->name, a->dtype, a->ndim, a->shape);
        if (!d) return rf_run_error(err, errlen, "out of memory placing %s", a->name);
        memcpy(d, a->data, (size_t)a->count * rf_dtype_size(a->dtype));
    }
    return 0;
}

static uint64_t inputs_hash(const rf_case *g)
{
    uint64_t h = 0;
    for (unsigned i = 0; i < g->narrays; i++)
        h = XXH3_64bits_withSeed(g->arrays[i].data, (size_t)g->arrays[i].count * rf_dtype_size(g->arrays[i].dtype), h);
    return h;
}

int rf_kernel_fuzz_case(const rf_kernel *k, const uint8_t *data, size_t size, rf_case *c)
{
    rf_case_init(c, k->name, "fuzz", "");
    c->work_dtype = k->work_dtype;
    if (k->fuzz_inputs(k, data, size, c) == 0) return 0;
    rf_case_free(c);
    return -1;
}

int rf_kernel_run_placed(const rf_impl *im, const rf_case *c, rf_placement place, rf_case *out, char *err,
                         size_t errlen)
{
    rf_case *g = &in_flight.inputs;
    int rc = copy_inputs(c, place, g, err, errlen);
    in_flight.inputs_live = true;
    if (rc == 0) {
        const uint64_t before = inputs_hash(g);
        out->place = place;
        rc = rf_kernel_run(im, g, out, err, errlen);
        if (rc == 0 && inputs_hash(g) != before) {
            for (unsigned i = 0; i < g->narrays; i++) {
                const rf_array *a = &g->arrays[i], *orig = rf_case_find(c, a->name);
                if (memcmp(a->data, orig->data, (size_t)a->count * rf_dtype_size(a->dtype)) != 0)
                    rc = rf_run_error(err, errlen, "%s wrote into its input %s", im->label, a->name);
            }
        }
    }
    rf_case_free(g);
    in_flight.inputs_live = false;
    return rc;
}

/* A benchmark: the case make_inputs built from the size's params, bound once; the outputs live in
 * `out`, memory the compiler cannot prove dead. */
struct rf_bench_state {
    const rf_kernel *k;
    rf_case c, out;
    void *args;
    uint64_t rebind_every, since;
};

rf_bench_state *rf_bench_setup(const rf_kernel *k, const char *params, rf_work *work, char *err,
                               size_t errlen)
{
    memset(work, 0, sizeof *work);
    rf_bench_state *s = calloc(1, sizeof *s);
    if (!s) {
        rf_run_error(err, errlen, "out of memory");
        return NULL;
    }
    s->k = k;
    if (!k->make_inputs || !k->bind || !k->call || !k->work) {
        rf_run_error(err, errlen, "%s has no benchmark", k->name);
        free(s);
        return NULL;
    }
    rf_case_init(&s->c, k->name, "bench", params);
    rf_case_init(&s->out, k->name, "bench", params);
    s->args = calloc(1, k->args_size ? k->args_size : 1);
    if (!s->args || k->make_inputs(k, &s->c, err, errlen) != 0 ||
        k->bind(k, &s->c, &s->out, s->args, err, errlen) != 0) {
        if (!s->args) rf_run_error(err, errlen, "out of memory");
        rf_bench_release(s);
        return NULL;
    }
    k->work(k, s->args, work);
    s->rebind_every = work->rebind_every;
    return s;
}

void rf_bench_calls(const rf_impl *im, rf_bench_state *s, uint64_t iters)
{
    const rf_kernel *k = s->k;
    for (uint64_t it = 0; it < iters; it++) {
        k->call(im, s->args);
        if (s->rebind_every && ++s->since >= s->rebind_every) {
            /* fresh inputs for an in-place kernel: bind finds its outputs already made
             * (rf_case_out) and only copies the inputs again */
            (void)k->bind(k, &s->c, &s->out, s->args, NULL, 0);
            s->since = 0;
        }
    }
}

void rf_bench_release(rf_bench_state *s)
{
    if (!s) return;
    rf_case_free(&s->c);
    rf_case_free(&s->out);
    free(s->args);
    free(s);
}

int rf_run_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *const tol_names[] = {"exact", "sum", "ulp", "decision", "iterate"};

const char *rf_tol_name(rf_tol_class c)
{
    return (unsigned)c < sizeof tol_names / sizeof tol_names[0] ? tol_names[c] : "?";
}

bool rf_tol_parse(const char *s, rf_tol_class *out)
{
    for (unsigned i = 0; i < sizeof tol_names / sizeof tol_names[0]; i++) {
        if (strcmp(s, tol_names[i]) == 0) {
            *out = (rf_tol_class)i;
            return true;
        }
    }
    return false;
}
