/* Tensor decomposition (refast/moe_decomp.h), seed 001 Algorithm 1 step 3.
 *
 * - Recovery on exact low-rank data: T2 = c2 sum pi_i a_i a_i^T, T3 = c3 sum pi_i a_i^{(x)3} from
 *   random unit (non-orthogonal) a_i and positive pi_i, k in {2,3,4,8}, d in {5,10,32}, c2 and c3
 *   of both signs: rf_moe_recover_regressors with both decomposers returns every a_i, sign
 *   included, to 1e-10 (up to permutation) at every usable level. The data are exact up to the
 *   rounding of T2/T3 themselves, so 1e-10 leaves ~1e5 u for the conditioning of the whitening
 *   (|lambda_1/lambda_k| of these T2 stays below ~1e2) — a wrong sign, a wrong un-whitening or
 *   an unconverged decomposition misses it by orders of magnitude.
 * - The whitening identity M^T T2 M = sign(c2) I and the odeco form of T3(M, M, M).
 * - Jacobi (ref) and LAPACKE (fast levels) agree: eigenvalues within 64 u ||T||_F, eigenvectors
 *   within 64 u ||T||_F / gap; order by |lambda| with negative eigenvalues; sign convention.
 * - Rejections with a message: k > d, k = 0, rank-deficient T2, an eigenvalue sign against c2,
 *   c2 = 0, non-finite T2, bad decomposer options.
 * - Deflation order: the robust TPM finds the components by decreasing mu.
 * - Determinism for a fixed seed (bit-identical), and another seed recovers the same a_i.
 * - The packed layout this file (and ref/moe_decomp_common.h) assumes is the one of the moment
 *   kernels that produce T2 and T3 (rf_sym2_index / rf_sym3_index of refast/moe_moments.h).
 * - Estimated (noisy) tensors: the recovery error is first order in the noise (10x less noise,
 *   10x smaller error within a factor 2) with both decomposers.
 * Inputs come from this file's own seeded stream of the testlib generator (rf_test_uniform: splitmix64).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refast/isa.h"
#include "refast/moe_decomp.h"
#include "moe_sums.h"
#include "refast/moe_moments.h"
#include "testlib.h"
#include "moe/decomp.h"

#define U53 0x1p-53

static uint64_t rng = 0x9e3779b97f4a7c15ull; /* this file's rf_test_* stream (testlib.h) */

/* Packed offsets, written independently of the library (lexicographic a <= b <= c). */
static size_t off2(size_t d, size_t a, size_t b)
{
    size_t o = 0;
    for (size_t i = 0; i < a; i++) o += d - i;
    return o + (b - a);
}

static size_t off3(size_t d, size_t a, size_t b, size_t c)
{
    size_t o = 0;
    for (size_t i = 0; i < a; i++) o += (d - i) * (d - i + 1) / 2;
    return o + off2(d - a, b - a, c - a);
}

static size_t n3(size_t d)
{
    return d * (d + 1) * (d + 2) / 6;
}

/* Random unit rows a (k x d), weights pi (k, in [0.5, 1.5] normalised to sum 1). */
static void make_model(size_t d, size_t k, double *A, double *pi)
{
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        double nr = 0;
        for (size_t r = 0; r < d; r++) {
            A[i * d + r] = rf_test_uniform(&rng, -1, 1);
            nr += A[i * d + r] * A[i * d + r];
        }
        for (size_t r = 0; r < d; r++) A[i * d + r] /= sqrt(nr);
        pi[i] = rf_test_uniform(&rng, 0.5, 1.5);
        sum += pi[i];
    }
    for (size_t i = 0; i < k; i++) pi[i] /= sum;
}

static void make_tensors(size_t d, size_t k, const double *A, const double *pi, double c2, double c3,
                         double *t2, double *t3)
{
    memset(t2, 0, d * (d + 1) / 2 * sizeof *t2);
    memset(t3, 0, n3(d) * sizeof *t3);
    for (size_t i = 0; i < k; i++) {
        const double *a = A + i * d;
        for (size_t p = 0; p < d; p++)
            for (size_t q = p; q < d; q++) {
                t2[off2(d, p, q)] += c2 * pi[i] * a[p] * a[q];
                for (size_t r = q; r < d; r++) t3[off3(d, p, q, r)] += c3 * pi[i] * a[p] * a[q] * a[r];
            }
    }
}

/* max over true rows of the distance to the closest recovered row (sign included); every
 * recovered row must be used once (a permutation). */
