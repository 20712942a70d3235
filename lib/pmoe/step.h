/* One network (net.h) evaluated and trained on a batch through a kernel set (ops.h): the
 * composition route -> top-l -> gate -> experts -> logistic loss, its backward pass and the SGD
 * update, for float (training, as the authors did) and double (the reference check).
 *
 * A workspace holds every intermediate for batches of up to `cap` samples; it is allocated once
 * (rf_pmoe_ws_init_*), so the per-batch calls allocate nothing. After rf_pmoe_forward_*:
 *   g (B k n) routing values, idx (B k l) selections, margin (B k) top-l margins, G (B k l) gating
 *   values, z (B k l h) pre-activations, c (B k l) expert outputs per patch, f (B) logits
 *   (MOE; CNN fills z, c, f; ROUTER fills g only, for the router's top-l hit rate).
 * After rf_pmoe_backward_*: loss_per (B), loss, dldf (B), dW (k h d), and, when the routers are
 * trained (joint) or for the ROUTER model, dG (B k l), dg (B k n) and dwg (k d).
 * Output weights a are never trained (seed §3.2, the authors' code). */
#ifndef REFAST_LIB_PMOE_STEP_H
#define REFAST_LIB_PMOE_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "pmoe/net.h"
#include "pmoe/ops.h"

typedef struct rf_pmoe_params_f32 {
    float *wg, *W, *a;
} rf_pmoe_params_f32;

typedef struct rf_pmoe_ws_f32 {
    size_t cap;
    float *g, *margin, *G, *z, *c, *f, *loss_per, *dldf, *dG, *dg, *dW, *dwg;
    int32_t *idx;
    float loss;
} rf_pmoe_ws_f32;

typedef struct rf_pmoe_params_f64 {
    double *wg, *W, *a;
} rf_pmoe_params_f64;

typedef struct rf_pmoe_ws_f64 {
    size_t cap;
    double *g, *margin, *G, *z, *c, *f, *loss_per, *dldf, *dG, *dg, *dW, *dwg;
    int32_t *idx;
    double loss;
} rf_pmoe_ws_f64;

/* Allocation (0, or -1 with a one-line error; the network must pass rf_pmoe_net_check). */
int rf_pmoe_ws_init_f32(rf_pmoe_ws_f32 *ws, const rf_pmoe_net *net, size_t cap, char *err, size_t errlen);
int rf_pmoe_ws_init_f64(rf_pmoe_ws_f64 *ws, const rf_pmoe_net *net, size_t cap, char *err, size_t errlen);
void rf_pmoe_ws_free_f32(rf_pmoe_ws_f32 *ws);
void rf_pmoe_ws_free_f64(rf_pmoe_ws_f64 *ws);

/* x: B x n x d, B <= ws->cap; y in {-1, +1}. */
void rf_pmoe_forward_f32(const rf_pmoe_ops_f32 *ops, const rf_pmoe_net *net, const rf_pmoe_params_f32 *p,
                         const float *x, size_t B, rf_pmoe_ws_f32 *ws);
void rf_pmoe_forward_f64(const rf_pmoe_ops_f64 *ops, const rf_pmoe_net *net, const rf_pmoe_params_f64 *p,
                         const double *x, size_t B, rf_pmoe_ws_f64 *ws);
/* The gradients of the batch-mean loss, after the forward of the same batch. */
void rf_pmoe_backward_f32(const rf_pmoe_ops_f32 *ops, const rf_pmoe_net *net, const rf_pmoe_params_f32 *p,
                          const float *x, const int8_t *y, size_t B, rf_pmoe_ws_f32 *ws);
void rf_pmoe_backward_f64(const rf_pmoe_ops_f64 *ops, const rf_pmoe_net *net, const rf_pmoe_params_f64 *p,
                          const double *x, const int8_t *y, size_t B, rf_pmoe_ws_f64 *ws);
/* Forward, backward and one SGD step of the trained parameters (CNN: W; ROUTER: wg; MOE: W, and wg
 * when net->train_routers). Returns the batch loss before the step. */
float rf_pmoe_sgd_step_f32(const rf_pmoe_ops_f32 *ops, const rf_pmoe_net *net, rf_pmoe_params_f32 *p,
                           const float *x, const int8_t *y, size_t B, float lr, rf_pmoe_ws_f32 *ws);
double rf_pmoe_sgd_step_f64(const rf_pmoe_ops_f64 *ops, const rf_pmoe_net *net, rf_pmoe_params_f64 *p,
                            const double *x, const int8_t *y, size_t B, double lr, rf_pmoe_ws_f64 *ws);

/* Correct predictions among f[0..B) for labels y: the authors' rule (f > 0.5) == (y = +1) (Keras
 * BinaryAccuracy on logits) and the paper's y f > 0. */
void rf_pmoe_count_correct_f32(const float *f, const int8_t *y, size_t B, size_t *code, size_t *paper);
void rf_pmoe_count_correct_f64(const double *f, const int8_t *y, size_t B, size_t *code, size_t *paper);

#endif
