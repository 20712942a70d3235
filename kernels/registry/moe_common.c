#include "moe_common.h"

#include <math.h>

#include "refast/moe.h"

double rf_moe_gauss2(uint64_t seed, uint64_t stream, uint64_t pos)
{
    const double u1 = 1.0 - rf_gen_uniform(seed, stream, pos, 0.0, 1.0); /* (0, 1] */
    const double u2 = rf_gen_uniform(seed, stream + 1, pos, 0.0, 1.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

const double *rf_moe_need_f64(const rf_case *c, const char *name, uint64_t rows, uint64_t cols, char *err,
                              size_t errlen)
{
    const rf_array *a = rf_case_need(c, name, RF_DT_F64, cols ? 2 : 1, err, errlen);
    if (a && (a->shape[0] != rows || (cols && a->shape[1] != cols))) {
        rf_run_error(err, errlen, cols ? "%s is not %llu x %llu" : "%s does not hold %llu values", name,
                     (unsigned long long)rows, (unsigned long long)cols);
        return NULL;
    }
    return a ? a->data : NULL;
}

int rf_moe_need_xk(const rf_case *c, const char *rows, size_t kmin, size_t kmax, size_t dmax, rf_moe_xk *s,
                   char *err, size_t errlen)
{
    const rf_array *x = rf_case_need(c, "in.x", RF_DT_F64, 2, err, errlen);
    const rf_array *r = x ? rf_case_need(c, rows, RF_DT_F64, 2, err, errlen) : NULL;
    if (!r) return -1;
    s->n = (size_t)x->shape[0];
    s->d = (size_t)x->shape[1];
    s->k = (size_t)r->shape[0];
    if (r->shape[1] != s->d || s->d < 1 || s->d > dmax || s->k < kmin || s->k > kmax)
        return rf_run_error(err, errlen, "in.x is %zu x %zu and %s %zu x %llu: need 1 <= d <= %zu, %zu <= k <= %zu",
                            s->n, s->d, rows, s->k, (unsigned long long)r->shape[1], dmax, kmin, kmax);
    s->x = x->data;
    s->rows = r->data;
    return 0;
}

int rf_moe_g_param(const rf_case *c, int *g, char *err, size_t errlen)
{
    char name[32] = "linear";
    rf_moe_g v;
    rf_param_str(c->params, "g", name, sizeof name);
    if (!rf_moe_g_parse(name, &v))
        return rf_run_error(err, errlen, "unknown g '%s' (linear, relu, leaky_relu, sigmoid, tanh)", name);
    *g = (int)v;
    return 0;
}

int rf_moe_sigma_param(const rf_case *c, double *sigma, char *err, size_t errlen)
{
    if (!rf_param_f64(c->params, "sigma", sigma) || !(*sigma > 0) || !isfinite(*sigma))
        return rf_run_error(err, errlen, "parameter sigma must be a finite number > 0");
    return 0;
}

double *rf_moe_add_ld(rf_case *c, const char *name, unsigned ndim, const uint64_t *shape,
                      const long double *src)
{
    double *dst = rf_case_add(c, name, RF_DT_F64, ndim, shape);
    const uint64_t n = ndim == 1 ? shape[0] : shape[0] * shape[1];
    for (uint64_t i = 0; dst && i < n; i++) dst[i] = (double)src[i];
    return dst;
}

double rf_moe_bytes_value(rf_bytes *b)
{
    const unsigned hi = rf_bytes_u8(b), lo = rf_bytes_u8(b); /* in this order */
    return ((double)(hi << 8 | lo) - 32767.5) / 8192.0;
}
