/* Gating EM (seed 001 Algorithm 2; refast/moe_gating.h has Q, its Hessian and gradient kernels and
 * the Cholesky factorisation it uses, refast/moe_em.h the E-step).
 *
 * The driver (rf_moe_gating_em, lib/moe/gating_em.c), EM iteration t = 0, 1, ...:
 * every kernel taken at one level (rf_isa_current(), or the level of rf_moe_gating_em_at):
 *   E-step  post = moe_estep_f64(W_t) (refast/moe_em.h);
 *   M-step  newton:   W' = W_t; up to `inner` times (fewer once a step is <= inner_tol): g = grad Q(W'|W_t) = sum_i (post_i - q_i(W')) x_i
 *                     (moe_q_grad_f64 of the level),
 *                     H = moe_q_hess(W'); solve (-H + ridge I) D = g by Cholesky; W' += D;
 *                     project each row onto ||w_j|| <= R (projected Newton). W_{t+1} = W'.
 *           gradient: W_{t+1} = Proj(W_t + alpha grad Q(W_t|W_t) / n) (the MEAN gradient, SPEC §5.2),
 *                     grad from rf_moe_em_grad (fused E-step + gradient).
 *   stop    when ||W_{t+1} - W_t||_F < eps, or after T iterations.
 * -H is positive semidefinite; it is singular when the x_i do not span R^d (n < d, collinear data)
 * or when q saturates. The Newton solve first tries ridge = 0; when Cholesky fails it adds
 * ridge = 1e-12 * max(1, max diag(-H)) and multiplies it by 100 until the factorisation succeeds
 * (at most 12 tries, else the driver fails); each EM iteration reports the ridge it used. Line
 * search (opts.line_search): if Q(W' + D) < Q(W') the step is halved (at most 30 times); off by
 * default so that the golden iterates have no data-dependent branches (Newton on a concave smooth
 * Q from W_t converges without it on well-posed data; tests cover both).
 */
#ifndef REFAST_LIB_MOE_GATING_EM_H
#define REFAST_LIB_MOE_GATING_EM_H

#include <stddef.h>
#include <stdint.h>

#include "refast/isa.h"
#include "refast/moe.h"
#include "refast/moe_gating.h"

typedef enum rf_moe_gating_method { RF_MOE_GATING_NEWTON = 0, RF_MOE_GATING_GRADIENT } rf_moe_gating_method;

typedef struct rf_moe_gating_opts {
    rf_moe_gating_method method;
    double alpha;        /* gradient EM step on the mean gradient (> 0) */
    double R;            /* projection radius per row; R <= 0 or inf: no projection */
    double eps;          /* stop when ||W_{t+1} - W_t||_F < eps (0: never, run T iterations) */
    uint64_t T;          /* maximum number of EM iterations (>= 1) */
    unsigned inner;      /* at most this many Newton steps per M-step (0 means 5) */
    double inner_tol;    /* stop the inner Newton after a step with ||D||_F <= inner_tol (0: always
                          * `inner` steps; Newton converging quadratically, a step of 1e-10 leaves
                          * the M-step solved to rounding) */
    int line_search;     /* halve Newton steps that decrease Q */
} rf_moe_gating_opts;

/* Default options: Newton, alpha 1, R = inf, eps 1e-10, T 100, inner 8, inner_tol 1e-10, no line
 * search. (The registry's golden runs use inner 5, inner_tol 0: no data-dependent step count.) */
rf_moe_gating_opts rf_moe_gating_defaults(void);

/* The trace (every pointer may be NULL; cap = how many iterates the buffers hold). Iterate t
 * (t = 0 is W0 after projection, t = 1 .. count-1 the EM iterates) is stored at W + t k d (k x d,
 * row k-1 = 0); q[t] = Q(W_t|W_t) / n (the mean Q at the iterate; NaN for the last one unless
 * another E-step ran), dW[t] = ||W_t - W_{t-1}||_F (dW[0] = 0), ridge[t] = the largest ridge the
 * M-step producing W_t used. count = iterates written (<= cap). */
typedef struct rf_moe_gating_trace {
    size_t cap, count;
    double *W, *q, *dW, *ridge;
} rf_moe_gating_trace;

/* Runs gating EM from W0 (k x d, row k-1 ignored) with the regressors A fixed; W_out (k x d) gets
 * the last iterate (row k-1 = 0). *iters (may be NULL) = EM iterations done. Returns 0, or -1 with a
 * one-line reason in err (bad sizes or options, a non-finite Q -- NaN or infinity in the data -- or
 * iterate, Cholesky failing even with the largest ridge, out of memory). */
int rf_moe_gating_em(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                     rf_moe_g g, double sigma, const double *W0, const rf_moe_gating_opts *opts,
                     double *W_out, uint64_t *iters, rf_moe_gating_trace *trace, char *err, size_t errlen);

/* The same with every kernel taken at `level` (after fallback; a level this CPU lacks is an error): ref and ref's Cholesky at scalar,
 * the level's E-step / gradient / Hessian and LAPACKE's Cholesky above. rf_moe_gating_em uses
 * rf_isa_current(). */
int rf_moe_gating_em_at(rf_isa level, const double *x, const double *y, size_t n, size_t d, size_t k,
                        const double *A, rf_moe_g g, double sigma, const double *W0,
                        const rf_moe_gating_opts *opts, double *W_out, uint64_t *iters,
                        rf_moe_gating_trace *trace, char *err, size_t errlen);

/* What the registry judges (moe_gating_em_f64): T = opts->T iterations with eps = 0 (exactly T
 * iterates, whatever the convergence), iterates W_1 .. W_T into `iterates` (T x k x d, row k-1 =
 * 0), every sub-kernel at `level`. Returns 0 or -1. */
int rf_moe_gating_em_iterates(rf_isa level, const double *x, const double *y, size_t n, size_t d, size_t k,
                              const double *A, int g, double sigma, const double *W0,
                              const rf_moe_gating_opts *opts, double *iterates);

/* GatingFit of seed 001 eq. 12 generalised to k experts: min_j |<w_j/|w_j|, w*_j/|w*_j|>| over the
 * k-1 free rows (the rows are matched as given: gating EM with fixed A has no permutation freedom). */
double rf_moe_gating_fit(const double *W, const double *W_true, size_t k, size_t d);

#endif
