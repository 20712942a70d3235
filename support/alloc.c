/* Aligned and guarded allocation (support/alloc.h). MAP_ANONYMOUS is not in POSIX 2008: glibc
 * shows it under _DEFAULT_SOURCE. */
#define _DEFAULT_SOURCE
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

static size_t round_up(size_t x, size_t to)
{
    return (x + to - 1) / to * to;
}

rf_placement rf_place_resolve(rf_placement place, size_t elem_size)
{
    size_t shift = place.elems * elem_size;
    if (place.span) shift %= place.span;
    return (rf_placement){.mode = place.mode, .offset = place.offset + shift};
}

void *rf_alloc_placed(size_t bytes, rf_placement place, void **base, size_t *len)
{
    if (place.mode == RF_PLACE_ALIGNED) {
        void *p = rf_alloc(bytes);
        *base = p;
        *len = 0;
        return p;
    }
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t lead = place.mode == RF_PLACE_START ? page : 0;
    const size_t offset = place.offset; /* START: before the array; END: after it */
    if (bytes > SIZE_MAX / 2 - offset - 3 * page) return NULL;
    const size_t body = round_up(offset + bytes, page), total = lead + body + page;
    char *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    if ((lead && mprotect(m, lead, PROT_NONE) != 0) || mprotect(m + lead + body, page, PROT_NONE) != 0) {
        munmap(m, total);
        return NULL;
    }
    *base = m;
    *len = total;
    /* END: `offset` bytes before the trailing guard; START: `offset` bytes after the leading one */
    return place.mode == RF_PLACE_END ? m + body - offset - bytes : m + lead + offset;
}

void rf_free_placed(void *base, size_t len)
{
    if (!base) return;
    if (len) munmap(base, len);
    else rf_free(base);
}
