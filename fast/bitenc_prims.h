/* Level-specific primitives of the packed encoder engine (fast/bitenc.h), chosen by the ISA macros
 * of the including file's flags: AVX-512 BW (x86-64-v4), AVX2 + BMI2 (x86-64-v3), AArch64 NEON.
 *   pack_lsb(b, n, out)    bit i of out = b[i] & 1, ceil(n/64) words, unused high bits 0
 *   pack_zero(b, n, out)   bit i of out = (b[i] == 0), same layout
 *   deposit(src, mask)     the low popcount(mask) bits of src scattered to the set bits of mask
 *   expand_f32(w, n, x)    x_i = bit i of w ? -1.0f : +1.0f, i < n
 * Every load and store is unaligned; tails never touch memory beyond b[n) or x[n).
 */
#ifndef REFAST_FAST_BITENC_PRIMS_H
#define REFAST_FAST_BITENC_PRIMS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__AVX512BW__)
#include <immintrin.h>

/* VPTESTMB turns 64 bytes into 64 mask bits; the tail is a masked (non-faulting) load. */
static inline void pack_lsb(const uint8_t *b, size_t n, uint64_t *out)
{
    const __m512i one = _mm512_set1_epi8(1);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) out[i / 64] = _mm512_test_epi8_mask(_mm512_loadu_si512(b + i), one);
    if (i < n) {
        const __mmask64 t = (1ull << (n - i)) - 1;
        out[i / 64] = _mm512_mask_test_epi8_mask(t, _mm512_maskz_loadu_epi8(t, b + i), one);
    }
}

static inline void pack_zero(const uint8_t *b, size_t n, uint64_t *out)
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

static inline uint64_t deposit(uint64_t src, uint64_t mask)
{
    return _pdep_u64(src, mask);
}

/* 16 bits -> 16 floats by one mask blend. n is a power of two, so n < 16 is a single masked store. */
static inline void expand_f32(const uint64_t *w, size_t n, float *x)
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

#elif defined(__AVX2__)
#include <immintrin.h>

/* VPMOVMSKB reads bit 7 of each byte, so the bytes are first shifted left by 7 (within 16-bit
 * lanes: bit 0 of each byte lands on bit 7 of the same byte). Tails go 8 bytes at a time through
 * PEXT with 0x0101..01. */
static inline uint64_t pack8_lsb(const uint8_t *b, size_t cnt)
{
    uint64_t v = 0;
    memcpy(&v, b, cnt);
    return _pext_u64(v, 0x0101010101010101ull);
}

static inline void pack_lsb(const uint8_t *b, size_t n, uint64_t *out)
{
    const size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) out[w] = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i v = _mm256_slli_epi16(_mm256_loadu_si256((const __m256i *)(b + i)), 7);
        out[i / 64] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(v) << (i % 64);
    }
    for (; i < n; i += 8) {
        const size_t cnt = n - i < 8 ? n - i : 8;
        out[i / 64] |= pack8_lsb(b + i, cnt) << (i % 64);
    }
}

static inline void pack_zero(const uint8_t *b, size_t n, uint64_t *out)
{
    const size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) out[w] = 0;
    const __m256i zero = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(b + i));
        out[i / 64] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, zero)) << (i % 64);
    }
    for (; i < n; i++) out[i / 64] |= (uint64_t)(b[i] == 0) << (i % 64);
}

static inline uint64_t deposit(uint64_t src, uint64_t mask)
{
    return _pdep_u64(src, mask);
}

/* 8 bits -> 8 floats: broadcast, VPSLLVD moves bit j of lane j to the sign position, OR 1.0f. */
static inline void expand_f32(const uint64_t *w, size_t n, float *x)
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

#elif defined(__ARM_NEON)
#include <arm_neon.h>

/* 16 bytes -> 16 bits: keep bit 0 (or the compare result), shift byte j left by j % 8, and add
 * across each 8-byte half (the shifted bits are disjoint, so the sum is their OR). */
static inline uint64_t neon_bits16(uint8x16_t v01)
{
    static const int8_t shifts[16] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7};
    const uint8x16_t s = vshlq_u8(v01, vld1q_s8(shifts));
    return (uint64_t)vaddv_u8(vget_low_u8(s)) | (uint64_t)vaddv_u8(vget_high_u8(s)) << 8;
}

static inline void pack_lsb(const uint8_t *b, size_t n, uint64_t *out)
{
    const size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) out[w] = 0;
    const uint8x16_t one = vdupq_n_u8(1);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) out[i / 64] |= neon_bits16(vandq_u8(vld1q_u8(b + i), one)) << (i % 64);
    for (; i < n; i++) out[i / 64] |= (uint64_t)(b[i] & 1u) << (i % 64);
}

static inline void pack_zero(const uint8_t *b, size_t n, uint64_t *out)
{
    const size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) out[w] = 0;
    const uint8x16_t one = vdupq_n_u8(1);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        out[i / 64] |= neon_bits16(vandq_u8(vceqzq_u8(vld1q_u8(b + i)), one)) << (i % 64);
    for (; i < n; i++) out[i / 64] |= (uint64_t)(b[i] == 0) << (i % 64);
}

/* No PDEP on AArch64: one step per set bit of the mask. */
static inline uint64_t deposit(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (; mask; mask &= mask - 1, src >>= 1)
        if (src & 1) r |= mask & (~mask + 1);
    return r;
}

/* 4 bits -> 4 floats: broadcast, shift bit j of lane j to the sign position, OR 1.0f. */
static inline void expand_f32(const uint64_t *w, size_t n, float *x)
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

#else
#error "fast/bitenc_prims.h: no AVX-512 BW, AVX2 or NEON in this compilation"
#endif

#endif
