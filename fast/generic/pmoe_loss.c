/* pmoe_logistic, pmoe_router_loss and pmoe_sgd at a vector level (refast/pmoe.h), mirroring
 * KERNEL(logistic), KERNEL(router_loss) and KERNEL(sgd) of ref/pmoe_expert_tmpl.h, in float and
 * double over the level's simd.h.
 *
 * logistic: the trick is one exponential per sample, shared: with t = -y f and e = e^{-|t|},
 *   softplus(t) = max(t, 0) + log1p(e) and sigmoid(t) = (t >= 0 ? 1 : e) / (1 + e), which are
 *   ref's two branches each (ref computes e twice, in scalar libm calls). The vector core runs in
 *   double for both dtypes (vexp_f64, vlog_f64 of vmath_f64.h), float rounding once at the end.
 *   log1p(e), e in [0, 1]: with v = 1 + e rounded, err = e - (v - 1) is exact (Fast2Sum, 1 >= e), and
 *   log1p(e) = log(v) + err / v to first order (the next term is err^2 / 2 < u^2).
 *   Bound (S = the value, tau 8 of the registry): double softplus errs by at most 2u (exp, 1 ulp,
 *   relative e'/(1 + e) <= 1 of it reaches log1p) + 1.6u (vlog_f64 0.8 ulp, of log v <= log1p(e))
 *   + u (err / v and its addition) + u (the addition of max(t, 0)) = 5.6 u; sigmoid 2u (e) + u
 *   (1 + e) + u (division) + u (/ B) = 5 u; both below tau = 8. In float the double result's
 *   5.6 * 2^-53 relative error plus the final rounding stay under 1.0001 u_float. loss: the
 *   per-sample values summed in ref's order in T, then / B, as ref.
 * router_loss: the trick is that X_b[p] = sum_j x_b^(j)[p] is a sum over patches for a fixed pixel,
 *   so VL pixels are summed at once in ref's j order (the same X as ref, bit for bit), and each X
 *   vector serves f (an FMA into lane partial sums of <w_1 - w_2, X>, then one horizontal sum: a
 *   blocked order, within tau = n + d + 3) and dw (dw[p] += y X, exact order of ref) while in a
 *   register. loss, loss_per and the final dw = -+ dw / B as ref.
 * sgd: w - lr grad VL weights at a time, the product rounded before the subtraction as in ref (no
 *   FMA), so results equal ref's bit for bit.
 */
#include <math.h>
#include <stdint.h>

#include "refast/pmoe.h"
#include "simd.h"
#include "vmath_f64.h"

#define PL_BUF 256 /* samples per pass of the logistic core */

/* log1p(e) for e in [0, 1] (or NaN): log(1 + e) plus the rounding error of 1 + e, see above. */
static vd pl_log1p_unit(vd e)
{
    const vd one = vd_set1(1.0);
    const vd v = vd_add(one, e);
    const vd err = vd_sub(e, vd_sub(v, one));
    return vd_add(vlog_f64(v), vd_div(err, v));
}

/* For t = -y f and ny = -y (cnt <= VD_LANES values): softplus(t) and ny sigmoid(t) / B. */
static void pl_logistic_vec(vd t, vd ny, double B, vd *sp, vd *dl)
{
    const vd zero = vd_zero(), one = vd_set1(1.0);
    const vd e = vexp_f64(vd_sub(zero, vd_abs(t)));
    *sp = vd_add(vd_max(t, zero), pl_log1p_unit(e));
    const vd sig = vd_div(vd_select(vd_ge(t, zero), one, e), vd_add(one, e));
    *dl = vd_div(vd_mul(ny, sig), vd_set1(B));
}

/* The double core on a block: t[i] = -y_i f_i, ny[i] = -y_i; out sp[i], dl[i]. */
static void pl_logistic_block(const double *t, const double *ny, size_t cnt, double B, double *sp, double *dl)
{
    size_t i = 0;
    vd s, q;
    for (; i + VD_LANES <= cnt; i += VD_LANES) {
        pl_logistic_vec(vd_loadu(t + i), vd_loadu(ny + i), B, &s, &q);
        vd_storeu(sp + i, s);
        vd_storeu(dl + i, q);
    }
    if (i < cnt) {
        pl_logistic_vec(vd_loadn(t + i, cnt - i), vd_loadn(ny + i, cnt - i), B, &s, &q);
        vd_storen(sp + i, cnt - i, s);
        vd_storen(dl + i, cnt - i, q);
    }
}

