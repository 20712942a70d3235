/* Gating EM of SPEC §5.2 (seed 001 Algorithm 2, eq. 8–9 with the SPEC §9 erratum): the E-step
 * posteriors and the fused E-step + gradient of Q(W'|W) at W' = W, double precision.
 *
 * Conventions (those of refast/moe.h): x is row-major n x d (sample i at x + i*d), y has n
 * entries, A and W are k x d row-major (row j = a_j, w_j). The gating logit of expert j is
 * h_ij = <w_j, x_i> for j < k-1 and h_i,k-1 = 0: row k-1 of W is NEVER read (w_k = 0 by the
 * model's convention), whatever it holds. g is an rf_moe_g (linear, relu, leaky_relu(0.01),
 * sigmoid, tanh) and sigma > 0 the noise level. Any alignment, any n (0 included).
 *
 * E-step (eq. 9): with z_ij = <a_j, x_i> and r_ij = (y_i - g(z_ij)) / sigma,
 *     l_ij = h_ij - r_ij^2 / 2,      post_ij = softmax_j(l_ij) = e^(l_ij - m_i) / sum_m e^(l_im - m_i),
 * m_i = max_j l_ij (stable log-sum-exp: logits of 1e3 and more, as small sigma gives, are fine).
 * log N(y | g(z), sigma^2) = -r^2/2 - log(sqrt(2 pi) sigma): the constant is the same for every
 * expert and cancels in the softmax, so it is never computed. post is n x k, row-major.
 *
 * Gradient (Q of eq. 8 with the log restored): with gate_ij = softmax_j(h_ij) over all k experts,
 *     grad[j][t] = sum_i (post_ij - gate_ij) x_it                  for j < k-1, t < d
 *     q          = sum_i [ sum_{j<k-1} post_ij h_ij - log(1 + sum_{j<k-1} e^(h_ij)) ]
 * These are UNNORMALISED sums over the samples (divide by n for the empirical expectations of
 * Q and grad Q); grad is (k-1) x d row-major. Since Q(W'|W) is concave in W' and its gradient at
 * W' = W equals the gradient of the log-likelihood (seed 000 §D.3), one call gives gradient EM
 * its step and Newton its right-hand side.
 *
 * Summation (the `sum` class of SPEC §3): samples are taken in blocks of RF_MOE_EM_BLOCK; within a
 * block a level may accumulate in any order, and the block sums of grad and q are combined
 * pairwise (a binary counter), so the summation depth is RF_MOE_EM_BLOCK + log2(n / block).
 * Dot products run over t in order (ref: multiply then add; fast: FMA).
 *
 * Error scales (what the oracle stores as scale.*, oracle/oracle_moe_em.h): the logits of sample i
 * carry absolute errors up to about (d + 7) u T_i, T_i = max_j T_ij,
 *     T_ij = sum_t |w_jt x_it| + (|r_ij| / sigma) (|y_i| + G_ij + sum_t |a_jt x_it|) + r_ij^2 / 2,
 * the magnitudes of the terms of l_ij (G_ij = |g(z_ij)| for the piecewise linear g, 1 for sigmoid
 * and tanh, whose vector forms are accurate to 2.5 u absolutely). A softmax p = softmax(l) moves
 * by |dp_j| <= 2 p_j (1 - p_j) max_m |dl_m| to first order (invariance to shifts: the max
 * subtraction is one more rounding of the same kind), and rounds by a few u p_j in exp, the sum and
 * the division; so post_ij is judged with S = 2^-1000 + p + 2 p (1 - p) (T_i + 1), which is tight
 * for a saturated posterior (p = 1 or 0 to the last bit, as small sigma gives) and for a 50/50 one
 * alike. gate_ij gets the same with H_i = max_j sum_t |w_jt x_it|; grad[j][t] sums
 * |x_it| (S(post_ij) + S(gate_ij)) over i, q sums S(post_ij) |h_ij| + 2 (H_i + 1).
 *
 * Non-finite values (NaN, inf in x, y, A, W or sigma) propagate as IEEE arithmetic does, with one
 * rule that holds in ref and every level alike: if any l_ij of sample i is NaN or +inf, or all are
 * -inf, all k posteriors of sample i are NaN; an l_ij of -inf (with some other l_im finite) gives
 * post_ij = 0. g propagates NaN (relu(NaN) = NaN). A NaN posterior or coefficient makes every
 * entry of grad and q NaN; infinities give the IEEE results of sums of infinities (which do not
 * depend on the summation order). Finite inputs whose dot products overflow are outside the
 * contract (order-dependent infinities).
 *
 * Limits: 2 <= k <= RF_MOE_EM_MAX_K, 1 <= d <= RF_MOE_MAX_D (k > d is allowed), g a valid
 * rf_moe_g. The functions return 0, or -1 for arguments outside these limits or when scratch
 * memory (O(k d log n) doubles) cannot be allocated; the outputs are then untouched.
 */
#ifndef REFAST_MOE_EM_H
#define REFAST_MOE_EM_H

#include <stddef.h>

#include "refast/kernel.h"
#include "refast/moe.h"

#define RF_MOE_EM_BLOCK 64
#define RF_MOE_EM_MAX_K 32

/* The `openblas` peers (peers/moe_em_blas.c): logits X W^T and X A^T by cblas_dgemm, libm exp and
 * log, the gradient as (P - Gate)^T X by dgemm per block; OpenBLAS single-threaded.
 * moe_em_vmath_f64: the vector elementary functions the kernels use, as a kernel of their own so
 * that tests measure them: out[i] = f(x[i]) for f = RF_VMATH_EXP (e^x), RF_VMATH_EXPM1 (e^x - 1,
 * x <= 0), RF_VMATH_LOG, RF_VMATH_SIGMOID (1 / (1 + e^-x)), RF_VMATH_TANH; the ref version is libm. */
enum { RF_VMATH_EXP = 0, RF_VMATH_EXPM1, RF_VMATH_LOG, RF_VMATH_SIGMOID, RF_VMATH_TANH, RF_VMATH_COUNT };
#define RF_KERNELS_MOE_EM(X)                                                                     \
    X(moe_estep_f64, HAND, BLAS, RET(int),                                                       \
      (const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,          \
       const double *W, int g, double sigma, double *post),                                      \
      (x, y, n, d, k, A, W, g, sigma, post))                                                     \
    X(moe_em_grad_f64, HAND, BLAS, RET(int),                                                     \
      (const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,          \
       const double *W, int g, double sigma, double *grad, double *q),                           \
      (x, y, n, d, k, A, W, g, sigma, grad, q))                                                  \
    X(moe_em_vmath_f64, HAND, NONE, VOID, (int f, const double *x, size_t n, double *out),       \
      (f, x, n, out))
RF_DECLARE_KERNELS(RF_KERNELS_MOE_EM)

#endif
