/* The mixture-of-experts model of seed 001 eq. (1) (conventions in refast/moe.h), its generator
 * and the seeds' experiment presets.
 *
 * Randomness: one Philox seed. Parameters come from their own streams; sample i (x_i, z_i, y_i)
 * depends only on (seed, i), so any range of samples can be regenerated alone, in any order, on any
 * thread, with identical results.
 */
#ifndef REFAST_LIB_MOE_MODEL_H
#define REFAST_LIB_MOE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/moe.h"

typedef enum rf_moe_input { RF_MOE_X_GAUSS = 0, RF_MOE_X_GMM } rf_moe_input;
typedef enum rf_moe_regressors { RF_MOE_A_SPHERE = 0, RF_MOE_A_BASIS } rf_moe_regressors;
typedef enum rf_moe_gating {
    RF_MOE_W_ORTHOGONAL = 0, /* w_i uniform direction in the orthogonal complement of span{a} */
    RF_MOE_W_UNRESTRICTED,   /* w_i uniform direction in R^d */
    RF_MOE_W_BASIS           /* w_i = e_{k+i} (seed 003 §4) */
} rf_moe_gating;

typedef struct rf_moe_spec {
    unsigned k, d;
    rf_moe_g g;
    double sigma;
    rf_moe_input input;
    double gmm_p;     /* RF_MOE_X_GMM: x ~ p N(mu1, I) + (1-p) N(mu2, I), mu1, mu2 uniform on S^{d-1} */
    rf_moe_regressors regressors;
    rf_moe_gating gating;
    double w_norm;    /* ||w_i|| for i < k (R of seed 001; 1 in its experiments) */
    uint64_t seed;
} rf_moe_spec;

typedef struct rf_moe_model {
    rf_moe_spec spec;
    double *A;        /* k x d */
    double *W;        /* k x d, row k-1 = 0 */
    double *mu1, *mu2; /* d each (GMM input only, else NULL) */
} rf_moe_model;

/* Checks the spec (SPEC §8: k < 2, k > d, d > 256, sigma <= 0 or NaN, gmm_p outside (0,1), w_norm
 * < 0, orthogonal gating that does not fit (2k-1 > d), basis layouts that do not fit) and draws the
 * parameters. One-line reason on failure. */
bool rf_moe_model_make(const rf_moe_spec *s, rf_moe_model *m, char *err, size_t errlen);
void rf_moe_model_free(rf_moe_model *m);

/* Samples i0 .. i0+n-1 of the model: x (n x d, row-major), y (n), z (n, expert index; may be NULL). */
void rf_moe_sample(const rf_moe_model *m, uint64_t i0, size_t n, double *x, double *y, uint32_t *z);

/* Gating probabilities p_i(x) = softmax_i(<w_i, x>) for one x (out: k). */
void rf_moe_gate_probs(const rf_moe_model *m, const double *x, double *out);

/* Presets (seed experiments). names: NULL-terminated list; rf_moe_preset fills the spec and the
 * sample count n of the experiment. */
extern const char *const rf_moe_preset_names[];
bool rf_moe_preset(const char *name, rf_moe_spec *s, uint64_t *n, char *err, size_t errlen);

/* RegressorFit (seed 001 eq. 11): max over permutations pi of min_i |<a_pi(i), a*_i>| (rows unit-normalised
 * first; exhaustive over permutations for k <= 8). */
double rf_moe_regressor_fit(const double *A, const double *A_true, unsigned k, unsigned d);

#endif
