/* Long double oracles of the tensor-decomposition family (oracle_moe_decomp.h). */
#include "oracle_moe_decomp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/rng.h"

/* ---- packed symmetric indexing (the layout of refast/moe_moments.h) ------------------------ */

static size_t sym2_off(size_t n, size_t b, size_t c)
{
    return b * n - b * (b - 1) / 2 + (c - b);
}

static size_t sym3_count(size_t n)
{
    return n * (n + 1) * (n + 2) / 6;
}

static size_t sym3_off(size_t n, size_t a, size_t b, size_t c)
{
    size_t x;
    if (a > b) { x = a; a = b; b = x; }
    if (b > c) { x = b; b = c; c = x; }
    if (a > b) { x = a; a = b; b = x; }
    return sym3_count(n) - sym3_count(n - a) + sym2_off(n - a, b - a, c - a);
}

/* ---- Jacobi -------------------------------------------------------------------------------- */

int ora_moe_eig(const double *t2, size_t d, long double *lambda, long double *V)
{
    long double *t = malloc(d * (d + 1) / 2 * sizeof *t);
    if (!t) return -1;
    for (size_t i = 0; i < d * (d + 1) / 2; i++) t[i] = t2[i];
    const int rc = ora_moe_eig_ld(t, d, lambda, V);
    free(t);
    return rc;
}

int ora_moe_eig_ld(const long double *t2, size_t d, long double *lambda, long double *V)
{
    long double *a = malloc(d * d * sizeof *a), *v = malloc(d * d * sizeof *v);
    size_t *order = malloc(d * sizeof *order);
    int rc = -1;
    if (!a || !v || !order) goto done;
    long double fro2 = 0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            a[i * d + j] = i <= j ? t2[sym2_off(d, i, j)] : t2[sym2_off(d, j, i)];
            v[i * d + j] = i == j;
            fro2 += a[i * d + j] * a[i * d + j];
        }
    const long double negligible = 0x1p-80L * sqrtl(fro2);
    int converged = 0;
    for (int sweep = 0; sweep < 200 && !converged; sweep++) {
        converged = 1;
        for (size_t p = 0; p + 1 < d; p++)
            for (size_t q = p + 1; q < d; q++) {
                const long double apq = a[p * d + q];
                if (fabsl(apq) <= negligible) continue;
                converged = 0;
                const long double tau = (a[q * d + q] - a[p * d + p]) / (2 * apq);
                const long double t = fabsl(tau) > 1e300L ? 0.5L / tau
                                      : (tau >= 0 ? 1 : -1) / (fabsl(tau) + sqrtl(1 + tau * tau));
                const long double c = 1 / sqrtl(1 + t * t), s = t * c;
                for (size_t r = 0; r < d; r++) { /* columns p, q */
                    const long double x = a[r * d + p], y = a[r * d + q];
                    a[r * d + p] = c * x - s * y;
                    a[r * d + q] = s * x + c * y;
                }
                for (size_t r = 0; r < d; r++) { /* rows p, q */
                    const long double x = a[p * d + r], y = a[q * d + r];
                    a[p * d + r] = c * x - s * y;
                    a[q * d + r] = s * x + c * y;
                }
                a[p * d + q] = a[q * d + p] = 0;
                for (size_t r = 0; r < d; r++) {
                    const long double x = v[r * d + p], y = v[r * d + q];
                    v[r * d + p] = c * x - s * y;
                    v[r * d + q] = s * x + c * y;
                }
            }
    }
    if (!converged) goto done;
    for (size_t i = 0; i < d; i++) order[i] = i;
    for (size_t i = 0; i < d; i++) /* insertion sort by |lambda| desc, positive first */
        for (size_t j = i; j > 0; j--) {
            const long double x = a[order[j] * (d + 1)], y = a[order[j - 1] * (d + 1)];
            if (fabsl(x) > fabsl(y) || (fabsl(x) == fabsl(y) && x > y)) {
                const size_t tmp = order[j];
                order[j] = order[j - 1];
                order[j - 1] = tmp;
            } else {
                break;
            }
        }
    for (size_t j = 0; j < d; j++) {
        const size_t src = order[j];
        lambda[j] = a[src * (d + 1)];
        size_t imax = 0;
        for (size_t r = 1; r < d; r++)
            if (fabsl(v[r * d + src]) > fabsl(v[imax * d + src])) imax = r;
        const long double sign = v[imax * d + src] < 0 ? -1 : 1;
        for (size_t r = 0; r < d; r++) V[j * d + r] = sign * v[r * d + src];
    }
    rc = 0;
