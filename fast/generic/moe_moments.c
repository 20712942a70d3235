/* The score-tensor moment sums at a vector level (mirrors ref/moe_moments.c: moe_t2_sum_f64_ref,
 * moe_t3_sum_f64_ref, moe_t4_sum_f64_ref), over the level's ops (fast/<isa>/simd.h, MM_LANES =
 * VD_LANES doubles; where the level has the half-width vdh, RF_SIMD_HAVE_VDH, also over those) and
 * its tile widths MM_CMAX1, MM_CMAX2 (fast/<isa>/tiles.h: the widest tiles with 1 and 2 row
 * registers).
 *
 * The trick: the raw moment M_m[(a, p), e] = sum_s (w_s x_sp) x_sa x_se, p the prefix (b) for
 * M3, (b, c) for M4, is a GEMM restricted to the packed triangle a <= b <= .. <= e. For one
 * prefix every entry shares the weight ws_s = w_s x_sb [x_sc], and the free indices a in [0, b]
 * and e in [c, d) form a rectangle: one index runs along the lanes of the registers, the other
 * along the columns of a register tile (orientation MM_A: lanes a, columns e; MM_B: lanes e,
 * columns a; per prefix the one with fewer estimated cycles, mm_prefix_group). A tile of V row
 * registers x C columns (V <= 2, C <= MM_CMAX) takes, per sample, V loads of x_s times ws_s, C
 * broadcasts and V*C FMAs into V*C accumulators: about C(d+m-1, m) useful multiply-adds per
 * sample instead of the d^m of the full tensor, at the FMA rate. Wasted work: the padding lanes
 * of the last register of a rectangle (a half-width register where it has at most half its lanes
 * valid, when the level has one) and, for M2, the lanes a > c of its first columns.
 *
 * Summation: samples go in panels of up to MM_PANEL_MAX_BLOCKS blocks of RF_MOE_BLOCK samples. A
 * tile adds the samples of one block one after the other in its registers, combines the block
 * sums of the panel pairwise (a binary counter on the stack), and pushes the panel sum into a
 * pairwise counter over panels that lives in memory in the tiles' own padded layout. Depth of
 * every entry's summation tree: RF_MOE_BLOCK + ceil(log2 blocks) + 2, the header's bound.
 * Extracting the packed entries and applying the corrections (rf_moe_apply_corrections, as in
 * ref) happens once at the end.
 *
 * The panel copies its samples into rows of dpad doubles (d rounded up to a register, plus one
 * register) with zero padding, so every register load stays inside the panel whatever d, n and the
 * alignment of x. For M4 it also keeps x and w x transposed (contiguous in s), from which the
 * d(d+1)/2 prefix weights of a panel are one vectorised product each.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "moe_sums.h"
#include "refast/moe_moments.h"
#include "simd.h"
#include "tiles.h"

#define MM_LANES ((unsigned)VD_LANES)
#define MM_TREE_LEVELS 4 /* panels of up to 8 blocks: levels 0..3 of the in-panel counter */
#define MM_PANEL_MAX_BLOCKS 4
#define MM_TILE_MAX (2 * MM_CMAX2 > MM_CMAX1 ? 2 * MM_CMAX2 : MM_CMAX1)

/* What every tile of one panel reads. */
typedef struct mm_panel {
    const double *xp; /* nsamp rows of dpad doubles */
    const double *xt; /* the same, transposed: d rows of tstride doubles (x_sa at a*tstride + s) */
    const double *wt; /* w_s x_sa, transposed like xt */
    const double *ws; /* the prefix weights of the current row group, nsamp */
    size_t dpad, nsamp, tstride;
} mm_panel;

/* One tile (V row registers of lanes from lane0 on, C columns from col0 on) over the whole panel:
 * writes the panel sum, V*C registers in the order [j][v], to sum. Defined for a register type
 * T with lanes LN and its primitives P##_zero, P##_load, ...: once for vd and, where the level
 * has one (RF_SIMD_HAVE_VDH), once for the half-width vdh used by a rectangle's last, half-empty
 * register. */
