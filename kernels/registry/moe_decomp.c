/* Registry entries of the tensor-decomposition family (seed 001 Algorithm 1 step 3):
 *
 * moe_eig_topk_f64 — top-k eigenpairs of T2 for the whitening: cyclic Jacobi in ref, LAPACKE
 *   dsyevd at every fast level (the same function at avx2, avx512 and neon: LAPACK does its own
 *   dispatch; no openblas peer row, since the levels already are that computation). Class `sum`
 *   against a long double Jacobi: eigenvalue j within tau u S with S = ||T||_F (backward stable
 *   solvers move eigenvalues by O(u ||T||)), eigenvector j (entries) within tau u S with
 *   S = ||T||_F / gap_j, gap_j = min_{i != j} |lambda_j - lambda_i| over all d eigenvalues (the
 *   Davis–Kahan sin-theta bound for a perturbation of size u ||T||). terms = d gives
 *   tau = 8 ceil(log2 d) + 8. Outputs: lambda (k) and Vt (k x d, row j = eigenvector j: the
 *   transpose of the kernel's V so that each eigenvector is one contiguous scale block).
 *   Cases: random symmetric (distinct eigenvalues), low rank plus noise (the shape of an estimated
 *   T2) with positive, negative and mixed signs, d in {3, 10, 32, 100}, k in 1..5.
 *   The oracle refuses a case whose output is not unique to the precision tested: an |eigenvalue|
 *   order near-tie among the first k+1, or an eigenvector whose two largest entries have opposite
 *   signs and magnitudes within 1e-6 (the sign convention would be a coin toss).
 *
 * moe_tpm_f64, moe_orth_als_f64 — the decomposers of the whitened k x k x k tensor; ref only
 *   (RF_LEVELS_REF_ONLY: every level shares the scalar implementation, as `refast list` shows:
 *   O(k^4) work per sweep for k <= 256, nothing next to the moments). Class `iterate`: the oracle
 *   runs the same algorithm in long double from the same Philox starts (oracle/moe_decomp.c) and
 *   supplies S per component: the final iterate's sensitivity to a relative perturbation of the
 *   input tensor and of the starts, measured by the oracle itself as max over 12 random
 *   directions E (|E_abc| <= max|T|, each start coordinate times 1 + eps r, |r| <= 1) of
 *   |out(T + eps E) - out(T)| / eps, eps = 1e-9, in long double, floored at max|want| of the
 *   block (relative error u at best). (The starts are Box–Muller gaussians rounded to double by
 *   ref: they enter every iterate until the iteration has forgotten them.) That is cond * |want| of SPEC §3 for the
 *   final iterate of an attracting fixed point: rounding in iteration s is damped by the
 *   contraction of the later iterations, so the error does not grow with t once the iteration has
 *   converged, and the cases run to convergence (iters fixed; the Orth-ALS tolerance, case
 *   parameter stop, is 0: a tolerance-based stop would itself be a discrete decision).
 *   terms = k^2 (the terms of one W(I,u,u) entry) sets tau. The TPM oracle refuses cases where
 *   the choice between starts converging to different vectors is a near-tie (relative margin
 *   < 1e-6).
 *   Cases: (a) exactly orthogonally decomposable tensors sum_i mu_i v_i^{(x)3} (random orthonormal
 *   v_i, mu_i in [1, 3]), (b) the same plus symmetric uniform noise ("estimated" tensors), for
 *   k in {2, 3, 4, 8}, fixed seeds.
 *   Iterates (SPEC §3: every iterate of the first T iterations): with case parameter trace=T the
 *   outputs mu_iter / U_iter hold iterate t = 1..T, i.e. the decomposer run with iters = t
 *   (t power iterations per start and t refinements for the TPM, t sweeps for Orth-ALS), each
 *   with S = (the same measured sensitivity of that truncated run) * t: before convergence the
 *   rounding of every iteration counts, and the bound grows with t as SPEC §3 writes it. The
 *   final iterate keeps the factor 1 argued above. The TPM is traced only with one start: with
 *   several, the choice of the best start after t < N iterations is a near-tie in every case
 *   tried (starts heading for the same component differ by > 1e-6 while their W(u,u,u) differ
 *   by 1e-8..1e-13 relative), so the truncated runs are not reproducible to tau u.
 *
 * moe_recover_f64 — Algorithm 1 step 3 end to end (T2, T3 -> unit regressors A, k x d): the
 *   scalar level whitens with the Jacobi of ref, every fast level with LAPACKE (the rest is one
 *   implementation, kernels/moe_decomp.c), so this checks the whole pipeline — whitening,
 *   decomposition, un-whitening, normalisation and sign — at each level. Class `iterate` against
 *   ora_moe_recover (long double, with the whitened tensor evaluated from its definition rather
 *   than staged), S per regressor from the same finite-difference sensitivity as above (T2 and T3
 *   perturbed together), floored at max|want| of the row; terms = d (the longest sum of one
 *   whitening stage). Cases: exact low-rank T2/T3 from random unit a_i (not orthogonal) with
 *   c2, c3 of both signs, d in {5, 10, 16, 20, 32}, k in {2, 3, 4, 8}, both decomposers, and noisy
 *   ("estimated") T2/T3 at d = 32, k = 4.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe_decomp_common.h"
#include "common.h"
#include "oracle_moe_decomp.h"
#include "moe/decomp.h"

/* Random directions of the finite-difference sensitivities below: with 3, the sampled maximum
 * fell 3.7x short of the worst rounding seen (Orth-ALS k=2, first iterate); 12 cover it. */
#define FD_DIRECTIONS 12

/* ---- inputs ---------------------------------------------------------------------------------- */

/* Random orthonormal rows (n x n) from uniform entries by Gram–Schmidt. */
static void random_orthonormal(uint64_t seed, uint64_t stream, size_t n, double *q)
{
    for (size_t i = 0; i < n * n; i++) q[i] = rf_gen_uniform(seed, stream, i, -1.0, 1.0);
    for (size_t j = 0; j < n; j++) {
        double *r = q + j * n;
        for (int pass = 0; pass < 2; pass++) /* twice is enough (Kahan) */
            for (size_t i = 0; i < j; i++) {
                double dot = 0;
                for (size_t a = 0; a < n; a++) dot += q[i * n + a] * r[a];
                for (size_t a = 0; a < n; a++) r[a] -= dot * q[i * n + a];
            }
        const double nr = rf_dc_norm(r, n);
        for (size_t a = 0; a < n; a++) r[a] /= nr;
    }
}

