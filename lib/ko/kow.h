/* The `.kow` weights file of KO(m,2) models (refast/ko.h has the model and its conventions), the
 * seed's initialisation and the import of the authors' checkpoints (ko-reference/ko_m_2).
 *
 * `.kow` file, little-endian:
 *   "KOW1"  u32 version (= 1)
 *   u8 m | u8 r (= 2) | u8 architecture (0 ko, 1 tiny; 2 is the Polar(64,7) KO model of
 *   lib/ko/polar_weights.h) | u8 normalisation (0)
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
#ifndef REFAST_LIB_KO_KOW_H
#define REFAST_LIB_KO_KOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kow_file.h"
#include "refast/ko.h"

/* .kow files and the imported weights.f32 are read whole, up to this size */
#define RF_KOW_MAX_FILE_BYTES ((uint64_t)1 << 30)

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

#endif
