/* Polar successive-cancellation list decoder, scalar reference (SPEC §5.1 "SC list decoder").
 *
 * Every path runs the SC recursion of ref/polar_sc.c (same f, same g, same leaf LLRs); the list
 * keeps the `list` best paths by path metric in the LLR domain:
 *   PM(child) = PM(parent) + (u == [L < 0] ? 0 : |L|)
 * for information bits (both children) and frozen bits (u = 0 only, no fork).
 *
 * Path order and ties (deterministic, the oracle and every level follow it): paths form a list in
 * a logical order. At an information leaf the candidates are numbered c = 2 p + (u != [L < 0]),
 * p the parent's position, i.e. each parent's agreeing child first. Candidates are ranked by
 * (metric, c), a NaN metric ranking after every number; the first `list` survive and the new list
 * is the survivors in increasing c. With list = 1 this is SC exactly: the agreeing child has
 * candidate number 0 and wins every tie (including PM + |L| rounding to PM, and L = +-0 or NaN).
 * The output is the first path of smallest metric (NaN last). polar_scl_paths writes instead
 * every final path, ranked by (metric, NaN last, position in the list): row 0 is polar_scl's
 * output; when fewer than `list` paths exist (2^K < list) the remaining rows are all 0xff.
 *
 * Memory (Tal & Vardy's lazy copy, written as copy-on-write): path p owns, per depth d = 1..m of
 * the recursion, a reference to an LLR array of the current node at that depth (N/2^d floats) and
 * to the codeword of the last completed left node at that depth (N/2^d bits). A fork only copies
 * the references; an array is replaced by a private one the first time a path writes it while
 * shared. Every write rewrites a whole array, so the private array needs no copy of the old one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/codes.h"
#include "refast/decoders.h"

/* Defined in ref/polar_sc.c: the two f variants, shared so that SCL's leaves are SC's leaves. */
float RF_REF(polar_f_minsum)(float a, float b);
float RF_REF(polar_f_exact)(float a, float b);

typedef struct pool {
    size_t elem;      /* bytes per array */
    unsigned char *data;
    int *refs;        /* per array */
    int *free_ids;    /* stack of unreferenced arrays */
    int nfree;
} pool;

typedef struct scl {
    unsigned m, L;
    size_t n, k;
    int f;
    pool llr[RF_RM_MAX_M + 1], xl[RF_RM_MAX_M + 1]; /* depths 1..m */
    int (*llr_id)[RF_RM_MAX_M + 1], (*xl_id)[RF_RM_MAX_M + 1]; /* per slot */
    float *pm;               /* per slot */
    uint8_t *bits;           /* per slot: k message bits */
    int *order, norder;      /* logical list: slots */
    int *free_slots, nfree_slots;
    uint8_t *tmp_a, *tmp_b;  /* codeword being propagated upwards */
} scl;

static int pool_init(pool *p, size_t elem, unsigned count)
{
    p->elem = elem;
    p->data = malloc(elem * count);
    p->refs = calloc(count, sizeof *p->refs);
    p->free_ids = malloc(count * sizeof *p->free_ids);
    p->nfree = (int)count;
    if (!p->data || !p->refs || !p->free_ids) return -1;
    for (unsigned i = 0; i < count; i++) p->free_ids[i] = (int)(count - 1 - i);
    return 0;
}

static void pool_free(pool *p)
{
    free(p->data);
    free(p->refs);
    free(p->free_ids);
}

static void pool_release(pool *p, int id)
{
    if (id >= 0 && --p->refs[id] == 0) p->free_ids[p->nfree++] = id;
}

/* Makes *id a private array (the caller rewrites all of it). */
static void *pool_writable(pool *p, int *id)
{
    if (*id < 0 || p->refs[*id] > 1) {
        pool_release(p, *id);
        *id = p->free_ids[--p->nfree];
        p->refs[*id] = 1;
    }
    return p->data + (size_t)*id * p->elem;
}

static void *pool_get(pool *p, int id)
{
    return p->data + (size_t)id * p->elem;
}

static void scl_free(scl *s)
{
    for (unsigned d = 1; d <= s->m; d++) {
        pool_free(&s->llr[d]);
        pool_free(&s->xl[d]);
    }
    free(s->llr_id);
    free(s->xl_id);
    free(s->pm);
    free(s->bits);
    free(s->order);
    free(s->free_slots);
    free(s->tmp_a);
    free(s->tmp_b);
}

static int scl_init(scl *s, unsigned m, unsigned L, size_t k, int f)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->L = L;
    s->n = (size_t)1 << m;
    s->k = k;
    s->f = f;
    int bad = 0;
    for (unsigned d = 1; d <= m; d++) {
        bad |= pool_init(&s->llr[d], (s->n >> d) * sizeof(float), L);
        bad |= pool_init(&s->xl[d], s->n >> d, L);
    }
    s->llr_id = malloc(L * sizeof *s->llr_id);
    s->xl_id = malloc(L * sizeof *s->xl_id);
    s->pm = malloc(L * sizeof *s->pm);
    s->bits = malloc(L * (k ? k : 1));
    s->order = malloc(L * sizeof *s->order);
    s->free_slots = malloc(L * sizeof *s->free_slots);
    s->tmp_a = malloc(s->n);
    s->tmp_b = malloc(s->n);
    if (bad || !s->llr_id || !s->xl_id || !s->pm || !s->bits || !s->order || !s->free_slots ||
        !s->tmp_a || !s->tmp_b) {
        scl_free(s);
        return -1;
    }
    return 0;
}

