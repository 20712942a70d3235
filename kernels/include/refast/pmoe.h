/* Patch-level mixture of experts (seed 002, SPEC §5.3 "pMoE", ../shared/pmoe-reference/README.md):
 * the kernels of routing, top-l selection, gating, the expert sum, the CNN baseline, the logistic
 * loss and the router pre-training loss, their gradients and an SGD update.
 *
 * Conventions (every kernel below).
 * - Layout. A batch of B samples, each n patches of d values: x[(b n + j) d + p]. For the MNIST
 *   composite (n = 16, d = 784) patch j = 4R + C is row-major over the 4x4 grid and pixel
 *   p = 28u + v is row-major inside the patch; weight vectors of length d use the same p order.
 *   Routing values g[(b k + s) n + j] = <w_s, x_b^(j)>: one row of n values per (sample, expert).
 *   Selections idx[(b k + s) l + t], t < l: the selected patch indices of row (b, s) in ascending
 *   order; gating values G and cached pre-activations follow the same (b, s, t) order.
 *   Expert weights W[(s h + r) d + p] (k experts of h neurons), output weights a[s h + r].
 * - dtype. *_f32 computes in float with float accumulators, as the authors trained (TensorFlow
 *   float32); *_f64 in double, for the check against the reference numbers (double, ~1e-12).
 *   Sums run in the order stated per kernel (ref); the `sum` class tau below bounds any order.
 * - Labels. Kernels take the paper's y in {-1, +1} (int8: y[b] > 0 means +1, anything else -1).
 *   The authors' files and Keras use label01 = (y + 1) / 2; their BCE on logits with label01 is
 *   exactly the logistic loss log(1 + e^{-y f}) used here.
 * - Top-l tie rule. Equal routing values go to the lower index: RF_PMOE_TIE_ROW compares the
 *   row-major index j (the joint gate of the authors' code), RF_PMOE_TIE_COL the column-major key
 *   (j % grid_w) * (n / grid_w) + j / grid_w of a grid grid_w patches wide (the authors'
 *   separate-training router). NaN ranks below every number (and NaNs among themselves by the
 *   tie rule), so a selection is always l distinct indices.
 * - Scale. The expert sum is multiplied by `scale`: 1/n in the authors' code (global average
 *   pooling), 1/l in the paper's eq. 1. The caller passes the number.
 * - Gating (RF_PMOE_GATE_*): ONE, G = 1 (separate training, eq. 3; the CNN); SOFTMAX over the l
 *   selected values, G_j = e^{g_j} / sum_{i in J} e^{g_i} (joint training; eq. 4 with the exp the
 *   paper drops, SPEC §9); WRN, the softmax over all n values, kept on the selected l and not
 *   renormalised (the authors' WRN gate). The WRN gate selects on g; the authors select on the
 *   probabilities, which is the same order except where exp rounds two different g to one value.
 * - relu'(0) = 0. Top-l indices are not differentiated (piecewise-constant selection).
 * - Gradients are of the batch-MEAN loss (1/B sum_b), and each gradient output is overwritten.
 * - NaN and infinity propagate as IEEE arithmetic does: relu(NaN) = NaN (relu'(NaN) = 0), a NaN
 *   routing value is never preferred, every sum that meets a NaN is NaN. Kernels never validate
 *   values: lib/pmoe/ rejects non-finite weights and pixels with a one-line error before any
 *   kernel runs.
 * - Sizes. Any size >= 0 and any alignment. B = 0 writes nothing (a mean over no sample is 0).
 *   Invalid shapes (l < 1, l > n, k < 1, grid_w not dividing n) are preconditions checked by
 *   lib/pmoe/; a kernel given one writes -1 indices and NaN values rather than reading out of
 *   bounds. No kernel allocates memory.
 *
 * Accuracy contract (the `sum` class of SPEC §3: |got - want| <= tau u S, S the oracle's sum of
 * the magnitudes of the terms, oracle/oracle_pmoe.h). The RF_PMOE_TAU_* functions give tau for
 * the sequential sums of ref; a blocked or lane-parallel sum of the same terms has a smaller
 * worst case, so the same tau holds at every level.
 */
#ifndef REFAST_PMOE_H
#define REFAST_PMOE_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

/* Top-l tie rules. */
enum { RF_PMOE_TIE_ROW = 0, RF_PMOE_TIE_COL = 1 };
/* Gating modes. */
enum { RF_PMOE_GATE_ONE = 0, RF_PMOE_GATE_SOFTMAX = 1, RF_PMOE_GATE_WRN = 2 };

