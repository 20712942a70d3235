/* The M-step of gating EM (SPEC §5.2, seed 001 Algorithm 2 and eq. 8 with the log restored, SPEC §9):
 * the Hessian and gradient kernels of Q(W'|W_t) and a Cholesky factorisation. The EM driver that
 * uses them (Newton M-step or gradient EM, projection onto ||w_j|| <= R, stopping rule, every
 * iterate recordable) is lib/moe/gating_em.h.
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
 * block sums combined pairwise (rf_moe_pairwise of support/moe_sums.h), so every entry is a
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
 * (ref/moe_cholesky.c); the fast levels call LAPACKE_dpotrf / dpotrs (fast/lapacke/moe_cholesky.c).
 * Not judged on its own: the solve is judged through the EM iterates, whose tolerance carries its
 * conditioning.
 *
*/
#ifndef REFAST_MOE_GATING_H
#define REFAST_MOE_GATING_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"
#include "refast/moe.h"

#define RF_MOE_GATING_MAX_M 1024 /* (k-1) d: the Hessian is m x m doubles (8 MiB at the limit) */

/* moe_q_hess_f64: the Hessian above; its `openblas` peer (peers/moe_q_hess_blas.c) forms, per block,
 * U_p = diag(c_p) X for the k(k-1)/2 expert pairs p = (j <= l) and the symmetric products X^T U_p
 * by cblas_dgemm (lower triangle mirrored), with the same blocked pairwise summation.
 * moe_cholesky_f64 (in place: A becomes L, strict upper triangle zeroed) and moe_chol_solve_f64
 * (b overwritten by z, with the factor L): see above for the return values; ref at the scalar
 * level, LAPACKE at every vector level.
 * moe_q_grad_f64: grad Q(W'|W_t) and Q(W'|W_t) for given posteriors (post n x k of W_t) at any W'
 * (k x d, row k-1 ignored): grad ((k-1) x d) = sum_i (post_ij - q_ij) x_i, q = Q. Unnormalised,
 * blocked pairwise sums. Returns 0 or -1 (bad sizes, no memory). Not judged on its own: tests
 * compare the levels with ref, and the golden EM iterates judge it. */
#define RF_KERNELS_MOE_GATING(X)                                                                 \
    X(moe_q_hess_f64, HAND, BLAS, RET(int),                                                      \
      (const double *x, size_t n, size_t d, size_t k, const double *W, double *H),               \
      (x, n, d, k, W, H))                                                                        \
    X(moe_cholesky_f64, LAPACKE, NONE, RET(int), (double *A, size_t m), (A, m))                  \
    X(moe_chol_solve_f64, LAPACKE, NONE, VOID, (const double *L, size_t m, double *b), (L, m, b)) \
    X(moe_q_grad_f64, HAND, NONE, RET(int),                                                      \
      (const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,       \
       double *grad, double *q),                                                                 \
      (x, post, n, d, k, W, grad, q))
RF_DECLARE_KERNELS(RF_KERNELS_MOE_GATING)

#endif