/* Params: d, k, kind=random|lowrank, rank (lowrank), sign=pos|neg|mixed, noise, seed. */
static int eig_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t d, k, rank = 0, seed = 1;
    double noise = 0.0;
    char kind[16] = "random", sign[8] = "pos";
    if (!rf_need_u64(c, "d", 1, RF_MOE_DECOMP_MAX_D, &d, err, errlen)) return -1;
    if (!rf_need_u64(c, "k", 1, d, &k, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_u64(c->params, "rank", &rank);
    rf_param_f64(c->params, "noise", &noise);
    rf_param_str(c->params, "kind", kind, sizeof kind);
    rf_param_str(c->params, "sign", sign, sizeof sign);
    double *t2 = rf_case_add1(c, "in.t2", RF_DT_F64, d * (d + 1) / 2);
    if (!t2) return rf_run_error(err, errlen, "out of memory");
    if (strcmp(kind, "random") == 0) {
        for (size_t i = 0; i < d * (d + 1) / 2; i++) t2[i] = rf_gen_uniform(seed, 0, i, -1.0, 1.0);
    } else if (strcmp(kind, "lowrank") == 0) {
        if (rank < 1 || rank > d)
            return rf_run_error(err, errlen, "rank=%llu is outside [1, d]", (unsigned long long)rank);
        /* sum_i s_i w_i a_i a_i^T, a_i random unit (not orthogonal), w_i in [0.5, 2] */
        double *a = malloc(d * sizeof *a);
        if (!a) return rf_run_error(err, errlen, "out of memory");
        for (size_t i = 0; i < rank; i++) {
            for (size_t r = 0; r < d; r++) a[r] = rf_gen_uniform(seed, 1 + i, r, -1.0, 1.0);
            const double nr = rf_dc_norm(a, d);
            double w = rf_gen_uniform(seed, 1000 + i, 0, 0.5, 2.0);
            if (strcmp(sign, "neg") == 0 || (strcmp(sign, "mixed") == 0 && (i & 1))) w = -w;
            for (size_t p = 0; p < d; p++)
                for (size_t q = p; q < d; q++) t2[rf_dc_idx2(d, p, q)] += w * a[p] * a[q] / (nr * nr);
        }
        free(a);
        for (size_t i = 0; i < d * (d + 1) / 2; i++) t2[i] += noise * rf_gen_uniform(seed, 0, i, -1.0, 1.0);
    } else {
        return rf_run_error(err, errlen, "unknown kind '%s' (random, lowrank)", kind);
    }
    return 0;
}

/* Rejects eigen-problems whose top-k output is not unique to the tested precision. */
static int eig_check_unique(const long double *lambda, const long double *V, size_t d, size_t k,
                            long double fro, char *err, size_t errlen)
{
    for (size_t j = 0; j < k && j + 1 < d; j++)
        if (fabsl(lambda[j]) - fabsl(lambda[j + 1]) < 1e-8L * fro)
            return rf_run_error(err, errlen, "|eigenvalues| %zu and %zu are a near-tie", j + 1, j + 2);
    for (size_t j = 0; j < k; j++) {
        const long double *v = V + j * d;
        size_t i1 = 0;
        for (size_t r = 1; r < d; r++)
            if (fabsl(v[r]) > fabsl(v[i1])) i1 = r;
        for (size_t r = 0; r < d; r++)
            if (r != i1 && v[r] < 0 && -v[r] > (1 - 1e-6L) * v[i1])
                return rf_run_error(err, errlen, "eigenvector %zu: sign convention near-tie", j + 1);
    }
    return 0;
}

static int eig_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t d, k, n;
    const double *t2 = rf_case_data(c, "in.t2", RF_DT_F64, &n);
    if (!t2 || !rf_need_u64(c, "d", 1, RF_MOE_DECOMP_MAX_D, &d, err, errlen) ||
        !rf_need_u64(c, "k", 1, d, &k, err, errlen) || n != d * (d + 1) / 2)
        return t2 ? -1 : rf_run_error(err, errlen, "case has no f64 array in.t2 of d(d+1)/2 entries");
    double *lam = rf_case_add1(c, "want.lambda", RF_DT_F64, k);
    double *vt = rf_case_add2(c, "want.Vt", RF_DT_F64, k, d);
    double *slam = rf_case_add1(c, "scale.lambda", RF_DT_F64, k);
    double *svt = rf_case_add1(c, "scale.Vt", RF_DT_F64, k);
    long double *L = malloc(d * sizeof *L), *V = malloc(d * d * sizeof *V);
    int rc = -1;
    if (!lam || !vt || !slam || !svt || !L || !V) {
        rf_run_error(err, errlen, "out of memory");
        goto done;
    }
    rf_case_set_param(c, "terms", "%llu", (unsigned long long)d);
    bool finite = true;
    for (size_t i = 0; i < n; i++) finite = finite && isfinite(t2[i]);
    if (!finite) { /* every implementation refuses: NaN outputs */
        for (size_t j = 0; j < k; j++) {
            lam[j] = slam[j] = svt[j] = NAN;
            for (size_t r = 0; r < d; r++) vt[j * d + r] = NAN;
        }
        rc = 0;
        goto done;
    }
    if (ora_moe_eig(t2, d, L, V) != 0) {
        rf_run_error(err, errlen, "oracle Jacobi did not converge");
        goto done;
    }
    long double fro2 = 0;
    for (size_t i = 0; i < d; i++) fro2 += L[i] * L[i];
    const long double fro = sqrtl(fro2);
    if (eig_check_unique(L, V, d, k, fro, err, errlen) != 0) goto done;
    for (size_t j = 0; j < k; j++) {
        long double gap = INFINITY;
        for (size_t i = 0; i < d; i++)
            if (i != j && fabsl(L[j] - L[i]) < gap) gap = fabsl(L[j] - L[i]);
        lam[j] = (double)L[j];
        slam[j] = (double)fro;
        svt[j] = (double)(fro / gap);
        for (size_t r = 0; r < d; r++) vt[j * d + r] = (double)V[j * d + r];
    }
    rc = 0;
done:
    free(L);
    free(V);
    return rc;
}

