/* Registry entries of the pMoE family (SPEC §5.3 "pMoE", refast/pmoe.h): every kernel of
 * RF_KERNELS_PMOE, in float and double, judged against the long double oracle (oracle/oracle_pmoe.h).
 *
 * Case parameters (shared by every kernel; each kernel takes the arrays it needs):
 *   B (samples, 1..4096), n (patches, 1..256), d (values per patch, 1..4096), k (experts, 1..64),
 *   h (neurons per expert, 1..64), l (selected patches, 1..n), seed;
 *   tie = row | col (top-l tie rule), grid (grid_w, dividing n; default 4 when 4 divides n, else n);
 *   gate = one | softmax | wrn; scale = code (1/n, default) | paper (1/l);
 *   cnn = 1: the CNN baseline (k = 1, l = n, no selection, G = 1: idx and G are NULL);
 *   input = pixels (default: half the values 0, the rest i/255, as the MNIST composites) | normal |
 *   ints (small integers: many exact ties in g); blank = P (a patch is all zero with probability P),
 *   dup = P (a patch copies an earlier one of its sample: exact ties);
 *   wscale (std of expert and routing weights, default 0.1), gscale (routing weights, default
 *   wscale), a = normal (default) | pm1 (the separate model's +1 / -1 output weights), lr (sgd,
 *   default 0.2), zero_neuron = 1 (neuron 0 of every expert is all zero: z = 0, relu'(0) = 0).
 *   source = <folder> of ../shared/pmoe-reference: the authors' cases, whose want.* are THEIR numbers
 *   (inputs, provenance and the derived bound: kernels/registry/pmoe_authors.c; tables:
 *   pmoe_authors_cases.h). Everything below is about the oracle cases.
 * The inputs of every kernel are the chain the training step computes, each stage by the oracle on
 * the previous stage's values rounded to the working dtype (the values a kernel sees in training):
 * x, routers w, g = route, idx = top-l of that g, G = gate, z c f = expert forward, dldf =
 * logistic, dG = expert backward, dg = gate backward. Labels in.y are u8 0 / 1 (the kernels' int8 y:
 * 1 is +1, 0 is -1).
 *
 * Tolerance (SPEC §3 `sum`, |got - want| <= tau u S with S the oracle's sum of |terms|): tau per
 * output is the derived bound of refast/pmoe.h for the case's shape, written by the oracle as the
 * case parameter tau.<output> (the rf_pmoe_tau_* functions): a sequential sum of m terms errs by at
 * most gamma_m S = (m + O(m^2 u)) u S, and each rounding after it (a product, the scale, exp within
 * 1 ulp, the subtraction of the max) adds 1 u S; blocked and lane-parallel sums of the same terms
 * have a smaller worst case, so one tau holds at every level. Per kernel:
 *   route g: tau = d + 2;  topl margin: one subtraction, tau = 1 (S = |v_l| + |v_l+1|);
 *   gate G: tau = (l or n) + 6 (softmax, exp within 1 ulp), exact for G = 1;
 *   expert z: d + 2; expert c, f: d + h + k l + 6;  logistic loss_per, dldf: 8; loss: B + 9;
 *   expert_bwd dW: B l + 5, dG: 3;  gate_bwd dg: 2 (l or n) + l + 14;  route_bwd dw: B n + 2;
 *   router_loss f, loss_per: n + d + 3, loss: n + d + B + 4, dw: n + B + 2;  sgd w: 2.
 * Underflow (gate_bwd): a probability e^{g_i - m} / sum below the normal range errs by up to
 * eta = the dtype's smallest subnormal in absolute terms (exp within 1 ulp there, the division by
 * sum >= 1 adds half an ulp), and dg_i = P_i (dG_i - mu) multiplies that by up to
 * |dG_i| + sum_t |dG_t| (mu's own underflow errors add eta sum_t |dG_t|): with huge expert weights
 * (|dG| ~ 1e28) and routing values 700 apart, that absolute error is far above tau u S. So dg's
 * bound is tau u S + A_i with A_i = 4 eta (|dG_i| [i in J] + sum_t |dG_t|) (3 derived, rounded up
 * for the subnormal products), written into scale.dg as A_i / (tau u).
 * Underflow (expert_bwd dG): q_b = dldf_b scale can be subnormal (a saturated sigmoid), and
 * dG = q_b c multiplies its absolute error eta / 2 by |c|: A = eta (|c| + 1) in scale.dG.
 * Underflow (expert_fwd f, expert_bwd dW): a softmax gate G can be subnormal (routing values tens
 * apart); every product with G, q G, (q G) a, (q G a) x, that lands in the subnormal range errs by
 * up to eta / 2 absolutely, which the relative bound does not cover. Per dW element that is at most
 * (eta / 2) sum over its active terms of (|a x| + |x| + 1), and per f at most eta k l (1 + |scale|)
 * / 2; the allowances A use twice that and enter S as A / (tau u), like gate_bwd's.
 * Selections (topl idx) are judged exactly (tol.idx=exact): the top-l of given values has one
 * answer under the tie rule, whatever the level, so no margin is excused there. The margin rule
 * belongs to the chained selection (top-l of a g the kernel computed, whose rounding may flip a
 * true near-tie): tests/test_pmoe_oracle.c allows a flip only where the oracle's flip measure is
 * <= tau_route u, and lib/pmoe/ reports the smallest margin of every run.
 * Measured (refast verify, tests/test_pmoe_oracle.c): ratios err / (u S) below 2 for every output.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "oracle_pmoe.h"
#include "pmoe_authors.h" /* enum pm_kind; the authors' cases (source=...) */
#include "refast/pmoe.h"


#define PM_MAX_B 4096
#define PM_MAX_N 256
#define PM_MAX_D 4096
#define PM_MAX_K 64
#define PM_MAX_H 64

/* The shape and options of a case (its parameters). */
typedef struct pm_shape {
    size_t B, n, d, k, h, l, grid_w;
    int tie, gate, cnn, paper_scale;
    double lr;
} pm_shape;

static int pm_keyword(const rf_case *c, const char *key, const char *const *names, int dflt, int *out, char *err,
                      size_t errlen)
{
    const int v = rf_param_keyword(c, key, names, dflt, err, errlen);
    if (v < 0) return -1;
    *out = v;
    return 0;
}

