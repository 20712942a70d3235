/* Machine limits measured beside the kernels (SPEC §7 roofline): the peak FMA throughput of each
 * level (a register-only loop of independent FMA chains, float) and the memory bandwidth (a
 * STREAM-like triad a = b + s*c). Each returns a value that depends on all of its work so that
 * nothing can be optimised away. */
#ifndef REFAST_MACHINE_H
#define REFAST_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

/* Floating point operations per iteration of the level's peak loop (2 per FMA lane). */
#define RF_PEAK_CHAINS 12
RF_DECLARE_KERNEL(double, machine_fma_peak, (uint64_t iters)); /* _ref: separate mul + add */
/* _avx2: 12 chains x 8 lanes, _avx512: 12 x 16, _neon: 12 x 4 */

/* a[i] = b[i] + s * c[i], i < n. */
void machine_triad(float *a, const float *b, const float *c, float s, size_t n);

#endif