/* Resets the list to one path (slot 0) with no arrays. */
static void scl_start(scl *s)
{
    for (unsigned d = 1; d <= s->m; d++) {
        pool *P[2] = {&s->llr[d], &s->xl[d]};
        for (int q = 0; q < 2; q++) {
            P[q]->nfree = (int)s->L;
            for (unsigned i = 0; i < s->L; i++) {
                P[q]->refs[i] = 0;
                P[q]->free_ids[i] = (int)(s->L - 1 - i);
            }
        }
    }
    for (unsigned i = 0; i < s->L; i++) {
        for (unsigned d = 0; d <= s->m; d++) s->llr_id[i][d] = s->xl_id[i][d] = -1;
        s->free_slots[i] = (int)(s->L - 1 - i);
    }
    s->nfree_slots = (int)s->L - 1; /* slot 0 in use */
    s->order[0] = 0;
    s->norder = 1;
    s->pm[0] = 0.0f;
}

static float f_of(const scl *s, float a, float b)
{
    return s->f == RF_F_MINSUM ? RF_REF(polar_f_minsum)(a, b) : RF_REF(polar_f_exact)(a, b);
}

/* The LLR of leaf i on the path in `slot`: the g step where leaf i's branch leaves its
 * predecessor's, then f steps down to the leaf (leaf 0: f steps from the root). */
static float leaf_llr(scl *s, int slot, const float *chan, size_t i)
{
    const unsigned m = s->m;
    unsigned d = 1;
    if (i > 0) {
        d = m - (unsigned)__builtin_ctzll((unsigned long long)i); /* depth of the new right node */
        const size_t h = s->n >> d;
        const float *up = d == 1 ? chan : pool_get(&s->llr[d - 1], s->llr_id[slot][d - 1]);
        const uint8_t *xa = pool_get(&s->xl[d], s->xl_id[slot][d]);
        float *out = pool_writable(&s->llr[d], &s->llr_id[slot][d]);
        for (size_t j = 0; j < h; j++) out[j] = xa[j] ? up[j + h] - up[j] : up[j + h] + up[j];
        d++;
    }
    for (; d <= m; d++) {
        const size_t h = s->n >> d;
        const float *up = d == 1 ? chan : pool_get(&s->llr[d - 1], s->llr_id[slot][d - 1]);
        float *out = pool_writable(&s->llr[d], &s->llr_id[slot][d]);
        for (size_t j = 0; j < h; j++) out[j] = f_of(s, up[j], up[j + h]);
    }
    return m == 0 ? chan[0] : ((const float *)pool_get(&s->llr[m], s->llr_id[slot][m]))[0];
}

/* After leaf i decided u on the path in `slot`: completed right nodes combine with their left
 * siblings, x = (x_a XOR x_b, x_b), until a left node completes and is stored at its depth. */
static void propagate(scl *s, int slot, size_t i, uint8_t u)
{
    uint8_t *v = s->tmp_a, *w = s->tmp_b;
    size_t len = 1;
    v[0] = u;
    for (unsigned d = s->m; d >= 1; d--) {
        const size_t idx = i >> (s->m - d);
        if ((idx & 1) == 0) {
            memcpy(pool_writable(&s->xl[d], &s->xl_id[slot][d]), v, len);
            return;
        }
        const uint8_t *xa = pool_get(&s->xl[d], s->xl_id[slot][d]);
        for (size_t j = 0; j < len; j++) {
            w[j] = xa[j] ^ v[j];
            w[j + len] = v[j];
        }
        uint8_t *t = v;
        v = w;
        w = t;
        len *= 2;
    }
}

/* Ranking of candidates: metric ascending with NaN last, then candidate number. */
static int ranks_before(float ma, int ca, float mb, int cb)
{
    if (isnan(ma) || isnan(mb)) return isnan(ma) == isnan(mb) ? ca < cb : !isnan(ma);
    if (ma != mb) return ma < mb;
    return ca < cb;
}

static void fork_slot(scl *s, int from, int to)
{
    for (unsigned d = 1; d <= s->m; d++) {
        int a = s->llr_id[from][d], b = s->xl_id[from][d];
        s->llr_id[to][d] = a;
        s->xl_id[to][d] = b;
        if (a >= 0) s->llr[d].refs[a]++;
        if (b >= 0) s->xl[d].refs[b]++;
    }
    memcpy(s->bits + (size_t)to * s->k, s->bits + (size_t)from * s->k, s->k);
}