/* The exported logistic, once per element type: blocks of PL_BUF samples through the core. */
#define PL_LOGISTIC(T, SFX)                                                                                  \
    void RF_LEVEL_FN(pmoe_logistic_##SFX)(const T *f, const int8_t *y, size_t B, T *loss_per, T *loss,        \
                                          T *dldf)                                                           \
    {                                                                                                        \
        double t[PL_BUF], ny[PL_BUF], sp[PL_BUF], dl[PL_BUF];                                                \
        T sum = 0;                                                                                           \
        for (size_t b0 = 0; b0 < B; b0 += PL_BUF) {                                                          \
            const size_t cnt = B - b0 < PL_BUF ? B - b0 : PL_BUF;                                            \
            for (size_t i = 0; i < cnt; i++) {                                                               \
                ny[i] = y[b0 + i] > 0 ? -1.0 : 1.0;                                                          \
                t[i] = ny[i] * (double)f[b0 + i];                                                            \
            }                                                                                                \
            pl_logistic_block(t, ny, cnt, (double)B, sp, dl);                                                \
            for (size_t i = 0; i < cnt; i++) {                                                               \
                const T lb = (T)sp[i];                                                                       \
                if (loss_per) loss_per[b0 + i] = lb;                                                         \
                sum += lb;                                                                                   \
                if (dldf) dldf[b0 + i] = (T)dl[i];                                                           \
            }                                                                                                \
        }                                                                                                    \
        if (loss) *loss = B ? sum / (T)B : 0;                                                                \
    }
PL_LOGISTIC(float, f32)
PL_LOGISTIC(double, f64)

/* router_loss and sgd, once per element type and its vector. */
#define PL_LINEAR(T, V, VL, VOP, SFX)                                                                        \
    void RF_LEVEL_FN(pmoe_router_loss_##SFX)(const T *x, const int8_t *y, size_t B, size_t n, size_t d,      \
                                             const T *w, T *f, T *loss_per, T *loss, T *dw)                  \
    {                                                                                                        \
        T sum = 0;                                                                                           \
        if (dw)                                                                                              \
            for (size_t p = 0; p < 2 * d; p++) dw[p] = 0;                                                    \
        for (size_t b = 0; b < B; b++) {                                                                     \
            const T yb = y[b] > 0 ? 1 : -1;                                                                  \
            const V yv = VOP(set1)(yb);                                                                      \
            const T *xb = x + b * n * d;                                                                     \
            V facc = VOP(zero)();                                                                            \
            for (size_t p = 0; p < d; p += VL) {                                                             \
                const size_t w_ = d - p < VL ? d - p : VL; /* lanes of this step */                          \
                V X = VOP(zero)();                                                                           \
                if (w_ == VL) {                                                                              \
                    for (size_t j = 0; j < n; j++) X = VOP(add)(X, VOP(loadu)(xb + j * d + p));              \
                    facc = VOP(fma)(VOP(sub)(VOP(loadu)(w + p), VOP(loadu)(w + d + p)), X, facc);            \
                    if (dw) VOP(storeu)(dw + p, VOP(add)(VOP(loadu)(dw + p), VOP(mul)(yv, X)));              \
                } else {                                                                                     \
                    for (size_t j = 0; j < n; j++) X = VOP(add)(X, VOP(loadn)(xb + j * d + p, w_));          \
                    facc = VOP(fma)(VOP(sub)(VOP(loadn)(w + p, w_), VOP(loadn)(w + d + p, w_)), X, facc);    \
                    if (dw) VOP(storen)(dw + p, w_, VOP(add)(VOP(loadn)(dw + p, w_), VOP(mul)(yv, X)));      \
                }                                                                                            \
            }                                                                                                \
            const T fb = VOP(hsum)(facc);                                                                    \
            if (f) f[b] = fb;                                                                                \
            if (loss_per) loss_per[b] = -yb * fb;                                                            \
            sum += -yb * fb;                                                                                 \
        }                                                                                                    \
        if (loss) *loss = B ? sum / (T)B : 0;                                                                \
        if (dw) {                                                                                            \
            const V inv = VOP(set1)((T)B), zero = VOP(zero)();                                               \
            size_t p = 0; /* loadn/storen take n < VL (simd.h): whole vectors, then the tail */               \
            for (; p + VL <= d; p += VL) {                                                                   \
                const V s = B ? VOP(div)(VOP(loadu)(dw + p), inv) : zero;                                    \
                VOP(storeu)(dw + p, VOP(sub)(zero, s));                                                      \
                VOP(storeu)(dw + d + p, s);                                                                  \
            }                                                                                                \
            if (p < d) {                                                                                     \
                const V s = B ? VOP(div)(VOP(loadn)(dw + p, d - p), inv) : zero;                             \
                VOP(storen)(dw + p, d - p, VOP(sub)(zero, s));                                               \
                VOP(storen)(dw + d + p, d - p, s);                                                           \
            }                                                                                                \
        }                                                                                                    \
    }                                                                                                        \
                                                                                                             \
    void RF_LEVEL_FN(pmoe_sgd_##SFX)(T * w, const T *grad, size_t count, T lr)                               \
    {                                                                                                        \
        const V lv = VOP(set1)(lr);                                                                          \
        size_t i = 0;                                                                                        \
        for (; i + VL <= count; i += VL)                                                                     \
            VOP(storeu)(w + i, VOP(sub)(VOP(loadu)(w + i), VOP(mul)(lv, VOP(loadu)(grad + i))));             \
        if (i < count)                                                                                       \
            VOP(storen)(w + i, count - i, VOP(sub)(VOP(loadn)(w + i, count - i), VOP(mul)(lv, VOP(loadn)(grad + i, count - i)))); \
    }

#define PL_VF(op) vf_##op
#define PL_VD(op) vd_##op
PL_LINEAR(float, vf, VF_LANES, PL_VF, f32)
PL_LINEAR(double, vd, VD_LANES, PL_VD, f64)
