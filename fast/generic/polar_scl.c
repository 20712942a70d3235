/* Polar SC-list decoder at a vector level (mirrors ref/polar_scl.c: polar_scl_ref): the same
 * paths, the same copy-on-write arrays per depth, the same f, g, metric arithmetic and candidate
 * ranking, so every decision is bit-identical to ref. The per-path LLR updates are the f/g stages
 * of fast/generic/polar_stages.h (shared with polar_sc.c: a register at a time, the level's
 * narrower registers for the busiest small nodes, the exact f through ref's libm per element) and
 * the codeword combine is rf_xor_bytes (fast/<isa>/simd.h).
 *
 * What differs from ref is cost, not results: the f/g updates of the upper stages run in vector
 * registers (the level's primitives), the codeword combine XORs whole registers in place in its
 * destination (scl_propagate), the depth-m LLR is a local (scl_leaf_llr), and the ranking of
 * the 2P candidates is skipped when all of them survive (2P <= L) and otherwise counts ranks over
 * integer keys that order exactly as ref's (metric, NaN last, candidate number) (scl_key), which
 * selects ref's set of survivors without NaN tests or branches. Decided bits are not copied on a
 * fork (ref copies k bytes per fork): each information leaf records per slot the bit and the slot
 * of the parent path, and the winner's message is read back along those links at the end.
 * polar_scl_paths (ref's polar_scl_paths) reads every final path back the same way, in ref's rank
 * order, the unused rows 0xff.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "polar_list.h"
#include "polar_stages.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "simd.h"

typedef struct scl_dec {
    unsigned m, L;
    size_t n, k;
    int f;
    scl_pool llr[RF_RM_MAX_M + 1], xl[RF_RM_MAX_M + 1]; /* depths 1..m */
    int (*llr_id)[RF_RM_MAX_M + 1], (*xl_id)[RF_RM_MAX_M + 1];
    float *pm;
    uint8_t *bit, *parent; /* per information leaf and slot: the decision and the slot it came from */
    int *order, norder;
    int *free_slots, nfree_slots;
} scl_dec;

static void scl_dec_free(scl_dec *s)
{
    for (unsigned d = 1; d <= s->m; d++) {
        scl_pool_free(&s->llr[d]);
        scl_pool_free(&s->xl[d]);
    }
    free(s->llr_id);
    free(s->xl_id);
    free(s->pm);
    free(s->bit);
    free(s->parent);
    free(s->order);
    free(s->free_slots);
}

static int scl_dec_init(scl_dec *s, unsigned m, unsigned L, size_t k, int f)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->L = L;
    s->n = (size_t)1 << m;
    s->k = k;
    s->f = f;
    int bad = 0;
    for (unsigned d = 1; d <= m; d++) {
        bad |= scl_pool_init(&s->llr[d], (s->n >> d) * sizeof(float), L);
        bad |= scl_pool_init(&s->xl[d], s->n >> d, L);
    }
    s->llr_id = malloc(L * sizeof *s->llr_id);
    s->xl_id = malloc(L * sizeof *s->xl_id);
    s->pm = malloc(L * sizeof *s->pm);
    s->bit = malloc(L * (k ? k : 1));
    s->parent = malloc(L * (k ? k : 1));
    s->order = malloc(L * sizeof *s->order);
    s->free_slots = malloc(L * sizeof *s->free_slots);
    if (bad || !s->llr_id || !s->xl_id || !s->pm || !s->bit || !s->parent || !s->order || !s->free_slots) {
        scl_dec_free(s);
        return -1;
    }
    return 0;
}

static void scl_dec_start(scl_dec *s)
{
    for (unsigned d = 1; d <= s->m; d++) {
        scl_pool_reset(&s->llr[d]);
        scl_pool_reset(&s->xl[d]);
    }
    for (unsigned i = 0; i < s->L; i++) {
        for (unsigned d = 0; d <= s->m; d++) s->llr_id[i][d] = s->xl_id[i][d] = -1;
        s->free_slots[i] = (int)(s->L - 1 - i);
    }
    s->nfree_slots = (int)s->L - 1;
    s->order[0] = 0;
    s->norder = 1;
    s->pm[0] = 0.0f;
}

