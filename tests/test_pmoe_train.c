/* pMoE training drivers (lib/pmoe/train.h) on small synthetic data (the seed's data model, n 8,
 * d 32), ref kernels:
 *   - reproducibility: a run is bit-identical when repeated, and R runs give the same results on
 *     1, 2 or 3 threads; different runs (and seeds) differ;
 *   - the router phase matches its closed form: with N a multiple of the batch, every epoch adds
 *     (lr / B) sum_i y_i sum_j x_i^(j) to w_1 and subtracts it from w_2 (pmoe-reference §2);
 *   - every model learns this easy task: untrained it is near chance (<= 0.75), after 30 epochs its
 *     test accuracy is >= 0.9 by the paper's rule and its training loss has fallen by 10 %; test
 *     accuracy is recorded exactly at the eval_every epochs and the last;
 *   - the router hit rate is 1 at l = n and high at l = 2 after training;
 *   - bad configurations and data (l > n, l < 1, k < 1, batch 0, lr NaN, separate with k 3, joint
 *     with G = 1, NaN pixels, an empty set, mismatched shapes, unknown model names) are one-line
 *     errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/parallel.h"
#include "pmoe/prng.h"
#include "pmoe/synth.h"
#include "pmoe/train.h"
#include "testlib.h"

static rf_pmoe_dataset train_set, test_set;

static void make_data(void)
{
    rf_pmoe_synth_cfg cfg;
    rf_pmoe_synth_defaults(&cfg);
    cfg.n = 8, cfg.d = 32, cfg.p = 4, cfg.grid_w = 4, cfg.delta_d = 0.0, cfg.delta_r = 0.3, cfg.norm = 3;
    rf_pmoe_synth m;
    char err[512];
    if (rf_pmoe_synth_make(&cfg, 99, &m, err, sizeof err) ||
        rf_pmoe_synth_sample(&m, 120, rf_pmoe_stream(RF_PMOE_STREAM_TRAIN_DATA, 0, 0), &train_set, err, sizeof err) ||
        rf_pmoe_synth_sample(&m, 400, rf_pmoe_stream(RF_PMOE_STREAM_TEST_DATA, 0, 0), &test_set, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    rf_pmoe_synth_free(&m);
}

static void small_cfg(rf_pmoe_train_cfg *cfg, rf_pmoe_model model, unsigned epochs)
{
    rf_pmoe_train_defaults(cfg, model);
    cfg->epochs = epochs;
    cfg->router_epochs = 10;
    cfg->seed = 2024;
    if (model == RF_PMOE_MODEL_JOINT) cfg->k = 4, cfg->h = 3, cfg->l = 3;
    if (model == RF_PMOE_MODEL_SEPARATE) cfg->h = 5;
}

static int same_result(const rf_pmoe_train_result *a, const rf_pmoe_train_result *b)
{
    const rf_pmoe_net *net = &a->net;
    return a->epochs == b->epochs && memcmp(a->W, b->W, rf_pmoe_net_w_count(net) * sizeof(float)) == 0 &&
           memcmp(a->wg, b->wg, net->k * net->d * sizeof(float)) == 0 &&
           memcmp(a->epoch, b->epoch, a->epochs * sizeof *a->epoch) == 0 && a->test_acc_code == b->test_acc_code;
}

/* ---- reproducibility ------------------------------------------------------------------------------- */

typedef struct runs_ctx {
    rf_pmoe_train_cfg cfg;
    rf_pmoe_train_result *res;
    int failed;
} runs_ctx;

static void one_run(void *ctx, size_t i)
{
    runs_ctx *c = ctx;
    char err[512];
    if (rf_pmoe_train(&rf_pmoe_ops_ref, &c->cfg, &train_set, &test_set, i, &c->res[i], err, sizeof err)) c->failed = 1;
}