static int eig_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    uint64_t d, k, n;
    const double *t2 = rf_case_data(c, "in.t2", RF_DT_F64, &n);
    if (!t2 || !rf_param_u64(c->params, "d", &d) || !rf_param_u64(c->params, "k", &k) || d == 0 ||
        d > RF_MOE_DECOMP_MAX_D || k == 0 || k > d || n != d * (d + 1) / 2)
        return rf_run_error(err, errlen, "case needs d, k and in.t2 of d(d+1)/2 entries");
    double *lam = rf_case_add1(out, "lambda", RF_DT_F64, k);
    double *vt = rf_case_add2(out, "Vt", RF_DT_F64, k, d);
    double *V = malloc(d * k * sizeof *V);
    if (!lam || !vt || !V) {
        free(V);
        return rf_run_error(err, errlen, "out of memory");
    }
    if (((rf_moe_eig_topk_f64_fn)im->fn)(t2, d, k, lam, V) != 0) {
        for (size_t i = 0; i < k; i++) lam[i] = NAN;
        for (size_t i = 0; i < k * d; i++) vt[i] = NAN;
    } else {
        for (size_t j = 0; j < k; j++)
            for (size_t r = 0; r < d; r++) vt[j * d + r] = V[r * k + j];
    }
    free(V);
    return 0;
}

typedef struct eig_bench {
    size_t d, k;
    double *t2, *lambda, *V;
} eig_bench;

static void *eig_bench_setup(const char *params, rf_work *work)
{
    uint64_t d = 32, k = 4;
    rf_param_u64(params, "d", &d);
    rf_param_u64(params, "k", &k);
    if (d < 1 || d > RF_MOE_DECOMP_MAX_D || k < 1 || k > d) return NULL;
    eig_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->d = d;
    b->k = k;
    b->t2 = rf_alloc(d * (d + 1) / 2 * sizeof(double));
    b->lambda = rf_alloc(k * sizeof(double));
    b->V = rf_alloc(d * k * sizeof(double));
    if (!b->t2 || !b->lambda || !b->V) {
        rf_free(b->t2);
        rf_free(b->lambda);
        rf_free(b->V);
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < d * (d + 1) / 2; i++) b->t2[i] = rf_gen_uniform(5, 0, i, -1.0, 1.0);
    work->items = 1;
    work->item_unit = "eigenproblems";
    work->flops = 0;
    work->bytes = 0;
    return b;
}

static void eig_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    eig_bench *b = state;
    for (uint64_t it = 0; it < iters; it++) ((rf_moe_eig_topk_f64_fn)im->fn)(b->t2, b->d, b->k, b->lambda, b->V);
}

static void eig_bench_free(void *state)
{
    eig_bench *b = state;
    if (!b) return;
    rf_free(b->t2);
    rf_free(b->lambda);
    rf_free(b->V);
    free(b);
}

/* Fuzz: d in 1..12, k in 1..d, entries from the bytes (non-finite ones included: every
 * implementation refuses, NaN outputs); finite problems whose answer is not unique to the tested
 * precision (see eig_check_unique) are rejected. */
static int eig_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size};
    const size_t d = 1 + rf_bytes_u8(&b) % 12, k = 1 + rf_bytes_u8(&b) % d;
    rf_case_set_param(c, "d", "%zu", d);
    rf_case_set_param(c, "k", "%zu", k);
    double *t2 = rf_case_add1(c, "in.t2", RF_DT_F64, d * (d + 1) / 2);
    if (!t2) return -1;
    bool finite = true;
    for (size_t i = 0; i < d * (d + 1) / 2; i++) {
        t2[i] = rf_bytes_f32(&b, 60, 1);
        finite = finite && isfinite(t2[i]);
    }
    if (!finite) return 0;
    long double *L = malloc(d * sizeof *L), *V = malloc(d * d * sizeof *V);
    char err[128];
    int rc = -1;
    if (L && V && ora_moe_eig(t2, d, L, V) == 0) {
        long double fro2 = 0;
        for (size_t i = 0; i < d; i++) fro2 += L[i] * L[i];
        rc = fro2 > 0 && eig_check_unique(L, V, d, k, sqrtl(fro2), err, sizeof err) == 0 ? 0 : -1;
    }
    free(L);
    free(V);
    return rc;
}

/* ---- decomposers ------------------------------------------------------------------------------ */

