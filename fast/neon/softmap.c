/* MAP and Soft-MAP of RM(m,1), NEON (AArch64 Advanced SIMD, 4 floats per register). Mirrors
 * ref/softmap.c: rm1_map_ref, rm1_softmap_maxlog_ref, rm1_softmap_exact_ref.
 *
 * Frames are copied in chunks of up to 4096 floats and transformed by fht_f32_batch_neon; the
 * reductions over W then run on whole registers (m = 1, shorter than one register, uses the
 * reference). Tricks:
 * - MAP: pass 1 takes FMAXNM(|W|, best), which returns the number when one operand is a quiet NaN
 *   (W only holds quiet NaNs: it comes out of additions), so NaNs never enter the maximum; pass 2
 *   returns the first lane equal to it. That is ref's "first strict > in index order, NaN never
 *   wins" (all-NaN: index 0).
 * - Per-bit half maxima in O(n): for the register-index bits, from the top, the two halves are
 *   reduced and then folded onto each other (max), so the next bit sees the maxima over all bits
 *   above it; the 2 lane bits are masked reductions of the last register.
 * - Exact LLR: LSE over the codewords (b0, a), (1-b0, a) of +-W(a)/2 collapses to
 *   A/2 + log sum_a exp((|W(a)| - A)/2) (1 + exp(-|W(a)|)) with A the half maximum of |W|
 *   (from the maxlog pass), so each bit costs one vector exp per register and 1 + exp(-|W|) is
 *   computed once per frame. The few logs per frame are scalar logf. The exp is a degree-6
 *   polynomial after reduction by ln 2 (FMA), scaled by 2^k built in the exponent field, for
 *   arguments <= 0: the operations of the AVX2 version (max relative error 1.2e-7, 1.26 ulp,
 *   measured against expl on every float in [-87, 0]); arguments below -87 give e^-87, an
 *   absolute error under 2e-38 on a sum that is >= 1.
 * - Sums of exponentials go 64 registers at a time into a second accumulator, so the rounding
 *   depth stays <= 64 + n/256 + 2 (the `sum` bound allows ~8 log2 n + 8).
 */
#include <arm_neon.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/fht.h"
#include "refast/softmap.h"

#define LANES 4
#define LANE_BITS 2
#define CHUNK_FLOATS 4096
#define SUM_BLOCK 64

#define AI static inline __attribute__((always_inline))

/* e^x for x <= 0 (see the header comment for accuracy). */
AI float32x4_t exp_nonpos(float32x4_t x)
{
    x = vmaxq_f32(x, vdupq_n_f32(-87.0f));
    float32x4_t k = vrndnq_f32(vmulq_n_f32(x, 1.44269504088896341f));
    float32x4_t r = vfmsq_f32(x, k, vdupq_n_f32(0.693145751953125f));
    r = vfmsq_f32(r, k, vdupq_n_f32(1.428606765330187e-06f));
    float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
    p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
    p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
    p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), p, vmulq_f32(r, r));
    /* k in [-126, 0]: 2^k is a normal float built directly in the exponent field */
    int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23);
    return vmulq_f32(p, vreinterpretq_f32_s32(e));
}

/* A sum of many registers: blocks of SUM_BLOCK terms, then the block sums. */
typedef struct vsum {
    float32x4_t inner, outer;
    unsigned count;
} vsum;

AI void vsum_init(vsum *s)
{
    s->inner = s->outer = vdupq_n_f32(0.0f);
    s->count = 0;
}

AI void vsum_add(vsum *s, float32x4_t x)
{
    s->inner = vaddq_f32(s->inner, x);
    if (++s->count == SUM_BLOCK) {
        s->outer = vaddq_f32(s->outer, s->inner);
        s->inner = vdupq_n_f32(0.0f);
        s->count = 0;
    }
}

AI float32x4_t vsum_total(const vsum *s)
{
    return vaddq_f32(s->outer, s->inner);
}

/* ---- frame driver ----------------------------------------------------------------------------- */

