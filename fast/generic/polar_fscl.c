/* Polar Fast-SSC list decoder at a vector level (mirrors ref/polar_fscl.c: polar_fscl_ref): the
 * same node classification (fast/generic/polar_tree.h's polar_classify, the rule ref writes out),
 * the same candidates, metric additions in ref's order and ranking, so every output is
 * bit-identical to ref. What differs is cost:
 *   - arrays are shared, not copied: per path and depth an id into a reference-counted pool
 *     (fast/generic/polar_list.h) for the node LLRs, the node's codeword and the finished left
 *     child's codeword; a fork copies ids, a write takes a private array (copy-on-write), and the
 *     left child's codeword is moved (an id), never copied;
 *   - f and g are the vector stages of polar_stages.h (shared with polar_sc.c and polar_scl.c);
 *   - a rate-1 / SPC node keeps each path's flips as a bit mask over its least reliable
 *     positions (found by insertion into a sorted buffer of at most 32, not ref's selection
 *     scans) and writes the codeword once, when the node ends;
 *   - no message bits during decoding: the winner's message is read at the end from its root
 *     codeword (u = x F^{(x)n}, polar_tree.h's bit-form transform), which is what ref's per-node
 *     bits are;
 *   - candidate ranking by integer keys (polar_list.h's scl_select, as polar_scl.c).
 * Rate-0 and repetition metrics stay scalar sums in ref's order (a vector sum would round
 * differently).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "polar_list.h"
#include "polar_stages.h"
#include "polar_tree.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "simd.h"

typedef struct fscl_dec {
    unsigned m, L;
    size_t n, k;
    uint8_t *type;   /* polar_classify's heap */
    const uint8_t *frozen;
    float *chan;     /* the sanitised channel LLRs, depth 0, shared by every path */
    scl_pool llr[RF_RM_MAX_M + 1], x[RF_RM_MAX_M + 1]; /* per depth: L LLR arrays, 2L codewords */
    /* per slot and depth: its node LLRs, its node's codeword (out) and its finished left
     * child's codeword (left), both in x[d] */
    int (*llr_id)[RF_RM_MAX_M + 1], (*out_id)[RF_RM_MAX_M + 1], (*left_id)[RF_RM_MAX_M + 1];
    float pm[RF_SCL_MAX_L], base[RF_SCL_MAX_L];
    uint32_t flips[RF_SCL_MAX_L];                  /* rate-1 / SPC: bit t = rank t flipped */
    /* rate-1 / SPC: the least reliable positions of the path that entered the node at list
     * position e (rank[e]), and of each slot the e it descends from (a fork copies an index) */
    uint32_t rank[RF_SCL_MAX_L][RF_SCL_MAX_L];
    uint8_t entry[RF_SCL_MAX_L];
    unsigned depth;  /* of the node being decided: deeper arrays are all released */
    int order[RF_SCL_MAX_L], norder;
    int free_slots[RF_SCL_MAX_L], nfree;
    uint64_t *bits;  /* N bits: the winner's codeword */
    uint8_t *xb, *ub; /* N bytes each: polar_emit's outputs */
} fscl_dec;

static float fscl_pen(float a) { return a < 0.0f ? -a : 0.0f; }

static void fscl_free(fscl_dec *s)
{
    for (unsigned d = 0; d <= s->m; d++) {
        scl_pool_free(&s->llr[d]);
        scl_pool_free(&s->x[d]);
    }
    free(s->llr_id);
    free(s->out_id);
    free(s->left_id);
    free(s->type);
    free(s->chan);
    free(s->bits);
    free(s->xb);
    free(s->ub);
}

static int fscl_init(fscl_dec *s, unsigned m, unsigned L, const uint8_t *frozen)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->L = L;
    s->n = (size_t)1 << m;
    s->frozen = frozen;
    for (size_t i = 0; i < s->n; i++) s->k += !frozen[i];
    int bad = 0;
    for (unsigned d = 0; d <= m; d++) {
        const size_t nd = s->n >> d;
        bad |= scl_pool_init(&s->llr[d], d ? nd * sizeof(float) : 1, L);
        bad |= scl_pool_init(&s->x[d], nd, 2 * L);
    }
    s->llr_id = malloc(L * sizeof *s->llr_id);
    s->out_id = malloc(L * sizeof *s->out_id);
    s->left_id = malloc(L * sizeof *s->left_id);
    s->type = malloc(2 * s->n);
    s->chan = malloc(s->n * sizeof *s->chan);
    s->bits = calloc((s->n + 63) / 64, sizeof *s->bits);
    s->xb = malloc(s->n);
    s->ub = malloc(s->n);
    if (bad || !s->llr_id || !s->out_id || !s->left_id || !s->type || !s->chan || !s->bits || !s->xb || !s->ub) {
        fscl_free(s);
        return -1;
    }
    polar_classify(m, frozen, s->type);
    return 0;
}

