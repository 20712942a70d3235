/* The `openblas` peers of the gated layers (refast/gated.h): the same computations with every
 * matrix product through single-threaded cblas_sgemm and the gates in plain C.
 *
 * moe2: for a tile of inputs and outputs, three sgemms A_k = X_tile A_k,tile^T (k = 1, 2, w) into
 * stack tiles, then y = (1 - z) g(a1) + z g(a2) elementwise.
 * gru: P = X U^T + 1 b^T for all T steps in one sgemm ((T B) x I times I x 3H; C preset to the
 * biases, beta = 1), then per step: lbr, one sgemm R = h_{t-1} W^T (B x H times H x 3H) and
 * z = gate(P_z + R_z), r = gate(P_r + R_r), q = P_h + r (R_h + b_hr); cho, R_zr = h [W_z; W_r]^T,
 * the gates, s = r * h, then R_h = s W_h^T, q = P_h + R_h. h_t = (1 - z) h + z g(q).
 * The workspace layout is the one refast/gated.h sizes: P (3TBH), R (3BH), s (BH), state (2BH).
 */
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "gated_act.h"
#include "refast/gated.h"

void openblas_set_num_threads(int num_threads);

static void fill_nan(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = NAN;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ---- moe2 ------------------------------------------------------------------------------------ */

#define MOE2_TILE 4096 /* floats per pre-activation tile; three tiles: 48 KiB of stack */

/* tile[r][c] = x_{b0+r} . A[j0+c], r < nr, c < nc (ldc = nc). */
static void moe2_tile(const float *A, const float *x, size_t d, size_t b0, size_t nr, size_t j0,
                      size_t nc, float *tile)
{
    if (d == 0) {
        memset(tile, 0, nr * nc * sizeof *tile);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nr, (int)nc, (int)d, 1.0f, x + b0 * d,
                (int)d, A + j0 * d, (int)d, 0.0f, tile, (int)nc);
}

void moe2_f32_openblas(const rf_moe2_spec *s, const float *w, const float *x, float *y)
{
    const size_t B = s->B, d = s->d, m = s->m;
    if (B == 0 || m == 0) return;
    if (B > INT_MAX || d > INT_MAX || m > INT_MAX) {
        fill_nan(y, B * m);
        return;
    }
    openblas_set_num_threads(1);
    const float *A1 = w, *A2 = w + m * d, *W = w + 2 * m * d;
    float t1[MOE2_TILE], t2[MOE2_TILE], tw[MOE2_TILE];
    const size_t mb = min_size(m, MOE2_TILE), nb = MOE2_TILE / mb;
    for (size_t b0 = 0; b0 < B; b0 += nb) {
        const size_t nr = min_size(nb, B - b0);
        for (size_t j0 = 0; j0 < m; j0 += mb) {
            const size_t nc = min_size(mb, m - j0);
            moe2_tile(A1, x, d, b0, nr, j0, nc, t1);
            moe2_tile(A2, x, d, b0, nr, j0, nc, t2);
            moe2_tile(W, x, d, b0, nr, j0, nc, tw);
            for (size_t r = 0; r < nr; r++)
                for (size_t c = 0; c < nc; c++) {
                    const size_t e = r * nc + c;
                    y[(b0 + r) * m + j0 + c] = peer_update(
                        peer_gate(s->gate, tw[e]), peer_act(s->g, t1[e]), peer_act(s->g, t2[e]));
                }
        }
    }
}

/* ---- gru ------------------------------------------------------------------------------------- */

/* C (rows x n, ldc) = A (rows x k, lda = k) B^T with B n x k (ldb = k). */
static void gemm_nt(size_t rows, size_t n, size_t k, const float *A, const float *Bm, float beta,
                    float *C, size_t ldc)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)n, (int)k, 1.0f, A, (int)k,
                Bm, (int)k, beta, C, (int)ldc);
}

static void step_lbr(const rf_gru_spec *s, const float *W, const float *b_hr, const float *P,
                     const float *h, float *hn, float *R)
{
    const size_t B = s->B, H = s->H, G = 3 * H;
    gemm_nt(B, G, H, h, W, 0.0f, R, G);
    for (size_t b = 0; b < B; b++) {
        const float *p = P + b * G, *rr = R + b * G;
        for (size_t j = 0; j < H; j++) {
            const float z = peer_gate(s->gate, p[j] + rr[j]);
            const float r = peer_gate(s->gate, p[H + j] + rr[H + j]);
            const float q = p[2 * H + j] + r * (rr[2 * H + j] + b_hr[j]);
            hn[b * H + j] = peer_update(z, h[b * H + j], peer_act(s->g, q));
        }
    }
}

static void step_cho(const rf_gru_spec *s, const float *W, const float *P, const float *h,
                     float *hn, float *R, float *rh)
{
    const size_t B = s->B, H = s->H, G = 3 * H;
    gemm_nt(B, 2 * H, H, h, W, 0.0f, R, G); /* [W_z; W_r] h */
    for (size_t b = 0; b < B; b++) {
        const float *p = P + b * G;
        float *rr = R + b * G;
        for (size_t j = 0; j < H; j++) {
            rr[j] = peer_gate(s->gate, p[j] + rr[j]); /* z kept in place */
            rh[b * H + j] = peer_gate(s->gate, p[H + j] + rr[H + j]) * h[b * H + j];
        }
    }
    gemm_nt(B, H, H, rh, W + 2 * H * H, 0.0f, R + 2 * H, G); /* W_h (r * h) */
    for (size_t b = 0; b < B; b++) {
        const float *p = P + b * G, *rr = R + b * G;
        for (size_t j = 0; j < H; j++)
            hn[b * H + j] =
                peer_update(rr[j], h[b * H + j], peer_act(s->g, p[2 * H + j] + rr[2 * H + j]));
    }
}

void gru_f32_openblas(const rf_gru_spec *s, const float *w, const float *x, const float *h0,
                      float *out, float *work)
{
    const size_t T = s->T, B = s->B, In = s->In, H = s->H, G = 3 * H;
    if (B == 0 || H == 0) return;
    if (B > INT_MAX || T > INT_MAX / B || G > INT_MAX || In > INT_MAX) {
        fill_nan(out, s->output == RF_GRU_OUT_LAST ? B * H : T * B * H);
        return;
    }
    openblas_set_num_threads(1);
    const float *U = w, *W = w + G * In, *bias = W + G * H, *b_hr = bias + G;
    float *P = work, *R = P + T * B * G, *rh = R + B * G, *st = rh + B * H;

    for (size_t tb = 0; tb < T * B; tb++) memcpy(P + tb * G, bias, G * sizeof *P);
    if (T > 0 && In > 0) gemm_nt(T * B, G, In, x, U, 1.0f, P, G);

    const float *h = h0;
    if (!h) {
        memset(st, 0, B * H * sizeof *st);
        h = st;
    }
    for (size_t t = 0; t < T; t++) {
        float *hn;
        if (s->output == RF_GRU_OUT_ALL) hn = out + t * B * H;
        else if (t + 1 == T) hn = out;
        else hn = st + ((t + 1) & 1) * B * H;
        if (s->variant == RF_GRU_LBR) step_lbr(s, W, b_hr, P + t * B * G, h, hn, R);
        else step_cho(s, W, P + t * B * G, h, hn, R, rh);
        h = hn;
    }
    if (T == 0 && s->output == RF_GRU_OUT_LAST) memcpy(out, h, B * H * sizeof *out);
}