#define MM_DEFINE_TILE(NAME, T, LN, P)                                                           \
    AI void NAME(const unsigned V, const unsigned C, const mm_panel *pn, size_t lane0,           \
                 size_t col0, double *sum)                                                       \
    {                                                                                            \
        T lv[MM_TREE_LEVELS][MM_TILE_MAX];                                                       \
        T acc[MM_TILE_MAX];                                                                      \
        uint64_t blk = 0;                                                                        \
        for (size_t s0 = 0; s0 < pn->nsamp; s0 += RF_MOE_BLOCK, blk++) {                         \
            const size_t s1 = pn->nsamp - s0 < RF_MOE_BLOCK ? pn->nsamp : s0 + RF_MOE_BLOCK;     \
            RF_UNROLL                                                                            \
            for (unsigned i = 0; i < V * C; i++) acc[i] = P##_zero();                            \
            /* One pointer per operand stream, constant offsets from it: GCC otherwise keeps    \
             * an induction variable per column and runs out of registers. */                    \
            const size_t dp = pn->dpad;                                                          \
            const double *xa = pn->xp + s0 * dp + lane0;                                         \
            const double *xcol = pn->xp + s0 * dp + col0;                                        \
            const double *wsp = pn->ws + s0;                                                     \
            /* Tiles with fewer independent accumulators than the FMA latency needs (4 cycles,   \
             * 32 lanes in flight) keep two sets, for even and odd samples, added at the end of  \
             * the block (any order inside a block is the contract). */                         \
            const unsigned S = V * C * (LN) < 32 && 2 * V * C <= MM_TILE_MAX ? 2 : 1;             \
            RF_UNROLL                                                                            \
            for (unsigned i = V * C; i < S * V * C; i++) acc[i] = P##_zero();                    \
            size_t s = s0;                                                                       \
            for (; s + S <= s1; s += S) {                                                        \
                RF_UNROLL                                                                        \
                for (unsigned q = 0; q < S; q++) {                                               \
                    const T wsv = P##_bcast(wsp + q);                                            \
                    T u[2];                                                                      \
                    RF_UNROLL                                                                    \
                    for (unsigned v = 0; v < V; v++)                                             \
                        u[v] = P##_mul(P##_loadu(xa + q * dp + v * (LN)), wsv);                   \
                    RF_UNROLL                                                                    \
                    for (unsigned j = 0; j < C; j++) {                                           \
                        const T xc = P##_bcast(xcol + q * dp + j);                               \
                        RF_UNROLL                                                                \
                        for (unsigned v = 0; v < V; v++)                                         \
                            acc[q * V * C + j * V + v] =                                         \
                                P##_fma(u[v], xc, acc[q * V * C + j * V + v]);                   \
                    }                                                                            \
                }                                                                                \
                xa += S * dp;                                                                    \
                xcol += S * dp;                                                                  \
                wsp += S;                                                                        \
            }                                                                                    \
            if (s < s1) { /* the odd last sample of a block, into the first set */              \
                const T wsv = P##_bcast(wsp);                                                    \
                T u[2];                                                                          \
                RF_UNROLL                                                                        \
                for (unsigned v = 0; v < V; v++) u[v] = P##_mul(P##_loadu(xa + v * (LN)), wsv);   \
                RF_UNROLL                                                                        \
                for (unsigned j = 0; j < C; j++) {                                               \
                    const T xc = P##_bcast(xcol + j);                                            \
                    RF_UNROLL                                                                    \
                    for (unsigned v = 0; v < V; v++)                                             \
                        acc[j * V + v] = P##_fma(u[v], xc, acc[j * V + v]);                      \
                }                                                                                \
            }                                                                                    \
            RF_UNROLL                                                                            \
            for (unsigned i = V * C; i < S * V * C; i++)                                         \
                acc[i - V * C] = P##_add(acc[i - V * C], acc[i]);                                \
            /* In-panel binary counter: block blk merges with the levels of its trailing ones. */\
            unsigned l = 0;                                                                      \
            for (; (blk >> l) & 1; l++) {                                                        \
                RF_UNROLL                                                                        \
                for (unsigned i = 0; i < V * C; i++) acc[i] = P##_add(lv[l][i], acc[i]);         \
            }                                                                                    \
            RF_UNROLL                                                                            \
            for (unsigned i = 0; i < V * C; i++) lv[l][i] = acc[i];                              \
        }                                                                                        \
        /* What remains: the set bits of blk, lowest (most recent) first (a panel is never      \
         * empty; the zeros only keep the compiler from seeing an uninitialised path). */        \
        RF_UNROLL                                                                                \
        for (unsigned i = 0; i < V * C; i++) acc[i] = P##_zero();                                \
        bool have = false;                                                                       \
        for (unsigned l = 0; l < MM_TREE_LEVELS; l++) {                                          \
            if (!((blk >> l) & 1)) continue;                                                     \
            RF_UNROLL                                                                            \
            for (unsigned i = 0; i < V * C; i++) acc[i] = have ? P##_add(lv[l][i], acc[i]) : lv[l][i]; \
            have = true;                                                                         \
        }                                                                                        \
        RF_UNROLL                                                                                \
        for (unsigned i = 0; i < V * C; i++) P##_storeu(sum + (size_t)i * (LN), acc[i]);          \
    }

