/* The SIMD vocabulary of the avx512 level (AVX-512 F/BW/DQ/VL, x86-64-v4): the name set of
 * fast/avx2/simd.h (its comment states the conventions every level shares), with 512-bit registers
 * and mask registers.
 *
 * Types and lanes: vf 16 floats, vi 16 int32, mf a __mmask16; vd 8 doubles, vl 8 int64, md a
 * __mmask8; vdh, a 256-bit half register of 4 doubles (RF_SIMD_HAVE_VDH: the moment tiles use it
 * where a zmm would be more than half padding).
 * int8 lanes (polar_sc_i8): vi8 holds VB_LANES int8, mi8 its lane mask (ops vb_*, mb_*);
 * loadu/storeu any alignment; adds/subs saturate to [-128, 127]; min/max signed; abs(-128) is left
 * unspecified (the generic code never passes -128); lt0/eq0 compare with 0; neg_where(m, v) = m ?
 * -v : v (wraps at -128, never reached); neg_if_neg(v, s) = s < 0 ? -v : v (same caveat);
 * select(m, a, b) = m ? a : b; mb_from_01(v) / mb_from_u8(x): lanes holding 0 or 1 (nothing else
 * allowed) to the mask of the lanes holding 1; mb_bits = lane i as bit i (VB_LANES <= 64 bits);
 * vb_loadn/vb_storen move the first n < VB_LANES bytes (a power of two), loadn zeroing the other
 * lanes.
 * Where AVX-512 has a better instruction the op uses it with the same semantics: loadn/storen are
 * masked (fault-free), vf_mul_pow2/vd_mul_pow2 are VSCALEFPS/PD (one rounding, NaN propagates:
 * VD_MUL_POW2_KEEPS_NAN), vl_sra is VPSRAQ, vd_from_vl VCVTQQ2PD, vd_copysign one VPTERNLOGQ, the
 * horizontal ops _mm512_reduce_* (halving, as avx2's).
 * min/max, neg and rounding as on avx2: MINPS/MAXPS give the second operand for a NaN, neg is
 * 0 - x.
 */
#ifndef REFAST_FAST_SIMD_H
#define REFAST_FAST_SIMD_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refast/kernel.h"
#include "simd_inline.h"

#ifndef RF_LEVEL_SUFFIX
#error "fast/avx512/simd.h: compile with -DRF_LEVEL_SUFFIX=_avx512 (CMakeLists.txt does)"
#endif

typedef __m512 vf;
typedef __m512i vi;
typedef __mmask16 mf;
typedef __m512d vd;
typedef __m512i vl;
typedef __mmask8 md;
#define VF_LANES 16
#define VF_LANE_BITS 4
#define VD_LANES 8
#define VD_MUL_POW2_KEEPS_NAN 1

