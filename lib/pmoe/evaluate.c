/* Evaluation of trained networks (train.h): accuracy under both rules and the router's top-l hit
 * rate, in chunks of EVAL_CHUNK samples through the forward pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pmoe/step.h"
#include "pmoe/train.h"

/* Samples per forward pass. */
#define EVAL_CHUNK 100

int rf_pmoe_evaluate(const rf_pmoe_ops *ops, const rf_pmoe_net *net, const float *wg, const float *W,
                     const float *a, const rf_pmoe_dataset *ds, double *acc_code, double *acc_paper, char *err,
                     size_t errlen)
{
    *acc_code = *acc_paper = NAN;
    if (rf_pmoe_net_check(net, err, errlen) ||
        rf_pmoe_check_finite_f32(wg, rf_pmoe_net_wg_count(net), "gating kernels", err, errlen) ||
        rf_pmoe_check_finite_f32(W, rf_pmoe_net_w_count(net), "expert weights", err, errlen) ||
        rf_pmoe_check_finite_f32(a, rf_pmoe_net_a_count(net), "output weights", err, errlen))
        return -1;
    if (ds->n != net->n || ds->d != net->d) {
        snprintf(err, errlen, "pmoe evaluation: samples of %zu x %zu for a network of %zu x %zu", ds->n, ds->d, net->n,
                 net->d);
        return -1;
    }
    if (ds->count == 0) return 0;
    rf_pmoe_ws_f32 ws;
    if (rf_pmoe_ws_init_f32(&ws, net, EVAL_CHUNK, err, errlen)) return -1;
    float *xb = malloc(EVAL_CHUNK * ds->n * ds->d * sizeof *xb);
    int8_t *yb = malloc(EVAL_CHUNK);
    if (!xb || !yb) {
        free(xb), free(yb);
        rf_pmoe_ws_free_f32(&ws);
        snprintf(err, errlen, "pmoe evaluation: out of memory");
        return -1;
    }
    const rf_pmoe_params_f32 p = {(float *)wg, (float *)W, (float *)a};
    size_t code = 0, paper = 0;
    for (size_t first = 0; first < ds->count; first += EVAL_CHUNK) {
        const size_t B = ds->count - first < EVAL_CHUNK ? ds->count - first : EVAL_CHUNK;
        rf_pmoe_dataset_gather(ds, NULL, first, B, xb, yb);
        rf_pmoe_forward_f32(&ops->f32, net, &p, xb, B, &ws);
        size_t c, q;
        rf_pmoe_count_correct_f32(ws.f, yb, B, &c, &q);
        code += c, paper += q;
    }
    *acc_code = (double)code / (double)ds->count;
    *acc_paper = (double)paper / (double)ds->count;
    free(xb), free(yb);
    rf_pmoe_ws_free_f32(&ws);
    return 0;
}

int rf_pmoe_router_hit_rate(const rf_pmoe_ops *ops, const float *wg, const rf_pmoe_dataset *ds, size_t l, int tie,
                            double *rate, char *err, size_t errlen)
{
    *rate = NAN;
    const rf_pmoe_net net = {RF_PMOE_ARCH_MOE, ds->n, ds->d, 2, 1, l, RF_PMOE_GATE_ONE, tie, ds->grid_w, 1, 0};
    if (rf_pmoe_net_check(&net, err, errlen) || rf_pmoe_check_finite_f32(wg, 2 * ds->d, "router", err, errlen))
        return -1;
    if (ds->count == 0) return 0;
    float *xb = malloc(EVAL_CHUNK * ds->n * ds->d * sizeof *xb), *g = malloc(EVAL_CHUNK * 2 * ds->n * sizeof *g);
    int32_t *idx = malloc(EVAL_CHUNK * 2 * l * sizeof *idx);
    int8_t *yb = malloc(EVAL_CHUNK);
    size_t hits = 0;
    if (!xb || !g || !idx || !yb) {
        free(xb), free(g), free(idx), free(yb);
        snprintf(err, errlen, "pmoe router hit rate: out of memory");
        return -1;
    }
    for (size_t first = 0; first < ds->count; first += EVAL_CHUNK) {
        const size_t B = ds->count - first < EVAL_CHUNK ? ds->count - first : EVAL_CHUNK;
        rf_pmoe_dataset_gather(ds, NULL, first, B, xb, yb);
        ops->f32.route(xb, B, ds->n, ds->d, wg, 2, g);
        ops->f32.topl(g, B * 2, ds->n, l, tie, ds->grid_w, idx, NULL);
        for (size_t b = 0; b < B; b++) {
            const size_t s = yb[b] > 0 ? 0 : 1; /* w_1 routes o_1 (y = +1), w_2 routes o_2 */
            const int32_t *sel = idx + (b * 2 + s) * l;
            for (size_t t = 0; t < l; t++) hits += sel[t] == ds->disc[first + b];
        }
    }
    *rate = (double)hits / (double)ds->count;
    free(xb), free(g), free(idx), free(yb);
    return 0;
}