static void test_reproducible(void)
{
    for (int model = 0; model < 3; model++) {
        runs_ctx ctx[3];
        rf_pmoe_train_result res[3][4];
        const unsigned threads[3] = {1, 2, 3};
        char err[512];
        for (int t = 0; t < 3; t++) {
            small_cfg(&ctx[t].cfg, (rf_pmoe_model)model, 3);
            ctx[t].res = res[t];
            ctx[t].failed = 0;
            CHECK(rf_pmoe_parallel(4, threads[t], one_run, &ctx[t], err, sizeof err) == 0);
            CHECK(!ctx[t].failed);
        }
        int same = 1, differ = 1;
        for (int r = 0; r < 4; r++) {
            same &= same_result(&res[0][r], &res[1][r]) && same_result(&res[0][r], &res[2][r]);
            if (r) differ &= !same_result(&res[0][r], &res[0][0]);
        }
        CHECKF(same, "%s: results depend on the thread count", rf_pmoe_model_name((rf_pmoe_model)model));
        CHECKF(differ, "%s: different runs gave the same result", rf_pmoe_model_name((rf_pmoe_model)model));
        rf_pmoe_train_result again, other_seed;
        rf_pmoe_train_cfg cfg = ctx[0].cfg;
        CHECK(rf_pmoe_train(&rf_pmoe_ops_ref, &cfg, &train_set, &test_set, 2, &again, err, sizeof err) == 0);
        CHECK(same_result(&again, &res[0][2]));
        cfg.seed++;
        CHECK(rf_pmoe_train(&rf_pmoe_ops_ref, &cfg, &train_set, &test_set, 2, &other_seed, err, sizeof err) == 0);
        CHECK(!same_result(&other_seed, &res[0][2]));
        rf_pmoe_train_result_free(&again);
        rf_pmoe_train_result_free(&other_seed);
        for (int t = 0; t < 3; t++)
            for (int r = 0; r < 4; r++) rf_pmoe_train_result_free(&res[t][r]);
    }
}

/* ---- the router phase's closed form ------------------------------------------------------------------- */

static void test_router_closed_form(void)
{
    rf_pmoe_train_cfg cfg;
    small_cfg(&cfg, RF_PMOE_MODEL_SEPARATE, 0);
    cfg.router_epochs = 7;
    rf_pmoe_train_result res;
    char err[512];
    CHECKF(rf_pmoe_train(&rf_pmoe_ops_ref, &cfg, &train_set, &test_set, 5, &res, err, sizeof err) == 0, "%s", err);
    const size_t d = train_set.d, n = train_set.n;
    /* the initial routers, drawn as train.c does: stream (INIT, run 5, tensor 1) */
    rf_pmoe_rng r;
    rf_pmoe_rng_init(&r, cfg.seed, rf_pmoe_stream(RF_PMOE_STREAM_INIT, 5, 1));
    double worst = 0, size = 0;
    double *w0 = malloc(2 * d * sizeof *w0), *sum = calloc(d, sizeof *sum);
    float *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < 2 * d; i++) w0[i] = (float)(cfg.init_g * rf_pmoe_rng_gauss(&r));
    for (size_t i = 0; i < train_set.count; i++) {
        rf_pmoe_dataset_get(&train_set, i, x);
        for (size_t j = 0; j < n; j++)
            for (size_t p = 0; p < d; p++) sum[p] += train_set.y[i] * (double)x[j * d + p];
    }
    const double factor = cfg.router_epochs * cfg.lr / (double)cfg.batch;
    for (size_t p = 0; p < d; p++) {
        const double w1 = w0[p] + factor * sum[p], w2 = w0[d + p] - factor * sum[p];
        worst = fmax(worst, fmax(fabs(res.wg[p] - w1), fabs(res.wg[d + p] - w2)));
        size = fmax(size, fmax(fabs(w1), fabs(w2)));
    }
    CHECKF(worst <= 1e-5 * size, "router after %u epochs: max error %g of %g", cfg.router_epochs, worst, size);
    CHECK(res.router_epochs == 7 && res.epochs == 0);
    free(w0), free(sum), free(x);
    rf_pmoe_train_result_free(&res);
}

/* ---- learning --------------------------------------------------------------------------------------- */

