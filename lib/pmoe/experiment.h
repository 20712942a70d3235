/* The seed's experiments (§5.1) as data: sweeps of training runs over configurations, training-set
 * sizes N and independent runs, returning every run's numbers for the caller to tabulate or plot
 * (phase 2 writes JSON and SVG).
 *   figure 4    test accuracy vs N: separate pMoE (k 2, l 2), joint pMoE (k 8, l 6), the CNN with the
 *               code's 4 and the paper's 40 neurons (rf_pmoe_fig4_configs);
 *   figure 6/7  joint pMoE test accuracy vs k and vs l (rf_pmoe_sweep_k / rf_pmoe_sweep_l);
 *   figure 8    share of test images whose discriminative patch is in the top l of the separately
 *               trained router, vs N and l (a separate configuration with expert epochs 0 and
 *               hit_l set: only the router phase runs).
 *
 * Data (rf_pmoe_exp_data_make): one test set (test_count samples; from the test split of an IDX set,
 * or fresh samples of the synthetic model) shared by all runs, and one training pool per run r
 * (max N samples from the train split, or from the model). The training set of size N of run r is
 * the first N samples of pool r (N/2 per class), so sizes are nested within a run and runs are
 * independent draws. Run r of every configuration uses the training streams of run r (train.h).
 * Every number is a function of (seed, r, N, configuration): the thread count changes nothing. */
#ifndef REFAST_LIB_PMOE_EXPERIMENT_H
#define REFAST_LIB_PMOE_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "pmoe/compose.h"
#include "pmoe/dataset.h"
#include "pmoe/ops.h"
#include "pmoe/synth.h"
#include "pmoe/train.h"

#define RF_PMOE_FASHION_DIR "/usr/share/datasets/fashion-mnist"

typedef enum rf_pmoe_source { RF_PMOE_SOURCE_IDX = 0, RF_PMOE_SOURCE_SYNTH } rf_pmoe_source;

typedef struct rf_pmoe_data_cfg {
    rf_pmoe_source source;
    const char *idx_dir;         /* IDX: a directory with train-* and t10k-* files */
    rf_pmoe_compose_cfg compose; /* IDX: classes, grid, positions */
    rf_pmoe_synth_cfg synth;     /* synthetic: the data model */
    size_t test_count;           /* 1000, as the seed */
    uint64_t seed;
} rf_pmoe_data_cfg;

typedef struct rf_pmoe_exp_data {
    rf_pmoe_dataset test;
    rf_pmoe_dataset *pool; /* runs training pools */
    unsigned runs;
} rf_pmoe_exp_data;

/* Fashion-MNIST from Debian's dataset-fashion-mnist, classes 1 / 0 discriminative, 2-9 irrelevant,
 * 4 x 4 grid, 1000 test images, seed 1. */
void rf_pmoe_data_defaults(rf_pmoe_data_cfg *cfg);
/* The test set and `runs` training pools of max_n samples. 0, or -1 with a one-line error (missing
 * or damaged files, more samples than a class has images, bad model parameters). */
int rf_pmoe_exp_data_make(const rf_pmoe_data_cfg *cfg, unsigned runs, size_t max_n, rf_pmoe_exp_data *out,
                          char *err, size_t errlen);
void rf_pmoe_exp_data_free(rf_pmoe_exp_data *d);

typedef struct rf_pmoe_sweep {
    const rf_pmoe_train_cfg *configs; /* one row per configuration */
    size_t nconfigs;
    const size_t *sizes; /* training-set sizes N */
    size_t nsizes;
    unsigned runs;
    unsigned threads;    /* 0: one per CPU */
    const size_t *hit_l; /* router hit rates at these l (separate configurations only) */
    size_t nhit_l;
    void (*on_job)(void *user, size_t done, size_t total); /* optional progress */
    void *user;
} rf_pmoe_sweep;

/* Per run, indexed [(config * nsizes + size) * runs + run] (hit: times nhit_l, + l index). */
typedef struct rf_pmoe_sweep_result {
    size_t nconfigs, nsizes, nhit_l;
    unsigned runs;
    double *test_code, *test_paper;   /* final test accuracy, both rules */
    double *train_code, *train_paper; /* final training accuracy */
    double *loss;                     /* training loss of the last epoch (NaN with 0 epochs) */
    double *hit;                      /* router hit rate (NaN for non-separate configurations) */
    double *seconds;                  /* wall time of the run */
} rf_pmoe_sweep_result;

int rf_pmoe_sweep_run(const rf_pmoe_ops *ops, const rf_pmoe_exp_data *data, const rf_pmoe_sweep *sweep,
                      rf_pmoe_sweep_result *res, char *err, size_t errlen);
void rf_pmoe_sweep_result_free(rf_pmoe_sweep_result *res);
/* Mean and sample standard deviation over the runs of one cell of a per-run array (NaNs skipped). */
void rf_pmoe_sweep_stat(const rf_pmoe_sweep_result *res, const double *per_run, size_t config, size_t size,
                        double *mean, double *std);

/* Figure 4's four configurations with the authors' defaults: separate, joint, CNN 4, CNN 40. */
#define RF_PMOE_FIG4_CONFIGS 4
void rf_pmoe_fig4_configs(rf_pmoe_train_cfg out[RF_PMOE_FIG4_CONFIGS], uint64_t seed);
/* Joint configurations with k (figure 6) or l (figure 7) taken from the list, the rest default. */
void rf_pmoe_sweep_k(const size_t *ks, size_t count, uint64_t seed, rf_pmoe_train_cfg *out);
void rf_pmoe_sweep_l(const size_t *ls, size_t count, uint64_t seed, rf_pmoe_train_cfg *out);
/* Figure 8's configuration: separate training, router phase only. */
void rf_pmoe_fig8_config(rf_pmoe_train_cfg *out, uint64_t seed);

#endif
