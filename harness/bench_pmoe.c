/* The whole-model pMoE rows of `refast bench` (bench_pmoe.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bench_pmoe.h"
#include "pmoe/fixture.h"
#include "pmoe/step.h"
#include "refast/registry.h"

#define PB_BATCH 20
#define PB_SEED 1
/* step rows: the weights are put back to the fixture's every PB_RESTORE steps, so that a row
 * times steps from the same state however many it runs (repeated steps on one batch would
 * otherwise drive dL/df towards subnormal numbers); the copy (k h d + k d floats per PB_RESTORE
 * steps) is under 1 % of a step at every level */
#define PB_RESTORE 8

enum { PB_FORWARD = 0, PB_BACKWARD, PB_STEP, PB_PHASES };
static const char *const phase_names[PB_PHASES] = {"forward", "backward", "step"};

typedef struct pb_row {
    const rf_pmoe_fixture *fx;
    rf_pmoe_ops ops;
    int phase;
    rf_isa roof; /* the level whose peak the row is compared with */
    float *wg, *W;
    rf_pmoe_params_f32 p;
    rf_pmoe_ws_f32 ws;
    unsigned since_restore;
} pb_row;

struct rf_pmoe_bench {
    rf_pmoe_fixture fx[4];
    size_t nfx;
    pb_row *rows;
    size_t n, cap;
};

static void kernel_name(const char *model, int phase, char *out, size_t len)
{
    snprintf(out, len, "pmoe_model_%s_%s", model, phase_names[phase]);
}

/* The default glob "*" (every kernel) takes the step rows only: 24 rows, about 3 % more rows in a
 * full run; forward and backward are there when a glob names them (pmoe_model_*). */
static bool row_selected(const char *glob, const char *model, int phase)
{
    char name[64];
    kernel_name(model, phase, name, sizeof name);
    return rf_glob_match(glob, name) && (phase == PB_STEP || strcmp(glob, "*") != 0);
}

bool rf_pmoe_bench_matches(const char *glob)
{
    for (const char *const *m = rf_pmoe_fixture_models; *m; m++)
        for (int ph = 0; ph < PB_PHASES; ph++)
            if (row_selected(glob, *m, ph)) return true;
    return false;
}

static void run_row(void *ctx, uint64_t iters)
{
    pb_row *r = ctx;
    const rf_pmoe_fixture *fx = r->fx;
    const rf_pmoe_net *net = &fx->net;
    for (uint64_t i = 0; i < iters; i++) {
        switch (r->phase) {
        case PB_FORWARD:
            rf_pmoe_forward_f32(&r->ops.f32, net, &r->p, fx->x, fx->B, &r->ws);
            break;
        case PB_BACKWARD: /* on the forward made when the row was planned */
            rf_pmoe_backward_f32(&r->ops.f32, net, &r->p, fx->x, fx->y, fx->B, &r->ws);
            break;
        default:
            if (r->since_restore++ == PB_RESTORE) {
                memcpy(r->W, fx->W, rf_pmoe_net_w_count(net) * sizeof *r->W);
                memcpy(r->wg, fx->wg, rf_pmoe_net_wg_count(net) * sizeof *r->wg);
                r->since_restore = 1;
            }
            rf_pmoe_sgd_step_f32(&r->ops.f32, net, &r->p, fx->x, fx->y, fx->B, (float)fx->cfg.lr, &r->ws);
        }
    }
}

/* Work of one call, from the shapes (F = 4 bytes a float, 4 an index). FLOPs: 2 per multiply-add
 * of the products, which are all but O(B k n) of the arithmetic:
 *   forward   route 2 B k n d (MoE) + experts 2 B k l h d + the output sum 2 B k l h
 *   backward  dW 2 B k l h d + (joint) the routing transpose 2 B k n d
 *   step      forward + backward + SGD 2 per trained weight
 * (the CNN: k 1, l n, no routing). Top-l, softmax, loss and their backward are not counted.
 * Bytes: every array each kernel of the phase reads or writes, once per kernel call (x: the B n d
 * samples for the routing, the B k l selected patches for the experts). */
