/* RM(m,r) and Polar(N,K) encoders of a vector level, one packed-word engine (mirrors
 * ref/rm_encode.c: rm_encode_packed_ref, rm_encode_f32_ref, and ref/polar_encode.c:
 * polar_encode_packed_ref, polar_encode_f32_ref). The level's bit and byte ops
 * (fast/<isa>/simd.h) do the packing:
 *   rf_pack_lsb(b, n, out)    bit i = b[i] & 1            (ceil(n/64) words, unused high bits 0)
 *   rf_pack_zero(b, n, out)   bit i = (b[i] == 0)
 *   rf_deposit(src, mask)     PDEP (BMI2 on x86; a loop over the mask bits on NEON)
 *   rf_expand_f32(w, n, x)    x_i = bit i ? -1 : +1
 *
 * Why it works. Both codes are a binary zeta transform of a sparse vector w of n bits:
 *   RM(m,r), canonical order:  c_i = XOR_{j subset of i} w_j, the message bits at the positions j
 *       with popcount(j) <= r in increasing order (unrolling SPEC's recursion (u, u XOR v): the
 *       first half keeps w_a's transform, the second half gets the transform of w_a XOR w_b, and
 *       the message is consumed first half first, i.e. in increasing index order);
 *   Polar: x = u F^{(x)n}, x_i = XOR_{j superset of i} u_j (F[a][b] = 1 iff b <= a bitwise).
 * So a frame is: pack its k message bits (SIMD), deposit them word by word into the information
 * positions of that word (PDEP with a per-word mask; consecutive words take consecutive message
 * bits), and run the m butterfly levels on whole words: levels 0..5 inside a word as
 * x ^= (x & LO_s) << 2^s (RM) or x ^= (x >> 2^s) & LO_s (polar), levels >= 6 as XORs of whole
 * words h = 2^(s-6) apart (vectorised by the compiler at the level's width). The levels commute,
 * so the in-word ones run first, word by word. Frames shorter than 64 bits use only the low n bits
 * of their word; the shifts never carry a bit past n (RM) or bring one in from above n (polar).
 * The float form expands the packed codeword to +-1.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refast/codes.h"
#include "simd.h"

#define BITENC_MAX_WORDS ((size_t)1 << (16 - 6))

typedef struct bitenc_plan {
    unsigned log2n;
    int superset;      /* 0: RM (subset zeta), 1: polar (superset zeta) */
    size_t n, words, k;
    uint64_t mask[BITENC_MAX_WORDS];    /* information positions of each word */
    uint32_t offset[BITENC_MAX_WORDS];  /* message bit of the first one */
} bitenc_plan;

/* Bits with bit s of their index clear, s = 0..5. */
static const uint64_t bitenc_lo[6] = {0x5555555555555555ull, 0x3333333333333333ull, 0x0F0F0F0F0F0F0F0Full,
                                      0x00FF00FF00FF00FFull, 0x0000FFFF0000FFFFull, 0x00000000FFFFFFFFull};

/* Positions t in [0, 64) with popcount(t) <= d (d < 0: none). */
static inline uint64_t bitenc_weight_mask(int d)
{
    uint64_t mk = 0;
    for (unsigned t = 0; t < 64; t++)
        if ((int)__builtin_popcount(t) <= d) mk |= 1ull << t;
    return mk;
}

static inline void bitenc_offsets(bitenc_plan *p)
{
    size_t off = 0;
    for (size_t w = 0; w < p->words; w++) {
        p->offset[w] = (uint32_t)off;
        off += (size_t)__builtin_popcountll(p->mask[w]);
    }
    p->k = off;
}

static inline void bitenc_plan_rm(bitenc_plan *p, unsigned m, unsigned r)
{
    p->log2n = m;
    p->superset = 0;
    p->n = (size_t)1 << m;
    p->words = rf_packed_words(p->n);
    uint64_t by_weight[8];
    for (int d = 0; d < 8; d++) by_weight[d] = bitenc_weight_mask(d);
    if (m < 6) {
        p->mask[0] = by_weight[r] & ((1ull << p->n) - 1);
    } else {
        for (size_t w = 0; w < p->words; w++) {
            const int d = (int)r - __builtin_popcountll(w);
            p->mask[w] = d < 0 ? 0 : by_weight[d > 7 ? 7 : d];
        }
    }
    bitenc_offsets(p);
}

