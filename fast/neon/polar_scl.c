/* Polar SC-list decoder, NEON. Mirrors ref/polar_scl.c: polar_scl_ref.
 *
 * The list machinery is fast/polar_scl_driver.h (ref's algorithm, cheaper candidate selection);
 * the per-path LLR updates are those of polar_sc_neon (fast/neon/polar_prims.h): minsum f and g
 * along the codeword, 4 lanes at a time for h >= 4, one 64-bit register at h = 2, 1 (the busiest
 * calls: branch-free, the same lane operations). minsum's magnitude is a compare-and-select
 * ((|a| < |b|) ? |a| : |b|, not FMIN, which would turn a NaN in |a| into NaN), its sign two ordered
 * "< 0" compares applied by XOR with the sign bit; g selects L2 - L1 or L2 + L1. The exact f calls
 * ref's libm expf/log1pf per element (vectorising it would change results), so decisions are
 * bit-identical.
 */
#include "polar_prims.h"

#include "polar_scl_driver.h"

void polar_scl_neon(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                    size_t frames, uint8_t *msg)
{
    scl_decode_all(log2n, frozen, list, f, llr, frames, msg);
}
