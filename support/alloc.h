/* Aligned, zero-filled allocation, and the guarded placements of the judge.
 *
 * rf_alloc: every array of a golden case and the scratch of kernels that want whole cache lines
 * (64-byte alignment; the size rounded up to a multiple of 64, so a small overrun goes unnoticed:
 * the judge does not run kernels on such arrays).
 *
 * rf_alloc_placed: an array at its exact size next to PROT_NONE guard pages, so that any access
 * outside it faults (the judge, harness/compare.c, catches the fault and names the kernel, the
 * level, the case and the placement). Placements (SPEC §3: any length, any alignment):
 *   RF_PLACE_END     the last byte sits just before a guard page: reading or writing past the end
 *                    faults; the start's alignment is whatever the size makes it
 *   RF_PLACE_START   the array starts `offset` bytes after a guard page (offset 0: reading before
 *                    the start faults; offset k: the start is k bytes past a 4096-byte boundary,
 *                    so aligned vector loads on it fault), with a guard page after the last
 *                    page it touches
 * Both are zero-filled. Free with rf_free_placed (the base and length it returns).
 */
#ifndef REFAST_SUPPORT_ALLOC_H
#define REFAST_SUPPORT_ALLOC_H

#include <stddef.h>

/* NULL when the size overflows or memory runs out. Free with rf_free. */
void *rf_alloc(size_t bytes);
void rf_free(void *p);

typedef enum rf_place_mode { RF_PLACE_ALIGNED = 0, RF_PLACE_END, RF_PLACE_START } rf_place_mode;

typedef struct rf_placement {
    rf_place_mode mode;
    size_t offset; /* RF_PLACE_START: bytes between the guard page and the array */
} rf_placement;

/* RF_PLACE_ALIGNED gives rf_alloc (then *base = the pointer, *len = 0). NULL on failure. */
void *rf_alloc_placed(size_t bytes, rf_placement place, void **base, size_t *len);
void rf_free_placed(void *base, size_t len);

#endif
