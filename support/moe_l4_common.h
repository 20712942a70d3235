/* Shared by every implementation of moe_l4_grad_f64 (ref/moe_l4.c, fast/moe_l4_driver.h,
 * peers/moe_l4_blas.c): the layout of the per-block sums and the closing step that turns the
 * summed statistics into the loss and the gradient (refast/moe_loss.h, "How it is computed").
 *
 * Block sums, one array of rf_l4_acc_size(k, d) doubles:
 *   [L4_PHI]      sum q4 Phi_s          (Phi_s without its A-only constant)
 *   [L4_Q4]       sum q4
 *   [L4_Q2]       sum q2
 *   [L4_M ..]     sum q4 u_i u_j        k x k, row-major (symmetric, both halves stored)
 *   [L4_E ..]     sum q2 u_i^2          k
 *   [L4_G4 ..]    sum q4 C4_si x_s      k x d
 *   [L4_G2 ..]    sum q2 u_si x_s       k x d
 */
#ifndef REFAST_SUPPORT_MOE_L4_COMMON_H
#define REFAST_SUPPORT_MOE_L4_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#define L4_PHI 0
#define L4_Q4 1
#define L4_Q2 2
#define L4_M 3

static inline size_t rf_l4_off_e(size_t k) { return L4_M + k * k; }
static inline size_t rf_l4_off_g4(size_t k) { return L4_M + k * k + k; }
static inline size_t rf_l4_off_g2(size_t k, size_t d) { return L4_M + k * k + k + k * d; }
static inline size_t rf_l4_acc_size(size_t k, size_t d) { return L4_M + k * k + k + 2 * k * d; }

/* Validates sizes and scans every input for non-finite values. false: the outputs must be NaN. */
bool rf_l4_inputs_ok(const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,
                     const double *A, const double *hyper);
/* Fills the loss and the k x d gradient with NaN. */
void rf_l4_fill_nan(size_t d, size_t k, double *loss, double *grad);
/* Per-sample coefficient C4_si (without q4) and Phi_s of one sample from its projections u (k),
 * the norms nrm (k), G (k x k) and N = sum nrm: writes coef (k), returns Phi_s. */
double rf_l4_sample_coef(const double *u, const double *nrm, const double *G, double N, size_t k,
                         double mu, double *coef);
/* From the total sums (acc, rf_l4_acc_size) of n samples: the loss and the gradient. */
void rf_l4_finish(const double *acc, size_t n, size_t d, size_t k, const double *A, const double *hyper,
                  double *loss, double *grad);
/* nrm_i = |a_i|^2, G = A A^T (k x k), returns N = sum nrm_i. */
double rf_l4_gram(const double *A, size_t d, size_t k, double *nrm, double *G);

#endif
