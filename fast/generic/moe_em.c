/* The gating-EM kernels (refast/moe_em.h) at a vector level, mirroring ref/moe_em.c:
 * moe_estep_f64_ref and moe_em_grad_f64_ref, over the level's ops (fast/<isa>/simd.h, VL =
 * VD_LANES doubles), its logit micro-kernel width EM_CH (weight chunks of VL logits per pass,
 * fast/<isa>/tiles.h) and vexp_f64 / vexpm1_nonpos_f64 / vlog_f64 (fast/generic/vmath_f64.h);
 * moe_em_vmath_f64 exports those for tests. Tails use vd_loadn (masked where the level has masked
 * loads, never touching memory past the data).
 *
 * The tricks:
 * - Logits as a micro-GEMM without transposing x: the 2k-1 weight rows (w_0..w_{k-2}, a_0..a_{k-1})
 *   are stored transposed once per call (VT, d x Lp, zero-padded to whole registers), so a register
 *   of VT holds VL weights of one coordinate t; VL samples times EM_CH such registers accumulate
 *   x_it * VT[t] with the x_it broadcast from memory (vfmadd ...{1toN}), and one VL x VL transpose
 *   per chunk turns the per-sample logit vectors into per-logit sample vectors.
 * - The softmaxes, g, exp, log and the coefficients post - gate then run VL samples per register
 *   with the level's vector exp / expm1 / log.
 * - The gradient of a block is the register-blocked product C^T X_block: up to 4 rows of C times
 *   2 registers of x coordinates per pass, x read from L1 where the logit pass just left it.
 * - Blocks of RF_MOE_EM_BLOCK samples; block sums combined pairwise by the binary counter of ref.
 * The evaluation order differs from ref's (FMA dot products, reciprocal-multiply softmax), within
 * the bounds derived in refast/moe_em.h; the NaN rule is the same (a NaN anywhere in a sample's
 * logits reaches all its posteriors through the sum of the exponentials).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_em.h"
#include "simd.h"
#include "tiles.h"
#include "vmath_f64.h"

#define VL VD_LANES
#define EM_B RF_MOE_EM_BLOCK

static const double em_zero_row[RF_MOE_MAX_D + 8];

/* g of refast/moe.h, VL samples at once. sigmoid = 1/(1 + e^-z); tanh = -em/(2 + em) with
 * em = expm1(-2|z|), sign of z (accurate to a few ulp relative, also near 0). */
AI vd em_g(int g, vd z)
{
    switch (g) {
    case RF_MOE_G_RELU: return vd_select(vd_lt(z, vd_zero()), vd_zero(), z);
    case RF_MOE_G_LEAKY_RELU: return vd_select(vd_lt(z, vd_zero()), vd_mul(z, vd_set1(0.01)), z);
    case RF_MOE_G_SIGMOID:
        return vd_div(vd_set1(1.0), vd_add(vd_set1(1.0), vexp_f64(vd_sub(vd_zero(), z))));
    case RF_MOE_G_TANH: {
        const vd em = vexpm1_nonpos_f64(vd_mul(vd_set1(-2.0), vd_abs(z)));
        const vd t = vd_div(vd_sub(vd_zero(), em), vd_add(vd_set1(2.0), em));
        return vd_copysign(t, z);
    }
    default: return z;
    }
}

typedef struct em_ctx {
    size_t d, k, L, Lp;
    int g;
    double inv_sigma;
    double *VT;  /* d x Lp */
    double *LG;  /* L x EM_B logits of the block, sample-contiguous */
    double *CB;  /* (k-1) x EM_B coefficients post - gate, then a zero row */
    double *YB;  /* EM_B outputs, zero-padded */
    double *QB;  /* EM_B per-sample terms of q */
    double *PB;  /* k x VL posteriors of one group */
} em_ctx;

/* Logits of samples s0 .. s0+VL-1 of the block (rows beyond nb read as zeros), chunks c0.. of nc
 * registers of weights: acc[ch][s] gathers <v_{c0+ch VL+lane}, x_s>, transposed on the way out. */