MM_DEFINE_TILE(mm_tile, vd, MM_LANES, vd)
#ifdef RF_SIMD_HAVE_VDH
MM_DEFINE_TILE(mm_tile_half, vdh, VDH_LANES, vdh)
#endif

#define MM_CASE(V, C)                                                                            \
    case (V) * 64 + (C): mm_tile(V, C, pn, lane0, col0, sum); break;

static void mm_tile_any(unsigned V, unsigned C, const mm_panel *pn, size_t lane0,
                        size_t col0, double *sum)
{
    switch (V * 64 + C) {
        MM_CASE(1, 1) MM_CASE(1, 2) MM_CASE(1, 3) MM_CASE(1, 4) MM_CASE(1, 5) MM_CASE(1, 6)
        MM_CASE(2, 1) MM_CASE(2, 2) MM_CASE(2, 3) MM_CASE(2, 4) MM_CASE(2, 5) MM_CASE(2, 6)
#if MM_CMAX1 >= 12
        MM_CASE(1, 7) MM_CASE(1, 8) MM_CASE(1, 9) MM_CASE(1, 10) MM_CASE(1, 11) MM_CASE(1, 12)
#endif
#if MM_CMAX1 >= 24
        MM_CASE(1, 13) MM_CASE(1, 14) MM_CASE(1, 15) MM_CASE(1, 16) MM_CASE(1, 17) MM_CASE(1, 18)
        MM_CASE(1, 19) MM_CASE(1, 20) MM_CASE(1, 21) MM_CASE(1, 22) MM_CASE(1, 23) MM_CASE(1, 24)
#endif
#if MM_CMAX2 >= 12
        MM_CASE(2, 7) MM_CASE(2, 8) MM_CASE(2, 9) MM_CASE(2, 10) MM_CASE(2, 11) MM_CASE(2, 12)
#endif
    default: break;
    }
}
#undef MM_CASE

#ifdef RF_SIMD_HAVE_VDH
#define MM_CASE(C)                                                                               \
    case (C): mm_tile_half(1, C, pn, lane0, col0, sum); break;
