/* Mixture of experts: the model of seed 001 eq. (1), its generator, and the Gaussian moments and
 * CQT coefficients of SPEC §5.2 (seed 001 appendix C, seed 000 appendix B with the SPEC §9 errata).
 *
 * Model: x in R^d; gating logits <w_i, x> for i < k with w_k = 0 (row k-1 of W is zero);
 * z ~ softmax(logits); y = g(<a_z, x>) + sigma * eps, eps ~ N(0,1). Parameters are stored row-major:
 * A is k x d (row i = a_i, unit norm), W is k x d (row i = w_i). Everything is double.
 *
 * Randomness: one Philox seed. Parameters come from their own streams; sample i (x_i, z_i, y_i)
 * depends only on (seed, i), so any range of samples can be regenerated alone, in any order, on any
 * thread, with identical results.
 */
#ifndef REFAST_MOE_H
#define REFAST_MOE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * Gauss-Newton and SGD baselines of moe_pipeline.h (kernels/moe_joint_em.c, kernels/moe_l2_sgd.c). */
double rf_moe_g_deriv(rf_moe_g g, double z);

/* ---- Gaussian moments and CQT (kernels/moe_cqt.c) --------------------------------------------- */
#define RF_MOE_MAX_P 4 /* powers of g */
#define RF_MOE_MAX_J 4 /* Hermite degrees (probabilists' He_j) */

/* M(p, j) = E[g(Z)^p He_j(Z)], Z ~ N(0,1), 0 <= p, j <= 4: closed form for linear, relu and
 * leaky_relu, Gauss–Hermite quadrature (accurate to 1e-12) for sigmoid and tanh. */
double rf_moe_gauss_moment(rf_moe_g g, unsigned p, unsigned j);

/* The polynomial transforms of the output. Coefficients are indexed by power of y: P3(y) =
 * sum_q p3[q] y^q with p3[3] = 1, P2 = sum p2[q] y^q (p2[2] = 1), Q4 (q4[4] = 1), Q2 (q2[2] = 1).
 * The constant terms p3[0], p2[0], q4[0], q2[0] make E[S(Z)] = 0 (SPEC §5.2).
 * c3 = E[S_P3 He_3], c2 = E[S_P2 He_2], c4 = E[S_Q4 He_4], cq2 = E[S_Q2 He_2] (seed 003's c').
 * resid[] holds every condition E[S He_j] = 0 (and E[S] = 0) re-evaluated after solving. */
typedef struct rf_moe_cqt {
    rf_moe_g g;
    double sigma;
    double p3[4], p2[3], q4[5], q2[3];
    double c2, c3, c4, cq2;
    unsigned nresid;
    double resid[16];
    const char *resid_name[16]; /* e.g. "P3: E[S He_1]" */
} rf_moe_cqt;

/* Solves every system. Returns false with a one-line reason (sigma <= 0 or not finite, a singular
 * system, a c-constant that vanishes: the g is not valid) instead of a garbage solution. */
bool rf_moe_cqt_solve(rf_moe_g g, double sigma, rf_moe_cqt *out, char *err, size_t errlen);

/* Evaluates sum_{q<=deg} coef[q] y^q (Horner). */
double rf_moe_poly(const double *coef, unsigned deg, double y);

/* ---- the model and its generator (kernels/moe_model.c) ----------------------------------------- */
#define RF_MOE_MAX_D 256

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
