/* The SIMD vocabulary of the avx2 level (AVX2 + FMA + BMI2, x86-64-v3): the one name set every
 * generic kernel of fast/generic/ is written in. fast/avx512/simd.h and fast/neon/simd.h define the
 * same names with the same semantics; where an ISA's instruction differs at the edges (NaN, the
 * sign of a zero) the op says so below, and the generic code depends on nothing left unspecified.
 *
 * Types and lanes: vf 8 floats, vi 8 int32/uint32, mf their lane mask; vd 4 doubles, vl 4 int64,
 * md their lane mask. Here a mask is a vector of all-ones / all-zero lanes (a compare's result).
 * int8 lanes (polar_sc_i8): vi8 holds VB_LANES int8, mi8 its lane mask (ops vb_*, mb_*);
 * loadu/storeu any alignment; adds/subs saturate to [-128, 127]; min/max signed; abs(-128) is left
 * unspecified (the generic code never passes -128); lt0/eq0 compare with 0; neg_where(m, v) = m ?
 * -v : v (wraps at -128, never reached); neg_if_neg(v, s) = s < 0 ? -v : v (same caveat);
 * select(m, a, b) = m ? a : b; mb_from_01(v) / mb_from_u8(x): lanes holding 0 or 1 (nothing else
 * allowed) to the mask of the lanes holding 1; mb_bits = lane i as bit i (VB_LANES <= 64 bits);
 * vb_loadn/vb_storen move the first n < VB_LANES bytes (a power of two), loadn zeroing the other
 * lanes.
 * Memory: *_load/_store need sizeof(vector) alignment, *_loadu/_storeu any; *_loadn(p, n) reads
 * p[0..n) (n < lanes) into the low lanes and zeros the rest, *_storen writes p[0..n); neither
 * touches memory past p + n.
 * Rounding: every arithmetic op rounds once to nearest even; fma(a, b, c) = a b + c,
 * fnma(a, b, c) = c - a b, fms(a, b, c) = a b - c, each with a single rounding.
 * min/max: MINPS/MAXPS, i.e. (a < b ? a : b) and (a > b ? a : b): a NaN in either operand gives b,
 * so do -0/+0 ties. NEON returns NaN instead: generic code may use vf_min/vf_max only where no NaN
 * reaches them or where either result is acceptable (and says so); vf_min_sel is the C expression
 * on every ISA, vf_max_num the larger with a NaN first operand losing.
 * neg(x) is 0 - x here (+0 for x = +0); NEON negates (-0). The generic code that uses it produces
 * the same values either way except for the sign of a zero (fast/generic/vmath_f32.h says where).
 * Horizontal sums add the upper half onto the lower half until one lane is left.
 * The level's exported names are RF_LEVEL_FN(name) = name_avx2 (refast/kernel.h: CMake compiles
 * fast/<isa>/ and fast/generic/ with -DRF_LEVEL_SUFFIX=_<isa>).
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
#error "fast/avx2/simd.h: compile with -DRF_LEVEL_SUFFIX=_avx2 (CMakeLists.txt does)"
#endif

typedef __m256 vf;
typedef __m256i vi;
typedef __m256 mf;
typedef __m256d vd;
typedef __m256i vl;
typedef __m256d md;
#define VF_LANES 8
#define VF_LANE_BITS 3
#define VD_LANES 4
/* vd_mul_pow2 builds 2^k in the exponent field: a NaN k gives garbage, callers restore NaNs. */
#define VD_MUL_POW2_KEEPS_NAN 0

