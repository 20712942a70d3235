/* Pieces shared by the gating-EM oracles (oracle/moe_em.c, oracle/moe_gating.c), header-only so that
 * each oracle file stays readable on its own:
 *   ora_acc   a sum kept TwoSum-compensated (ora_dd) while every term is finite and in plain long
 *             double otherwise, so that a non-finite input yields the IEEE NaN/inf pattern, which
 *             does not depend on the summation order;
 *   ora_moe_g the expert non-linearity g of refast/moe.h in long double (relu(NaN) = NaN; an
 *             unknown g is the identity, as linear).
 */
#ifndef REFAST_ORACLE_MOE_ACC_H
#define REFAST_ORACLE_MOE_ACC_H

#include <math.h>

#include "oracle.h"
#include "refast/moe.h"

typedef struct ora_acc {
    ora_dd dd;
    long double plain;
    int finite;
} ora_acc;

static inline ora_acc ora_acc_zero(void)
{
    return (ora_acc){ora_dd_from(0.0L), 0.0L, 1};
}

static inline void ora_acc_add(ora_acc *a, long double v)
{
    a->plain += v;
    if (!isfinite(v)) a->finite = 0;
    if (a->finite) a->dd = ora_dd_add(a->dd, ora_dd_from(v));
}

static inline long double ora_acc_value(const ora_acc *a)
{
    return a->finite ? ora_dd_value(a->dd) : a->plain;
}

static inline long double ora_moe_g(int g, long double z)
{
    switch (g) {
    case RF_MOE_G_RELU: return z < 0 ? 0.0L : z;
    case RF_MOE_G_LEAKY_RELU: return z < 0 ? 0.01L * z : z;
    case RF_MOE_G_SIGMOID: return 1.0L / (1.0L + expl(-z));
    case RF_MOE_G_TANH: return tanhl(z);
    default: return z;
    }
}

#endif
