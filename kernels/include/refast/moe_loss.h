/* The losses of seed 003 §3 for the mixture of experts (refast/moe.h conventions) and their
 * gradients: L4 (eq. 6) for the regressors A, L_log (eq. 8) for the gating parameters W.
 *
 * L4 (the hot kernel, moe_l4_grad_f64). For a batch of n samples x_s (row-major n x d), the caller's
 * transformed outputs q4[s] = Q4(y_s), q2[s] = Q2(y_s) (refast/moe.h rf_moe_cqt: constant terms
 * included), regressors A (k x d, row i = a_i, any norm) and hyper = {c, c', mu, lambda, delta}:
 *   u_i = <a_i, x>,  n_i = |a_i|^2,  G_ij = <a_i, a_j>
 *   t1(a_i, a_j, x) = (u_i^2 u_j^2 - n_i u_j^2 - 4 u_i u_j G_ij - n_j u_i^2 + n_i n_j + 2 G_ij^2) / c
 *   t2(a_i, x)      = (u_i^4 - 6 n_i u_i^2 + 3 n_i^2) / c        (seed 003 calls this t2: quartic, /c)
 *   t3(a_i, x)      = (u_i^2 - n_i) / c'                         (and this t3: quadratic, /c')
 *   L4(A) = sum_{i != j} E[q4 t1(a_i, a_j)] - mu sum_i E[q4 t2(a_i)]
 *           + lambda sum_i (E[q2 t3(a_i)] - 1)^2 + delta/2 |A|_F^2
 * with E = the mean over the n samples. c = c_{g,sigma} = rf_moe_cqt.c4 and c' = c'_{g,sigma} =
 * rf_moe_cqt.cq2 (24 and 2 for linear g). hyper[4] is the ridge weight delta of eq. 6, not the
 * coefficient delta of Q2 (the seed uses the letter for both). n = 0 makes every mean 0: loss =
 * k lambda + delta/2 |A|^2, gradient delta A. The gradient (k x d, row i = dL4/da_i) is exact for
 * the empirical loss (tests compare it with central finite differences). (The optimisers, SGD and
 * Adam on L4 and projected gradient descent on L_log, are in lib/moe/losses.h.)
 *
 * How it is computed (every level): per sample the projections u = A x, the per-sample coefficients
 *   C4_si = dPhi_s/du_i = 4 u_i (S - u_i^2 - N + n_i) - 8 sum_{j != i} G_ij u_j - mu (4 u_i^3 - 12 n_i u_i)
 *   (S = sum u_j^2, N = sum n_j, Phi_s = c (sum_{i != j} t1 - mu sum_i t2) without its constant)
 * and the weighted sums  sum q4 Phi_s, sum q4, sum q2, sum q4 u u^T (k x k), sum q2 u_i^2 and the
 * two GEMM-shaped gradient sums  sum_s q4_s C4_si x_s  and  sum_s q2_s u_si x_s  (k x d each). The
 * gradient then adds the terms in a_j (from n_i and G_ij, in closed form through M = E[q4 u u^T])
 * and the lambda and delta terms:
 *   dL4/da_m = (1/c) { E[q4 C4_m x] + 2 a_m [2 (M_mm - tr M) + 2 (N - n_m) E q4 + 6 mu (M_mm - n_m E q4)]
 *              + 8 sum_{j != m} (G_mj E q4 - M_mj) a_j }
 *              + (4 lambda / c') (e_m - 1) (E[q2 u_m x] - a_m E q2) + delta a_m,
 *   e_m = E[q2 t3(a_m)] = (E[q2 u_m^2] - n_m E q2) / c'.
 *
 * Summation (mirrors refast/moe_moments.h): samples in blocks of RF_MOE_BLOCK; inside a block a
 * level adds the samples in any order (ref: one after the other), block sums are combined pairwise
 * (rf_moe_pairwise). The `sum` class scale S of an output (oracle/moe_loss.c) is the same formula
 * with every quantity replaced by a bound on the magnitudes of its terms (|q|, |a_ib|, and
 * u~_i = sum_b |a_ib x_b| for u_i), so S bounds every intermediate the evaluation meets; with the
 * d-term dot products (ref: sequential), the per-sample polynomial (< 24 roundings + k terms) and the
 * summation tree (RF_MOE_BLOCK + ceil(log2 n) + 2) the error is <= RF_MOE_L4_TAU u S for
 * d <= 64, k <= 16, n <= 2^18.
 *
 * NaN and infinity: if any value of x, q4, q2, A or hyper is not finite, the loss and every entry
 * of the gradient are NaN (all levels alike); finite inputs whose terms overflow give unspecified
 * results. Limits: 1 <= k <= RF_MOE_L4_MAX_K, 1 <= d <= RF_MOE_L4_MAX_D (outside them, or when
 * memory runs out, the outputs are NaN). Pointers need no alignment.
 *
 * L_log (moe_llog_f64, ref only, ref/moe_llog.c): W holds the k-1 free gating rows (w_k = 0),
 *   L_log = -(1/n) sum_s log sum_i softmax_i(<w_1,x_s>, ..., <w_{k-1},x_s>, 0) N(y_s | g(<a_i,x_s>), sigma^2)
 * with the Gaussian normalisation 1/(sigma sqrt(2 pi)) (log-sum-exp, no underflow), and
 *   dL_log/dw_j = -(1/n) sum_s (post_sj - gate_sj) x_s,  j < k-1,
 * post = the posterior P(z = j | x, y), gate = softmax of the logits (seed 000 §D.3).
 */
#ifndef REFAST_MOE_LOSS_H
#define REFAST_MOE_LOSS_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"
#include "refast/moe.h"

#define RF_MOE_L4_MAX_K 16
#define RF_MOE_L4_MAX_D 256
/* RF_MOE_BLOCK (64) + 18 (log2 n) + 64 (dot products, d <= 64) + 46 (polynomial, corrections). */
#define RF_MOE_L4_TAU 192.0

/* Indices into the hyper array of moe_l4_grad_f64. */
enum { RF_L4_C = 0, RF_L4_CP, RF_L4_MU, RF_L4_LAMBDA, RF_L4_DELTA, RF_L4_NHYPER };

/* moe_l4_grad_f64: L4 and its gradient (the `openblas` peer forms U = X A^T and the gradient sums
 * through cblas_dgemm, per block). moe_llog_f64: L_log and its gradient in W (k-1 x d); grad_W may
 * be NULL. x n x d, y n, A k x d, W (k-1) x d, g an rf_moe_g. Non-finite inputs give NaN outputs;
 * n = 0 gives 0 and a zero gradient. Returns 0, or -1 for k < 2 or k > 64, d = 0, sigma <= 0 or
 * not finite, an unknown g, or out of memory (outputs NaN). */
#define RF_KERNELS_MOE_LOSS(X)                                                                   \
    X(moe_l4_grad_f64, HAND, BLAS, VOID,                                                         \
      (const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,        \
       const double *A, const double *hyper, double *loss, double *grad),                        \
      (x, q4, q2, n, d, k, A, hyper, loss, grad))                                                \
    X(moe_llog_f64, REF, NONE, RET(int),                                                         \
      (const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,          \
       const double *W, int g, double sigma, double *value, double *grad_W),                     \
      (x, y, n, d, k, A, W, g, sigma, value, grad_W))
RF_DECLARE_KERNELS(RF_KERNELS_MOE_LOSS)

#endif