static void mm_tile_half_any(unsigned C, const mm_panel *pn, size_t lane0, size_t col0,
                             double *sum)
{
    switch (C) {
        MM_CASE(1) MM_CASE(2) MM_CASE(3) MM_CASE(4) MM_CASE(5) MM_CASE(6) MM_CASE(7) MM_CASE(8)
        MM_CASE(9) MM_CASE(10) MM_CASE(11) MM_CASE(12) MM_CASE(13) MM_CASE(14) MM_CASE(15)
        MM_CASE(16) MM_CASE(17) MM_CASE(18) MM_CASE(19) MM_CASE(20) MM_CASE(21) MM_CASE(22)
        MM_CASE(23) MM_CASE(24)
    default: break;
    }
}
#undef MM_CASE
#endif

/* The whole raw-moment computation of one order m in {2, 3, 4}. The row groups (prefixes) and
 * their tiles are walked in the same order for every panel and for the extraction, so a running
 * offset addresses each tile's registers in the padded layout. */
typedef struct mm_state {
    unsigned m;
    size_t d, dpad;
    size_t padded;      /* doubles of the padded layout */
    rf_moe_pairwise pw; /* over panels, in the padded layout */
    double *panel_sum;  /* one panel's sums, padded layout */
} mm_state;

enum { MM_LAYOUT, MM_COMPUTE, MM_EXTRACT, MM_COST };

/* A row group: for one prefix, the lanes run over the index range [lane0, lane0 + len) and the
 * columns over [col0, col0 + ncols). Orientation MM_A: lanes = the first index a (from 0 to b),
 * columns = the last index; MM_B: lanes = the last index (from the prefix's end to d - 1),
 * columns = a. M2 groups are one chunk of a each with columns c >= the chunk's start (MM_A, the
 * lanes a > c of the first columns wasted). */
enum { MM_A, MM_B };
typedef struct mm_group {
    size_t lane0, len, col0, ncols;
    size_t lmin; /* lanes below lmin are padding (MM_B starts at a register boundary) */
    int orient;
    size_t b, c; /* the prefix (M3: b; M4: b, c) */
} mm_group;

/* Walks the tiles of a group: chunks of MM_LANES lanes in pairs (a single one last when the count
 * is odd; where the level has half-width registers, a last chunk with at most MM_LANES/2 valid
 * lanes gets half-width tiles), columns split evenly into pieces of at most MM_CMAX{1,2}.
 * MM_COMPUTE runs them on the panel into dst + off; MM_EXTRACT copies their valid entries from
 * dst + off into the packed raw; MM_COST adds an estimate of their cycles per sample to *cost
 * (per tile: the V*C FMAs plus V multiplies, at least the 4-cycle FMA latency, in full-register
 * units). Returns the offset after the group's tiles in the padded layout. */
static size_t mm_group_tiles(const mm_state *st, const mm_panel *pn, int mode,
                             const mm_group *g, size_t off, double *dst, double *raw,
                             double *cost)
{
    const size_t d = st->d, nk = (g->len + MM_LANES - 1) / MM_LANES;
#ifdef RF_SIMD_HAVE_VDH
    const size_t rem = g->len % MM_LANES;
    const size_t nfull = nk - (rem != 0 && rem <= MM_LANES / 2 ? 1 : 0);
#else
    const size_t nfull = nk;
#endif
    for (size_t k = 0; k < nk;) {
        const int half = k == nfull;
        const unsigned V = half ? 1 : nfull - k >= 2 ? 2 : 1;
        const unsigned ln = half ? MM_LANES / 2 : MM_LANES;
        const size_t cmax = V == 2 ? MM_CMAX2 : MM_CMAX1;
        const size_t pieces = (g->ncols + cmax - 1) / cmax;
        const size_t lane0 = g->lane0 + k * MM_LANES;
        size_t col = g->col0;
        for (size_t p = 0; p < pieces; p++) {
            const size_t C = g->ncols * (p + 1) / pieces - g->ncols * p / pieces;
            if (mode == MM_COMPUTE) {
#ifdef RF_SIMD_HAVE_VDH
                if (half) mm_tile_half_any((unsigned)C, pn, lane0, col, dst + off);
                else
#endif
                    mm_tile_any(V, (unsigned)C, pn, lane0, col, dst + off);
            } else if (mode == MM_COST) {
                const double ops = (double)(V * C + V) * ln / MM_LANES;
                *cost += ops > 4.0 ? ops : 4.0;
            } else if (mode == MM_EXTRACT) {
                for (size_t j = 0; j < C; j++)
                    for (unsigned v = 0; v < V; v++)
                        for (unsigned lane = 0; lane < ln; lane++) {
                            const size_t li = k * MM_LANES + v * ln + lane; /* lane index in group */
                            const size_t l = g->lane0 + li, cc = col + j;
                            if (li >= g->len || l < g->lmin) continue;
                            const double val = dst[off + (j * V + v) * ln + lane];
                            if (st->m == 2) {
                                if (l <= cc) raw[rf_sym2_index(d, l, cc)] = val;
                            } else if (st->m == 3) {
                                raw[g->orient == MM_A ? rf_sym3_index(d, l, g->b, cc)
                                                      : rf_sym3_index(d, cc, g->b, l)] = val;
                            } else {
                                raw[g->orient == MM_A ? rf_sym4_index(d, l, g->b, g->c, cc)
                                                      : rf_sym4_index(d, cc, g->b, g->c, l)] = val;
                            }
                        }
            }
            off += (size_t)V * C * ln;
            col += C;
        }
        k += V;
    }
    return off;
}