/* ---- float ------------------------------------------------------------------------------------ */
AI vf vf_load(const float *p) { return _mm256_load_ps(p); }
AI vf vf_loadu(const float *p) { return _mm256_loadu_ps(p); }
AI void vf_store(float *p, vf v) { _mm256_store_ps(p, v); }
AI void vf_storeu(float *p, vf v) { _mm256_storeu_ps(p, v); }
/* All-ones in lanes 0 .. n-1: the mask of loadn / storen. */
AI vi lanes_below_(size_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
AI vf vf_loadn(const float *p, size_t n) { return _mm256_maskload_ps(p, lanes_below_(n)); }
AI void vf_storen(float *p, size_t n, vf v) { _mm256_maskstore_ps(p, lanes_below_(n), v); }
AI vf vf_set1(float x) { return _mm256_set1_ps(x); }
AI vf vf_zero(void) { return _mm256_setzero_ps(); }
AI vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
AI vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
AI vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
AI vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
AI vf vf_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
AI vf vf_fnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
AI vf vf_fms(vf a, vf b, vf c) { return _mm256_fmsub_ps(a, b, c); }
AI vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
AI vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
AI vf vf_min_sel(vf a, vf b) { return _mm256_min_ps(a, b); }
AI vf vf_max_num(vf a, vf b) { return _mm256_max_ps(a, b); }
AI vf vf_abs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
AI vf vf_neg(vf a) { return _mm256_sub_ps(_mm256_setzero_ps(), a); }
AI vf vf_sqrt(vf a) { return _mm256_sqrt_ps(a); }
AI vf vf_round(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
AI vf vf_and(vf a, vf b) { return _mm256_and_ps(a, b); }
AI vf vf_or(vf a, vf b) { return _mm256_or_ps(a, b); }
AI vf vf_xor(vf a, vf b) { return _mm256_xor_ps(a, b); }
AI float vf_hsum(vf x)
{
    __m128 v = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_add_ss(v, _mm_movehdup_ps(v)));
}
AI float vf_hmin(vf x)
{
    __m128 v = _mm_min_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_min_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_min_ss(v, _mm_movehdup_ps(v)));
}
AI float vf_hmax(vf x)
{
    __m128 v = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_max_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_max_ss(v, _mm_movehdup_ps(v)));
}

/* Compares (ordered: false where either is NaN, except vf_equ and vf_isnan). */
AI mf vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
AI mf vf_le(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
AI mf vf_gt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
AI mf vf_eq(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
AI mf vf_equ(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_UQ); } /* equal or unordered */
AI mf vf_isnan(vf a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
AI vf vf_select(mf m, vf a, vf b) { return _mm256_blendv_ps(b, a, m); } /* m ? a : b */
AI vf vf_maskz(mf m, vf a) { return _mm256_and_ps(m, a); }              /* m ? a : 0 */

/* ---- masks ------------------------------------------------------------------------------------ */
AI mf mf_and(mf a, mf b) { return _mm256_and_ps(a, b); }
AI mf mf_or(mf a, mf b) { return _mm256_or_ps(a, b); }
AI mf mf_xor(mf a, mf b) { return _mm256_xor_ps(a, b); }
AI mf mf_zeros(void) { return _mm256_setzero_ps(); }
AI mf mf_ones(void) { return _mm256_castsi256_ps(_mm256_set1_epi32(-1)); }
AI unsigned mf_bits(mf m) { return (unsigned)_mm256_movemask_ps(m); } /* lane i -> bit i */
AI int mf_any(mf m) { return _mm256_movemask_ps(m) != 0; }
AI int mf_all(mf m) { return _mm256_movemask_ps(m) == 0xff; }
AI mf mf_lane_bit(unsigned j)                                        /* lanes with index bit j */
{
    const int s = -1;
    switch (j) {
    case 0: return _mm256_castsi256_ps(_mm256_setr_epi32(0, s, 0, s, 0, s, 0, s));
    case 1: return _mm256_castsi256_ps(_mm256_setr_epi32(0, 0, s, s, 0, 0, s, s));
    default: return _mm256_castsi256_ps(_mm256_setr_epi32(0, 0, 0, 0, s, s, s, s));
    }
}
/* Lanes i with x[i] != 0, for bytes x[0..8) that are 0 or 1. */
AI mf mf_from_bytes(const uint8_t *x)
{
    return _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const void *)x)),
                                                  _mm256_setzero_si256()));
}