static int pm_read_shape(const rf_case *c, pm_shape *s, char *err, size_t errlen)
{
    static const char *const ties[] = {"row", "col", NULL};
    static const char *const gates[] = {"one", "softmax", "wrn", NULL};
    static const char *const scales[] = {"code", "paper", NULL};
    uint64_t B, n, d, k = 1, h = 1, l = 1, grid = 0, cnn = 0;
    char given[32];
    memset(s, 0, sizeof *s);
    if (!rf_need_u64(c, "B", 1, PM_MAX_B, &B, err, errlen) || !rf_need_u64(c, "n", 1, PM_MAX_N, &n, err, errlen) ||
        !rf_need_u64(c, "d", 1, PM_MAX_D, &d, err, errlen))
        return -1;
    if ((rf_param_str(c->params, "k", given, sizeof given) && !rf_need_u64(c, "k", 1, PM_MAX_K, &k, err, errlen)) ||
        (rf_param_str(c->params, "h", given, sizeof given) && !rf_need_u64(c, "h", 1, PM_MAX_H, &h, err, errlen)) ||
        (rf_param_str(c->params, "l", given, sizeof given) && !rf_need_u64(c, "l", 1, n, &l, err, errlen)) ||
        (rf_param_str(c->params, "cnn", given, sizeof given) && !rf_need_u64(c, "cnn", 0, 1, &cnn, err, errlen)))
        return -1;
    if (pm_keyword(c, "tie", ties, 0, &s->tie, err, errlen) || pm_keyword(c, "gate", gates, 0, &s->gate, err, errlen) ||
        pm_keyword(c, "scale", scales, 0, &s->paper_scale, err, errlen))
        return -1;
    if (rf_param_str(c->params, "grid", given, sizeof given)) {
        if (!rf_need_u64(c, "grid", 1, n, &grid, err, errlen)) return -1;
        if (n % grid) return rf_run_error(err, errlen, "parameter grid=%llu does not divide n=%llu",
                                          (unsigned long long)grid, (unsigned long long)n);
    } else {
        grid = n % 4 == 0 ? 4 : n;
    }
    if (cnn && (k != 1 || l != n || s->gate != RF_PMOE_GATE_ONE))
        return rf_run_error(err, errlen, "cnn=1 needs k=1, l=n and gate=one");
    s->lr = 0.2;
    if (rf_param_f64(c->params, "lr", &s->lr) && !isfinite(s->lr))
        return rf_run_error(err, errlen, "parameter lr must be finite");
    *s = (pm_shape){(size_t)B, (size_t)n, (size_t)d, (size_t)k, (size_t)h, (size_t)l, (size_t)grid,
                    s->tie, s->gate, (int)cnn, s->paper_scale, s->lr};
    return 0;
}

/* The summed set of the gate: l selected values (softmax) or all n (WRN). */
static size_t pm_gate_set(const pm_shape *s)
{
    return s->gate == RF_PMOE_GATE_WRN ? s->n : s->l;
}

static double pm_round(rf_dtype t, double v)
{
    return t == RF_DT_F32 ? (double)(float)v : v;
}

static double pm_scale_value(const pm_shape *s, rf_dtype t)
{
    return pm_round(t, 1.0 / (double)(s->paper_scale ? s->l : s->n));
}

/* ---- the input chain ---------------------------------------------------------------------------- */

/* Every array of a training step, in double, each stage rounded to the working dtype. */
typedef struct pm_chain {
    double *x, *wg, *W, *a, *wr, *g, *G, *z, *cc, *f, *dldf, *dG, *dg, *grad;
    int32_t *idx;
    int8_t *y;
} pm_chain;

static void pm_chain_free(pm_chain *ch)
{
    double *p[] = {ch->x, ch->wg, ch->W, ch->a, ch->wr, ch->g, ch->G, ch->z, ch->cc, ch->f, ch->dldf, ch->dG, ch->dg,
                   ch->grad};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) free(p[i]);
    free(ch->idx);
    free(ch->y);
    memset(ch, 0, sizeof *ch);
}

static void pm_round_all(rf_dtype t, double *v, size_t count)
{
    for (size_t i = 0; i < count; i++) v[i] = pm_round(t, v[i]);
}

static void pm_from_ld(rf_dtype t, const long double *src, double *dst, size_t count)
{
    for (size_t i = 0; i < count; i++) dst[i] = pm_round(t, (double)src[i]);
}

/* A patch value of the chosen input kind (position pos of stream 1). */
static double pm_pixel(int kind, uint64_t seed, uint64_t pos)
{
    if (kind == 1) return rf_gen_normal(seed, 1, pos);
    if (kind == 2) return (double)((int)(rf_gen_word(seed, 1, pos) % 5) - 1); /* -1..3 */
    const uint32_t w = rf_gen_word(seed, 1, pos);
    return (w & 1) ? 0.0 : (double)(1 + (w >> 1) % 255) / 255.0;
}

