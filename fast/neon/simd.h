/* The SIMD vocabulary of the neon level (AArch64 Advanced SIMD, armv8-a): the name set of
 * fast/avx2/simd.h (its comment states the conventions every level shares) on 128-bit registers.
 *
 * Types and lanes: vf 4 floats, vi 4 uint32, mf a uint32x4_t of all-ones / zero lanes; vd 2
 * doubles, vl 2 int64, md a uint64x2_t. No masked memory access: loadn/storen go through a
 * register-sized buffer (never touching memory past p + n).
 * int8 lanes (polar_sc_i8): vi8 holds VB_LANES int8, mi8 its lane mask (ops vb_*, mb_*);
 * loadu/storeu any alignment; adds/subs saturate to [-128, 127]; min/max signed; abs(-128) is left
 * unspecified (the generic code never passes -128); lt0/eq0 compare with 0; neg_where(m, v) = m ?
 * -v : v (wraps at -128, never reached); neg_if_neg(v, s) = s < 0 ? -v : v (same caveat);
 * select(m, a, b) = m ? a : b; mb_from_01(v) / mb_from_u8(x): lanes holding 0 or 1 (nothing else
 * allowed) to the mask of the lanes holding 1; mb_bits = lane i as bit i (VB_LANES <= 64 bits);
 * vb_loadn/vb_storen move the first n < VB_LANES bytes (a power of two), loadn zeroing the other
 * lanes.
 * Differences from x86 at the edges, each kept because the kernels' outputs at this level depend
 * on them bit for bit:
 * - vf_min/vf_max/vd_min/vd_max are FMIN/FMAX: a NaN operand gives NaN (x86: the second operand).
 *   vf_min_sel is compare-and-select, the C expression (a < b ? a : b), as MINPS; vf_max_num is
 *   FMAXNM (the number wins over a quiet NaN).
 * - vf_neg is FNEG, so vf_neg(+0) = -0 (x86: 0 - x = +0).
 * - vf_fms(a, b, c) is -(c - a b) (FMSUB then FNEG): an exact zero result is -0 (x86 +0);
 *   vd_fms is a b + (-c), the x86 sign.
 * - vf_to_vi truncates (x86 rounds to nearest): the same for the integral values it is used on.
 * - Horizontal ops are FADDP/FMINV/FMAXV: for vf_hsum, (x0 + x1) + (x2 + x3).
 */
#ifndef REFAST_FAST_SIMD_H
#define REFAST_FAST_SIMD_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refast/kernel.h"
#include "simd_inline.h"

#ifndef RF_LEVEL_SUFFIX
#error "fast/neon/simd.h: compile with -DRF_LEVEL_SUFFIX=_neon (CMakeLists.txt does)"
#endif

typedef float32x4_t vf;
typedef uint32x4_t vi;
typedef uint32x4_t mf;
typedef float64x2_t vd;
typedef int64x2_t vl;
typedef uint64x2_t md;
#define VF_LANES 4
#define VF_LANE_BITS 2
#define VD_LANES 2
#define VD_MUL_POW2_KEEPS_NAN 0

