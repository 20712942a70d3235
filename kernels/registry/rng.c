/* Registry entries of the RNG family (placeholder until the RNG kernels land). */
#include "refast/registry.h"
#include "refast/rng.h"

const rf_kernel *const rf_family_rng[] = {NULL};
