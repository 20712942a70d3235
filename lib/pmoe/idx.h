/* IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed (zlib reads both):
 *   bytes 0-1: 0; byte 2: element type (only 0x08, unsigned byte, is accepted); byte 3: number of
 *   dimensions; then each dimension as a big-endian uint32; then the elements, row-major.
 * Everything is validated -- magic, type, dimensions (1..4, each >= 1, total below 2^32 bytes),
 * the payload length (truncated or longer than the header says), gzip integrity -- and every
 * failure is one line "PATH: what is wrong"; nothing crashes on a damaged file. */
#ifndef REFAST_LIB_PMOE_IDX_H
#define REFAST_LIB_PMOE_IDX_H

#include <stddef.h>
#include <stdint.h>

#define RF_IDX_MAX_DIMS 4

typedef struct rf_idx {
    uint8_t *data; /* dims[0] items of `item` bytes each */
    size_t ndim, dims[RF_IDX_MAX_DIMS];
    size_t item; /* product of dims[1..] (1 for a 1-dimensional file) */
} rf_idx;

int rf_idx_read(const char *path, rf_idx *out, char *err, size_t errlen);
void rf_idx_free(rf_idx *idx);

/* A labelled image split: images (N x rows x cols, idx3) and labels (N, idx1) of the same N. */
typedef struct rf_idx_split {
    rf_idx images, labels;
    size_t count, rows, cols;
} rf_idx_split;

/* Reads DIR/<split>-images-idx3-ubyte[.gz] and DIR/<split>-labels-idx1-ubyte[.gz] (also the
 * "<split>-images.idx3-ubyte" spelling of some MNIST copies); split is "train" or "t10k". */
int rf_idx_split_read(const char *dir, const char *split, rf_idx_split *out, char *err, size_t errlen);
void rf_idx_split_free(rf_idx_split *s);

#endif