/* Params: k, kind=odeco|noisy, noise, seed. in.t packed k x k x k. */
static int tensor_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t k, seed = 1;
    double noise = 0.0;
    char kind[16] = "odeco";
    if (!rf_need_u64(c, "k", 1, 32, &k, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_f64(c->params, "noise", &noise);
    rf_param_str(c->params, "kind", kind, sizeof kind);
    if (strcmp(kind, "odeco") != 0 && strcmp(kind, "noisy") != 0)
        return rf_run_error(err, errlen, "unknown kind '%s' (odeco, noisy)", kind);
    double *t = rf_case_add1(c, "in.t", RF_DT_F64, rf_dc_size3(k));
    double *q = malloc(k * k * sizeof *q);
    if (!t || !q) {
        free(q);
        return rf_run_error(err, errlen, "out of memory");
    }
    random_orthonormal(seed, 0, k, q);
    for (size_t i = 0; i < k; i++) {
        const double mu = rf_gen_uniform(seed, 1, i, 1.0, 3.0);
        for (size_t a = 0; a < k; a++)
            for (size_t b = a; b < k; b++)
                for (size_t cc = b; cc < k; cc++)
                    t[rf_dc_idx3(k, a, b, cc)] += mu * q[i * k + a] * q[i * k + b] * q[i * k + cc];
    }
    if (strcmp(kind, "noisy") == 0)
        for (size_t i = 0; i < rf_dc_size3(k); i++) t[i] += noise * rf_gen_uniform(seed, 2, i, -1.0, 1.0);
    free(q);
    return 0;
}

typedef struct decomp_params {
    uint64_t k, starts, iters, dseed, trace;
    double tol;
} decomp_params;

static bool decomp_params_read(const rf_case *c, decomp_params *p)
{
    p->starts = 10;
    p->iters = 50;
    p->dseed = 1;
    p->tol = 0.0;
    p->trace = 0;
    rf_param_u64(c->params, "trace", &p->trace);
    rf_param_u64(c->params, "starts", &p->starts);
    rf_param_u64(c->params, "iters", &p->iters);
    rf_param_u64(c->params, "dseed", &p->dseed);
    rf_param_f64(c->params, "stop", &p->tol);
    return rf_param_u64(c->params, "k", &p->k) && p->k >= 1 && p->k <= 32 && p->starts >= 1 &&
           p->starts <= 1000 && p->iters >= 1 && p->iters <= 100000 && p->trace <= 16 &&
           p->trace <= p->iters;
}

/* Runs the oracle decomposer (tpm != 0: TPM, else Orth-ALS) on t. */
static int decomp_oracle_once(int tpm, const long double *t, const decomp_params *p,
                              const ora_start_pert *pert, long double *mu, long double *U,
                              long double *margin)
{
    unsigned sweeps;
    *margin = INFINITY;
    if (tpm)
        return ora_moe_tpm(t, p->k, (unsigned)p->starts, (unsigned)p->iters, p->dseed, pert, mu, U, margin);
    return ora_moe_als(t, p->k, (unsigned)p->iters, p->tol, p->dseed, pert, mu, U, &sweeps);
}

/* want and scale of one run of the oracle decomposer with p->iters iterations: mu, U (k, k x k)
 * and per-component scales (see the file comment) multiplied by tfactor. */
static int decomp_oracle_point(int tpm, const long double *tl, size_t size, long double tmax,
                               const decomp_params *p, double tfactor, double *wmu, double *wU,
                               double *smu, double *sU, char *err, size_t errlen)
{
    const size_t k = p->k;
    long double *tp = malloc(size * sizeof *tp);
    long double *mu = malloc(k * sizeof *mu), *U = malloc(k * k * sizeof *U);
    long double *mu2 = malloc(k * sizeof *mu2), *U2 = malloc(k * k * sizeof *U2);
    long double margin, margin2;
    int rc = -1;
    if (!tp || !mu || !U || !mu2 || !U2) {
        rf_run_error(err, errlen, "out of memory");
        goto done;
    }
    if (decomp_oracle_once(tpm, tl, p, NULL, mu, U, &margin) != 0) {
        rf_run_error(err, errlen, "oracle decomposer failed");
        goto done;
    }
    if (tpm && margin < 1e-6L) {
        rf_run_error(err, errlen, "start selection after %llu iterations is a near-tie (relative margin %.3Lg)",
                     (unsigned long long)p->iters, margin);
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        wmu[j] = (double)mu[j];
        smu[j] = fabs(wmu[j]);
        sU[j] = 0;
        for (size_t a = 0; a < k; a++) {
            wU[j * k + a] = (double)U[j * k + a];
            if (fabs(wU[j * k + a]) > sU[j]) sU[j] = fabs(wU[j * k + a]);
        }
    }
    /* finite-difference sensitivity to a relative perturbation of the input and of the starts
     * (FD_DIRECTIONS directions; the starts matter until the iteration has forgotten them) */
    const long double eps = 1e-9L;
    for (uint64_t m = 0; m < FD_DIRECTIONS; m++) {
        for (size_t i = 0; i < size; i++) tp[i] = tl[i] + eps * tmax * rf_gen_uniform(0x5e45, m, i, -1.0, 1.0);
        const ora_start_pert pert = {eps, m};
        if (decomp_oracle_once(tpm, tp, p, &pert, mu2, U2, &margin2) != 0) {
            rf_run_error(err, errlen, "oracle decomposer failed on a perturbed input");
            goto done;
        }
        for (size_t j = 0; j < k; j++) {
            const double sm = (double)(fabsl(mu2[j] - mu[j]) / eps);
            if (sm > smu[j]) smu[j] = sm;
            for (size_t a = 0; a < k; a++) {
                const double su = (double)(fabsl(U2[j * k + a] - U[j * k + a]) / eps);
                if (su > sU[j]) sU[j] = su;
            }
        }
    }
    for (size_t j = 0; j < k; j++) {
        smu[j] *= tfactor;
        sU[j] *= tfactor;
    }
    rc = 0;
done:
    free(tp);
    free(mu);
    free(U);
    free(mu2);
    free(U2);
    return rc;
}

static int decomp_oracle(rf_case *c, int tpm, char *err, size_t errlen)
{
    decomp_params p;
    uint64_t n;
    const double *t = rf_case_data(c, "in.t", RF_DT_F64, &n);
    if (!decomp_params_read(c, &p) || !t || n != rf_dc_size3(p.k))
        return rf_run_error(err, errlen, "case needs k (1..32), starts, iters, trace <= iters and in.t of C(k+2,3) entries");
    const size_t k = p.k, size = n, T = p.trace;
    double *wmu = rf_case_add1(c, "want.mu", RF_DT_F64, k);
    double *wU = rf_case_add2(c, "want.U", RF_DT_F64, k, k);
    double *smu = rf_case_add1(c, "scale.mu", RF_DT_F64, k);
    double *sU = rf_case_add1(c, "scale.U", RF_DT_F64, k);
    double *tmu = NULL, *tU = NULL, *stmu = NULL, *stU = NULL;
    if (T > 0) {
        tmu = rf_case_add2(c, "want.mu_iter", RF_DT_F64, T, k);
        tU = rf_case_add2(c, "want.U_iter", RF_DT_F64, T, k * k);
        stmu = rf_case_add2(c, "scale.mu_iter", RF_DT_F64, T, k);
        stU = rf_case_add2(c, "scale.U_iter", RF_DT_F64, T, k);
    }
    long double *tl = malloc(size * sizeof *tl);
    int rc = -1;
    if (!wmu || !wU || !smu || !sU || !tl || (T > 0 && (!tmu || !tU || !stmu || !stU))) {
        rf_run_error(err, errlen, "out of memory");
        goto done;
    }
    long double tmax = 0;
    for (size_t i = 0; i < size; i++) {
        if (!isfinite(t[i])) {
            rf_run_error(err, errlen, "in.t is not finite");
            goto done;
        }
        tl[i] = t[i];
        if (fabsl(tl[i]) > tmax) tmax = fabsl(tl[i]);
    }
    /* the final iterate: t factor 1, converged (see the file comment) */
    if (decomp_oracle_point(tpm, tl, size, tmax, &p, 1.0, wmu, wU, smu, sU, err, errlen) != 0) goto done;
    /* iterates 1..T: the same algorithm stopped after t iterations, bound tau u cond t */
    for (size_t it = 1; it <= T; it++) {
        decomp_params q = p;
        q.iters = it;
        if (decomp_oracle_point(tpm, tl, size, tmax, &q, (double)it, tmu + (it - 1) * k, tU + (it - 1) * k * k,
                                stmu + (it - 1) * k, stU + (it - 1) * k, err, errlen) != 0)
            goto done;
    }
    rf_case_set_param(c, "terms", "%llu", (unsigned long long)(k * k));
    rc = 0;
done:
    free(tl);
    return rc;
}

static int tpm_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return decomp_oracle(c, 1, err, errlen);
}

