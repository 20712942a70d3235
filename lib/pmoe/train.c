/* Training drivers (train.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "pmoe/prng.h"
#include "pmoe/step.h"
#include "pmoe/train.h"

static const char *const model_names[] = {"cnn", "separate", "joint"};

const char *rf_pmoe_model_name(rf_pmoe_model model)
{
    return (unsigned)model < 3 ? model_names[model] : "?";
}

int rf_pmoe_model_parse(const char *name, rf_pmoe_model *model, char *err, size_t errlen)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, model_names[i])) {
            *model = (rf_pmoe_model)i;
            return 0;
        }
    snprintf(err, errlen, "unknown pmoe model '%s' (expected cnn, separate or joint)", name);
    return -1;
}

void rf_pmoe_train_defaults(rf_pmoe_train_cfg *cfg, rf_pmoe_model model)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->model = model;
    cfg->lr = 0.2;
    cfg->batch = 20;
    cfg->epochs = 150;
    cfg->router_epochs = 100;
    cfg->gating = RF_PMOE_GATE_SOFTMAX;
    cfg->tie = RF_PMOE_TIE_ROW;
    cfg->a_mode = RF_PMOE_A_GAUSS;
    cfg->seed = 1;
    switch (model) {
    case RF_PMOE_MODEL_CNN:
        cfg->k = 1, cfg->h = 4, cfg->l = 0; /* l = n, set from the data */
        cfg->gating = RF_PMOE_GATE_ONE;
        cfg->init_w = 0.1;
        break;
    case RF_PMOE_MODEL_SEPARATE:
        cfg->k = 2, cfg->h = 20, cfg->l = 2;
        cfg->gating = RF_PMOE_GATE_ONE;
        cfg->tie = RF_PMOE_TIE_COL;
        cfg->a_mode = RF_PMOE_A_PM1;
        cfg->init_w = 0.1, cfg->init_g = 0.1;
        break;
    case RF_PMOE_MODEL_JOINT:
        cfg->k = 8, cfg->h = 5, cfg->l = 6;
        cfg->init_w = 0.01, cfg->init_g = 1e-4;
        break;
    }
}

void rf_pmoe_train_paper(rf_pmoe_train_cfg *cfg)
{
    cfg->paper_scale = 1;
    cfg->a_mode = RF_PMOE_A_GAUSS;
    if (cfg->model == RF_PMOE_MODEL_CNN) cfg->h = 40;
    cfg->init_w = 1 / sqrt((double)(cfg->k * cfg->h)); /* eq. 8: N(0, 1/m), m = all neurons */
}

int rf_pmoe_train_net(const rf_pmoe_train_cfg *cfg, size_t n, size_t d, size_t grid_w, rf_pmoe_net *net, char *err,
                      size_t errlen)
{
    memset(net, 0, sizeof *net);
    if ((unsigned)cfg->model > RF_PMOE_MODEL_JOINT) {
        snprintf(err, errlen, "pmoe training: unknown model %d", (int)cfg->model);
        return -1;
    }
    const int cnn = cfg->model == RF_PMOE_MODEL_CNN;
    net->arch = cnn ? RF_PMOE_ARCH_CNN : RF_PMOE_ARCH_MOE;
    net->n = n, net->d = d;
    net->k = cnn ? 1 : cfg->k;
    net->h = cfg->h;
    net->l = cnn ? n : cfg->l;
    net->gating = cfg->model == RF_PMOE_MODEL_JOINT ? cfg->gating : RF_PMOE_GATE_ONE;
    net->tie = cfg->tie;
    net->grid_w = grid_w;
    net->scale = cfg->paper_scale && net->l ? 1.0 / (double)net->l : 1.0 / (double)n;
    net->train_routers = cfg->model == RF_PMOE_MODEL_JOINT;
    if (cfg->model == RF_PMOE_MODEL_JOINT && net->gating == RF_PMOE_GATE_ONE) {
        snprintf(err, errlen, "pmoe training: joint training needs softmax or WRN gating (G = 1 has no router gradient)");
        return -1;
    }
    if (cfg->model == RF_PMOE_MODEL_SEPARATE && cfg->k != 2) {
        snprintf(err, errlen, "pmoe training: separate training has k = 2 experts (one router per class), not %zu",
                 cfg->k);
        return -1;
    }
    const char *why = NULL;
    if (!(cfg->lr > 0) || !isfinite(cfg->lr)) why = "the learning rate must be finite and > 0";
    else if (cfg->batch < 1) why = "the batch size must be >= 1";
    else if (!(cfg->init_w >= 0) || !isfinite(cfg->init_w) || !(cfg->init_g >= 0) || !isfinite(cfg->init_g))
        why = "initial standard deviations must be finite and >= 0";
    else if (cfg->a_mode != RF_PMOE_A_GAUSS && cfg->a_mode != RF_PMOE_A_PM1) why = "unknown output-weight mode";
    if (why) {
        snprintf(err, errlen, "pmoe training: %s", why);
        return -1;
    }
    return rf_pmoe_net_check(net, err, errlen);
}