static int pm_make_chain(const rf_case *c, const pm_shape *s, rf_dtype t, pm_chain *ch, char *err, size_t errlen)
{
    static const char *const inputs[] = {"pixels", "normal", "ints", NULL};
    static const char *const outw[] = {"normal", "pm1", NULL};
    int input, apm1;
    uint64_t seed = 1, zero_neuron = 0;
    double blank = 0, dup = 0, wscale = 0.1, gscale;
    if (pm_keyword(c, "input", inputs, 0, &input, err, errlen) || pm_keyword(c, "a", outw, 0, &apm1, err, errlen))
        return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_u64(c->params, "zero_neuron", &zero_neuron);
    rf_param_f64(c->params, "blank", &blank);
    rf_param_f64(c->params, "dup", &dup);
    rf_param_f64(c->params, "wscale", &wscale);
    gscale = wscale;
    rf_param_f64(c->params, "gscale", &gscale);
    if (!(blank >= 0 && blank <= 1 && dup >= 0 && dup <= 1 && wscale >= 0 && isfinite(wscale) && gscale >= 0 &&
          isfinite(gscale)))
        return rf_run_error(err, errlen, "need blank, dup in [0, 1] and finite wscale, gscale >= 0");
    const size_t B = s->B, n = s->n, d = s->d, k = s->k, h = s->h, l = s->l, rows = B * k;
    memset(ch, 0, sizeof *ch);
    ch->x = malloc(B * n * d * sizeof(double));
    ch->wg = malloc(k * d * sizeof(double));
    ch->W = malloc(k * h * d * sizeof(double));
    ch->a = malloc(k * h * sizeof(double));
    ch->wr = malloc(2 * d * sizeof(double));
    ch->g = malloc(rows * n * sizeof(double));
    ch->G = malloc(rows * l * sizeof(double));
    ch->z = malloc(rows * l * h * sizeof(double));
    ch->cc = malloc(rows * l * sizeof(double));
    ch->f = malloc(B * sizeof(double));
    ch->dldf = malloc(B * sizeof(double));
    ch->dG = malloc(rows * l * sizeof(double));
    ch->dg = malloc(rows * n * sizeof(double));
    ch->grad = malloc(k * h * d * sizeof(double));
    ch->idx = malloc(rows * l * sizeof(int32_t));
    ch->y = malloc(B);
    const size_t nld = rows * n > rows * l * h ? rows * n : rows * l * h;
    const size_t nl2 = nld > k * h * d ? nld : k * h * d;
    long double *v = malloc(nl2 * sizeof *v), *sc = malloc(nl2 * sizeof *sc);
    long double *v2 = malloc(rows * l * sizeof *v2), *v3 = malloc(B * sizeof *v3), *v4 = malloc(B * sizeof *v4);
    if (!ch->x || !ch->wg || !ch->W || !ch->a || !ch->wr || !ch->g || !ch->G || !ch->z || !ch->cc || !ch->f ||
        !ch->dldf || !ch->dG || !ch->dg || !ch->grad || !ch->idx || !ch->y || !v || !sc || !v2 || !v3 || !v4) {
        free(v), free(sc), free(v2), free(v3), free(v4);
        pm_chain_free(ch);
        return rf_run_error(err, errlen, "out of memory");
    }
    /* patches: blank, a copy of an earlier patch of the sample, or fresh values */
    for (size_t b = 0; b < B; b++)
        for (size_t j = 0; j < n; j++) {
            double *xj = ch->x + (b * n + j) * d;
            const double u = rf_gen_uniform(seed, 2, b * n + j, 0, 1);
            if (u < blank) {
                memset(xj, 0, d * sizeof *xj);
            } else if (j > 0 && u < blank + dup) {
                const size_t from = rf_gen_word(seed, 3, b * n + j) % j;
                memcpy(xj, ch->x + (b * n + from) * d, d * sizeof *xj);
            } else {
                for (size_t p = 0; p < d; p++) xj[p] = pm_pixel(input, seed, (b * n + j) * d + p);
            }
        }
    for (size_t i = 0; i < k * d; i++) ch->wg[i] = gscale * rf_gen_normal(seed, 4, i);
    for (size_t i = 0; i < k * h * d; i++) ch->W[i] = wscale * rf_gen_normal(seed, 5, i);
    if (zero_neuron)
        for (size_t e = 0; e < k; e++) memset(ch->W + e * h * d, 0, d * sizeof(double));
    for (size_t i = 0; i < k * h; i++) ch->a[i] = apm1 ? (i / h == 0 ? 1.0 : -1.0) : rf_gen_normal(seed, 6, i);
    for (size_t i = 0; i < 2 * d; i++) ch->wr[i] = wscale * rf_gen_normal(seed, 7, i);
    for (size_t b = 0; b < B; b++) ch->y[b] = (int8_t)(rf_gen_word(seed, 8, b) & 1 ? 1 : -1);
    for (size_t i = 0; i < k * h * d; i++) ch->grad[i] = rf_gen_normal(seed, 9, i);
    pm_round_all(t, ch->x, B * n * d);
    pm_round_all(t, ch->wg, k * d);
    pm_round_all(t, ch->W, k * h * d);
    pm_round_all(t, ch->a, k * h);
    pm_round_all(t, ch->wr, 2 * d);
    pm_round_all(t, ch->grad, k * h * d);

    /* the chain: each stage on the rounded values of the stage before */
    ora_pmoe_route(ch->x, B, n, d, ch->wg, k, v, sc);
    pm_from_ld(t, v, ch->g, rows * n);
    for (size_t i = 0; i < rows * n; i++) v[i] = ch->g[i];
    int rc = ora_pmoe_topl(v, NULL, rows, n, l, s->tie, s->grid_w, ch->idx, NULL, NULL, NULL);
    if (rc == 0) {
        const int32_t *idx = s->cnn ? NULL : ch->idx;
        ora_pmoe_gate(ch->g, ch->idx, rows, n, l, s->gate, v2, sc);
        pm_from_ld(t, v2, ch->G, rows * l);
        const double *G = s->gate == RF_PMOE_GATE_ONE ? NULL : ch->G;
        const double scale = pm_scale_value(s, t);
        ora_pmoe_expert_fwd(ch->x, B, n, d, idx, G, k, l, ch->W, ch->a, h, scale, v, NULL, v2, NULL, v3, sc);
        pm_from_ld(t, v, ch->z, rows * l * h);
        pm_from_ld(t, v2, ch->cc, rows * l);
        pm_from_ld(t, v3, ch->f, B);
        ora_pmoe_logistic(ch->f, ch->y, B, v3, v4, v2, sc, v, sc);
        pm_from_ld(t, v, ch->dldf, B);
        long double *dWs = malloc(k * h * d * sizeof *dWs), *dW = malloc(k * h * d * sizeof *dW);
        if (!dWs || !dW) rc = -1;
        else {
            ora_pmoe_expert_bwd(ch->x, B, n, d, idx, G, k, l, ch->a, h, scale, ch->z, ch->cc, ch->dldf, dW, dWs,
                                v2, sc);
            pm_from_ld(t, v2, ch->dG, rows * l);
            ora_pmoe_gate_bwd(ch->g, ch->idx, ch->dG, rows, n, l, s->gate, v, sc);
            pm_from_ld(t, v, ch->dg, rows * n);
        }
        free(dW);
        free(dWs);
    }
    free(v), free(sc), free(v2), free(v3), free(v4);
    if (rc != 0) {
        pm_chain_free(ch);
        return rf_run_error(err, errlen, "the oracle refused the shape (l, grid) or ran out of memory");
    }
    return 0;
}

/* ---- arrays of a case ---------------------------------------------------------------------------- */

static int pm_put(rf_case *c, const char *name, rf_dtype t, const double *src, size_t count)
{
    void *dst = rf_case_add1(c, name, t, count);
    if (!dst) return -1;
    for (size_t i = 0; i < count; i++) {
        if (t == RF_DT_F32) ((float *)dst)[i] = (float)src[i];
        else ((double *)dst)[i] = src[i];
    }
    return 0;
}

static int pm_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    if (rf_pmoe_is_authors(c)) return rf_pmoe_authors_inputs(desc, c, err, errlen);
    const rf_dtype t = desc->work_dtype;
    pm_shape s;
    pm_chain ch;
    if (pm_read_shape(c, &s, err, errlen) != 0 || pm_make_chain(c, &s, t, &ch, err, errlen) != 0) return -1;
    const size_t B = s.B, n = s.n, d = s.d, k = s.k, h = s.h, l = s.l, rows = B * k;
    const bool sel = !s.cnn, gated = s.gate != RF_PMOE_GATE_ONE;
    int rc = 0;
    uint8_t *y = NULL;
    int32_t *idx = NULL;
    switch ((enum pm_kind)desc->variant) {
    case PM_ROUTE: rc = pm_put(c, "in.x", t, ch.x, B * n * d) || pm_put(c, "in.w", t, ch.wg, k * d); break;
    case PM_TOPL: rc = pm_put(c, "in.g", t, ch.g, rows * n); break;
    case PM_GATE: rc = pm_put(c, "in.g", t, ch.g, rows * n); idx = (int32_t *)1; break;
    case PM_EXPERT_FWD:
        rc = pm_put(c, "in.x", t, ch.x, B * n * d) || (gated && pm_put(c, "in.G", t, ch.G, rows * l)) ||
             pm_put(c, "in.W", t, ch.W, k * h * d) || pm_put(c, "in.a", t, ch.a, k * h);
        idx = sel ? (int32_t *)1 : NULL;
        break;
    case PM_LOGISTIC: rc = pm_put(c, "in.f", t, ch.f, B); y = (uint8_t *)1; break;
    case PM_EXPERT_BWD:
        rc = pm_put(c, "in.x", t, ch.x, B * n * d) || (gated && pm_put(c, "in.G", t, ch.G, rows * l)) ||
             pm_put(c, "in.a", t, ch.a, k * h) || pm_put(c, "in.z", t, ch.z, rows * l * h) ||
             pm_put(c, "in.c", t, ch.cc, rows * l) || pm_put(c, "in.dldf", t, ch.dldf, B);
        idx = sel ? (int32_t *)1 : NULL;
        break;
    case PM_GATE_BWD:
        rc = pm_put(c, "in.g", t, ch.g, rows * n) || pm_put(c, "in.dG", t, ch.dG, rows * l);
        idx = (int32_t *)1;
        break;
    case PM_ROUTE_BWD: rc = pm_put(c, "in.x", t, ch.x, B * n * d) || pm_put(c, "in.dg", t, ch.dg, rows * n); break;
    case PM_ROUTER_LOSS:
        rc = pm_put(c, "in.x", t, ch.x, B * n * d) || pm_put(c, "in.w", t, ch.wr, 2 * d);
        y = (uint8_t *)1;
        break;
    case PM_SGD: rc = pm_put(c, "in.w", t, ch.W, k * h * d) || pm_put(c, "in.grad", t, ch.grad, k * h * d); break;
    }
    if (rc == 0 && idx) {
        idx = rf_case_add1(c, "in.idx", RF_DT_I32, rows * l);
        if (idx) memcpy(idx, ch.idx, rows * l * sizeof *idx);
        else rc = -1;
    }
    if (rc == 0 && y) {
        y = rf_case_add1(c, "in.y", RF_DT_U8, B);
        if (y)
            for (size_t b = 0; b < B; b++) y[b] = ch.y[b] > 0;
        else rc = -1;
    }
    pm_chain_free(&ch);
    return rc == 0 ? 0 : rf_run_error(err, errlen, "out of memory");
}