/* Leaf i's LLR on the path in `slot`: one g step where its branch leaves the previous leaf's, then
 * f steps down (ref's leaf_llr). Nothing reads a depth-m LLR array but this return value, so the
 * last step writes a local instead (no array, no copy-on-write at the busiest depth). */
static float scl_leaf_llr(scl_dec *s, int slot, const float *chan, size_t i)
{
    const unsigned m = s->m;
    float leaf = m == 0 ? chan[0] : 0.0f;
    unsigned d = 1;
    if (i > 0) {
        d = m - (unsigned)__builtin_ctzll((unsigned long long)i);
        const size_t h = s->n >> d;
        const float *up = d == 1 ? chan : scl_pool_get(&s->llr[d - 1], s->llr_id[slot][d - 1]);
        const uint8_t *xa = scl_pool_get(&s->xl[d], s->xl_id[slot][d]);
        float *out = d == m ? &leaf : scl_pool_writable(&s->llr[d], &s->llr_id[slot][d]);
        stage_g(up, xa, h, out);
        d++;
    }
    for (; d <= m; d++) {
        const size_t h = s->n >> d;
        const float *up = d == 1 ? chan : scl_pool_get(&s->llr[d - 1], s->llr_id[slot][d - 1]);
        float *out = d == m ? &leaf : scl_pool_writable(&s->llr[d], &s->llr_id[slot][d]);
        stage_f(s->f, up, h, out);
    }
    return leaf;
}

/* ref's propagate: completed right nodes combine with their left siblings, x = (x_a ^ x_b, x_b),
 * up to the first left node, which is stored at its depth. The leaf's t trailing one bits say how
 * many combines there are, so the result is built in place in the destination array: the codeword
 * so far sits at its tail and each combine writes x_a ^ x_b just before it (no temporaries, no
 * copies). When every node up to the root is a right node, ref stores nothing, nor does this. */
static void scl_propagate(scl_dec *s, int slot, size_t i, uint8_t u)
{
    const unsigned t = (unsigned)__builtin_ctzll(~(unsigned long long)i);
    if (t >= s->m) return;
    const unsigned top = s->m - t;
    uint8_t *dst = scl_pool_writable(&s->xl[top], &s->xl_id[slot][top]);
    size_t len = 1, off = ((size_t)1 << t) - 1;
    dst[off] = u;
    for (unsigned d = s->m; d > top; d--) {
        rf_xor_bytes(dst + off - len, scl_pool_get(&s->xl[d], s->xl_id[slot][d]), dst + off, len);
        off -= len;
        len *= 2;
    }
}

static inline int scl_ranks_before(float ma, int ca, float mb, int cb)
{
    if (isnan(ma) || isnan(mb)) return isnan(ma) == isnan(mb) ? ca < cb : !isnan(ma);
    if (ma != mb) return ma < mb;
    return ca < cb;
}

static void scl_fork(scl_dec *s, int from, int to)
{
    for (unsigned d = 1; d <= s->m; d++) {
        int a = s->llr_id[from][d], b = s->xl_id[from][d];
        s->llr_id[to][d] = a;
        s->xl_id[to][d] = b;
        scl_pool_share(&s->llr[d], a);
        scl_pool_share(&s->xl[d], b);
    }
}

static void scl_kill(scl_dec *s, int slot)
{
    for (unsigned d = 1; d <= s->m; d++) {
        scl_pool_release(&s->llr[d], s->llr_id[slot][d]);
        scl_pool_release(&s->xl[d], s->xl_id[slot][d]);
        s->llr_id[slot][d] = s->xl_id[slot][d] = -1;
    }
    s->free_slots[s->nfree_slots++] = slot;
}

/* The message of the path in `slot`, read back along the parent links. */
static void scl_read_path(const scl_dec *s, int slot, uint8_t *out)
{
    for (size_t j = s->k; j-- > 0;) {
        out[j] = s->bit[j * s->L + (size_t)slot];
        slot = s->parent[j * s->L + (size_t)slot];
    }
}

