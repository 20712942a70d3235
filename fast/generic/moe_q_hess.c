/* Hessian of Q(W'|W_t) (refast/moe_gating.h) at a vector level, mirroring ref/moe_q_hess.c
 * (moe_q_hess_f64_ref), and moe_q_grad_f64 (the gradient and value of Q at W' for given
 * posteriors, the vector twin of rf_moe_q_grad that the Newton M-step calls next to the Hessian):
 * over the level's ops (fast/<isa>/simd.h, VL = VD_LANES doubles), its micro-kernel tile of
 * HS_ROWS rows x HS_R registers (fast/<isa>/tiles.h) and vexp_f64 / vlog_f64
 * (fast/generic/vmath_f64.h). vd_max returns its second operand where the first is NaN on x86 and
 * NaN on NEON: q is NaN for a NaN logit either way.
 *
 * The tricks:
 * - Symmetry twice over: H is symmetric, and each of its (k-1)^2 d x d blocks (j, l) is itself the
 *   symmetric matrix G_jl = sum_i c_ijl x_i x_i^T (c_ijl a scalar per sample). Only the k(k-1)/2
 *   pairs j <= l and, in each, only the upper triangle (from the register holding the diagonal)
 *   are computed: about (k-1) k d^2 / 4 multiply-adds per sample instead of ((k-1) d)^2.
 * - Per block of RF_MOE_EM_BLOCK samples and per pair, the weighted Gram matrix X^T diag(c_jl) X is
 *   a register-blocked rank-64 update: HS_ROWS rows s times HS_R registers of columns t stay in
 *   accumulators over the 64 samples, c_ijl x_is broadcast, x_it loaded from an L1-resident
 *   zero-padded copy of the block (no tails, no masks).
 * - The logits <w_j, x_i> as vector dot products over zero-padded copies of W and of the block of x
 *   (VL partial sums, then a horizontal add), not one latency-bound scalar FMA chain.
 * - The gating softmax of a block VL samples at a time (vexp_f64).
 * - The last tile of a row group holds only the registers the row still needs (hs_rows).
 * - Blocks summed pairwise (rf_moe_pairwise) as in ref, on the packed upper triangles only
 *   (P d (d+1)/2 doubles per block), expanded into the full H at the end.
 * Evaluation order differs from ref (FMA, q from the same formulas), within the `sum` bound.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe_sums.h"
#include "refast/moe_em.h"
#include "refast/moe_gating.h"
#include "refast/moe_moments.h"
#include "simd.h"
#include "tiles.h"
#include "vmath_f64.h"

#define VL VD_LANES
#define HS_B RF_MOE_EM_BLOCK
#define HS_CW (VL * HS_R) /* columns per micro-kernel tile */

/* out[a][t0 .. t0+nr*VL) (row stride ldo) = sum_{i<nb} (c_i X[i][s+a]) X[i][t0 ..], a < HS_ROWS; nr <= HS_R
 * registers of columns (a constant once inlined: the loops over r become straight code). */
AI void hs_tile(const double *cp, const double *X, size_t ld, size_t nb, size_t s, size_t t0,
                double *out, size_t ldo, const int nr)
{
    vd acc[HS_ROWS][HS_R];
    RF_UNROLL for (int a = 0; a < HS_ROWS; a++)
        RF_UNROLL for (int r = 0; r < HS_R; r++) acc[a][r] = vd_zero();
    for (size_t i = 0; i < nb; i++) {
        const double *xi = X + i * ld + t0, *ui = X + i * ld + s, ci = cp[i];
        vd xv[HS_R];
        RF_UNROLL for (int r = 0; r < HS_R; r++) if (r < nr) xv[r] = vd_loadu(xi + r * VL);
        RF_UNROLL for (int a = 0; a < HS_ROWS; a++) {
            const vd b = vd_set1(ci * ui[a]);
            RF_UNROLL for (int r = 0; r < HS_R; r++) if (r < nr) acc[a][r] = vd_fma(b, xv[r], acc[a][r]);
        }
    }
    RF_UNROLL for (int a = 0; a < HS_ROWS; a++)
        RF_UNROLL for (int r = 0; r < HS_R; r++) if (r < nr) vd_storeu(out + a * ldo + t0 + r * VL, acc[a][r]);
}

/* Rows s .. s+HS_ROWS-1 of one pair's block Gram matrix, columns from the register holding the
 * diagonal to d: whole tiles of HS_R registers, then one tile of the registers left. */
static void hs_rows(const double *cp, const double *X, size_t ld, size_t nb, size_t s, size_t d, double *out)
{
    size_t t0 = s / VL * VL;
    for (; t0 + HS_CW <= d; t0 += HS_CW) hs_tile(cp, X, ld, nb, s, t0, out, ld, HS_R);
    const size_t left = (d - t0 + VL - 1) / VL; /* registers still needed (< HS_R) */
    switch (left) {
    case 0: break;
    case 1: hs_tile(cp, X, ld, nb, s, t0, out, ld, 1); break;
#if HS_R > 2
    case 2: hs_tile(cp, X, ld, nb, s, t0, out, ld, 2); break;
#endif
#if HS_R > 3
    case 3: hs_tile(cp, X, ld, nb, s, t0, out, ld, 3); break;
#endif
    default: hs_tile(cp, X, ld, nb, s, t0, out, ld, HS_R); break;
    }
}

