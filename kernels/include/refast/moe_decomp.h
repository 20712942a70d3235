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

/* Top-k eigenpairs (by |eigenvalue|) of the symmetric d x d matrix given packed (T2):
 * lambda (k), V (d x k, column j = eigenvector j). Returns 0, or -1 when the arguments are bad
 * (k == 0, k > d, d > 256), the input is not finite or the solver fails.
 * ref: cyclic Jacobi; fast levels: LAPACKE dsyevd (one implementation shared by the levels). */
typedef int (*rf_moe_eig_topk_fn)(const double *t2, size_t d, size_t k, double *lambda, double *V);
RF_DECLARE_KERNEL(int, moe_eig_topk_f64, (const double *t2, size_t d, size_t k, double *lambda, double *V));
int moe_eig_topk_f64_lapacke(const double *t2, size_t d, size_t k, double *lambda, double *V);
int rf_moe_eig_topk(const double *t2, size_t d, size_t k, double *lambda, double *V);

/* The whitened tensor T3(M, M, M), M = V |Lambda|^{-1/2} (d x k): packed k x k x k.
 * out[i<=j<=l] = sum_{a,b,c} T3_abc M_ai M_bj M_cl, contracted one mode at a time
 * (O(d^3 k / 2) work). Returns 0, or -1 when out of memory. */
int rf_moe_whiten3(const double *t3, size_t d, const double *M, size_t k, double *out);

/* Decomposers of a symmetric k x k x k tensor (packed): eigenvalues mu (k) and unit vectors U
 * (k x k, row j = u_j), so that t ~ sum_j mu_j u_j^{(x)3}. Starts come from Philox(seed) as
 * described above. Both return 0, or -1 (k == 0 or > 256, starts/iters == 0, non-finite input,
 * out of memory). Both exist only in ref/: a k x k x k decomposition (k <= 256, usually < 20) costs
 * nothing next to the moments, so every level shares the scalar implementation. */
typedef struct rf_moe_tpm_opts {
    unsigned starts;     /* L random starts per component */
    unsigned iters;      /* N power iterations per start (and per final refinement) */
    uint64_t seed;
} rf_moe_tpm_opts;
typedef int (*rf_moe_tpm_fn)(const double *t, size_t k, const rf_moe_tpm_opts *o, double *mu, double *U);
RF_DECLARE_KERNEL(int, moe_tpm_f64, (const double *t, size_t k, const rf_moe_tpm_opts *o, double *mu, double *U));
int rf_moe_tpm(const double *t, size_t k, const rf_moe_tpm_opts *o, double *mu, double *U);

typedef struct rf_moe_als_opts {
    unsigned iters;      /* maximum ALS sweeps */
    double tol;          /* stop when max_j ||u_j(new) - u_j(old)|| < tol (0: run every sweep) */
    uint64_t seed;
} rf_moe_als_opts;
typedef int (*rf_moe_als_fn)(const double *t, size_t k, const rf_moe_als_opts *o, double *mu, double *U);
RF_DECLARE_KERNEL(int, moe_orth_als_f64, (const double *t, size_t k, const rf_moe_als_opts *o, double *mu, double *U));
int rf_moe_orth_als(const double *t, size_t k, const rf_moe_als_opts *o, double *mu, double *U);

typedef enum rf_moe_decomposer { RF_MOE_DECOMP_TPM = 0, RF_MOE_DECOMP_ORTH_ALS } rf_moe_decomposer;

/* Algorithm 1 step 3 end to end: T2, T3 (packed, dimension d) -> A (k x d, unit rows) such that
 * T3 ~ c3 sum_i pi_i a_i^{(x)3} with pi_i > 0: the sign of each a_i is chosen from its whitened
 * eigenvalue and the sign of c3 (c2 likewise fixes the sign of the whitening). Returns false with
 * a one-line reason (k > d, T2 of rank < k, an eigenvalue of T2 whose sign disagrees with c2,
 * c2 or c3 zero or not finite, decomposer failure). The derivation is in kernels/moe_decomp.c.
 * Defaults (rf_moe_decomp_defaults): TPM with 10 starts x 30 iterations, seed 1; Orth-ALS 200
 * sweeps, tol 1e-13, seed 1. */
typedef struct rf_moe_decomp_opts {
    rf_moe_decomposer method;
    rf_moe_tpm_opts tpm;
    rf_moe_als_opts als;
} rf_moe_decomp_opts;
void rf_moe_decomp_defaults(rf_moe_decomp_opts *o);
typedef bool (*rf_moe_recover_fn)(const double *t2, const double *t3, size_t d, size_t k, double c2,
                                  double c3, const rf_moe_decomp_opts *o, double *A, char *err,
                                  size_t errlen);
/* The registry's moe_recover_f64: the same steps with the Jacobi of ref (scalar level) or with
 * LAPACKE dsyevd (every fast level); the decomposer is the shared ref one either way. */
bool moe_recover_f64_ref(const double *t2, const double *t3, size_t d, size_t k, double c2, double c3,
                         const rf_moe_decomp_opts *o, double *A, char *err, size_t errlen);
bool moe_recover_f64_lapacke(const double *t2, const double *t3, size_t d, size_t k, double c2,
                             double c3, const rf_moe_decomp_opts *o, double *A, char *err,
                             size_t errlen);
/* Dispatching entry point (level = rf_isa_current()). o == NULL means the defaults. */
bool rf_moe_recover_regressors(const double *t2, const double *t3, size_t d, size_t k, double c2,
                               double c3, const rf_moe_decomp_opts *o, double *A, char *err,
                               size_t errlen);

#endif
