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
 *   implementation, lib/moe/decomp.c), so this checks the whole pipeline — whitening,
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

#include "moe_common.h"
#include "moe_decomp_common.h"
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

/* The oracle's eigenpairs of T2 (L: d values, V: row j = vector j) and ||T2||_F; refuses (-1) an
 * eigen-problem whose top-k output is not unique to the tested precision. */
static int eig_solve(const double *t2, size_t d, size_t k, long double *L, long double *V, long double *fro,
                     char *err, size_t errlen)
{
    if (ora_moe_eig(t2, d, L, V) != 0) return rf_run_error(err, errlen, "oracle Jacobi did not converge");
    long double fro2 = 0;
    for (size_t i = 0; i < d; i++) fro2 += L[i] * L[i];
    *fro = sqrtl(fro2);
    const long double *lambda = L;
    for (size_t j = 0; j < k && j + 1 < d; j++)
        if (fabsl(lambda[j]) - fabsl(lambda[j + 1]) < 1e-8L * *fro)
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

/* The arguments of one call: T2 packed (in.t2), d and k (case parameters); the outputs lambda and
 * Vt, and V (d x k, the kernel's own layout, transposed into Vt after the call). */
typedef struct eig_args {
    const double *t2;
    size_t d, k;
    double *lambda, *Vt, *V;
} eig_args;

static int eig_read(const rf_case *c, eig_args *a, char *err, size_t errlen)
{
    uint64_t d, k;
    if (!rf_need_u64(c, "d", 1, RF_MOE_DECOMP_MAX_D, &d, err, errlen) || !rf_need_u64(c, "k", 1, d, &k, err, errlen))
        return -1;
    a->d = (size_t)d;
    a->k = (size_t)k;
    return (a->t2 = rf_moe_need_f64(c, "in.t2", d * (d + 1) / 2, 0, err, errlen)) ? 0 : -1;
}

static int eig_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    eig_args a = {0};
    if (eig_read(c, &a, err, errlen) != 0) return -1;
    const size_t d = a.d, k = a.k, n = d * (d + 1) / 2;
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
    rf_case_set_param(c, "terms", "%zu", d);
    bool finite = true;
    for (size_t i = 0; i < n; i++) finite = finite && isfinite(a.t2[i]);
    if (!finite) { /* every implementation refuses: NaN outputs */
        for (size_t j = 0; j < k; j++) {
            lam[j] = slam[j] = svt[j] = NAN;
            for (size_t r = 0; r < d; r++) vt[j * d + r] = NAN;
        }
        rc = 0;
        goto done;
    }
    long double fro;
    if (eig_solve(a.t2, d, k, L, V, &fro, err, errlen) != 0) goto done;
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

static int eig_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                    size_t errlen)
{
    (void)desc;
    eig_args *a = args;
    if (eig_read(c, a, err, errlen) != 0) return -1;
    const uint64_t k = a->k, kd[2] = {a->k, a->d}, dk[2] = {a->d, a->k};
    a->lambda = rf_case_out(out, "lambda", RF_DT_F64, 1, &k);
    a->Vt = rf_case_out(out, "Vt", RF_DT_F64, 2, kd);
    a->V = rf_case_out(out, "V", RF_DT_F64, 2, dk);
    return a->lambda && a->Vt && a->V ? 0 : rf_run_error(err, errlen, "out of memory");
}

/* A refusal (non-finite T2) gives NaN outputs, as the oracle has them. */
static void eig_call(const rf_impl *im, void *args)
{
    const eig_args *a = args;
    if (((rf_moe_eig_topk_f64_fn)im->fn)(a->t2, a->d, a->k, a->lambda, a->V) != 0) {
        rf_moe_fill_nan(a->lambda, a->k);
        rf_moe_fill_nan(a->Vt, a->k * a->d);
        return;
    }
    for (size_t j = 0; j < a->k; j++)
        for (size_t r = 0; r < a->d; r++) a->Vt[j * a->d + r] = a->V[r * a->k + j];
}

static void eig_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    (void)args;
    w->items = 1;
    w->item_unit = "eigenproblems";
}

/* Fuzz: d in 1..12, k in 1..d, entries from the bytes (non-finite ones included: every
 * implementation refuses, NaN outputs); finite problems whose answer is not unique to the tested
 * precision (see eig_check_unique) are rejected. */
static int eig_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size, 0};
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
    long double *L = malloc(d * sizeof *L), *V = malloc(d * d * sizeof *V), fro;
    const int rc = L && V && eig_solve(t2, d, k, L, V, &fro, NULL, 0) == 0 && fro > 0 ? 0 : -1;
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

enum { DC_ALS = 0, DC_TPM = 1 }; /* the decomposers' variant (and the oracle's tpm flag) */

