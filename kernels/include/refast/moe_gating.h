/* The M-step of gating EM (SPEC §5.2, seed 001 Algorithm 2 and eq. 8 with the log restored, SPEC §9):
 * the Hessian kernel of Q(W'|W_t), a Cholesky factorisation, and the EM driver (Newton M-step or
 * gradient EM, projection onto ||w_j|| <= R, stopping rule, every iterate recordable).
 *
 * Conventions (those of refast/moe.h and refast/moe_em.h): x is row-major n x d, y has n entries,
 * A and W are k x d row-major; row k-1 of W is never read (w_k = 0) and the driver writes it as 0.
 * The k-1 free gating rows form the parameter vector of length m = (k-1) d, index j*d + s for
 * coordinate s of w_j. Q is
 *     Q(W'|W_t) = sum_i [ sum_{j<k-1} post_ij(W_t) <w'_j, x_i> - log(1 + sum_{j<k-1} e^<w'_j, x_i>) ],
 * an UNNORMALISED sum over the samples (the mean of SPEC §5.2 times n), concave in W'.
 *
 * Hessian (moe_q_hess_f64): with q_i = softmax(<w'_0,x_i>, ..., <w'_{k-2},x_i>, 0) restricted to
 * the k-1 free experts,
 *     H = - sum_i (diag(q_i) - q_i q_i^T) (x) x_i x_i^T,
 *     H[j*d+s][l*d+t] = - sum_i c_ijl x_is x_it,   c_ijl = delta_jl q_ij - q_ij q_il,
 * which does not depend on post (Q is linear in post). H is written FULL (m x m, row-major, both
 * triangles: it is symmetric, every block (j, l) is itself a symmetric d x d matrix since c_ijl is
 * a scalar per sample). Summation: samples in blocks of RF_MOE_EM_BLOCK, any order inside a block,
 * block sums combined pairwise (rf_moe_pairwise of refast/moe_moments.h), so every entry is a
 * summation tree of depth <= RF_MOE_EM_BLOCK + ceil(log2 n) + 1. Error scale (the oracle's
 * scale.H): sum_i |x_is x_it| S(c_ijl), S(c) = |c| + the first-order effect on c of the logit
 * errors, as in refast/moe_em.h (S(q) = 2^-1000 + q + 2 q (1 - q) (H_i + 1), H_i = max_j
 * sum_t |w_jt x_it|; S(c_jl) = S(q_j) (delta_jl + q_l) + q_j S(q_l)). NaN/inf: a non-finite x or W
 * reaches the entries its sample touches as IEEE arithmetic does (a NaN logit makes q NaN).
 * Limits: 2 <= k <= RF_MOE_EM_MAX_K, 1 <= d <= RF_MOE_MAX_D, (k-1) d <= RF_MOE_GATING_MAX_M;
 * returns 0, or -1 (outputs untouched) outside them or when scratch memory runs out.
 *
 * Cholesky (moe_cholesky_f64): A = L L^T of an SPD m x m matrix (row-major, full; only the lower
 * triangle is read), L written in the lower triangle of the output (the strict upper triangle set
 * to 0), and the solve of A z = b by two triangular solves. Returns 0, or the 1-based index of the
 * first pivot that is not > 0 (A not positive definite) -- LAPACK's convention -- and -1 for bad
 * arguments. A NaN in A fails too: ref at the first pivot it reaches, LAPACKE with -1 (its input
 * NaN check) or the pivot index. ref: the textbook row-by-row (Cholesky–Banachiewicz) recurrence
 * (ref/moe_cholesky.c); the fast levels call LAPACKE_dpotrf / dpotrs (kernels/moe_chol_lapacke.c): a library function, not a registry
 * kernel (the solve is judged through the EM iterates, whose tolerance carries its conditioning).
 *
 * The driver (rf_moe_gating_em, kernels/moe_gating.c), EM iteration t = 0, 1, ...:
 * every kernel taken at one level (rf_isa_current(), or the level of rf_moe_gating_em_at):
 *   E-step  post = moe_estep_f64(W_t) (refast/moe_em.h);
 *   M-step  newton:   W' = W_t; up to `inner` times (fewer once a step is <= inner_tol): g = grad Q(W'|W_t) = sum_i (post_i - q_i(W')) x_i
 *                     (rf_moe_q_grad at scalar, moe_q_grad_f64_<level> above),
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
#ifndef REFAST_MOE_GATING_H
#define REFAST_MOE_GATING_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"
#include "refast/moe.h"

#define RF_MOE_GATING_MAX_M 1024 /* (k-1) d: the Hessian is m x m doubles (8 MiB at the limit) */