static inline void bitenc_plan_polar(bitenc_plan *p, unsigned log2n, const uint8_t *frozen)
{
    p->log2n = log2n;
    p->superset = 1;
    p->n = (size_t)1 << log2n;
    p->words = rf_packed_words(p->n);
    rf_pack_zero(frozen, p->n, p->mask);
    bitenc_offsets(p);
}

/* The 64 message bits starting at bit o of bits (which has a zero word past its end). */
static inline uint64_t bitenc_extract(const uint64_t *bits, size_t o)
{
    const size_t q = o / 64, s = o % 64;
    return s ? (bits[q] >> s) | (bits[q + 1] << (64 - s)) : bits[q];
}

static inline void bitenc_transform(uint64_t *x, size_t words, unsigned log2n, int superset)
{
    const unsigned inword = log2n < 6 ? log2n : 6;
    if (superset) {
        for (size_t w = 0; w < words; w++) {
            uint64_t v = x[w];
            for (unsigned s = 0; s < inword; s++) v ^= (v >> (1u << s)) & bitenc_lo[s];
            x[w] = v;
        }
        for (size_t h = 1; h < words; h *= 2)
            for (size_t i = 0; i < words; i += 2 * h)
                for (size_t j = i; j < i + h; j++) x[j] ^= x[j + h];
    } else {
        for (size_t w = 0; w < words; w++) {
            uint64_t v = x[w];
            for (unsigned s = 0; s < inword; s++) v ^= (v & bitenc_lo[s]) << (1u << s);
            x[w] = v;
        }
        for (size_t h = 1; h < words; h *= 2)
            for (size_t i = 0; i < words; i += 2 * h)
                for (size_t j = i; j < i + h; j++) x[j + h] ^= x[j];
    }
}

/* One frame: k message bytes -> p->words codeword words. bits: scratch of k/64 + 2 words. */
static inline void bitenc_frame(const bitenc_plan *p, const uint8_t *msg, uint64_t *bits, uint64_t *cw)
{
    const size_t kw = rf_packed_words(p->k);
    rf_pack_lsb(msg, p->k, bits);
    bits[kw] = 0;
    for (size_t w = 0; w < p->words; w++)
        cw[w] = p->mask[w] ? rf_deposit(bitenc_extract(bits, p->offset[w]), p->mask[w]) : 0;
    bitenc_transform(cw, p->words, p->log2n, p->superset);
}

static inline void bitenc_packed(const bitenc_plan *p, const uint8_t *msg, size_t frames, uint64_t *cw)
{
    uint64_t bits[BITENC_MAX_WORDS + 2];
    for (size_t f = 0; f < frames; f++) bitenc_frame(p, msg + f * p->k, bits, cw + f * p->words);
}

static inline void bitenc_f32(const bitenc_plan *p, const uint8_t *msg, size_t frames, float *x)
{
    uint64_t bits[BITENC_MAX_WORDS + 2], cw[BITENC_MAX_WORDS];
    for (size_t f = 0; f < frames; f++) {
        bitenc_frame(p, msg + f * p->k, bits, cw);
        rf_expand_f32(cw, p->n, x + f * p->n);
    }
}

void RF_LEVEL_FN(rm_encode_packed)(unsigned m, unsigned r, const uint8_t *msg, size_t frames, uint64_t *cw)
{
    bitenc_plan p;
    bitenc_plan_rm(&p, m, r);
    bitenc_packed(&p, msg, frames, cw);
}

void RF_LEVEL_FN(rm_encode_f32)(unsigned m, unsigned r, const uint8_t *msg, size_t frames, float *x)
{
    bitenc_plan p;
    bitenc_plan_rm(&p, m, r);
    bitenc_f32(&p, msg, frames, x);
}

void RF_LEVEL_FN(polar_encode_packed)(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                                      uint64_t *cw)
{
    bitenc_plan p;
    bitenc_plan_polar(&p, log2n, frozen);
    bitenc_packed(&p, msg, frames, cw);
}

void RF_LEVEL_FN(polar_encode_f32)(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                                   float *x)
{
    bitenc_plan p;
    bitenc_plan_polar(&p, log2n, frozen);
    bitenc_f32(&p, msg, frames, x);
}