/* The group of prefix (b, c) (M3: c = b) in the cheaper orientation by the cost estimate. */
static mm_group mm_prefix_group(const mm_state *st, size_t b, size_t c)
{
    const mm_group ga = {.lane0 = 0, .len = b + 1, .col0 = c, .ncols = st->d - c, .orient = MM_A,
                         .b = b, .c = c};
    /* MM_B starts its lanes at the register boundary below c: aligned loads (a load that
     * straddles two cache lines costs two), the lanes below c wasted. */
    const size_t lb = c / MM_LANES * MM_LANES;
    const mm_group gb = {.lane0 = lb, .len = st->d - lb, .col0 = 0, .ncols = b + 1, .lmin = c,
                         .orient = MM_B, .b = b, .c = c};
    double ca = 0, cb = 0;
    mm_group_tiles(st, NULL, MM_COST, &ga, 0, NULL, NULL, &ca);
    mm_group_tiles(st, NULL, MM_COST, &gb, 0, NULL, NULL, &cb);
    return cb < ca ? gb : ga;
}

/* One pass over every row group in a fixed order: MM_LAYOUT only adds up the padded layout's
 * size (returned); MM_COMPUTE runs the tiles of one panel (rebuilding the prefix weights ws per
 * group); MM_EXTRACT copies the entries of the padded dst into the packed raw. */
static size_t mm_walk(const mm_state *st, mm_panel *pn, int mode, double *ws,
                      double *dst, double *raw)
{
    const size_t d = st->d;
    size_t off = 0;
    if (st->m == 2) {
        if (mode == MM_COMPUTE) pn->ws = ws; /* ws[0, nsamp) = w of the panel */
        for (size_t k = 0; k * MM_LANES < d; k++) {
            const size_t a0 = k * MM_LANES;
            const mm_group g = {.lane0 = a0, .len = d - a0 < MM_LANES ? d - a0 : MM_LANES,
                                .col0 = a0, .ncols = d - a0, .orient = MM_A};
            off = mm_group_tiles(st, pn, mode, &g, off, dst, raw, NULL);
        }
        return off;
    }
    for (size_t c = 0; c < d; c++) {
        const size_t b_end = st->m == 3 ? 1 : c + 1;
        for (size_t bi = 0; bi < b_end; bi++) {
            /* Prefix: M3 (b) with b = c here; M4 (b, c). */
            const size_t b = st->m == 3 ? c : bi;
            if (mode == MM_COMPUTE) {
                /* ws_s = (w_s x_sb) [x_sc]: the weight every lane of this prefix shares, from the
                 * transposed panel (contiguous in s: the loop vectorises). */
                double *restrict wsd = ws + pn->nsamp; /* after the panel's w */
                if (st->m == 3) {
                    /* d prefixes per panel: the strided reads are cheap next to the tiles. */
                    for (size_t s = 0; s < pn->nsamp; s++) wsd[s] = ws[s] * pn->xp[s * pn->dpad + b];
                } else {
                    /* d(d+1)/2 prefixes per panel: from the transposed panel. */
                    const double *restrict wb = pn->wt + b * pn->tstride;
                    const double *restrict xc = pn->xt + c * pn->tstride;
                    for (size_t s = 0; s < pn->nsamp; s++) wsd[s] = wb[s] * xc[s];
                }
                pn->ws = wsd;
            }
            const mm_group g = mm_prefix_group(st, b, c);
            off = mm_group_tiles(st, pn, mode, &g, off, dst, raw, NULL);
        }
    }
    return off;
}