static void fscl_start(fscl_dec *s, const float *llr)
{
    for (unsigned d = 0; d <= s->m; d++) {
        scl_pool_reset(&s->llr[d]);
        scl_pool_reset(&s->x[d]);
    }
    for (unsigned i = 0; i < s->L; i++)
        for (unsigned d = 0; d <= s->m; d++) s->llr_id[i][d] = s->out_id[i][d] = s->left_id[i][d] = -1;
    s->nfree = 0;
    for (unsigned i = s->L; i-- > 1;) s->free_slots[s->nfree++] = (int)i;
    s->order[0] = 0;
    s->norder = 1;
    s->pm[0] = 0.0f;
    const float cap = 0x1p100f;
    for (size_t i = 0; i < s->n; i++) {
        const float l = llr[i];
        s->chan[i] = l != l ? 0.0f : l > cap ? cap : l < -cap ? -cap : l; /* ref's sanitise */
    }
}

static const float *fscl_llr(const fscl_dec *s, int slot, unsigned d)
{
    return d == 0 ? s->chan : scl_pool_get(&s->llr[d], s->llr_id[slot][d]);
}

static void fscl_fork(fscl_dec *s, int from, int to)
{
    for (unsigned d = 0; d <= s->depth; d++) {
        scl_pool_share(&s->llr[d], s->llr_id[to][d] = s->llr_id[from][d]);
        scl_pool_share(&s->x[d], s->out_id[to][d] = s->out_id[from][d]);
        scl_pool_share(&s->x[d], s->left_id[to][d] = s->left_id[from][d]);
    }
    s->pm[to] = s->pm[from];
    s->base[to] = s->base[from];
    s->flips[to] = s->flips[from];
    s->entry[to] = s->entry[from];
}

static void fscl_kill(fscl_dec *s, int slot)
{
    for (unsigned d = 0; d <= s->depth; d++) {
        scl_pool_release(&s->llr[d], s->llr_id[slot][d]);
        scl_pool_release(&s->x[d], s->out_id[slot][d]);
        scl_pool_release(&s->x[d], s->left_id[slot][d]);
        s->llr_id[slot][d] = s->out_id[slot][d] = s->left_id[slot][d] = -1;
    }
    s->free_slots[s->nfree++] = slot;
}

/* ref's branch(): candidates 2p + j, the `list` best kept in increasing c; returns each
 * survivor's old position and j. */
static int fscl_branch(fscl_dec *s, const float *cm, int *from, uint8_t *js)
{
    const int P = s->norder;
    uint8_t keep[2 * RF_SCL_MAX_L];
    int order[RF_SCL_MAX_L];
    scl_select(cm, 2 * P, s->L, keep);
    for (int p = 0; p < P; p++)
        if (!keep[2 * p] && !keep[2 * p + 1]) fscl_kill(s, s->order[p]);
    int nn = 0;
    for (int p = 0; p < P; p++) {
        const int slot = s->order[p];
        for (int j = 0; j < 2; j++) {
            if (!keep[2 * p + j]) continue;
            int to = slot;
            if (j == 1 && keep[2 * p]) {
                to = s->free_slots[--s->nfree];
                fscl_fork(s, slot, to);
            }
            s->pm[to] = cm[2 * p + j];
            order[nn] = to;
            from[nn] = p;
            js[nn++] = (uint8_t)j;
        }
    }
    memcpy(s->order, order, (size_t)nn * sizeof *order);
    s->norder = nn;
    return nn;
}

static void fscl_rate0(fscl_dec *s, unsigned d)
{
    const size_t n = s->n >> d;
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        const float *alpha = fscl_llr(s, slot, d);
        float pm = s->pm[slot];
        for (size_t i = 0; i < n; i++) pm += fscl_pen(alpha[i]);
        s->pm[slot] = pm;
        memset(scl_pool_writable(&s->x[d], &s->out_id[slot][d]), 0, n);
    }
}