/* ---- float ------------------------------------------------------------------------------------ */
AI vf vf_load(const float *p) { return vld1q_f32(p); }
AI vf vf_loadu(const float *p) { return vld1q_f32(p); }
AI void vf_store(float *p, vf v) { vst1q_f32(p, v); }
AI void vf_storeu(float *p, vf v) { vst1q_f32(p, v); }
AI vf vf_loadn(const float *p, size_t n)
{
    float t[4] = {0};
    memcpy(t, p, n * sizeof *t);
    return vld1q_f32(t);
}
AI void vf_storen(float *p, size_t n, vf v)
{
    float t[4];
    vst1q_f32(t, v);
    memcpy(p, t, n * sizeof *t);
}
AI vf vf_set1(float x) { return vdupq_n_f32(x); }
AI vf vf_zero(void) { return vdupq_n_f32(0.0f); }
AI vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
AI vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
AI vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
AI vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
AI vf vf_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
AI vf vf_fnma(vf a, vf b, vf c) { return vfmsq_f32(c, a, b); }
AI vf vf_fms(vf a, vf b, vf c) { return vnegq_f32(vfmsq_f32(c, a, b)); }
AI vf vf_min(vf a, vf b) { return vminq_f32(a, b); }
AI vf vf_max(vf a, vf b) { return vmaxq_f32(a, b); }
AI vf vf_min_sel(vf a, vf b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
AI vf vf_max_num(vf a, vf b) { return vmaxnmq_f32(a, b); }
AI vf vf_abs(vf a) { return vabsq_f32(a); }
AI vf vf_neg(vf a) { return vnegq_f32(a); }
AI vf vf_sqrt(vf a) { return vsqrtq_f32(a); }
AI vf vf_round(vf a) { return vrndnq_f32(a); }
AI vf vf_and(vf a, vf b) { return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
AI vf vf_or(vf a, vf b) { return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
AI vf vf_xor(vf a, vf b) { return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
AI float vf_hsum(vf x) { return vaddvq_f32(x); }
AI float vf_hmin(vf x) { return vminvq_f32(x); }
AI float vf_hmax(vf x) { return vmaxvq_f32(x); }

AI mf vf_lt(vf a, vf b) { return vcltq_f32(a, b); }
AI mf vf_le(vf a, vf b) { return vcleq_f32(a, b); }
AI mf vf_gt(vf a, vf b) { return vcgtq_f32(a, b); }
AI mf vf_eq(vf a, vf b) { return vceqq_f32(a, b); }
AI mf vf_isnan(vf a) { return vmvnq_u32(vceqq_f32(a, a)); }
AI mf vf_equ(vf a, vf b) { return vorrq_u32(vceqq_f32(a, b), vmvnq_u32(vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b)))); }
AI vf vf_select(mf m, vf a, vf b) { return vbslq_f32(m, a, b); }
AI vf vf_maskz(mf m, vf a) { return vreinterpretq_f32_u32(vandq_u32(m, vreinterpretq_u32_f32(a))); }

/* ---- masks ------------------------------------------------------------------------------------ */
AI mf mf_and(mf a, mf b) { return vandq_u32(a, b); }
AI mf mf_or(mf a, mf b) { return vorrq_u32(a, b); }
AI mf mf_xor(mf a, mf b) { return veorq_u32(a, b); }
AI mf mf_zeros(void) { return vdupq_n_u32(0); }
AI mf mf_ones(void) { return vdupq_n_u32(~0u); }
/* Lane i as bit i (VMOVMSKPS's role: AND with the lane's bit, add across). */
AI unsigned mf_bits(mf m)
{
    static const uint32_t lane_bit[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, vld1q_u32(lane_bit)));
}
AI int mf_any(mf m) { return vmaxvq_u32(m) != 0; }
AI int mf_all(mf m) { return vminvq_u32(m) != 0; }
AI mf mf_lane_bit(unsigned j)
{
    static const uint32_t masks[VF_LANE_BITS][4] = {{0, ~0u, 0, ~0u}, {0, 0, ~0u, ~0u}};
    return vld1q_u32(masks[j]);
}

/* ---- int32 ------------------------------------------------------------------------------------ */
AI vi vi_loadu(const uint32_t *p) { return vld1q_u32(p); }
AI void vi_storeu(uint32_t *p, vi v) { vst1q_u32(p, v); }
AI vi vi_load_u8(const uint8_t *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return vmovl_u16(vget_low_u16(vmovl_u8(vcreate_u8(w))));
}
AI mf mf_from_bytes(const uint8_t *x) { return vtstq_u32(vi_load_u8(x), vdupq_n_u32(1)); }
AI vi vi_set1(uint32_t x) { return vdupq_n_u32(x); }
AI vi vi_add(vi a, vi b) { return vaddq_u32(a, b); }
AI vi vi_sub(vi a, vi b) { return vsubq_u32(a, b); }
AI vi vi_and(vi a, vi b) { return vandq_u32(a, b); }
AI vi vi_or(vi a, vi b) { return vorrq_u32(a, b); }
AI vi vi_xor(vi a, vi b) { return veorq_u32(a, b); }
AI vi vi_xor3(vi a, vi b, vi c) { return veorq_u32(veorq_u32(a, b), c); }
#define vi_shl(a, n) vshlq_n_u32(a, n)
#define vi_shr(a, n) vshrq_n_u32(a, n)
AI mf vi_gt(vi a, vi b) { return vcgtq_s32(vreinterpretq_s32_u32(a), vreinterpretq_s32_u32(b)); }
AI mf vi_lsb(vi a) { return vtstq_u32(a, vdupq_n_u32(1)); }
AI vi vi_select(mf m, vi a, vi b) { return vbslq_u32(m, a, b); }
AI vi vi_maskz(mf m, vi a) { return vandq_u32(m, a); }
AI vf vi_as_vf(vi a) { return vreinterpretq_f32_u32(a); }
AI vi vf_as_vi(vf a) { return vreinterpretq_u32_f32(a); }
AI vf vf_from_vi(vi a) { return vcvtq_f32_s32(vreinterpretq_s32_u32(a)); }
AI vi vf_to_vi(vf a) { return vreinterpretq_u32_s32(vcvtq_s32_f32(a)); }
AI vf vf_pow2i(vf k)
{
    return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23));
}
AI vf vf_mul_pow2(vf x, vf k) { return vmulq_f32(x, vf_pow2i(k)); }

