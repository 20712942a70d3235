/* The seed's experiments as sweeps of training runs (experiment.h). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pmoe/experiment.h"
#include "pmoe/parallel.h"
#include "pmoe/prng.h"

void rf_pmoe_data_defaults(rf_pmoe_data_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->source = RF_PMOE_SOURCE_IDX;
    cfg->idx_dir = RF_PMOE_FASHION_DIR;
    rf_pmoe_compose_defaults(&cfg->compose);
    rf_pmoe_synth_defaults(&cfg->synth);
    cfg->test_count = 1000;
    cfg->seed = 1;
}

void rf_pmoe_exp_data_free(rf_pmoe_exp_data *d)
{
    rf_pmoe_dataset_free(&d->test);
    for (unsigned r = 0; d->pool && r < d->runs; r++) rf_pmoe_dataset_free(&d->pool[r]);
    free(d->pool);
    memset(d, 0, sizeof *d);
}

int rf_pmoe_exp_data_make(const rf_pmoe_data_cfg *cfg, unsigned runs, size_t max_n, rf_pmoe_exp_data *out,
                          char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (runs < 1 || max_n < 1) {
        snprintf(err, errlen, "pmoe experiment: need at least one run and one training sample");
        return -1;
    }
    out->pool = calloc(runs, sizeof *out->pool);
    if (!out->pool) {
        snprintf(err, errlen, "pmoe experiment: out of memory");
        return -1;
    }
    out->runs = runs;
    const uint64_t test_stream = rf_pmoe_stream(RF_PMOE_STREAM_TEST_DATA, 0, 0);
    int rc = -1;
    if (cfg->source == RF_PMOE_SOURCE_IDX) {
        rf_idx_split train, test;
        if (rf_idx_split_read(cfg->idx_dir, "train", &train, err, errlen)) goto done;
        if (rf_idx_split_read(cfg->idx_dir, "t10k", &test, err, errlen)) {
            rf_idx_split_free(&train);
            goto done;
        }
        rc = rf_pmoe_compose(&test, &cfg->compose, cfg->test_count, cfg->seed, test_stream, &out->test, err, errlen);
        for (unsigned r = 0; r < runs && rc == 0; r++)
            rc = rf_pmoe_compose(&train, &cfg->compose, max_n, cfg->seed,
                                 rf_pmoe_stream(RF_PMOE_STREAM_TRAIN_DATA, r, 0), &out->pool[r], err, errlen);
        rf_idx_split_free(&train);
        rf_idx_split_free(&test);
    } else if (cfg->source == RF_PMOE_SOURCE_SYNTH) {
        rf_pmoe_synth model;
        if (rf_pmoe_synth_make(&cfg->synth, cfg->seed, &model, err, errlen)) goto done;
        rc = rf_pmoe_synth_sample(&model, cfg->test_count, test_stream, &out->test, err, errlen);
        for (unsigned r = 0; r < runs && rc == 0; r++)
            rc = rf_pmoe_synth_sample(&model, max_n, rf_pmoe_stream(RF_PMOE_STREAM_TRAIN_DATA, r, 0), &out->pool[r],
                                      err, errlen);
        rf_pmoe_synth_free(&model);
    } else {
        snprintf(err, errlen, "pmoe experiment: unknown data source %d", (int)cfg->source);
    }
done:
    if (rc) rf_pmoe_exp_data_free(out);
    return rc;
}

/* ---- sweeps ---------------------------------------------------------------------------------------- */

