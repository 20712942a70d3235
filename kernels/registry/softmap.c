/* Registry entries of the Soft-MAP family (placeholder until the Soft-MAP kernels land). */
#include "refast/registry.h"
#include "refast/softmap.h"

const rf_kernel *const rf_family_softmap[] = {NULL};