/* ---- reading a case ------------------------------------------------------------------------------ */

/* Everything one call takes: the shape, views of the case's in.* arrays (NULL where the kernel
 * takes NULL: idx for the CNN, G for G = 1), and the outputs. */
typedef struct pm_args {
    pm_shape s;
    rf_dtype t;
    double scale; /* the expert sum's scale, exactly representable in t */
    const void *x, *w, *g, *G, *W, *a, *z, *c, *dldf, *dG, *dg, *grad, *f;
    const int32_t *idx;
    const int8_t *y;
    void *o[4];
    int32_t *oidx;
} pm_args;

static const void *pm_need(const rf_case *c, const char *name, rf_dtype t, size_t count, char *err, size_t errlen)
{
    const rf_array *a = rf_case_find(c, name);
    if (!a || a->dtype != t || a->count != count) {
        rf_run_error(err, errlen, "case has no %s array %s of %zu values", rf_dtype_name(t), name, count);
        return NULL;
    }
    return a->data;
}

/* Reads the shape and the input views of the descriptor's kernel. */
static int pm_read(const rf_kernel *desc, const rf_case *c, pm_args *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    const rf_dtype t = desc->work_dtype;
    a->t = t;
    if (pm_read_shape(c, &a->s, err, errlen) != 0) return -1;
    const pm_shape *s = &a->s;
    const size_t B = s->B, n = s->n, d = s->d, k = s->k, h = s->h, l = s->l, rows = B * k;
    const bool sel = !s->cnn, gated = s->gate != RF_PMOE_GATE_ONE;
    a->scale = pm_scale_value(s, t);
#define NEED(field, name, dt, count)                                                                               \
    do {                                                                                                           \
        if (!(a->field = pm_need(c, name, dt, count, err, errlen))) return -1;                                     \
    } while (0)
    switch ((enum pm_kind)desc->variant) {
    case PM_ROUTE: NEED(x, "in.x", t, B * n * d); NEED(w, "in.w", t, k * d); break;
    case PM_TOPL: NEED(g, "in.g", t, rows * n); break;
    case PM_GATE: NEED(g, "in.g", t, rows * n); NEED(idx, "in.idx", RF_DT_I32, rows * l); break;
    case PM_EXPERT_FWD:
    case PM_EXPERT_BWD:
        NEED(x, "in.x", t, B * n * d);
        if (sel) NEED(idx, "in.idx", RF_DT_I32, rows * l);
        if (gated) NEED(G, "in.G", t, rows * l);
        NEED(a, "in.a", t, k * h);
        if (desc->variant == PM_EXPERT_FWD) {
            NEED(W, "in.W", t, k * h * d);
        } else {
            NEED(z, "in.z", t, rows * l * h);
            NEED(c, "in.c", t, rows * l);
            NEED(dldf, "in.dldf", t, B);
        }
        break;
    case PM_LOGISTIC: NEED(f, "in.f", t, B); NEED(y, "in.y", RF_DT_U8, B); break;
    case PM_GATE_BWD:
        NEED(g, "in.g", t, rows * n);
        NEED(idx, "in.idx", RF_DT_I32, rows * l);
        NEED(dG, "in.dG", t, rows * l);
        break;
    case PM_ROUTE_BWD: NEED(x, "in.x", t, B * n * d); NEED(dg, "in.dg", t, rows * n); break;
    case PM_ROUTER_LOSS: NEED(x, "in.x", t, B * n * d); NEED(w, "in.w", t, 2 * d); NEED(y, "in.y", RF_DT_U8, B); break;
    case PM_SGD: NEED(w, "in.w", t, k * h * d); NEED(grad, "in.grad", t, k * h * d); break;
    }
#undef NEED
    /* selections must be valid indices: a kernel given an index outside [0, n) would read out of
     * bounds (the kernels trust lib/pmoe/ for this, as for every shape) */
    if (a->idx)
        for (size_t i = 0; i < rows * l; i++)
            if (a->idx[i] < 0 || (size_t)a->idx[i] >= n) return rf_run_error(err, errlen, "in.idx[%zu] is outside [0, n)", i);
    return 0;
}

static void pm_widen(rf_dtype t, const void *src, double *dst, size_t count)
{
    for (size_t i = 0; i < count; i++) dst[i] = t == RF_DT_F32 ? (double)((const float *)src)[i] : ((const double *)src)[i];
}

/* ---- oracle ------------------------------------------------------------------------------------- */

/* want.X and scale.X from long doubles; tau.X as a case parameter. */
static int pm_want(rf_case *c, const char *x, const long double *w, const long double *s, size_t count, double tau)
{
    char wn[64], sn[64];
    snprintf(wn, sizeof wn, "want.%s", x);
    snprintf(sn, sizeof sn, "scale.%s", x);
    double *wd = rf_case_add1(c, wn, RF_DT_F64, count), *sd = rf_case_add1(c, sn, RF_DT_F64, count);
    if (!wd || !sd) return -1;
    for (size_t i = 0; i < count; i++) {
        wd[i] = (double)w[i];
        sd[i] = (double)s[i];
    }
    char key[64];
    snprintf(key, sizeof key, "tau.%s", x);
    rf_case_set_param(c, key, "%.17g", tau);
    return 0;
}

