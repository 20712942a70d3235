/* Aligned, zero-filled allocation: every array of a golden case, and the scratch of kernels that
 * want whole cache lines (64-byte alignment; the size is rounded up to a multiple of 64). */
#ifndef REFAST_SUPPORT_ALLOC_H
#define REFAST_SUPPORT_ALLOC_H

#include <stddef.h>

/* NULL when the size overflows or memory runs out. Free with rf_free. */
void *rf_alloc(size_t bytes);
void rf_free(void *p);

#endif
