/* Seed 001 Algorithm 1 step 3 end to end (refast/moe_decomp.h has the eigen-solver and the
 * decomposers it uses, and the conventions): the whitened tensor and the recovery of the regressors.
 * The derivation is in lib/moe/decomp.c. */
#ifndef REFAST_LIB_MOE_DECOMP_H
#define REFAST_LIB_MOE_DECOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "refast/isa.h"
#include "refast/moe_decomp.h"

/* The whitened tensor T3(M, M, M), M = V |Lambda|^{-1/2} (d x k): packed k x k x k.
 * out[i<=j<=l] = sum_{a,b,c} T3_abc M_ai M_bj M_cl, contracted one mode at a time
 * (O(d^3 k / 2) work). Returns 0, or -1 when out of memory. */
int rf_moe_whiten3(const double *t3, size_t d, const double *M, size_t k, double *out);

typedef enum rf_moe_decomposer { RF_MOE_DECOMP_TPM = 0, RF_MOE_DECOMP_ORTH_ALS } rf_moe_decomposer;

/* Algorithm 1 step 3 end to end: T2, T3 (packed, dimension d) -> A (k x d, unit rows) such that
 * T3 ~ c3 sum_i pi_i a_i^{(x)3} with pi_i > 0: the sign of each a_i is chosen from its whitened
 * eigenvalue and the sign of c3 (c2 likewise fixes the sign of the whitening). Returns false with
 * a one-line reason (k > d, T2 of rank < k, an eigenvalue of T2 whose sign disagrees with c2,
 * c2 or c3 zero or not finite, decomposer failure). The derivation is in lib/moe/decomp.c.
 * Defaults (rf_moe_decomp_defaults): TPM with 10 starts x 30 iterations, seed 1; Orth-ALS 200
 * sweeps, tol 1e-13, seed 1. */
typedef struct rf_moe_decomp_opts {
    rf_moe_decomposer method;
    rf_moe_tpm_opts tpm;
    rf_moe_als_opts als;
} rf_moe_decomp_opts;
void rf_moe_decomp_defaults(rf_moe_decomp_opts *o);
/* The recovery with the eigen-solver of `level` (ref's Jacobi at scalar, LAPACKE dsyevd at the
 * vector levels; the decomposers are ref's at every level): what the registry judges as
 * moe_recover_f64. rf_moe_recover_regressors uses rf_isa_current(). o == NULL means the defaults. */
bool rf_moe_recover_regressors_at(rf_isa level, const double *t2, const double *t3, size_t d, size_t k,
                                  double c2, double c3, const rf_moe_decomp_opts *o, double *A, char *err,
                                  size_t errlen);
bool rf_moe_recover_regressors(const double *t2, const double *t3, size_t d, size_t k, double c2,
                               double c3, const rf_moe_decomp_opts *o, double *A, char *err,
                               size_t errlen);

#endif
