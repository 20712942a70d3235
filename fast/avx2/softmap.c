/* MAP and Soft-MAP of RM(m,1), AVX2 + FMA (8 floats per register). Mirrors ref/softmap.c:
 * rm1_map_ref, rm1_softmap_maxlog_ref, rm1_softmap_exact_ref.
 *
 * Frames are copied in chunks of up to 4096 floats and transformed by fht_f32_batch_avx2; the
 * reductions over W then run on whole registers (codes shorter than one register, m < 3, use the
 * reference). Tricks:
 * - MAP: pass 1 takes max(|W|, best) with VMAXPS, which returns its second operand when the first
 *   is NaN, so NaNs never enter the maximum; pass 2 returns the first lane equal to it. That is
 *   ref's "first strict > in index order, NaN never wins" (all-NaN: index 0).
 * - Per-bit half maxima in O(n): for the register-index bits, from the top, the two halves are
 *   reduced and then folded onto each other (max), so the next bit sees the maxima over all bits
 *   above it; the 3 lane bits are masked reductions of the last register.
 * - Exact LLR: LSE over the codewords (b0, a), (1-b0, a) of +-W(a)/2 collapses to
 *   A/2 + log sum_a exp((|W(a)| - A)/2) (1 + exp(-|W(a)|)) with A the half maximum of |W|
 *   (from the maxlog pass), so each bit costs one vector exp per register and 1 + exp(-|W|) is
 *   computed once per frame. The few logs per frame are scalar logf. The exp is a degree-6
 *   polynomial after reduction by ln 2 (FMA), scaled by 2^k built in the exponent field, for
 *   arguments <= 0: max relative error 1.2e-7 (1.26 ulp), measured against expl on every float in
 *   [-87, 0]; arguments below -87 give e^-87, an absolute error under 2e-38 on a sum that is >= 1.
 * - Sums of exponentials go 64 registers at a time into a second accumulator, so the rounding
 *   depth stays <= 64 + n/512 + 3 (the `sum` bound allows ~8 log2 n + 8).
 */
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/fht.h"
#include "refast/softmap.h"

#define LANES 8
#define LANE_BITS 3
#define CHUNK_FLOATS 4096
#define SUM_BLOCK 64

#define AI static inline __attribute__((always_inline))

AI __m256 vabs(__m256 x)
{
    return _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
}

AI float hmax(__m256 x)
{
    __m128 v = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_max_ps(v, _mm_movehl_ps(v, v));
    v = _mm_max_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
}

AI float hmin(__m256 x)
{
    __m128 v = _mm_min_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_min_ps(v, _mm_movehl_ps(v, v));
    v = _mm_min_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
}

AI float hsum(__m256 x)
{
    __m128 v = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    v = _mm_add_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
}

