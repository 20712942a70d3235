/* The node schedule and the bit-form transform shared by the vector SC decoders
 * (fast/generic/polar_sc.c, float; fast/generic/polar_sc_i8.c, int8): the frozen mask classified
 * into a heap of node types, and the emission of a shortcut node's decisions (x as bytes, then
 * u = x F^{(x)n} in bit form appended to the message). Pure bit manipulation: identical for any
 * LLR type.
 */
#ifndef REFAST_FAST_POLAR_TREE_H
#define REFAST_FAST_POLAR_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "simd.h"

enum { NODE_MIXED = 0, NODE_RATE0 = 1, NODE_RATE1 = 2, NODE_REP = 3, NODE_SPC = 4 };

/* In-word stages of u = x F^{(x)n} on bits (bit j = position j): u_j ^= u_{j+h} for j without
 * bit h, h = 1..32. Bits at and above n are zero, so the stages with h >= n change nothing. */
static inline uint64_t polar_transform_word(uint64_t w)
{
    w ^= (w >> 1) & 0x5555555555555555ull;
    w ^= (w >> 2) & 0x3333333333333333ull;
    w ^= (w >> 4) & 0x0f0f0f0f0f0f0f0full;
    w ^= (w >> 8) & 0x00ff00ff00ff00ffull;
    w ^= (w >> 16) & 0x0000ffff0000ffffull;
    w ^= (w >> 32) & 0x00000000ffffffffull;
    return w;
}

/* Writes x (bytes) from the hard-decision bits (n of them, 64 per word; overwritten), then
 * u = x F^{(x)n} in bit form, and writes u[skip..n) to u (skip = 1: an SPC node's frozen first
 * bit, 0 by construction). */
static inline void polar_emit(uint64_t *bits, size_t n, size_t skip, uint8_t *x, uint8_t *u)
{
    if (n <= 64) {
        rf_bits_to_bytes(bits[0], n, x);
        rf_bits_to_bytes(polar_transform_word(bits[0]) >> skip, n - skip, u);
        return;
    }
    const size_t words = n >> 6;
    for (size_t w = 0; w < words; w++) {
        rf_bits_to_bytes(bits[w], 64, x + 64 * w);
        bits[w] = polar_transform_word(bits[w]);
    }
    for (size_t h = 1; h < words; h <<= 1)
        for (size_t b = 0; b < words; b += 2 * h)
            for (size_t w = b; w < b + h; w++) bits[w] ^= bits[w + h];
    for (size_t w = 0; w < words; w++) {
        const uint64_t next = w + 1 < words ? bits[w + 1] : 0;
        const uint64_t v = skip ? (bits[w] >> 1) | (next << 63) : bits[w];
        rf_bits_to_bytes(v, w + 1 < words ? 64 : 64 - skip, u + 64 * w);
    }
}

/* Node types bottom-up in heap order (2N entries): rate-0, rate-1 (an information leaf is
 * rate-1), repetition (rate-0 left half, repetition or information-leaf right half), SPC (SPC or
 * 2-leaf repetition left half, rate-1 right half), mixed. */
static inline void polar_classify(unsigned m, const uint8_t *frozen, uint8_t *type)
{
    const size_t n = (size_t)1 << m;
    for (size_t i = 0; i < n; i++) type[n + i] = frozen[i] ? NODE_RATE0 : NODE_RATE1;
    for (size_t v = n - 1; v >= 1; v--) {
        const uint8_t a = type[2 * v], b = type[2 * v + 1];
        if (a == b && (a == NODE_RATE0 || a == NODE_RATE1)) type[v] = a;
        else if (b == NODE_RATE1 && (a == NODE_SPC || (a == NODE_REP && 4 * v >= n))) type[v] = NODE_SPC;
        else if (a == NODE_RATE0 && (b == NODE_REP || (b == NODE_RATE1 && 2 * v + 1 >= n))) type[v] = NODE_REP;
        else type[v] = NODE_MIXED;
    }
}

#endif
