/* Oracle of the gating-EM M-step (refast/moe_gating.h), long double throughout, independent of ref/
 * and fast/ (conventions shared: row k-1 of W is never read; the E-step of eq. 9; Q of eq. 8 with
 * the log). Sums over samples are TwoSum-compensated (plain long double once a term is not finite).
 *
 * ora_moe_q_hess: H (m x m, full, m = (k-1) d) of refast/moe_gating.h and its error scale
 *   S[j*d+s][l*d+t] = sum_i |x_is x_it| (S(q_ij) (delta_jl + q_il) + q_ij S(q_il)),
 *   S(q) = 2^-1000 + q + 2 q (1 - q) (H_i + 1), H_i = max_{j<k-1} sum_t |w_jt x_it|
 * (the first-order effect of the logit errors on c_jl = delta_jl q_j - q_j q_l, refast/moe_em.h's
 * softmax argument, plus the rounding of c and of the products).
 *
 * ora_moe_gating_em: T iterates W_1 .. W_T (each k x d, row k-1 = 0) of gating EM from W0 with the
 * driver's algorithm (Newton: `inner` full Newton steps per M-step from W_t, each followed by the
 * projection, no ridge -- a case whose -H is not positive definite is refused; gradient:
 * W + alpha grad / n, projected), computed in long double with the E-step, gradient, Hessian,
 * Cholesky and solve written here. scale[t-1] = S_t of the `iterate` class:
 *   S_t = t * max_{s<=t} ( E_s + max_e |W_s[e]| ),
 *   E_s = ||(-H(W_s))^{-1}||_inf * Sg_s       (Newton)
 *   E_s = (alpha / n) * Sg_s                  (gradient),
 *   Sg_s = max_{j,t} sum_i |x_it| (S(post_ij) + S(q_ij)),
 * with S(post) the E-step scale of refast/moe_em.h (ora_moe_estep, at W_{s-1}) and S(q) as above
 * (Newton: q at W_s; gradient: at W_{s-1}). Why: the M-step solves grad Q(W|W_{s-1}) = 0, and an
 * error dg in the computed gradient (bounded by tau u Sg_s: rounded posteriors and gates times |x|,
 * summed on a tree of depth O(log n)) moves the solution by (-H)^{-1} dg; the update W += D
 * rounds by u |W|. The gradient step moves by (alpha/n) dg. Errors of earlier iterates pass
 * through the EM map, whose Jacobian (the fraction of missing information for Newton EM, I +
 * (alpha/n) H_L for gradient EM with alpha below 2n/||H_L||) has norm <= 1 near the fixed point,
 * so they add up at most linearly: the factor t, and the max over s <= t.
 * Returns 0, or -1 with a reason (out of memory, -H not positive definite, non-finite iterate).
 */
#ifndef REFAST_ORACLE_MOE_GATING_H
#define REFAST_ORACLE_MOE_GATING_H

#include <stddef.h>

int ora_moe_q_hess(const double *x, size_t n, size_t d, size_t k, const double *W, long double *H,
                   long double *S);

int ora_moe_gating_em(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                      int g, double sigma, const double *W0, int method, double alpha, double R,
                      unsigned inner, size_t T, long double *iters, long double *scale, char *err,
                      size_t errlen);

#endif
