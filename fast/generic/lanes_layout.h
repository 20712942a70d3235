/* The frames-in-lanes layout shared by the fast decoders that decode VF_LANES frames at once
 * (dumer.c, polar_sc_lanes.h): coordinate i of the VF_LANES frames is one register, i.e. frame l's
 * coordinate i sits at i VF_LANES + l. Frames come in and go out in the caller's layout (frame
 * after frame); these helpers convert, with register transposes where a frame holds at least a
 * register, element by element below that.
 */
#ifndef REFAST_FAST_LANES_LAYOUT_H
#define REFAST_FAST_LANES_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "simd.h"

/* dst[i VF_LANES + l] = src[l stride + i], i, l < VF_LANES: one register transpose. */
AI void lanes_transpose_block(const float *src, size_t stride, float *dst)
{
    vf r[VF_LANES];
    for (size_t l = 0; l < VF_LANES; l++) r[l] = vf_loadu(src + l * stride);
    vf_transpose(r);
    for (size_t i = 0; i < VF_LANES; i++) vf_storeu(dst + i * VF_LANES, r[i]);
}

/* VF_LANES consecutive frames of n floats (src) into the lane layout (dst, n VF_LANES floats). */
static inline void lanes_gather(const float *src, size_t n, float *dst)
{
    if (n >= VF_LANES && n % VF_LANES == 0) {
        for (size_t i = 0; i < n; i += VF_LANES) lanes_transpose_block(src + i, n, dst + i * VF_LANES);
    } else {
        for (size_t l = 0; l < VF_LANES; l++)
            for (size_t i = 0; i < n; i++) dst[i * VF_LANES + l] = src[l * n + i];
    }
}

/* One stage of lanes_transpose_8x8_bytes: swap the d-byte blocks (x's upper, y's lower) of a pair. */
#define LANES_SWAP_BLOCKS(x, y, d, m)                                                           \
    do {                                                                                         \
        const uint64_t x_ = (x), y_ = (y);                                                       \
        (x) = (x_ & (m)) | ((y_ & (m)) << (8 * (d)));                                            \
        (y) = ((x_ >> (8 * (d))) & (m)) | (y_ & ~(m));                                           \
    } while (0)

/* a[s] byte t (little-endian) = a[t] byte s before, s, t < 8: the 8 x 8 byte transpose in three
 * stages of block swaps (4 x 4 blocks of bytes, then 2 x 2, then 1 x 1), written out so that the
 * eight words stay in registers. */
static inline void lanes_transpose_8x8_bytes(uint64_t a[8])
{
    const uint64_t m4 = 0x00000000ffffffffull, m2 = 0x0000ffff0000ffffull, m1 = 0x00ff00ff00ff00ffull;
    LANES_SWAP_BLOCKS(a[0], a[4], 4, m4);
    LANES_SWAP_BLOCKS(a[1], a[5], 4, m4);
    LANES_SWAP_BLOCKS(a[2], a[6], 4, m4);
    LANES_SWAP_BLOCKS(a[3], a[7], 4, m4);
    LANES_SWAP_BLOCKS(a[0], a[2], 2, m2);
    LANES_SWAP_BLOCKS(a[1], a[3], 2, m2);
    LANES_SWAP_BLOCKS(a[4], a[6], 2, m2);
    LANES_SWAP_BLOCKS(a[5], a[7], 2, m2);
    LANES_SWAP_BLOCKS(a[0], a[1], 1, m1);
    LANES_SWAP_BLOCKS(a[2], a[3], 1, m1);
    LANES_SWAP_BLOCKS(a[4], a[5], 1, m1);
    LANES_SWAP_BLOCKS(a[6], a[7], 1, m1);
}

/* The lane layout of k bytes per frame (src, k VF_LANES bytes) back to VF_LANES consecutive frames
 * of k bytes (dst): 8 bytes of 8 lanes at a time by lanes_transpose_8x8_bytes, the rest (k mod 8
 * bytes; every byte when VF_LANES < 8) one at a time. */
static inline void lanes_scatter_bytes(const uint8_t *src, size_t k, uint8_t *dst)
{
    size_t j0 = 0;
#if VF_LANES >= 8
    for (; j0 + 8 <= k; j0 += 8)
        for (size_t l0 = 0; l0 < VF_LANES; l0 += 8) {
            uint64_t a[8];
            for (unsigned t = 0; t < 8; t++) memcpy(&a[t], src + (j0 + t) * VF_LANES + l0, 8);
            lanes_transpose_8x8_bytes(a);
            for (unsigned s = 0; s < 8; s++) memcpy(dst + (l0 + s) * k + j0, &a[s], 8);
        }
#endif
    for (size_t l = 0; l < VF_LANES; l++)
        for (size_t j = j0; j < k; j++) dst[l * k + j] = src[j * VF_LANES + l];
}

#endif
