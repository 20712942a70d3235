/* Polar SC decoder, AVX2 (8 floats per register). Mirrors ref/polar_sc.c: polar_sc_ref.
 *
 * The node schedule, shortcut nodes (rate-0, repetition, rate-1, SPC) and recursion are
 * fast/polar_sc_driver.h; f and g are fast/avx2/polar_prims.h, shared with polar_scl.c. A node of
 * n LLRs computes its n/2 child LLRs (f, then g) 8 at a time while n/2 >= 8, in one 128-bit
 * register at n/2 = 4 and in its low 2 or 1 lanes below. Here: the decision-bit primitives of the
 * rate-1 / SPC shortcuts (VMOVMSKPS of ordered compares, 8 bits per register; PDEP spreads
 * decision bits into bytes), the fused f/g-to-bits of a rate-1 child and the repetition adds.
 * f and g are exactly the reference's operations, so minsum decisions are bit-identical to ref:
 * minsum's magnitude is VMINPS(|a|, |b|) (= (|a| < |b|) ? |a| : |b|), its sign the XOR of two
 * ordered "< 0" compares applied by XOR with -0.0f (ref's negation); g is a blend of L2 - L1 and
 * L2 + L1. The exact f calls the same libm expf/log1pf per lane as ref (bit-identical, not
 * vectorised).
 */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "polar_prims.h"

#define W 8

/* out[0..count) = bits 0..count-1 of w as bytes 0/1 (PDEP spreads 8 bits into 8 bytes). */
static void expand(uint64_t w, size_t count, uint8_t *out)
{
    size_t q = 0;
    for (; q + 8 <= count; q += 8) {
        const uint64_t b = _pdep_u64(w >> q, 0x0101010101010101ull);
        memcpy(out + q, &b, 8);
    }
    for (; q < count; q++) out[q] = (w >> q) & 1;
}

/* bits = [L_i < 0] (64 per word), n >= W; 0 if an LLR is 0 or NaN. */
static int hard_bits_vec(const float *L, size_t n, uint64_t *bits)
{
    const __m256 zero = _mm256_setzero_ps();
    int bad = 0;
    for (size_t i = 0; i < n; i += W) {
        __m256 v = _mm256_loadu_ps(L + i);
        bad |= _mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_EQ_UQ));
        const uint64_t neg = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_LT_OQ));
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return bad == 0;
}

/* Fused child stages for a rate-1 child under minsum (h >= W): its decision bits straight from
 * the parent's LLRs, without storing the child LLRs. Return 0 (nothing written) when a child LLR
 * would be 0 or NaN; the caller then takes the ordinary path. Left child: f's sign is the XOR of
 * the two "< 0" compares and f is 0 or NaN exactly when its magnitude (computed as stage_f does) is. */
static int f_bits(const float *L, size_t h, uint64_t *bits)
{
    const __m256 zero = _mm256_setzero_ps(), sign = _mm256_set1_ps(-0.0f);
    int bad = 0;
    for (size_t i = 0; i < h; i += W) {
        __m256 a = _mm256_loadu_ps(L + i), b = _mm256_loadu_ps(L + i + h);
        __m256 mn = _mm256_min_ps(_mm256_andnot_ps(sign, a), _mm256_andnot_ps(sign, b));
        bad |= _mm256_movemask_ps(_mm256_cmp_ps(mn, zero, _CMP_EQ_UQ));
        const uint64_t neg = (unsigned)(_mm256_movemask_ps(_mm256_cmp_ps(a, zero, _CMP_LT_OQ)) ^
                                        _mm256_movemask_ps(_mm256_cmp_ps(b, zero, _CMP_LT_OQ)));
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return bad == 0;
}

/* Right child: g exactly as stage_g, compared in registers. */
static int g_bits(const float *L, const uint8_t *x, size_t h, uint64_t *bits)
{
    const __m256 zero = _mm256_setzero_ps();
    int bad = 0;
    for (size_t i = 0; i < h; i += W) {
        __m256 a = _mm256_loadu_ps(L + i), b = _mm256_loadu_ps(L + i + h);
        __m256 v = vg(a, b, x + i);
        bad |= _mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_EQ_UQ));
        const uint64_t neg = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_LT_OQ));
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return bad == 0;
}

/* out[i] = t[i + h] + t[i], h >= W: one g stage with x_a = 0 (the repetition node's path). */
static void rep_add(const float *t, size_t h, float *out)
{
    for (size_t i = 0; i < h; i += W)
        _mm256_storeu_ps(out + i, _mm256_add_ps(_mm256_loadu_ps(t + i + h), _mm256_loadu_ps(t + i)));
}

#include "polar_sc_driver.h"

void polar_sc_avx2(unsigned log2n, const uint8_t *frozen, int f, const float *llr, size_t frames,
                   uint8_t *msg)
{
    polar_sc_decode(log2n, frozen, f, llr, frames, msg);
}