/* ---- int32 ------------------------------------------------------------------------------------ */
AI vi vi_loadu(const uint32_t *p) { return _mm256_loadu_si256((const void *)p); }
AI void vi_storeu(uint32_t *p, vi v) { _mm256_storeu_si256((void *)p, v); }
AI vi vi_load_u8(const uint8_t *p) { return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const void *)p)); }
AI vi vi_set1(uint32_t x) { return _mm256_set1_epi32((int)x); }
AI vi vi_add(vi a, vi b) { return _mm256_add_epi32(a, b); }
AI vi vi_sub(vi a, vi b) { return _mm256_sub_epi32(a, b); }
AI vi vi_and(vi a, vi b) { return _mm256_and_si256(a, b); }
AI vi vi_or(vi a, vi b) { return _mm256_or_si256(a, b); }
AI vi vi_xor(vi a, vi b) { return _mm256_xor_si256(a, b); }
AI vi vi_xor3(vi a, vi b, vi c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
#define vi_shl(a, n) _mm256_slli_epi32(a, n)
#define vi_shr(a, n) _mm256_srli_epi32(a, n) /* logical */
AI mf vi_gt(vi a, vi b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(a, b)); } /* signed */
AI mf vi_lsb(vi a) { return _mm256_castsi256_ps(_mm256_srai_epi32(_mm256_slli_epi32(a, 31), 31)); }
AI vi vi_select(mf m, vi a, vi b) { return _mm256_blendv_epi8(b, a, _mm256_castps_si256(m)); }
AI vi vi_maskz(mf m, vi a) { return _mm256_and_si256(_mm256_castps_si256(m), a); }
AI vf vi_as_vf(vi a) { return _mm256_castsi256_ps(a); }
AI vi vf_as_vi(vf a) { return _mm256_castps_si256(a); }
AI vf vf_from_vi(vi a) { return _mm256_cvtepi32_ps(a); } /* signed */
AI vi vf_to_vi(vf a) { return _mm256_cvtps_epi32(a); }   /* exact for integral a */
/* 2^k for integral k in [-126, 127], built in the exponent field. */
AI vf vf_pow2i(vf k) { return vi_as_vf(vi_shl(vi_add(vf_to_vi(k), vi_set1(127)), 23)); }
/* x 2^k, one rounding, for integral k in [-126, 127]. */
AI vf vf_mul_pow2(vf x, vf k) { return vf_mul(x, vf_pow2i(k)); }

