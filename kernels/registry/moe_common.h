/* Helpers shared by the registry entries of the MoE families (moe_moments.c, moe_loss.c,
 * moe_em.c, moe_gating.c, moe_decomp.c): the input generator they have in common, the case
 * parameters they read alike, and the plumbing of an oracle's long double results and of a
 * kernel's refusal.
 *
 * Conventions: like common.h, every generator is a pure function of (seed, stream, position), so
 * a golden case is reproducible from its parameters alone; readers of parameters format a one-line
 * reason into err and return -1 (0 on success), as the descriptor callbacks do.
 */
#ifndef REFAST_REGISTRY_MOE_COMMON_H
#define REFAST_REGISTRY_MOE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "moe_sums.h" /* rf_moe_fill_nan: a kernel that refuses leaves its outputs untouched (bind's
                       * zeros); call() makes them NaN, so that a refusal fails against any finite want */

/* Standard normal `pos` by Box-Muller (cosine branch) from uniform `pos` of stream (seed, stream),
 * mapped to (0, 1], and uniform `pos` of stream (seed, stream + 1). (rf_gen_normal takes both
 * uniforms from one stream: the golden MoE moment and loss cases were drawn with this one.) */
double rf_moe_gauss2(uint64_t seed, uint64_t stream, uint64_t pos);

/* The f64 array `name` if it is 1-d of `rows` values (cols = 0) or rows x cols, else NULL with the
 * reason in err. */
const double *rf_moe_need_f64(const rf_case *c, const char *name, uint64_t rows, uint64_t cols, char *err,
                              size_t errlen);

/* The samples in.x (n x d) and a k x d matrix `rows` (in.A, in.W) of a case, both 2-d f64, with
 * 1 <= d <= dmax and kmin <= k <= kmax; else -1 with the reason in err. */
typedef struct rf_moe_xk {
    size_t n, d, k;
    const double *x, *rows;
} rf_moe_xk;
int rf_moe_need_xk(const rf_case *c, const char *rows, size_t kmin, size_t kmax, size_t dmax, rf_moe_xk *s,
                   char *err, size_t errlen);

/* The non-linearity of parameter g (default linear) as the int the kernels take. */
int rf_moe_g_param(const rf_case *c, int *g, char *err, size_t errlen);
/* Parameter sigma: present, finite and > 0. */
int rf_moe_sigma_param(const rf_case *c, double *sigma, char *err, size_t errlen);

/* Adds the f64 array `name` (ndim <= 2, shape) holding src rounded to double; NULL when
 * rf_case_add fails. */
double *rf_moe_add_ld(rf_case *c, const char *name, unsigned ndim, const uint64_t *shape,
                      const long double *src);

/* An ordinary value for differential fuzzing: two bytes, spread evenly over about [-4, 4]. */
double rf_moe_bytes_value(rf_bytes *b);

#endif
