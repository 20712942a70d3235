/* The non-linearities g of the MoE model (SPEC §5.2): names, parsing and evaluation in double.
 * NaN propagates through every g (relu and leaky_relu test the sign explicitly so that a NaN
 * input is not silently mapped to 0). */
#include <math.h>
#include <string.h>

#include "refast/moe.h"

static const char *const g_names[RF_MOE_G_COUNT] = {
    [RF_MOE_G_LINEAR] = "linear",
    [RF_MOE_G_RELU] = "relu",
    [RF_MOE_G_LEAKY_RELU] = "leaky_relu",
    [RF_MOE_G_SIGMOID] = "sigmoid",
    [RF_MOE_G_TANH] = "tanh",
};

const char *rf_moe_g_name(rf_moe_g g)
{
    return (unsigned)g < RF_MOE_G_COUNT ? g_names[g] : "?";
}

bool rf_moe_g_parse(const char *s, rf_moe_g *out)
{
    if (!s) return false;
    for (unsigned i = 0; i < RF_MOE_G_COUNT; i++)
        if (!strcmp(s, g_names[i])) {
            *out = (rf_moe_g)i;
            return true;
        }
    return false;
}

double rf_moe_g_eval(rf_moe_g g, double z)
{
    switch (g) {
    case RF_MOE_G_LINEAR:
        return z;
    case RF_MOE_G_RELU:
        return z < 0 ? 0.0 : z; /* NaN < 0 is false: NaN passes through */
    case RF_MOE_G_LEAKY_RELU:
        return z < 0 ? 0.01 * z : z;
    case RF_MOE_G_SIGMOID: {
        /* exp of a non-positive argument only, so neither branch overflows */
        if (z >= 0) return 1.0 / (1.0 + exp(-z));
        const double e = exp(z);
        return e / (1.0 + e);
    }
    case RF_MOE_G_TANH:
        return tanh(z);
    case RF_MOE_G_COUNT:
        break;
    }
    return NAN;
}

double rf_moe_g_deriv(rf_moe_g g, double z)
{
    switch (g) {
    case RF_MOE_G_LINEAR: return 1;
    case RF_MOE_G_RELU: return z > 0 ? 1 : 0;
    case RF_MOE_G_LEAKY_RELU: return z > 0 ? 1 : 0.01;
    case RF_MOE_G_SIGMOID: {
        const double s = rf_moe_g_eval(g, z);
        return s * (1 - s);
    }
    case RF_MOE_G_TANH: {
        const double t = tanh(z);
        return 1 - t * t;
    }
    default: return NAN;
    }
}