AI vf vf_ldexp_normal(vf x, vf k)
{
    return vreinterpretq_f32_s32(vaddq_s32(vreinterpretq_s32_f32(x), vshlq_n_s32(vcvtq_s32_f32(k), 23)));
}
/* ---- double ----------------------------------------------------------------------------------- */
AI vd vd_load(const double *p) { return vld1q_f64(p); }
AI vd vd_loadu(const double *p) { return vld1q_f64(p); }
AI void vd_store(double *p, vd v) { vst1q_f64(p, v); }
AI void vd_storeu(double *p, vd v) { vst1q_f64(p, v); }
AI vd vd_loadn(const double *p, size_t n) { return n ? vsetq_lane_f64(p[0], vdupq_n_f64(0.0), 0) : vdupq_n_f64(0.0); }
AI void vd_storen(double *p, size_t n, vd v)
{
    if (n) vst1q_lane_f64(p, v, 0);
}
AI vd vd_set1(double x) { return vdupq_n_f64(x); }
AI vd vd_bcast(const double *p) { return vld1q_dup_f64(p); }
AI vd vd_zero(void) { return vdupq_n_f64(0.0); }
AI vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
AI vd vd_sub(vd a, vd b) { return vsubq_f64(a, b); }
AI vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
AI vd vd_div(vd a, vd b) { return vdivq_f64(a, b); }
AI vd vd_fma(vd a, vd b, vd c) { return vfmaq_f64(c, a, b); }
AI vd vd_fnma(vd a, vd b, vd c) { return vfmsq_f64(c, a, b); }
AI vd vd_fms(vd a, vd b, vd c) { return vfmaq_f64(vnegq_f64(c), a, b); }
AI vd vd_min(vd a, vd b) { return vminq_f64(a, b); }
AI vd vd_max(vd a, vd b) { return vmaxq_f64(a, b); }
AI vd vd_abs(vd a) { return vabsq_f64(a); }
AI vd vd_round(vd a) { return vrndnq_f64(a); }
AI vd vd_floor(vd a) { return vrndmq_f64(a); }
AI vd vd_copysign(vd mag, vd sgn) { return vbslq_f64(vdupq_n_u64(0x8000000000000000ull), sgn, mag); }
AI double vd_hsum(vd v) { return vaddvq_f64(v); }
AI md vd_lt(vd a, vd b) { return vcltq_f64(a, b); }
AI md vd_ge(vd a, vd b) { return vcgeq_f64(a, b); }
AI md vd_eq(vd a, vd b) { return vceqq_f64(a, b); }
AI vd vd_select(md m, vd a, vd b) { return vbslq_f64(m, a, b); }
AI vd vd_maskz(md m, vd a) { return vreinterpretq_f64_u64(vandq_u64(m, vreinterpretq_u64_f64(a))); }

/* ---- int64 ------------------------------------------------------------------------------------ */
AI vl vl_set1(int64_t x) { return vdupq_n_s64(x); }
AI vl vl_add(vl a, vl b) { return vaddq_s64(a, b); }
AI vl vl_sub(vl a, vl b) { return vsubq_s64(a, b); }
#define vl_shl(a, n) vshlq_n_s64(a, n)
#define vl_sra(a, n) vshrq_n_s64(a, n)
AI vd vl_as_vd(vl a) { return vreinterpretq_f64_s64(a); }
AI vl vd_as_vl(vd a) { return vreinterpretq_s64_f64(a); }
AI vd vd_from_vl(vl a) { return vcvtq_f64_s64(a); }
/* 2^j for integral j in [-1022, 1023] by FCVTZS and SHL #52. */
AI vd vd_pow2i_(vd j) { return vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(vcvtq_s64_f64(j), vdupq_n_s64(1023)), 52)); }
/* x 2^k with one rounding for integral k in [-1077, 1025]: x 2^k1 exact, k1 = floor(k/2), then
 * the second factor rounds once. A NaN k gives garbage (callers restore NaNs). */
