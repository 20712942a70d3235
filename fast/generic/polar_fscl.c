/* Polar Fast-SSC list decoder at a vector level (mirrors ref/polar_fscl.c: polar_fscl_ref): the
 * same node classification (fast/generic/polar_tree.h's polar_classify, the rule ref writes out),
 * the same candidates, metric additions in ref's order and ranking, so every output is
 * bit-identical to ref. What differs is cost:
 *   - arrays are shared, not copied: per path and depth an id into a reference-counted pool
 *     (fast/generic/polar_list.h) for the node LLRs, the node's codeword and the finished left
 *     child's codeword; a fork copies ids, a write takes a private array (copy-on-write), and the
 *     left child's codeword is moved (an id), never copied;
 *   - f and g are the vector stages of polar_stages.h (shared with polar_sc.c and polar_scl.c);
 *   - a rate-1 / SPC node runs its fork steps on a virtual list (entering path, flips as a bit
 *     mask over its least reliable positions, metric), ordered as ref's list after every step,
 *     and materialises the paths and their codewords once, when the node ends; the least
 *     reliable positions come from integer keys (fscl_least_reliable), not ref's selection scans;
 *   - a mixed node releases its children's arrays when it combines, so forks and kills touch
 *     only the depths down to the node being decided;
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
    float pm[RF_SCL_MAX_L];
    uint32_t rank[RF_SCL_MAX_L][RF_SCL_MAX_L]; /* rate-1 / SPC: per entering path, least reliable first */
    unsigned depth;  /* of the node being decided: deeper arrays are all released */
    int order[RF_SCL_MAX_L], norder;
    int free_slots[RF_SCL_MAX_L], nfree;
    uint64_t *bits;  /* N bits: the winner's codeword */
    uint64_t *keys;  /* N: fscl_least_reliable's scratch */
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
    free(s->keys);
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
    s->keys = malloc(s->n * sizeof *s->keys);
    s->xb = malloc(s->n);
    s->ub = malloc(s->n);
    if (bad || !s->llr_id || !s->out_id || !s->left_id || !s->type || !s->chan || !s->bits || !s->keys || !s->xb ||
        !s->ub) {
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
 * least_reliable), t <= n. Keys: |alpha|'s bits (finite, non-negative: they order as the floats)
 * above the index, all distinct. When t is small against n, one pass (from the end: measured
 * faster on these codes) inserts into a sorted buffer of t the keys below its last (few do); a
 * node of at most 64 ranks every key by counting;
 * otherwise a quickselect finds the t-th smallest key (O(n)) and the t keys up to it are sorted.
 * keys: n of scratch. */