/* Decodes one frame; writes the best path to out, or (out == NULL) every path ranked to paths. */
static void scl_decode_frame(scl_dec *s, const uint8_t *frozen, const float *chan, uint8_t *out, uint8_t *paths)
{
    float lam[RF_SCL_MAX_L], cm[2 * RF_SCL_MAX_L];
    uint8_t keep[2 * RF_SCL_MAX_L];
    int new_order[RF_SCL_MAX_L];
    size_t kpos = 0;
    scl_dec_start(s);
    for (size_t i = 0; i < s->n; i++) {
        const int P = s->norder;
        for (int p = 0; p < P; p++) lam[p] = scl_leaf_llr(s, s->order[p], chan, i);
        if (frozen[i]) {
            for (int p = 0; p < P; p++) {
                const int slot = s->order[p];
                if (lam[p] < 0.0f) s->pm[slot] += fabsf(lam[p]);
                scl_propagate(s, slot, i, 0);
            }
            continue;
        }
        for (int p = 0; p < P; p++) {
            const float pm = s->pm[s->order[p]];
            cm[2 * p] = pm;
            cm[2 * p + 1] = pm + fabsf(lam[p]);
        }
        scl_select(cm, 2 * P, s->L, keep);
        uint8_t *hb = s->bit + kpos * s->L, *hp = s->parent + kpos * s->L;
        for (int p = 0; p < P; p++)
            if (!keep[2 * p] && !keep[2 * p + 1]) scl_kill(s, s->order[p]);
        int nn = 0;
        for (int p = 0; p < P; p++) {
            const int slot = s->order[p];
            const uint8_t h = lam[p] < 0.0f;
            if (keep[2 * p] && keep[2 * p + 1]) {
                const int twin = s->free_slots[--s->nfree_slots];
                scl_fork(s, slot, twin);
                s->pm[twin] = cm[2 * p + 1];
                hb[twin] = (uint8_t)(1 - h);
                hp[twin] = (uint8_t)slot;
                new_order[nn++] = slot;
                new_order[nn++] = twin;
                s->pm[slot] = cm[2 * p];
                hb[slot] = h;
                hp[slot] = (uint8_t)slot;
            } else if (keep[2 * p] || keep[2 * p + 1]) {
                const int c = keep[2 * p] ? 0 : 1;
                s->pm[slot] = cm[2 * p + c];
                hb[slot] = (uint8_t)(c ? 1 - h : h);
                hp[slot] = (uint8_t)slot;
                new_order[nn++] = slot;
            }
        }
        for (int p = 0; p < nn; p++) {
            s->order[p] = new_order[p];
            scl_propagate(s, new_order[p], i, hb[new_order[p]]);
        }
        s->norder = nn;
        kpos++;
    }
    if (out) {
        int best = 0;
        for (int p = 1; p < s->norder; p++)
            if (scl_ranks_before(s->pm[s->order[p]], p, s->pm[s->order[best]], best)) best = p;
        scl_read_path(s, s->order[best], out);
        return;
    }
    for (int p = 0; p < s->norder; p++) {
        uint64_t kp = scl_key(s->pm[s->order[p]], p);
        int rank = 0;
        for (int q = 0; q < s->norder; q++) rank += scl_key(s->pm[s->order[q]], q) < kp;
        scl_read_path(s, s->order[p], paths + (size_t)rank * s->k);
    }
    memset(paths + (size_t)s->norder * s->k, 0xff, (s->L - (size_t)s->norder) * s->k);
}

static void scl_run(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr, size_t frames,
                    uint8_t *msg, uint8_t *paths)
{
    if (log2n > RF_RM_MAX_M || list < 1 || list > RF_SCL_MAX_L || frames == 0) return;
    const size_t n = (size_t)1 << log2n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += !frozen[i];
    scl_dec s;
    if (scl_dec_init(&s, log2n, list, k, f)) return;
    for (size_t fr = 0; fr < frames; fr++)
        scl_decode_frame(&s, frozen, llr + fr * n, msg ? msg + fr * k : NULL, msg ? NULL : paths + fr * list * k);
    scl_dec_free(&s);
}

void RF_LEVEL_FN(polar_scl)(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                            size_t frames, uint8_t *msg)
{
    scl_run(log2n, frozen, list, f, llr, frames, msg, NULL);
}

void RF_LEVEL_FN(polar_scl_paths)(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                                  size_t frames, uint8_t *paths)
{
    scl_run(log2n, frozen, list, f, llr, frames, NULL, paths);
}