typedef int (*rf_moe_q_hess_fn)(const double *x, size_t n, size_t d, size_t k, const double *W,
                                double *H);

RF_DECLARE_KERNEL(int, moe_q_hess_f64,
                  (const double *x, size_t n, size_t d, size_t k, const double *W, double *H));
/* The `openblas` peer (kernels/moe_q_hess_blas.c): per block, U_p = diag(c_p) X for the k(k-1)/2
 * expert pairs p = (j <= l) and the symmetric products X^T U_p by cblas_dgemm (lower triangle
 * mirrored), the same blocked pairwise summation. */
int moe_q_hess_f64_openblas(const double *x, size_t n, size_t d, size_t k, const double *W, double *H);
/* Dispatching entry point (level = rf_isa_current()). */
int rf_moe_q_hess(const double *x, size_t n, size_t d, size_t k, const double *W, double *H);

/* Cholesky factorisation (in place: A becomes L, strict upper triangle zeroed) and solve with the
 * factor L (b overwritten by z). See above for the return values. */
int moe_cholesky_f64_ref(double *A, size_t m);
void moe_chol_solve_f64_ref(const double *L, size_t m, double *b);
int moe_cholesky_f64_lapacke(double *A, size_t m);
void moe_chol_solve_f64_lapacke(const double *L, size_t m, double *b);
/* Dispatch: ref at the scalar level, LAPACKE at every vector level. */
int rf_moe_cholesky(double *A, size_t m);
void rf_moe_chol_solve(const double *L, size_t m, double *b);

/* grad Q(W'|W_t) and Q(W'|W_t) for given posteriors (post n x k of W_t) at any W' (k x d, row
 * k-1 ignored): grad ((k-1) x d) = sum_i (post_ij - q_ij) x_i, q = Q. Unnormalised, blocked
 * pairwise sums (ref-level code). Returns 0 or -1 (bad sizes, no memory). */
int rf_moe_q_grad(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                  double *grad, double *q);
/* The same at the vector levels (fast/<isa>/moe_q_hess.c, over fast/moe_q_hess_driver.h: vector dot
 * products, the level's vector exp and log, FMA updates; the same blocked pairwise sums). Not a
 * registry kernel: tests/test_moe_gating.c compares it with rf_moe_q_grad, and the golden EM
 * iterates judge it. The driver uses the one of its level. */
typedef int (*rf_moe_q_grad_fn)(const double *x, const double *post, size_t n, size_t d, size_t k,
                                const double *W, double *grad, double *q);
int moe_q_grad_f64_avx2(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                        double *grad, double *q);
int moe_q_grad_f64_avx512(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                          double *grad, double *q);
int moe_q_grad_f64_neon(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                        double *grad, double *q);

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

/* The registry's EM-iterates kernel: T = opts->T iterations with eps = 0 (exactly T iterates,
 * whatever the convergence), iterates W_1 .. W_T into `iterates` (T x k x d, row k-1 = 0), every
 * sub-kernel at the named level (ref: the scalar level). Returns 0 or -1. */
typedef int (*rf_moe_gating_em_fn)(const double *x, const double *y, size_t n, size_t d, size_t k,
                                   const double *A, int g, double sigma, const double *W0,
                                   const rf_moe_gating_opts *opts, double *iterates);
RF_DECLARE_KERNEL(int, moe_gating_em_f64,
                  (const double *x, const double *y, size_t n, size_t d, size_t k, const double *A, int g,
                   double sigma, const double *W0, const rf_moe_gating_opts *opts, double *iterates));

/* GatingFit of seed 001 eq. 12 generalised to k experts: min_j |<w_j/|w_j|, w*_j/|w*_j|>| over the
 * k-1 free rows (the rows are matched as given: gating EM with fixed A has no permutation freedom). */
double rf_moe_gating_fit(const double *W, const double *W_true, size_t k, size_t d);

#endif