static void fscl_rep(fscl_dec *s, unsigned d)
{
    const size_t n = s->n >> d;
    float cm[2 * RF_SCL_MAX_L];
    uint8_t first[RF_SCL_MAX_L], js[RF_SCL_MAX_L];
    int from[RF_SCL_MAX_L];
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        const float *alpha = fscl_llr(s, slot, d);
        float m0 = s->pm[slot], m1 = s->pm[slot];
        for (size_t i = 0; i < n; i++) {
            m0 += fscl_pen(alpha[i]);
            m1 += fscl_pen(-alpha[i]);
        }
        first[p] = m1 < m0;
        cm[2 * p] = first[p] ? m1 : m0;
        cm[2 * p + 1] = first[p] ? m0 : m1;
    }
    const int nn = fscl_branch(s, cm, from, js);
    for (int q = 0; q < nn; q++)
        memset(scl_pool_writable(&s->x[d], &s->out_id[s->order[q]][d]), first[from[q]] ^ js[q], n);
}

/* The t least reliable positions of alpha, |alpha| ascending, ties to the lower index (ref's
 * least_reliable): insertion into a sorted buffer, an element entering only below its last. */
static void fscl_least_reliable(const float *alpha, size_t n, size_t t, uint32_t *rank)
{
    float mag[RF_SCL_MAX_L];
    size_t cnt = 0;
    if (t == 0) return;
    for (size_t i = 0; i < n; i++) {
        const float a = fabsf(alpha[i]);
        if (cnt == t && !(a < mag[t - 1])) continue;
        size_t j = cnt < t ? cnt++ : t - 1;
        for (; j > 0 && mag[j - 1] > a; j--) {
            mag[j] = mag[j - 1];
            rank[j] = rank[j - 1];
        }
        mag[j] = a;
        rank[j] = (uint32_t)i;
    }
}

static void fscl_rate1_or_spc(fscl_dec *s, unsigned d, int spc)
{
    const size_t n = s->n >> d;
    const size_t steps = spc ? (s->L < n ? s->L : n) : (s->L - 1 < n ? s->L - 1 : n);
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        const float *alpha = fscl_llr(s, slot, d);
        s->entry[slot] = (uint8_t)p;
        fscl_least_reliable(alpha, n, spc && steps < 1 ? 1 : steps, s->rank[p]);
        s->base[slot] = s->pm[slot];
        s->flips[slot] = 0;
        if (spc) {
            uint8_t parity = 0;
            for (size_t i = 0; i < n; i++) parity ^= alpha[i] < 0.0f;
            if (parity) {
                s->flips[slot] = 1;
                s->pm[slot] = s->base[slot] + fabsf(alpha[s->rank[s->entry[slot]][0]]);
            }
        }
    }
    float cm[2 * RF_SCL_MAX_L];
    uint8_t js[RF_SCL_MAX_L];
    int from[RF_SCL_MAX_L];
    for (size_t t = spc ? 1 : 0; t < steps; t++) {
        for (int p = 0; p < s->norder; p++) {
            const int slot = s->order[p];
            const float *alpha = fscl_llr(s, slot, d);
            const float at = fabsf(alpha[s->rank[s->entry[slot]][t]]);
            cm[2 * p] = s->pm[slot];
            if (!spc) {
                cm[2 * p + 1] = s->pm[slot] + at;
            } else {
                const float base = s->base[slot] + at;
                cm[2 * p + 1] = (s->flips[slot] & 1) ? base : base + fabsf(alpha[s->rank[s->entry[slot]][0]]);
            }
        }
        const int nn = fscl_branch(s, cm, from, js);
        for (int r = 0; r < nn; r++) {
            if (!js[r]) continue;
            const int slot = s->order[r];
            s->flips[slot] ^= (uint32_t)1 << t;
            if (spc) {
                s->flips[slot] ^= 1;
                s->base[slot] += fabsf(fscl_llr(s, slot, d)[s->rank[s->entry[slot]][t]]);
            }
        }
    }
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        const float *alpha = fscl_llr(s, slot, d);
        uint8_t *x = scl_pool_writable(&s->x[d], &s->out_id[slot][d]);
        for (size_t i = 0; i < n; i++) x[i] = alpha[i] < 0.0f;
        for (uint32_t f = s->flips[slot]; f; f &= f - 1) x[s->rank[s->entry[slot]][__builtin_ctz(f)]] ^= 1;
    }
}