/* e^x for x <= 0 (see the header comment for accuracy). */
AI __m256 exp_nonpos(__m256 x)
{
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
    __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.428606765330187e-06f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    /* k in [-126, 0]: 2^k is a normal float built directly in the exponent field */
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

/* A sum of many registers: blocks of SUM_BLOCK terms, then the block sums. */
typedef struct vsum {
    __m256 inner, outer;
    unsigned count;
} vsum;

AI void vsum_init(vsum *s)
{
    s->inner = s->outer = _mm256_setzero_ps();
    s->count = 0;
}

AI void vsum_add(vsum *s, __m256 x)
{
    s->inner = _mm256_add_ps(s->inner, x);
    if (++s->count == SUM_BLOCK) {
        s->outer = _mm256_add_ps(s->outer, s->inner);
        s->inner = _mm256_setzero_ps();
        s->count = 0;
    }
}

AI __m256 vsum_total(const vsum *s)
{
    return _mm256_add_ps(s->outer, s->inner);
}

/* ---- frame driver ----------------------------------------------------------------------------- */

/* One frame's work on its transform w (n floats, n >= LANES) with scratch t (n floats). */
typedef void (*frame_op)(const float *w, unsigned m, float *t, void *out, size_t f);
typedef void (*frame_fail)(void *out, size_t f, unsigned k);

AI void run_frames(const float *llr, unsigned m, size_t frames, void *out, frame_op op,
                   frame_fail fail)
{
    const size_t n = (size_t)1 << m;
    _Alignas(32) float stack_w[CHUNK_FLOATS];
    _Alignas(32) float stack_t[CHUNK_FLOATS];
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
        fht_f32_batch_avx2(w, m, cnt);
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
    __m256 b0 = _mm256_set1_ps(-1.0f), b1 = b0; /* below every |W|: all-NaN leaves -1 */
    size_t v = 0;
    for (; v + 2 * LANES <= n; v += 2 * LANES) {
        b0 = _mm256_max_ps(vabs(_mm256_loadu_ps(w + v)), b0);
        b1 = _mm256_max_ps(vabs(_mm256_loadu_ps(w + v + LANES)), b1);
    }
    if (v < n) b0 = _mm256_max_ps(vabs(_mm256_loadu_ps(w + v)), b0);
    const float best = hmax(_mm256_max_ps(b0, b1));
    size_t astar = 0;
    if (best >= 0.0f) {
        const __m256 bb = _mm256_set1_ps(best);
        for (v = 0; v < n; v += LANES) {
            int eq = _mm256_movemask_ps(_mm256_cmp_ps(vabs(_mm256_loadu_ps(w + v)), bb, _CMP_EQ_OQ));
            if (eq) {
                astar = v + (size_t)__builtin_ctz((unsigned)eq);
                break;
            }
        }
    }
    uint8_t *bits = (uint8_t *)out + f * (m + 1);
    bits[0] = w[astar] < 0.0f;
    for (unsigned j = 0; j < m; j++) bits[j + 1] = (astar >> j) & 1;
}

void rm1_map_avx2(const float *llr, unsigned m, size_t frames, uint8_t *bits)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    if (m < LANE_BITS) {
        rm1_map_ref(llr, m, frames, bits);
        return;
    }
    run_frames(llr, m, frames, bits, map_frame, fail_bits);
}

/* ---- shared Soft-MAP pass --------------------------------------------------------------------- */

/* All-ones in the lanes whose bit j (j < 3) is set. */
AI __m256 lane_bit_mask(unsigned j)
{
    const int s = -1;
    switch (j) {
    case 0: return _mm256_castsi256_ps(_mm256_setr_epi32(0, s, 0, s, 0, s, 0, s));
    case 1: return _mm256_castsi256_ps(_mm256_setr_epi32(0, 0, s, s, 0, 0, s, s));
    default: return _mm256_castsi256_ps(_mm256_setr_epi32(0, 0, 0, 0, s, s, s, s));
    }
}

/* max W, min W, and for every bit j the maxima a0[j], a1[j] of |W(a)| over bit_j(a) = 0 / 1.
 * Uses t as scratch. Returns 0 if some W is not finite. */
