/* Score-tensor moment sums T2, T3, T4 (SPEC §5.2, refast/moe_moments.h), scalar reference.
 *
 * The definition, straight:
 *   1. raw moments  M_m = sum_i w_i x_i^{(x)m}  (packed, a <= b <= c ..., lexicographic), summed per
 *      block of RF_MOE_BLOCK samples in sample order, the block sums combined pairwise (a binary
 *      counter: partial[l] holds the sum of 2^l blocks);
 *   2. the Hermite corrections, once, from the lower raw moments:
 *      T2_ab   = M2_ab - d_ab M0
 *      T3_abc  = M3_abc - d_bc M1_a - d_ac M1_b - d_ab M1_c
 *      T4_abce = M4_abce - (d_ce M2_ab + d_be M2_ac + d_bc M2_ae + d_ae M2_bc + d_ac M2_be
 *                + d_ab M2_ce) + (d_ab d_ce + d_ac d_be + d_ae d_bc) M0
 *      where a term is subtracted only when its delta is 1 (so that a non-finite lower moment
 *      reaches exactly the entries whose terms contain it; see the header's NaN paragraph).
 * Each product is formed left to right, ((w x_a) x_b) x_c, which is what a term of the oracle is.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_moments.h"
#include "moe_sums.h"

/* Adds w x^{(x)m} of one sample (m = 0..4) to the packed raw moment acc. */
static void add_sample(const double *x, double w, size_t d, unsigned m, double *acc)
{
    size_t k = 0;
    if (m == 0) {
        acc[0] += w;
        return;
    }
    for (size_t a = 0; a < d; a++) {
        const double wa = w * x[a];
        if (m == 1) {
            acc[k++] += wa;
            continue;
        }
        for (size_t b = a; b < d; b++) {
            const double wab = wa * x[b];
            if (m == 2) {
                acc[k++] += wab;
                continue;
            }
            for (size_t c = b; c < d; c++) {
                const double wabc = wab * x[c];
                if (m == 3) {
                    acc[k++] += wabc;
                    continue;
                }
                for (size_t e = c; e < d; e++) acc[k++] += wabc * x[e];
            }
        }
    }
}

static size_t raw_size(size_t d, unsigned m)
{
    switch (m) {
    case 0: return 1;
    case 1: return d;
    case 2: return rf_sym2_size(d);
    case 3: return rf_sym3_size(d);
    default: return rf_sym4_size(d);
    }
}

/* M_m of n samples into raw (size raw_size). Returns -1 when memory runs out. */
static int raw_moment(const double *x, const double *w, size_t n, size_t d, unsigned m, double *raw)
{
    const size_t size = raw_size(d, m);
    double *partial[64] = {0};
    double *block = calloc(size, sizeof *block);
    int status = block ? 0 : -1;
    uint64_t blocks = 0;
    for (size_t i0 = 0; i0 < n && status == 0; i0 += RF_MOE_BLOCK, blocks++) {
        const size_t i1 = n - i0 < RF_MOE_BLOCK ? n : i0 + RF_MOE_BLOCK;
        memset(block, 0, size * sizeof *block);
        for (size_t i = i0; i < i1; i++) add_sample(x + i * d, w[i], d, m, block);
        /* Binary counter: block number `blocks` merges with the partial sums of the levels whose
         * bit is set, then lands in the first empty level. */
        unsigned l = 0;
        for (; (blocks >> l) & 1; l++)
            for (size_t k = 0; k < size; k++) block[k] = partial[l][k] + block[k];
        if (!partial[l] && !(partial[l] = malloc(size * sizeof(double)))) status = -1;
        else memcpy(partial[l], block, size * sizeof *block);
    }
    if (status == 0) {
        /* What remains: the levels of the set bits of `blocks`, lowest (latest samples) first. */
        bool have = false;
        for (unsigned l = 0; l < 64; l++) {
            if (!((blocks >> l) & 1)) continue;
            for (size_t k = 0; k < size; k++) raw[k] = have ? partial[l][k] + raw[k] : partial[l][k];
            have = true;
        }
        if (!have) memset(raw, 0, size * sizeof *raw);
    }
    for (unsigned l = 0; l < 64; l++) free(partial[l]);
    free(block);
    return status;
}

static void fill_nan(double *out, size_t n)
{
    for (size_t k = 0; k < n; k++) out[k] = NAN;
}

void RF_REF(moe_t2_sum_f64)(const double *x, const double *w, size_t n, size_t d, double *out)
{
    double m0;
    if (raw_moment(x, w, n, d, 2, out) != 0 || raw_moment(x, w, n, d, 0, &m0) != 0) {
        fill_nan(out, rf_sym2_size(d));
        return;
    }
    size_t k = 0;
    for (size_t a = 0; a < d; a++)
        for (size_t b = a; b < d; b++, k++)
            if (a == b) out[k] -= m0;
}

void RF_REF(moe_t3_sum_f64)(const double *x, const double *w, size_t n, size_t d, double *out)
{
    double *m1 = malloc((d ? d : 1) * sizeof *m1);
    if (!m1 || raw_moment(x, w, n, d, 3, out) != 0 || raw_moment(x, w, n, d, 1, m1) != 0) {
        fill_nan(out, rf_sym3_size(d));
        free(m1);
        return;
    }
    size_t k = 0;
    for (size_t a = 0; a < d; a++)
        for (size_t b = a; b < d; b++)
            for (size_t c = b; c < d; c++, k++) {
                if (b == c) out[k] -= m1[a];
                if (a == c) out[k] -= m1[b];
                if (a == b) out[k] -= m1[c];
            }
    free(m1);
}

void RF_REF(moe_t4_sum_f64)(const double *x, const double *w, size_t n, size_t d, double *out)
{
    double m0;
    double *m2 = malloc((d ? rf_sym2_size(d) : 1) * sizeof *m2);
    if (!m2 || raw_moment(x, w, n, d, 4, out) != 0 || raw_moment(x, w, n, d, 2, m2) != 0 ||
        raw_moment(x, w, n, d, 0, &m0) != 0) {
        fill_nan(out, rf_sym4_size(d));
        free(m2);
        return;
    }
#define M2(i, j) m2[rf_sym2_index(d, i, j)]
    size_t k = 0;
    for (size_t a = 0; a < d; a++)
        for (size_t b = a; b < d; b++)
            for (size_t c = b; c < d; c++)
                for (size_t e = c; e < d; e++, k++) {
                    if (c == e) out[k] -= M2(a, b);
                    if (b == e) out[k] -= M2(a, c);
                    if (b == c) out[k] -= M2(a, e);
                    if (a == e) out[k] -= M2(b, c);
                    if (a == c) out[k] -= M2(b, e);
                    if (a == b) out[k] -= M2(c, e);
                    const int pairs = (a == b && c == e) + (a == c && b == e) + (a == e && b == c);
                    if (pairs) out[k] += (double)pairs * m0;
                }
#undef M2
    free(m2);
}