static void fscl_node(fscl_dec *s, size_t v, unsigned d)
{
    s->depth = d;
    switch (s->type[v]) {
    case NODE_RATE0: fscl_rate0(s, d); return;
    case NODE_REP: fscl_rep(s, d); return;
    case NODE_RATE1: fscl_rate1_or_spc(s, d, 0); return;
    case NODE_SPC: fscl_rate1_or_spc(s, d, 1); return;
    default: break;
    }
    const size_t h = s->n >> (d + 1);
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        stage_f(RF_F_MINSUM, fscl_llr(s, slot, d), h, scl_pool_writable(&s->llr[d + 1], &s->llr_id[slot][d + 1]));
    }
    fscl_node(s, 2 * v, d + 1);
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        int *left = &s->left_id[slot][d + 1], *out = &s->out_id[slot][d + 1];
        scl_pool_release(&s->x[d + 1], *left); /* the left child's codeword moves: an id, no copy */
        *left = *out;
        *out = -1;
        stage_g(fscl_llr(s, slot, d), scl_pool_get(&s->x[d + 1], *left), h,
                scl_pool_writable(&s->llr[d + 1], &s->llr_id[slot][d + 1]));
    }
    fscl_node(s, 2 * v + 1, d + 1);
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        const uint8_t *xa = scl_pool_get(&s->x[d + 1], s->left_id[slot][d + 1]);
        const uint8_t *xb = scl_pool_get(&s->x[d + 1], s->out_id[slot][d + 1]);
        uint8_t *x = scl_pool_writable(&s->x[d], &s->out_id[slot][d]);
        rf_xor_bytes(x, xa, xb, h);
        memcpy(x + h, xb, h);
        /* the children's arrays are dead: released, so forks and kills stop at depth d */
        scl_pool_release(&s->x[d + 1], s->left_id[slot][d + 1]);
        scl_pool_release(&s->x[d + 1], s->out_id[slot][d + 1]);
        scl_pool_release(&s->llr[d + 1], s->llr_id[slot][d + 1]);
        s->left_id[slot][d + 1] = s->out_id[slot][d + 1] = s->llr_id[slot][d + 1] = -1;
    }
    s->depth = d;
}

/* Message bits of the path in `slot`: u = x F^{(x)n} of its root codeword at the information
 * positions. */
static void fscl_read_path(fscl_dec *s, int slot, uint8_t *msg)
{
    const uint8_t *x = scl_pool_get(&s->x[0], s->out_id[slot][0]);
    memset(s->bits, 0, (s->n + 63) / 64 * sizeof *s->bits);
    for (size_t i = 0; i < s->n; i++) s->bits[i >> 6] |= (uint64_t)x[i] << (i & 63);
    polar_emit(s->bits, s->n, 0, s->xb, s->ub);
    for (size_t i = 0, j = 0; i < s->n; i++)
        if (!s->frozen[i]) msg[j++] = s->ub[i];
}

static void fscl_decode_frame(fscl_dec *s, const float *llr, uint8_t *out, uint8_t *paths)
{
    fscl_start(s, llr);
    fscl_node(s, 1, 0);
    if (out) {
        int best = 0;
        for (int p = 1; p < s->norder; p++)
            if (scl_key(s->pm[s->order[p]], p) < scl_key(s->pm[s->order[best]], best)) best = p;
        fscl_read_path(s, s->order[best], out);
        return;
    }
    for (int p = 0; p < s->norder; p++) {
        const uint64_t kp = scl_key(s->pm[s->order[p]], p);
        int rank = 0;
        for (int q = 0; q < s->norder; q++) rank += scl_key(s->pm[s->order[q]], q) < kp;
        fscl_read_path(s, s->order[p], paths + (size_t)rank * s->k);
    }
    memset(paths + (size_t)s->norder * s->k, 0xff, (s->L - (size_t)s->norder) * s->k);
}

static void fscl_run(unsigned log2n, const uint8_t *frozen, unsigned list, const float *llr, size_t frames,
                     uint8_t *msg, uint8_t *paths)
{
    if (log2n > RF_RM_MAX_M || list < 1 || list > RF_SCL_MAX_L || frames == 0) return;
    fscl_dec s;
    if (fscl_init(&s, log2n, list, frozen)) return;
    for (size_t fr = 0; fr < frames; fr++)
        fscl_decode_frame(&s, llr + fr * s.n, msg ? msg + fr * s.k : NULL, msg ? NULL : paths + fr * list * s.k);
    fscl_free(&s);
}

void RF_LEVEL_FN(polar_fscl)(unsigned log2n, const uint8_t *frozen, unsigned list, const float *llr,
                             size_t frames, uint8_t *msg)
{
    fscl_run(log2n, frozen, list, llr, frames, msg, NULL);
}

void RF_LEVEL_FN(polar_fscl_paths)(unsigned log2n, const uint8_t *frozen, unsigned list, const float *llr,
                                   size_t frames, uint8_t *paths)
{
    fscl_run(log2n, frozen, list, llr, frames, NULL, paths);
}
