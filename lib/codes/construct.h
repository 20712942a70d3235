/* Polar frozen-set construction (SPEC §5.1; conventions in refast/codes.h). Plain C, not
 * dispatched: it runs once per code. Each writes N = 2^log2n mask entries (1 = frozen) and returns
 * false with a one-line reason for invalid arguments (K > N, sigma <= 0 or NaN, log2n > 16). Ties
 * between equally reliable channels go to the larger index. The Gaussian approximation is also
 * judged against its oracle (registry entry polar_construct_ga). */
#ifndef REFAST_LIB_CODES_CONSTRUCT_H
#define REFAST_LIB_CODES_CONSTRUCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/codes.h"

bool rf_polar_construct_ga(unsigned log2n, size_t K, double sigma, uint8_t *frozen, char *err, size_t errlen);
bool rf_polar_construct_bhattacharyya(unsigned log2n, size_t K, double sigma, uint8_t *frozen, char *err,
                                      size_t errlen);
/* The `rm` rule: position i is information iff its row of F^{(x)m} has weight 2^popcount(i) >= 2^(m-r). */
bool rf_polar_construct_rm(unsigned m, unsigned r, uint8_t *frozen, char *err, size_t errlen);
/* Information set given as 0-based indices (any order, no duplicates). */
bool rf_polar_construct_list(unsigned log2n, const uint32_t *info, size_t K, uint8_t *frozen, char *err,
                             size_t errlen);
/* The seed's Polar(64,7): information set {47,55,59,60,61,62,63} (0-based). */
void rf_polar_preset_64_7(uint8_t frozen[64]);

#endif