static int soft_pass(const float *w, unsigned m, float *t, float *wmax, float *wmin, float *a0,
                     float *a1)
{
    const size_t n = (size_t)1 << m, regs = n / LANES;
    const __m256 inf = _mm256_set1_ps(INFINITY);
    __m256 mx = _mm256_loadu_ps(w), mn = mx, bad = _mm256_setzero_ps();
    for (size_t v = 0; v < regs; v++) {
        __m256 x = _mm256_loadu_ps(w + v * LANES), ax = vabs(x);
        bad = _mm256_or_ps(bad, _mm256_cmp_ps(ax, inf, _CMP_NLT_UQ)); /* +-inf or NaN */
        mx = _mm256_max_ps(mx, x);
        mn = _mm256_min_ps(mn, x);
        _mm256_storeu_ps(t + v * LANES, ax);
    }
    if (_mm256_movemask_ps(bad)) return 0;
    *wmax = hmax(mx);
    *wmin = hmin(mn);
    /* Register-index bits, top down: reduce both halves, then fold the upper half onto the lower. */
    for (size_t half = regs / 2, j = m - 1; half >= 1; half /= 2, j--) {
        __m256 lo = _mm256_loadu_ps(t), hi = _mm256_loadu_ps(t + half * LANES);
        for (size_t v = 0; v < half; v++) {
            __m256 x = _mm256_loadu_ps(t + v * LANES), y = _mm256_loadu_ps(t + (v + half) * LANES);
            lo = _mm256_max_ps(lo, x);
            hi = _mm256_max_ps(hi, y);
            _mm256_storeu_ps(t + v * LANES, _mm256_max_ps(x, y));
        }
        a0[j] = hmax(lo);
        a1[j] = hmax(hi);
    }
    /* Lane bits: |W| >= 0, so zeroing the other lanes leaves each half maximum unchanged. */
    const __m256 last = _mm256_loadu_ps(t);
    for (unsigned j = 0; j < LANE_BITS; j++) {
        const __m256 set = lane_bit_mask(j);
        a0[j] = hmax(_mm256_andnot_ps(set, last));
        a1[j] = hmax(_mm256_and_ps(set, last));
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

void rm1_softmap_maxlog_avx2(const float *llr, unsigned m, size_t frames, float *out)
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
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);

    /* b0: LSE_a W(a)/2 - LSE_a -W(a)/2, both relative to their maxima; t = 1 + exp(-|W|). */
    const __m256 vmax = _mm256_set1_ps(wmax), vmin = _mm256_set1_ps(wmin);
    vsum sp, sn;
    vsum_init(&sp);
    vsum_init(&sn);
    for (size_t v = 0; v < regs; v++) {
        __m256 x = _mm256_loadu_ps(w + v * LANES);
        vsum_add(&sp, exp_nonpos(_mm256_mul_ps(_mm256_sub_ps(x, vmax), half)));
        vsum_add(&sn, exp_nonpos(_mm256_mul_ps(_mm256_sub_ps(vmin, x), half)));
        _mm256_storeu_ps(t + v * LANES,
                         _mm256_add_ps(one, exp_nonpos(_mm256_sub_ps(_mm256_setzero_ps(), vabs(x)))));
    }
    o[0] = (wmax + wmin) * 0.5f + (logf(hsum(vsum_total(&sp))) - logf(hsum(vsum_total(&sn))));

    /* b_{j+1}: sum over each half of exp((|W| - A_half)/2) (1 + exp(-|W|)). */
    for (unsigned j = 0; j < m; j++) {
        float s0, s1;
        if (j >= LANE_BITS) {
            const size_t blk = (size_t)1 << (j - LANE_BITS); /* registers per run of one half */
            const __m256 h0 = _mm256_set1_ps(a0[j]), h1 = _mm256_set1_ps(a1[j]);
            vsum acc0, acc1;
            vsum_init(&acc0);
            vsum_init(&acc1);
            for (size_t v0 = 0; v0 < regs; v0 += 2 * blk) {
                for (size_t v = v0; v < v0 + blk; v++) {
                    __m256 x = vabs(_mm256_loadu_ps(w + v * LANES));
                    __m256 e = exp_nonpos(_mm256_mul_ps(_mm256_sub_ps(x, h0), half));
                    vsum_add(&acc0, _mm256_mul_ps(e, _mm256_loadu_ps(t + v * LANES)));
                }
                for (size_t v = v0 + blk; v < v0 + 2 * blk; v++) {
                    __m256 x = vabs(_mm256_loadu_ps(w + v * LANES));
                    __m256 e = exp_nonpos(_mm256_mul_ps(_mm256_sub_ps(x, h1), half));
                    vsum_add(&acc1, _mm256_mul_ps(e, _mm256_loadu_ps(t + v * LANES)));
                }
            }
            s0 = hsum(vsum_total(&acc0));
            s1 = hsum(vsum_total(&acc1));
        } else {
            const __m256 set = lane_bit_mask(j);
            const __m256 hv = _mm256_blendv_ps(_mm256_set1_ps(a0[j]), _mm256_set1_ps(a1[j]), set);
            vsum acc;
            vsum_init(&acc);
            for (size_t v = 0; v < regs; v++) {
                __m256 x = vabs(_mm256_loadu_ps(w + v * LANES));
                __m256 e = exp_nonpos(_mm256_mul_ps(_mm256_sub_ps(x, hv), half));
                vsum_add(&acc, _mm256_mul_ps(e, _mm256_loadu_ps(t + v * LANES)));
            }
            __m256 tot = vsum_total(&acc);
            s0 = hsum(_mm256_andnot_ps(set, tot));
            s1 = hsum(_mm256_and_ps(set, tot));
        }
        o[j + 1] = (a0[j] - a1[j]) * 0.5f + (logf(s0) - logf(s1));
    }
}

void rm1_softmap_exact_avx2(const float *llr, unsigned m, size_t frames, float *out)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    if (m < LANE_BITS) {
        rm1_softmap_exact_ref(llr, m, frames, out);
        return;
    }
    run_frames(llr, m, frames, out, exact_frame, fail_soft);
}