done:
    free(a);
    free(v);
    free(order);
    return rc;
}

/* ---- tensor contractions, starts ------------------------------------------------------------ */

static void iuu(const long double *t, size_t k, const long double *u, long double *out)
{
    for (size_t a = 0; a < k; a++) {
        long double s = 0;
        for (size_t b = 0; b < k; b++)
            for (size_t c = 0; c < k; c++) s += t[sym3_off(k, a, b, c)] * u[b] * u[c];
        out[a] = s;
    }
}

static long double uuu(const long double *t, size_t k, const long double *u, long double *tmp)
{
    iuu(t, k, u, tmp);
    long double s = 0;
    for (size_t a = 0; a < k; a++) s += u[a] * tmp[a];
    return s;
}

static long double norml(const long double *x, size_t n)
{
    long double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i] * x[i];
    return sqrtl(s);
}

/* Gaussian i of stream (seed, stream) (refast/moe_decomp.h), perturbed as pert says (the
 * registry measures with it how much the double rounding of the starts can matter). */
static long double gauss(uint64_t seed, uint64_t stream, uint64_t i, const ora_start_pert *pert)
{
    uint32_t w[2];
    for (int h = 0; h < 2; h++) {
        const uint64_t pos = 2 * i + (uint64_t)h, blk = pos / 4;
        const uint32_t ctr[4] = {(uint32_t)blk, (uint32_t)(blk >> 32), (uint32_t)stream,
                                 (uint32_t)(stream >> 32)};
        const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        uint32_t out[4];
        rf_philox4x32_10(ctr, key, out);
        w[h] = out[pos % 4];
    }
    const long double u1 = ((long double)w[0] + 0.5L) * 0x1p-32L, u2 = (long double)w[1] * 0x1p-32L;
    long double z = sqrtl(-2 * logl(u1)) * cosl(6.283185307179586476925286766559005768L * u2);
    if (pert) {
        const uint64_t blk = i / 4 + (pert->dir << 40), key64 = ~seed;
        const uint32_t ctr[4] = {(uint32_t)blk, (uint32_t)(blk >> 32), (uint32_t)stream, (uint32_t)(stream >> 32)};
        const uint32_t key[2] = {(uint32_t)key64, (uint32_t)(key64 >> 32)};
        uint32_t out[4];
        rf_philox4x32_10(ctr, key, out);
        z *= 1 + pert->eps * ((long double)out[i % 4] * 0x1p-31L - 1);
    }
    return z;
}

static void power(const long double *w, size_t k, unsigned iters, long double *u, long double *tmp)
{
    for (unsigned it = 0; it < iters; it++) {
        iuu(w, k, u, tmp);
        const long double n = norml(tmp, k);
        if (!(n > 0)) return;
        for (size_t a = 0; a < k; a++) u[a] = tmp[a] / n;
    }
}

