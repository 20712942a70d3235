/* One training batch and the initial weights of one of the authors' models at their shapes, for
 * the whole-step benchmark rows (`refast bench --kernel 'pmoe_model_*'`) and the test that checks
 * those steps at every level (tests/test_pmoe_step_levels.c): both time and check the same thing.
 *
 * Models: "joint" (k 8 x 5 neurons, l 6, softmax gate, routers trained), "separate" (its expert
 * phase: k 2 x 20 neurons, l 2, G = 1, column-major ties, routers frozen), "cnn4" and "cnn40" (the
 * CNN of eq. 5 with 4 neurons, the code's, and 40, the paper's width). Every other choice is
 * rf_pmoe_train_defaults' (the authors' code: scale 1/n, their initial distributions, lr 0.2).
 * The separate model's routers are their initial draw, not the router phase's result: that moves
 * which patches are selected, not the work of a step.
 *
 * Reproducible: the B samples are the first B of the synthetic data model (synth.h defaults:
 * n 16, d 784, grid 4 wide) drawn from stream (TRAIN_DATA, 0, 0) of `seed`, the weights are run 0
 * of `seed` (rf_pmoe_train_init). */
#ifndef REFAST_LIB_PMOE_FIXTURE_H
#define REFAST_LIB_PMOE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "pmoe/net.h"
#include "pmoe/train.h"

typedef struct rf_pmoe_fixture {
    const char *model; /* one of rf_pmoe_fixture_models */
    rf_pmoe_train_cfg cfg;
    rf_pmoe_net net;
    size_t B;
    float *x;          /* B x n x d */
    int8_t *y;         /* B labels in {-1, +1} */
    float *wg, *W, *a; /* initial weights: k d (0 for the CNN), rf_pmoe_net_w_count, rf_pmoe_net_a_count */
} rf_pmoe_fixture;

/* "joint", "separate", "cnn4", "cnn40", NULL. */
extern const char *const rf_pmoe_fixture_models[];

/* 0, or -1 with a one-line error (unknown model, B = 0, memory). */
int rf_pmoe_fixture_make(const char *model, size_t B, uint64_t seed, rf_pmoe_fixture *fx, char *err, size_t errlen);
void rf_pmoe_fixture_free(rf_pmoe_fixture *fx);

#endif