/* ---- float ------------------------------------------------------------------------------------ */
AI vf vf_load(const float *p) { return _mm512_load_ps(p); }
AI vf vf_loadu(const float *p) { return _mm512_loadu_ps(p); }
AI void vf_store(float *p, vf v) { _mm512_store_ps(p, v); }
AI void vf_storeu(float *p, vf v) { _mm512_storeu_ps(p, v); }
AI vf vf_loadn(const float *p, size_t n) { return _mm512_maskz_loadu_ps((mf)((1u << n) - 1), p); }
AI void vf_storen(float *p, size_t n, vf v) { _mm512_mask_storeu_ps(p, (mf)((1u << n) - 1), v); }
AI vf vf_set1(float x) { return _mm512_set1_ps(x); }
AI vf vf_zero(void) { return _mm512_setzero_ps(); }
AI vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
AI vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
AI vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
AI vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
AI vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
AI vf vf_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
AI vf vf_fms(vf a, vf b, vf c) { return _mm512_fmsub_ps(a, b, c); }
AI vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
AI vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
AI vf vf_min_sel(vf a, vf b) { return _mm512_min_ps(a, b); }
AI vf vf_max_num(vf a, vf b) { return _mm512_max_ps(a, b); }
AI vf vf_abs(vf a) { return _mm512_abs_ps(a); }
AI vf vf_neg(vf a) { return _mm512_sub_ps(_mm512_setzero_ps(), a); }
AI vf vf_sqrt(vf a) { return _mm512_sqrt_ps(a); }
AI vf vf_round(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
AI vf vf_and(vf a, vf b) { return _mm512_and_ps(a, b); }
AI vf vf_or(vf a, vf b) { return _mm512_or_ps(a, b); }
AI vf vf_xor(vf a, vf b) { return _mm512_xor_ps(a, b); }
AI float vf_hsum(vf x) { return _mm512_reduce_add_ps(x); }
AI float vf_hmin(vf x) { return _mm512_reduce_min_ps(x); }
AI float vf_hmax(vf x) { return _mm512_reduce_max_ps(x); }

AI mf vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
AI mf vf_le(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
AI mf vf_gt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
AI mf vf_eq(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
AI mf vf_equ(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_UQ); }
AI mf vf_isnan(vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
AI vf vf_select(mf m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
AI vf vf_maskz(mf m, vf a) { return _mm512_maskz_mov_ps(m, a); }

/* ---- masks ------------------------------------------------------------------------------------ */
AI mf mf_and(mf a, mf b) { return a & b; }
AI mf mf_or(mf a, mf b) { return a | b; }
AI mf mf_xor(mf a, mf b) { return a ^ b; }
AI mf mf_zeros(void) { return 0; }
AI mf mf_ones(void) { return 0xffff; }
AI unsigned mf_bits(mf m) { return m; }
AI int mf_any(mf m) { return m != 0; }
AI int mf_all(mf m) { return m == 0xffff; }
AI mf mf_lane_bit(unsigned j)
{
    static const mf bit[VF_LANE_BITS] = {0xAAAA, 0xCCCC, 0xF0F0, 0xFF00};
    return bit[j];
}
AI mf mf_from_bytes(const uint8_t *x) { return _mm_test_epi8_mask(_mm_loadu_si128((const void *)x), _mm_set1_epi8(1)); }

/* ---- int32 ------------------------------------------------------------------------------------ */
AI vi vi_loadu(const uint32_t *p) { return _mm512_loadu_si512((const void *)p); }
AI void vi_storeu(uint32_t *p, vi v) { _mm512_storeu_si512((void *)p, v); }
AI vi vi_load_u8(const uint8_t *p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128((const void *)p)); }
AI vi vi_set1(uint32_t x) { return _mm512_set1_epi32((int)x); }
AI vi vi_add(vi a, vi b) { return _mm512_add_epi32(a, b); }
AI vi vi_sub(vi a, vi b) { return _mm512_sub_epi32(a, b); }
AI vi vi_and(vi a, vi b) { return _mm512_and_si512(a, b); }
AI vi vi_or(vi a, vi b) { return _mm512_or_si512(a, b); }
AI vi vi_xor(vi a, vi b) { return _mm512_xor_si512(a, b); }
AI vi vi_xor3(vi a, vi b, vi c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); } /* one VPTERNLOGD */
#define vi_shl(a, n) _mm512_slli_epi32(a, n)
#define vi_shr(a, n) _mm512_srli_epi32(a, n)
AI mf vi_gt(vi a, vi b) { return _mm512_cmpgt_epi32_mask(a, b); }
AI mf vi_lsb(vi a) { return _mm512_test_epi32_mask(a, _mm512_set1_epi32(1)); }
AI vi vi_select(mf m, vi a, vi b) { return _mm512_mask_blend_epi32(m, b, a); }
AI vi vi_maskz(mf m, vi a) { return _mm512_maskz_mov_epi32(m, a); }
AI vf vi_as_vf(vi a) { return _mm512_castsi512_ps(a); }
AI vi vf_as_vi(vf a) { return _mm512_castps_si512(a); }
AI vf vf_from_vi(vi a) { return _mm512_cvtepi32_ps(a); }
AI vi vf_to_vi(vf a) { return _mm512_cvtps_epi32(a); }
AI vf vf_pow2i(vf k) { return _mm512_scalef_ps(_mm512_set1_ps(1.0f), k); }
AI vf vf_mul_pow2(vf x, vf k) { return _mm512_scalef_ps(x, k); }

AI vf vf_ldexp_normal(vf x, vf k) { return _mm512_scalef_ps(x, k); }
/* ---- double ----------------------------------------------------------------------------------- */
AI vd vd_load(const double *p) { return _mm512_load_pd(p); }
AI vd vd_loadu(const double *p) { return _mm512_loadu_pd(p); }
AI void vd_store(double *p, vd v) { _mm512_store_pd(p, v); }
AI void vd_storeu(double *p, vd v) { _mm512_storeu_pd(p, v); }
AI vd vd_loadn(const double *p, size_t n) { return _mm512_maskz_loadu_pd((md)((1u << n) - 1), p); }
AI void vd_storen(double *p, size_t n, vd v) { _mm512_mask_storeu_pd(p, (md)((1u << n) - 1), v); }
AI vd vd_set1(double x) { return _mm512_set1_pd(x); }
AI vd vd_bcast(const double *p) { return _mm512_set1_pd(*p); }
AI vd vd_zero(void) { return _mm512_setzero_pd(); }
AI vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
AI vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
AI vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
AI vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
AI vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
AI vd vd_fnma(vd a, vd b, vd c) { return _mm512_fnmadd_pd(a, b, c); }
AI vd vd_fms(vd a, vd b, vd c) { return _mm512_fmsub_pd(a, b, c); }
AI vd vd_min(vd a, vd b) { return _mm512_min_pd(a, b); }
AI vd vd_max(vd a, vd b) { return _mm512_max_pd(a, b); }
AI vd vd_abs(vd a) { return _mm512_abs_pd(a); }
AI vd vd_round(vd a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
AI vd vd_floor(vd a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
/* (sgn & sign bit) | (mag & ~sign bit) in one ternary-logic instruction. */
AI vd vd_copysign(vd mag, vd sgn)
{
    const __m512i sb = _mm512_set1_epi64((long long)0x8000000000000000ull);
    return _mm512_castsi512_pd(_mm512_ternarylogic_epi64(_mm512_castpd_si512(sgn), _mm512_castpd_si512(mag), sb, 0xE4));
}
AI double vd_hsum(vd v) { return _mm512_reduce_add_pd(v); }
AI md vd_lt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
AI md vd_ge(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
AI md vd_eq(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
AI vd vd_select(md m, vd a, vd b) { return _mm512_mask_blend_pd(m, b, a); }
AI vd vd_maskz(md m, vd a) { return _mm512_maskz_mov_pd(m, a); }

/* ---- int64 ------------------------------------------------------------------------------------ */
AI vl vl_set1(int64_t x) { return _mm512_set1_epi64(x); }
AI vl vl_add(vl a, vl b) { return _mm512_add_epi64(a, b); }
AI vl vl_sub(vl a, vl b) { return _mm512_sub_epi64(a, b); }
#define vl_shl(a, n) _mm512_slli_epi64(a, n)
#define vl_sra(a, n) _mm512_srai_epi64(a, n)
AI vd vl_as_vd(vl a) { return _mm512_castsi512_pd(a); }
AI vl vd_as_vl(vd a) { return _mm512_castpd_si512(a); }
AI vd vd_from_vl(vl a) { return _mm512_cvtepi64_pd(a); }
AI vd vd_mul_pow2(vd x, vd k) { return _mm512_scalef_pd(x, k); }

/* ---- half-width doubles (ymm, AVX-512VL keeps all 32 registers) -------------------------------- */
#define RF_SIMD_HAVE_VDH 1
#define VDH_LANES 4
typedef __m256d vdh;
AI vdh vdh_zero(void) { return _mm256_setzero_pd(); }
AI vdh vdh_loadu(const double *p) { return _mm256_loadu_pd(p); }
AI void vdh_storeu(double *p, vdh v) { _mm256_storeu_pd(p, v); }
AI vdh vdh_bcast(const double *p) { return _mm256_set1_pd(*p); }
AI vdh vdh_add(vdh a, vdh b) { return _mm256_add_pd(a, b); }
AI vdh vdh_mul(vdh a, vdh b) { return _mm256_mul_pd(a, b); }
AI vdh vdh_fma(vdh a, vdh b, vdh c) { return _mm256_fmadd_pd(a, b, c); }

/* ---- register transposes ---------------------------------------------------------------------- */
/* r[i] lane l <-> r[l] lane i: unpacks within 128-bit lanes, then two rounds of 128-bit shuffles. */
AI void vf_transpose(vf r[16])
{
    vf t[16], u[16];
    for (int p = 0; p < 8; p++) {
        t[2 * p] = _mm512_unpacklo_ps(r[2 * p], r[2 * p + 1]);
        t[2 * p + 1] = _mm512_unpackhi_ps(r[2 * p], r[2 * p + 1]);
    }
    for (int g = 0; g < 4; g++) /* u[4g + c]: in 128-bit lane q, column 4q + c of rows 4g..4g+3 */
        for (int c = 0; c < 4; c++) {
            const vd a = _mm512_castps_pd(t[4 * g + (c >> 1)]), b = _mm512_castps_pd(t[4 * g + 2 + (c >> 1)]);
            u[4 * g + c] = _mm512_castpd_ps(c & 1 ? _mm512_unpackhi_pd(a, b) : _mm512_unpacklo_pd(a, b));
        }
    for (int c = 0; c < 4; c++) {
        const vf v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);
        const vf w0 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
        const vf v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xdd);
        const vf w1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xdd);
        r[c] = _mm512_shuffle_f32x4(v0, w0, 0x88);
        r[8 + c] = _mm512_shuffle_f32x4(v0, w0, 0xdd);
        r[4 + c] = _mm512_shuffle_f32x4(v1, w1, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(v1, w1, 0xdd);
    }
}
/* Unpacks, then 256-bit halves by two-source permutes, then 128-bit shuffles. */
AI void vd_transpose(vd r[8])
{
    vd t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]); /* r0[0] r1[0] r0[2] r1[2] ... */
        t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
    }
    const __m512i lo2 = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i hi2 = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    u[0] = _mm512_permutex2var_pd(t[0], lo2, t[2]);
    u[2] = _mm512_permutex2var_pd(t[0], hi2, t[2]);
    u[1] = _mm512_permutex2var_pd(t[1], lo2, t[3]);
    u[3] = _mm512_permutex2var_pd(t[1], hi2, t[3]);
    u[4] = _mm512_permutex2var_pd(t[4], lo2, t[6]);
    u[6] = _mm512_permutex2var_pd(t[4], hi2, t[6]);
    u[5] = _mm512_permutex2var_pd(t[5], lo2, t[7]);
    u[7] = _mm512_permutex2var_pd(t[5], hi2, t[7]);
    for (int i = 0; i < 4; i++) {
        r[i] = _mm512_shuffle_f64x2(u[i], u[i + 4], 0x44);
        r[i + 4] = _mm512_shuffle_f64x2(u[i], u[i + 4], 0xEE);
    }
}
/* p[0..32) as pairs: *even = p[0], p[2], ..; *odd = p[1], p[3], .. (two-source permutes). */
AI void vf_loadu_pairs(const float *p, vf *even, vf *odd)
{
    const __m512i e = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const vf p0 = _mm512_loadu_ps(p), p1 = _mm512_loadu_ps(p + 16);
    *even = _mm512_permutex2var_ps(p0, e, p1);
    *odd = _mm512_permutex2var_ps(p0, _mm512_add_epi32(e, _mm512_set1_epi32(1)), p1);
}

/* ---- bits and bytes --------------------------------------------------------------------------- */
AI uint64_t rf_deposit(uint64_t src, uint64_t mask) { return _pdep_u64(src, mask); }

/* VPTESTMB turns 64 bytes into 64 mask bits; the tail is a masked (non-faulting) load. */
AI void rf_pack_lsb(const uint8_t *b, size_t n, uint64_t *out)
{
    const __m512i one = _mm512_set1_epi8(1);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) out[i / 64] = _mm512_test_epi8_mask(_mm512_loadu_si512(b + i), one);
    if (i < n) {
        const __mmask64 t = (1ull << (n - i)) - 1;
        out[i / 64] = _mm512_mask_test_epi8_mask(t, _mm512_maskz_loadu_epi8(t, b + i), one);
    }
}

