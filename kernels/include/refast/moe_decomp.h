/* Tensor decomposition for seed 001 Algorithm 1 step 3 (SPEC §5.2): whitening from T2, the
 * whitened k x k x k tensor, the robust tensor power method (Anandkumar et al. 2014) and Orth-ALS
 * (Sharan & Valiant 2017), un-whitening, normalisation and sign.
 *
 * Conventions: symmetric tensors are packed as in refast/moe_moments.h (lexicographic over
 * a <= b [<= c]). Matrices are row-major. Eigen-solvers return eigenpairs sorted by decreasing
 * |eigenvalue| (on an exact tie of |eigenvalue| the positive one first), each eigenvector's sign
 * fixed so that its entry of largest magnitude (first such index on ties) is positive, which makes
 * the output unique wherever the eigenvalues are distinct. Non-finite input makes every function
 * here fail (return -1 / false) instead of producing output. Limits: d <= 256, 1 <= k <= d.
 *
 * Random starts are Philox4x32-10 (refast/rng.h addressing) gaussians, pairs of words through
 * Box–Muller in double: gaussian i of stream s uses words 2i, 2i+1 of (seed, s),
 * u1 = (w0 + 0.5) 2^-32, u2 = w1 2^-32, z = sqrt(-2 ln u1) cos(2 pi u2). TPM start l of component
 * j is the normalised gaussian vector of stream j * starts + l; Orth-ALS starts from the
 * Gram–Schmidt orthonormalisation of the k x k gaussian matrix of stream 0 (row j = gaussians
 * j*k .. j*k+k-1).
 */
#ifndef REFAST_MOE_DECOMP_H
#define REFAST_MOE_DECOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

#define RF_MOE_DECOMP_MAX_D 256

/* moe_eig_topk_f64: top-k eigenpairs (by |eigenvalue|) of the symmetric d x d matrix given packed
 * (T2): lambda (k), V (d x k, column j = eigenvector j). Returns 0, or -1 when the arguments are
 * bad (k == 0, k > d, d > 256), the input is not finite or the solver fails. ref: cyclic Jacobi;
 * every vector level: LAPACKE dsyevd (fast/lapacke/moe_eig.c).
 * moe_tpm_f64, moe_orth_als_f64: decomposers of a symmetric k x k x k tensor (packed): eigenvalues mu (k) and unit vectors U
 * (k x k, row j = u_j), so that t ~ sum_j mu_j u_j^{(x)3}. Starts come from Philox(seed) as
 * described above. Both return 0, or -1 (k == 0 or > 256, starts/iters == 0, non-finite input,
 * out of memory). Both exist only in ref/: a k x k x k decomposition (k <= 256, usually < 20) costs
 * nothing next to the moments, so every level shares the scalar implementation. */
typedef struct rf_moe_tpm_opts {
    unsigned starts;     /* L random starts per component */
    unsigned iters;      /* N power iterations per start (and per final refinement) */
    uint64_t seed;
} rf_moe_tpm_opts;
typedef struct rf_moe_als_opts {
    unsigned iters;      /* maximum ALS sweeps */
    double tol;          /* stop when max_j ||u_j(new) - u_j(old)|| < tol (0: run every sweep) */
    uint64_t seed;
} rf_moe_als_opts;
#define RF_KERNELS_MOE_DECOMP(X)                                                                 \
    X(moe_eig_topk_f64, LAPACKE, NONE, RET(int),                                                 \
      (const double *t2, size_t d, size_t k, double *lambda, double *V), (t2, d, k, lambda, V))  \
    X(moe_tpm_f64, REF, NONE, RET(int),                                                          \
      (const double *t, size_t k, const rf_moe_tpm_opts *o, double *mu, double *U), (t, k, o, mu, U)) \
    X(moe_orth_als_f64, REF, NONE, RET(int),                                                     \
      (const double *t, size_t k, const rf_moe_als_opts *o, double *mu, double *U), (t, k, o, mu, U))
RF_DECLARE_KERNELS(RF_KERNELS_MOE_DECOMP)

#endif
