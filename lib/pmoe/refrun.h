/* Running one network of the pmoe-reference folders through a kernel set in one precision: inputs
 * and outputs are double arrays (float inputs are rounded once on the way in, as the authors fed
 * float32 to TensorFlow), so the checker compares every precision with one piece of code.
 * Every function returns 0, or -1 with a one-line error (shape or memory). */
#ifndef REFAST_LIB_PMOE_REFRUN_H
#define REFAST_LIB_PMOE_REFRUN_H

#include <stddef.h>
#include <stdint.h>

#include "pmoe/net.h"
#include "pmoe/ops.h"

/* Outputs of one forward + backward + SGD step on one batch (NULL where the network has none). */
typedef struct rf_pmoe_refrun_out {
    double *g;        /* B k n routing values (MOE) */
    int32_t *idx;     /* B k l selections (MOE) */
    double *margin;   /* B k top-l margins (MOE) */
    double *G;        /* B k n gating values scattered to patches, 0 where unselected (MOE) */
    double *z;        /* B k l h pre-activations (CNN: B n m) */
    double *f;        /* B logits */
    double *f_paper;  /* B logits with scale 1/l (MOE) */
    double *loss_per; /* B */
    double loss;
    double *dW, *dwg;           /* gradients of the batch-mean loss */
    double *W_after, *wg_after; /* after one SGD step (wg_after: ROUTER, joint MOE) */
} rf_pmoe_refrun_out;

void rf_pmoe_refrun_out_free(rf_pmoe_refrun_out *o);

/* One batch: x (B n d), y in {-1, +1}; wg (k d), W (k h d), a (k h) as the network has them. */
int rf_pmoe_refrun_model_f32(const rf_pmoe_ops *ops, const rf_pmoe_net *net, const double *x, const int8_t *y,
                             size_t B, const double *wg, const double *W, const double *a, double lr,
                             rf_pmoe_refrun_out *out, char *err, size_t errlen);
int rf_pmoe_refrun_model_f64(const rf_pmoe_ops *ops, const rf_pmoe_net *net, const double *x, const int8_t *y,
                             size_t B, const double *wg, const double *W, const double *a, double lr,
                             rf_pmoe_refrun_out *out, char *err, size_t errlen);

/* `steps` SGD steps on the batches of `batch` rows taken in order and cycling over the N samples
 * (rows [0, batch), [batch, 2 batch), ..., no shuffle: the train/ folder). Per step s: the batch
 * loss before it (loss_steps[s]), the parameters after it (wg_steps[s] (k d), W_steps[s] (k h d);
 * either may be NULL), the smallest top-l margin of its forward pass (margin_steps, MOE) and the
 * largest |g| of that pass (gmax_steps, MOE: the size a margin is a difference of). */
int rf_pmoe_refrun_steps_f32(const rf_pmoe_ops *ops, const rf_pmoe_net *net, const double *x, const int8_t *y,
                             size_t N, size_t batch, size_t steps, double lr, const double *wg0,
                             const double *W0, const double *a, double *wg_steps, double *W_steps,
                             double *loss_steps, double *margin_steps, double *gmax_steps, char *err,
                             size_t errlen);
int rf_pmoe_refrun_steps_f64(const rf_pmoe_ops *ops, const rf_pmoe_net *net, const double *x, const int8_t *y,
                             size_t N, size_t batch, size_t steps, double lr, const double *wg0,
                             const double *W0, const double *a, double *wg_steps, double *W_steps,
                             double *loss_steps, double *margin_steps, double *gmax_steps, char *err,
                             size_t errlen);

/* Routing and top-l only (the tie/ folder): g (B k n), idx (B k l), margin (B k, may be NULL). */
int rf_pmoe_refrun_select_f32(const rf_pmoe_ops *ops, const double *x, size_t B, size_t n, size_t d,
                              const double *wg, size_t k, size_t l, int tie, size_t grid_w, double *g,
                              int32_t *idx, double *margin, char *err, size_t errlen);
int rf_pmoe_refrun_select_f64(const rf_pmoe_ops *ops, const double *x, size_t B, size_t n, size_t d,
                              const double *wg, size_t k, size_t l, int tie, size_t grid_w, double *g,
                              int32_t *idx, double *margin, char *err, size_t errlen);

/* The gate layer alone (gate_mnist/, gate_wrn/): k = 1 gating kernel on B samples of n patches,
 * output_j = G_j x_j (0 off the selection), loss L = sum U * output. Fills g (B n), idx (B l),
 * G (B n, scattered), out (B n d) and dkernel = dL/dkernel (d). */
int rf_pmoe_refrun_gate_f32(const rf_pmoe_ops *ops, const double *x, size_t B, size_t n, size_t d,
                            const double *kernel, size_t l, int mode, const double *U, double *g, int32_t *idx,
                            double *G, double *out, double *dkernel, char *err, size_t errlen);
int rf_pmoe_refrun_gate_f64(const rf_pmoe_ops *ops, const double *x, size_t B, size_t n, size_t d,
                            const double *kernel, size_t l, int mode, const double *U, double *g, int32_t *idx,
                            double *G, double *out, double *dkernel, char *err, size_t errlen);

#endif