static int als_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return decomp_oracle(c, 0, err, errlen);
}

/* One call of the decomposer with `iters` iterations. */
static int decomp_call(rf_fnptr fn, int tpm, const double *t, const decomp_params *p, uint64_t iters,
                       double *mu, double *U)
{
    if (tpm) {
        const rf_moe_tpm_opts o = {(unsigned)p->starts, (unsigned)iters, p->dseed};
        return ((rf_moe_tpm_f64_fn)fn)(t, p->k, &o, mu, U);
    }
    const rf_moe_als_opts o = {(unsigned)iters, p->tol, p->dseed};
    return ((rf_moe_orth_als_f64_fn)fn)(t, p->k, &o, mu, U);
}

/* Outputs mu, U (the final iterate) and, for trace = T > 0, mu_iter / U_iter: iterate t = 1..T,
 * i.e. the same call stopped after t iterations. */
static int decomp_run(rf_fnptr fn, int tpm, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    decomp_params p;
    uint64_t n;
    const double *t = rf_case_data(c, "in.t", RF_DT_F64, &n);
    if (!decomp_params_read(c, &p) || !t || n != rf_dc_size3(p.k))
        return rf_run_error(err, errlen, "case needs k (1..32), starts, iters, trace <= iters and in.t of C(k+2,3) entries");
    const size_t k = p.k;
    double *mu = rf_case_add1(out, "mu", RF_DT_F64, k);
    double *U = rf_case_add2(out, "U", RF_DT_F64, k, k);
    if (!mu || !U) return rf_run_error(err, errlen, "out of memory");
    int rc = decomp_call(fn, tpm, t, &p, p.iters, mu, U);
    if (rc == 0 && p.trace > 0) {
        double *tmu = rf_case_add2(out, "mu_iter", RF_DT_F64, p.trace, k);
        double *tU = rf_case_add2(out, "U_iter", RF_DT_F64, p.trace, k * k);
        if (!tmu || !tU) return rf_run_error(err, errlen, "out of memory");
        for (uint64_t it = 1; it <= p.trace && rc == 0; it++)
            rc = decomp_call(fn, tpm, t, &p, it, tmu + (it - 1) * k, tU + (it - 1) * k * k);
    }
    return rc == 0 ? 0 : rf_run_error(err, errlen, "decomposer returned %d", rc);
}

static int tpm_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    return decomp_run(im->fn, 1, c, out, err, errlen);
}

static int als_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    return decomp_run(im->fn, 0, c, out, err, errlen);
}

typedef struct decomp_bench {
    rf_case c;
    decomp_params p;
    double *mu, *U;
} decomp_bench;

static void *decomp_bench_setup(const char *params, rf_work *work)
{
    decomp_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    rf_case_init(&b->c, "decomp", "bench", params);
    char err[128];
    if (tensor_make_inputs(NULL, &b->c, err, sizeof err) != 0 || !decomp_params_read(&b->c, &b->p)) {
        rf_case_free(&b->c);
        free(b);
        return NULL;
    }
    b->mu = rf_alloc(b->p.k * sizeof(double));
    b->U = rf_alloc(b->p.k * b->p.k * sizeof(double));
    if (!b->mu || !b->U) {
        rf_free(b->mu);
        rf_free(b->U);
        rf_case_free(&b->c);
        free(b);
        return NULL;
    }
    work->items = 1;
    work->item_unit = "decompositions";
    work->flops = 0;
    work->bytes = 0;
    return b;
}

static void tpm_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    decomp_bench *b = state;
    const double *t = rf_case_data(&b->c, "in.t", RF_DT_F64, NULL);
    const rf_moe_tpm_opts o = {(unsigned)b->p.starts, (unsigned)b->p.iters, b->p.dseed};
    for (uint64_t it = 0; it < iters; it++) ((rf_moe_tpm_f64_fn)im->fn)(t, b->p.k, &o, b->mu, b->U);
}

static void als_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    decomp_bench *b = state;
    const double *t = rf_case_data(&b->c, "in.t", RF_DT_F64, NULL);
    const rf_moe_als_opts o = {(unsigned)b->p.iters, b->p.tol, b->p.dseed};
    for (uint64_t it = 0; it < iters; it++) ((rf_moe_orth_als_f64_fn)im->fn)(t, b->p.k, &o, b->mu, b->U);
}

static void decomp_bench_free(void *state)
{
    decomp_bench *b = state;
    if (!b) return;
    rf_free(b->mu);
    rf_free(b->U);
    rf_case_free(&b->c);
    free(b);
}

/* ---- Algorithm 1 step 3 end to end ------------------------------------------------------------ */

typedef struct recover_params {
    uint64_t d, k, starts, iters, dseed;
    double c2, c3, stop;
    int als;
} recover_params;