/* ---- routing: g = <w_s, x^(j)> for every sample, patch and expert ------------------------------
 * g[(b k + s) n + j] = sum_{p < d} w[s d + p] x[(b n + j) d + p], summed p = 0, 1, ... (a batched
 * small GEMM: (B n) x d times d x k). tau = d + 2. */

/* ---- top-l selection per row --------------------------------------------------------------------
 * For each of `rows` rows of n values: idx[r l + t] = the l best indices in ascending order (best =
 * larger value, ties by the rule above); margin[r] = (l-th largest) - ((l+1)-th largest) value, the
 * smallest top-l margin of that row (+inf when l == n; NaN when either value is NaN). Indices are
 * exact (class `exact`); margin is one subtraction, tau = 1 with S = |v_l| + |v_(l+1)|.
 * margin may be NULL. Invalid l or grid_w: idx = -1, margin = NaN. */

/* ---- gating values -------------------------------------------------------------------------------
 * G[r l + t] for the selected index j = idx[r l + t] of row r of g (rows x n):
 *   ONE: 1;  SOFTMAX: e^{g_j - m} / sum_{i in J} e^{g_i - m}, m = max over J;
 *   WRN: e^{g_j - m} / sum_{i < n} e^{g_i - m}, m = max over the row.
 * The sum runs over the selected (SOFTMAX, in idx order) or all (WRN, i = 0, 1, ...) values.
 * S = G_j (1 + |g_j - m| + max_i |g_i - m|) over the summed set; tau = (l or n) + 6 (exp within
 * 1 ulp); ONE is exact. */

/* ---- forward: experts on their selected patches, and the model output ---------------------------
 * For sample b, expert s, selected slot t (patch j = idx[(b k + s) l + t]) and neuron r < h:
 *   z[((b k + s) l + t) h + r] = <W_rs, x_b^(j)>                   (p = 0, 1, ...)
 *   c[(b k + s) l + t]         = sum_r a_rs relu(z)                 (r = 0, 1, ...)
 *   f[b] = scale * sum_s sum_t G[(b k + s) l + t] c[(b k + s) l + t] (s outer, t inner; scale last)
 * relu(z) = max(z, 0) with relu(NaN) = NaN.
 * idx == NULL: every patch in order (requires l == n), the CNN baseline (eq. 5 = k 1, l n, G 1,
 * scale 1/n). G == NULL: G = 1 (separate training). z and c may be NULL (inference only).
 * S_z = sum_p |W x|, tau_z = d + 2; S_c = sum_r |a_rs| S_z, S_f = |scale| sum |G| S_c;
 * tau = d + h + k l + 6 for c and f. */

/* ---- logistic loss ------------------------------------------------------------------------------
 * loss_per[b] = log(1 + e^{-y_b f_b}) (softplus, stable for any f), *loss = (sum_b loss_per[b]) / B,
 * dldf[b] = d(*loss)/d f_b = -y_b sigmoid(-y_b f_b) / B. S = the value itself (loss_per, dldf; tau 8)
 * and the mean of loss_per (loss; tau = B + 9). loss_per, loss and dldf may each be NULL. */

/* ---- backward through the experts ---------------------------------------------------------------
 * With q_b = dldf[b] * scale and the forward's z (the selections idx, G as in the forward):
 *   dW[(s h + r) d + p] = sum_b sum_t ((q_b G_bst) a_rs) [z_bstr > 0] x_b^(j)[p]   (b outer, t inner)
 *   dG[(b k + s) l + t] = q_b c_bst = dL/dG_bst                                      (may be NULL)
 * S_dW = sum of |term|, tau = B l + 5; S_dG = |dG|, tau = 3. idx, G: NULL as in the forward. */

/* ---- backward through the gate ------------------------------------------------------------------
 * From dG = dL/dG on the selected slots to dg = dL/dg on all n routing values of each row, with P
 * the gate's probabilities recomputed from g (P = G of pmoe_gate; for WRN also the unselected):
 *   SOFTMAX: dg_i = P_i (dG_i - mu) for i in J, 0 elsewhere;   mu = sum_{t} P_jt dG_t (idx order)
 *   WRN:     dg_i = P_i ([i in J] dG_i - mu) for every i < n
 *   ONE:     dg = 0 (G is constant).
 * S_i = P_i (1 + |g_i - m| + max |g - m|) ([i in J] |dG_i| + sum_t P_jt |dG_t|),
 * tau = 2 (l or n) + l + 14. */

