/* Optimisers of the seed 003 §3 losses (refast/moe_loss.h has the losses and their gradients):
 * mini-batch SGD and Adam on L4, projected gradient descent on L_log, and E_reg. */
#ifndef REFAST_LIB_MOE_LOSSES_H
#define REFAST_LIB_MOE_LOSSES_H

#include <stddef.h>
#include <stdint.h>

#include "moe/cqt.h"
#include "refast/moe_loss.h"

/* A sample source fills x (count x d) and y (count) with samples first .. first+count-1 of a data
 * set of `total` samples (e.g. rf_moe_sample of a model, or rows of arrays); returns 0, or -1 to
 * stop with an error. */
typedef int (*rf_moe_source_fn)(void *ctx, uint64_t first, size_t count, double *x, double *y);

typedef enum rf_moe_opt { RF_MOE_OPT_SGD = 0, RF_MOE_OPT_ADAM } rf_moe_opt;

typedef struct rf_moe_l4_run {
    /* problem */
    size_t k, d;
    rf_moe_cqt cqt;        /* Q4, Q2 and c = c4, c' = cq2 (rf_moe_cqt_solve) */
    double mu, lambda, delta;
    /* data: `total` samples behind `source`; an epoch visits them once in a random order of batches */
    rf_moe_source_fn source;
    void *ctx;
    uint64_t total;
    size_t batch;          /* samples per step (the last batch of an epoch may be shorter) */
    /* optimiser */
    rf_moe_opt opt;
    double step;           /* learning rate */
    double beta1, beta2, eps; /* Adam (0.9, 0.999, 1e-8 when 0) */
    uint64_t iters;        /* number of steps */
    uint64_t seed;         /* order of the batches (Philox) */
    /* outputs (may be NULL): loss[t] = the batch loss at step t (before the update), iterates
     * (iters + 1) x k x d: A_0 .. A_iters */
    double *loss;
    double *iterates;
} rf_moe_l4_run;

/* Minimises L4 from A (k x d, updated in place) with mini-batch SGD or Adam. Returns 0, or -1 with
 * a one-line reason (bad sizes, batch 0, step <= 0, source failure, out of memory, a non-finite
 * loss). */
int rf_moe_sgd_l4(rf_moe_l4_run *run, double *A, char *err, size_t errlen);

/* Projected gradient descent on L_log (seed 003 §3.2): W <- Proj(W - alpha grad L_log(W, A)), each
 * row projected onto |w_i| <= R, for `iters` steps on fixed data (x n x d, y n). W is (k-1) x d,
 * updated in place; loss (iters, may be NULL) gets L_log before each step. Returns 0 or -1. */
int rf_moe_gd_llog(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                   rf_moe_g g, double sigma, double alpha, double R, uint64_t iters, double *W,
                   double *loss, char *err, size_t errlen);

/* E_reg of seed 003 §4: 1 - max_pi min_i |<a_i/|a_i|, a*_pi(i)>| (rows normalised here). */
double rf_moe_ereg(const double *A, const double *A_true, unsigned k, unsigned d);

#endif
