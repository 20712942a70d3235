/* Polar SC-list decoder, AVX2. Mirrors ref/polar_scl.c: polar_scl_ref.
 *
 * The list machinery is fast/polar_scl_driver.h (ref's algorithm, cheaper candidate selection);
 * the per-path LLR updates are those of polar_sc_avx2 (fast/avx2/polar_prims.h): minsum f and g
 * along the codeword, 8 lanes at a time for h >= 8, one 128-bit register at h = 4 and the low 2 or
 * 1 lanes of one at h = 2, 1 (the busiest calls: branch-free, the same lane operations). minsum is
 * VMINPS of the magnitudes (= ref's (|a| < |b|) ? |a| : |b|) with the sign from two ordered "< 0"
 * compares applied by XOR with -0.0f; g blends L2 - L1 and L2 + L1. The exact f calls ref's libm
 * expf/log1pf per element (vectorising it would change results), so decisions are bit-identical.
 */
#include "polar_prims.h"

#include "polar_scl_driver.h"

void polar_scl_avx2(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                    size_t frames, uint8_t *msg)
{
    scl_decode_all(log2n, frozen, list, f, llr, frames, msg);
}
