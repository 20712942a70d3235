/* Oracles of the pMoE kernels (refast/pmoe.h), written independently of ref/: long double
 * arithmetic with TwoSum-compensated sums (oracle_moe_acc.h), a sort (not ref's ranks) for the
 * top-l selection, expl/log1pl for the softmax and the losses. Its own error is below 2^-60 of
 * each output's scale S, negligible against the double bound.
 *
 * Inputs are double arrays (float inputs widen exactly), the kernel's own inputs: each function
 * judges ONE kernel on given inputs, so its scale S covers that kernel's rounding only (the
 * formulas and tau are stated per kernel in refast/pmoe.h). Every output comes with S, "the sum of
 * the magnitudes of the terms that make up that output", for the judge's `sum` class
 * |got - want| <= tau u S.
 *
 * Selections are exact. When the routing values themselves carry an error (the chained case:
 * g computed by a kernel, then selected), ora_pmoe_topl also returns the near-tie measure `flip`
 * so that a selection that differs at a true near-tie is recognisable, not a failure.
 *
 * Non-finite inputs: IEEE long double arithmetic (NaN propagates); the selection ranks NaN below
 * every number as the kernels do.
 */
#ifndef REFAST_ORACLE_PMOE_H
#define REFAST_ORACLE_PMOE_H

#include <stddef.h>
#include <stdint.h>

/* g[(b k + s) n + j] = <w_s, x_b^(j)>; scale = sum_p |w_sp x_bjp|. */
void ora_pmoe_route(const double *x, size_t B, size_t n, size_t d, const double *w, size_t k,
                    long double *g, long double *scale);

/* Top-l of each row of g (rows x n), ranked by a sort: larger first, NaN last, ties by the rule
 * (RF_PMOE_TIE_ROW / _COL with grid_w). idx (rows x l): ascending selected indices, exact.
 * margin[r] = v_(l) - v_(l+1) (+inf if l == n) and margin_scale[r] = |v_(l)| + |v_(l+1)|.
 * flip[r] (optional, needs g_scale): the smallest (g_i - g_j) / (S_i + S_j) over selected i and
 * unselected j with g_i != g_j; +inf if there is none. Exactly equal values are exact ties, which
 * the tie rule decides. A kernel whose g errs by at most tau u S may legitimately select otherwise
 * only where flip <= tau u. Returns -1 if l or grid_w is invalid or memory runs out, else 0.
 * margin, margin_scale, flip may be NULL. */
int ora_pmoe_topl(const long double *g, const long double *g_scale, size_t rows, size_t n, size_t l,
                  int tie, size_t grid_w, int32_t *idx, long double *margin,
                  long double *margin_scale, long double *flip);

/* Gating values of the selected slots (refast/pmoe.h pmoe_gate); scale G (1 + |g_j - m| +
 * max_i |g_i - m|) over the summed set (1 for ONE). */
void ora_pmoe_gate(const double *g, const int32_t *idx, size_t rows, size_t n, size_t l, int mode,
                   long double *G, long double *scale);

/* The expert forward (refast/pmoe.h pmoe_expert_fwd): z, c, f and their scales
 * S_z = sum_p |W x|, S_c = sum_r |a| S_z, S_f = |scale| sum |G| S_c. idx and G may be NULL as
 * in the kernel; z, z_scale, c, c_scale may be NULL. */
void ora_pmoe_expert_fwd(const double *x, size_t B, size_t n, size_t d, const int32_t *idx,
                         const double *G, size_t k, size_t l, const double *W, const double *a,
                         size_t h, double scale, long double *z, long double *z_scale, long double *c,
                         long double *c_scale, long double *f, long double *f_scale);

/* Logistic loss of f (B) with labels y in {-1, +1}: loss_per and its scale (the value), the mean and
 * its scale (the mean of the values), dldf = -y sigmoid(-y f) / B and its scale |dldf|. */
void ora_pmoe_logistic(const double *f, const int8_t *y, size_t B, long double *loss_per,
                       long double *loss_per_scale, long double *loss, long double *loss_scale,
                       long double *dldf, long double *dldf_scale);

/* The expert backward (refast/pmoe.h pmoe_expert_bwd) on given z, c, dldf: dW (k h d) with the sum
 * of |terms| as scale, dG (B k l, may be NULL) with scale |dG|. */
void ora_pmoe_expert_bwd(const double *x, size_t B, size_t n, size_t d, const int32_t *idx,
                         const double *G, size_t k, size_t l, const double *a, size_t h, double scale,
                         const double *z, const double *c, const double *dldf, long double *dW,
                         long double *dW_scale, long double *dG, long double *dG_scale);

/* The gate backward (refast/pmoe.h pmoe_gate_bwd): dg (rows x n) and its scale. */
void ora_pmoe_gate_bwd(const double *g, const int32_t *idx, const double *dG, size_t rows, size_t n,
                       size_t l, int mode, long double *dg, long double *dg_scale);

/* The routing backward: dw (k x d) and the sum of |terms|. */
void ora_pmoe_route_bwd(const double *x, size_t B, size_t n, size_t d, const double *dg, size_t k,
                        long double *dw, long double *dw_scale);

/* Router pre-training (eq. 6): f (B), the mean loss and dw (2 x d), with their scales. */
void ora_pmoe_router_loss(const double *x, const int8_t *y, size_t B, size_t n, size_t d,
                          const double *w, long double *f, long double *f_scale, long double *loss,
                          long double *loss_scale, long double *dw, long double *dw_scale);

/* One SGD step out = w - lr grad and its scale |w| + |lr grad|. */
void ora_pmoe_sgd(const double *w, const double *grad, size_t count, double lr, long double *out,
                  long double *scale);

#endif