static void kill_slot(scl *s, int slot)
{
    for (unsigned d = 1; d <= s->m; d++) {
        pool_release(&s->llr[d], s->llr_id[slot][d]);
        pool_release(&s->xl[d], s->xl_id[slot][d]);
        s->llr_id[slot][d] = s->xl_id[slot][d] = -1;
    }
    s->free_slots[s->nfree_slots++] = slot;
}

/* Decodes one frame; writes the best path to out, or (out == NULL) every path ranked to paths. */
static void decode_frame(scl *s, const uint8_t *frozen, const float *chan, uint8_t *out, uint8_t *paths)
{
    float lam[RF_SCL_MAX_L], cm[2 * RF_SCL_MAX_L];
    uint8_t keep[2 * RF_SCL_MAX_L];
    int new_order[RF_SCL_MAX_L];
    size_t kpos = 0;
    scl_start(s);
    for (size_t i = 0; i < s->n; i++) {
        const int P = s->norder;
        for (int p = 0; p < P; p++) lam[p] = leaf_llr(s, s->order[p], chan, i);
        if (frozen[i]) {
            for (int p = 0; p < P; p++) {
                const int slot = s->order[p];
                if (lam[p] < 0.0f) s->pm[slot] += fabsf(lam[p]);
                propagate(s, slot, i, 0);
            }
            continue;
        }
        /* candidates c = 2p (agrees with [L < 0]) and 2p + 1 (disagrees, penalty |L|) */
        for (int p = 0; p < P; p++) {
            const float pm = s->pm[s->order[p]];
            cm[2 * p] = pm;
            cm[2 * p + 1] = pm + fabsf(lam[p]);
        }
        for (int c = 0; c < 2 * P; c++) {
            int better = 0;
            for (int q = 0; q < 2 * P; q++) better += q != c && ranks_before(cm[q], q, cm[c], c);
            keep[c] = better < (int)s->L;
        }
        /* kill parents without survivors first, so their slots can host forks */
        for (int p = 0; p < P; p++)
            if (!keep[2 * p] && !keep[2 * p + 1]) kill_slot(s, s->order[p]);
        int nn = 0;
        for (int p = 0; p < P; p++) {
            const int slot = s->order[p];
            const uint8_t h = lam[p] < 0.0f;
            if (keep[2 * p] && keep[2 * p + 1]) {
                const int twin = s->free_slots[--s->nfree_slots];
                fork_slot(s, slot, twin);
                s->pm[twin] = cm[2 * p + 1];
                s->bits[(size_t)twin * s->k + kpos] = (uint8_t)(1 - h);
                new_order[nn++] = slot;
                new_order[nn++] = twin;
                s->pm[slot] = cm[2 * p];
                s->bits[(size_t)slot * s->k + kpos] = h;
            } else if (keep[2 * p] || keep[2 * p + 1]) {
                const int c = keep[2 * p] ? 0 : 1;
                s->pm[slot] = cm[2 * p + c];
                s->bits[(size_t)slot * s->k + kpos] = (uint8_t)(c ? 1 - h : h);
                new_order[nn++] = slot;
            }
        }
        for (int p = 0; p < nn; p++) {
            s->order[p] = new_order[p];
            propagate(s, new_order[p], i, s->bits[(size_t)new_order[p] * s->k + kpos]);
        }
        s->norder = nn;
        kpos++;
    }
    if (out) {
        int best = 0;
        for (int p = 1; p < s->norder; p++)
            if (ranks_before(s->pm[s->order[p]], p, s->pm[s->order[best]], best)) best = p;
        memcpy(out, s->bits + (size_t)s->order[best] * s->k, s->k);
        return;
    }
    for (int p = 0; p < s->norder; p++) {
        int rank = 0;
        for (int q = 0; q < s->norder; q++) rank += q != p && ranks_before(s->pm[s->order[q]], q, s->pm[s->order[p]], p);
        memcpy(paths + (size_t)rank * s->k, s->bits + (size_t)s->order[p] * s->k, s->k);
    }
    memset(paths + (size_t)s->norder * s->k, 0xff, (s->L - (size_t)s->norder) * s->k);
}

static void run(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr, size_t frames,
                uint8_t *msg, uint8_t *paths)
{
    if (log2n > RF_RM_MAX_M || list < 1 || list > RF_SCL_MAX_L || frames == 0) return;
    const size_t n = (size_t)1 << log2n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += !frozen[i];
    scl s;
    if (scl_init(&s, log2n, list, k, f)) return;
    for (size_t fr = 0; fr < frames; fr++)
        decode_frame(&s, frozen, llr + fr * n, msg ? msg + fr * k : NULL, msg ? NULL : paths + fr * list * k);
    scl_free(&s);
}

void RF_REF(polar_scl)(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                       size_t frames, uint8_t *msg)
{
    run(log2n, frozen, list, f, llr, frames, msg, NULL);
}

void RF_REF(polar_scl_paths)(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                             size_t frames, uint8_t *paths)
{
    run(log2n, frozen, list, f, llr, frames, NULL, paths);
}