typedef struct sweep_ctx {
    const rf_pmoe_ops *ops;
    const rf_pmoe_exp_data *data;
    const rf_pmoe_sweep *sw;
    rf_pmoe_sweep_result *res;
    size_t *order; /* job order: larger N first, for load balance */
    pthread_mutex_t lock;
    size_t done;
    int failed;
    char err[512];
} sweep_ctx;

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void sweep_job(void *arg, size_t i)
{
    sweep_ctx *c = arg;
    const rf_pmoe_sweep *sw = c->sw;
    rf_pmoe_sweep_result *res = c->res;
    const size_t cell = c->order[i]; /* (config * nsizes + size) * runs + run */
    const unsigned run = (unsigned)(cell % sw->runs);
    const size_t size = cell / sw->runs % sw->nsizes, config = cell / sw->runs / sw->nsizes;
    const rf_pmoe_train_cfg *cfg = &sw->configs[config];
    const rf_pmoe_dataset train = rf_pmoe_dataset_head(&c->data->pool[run], sw->sizes[size]);
    rf_pmoe_train_result tr;
    char err[512];
    const double t0 = seconds_now();
    int rc = rf_pmoe_train(c->ops, cfg, &train, &c->data->test, run, &tr, err, sizeof err);
    if (rc == 0) {
        res->test_code[cell] = tr.test_acc_code;
        res->test_paper[cell] = tr.test_acc_paper;
        res->train_code[cell] = tr.train_acc_code;
        res->train_paper[cell] = tr.train_acc_paper;
        res->loss[cell] = tr.epochs ? tr.epoch[tr.epochs - 1].loss : NAN;
        for (size_t q = 0; q < sw->nhit_l; q++) {
            double *hit = &res->hit[cell * sw->nhit_l + q];
            *hit = NAN;
            if (cfg->model == RF_PMOE_MODEL_SEPARATE && rc == 0)
                rc = rf_pmoe_router_hit_rate(c->ops, tr.wg, &c->data->test, sw->hit_l[q], cfg->tie, hit, err,
                                             sizeof err);
        }
        rf_pmoe_train_result_free(&tr);
    }
    res->seconds[cell] = seconds_now() - t0;
    pthread_mutex_lock(&c->lock);
    if (rc && !c->failed) {
        c->failed = 1;
        snprintf(c->err, sizeof c->err, "%.400s (%.16s, N = %zu, run %u)", err, rf_pmoe_model_name(cfg->model),
                 sw->sizes[size], run);
    }
    const size_t done = ++c->done;
    pthread_mutex_unlock(&c->lock);
    if (sw->on_job) sw->on_job(sw->user, done, sw->nconfigs * sw->nsizes * sw->runs);
}

void rf_pmoe_sweep_result_free(rf_pmoe_sweep_result *res)
{
    free(res->test_code), free(res->test_paper), free(res->train_code), free(res->train_paper);
    free(res->loss), free(res->hit), free(res->seconds);
    memset(res, 0, sizeof *res);
}

/* Job order: cells sorted by N, largest first (the longest jobs start first). */
static size_t *job_order(const rf_pmoe_sweep *sw, size_t jobs)
{
    size_t *order = malloc((jobs + 1) * sizeof *order);
    if (!order) return NULL;
    size_t at = 0;
    for (size_t taken = 0; taken < sw->nsizes; taken++) {
        /* the next-largest size not yet taken (sizes may come in any order) */
        size_t best = SIZE_MAX;
        for (size_t s = 0; s < sw->nsizes; s++) {
            size_t rank = 0;
            for (size_t t = 0; t < sw->nsizes; t++)
                rank += sw->sizes[t] > sw->sizes[s] || (sw->sizes[t] == sw->sizes[s] && t < s);
            if (rank == taken) best = s;
        }
        for (size_t cfg = 0; cfg < sw->nconfigs; cfg++)
            for (unsigned r = 0; r < sw->runs; r++) order[at++] = (cfg * sw->nsizes + best) * sw->runs + r;
    }
    return order;
}

