/* MoE part 2: the pieces `refast moe learn` needs beyond the moment kernels -- metrics (seed 001
 * eqs. 11-12 and §4.3, seed 003 §4), the method of moments for k = 2 (seed 001 Theorem 3), the
 * Gaussian-mixture score tensors (seed 001 §4.1, Janzamin et al. 2014), a Newton M-step for the
 * gating parameters, joint EM and SGD on the l2 loss (the baselines of seed 001 §4.3 and seed 003 §4).
 *
 * Conventions (those of refast/moe.h): x is row-major n x d, y has n entries, A and W are k x d
 * row-major, the gating logit of expert j is <w_j, x> for j < k-1 and 0 for j = k-1 (row k-1 of W
 * is zero in every W these functions write and is never read). Everything is double. Random
 * initialisations are Philox4x32-10 words through Box-Muller in double (rf_mp_gauss below), so a
 * run is a function of its seed only.
 *
 * Identifiability of the gating parameters: softmax is invariant to adding one vector to every
 * logit, and the model fixes it by w_k = 0. When the experts of an estimate are relabelled by a
 * permutation pi (estimate j <-> truth pi(j)), the truth written in the estimate's labelling is
 * W*_pi with rows w*_pi(j) - w*_pi(k-1), i.e. re-referenced to the expert that the estimate calls
 * the last. Every gating metric here compares with that re-referenced truth; seed 001 §4.3 writes
 * ||W - W*_pi||_F literally, which is not zero for a perfect estimate in another labelling.
 */
#ifndef REFAST_LIB_MOE_PIPELINE_H
#define REFAST_LIB_MOE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moe/tacc.h"
#include "refast/moe.h"

#define RF_MP_MAX_K 32 /* = RF_MOE_EM_MAX_K */
#define RF_MP_EXHAUSTIVE_K 8

/* ---- metrics (kernels/moe_metrics.c) ---------------------------------------------------------- */

/* Minimum-cost assignment of an n x n cost matrix (row-major) by the Hungarian algorithm
 * (O(n^3), potentials form): perm[i] = the column of row i; returns the total cost. n <= 64. */
double rf_mp_hungarian(const double *cost, unsigned n, unsigned *perm);

/* Bottleneck assignment: the permutation maximising min_i score[i][perm[i]] (n <= 64): exhaustive
 * for n <= 8, else threshold search over the sorted scores with a bipartite perfect-matching test
 * (exact as well). Returns the max-min value. */
double rf_mp_maxmin_assign(const double *score, unsigned n, unsigned *perm);

/* 1 - max_pi min_i |<a_i, a*_pi(i)>| with rows normalised (seed 003 E_reg; = 1 - RegressorFit of
 * seed 001 eq. 11). perm (may be NULL) receives the maximising assignment estimate i -> truth. */
double rf_mp_ereg(const double *A, const double *A_true, unsigned k, unsigned d, unsigned *perm);

/* GatingFit (seed 001 eq. 12) for k = 2: |<w_0, w*_0>| with both normalised (0 if either is 0). */
double rf_mp_gating_fit(const double *w, const double *w_true, unsigned d);

/* E_gating (seed 003 §4 "defined similarly"): the experts are matched by perm (estimate j ->
 * truth perm[j], normally the E_reg assignment), the truth is re-referenced (header comment), and
 * E_gating = 1 - min_{j < k-1} |<w_j, w*'_j>| with rows normalised. */
double rf_mp_egating(const double *W, const double *W_true, unsigned k, unsigned d, const unsigned *perm);

/* E(A, W) of seed 001 §4.3: min over pi of ||A - A*_pi||_F + ||W - W*_pi||_F with the re-referenced
 * W*_pi. Exhaustive over the k! permutations for k <= 8. For k > 8 the objective is not a linear
 * assignment (a sum of two norms, and the reference expert couples the rows): for each choice of
 * the reference expert r = pi(k-1) the Hungarian algorithm minimises the squared form
 * sum_j ||a_j - a*_pi(j)||^2 + ||w_j - (w*_pi(j) - w*_r)||^2, and the best of these k candidates
 * under the seed's objective is returned (an upper bound on the exact minimum, equal to it whenever
 * one permutation is best for both forms, e.g. near a correct estimate). k <= 32. */
double rf_mp_eaw(const double *A, const double *W, const double *A_true, const double *W_true, unsigned k,
                 unsigned d);