static double match_error(const double *A, const double *R, size_t d, size_t k)
{
    double worst = 0;
    int used[64] = {0};
    for (size_t i = 0; i < k; i++) {
        double best = INFINITY;
        size_t bj = 0;
        for (size_t j = 0; j < k; j++) {
            double e = 0;
            for (size_t r = 0; r < d; r++) e += (A[i * d + r] - R[j * d + r]) * (A[i * d + r] - R[j * d + r]);
            if (sqrt(e) < best) {
                best = sqrt(e);
                bj = j;
            }
        }
        if (used[bj]++) return INFINITY;
        if (best > worst) worst = best;
    }
    return worst;
}

static void test_recovery(rf_isa level)
{
    static const size_t ds[] = {5, 10, 32}, ks[] = {2, 3, 4, 8};
    static const double signs[][2] = {{1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
    for (size_t di = 0; di < 3; di++)
        for (size_t ki = 0; ki < 4; ki++) {
            const size_t d = ds[di], k = ks[ki];
            if (k > d) continue;
            double *A = malloc(k * d * sizeof *A), *pi = malloc(k * sizeof *pi);
            double *t2 = malloc(d * (d + 1) / 2 * sizeof *t2), *t3 = malloc(n3(d) * sizeof *t3);
            double *R = malloc(k * d * sizeof *R);
            make_model(d, k, A, pi);
            for (int s = 0; s < 4; s++) {
                const double c2 = signs[s][0] * rf_test_uniform(&rng, 0.5, 2),
                             c3 = signs[s][1] * rf_test_uniform(&rng, 1, 6);
                make_tensors(d, k, A, pi, c2, c3, t2, t3);
                for (int method = 0; method < 2; method++) {
                    rf_moe_decomp_opts o;
                    rf_moe_decomp_defaults(&o);
                    o.method = method ? RF_MOE_DECOMP_ORTH_ALS : RF_MOE_DECOMP_TPM;
                    char err[256] = "";
                    const bool ok = rf_moe_recover_regressors(t2, t3, d, k, c2, c3, &o, R, err, sizeof err);
                    CHECKF(ok, "%s d=%zu k=%zu c2=%g c3=%g %s: %s", rf_isa_name(level), d, k, c2, c3,
                           method ? "als" : "tpm", err);
                    if (!ok) continue;
                    const double e = match_error(A, R, d, k);
                    CHECKF(e <= 1e-10, "%s d=%zu k=%zu c2=%g c3=%g %s: recovery error %.3g",
                           rf_isa_name(level), d, k, c2, c3, method ? "als" : "tpm", e);
                }
            }
            free(A);
            free(pi);
            free(t2);
            free(t3);
            free(R);
        }
}

/* M^T T2 M = sign(c2) I, and T3(M,M,M) = sum mu_i b_i^{(x)3} with orthonormal b_i: checked via
 * the decomposers returning mu_i = |c3| / (|c2|^{3/2} sqrt(pi_i)). */
static void test_whitening(void)
{
    const size_t d = 10, k = 3;
    double A[30], pi[3], t2[55], t3[220], lambda[3], V[30], M[30], w3[10], mu[3], U[9];
    make_model(d, k, A, pi);
    for (int s = 0; s < 2; s++) {
        const double c2 = s ? -1.5 : 0.8, c3 = 2.5;
        make_tensors(d, k, A, pi, c2, c3, t2, t3);
        CHECK(rf_moe_eig_topk_f64(t2, d, k, lambda, V) == 0);
        for (size_t r = 0; r < d; r++)
            for (size_t j = 0; j < k; j++) M[r * k + j] = V[r * k + j] / sqrt(fabs(lambda[j]));
        double worst = 0;
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++) {
                double s2 = 0;
                for (size_t p = 0; p < d; p++)
                    for (size_t q = 0; q < d; q++)
                        s2 += M[p * k + i] * t2[p <= q ? off2(d, p, q) : off2(d, q, p)] * M[q * k + j];
                const double want = i == j ? (c2 > 0 ? 1.0 : -1.0) : 0.0;
                if (fabs(s2 - want) > worst) worst = fabs(s2 - want);
            }
        CHECKF(worst < 1e-13, "M^T T2 M deviates from sign(c2) I by %.3g", worst);
        CHECK(rf_moe_whiten3(t3, d, M, k, w3) == 0);
        const rf_moe_tpm_opts o = {10, 30, 3};
        CHECK(rf_moe_tpm_f64(w3, k, &o, mu, U) == 0);
        for (size_t i = 0; i < k; i++) {
            const double want = c3 / (pow(fabs(c2), 1.5) * sqrt(pi[i]));
            double best = INFINITY;
            for (size_t j = 0; j < k; j++)
                if (fabs(mu[j] - want) < best) best = fabs(mu[j] - want);
            CHECKF(best < 1e-11 * want, "mu for pi=%g: closest %.3g away from %g", pi[i], best, want);
        }
    }
}

static void test_eig_agreement(void)
{
    static const size_t ds[] = {3, 10, 32, 100};
    for (size_t di = 0; di < 4; di++) {
        const size_t d = ds[di], n = d * (d + 1) / 2;
        double *t2 = malloc(n * sizeof *t2), *l1 = malloc(d * sizeof *l1), *l2 = malloc(d * sizeof *l2);
        double *V1 = malloc(d * d * sizeof *V1), *V2 = malloc(d * d * sizeof *V2);
        for (size_t i = 0; i < n; i++) t2[i] = rf_test_uniform(&rng, -1, 1);
        CHECK(moe_eig_topk_f64_ref(t2, d, d, l1, V1) == 0);
        CHECK(moe_eig_topk_f64_lapacke(t2, d, d, l2, V2) == 0);
        double fro = 0;
        for (size_t i = 0; i < d; i++) fro += l2[i] * l2[i];
        fro = sqrt(fro);
        for (size_t j = 0; j < d; j++) {
            double gap = INFINITY;
            for (size_t i = 0; i < d; i++)
                if (i != j && fabs(l2[i] - l2[j]) < gap) gap = fabs(l2[i] - l2[j]);
            CHECKF(fabs(l1[j] - l2[j]) <= 64 * U53 * fro, "d=%zu lambda_%zu: %.17g vs %.17g", d, j, l1[j], l2[j]);
            double e = 0;
            for (size_t r = 0; r < d; r++) e = fmax(e, fabs(V1[r * d + j] - V2[r * d + j]));
            CHECKF(e <= 64 * U53 * fro / gap, "d=%zu eigenvector %zu differs by %.3g (bound %.3g)", d, j, e,
                   64 * U53 * fro / gap);
            if (j + 1 < d) CHECK(fabs(l1[j]) >= fabs(l1[j + 1]));
        }
        free(t2);
        free(l1);
        free(l2);
        free(V1);
        free(V2);
    }
    /* diag(1, -3, 2) with off-diagonal 0: order -3, 2, 1; vectors -> +e_1, +e_2, +e_0 */
    const double t2[6] = {1, 0, 0, -3, 0, 2};
    double lam[3], V[9];
    for (int impl = 0; impl < 2; impl++) {
        CHECK((impl ? moe_eig_topk_f64_lapacke : moe_eig_topk_f64_ref)(t2, 3, 3, lam, V) == 0);
        CHECK(lam[0] == -3 && lam[1] == 2 && lam[2] == 1);
        CHECK(V[1 * 3 + 0] == 1 && V[2 * 3 + 1] == 1 && V[0 * 3 + 2] == 1);
    }
    /* a vector whose largest entry would come out negative: [[0, 1], [1, 0]] has (1,-1)/sqrt2 for
     * -1; the first largest entry is made positive */
    const double t22[3] = {0, 1, 0};
    for (int impl = 0; impl < 2; impl++) {
        CHECK((impl ? moe_eig_topk_f64_lapacke : moe_eig_topk_f64_ref)(t22, 2, 2, lam, V) == 0);
        CHECK(fabs(lam[0] - 1) < 1e-15 && fabs(lam[1] + 1) < 1e-15);
        CHECK(V[0 * 2 + 1] > 0 && V[1 * 2 + 1] < 0); /* eigenvalue -1: (+, -) */
    }
}

static void test_rejections(void)
{
    const size_t d = 6;
    double A[18], pi[3], t2[21], t3[56], R[36];
    char err[256];
    make_model(d, 3, A, pi);
    make_tensors(d, 3, A, pi, 1.0, 6.0, t2, t3);

    err[0] = 0;
    CHECK(!rf_moe_recover_regressors(t2, t3, d, 7, 1.0, 6.0, NULL, R, err, sizeof err));
    CHECKF(strstr(err, "k=7") != NULL, "k > d message: '%s'", err);
    err[0] = 0;
    CHECK(!rf_moe_recover_regressors(t2, t3, d, 0, 1.0, 6.0, NULL, R, err, sizeof err));
    CHECK(err[0] != 0);
    err[0] = 0; /* rank 3 data, k = 4 */
    CHECK(!rf_moe_recover_regressors(t2, t3, d, 4, 1.0, 6.0, NULL, R, err, sizeof err));
    CHECKF(strstr(err, "rank") != NULL, "rank-deficient message: '%s'", err);
    err[0] = 0; /* T2 built with c2 = 1 but declared c2 = -1 */
    CHECK(!rf_moe_recover_regressors(t2, t3, d, 3, -1.0, 6.0, NULL, R, err, sizeof err));
    CHECKF(strstr(err, "sign") != NULL, "sign message: '%s'", err);
    err[0] = 0;
    CHECK(!rf_moe_recover_regressors(t2, t3, d, 3, 0.0, 6.0, NULL, R, err, sizeof err));
    CHECK(strstr(err, "c2") != NULL);
    err[0] = 0;
    double bad = t2[4];
    t2[4] = NAN;
    CHECK(!rf_moe_recover_regressors(t2, t3, d, 3, 1.0, 6.0, NULL, R, err, sizeof err));
    CHECK(err[0] != 0);
    t2[4] = bad;
    rf_moe_decomp_opts o;
    rf_moe_decomp_defaults(&o);
    o.tpm.starts = 0;
    err[0] = 0;
    CHECK(!rf_moe_recover_regressors(t2, t3, d, 3, 1.0, 6.0, &o, R, err, sizeof err));
    CHECK(strstr(err, "power method") != NULL);
    o.method = RF_MOE_DECOMP_ORTH_ALS;
    o.als.tol = -1;
    err[0] = 0;
    CHECK(!rf_moe_recover_regressors(t2, t3, d, 3, 1.0, 6.0, &o, R, err, sizeof err));
    CHECK(strstr(err, "Orth-ALS") != NULL);
    /* and the sound call succeeds */
    CHECK(rf_moe_recover_regressors(t2, t3, d, 3, 1.0, 6.0, NULL, R, err, sizeof err));
    CHECK(match_error(A, R, d, 3) <= 1e-10);
    double lam[2], V[12];
    CHECK(moe_eig_topk_f64_ref(t2, d, 7, lam, V) == -1);
    CHECK(moe_eig_topk_f64_lapacke(t2, d, 0, lam, V) == -1);
}

/* Odeco tensor sum mu_i v_i^{(x)3} with v_i = e_i rotated, mu = 3, 2.5, ..., in scrambled order:
 * the robust TPM deflates the largest first. */
static void test_deflation_order(void)
{
    const size_t k = 5;
    const double mus[5] = {1.5, 3.0, 1.0, 2.5, 2.0};
    double Q[25], t[35] = {0}, mu[5], U[25], mu2[5], U2[25];
    for (size_t i = 0; i < k * k; i++) Q[i] = rf_test_uniform(&rng, -1, 1);
    for (size_t j = 0; j < k; j++) { /* Gram–Schmidt twice */
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < j; i++) {
                double dot = 0;
                for (size_t a = 0; a < k; a++) dot += Q[i * k + a] * Q[j * k + a];
                for (size_t a = 0; a < k; a++) Q[j * k + a] -= dot * Q[i * k + a];
            }
        double nr = 0;
        for (size_t a = 0; a < k; a++) nr += Q[j * k + a] * Q[j * k + a];
        for (size_t a = 0; a < k; a++) Q[j * k + a] /= sqrt(nr);
    }
    for (size_t i = 0; i < k; i++)
        for (size_t a = 0; a < k; a++)
            for (size_t b = a; b < k; b++)
                for (size_t c = b; c < k; c++) t[off3(k, a, b, c)] += mus[i] * Q[i * k + a] * Q[i * k + b] * Q[i * k + c];
    const rf_moe_tpm_opts o = {20, 30, 11};
    CHECK(rf_moe_tpm_f64(t, k, &o, mu, U) == 0);
    const double order[5] = {3.0, 2.5, 2.0, 1.5, 1.0};
    const size_t src[5] = {1, 3, 4, 0, 2};
    for (size_t j = 0; j < k; j++) {
        CHECKF(fabs(mu[j] - order[j]) < 1e-13, "component %zu: mu %.17g, want %g", j, mu[j], order[j]);
        double e = 0;
        for (size_t a = 0; a < k; a++) e = fmax(e, fabs(U[j * k + a] - Q[src[j] * k + a]));
        CHECKF(e < 1e-13, "component %zu vector off by %.3g", j, e);
    }
    /* determinism: bit-identical on a second call; Orth-ALS finds the same set */
    CHECK(rf_moe_tpm_f64(t, k, &o, mu2, U2) == 0);
    CHECK(memcmp(mu, mu2, sizeof mu) == 0 && memcmp(U, U2, sizeof U) == 0);
    const rf_moe_als_opts ao = {100, 0, 5};
    CHECK(rf_moe_orth_als_f64(t, k, &ao, mu2, U2) == 0);
    for (size_t j = 0; j < k; j++) {
        double best = INFINITY;
        for (size_t i = 0; i < k; i++) best = fmin(best, fabs(mu2[j] - mus[i]));
        CHECKF(best < 1e-13, "Orth-ALS mu_%zu = %.17g is no true eigenvalue", j, mu2[j]);
    }
}

