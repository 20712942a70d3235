/* Polar SC decoder, NEON (4 floats per register). Mirrors ref/polar_sc.c: polar_sc_ref.
 *
 * The node schedule, shortcut nodes (rate-0, repetition, rate-1, SPC) and recursion are
 * fast/polar_sc_driver.h; f and g are fast/neon/polar_prims.h, shared with polar_scl.c. A node of
 * n LLRs computes its n/2 child LLRs (f, then g) 4 at a time while n/2 >= 4 and in one 64-bit
 * register at n/2 = 2, 1. Here: the decision-bit primitives of the rate-1 / SPC shortcuts (ordered
 * compares ANDed with lane bits and summed across, 4 bits per register; a bit test per byte lane
 * spreads decision bits into bytes), the fused f/g-to-bits of a rate-1 child and the repetition
 * adds. f and g are exactly the reference's operations, so minsum decisions are bit-identical to
 * ref: minsum's magnitude is a compare-select (|a| < |b|) ? |a| : |b|, its sign the XOR of two
 * ordered "< 0" compares applied by XOR with -0.0f (ref's negation); g is a select of L2 - L1 and
 * L2 + L1. The exact f calls the same libm expf/log1pf per lane as ref (bit-identical, not
 * vectorised).
 */
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "polar_prims.h"

#define W 4

/* Lane i of a compare mask as bit i (VMOVMSKPS's role: AND with the lane's bit, sum across). */
AI uint64_t lane_bits(uint32x4_t m)
{
    static const uint32_t lane_bit[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, vld1q_u32(lane_bit)));
}

/* All-ones in the lanes where v is 0 or NaN (the shortcuts' precondition fails there). */
AI uint32x4_t zero_or_nan(float32x4_t v)
{
    return vorrq_u32(vceqzq_f32(v), vmvnq_u32(vceqq_f32(v, v)));
}

/* out[0..count) = bits 0..count-1 of w as bytes 0/1 (a bit test per byte lane, 8 at a time). */
static void expand(uint64_t w, size_t count, uint8_t *out)
{
    static const uint8_t lane_bit[8] = {1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x8_t sel = vld1_u8(lane_bit), one = vdup_n_u8(1);
    size_t q = 0;
    for (; q + 8 <= count; q += 8) vst1_u8(out + q, vand_u8(vtst_u8(vdup_n_u8((uint8_t)(w >> q)), sel), one));
    for (; q < count; q++) out[q] = (w >> q) & 1;
}

/* bits = [L_i < 0] (64 per word), n >= W; 0 if an LLR is 0 or NaN. */
static int hard_bits_vec(const float *L, size_t n, uint64_t *bits)
{
    uint32x4_t bad = vdupq_n_u32(0);
    for (size_t i = 0; i < n; i += W) {
        float32x4_t v = vld1q_f32(L + i);
        bad = vorrq_u32(bad, zero_or_nan(v));
        const uint64_t neg = lane_bits(vcltzq_f32(v));
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return vmaxvq_u32(bad) == 0;
}

/* Fused child stages for a rate-1 child under minsum (h >= W): its decision bits straight from
 * the parent's LLRs, without storing the child LLRs. Return 0 (nothing written) when a child LLR
 * would be 0 or NaN; the caller then takes the ordinary path. Left child: f's sign is the XOR of
 * the two "< 0" compares and f is 0 or NaN exactly when its magnitude (computed as stage_f does) is. */
static int f_bits(const float *L, size_t h, uint64_t *bits)
{
    uint32x4_t bad = vdupq_n_u32(0);
    for (size_t i = 0; i < h; i += W) {
        float32x4_t a = vld1q_f32(L + i), b = vld1q_f32(L + i + h);
        float32x4_t aa = vabsq_f32(a), ab = vabsq_f32(b);
        float32x4_t mn = vbslq_f32(vcltq_f32(aa, ab), aa, ab);
        bad = vorrq_u32(bad, zero_or_nan(mn));
        const uint64_t neg = lane_bits(veorq_u32(vcltzq_f32(a), vcltzq_f32(b)));
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return vmaxvq_u32(bad) == 0;
}

/* Right child: g exactly as stage_g, compared in registers. */
static int g_bits(const float *L, const uint8_t *x, size_t h, uint64_t *bits)
{
    uint32x4_t bad = vdupq_n_u32(0);
    for (size_t i = 0; i < h; i += W) {
        float32x4_t a = vld1q_f32(L + i), b = vld1q_f32(L + i + h);
        float32x4_t v = vg(a, b, x + i);
        bad = vorrq_u32(bad, zero_or_nan(v));
        const uint64_t neg = lane_bits(vcltzq_f32(v));
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return vmaxvq_u32(bad) == 0;
}

/* out[i] = t[i + h] + t[i], h >= W: one g stage with x_a = 0 (the repetition node's path). */
static void rep_add(const float *t, size_t h, float *out)
{
    for (size_t i = 0; i < h; i += W) vst1q_f32(out + i, vaddq_f32(vld1q_f32(t + i + h), vld1q_f32(t + i)));
}

#include "polar_sc_driver.h"

void polar_sc_neon(unsigned log2n, const uint8_t *frozen, int f, const float *llr, size_t frames,
                   uint8_t *msg)
{
    polar_sc_decode(log2n, frozen, f, llr, frames, msg);
}
