/* Polar SC decoder, AVX-512 (16 floats per register). Mirrors ref/polar_sc.c: polar_sc_ref.
 *
 * The node schedule, shortcut nodes (rate-0, repetition, rate-1, SPC) and recursion are
 * fast/polar_sc_driver.h; f and g are fast/avx512/polar_prims.h, shared with polar_scl.c. A node
 * of n LLRs computes its n/2 child LLRs (f, then g) 16 at a time while n/2 >= 16, in one 256-bit
 * (n/2 = 8) or 128-bit (n/2 = 4) register below that and in the low 2 or 1 lanes of one at
 * n/2 = 2, 1. Here: the decision-bit primitives of the rate-1 / SPC shortcuts (ordered compares
 * into mask registers, 16 bits per register; a masked byte store spreads decision bits into
 * bytes), the fused f/g-to-bits of a rate-1 child and the repetition adds.
 * f and g are exactly the reference's operations, so minsum decisions are bit-identical to ref:
 * minsum's magnitude is VMINPS(|a|, |b|) (= (|a| < |b|) ? |a| : |b|), its sign the XOR of two
 * ordered "< 0" compares applied by XOR with -0.0f (ref's negation); g is a masked subtract
 * (L2 - L1) or add. The exact f calls the same libm expf/log1pf per lane as ref (bit-identical,
 * not vectorised).
 */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "polar_prims.h"

#define W 16

/* bits = [L_i < 0] (64 per word), n >= W; 0 if an LLR is 0 or NaN. */
static int hard_bits_vec(const float *L, size_t n, uint64_t *bits)
{
    const __m512 zero = _mm512_setzero_ps();
    __mmask16 bad = 0;
    for (size_t i = 0; i < n; i += W) {
        __m512 v = _mm512_loadu_ps(L + i);
        bad |= _mm512_cmp_ps_mask(v, zero, _CMP_EQ_UQ);
        const uint64_t neg = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return bad == 0;
}

/* out[0..count) = bits 0..count-1 of w as bytes 0/1, count <= 64 (one masked store). */
static void expand(uint64_t w, size_t count, uint8_t *out)
{
    const __mmask64 live = count >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << count) - 1;
    _mm512_mask_storeu_epi8(out, live, _mm512_maskz_mov_epi8(w, _mm512_set1_epi8(1)));
}

/* Fused child stages for a rate-1 child under minsum (h >= W): its decision bits straight from
 * the parent's LLRs, without storing the child LLRs. Return 0 (nothing written) when a child LLR
 * would be 0 or NaN; the caller then takes the ordinary path. Left child: f's sign is the XOR of
 * the two "< 0" compares and f is 0 or NaN exactly when min(|a|, |b|) (VMINPS, as stage_f) is. */
static int f_bits(const float *L, size_t h, uint64_t *bits)
{
    const __m512 zero = _mm512_setzero_ps();
    __mmask16 bad = 0;
    for (size_t i = 0; i < h; i += W) {
        __m512 a = _mm512_loadu_ps(L + i), b = _mm512_loadu_ps(L + i + h);
        bad |= _mm512_cmp_ps_mask(_mm512_min_ps(_mm512_abs_ps(a), _mm512_abs_ps(b)), zero, _CMP_EQ_UQ);
        const uint64_t neg = (uint16_t)(_mm512_cmp_ps_mask(a, zero, _CMP_LT_OQ) ^ _mm512_cmp_ps_mask(b, zero, _CMP_LT_OQ));
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return bad == 0;
}

/* Right child: g exactly as stage_g, compared in registers. */
static int g_bits(const float *L, const uint8_t *x, size_t h, uint64_t *bits)
{
    const __m512 zero = _mm512_setzero_ps();
    __mmask16 bad = 0;
    for (size_t i = 0; i < h; i += W) {
        __m512 a = _mm512_loadu_ps(L + i), b = _mm512_loadu_ps(L + i + h);
        __m512 v = vg(a, b, x + i);
        bad |= _mm512_cmp_ps_mask(v, zero, _CMP_EQ_UQ);
        const uint64_t neg = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
        if ((i & 63) == 0) bits[i >> 6] = neg;
        else bits[i >> 6] |= neg << (i & 63);
    }
    return bad == 0;
}

/* out[i] = t[i + h] + t[i], h >= W: one g stage with x_a = 0 (the repetition node's path). */
static void rep_add(const float *t, size_t h, float *out)
{
    for (size_t i = 0; i < h; i += W)
        _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_loadu_ps(t + i + h), _mm512_loadu_ps(t + i)));
}

#include "polar_sc_driver.h"

void polar_sc_avx512(unsigned log2n, const uint8_t *frozen, int f, const float *llr, size_t frames,
                     uint8_t *msg)
{
    polar_sc_decode(log2n, frozen, f, llr, frames, msg);
}