static void test_learns(void)
{
    for (int model = 0; model < 3; model++) {
        rf_pmoe_train_cfg cfg;
        small_cfg(&cfg, (rf_pmoe_model)model, 30);
        cfg.eval_every = 7;
        rf_pmoe_train_result res;
        char err[512];
        CHECKF(rf_pmoe_train(&rf_pmoe_ops_ref, &cfg, &train_set, &test_set, 0, &res, err, sizeof err) == 0, "%s", err);
        printf("  %-8s after %u epochs: loss %.4f -> %.4f, test accuracy %.3f (paper) %.3f (code), train %.3f\n",
               rf_pmoe_model_name(cfg.model), res.epochs, res.epoch[0].loss, res.epoch[res.epochs - 1].loss,
               res.test_acc_paper, res.test_acc_code, res.train_acc_paper);
        CHECK(res.epoch[res.epochs - 1].loss < 0.9 * res.epoch[0].loss);
        /* the same network untrained (0 epochs) is at chance: the accuracy above is learnt */
        rf_pmoe_train_result untrained;
        rf_pmoe_train_cfg zero = cfg;
        zero.epochs = 0, zero.router_epochs = 0;
        CHECK(rf_pmoe_train(&rf_pmoe_ops_ref, &zero, &train_set, &test_set, 0, &untrained, err, sizeof err) == 0);
        CHECKF(untrained.test_acc_paper <= 0.75, "%s untrained: accuracy %.3f", rf_pmoe_model_name(cfg.model),
               untrained.test_acc_paper);
        rf_pmoe_train_result_free(&untrained);
        CHECKF(res.test_acc_paper >= 0.9, "%s: test accuracy %.3f", rf_pmoe_model_name(cfg.model), res.test_acc_paper);
        int marks = 1;
        for (unsigned e = 0; e < res.epochs; e++) {
            const int want = (e + 1) % 7 == 0 || e + 1 == res.epochs;
            marks &= want == !isnan(res.epoch[e].test_acc_paper);
        }
        CHECK(marks);
        if (model == RF_PMOE_MODEL_SEPARATE) {
            double at_n, at_2;
            CHECK(rf_pmoe_router_hit_rate(&rf_pmoe_ops_ref, res.wg, &test_set, train_set.n, RF_PMOE_TIE_COL, &at_n, err,
                                          sizeof err) == 0);
            CHECK(rf_pmoe_router_hit_rate(&rf_pmoe_ops_ref, res.wg, &test_set, 2, RF_PMOE_TIE_COL, &at_2, err,
                                          sizeof err) == 0);
            printf("  router hit rate: l = 2 %.3f, l = n %.3f\n", at_2, at_n);
            CHECK(at_n == 1.0 && at_2 >= 0.9);
        }
        rf_pmoe_train_result_free(&res);
    }
    /* the WRN gate trains too */
    rf_pmoe_train_cfg cfg;
    small_cfg(&cfg, RF_PMOE_MODEL_JOINT, 30);
    cfg.gating = RF_PMOE_GATE_WRN;
    rf_pmoe_train_result res;
    char err[512];
    CHECKF(rf_pmoe_train(&rf_pmoe_ops_ref, &cfg, &train_set, &test_set, 0, &res, err, sizeof err) == 0, "%s", err);
    printf("  joint/WRN: test accuracy %.3f\n", res.test_acc_paper);
    CHECK(res.test_acc_paper >= 0.9);
    rf_pmoe_train_result_free(&res);
}

/* ---- bad input ---------------------------------------------------------------------------------------- */

static void expect_fail(const rf_pmoe_train_cfg *cfg, const rf_pmoe_dataset *tr, const rf_pmoe_dataset *te,
                        const char *needle)
{
    rf_pmoe_train_result res;
    char err[512] = "";
    const int rc = rf_pmoe_train(&rf_pmoe_ops_ref, cfg, tr, te, 0, &res, err, sizeof err);
    CHECKF(rc == -1 && strstr(err, needle) && !strchr(err, '\n'), "expected '%s', got rc %d '%s'", needle, rc, err);
    if (rc == 0) rf_pmoe_train_result_free(&res);
}

