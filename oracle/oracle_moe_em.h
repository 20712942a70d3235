/* Oracle of the gating-EM kernels (refast/moe_em.h), long double throughout: dot products and the
 * sums over samples TwoSum-compensated (ora_dd), expl / logl / tanhl, the log-sum-exps shifted by
 * their maximum. Independent of ref/ and fast/ (only the conventions are shared: row k-1 of W is
 * never read, relu(NaN) = NaN, and the NaN rule of moe_em.h stated explicitly below). Where an
 * input is not finite the sums fall back to plain long double IEEE arithmetic, whose NaN/inf
 * pattern does not depend on the summation order.
 *
 * Error scales written beside the values (derived in refast/moe_em.h), with T_i = max_j T_ij over
 * the finite T_ij, H_i = max_{j<k-1} sum_t |w_jt x_it| and, for a softmax output p of logits whose
 * error scale is M, sc(p, M) = 2^-1000 + p + 2 p (1 - p) (M + 1):
 *   post_scale[i*k+j] = sc(post_ij, T_i)
 *   grad_scale[j*d+t] = sum_i |x_it| (sc(post_ij, T_i) + sc(gate_ij, H_i))
 *   q_scale           = sum_i [ sum_{j<k-1} sc(post_ij, T_i) |h_ij| + 2 (H_i + 1) ]
 */
#ifndef REFAST_ORACLE_MOE_EM_H
#define REFAST_ORACLE_MOE_EM_H

#include <stddef.h>

/* Posteriors post (n x k) and their scales (n x k). */
void ora_moe_estep(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                   const double *W, int g, double sigma, long double *post, long double *scale);

/* grad ((k-1) x d) and q with their scales. Returns -1 when out of memory, else 0. */
int ora_moe_em_grad(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                    const double *W, int g, double sigma, long double *grad, long double *grad_scale,
                    long double *q, long double *q_scale);

#endif
