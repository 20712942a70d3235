/* The level's denormal-flushing mode, for tests that state what the vector functions do under it
 * (fast/generic/vmath_eval.c): FPCR.FZ (bit 24), which flushes denormal operands and denormal
 * results of float and double operations (scalar and Advanced SIMD) to zero of the same sign.
 * The "memory" clobbers keep the compiler from moving the evaluation's loads and stores across. */
#ifndef REFAST_FAST_NEON_FPMODE_H
#define REFAST_FAST_NEON_FPMODE_H

#include <stdint.h>

#define FPMODE_NEON_FZ (UINT64_C(1) << 24)

typedef uint64_t fpmode_t;

/* Turns flushing on (flush != 0) or off; returns the previous mode for fpmode_restore. */
static inline fpmode_t fpmode_set_flush(int flush)
{
    uint64_t old;
    __asm__ volatile("mrs %0, fpcr" : "=r"(old)::"memory");
    const uint64_t mode = flush ? old | FPMODE_NEON_FZ : old & ~FPMODE_NEON_FZ;
    __asm__ volatile("msr fpcr, %0" ::"r"(mode) : "memory");
    return old;
}

static inline void fpmode_restore(fpmode_t old) { __asm__ volatile("msr fpcr, %0" ::"r"(old) : "memory"); }

#endif