AI void rf_pack_zero(const uint8_t *b, size_t n, uint64_t *out)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const __m512i v = _mm512_loadu_si512(b + i);
        out[i / 64] = _mm512_testn_epi8_mask(v, v);
    }
    if (i < n) {
        const __mmask64 t = (1ull << (n - i)) - 1;
        const __m512i v = _mm512_maskz_loadu_epi8(t, b + i);
        out[i / 64] = _mm512_mask_testn_epi8_mask(t, v, v);
    }
}

/* 16 bits -> 16 floats by one mask blend. n is a power of two, so n < 16 is a single masked store. */
AI void rf_expand_f32(const uint64_t *w, size_t n, float *x)
{
    const __m512 pos = _mm512_set1_ps(1.0f), neg = _mm512_set1_ps(-1.0f);
    if (n < 16) {
        const __mmask16 bits = (__mmask16)w[0];
        _mm512_mask_storeu_ps(x, (__mmask16)((1u << n) - 1), _mm512_mask_blend_ps(bits, pos, neg));
        return;
    }
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 bits = (__mmask16)(w[i / 64] >> (i % 64));
        _mm512_storeu_ps(x + i, _mm512_mask_blend_ps(bits, pos, neg));
    }
}

/* out[q] = bit q of w as a byte 0/1, q < count <= 64: one byte store, of the exact width when
 * count is 64, 32, 16 or 8 (the polar decoders read these bytes straight back, and a masked store
 * does not forward to a later load), masked otherwise. */
