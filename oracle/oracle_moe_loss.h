/* Oracles of the seed 003 losses (refast/moe_loss.h), independent of ref/ and fast/: long double,
 * means accumulated in double-long-double (TwoSum).
 *
 * L4: eq. 6 evaluated literally -- every t1(a_i, a_j, x) for i != j, every t2 and t3 -- and its
 * gradient from the derivatives of each t written out term by term (not the collapsed per-sample
 * coefficients of the kernels):
 *   c dt1(a_i, a_j, x)/da_i = 2 u_i u_j^2 x - 2 u_j^2 a_i - 4 G_ij u_j x - 4 u_i u_j a_j - 2 n_j u_i x
 *                             + 2 n_j a_i + 4 G_ij a_j          (t1 is symmetric in its two vectors)
 *   c dt2(a_i, x)/da_i      = 4 u_i^3 x - 12 u_i^2 a_i - 12 n_i u_i x + 12 n_i a_i
 *   c' dt3(a_i, x)/da_i     = 2 u_i x - 2 a_i
 * Scales (the `sum` class S): the kernels' formula (refast/moe_loss.h) with each quantity replaced
 * by the sum of the magnitudes of its terms: |q|, |a_ib|, u~_i = sum_b |a_ib x_b|,
 * G~_ij = sum_b |a_ib a_jb|, and (S_e + 1)^2 for the lambda terms (S_e the scale of e_i).
 *
 * L_log: per sample -log sum_i softmax_i(l) N(y | g(<a_i, x>), sigma^2) with long double
 * log-sum-exp, gradient -(post_j - gate_j) x. Scale of the value: mean over samples of
 * |value_s| + T_s, T_s = sum_i (l~_i + (|y| + u~_i + |g(u_i)|)^2 / (2 sigma^2)) + |log(sigma sqrt(2 pi))|
 * (l~_i = sum_b |w_ib x_b|: the magnitudes of every exponent's terms); of gradient entry (j, b):
 * mean of |x_b| (post_j + gate_j)(1 + 2 T_s) (a relative error of the exponents moves post and gate
 * by that much). */
#ifndef REFAST_ORACLE_MOE_LOSS_H
#define REFAST_ORACLE_MOE_LOSS_H

#include <stddef.h>

/* grad, grad_scale: k x d. Returns -1 when memory runs out, else 0. Inputs must be finite. */
int ora_moe_l4(const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,
               const double *A, const double *hyper, long double *loss, long double *loss_scale,
               long double *grad, long double *grad_scale);

/* g: the rf_moe_g value (0 linear, 1 relu, 2 leaky_relu, 3 sigmoid, 4 tanh). W (k-1) x d; grad and
 * grad_scale (k-1) x d. Returns -1 when memory runs out or g is unknown, else 0. */
int ora_moe_llog(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                 const double *W, unsigned g, double sigma, long double *value, long double *value_scale,
                 long double *grad, long double *grad_scale);

#endif