static int pm_oracle_values(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    pm_args a;
    if (pm_read(desc, c, &a, err, errlen) != 0) return -1;
    const pm_shape *s = &a.s;
    const size_t B = s->B, n = s->n, d = s->d, k = s->k, h = s->h, l = s->l, rows = B * k;
    const rf_dtype t = a.t;
    /* every input widened to double (exact) */
    const size_t nx = B * n * d, nbig = nx + 4 * k * h * d + 4 * rows * n + 4 * rows * l * h + 8 * d + 4 * B + 16;
    double *buf = malloc(nbig * sizeof *buf);
    long double *o = malloc(2 * (nbig) * sizeof *o);
    if (!buf || !o) {
        free(buf), free(o);
        return rf_run_error(err, errlen, "out of memory");
    }
    double *x = buf, *p = buf + nx;
    long double *w1 = o, *s1 = o + nbig / 2, *w2 = o + nbig, *s2 = o + nbig + nbig / 2;
    int rc = 0;
#define WIDEN(var, field, count)                                                                                   \
    double *var = NULL;                                                                                            \
    if (a.field) {                                                                                                 \
        var = p;                                                                                                   \
        pm_widen(t, a.field, var, count);                                                                          \
        p += (count);                                                                                              \
    }
    if (a.x) pm_widen(t, a.x, x, nx);
    switch ((enum pm_kind)desc->variant) {
    case PM_ROUTE: {
        WIDEN(w, w, k * d);
        ora_pmoe_route(x, B, n, d, w, k, w1, s1);
        rc = pm_want(c, "g", w1, s1, rows * n, rf_pmoe_tau_route(d));
        break;
    }
    case PM_TOPL: {
        WIDEN(g, g, rows * n);
        for (size_t i = 0; i < rows * n; i++) w2[i] = g[i];
        int32_t *idx = rf_case_add1(c, "want.idx", RF_DT_I32, rows * l);
        if (!idx || ora_pmoe_topl(w2, NULL, rows, n, l, s->tie, s->grid_w, idx, w1, s1, NULL) != 0) rc = -1;
        else rc = pm_want(c, "margin", w1, s1, rows, 1);
        if (rc == 0) rf_case_set_param(c, "tol.idx", "exact");
        break;
    }
    case PM_GATE: {
        WIDEN(g, g, rows * n);
        ora_pmoe_gate(g, a.idx, rows, n, l, s->gate, w1, s1);
        rc = pm_want(c, "G", w1, s1, rows * l, s->gate == RF_PMOE_GATE_ONE ? 0 : rf_pmoe_tau_gate(pm_gate_set(s)));
        if (rc == 0 && s->gate == RF_PMOE_GATE_ONE) rf_case_set_param(c, "tol.G", "exact");
        break;
    }
    case PM_EXPERT_FWD: {
        WIDEN(G, G, rows * l);
        WIDEN(W, W, k * h * d);
        WIDEN(av, a, k * h);
        long double *cw = w2, *cs = s2, *fw = w2 + rows * l, *fs = s2 + rows * l;
        ora_pmoe_expert_fwd(x, B, n, d, a.idx, G, k, l, W, av, h, a.scale, w1, s1, cw, cs, fw, fs);
        const double tf = rf_pmoe_tau_expert_f(d, h, k, l), u = rf_unit_roundoff(t);
        const double eta = t == RF_DT_F32 ? (double)FLT_TRUE_MIN : DBL_TRUE_MIN;
        /* underflow allowance of f (top of this file): A = eta k l (1 + |scale|) */
        if (G)
            for (size_t b = 0; b < B; b++) fs[b] += eta * (double)(k * l) * (1 + fabs(a.scale)) / (tf * u);
        rc = pm_want(c, "z", w1, s1, rows * l * h, rf_pmoe_tau_expert_z(d)) || pm_want(c, "c", cw, cs, rows * l, tf) ||
             pm_want(c, "f", fw, fs, B, tf);
        break;
    }
    case PM_LOGISTIC: {
        WIDEN(f, f, B);
        long double lw, ls;
        ora_pmoe_logistic(f, a.y, B, w1, s1, &lw, &ls, w2, s2);
        rc = pm_want(c, "loss_per", w1, s1, B, 8) || pm_want(c, "loss", &lw, &ls, 1, rf_pmoe_tau_logistic(B)) ||
             pm_want(c, "dldf", w2, s2, B, 8);
        break;
    }
    case PM_EXPERT_BWD: {
        WIDEN(G, G, rows * l);
        WIDEN(av, a, k * h);
        WIDEN(z, z, rows * l * h);
        WIDEN(cc, c, rows * l);
        WIDEN(dldf, dldf, B);
        ora_pmoe_expert_bwd(x, B, n, d, a.idx, G, k, l, av, h, a.scale, z, cc, dldf, w1, s1, w2, s2);
        /* underflow allowance (top of this file): A_p = eta sum over the active terms of
         * (|a_rs x_p| + |x_p| + 1), entered into S as A_p / (tau u) */
        const double tau = rf_pmoe_tau_expert_bwd(B, l), u = rf_unit_roundoff(t);
        const double eta = t == RF_DT_F32 ? (double)FLT_TRUE_MIN : DBL_TRUE_MIN;
        for (size_t b = 0; b < B; b++)
            for (size_t e = 0; e < k; e++)
                for (size_t q = 0; q < l; q++) {
                    const size_t slot = (b * k + e) * l + q, j = a.idx ? (size_t)a.idx[slot] : q;
                    const double *xj = x + (b * n + j) * d;
                    for (size_t r = 0; r < h; r++) {
                        if (!(z[slot * h + r] > 0)) continue;
                        for (size_t q2 = 0; q2 < d; q2++)
                            s1[(e * h + r) * d + q2] +=
                                eta * (fabs(av[e * h + r] * xj[q2]) + fabs(xj[q2]) + 1) / (tau * u);
                    }
                }
        /* dG = q_b c with q_b = dldf_b scale: a q_b in the subnormal range errs by eta / 2, which
         * the product multiplies by |c|, and the product's own rounding adds eta / 2: A = eta (|c| + 1)
         * (found by the fuzzer: dldf ~ 1e-41 with wscale=10, dG 498 u S off at every level) */
        for (size_t slot = 0; slot < rows * l; slot++) s2[slot] += eta * ((cc ? fabs(cc[slot]) : 0) + 1) / (3 * u);
        rc = pm_want(c, "dW", w1, s1, k * h * d, tau) || pm_want(c, "dG", w2, s2, rows * l, 3);
        break;
    }
    case PM_GATE_BWD: {
        WIDEN(g, g, rows * n);
        WIDEN(dG, dG, rows * l);
        ora_pmoe_gate_bwd(g, a.idx, dG, rows, n, l, s->gate, w1, s1);
        /* underflow allowance (see the top of this file): A_i = 4 eta (|dG_i| [i in J] + sum_t
         * |dG_t|), entered into S as A_i / (tau u) so that the bound reads tau u S + A_i */
        const double tau = rf_pmoe_tau_gate_bwd(pm_gate_set(s), l), u = rf_unit_roundoff(t);
        const double eta = t == RF_DT_F32 ? (double)FLT_TRUE_MIN : DBL_TRUE_MIN;
        for (size_t r = 0; r < rows && s->gate != RF_PMOE_GATE_ONE; r++) {
            long double up = 0;
            for (size_t q = 0; q < l; q++) up += fabsl((long double)dG[r * l + q]);
            for (size_t i = 0; i < n; i++) s1[r * n + i] += 4 * eta * up / (tau * u);
            for (size_t q = 0; q < l; q++)
                s1[r * n + (size_t)a.idx[r * l + q]] += 4 * eta * fabsl((long double)dG[r * l + q]) / (tau * u);
        }
        rc = pm_want(c, "dg", w1, s1, rows * n, tau);
        break;
    }
    case PM_ROUTE_BWD: {
        WIDEN(dg, dg, rows * n);
        ora_pmoe_route_bwd(x, B, n, d, dg, k, w1, s1);
        rc = pm_want(c, "dw", w1, s1, k * d, rf_pmoe_tau_route_bwd(B, n));
        break;
    }
    case PM_ROUTER_LOSS: {
        WIDEN(w, w, 2 * d);
        long double lw, ls, *lp = w2 + 2 * d, *lps = s2 + 2 * d;
        ora_pmoe_router_loss(x, a.y, B, n, d, w, w1, s1, &lw, &ls, w2, s2);
        /* loss_per = -y f: an exact negation of f, so f's bound */
        for (size_t b = 0; b < B; b++) {
            lp[b] = a.y[b] > 0 ? -w1[b] : w1[b];
            lps[b] = s1[b];
        }
        const double tf = (double)n + (double)d + 3;
        rc = pm_want(c, "f", w1, s1, B, tf) || pm_want(c, "loss_per", lp, lps, B, tf) ||
             pm_want(c, "loss", &lw, &ls, 1, rf_pmoe_tau_router_loss(B, n, d)) ||
             pm_want(c, "dw", w2, s2, 2 * d, (double)n + (double)B + 2);
        break;
    }
    case PM_SGD: {
        WIDEN(w, w, k * h * d);
        WIDEN(gr, grad, k * h * d);
        ora_pmoe_sgd(w, gr, k * h * d, pm_round(t, s->lr), w1, s1);
        rc = pm_want(c, "w", w1, s1, k * h * d, 2);
        break;
    }
    }
#undef WIDEN
    free(buf);
    free(o);
    return rc == 0 ? 0 : rf_run_error(err, errlen, "out of memory");
}

