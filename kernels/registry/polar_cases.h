/* The polar family's code and encoder helpers, shared by its descriptor files
 * (kernels/registry/polar.c defines them, polar_i8.c uses them). */
#ifndef REFAST_REGISTRY_POLAR_CASES_H
#define REFAST_REGISTRY_POLAR_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "refast/registry.h"

/* Builds in.frozen from the code parameters (code = p64_7 | p128_96 | rm m r | bhat log2n K
 * design, kernels/registry/polar.c); returns log2n, or -1 with err set. */
int rf_polar_case_mask(rf_case *c, uint8_t **frozen, char *err, size_t errlen);
/* x = u F^{(x)log2n} in place. */
void rf_polar_case_encode(unsigned log2n, uint8_t *x);

#endif