static size_t mm_panel_samples(size_t dpad)
{
    /* Keep the panel's rows within ~256 KiB of L2: 8 blocks up to dpad = 64, fewer above. */
    size_t blocks = MM_PANEL_MAX_BLOCKS;
    while (blocks > 1 && blocks * RF_MOE_BLOCK * (dpad - MM_LANES) * sizeof(double) > (size_t)256 * 1024)
        blocks /= 2;
    return blocks * RF_MOE_BLOCK;
}

/* rf_moe_pairwise_push compiled with this level's flags (the same counter; the additions
 * vectorise): sum number `count` merges with the levels of its trailing ones, older on the left. */
static int mm_push(rf_moe_pairwise *p, const double *sum)
{
    unsigned top = 0;
    while ((p->count >> top) & 1) top++;
    if (!p->level[top] && !(p->level[top] = malloc((p->size ? p->size : 1) * sizeof(double))))
        return -1;
    double *restrict dst = p->level[top];
    memcpy(dst, sum, p->size * sizeof *dst);
    for (unsigned l = 0; l < top; l++) {
        const double *restrict src = p->level[l];
        for (size_t k = 0; k < p->size; k++) dst[k] = src[k] + dst[k];
    }
    p->count++;
    return 0;
}

/* Raw moment M_m (packed) into raw. Returns -1 when memory runs out. */
static int mm_raw(unsigned m, const double *x, const double *w, size_t n, size_t d,
                  double *raw)
{
    /* Rows padded with zeros to a whole register and one more: lanes that start at any
     * index (orientation MM_B) load up to MM_LANES - 1 doubles past d. */
    mm_state st = {.m = m, .d = d, .dpad = (d + MM_LANES - 1) / MM_LANES * MM_LANES + MM_LANES};
    st.padded = mm_walk(&st, NULL, MM_LAYOUT, NULL, NULL, NULL);
    const size_t psamp = mm_panel_samples(st.dpad);
    rf_moe_pairwise_init(&st.pw, st.padded);
    double *xp = rf_alloc(psamp * st.dpad * sizeof(double));
    const size_t tsize = m == 4 ? psamp * d : 1;
    double *xt = rf_alloc(tsize * sizeof(double)), *wt = rf_alloc(tsize * sizeof(double));
    double *ws = rf_alloc(2 * psamp * sizeof(double));
    st.panel_sum = rf_alloc(st.padded * sizeof(double));
    int status = xp && xt && wt && ws && st.panel_sum ? 0 : -1;
    for (size_t i0 = 0; i0 < n && status == 0; i0 += psamp) {
        const size_t ns = n - i0 < psamp ? n - i0 : psamp;
        for (size_t s = 0; s < ns; s++) {
            const double *xs = x + (i0 + s) * d;
            ws[s] = w[i0 + s];
            for (size_t a = 0; a < d; a++) xp[s * st.dpad + a] = xs[a];
        }
        if (m == 4) /* the transposed panel and w_s x_sa, for the prefix weights */
            for (size_t a = 0; a < d; a++)
                for (size_t s = 0; s < ns; s++) {
                    xt[a * psamp + s] = xp[s * st.dpad + a];
                    wt[a * psamp + s] = ws[s] * xp[s * st.dpad + a];
                }
        mm_panel pn = {.xp = xp, .xt = xt, .wt = wt, .ws = ws, .dpad = st.dpad, .nsamp = ns,
                       .tstride = psamp};
        mm_walk(&st, &pn, MM_COMPUTE, ws, st.panel_sum, NULL);
        status = mm_push(&st.pw, st.panel_sum);
    }
    if (status == 0) {
        rf_moe_pairwise_result(&st.pw, st.panel_sum);
        mm_walk(&st, NULL, MM_EXTRACT, NULL, st.panel_sum, raw);
    }
    rf_moe_pairwise_free(&st.pw);
    rf_free(xp);
    rf_free(xt);
    rf_free(wt);
    rf_free(ws);
    rf_free(st.panel_sum);
    return status;
}

