/* Aligned, zero-filled allocation (support/alloc.h). */
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

void *rf_alloc(size_t bytes)
{
    size_t rounded = (bytes + 63) & ~(size_t)63;
    if (rounded < bytes) return NULL;
    void *p = aligned_alloc(64, rounded ? rounded : 64);
    if (p) memset(p, 0, rounded ? rounded : 64);
    return p;
}

void rf_free(void *p)
{
    free(p);
}