/* ---- backward through the routing (the transpose of pmoe_route) ---------------------------------
 * dw[s d + p] = sum_b sum_j dg[(b k + s) n + j] x[(b n + j) d + p]   (b outer, j inner).
 * S = sum of |term|, tau = B n + 2. */

/* ---- router pre-training (separate training phase 1, eq. 6) -------------------------------------
 * w = (w_1, w_2), 2 x d. With X_b = sum_j x_b^(j) (j = 0, 1, ...) and v = w_1 - w_2:
 *   f[b] = <v, X_b>,  loss_per[b] = -y_b f_b,  *loss = (sum_b loss_per[b]) / B,
 *   dw[0 .. d) = -(1/B) sum_b y_b X_b,  dw[d .. 2d) = +(1/B) sum_b y_b X_b (independent of w).
 * (The authors' graph: a linear conv, global average pooling, then fixed output weights
 * [16, -16]; the 16s cancel, so f is the same number.) S_f = sum_p (|w_1p| + |w_2p|) sum_j |x_bjp|,
 * tau = n + d + 3 (f, loss_per), n + d + B + 4 (loss); S_dw = (1/B) sum_b sum_j |x_bjp|,
 * tau = n + B + 2. Any output pointer may be NULL. */

/* ---- SGD update: w[i] -= lr * grad[i] ------------------------------------------------------------
 * (lr * grad rounded, then the subtraction; S = |w| + |lr grad|, tau = 2.) */

/* ---- tau of the `sum` class per kernel output (see each kernel) ---------------------------------- */
static inline double rf_pmoe_tau_route(size_t d) { return (double)d + 2; }
static inline double rf_pmoe_tau_gate(size_t summed) { return (double)summed + 6; }
static inline double rf_pmoe_tau_expert_z(size_t d) { return (double)d + 2; }
static inline double rf_pmoe_tau_expert_f(size_t d, size_t h, size_t k, size_t l)
{
    return (double)d + (double)h + (double)k * (double)l + 6;
}
static inline double rf_pmoe_tau_logistic(size_t B) { return (double)B + 9; }
static inline double rf_pmoe_tau_expert_bwd(size_t B, size_t l) { return (double)B * (double)l + 5; }
static inline double rf_pmoe_tau_gate_bwd(size_t summed, size_t l)
{
    return 2.0 * (double)summed + (double)l + 14;
}
static inline double rf_pmoe_tau_route_bwd(size_t B, size_t n) { return (double)B * (double)n + 2; }
static inline double rf_pmoe_tau_router_loss(size_t B, size_t n, size_t d)
{
    return (double)n + (double)d + (double)B + 4;
}

