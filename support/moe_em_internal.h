/* The non-linearity g of the gating-EM kernels (refast/moe_em.h) in double, as ref/moe_em.c writes it:
 * sigmoid = 1 / (1 + e^-z) in one formula (unlike rf_moe_g_eval of refast/moe.h, which switches to
 * e^z / (1 + e^z) for z < 0: the results differ in the last bits for z < 0, so the two are not
 * interchangeable where golden inputs or peer results depend on them). relu(NaN) = NaN; an unknown g
 * is linear. Shared by the openblas peer (kernels/moe_em_blas.c) and the family's input generator
 * (kernels/registry/moe_em.c); ref/ keeps its own copy so that it reads on its own. */
#ifndef REFAST_MOE_EM_INTERNAL_H
#define REFAST_MOE_EM_INTERNAL_H

#include <math.h>

#include "refast/moe.h"

static inline double rf_moe_em_g(int g, double z)
{
    switch (g) {
    case RF_MOE_G_RELU: return z < 0 ? 0.0 : z;
    case RF_MOE_G_LEAKY_RELU: return z < 0 ? 0.01 * z : z;
    case RF_MOE_G_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case RF_MOE_G_TANH: return tanh(z);
    default: return z;
    }
}

#endif