int rf_pmoe_sweep_run(const rf_pmoe_ops *ops, const rf_pmoe_exp_data *data, const rf_pmoe_sweep *sw,
                      rf_pmoe_sweep_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (sw->nconfigs < 1 || sw->nsizes < 1 || sw->runs < 1) {
        snprintf(err, errlen, "pmoe sweep: needs at least one configuration, size and run");
        return -1;
    }
    if (sw->runs > data->runs) {
        snprintf(err, errlen, "pmoe sweep: %u runs but data for %u", sw->runs, data->runs);
        return -1;
    }
    for (size_t s = 0; s < sw->nsizes; s++)
        if (sw->sizes[s] < 1 || sw->sizes[s] > data->pool[0].count) {
            snprintf(err, errlen, "pmoe sweep: training-set size %zu outside 1..%zu (the pool made for it)", sw->sizes[s],
                     data->pool[0].count);
            return -1;
        }
    for (size_t q = 0; q < sw->nhit_l; q++)
        if (sw->hit_l[q] < 1 || sw->hit_l[q] > data->test.n) {
            snprintf(err, errlen, "pmoe sweep: router hit rate at l = %zu with n = %zu patches", sw->hit_l[q],
                     data->test.n);
            return -1;
        }
    const size_t jobs = sw->nconfigs * sw->nsizes * sw->runs;
    res->nconfigs = sw->nconfigs, res->nsizes = sw->nsizes, res->nhit_l = sw->nhit_l, res->runs = sw->runs;
    res->test_code = calloc(jobs, sizeof(double)), res->test_paper = calloc(jobs, sizeof(double));
    res->train_code = calloc(jobs, sizeof(double)), res->train_paper = calloc(jobs, sizeof(double));
    res->loss = calloc(jobs, sizeof(double)), res->seconds = calloc(jobs, sizeof(double));
    res->hit = calloc(jobs * sw->nhit_l + 1, sizeof(double));
    sweep_ctx c = {ops, data, sw, res, job_order(sw, jobs), PTHREAD_MUTEX_INITIALIZER, 0, 0, ""};
    if (!res->test_code || !res->test_paper || !res->train_code || !res->train_paper || !res->loss || !res->seconds ||
        !res->hit || !c.order) {
        free(c.order);
        rf_pmoe_sweep_result_free(res);
        snprintf(err, errlen, "pmoe sweep: out of memory");
        return -1;
    }
    int rc = rf_pmoe_parallel(jobs, sw->threads, sweep_job, &c, err, errlen);
    free(c.order);
    if (rc == 0 && c.failed) {
        snprintf(err, errlen, "%s", c.err);
        rc = -1;
    }
    if (rc) rf_pmoe_sweep_result_free(res);
    return rc;
}

void rf_pmoe_sweep_stat(const rf_pmoe_sweep_result *res, const double *per_run, size_t config, size_t size,
                        double *mean, double *std)
{
    const double *v = per_run + (config * res->nsizes + size) * res->runs;
    double sum = 0, sq = 0;
    size_t n = 0;
    for (unsigned r = 0; r < res->runs; r++)
        if (!isnan(v[r])) sum += v[r], n++;
    *mean = n ? sum / (double)n : NAN;
    for (unsigned r = 0; r < res->runs; r++)
        if (!isnan(v[r])) sq += (v[r] - *mean) * (v[r] - *mean);
    *std = n > 1 ? sqrt(sq / (double)(n - 1)) : (n ? 0 : NAN);
}

/* ---- the seed's configurations -------------------------------------------------------------------- */

void rf_pmoe_fig4_configs(rf_pmoe_train_cfg out[RF_PMOE_FIG4_CONFIGS], uint64_t seed)
{
    rf_pmoe_train_defaults(&out[0], RF_PMOE_MODEL_SEPARATE);
    rf_pmoe_train_defaults(&out[1], RF_PMOE_MODEL_JOINT);
    rf_pmoe_train_defaults(&out[2], RF_PMOE_MODEL_CNN);     /* the code's 4 neurons */
    rf_pmoe_train_defaults(&out[3], RF_PMOE_MODEL_CNN);
    out[3].h = 40;                                          /* the paper's 40 */
    for (int i = 0; i < RF_PMOE_FIG4_CONFIGS; i++) out[i].seed = seed;
}

void rf_pmoe_sweep_k(const size_t *ks, size_t count, uint64_t seed, rf_pmoe_train_cfg *out)
{
    for (size_t i = 0; i < count; i++) {
        rf_pmoe_train_defaults(&out[i], RF_PMOE_MODEL_JOINT);
        out[i].k = ks[i];
        out[i].seed = seed;
    }
}

void rf_pmoe_sweep_l(const size_t *ls, size_t count, uint64_t seed, rf_pmoe_train_cfg *out)
{
    for (size_t i = 0; i < count; i++) {
        rf_pmoe_train_defaults(&out[i], RF_PMOE_MODEL_JOINT);
        out[i].l = ls[i];
        out[i].seed = seed;
    }
}

void rf_pmoe_fig8_config(rf_pmoe_train_cfg *out, uint64_t seed)
{
    rf_pmoe_train_defaults(out, RF_PMOE_MODEL_SEPARATE);
    out->epochs = 0; /* the router phase alone decides the hit rate */
    out->seed = seed;
}