static bool recover_params_read(const rf_case *c, recover_params *p)
{
    char method[8] = "tpm";
    p->starts = 10;
    p->iters = 30;
    p->dseed = 1;
    p->c2 = 1.0;
    p->c3 = 6.0;
    p->stop = 0.0;
    rf_param_u64(c->params, "starts", &p->starts);
    rf_param_u64(c->params, "iters", &p->iters);
    rf_param_u64(c->params, "dseed", &p->dseed);
    rf_param_f64(c->params, "c2", &p->c2);
    rf_param_f64(c->params, "c3", &p->c3);
    rf_param_f64(c->params, "stop", &p->stop);
    rf_param_str(c->params, "method", method, sizeof method);
    p->als = strcmp(method, "als") == 0;
    return (p->als || strcmp(method, "tpm") == 0) && rf_param_u64(c->params, "d", &p->d) &&
           rf_param_u64(c->params, "k", &p->k) && p->d >= 1 && p->d <= RF_MOE_DECOMP_MAX_D && p->k >= 1 &&
           p->k <= p->d && p->k <= 16 && p->starts >= 1 && p->starts <= 1000 && p->iters >= 1 &&
           p->iters <= 100000 && isfinite(p->c2) && p->c2 != 0 && isfinite(p->c3) && p->c3 != 0;
}

static void recover_opts(const recover_params *p, rf_moe_decomp_opts *o)
{
    rf_moe_decomp_defaults(o);
    o->method = p->als ? RF_MOE_DECOMP_ORTH_ALS : RF_MOE_DECOMP_TPM;
    o->tpm.starts = (unsigned)p->starts;
    o->tpm.iters = (unsigned)p->iters;
    o->tpm.seed = p->dseed;
    o->als.iters = (unsigned)p->iters;
    o->als.tol = p->stop;
    o->als.seed = p->dseed;
}

/* Params: d (<= 256), k, c2, c3, noise, seed, method=tpm|als, starts, iters, dseed, stop.
 * T2 = c2 sum pi_i a_i a_i^T + noise U2, T3 = c3 sum pi_i a_i^{(x)3} + noise U3: random unit a_i
 * (not orthogonal), pi_i uniform in [0.5, 1.5] normalised, U uniform in [-1, 1] per packed entry. */
static int recover_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    recover_params p;
    uint64_t seed = 1;
    double noise = 0.0;
    if (!recover_params_read(c, &p))
        return rf_run_error(err, errlen, "case needs d (1..256), k (1..min(d,16)), non-zero c2/c3, "
                                         "method tpm|als, starts/iters >= 1");
    rf_param_u64(c->params, "seed", &seed);
    rf_param_f64(c->params, "noise", &noise);
    const size_t d = p.d, k = p.k;
    double *t2 = rf_case_add1(c, "in.t2", RF_DT_F64, d * (d + 1) / 2);
    double *t3 = rf_case_add1(c, "in.t3", RF_DT_F64, rf_dc_size3(d));
    double *a = malloc(d * sizeof *a), *pi = malloc(k * sizeof *pi);
    if (!t2 || !t3 || !a || !pi) {
        free(a);
        free(pi);
        return rf_run_error(err, errlen, "out of memory");
    }
    double total = 0;
    for (size_t i = 0; i < k; i++) total += pi[i] = rf_gen_uniform(seed, 100, i, 0.5, 1.5);
    for (size_t i = 0; i < k; i++) {
        for (size_t r = 0; r < d; r++) a[r] = rf_gen_uniform(seed, 1 + i, r, -1.0, 1.0);
        const double nr = rf_dc_norm(a, d);
        for (size_t r = 0; r < d; r++) a[r] /= nr;
        const double w = pi[i] / total;
        for (size_t x = 0; x < d; x++)
            for (size_t y = x; y < d; y++) {
                t2[rf_dc_idx2(d, x, y)] += p.c2 * w * a[x] * a[y];
                for (size_t z = y; z < d; z++) t3[rf_dc_idx3(d, x, y, z)] += p.c3 * w * a[x] * a[y] * a[z];
            }
    }
    for (size_t i = 0; i < d * (d + 1) / 2; i++) t2[i] += noise * rf_gen_uniform(seed, 200, i, -1.0, 1.0);
    for (size_t i = 0; i < rf_dc_size3(d); i++) t3[i] += noise * rf_gen_uniform(seed, 201, i, -1.0, 1.0);
    free(a);
    free(pi);
    return 0;
}

/* Oracle: ora_moe_recover in long double; S per regressor from the same finite-difference
 * sensitivity as the decomposers (T2 and T3 perturbed together, each relative to its max|entry|),
 * floored at max|want| of the row. */
static int recover_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    recover_params p;
    uint64_t n2, n3;
    const double *t2 = rf_case_data(c, "in.t2", RF_DT_F64, &n2), *t3 = rf_case_data(c, "in.t3", RF_DT_F64, &n3);
    if (!recover_params_read(c, &p) || !t2 || !t3 || n2 != p.d * (p.d + 1) / 2 || n3 != rf_dc_size3(p.d))
        return rf_run_error(err, errlen, "case needs d, k, in.t2 and in.t3 of matching sizes");
    const size_t d = p.d, k = p.k;
    double *wA = rf_case_add2(c, "want.A", RF_DT_F64, k, d), *sA = rf_case_add1(c, "scale.A", RF_DT_F64, k);
    long double *l2 = malloc(n2 * sizeof *l2), *l3 = malloc(n3 * sizeof *l3);
    long double *q2 = malloc(n2 * sizeof *q2), *q3 = malloc(n3 * sizeof *q3);
    long double *A = malloc(k * d * sizeof *A), *A2 = malloc(k * d * sizeof *A2);
    int rc = -1;
    if (!wA || !sA || !l2 || !l3 || !q2 || !q3 || !A || !A2) {
        rf_run_error(err, errlen, "out of memory");
        goto done;
    }
    long double m2 = 0, m3 = 0, margin;
    for (size_t i = 0; i < n2; i++) m2 = fmaxl(m2, fabsl(l2[i] = t2[i]));
    for (size_t i = 0; i < n3; i++) m3 = fmaxl(m3, fabsl(l3[i] = t3[i]));
    if (ora_moe_recover(l2, l3, d, k, p.c2, p.c3, p.als, (unsigned)p.starts, (unsigned)p.iters, p.stop,
                        p.dseed, NULL, A, &margin) != 0) {
        rf_run_error(err, errlen, "oracle refuses the recovery (rank, sign or decomposer)");
        goto done;
    }
    if (margin < 1e-6L) {
        rf_run_error(err, errlen, "TPM start selection is a near-tie (relative margin %.3Lg)", margin);
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        sA[j] = 0;
        for (size_t r = 0; r < d; r++) sA[j] = fmax(sA[j], fabs(wA[j * d + r] = (double)A[j * d + r]));
    }
    const long double eps = 1e-9L;
    for (uint64_t m = 0; m < FD_DIRECTIONS; m++) {
        for (size_t i = 0; i < n2; i++) q2[i] = l2[i] + eps * m2 * rf_gen_uniform(0x5e46, 2 * m, i, -1.0, 1.0);
        for (size_t i = 0; i < n3; i++) q3[i] = l3[i] + eps * m3 * rf_gen_uniform(0x5e46, 2 * m + 1, i, -1.0, 1.0);
        const ora_start_pert pert = {eps, m};
        if (ora_moe_recover(q2, q3, d, k, p.c2, p.c3, p.als, (unsigned)p.starts, (unsigned)p.iters,
                            p.stop, p.dseed, &pert, A2, &margin) != 0) {
            rf_run_error(err, errlen, "oracle refuses a perturbed copy of the case");
            goto done;
        }
        for (size_t j = 0; j < k; j++)
            for (size_t r = 0; r < d; r++)
                sA[j] = fmax(sA[j], (double)(fabsl(A2[j * d + r] - A[j * d + r]) / eps));
    }
    rf_case_set_param(c, "terms", "%llu", (unsigned long long)d);
    rc = 0;