AI void rf_bits_to_bytes(uint64_t w, size_t count, uint8_t *out)
{
    const __m512i v = _mm512_maskz_mov_epi8(w, _mm512_set1_epi8(1));
    if (count >= 64) _mm512_storeu_si512((void *)out, v);
    else if (count == 32) _mm256_storeu_si256((void *)out, _mm512_castsi512_si256(v));
    else if (count == 16) _mm_storeu_si128((void *)out, _mm512_castsi512_si128(v));
    else if (count == 8) _mm_storel_epi64((void *)out, _mm512_castsi512_si128(v));
    else _mm512_mask_storeu_epi8(out, ((__mmask64)1 << count) - 1, v);
}

/* w = a ^ v over len bytes (w may be a): 64 bytes at a time, then 32, 16, 8, 4, 1. */
AI void rf_xor_bytes(uint8_t *w, const uint8_t *a, const uint8_t *v, size_t len)
{
    size_t i = 0;
    for (; i + 64 <= len; i += 64)
        _mm512_storeu_si512((void *)(w + i), _mm512_xor_si512(_mm512_loadu_si512((const void *)(a + i)),
                                                              _mm512_loadu_si512((const void *)(v + i))));
    if (len - i >= 32) {
        _mm256_storeu_si256((void *)(w + i), _mm256_xor_si256(_mm256_loadu_si256((const void *)(a + i)),
                                                              _mm256_loadu_si256((const void *)(v + i))));
        i += 32;
    }
    if (len - i >= 16) {
        _mm_storeu_si128((void *)(w + i), _mm_xor_si128(_mm_loadu_si128((const void *)(a + i)),
                                                        _mm_loadu_si128((const void *)(v + i))));
        i += 16;
    }
    rf_xor_bytes_tail(w, a, v, i, len);
}