int ora_moe_tpm(const long double *t, size_t k, unsigned starts, unsigned iters, uint64_t seed,
                const ora_start_pert *pert, long double *mu, long double *U, long double *margin)
{
    const size_t size = sym3_count(k);
    long double *w = malloc(size * sizeof *w), *cand = malloc(starts * k * sizeof *cand);
    long double *val = malloc(starts * sizeof *val), *tmp = malloc(k * sizeof *tmp);
    int rc = -1;
    if (!w || !cand || !val || !tmp) goto done;
    memcpy(w, t, size * sizeof *w);
    *margin = INFINITY;
    for (size_t j = 0; j < k; j++) {
        size_t best = 0;
        for (unsigned l = 0; l < starts; l++) {
            long double *u = cand + l * k;
            for (size_t a = 0; a < k; a++) u[a] = gauss(seed, (uint64_t)j * starts + l, a, pert);
            const long double n = norml(u, k);
            for (size_t a = 0; a < k; a++) u[a] /= n;
            power(w, k, iters, u, tmp);
            val[l] = uuu(w, k, u, tmp);
            if (l == 0 || val[l] > val[best]) best = l;
        }
        for (unsigned l = 0; l < starts; l++) {
            long double dist2 = 0;
            for (size_t a = 0; a < k; a++) {
                const long double e = cand[l * k + a] - cand[best * k + a];
                dist2 += e * e;
            }
            if (sqrtl(dist2) > 1e-6L) {
                const long double gap = (val[best] - val[l]) / fabsl(val[best]);
                if (gap < *margin) *margin = gap;
            }
        }
        long double *u = U + j * k;
        memcpy(u, cand + best * k, k * sizeof *u);
        power(w, k, iters, u, tmp);
        mu[j] = uuu(w, k, u, tmp);
        for (size_t a = 0; a < k; a++)
            for (size_t b = a; b < k; b++)
                for (size_t c = b; c < k; c++) w[sym3_off(k, a, b, c)] -= mu[j] * u[a] * u[b] * u[c];
    }
    rc = 0;
done:
    free(w);
    free(cand);
    free(val);
    free(tmp);
    return rc;
}

/* ---- Orth-ALS ------------------------------------------------------------------------------- */

static long double orthonormalise_row(long double *x, size_t k, size_t j)
{
    long double *row = x + j * k;
    for (size_t i = 0; i < j; i++) {
        long double dot = 0;
        for (size_t a = 0; a < k; a++) dot += x[i * k + a] * row[a];
        for (size_t a = 0; a < k; a++) row[a] -= dot * x[i * k + a];
    }
    const long double n = norml(row, k);
    if (n > 0)
        for (size_t a = 0; a < k; a++) row[a] /= n;
    return n;
}

int ora_moe_als(const long double *t, size_t k, unsigned iters, long double tol, uint64_t seed,
                const ora_start_pert *pert, long double *mu, long double *U, unsigned *sweeps)
{
    long double *next = malloc(k * k * sizeof *next), *tmp = malloc(k * sizeof *tmp);
    int rc = -1;
    if (!next || !tmp) goto done;
    for (size_t j = 0; j < k; j++) {
        for (size_t a = 0; a < k; a++) U[j * k + a] = gauss(seed, 0, j * k + a, pert);
        if (!(orthonormalise_row(U, k, j) > 0)) goto done;
    }
    *sweeps = 0;
    for (unsigned s = 0; s < iters; s++) {
        for (size_t j = 0; j < k; j++) iuu(t, k, U + j * k, next + j * k);
        long double change = 0;
        for (size_t j = 0; j < k; j++) {
            if (!(orthonormalise_row(next, k, j) > 0)) {
                memcpy(next + j * k, U + j * k, k * sizeof *next);
                if (!(orthonormalise_row(next, k, j) > 0)) goto done;
            }
            long double diff2 = 0;
            for (size_t a = 0; a < k; a++) {
                const long double e = next[j * k + a] - U[j * k + a];
                diff2 += e * e;
            }
            if (sqrtl(diff2) > change) change = sqrtl(diff2);
        }
        memcpy(U, next, k * k * sizeof *U);
        *sweeps = s + 1;
        if (change < tol) break;
    }
    for (size_t j = 0; j < k; j++) mu[j] = uuu(t, k, U + j * k, tmp);
    rc = 0;
done:
    free(next);
    free(tmp);
    return rc;
}

