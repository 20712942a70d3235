/* Internal entry points of kernels/moe_cqt.c, for tests and for `refast moe cqt`'s diagnostics.
 *
 * Conventions: Z ~ N(0,1); He_j are the probabilists' Hermite polynomials (He_2 = z^2 - 1, ...);
 * a moment table holds M(p,j) = E[g(Z)^p He_j(Z)] in long double for p <= RF_MOE_TABLE_P and
 * j <= RF_MOE_MAX_J. Powers up to 8 are needed because the non-degeneracy tests normalise by the
 * standard deviation of S(Z), a degree-8 polynomial in g for Q4 (only column j = 0 is used there).
 */
#ifndef REFAST_MOE_CQT_INTERNAL_H
#define REFAST_MOE_CQT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "moe/cqt.h"

#define RF_MOE_TABLE_P 8
/* Gauss–Hermite nodes used for sigmoid and tanh. Their poles (z = ±i pi for sigmoid, ±i pi/2 for
 * tanh) bound the convergence rate; test_moe_cqt measures the change when the count doubles. */
#define RF_MOE_GH_NODES 400
/* Refusal thresholds (their justification is in kernels/moe_cqt.c). */
#define RF_MOE_MAX_COND 1e8L  /* infinity-norm condition number of the equilibrated system */
#define RF_MOE_MIN_CORR_INV 1000000 /* 1/RF_MOE_MIN_CORR, an integer so that the help can assert it */
#define RF_MOE_MIN_CORR (1.0L / RF_MOE_MIN_CORR_INV) /* |corr(S(Z), He_D(Z))| behind the c-constant of degree D */

typedef struct rf_moe_moments {
    long double m[RF_MOE_TABLE_P + 1][RF_MOE_MAX_J + 1];
} rf_moe_moments;

/* What the solver measured, per transform (index 0 P3, 1 P2, 2 Q4, 3 Q2). */
typedef struct rf_moe_cqt_diag {
    double cond[4]; /* condition number of the equilibrated system (1 for a 1 x 1 system) */
    double corr[4]; /* c / (std(S) sqrt(D!)): the correlation of S(Z) with He_D(Z) */
} rf_moe_cqt_diag;

/* The Gauss–Hermite rule with n nodes for the probabilists' weight phi(z) (weights sum to 1):
 * nodes are the eigenvalues of the Jacobi matrix (Golub–Welsch), found by Newton on the
 * orthonormal recurrence and certified by Sturm counts (bisection where Newton fails);
 * weights 1 / (n p_{n-1}(x)^2). x and w have n entries, ascending x. False when out of memory. */
bool rf_moe_gh_rule(unsigned n, long double *x, long double *w);

/* The table by Gauss–Hermite with n nodes, for any g (the test compares n and 2n, and the closed
 * forms). False for an unknown g, n = 0 or out of memory. Thread-safe. */
bool rf_moe_gh_table(rf_moe_g g, unsigned n, rf_moe_moments *t);
/* The same sums over a rule the caller computed with rf_moe_gh_rule (to reuse one rule for
 * several g). */
void rf_moe_gh_table_rule(rf_moe_g g, unsigned n, const long double *x, const long double *w, rf_moe_moments *t);

/* The full table for g: closed forms for linear, relu, leaky_relu, Gauss–Hermite (RF_MOE_GH_NODES)
 * for sigmoid and tanh. */
void rf_moe_moment_table(rf_moe_g g, rf_moe_moments *t);

/* Solves every system from an explicit table. label names the g in messages ("relu", "test
 * table"). out->g is left as RF_MOE_G_COUNT; diag may be NULL. Returns false with a one-line
 * reason when the table is not a moment table (M(0,0) != 1 or M(0,j) != 0), a system is singular
 * or ill-conditioned beyond RF_MOE_MAX_COND, or a c-constant vanishes (|corr| < RF_MOE_MIN_CORR). */
bool rf_moe_cqt_solve_moments(const rf_moe_moments *t, const char *label, double sigma, rf_moe_cqt *out,
                              rf_moe_cqt_diag *diag, char *err, size_t errlen);

#endif
