/* Training drivers of the seed 002 models, in float32 as the authors trained, through a kernel
 * set (ops.h): the CNN (eq. 5), separate training (router phase on eq. 6, then the experts with the
 * routers frozen, G = 1) and joint training (routers and experts together, softmax gating).
 *
 * Defaults are the authors' code (pmoe-reference README §2, §4): plain SGD, lr 0.2, batch 20,
 * 150 epochs (router phase 100), reshuffled every epoch; scale 1/n; CNN 4 neurons, a ~ N(0,1),
 * W ~ N(0, 0.1^2); separate k 2 x 20 neurons, l 2, a = +1 (expert 1) / -1 (expert 2),
 * W ~ N(0, 0.1^2), routers ~ N(0, 0.1^2), column-major ties; joint k 8 x 5 neurons, l 6,
 * a ~ N(0,1), W ~ N(0, 0.01^2), gates ~ N(0, 1e-4^2), row-major ties. rf_pmoe_train_paper switches
 * to the paper's choices where it states them (scale 1/l, CNN width 40, a ~ N(0,1) everywhere,
 * W ~ N(0, 1/m)). Output weights a are never trained.
 *
 * Reproducibility: run r of seed S draws its initial weights from Philox streams (INIT, r, tensor)
 * and the permutation of epoch e from (SHUFFLE, r, e) ((ROUTER_SHUFFLE, r, e) in the router
 * phase), so a run is a function of (seed, r, data) alone, whatever the thread count. The last
 * batch of an epoch may be smaller than `batch`; the loss is the mean over its own samples.
 *
 * Metrics per epoch: the sample-weighted mean of the batch losses and the training accuracy of the
 * batches before each step (what Keras prints), and, every eval_every epochs and at the end, the
 * test accuracy. Both accuracy rules: the authors' (f > 0.5) == label and the paper's y f > 0. */
#ifndef REFAST_LIB_PMOE_TRAIN_H
#define REFAST_LIB_PMOE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "pmoe/dataset.h"
#include "pmoe/net.h"
#include "pmoe/ops.h"

typedef enum rf_pmoe_model { RF_PMOE_MODEL_CNN = 0, RF_PMOE_MODEL_SEPARATE, RF_PMOE_MODEL_JOINT } rf_pmoe_model;
enum { RF_PMOE_A_GAUSS = 0, RF_PMOE_A_PM1 }; /* output weights: N(0,1), or +1 / -1 by expert parity */

typedef struct rf_pmoe_epoch {
    double loss;                            /* mean training loss of the epoch's batches */
    double train_acc_code, train_acc_paper; /* on the batches, before each step */
    double test_acc_code, test_acc_paper;   /* NaN when not evaluated after this epoch */
} rf_pmoe_epoch;

typedef struct rf_pmoe_train_cfg {
    rf_pmoe_model model;
    size_t k, h, l;     /* experts, neurons per expert (CNN: its width m), patches per expert */
    int gating;         /* joint: RF_PMOE_GATE_SOFTMAX (code) or RF_PMOE_GATE_WRN */
    int tie;            /* top-l tie rule */
    int paper_scale;    /* 1: scale 1/l (paper eq. 1); 0: 1/n (code) */
    int a_mode;         /* RF_PMOE_A_* */
    double init_w;      /* std of the expert (CNN hidden) weights */
    double init_g;      /* std of the router / gating kernels */
    double lr;
    size_t batch;
    unsigned epochs, router_epochs;
    unsigned eval_every; /* test accuracy every this many epochs (0: after the last only) */
    uint64_t seed;
    /* optional progress report after each epoch; phase is "router" or "train" */
    void (*on_epoch)(void *user, const char *phase, unsigned epoch, const rf_pmoe_epoch *stats);
    void *user;
} rf_pmoe_train_cfg;

typedef struct rf_pmoe_train_result {
    rf_pmoe_net net;
    float *wg, *W, *a; /* final parameters (rf_pmoe_net_*_count entries) */
    unsigned epochs, router_epochs;
    rf_pmoe_epoch *epoch;  /* epochs entries */
    double *router_loss;   /* router_epochs entries (separate training) */
    double train_acc_code, train_acc_paper; /* final, one pass over the training set */
    double test_acc_code, test_acc_paper;   /* final */
} rf_pmoe_train_result;

const char *rf_pmoe_model_name(rf_pmoe_model model);
/* "cnn", "separate", "joint". 0, or -1 with a one-line error naming the unknown model. */
int rf_pmoe_model_parse(const char *name, rf_pmoe_model *model, char *err, size_t errlen);

void rf_pmoe_train_defaults(rf_pmoe_train_cfg *cfg, rf_pmoe_model model);
void rf_pmoe_train_paper(rf_pmoe_train_cfg *cfg);
/* The network a configuration trains on samples of n patches of d values. 0, or -1 (err). */
int rf_pmoe_train_net(const rf_pmoe_train_cfg *cfg, size_t n, size_t d, size_t grid_w, rf_pmoe_net *net, char *err,
                      size_t errlen);

/* The initial parameters of run `run` (what rf_pmoe_train starts from): wg (k d), W and a
 * (rf_pmoe_net_*_count entries). */
void rf_pmoe_train_init(const rf_pmoe_train_cfg *cfg, const rf_pmoe_net *net, uint64_t run, float *wg, float *W,
                        float *a);

/* One training run (index `run` of the seed). The test set may be empty (no test accuracy).
 * 0, or -1 with a one-line error (bad configuration, non-finite data, memory). */
int rf_pmoe_train(const rf_pmoe_ops *ops, const rf_pmoe_train_cfg *cfg, const rf_pmoe_dataset *train,
                  const rf_pmoe_dataset *test, uint64_t run, rf_pmoe_train_result *res, char *err, size_t errlen);
void rf_pmoe_train_result_free(rf_pmoe_train_result *res);

/* Accuracy of a trained network on a data set (both rules). 0, or -1 (err). */
int rf_pmoe_evaluate(const rf_pmoe_ops *ops, const rf_pmoe_net *net, const float *wg, const float *W,
                     const float *a, const rf_pmoe_dataset *ds, double *acc_code, double *acc_paper, char *err,
                     size_t errlen);

/* The seed's figure 8: the share of samples whose class-discriminative patch is among the top l
 * routing values of the router of its class (w_1 for y = +1, w_2 for y = -1). wg: 2 x d. */
int rf_pmoe_router_hit_rate(const rf_pmoe_ops *ops, const float *wg, const rf_pmoe_dataset *ds, size_t l, int tie,
                            double *rate, char *err, size_t errlen);

#endif