AI void em_logit_pass(const em_ctx *c, const double *const *rows, size_t s0, size_t c0, int nc)
{
    vd acc[EM_CH][VL];
    RF_UNROLL
    for (int ch = 0; ch < EM_CH; ch++)
        RF_UNROLL
        for (int s = 0; s < VL; s++) acc[ch][s] = vd_zero();
    const double *vt = c->VT + c0;
    for (size_t t = 0; t < c->d; t++, vt += c->Lp) {
        RF_UNROLL
        for (int ch = 0; ch < EM_CH; ch++) {
            if (ch >= nc) break;
            const vd w = vd_loadu(vt + ch * VL);
            RF_UNROLL
            for (int s = 0; s < VL; s++) acc[ch][s] = vd_fma(vd_set1(rows[s][t]), w, acc[ch][s]);
        }
    }
    RF_UNROLL
    for (int ch = 0; ch < EM_CH; ch++) {
        if (ch >= nc) break;
        vd_transpose(acc[ch]);
        RF_UNROLL
        for (int r = 0; r < VL; r++) {
            const size_t row = c0 + (size_t)ch * VL + (size_t)r;
            if (row < c->L) vd_storeu(c->LG + row * EM_B + s0, acc[ch][r]);
        }
    }
}

static void em_logits(const em_ctx *c, const double *xb, size_t nb, size_t s0)
{
    const double *rows[VL];
    for (int s = 0; s < VL; s++) rows[s] = s0 + (size_t)s < nb ? xb + (s0 + (size_t)s) * c->d : em_zero_row;
    for (size_t c0 = 0; c0 < c->Lp; c0 += (size_t)EM_CH * VL) {
        const size_t left = (c->Lp - c0) / VL;
        if (left >= EM_CH) em_logit_pass(c, rows, s0, c0, EM_CH);
#if EM_CH > 1
        else if (left == 1) em_logit_pass(c, rows, s0, c0, 1);
#endif
#if EM_CH > 2
        else if (left == 2) em_logit_pass(c, rows, s0, c0, 2);
        else if (left == 3) em_logit_pass(c, rows, s0, c0, 3);
#endif
    }
}

/* Posteriors (into PB, k x VL) of the group at s0; with grad, the coefficients post - gate into CB
 * and the terms of q into QB. */
static void em_softmax(const em_ctx *c, size_t s0, int grad)
{
    const size_t k = c->k;
    vd l[RF_MOE_EM_MAX_K], e[RF_MOE_EM_MAX_K];
    const vd y = vd_loadu(c->YB + s0), half = vd_set1(0.5), is = vd_set1(c->inv_sigma);
    vd m = vd_set1(-INFINITY);
    for (size_t j = 0; j < k; j++) {
        const vd h = j + 1 < k ? vd_loadu(c->LG + j * EM_B + s0) : vd_zero();
        const vd z = vd_loadu(c->LG + (k - 1 + j) * EM_B + s0);
        const vd r = vd_mul(vd_sub(y, em_g(c->g, z)), is);
        l[j] = vd_fnma(vd_mul(half, r), r, h);
        m = vd_max(m, l[j]);
    }
    vd tot = vd_zero();
    for (size_t j = 0; j < k; j++) {
        e[j] = vexp_f64(vd_sub(l[j], m));
        tot = vd_add(tot, e[j]);
    }
    const vd inv = vd_div(vd_set1(1.0), tot);
    for (size_t j = 0; j < k; j++) vd_storeu(c->PB + j * VL, vd_mul(e[j], inv));
    if (!grad) return;
    /* gate = softmax(h_0..h_{k-2}, 0); log(1 + sum e^h) = m0 + log(sum e^(h - m0)) */
    vd m0 = vd_zero();
    for (size_t j = 0; j + 1 < k; j++) m0 = vd_max(m0, vd_loadu(c->LG + j * EM_B + s0));
    vd tot0 = vexp_f64(vd_sub(vd_zero(), m0));
    for (size_t j = 0; j + 1 < k; j++) {
        e[j] = vexp_f64(vd_sub(vd_loadu(c->LG + j * EM_B + s0), m0));
        tot0 = vd_add(tot0, e[j]);
    }
    const vd inv0 = vd_div(vd_set1(1.0), tot0);
    vd qv = vd_sub(vd_zero(), vd_add(m0, vlog_f64(tot0)));
    for (size_t j = 0; j + 1 < k; j++) {
        const vd p = vd_loadu(c->PB + j * VL);
        vd_storeu(c->CB + j * EM_B + s0, vd_fnma(e[j], inv0, p));
        qv = vd_fma(p, vd_loadu(c->LG + j * EM_B + s0), qv);
    }
    vd_storeu(c->QB + s0, qv);
}

