/* The Gaussian moments and CQT coefficients of SPEC §5.2 (seed 001 appendix C, seed 000 appendix B
 * with the SPEC §9 errata). */
#ifndef REFAST_LIB_MOE_CQT_H
#define REFAST_LIB_MOE_CQT_H

#include <stdbool.h>
#include <stddef.h>

#include "refast/moe.h"

#define RF_MOE_MAX_P 4 /* powers of g */
#define RF_MOE_MAX_J 4 /* Hermite degrees (probabilists' He_j) */

/* M(p, j) = E[g(Z)^p He_j(Z)], Z ~ N(0,1), 0 <= p, j <= 4: closed form for linear, relu and
 * leaky_relu, Gauss–Hermite quadrature (accurate to 1e-12) for sigmoid and tanh. */
double rf_moe_gauss_moment(rf_moe_g g, unsigned p, unsigned j);

/* The polynomial transforms of the output. Coefficients are indexed by power of y: P3(y) =
 * sum_q p3[q] y^q with p3[3] = 1, P2 = sum p2[q] y^q (p2[2] = 1), Q4 (q4[4] = 1), Q2 (q2[2] = 1).
 * The constant terms p3[0], p2[0], q4[0], q2[0] make E[S(Z)] = 0 (SPEC §5.2).
 * c3 = E[S_P3 He_3], c2 = E[S_P2 He_2], c4 = E[S_Q4 He_4], cq2 = E[S_Q2 He_2] (seed 003's c').
 * resid[] holds every condition E[S He_j] = 0 (and E[S] = 0) re-evaluated after solving. */
typedef struct rf_moe_cqt {
    rf_moe_g g;
    double sigma;
    double p3[4], p2[3], q4[5], q2[3];
    double c2, c3, c4, cq2;
    unsigned nresid;
    double resid[16];
    const char *resid_name[16]; /* e.g. "P3: E[S He_1]" */
} rf_moe_cqt;

/* Solves every system. Returns false with a one-line reason (sigma <= 0 or not finite, a singular
 * system, a c-constant that vanishes: the g is not valid) instead of a garbage solution. */
bool rf_moe_cqt_solve(rf_moe_g g, double sigma, rf_moe_cqt *out, char *err, size_t errlen);

/* Evaluates sum_{q<=deg} coef[q] y^q (Horner). */
double rf_moe_poly(const double *coef, unsigned deg, double y);

#endif
