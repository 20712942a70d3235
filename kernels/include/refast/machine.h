/* Machine limits measured beside the kernels (SPEC §7 roofline): the peak FMA throughput of each
 * level: a register-only loop of independent FMA chains, float, whose result depends on all of
 * its work so that nothing can be optimised away. */
#ifndef REFAST_MACHINE_H
#define REFAST_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

/* Floating point operations per iteration of the level's peak loop (2 per FMA lane). */
#define RF_PEAK_CHAINS 12
/* machine_fma_peak: scalar, a separate mul + add per chain; each vector level, 12 chains of
 * full-width FMAs (avx2 8 lanes, avx512 16, neon 4). Returns the flops done. (The triad lives in
 * harness/: it is bound by memory, not by the instruction set.) machine_f32_lanes: the floats per
 * register of the level (1 for scalar), so that flops per peak-loop iteration are
 * 2 * RF_PEAK_CHAINS * lanes. */
#define RF_KERNELS_MACHINE(X)                                                                    \
    X(machine_fma_peak, HAND, NONE, RET(double), (uint64_t iters), (iters))                      \
    X(machine_f32_lanes, HAND, NONE, RET(unsigned), (void), ())
RF_DECLARE_KERNELS(RF_KERNELS_MACHINE)

#endif