done:
    free(l2);
    free(l3);
    free(q2);
    free(q3);
    free(A);
    free(A2);
    return rc;
}

static int recover_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    recover_params p;
    uint64_t n2, n3;
    const double *t2 = rf_case_data(c, "in.t2", RF_DT_F64, &n2), *t3 = rf_case_data(c, "in.t3", RF_DT_F64, &n3);
    if (!recover_params_read(c, &p) || !t2 || !t3 || n2 != p.d * (p.d + 1) / 2 || n3 != rf_dc_size3(p.d))
        return rf_run_error(err, errlen, "case needs d, k, in.t2 and in.t3 of matching sizes");
    double *A = rf_case_add2(out, "A", RF_DT_F64, p.k, p.d);
    if (!A) return rf_run_error(err, errlen, "out of memory");
    rf_moe_decomp_opts o;
    recover_opts(&p, &o);
    char why[200] = "";
    if (!rf_moe_recover_regressors_at(im->provided_by, t2, t3, p.d, p.k, p.c2, p.c3, &o, A, why, sizeof why))
        return rf_run_error(err, errlen, "recovery refused: %s", why);
    return 0;
}

typedef struct recover_bench {
    rf_case c;
    recover_params p;
    rf_moe_decomp_opts o;
    double *A;
} recover_bench;

static void *recover_bench_setup(const char *params, rf_work *work)
{
    recover_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    rf_case_init(&b->c, "moe_recover_f64", "bench", params);
    char err[160];
    if (recover_make_inputs(NULL, &b->c, err, sizeof err) != 0 || !recover_params_read(&b->c, &b->p) ||
        !(b->A = rf_alloc(b->p.k * b->p.d * sizeof(double)))) {
        rf_case_free(&b->c);
        free(b);
        return NULL;
    }
    recover_opts(&b->p, &b->o);
    work->items = 1;
    work->item_unit = "recoveries";
    work->flops = 0;
    work->bytes = 0;
    return b;
}

static void recover_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    recover_bench *b = state;
    const double *t2 = rf_case_data(&b->c, "in.t2", RF_DT_F64, NULL);
    const double *t3 = rf_case_data(&b->c, "in.t3", RF_DT_F64, NULL);
    for (uint64_t it = 0; it < iters; it++)
        rf_moe_recover_regressors_at(im->provided_by, t2, t3, b->p.d, b->p.k, b->p.c2, b->p.c3, &b->o, b->A, NULL, 0);
}

static void recover_bench_free(void *state)
{
    recover_bench *b = state;
    if (!b) return;
    rf_free(b->A);
    rf_case_free(&b->c);
    free(b);
}

/* ---- descriptors ------------------------------------------------------------------------------ */

static const rf_case_spec eig_cases[] = {
    {"d3_k1_random", "d=3 k=1 kind=random seed=1"},
    {"d3_k3_random", "d=3 k=3 kind=random seed=2"},
    {"d10_k2_random", "d=10 k=2 kind=random seed=3"},
    {"d10_k5_random", "d=10 k=5 kind=random seed=4"},
    {"d32_k4_random", "d=32 k=4 kind=random seed=5"},
    {"d100_k5_random", "d=100 k=5 kind=random seed=6"},
    {"d10_k3_lowrank_pos", "d=10 k=3 kind=lowrank rank=3 sign=pos noise=1e-3 seed=7"},
    {"d10_k3_lowrank_neg", "d=10 k=3 kind=lowrank rank=3 sign=neg noise=1e-3 seed=8"},
    {"d32_k4_lowrank_pos", "d=32 k=4 kind=lowrank rank=4 sign=pos noise=1e-3 seed=9"},
    {"d32_k4_lowrank_exact", "d=32 k=4 kind=lowrank rank=4 sign=pos noise=0 seed=10"},
    {"d32_k5_lowrank_mixed", "d=32 k=5 kind=lowrank rank=5 sign=mixed noise=1e-2 seed=11"},
    {"d100_k5_lowrank_neg", "d=100 k=5 kind=lowrank rank=5 sign=neg noise=1e-3 seed=12"},
    {NULL, NULL},
};

static const rf_case_spec tpm_cases[] = {
    {"k2_odeco", "k=2 kind=odeco seed=21 starts=10 iters=30 dseed=1"},
    {"k3_odeco", "k=3 kind=odeco seed=22 starts=10 iters=30 dseed=2"},
    {"k4_odeco", "k=4 kind=odeco seed=23 starts=10 iters=30 dseed=3"},
    {"k8_odeco", "k=8 kind=odeco seed=24 starts=10 iters=30 dseed=4"},
    {"k3_noisy", "k=3 kind=noisy noise=0.01 seed=25 starts=10 iters=100 dseed=5"},
    {"k4_noisy", "k=4 kind=noisy noise=0.01 seed=26 starts=10 iters=100 dseed=6"},
    {"k8_noisy", "k=8 kind=noisy noise=0.005 seed=27 starts=10 iters=100 dseed=7"},
    {"k4_odeco_l1_trace", "k=4 kind=odeco seed=23 starts=1 iters=30 dseed=3 trace=6"},
    {"k4_noisy_l1_trace", "k=4 kind=noisy noise=0.01 seed=26 starts=1 iters=100 dseed=6 trace=6"},
    {NULL, NULL},
};

