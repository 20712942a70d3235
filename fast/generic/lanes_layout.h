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

/* The lane layout of k bytes per frame (src, k VF_LANES bytes) back to VF_LANES consecutive frames
 * of k bytes (dst). */
static inline void lanes_scatter_bytes(const uint8_t *src, size_t k, uint8_t *dst)
{
    for (size_t l = 0; l < VF_LANES; l++)
        for (size_t j = 0; j < k; j++) dst[l * k + j] = src[j * VF_LANES + l];
}

#endif