/* The block prologue shared by the Hessian and the gradient: copies samples i0 .. i0+nb-1 into the
 * zero-padded X (row stride ld), forms the logits (hb, expert-major) and the gating softmax
 * q_ij = e^(h_ij - M_i) / (e^-M_i + sum_l e^(h_il - M_i)), M_i = max(0, max_l h_il), VL samples at
 * a time with the level's vector exp (qb, expert-major); lse[i] = M_i + log(tot_i) when lse is
 * not NULL. Lanes past nb hold stale values and are never read. */
AI void hs_block(const double *x, size_t i0, size_t nb, size_t d, size_t kf, const double *Wp, size_t ld,
                 double *X, double *hb, double *qb, double *lse)
{
    for (size_t i = 0; i < nb; i++) {
        double *xi = X + i * ld;
        const double *src = x + (i0 + i) * d;
        /* copy the row into the padded block and form the logits in the same pass (a pure copy
         * loop would become a `rep movs` whose start-up costs more than the row) */
        vd acc[RF_MOE_EM_MAX_K];
        for (size_t j = 0; j < kf; j++) acc[j] = vd_zero();
        size_t t = 0;
        for (; t + VL <= d; t += VL) {
            const vd xv = vd_loadu(src + t);
            vd_storeu(xi + t, xv);
            for (size_t j = 0; j < kf; j++) acc[j] = vd_fma(vd_loadu(Wp + j * ld + t), xv, acc[j]);
        }
        if (t < d) {
            for (size_t u = t; u < d; u++) xi[u] = src[u];
            const vd xv = vd_loadu(xi + t); /* zero beyond d */
            for (size_t j = 0; j < kf; j++) acc[j] = vd_fma(vd_loadu(Wp + j * ld + t), xv, acc[j]);
        }
        for (size_t j = 0; j < kf; j++) hb[j * HS_B + i] = vd_hsum(acc[j]);
    }
    for (size_t i = 0; i < nb; i += VL) {
        vd M = vd_zero(), e[RF_MOE_EM_MAX_K];
        for (size_t j = 0; j < kf; j++) M = vd_max(vd_loadu(hb + j * HS_B + i), M); /* NaN h: skipped */
        vd tot = vexp_f64(vd_sub(vd_zero(), M));
        for (size_t j = 0; j < kf; j++) {
            e[j] = vexp_f64(vd_sub(vd_loadu(hb + j * HS_B + i), M)); /* NaN h: NaN q, as in ref */
            tot = vd_add(tot, e[j]);
        }
        const vd inv = vd_div(vd_set1(1.0), tot);
        for (size_t j = 0; j < kf; j++) vd_storeu(qb + j * HS_B + i, vd_mul(e[j], inv));
        if (lse) vd_storeu(lse + i, vd_add(M, vlog_f64(tot)));
    }
}