static const rf_case_spec als_cases[] = {
    {"k2_odeco", "k=2 kind=odeco seed=21 iters=50 stop=0 dseed=1 trace=4"},
    {"k3_odeco", "k=3 kind=odeco seed=22 iters=50 stop=0 dseed=2 trace=4"},
    {"k4_odeco", "k=4 kind=odeco seed=23 iters=50 stop=0 dseed=3 trace=4"},
    {"k8_odeco", "k=8 kind=odeco seed=24 iters=80 stop=0 dseed=4 trace=4"},
    {"k3_noisy", "k=3 kind=noisy noise=0.01 seed=25 iters=200 stop=0 dseed=5 trace=4"},
    {"k4_noisy", "k=4 kind=noisy noise=0.01 seed=26 iters=200 stop=0 dseed=6 trace=4"},
    {"k8_noisy", "k=8 kind=noisy noise=0.005 seed=27 iters=300 stop=0 dseed=7 trace=4"},
    {NULL, NULL},
};

static const rf_case_spec recover_cases[] = {
    {"d5_k2_tpm", "d=5 k=2 c2=1 c3=6 seed=31 method=tpm starts=10 iters=30 dseed=1"},
    {"d10_k3_tpm_negc2", "d=10 k=3 c2=-0.8 c3=6 seed=32 method=tpm starts=10 iters=30 dseed=2"},
    {"d10_k3_als_negc3", "d=10 k=3 c2=1 c3=-2.5 seed=33 method=als iters=60 stop=0 dseed=3"},
    {"d32_k4_tpm", "d=32 k=4 c2=1 c3=6 seed=34 method=tpm starts=10 iters=30 dseed=4"},
    {"d20_k4_als", "d=20 k=4 c2=-1.5 c3=-6 seed=34 method=als iters=60 stop=0 dseed=4"},
    {"d16_k8_tpm", "d=16 k=8 c2=1 c3=6 seed=35 method=tpm starts=10 iters=40 dseed=5"},
    {"d32_k4_tpm_noisy", "d=32 k=4 c2=1 c3=6 noise=1e-3 seed=36 method=tpm starts=10 iters=100 dseed=6"},
    {"d32_k4_als_noisy", "d=32 k=4 c2=1 c3=6 noise=1e-3 seed=36 method=als iters=200 stop=0 dseed=6"},
    {NULL, NULL},
};

static const char *const eig_sizes[] = {"d=10 k=3", "d=32 k=4", "d=100 k=5", NULL};
static const char *const tpm_sizes[] = {"k=4 kind=odeco seed=23 starts=10 iters=30",
                                        "k=8 kind=odeco seed=24 starts=10 iters=30", NULL};
static const char *const als_sizes[] = {"k=4 kind=odeco seed=23 iters=50 stop=0",
                                        "k=8 kind=odeco seed=24 iters=80 stop=0", NULL};

static const rf_kernel eig_kernel = {
    .name = "moe_eig_topk_f64",
    .family = "moe_decomp",
    .summary = "top-k eigenpairs of T2 by |eigenvalue| (Jacobi in ref, LAPACKE dsyevd at the fast levels)",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_eig_topk_f64),
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = eig_cases,
    .make_inputs = eig_make_inputs,
    .oracle = eig_oracle,
    .run = eig_run,
    .bench_sizes = eig_sizes,
    .bench_setup = eig_bench_setup,
    .bench_run = eig_bench_run,
    .bench_free = eig_bench_free,
    .fuzz_inputs = eig_fuzz,
};

static const rf_kernel tpm_kernel = {
    .name = "moe_tpm_f64",
    .family = "moe_decomp",
    .summary = "robust tensor power method with deflation on the whitened k^3 tensor (ref only, shared by every level)",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_tpm_f64),
    .tol = {RF_TOL_ITERATE, 0, 0},
    .cases = tpm_cases,
    .make_inputs = tensor_make_inputs,
    .oracle = tpm_oracle,
    .run = tpm_run,
    .bench_sizes = tpm_sizes,
    .bench_setup = decomp_bench_setup,
    .bench_run = tpm_bench_run,
    .bench_free = decomp_bench_free,
};

static const rf_kernel als_kernel = {
    .name = "moe_orth_als_f64",
    .family = "moe_decomp",
    .summary = "Orth-ALS on the whitened k^3 tensor (ref only, shared by every level)",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_orth_als_f64),
    .tol = {RF_TOL_ITERATE, 0, 0},
    .cases = als_cases,
    .make_inputs = tensor_make_inputs,
    .oracle = als_oracle,
    .run = als_run,
    .bench_sizes = als_sizes,
    .bench_setup = decomp_bench_setup,
    .bench_run = als_bench_run,
    .bench_free = decomp_bench_free,
};

static const char *const recover_sizes[] = {"d=32 k=4 seed=34 method=tpm starts=10 iters=30",
                                            "d=100 k=5 seed=37 method=tpm starts=10 iters=30", NULL};

static const rf_kernel recover_kernel = {
    .name = "moe_recover_f64",
    .family = "moe_decomp",
    .summary = "Algorithm 1 step 3 end to end: T2, T3 -> unit regressors A (whitening, TPM/Orth-ALS, un-whitening, sign)",
    .work_dtype = RF_DT_F64,
    .id = RF_ALGORITHM,
    .algorithm_levels = true,
    .tol = {RF_TOL_ITERATE, 0, 0},
    .cases = recover_cases,
    .make_inputs = recover_make_inputs,
    .oracle = recover_oracle,
    .run = recover_run,
    .bench_sizes = recover_sizes,
    .bench_setup = recover_bench_setup,
    .bench_run = recover_bench_run,
    .bench_free = recover_bench_free,
};

const rf_kernel *const rf_family_moe_decomp[] = {&eig_kernel, &tpm_kernel, &als_kernel, &recover_kernel,
                                                  NULL};