/* One frame's work on its transform w (n floats, n >= LANES) with scratch t (n floats). */
typedef void (*frame_op)(const float *w, unsigned m, float *t, void *out, size_t f);
typedef void (*frame_fail)(void *out, size_t f, unsigned k);

AI void run_frames(const float *llr, unsigned m, size_t frames, void *out, frame_op op,
                   frame_fail fail)
{
    const size_t n = (size_t)1 << m;
    _Alignas(16) float stack_w[CHUNK_FLOATS];
    _Alignas(16) float stack_t[CHUNK_FLOATS];
    float *w = stack_w, *t = stack_t;
    size_t chunk = CHUNK_FLOATS / n;
    if (n > CHUNK_FLOATS) {
        w = malloc(n * sizeof *w);
        t = malloc(n * sizeof *t);
        chunk = 1;
    }
    for (size_t f0 = 0; f0 < frames; f0 += chunk) {
        const size_t cnt = frames - f0 < chunk ? frames - f0 : chunk;
        if (!w || !t) {
            for (size_t q = 0; q < cnt; q++) fail(out, f0 + q, m + 1);
            continue;
        }
        memcpy(w, llr + f0 * n, cnt * n * sizeof *w);
        fht_f32_batch_neon(w, m, cnt);
        for (size_t q = 0; q < cnt; q++) op(w + q * n, m, t, out, f0 + q);
    }
    if (w != stack_w) free(w);
    if (t != stack_t) free(t);
}

static void fail_bits(void *out, size_t f, unsigned k)
{
    memset((uint8_t *)out + f * k, 0xff, k);
}

static void fail_soft(void *out, size_t f, unsigned k)
{
    for (unsigned j = 0; j < k; j++) ((float *)out)[f * k + j] = NAN;
}

/* ---- MAP -------------------------------------------------------------------------------------- */

static void map_frame(const float *w, unsigned m, float *t, void *out, size_t f)
{
    (void)t;
    const size_t n = (size_t)1 << m;
    float32x4_t b0 = vdupq_n_f32(-1.0f), b1 = b0; /* below every |W|: all-NaN leaves -1 */
    size_t v = 0;
    for (; v + 2 * LANES <= n; v += 2 * LANES) {
        b0 = vmaxnmq_f32(vabsq_f32(vld1q_f32(w + v)), b0);
        b1 = vmaxnmq_f32(vabsq_f32(vld1q_f32(w + v + LANES)), b1);
    }
    if (v < n) b0 = vmaxnmq_f32(vabsq_f32(vld1q_f32(w + v)), b0);
    const float best = vmaxvq_f32(vmaxq_f32(b0, b1));
    size_t astar = 0;
    if (best >= 0.0f) {
        const float32x4_t bb = vdupq_n_f32(best);
        for (v = 0; v < n; v += LANES) {
            uint32x4_t eq = vceqq_f32(vabsq_f32(vld1q_f32(w + v)), bb);
            if (vmaxvq_u32(eq)) {
                uint32_t lanes[LANES];
                vst1q_u32(lanes, eq);
                size_t i = 0;
                while (!lanes[i]) i++;
                astar = v + i;
                break;
            }
        }
    }
    uint8_t *bits = (uint8_t *)out + f * (m + 1);
    bits[0] = w[astar] < 0.0f;
    for (unsigned j = 0; j < m; j++) bits[j + 1] = (astar >> j) & 1;
}

void rm1_map_neon(const float *llr, unsigned m, size_t frames, uint8_t *bits)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    if (m < LANE_BITS) {
        rm1_map_ref(llr, m, frames, bits);
        return;
    }
    run_frames(llr, m, frames, bits, map_frame, fail_bits);
}

/* ---- shared Soft-MAP pass --------------------------------------------------------------------- */

/* All-ones in the lanes whose bit j (j < 2) is set. */
AI uint32x4_t lane_bit_mask(unsigned j)
{
    static const uint32_t masks[LANE_BITS][LANES] = {{0, ~0u, 0, ~0u}, {0, 0, ~0u, ~0u}};
    return vld1q_u32(masks[j]);
}