static void test_determinism(void)
{
    const size_t d = 12, k = 4;
    double A[48], pi[4], t2[78], t3[364], R1[48], R2[48];
    make_model(d, k, A, pi);
    make_tensors(d, k, A, pi, 1.0, -6.0, t2, t3);
    char err[256];
    for (int method = 0; method < 2; method++) {
        rf_moe_decomp_opts o;
        rf_moe_decomp_defaults(&o);
        o.method = method ? RF_MOE_DECOMP_ORTH_ALS : RF_MOE_DECOMP_TPM;
        CHECK(rf_moe_recover_regressors(t2, t3, d, k, 1.0, -6.0, &o, R1, err, sizeof err));
        CHECK(rf_moe_recover_regressors(t2, t3, d, k, 1.0, -6.0, &o, R2, err, sizeof err));
        CHECK(memcmp(R1, R2, sizeof R1) == 0);
        o.tpm.seed = o.als.seed = 987654321;
        CHECK(rf_moe_recover_regressors(t2, t3, d, k, 1.0, -6.0, &o, R2, err, sizeof err));
        CHECK(match_error(A, R2, d, k) <= 1e-10);
    }
}

/* T2 + s E2, T3 + s E3 (E uniform in [-1, 1] per packed entry): error(s) / error(s/10) ~ 10. */
static void test_noisy(void)
{
    const size_t d = 16, k = 4;
    double A[64], pi[4], t2[136], t3[816], n2[136], n3v[816], R[64], e2[136], e3[816];
    make_model(d, k, A, pi);
    make_tensors(d, k, A, pi, 1.0, 6.0, t2, t3);
    for (size_t i = 0; i < 136; i++) e2[i] = rf_test_uniform(&rng, -1, 1);
    for (size_t i = 0; i < 816; i++) e3[i] = rf_test_uniform(&rng, -1, 1);
    char err[256];
    for (int method = 0; method < 2; method++) {
        double errs[2];
        for (int s = 0; s < 2; s++) {
            const double sigma = s ? 1e-7 : 1e-6;
            for (size_t i = 0; i < 136; i++) n2[i] = t2[i] + sigma * e2[i];
            for (size_t i = 0; i < 816; i++) n3v[i] = t3[i] + sigma * e3[i];
            rf_moe_decomp_opts o;
            rf_moe_decomp_defaults(&o);
            o.method = method ? RF_MOE_DECOMP_ORTH_ALS : RF_MOE_DECOMP_TPM;
            CHECK(rf_moe_recover_regressors(n2, n3v, d, k, 1.0, 6.0, &o, R, err, sizeof err));
            errs[s] = match_error(A, R, d, k);
        }
        CHECKF(errs[0] < 1e-3 && errs[0] / errs[1] > 5 && errs[0] / errs[1] < 20,
               "%s: error %.3g at noise 1e-6, %.3g at 1e-7", method ? "als" : "tpm", errs[0], errs[1]);
    }
}

static void test_layout(void)
{
    for (size_t d = 1; d <= 9; d += 4)
        for (size_t a = 0; a < d; a++)
            for (size_t b = a; b < d; b++) {
                CHECK(rf_sym2_index(d, a, b) == off2(d, a, b));
                for (size_t c = b; c < d; c++) CHECK(rf_sym3_index(d, a, b, c) == off3(d, a, b, c));
            }
}

int main(void)
{
    rf_isa levels[RF_ISA_COUNT];
    const int nl = rf_test_levels(levels);
    for (int i = 0; i < nl; i++) {
        rf_isa_set(levels[i]);
        rng = 0x9e3779b97f4a7c15ull;
        test_recovery(levels[i]);
    }
    rf_isa_set(levels[0]);
    test_layout();
    test_whitening();
    test_eig_agreement();
    test_rejections();
    test_deflation_order();
    test_determinism();
    test_noisy();
    return rf_test_summary("test_moe_decomp");
}
