/* The L4 loss and gradient at a vector level (mirrors ref/moe_l4.c: moe_l4_grad_f64_ref), over
 * the level's ops (fast/<isa>/simd.h, L4_LANES = VD_LANES doubles) and its micro-kernel tile: up
 * to L4_RMAX rows x L4_CMAX registers (fast/<isa>/tiles.h).
 *
 * The tricks. (1) Both GEMM-shaped stages go through one register-tiled micro-kernel (l4_tile: an
 * R x C tile of accumulators, per term C vector loads, R broadcasts, R*C independent FMA chains):
 *   U = X A^T    rows = samples (broadcasts of x_sb, read in place), the k projections in the lanes
 *                (A^T padded to whole registers), summed over the coordinates;
 *   [G4; G2] = W^T X   rows = the 2k per-sample weights (q4 C4_si, then q2 u_si), coordinates in
 *                the lanes (x rows read in place), summed over the samples of the block in order.
 * (2) Between them the per-sample polynomial of ref's rf_l4_sample_coef (Phi_s, C4_si, and the
 * statistics q4 u u^T, q2 u^2, ...) runs with the SAMPLES in the lanes (U transposed per block:
 * k values per sample), so its k^2 work per sample is vectorised too.
 * Measured alternatives: a dot product per (sample, row) with a horizontal sum, and a transposed
 * copy of the block (d scalar stores per sample), were both 1.5-2x slower at k = 8, d = 64; small
 * copies through memcpy become `rep movsq` (tens of cycles each), hence l4_copy_row.
 *
 * Summation: the contract of ref (refast/moe_loss.h): blocks of RF_MOE_BLOCK samples; inside a
 * block the statistics are added per lane (samples s = lane mod L4_LANES) and the lanes summed at the
 * block's end, the gradient sums one sample after the other, each projection over the coordinates
 * in order; blocks pairwise (rf_moe_pairwise).
 * Non-finite inputs: probed through the projections (0 * u_i is NaN as soon as a coordinate of x
 * is) and q4, q2, plus a scan of A and hyper, then every output is NaN like ref.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "moe_l4_common.h"
#include "moe_sums.h"
#include "refast/moe_loss.h"
#include "refast/moe_moments.h"
#include "simd.h"
#include "tiles.h"

#define L4_LANES ((unsigned)VD_LANES)
#define L4_K RF_MOE_L4_MAX_K

/* The micro-kernel of both GEMM-shaped stages: out[r][c] = sum_{t < T} P[t ldp + r ldr] Q[t ldq + c]
 * for an R x C tile (R rows, C registers of columns) held in R*C registers: per t, C loads of Q,
 * R broadcasts of P and R*C independent FMA chains. Overwrites out (row stride ldo). */
AI void l4_tile(const unsigned R, const unsigned C, const double *P, size_t ldp, size_t ldr,
                const double *Q, size_t ldq, size_t T, double *out, size_t ldo, bool add)
{
    vd acc[L4_RMAX][L4_CMAX];
    RF_UNROLL
    for (unsigned r = 0; r < R; r++) {
        RF_UNROLL
        for (unsigned c = 0; c < C; c++) acc[r][c] = add ? vd_loadu(out + r * ldo + c * L4_LANES) : vd_zero();
    }
    for (size_t t = 0; t < T; t++) {
        const double *q = Q + t * ldq, *p = P + t * ldp;
        vd qv[L4_CMAX];
        RF_UNROLL
        for (unsigned c = 0; c < C; c++) qv[c] = vd_loadu(q + c * L4_LANES);
        RF_UNROLL
        for (unsigned r = 0; r < R; r++) {
            const vd pv = vd_set1(p[r * ldr]);
            RF_UNROLL
            for (unsigned c = 0; c < C; c++) acc[r][c] = vd_fma(pv, qv[c], acc[r][c]);
        }
    }
    RF_UNROLL
    for (unsigned r = 0; r < R; r++) {
        RF_UNROLL
        for (unsigned c = 0; c < C; c++) vd_storeu(out + r * ldo + c * L4_LANES, acc[r][c]);
    }
}

/* out (rows x cols*L4_LANES, stride ldo) = P^T Q over T terms, tiled; the tile shapes are
 * compile-time constants (largest power of two of rows that fits, then the column remainder). */