static void row_work(const rf_pmoe_net *net, size_t B, int phase, double *flops, double *bytes)
{
    const double F = 4, b = (double)B, k = (double)net->k, h = (double)net->h, l = (double)net->l;
    const double n = (double)net->n, d = (double)net->d;
    const int moe = net->arch == RF_PMOE_ARCH_MOE, gated = moe && net->gating != RF_PMOE_GATE_ONE;
    const int routers = gated && net->train_routers;
    double fl = 0, by = 0;
    if (phase == PB_FORWARD || phase == PB_STEP) {
        if (moe) {
            fl += 2 * b * k * n * d;
            by += F * (b * n * d + k * d + b * k * n);               /* route */
            by += F * (b * k * n + b * k * l + b * k);               /* topl: g, idx, margin */
            if (gated) by += F * (b * k * n + 2 * b * k * l);        /* gate: g, idx, G */
        }
        fl += 2 * b * k * l * h * d + 2 * b * k * l * h;
        by += F * (b * k * l * d + k * h * d + k * h + b * k * l * h + b * k * l + b); /* x, W, a, z, c, f */
        if (moe) by += F * b * k * l * (gated ? 2 : 1);                               /* idx, G */
    }
    if (phase == PB_BACKWARD || phase == PB_STEP) {
        by += F * 3 * b + b;                                                           /* logistic */
        fl += 2 * b * k * l * h * d;
        by += F * (b * k * l * d + k * h * d + k * h + b * k * l * h + b * k * l + b); /* x, dW, a, z, c, dldf */
        if (moe) by += F * b * k * l * (gated ? 2 : 1) + (routers ? F * b * k * l : 0); /* idx, G, dG */
        if (routers) {
            by += F * (2 * b * k * n + 2 * b * k * l);                                 /* gate_bwd */
            fl += 2 * b * k * n * d;
            by += F * (b * n * d + b * k * n + k * d);                                 /* route_bwd */
        }
    }
    if (phase == PB_STEP) {
        const double w = k * h * d + (routers ? k * d : 0);
        fl += 2 * w;
        by += 3 * F * w;
    }
    *flops = fl;
    *bytes = by;
}

static void row_free(pb_row *r)
{
    rf_free(r->wg);
    rf_free(r->W);
    rf_pmoe_ws_free_f32(&r->ws);
}

static int add_row(rf_pmoe_bench *pb, const rf_pmoe_fixture *fx, const rf_pmoe_ops *ops, rf_isa roof, int phase,
                   char *err, size_t errlen)
{
    if (pb->n == pb->cap) {
        const size_t cap = pb->cap ? 2 * pb->cap : 32;
        pb_row *rows = realloc(pb->rows, cap * sizeof *rows);
        if (!rows) return snprintf(err, errlen, "bench: out of memory"), -1;
        pb->rows = rows, pb->cap = cap;
    }
    pb_row *r = &pb->rows[pb->n];
    memset(r, 0, sizeof *r);
    const rf_pmoe_net *net = &fx->net;
    r->fx = fx, r->ops = *ops, r->phase = phase, r->roof = roof;
    r->wg = rf_alloc((rf_pmoe_net_wg_count(net) + 1) * sizeof *r->wg);
    r->W = rf_alloc((rf_pmoe_net_w_count(net) + 1) * sizeof *r->W);
    if (!r->wg || !r->W || rf_pmoe_ws_init_f32(&r->ws, net, fx->B, err, errlen)) {
        if (!r->wg || !r->W) snprintf(err, errlen, "bench: out of memory");
        row_free(r);
        return -1;
    }
    memcpy(r->W, fx->W, rf_pmoe_net_w_count(net) * sizeof *r->W);
    memcpy(r->wg, fx->wg, rf_pmoe_net_wg_count(net) * sizeof *r->wg);
    r->p = (rf_pmoe_params_f32){r->wg, r->W, fx->a};
    if (phase == PB_BACKWARD) rf_pmoe_forward_f32(&r->ops.f32, net, &r->p, fx->x, fx->B, &r->ws);
    pb->n++;
    return 0;
}