AI vd vd_mul_pow2(vd x, vd k)
{
    const vd k1 = vrndmq_f64(vmulq_f64(k, vdupq_n_f64(0.5)));
    return vmulq_f64(vmulq_f64(x, vd_pow2i_(k1)), vd_pow2i_(vsubq_f64(k, k1)));
}

/* ---- register transposes ---------------------------------------------------------------------- */
/* r[i] lane l <-> r[l] lane i: two vtrn, then the halves recombined. */
AI void vf_transpose(vf r[4])
{
    const float32x4x2_t a = vtrnq_f32(r[0], r[1]), b = vtrnq_f32(r[2], r[3]);
    r[0] = vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0]));
    r[1] = vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1]));
    r[2] = vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0]));
    r[3] = vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1]));
}
AI void vd_transpose(vd r[2])
{
    const vd t0 = vzip1q_f64(r[0], r[1]), t1 = vzip2q_f64(r[0], r[1]);
    r[0] = t0;
    r[1] = t1;
}
/* p[0..8) as pairs, de-interleaved for free by LD2. */
AI void vf_loadu_pairs(const float *p, vf *even, vf *odd)
{
    const float32x4x2_t v = vld2q_f32(p);
    *even = v.val[0];
    *odd = v.val[1];
}

/* ---- bits and bytes --------------------------------------------------------------------------- */
/* No PDEP on AArch64: one step per set bit of the mask. */
AI uint64_t rf_deposit(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (; mask; mask &= mask - 1, src >>= 1)
        if (src & 1) r |= mask & (~mask + 1);
    return r;
}

/* 16 bytes -> 16 bits: keep bit 0 (or the compare result), shift byte j left by j % 8, and add
 * across each 8-byte half (the shifted bits are disjoint, so the sum is their OR). */
AI uint64_t neon_bits16_(uint8x16_t v01)
{
    static const int8_t shifts[16] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7};
    const uint8x16_t s = vshlq_u8(v01, vld1q_s8(shifts));
    return (uint64_t)vaddv_u8(vget_low_u8(s)) | (uint64_t)vaddv_u8(vget_high_u8(s)) << 8;
}

AI void rf_pack_lsb(const uint8_t *b, size_t n, uint64_t *out)
{
    const size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) out[w] = 0;
    const uint8x16_t one = vdupq_n_u8(1);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) out[i / 64] |= neon_bits16_(vandq_u8(vld1q_u8(b + i), one)) << (i % 64);
    for (; i < n; i++) out[i / 64] |= (uint64_t)(b[i] & 1u) << (i % 64);
}

AI void rf_pack_zero(const uint8_t *b, size_t n, uint64_t *out)
{
    const size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) out[w] = 0;
    const uint8x16_t one = vdupq_n_u8(1);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        out[i / 64] |= neon_bits16_(vandq_u8(vceqzq_u8(vld1q_u8(b + i)), one)) << (i % 64);
    for (; i < n; i++) out[i / 64] |= (uint64_t)(b[i] == 0) << (i % 64);
}

/* 4 bits -> 4 floats: broadcast, shift bit j of lane j to the sign position, OR 1.0f. */
AI void rf_expand_f32(const uint64_t *w, size_t n, float *x)
{
    if (n < 4) {
        for (size_t i = 0; i < n; i++) x[i] = (w[0] >> i) & 1 ? -1.0f : 1.0f;
        return;
    }
    static const int32_t shifts[4] = {31, 30, 29, 28};
    const int32x4_t sh = vld1q_s32(shifts);
    const uint32x4_t sign = vdupq_n_u32(0x80000000u), one = vdupq_n_u32(0x3f800000u);
    for (size_t i = 0; i < n; i += 4) {
        const uint32x4_t v = vdupq_n_u32((uint32_t)((w[i / 64] >> (i % 64)) & 0xf));
        const uint32x4_t s = vandq_u32(vshlq_u32(v, sh), sign);
        vst1q_f32(x + i, vreinterpretq_f32_u32(vorrq_u32(s, one)));
    }
}