/* The oracle of a case: pm_oracle_values, or for the authors' cases (source=...) their numbers with
 * the bound kernels/registry/pmoe_authors.c derives from pm_oracle_values' own. */
static int pm_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    if (rf_pmoe_is_authors(c)) return rf_pmoe_authors_oracle(desc, c, pm_oracle_values, err, errlen);
    return pm_oracle_values(desc, c, err, errlen);
}

/* ---- bind and call -------------------------------------------------------------------------------- */

static void *pm_out(rf_case *out, const char *name, rf_dtype t, size_t count)
{
    const uint64_t shape = count;
    return rf_case_out(out, name, t, 1, &shape);
}

static int pm_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err, size_t errlen)
{
    pm_args *a = args;
    if (pm_read(desc, c, a, err, errlen) != 0) return -1;
    const pm_shape *s = &a->s;
    const size_t B = s->B, n = s->n, d = s->d, k = s->k, h = s->h, l = s->l, rows = B * k;
    const rf_dtype t = a->t;
    static const char *const names[][4] = {
        [PM_ROUTE] = {"g"},          [PM_TOPL] = {"margin"},          [PM_GATE] = {"G"},
        [PM_EXPERT_FWD] = {"z", "c", "f"}, [PM_LOGISTIC] = {"loss_per", "loss", "dldf"},
        [PM_EXPERT_BWD] = {"dW", "dG"}, [PM_GATE_BWD] = {"dg"},        [PM_ROUTE_BWD] = {"dw"},
        [PM_ROUTER_LOSS] = {"f", "loss_per", "loss", "dw"}, [PM_SGD] = {"w"}};
    size_t counts[4] = {0};
    switch ((enum pm_kind)desc->variant) {
    case PM_ROUTE: counts[0] = rows * n; break;
    case PM_TOPL: counts[0] = rows; break;
    case PM_GATE: counts[0] = rows * l; break;
    case PM_EXPERT_FWD: counts[0] = rows * l * h, counts[1] = rows * l, counts[2] = B; break;
    case PM_LOGISTIC: counts[0] = B, counts[1] = 1, counts[2] = B; break;
    case PM_EXPERT_BWD: counts[0] = k * h * d, counts[1] = rows * l; break;
    case PM_GATE_BWD: counts[0] = rows * n; break;
    case PM_ROUTE_BWD: counts[0] = k * d; break;
    case PM_ROUTER_LOSS: counts[0] = B, counts[1] = B, counts[2] = 1, counts[3] = 2 * d; break;
    case PM_SGD: counts[0] = k * h * d; break;
    }
    for (int i = 0; i < 4 && names[desc->variant][i]; i++)
        if (!(a->o[i] = pm_out(out, names[desc->variant][i], t, counts[i])))
            return rf_run_error(err, errlen, "out of memory");
    if (desc->variant == PM_TOPL && !(a->oidx = pm_out(out, "idx", RF_DT_I32, rows * l)))
        return rf_run_error(err, errlen, "out of memory");
    /* sgd updates in place: its output starts as a copy of in.w (again at every bind) */
    if (desc->variant == PM_SGD) memcpy(a->o[0], a->w, k * h * d * rf_dtype_size(t));
    return 0;
}