static void fscl_least_reliable(const float *alpha, size_t n, size_t t, uint64_t *keys, uint32_t *rank)
{
    uint64_t buf[RF_SCL_MAX_L];
    size_t cnt = 0;
    if (t == 0) return;
    if (t <= 8 ? 4 * t <= n : 32 * t <= n) {
        uint64_t worst = UINT64_MAX;
        for (size_t i = n; i-- > 0;) {
            const float a = fabsf(alpha[i]);
            uint32_t bits;
            memcpy(&bits, &a, sizeof bits);
            const uint64_t key = (uint64_t)bits << 32 | i;
            if (key >= worst) continue;
            size_t j = cnt < t ? cnt++ : t - 1;
            for (; j > 0 && buf[j - 1] > key; j--) buf[j] = buf[j - 1];
            buf[j] = key;
            if (cnt == t) worst = buf[t - 1];
        }
    } else if (n <= 64) {
        /* small nodes: each key's rank by counting the smaller keys (branch-free, vectorised;
         * keys < 2^63, so signed compares order them too) */
        int64_t k[64];
        for (size_t i = 0; i < n; i++) {
            const float a = fabsf(alpha[i]);
            uint32_t bits;
            memcpy(&bits, &a, sizeof bits);
            k[i] = (int64_t)((uint64_t)bits << 32 | i);
        }
        for (size_t i = 0; i < n; i++) {
            int64_t r = 0;
            for (size_t j = 0; j < n; j++) r += k[j] < k[i];
            if ((size_t)r < t) buf[r] = (uint64_t)k[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            const float a = fabsf(alpha[i]);
            uint32_t bits;
            memcpy(&bits, &a, sizeof bits);
            keys[i] = (uint64_t)bits << 32 | i;
        }
        const uint64_t last = t < n ? scl_kth_key(keys, (int)n, (int)t - 1) : UINT64_MAX;
        for (size_t i = 0; i < n; i++)
            if (keys[i] <= last) buf[cnt++] = keys[i];
        for (size_t r = 1; r < cnt; r++) {
            const uint64_t key = buf[r];
            size_t j = r;
            for (; j > 0 && buf[j - 1] > key; j--) buf[j] = buf[j - 1];
            buf[j] = key;
        }
    }
    for (size_t r = 0; r < t; r++) rank[r] = (uint32_t)buf[r];
}

/* Rate-1 (spc = 0) and SPC (spc = 1) nodes. The flip steps run on a virtual list (per path: the
 * list position it entered the node at, its flip mask, metric and SPC base), ordered exactly as
 * ref's list after each step; the paths are materialised once, at the end (a fork per extra
 * survivor of an entering path), instead of forking and killing array ids at every step. */
static void fscl_rate1_or_spc(fscl_dec *s, unsigned d, int spc)
{
    const size_t n = s->n >> d;
    const size_t steps = spc ? (s->L < n ? s->L : n) : (s->L - 1 < n ? s->L - 1 : n);
    const int P = s->norder;
    float pm[RF_SCL_MAX_L], base[RF_SCL_MAX_L], cm[2 * RF_SCL_MAX_L];
    uint32_t flips[RF_SCL_MAX_L];
    uint8_t entry[RF_SCL_MAX_L], keep[2 * RF_SCL_MAX_L];
    const float *alpha[RF_SCL_MAX_L];
    for (int p = 0; p < P; p++) {
        const int slot = s->order[p];
        alpha[p] = fscl_llr(s, slot, d);
        fscl_least_reliable(alpha[p], n, spc && steps < 1 ? 1 : steps, s->keys, s->rank[p]);
        entry[p] = (uint8_t)p;
        pm[p] = base[p] = s->pm[slot];
        flips[p] = 0;
        if (spc) {
            uint8_t parity = 0;
            for (size_t i = 0; i < n; i++) parity ^= alpha[p][i] < 0.0f;
            if (parity) {
                flips[p] = 1;
                pm[p] = base[p] + fabsf(alpha[p][s->rank[p][0]]);
            }
        }
    }
    int nv = P;
    for (size_t t = spc ? 1 : 0; t < steps; t++) {
        for (int q = 0; q < nv; q++) {
            const uint32_t *rk = s->rank[entry[q]];
            const float at = fabsf(alpha[entry[q]][rk[t]]);
            cm[2 * q] = pm[q];
            if (!spc) {
                cm[2 * q + 1] = pm[q] + at;
            } else {
                const float b = base[q] + at;
                cm[2 * q + 1] = (flips[q] & 1) ? b : b + fabsf(alpha[entry[q]][rk[0]]);
            }
        }
        scl_select(cm, 2 * nv, s->L, keep);
        float npm[RF_SCL_MAX_L], nbase[RF_SCL_MAX_L];
        uint32_t nflips[RF_SCL_MAX_L];
        uint8_t nentry[RF_SCL_MAX_L];
        int nn = 0;
        for (int q = 0; q < nv; q++)
            for (int j = 0; j < 2; j++) {
                if (!keep[2 * q + j]) continue;
                npm[nn] = cm[2 * q + j];
                nentry[nn] = entry[q];
                nflips[nn] = flips[q];
                nbase[nn] = base[q];
                if (j) {
                    nflips[nn] ^= (uint32_t)1 << t;
                    if (spc) {
                        nflips[nn] ^= 1;
                        nbase[nn] = base[q] + fabsf(alpha[entry[q]][s->rank[entry[q]][t]]);
                    }
                }
                nn++;
            }
        nv = nn;
        memcpy(pm, npm, (size_t)nn * sizeof *pm);
        memcpy(base, nbase, (size_t)nn * sizeof *base);
        memcpy(flips, nflips, (size_t)nn * sizeof *flips);
        memcpy(entry, nentry, (size_t)nn);
    }
    /* materialise: entering paths without survivors die first (their slots host the forks) */
    int used[RF_SCL_MAX_L] = {0}, order[RF_SCL_MAX_L];
    for (int q = 0; q < nv; q++) used[entry[q]] = 1;
    for (int p = 0; p < P; p++)
        if (!used[p]) fscl_kill(s, s->order[p]);
    for (int q = 0; q < nv; q++) {
        const int from = s->order[entry[q]];
        int slot = from;
        if (used[entry[q]] == 2) {
            slot = s->free_slots[--s->nfree];
            fscl_fork(s, from, slot);
        }
        used[entry[q]] = 2;
        order[q] = slot;
        s->pm[slot] = pm[q];
        const float *al = alpha[entry[q]];
        const uint32_t *rk = s->rank[entry[q]];
        uint8_t *x = scl_pool_writable(&s->x[d], &s->out_id[slot][d]);
        for (size_t i = 0; i < n; i++) x[i] = al[i] < 0.0f;
        for (uint32_t f = flips[q]; f; f &= f - 1) x[rk[__builtin_ctz(f)]] ^= 1;
    }
    memcpy(s->order, order, (size_t)nv * sizeof *order);
    s->norder = nv;
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
