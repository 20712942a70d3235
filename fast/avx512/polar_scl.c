/* Polar SC-list decoder, AVX-512. Mirrors ref/polar_scl.c: polar_scl_ref.
 *
 * The list machinery is fast/polar_scl_driver.h (ref's algorithm, cheaper candidate selection);
 * the per-path LLR updates are those of polar_sc_avx512 (fast/avx512/polar_prims.h): minsum f and
 * g along the codeword, 16 lanes at a time for h >= 16, one 256- or 128-bit register at h = 8, 4
 * and the low 2 or 1 lanes of a 128-bit one at h = 2, 1 (the busiest calls: branch-free, the same
 * lane operations). minsum is VMINPS of the magnitudes (= ref's (|a| < |b|) ? |a| : |b|) with the
 * sign from two ordered "< 0" compares applied by a masked XOR with -0.0f; g is a masked subtract
 * (L2 - L1) over L2 + L1. The exact f calls ref's libm expf/log1pf per element (vectorising it
 * would change results), so decisions are bit-identical.
 */
#include "polar_prims.h"

#include "polar_scl_driver.h"

void polar_scl_avx512(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                      size_t frames, uint8_t *msg)
{
    scl_decode_all(log2n, frozen, list, f, llr, frames, msg);
}
