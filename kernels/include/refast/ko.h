/* KO(m,2) codes (SPEC §5.1 "KO codes"; the exact computation is ko-reference/README.md §4): the
 * weights model and its `.kow` file, and the batch encoder / decoder.
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
 * `.kow` file, little-endian:
 *   "KOW1"  u32 version (= 1)
 *   u8 m | u8 r (= 2) | u8 architecture (0 ko, 1 tiny) | u8 normalisation (0)
 *   u32 hidden | u32 hidden_layers | u32 tensor count, then per tensor:
 *     u16 len + name | u8 node_m | u8 node_r | u8 role (0 g, 1 f_left, 2 f_right) | u8 layer (1..)
 *     | u8 param (0 weight, 1 bias) | u8 ndim (1..2) | u32 shape[ndim] | u64 XXH3-64(payload)
 *     | float32 payload (prod(shape) values)
 *   XXH3-128 of every byte before it (16 bytes: high64, low64)
 * Reading validates every field against the architecture (names, node, role, layer, shapes, in
 * order), every hash, and that every value is finite; any problem gives false and a one-line
 * "FILE: field 'X': what is wrong" in err. Writing goes to a temporary name and is renamed into
 * place (no partial files).
 *
 * Init: every weight and bias ~ N(0, 0.02^2): tensor t (in file order) draws rf_gauss_f32(seed,
 * stream t, positions 0..count-1) times 0.02.
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
#define RF_KOW_VERSION 1u

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

/* Allocates the tensors of KO(m,2) (3 <= m <= 10) for an architecture, all zero. */
bool rf_ko_model_alloc(rf_ko_model *mdl, unsigned m, rf_ko_arch arch, char *err, size_t errlen);
void rf_ko_model_free(rf_ko_model *mdl);
/* N(0, 0.02^2) initialisation (see above). */
bool rf_ko_model_init(rf_ko_model *mdl, unsigned m, rf_ko_arch arch, uint64_t seed, char *err,
                      size_t errlen);
/* Converts ko-reference/ko_m_2 (weights.json + weights.f32) into a model. */
bool rf_ko_model_import(rf_ko_model *mdl, const char *dir, char *err, size_t errlen);
/* .kow in memory: encode (malloc'd buffer) and decode (`what` names the source in errors). */
bool rf_ko_model_encode(const rf_ko_model *mdl, uint8_t **buf, size_t *len, char *err, size_t errlen);
bool rf_ko_model_decode(rf_ko_model *mdl, const uint8_t *buf, size_t len, const char *what, char *err,
                        size_t errlen);
bool rf_ko_model_save(const rf_ko_model *mdl, const char *path, char *err, size_t errlen);
bool rf_ko_model_load(rf_ko_model *mdl, const char *path, char *err, size_t errlen);
/* File-level XXH3-128 of the model's .kow image (for `ko info`). */
bool rf_ko_model_hash(const rf_ko_model *mdl, uint64_t *hi, uint64_t *lo);
const char *rf_ko_arch_name(unsigned arch);
const char *rf_ko_role_name(unsigned role);
static inline size_t rf_ko_k(unsigned m) /* k(m,2) = 1 + m + m(m-1)/2 */
{
    return 1u + (size_t)m + (size_t)m * (m - 1u) / 2u;
}

/* Batch kernels. encode: msg frames x k(m,2) bits -> x frames x 2^m. decode: y frames x 2^m ->
 * llr frames x k(m,2). The model must be valid (loaded, imported or initialised); message bytes
 * are 0/1. Scratch is O(2^m) floats per call; if it cannot be allocated every output is NaN.
 * The reference (ref/ko.c) evaluates each block with ko_mlp_f32_ref over all coordinates of a node
 * at once, so a fast level needs only swap that call for its own block. */
typedef void (*rf_ko_encode_fn)(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x);
typedef void (*rf_ko_decode_fn)(const rf_ko_model *mdl, const float *y, size_t frames, float *llr);
RF_DECLARE_KERNEL(void, ko_encode_f32, (const rf_ko_model *mdl, const uint8_t *msg, size_t frames,
                                        float *x));
RF_DECLARE_KERNEL(void, ko_decode_f32, (const rf_ko_model *mdl, const float *y, size_t frames,
                                        float *llr));
/* Dispatching entry points (level = rf_isa_current(); thread-safe, like the kernels). */
void rf_ko_encode_f32(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x);
void rf_ko_decode_f32(const rf_ko_model *mdl, const float *y, size_t frames, float *llr);
/* The `openblas` peers: the same codec with every MLP block through cblas_sgemm
 * (ko_mlp_f32_openblas). */
void ko_encode_f32_openblas(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x);
void ko_decode_f32_openblas(const rf_ko_model *mdl, const float *y, size_t frames, float *llr);

#endif
