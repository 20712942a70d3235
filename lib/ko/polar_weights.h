/* The authors' KO model on the Polar(64,7) tree (refast/ko_polar.h): the tensor layout (block by
 * block in the enum's order, fc1..fc4 weight then bias, then the skip of g blocks; the .kow records
 * have node_m 6, node_r the block index, role 0 g / 1 f, layer 1..4 dense and 5 skip, param 0 weight
 * / 1 bias), allocation, a view over a flat array, the N(0, 0.02^2) initialisation (tensor t draws
 * rf_gauss_f32(seed, stream t, positions 0..count-1) times 0.02, as KO(m,2) does), .kow files of
 * architecture polar_64_7 (lib/ko/kow_file.h), and the import of the authors' checkpoint
 * (ko-reference/ko_polar_64_7: weights.json + weights.f32). Every failure is a one-line message. */
#ifndef REFAST_LIB_KO_POLAR_WEIGHTS_H
#define REFAST_LIB_KO_POLAR_WEIGHTS_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "refast/ko_polar.h"

/* The authors' checkpoint key of each block. */
const char *rf_kop_block_name(unsigned block);
/* Reads dir/weights.json + dir/weights.f32 (ko-reference/ko_polar_64_7). Every tensor of every
 * block must be present with the expected shape, inside the file, and finite; otherwise false with
 * a one-line "FILE: tensor 'X': what is wrong" (or "FILE: field 'X': ...") in err. */
bool rf_ko_polar_import(rf_ko_polar_model *mdl, const char *dir, char *err, size_t errlen);
void rf_ko_polar_free(rf_ko_polar_model *mdl);
/* Floats of the model (190029). */
size_t rf_ko_polar_nfloats(void);
/* All tensors allocated, zero. */
bool rf_ko_polar_alloc(rf_ko_polar_model *mdl, char *err, size_t errlen);
/* A model over `data` (nfloats floats in layout order), not copied and not freed by rf_ko_polar_free. */
bool rf_ko_polar_view(rf_ko_polar_model *mdl, const float *data, size_t nfloats, char *err, size_t errlen);
/* N(0, 0.02^2) weights from seed (see above). */
bool rf_ko_polar_init(rf_ko_polar_model *mdl, uint64_t seed, char *err, size_t errlen);
/* .kow of architecture polar_64_7: in memory (malloc'd buffer) and as files (atomic write). */
bool rf_ko_polar_encode(const rf_ko_polar_model *mdl, uint8_t **buf, size_t *len, char *err, size_t errlen);
bool rf_ko_polar_decode(rf_ko_polar_model *mdl, const uint8_t *buf, size_t len, const char *what, char *err,
                        size_t errlen);
bool rf_ko_polar_save(const rf_ko_polar_model *mdl, const char *path, char *err, size_t errlen);
bool rf_ko_polar_load(rf_ko_polar_model *mdl, const char *path, char *err, size_t errlen);
/* File-level XXH3-128 of the model's .kow image (as rf_ko_model_hash: `ko info`, sim records). */
bool rf_ko_polar_hash(const rf_ko_polar_model *mdl, uint64_t *hi, uint64_t *lo);

#endif
