/* Shape checks of a pMoE-family network (net.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "pmoe/net.h"
#include "refast/pmoe.h"

/* Products of sizes stay far below SIZE_MAX for any accepted shape. */
#define NET_MAX_DIM ((size_t)1 << 24)

int rf_pmoe_net_check(const rf_pmoe_net *net, char *err, size_t errlen)
{
    const char *what = NULL;
    if (net->arch != RF_PMOE_ARCH_CNN && net->arch != RF_PMOE_ARCH_ROUTER && net->arch != RF_PMOE_ARCH_MOE)
        what = "unknown architecture";
    else if (net->n < 1 || net->d < 1)
        what = "n (patches) and d (patch size) must be >= 1";
    else if (net->n > NET_MAX_DIM || net->d > NET_MAX_DIM || net->k > NET_MAX_DIM ||
             net->h > NET_MAX_DIM || net->n * net->d > NET_MAX_DIM * 16)
        what = "sizes too large";
    else if (net->arch == RF_PMOE_ARCH_ROUTER && net->k != 2)
        what = "the router pre-training model has k = 2 routers";
    else if (net->k < 1)
        what = "k (experts) must be >= 1";
    else if (net->arch != RF_PMOE_ARCH_ROUTER && net->h < 1)
        what = "h (neurons per expert) must be >= 1";
    else if (net->arch == RF_PMOE_ARCH_CNN && (net->k != 1 || net->l != net->n))
        what = "the CNN has k = 1 and l = n";
    else if (net->arch == RF_PMOE_ARCH_MOE && net->l < 1)
        what = "l (patches per expert) must be >= 1";
    else if (net->arch == RF_PMOE_ARCH_MOE && net->l > net->n)
        what = "l (patches per expert) must be <= n (patches per sample)";
    else if (net->arch == RF_PMOE_ARCH_MOE && net->gating != RF_PMOE_GATE_ONE &&
             net->gating != RF_PMOE_GATE_SOFTMAX && net->gating != RF_PMOE_GATE_WRN)
        what = "unknown gating mode";
    else if (net->tie != RF_PMOE_TIE_ROW && net->tie != RF_PMOE_TIE_COL)
        what = "unknown tie rule";
    else if (net->tie == RF_PMOE_TIE_COL && (net->grid_w < 1 || net->n % net->grid_w))
        what = "the column-major tie rule needs a grid width that divides n";
    else if (!isfinite(net->scale))
        what = "the output scale is not finite";
    if (!what) return 0;
    snprintf(err, errlen, "pmoe network: %s (n=%zu d=%zu k=%zu h=%zu l=%zu)", what, net->n, net->d,
             net->k, net->h, net->l);
    return -1;
}

size_t rf_pmoe_net_wg_count(const rf_pmoe_net *net)
{
    return net->arch == RF_PMOE_ARCH_CNN ? 0 : net->k * net->d;
}

size_t rf_pmoe_net_w_count(const rf_pmoe_net *net)
{
    return net->arch == RF_PMOE_ARCH_ROUTER ? 0 : net->k * net->h * net->d;
}

size_t rf_pmoe_net_a_count(const rf_pmoe_net *net)
{
    return net->arch == RF_PMOE_ARCH_ROUTER ? 0 : net->k * net->h;
}

int rf_pmoe_check_finite_f32(const float *v, size_t count, const char *what, char *err, size_t errlen)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(v[i])) {
            snprintf(err, errlen, "pmoe %s: value %zu is not finite (%g)", what, i, (double)v[i]);
            return -1;
        }
    return 0;
}