typedef struct decomp_params {
    uint64_t k, starts, iters, dseed, trace;
    double tol;
} decomp_params;

/* The arguments of one run: the parameters, in.t (packed k x k x k), the outputs mu (k) and U
 * (k x k) and, with trace = T > 0, mu_iter (T x k) and U_iter (T x k^2). */
typedef struct decomp_args {
    decomp_params p;
    const double *t;
    double *mu, *U, *mu_iter, *U_iter;
} decomp_args;

static int decomp_read(const rf_case *c, decomp_args *a, char *err, size_t errlen)
{
    decomp_params *p = &a->p;
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
    if (!rf_param_u64(c->params, "k", &p->k) || p->k < 1 || p->k > 32 || p->starts < 1 || p->starts > 1000 ||
        p->iters < 1 || p->iters > 100000 || p->trace > 16 || p->trace > p->iters)
        return rf_run_error(err, errlen, "case needs k (1..32), starts, iters, trace <= iters");
    return (a->t = rf_moe_need_f64(c, "in.t", rf_dc_size3(p->k), 0, err, errlen)) ? 0 : -1;
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

static int decomp_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    decomp_args a = {0};
    if (decomp_read(c, &a, err, errlen) != 0) return -1;
    const decomp_params p = a.p;
    const int tpm = desc->variant == DC_TPM;
    const size_t k = p.k, size = rf_dc_size3(k), T = p.trace;
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
        if (!isfinite(a.t[i])) {
            rf_run_error(err, errlen, "in.t is not finite");
            goto done;
        }
        tl[i] = a.t[i];
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
    rf_case_set_param(c, "terms", "%zu", k * k);
    rc = 0;
done:
    free(tl);
    return rc;
}

static int decomp_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                       size_t errlen)
{
    (void)desc;
    decomp_args *a = args;
    if (decomp_read(c, a, err, errlen) != 0) return -1;
    const uint64_t k = a->p.k, kk[2] = {k, k}, tk[2] = {a->p.trace, k}, tkk[2] = {a->p.trace, k * k};
    a->mu = rf_case_out(out, "mu", RF_DT_F64, 1, &k);
    a->U = rf_case_out(out, "U", RF_DT_F64, 2, kk);
    if (a->p.trace > 0) {
        a->mu_iter = rf_case_out(out, "mu_iter", RF_DT_F64, 2, tk);
        a->U_iter = rf_case_out(out, "U_iter", RF_DT_F64, 2, tkk);
    }
    return a->mu && a->U && (!a->p.trace || (a->mu_iter && a->U_iter)) ? 0 : rf_run_error(err, errlen, "out of memory");
}

/* One call of the decomposer stopped after `iters` iterations; a refusal leaves NaN. */
static void decomp_call_iters(const rf_impl *im, const decomp_args *a, uint64_t iters, double *mu, double *U)
{
    const decomp_params *p = &a->p;
    int rc;
    if (im->kernel->variant == DC_TPM) {
        const rf_moe_tpm_opts o = {(unsigned)p->starts, (unsigned)iters, p->dseed};
        rc = ((rf_moe_tpm_f64_fn)im->fn)(a->t, p->k, &o, mu, U);
    } else {
        const rf_moe_als_opts o = {(unsigned)iters, p->tol, p->dseed};
        rc = ((rf_moe_orth_als_f64_fn)im->fn)(a->t, p->k, &o, mu, U);
    }
    if (rc != 0) {
        rf_moe_fill_nan(mu, p->k);
        rf_moe_fill_nan(U, p->k * p->k);
    }
}

/* The final iterate and, with trace = T, iterates 1..T: the same call stopped after t iterations
 * (the benchmarks have no trace: one call). */
static void decomp_call(const rf_impl *im, void *args)
{
    const decomp_args *a = args;
    const size_t k = a->p.k;
    decomp_call_iters(im, a, a->p.iters, a->mu, a->U);
    for (uint64_t it = 1; it <= a->p.trace; it++)
        decomp_call_iters(im, a, it, a->mu_iter + (it - 1) * k, a->U_iter + (it - 1) * k * k);
}

static void decomp_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    (void)args;
    w->items = 1;
    w->item_unit = "decompositions";
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

/* The arguments of one run: the parameters and decomposer options, in.t2 and in.t3 (packed), the
 * output A (k x d). */
typedef struct recover_args {
    recover_params p;
    rf_moe_decomp_opts o;
    const double *t2, *t3;
    double *A;
} recover_args;