/* max W, min W, and for every bit j the maxima a0[j], a1[j] of |W(a)| over bit_j(a) = 0 / 1.
 * Uses t as scratch. Returns 0 if some W is not finite. */
static int soft_pass(const float *w, unsigned m, float *t, float *wmax, float *wmin, float *a0,
                     float *a1)
{
    const size_t n = (size_t)1 << m, regs = n / LANES;
    const float32x4_t inf = vdupq_n_f32(INFINITY);
    float32x4_t mx = vld1q_f32(w), mn = mx;
    uint32x4_t ok = vdupq_n_u32(~0u);
    for (size_t v = 0; v < regs; v++) {
        float32x4_t x = vld1q_f32(w + v * LANES), ax = vabsq_f32(x);
        ok = vandq_u32(ok, vcltq_f32(ax, inf)); /* false for +-inf and NaN */
        mx = vmaxq_f32(mx, x);
        mn = vminq_f32(mn, x);
        vst1q_f32(t + v * LANES, ax);
    }
    if (vminvq_u32(ok) == 0) return 0;
    *wmax = vmaxvq_f32(mx);
    *wmin = vminvq_f32(mn);
    /* Register-index bits, top down: reduce both halves, then fold the upper half onto the lower. */
    for (size_t half = regs / 2, j = m - 1; half >= 1; half /= 2, j--) {
        float32x4_t lo = vld1q_f32(t), hi = vld1q_f32(t + half * LANES);
        for (size_t v = 0; v < half; v++) {
            float32x4_t x = vld1q_f32(t + v * LANES), y = vld1q_f32(t + (v + half) * LANES);
            lo = vmaxq_f32(lo, x);
            hi = vmaxq_f32(hi, y);
            vst1q_f32(t + v * LANES, vmaxq_f32(x, y));
        }
        a0[j] = vmaxvq_f32(lo);
        a1[j] = vmaxvq_f32(hi);
    }
    /* Lane bits: |W| >= 0, so zeroing the other lanes leaves each half maximum unchanged. */
    const uint32x4_t last = vreinterpretq_u32_f32(vld1q_f32(t));
    for (unsigned j = 0; j < LANE_BITS; j++) {
        const uint32x4_t set = lane_bit_mask(j);
        a0[j] = vmaxvq_f32(vreinterpretq_f32_u32(vbicq_u32(last, set)));
        a1[j] = vmaxvq_f32(vreinterpretq_f32_u32(vandq_u32(last, set)));
    }
    return 1;
}

static void maxlog_frame(const float *w, unsigned m, float *t, void *out, size_t f)
{
    float *o = (float *)out + f * (m + 1);
    float wmax, wmin, a0[RF_RM1_MAX_M], a1[RF_RM1_MAX_M];
    if (!soft_pass(w, m, t, &wmax, &wmin, a0, a1)) {
        fail_soft(out, f, m + 1);
        return;
    }
    o[0] = wmax - (-wmin);
    for (unsigned j = 0; j < m; j++) o[j + 1] = a0[j] - a1[j];
}

void rm1_softmap_maxlog_neon(const float *llr, unsigned m, size_t frames, float *out)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    if (m < LANE_BITS) {
        rm1_softmap_maxlog_ref(llr, m, frames, out);
        return;
    }
    run_frames(llr, m, frames, out, maxlog_frame, fail_soft);
}

/* ---- exact ------------------------------------------------------------------------------------ */