static void test_bad_input(void)
{
    rf_pmoe_train_cfg cfg;
    small_cfg(&cfg, RF_PMOE_MODEL_JOINT, 1);
    cfg.l = 9;
    expect_fail(&cfg, &train_set, &test_set, "l (patches per expert) must be <= n");
    cfg.l = 0;
    expect_fail(&cfg, &train_set, &test_set, "l (patches per expert) must be >= 1");
    cfg.l = 3, cfg.k = 0;
    expect_fail(&cfg, &train_set, &test_set, "k (experts) must be >= 1");
    cfg.k = 4, cfg.batch = 0;
    expect_fail(&cfg, &train_set, &test_set, "batch");
    cfg.batch = 20, cfg.lr = NAN;
    expect_fail(&cfg, &train_set, &test_set, "learning rate");
    cfg.lr = 0.2, cfg.gating = RF_PMOE_GATE_ONE;
    expect_fail(&cfg, &train_set, &test_set, "joint training needs");
    small_cfg(&cfg, RF_PMOE_MODEL_SEPARATE, 1);
    cfg.k = 3;
    expect_fail(&cfg, &train_set, &test_set, "k = 2");
    small_cfg(&cfg, RF_PMOE_MODEL_CNN, 1);
    cfg.h = 0;
    expect_fail(&cfg, &train_set, &test_set, "h (neurons per expert)");
    small_cfg(&cfg, RF_PMOE_MODEL_CNN, 1);
    rf_pmoe_dataset empty = rf_pmoe_dataset_head(&train_set, 0);
    expect_fail(&cfg, &empty, &test_set, "empty");
    rf_pmoe_dataset odd = test_set;
    odd.d = 16, odd.n = 16;
    expect_fail(&cfg, &train_set, &odd, "differ");
    const float keep = train_set.f32[77];
    train_set.f32[77] = NAN;
    expect_fail(&cfg, &train_set, &test_set, "NaN");
    train_set.f32[77] = INFINITY;
    expect_fail(&cfg, &train_set, &test_set, "NaN or infinite");
    train_set.f32[77] = keep;
    rf_pmoe_model m;
    char err[256];
    CHECK(rf_pmoe_model_parse("joint", &m, err, sizeof err) == 0 && m == RF_PMOE_MODEL_JOINT);
    CHECK(rf_pmoe_model_parse("moe", &m, err, sizeof err) == -1 && strstr(err, "unknown pmoe model 'moe'"));
    double rate, acc_code, acc_paper;
    CHECK(rf_pmoe_router_hit_rate(&rf_pmoe_ops_ref, train_set.f32, &test_set, 9, RF_PMOE_TIE_COL, &rate, err,
                                  sizeof err) == -1 && strstr(err, "<= n"));
    float w_nan[64] = {0};
    w_nan[40] = NAN;
    CHECK(rf_pmoe_router_hit_rate(&rf_pmoe_ops_ref, w_nan, &test_set, 2, RF_PMOE_TIE_COL, &rate, err, sizeof err) ==
              -1 && strstr(err, "router: value 40 is not finite"));
    /* evaluating weights with an infinity, or on samples of another shape */
    small_cfg(&cfg, RF_PMOE_MODEL_CNN, 1);
    rf_pmoe_train_result res;
    CHECK(rf_pmoe_train(&rf_pmoe_ops_ref, &cfg, &train_set, &test_set, 0, &res, err, sizeof err) == 0);
    res.W[3] = -INFINITY;
    CHECK(rf_pmoe_evaluate(&rf_pmoe_ops_ref, &res.net, res.wg, res.W, res.a, &test_set, &acc_code, &acc_paper, err,
                           sizeof err) == -1 && strstr(err, "expert weights: value 3"));
    res.W[3] = 0;
    CHECK(rf_pmoe_evaluate(&rf_pmoe_ops_ref, &res.net, res.wg, res.W, res.a, &odd, &acc_code, &acc_paper, err,
                           sizeof err) == -1 && strstr(err, "samples of 16 x 16"));
    rf_pmoe_train_result_free(&res);
}

int main(void)
{
    make_data();
    test_reproducible();
    test_router_closed_form();
    test_learns();
    test_bad_input();
    rf_pmoe_dataset_free(&train_set);
    rf_pmoe_dataset_free(&test_set);
    return rf_test_summary("test_pmoe_train");
}