int RF_LEVEL_FN(moe_q_hess_f64)(const double *x, size_t n, size_t d, size_t k, const double *W, double *H)
{
    if (k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D || (k - 1) * d > RF_MOE_GATING_MAX_M)
        return -1;
    const size_t kf = k - 1, m = kf * d, P = kf * k / 2;
    const size_t ld = (d + VL - 1) / VL * VL + HS_CW + HS_ROWS; /* padded row of X and U */
    const size_t per = (d + HS_ROWS) * ld, tri = d * (d + 1) / 2; /* a pair's tile buffer, its triangle */
    double *X = calloc(HS_B * ld, sizeof *X);
    double *c = malloc(P * HS_B * sizeof *c), *G = calloc(per, sizeof *G), *blk = malloc(P * tri * sizeof *blk);
    double *Wp = calloc(kf * ld, sizeof *Wp); /* the free rows of W, zero-padded like X */
    double *hb = calloc(kf * HS_B, sizeof *hb), *qb = calloc(kf * HS_B, sizeof *qb); /* logits, q */
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, P * tri);
    int rc = (X && c && G && blk && Wp && hb && qb) ? 0 : -1;
    if (rc == 0)
        for (size_t j = 0; j < kf; j++) memcpy(Wp + j * ld, W + j * d, d * sizeof *Wp);
    for (size_t i0 = 0; i0 < n && rc == 0; i0 += HS_B) {
        const size_t nb = n - i0 < HS_B ? n - i0 : HS_B;
        /* the block of x, zero-padded, and the coefficients c_ijl of every pair */
        hs_block(x, i0, nb, d, kf, Wp, ld, X, hb, qb, NULL);
        for (size_t i = 0; i < nb; i += VL) { /* c_ijl of every pair */
            size_t p = 0;
            for (size_t j = 0; j < kf; j++) {
                const vd qj = vd_loadu(qb + j * HS_B + i);
                for (size_t l = j; l < kf; l++, p++) {
                    const vd ql = vd_loadu(qb + l * HS_B + i);
                    vd_storeu(c + p * HS_B + i, j == l ? vd_sub(qj, vd_mul(qj, qj)) : vd_sub(vd_zero(), vd_mul(qj, ql)));
                }
            }
        }
        for (size_t p = 0; p < P; p++) {
            const double *cp = c + p * HS_B;
            for (size_t s = 0; s < d; s += HS_ROWS) hs_rows(cp, X, ld, nb, s, d, G + s * ld);
            double *tp = blk + p * tri; /* the upper triangle, packed row by row */
            for (size_t s = 0; s < d; s++) {
                memcpy(tp, G + s * ld + s, (d - s) * sizeof *tp);
                tp += d - s;
            }
        }
        rc = rf_moe_pairwise_push(&pw, blk);
    }
    if (rc == 0) rc = rf_moe_pairwise_result(&pw, blk);
    if (rc == 0) {
        size_t p = 0;
        for (size_t j = 0; j < kf; j++)
            for (size_t l = j; l < kf; l++, p++) {
                const double *tp = blk + p * tri;
                for (size_t s = 0; s < d; s++)
                    for (size_t t = s; t < d; t++) {
                        const double v = -*tp++;
                        H[(j * d + s) * m + l * d + t] = H[(j * d + t) * m + l * d + s] = v;
                        H[(l * d + t) * m + j * d + s] = H[(l * d + s) * m + j * d + t] = v;
                    }
            }
    }
    rf_moe_pairwise_free(&pw);
    free(X);
    free(c);
    free(G);
    free(blk);
    free(Wp);
    free(hb);
    free(qb);
    return rc;
}

/* grad Q(W'|W_t) = sum_i (post_i - q_i(W')) x_i and Q(W'|W_t) (refast/moe_gating.h rf_moe_q_grad, whose
 * kernels/moe_gating.c code this mirrors): the block prologue above, then per sample the
 * coefficients post_ij - q_ij and the FMA update of the (k-1) d gradient, blocks summed pairwise. */
int RF_LEVEL_FN(moe_q_grad_f64)(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                                double *grad, double *qout)
{
    if (k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D) return -1;
    const size_t kf = k - 1, m = kf * d, dp = (d + VL - 1) / VL * VL;
    const size_t ld = dp + HS_CW + HS_ROWS;
    double *X = calloc(HS_B * ld, sizeof *X), *Wp = calloc(kf * ld, sizeof *Wp);
    double *hb = calloc(kf * HS_B, sizeof *hb), *qb = calloc(kf * HS_B, sizeof *qb);
    double *lse = calloc(HS_B, sizeof *lse), *gb = malloc(kf * dp * sizeof *gb), *blk = malloc((m + 1) * sizeof *blk);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, m + 1);
    int rc = (X && Wp && hb && qb && lse && gb && blk) ? 0 : -1;
    if (rc == 0)
        for (size_t j = 0; j < kf; j++) memcpy(Wp + j * ld, W + j * d, d * sizeof *Wp);
    for (size_t i0 = 0; i0 < n && rc == 0; i0 += HS_B) {
        const size_t nb = n - i0 < HS_B ? n - i0 : HS_B;
        hs_block(x, i0, nb, d, kf, Wp, ld, X, hb, qb, lse);
        for (size_t e = 0; e < kf * dp; e++) gb[e] = 0.0;
        double qsum = 0.0;
        for (size_t i = 0; i < nb; i++) {
            const double *pi = post + (i0 + i) * k, *xi = X + i * ld;
            double lin = 0.0;
            for (size_t j = 0; j < kf; j++) {
                const vd coef = vd_set1(pi[j] - qb[j * HS_B + i]);
                double *gj = gb + j * dp;
                for (size_t t = 0; t < dp; t += VL) vd_storeu(gj + t, vd_fma(coef, vd_loadu(xi + t), vd_loadu(gj + t)));
                lin += pi[j] * hb[j * HS_B + i];
            }
            qsum += lin - lse[i];
        }
        for (size_t j = 0; j < kf; j++) memcpy(blk + j * d, gb + j * dp, d * sizeof *blk);
        blk[m] = qsum;
        rc = rf_moe_pairwise_push(&pw, blk);
    }
    if (rc == 0) rc = rf_moe_pairwise_result(&pw, blk);
    if (rc == 0) {
        memcpy(grad, blk, m * sizeof *grad);
        if (qout) *qout = blk[m];
    }
    rf_moe_pairwise_free(&pw);
    free(X);
    free(Wp);
    free(hb);
    free(qb);
    free(lse);
    free(gb);
    free(blk);
    return rc;
}
