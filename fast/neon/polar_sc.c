/* Polar SC decoder, NEON (4 floats per register). Mirrors ref/polar_sc.c: polar_sc_ref.
 *
 * Intra-frame vectorisation: a node of n LLRs computes its n/2 child LLRs (f, then g) 16 at a time
 * while n/2 >= 4; nodes of 4 LLRs or fewer run the reference's scalar recursion. Per call the
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
 * minsum's magnitude is a compare-select (|a| < |b|) ? |a| : |b| (= (|a| < |b|) ? |a| : |b|), its sign the XOR of two
 * ordered "< 0" compares applied by XOR with -0.0f (ref's negation); g is a select of L2 - L1 and L2 + L1. The exact f calls the same
 * libm expf/log1pf per lane as ref (bit-identical, not vectorised).
 */
#include <arm_neon.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/codes.h"
#include "refast/decoders.h"

#define W 4
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

AI float32x4_t vf_minsum(float32x4_t a, float32x4_t b)
{
    float32x4_t aa = vabsq_f32(a), ab = vabsq_f32(b);
    float32x4_t mn = vbslq_f32(vcltq_f32(aa, ab), aa, ab); /* not FMIN: it would return NaN for a NaN in aa */
    uint32x4_t neg = veorq_u32(vcltzq_f32(a), vcltzq_f32(b));
    return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(mn), vandq_u32(neg, vdupq_n_u32(0x80000000u))));
}

/* Child LLRs of the first half: out[i] = f(L[i], L[i + h]), h >= W. */
static void stage_f(int f, const float *L, size_t h, float *out)
{
    if (f == RF_F_MINSUM) {
        for (size_t i = 0; i < h; i += W)
            vst1q_f32(out + i, vf_minsum(vld1q_f32(L + i), vld1q_f32(L + i + h)));
    } else {
        for (size_t i = 0; i < h; i++) out[i] = f_exact(L[i], L[i + h]);
    }
}

/* out[i] = x[i] ? L[i + h] - L[i] : L[i + h] + L[i], h >= W. */
static void stage_g(const float *L, const uint8_t *x, size_t h, float *out)
{
    for (size_t i = 0; i < h; i += W) {
        float32x4_t a = vld1q_f32(L + i), b = vld1q_f32(L + i + h);
        uint32_t xw;
        memcpy(&xw, x + i, 4);
        uint32x4_t sub = vtstq_u32(vmovl_u16(vget_low_u16(vmovl_u8(vcreate_u8(xw)))), vdupq_n_u32(1));
        vst1q_f32(out + i, vbslq_f32(sub, vsubq_f32(b, a), vaddq_f32(b, a)));
    }
}

/* x_a ^= x_b over h >= W bytes. */
static void xor_half(uint8_t *x, size_t h)
{
    size_t i = 0;
    for (; i + 16 <= h; i += 16) vst1q_u8(x + i, veorq_u8(vld1q_u8(x + i), vld1q_u8(x + i + h)));
    for (; i < h; i++) x[i] ^= x[i + h];
}

/* 1 if no LLR is 0 or NaN (the rate-1 shortcut's precondition). */
static int all_nonzero(const float *L, size_t n)
{
    if (n < W) {
        for (size_t i = 0; i < n; i++)
            if (!(L[i] != 0.0f) || isnan(L[i])) return 0;
        return 1;
    }
    /* ok lanes: L < 0 or L > 0 (false for 0 and NaN) */
    uint32x4_t ok = vdupq_n_u32(~0u);
    for (size_t i = 0; i < n; i += W) {
        float32x4_t v = vld1q_f32(L + i);
        ok = vandq_u32(ok, vorrq_u32(vcltzq_f32(v), vcgtzq_f32(v)));
    }
    return vminvq_u32(ok) != 0;
}

/* Rate-1 node: hard decisions, then u = x F^{(x)n} written to the message. */
static void rate1(dec *s, const float *L, size_t n, uint8_t *x)
{
    size_t i = 0;
    if (n >= W) {
        for (; i < n; i += W) {
            uint32x4_t neg = vshrq_n_u32(vcltzq_f32(vld1q_f32(L + i)), 31);
            uint8x8_t b8 = vmovn_u16(vcombine_u16(vmovn_u32(neg), vdup_n_u16(0)));
            uint32_t w4 = vget_lane_u32(vreinterpret_u32_u8(b8), 0);
            memcpy(x + i, &w4, 4);
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
    if (h < W) {
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

void polar_sc_neon(unsigned log2n, const uint8_t *frozen, int f, const float *llr, size_t frames,
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
