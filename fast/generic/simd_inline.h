/* What every fast/ source needs before its level's vocabulary (fast/<isa>/simd.h includes it):
 * the forced-inline qualifier, the one unroll pragma, and ISA-independent scalar helpers.
 *
 * AI forces inlining: the generic kernels are written once over the level's ops, and only when
 * those are inlined do the register arrays and constant trip counts become straight-line code.
 */
#ifndef REFAST_FAST_SIMD_INLINE_H
#define REFAST_FAST_SIMD_INLINE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AI static inline __attribute__((always_inline))

/* The register arrays of the kernels must become registers: their loops (constant trip counts
 * once inlined, up to the 24 accumulators of a moment tile) are unrolled completely. GCC needs the
 * pragma; clang unrolls them by itself, and with the pragma plus -fsanitize=undefined
 * -fno-sanitize-recover it spends minutes compiling. */
#if defined(__clang__)
#define RF_UNROLL
#else
#define RF_UNROLL _Pragma("GCC unroll 32")
#endif

/* w[j] = a[j] ^ v[j] for j in [i, len), len - i < 16: one 8- and one 4-byte word, then bytes (the
 * tail of every level's rf_xor_bytes). */
static inline void rf_xor_bytes_tail(uint8_t *w, const uint8_t *a, const uint8_t *v, size_t i, size_t len)
{
    if (len - i >= 8) {
        uint64_t p, q;
        memcpy(&p, a + i, 8);
        memcpy(&q, v + i, 8);
        p ^= q;
        memcpy(w + i, &p, 8);
        i += 8;
    }
    if (len - i >= 4) {
        uint32_t p, q;
        memcpy(&p, a + i, 4);
        memcpy(&q, v + i, 4);
        p ^= q;
        memcpy(w + i, &p, 4);
        i += 4;
    }
    for (; i < len; i++) w[i] = a[i] ^ v[i];
}

#endif