/* ---- Algorithm 1 step 3 end to end ----------------------------------------------------------- */

int ora_moe_recover(const long double *t2, const long double *t3, size_t d, size_t k, long double c2,
                    long double c3, int als, unsigned starts, unsigned iters, long double tol,
                    uint64_t seed, const ora_start_pert *pert, long double *A, long double *margin)
{
    const size_t k3 = sym3_count(k);
    long double *lam = malloc(d * sizeof *lam), *V = malloc(d * d * sizeof *V);
    long double *M = malloc(d * k * sizeof *M), *w = calloc(k3, sizeof *w);
    long double *mu = malloc(k * sizeof *mu), *U = malloc(k * k * sizeof *U);
    int rc = -1;
    *margin = INFINITY;
    if (!lam || !V || !M || !w || !mu || !U) goto done;
    if (ora_moe_eig_ld(t2, d, lam, V) != 0) goto done;
    for (size_t j = 0; j < k; j++)
        if ((lam[j] > 0) != (c2 > 0) || !(fabsl(lam[j]) > 1e-12L * fabsl(lam[0]))) goto done;
    for (size_t a = 0; a < d; a++)
        for (size_t j = 0; j < k; j++) M[a * k + j] = V[j * d + a] / sqrtl(fabsl(lam[j]));
    /* W3 = T3(M, M, M) by the definition, summed over the packed entries of T3 with the
     * multiplicity of each index pattern (no staging: an independent evaluation order) */
    for (size_t a = 0; a < d; a++)
        for (size_t b = a; b < d; b++)
            for (size_t c = b; c < d; c++) {
                const long double t = t3[sym3_off(d, a, b, c)];
                const size_t p[6][3] = {{a, b, c}, {a, c, b}, {b, a, c}, {b, c, a}, {c, a, b}, {c, b, a}};
                /* distinct permutations of (a, b, c) */
                size_t np = 0, uniq[6];
                for (size_t i = 0; i < 6; i++) {
                    int seen = 0;
                    for (size_t q = 0; q < np; q++)
                        seen |= p[uniq[q]][0] == p[i][0] && p[uniq[q]][1] == p[i][1] && p[uniq[q]][2] == p[i][2];
                    if (!seen) uniq[np++] = i;
                }
                for (size_t i = 0; i < k; i++)
                    for (size_t j = i; j < k; j++)
                        for (size_t l = j; l < k; l++) {
                            long double s = 0;
                            for (size_t q = 0; q < np; q++) {
                                const size_t *x = p[uniq[q]];
                                s += M[x[0] * k + i] * M[x[1] * k + j] * M[x[2] * k + l];
                            }
                            w[sym3_off(k, i, j, l)] += t * s;
                        }
            }
    if (als) {
        unsigned sweeps;
        if (ora_moe_als(w, k, iters, tol, seed, pert, mu, U, &sweeps) != 0) goto done;
    } else if (ora_moe_tpm(w, k, starts, iters, seed, pert, mu, U, margin) != 0) {
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        if (!(mu[j] != 0)) goto done;
        long double n2 = 0;
        for (size_t r = 0; r < d; r++) {
            long double s = 0;
            for (size_t i = 0; i < k; i++) s += V[i * d + r] * sqrtl(fabsl(lam[i])) * U[j * k + i];
            A[j * d + r] = s;
            n2 += s * s;
        }
        const long double sign = (mu[j] > 0) == (c3 > 0) ? 1 : -1;
        for (size_t r = 0; r < d; r++) A[j * d + r] *= sign / sqrtl(n2);
    }
    rc = 0;
done:
    free(lam);
    free(V);
    free(M);
    free(w);
    free(mu);
    free(U);
    return rc;
}
