/* KO(m,2) codes (SPEC §5.1 "KO codes"; the exact computation is ko-reference/README.md §4): the
 * weights model and the batch encoder / decoder (the `.kow` file format: lib/ko/kow.h).
 *
 * Conventions. Message bits u8 0/1 in the canonical RM(m,2) Plotkin order (refast/codes.h): bits
 * [0,4) the RM(2,2) leaf, then for i = 3..m the leaf RM(i-1,1) of node (i,2) at [k(i-1,2), k(i,2)),
 * each leaf's bits constant term first, then the bit multiplying index bit j (LSB first). Codewords
 * are float32, frames x n (n = 2^m), ||x||^2 = n. The decoder takes the RAW received vector y (no
 * sigma, no 2/sigma^2) and returns k "LLRs" per frame (positive = bit 0; unbounded logits, not
 * probabilities): hard decision bit = [L < 0].
 *
 * Model. Every internal node (i,2), i = m..3, has three blocks (refast/ko_mlp.h): role g (encoder,
 * input [u_j, v_j]), f_left (decoder, [y1_j, y2_j]), f_right (decoder, [y1_j, y2_j, Lv_j, vhat_j]).
 * Architecture `ko`: hidden 32, 3 hidden layers (4 Dense layers); `tiny` (TinyKO): hidden 4, 1 hidden
 * layer (2 Dense layers). Dense layer l (1-based) of a block has weight (out x in, row-major, the
 * PyTorch nn.Linear layout) and bias (out). Normalisation mode 0 (the only one): the authors' code,
 * x = c sqrt(n) / max(||c||_2, 1e-12) at the root.
 * Tensor order (in memory and in the file): node i = m down to 3; role g, f_left, f_right; layer
 * 1..L; weight then bias. Tensor names "n<i>_2.<role>.l<layer>.<w|b>", e.g. "n8_2.f_left.l1.w".
 * Authors' names (import): g<i> at node (i,2); f<2(m-i)+1> = f_left, f<2(m-i)+2> = f_right.
 *
*/
#ifndef REFAST_KO_H
#define REFAST_KO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"
#include "refast/ko_mlp.h"

#define RF_KO_MIN_M 3u
#define RF_KO_MAX_M 10u
#define RF_KO_MAX_NODES (RF_KO_MAX_M - 2u) /* nodes (m,2) .. (3,2) */

typedef enum { RF_KO_ARCH_KO = 0, RF_KO_ARCH_TINY = 1 } rf_ko_arch;
typedef enum { RF_KO_ROLE_G = 0, RF_KO_ROLE_FLEFT = 1, RF_KO_ROLE_FRIGHT = 2 } rf_ko_role;

typedef struct rf_ko_tensor {
    char name[32];
    unsigned node_m, node_r, role, layer, param; /* param: 0 weight, 1 bias */
    unsigned ndim, shape[2];
    size_t count;
    float *data; /* points into rf_ko_model.data */
} rf_ko_tensor;

typedef struct rf_ko_model {
    unsigned m, r, arch, norm, hidden, hidden_layers;
    size_t ntensors, nfloats;
    rf_ko_tensor *tensors;
    float *data;
    /* blocks[m - i][role] for node (i,2): views of the tensors above */
    rf_ko_mlp blocks[RF_KO_MAX_NODES][3];
} rf_ko_model;

static inline size_t rf_ko_k(unsigned m) /* k(m,2) = 1 + m + m(m-1)/2 */
{
    return 1u + (size_t)m + (size_t)m * (m - 1u) / 2u;
}

/* Batch kernels. encode: msg frames x k(m,2) bits -> x frames x 2^m. decode: y frames x 2^m ->
 * llr frames x k(m,2). The model must be valid (loaded, imported or initialised); message bytes
 * are 0/1. Scratch is O(2^m) floats per call; if it cannot be allocated every output is NaN.
 * The reference (ref/ko.c) evaluates each block with ko_mlp_f32_ref over all coordinates of a node
 * at once, so a fast level needs only swap that call for its own block. */
/* ko_lse_f32 (out = LSE(a, b), the decoder's check-node step) and ko_tanh_half_f32 (out =
 * tanh(x/2), its soft re-encoding) are the decoder's elementwise steps as kernels of their own, so
 * that tests measure each level's vector versions against long double.
 * The `openblas` peers run the same codec with every MLP block through cblas_sgemm
 * (ko_mlp_f32_openblas). The kernels are thread-safe. */
#define RF_KERNELS_KO(X)                                                                         \
    X(ko_encode_f32, HAND, BLAS, VOID,                                                           \
      (const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x), (mdl, msg, frames, x)) \
    X(ko_decode_f32, HAND, BLAS, VOID,                                                           \
      (const rf_ko_model *mdl, const float *y, size_t frames, float *llr), (mdl, y, frames, llr)) \
    X(ko_lse_f32, HAND, NONE, VOID, (const float *a, const float *b, size_t n, float *out),      \
      (a, b, n, out))                                                                            \
    X(ko_tanh_half_f32, HAND, NONE, VOID, (const float *x, size_t n, float *out), (x, n, out))
RF_DECLARE_KERNELS(RF_KERNELS_KO)

#endif