static int recover_read(const rf_case *c, recover_args *a, char *err, size_t errlen)
{
    if (!recover_params_read(c, &a->p))
        return rf_run_error(err, errlen, "case needs d (1..256), k (1..min(d,16)), non-zero c2/c3, "
                                         "method tpm|als, starts/iters >= 1");
    const uint64_t d = a->p.d;
    recover_opts(&a->p, &a->o);
    return (a->t2 = rf_moe_need_f64(c, "in.t2", d * (d + 1) / 2, 0, err, errlen)) &&
                   (a->t3 = rf_moe_need_f64(c, "in.t3", rf_dc_size3(d), 0, err, errlen))
               ? 0 : -1;
}

/* Oracle: ora_moe_recover in long double; S per regressor from the same finite-difference
 * sensitivity as the decomposers (T2 and T3 perturbed together, each relative to its max|entry|),
 * floored at max|want| of the row. */
static int recover_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    recover_args a = {0};
    if (recover_read(c, &a, err, errlen) != 0) return -1;
    const recover_params p = a.p;
    const size_t d = p.d, k = p.k, n2 = d * (d + 1) / 2, n3 = rf_dc_size3(d);
    const double *t2 = a.t2, *t3 = a.t3;
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
    rf_case_set_param(c, "terms", "%zu", d);
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

static int recover_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                        size_t errlen)
{
    (void)desc;
    recover_args *a = args;
    if (recover_read(c, a, err, errlen) != 0) return -1;
    const uint64_t shape[2] = {a->p.k, a->p.d};
    a->A = rf_case_out(out, "A", RF_DT_F64, 2, shape);
    return a->A ? 0 : rf_run_error(err, errlen, "out of memory");
}

/* The pipeline with every step at the level that provides this implementation; a refusal (rank,
 * sign or decomposer) leaves NaN. */
static void recover_call(const rf_impl *im, void *args)
{
    const recover_args *a = args;
    if (!rf_moe_recover_regressors_at(im->provided_by, a->t2, a->t3, a->p.d, a->p.k, a->p.c2, a->p.c3, &a->o, a->A,
                                      NULL, 0))
        rf_moe_fill_nan(a->A, a->p.k * a->p.d);
}

static void recover_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    (void)args;
    w->items = 1;
    w->item_unit = "recoveries";
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
    .args_size = sizeof(eig_args),
    .bind = eig_bind,
    .call = eig_call,
    .work = eig_work,
    .bench_sizes = eig_sizes,
    .fuzz_inputs = eig_fuzz,
};

static const rf_kernel tpm_kernel = {
    .name = "moe_tpm_f64",
    .family = "moe_decomp",
    .summary = "robust tensor power method with deflation on the whitened k^3 tensor (ref only, shared by every level)",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_tpm_f64),
    .variant = DC_TPM,
    .tol = {RF_TOL_ITERATE, 0, 0},
    .cases = tpm_cases,
    .make_inputs = tensor_make_inputs,
    .oracle = decomp_oracle,
    .args_size = sizeof(decomp_args),
    .bind = decomp_bind,
    .call = decomp_call,
    .work = decomp_work,
    .bench_sizes = tpm_sizes,
    /* the level rows are REF (one implementation, no second one for a fuzzer to differ from),
     * and the method's answer is not a continuous function of arbitrary inputs: a tensor without
     * an eigengap has many valid decompositions and random restarts pick among them */
    .not_fuzzed = "REF at every level, and an iterative method whose answer on gap-free inputs is not unique",
};

static const rf_kernel als_kernel = {
    .name = "moe_orth_als_f64",
    .family = "moe_decomp",
    .summary = "Orth-ALS on the whitened k^3 tensor (ref only, shared by every level)",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_orth_als_f64),
    .variant = DC_ALS,
    .tol = {RF_TOL_ITERATE, 0, 0},
    .cases = als_cases,
    .make_inputs = tensor_make_inputs,
    .oracle = decomp_oracle,
    .args_size = sizeof(decomp_args),
    .bind = decomp_bind,
    .call = decomp_call,
    .work = decomp_work,
    .bench_sizes = als_sizes,
    /* the level rows are REF (one implementation, no second one for a fuzzer to differ from),
     * and the method's answer is not a continuous function of arbitrary inputs: a tensor without
     * an eigengap has many valid decompositions and random restarts pick among them */
    .not_fuzzed = "REF at every level, and an iterative method whose answer on gap-free inputs is not unique",
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
    .args_size = sizeof(recover_args),
    .bind = recover_bind,
    .call = recover_call,
    .work = recover_work,
    .bench_sizes = recover_sizes,
    /* the level rows are REF (one implementation, no second one for a fuzzer to differ from),
     * and the method's answer is not a continuous function of arbitrary inputs: a tensor without
     * an eigengap has many valid decompositions and random restarts pick among them */
    .not_fuzzed = "REF at every level, and an iterative method whose answer on gap-free inputs is not unique",
};

const rf_kernel *const rf_family_moe_decomp[] = {&eig_kernel, &tpm_kernel, &als_kernel, &recover_kernel,
                                                  NULL};
