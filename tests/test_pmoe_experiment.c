/* The experiment runner (lib/pmoe/experiment.h), scaled down:
 *   - a figure-4 style sweep (separate, joint, CNN; two sizes; three runs) on synthetic data gives
 *     identical per-run numbers on 1 and 2 threads, and its mean / std are those of the runs;
 *   - figure 8: the router hit rate is 1 at l = n and does not decrease with l;
 *   - figures 6/7: the k and l sweeps build joint configurations that train;
 *   - bad requests (sizes beyond the pool, more runs than data, hit rates at l > n, more samples
 *     than a class has images) are one-line errors;
 *   - with Debian's Fashion-MNIST installed: the real pipeline (IDX -> composites -> training) runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmoe/experiment.h"
#include "testlib.h"

static void small(rf_pmoe_train_cfg *c, size_t n)
{
    c->epochs = 4;
    c->router_epochs = 3;
    if (c->model == RF_PMOE_MODEL_JOINT) c->k = 3, c->h = 2, c->l = n / 2;
    if (c->model == RF_PMOE_MODEL_SEPARATE) c->h = 3;
    if (c->model == RF_PMOE_MODEL_CNN) c->h = c->h > 4 ? 6 : 2;
}

static int same_numbers(const rf_pmoe_sweep_result *a, const rf_pmoe_sweep_result *b)
{
    const size_t cells = a->nconfigs * a->nsizes * a->runs;
    return a->nconfigs == b->nconfigs && a->nsizes == b->nsizes && a->runs == b->runs &&
           !memcmp(a->test_code, b->test_code, cells * sizeof(double)) &&
           !memcmp(a->test_paper, b->test_paper, cells * sizeof(double)) &&
           !memcmp(a->train_paper, b->train_paper, cells * sizeof(double)) &&
           !memcmp(a->loss, b->loss, cells * sizeof(double)) &&
           !memcmp(a->hit, b->hit, cells * a->nhit_l * sizeof(double));
}

static void test_synthetic(void)
{
    rf_pmoe_data_cfg dc;
    rf_pmoe_data_defaults(&dc);
    dc.source = RF_PMOE_SOURCE_SYNTH;
    dc.synth.n = 8, dc.synth.d = 24, dc.synth.p = 3, dc.synth.grid_w = 4, dc.synth.norm = 3;
    dc.test_count = 200;
    rf_pmoe_exp_data data;
    char err[512];
    if (rf_pmoe_exp_data_make(&dc, 3, 80, &data, err, sizeof err)) {
        CHECKF(0, "%s", err);
        return;
    }
    CHECK(data.runs == 3 && data.pool[2].count == 80 && data.test.count == 200);
    CHECK(memcmp(data.pool[0].f32, data.pool[1].f32, 80 * 8 * 24 * sizeof(float)) != 0);

    rf_pmoe_train_cfg cfg[RF_PMOE_FIG4_CONFIGS];
    rf_pmoe_fig4_configs(cfg, 5);
    for (int i = 0; i < RF_PMOE_FIG4_CONFIGS; i++) small(&cfg[i], 8);
    const size_t sizes[2] = {40, 80}, hit_l[3] = {1, 2, 8};
    rf_pmoe_sweep sw = {cfg, RF_PMOE_FIG4_CONFIGS, sizes, 2, 3, 1, hit_l, 3, NULL, NULL};
    rf_pmoe_sweep_result one, two;
    CHECKF(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == 0, "%s", err);
    sw.threads = 2;
    CHECKF(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &two, err, sizeof err) == 0, "%s", err);
    CHECKF(same_numbers(&one, &two), "the sweep depends on the thread count");
    /* statistics of one cell by hand */
    const double *v = one.test_paper + (1 * 2 + 1) * 3;
    const double mean = (v[0] + v[1] + v[2]) / 3;
    const double sd = sqrt(((v[0] - mean) * (v[0] - mean) + (v[1] - mean) * (v[1] - mean) +
                            (v[2] - mean) * (v[2] - mean)) / 2);
    double m, s;
    rf_pmoe_sweep_stat(&one, one.test_paper, 1, 1, &m, &s);
    CHECK(fabs(m - mean) < 1e-15 && fabs(s - sd) < 1e-15);
    /* hit rates: separate configuration only; 1 at l = n, non-decreasing in l */
    int hits_ok = 1;
    for (size_t c = 0; c < RF_PMOE_FIG4_CONFIGS; c++)
        for (size_t cell = 0; cell < 6; cell++) {
            const double *h = one.hit + ((c * 6) + cell) * 3;
            if (cfg[c].model == RF_PMOE_MODEL_SEPARATE) hits_ok &= h[2] == 1.0 && h[0] <= h[1] && h[1] <= h[2];
            else hits_ok &= isnan(h[0]) && isnan(h[2]);
        }
    CHECK(hits_ok);
    printf("  synthetic, %u epochs: test accuracy (paper rule) at N = 80:", cfg[0].epochs);
    for (size_t c = 0; c < RF_PMOE_FIG4_CONFIGS; c++) {
        rf_pmoe_sweep_stat(&one, one.test_paper, c, 1, &m, &s);
        printf(" %s%s %.3f +- %.3f", rf_pmoe_model_name(cfg[c].model), c == 3 ? "40" : "", m, s);
    }
    printf("\n");
    rf_pmoe_sweep_result_free(&one);
    rf_pmoe_sweep_result_free(&two);

    /* figures 6/7 and 8 configurations */
    const size_t ks[2] = {2, 4}, ls[2] = {1, 3};
    rf_pmoe_train_cfg kc[2], lc[2], f8;
    rf_pmoe_sweep_k(ks, 2, 5, kc);
    rf_pmoe_sweep_l(ls, 2, 5, lc);
    rf_pmoe_fig8_config(&f8, 5);
    CHECK(kc[1].k == 4 && kc[1].l == 6 && lc[0].l == 1 && lc[0].k == 8 && f8.epochs == 0 &&
          f8.model == RF_PMOE_MODEL_SEPARATE);
    for (int i = 0; i < 2; i++) kc[i].epochs = lc[i].epochs = 2, kc[i].l = 3, kc[i].h = lc[i].h = 2;
    sw = (rf_pmoe_sweep){kc, 2, sizes, 1, 2, 2, NULL, 0, NULL, NULL};
    CHECKF(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == 0, "%s", err);
    rf_pmoe_sweep_result_free(&one);
    sw.configs = lc;
    CHECKF(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == 0, "%s", err);
    rf_pmoe_sweep_result_free(&one);
    sw = (rf_pmoe_sweep){&f8, 1, sizes, 2, 3, 2, hit_l, 3, NULL, NULL};
    CHECKF(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == 0, "%s", err);
    CHECK(isnan(one.loss[0]) && one.hit[2] == 1.0);
    rf_pmoe_sweep_result_free(&one);

    /* bad requests */
    const size_t too_big[1] = {81}, zero[1] = {0}, bad_l[1] = {9};
    sw = (rf_pmoe_sweep){cfg, 1, too_big, 1, 1, 1, NULL, 0, NULL, NULL};
    CHECK(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == -1 && strstr(err, "size 81"));
    sw.sizes = zero;
    CHECK(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == -1 && strstr(err, "size 0"));
    sw.sizes = sizes, sw.runs = 4;
    CHECK(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == -1 && strstr(err, "4 runs"));
    sw.runs = 1, sw.hit_l = bad_l, sw.nhit_l = 1;
    CHECK(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == -1 && strstr(err, "l = 9"));
    rf_pmoe_train_cfg broken = cfg[1];
    broken.l = 9; /* > n: reported by the run, with its configuration */
    sw = (rf_pmoe_sweep){&broken, 1, sizes, 1, 1, 1, NULL, 0, NULL, NULL};
    CHECK(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &one, err, sizeof err) == -1 && strstr(err, "joint, N = 40") &&
          strstr(err, "must be <= n"));
    rf_pmoe_exp_data_free(&data);
    dc.synth.d = 2;
    CHECK(rf_pmoe_exp_data_make(&dc, 1, 10, &data, err, sizeof err) == -1 && strstr(err, "d must"));
}

