/* The float vector elementary functions of the fast levels (fast/generic/vmath_f32.h), exported one
 * at a time so that tests can measure each level's own code: exhaustively over every float input
 * (tests/vmath_exhaustive.c) and on a stratified sample in CI (tests/test_vmath.c).
 *
 * Conventions: out[i] = f(x[i]) for i < n, f one of rf_vm32_fn, each with the domain, the
 * accuracy and the NaN / Inf / denormal behaviour stated in fast/generic/vmath_f32.h. Inputs
 * outside a function's domain are evaluated (never a crash) but give unspecified values.
 * flush != 0 runs the evaluation with denormal flushing on (x86: MXCSR.FTZ and MXCSR.DAZ;
 * AArch64: FPCR.FZ) and restores the caller's mode afterwards; flush = 0 runs in the caller's mode.
 * The ref version is libm's float functions (expf, expm1f, tanhf, log1pf) on the same
 * mathematical function, for comparison only: it ignores flush (the scalar level is compiled for
 * the architecture baseline and has no access to the FP mode outside fast/<isa>/) and does not
 * follow the vector functions' out-of-domain conventions. Thread-safe (the FP mode is per thread).
 */
#ifndef REFAST_VMATH_H
#define REFAST_VMATH_H

#include <stddef.h>

#include "refast/kernel.h"

typedef enum rf_vmath_f32_fn {
    RF_VM32_EXP_NONPOS = 0, /* e^x, x in [-87, 0] */
    RF_VM32_EXPM1_NONPOS,   /* e^x - 1, x <= 0 */
    RF_VM32_TANH_HALF,      /* tanh(x / 2) */
    RF_VM32_LOG1P_UNIT,     /* log1p(x), x in [0, 1] */
    RF_VM32_LOG1P_HALF,     /* log1p(x), x in [-1/2, 1] */
    RF_VM32_SELU_SCALED,    /* x > 0 ? x : alpha (e^x - 1), alpha = 1.6732632423543772... */
    RF_VM32_COUNT
} rf_vm32_fn;

#define RF_KERNELS_VMATH(X)                                                                      \
    X(vmath_f32, HAND, NONE, VOID, (int f, int flush, const float *x, size_t n, float *out),     \
      (f, flush, x, n, out))
RF_DECLARE_KERNELS(RF_KERNELS_VMATH)

#endif
