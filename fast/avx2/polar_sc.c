/* Polar SC decoder, AVX2 (8 floats per register). Mirrors ref/polar_sc.c: polar_sc_ref.
 *
 * Intra-frame vectorisation: a node of n LLRs computes its n/2 child LLRs (f, then g) 16 at a time
 * while n/2 >= 8, in one 128-bit register at n/2 = 4; nodes of 4 LLRs or fewer run the reference's
 * scalar recursion. Per call the
 * frozen mask is classified once into a tree of node types (shared by every frame):
 * - rate-0 nodes (every leaf frozen): x = 0 without reading an LLR. Exact: frozen leaves ignore
 *   their LLRs.
 * - rate-1 nodes under minsum (every leaf information): x_i = [L_i < 0] and u = x F^{(x)n}
 *   (F^{(x)n} is its own inverse over GF(2)), provided no LLR of the node is 0 or NaN (checked;
 *   otherwise the ordinary recursion runs). Exact: with nonzero, non-NaN L1, L2, minsum's f is
 *   nonzero with sign [L1 < 0] XOR [L2 < 0], so the first half decodes (by induction) to
 *   x_a = h(L1) XOR h(L2); then g adds L1 and L2 when their signs agree and subtracts them when
 *   they differ, giving a nonzero, non-NaN L_b of the sign of L2, so x_b = h(L2) and
 *   x_a XOR x_b = h(L1).
 * f and g are exactly the reference's operations, so minsum decisions are bit-identical to ref:
 * minsum's magnitude is VMINPS(|a|, |b|) (= (|a| < |b|) ? |a| : |b|), its sign the XOR of two
 * ordered "< 0" compares applied by XOR with -0.0f (ref's negation); g is a blend of L2 - L1 and L2 + L1. The exact f calls the same
 * libm expf/log1pf per lane as ref (bit-identical, not vectorised).
 */
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/codes.h"
#include "refast/decoders.h"

#define W 8
#define AI static inline __attribute__((always_inline))

enum { NODE_MIXED = 0, NODE_RATE0 = 1, NODE_RATE1 = 2 };

typedef struct dec {
    const uint8_t *frozen;
    const uint8_t *type; /* heap order: node (depth d, index j) at (1 << d) + j */
    unsigned m;
    int f;
    uint8_t *msg;
} dec;

static float f_minsum(float a, float b)
{
    float aa = fabsf(a), ab = fabsf(b);
    float mn = aa < ab ? aa : ab;
    return ((a < 0.0f) != (b < 0.0f)) ? -mn : mn;
}

static float f_exact(float a, float b)
{
    float s = f_minsum(a, b);
    return s + log1pf(expf(-fabsf(a + b))) - log1pf(expf(-fabsf(a - b)));
}

AI __m256 vf_minsum(__m256 a, __m256 b)
{
    const __m256 zero = _mm256_setzero_ps(), sign = _mm256_set1_ps(-0.0f);
    __m256 mn = _mm256_min_ps(_mm256_andnot_ps(sign, a), _mm256_andnot_ps(sign, b));
    __m256 neg = _mm256_xor_ps(_mm256_cmp_ps(a, zero, _CMP_LT_OQ), _mm256_cmp_ps(b, zero, _CMP_LT_OQ));
    return _mm256_xor_ps(mn, _mm256_and_ps(neg, sign));
}

AI __m128 vf_minsum4(__m128 a, __m128 b)
{
    const __m128 zero = _mm_setzero_ps(), sign = _mm_set1_ps(-0.0f);
    __m128 mn = _mm_min_ps(_mm_andnot_ps(sign, a), _mm_andnot_ps(sign, b));
    __m128 neg = _mm_xor_ps(_mm_cmp_ps(a, zero, _CMP_LT_OQ), _mm_cmp_ps(b, zero, _CMP_LT_OQ));
    return _mm_xor_ps(mn, _mm_and_ps(neg, sign));
}

/* Child LLRs of the first half: out[i] = f(L[i], L[i + h]), h >= 4 (h = 4: one 128-bit register). */
static void stage_f(int f, const float *L, size_t h, float *out)
{
    if (f != RF_F_MINSUM) {
        for (size_t i = 0; i < h; i++) out[i] = f_exact(L[i], L[i + h]);
    } else if (h >= W) {
        for (size_t i = 0; i < h; i += W)
            _mm256_storeu_ps(out + i, vf_minsum(_mm256_loadu_ps(L + i), _mm256_loadu_ps(L + i + h)));
    } else {
        _mm_storeu_ps(out, vf_minsum4(_mm_loadu_ps(L), _mm_loadu_ps(L + 4)));
    }
}

/* out[i] = x[i] ? L[i + h] - L[i] : L[i + h] + L[i], h >= 4. */
static void stage_g(const float *L, const uint8_t *x, size_t h, float *out)
{
    if (h < W) {
        int32_t xw;
        memcpy(&xw, x, 4);
        __m128 a = _mm_loadu_ps(L), b = _mm_loadu_ps(L + 4);
        __m128 sub = _mm_castsi128_ps(_mm_cmpgt_epi32(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(xw)), _mm_setzero_si128()));
        _mm_storeu_ps(out, _mm_blendv_ps(_mm_add_ps(b, a), _mm_sub_ps(b, a), sub));
        return;
    }
    for (size_t i = 0; i < h; i += W) {
        __m256 a = _mm256_loadu_ps(L + i), b = _mm256_loadu_ps(L + i + h);
        __m256i xi = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const void *)(x + i)));
        __m256 sub = _mm256_castsi256_ps(_mm256_cmpgt_epi32(xi, _mm256_setzero_si256()));
        _mm256_storeu_ps(out + i, _mm256_blendv_ps(_mm256_add_ps(b, a), _mm256_sub_ps(b, a), sub));
    }
}