/* ---- method of moments for k = 2 (kernels/moe_mom.c) -------------------------------------------
 * Seed 001 Theorem 3: with Ratio(x, y) = (y - g(<a_2, x>)) / (g(<a_1, x>) - g(<a_2, x>)) (for linear g
 * the seed's (y - <a_2,x>) / <a_1 - a_2, x>), E[1{Ratio <= 1/2} x] = alpha w* for x ~ N(0, I). The
 * estimate is v = mean_i 1{Ratio_i <= 1/2} x_i; since the indicator is ~ 1{z = 2} and the gate of
 * expert 1 is sigmoid(<w*, x>), alpha < 0, so w = -R v / |v| is returned as the gating row of
 * expert 1 (row 0 of W, k = 2). The moment fixes only the direction: R is the known norm. A holds
 * (a_1, a_2) as rows. Samples with g(<a_1,x>) = g(<a_2,x>) are skipped. The moment is taken
 * centred, v = mean 1{.} x - mean 1{.} mean x: the same limit for x ~ N(0, I), but for inputs with
 * a non-zero mean (the Gaussian mixtures of seed 001 §4.1) the uncentred moment is dominated by
 * P(Ratio <= 1/2) E[x], which has nothing to do with w*. Theorem 3 (Stein's lemma) still assumes a
 * Gaussian x; for mixtures the direction is biased. Streaming: accumulate with rf_mp_mom_add over
 * chunks, then rf_mp_mom_finish. */
typedef struct rf_mp_mom {
    unsigned d;
    double sum[RF_MOE_MAX_D];  /* sum of 1{Ratio <= 1/2} x */
    double xsum[RF_MOE_MAX_D]; /* sum of x */
    uint64_t n, nind;
} rf_mp_mom;
void rf_mp_mom_init(rf_mp_mom *m, unsigned d);
void rf_mp_mom_add(rf_mp_mom *m, const double *x, const double *y, size_t n, const double *A, rf_moe_g g);
/* Writes w (d); returns false when the sum vanishes (no direction). */
bool rf_mp_mom_finish(const rf_mp_mom *m, double R, double *w);

/* ---- Gaussian-mixture score tensors (kernels/moe_gmm_score.c) ----------------------------------
 * x ~ sum_c pi_c N(mu_c, I): S_m(x) = (-1)^m grad^m p(x) / p(x) = sum_c r_c(x) He_m(x - mu_c), r_c the
 * component posterior, so T_m = (1/n) sum_i w_i S_m(x_i) = sum_c (1/n) sum_i (w_i r_c(x_i)) He_m(x_i - mu_c):
 * one streaming Hermite accumulator (rf_moe_tacc) per component on the shifted inputs with weights
 * w r_c. The learner is given the mixture (pi_c, mu_c), as in seed 001 §4.1. */
#define RF_MP_GMM_MAX_C 4
typedef struct rf_mp_gmm {
    unsigned ncomp, d;
    double pi[RF_MP_GMM_MAX_C];
    const double *mu[RF_MP_GMM_MAX_C]; /* d each, borrowed */
} rf_mp_gmm;
/* Component posteriors r (n x ncomp) of the n rows of x (log-sum-exp). */
void rf_mp_gmm_resp(const rf_mp_gmm *g, const double *x, size_t n, double *r);
/* Streaming T_m (order 2, 3 or 4) for the mixture score. */
typedef struct rf_mp_gmm_tacc {
    rf_mp_gmm gmm;
    unsigned order;
    void *acc;      /* ncomp rf_moe_tacc */
    double *xs, *ws, *r; /* scratch for one chunk */
    size_t cap;
} rf_mp_gmm_tacc;
int rf_mp_gmm_tacc_init(rf_mp_gmm_tacc *t, const rf_mp_gmm *g, unsigned order); /* 0 or -1 */
int rf_mp_gmm_tacc_add(rf_mp_gmm_tacc *t, const double *x, const double *w, size_t n); /* 0 or -1 (memory) */
void rf_mp_gmm_tacc_mean(const rf_mp_gmm_tacc *t, double *out); /* packed, as rf_moe_tacc_mean */
void rf_mp_gmm_tacc_free(rf_mp_gmm_tacc *t);

