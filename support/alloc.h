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
 *
 * `refast verify --sweep` misaligns every array of a case by k ELEMENTS of its own type (so each
 * array stays aligned to its element size: no C alignment UB), k taken modulo the level's vector
 * width `span` in bytes: rf_placement.elems = k, .span = width. rf_place_resolve turns that into
 * the byte placement of one array: RF_PLACE_START starts it (offset + k * size mod span) bytes
 * after its guard page; RF_PLACE_END leaves that many bytes between its end and the guard page
 * (an array flush against the guard has its start's alignment fixed by its size; the slack sweeps
 * it through every residue, the k = 0 run keeps the guard flush).
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
    size_t offset; /* START: bytes between the guard page and the array; END: bytes after the array */
    size_t elems;  /* a further offset in elements of each array's type (rf_place_resolve) */
    size_t span;   /* elems * element size is taken modulo span bytes (0: not reduced) */
} rf_placement;

/* The placement of one array of element size `elem_size`: offset in bytes, elems = span = 0. */
rf_placement rf_place_resolve(rf_placement place, size_t elem_size);

/* `place` in bytes (resolved). RF_PLACE_ALIGNED gives rf_alloc (then *base = the pointer, *len = 0). NULL on failure. */
void *rf_alloc_placed(size_t bytes, rf_placement place, void **base, size_t *len);
void rf_free_placed(void *base, size_t len);

#endif