#define PM_CALL(sfx, T)                                                                                            \
    static void pm_call_##sfx(const rf_impl *im, const pm_args *a)                                                 \
    {                                                                                                              \
        const pm_shape *s = &a->s;                                                                                 \
        switch ((enum pm_kind)im->kernel->variant) {                                                               \
        case PM_ROUTE:                                                                                             \
            ((rf_pmoe_route_##sfx##_fn)im->fn)(a->x, s->B, s->n, s->d, a->w, s->k, a->o[0]);                      \
            break;                                                                                                 \
        case PM_TOPL:                                                                                              \
            ((rf_pmoe_topl_##sfx##_fn)im->fn)(a->g, s->B * s->k, s->n, s->l, s->tie, s->grid_w, a->oidx, a->o[0]); \
            break;                                                                                                 \
        case PM_GATE:                                                                                              \
            ((rf_pmoe_gate_##sfx##_fn)im->fn)(a->g, a->idx, s->B * s->k, s->n, s->l, s->gate, a->o[0]);           \
            break;                                                                                                 \
        case PM_EXPERT_FWD:                                                                                        \
            ((rf_pmoe_expert_fwd_##sfx##_fn)im->fn)(a->x, s->B, s->n, s->d, a->idx, a->G, s->k, s->l, a->W, a->a, \
                                                    s->h, (T)a->scale, a->o[0], a->o[1], a->o[2]);                \
            break;                                                                                                 \
        case PM_LOGISTIC:                                                                                          \
            ((rf_pmoe_logistic_##sfx##_fn)im->fn)(a->f, a->y, s->B, a->o[0], a->o[1], a->o[2]);                   \
            break;                                                                                                 \
        case PM_EXPERT_BWD:                                                                                        \
            ((rf_pmoe_expert_bwd_##sfx##_fn)im->fn)(a->x, s->B, s->n, s->d, a->idx, a->G, s->k, s->l, a->a, s->h, \
                                                    (T)a->scale, a->z, a->c, a->dldf, a->o[0], a->o[1]);          \
            break;                                                                                                 \
        case PM_GATE_BWD:                                                                                          \
            ((rf_pmoe_gate_bwd_##sfx##_fn)im->fn)(a->g, a->idx, a->dG, s->B * s->k, s->n, s->l, s->gate,          \
                                                  a->o[0]);                                                        \
            break;                                                                                                 \
        case PM_ROUTE_BWD:                                                                                         \
            ((rf_pmoe_route_bwd_##sfx##_fn)im->fn)(a->x, s->B, s->n, s->d, a->dg, s->k, a->o[0]);                 \
            break;                                                                                                 \
        case PM_ROUTER_LOSS:                                                                                       \
            ((rf_pmoe_router_loss_##sfx##_fn)im->fn)(a->x, a->y, s->B, s->n, s->d, a->w, a->o[0], a->o[1],        \
                                                     a->o[2], a->o[3]);                                            \
            break;                                                                                                 \
        case PM_SGD: ((rf_pmoe_sgd_##sfx##_fn)im->fn)(a->o[0], a->grad, s->k * s->h * s->d, (T)s->lr); break;     \
        }                                                                                                          \
    }
PM_CALL(f32, float)
PM_CALL(f64, double)

static void pm_call(const rf_impl *im, void *args)
{
    const pm_args *a = args;
    if (a->t == RF_DT_F32) pm_call_f32(im, a);
    else pm_call_f64(im, a);
}

/* Items: samples (rows for the per-row kernels, weights for sgd); flops: the multiply-adds of the
 * GEMM-shaped kernels, 2 each. */
static void pm_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    const pm_args *a = args;
    const pm_shape *s = &a->s;
    const double B = (double)s->B, n = (double)s->n, d = (double)s->d, k = (double)s->k, h = (double)s->h,
                 l = (double)s->l, es = (double)rf_dtype_size(a->t);
    w->items = B;
    w->item_unit = "samples";
    switch ((enum pm_kind)desc->variant) {
    case PM_ROUTE:
    case PM_ROUTE_BWD:
        w->flops = 2 * B * n * k * d;
        w->bytes = (B * n * d + k * d + B * k * n) * es;
        break;
    case PM_TOPL:
    case PM_GATE:
    case PM_GATE_BWD:
        w->items = B * k;
        w->item_unit = "rows";
        w->bytes = B * k * (n + l) * es;
        break;
    case PM_EXPERT_FWD:
        w->flops = 2 * B * k * l * h * d;
        w->bytes = (B * n * d + k * h * d + B * k * l * (h + 2)) * es;
        break;
    case PM_EXPERT_BWD:
        w->flops = 2 * B * k * l * h * d;
        w->bytes = (B * n * d + k * h * d + B * k * l * (h + 2)) * es;
        break;
    case PM_LOGISTIC: w->bytes = 3 * B * es; break;
    case PM_ROUTER_LOSS:
        w->flops = B * n * d + 2 * B * d;
        w->bytes = (B * n * d + 4 * d) * es;
        break;
    case PM_SGD:
        w->items = k * h * d;
        w->item_unit = "weights";
        w->flops = 2 * k * h * d;
        w->bytes = 3 * k * h * d * es;
        w->rebind_every = 1u << 16; /* in place: fresh weights now and then, so they never drift far */
        break;
    }
}

/* Fuzz: the shape, options and seed from the bytes (B 1..5, n 1..20, d 1..40, k 1..4, h 1..5,
 * l 1..n, both tie rules with a grid dividing n, every gate, the CNN form, blank and duplicated
 * patches, integer inputs with many ties, weight scales 1e-3 .. 10), the values from the seed; for
 * top-l, sometimes NaN, +-inf, +-0 and copies of the previous value among the routing values. */
static int pm_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    rf_bytes b = {data, size, 0};
    static const char *const gates[] = {"one", "softmax", "wrn"};
    static const char *const inputs[] = {"pixels", "normal", "ints"};
    static const double wscales[] = {1e-3, 0.1, 1, 10};
    size_t n = 1 + rf_bytes_u8(&b) % 20, k = 1 + rf_bytes_u8(&b) % 4, l = 1 + rf_bytes_u8(&b) % n;
    size_t grid = 1 + rf_bytes_u8(&b) % n;
    while (n % grid) grid--;
    int gate = rf_bytes_u8(&b) % 3;
    const int cnn = (desc->variant == PM_EXPERT_FWD || desc->variant == PM_EXPERT_BWD) && rf_bytes_u8(&b) % 4 == 0;
    if (cnn) k = 1, l = n, gate = 0;
    rf_case_set_param(c, "B", "%d", 1 + rf_bytes_u8(&b) % 5);
    rf_case_set_param(c, "n", "%zu", n);
    rf_case_set_param(c, "d", "%d", 1 + rf_bytes_u8(&b) % 40);
    rf_case_set_param(c, "k", "%zu", k);
    rf_case_set_param(c, "h", "%d", 1 + rf_bytes_u8(&b) % 5);
    rf_case_set_param(c, "l", "%zu", l);
    rf_case_set_param(c, "tie", "%s", rf_bytes_u8(&b) & 1 ? "col" : "row");
    rf_case_set_param(c, "grid", "%zu", grid);
    rf_case_set_param(c, "gate", "%s", gates[gate]);
    rf_case_set_param(c, "cnn", "%d", cnn);
    rf_case_set_param(c, "scale", "%s", rf_bytes_u8(&b) & 1 ? "paper" : "code");
    rf_case_set_param(c, "input", "%s", inputs[rf_bytes_u8(&b) % 3]);
    rf_case_set_param(c, "blank", "%.3f", (rf_bytes_u8(&b) % 4) * 0.1);
    rf_case_set_param(c, "dup", "%.3f", (rf_bytes_u8(&b) % 4) * 0.1);
    rf_case_set_param(c, "wscale", "%g", wscales[rf_bytes_u8(&b) % 4]);
    rf_case_set_param(c, "zero_neuron", "%d", rf_bytes_u8(&b) % 4 == 0);
    rf_case_set_param(c, "lr", "%g", 0.01 * (1 + rf_bytes_u8(&b) % 50));
    rf_case_set_param(c, "seed", "%u", rf_bytes_u32(&b));
    char err[256];
    if (pm_make_inputs(desc, c, err, sizeof err) != 0) return -1;
    /* top-l: NaN, infinities, signed zeros and exact copies among the routing values */
    if (desc->variant == PM_TOPL && rf_bytes_u8(&b) % 2) {
        const rf_array *g = rf_case_find(c, "in.g");
        static const double specials[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0};
        for (uint64_t i = 0; g && i < g->count; i++) {
            const unsigned sel = rf_bytes_u8(&b);
            if (sel % 4) continue;
            const double v = sel / 4 % 6 < 5 ? specials[sel / 4 % 6] : (i ? (desc->work_dtype == RF_DT_F32
                                                                           ? (double)((float *)g->data)[i - 1]
                                                                           : ((double *)g->data)[i - 1]) : 1.0);
            if (desc->work_dtype == RF_DT_F32) ((float *)g->data)[i] = (float)v;
            else ((double *)g->data)[i] = v;
        }
    }
    return 0;
}

/* ---- cases and sizes ---------------------------------------------------------------------------- */

/* The authors' shapes: batch 20, n 16 patches of d 784; joint k 8 x 5 neurons, l 6, softmax gate;
 * separate k 2 x 20, l 2, G = 1, column-major ties; CNN 4 and 40 neurons. */
#define PM_JOINT "B=20 n=16 d=784 k=8 h=5 l=6 gate=softmax"
#define PM_SEP "B=20 n=16 d=784 k=2 h=20 l=2 gate=one tie=col a=pm1"
#define PM_CNN4 "B=20 n=16 d=784 k=1 h=4 l=16 cnn=1"
#define PM_CNN40 "B=20 n=16 d=784 k=1 h=40 l=16 cnn=1"

static const char *const route_sizes[] = {PM_JOINT, PM_SEP, NULL};
static const char *const sel_sizes[] = {PM_JOINT, PM_SEP, NULL};
static const char *const expert_sizes[] = {PM_JOINT, PM_SEP, PM_CNN4, PM_CNN40, NULL};
static const char *const loss_sizes[] = {"B=20 n=16 d=784", NULL};
static const char *const sgd_sizes[] = {"B=1 n=16 d=784 k=8 h=5", "B=1 n=16 d=784 k=2 h=20", NULL};

/* Small cases (golden/ is size-limited): the authors' grid and models at d 49 (7 x 7 patches), odd shapes, ties (blank and duplicated patches,
 * integer values, all patches blank: every routing value ties), l = n, l = 1, huge and tiny weights, both tie rules,
 * every gate. The authors' cases follow (pmoe_authors_cases.h). */
#define PM_ORACLE_CASES \
    {"joint_d49", "B=1 n=16 d=49 k=8 h=5 l=6 gate=softmax seed=11 wscale=0.05"}, \
    {"sep_d49_col", "B=1 n=16 d=49 k=2 h=20 l=2 gate=one tie=col a=pm1 seed=12 blank=0.2"}, \
    {"cnn4_d49", "B=2 n=16 d=49 k=1 h=4 l=16 cnn=1 seed=13"}, \
    {"wrn_odd", "B=3 n=9 d=37 k=3 h=3 l=4 gate=wrn grid=3 seed=14 wscale=1"}, \
    {"ties_blank_dup", "B=4 n=16 d=20 k=3 h=2 l=5 gate=softmax blank=0.3 dup=0.3 seed=15 wscale=1"}, \
    {"ties_ints_col", "B=3 n=12 d=5 k=2 h=3 l=4 gate=softmax input=ints tie=col grid=4 blank=0.2 dup=0.4 seed=16 wscale=1"}, \
    {"l_eq_n", "B=2 n=7 d=13 k=2 h=3 l=7 gate=softmax seed=17 wscale=1 scale=paper"}, \
    {"l_one", "B=3 n=16 d=11 k=4 h=2 l=1 gate=softmax seed=18 wscale=1"}, \
    {"huge_w", "B=2 n=16 d=30 k=2 h=3 l=3 gate=wrn seed=19 wscale=1e30 gscale=1e3"}, \
    {"tiny_w", "B=2 n=16 d=30 k=2 h=3 l=3 gate=softmax seed=20 wscale=1e-30 zero_neuron=1"}, \
    {"all_blank", "B=2 n=16 d=20 k=3 h=2 l=5 gate=softmax tie=col seed=21 wscale=1 blank=1"},

#include "pmoe_authors_cases.h"

#define PM_DESC(var, nm, kind, dt, kid, summ, sizes, case_table)                                                               \
    static const rf_kernel var = {                                                                                 \
        .name = nm,                                                                                                \
        .family = "pmoe",                                                                                          \
        .summary = summ,                                                                                           \
        .work_dtype = dt,                                                                                          \
        .id = RF_KID(kid),                                                                                         \
        .variant = kind,                                                                                           \
        .tol = {RF_TOL_SUM, 0, 0},                                                                                 \
        .cases = case_table,                                                                                       \
        .free_length = "B",                                                                                        \
        .make_inputs = pm_make_inputs,                                                                             \
        .oracle = pm_oracle,                                                                                       \
        .args_size = sizeof(pm_args),                                                                              \
        .bind = pm_bind,                                                                                           \
        .call = pm_call,                                                                                           \
        .work = pm_work,                                                                                           \
        .bench_sizes = sizes,                                                                                      \
        .fuzz_inputs = pm_fuzz,                                                                                    \
    };

#define PM_PAIR(kind, base, summ, sizes)                                                                          \
    PM_DESC(base##_f32_k, #base "_f32", kind, RF_DT_F32, base##_f32, summ, sizes, base##_f32_cases)                \
    PM_DESC(base##_f64_k, #base "_f64", kind, RF_DT_F64, base##_f64, summ, sizes, base##_f64_cases)

PM_PAIR(PM_ROUTE, pmoe_route, "pMoE routing g = <w_s, x^(j)> (batched small GEMM)", route_sizes)
PM_PAIR(PM_TOPL, pmoe_topl, "pMoE top-l selection per row with tie rule and margin", sel_sizes)
PM_PAIR(PM_GATE, pmoe_gate, "pMoE gating values (1, softmax over l, WRN)", sel_sizes)
PM_PAIR(PM_EXPERT_FWD, pmoe_expert_fwd, "pMoE experts on selected patches and the output f", expert_sizes)
PM_PAIR(PM_LOGISTIC, pmoe_logistic, "pMoE logistic loss and dL/df", loss_sizes)
PM_PAIR(PM_EXPERT_BWD, pmoe_expert_bwd, "pMoE expert backward: dW and dL/dG", expert_sizes)
PM_PAIR(PM_GATE_BWD, pmoe_gate_bwd, "pMoE gate backward: dL/dg from dL/dG", sel_sizes)
PM_PAIR(PM_ROUTE_BWD, pmoe_route_bwd, "pMoE routing backward: dw (transpose GEMM)", route_sizes)
PM_PAIR(PM_ROUTER_LOSS, pmoe_router_loss, "pMoE router pre-training loss (eq. 6) and gradient", loss_sizes)
PM_PAIR(PM_SGD, pmoe_sgd, "pMoE SGD update", sgd_sizes)

const rf_kernel *const rf_family_pmoe[] = {
    &pmoe_route_f32_k,      &pmoe_route_f64_k,      &pmoe_topl_f32_k,         &pmoe_topl_f64_k,
    &pmoe_gate_f32_k,       &pmoe_gate_f64_k,       &pmoe_expert_fwd_f32_k,   &pmoe_expert_fwd_f64_k,
    &pmoe_logistic_f32_k,   &pmoe_logistic_f64_k,   &pmoe_expert_bwd_f32_k,   &pmoe_expert_bwd_f64_k,
    &pmoe_gate_bwd_f32_k,   &pmoe_gate_bwd_f64_k,   &pmoe_route_bwd_f32_k,    &pmoe_route_bwd_f64_k,
    &pmoe_router_loss_f32_k, &pmoe_router_loss_f64_k, &pmoe_sgd_f32_k,         &pmoe_sgd_f64_k,
    NULL,
};