static void exact_frame(const float *w, unsigned m, float *t, void *out, size_t f)
{
    const size_t n = (size_t)1 << m, regs = n / LANES;
    float *o = (float *)out + f * (m + 1);
    float wmax, wmin, a0[RF_RM1_MAX_M], a1[RF_RM1_MAX_M];
    if (!soft_pass(w, m, t, &wmax, &wmin, a0, a1)) {
        fail_soft(out, f, m + 1);
        return;
    }
    const float32x4_t one = vdupq_n_f32(1.0f);

    /* b0: LSE_a W(a)/2 - LSE_a -W(a)/2, both relative to their maxima; t = 1 + exp(-|W|). */
    const float32x4_t vmax = vdupq_n_f32(wmax), vmin = vdupq_n_f32(wmin);
    vsum sp, sn;
    vsum_init(&sp);
    vsum_init(&sn);
    for (size_t v = 0; v < regs; v++) {
        float32x4_t x = vld1q_f32(w + v * LANES);
        vsum_add(&sp, exp_nonpos(vmulq_n_f32(vsubq_f32(x, vmax), 0.5f)));
        vsum_add(&sn, exp_nonpos(vmulq_n_f32(vsubq_f32(vmin, x), 0.5f)));
        vst1q_f32(t + v * LANES, vaddq_f32(one, exp_nonpos(vnegq_f32(vabsq_f32(x)))));
    }
    o[0] = (wmax + wmin) * 0.5f +
           (logf(vaddvq_f32(vsum_total(&sp))) - logf(vaddvq_f32(vsum_total(&sn))));

    /* b_{j+1}: sum over each half of exp((|W| - A_half)/2) (1 + exp(-|W|)). */
    for (unsigned j = 0; j < m; j++) {
        float s0, s1;
        if (j >= LANE_BITS) {
            const size_t blk = (size_t)1 << (j - LANE_BITS); /* registers per run of one half */
            const float32x4_t h0 = vdupq_n_f32(a0[j]), h1 = vdupq_n_f32(a1[j]);
            vsum acc0, acc1;
            vsum_init(&acc0);
            vsum_init(&acc1);
            for (size_t v0 = 0; v0 < regs; v0 += 2 * blk) {
                for (size_t v = v0; v < v0 + blk; v++) {
                    float32x4_t x = vabsq_f32(vld1q_f32(w + v * LANES));
                    float32x4_t e = exp_nonpos(vmulq_n_f32(vsubq_f32(x, h0), 0.5f));
                    vsum_add(&acc0, vmulq_f32(e, vld1q_f32(t + v * LANES)));
                }
                for (size_t v = v0 + blk; v < v0 + 2 * blk; v++) {
                    float32x4_t x = vabsq_f32(vld1q_f32(w + v * LANES));
                    float32x4_t e = exp_nonpos(vmulq_n_f32(vsubq_f32(x, h1), 0.5f));
                    vsum_add(&acc1, vmulq_f32(e, vld1q_f32(t + v * LANES)));
                }
            }
            s0 = vaddvq_f32(vsum_total(&acc0));
            s1 = vaddvq_f32(vsum_total(&acc1));
        } else {
            const uint32x4_t set = lane_bit_mask(j);
            const float32x4_t hv = vbslq_f32(set, vdupq_n_f32(a1[j]), vdupq_n_f32(a0[j]));
            vsum acc;
            vsum_init(&acc);
            for (size_t v = 0; v < regs; v++) {
                float32x4_t x = vabsq_f32(vld1q_f32(w + v * LANES));
                float32x4_t e = exp_nonpos(vmulq_n_f32(vsubq_f32(x, hv), 0.5f));
                vsum_add(&acc, vmulq_f32(e, vld1q_f32(t + v * LANES)));
            }
            const uint32x4_t tot = vreinterpretq_u32_f32(vsum_total(&acc));
            s0 = vaddvq_f32(vreinterpretq_f32_u32(vbicq_u32(tot, set)));
            s1 = vaddvq_f32(vreinterpretq_f32_u32(vandq_u32(tot, set)));
        }
        o[j + 1] = (a0[j] - a1[j]) * 0.5f + (logf(s0) - logf(s1));
    }
}

void rm1_softmap_exact_neon(const float *llr, unsigned m, size_t frames, float *out)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    if (m < LANE_BITS) {
        rm1_softmap_exact_ref(llr, m, frames, out);
        return;
    }
    run_frames(llr, m, frames, out, exact_frame, fail_soft);
}