#define RF_KERNELS_PMOE(X)                                                                         \
    X(pmoe_route_f32, HAND, BLAS, VOID,                                                             \
      (const float *x, size_t B, size_t n, size_t d, const float *w, size_t k, float *g),          \
      (x, B, n, d, w, k, g))                                                                       \
    X(pmoe_route_f64, HAND, BLAS, VOID,                                                             \
      (const double *x, size_t B, size_t n, size_t d, const double *w, size_t k, double *g),       \
      (x, B, n, d, w, k, g))                                                                       \
    X(pmoe_topl_f32, HAND, NONE, VOID,                                                              \
      (const float *g, size_t rows, size_t n, size_t l, int tie, size_t grid_w, int32_t *idx,      \
       float *margin),                                                                             \
      (g, rows, n, l, tie, grid_w, idx, margin))                                                   \
    X(pmoe_topl_f64, HAND, NONE, VOID,                                                              \
      (const double *g, size_t rows, size_t n, size_t l, int tie, size_t grid_w, int32_t *idx,     \
       double *margin),                                                                            \
      (g, rows, n, l, tie, grid_w, idx, margin))                                                   \
    X(pmoe_gate_f32, HAND, NONE, VOID,                                                              \
      (const float *g, const int32_t *idx, size_t rows, size_t n, size_t l, int mode, float *G),   \
      (g, idx, rows, n, l, mode, G))                                                               \
    X(pmoe_gate_f64, HAND, NONE, VOID,                                                              \
      (const double *g, const int32_t *idx, size_t rows, size_t n, size_t l, int mode,             \
       double *G),                                                                                 \
      (g, idx, rows, n, l, mode, G))                                                               \
    X(pmoe_expert_fwd_f32, HAND, BLAS, VOID,                                                        \
      (const float *x, size_t B, size_t n, size_t d, const int32_t *idx, const float *G,           \
       size_t k, size_t l, const float *W, const float *a, size_t h, float scale, float *z,        \
       float *c, float *f),                                                                        \
      (x, B, n, d, idx, G, k, l, W, a, h, scale, z, c, f))                                         \
    X(pmoe_expert_fwd_f64, HAND, BLAS, VOID,                                                        \
      (const double *x, size_t B, size_t n, size_t d, const int32_t *idx, const double *G,         \
       size_t k, size_t l, const double *W, const double *a, size_t h, double scale, double *z,    \
       double *c, double *f),                                                                      \
      (x, B, n, d, idx, G, k, l, W, a, h, scale, z, c, f))                                         \
    X(pmoe_logistic_f32, HAND, NONE, VOID,                                                          \
      (const float *f, const int8_t *y, size_t B, float *loss_per, float *loss, float *dldf),      \
      (f, y, B, loss_per, loss, dldf))                                                             \
    X(pmoe_logistic_f64, HAND, NONE, VOID,                                                          \
      (const double *f, const int8_t *y, size_t B, double *loss_per, double *loss,                 \
       double *dldf),                                                                              \
      (f, y, B, loss_per, loss, dldf))                                                             \
    X(pmoe_expert_bwd_f32, HAND, BLAS, VOID,                                                        \
      (const float *x, size_t B, size_t n, size_t d, const int32_t *idx, const float *G,           \
       size_t k, size_t l, const float *a, size_t h, float scale, const float *z,                  \
       const float *c, const float *dldf, float *dW, float *dG),                                   \
      (x, B, n, d, idx, G, k, l, a, h, scale, z, c, dldf, dW, dG))                                 \
    X(pmoe_expert_bwd_f64, HAND, BLAS, VOID,                                                        \
      (const double *x, size_t B, size_t n, size_t d, const int32_t *idx, const double *G,         \
       size_t k, size_t l, const double *a, size_t h, double scale, const double *z,               \
       const double *c, const double *dldf, double *dW, double *dG),                               \
      (x, B, n, d, idx, G, k, l, a, h, scale, z, c, dldf, dW, dG))                                 \
    X(pmoe_gate_bwd_f32, HAND, NONE, VOID,                                                          \
      (const float *g, const int32_t *idx, const float *dG, size_t rows, size_t n, size_t l,       \
       int mode, float *dg),                                                                       \
      (g, idx, dG, rows, n, l, mode, dg))                                                          \
    X(pmoe_gate_bwd_f64, HAND, NONE, VOID,                                                          \
      (const double *g, const int32_t *idx, const double *dG, size_t rows, size_t n, size_t l,     \
       int mode, double *dg),                                                                      \
      (g, idx, dG, rows, n, l, mode, dg))                                                          \
    X(pmoe_route_bwd_f32, HAND, BLAS, VOID,                                                         \
      (const float *x, size_t B, size_t n, size_t d, const float *dg, size_t k, float *dw),        \
      (x, B, n, d, dg, k, dw))                                                                     \
    X(pmoe_route_bwd_f64, HAND, BLAS, VOID,                                                         \
      (const double *x, size_t B, size_t n, size_t d, const double *dg, size_t k, double *dw),     \
      (x, B, n, d, dg, k, dw))                                                                     \
    X(pmoe_router_loss_f32, HAND, NONE, VOID,                                                       \
      (const float *x, const int8_t *y, size_t B, size_t n, size_t d, const float *w, float *f,    \
       float *loss_per, float *loss, float *dw),                                                   \
      (x, y, B, n, d, w, f, loss_per, loss, dw))                                                   \
    X(pmoe_router_loss_f64, HAND, NONE, VOID,                                                       \
      (const double *x, const int8_t *y, size_t B, size_t n, size_t d, const double *w,            \
       double *f, double *loss_per, double *loss, double *dw),                                     \
      (x, y, B, n, d, w, f, loss_per, loss, dw))                                                   \
    X(pmoe_sgd_f32, HAND, NONE, VOID,                                                               \
      (float *w, const float *grad, size_t count, float lr),                                       \
      (w, grad, count, lr))                                                                        \
    X(pmoe_sgd_f64, HAND, NONE, VOID,                                                               \
      (double *w, const double *grad, size_t count, double lr),                                    \
      (w, grad, count, lr))
RF_DECLARE_KERNELS(RF_KERNELS_PMOE)

#endif
