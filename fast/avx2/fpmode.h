/* The level's denormal-flushing mode, for tests that state what the vector functions do under it
 * (fast/generic/vmath_eval.c): MXCSR.FTZ (bit 15, denormal results become zero of the same sign)
 * and MXCSR.DAZ (bit 6, denormal operands read as zero of the same sign), set together. */
#ifndef REFAST_FAST_X86_FPMODE_H
#define REFAST_FAST_X86_FPMODE_H

#include <immintrin.h>

#define FPMODE_X86_FTZ_DAZ 0x8040u

typedef unsigned fpmode_t;

/* Turns flushing on (flush != 0) or off; returns the previous mode for fpmode_restore. */
static inline fpmode_t fpmode_set_flush(int flush)
{
    const unsigned old = _mm_getcsr();
    _mm_setcsr(flush ? old | FPMODE_X86_FTZ_DAZ : old & ~FPMODE_X86_FTZ_DAZ);
    return old;
}

static inline void fpmode_restore(fpmode_t old) { _mm_setcsr(old); }

#endif