/* gblk[j][t] = sum_{s < nb} CB[j][s] x_st for the rows j0 .. j0+nj-1, columns t0 .. t0+2VL-1. */
AI void em_grad_tile(const em_ctx *c, const double *xb, size_t nb, size_t j0, int nj, size_t t0,
                     double *gblk)
{
    const size_t d = c->d;
    const size_t n0 = d - t0 >= VL ? VL : d - t0;
    const size_t n1 = d - t0 >= 2 * VL ? VL : d - t0 > VL ? d - t0 - VL : 0;
    vd acc[4][2];
    RF_UNROLL
    for (int j = 0; j < 4; j++) acc[j][0] = acc[j][1] = vd_zero();
    const double *cb = c->CB + j0 * EM_B;
    for (size_t s = 0; s < nb; s++) {
        const double *xs = xb + s * d + t0;
        const vd x0 = n0 == VL ? vd_loadu(xs) : vd_loadn(xs, n0);
        const vd x1 = n1 == VL ? vd_loadu(xs + VL) : vd_loadn(xs + VL, n1);
        RF_UNROLL
        for (int j = 0; j < 4; j++) {
            if (j >= nj) break;
            const vd cj = vd_set1(cb[(size_t)j * EM_B + s]);
            acc[j][0] = vd_fma(cj, x0, acc[j][0]);
            acc[j][1] = vd_fma(cj, x1, acc[j][1]);
        }
    }
    RF_UNROLL
    for (int j = 0; j < 4; j++) {
        if (j >= nj) break;
        double tmp[2 * VL];
        vd_storeu(tmp, acc[j][0]);
        vd_storeu(tmp + VL, acc[j][1]);
        memcpy(gblk + (j0 + (size_t)j) * d + t0, tmp, (n0 + n1) * sizeof(double));
    }
}

static void em_grad_block(const em_ctx *c, const double *xb, size_t nb, double *gblk)
{
    const size_t rows = c->k - 1;
    for (size_t t0 = 0; t0 < c->d; t0 += 2 * VL)
        for (size_t j0 = 0; j0 < rows; j0 += 4) {
            const size_t nj = rows - j0;
            if (nj >= 4) em_grad_tile(c, xb, nb, j0, 4, t0, gblk);
            else if (nj == 3) em_grad_tile(c, xb, nb, j0, 3, t0, gblk);
            else if (nj == 2) em_grad_tile(c, xb, nb, j0, 2, t0, gblk);
            else em_grad_tile(c, xb, nb, j0, 1, t0, gblk);
        }
}

/* ---- pairwise combination (the binary counter of ref/moe_em.c) -------------------------------- */
typedef struct em_pairs {
    size_t len;
    unsigned nlevels;
    unsigned char full[64];
    double *level;
} em_pairs;

static void em_pairs_add(em_pairs *p, double *block)
{
    unsigned l = 0;
    while (p->full[l]) {
        const double *lv = p->level + l * p->len;
        for (size_t e = 0; e < p->len; e++) block[e] = lv[e] + block[e];
        p->full[l++] = 0;
    }
    memcpy(p->level + l * p->len, block, p->len * sizeof *block);
    p->full[l] = 1;
}

static void em_pairs_finish(const em_pairs *p, double *out)
{
    int any = 0;
    for (unsigned l = 0; l < p->nlevels; l++) {
        if (!p->full[l]) continue;
        const double *lv = p->level + l * p->len;
        for (size_t e = 0; e < p->len; e++) out[e] = any ? lv[e] + out[e] : lv[e];
        any = 1;
    }
    if (!any) memset(out, 0, p->len * sizeof *out);
}

