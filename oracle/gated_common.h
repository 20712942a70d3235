/* Pieces shared by the gated-layer oracles (oracle/gated_moe2.c, oracle/gated_gru.c): the gate and
 * activation functions in long double with refast/gated.h's NaN rules, their slopes, the allowed
 * evaluation errors and the near-tie ratio. Header-only, so that each oracle file reads on its
 * own. */
#ifndef REFAST_ORACLE_GATED_COMMON_H
#define REFAST_ORACLE_GATED_COMMON_H

#include <math.h>

#include "oracle_gated.h"

static inline long double ora_sigmoid(long double v)
{
    return 1.0L / (1.0L + expl(-v));
}

/* sigmoid, or 1{a >= 0} with NaN kept. */
static inline long double ora_gate(rf_gated_gate kind, long double a)
{
    if (kind == RF_GATE_SIGMOID) return ora_sigmoid(a);
    return isnan(a) ? a : a >= 0 ? 1.0L : 0.0L;
}

/* d gate / d a: sigma(1 - sigma), 0 for the binary gate (its jump is handled by ties). */
static inline long double ora_gate_slope(rf_gated_gate kind, long double gv)
{
    return kind == RF_GATE_SIGMOID ? gv * (1.0L - gv) : 0.0L;
}

static inline long double ora_g(rf_gated_g g, long double v)
{
    switch (g) {
    case RF_GATED_G_LINEAR: return v;
    case RF_GATED_G_RELU: return isnan(v) ? v : v < 0 ? 0.0L : v;
    case RF_GATED_G_SIGMOID: return ora_sigmoid(v);
    default: return tanhl(v);
    }
}

/* g'(v) from v and gv = g(v); relu: 1 for v > 0, else 0 (callers treat the kink). */
static inline long double ora_g_slope(rf_gated_g g, long double v, long double gv)
{
    switch (g) {
    case RF_GATED_G_LINEAR: return 1.0L;
    case RF_GATED_G_RELU: return v > 0 ? 1.0L : 0.0L;
    case RF_GATED_G_SIGMOID: return gv * (1.0L - gv);
    default: return 1.0L - gv * gv;
    }
}

/* Allowed evaluation error of gv = g(v), in u: 8 u relative for tanh and sigma (refast/gated.h)
 * plus float's underflow threshold; linear and relu are exact. */
static inline long double ora_g_eval(rf_gated_g g, long double gv)
{
    return g == RF_GATED_G_TANH || g == RF_GATED_G_SIGMOID ? ORA_GATED_K_G * fabsl(gv) + ORA_GATED_TINY
                                                            : 0.0L;
}

/* Product of two non-negative bound factors in which 0 wins over inf (a zero slope stops an
 * infinite sum of |terms|). */
static inline long double ora_bmul(long double a, long double b)
{
    return a == 0 || b == 0 ? 0.0L : a * b;
}

/* |a| / (u E_a + terms eta) of a binary gate, a a sum of `terms` float products; +inf when no
 * flip can happen (a exact, or not finite). The eta = 2^-149 per term is gradual underflow: a
 * product of subnormal size is off by up to eta/2 absolutely, which u E_a does not cover (a fuzz
 * case with the smallest subnormals in w and x flipped a gate whose relative tie was 10^6). For
 * pre-activations of normal size it changes no tie (eta / u E_a < 2^-100). */
static inline long double ora_tie_ratio(long double a, long double Ea, size_t terms)
{
    if (!isfinite(a) || !(Ea > 0)) return INFINITY;
    return fabsl(a) / (ORA_GATED_U * Ea + (long double)terms * 0x1p-149L);
}

/* Local rounding bound, in u, of the update (1 - z) e1 + z e2 evaluated as the header demands:
 * three roundings on each side at most, plus sigma's 8 u on z or on 1 - z. A binary gate selects
 * exactly (z in {0, 1}: one product is exact, the other is an exact zero). */
static inline long double ora_update_rounding(rf_gated_gate kind, long double z, long double e1,
                                              long double e2)
{
    if (kind == RF_GATE_BINARY) return 0.0L;
    return 3.0L * ((1.0L - z) * fabsl(e1) + z * fabsl(e2)) +
           (ORA_GATED_K_SIGMA + ORA_GATED_TINY) * (fabsl(e1) + fabsl(e2));
}

#endif