AI void l4_gemm(const double *P, size_t ldp, size_t ldr, const double *Q, size_t ldq, size_t T,
                size_t rows, size_t cols, double *out, size_t ldo, bool add)
{
    for (size_t r0 = 0; r0 < rows;) {
        const size_t left = rows - r0;
        const unsigned R = left >= 8 && L4_RMAX >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
        for (size_t c0 = 0; c0 < cols;) {
            const size_t cl = cols - c0;
            const unsigned C = cl >= L4_CMAX ? L4_CMAX : (unsigned)cl;
            const double *p = P + r0 * ldr, *q = Q + c0 * L4_LANES;
            double *o = out + r0 * ldo + c0 * L4_LANES;
#define L4_TILE_CASE(RR)                                                                         \
    case RR:                                                                                     \
        if (C == L4_CMAX) l4_tile(RR, L4_CMAX, p, ldp, ldr, q, ldq, T, o, ldo, add);   \
        else if (C == 2) l4_tile(RR, 2, p, ldp, ldr, q, ldq, T, o, ldo, add);          \
        else l4_tile(RR, 1, p, ldp, ldr, q, ldq, T, o, ldo, add);                      \
        break;
            switch (R) {
#if L4_RMAX >= 8
                L4_TILE_CASE(8)
#endif
                L4_TILE_CASE(4)
                L4_TILE_CASE(2)
                default: L4_TILE_CASE(1)
            }
#undef L4_TILE_CASE
            c0 += C;
        }
        r0 += R;
    }
}

/* dst[0..dn) = src[0..sn) followed by zeros (sn <= dn, dn a multiple of L4_LANES; when it is not,
 * dst must have room up to sn rounded up). */
AI void l4_copy_row(const double *src, size_t sn, double *dst, size_t dn)
{
    size_t b = 0;
    for (; b + L4_LANES <= sn; b += L4_LANES) vd_storeu(dst + b, vd_loadu(src + b));
    if (b < sn) { /* the tail through a partial load: a scalar loop here becomes rep movsq */
        vd_storeu(dst + b, vd_loadn(src + b, sn - b));
        b += L4_LANES;
    }
    for (; b < dn; b += L4_LANES) vd_storeu(dst + b, vd_zero());
}

/* Per-call scratch. */
typedef struct l4_scratch {
    double *xp;  /* L4_LANES x dpad: the call's last rows, zero-padded to whole registers */
    double *at;  /* d x kpad: A transposed, zero-padded columns */
    double *us;  /* RF_MOE_BLOCK x kpad: the projections, sample-major */
    double *ub;  /* k x RF_MOE_BLOCK: the projections, samples in the lanes */
    double *q4t, *q2t;       /* RF_MOE_BLOCK each, zero-padded */
    double *wt;  /* RF_MOE_BLOCK x 2k: per sample q4 C4_s. then q2 u_s. */
    double *gp;  /* 2k x dpad: the block's gradient sums */
    double *vm;  /* k x k x L4_LANES: lane sums of q4 u_i u_j (i <= j) */
    double *blk; /* rf_l4_acc_size(k, d) + L4_LANES */
    size_t dpad, kpad;
} l4_scratch;

/* Statistics of one block of nb samples (x rows i0 ..) into blk (overwritten); returns the probe
 * (0 if every projection and q is finite). */