/* out[q] = bit q of w as a byte 0/1, q < count <= 64 (a bit test per byte lane, 8 at a time). */
AI void rf_bits_to_bytes(uint64_t w, size_t count, uint8_t *out)
{
    static const uint8_t lane_bit[8] = {1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x8_t sel = vld1_u8(lane_bit), one = vdup_n_u8(1);
    size_t q = 0;
    for (; q + 8 <= count; q += 8) vst1_u8(out + q, vand_u8(vtst_u8(vdup_n_u8((uint8_t)(w >> q)), sel), one));
    for (; q < count; q++) out[q] = (w >> q) & 1;
}

/* w = a ^ v over len bytes (w may be a): 16 bytes at a time, then 8, 4, 1. */
AI void rf_xor_bytes(uint8_t *w, const uint8_t *a, const uint8_t *v, size_t len)
{
    size_t i = 0;
    for (; i + 16 <= len; i += 16) vst1q_u8(w + i, veorq_u8(vld1q_u8(a + i), vld1q_u8(v + i)));
    rf_xor_bytes_tail(w, a, v, i, len);
}

/* ---- int8 (polar_sc_i8) ------------------------------------------------------------------------ */
typedef int8x16_t vi8;
typedef uint8x16_t mi8; /* all-ones / all-zero bytes */
#define VB_LANES 16
AI vi8 vb_loadu(const int8_t *p) { return vld1q_s8(p); }
AI void vb_storeu(int8_t *p, vi8 v) { vst1q_s8(p, v); }
AI vi8 vb_set1(int8_t x) { return vdupq_n_s8(x); }
AI vi8 vb_zero(void) { return vdupq_n_s8(0); }
AI vi8 vb_adds(vi8 a, vi8 b) { return vqaddq_s8(a, b); }
AI vi8 vb_subs(vi8 a, vi8 b) { return vqsubq_s8(a, b); }
AI vi8 vb_min(vi8 a, vi8 b) { return vminq_s8(a, b); }
AI vi8 vb_max(vi8 a, vi8 b) { return vmaxq_s8(a, b); }
AI vi8 vb_abs(vi8 a) { return vabsq_s8(a); }
AI vi8 vb_xor(vi8 a, vi8 b) { return veorq_s8(a, b); }
AI mi8 vb_lt0(vi8 a) { return vcltzq_s8(a); }
AI mi8 vb_eq0(vi8 a) { return vceqzq_s8(a); }
AI vi8 vb_neg_where(mi8 m, vi8 v)
{
    const int8x16_t s = vreinterpretq_s8_u8(m);
    return vsubq_s8(veorq_s8(v, s), s);
}
AI vi8 vb_select(mi8 m, vi8 a, vi8 b) { return vbslq_s8(m, a, b); }
AI mi8 mb_zeros(void) { return vdupq_n_u8(0); }
AI mi8 mb_or(mi8 a, mi8 b) { return vorrq_u8(a, b); }
AI mi8 mb_xor(mi8 a, mi8 b) { return veorq_u8(a, b); }
AI int mb_any(mi8 m) { return vmaxvq_u8(m) != 0; }
/* Lane i as bit i: AND with the lane's bit within each half, add across each half. */
AI uint64_t mb_bits(mi8 m)
{
    static const uint8_t lane_bit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t b = vandq_u8(m, vld1q_u8(lane_bit));
    return (uint64_t)vaddv_u8(vget_low_u8(b)) | (uint64_t)vaddv_u8(vget_high_u8(b)) << 8;
}
/* p[0..n) into the low lanes, the rest 0; n < 16 a power of two (or 0). */
AI vi8 vb_loadn(const int8_t *p, size_t n)
{
    if (n == 8) return vcombine_s8(vld1_s8(p), vdup_n_s8(0));
    int32_t w = 0;
    if (n == 4) memcpy(&w, p, 4);
    else if (n == 2) memcpy(&w, p, 2);
    else if (n == 1) memcpy(&w, p, 1);
    return vreinterpretq_s8_s32(vsetq_lane_s32(w, vdupq_n_s32(0), 0));
}
/* writes p[0..n) from the low lanes, n < 16 a power of two. */
AI void vb_storen(int8_t *p, size_t n, vi8 v)
{
    if (n == 8) {
        vst1_s8(p, vget_low_s8(v));
        return;
    }
    const int32_t w = vgetq_lane_s32(vreinterpretq_s32_s8(v), 0);
    if (n == 4) memcpy(p, &w, 4);
    else if (n == 2) memcpy(p, &w, 2);
    else if (n == 1) memcpy(p, &w, 1);
}
AI mi8 mb_from_01(vi8 a) { return vreinterpretq_u8_s8(vnegq_s8(a)); } /* -1 = all ones */
AI mi8 mb_from_u8(const uint8_t *x) { return mb_from_01(vld1q_s8((const int8_t *)(const void *)x)); }
AI vi8 vb_neg_if_neg(vi8 v, vi8 s)
{
    const int8x16_t m = vshrq_n_s8(s, 7); /* all ones where s < 0 */
    return vsubq_s8(veorq_s8(v, m), m);
}

#endif