/* sum w (lower[0]) and, when with_m1, sum w x_a (lower[1 + a]): per block in sample order, the
 * block sums pairwise. */
static int mm_low(const double *x, const double *w, size_t n, size_t d, int with_m1,
                  double *lower)
{
    const size_t size = 1 + (with_m1 ? d : 0);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, size);
    double *blk = malloc(size * sizeof *blk);
    int status = blk ? 0 : -1;
    for (size_t i0 = 0; i0 < n && status == 0; i0 += RF_MOE_BLOCK) {
        const size_t i1 = n - i0 < RF_MOE_BLOCK ? n : i0 + RF_MOE_BLOCK;
        memset(blk, 0, size * sizeof *blk);
        for (size_t i = i0; i < i1; i++) {
            blk[0] += w[i];
            if (with_m1)
                for (size_t a = 0; a < d; a++) blk[1 + a] += w[i] * x[i * d + a];
        }
        status = rf_moe_pairwise_push(&pw, blk);
    }
    if (status == 0) rf_moe_pairwise_result(&pw, lower);
    rf_moe_pairwise_free(&pw);
    free(blk);
    return status;
}

static void mm_tsum(unsigned order, const double *x, const double *w, size_t n,
                    size_t d, double *out)
{
    const size_t size = order == 2 ? rf_sym2_size(d) : order == 3 ? rf_sym3_size(d) : rf_sym4_size(d);
    if (d == 0) return;
    /* lower: order 2 {M0}, order 3 {M1} (d), order 4 {M0, M2 packed}. */
    const size_t nlow = order == 2 ? 1 : order == 3 ? d : 1 + rf_sym2_size(d);
    double *low = malloc(nlow * sizeof *low), *tmp = malloc((1 + d) * sizeof *tmp);
    int status = low && tmp ? 0 : -1;
    if (status == 0) status = mm_raw(order, x, w, n, d, out);
    if (status == 0) {
        if (order == 2) {
            status = mm_low(x, w, n, d, 0, low);
        } else if (order == 3) {
            status = mm_low(x, w, n, d, 1, tmp);
            if (status == 0) memcpy(low, tmp + 1, d * sizeof *low);
        } else {
            status = mm_low(x, w, n, d, 0, low);
            if (status == 0) status = mm_raw(2, x, w, n, d, low + 1);
        }
    }
    if (status == 0) rf_moe_apply_corrections(order, d, low, out);
    else rf_moe_fill_nan(out, size);
    free(low);
    free(tmp);
}

void RF_LEVEL_FN(moe_t2_sum_f64)(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum(2, x, w, n, d, out);
}

void RF_LEVEL_FN(moe_t3_sum_f64)(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum(3, x, w, n, d, out);
}

void RF_LEVEL_FN(moe_t4_sum_f64)(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum(4, x, w, n, d, out);
}