void rf_pmoe_train_result_free(rf_pmoe_train_result *res)
{
    rf_free(res->wg);
    rf_free(res->W);
    free(res->a);
    free(res->epoch);
    free(res->router_loss);
    memset(res, 0, sizeof *res);
}

/* The run's INIT streams: sub 0 W, sub 1 wg, sub 2 a. */
void rf_pmoe_train_init(const rf_pmoe_train_cfg *cfg, const rf_pmoe_net *net, uint64_t run, float *wg, float *W,
                        float *a)
{
    rf_pmoe_rng r;
    rf_pmoe_rng_init(&r, cfg->seed, rf_pmoe_stream(RF_PMOE_STREAM_INIT, run, 0));
    for (size_t i = 0; i < rf_pmoe_net_w_count(net); i++) W[i] = (float)(cfg->init_w * rf_pmoe_rng_gauss(&r));
    rf_pmoe_rng_init(&r, cfg->seed, rf_pmoe_stream(RF_PMOE_STREAM_INIT, run, 1));
    for (size_t i = 0; i < net->k * net->d; i++) wg[i] = (float)(cfg->init_g * rf_pmoe_rng_gauss(&r));
    rf_pmoe_rng_init(&r, cfg->seed, rf_pmoe_stream(RF_PMOE_STREAM_INIT, run, 2));
    for (size_t s = 0; s < net->k; s++)
        for (size_t q = 0; q < net->h; q++)
            a[s * net->h + q] = cfg->a_mode == RF_PMOE_A_PM1 ? (s % 2 == 0 ? 1.0f : -1.0f)
                                                             : (float)rf_pmoe_rng_gauss(&r);
}

static int data_finite(const rf_pmoe_dataset *ds)
{
    if (!ds->f32) return 1;
    for (size_t i = 0; i < ds->count * ds->n * ds->d; i++)
        if (!isfinite(ds->f32[i])) return 0;
    return 1;
}

/* One epoch of SGD over ds in the order of a fresh permutation from (stream purpose, run, epoch). */
static void run_epoch(const rf_pmoe_ops *ops, const rf_pmoe_train_cfg *cfg, const rf_pmoe_net *net,
                      rf_pmoe_params_f32 *p, const rf_pmoe_dataset *ds, uint64_t run, unsigned epoch, unsigned purpose,
                      uint32_t *order, float *xb, int8_t *yb, rf_pmoe_ws_f32 *ws, rf_pmoe_epoch *st)
{
    rf_pmoe_rng r;
    rf_pmoe_rng_init(&r, cfg->seed, rf_pmoe_stream(purpose, run, epoch));
    for (size_t i = 0; i < ds->count; i++) order[i] = (uint32_t)i;
    rf_pmoe_rng_shuffle(&r, order, ds->count);
    double loss = 0;
    size_t code = 0, paper = 0;
    for (size_t first = 0; first < ds->count; first += cfg->batch) {
        const size_t B = ds->count - first < cfg->batch ? ds->count - first : cfg->batch;
        rf_pmoe_dataset_gather(ds, order, first, B, xb, yb);
        loss += (double)rf_pmoe_sgd_step_f32(&ops->f32, net, p, xb, yb, B, (float)cfg->lr, ws) * (double)B;
        size_t c, q;
        rf_pmoe_count_correct_f32(ws->f, yb, B, &c, &q);
        code += c, paper += q;
    }
    const double N = ds->count ? (double)ds->count : 1;
    st->loss = loss / N;
    st->train_acc_code = (double)code / N;
    st->train_acc_paper = (double)paper / N;
    st->test_acc_code = st->test_acc_paper = NAN;
}

/* The router pre-training phase of separate training: wg (2 x d) trained on eq. 6. */
static int train_routers(const rf_pmoe_ops *ops, const rf_pmoe_train_cfg *cfg, const rf_pmoe_dataset *train,
                         uint64_t run, float *wg, uint32_t *order, float *xb, int8_t *yb, double *router_loss,
                         char *err, size_t errlen)
{
    const rf_pmoe_net rnet = {RF_PMOE_ARCH_ROUTER, train->n, train->d, 2, 0, 0, RF_PMOE_GATE_ONE, RF_PMOE_TIE_ROW,
                              train->grid_w, 1, 1};
    rf_pmoe_ws_f32 ws;
    if (rf_pmoe_ws_init_f32(&ws, &rnet, cfg->batch, err, errlen)) return -1;
    rf_pmoe_params_f32 p = {wg, NULL, NULL};
    for (unsigned e = 0; e < cfg->router_epochs; e++) {
        rf_pmoe_epoch st;
        run_epoch(ops, cfg, &rnet, &p, train, run, e, RF_PMOE_STREAM_ROUTER_SHUFFLE, order, xb, yb, &ws, &st);
        router_loss[e] = st.loss;
        if (cfg->on_epoch) cfg->on_epoch(cfg->user, "router", e, &st);
    }
    rf_pmoe_ws_free_f32(&ws);
    return 0;
}

