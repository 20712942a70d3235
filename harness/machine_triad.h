/* The memory-bandwidth limit `refast bench` measures beside the kernels (SPEC §7 roofline): a
 * STREAM-like triad. The peak FMA loop of each level is a kernel (refast/machine.h). */
#ifndef REFAST_HARNESS_MACHINE_TRIAD_H
#define REFAST_HARNESS_MACHINE_TRIAD_H

#include <stddef.h>

/* a[i] = b[i] + s * c[i], i < n. */
void machine_triad(float *a, const float *b, const float *c, float s, size_t n);

#endif
