/* Registry entries of the codes family (placeholder until its kernels land). */
#include "refast/registry.h"

const rf_kernel *const rf_family_codes[] = {NULL};