/* ---- int8 (polar_sc_i8; AVX512BW) ---------------------------------------------------------------- */
typedef __m512i vi8;
typedef __mmask64 mi8;
#define VB_LANES 64
AI vi8 vb_loadu(const int8_t *p) { return _mm512_loadu_si512((const void *)p); }
AI void vb_storeu(int8_t *p, vi8 v) { _mm512_storeu_si512((void *)p, v); }
AI vi8 vb_set1(int8_t x) { return _mm512_set1_epi8(x); }
AI vi8 vb_zero(void) { return _mm512_setzero_si512(); }
AI vi8 vb_adds(vi8 a, vi8 b) { return _mm512_adds_epi8(a, b); }
AI vi8 vb_subs(vi8 a, vi8 b) { return _mm512_subs_epi8(a, b); }
AI vi8 vb_min(vi8 a, vi8 b) { return _mm512_min_epi8(a, b); }
AI vi8 vb_max(vi8 a, vi8 b) { return _mm512_max_epi8(a, b); }
AI vi8 vb_abs(vi8 a) { return _mm512_abs_epi8(a); }
AI vi8 vb_xor(vi8 a, vi8 b) { return _mm512_xor_si512(a, b); }
AI mi8 vb_lt0(vi8 a) { return _mm512_movepi8_mask(a); }
AI mi8 vb_eq0(vi8 a) { return _mm512_testn_epi8_mask(a, a); }
AI vi8 vb_neg_where(mi8 m, vi8 v) { return _mm512_mask_sub_epi8(v, m, _mm512_setzero_si512(), v); }
AI vi8 vb_select(mi8 m, vi8 a, vi8 b) { return _mm512_mask_blend_epi8(m, b, a); }
AI mi8 mb_zeros(void) { return 0; }
AI mi8 mb_or(mi8 a, mi8 b) { return a | b; }
AI mi8 mb_xor(mi8 a, mi8 b) { return a ^ b; }
AI int mb_any(mi8 m) { return m != 0; }
AI uint64_t mb_bits(mi8 m) { return m; }
/* p[0..n) into the low lanes, the rest 0; n < 64 a power of two (or 0). Plain loads and stores of
 * the exact width, not masked ones: a masked store does not forward to the next load, and the
 * decoder reads back what it has just stored (a stall of the whole node otherwise). */
