/* Mixture of experts (seed 001 eq. (1)), the conventions every MoE kernel shares, and the expert
 * non-linearities g (support/moe_g.c; the kernels take g as an int holding an rf_moe_g).
 *
 * Model: x in R^d; gating logits <w_i, x> for i < k with w_k = 0 (row k-1 of W is zero);
 * z ~ softmax(logits); y = g(<a_z, x>) + sigma * eps, eps ~ N(0,1). Parameters are stored row-major:
 * A is k x d (row i = a_i, unit norm), W is k x d (row i = w_i). Everything is double. The model's
 * generator is lib/moe/model.h, the Gaussian moments and CQT coefficients lib/moe/cqt.h.
 */
#ifndef REFAST_MOE_H
#define REFAST_MOE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RF_MOE_MAX_D 256

/* ---- non-linearities ------------------------------------------------------------------------ */
typedef enum rf_moe_g {
    RF_MOE_G_LINEAR = 0,
    RF_MOE_G_RELU,
    RF_MOE_G_LEAKY_RELU, /* max(z, 0.01 z) */
    RF_MOE_G_SIGMOID,    /* 1 / (1 + e^-z) */
    RF_MOE_G_TANH,
    RF_MOE_G_COUNT
} rf_moe_g;

const char *rf_moe_g_name(rf_moe_g g);
/* Parses "linear", "relu", "leaky_relu", "sigmoid", "tanh"; false for anything else. */
bool rf_moe_g_parse(const char *s, rf_moe_g *out);
double rf_moe_g_eval(rf_moe_g g, double z);
/* g'(z): relu' = (z > 0 ? 1 : 0), leaky_relu' = (z > 0 ? 1 : 0.01) (z = 0 and NaN get the slope of
 * z < 0), sigmoid' = s (1 - s), tanh' = 1 - tanh^2; NaN for an unknown g. Used by the
 * Gauss-Newton and SGD baselines of moe_pipeline.h (lib/moe/joint_em.c, lib/moe/l2_sgd.c). */
double rf_moe_g_deriv(rf_moe_g g, double z);

#endif