/* x 2^k when the result is a normal float (exact): k added to x's exponent field. */
AI vf vf_ldexp_normal(vf x, vf k) { return vi_as_vf(vi_add(vf_as_vi(x), vi_shl(vf_to_vi(k), 23))); }
/* ---- double ----------------------------------------------------------------------------------- */
AI vd vd_load(const double *p) { return _mm256_load_pd(p); }
AI vd vd_loadu(const double *p) { return _mm256_loadu_pd(p); }
AI void vd_store(double *p, vd v) { _mm256_store_pd(p, v); }
AI void vd_storeu(double *p, vd v) { _mm256_storeu_pd(p, v); }
AI vl dlanes_below_(size_t n)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), _mm256_setr_epi64x(0, 1, 2, 3));
}
AI vd vd_loadn(const double *p, size_t n) { return _mm256_maskload_pd(p, dlanes_below_(n)); }
AI void vd_storen(double *p, size_t n, vd v) { _mm256_maskstore_pd(p, dlanes_below_(n), v); }
AI vd vd_set1(double x) { return _mm256_set1_pd(x); }
AI vd vd_bcast(const double *p) { return _mm256_set1_pd(*p); } /* one double to every lane */
AI vd vd_zero(void) { return _mm256_setzero_pd(); }
AI vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
AI vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
AI vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
AI vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
AI vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
AI vd vd_fnma(vd a, vd b, vd c) { return _mm256_fnmadd_pd(a, b, c); }
AI vd vd_fms(vd a, vd b, vd c) { return _mm256_fmsub_pd(a, b, c); }
AI vd vd_min(vd a, vd b) { return _mm256_min_pd(a, b); }
AI vd vd_max(vd a, vd b) { return _mm256_max_pd(a, b); }
AI vd vd_abs(vd a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
AI vd vd_round(vd a) { return _mm256_round_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
AI vd vd_floor(vd a) { return _mm256_floor_pd(a); }
AI vd vd_copysign(vd mag, vd sgn)
{
    const vd sb = _mm256_set1_pd(-0.0);
    return _mm256_or_pd(_mm256_and_pd(sb, sgn), _mm256_andnot_pd(sb, mag));
}
AI double vd_hsum(vd v)
{
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
AI md vd_lt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
AI md vd_ge(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
AI md vd_eq(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
AI vd vd_select(md m, vd a, vd b) { return _mm256_blendv_pd(b, a, m); } /* m ? a : b */
AI vd vd_maskz(md m, vd a) { return _mm256_and_pd(m, a); }

/* ---- int64 ------------------------------------------------------------------------------------ */
AI vl vl_set1(int64_t x) { return _mm256_set1_epi64x(x); }
AI vl vl_add(vl a, vl b) { return _mm256_add_epi64(a, b); }
AI vl vl_sub(vl a, vl b) { return _mm256_sub_epi64(a, b); }
#define vl_shl(a, n) _mm256_slli_epi64(a, n)
/* Arithmetic shift right by n < 63 (no VPSRAQ before AVX-512): offset into the unsigned range. */
#define vl_sra(a, n)                                                                             \
    _mm256_sub_epi64(_mm256_srli_epi64(_mm256_add_epi64(a, _mm256_set1_epi64x(INT64_MIN)), n),  \
                     _mm256_set1_epi64x((int64_t)1 << (63 - (n))))
AI vd vl_as_vd(vl a) { return _mm256_castsi256_pd(a); }
AI vl vd_as_vl(vd a) { return _mm256_castpd_si256(a); }
/* int64 -> double for |a| < 2^51 (no VCVTQQ2PD): a's bits under those of 1.5 2^52, minus it. */
AI vd vd_from_vl(vl a)
{
    const vd magic = _mm256_set1_pd(0x1.8p52);
    return _mm256_sub_pd(vl_as_vd(_mm256_add_epi64(a, vd_as_vl(magic))), magic);
}
/* 2^j for integral j in [-1022, 1023]: the integer bits of j + 1.5 2^52 into the exponent. */
AI vd vd_pow2i_(vd j)
{
    const vl b = vd_as_vl(vd_add(j, vd_set1(0x1.8p52)));
    return vl_as_vd(vl_add(vl_shl(b, 52), vl_set1((int64_t)1023 << 52)));
}
/* x 2^k with one rounding for integral k in [-1077, 1025] (gradual underflow, overflow to inf):
 * x 2^k1 is exact, k1 = floor(k/2), and the second factor 2^(k-k1) rounds once. */
AI vd vd_mul_pow2(vd x, vd k)
{
    const vd k1 = vd_floor(vd_mul(k, vd_set1(0.5)));
    return vd_mul(vd_mul(x, vd_pow2i_(k1)), vd_pow2i_(vd_sub(k, k1)));
}

/* ---- register transposes ---------------------------------------------------------------------- */
/* r[i] lane l <-> r[l] lane i: unpacks within 128-bit lanes, then one round of 128-bit permutes. */
AI void vf_transpose(vf r[8])
{
    vf t[8], u[8];
    for (int p = 0; p < 4; p++) {
        t[2 * p] = _mm256_unpacklo_ps(r[2 * p], r[2 * p + 1]);
        t[2 * p + 1] = _mm256_unpackhi_ps(r[2 * p], r[2 * p + 1]);
    }
    for (int g = 0; g < 2; g++) /* u[4g + c]: in 128-bit lane q, column 4q + c of rows 4g..4g+3 */
        for (int c = 0; c < 4; c++) {
            const vd a = _mm256_castps_pd(t[4 * g + (c >> 1)]), b = _mm256_castps_pd(t[4 * g + 2 + (c >> 1)]);
            u[4 * g + c] = _mm256_castpd_ps(c & 1 ? _mm256_unpackhi_pd(a, b) : _mm256_unpacklo_pd(a, b));
        }
    for (int c = 0; c < 4; c++) {
        r[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
        r[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
    }
}
AI void vd_transpose(vd r[4])
{
    const vd t0 = _mm256_unpacklo_pd(r[0], r[1]); /* r0[0] r1[0] r0[2] r1[2] */
    const vd t1 = _mm256_unpackhi_pd(r[0], r[1]); /* r0[1] r1[1] r0[3] r1[3] */
    const vd t2 = _mm256_unpacklo_pd(r[2], r[3]);
    const vd t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}
/* p[0..16) as pairs: *even = p[0], p[2], ..; *odd = p[1], p[3], .. (shuffles within 128-bit lanes
 * give x0 x1 x4 x5 | x2 x3 x6 x7, one cross-lane permute restores the order). */
AI void vf_loadu_pairs(const float *p, vf *even, vf *odd)
{
    const vf p0 = _mm256_loadu_ps(p), p1 = _mm256_loadu_ps(p + 8);
    const vf xs = _mm256_shuffle_ps(p0, p1, _MM_SHUFFLE(2, 0, 2, 0));
    const vf ys = _mm256_shuffle_ps(p0, p1, _MM_SHUFFLE(3, 1, 3, 1));
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(xs), _MM_SHUFFLE(3, 1, 2, 0)));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(ys), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* ---- bits and bytes --------------------------------------------------------------------------- */
/* The low popcount(mask) bits of src scattered to the set bits of mask (PDEP). */
AI uint64_t rf_deposit(uint64_t src, uint64_t mask) { return _pdep_u64(src, mask); }

/* VPMOVMSKB reads bit 7 of each byte, so the bytes are first shifted left by 7 (within 16-bit
 * lanes: bit 0 of each byte lands on bit 7 of the same byte). Tails go 8 bytes at a time through
 * PEXT with 0x0101..01. Bit i of out = b[i] & 1, ceil(n/64) words, unused high bits 0. */
AI void rf_pack_lsb(const uint8_t *b, size_t n, uint64_t *out)
{
    const size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) out[w] = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i v = _mm256_slli_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(b + i)), 7);
        out[i / 64] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(v) << (i % 64);
    }
    for (; i < n; i += 8) {
        const size_t cnt = n - i < 8 ? n - i : 8;
        uint64_t v = 0;
        memcpy(&v, b + i, cnt);
        out[i / 64] |= _pext_u64(v, 0x0101010101010101ull) << (i % 64);
    }
}

/* Bit i of out = (b[i] == 0), the layout of rf_pack_lsb. */
AI void rf_pack_zero(const uint8_t *b, size_t n, uint64_t *out)
{
    const size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) out[w] = 0;
    const __m256i zero = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));
        out[i / 64] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, zero)) << (i % 64);
    }
    for (; i < n; i++) out[i / 64] |= (uint64_t)(b[i] == 0) << (i % 64);
}

