/* Path bookkeeping shared by the vector list decoders (fast/generic/polar_scl.c, SC list;
 * fast/generic/polar_fscl.c, Fast-SSC list): pools of equal-sized arrays with reference counts,
 * so that a fork copies array ids, not arrays (Tal and Vardy's lazy copy, as copy-on-write), and
 * the candidate ranking of ref/polar_scl.c (metric ascending, NaN last, then candidate number)
 * over integer keys.
 */
#ifndef REFAST_FAST_POLAR_LIST_H
#define REFAST_FAST_POLAR_LIST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refast/decoders.h"

typedef struct scl_pool {
    size_t elem; /* bytes per array */
    unsigned char *data;
    int *refs;
    int *free_ids;
    int nfree, count;
} scl_pool;

static inline int scl_pool_init(scl_pool *p, size_t elem, unsigned count)
{
    p->elem = elem;
    p->count = (int)count;
    p->data = malloc(elem * count);
    p->refs = calloc(count, sizeof *p->refs);
    p->free_ids = malloc(count * sizeof *p->free_ids);
    p->nfree = (int)count;
    return (!p->data || !p->refs || !p->free_ids) ? -1 : 0;
}

static inline void scl_pool_free(scl_pool *p)
{
    free(p->data);
    free(p->refs);
    free(p->free_ids);
}

/* Every array unreferenced and free again (a new frame). */
static inline void scl_pool_reset(scl_pool *p)
{
    p->nfree = p->count;
    for (int i = 0; i < p->count; i++) {
        p->refs[i] = 0;
        p->free_ids[i] = p->count - 1 - i;
    }
}

static inline void scl_pool_release(scl_pool *p, int id)
{
    if (id >= 0 && --p->refs[id] == 0) p->free_ids[p->nfree++] = id;
}

/* Makes *id a private array; its content is undefined (every caller rewrites all of it). */
static inline void *scl_pool_writable(scl_pool *p, int *id)
{
    if (*id < 0 || p->refs[*id] > 1) {
        scl_pool_release(p, *id);
        *id = p->free_ids[--p->nfree];
        p->refs[*id] = 1;
    }
    return p->data + (size_t)*id * p->elem;
}

static inline void *scl_pool_get(const scl_pool *p, int id)
{
    return p->data + (size_t)id * p->elem;
}

static inline void scl_pool_share(scl_pool *p, int id)
{
    if (id >= 0) p->refs[id]++;
}

/* Ranking key of candidate c, ordered exactly as ref's (metric, NaN last, c). Metrics are sums
 * of +0 and fabsf values, so they are +0..+inf or NaN (never negative, never -0): the bits of a
 * non-negative float order like the float, and clearing the sign bit and clamping every NaN to
 * inf + 1 ulp makes all NaNs one value above +inf, tied as in ref. c breaks ties in the low bits. */
static inline uint64_t scl_key(float metric, int c)
{
    uint32_t b;
    memcpy(&b, &metric, sizeof b);
    b &= 0x7fffffffu;
    if (b > 0x7f800001u) b = 0x7f800001u;
    return (uint64_t)b << 6 | (uint64_t)c;
}

/* The value of rank r (0-based) among the n distinct keys in k (reordered): quickselect with
 * Hoare partitions around the middle element, O(n) on average. */
static inline uint64_t scl_kth_key(uint64_t *k, int n, int r)
{
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        const uint64_t pivot = k[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (k[i] < pivot) i++;
            while (k[j] > pivot) j--;
            if (i <= j) {
                const uint64_t t = k[i];
                k[i++] = k[j];
                k[j--] = t;
            }
        }
        if (r <= j) hi = j;
        else if (r >= i) lo = i;
        else return k[r];
    }
    return k[r];
}

/* keep[c] = 1 for the L candidates first under the key. The keys are distinct (c in the low
 * bits), so the survivors are those up to the L-th smallest key. Up to 32 candidates each one's
 * rank is counted over all (branch-free); beyond, one quickselect (O(P) rather than O(P^2)). The
 * crossover is measured: quickselect for every size made polar_scl at L = 8 (16 candidates)
 * 10-31% slower in CI's gate. */
static inline void scl_select(const float *cm, int nc, unsigned L, uint8_t *keep)
{
    if (nc <= (int)L) {
        for (int c = 0; c < nc; c++) keep[c] = 1;
        return;
    }
    uint64_t key[2 * RF_SCL_MAX_L], work[2 * RF_SCL_MAX_L];
    for (int c = 0; c < nc; c++) work[c] = key[c] = scl_key(cm[c], c);
    if (nc <= 32) {
        for (int c = 0; c < nc; c++) {
            const uint64_t kc = key[c];
            uint64_t rank = 0;
            for (int q = 0; q < nc; q++) rank += (uint64_t)(key[q] < kc);
            keep[c] = rank < L;
        }
        return;
    }
    const uint64_t last = scl_kth_key(work, nc, (int)L - 1);
    for (int c = 0; c < nc; c++) keep[c] = key[c] <= last;
}

#endif
