/* Oracles of the tensor-decomposition family (refast/moe_decomp.h), long double throughout.
 * Independent of ref/ (only the conventions are shared: packed layout, the Philox gaussian starts,
 * the order and sign of eigenpairs): a cyclic Jacobi run to long double precision, and the tensor
 * power method and Orth-ALS run as the same algorithms, from the same Philox starts, in long double.
 */
#ifndef REFAST_ORACLE_MOE_DECOMP_H
#define REFAST_ORACLE_MOE_DECOMP_H

#include <stddef.h>
#include <stdint.h>

/* A perturbation of the random starts: every start coordinate is multiplied by 1 + eps r, r a
 * fixed pseudo-random number in [-1, 1) drawn from Philox with key ~seed and stream-word
 * counter offset by `dir` (one direction per value). NULL = the exact starts. */
typedef struct ora_start_pert {
    long double eps;
    uint64_t dir;
} ora_start_pert;

/* All d eigenpairs of the packed symmetric d x d matrix t2, sorted by decreasing |lambda|
 * (positive first on exact ties), vector j in row j of V (d x d) with its largest-magnitude entry
 * (first on ties) positive. Returns 0, or -1 (no convergence / out of memory). */
int ora_moe_eig(const double *t2, size_t d, long double *lambda, long double *V);
int ora_moe_eig_ld(const long double *t2, size_t d, long double *lambda, long double *V);

/* The tensor power method of ref/moe_tpm.c on the packed k x k x k tensor t (given in long double
 * so that perturbed copies can be decomposed): mu (k), U (k x k, row j = u_j). *margin: the
 * smallest relative gap (best - other) / |best| of W(u,u,u) between the chosen start and any start
 * that converged to a different vector (distance > 1e-6); +inf when every start agreed.
 * pert: see ora_start_pert (the finite-difference sensitivity to the starts). Returns 0, or -1
 * when out of memory. */
int ora_moe_tpm(const long double *t, size_t k, unsigned starts, unsigned iters, uint64_t seed,
                const ora_start_pert *pert, long double *mu, long double *U, long double *margin);

/* Orth-ALS of ref/moe_orth_als.c (tol as there, 0 runs every sweep; pert as for the TPM).
 * Returns 0, or -1. *sweeps:
 * sweeps performed. */
int ora_moe_als(const long double *t, size_t k, unsigned iters, long double tol, uint64_t seed,
                const ora_start_pert *pert, long double *mu, long double *U, unsigned *sweeps);

/* Algorithm 1 step 3 as kernels/moe_decomp.c does it (same whitening, decomposer, sign rule),
 * in long double, with W3 = T3(M, M, M) evaluated directly from its definition. als != 0 selects
 * Orth-ALS (iters sweeps, tol), else the TPM (starts, iters; *margin as ora_moe_tpm, else +inf).
 * Returns 0, or -1 when the recovery is refused (rank < k, eigenvalue sign against c2, zero mu)
 * or memory runs out. A is k x d. */
int ora_moe_recover(const long double *t2, const long double *t3, size_t d, size_t k, long double c2,
                    long double c3, int als, unsigned starts, unsigned iters, long double tol,
                    uint64_t seed, const ora_start_pert *pert, long double *A, long double *margin);

#endif