/* x_i = bit i of w ? -1.0f : +1.0f, i < n (n a power of two): 8 bits -> 8 floats by broadcast,
 * VPSLLVD moving bit j of lane j to the sign, OR 1.0f. */
AI void rf_expand_f32(const uint64_t *w, size_t n, float *x)
{
    if (n < 8) {
        for (size_t i = 0; i < n; i++) x[i] = (w[0] >> i) & 1 ? -1.0f : 1.0f;
        return;
    }
    const __m256i sh = _mm256_setr_epi32(31, 30, 29, 28, 27, 26, 25, 24);
    const __m256i sign = _mm256_set1_epi32((int)0x80000000u), one = _mm256_set1_epi32(0x3f800000);
    for (size_t i = 0; i < n; i += 8) {
        const __m256i v = _mm256_set1_epi32((int)((w[i / 64] >> (i % 64)) & 0xff));
        const __m256i s = _mm256_and_si256(_mm256_sllv_epi32(v, sh), sign);
        _mm256_storeu_ps(x + i, _mm256_castsi256_ps(_mm256_or_si256(s, one)));
    }
}

/* out[q] = bit q of w as a byte 0/1, q < count <= 64 (PDEP spreads 8 bits into 8 bytes). */
AI void rf_bits_to_bytes(uint64_t w, size_t count, uint8_t *out)
{
    size_t q = 0;
    for (; q + 8 <= count; q += 8) {
        const uint64_t b = _pdep_u64(w >> q, 0x0101010101010101ull);
        memcpy(out + q, &b, 8);
    }
    for (; q < count; q++) out[q] = (w >> q) & 1;
}