AI double l4_block(const double *x, const double *q4, const double *q2, size_t nb, size_t d,
                   size_t k, const double *nrm, const double *G, double N, double mu,
                   size_t ndirect, l4_scratch *sc)
{
    double *blk = sc->blk;
    const size_t dpad = sc->dpad, k2 = 2 * k;
    memset(blk, 0, rf_l4_acc_size(k, d) * sizeof *blk);
    /* U (nb x kpad) = X A^T: rows = samples (broadcasts of x_sb), the k projections in the lanes,
     * sum over the coordinates; then U^T into ub, samples in the lanes, zero past the block. */
    const size_t ng = (nb + L4_LANES - 1) / L4_LANES, npad = ng * L4_LANES, kpad = sc->kpad;
    l4_gemm(x, 1, d, sc->at, kpad, d, nb, kpad / L4_LANES, sc->us, kpad, false);
    for (size_t s = 0; s < nb; s++) {
        for (size_t i = 0; i < k; i++) sc->ub[i * RF_MOE_BLOCK + s] = sc->us[s * kpad + i];
        sc->q4t[s] = q4[s];
        sc->q2t[s] = q2[s];
    }
    for (size_t s = nb; s < npad; s++) {
        for (size_t i = 0; i < k; i++) sc->ub[i * RF_MOE_BLOCK + s] = 0.0;
        sc->q4t[s] = 0.0;
        sc->q2t[s] = 0.0;
    }
    memset(sc->vm, 0, k * k * L4_LANES * sizeof *sc->vm);
    vd aphi = vd_zero(), aq4 = vd_zero(), aq2 = vd_zero(), probe = vd_zero();
    vd ae[L4_K];
    for (size_t i = 0; i < k; i++) ae[i] = vd_zero();
    const vd zero = vd_zero(), four = vd_set1(4.0), eight = vd_set1(8.0), twelve = vd_set1(12.0);
    const vd vmu = vd_set1(mu), vN = vd_set1(N);
    double lanes[L4_LANES];
    for (size_t g = 0; g < ng; g++) {
        const size_t s0 = g * L4_LANES;
        vd u[L4_K];
        for (size_t i = 0; i < k; i++) {
            u[i] = vd_loadu(sc->ub + i * RF_MOE_BLOCK + s0);
            probe = vd_fma(zero, u[i], probe);
        }
        const vd vq4 = vd_loadu(sc->q4t + s0), vq2 = vd_loadu(sc->q2t + s0);
        probe = vd_fma(zero, vq4, vd_fma(zero, vq2, probe));
        /* rf_l4_sample_coef, lane-wise. */
        vd S = vd_zero(), U4 = vd_zero(), NU2 = vd_zero(), UGU = vd_zero();
        for (size_t i = 0; i < k; i++) {
            const vd u2 = vd_mul(u[i], u[i]);
            S = vd_add(S, u2);
            U4 = vd_fma(u2, u2, U4);
            NU2 = vd_fma(vd_set1(nrm[i]), u2, NU2);
        }
        const size_t live = nb - s0 < L4_LANES ? nb - s0 : L4_LANES;
        for (size_t i = 0; i < k; i++) {
            vd gu = vd_zero();
            for (size_t j = 0; j < k; j++)
                if (j != i) gu = vd_fma(vd_set1(G[i * k + j]), u[j], gu);
            UGU = vd_fma(u[i], gu, UGU);
            const vd ui = u[i], u2 = vd_mul(ui, ui), ni = vd_set1(nrm[i]);
            /* 4 u_i (S - u_i^2 - N + n_i) - 8 gu - mu (4 u_i^3 - 12 n_i u_i) */
            const vd bracket = vd_add(vd_sub(vd_sub(S, u2), vN), ni);
            const vd cubic = vd_sub(vd_mul(four, vd_mul(u2, ui)), vd_mul(twelve, vd_mul(ni, ui)));
            const vd coef = vd_sub(vd_sub(vd_mul(four, vd_mul(ui, bracket)), vd_mul(eight, gu)), vd_mul(vmu, cubic));
            /* The per-sample weights go sample-major (wt[s][r]) for the gradient micro-kernel. */
            vd_storeu(lanes, vd_mul(vq4, coef));
            for (size_t l = 0; l < live; l++) sc->wt[(s0 + l) * k2 + i] = lanes[l];
            const vd q2u = vd_mul(vq2, ui);
            vd_storeu(lanes, q2u);
            for (size_t l = 0; l < live; l++) sc->wt[(s0 + l) * k2 + k + i] = lanes[l];
            ae[i] = vd_fma(q2u, ui, ae[i]);
            const vd q4u = vd_mul(vq4, ui);
            for (size_t j = i; j < k; j++) {
                double *p = sc->vm + (i * k + j) * L4_LANES;
                vd_storeu(p, vd_fma(q4u, u[j], vd_loadu(p)));
            }
        }
        const vd phi = vd_sub(vd_sub(vd_sub(vd_sub(vd_mul(S, S), U4), vd_mul(vd_set1(2.0), vd_sub(vd_mul(vN, S), NU2))),
                                     vd_mul(four, UGU)),
                              vd_mul(vmu, vd_sub(U4, vd_mul(vd_set1(6.0), NU2))));
        aphi = vd_fma(vq4, phi, aphi);
        aq4 = vd_add(aq4, vq4);
        aq2 = vd_add(aq2, vq2);
    }
    blk[L4_PHI] = vd_hsum(aphi);
    blk[L4_Q4] = vd_hsum(aq4);
    blk[L4_Q2] = vd_hsum(aq2);
    double *M = blk + L4_M, *E2 = blk + rf_l4_off_e(k);
    for (size_t i = 0; i < k; i++) {
        E2[i] = vd_hsum(ae[i]);
        for (size_t j = i; j < k; j++) M[i * k + j] = M[j * k + i] = vd_hsum(vd_loadu(sc->vm + (i * k + j) * L4_LANES));
    }
    /* Gradient sums [G4; G2] (2k x dpad) = W^T X: rows r, coordinates in the lanes, the samples of
     * the block one after the other; then the unpadded rows into blk (G4 and G2 are contiguous). */
    /* The micro-kernel reads whole registers of x rows in place (stride d): past d it reads the
     * following rows, which only reach the discarded padding columns of gp. The call's last rows
     * (those whose dpad-wide window passes the end of x: fewer than L4_LANES) go through
     * zero-padded copies instead, added after the others (the same order). */
    l4_gemm(sc->wt, k2, 1, x, d, ndirect, k2, dpad / L4_LANES, sc->gp, dpad, false);
    if (ndirect < nb) {
        for (size_t s = ndirect; s < nb; s++)
            for (size_t b = 0; b < dpad; b++) sc->xp[(s - ndirect) * dpad + b] = b < d ? x[s * d + b] : 0.0;
        l4_gemm(sc->wt + ndirect * k2, k2, 1, sc->xp, dpad, nb - ndirect, k2, dpad / L4_LANES, sc->gp,
                           dpad, true);
    }
    double *G42 = blk + rf_l4_off_g4(k);
    /* Row r's tail store spills into row r + 1 (rewritten next) and, for the last, the slack of blk. */
    for (size_t r = 0; r < k2; r++) l4_copy_row(sc->gp + r * dpad, d, G42 + r * d, d);
    return vd_hsum(probe);
}