int rf_pmoe_train(const rf_pmoe_ops *ops, const rf_pmoe_train_cfg *cfg, const rf_pmoe_dataset *train,
                  const rf_pmoe_dataset *test, uint64_t run, rf_pmoe_train_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (rf_pmoe_ops_check(ops, err, errlen)) return -1;
    if (train->count == 0) {
        snprintf(err, errlen, "pmoe training: the training set is empty");
        return -1;
    }
    if (test->count && (test->n != train->n || test->d != train->d)) {
        snprintf(err, errlen, "pmoe training: test samples (%zu x %zu) differ from training samples (%zu x %zu)",
                 test->n, test->d, train->n, train->d);
        return -1;
    }
    if (!data_finite(train) || !data_finite(test)) {
        snprintf(err, errlen, "pmoe training: the data contain NaN or infinite values");
        return -1;
    }
    if (train->count > 0xffffffffu) {
        snprintf(err, errlen, "pmoe training: %zu samples is too many", train->count);
        return -1;
    }
    rf_pmoe_net *net = &res->net;
    if (rf_pmoe_train_net(cfg, train->n, train->d, train->grid_w, net, err, errlen)) return -1;
    const size_t nd = train->n * train->d;
    rf_pmoe_ws_f32 ws = {0};
    uint32_t *order = malloc((train->count + 1) * sizeof *order);
    /* the batch and the weights on whole 64-byte lines (rf_alloc): rows of d = 784 floats are then
     * aligned too, and an AVX-512 load that splits two cache lines costs about one more; the CNN
     * 40 forward at avx512 took 1.6x as long with calloc'd W (refast bench pmoe_model_*) */
    float *xb = cfg->batch <= SIZE_MAX / (nd * sizeof *xb + 1) ? rf_alloc(cfg->batch * nd * sizeof *xb) : NULL;
    int8_t *yb = malloc(cfg->batch);
    res->wg = rf_alloc((net->k * net->d + 1) * sizeof *res->wg);
    res->W = rf_alloc((rf_pmoe_net_w_count(net) + 1) * sizeof *res->W);
    res->a = calloc(rf_pmoe_net_a_count(net) + 1, sizeof *res->a);
    res->epoch = calloc(cfg->epochs + 1, sizeof *res->epoch);
    res->router_loss = calloc(cfg->router_epochs + 1, sizeof *res->router_loss);
    int rc = -1;
    if (!order || !xb || !yb || !res->wg || !res->W || !res->a || !res->epoch || !res->router_loss) {
        snprintf(err, errlen, "pmoe training: out of memory");
        goto done;
    }
    rf_pmoe_train_init(cfg, net, run, res->wg, res->W, res->a);
    if (cfg->model == RF_PMOE_MODEL_SEPARATE) {
        if (train_routers(ops, cfg, train, run, res->wg, order, xb, yb, res->router_loss, err, errlen)) goto done;
        res->router_epochs = cfg->router_epochs;
    }
    if (rf_pmoe_ws_init_f32(&ws, net, cfg->batch, err, errlen)) goto done;
    rf_pmoe_params_f32 p = {res->wg, res->W, res->a};
    for (unsigned e = 0; e < cfg->epochs; e++) {
        rf_pmoe_epoch *st = &res->epoch[e];
        run_epoch(ops, cfg, net, &p, train, run, e, RF_PMOE_STREAM_SHUFFLE, order, xb, yb, &ws, st);
        res->epochs = e + 1;
        const int last = e + 1 == cfg->epochs;
        if (test->count && (last || (cfg->eval_every && (e + 1) % cfg->eval_every == 0)) &&
            rf_pmoe_evaluate(ops, net, res->wg, res->W, res->a, test, &st->test_acc_code, &st->test_acc_paper, err,
                             errlen))
            goto done;
        if (cfg->on_epoch) cfg->on_epoch(cfg->user, "train", e, st);
    }
    if (rf_pmoe_evaluate(ops, net, res->wg, res->W, res->a, train, &res->train_acc_code, &res->train_acc_paper, err,
                         errlen))
        goto done;
    res->test_acc_code = res->test_acc_paper = NAN;
    if (test->count) {
        if (res->epochs && !isnan(res->epoch[res->epochs - 1].test_acc_code)) {
            res->test_acc_code = res->epoch[res->epochs - 1].test_acc_code;
            res->test_acc_paper = res->epoch[res->epochs - 1].test_acc_paper;
        } else if (rf_pmoe_evaluate(ops, net, res->wg, res->W, res->a, test, &res->test_acc_code,
                                    &res->test_acc_paper, err, errlen)) {
            goto done;
        }
    }
    rc = 0;
done:
    free(order), rf_free(xb), free(yb);
    rf_pmoe_ws_free_f32(&ws);
    if (rc) rf_pmoe_train_result_free(res);
    return rc;
}
