/* The authors' KO code on the Polar(64,7) tree (ko-reference/README.md §8): the in-memory model
 * imported from ko-reference/ko_polar_64_7 (weights.json + weights.f32) and the scalar reference
 * encoder / decoder (ref/ko_polar.c), float32 like their PyTorch run.
 *
 * Weights: imported from the authors' checkpoint, initialised, or read from a .kow file
 * (architecture polar_64_7); lib/ko/polar_weights.h.
 *
 * Conventions (as refast/ko.h, README §2/§8). Message: 7 bits u8 0/1 per frame, canonical bit j =
 * u[info[j]], info = {47, 55, 59, 60, 61, 62, 63} (= their m0..m6, the decoding order). Codeword:
 * 64 floats per frame in CANONICAL Arikan position order (their position p is canonical 63 - p; the
 * kernels reverse internally), ||x||^2 = 64. The decoder takes the raw received y (no sigma) in
 * canonical order and returns 7 logits per frame (positive = bit 0), hard decision bit = [L < 0].
 *
 * Blocks (hidden width 64, 4 dense layers, weights (out x in) row-major like nn.Linear):
 *  - g blocks ("g_Full (Polar)", in = 2h, out = h): a1 = selu(W1 z + b1);
 *    a2 = selu(W2 a1 + b2) + S [z, z[0:h] * z[h:2h]] (S = skip, 64 x 3h, no bias);
 *    a3 = selu(W3 a2 + b3); out = W4 a3 + b4.
 *  - f blocks: out = W4 selu(W3 selu(W2 selu(W1 z + b1) + b2) + b3) + b4.
 * g6 is in the checkpoint but unused by their encoder; it is imported and validated anyway.
 */
#ifndef REFAST_KO_POLAR_H
#define REFAST_KO_POLAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"
#include "refast/ko.h"

#define RF_KOP_N 64u
#define RF_KOP_K 7u
#define RF_KOP_HIDDEN 64u

/* Block indices; rf_kop_block_name gives the authors' checkpoint key of each. */
enum {
    RF_KOP_G1_RIGHT, RF_KOP_G1_LEFT, RF_KOP_G2, RF_KOP_G3, RF_KOP_G4, RF_KOP_G5, RF_KOP_G6,
    RF_KOP_F5_LEFT, RF_KOP_F5_RIGHT, RF_KOP_F4_LEFT, RF_KOP_F4_RIGHT, RF_KOP_F3_LEFT, RF_KOP_F3_RIGHT,
    RF_KOP_F2_LEFT, RF_KOP_F1_LEFT_LEFT, RF_KOP_F1_LEFT_RIGHT, RF_KOP_F2_RIGHT, RF_KOP_F1_RIGHT_LEFT,
    RF_KOP_F1_RIGHT_RIGHT,
    RF_KOP_NBLOCKS
};

typedef struct rf_kop_block {
    unsigned in, out; /* hidden is RF_KOP_HIDDEN */
    bool skip;        /* g blocks: the internal skip layer S (RF_KOP_HIDDEN x 3 in/2) */
    const float *w[4], *b[4], *s;
} rf_kop_block;

/* The model: every tensor in one array, in the layout order of lib/ko/polar_weights.h (block by
 * block in the enum's order, fc1..fc4 weight then bias, then the skip), described by `tensors`
 * (the .kow tensor records, refast/ko.h) and viewed block by block by `blocks`. */
typedef struct rf_ko_polar_model {
    float *data; /* every tensor (owned unless the model is a view, lib/ko/polar_weights.h) */
    size_t nfloats;
    rf_ko_tensor *tensors;
    size_t ntensors;
    bool owns_data;
    rf_kop_block blocks[RF_KOP_NBLOCKS];
} rf_ko_polar_model;

/* The reference is ko_polar_*_f32_ref (ref/ko_polar.c). block: one block on one input vector z
 * (length blk->in) -> out (length blk->out), the reference's helper (REF at every level: the vector
 * levels evaluate blocks over many frames inside the codec). encode: msg frames x 7 bits -> x
 * frames x 64 (canonical positions). decode: y frames x 64 (canonical positions, raw) -> llr
 * frames x 7. encode/decode at the vector levels: fast/generic/ko_polar.c (frames in lanes); their
 * openblas peer: peers/ko_polar_blas.c (every block through sgemm). */
#define RF_KERNELS_KO_POLAR(X)                                                                   \
    X(ko_polar_block_f32, REF, NONE, VOID, (const rf_kop_block *blk, const float *z, float *out), \
      (blk, z, out))                                                                             \
    X(ko_polar_encode_f32, HAND, BLAS, VOID,                                                     \
      (const rf_ko_polar_model *mdl, const uint8_t *msg, size_t frames, float *x),               \
      (mdl, msg, frames, x))                                                                     \
    X(ko_polar_decode_f32, HAND, BLAS, VOID,                                                     \
      (const rf_ko_polar_model *mdl, const float *y, size_t frames, float *llr),                 \
      (mdl, y, frames, llr))
RF_DECLARE_KERNELS(RF_KERNELS_KO_POLAR)

#endif