/* w = a ^ v over len bytes (w may be a): 32, then 16 bytes at a time, then 8, 4, 1. */
AI void rf_xor_bytes(uint8_t *w, const uint8_t *a, const uint8_t *v, size_t len)
{
    size_t i = 0;
    for (; i + 32 <= len; i += 32)
        _mm256_storeu_si256((void *)(w + i), _mm256_xor_si256(_mm256_loadu_si256((const void *)(a + i)),
                                                              _mm256_loadu_si256((const void *)(v + i))));
    if (len - i >= 16) {
        _mm_storeu_si128((void *)(w + i), _mm_xor_si128(_mm_loadu_si128((const void *)(a + i)),
                                                        _mm_loadu_si128((const void *)(v + i))));
        i += 16;
    }
    rf_xor_bytes_tail(w, a, v, i, len);
}

/* ---- int8 (polar_sc_i8) ------------------------------------------------------------------------ */
typedef __m256i vi8;
typedef __m256i mi8; /* all-ones / all-zero bytes */
#define VB_LANES 32
AI vi8 vb_loadu(const int8_t *p) { return _mm256_loadu_si256((const void *)p); }
AI void vb_storeu(int8_t *p, vi8 v) { _mm256_storeu_si256((void *)p, v); }
AI vi8 vb_set1(int8_t x) { return _mm256_set1_epi8(x); }
AI vi8 vb_zero(void) { return _mm256_setzero_si256(); }
AI vi8 vb_adds(vi8 a, vi8 b) { return _mm256_adds_epi8(a, b); }
AI vi8 vb_subs(vi8 a, vi8 b) { return _mm256_subs_epi8(a, b); }
AI vi8 vb_min(vi8 a, vi8 b) { return _mm256_min_epi8(a, b); }
AI vi8 vb_max(vi8 a, vi8 b) { return _mm256_max_epi8(a, b); }
AI vi8 vb_abs(vi8 a) { return _mm256_abs_epi8(a); }
AI vi8 vb_xor(vi8 a, vi8 b) { return _mm256_xor_si256(a, b); }
AI mi8 vb_lt0(vi8 a) { return _mm256_cmpgt_epi8(_mm256_setzero_si256(), a); }
AI mi8 vb_eq0(vi8 a) { return _mm256_cmpeq_epi8(a, _mm256_setzero_si256()); }
AI vi8 vb_neg_where(mi8 m, vi8 v) { return _mm256_sub_epi8(_mm256_xor_si256(v, m), m); }
AI vi8 vb_select(mi8 m, vi8 a, vi8 b) { return _mm256_blendv_epi8(b, a, m); }
AI mi8 mb_zeros(void) { return _mm256_setzero_si256(); }
AI mi8 mb_or(mi8 a, mi8 b) { return _mm256_or_si256(a, b); }
AI mi8 mb_xor(mi8 a, mi8 b) { return _mm256_xor_si256(a, b); }
AI int mb_any(mi8 m) { return !_mm256_testz_si256(m, m); }
AI uint64_t mb_bits(mi8 m) { return (uint32_t)_mm256_movemask_epi8(m); }
/* p[0..n) into the low lanes, the rest 0; n < 32 a power of two (or 0). */
AI vi8 vb_loadn(const int8_t *p, size_t n)
{
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
    return _mm256_zextsi128_si256(lo);
}
/* writes p[0..n) from the low lanes, n < 32 a power of two. */
AI void vb_storen(int8_t *p, size_t n, vi8 v)
{
    const __m128i lo = _mm256_castsi256_si128(v);
    if (n == 16) _mm_storeu_si128((void *)p, lo);
    else if (n == 8) _mm_storel_epi64((void *)p, lo);
    else {
        const int32_t w = _mm_cvtsi128_si32(lo);
        if (n == 4) memcpy(p, &w, 4);
        else if (n == 2) memcpy(p, &w, 2);
        else if (n == 1) memcpy(p, &w, 1);
    }
}
AI mi8 mb_from_01(vi8 a) { return _mm256_sub_epi8(_mm256_setzero_si256(), a); } /* 0 - 1 = all ones */
AI mi8 mb_from_u8(const uint8_t *x) { return mb_from_01(_mm256_loadu_si256((const void *)x)); }
/* VPSIGNB with s | 1 (never 0, same sign bit) */
AI vi8 vb_neg_if_neg(vi8 v, vi8 s) { return _mm256_sign_epi8(v, _mm256_or_si256(s, _mm256_set1_epi8(1))); }

#endif