static void test_fashion(void)
{
    if (access(RF_PMOE_FASHION_DIR, R_OK) != 0) {
        printf("  (no %s: the Fashion-MNIST pipeline is not exercised)\n", RF_PMOE_FASHION_DIR);
        return;
    }
    rf_pmoe_data_cfg dc;
    rf_pmoe_data_defaults(&dc);
    dc.test_count = 100;
    rf_pmoe_exp_data data;
    char err[512];
    CHECKF(rf_pmoe_exp_data_make(&dc, 1, 40, &data, err, sizeof err) == 0, "%s", err);
    if (data.runs != 1) return;
    CHECK(data.test.n == 16 && data.test.d == 784 && data.test.u8 && data.pool[0].count == 40);
    rf_pmoe_train_cfg cfg;
    rf_pmoe_train_defaults(&cfg, RF_PMOE_MODEL_SEPARATE);
    cfg.epochs = 2, cfg.router_epochs = 2;
    const size_t sizes[1] = {40}, l[1] = {4};
    rf_pmoe_sweep sw = {&cfg, 1, sizes, 1, 1, 1, l, 1, NULL, NULL};
    rf_pmoe_sweep_result res;
    CHECKF(rf_pmoe_sweep_run(&rf_pmoe_ops_ref, &data, &sw, &res, err, sizeof err) == 0, "%s", err);
    CHECK(res.test_paper[0] >= 0 && res.test_paper[0] <= 1 && res.hit[0] > 0);
    printf("  fashion-mnist, N = 40, 2 epochs: separate test accuracy %.2f, router top-4 hit rate %.2f\n",
           res.test_paper[0], res.hit[0]);
    rf_pmoe_sweep_result_free(&res);
    rf_pmoe_exp_data_free(&data);
    /* 6000 images per class: 13000 samples need 6500 of class 1 */
    CHECK(rf_pmoe_exp_data_make(&dc, 1, 13000, &data, err, sizeof err) == -1 && strstr(err, "6500 images of class 1"));
    dc.idx_dir = "/nonexistent";
    CHECK(rf_pmoe_exp_data_make(&dc, 1, 10, &data, err, sizeof err) == -1 && strstr(err, "no train-images"));
}

int main(void)
{
    test_synthetic();
    test_fashion();
    return rf_test_summary("test_pmoe_experiment");
}
