/* Gate and activation functions of the gated-layer peers written in plain C (peers/gated_blas.c),
 * with the NaN rules of refast/gated.h: binary(NaN) = relu(NaN) = NaN. libm expf/tanhf, like ref,
 * so that the peer differs from ref only where it should: in the order of its sums. */
#ifndef REFAST_PEERS_GATED_ACT_H
#define REFAST_PEERS_GATED_ACT_H

#include <math.h>

#include "refast/gated.h"

static inline float peer_sigmoid(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

/* 1{v >= 0}; both comparisons are false only for NaN, which is returned as is. */
static inline float peer_gate(rf_gated_gate kind, float v)
{
    if (kind == RF_GATE_SIGMOID) return peer_sigmoid(v);
    return v >= 0.0f ? 1.0f : v < 0.0f ? 0.0f : v;
}

static inline float peer_act(rf_gated_g g, float v)
{
    switch (g) {
    case RF_GATED_G_LINEAR: return v;
    case RF_GATED_G_RELU: return v < 0.0f ? 0.0f : v;
    case RF_GATED_G_SIGMOID: return peer_sigmoid(v);
    default: return tanhf(v);
    }
}

/* The update in the form the header demands: (1 - z) h + z c. */
static inline float peer_update(float z, float h, float c)
{
    return (1.0f - z) * h + z * c;
}

#endif