/* ---- gating M-step, Algorithm 2, joint EM, l2 SGD (kernels/moe_joint_em.c, moe_l2_sgd.c) -------- */

/* Gaussian i of (seed, stream): Box-Muller in double on Philox words 2i, 2i+1. */
double rf_mp_gauss(uint64_t seed, uint64_t stream, uint64_t i);
/* Fills k x d with rows uniform on the unit sphere (stream base + row). */
void rf_mp_random_sphere(uint64_t seed, uint64_t stream, unsigned k, unsigned d, double *M);

/* Maximises Q(W | posteriors) = mean_i [sum_{j<k-1} post_ij <w_j,x_i> - log(1 + sum_{j<k-1} e^<w_j,x_i>)]
 * (seed 001 eq. 8 with the SPEC §9 erratum) over ||w_j|| <= R by projected Newton steps from W, at
 * most `steps`: gradient, Q and Hessian by the kernels of refast/moe_gating.h (rf_moe_q_grad,
 * rf_moe_q_hess), the step by rf_moe_cholesky on -H (a ridge 1e-12 max diag, x100 per retry, only
 * when the factorisation fails); a step that decreases Q is halved; rows projected onto the ball.
 * post is n x k. Returns 0, or -1 (memory, a non-finite Q, -H not factorable, (k-1) d > 1024). */
int rf_mp_gating_mstep(const double *x, const double *post, size_t n, unsigned d, unsigned k, double R,
                       unsigned steps, double *W);

/* Algorithm 2 (regressors A fixed): the gating helper's driver rf_moe_gating_em (refast/moe_gating.h)
 * with its Newton M-step (8 inner steps, line search on), projection onto ||w_j|| <= R, from W (k x d)
 * until ||W_t - W_{t-1}||_F < eps or T iterations. iterates (may be NULL; room for (T+1) k d)
 * receives W_0 .. W_T' (T' = iterations done, returned in *done). Returns 0 or -1. */
int rf_mp_gating_em(const double *x, const double *y, size_t n, unsigned d, unsigned k, const double *A,
                    rf_moe_g g, double sigma, double R, unsigned T, double eps, double *W, double *iterates,
                    unsigned *done);

/* Joint EM (the baseline of seed 001 §4.3 / seed 003 §4): A, W from a random start (A rows on the
 * sphere, W rows gaussian scaled to norm R; streams from seed); each iteration: posteriors by
 * rf_moe_estep; A M-step: for linear g the weighted least squares a_j = (sum_i p_ij x_i x_i^T)^{-1}
 * sum_i p_ij y_i x_i per expert; for non-linear g a few (3) Gauss-Newton steps on
 * sum_i p_ij (y_i - g(<a_j,x_i>))^2 from the current a_j (the exact M-step has no closed form);
 * gating M-step by rf_mp_gating_mstep (a few Newton steps, generalised EM). sigma is the known
 * noise level. iterates (may be NULL) gets (A_t, W_t) for t = 0..T as 2 (T+1) k d doubles
 * (A_t then W_t); once no entry moves by more than 1e-10 the iteration stops and the remaining
 * iterates repeat the last one. Returns 0 or -1. */
int rf_mp_joint_em(const double *x, const double *y, size_t n, unsigned d, unsigned k, rf_moe_g g, double sigma,
                   double R, unsigned T, uint64_t seed, double *A, double *W, double *iterates);

/* SGD on the l2 loss of seed 003 §3.1: l2(A, W) = E (y - sum_i softmax_i(<w_1,x>..<w_{k-1},x>, 0) g(<a_i,x>))^2,
 * mini-batches of `batch` samples of the fixed data (a fresh Philox order each epoch), plain SGD
 * with step `lr`, `epochs` passes, from the same kind of random start as joint EM. iterates (may be
 * NULL) gets (A, W) after each epoch, epoch 0 = the start: 2 (epochs+1) k d doubles. Returns 0/-1. */
int rf_mp_l2_sgd(const double *x, const double *y, size_t n, unsigned d, unsigned k, rf_moe_g g, double lr,
                 size_t batch, unsigned epochs, double R, uint64_t seed, double *A, double *W, double *iterates);
/* The l2 loss value on the data (for tests and curves). */
double rf_mp_l2_loss(const double *x, const double *y, size_t n, unsigned d, unsigned k, rf_moe_g g, const double *A,
                     const double *W);

#endif