/* The kernel sets to time: scalar and every selected level with pMoE code of its own (a level that
 * falls back would time its fallback twice), then the peers. */
static size_t kernel_sets(const bool *levels, bool peers, rf_pmoe_ops *sets, rf_isa *roof)
{
    size_t n = 0;
    char err[256];
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        if (l != RF_ISA_SCALAR && (!levels[l] || !rf_dispatch_native(RF_KID(pmoe_route_f32), (rf_isa)l))) continue;
        if (rf_pmoe_ops_level((rf_isa)l, &sets[n], err, sizeof err) == 0) roof[n++] = (rf_isa)l;
    }
    if (!peers) return n;
    for (int l = 1; l < RF_ISA_COUNT; l++)
        if (levels[l] && rf_pmoe_ops_autovec((rf_isa)l, &sets[n], err, sizeof err) == 0) roof[n++] = (rf_isa)l;
    /* OpenBLAS picks its kernels for the CPU's best instructions (as cmd_bench.c's kernel rows) */
    if (rf_pmoe_ops_openblas(&sets[n], err, sizeof err) == 0) roof[n++] = rf_isa_best();
    return n;
}

int rf_pmoe_bench_plan(const char *glob, const bool *levels, bool peers, rf_pmoe_bench **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    if (!rf_pmoe_bench_matches(glob)) return 0;
    rf_pmoe_bench *pb = calloc(1, sizeof *pb);
    if (!pb) return snprintf(err, errlen, "bench: out of memory"), -1;
    rf_pmoe_ops sets[2 * RF_ISA_COUNT + 1];
    rf_isa roof[2 * RF_ISA_COUNT + 1];
    const size_t nsets = kernel_sets(levels, peers, sets, roof);
    for (const char *const *m = rf_pmoe_fixture_models; *m; m++) {
        int wanted = 0;
        for (int ph = 0; ph < PB_PHASES; ph++) wanted |= row_selected(glob, *m, ph);
        if (!wanted) continue;
        rf_pmoe_fixture *fx = &pb->fx[pb->nfx];
        if (rf_pmoe_fixture_make(*m, PB_BATCH, PB_SEED, fx, err, errlen)) goto fail;
        pb->nfx++;
        for (int ph = 0; ph < PB_PHASES; ph++) {
            if (!row_selected(glob, *m, ph)) continue;
            for (size_t s = 0; s < nsets; s++)
                if (add_row(pb, fx, &sets[s], roof[s], ph, err, errlen)) goto fail;
        }
    }
    *out = pb;
    return 0;
fail:
    rf_pmoe_bench_free(pb);
    return -1;
}

size_t rf_pmoe_bench_count(const rf_pmoe_bench *pb)
{
    return pb ? pb->n : 0;
}

void rf_pmoe_bench_item(rf_pmoe_bench *pb, size_t i, rf_bench_item *it)
{
    pb_row *r = &pb->rows[i];
    const rf_pmoe_net *net = &r->fx->net;
    char kname[64];
    kernel_name(r->fx->model, r->phase, kname, sizeof kname);
    memset(it, 0, sizeof *it);
    snprintf(it->name, sizeof it->name, "%s/%s/B=%zu,n=%zu,d=%zu", kname, r->ops.name, r->fx->B, net->n, net->d);
    snprintf(it->label, sizeof it->label, "kernel=%s impl=%s level=%s unit=samples dtype=f32", kname, r->ops.name,
             rf_isa_name(r->roof));
    it->run = run_row;
    it->ctx = r;
    it->items_per_iter = (double)r->fx->B;
    row_work(net, r->fx->B, r->phase, &it->flops_per_iter, &it->bytes_per_iter);
}

void rf_pmoe_bench_free(rf_pmoe_bench *pb)
{
    if (!pb) return;
    for (size_t i = 0; i < pb->n; i++) row_free(&pb->rows[i]);
    for (size_t i = 0; i < pb->nfx; i++) rf_pmoe_fixture_free(&pb->fx[i]);
    free(pb->rows);
    free(pb);
}
