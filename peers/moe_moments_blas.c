/* The `openblas` peers of the score-tensor moment sums: the raw moment of each block of samples as
 * one dgemm on the Khatri–Rao product, full and unsymmetric (what one writes with a BLAS at hand):
 *   M_m[(a1..a_{m-1}), c] = sum_i K[i, (a1..a_{m-1})] x_ic,  K[i, .] = w_i x_i (x) ... (x) x_i,
 * i.e. C (d^{m-1} x d) = K^T X with K the block's n_b x d^{m-1} Khatri–Rao rows. The packed
 * entries (a1 <= .. <= c) are read out of C per block and the block sums combined pairwise
 * (rf_moe_pairwise), so the peer keeps the header's summation contract (blocks of at most
 * RF_MOE_BLOCK samples; fewer when d^{m-1} is so large that K would exceed 32 MiB), then the same
 * corrections as every level. OpenBLAS runs on one thread, like every other row of the bench. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_moments.h"
#include "moe_sums.h"

static void single_thread(void)
{
    static int done;
    if (!done) {
        openblas_set_num_threads(1);
        done = 1;
    }
}

/* Reads the packed entries of order m out of the full C (row (a1..a_{m-1}) = mixed-radix index,
 * column c) into dst. */
static void extract(unsigned m, size_t d, const double *full, double *dst)
{
    size_t k = 0;
    if (m == 2) {
        for (size_t a = 0; a < d; a++)
            for (size_t b = a; b < d; b++) dst[k++] = full[a * d + b];
    } else if (m == 3) {
        for (size_t a = 0; a < d; a++)
            for (size_t b = a; b < d; b++)
                for (size_t c = b; c < d; c++) dst[k++] = full[(a * d + b) * d + c];
    } else {
        for (size_t a = 0; a < d; a++)
            for (size_t b = a; b < d; b++)
                for (size_t c = b; c < d; c++)
                    for (size_t e = c; e < d; e++) dst[k++] = full[((a * d + b) * d + c) * d + e];
    }
}

static size_t packed_size(unsigned m, size_t d)
{
    return m == 2 ? rf_sym2_size(d) : m == 3 ? rf_sym3_size(d) : rf_sym4_size(d);
}

/* Raw moment of order m (2..4), packed, into raw. -1 when memory runs out. */
static int raw_gemm(unsigned m, const double *x, const double *w, size_t n, size_t d, double *raw)
{
    size_t cols = 1; /* d^{m-1} */
    for (unsigned j = 1; j < m; j++) cols *= d;
    size_t rows = RF_MOE_BLOCK;
    while (rows > 1 && rows * cols * sizeof(double) > ((size_t)32 << 20)) rows /= 2;
    const size_t size = packed_size(m, d);
    double *kr = malloc(rows * cols * sizeof *kr), *full = malloc(cols * d * sizeof *full);
    double *blk = malloc(size * sizeof *blk);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, size);
    int status = kr && full && blk ? 0 : -1;
    for (size_t i0 = 0; i0 < n && status == 0; i0 += rows) {
        const size_t nb = n - i0 < rows ? n - i0 : rows;
        for (size_t i = 0; i < nb; i++) {
            const double *xi = x + (i0 + i) * d;
            double *ki = kr + i * cols;
            /* w x_a1 x_a2 .. over the mixed-radix index (a1 slowest). */
            if (m == 2) {
                for (size_t a = 0; a < d; a++) ki[a] = w[i0 + i] * xi[a];
            } else if (m == 3) {
                for (size_t a = 0; a < d; a++)
                    for (size_t b = 0; b < d; b++) ki[a * d + b] = w[i0 + i] * xi[a] * xi[b];
            } else {
                for (size_t a = 0; a < d; a++)
                    for (size_t b = 0; b < d; b++)
                        for (size_t c = 0; c < d; c++)
                            ki[(a * d + b) * d + c] = w[i0 + i] * xi[a] * xi[b] * xi[c];
            }
        }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)cols, (blasint)d, (blasint)nb,
                    1.0, kr, (blasint)cols, x + i0 * d, (blasint)d, 0.0, full, (blasint)d);
        extract(m, d, full, blk);
        status = rf_moe_pairwise_push(&pw, blk);
    }
    if (status == 0) rf_moe_pairwise_result(&pw, raw);
    rf_moe_pairwise_free(&pw);
    free(kr);
    free(full);
    free(blk);
    return status;
}

/* sum w and sum w x_a: per block in sample order, blocks pairwise (tiny next to the dgemm). */
static int lower_sums(const double *x, const double *w, size_t n, size_t d, double *m0, double *m1)
{
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, 1 + d);
    double *blk = malloc((1 + d) * sizeof *blk), *res = malloc((1 + d) * sizeof *res);
    int status = blk && res ? 0 : -1;
    for (size_t i0 = 0; i0 < n && status == 0; i0 += RF_MOE_BLOCK) {
        const size_t i1 = n - i0 < RF_MOE_BLOCK ? n : i0 + RF_MOE_BLOCK;
        memset(blk, 0, (1 + d) * sizeof *blk);
        for (size_t i = i0; i < i1; i++) {
            blk[0] += w[i];
            for (size_t a = 0; a < d; a++) blk[1 + a] += w[i] * x[i * d + a];
        }
        status = rf_moe_pairwise_push(&pw, blk);
    }
    if (status == 0) {
        rf_moe_pairwise_result(&pw, res);
        if (m0) *m0 = res[0];
        if (m1) memcpy(m1, res + 1, d * sizeof *m1);
    }
    rf_moe_pairwise_free(&pw);
    free(blk);
    free(res);
    return status;
}

static void tsum_blas(unsigned order, const double *x, const double *w, size_t n, size_t d, double *out)
{
    if (d == 0) return;
    single_thread();
    const size_t nlow = order == 2 ? 1 : order == 3 ? d : 1 + rf_sym2_size(d);
    double *low = malloc(nlow * sizeof *low);
    int status = low ? raw_gemm(order, x, w, n, d, out) : -1;
    if (status == 0) {
        if (order == 2) status = lower_sums(x, w, n, d, low, NULL);
        else if (order == 3) status = lower_sums(x, w, n, d, NULL, low);
        else {
            status = lower_sums(x, w, n, d, low, NULL);
            if (status == 0) status = raw_gemm(2, x, w, n, d, low + 1);
        }
    }
    if (status == 0) rf_moe_apply_corrections(order, d, low, out);
    else rf_moe_fill_nan(out, packed_size(order, d));
    free(low);
}

void moe_t2_sum_f64_openblas(const double *x, const double *w, size_t n, size_t d, double *out)
{
    tsum_blas(2, x, w, n, d, out);
}

void moe_t3_sum_f64_openblas(const double *x, const double *w, size_t n, size_t d, double *out)
{
    tsum_blas(3, x, w, n, d, out);
}

void moe_t4_sum_f64_openblas(const double *x, const double *w, size_t n, size_t d, double *out)
{
    tsum_blas(4, x, w, n, d, out);
}