/* The whole kernel: posteriors into post (if not NULL), grad and q (if grad is not NULL). */
static int em_run(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                  const double *W, int g, double sigma, double *post, double *grad, double *q)
{
    if (k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D || g < 0 || g >= RF_MOE_G_COUNT) return -1;
    em_ctx c;
    c.d = d;
    c.k = k;
    c.L = 2 * k - 1;
    c.Lp = (c.L + VL - 1) / VL * VL;
    c.g = g;
    c.inv_sigma = 1.0 / sigma;
    const size_t len = (k - 1) * d + 1, nblocks = (n + EM_B - 1) / EM_B;
    em_pairs ps;
    memset(&ps, 0, sizeof ps);
    ps.len = len;
    ps.nlevels = 1;
    while (((size_t)1 << (ps.nlevels - 1)) < nblocks) ps.nlevels++;
    const size_t total = d * c.Lp + c.L * EM_B + k * EM_B + 2 * EM_B + k * VL + len + ps.nlevels * len;
    double *mem = malloc(total * sizeof *mem);
    if (!mem) return -1;
    c.VT = mem;
    c.LG = c.VT + d * c.Lp;
    c.CB = c.LG + c.L * EM_B;
    c.YB = c.CB + k * EM_B;
    c.QB = c.YB + EM_B;
    c.PB = c.QB + EM_B;
    double *gblk = c.PB + k * VL;
    ps.level = gblk + len;
    for (size_t t = 0; t < d; t++)
        for (size_t r = 0; r < c.Lp; r++)
            c.VT[t * c.Lp + r] = r + 1 < k ? W[r * d + t] : r < c.L ? A[(r - (k - 1)) * d + t] : 0.0;

    for (size_t b = 0; b < nblocks; b++) {
        const size_t i0 = b * EM_B, nb = n - i0 < EM_B ? n - i0 : EM_B;
        const double *xb = x + i0 * d;
        memcpy(c.YB, y + i0, nb * sizeof *y);
        memset(c.YB + nb, 0, (EM_B - nb) * sizeof *y);
        for (size_t s0 = 0; s0 < nb; s0 += VL) {
            em_logits(&c, xb, nb, s0);
            em_softmax(&c, s0, grad != NULL);
            if (post) {
                const size_t ns = nb - s0 < VL ? nb - s0 : VL;
                for (size_t s = 0; s < ns; s++)
                    for (size_t j = 0; j < k; j++) post[(i0 + s0 + s) * k + j] = c.PB[j * VL + s];
            }
        }
        if (grad) {
            em_grad_block(&c, xb, nb, gblk);
            double qs = 0.0;
            for (size_t s = 0; s < nb; s++) qs += c.QB[s];
            gblk[len - 1] = qs;
            em_pairs_add(&ps, gblk);
        }
    }
    if (grad) {
        em_pairs_finish(&ps, gblk);
        memcpy(grad, gblk, (len - 1) * sizeof *grad);
        *q = gblk[len - 1];
    }
    free(mem);
    return 0;
}

/* The vector functions one at a time (the test hook of refast/moe_em.h). */
static void em_vmath(int f, const double *x, size_t n, double *out)
{
    for (size_t i = 0; i < n; i += VL) {
        const size_t m = n - i < VL ? n - i : VL;
        const vd v = m == VL ? vd_loadu(x + i) : vd_loadn(x + i, m);
        vd r;
        switch (f) {
        case RF_VMATH_EXP: r = vexp_f64(v); break;
        case RF_VMATH_EXPM1: r = vexpm1_nonpos_f64(v); break;
        case RF_VMATH_LOG: r = vlog_f64(v); break;
        case RF_VMATH_SIGMOID: r = em_g(RF_MOE_G_SIGMOID, v); break;
        default: r = em_g(RF_MOE_G_TANH, v); break;
        }
        double tmp[VL];
        vd_storeu(tmp, r);
        memcpy(out + i, tmp, m * sizeof *tmp);
    }
}

int RF_LEVEL_FN(moe_estep_f64)(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                               const double *W, int g, double sigma, double *post)
{
    return em_run(x, y, n, d, k, A, W, g, sigma, post, NULL, NULL);
}

int RF_LEVEL_FN(moe_em_grad_f64)(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                                 const double *W, int g, double sigma, double *grad, double *q)
{
    return em_run(x, y, n, d, k, A, W, g, sigma, NULL, grad, q);
}

void RF_LEVEL_FN(moe_em_vmath_f64)(int f, const double *x, size_t n, double *out)
{
    em_vmath(f, x, n, out);
}