/* x_a ^= x_b over h >= 4 bytes. */
static void xor_half(uint8_t *x, size_t h)
{
    size_t i = 0;
    for (; i + 32 <= h; i += 32)
        _mm256_storeu_si256((void *)(x + i), _mm256_xor_si256(_mm256_loadu_si256((const void *)(x + i)),
                                                               _mm256_loadu_si256((const void *)(x + i + h))));
    for (; i < h; i++) x[i] ^= x[i + h];
}

/* 1 if no LLR is 0 or NaN (the rate-1 shortcut's precondition). */
static int all_nonzero(const float *L, size_t n)
{
    const __m256 zero = _mm256_setzero_ps();
    if (n < W) {
        for (size_t i = 0; i < n; i++)
            if (!(L[i] != 0.0f) || isnan(L[i])) return 0;
        return 1;
    }
    __m256 bad = zero;
    for (size_t i = 0; i < n; i += W)
        bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_loadu_ps(L + i), zero, _CMP_EQ_UQ));
    return _mm256_movemask_ps(bad) == 0;
}

/* Rate-1 node: hard decisions, then u = x F^{(x)n} written to the message. */
static void rate1(dec *s, const float *L, size_t n, uint8_t *x)
{
    size_t i = 0;
    if (n >= W) {
        const __m256 zero = _mm256_setzero_ps();
        for (; i < n; i += W) {
            unsigned neg = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(L + i), zero, _CMP_LT_OQ));
            for (unsigned q = 0; q < W; q++) x[i + q] = (neg >> q) & 1;
        }
    }
    for (; i < n; i++) x[i] = L[i] < 0.0f;
    uint8_t *u = s->msg;
    memcpy(u, x, n);
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t j = b; j < b + h; j++) u[j] ^= u[j + h];
    s->msg += n;
}

/* The reference's scalar recursion for small nodes. */
static void node_scalar(dec *s, unsigned log2n, size_t first, const float *L, float *scratch, uint8_t *x)
{
    if (log2n == 0) {
        uint8_t u = 0;
        if (!s->frozen[first]) {
            u = L[0] < 0.0f;
            *s->msg++ = u;
        }
        x[0] = u;
        return;
    }
    const size_t h = (size_t)1 << (log2n - 1);
    float *child = scratch;
    for (size_t i = 0; i < h; i++)
        child[i] = s->f == RF_F_MINSUM ? f_minsum(L[i], L[i + h]) : f_exact(L[i], L[i + h]);
    node_scalar(s, log2n - 1, first, child, scratch + h, x);
    for (size_t i = 0; i < h; i++) child[i] = x[i] ? L[i + h] - L[i] : L[i + h] + L[i];
    node_scalar(s, log2n - 1, first + h, child, scratch + h, x + h);
    for (size_t i = 0; i < h; i++) x[i] ^= x[i + h];
}

static void node(dec *s, unsigned d, size_t j, const float *L, float *scratch, uint8_t *x)
{
    const unsigned log2n = s->m - d;
    const size_t n = (size_t)1 << log2n, first = j << log2n;
    const uint8_t t = s->type[((size_t)1 << d) + j];
    if (t == NODE_RATE0) {
        memset(x, 0, n);
        return;
    }
    if (t == NODE_RATE1 && s->f == RF_F_MINSUM && all_nonzero(L, n)) {
        rate1(s, L, n, x);
        return;
    }
    const size_t h = n / 2;
    if (h < 4) {
        node_scalar(s, log2n, first, L, scratch, x);
        return;
    }
    stage_f(s->f, L, h, scratch);
    node(s, d + 1, 2 * j, scratch, scratch + h, x);
    stage_g(L, x, h, scratch);
    node(s, d + 1, 2 * j + 1, scratch, scratch + h, x + h);
    xor_half(x, h);
}

/* Node types bottom-up in heap order (2N entries). */
static void classify(unsigned m, const uint8_t *frozen, uint8_t *type)
{
    const size_t n = (size_t)1 << m;
    for (size_t i = 0; i < n; i++) type[n + i] = frozen[i] ? NODE_RATE0 : NODE_RATE1;
    for (size_t v = n - 1; v >= 1; v--) {
        const uint8_t a = type[2 * v], b = type[2 * v + 1];
        type[v] = a == b ? a : NODE_MIXED;
    }
}

void polar_sc_avx2(unsigned log2n, const uint8_t *frozen, int f, const float *llr, size_t frames,
                     uint8_t *msg)
{
    if (log2n > RF_RM_MAX_M || frames == 0) return;
    const size_t n = (size_t)1 << log2n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += !frozen[i];
    float *scratch = malloc(n * sizeof *scratch);
    uint8_t *x = malloc(n), *type = malloc(2 * n);
    if (!scratch || !x || !type) {
        free(scratch);
        free(x);
        free(type);
        return;
    }
    classify(log2n, frozen, type);
    for (size_t fr = 0; fr < frames; fr++) {
        dec s = {frozen, type, log2n, f, msg + fr * k};
        node(&s, 0, 0, llr + fr * n, scratch, x);
    }
    free(scratch);
    free(x);
    free(type);
}
