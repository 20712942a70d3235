/* Inlining helpers of the fast/ kernels and of the drivers they include (fast/fht_driver.h,
 * fast/softmap_driver.h).
 *
 * AI forces inlining: the drivers are written once over per-level primitives, and only when those
 * are inlined do the register arrays and constant trip counts turn into straight-line code.
 */
#ifndef REFAST_FAST_SIMD_INLINE_H
#define REFAST_FAST_SIMD_INLINE_H

#define AI static inline __attribute__((always_inline))

/* The register arrays of the drivers must become registers: their loops (constant trip counts once
 * inlined) are unrolled completely. GCC needs the pragma; clang unrolls them by itself, and with
 * the pragma plus -fsanitize=undefined -fno-sanitize-recover it spends minutes compiling. */
#if defined(__clang__)
#define RF_UNROLL
#else
#define RF_UNROLL _Pragma("GCC unroll 16")
#endif

#endif