void RF_LEVEL_FN(moe_l4_grad_f64)(const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,
                                  const double *A, const double *hyper, double *loss, double *grad)
{
    if (k < 1 || k > RF_MOE_L4_MAX_K || d < 1 || d > RF_MOE_L4_MAX_D) {
        rf_l4_fill_nan(d, k, loss, grad);
        return;
    }
    double probe = 0.0;
    for (size_t i = 0; i < k * d; i++) probe += 0.0 * A[i];
    for (size_t i = 0; i < RF_L4_NHYPER; i++) probe += 0.0 * hyper[i];
    double nrm[L4_K], G[L4_K * L4_K];
    const double N = rf_l4_gram(A, d, k, nrm, G);
    const size_t size = rf_l4_acc_size(k, d);
    l4_scratch sc;
    sc.dpad = (d + L4_LANES - 1) / L4_LANES * L4_LANES;
    sc.kpad = (k + L4_LANES - 1) / L4_LANES * L4_LANES;
    sc.xp = malloc(L4_LANES * sc.dpad * sizeof(double));
    const size_t safe = sc.dpad == d ? n : n * d >= sc.dpad ? (n * d - sc.dpad) / d + 1 : 0;
    sc.at = calloc(d * sc.kpad, sizeof(double));
    sc.us = malloc(RF_MOE_BLOCK * sc.kpad * sizeof(double));
    sc.ub = malloc(k * RF_MOE_BLOCK * sizeof(double));
    sc.q4t = malloc(RF_MOE_BLOCK * sizeof(double));
    sc.q2t = malloc(RF_MOE_BLOCK * sizeof(double));
    sc.wt = malloc(RF_MOE_BLOCK * 2 * k * sizeof(double));
    sc.gp = malloc(2 * k * sc.dpad * sizeof(double));
    sc.vm = malloc(k * k * L4_LANES * sizeof(double));
    sc.blk = malloc((size + L4_LANES) * sizeof(double)); /* slack for l4_copy_row's last tail */
    double *total = malloc(size * sizeof(double));
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, size);
    int status = sc.us && sc.xp && sc.at && sc.ub && sc.q4t && sc.q2t && sc.wt && sc.gp && sc.vm && sc.blk && total
                     ? 0
                     : -1;
    if (status == 0)
        for (size_t i = 0; i < k; i++)
            for (size_t b = 0; b < d; b++) sc.at[b * sc.kpad + i] = A[i * d + b];
    for (size_t i0 = 0; i0 < n && status == 0 && probe == 0.0; i0 += RF_MOE_BLOCK) {
        const size_t nb = n - i0 < RF_MOE_BLOCK ? n - i0 : RF_MOE_BLOCK;
        /* Rows s < safe can be read dpad wide in place (s d + dpad <= n d). */
        const size_t ndirect = safe <= i0 ? 0 : safe - i0 < nb ? safe - i0 : nb;
        probe += l4_block(x + i0 * d, q4 + i0, q2 + i0, nb, d, k, nrm, G, N, hyper[RF_L4_MU],
                                     ndirect, &sc);
        status = rf_moe_pairwise_push(&pw, sc.blk);
    }
    if (status == 0) status = rf_moe_pairwise_result(&pw, total);
    if (status == 0 && probe == 0.0) rf_l4_finish(total, n, d, k, A, hyper, loss, grad);
    else rf_l4_fill_nan(d, k, loss, grad);
    rf_moe_pairwise_free(&pw);
    free(sc.us);
    free(sc.xp);
    free(sc.at);
    free(sc.ub);
    free(sc.q4t);
    free(sc.q2t);
    free(sc.wt);
    free(sc.gp);
    free(sc.vm);
    free(sc.blk);
    free(total);
}
