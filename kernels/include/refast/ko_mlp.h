/* The KO neural block (SPEC §5.1 "KO codes", ko-reference/README.md §4): one small MLP applied to
 * every coordinate of a node, float32 — the hot loop of KO encoding and decoding.
 *
 * Architecture: Dense(in_dim, hidden) - SELU - [Dense(hidden, hidden) - SELU] x (hidden_layers-1)
 * - Dense(hidden, 1). KO(m,2): in_dim 2 (g, f_left) or 4 (f_right), hidden 32, hidden_layers 3;
 * TinyKO: hidden 4, hidden_layers 1. Layer l has weights w[l] (out x in, row-major, the PyTorch
 * nn.Linear layout) and bias b[l] (out); layers 0 .. hidden_layers (the last one has out = 1).
 * SELU(x) = lambda x for x > 0, lambda alpha (e^x - 1) otherwise, lambda = 1.0507009873554805,
 * alpha = 1.6732632423543772.
 *
 * Layout of one call (structure of arrays, so that fast levels vectorise across coordinates):
 * in is in_dim rows of `count` floats (feature f of coordinate j at in[f * count + j]); out has
 * count floats. Any count (0 included), any alignment.
 */
#ifndef REFAST_KO_MLP_H
#define REFAST_KO_MLP_H

#include <stddef.h>

#include "refast/kernel.h"

#define RF_KO_MAX_IN 4
#define RF_KO_MAX_HIDDEN 32
#define RF_KO_MAX_LAYERS 4 /* hidden_layers + 1 */

typedef struct rf_ko_mlp {
    unsigned in_dim;        /* 1 .. RF_KO_MAX_IN */
    unsigned hidden;        /* 1 .. RF_KO_MAX_HIDDEN */
    unsigned hidden_layers; /* 1 .. RF_KO_MAX_LAYERS - 1 */
    const float *w[RF_KO_MAX_LAYERS];
    const float *b[RF_KO_MAX_LAYERS];
} rf_ko_mlp;

/* ko_mlp_f32: the block; its `openblas` peer runs it through cblas_sgemm over batches of
 * coordinates. ko_selu_f32: the vector SELU of each level (the one its ko_mlp_f32 uses), a kernel
 * of its own so that tests can measure it; ko_selu_f32_ref is the reference (libm expm1f).
 * y[i] = selu(x[i]), i < n. */
#define RF_KERNELS_KO_MLP(X)                                                                     \
    X(ko_mlp_f32, HAND, BLAS, VOID, (const rf_ko_mlp *net, const float *in, size_t count, float *out), \
      (net, in, count, out))                                                                     \
    X(ko_selu_f32, HAND, NONE, VOID, (const float *x, size_t n, float *y), (x, n, y))
RF_DECLARE_KERNELS(RF_KERNELS_KO_MLP)

#endif