AI vi8 vb_loadn(const int8_t *p, size_t n)
{
    if (n == 32) return _mm512_zextsi256_si512(_mm256_loadu_si256((const void *)p));
    __m128i lo;
    if (n == 16) lo = _mm_loadu_si128((const void *)p);
    else if (n == 8) lo = _mm_loadl_epi64((const void *)p);
    else {
        int32_t w = 0;
        if (n == 4) memcpy(&w, p, 4);
        else if (n == 2) memcpy(&w, p, 2);
        else if (n == 1) memcpy(&w, p, 1);
        lo = _mm_cvtsi32_si128(w);
    }
    return _mm512_zextsi128_si512(lo);
}
/* writes p[0..n) from the low lanes, n < 64 a power of two. */
AI void vb_storen(int8_t *p, size_t n, vi8 v)
{
    if (n == 32) {
        _mm256_storeu_si256((void *)p, _mm512_castsi512_si256(v));
        return;
    }
    const __m128i lo = _mm512_castsi512_si128(v);
    if (n == 16) _mm_storeu_si128((void *)p, lo);
    else if (n == 8) _mm_storel_epi64((void *)p, lo);
    else {
        const int32_t w = _mm_cvtsi128_si32(lo);
        if (n == 4) memcpy(p, &w, 4);
        else if (n == 2) memcpy(p, &w, 2);
        else if (n == 1) memcpy(p, &w, 1);
    }
}
AI mi8 mb_from_01(vi8 a) { return _mm512_test_epi8_mask(a, a); }
AI mi8 mb_from_u8(const uint8_t *x) { return mb_from_01(_mm512_loadu_si512((const void *)x)); }
AI vi8 vb_neg_if_neg(vi8 v, vi8 s)
{
    return _mm512_mask_sub_epi8(v, _mm512_movepi8_mask(s), _mm512_setzero_si512(), v);
}

#endif
