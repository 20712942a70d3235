/* Import of the authors' KO model on the Polar(64,7) tree (ko-reference/ko_polar_64_7: weights.json
 * + weights.f32) into the in-memory model of refast/ko_polar.h. */
#ifndef REFAST_LIB_KO_POLAR_WEIGHTS_H
#define REFAST_LIB_KO_POLAR_WEIGHTS_H

#include <stdbool.h>
#include <stddef.h>

#include "refast/ko_polar.h"

/* The authors' checkpoint key of each block. */
const char *rf_kop_block_name(unsigned block);
/* Reads dir/weights.json + dir/weights.f32 (ko-reference/ko_polar_64_7). Every tensor of every
 * block must be present with the expected shape, inside the file, and finite; otherwise false with
 * a one-line "FILE: tensor 'X': what is wrong" (or "FILE: field 'X': ...") in err. */
bool rf_ko_polar_import(rf_ko_polar_model *mdl, const char *dir, char *err, size_t errlen);
void rf_ko_polar_free(rf_ko_polar_model *mdl);

#endif
