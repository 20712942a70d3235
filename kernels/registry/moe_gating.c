/* Registry entries of the gating-EM M-step family (refast/moe_gating.h): moe_q_hess_f64 (the
 * Hessian of Q(W'|W_t)) and moe_gating_em_f64 (the first T iterates of gating EM).
 *
 * moe_q_hess_f64 cases: k (2..RF_MOE_EM_MAX_K), d (1..RF_MOE_MAX_D, (k-1) d <= RF_MOE_GATING_MAX_M),
 * n (>= 0), seed, wnorm (||w_j||, default 1). x ~ N(0, I) and the rows of W gaussian directions
 * scaled to wnorm (row k-1 = 0), Box–Muller on rf_gen_uniform (streams 11 and 12). Oracle
 * (oracle/moe_gating.c): want.H (m x m) and scale.H (the derivation in oracle_moe_gating.h).
 * Tolerance: class sum, tau = 8 ceil(log2 terms) + 8 with terms = n k d (like moe_em_grad_f64):
 * every entry sums n terms c_ijl x_is x_it on a tree of depth <= 64 + log2(n/64), and each c carries
 * the logit error (d + 7) u H_i through the softmax (inside S(q)); tau >= 96 covers 64 + 7 + d + 6
 * for d <= 19 at n >= 64, and the large cases have larger n (tau 128..152).
 *
 * moe_gating_em_f64 cases: k, d, n, g, sigma, seed (the model: rf_moe_model_make with unrestricted
 * gating w*_j uniform on the sphere of radius 1, a_j uniform on the sphere, x ~ N(0, I); data =
 * rf_moe_sample samples 0..n-1), w0seed (W0 = the gating rows of the model of seed w0seed, scaled to
 * w0norm, default 1), method (newton | gradient), alpha (gradient step, default 1), R (projection
 * radius, default inf), T (default 20), inner (Newton steps per M-step, default 5). want.W = the
 * iterates W_1 .. W_T (T x k x d), scale.W (T) = S_t of oracle_moe_gating.h (per iterate: the
 * `iterate` class compares every entry of W_t with tau u S_t). tau: default with terms = n k d.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "oracle_moe_gating.h"
#include "refast/moe_em.h"
#include "moe/gating_em.h"
#include "moe/model.h"

static void gen_hess(uint64_t seed, size_t n, size_t d, size_t k, double wnorm, double *x, double *W)
{
    for (size_t e = 0; e < n * d; e++) x[e] = rf_gen_normal(seed, 11, e);
    memset(W, 0, k * d * sizeof *W);
    for (size_t j = 0; j + 1 < k; j++) {
        double s = 0.0;
        for (size_t t = 0; t < d; t++) {
            W[j * d + t] = rf_gen_normal(seed, 12, j * d + t);
            s += W[j * d + t] * W[j * d + t];
        }
        for (size_t t = 0; t < d; t++) W[j * d + t] *= s > 0 ? wnorm / sqrt(s) : 0.0;
    }
}

/* ---- moe_q_hess_f64 ----------------------------------------------------------------------------- */

static int hess_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t k, d, n, seed = 1;
    double wnorm = 1.0;
    if (!rf_need_u64(c, "k", 2, RF_MOE_EM_MAX_K, &k, err, errlen)) return -1;
    if (!rf_need_u64(c, "d", 1, RF_MOE_MAX_D, &d, err, errlen)) return -1;
    if (!rf_need_u64(c, "n", 0, 1u << 20, &n, err, errlen)) return -1;
    if ((k - 1) * d > RF_MOE_GATING_MAX_M)
        return rf_run_error(err, errlen, "(k-1) d is over %d", RF_MOE_GATING_MAX_M);
    rf_param_u64(c->params, "seed", &seed);
    if (rf_param_f64(c->params, "wnorm", &wnorm) && !(wnorm >= 0 && wnorm < 1e3))
        return rf_run_error(err, errlen, "parameter wnorm must be in [0, 1000)");
    double *x = rf_case_add2(c, "in.x", RF_DT_F64, n, d), *W = rf_case_add2(c, "in.W", RF_DT_F64, k, d);
    if ((!x && n) || !W) return rf_run_error(err, errlen, "out of memory");
    gen_hess(seed, (size_t)n, (size_t)d, (size_t)k, wnorm, x, W);
    return 0;
}

typedef struct hess_problem {
    size_t n, d, k;
    const double *x, *W;
} hess_problem;

static int hess_read(const rf_case *c, hess_problem *p, char *err, size_t errlen)
{
    const rf_array *x = rf_case_find(c, "in.x"), *W = rf_case_find(c, "in.W");
    if (!x || !W || x->dtype != RF_DT_F64 || W->dtype != RF_DT_F64 || x->ndim != 2 || W->ndim != 2)
        return rf_run_error(err, errlen, "case needs f64 arrays in.x (n x d) and in.W (k x d)");
    p->n = (size_t)x->shape[0];
    p->d = (size_t)x->shape[1];
    p->k = (size_t)W->shape[0];
    if (W->shape[1] != p->d || p->k < 2 || p->k > RF_MOE_EM_MAX_K || p->d < 1 || p->d > RF_MOE_MAX_D ||
        (p->k - 1) * p->d > RF_MOE_GATING_MAX_M)
        return rf_run_error(err, errlen, "inconsistent shapes: x %zu x %zu, W %zu x %llu", p->n, p->d, p->k,
                            (unsigned long long)W->shape[1]);
    p->x = x->data;
    p->W = W->data;
    return 0;
}

static int hess_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    hess_problem p;
    if (hess_read(c, &p, err, errlen) != 0) return -1;
    const size_t m = (p.k - 1) * p.d;
    double *want = rf_case_add2(c, "want.H", RF_DT_F64, m, m), *scale = rf_case_add2(c, "scale.H", RF_DT_F64, m, m);
    long double *H = malloc(m * m * sizeof *H), *S = malloc(m * m * sizeof *S);
    if (!want || !scale || !H || !S || ora_moe_q_hess(p.x, p.n, p.d, p.k, p.W, H, S) != 0) {
        free(H);
        free(S);
        return rf_run_error(err, errlen, "out of memory");
    }
    for (size_t e = 0; e < m * m; e++) {
        want[e] = (double)H[e];
        scale[e] = (double)S[e];
    }
    free(H);
    free(S);
    rf_case_set_param(c, "terms", "%zu", (p.n ? p.n : 1) * p.k * p.d);
    return 0;
}

static int hess_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    hess_problem p;
    if (hess_read(c, &p, err, errlen) != 0) return -1;
    const size_t m = (p.k - 1) * p.d;
    double *H = rf_case_add2(out, "H", RF_DT_F64, m, m);
    if (!H) return rf_run_error(err, errlen, "out of memory");
    if (((rf_moe_q_hess_f64_fn)im->fn)(p.x, p.n, p.d, p.k, p.W, H) != 0)
        return rf_run_error(err, errlen, "moe_q_hess_f64 refused k=%zu d=%zu (or out of memory)", p.k, p.d);
    return 0;
}

typedef struct hess_bench {
    hess_problem p;
    double *x, *W, *H;
} hess_bench;

static void hess_bench_free(void *state)
{
    hess_bench *b = state;
    if (!b) return;
    rf_free(b->x);
    rf_free(b->W);
    rf_free(b->H);
    free(b);
}

static void *hess_bench_setup(const char *params, rf_work *work)
{
    uint64_t k = 4, d = 32, n = 100000;
    rf_param_u64(params, "k", &k);
    rf_param_u64(params, "d", &d);
    rf_param_u64(params, "n", &n);
    if (k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D || (k - 1) * d > RF_MOE_GATING_MAX_M || n < 1)
        return NULL;
    hess_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    const size_t m = (size_t)((k - 1) * d);
    b->x = rf_alloc(n * d * sizeof(double));
    b->W = rf_alloc(k * d * sizeof(double));
    b->H = rf_alloc(m * m * sizeof(double));
    if (!b->x || !b->W || !b->H) {
        hess_bench_free(b);
        return NULL;
    }
    gen_hess(2026, (size_t)n, (size_t)d, (size_t)k, 1.0, b->x, b->W);
    b->p = (hess_problem){(size_t)n, (size_t)d, (size_t)k, b->x, b->W};
    work->items = (double)n;
    work->item_unit = "samples";
    /* the symmetric work: k(k-1)/2 pairs x d(d+1)/2 multiply-adds, plus the (k-1) d logits */
    work->flops = (double)n * 2.0 * ((double)(k * (k - 1) / 2) * (double)(d * (d + 1) / 2) + (double)((k - 1) * d));
    work->bytes = (double)n * (double)d * sizeof(double);
    return b;
}

static void hess_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    hess_bench *b = state;
    for (uint64_t it = 0; it < iters; it++)
        ((rf_moe_q_hess_f64_fn)im->fn)(b->p.x, b->p.n, b->p.d, b->p.k, b->p.W, b->H);
}

static int hess_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size};
    const size_t k = 2 + rf_bytes_u8(&b) % 5, d = 1 + rf_bytes_u8(&b) % 12;
    const size_t n = (size_t)(rf_bytes_u8(&b) % 200);
    rf_case_set_param(c, "k", "%zu", k);
    rf_case_set_param(c, "d", "%zu", d);
    rf_case_set_param(c, "n", "%zu", n);
    double *x = rf_case_add2(c, "in.x", RF_DT_F64, n, d), *W = rf_case_add2(c, "in.W", RF_DT_F64, k, d);
    if ((!x && n) || !W) return -1;
    /* magnitudes up to 2^6 keep every logit finite (|h| <= 12 * 2^12), specials allowed */
    for (size_t e = 0; e < k * d; e++) W[e] = rf_bytes_f32(&b, 6, 1);
    for (size_t e = 0; e < n * d; e++) x[e] = rf_bytes_f32(&b, 6, 1);
    return 0;
}

/* ---- moe_gating_em_f64 -------------------------------------------------------------------------- */

typedef struct em_problem {
    size_t n, d, k;
    int g;
    double sigma;
    rf_moe_gating_opts o;
    const double *x, *y, *A, *W0;
} em_problem;

static int em_opts(const char *params, rf_moe_gating_opts *o, char *err, size_t errlen)
{
    char method[16] = "newton";
    uint64_t T = 20, inner = 5;
    *o = rf_moe_gating_defaults();
    rf_param_str(params, "method", method, sizeof method);
    if (strcmp(method, "newton") == 0) o->method = RF_MOE_GATING_NEWTON;
    else if (strcmp(method, "gradient") == 0) o->method = RF_MOE_GATING_GRADIENT;
    else return rf_run_error(err, errlen, "unknown method '%s' (newton, gradient)", method);
    rf_param_f64(params, "alpha", &o->alpha);
    rf_param_f64(params, "R", &o->R);
    rf_param_u64(params, "T", &T);
    rf_param_u64(params, "inner", &inner);
    if (!(o->alpha > 0) || !isfinite(o->alpha) || isnan(o->R) || T < 1 || T > 1000 || inner < 1 || inner > 100)
        return rf_run_error(err, errlen, "need alpha > 0, R a number, 1 <= T <= 1000, 1 <= inner <= 100");
    o->T = T;
    o->inner = (unsigned)inner;
    o->inner_tol = 0.0; /* exactly `inner` Newton steps: no data-dependent branch in the iterates */
    o->eps = 0.0;
    return 0;
}

static int em_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t k, d, n, seed = 1, w0seed = 2;
    char gname[32] = "linear";
    double sigma, w0norm = 1.0;
    rf_moe_gating_opts o;
    if (!rf_need_u64(c, "k", 2, RF_MOE_EM_MAX_K, &k, err, errlen)) return -1;
    if (!rf_need_u64(c, "d", 1, RF_MOE_MAX_D, &d, err, errlen)) return -1;
    if (!rf_need_u64(c, "n", 1, 1u << 20, &n, err, errlen)) return -1;
    if (em_opts(c->params, &o, err, errlen) != 0) return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_u64(c->params, "w0seed", &w0seed);
    rf_param_f64(c->params, "w0norm", &w0norm);
    rf_param_str(c->params, "g", gname, sizeof gname);
    rf_moe_spec s = {(unsigned)k, (unsigned)d, RF_MOE_G_LINEAR, 1.0, RF_MOE_X_GAUSS, 0.5, RF_MOE_A_SPHERE,
                     RF_MOE_W_UNRESTRICTED, 1.0, seed};
    if (!rf_moe_g_parse(gname, &s.g)) return rf_run_error(err, errlen, "unknown g '%s'", gname);
    if (!rf_param_f64(c->params, "sigma", &sigma) || !(sigma > 0) || !isfinite(sigma))
        return rf_run_error(err, errlen, "parameter sigma must be a finite number > 0");
    s.sigma = sigma;
    rf_moe_model mdl, m0;
    if (!rf_moe_model_make(&s, &mdl, err, errlen)) return -1;
    s.seed = w0seed;
    s.w_norm = w0norm;
    if (!rf_moe_model_make(&s, &m0, err, errlen)) {
        rf_moe_model_free(&mdl);
        return -1;
    }
    double *x = rf_case_add2(c, "in.x", RF_DT_F64, n, d), *y = rf_case_add1(c, "in.y", RF_DT_F64, n);
    double *A = rf_case_add2(c, "in.A", RF_DT_F64, k, d), *W0 = rf_case_add2(c, "in.W0", RF_DT_F64, k, d);
    int rc = 0;
    if (!x || !y || !A || !W0) rc = rf_run_error(err, errlen, "out of memory");
    else {
        rf_moe_sample(&mdl, 0, (size_t)n, x, y, NULL);
        memcpy(A, mdl.A, k * d * sizeof *A);
        memcpy(W0, m0.W, k * d * sizeof *W0);
    }
    rf_moe_model_free(&mdl);
    rf_moe_model_free(&m0);
    return rc;
}

static int em_read(const rf_case *c, em_problem *p, char *err, size_t errlen)
{
    const rf_array *x = rf_case_find(c, "in.x"), *y = rf_case_find(c, "in.y");
    const rf_array *A = rf_case_find(c, "in.A"), *W = rf_case_find(c, "in.W0");
    if (!x || !y || !A || !W || x->dtype != RF_DT_F64 || y->dtype != RF_DT_F64 || A->dtype != RF_DT_F64 ||
        W->dtype != RF_DT_F64 || x->ndim != 2 || A->ndim != 2 || W->ndim != 2)
        return rf_run_error(err, errlen, "case needs f64 arrays in.x (n x d), in.y, in.A and in.W0 (k x d)");
    p->n = (size_t)x->shape[0];
    p->d = (size_t)x->shape[1];
    p->k = (size_t)A->shape[0];
    if (y->count != p->n || A->shape[1] != p->d || W->shape[0] != p->k || W->shape[1] != p->d || p->k < 2 ||
        p->k > RF_MOE_EM_MAX_K || p->d < 1 || p->d > RF_MOE_MAX_D || (p->k - 1) * p->d > RF_MOE_GATING_MAX_M)
        return rf_run_error(err, errlen, "inconsistent shapes");
    char gname[32] = "linear";
    rf_param_str(c->params, "g", gname, sizeof gname);
    rf_moe_g g;
    if (!rf_moe_g_parse(gname, &g)) return rf_run_error(err, errlen, "unknown g '%s'", gname);
    p->g = (int)g;
    if (!rf_param_f64(c->params, "sigma", &p->sigma) || !(p->sigma > 0))
        return rf_run_error(err, errlen, "case has no valid parameter sigma");
    if (em_opts(c->params, &p->o, err, errlen) != 0) return -1;
    p->x = x->data;
    p->y = y->data;
    p->A = A->data;
    p->W0 = W->data;
    return 0;
}

static int em_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    em_problem p;
    if (em_read(c, &p, err, errlen) != 0) return -1;
    const size_t T = (size_t)p.o.T, kd = p.k * p.d;
    double *want = rf_case_add2(c, "want.W", RF_DT_F64, T, kd), *scale = rf_case_add1(c, "scale.W", RF_DT_F64, T);
    long double *it = malloc(T * kd * sizeof *it), *sc = malloc(T * sizeof *sc);
    int rc = 0;
    if (!want || !scale || !it || !sc) rc = rf_run_error(err, errlen, "out of memory");
    else if (ora_moe_gating_em(p.x, p.y, p.n, p.d, p.k, p.A, p.g, p.sigma, p.W0,
                               p.o.method == RF_MOE_GATING_NEWTON ? 0 : 1, p.o.alpha, p.o.R, p.o.inner, T, it,
                               sc, err, errlen) != 0)
        rc = -1;
    else {
        for (size_t e = 0; e < T * kd; e++) want[e] = (double)it[e];
        for (size_t t = 0; t < T; t++) scale[t] = (double)sc[t];
        rf_case_set_param(c, "terms", "%zu", p.n * p.k * p.d);
    }
    free(it);
    free(sc);
    return rc;
}

static int em_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    em_problem p;
    if (em_read(c, &p, err, errlen) != 0) return -1;
    double *W = rf_case_add2(out, "W", RF_DT_F64, p.o.T, p.k * p.d);
    if (!W) return rf_run_error(err, errlen, "out of memory");
    if (rf_moe_gating_em_iterates(im->provided_by, p.x, p.y, p.n, p.d, p.k, p.A, p.g, p.sigma, p.W0, &p.o, W) != 0)
        return rf_run_error(err, errlen, "moe_gating_em_f64 failed (k=%zu d=%zu)", p.k, p.d);
    return 0;
}

/* One EM iteration (T = 1) on model data (n = 2e4 keeps the scalar row short in CI; the driver at
 * n = 1e6 is measured by `refast moe learn`): E-step plus the M-step (Newton: `inner` steps, each a
 * gradient of Q, a Hessian and a Cholesky solve; gradient: one fused E-step + gradient). */
typedef struct em_bench {
    em_problem p;
    double *x, *y, *A, *W0, *out;
} em_bench;

static void em_bench_free(void *state)
{
    em_bench *b = state;
    if (!b) return;
    rf_free(b->x);
    rf_free(b->y);
    rf_free(b->A);
    rf_free(b->W0);
    rf_free(b->out);
    free(b);
}

static void *em_bench_setup(const char *params, rf_work *work)
{
    uint64_t k = 4, d = 32, n = 100000;
    char err[256];
    rf_param_u64(params, "k", &k);
    rf_param_u64(params, "d", &d);
    rf_param_u64(params, "n", &n);
    rf_moe_gating_opts o;
    if (em_opts(params, &o, err, sizeof err) != 0 || k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D ||
        (k - 1) * d > RF_MOE_GATING_MAX_M || n < 1)
        return NULL;
    o.T = 1;
    rf_moe_spec s = {(unsigned)k, (unsigned)d, RF_MOE_G_TANH, 0.5, RF_MOE_X_GAUSS, 0.5, RF_MOE_A_SPHERE,
                     RF_MOE_W_UNRESTRICTED, 1.0, 2026};
    rf_moe_model mdl, m0;
    if (!rf_moe_model_make(&s, &mdl, err, sizeof err)) return NULL;
    s.seed = 2027;
    if (!rf_moe_model_make(&s, &m0, err, sizeof err)) {
        rf_moe_model_free(&mdl);
        return NULL;
    }
    em_bench *b = calloc(1, sizeof *b);
    if (b) {
        b->x = rf_alloc(n * d * sizeof(double));
        b->y = rf_alloc(n * sizeof(double));
        b->A = rf_alloc(k * d * sizeof(double));
        b->W0 = rf_alloc(k * d * sizeof(double));
        b->out = rf_alloc(k * d * sizeof(double));
    }
    if (!b || !b->x || !b->y || !b->A || !b->W0 || !b->out) {
        em_bench_free(b);
        rf_moe_model_free(&mdl);
        rf_moe_model_free(&m0);
        return NULL;
    }
    rf_moe_sample(&mdl, 0, (size_t)n, b->x, b->y, NULL);
    memcpy(b->A, mdl.A, k * d * sizeof(double));
    memcpy(b->W0, m0.W, k * d * sizeof(double));
    rf_moe_model_free(&mdl);
    rf_moe_model_free(&m0);
    b->p = (em_problem){(size_t)n, (size_t)d, (size_t)k, RF_MOE_G_TANH, 0.5, o, b->x, b->y, b->A, b->W0};
    work->items = (double)n;
    work->item_unit = "samples";
    work->flops = 0;
    work->bytes = (double)n * (double)(d + 1) * sizeof(double);
    return b;
}

static void em_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    em_bench *b = state;
    const em_problem *p = &b->p;
    for (uint64_t it = 0; it < iters; it++)
        rf_moe_gating_em_iterates(im->provided_by, p->x, p->y, p->n, p->d, p->k, p->A, p->g, p->sigma, p->W0, &p->o, b->out);
}

/* ---- descriptors -------------------------------------------------------------------------------- */

static const rf_case_spec hess_cases[] = {
    {"k2_d1_n70", "k=2 d=1 n=70 seed=301"},
    {"k3_d7_n129", "k=3 d=7 n=129 seed=302"},
    {"k4_d10_n300", "k=4 d=10 n=300 seed=303"},
    {"k5_d13_n120_w3", "k=5 d=13 n=120 wnorm=3 seed=304"},
    {"k2_d32_n100", "k=2 d=32 n=100 seed=305"},
    {NULL, NULL},
};

/* k in {2, 3, 4} x d in {10, 32}, Newton (5 inner steps), 20 iterates; two gradient-EM cases, one
 * with the projection active. n = 800 / 600 (d = 10) and 520 (d = 32) keep the family under 1 MB. */
static const rf_case_spec em_cases[] = {
    {"newton_k2_d10", "k=2 d=10 n=800 g=linear sigma=0.1 seed=401 w0seed=501"},
    {"newton_k3_d10", "k=3 d=10 n=800 g=relu sigma=0.5 seed=402 w0seed=502"},
    {"newton_k4_d10", "k=4 d=10 n=800 g=tanh sigma=0.5 seed=403 w0seed=503"},
    {"newton_k2_d32", "k=2 d=32 n=520 g=sigmoid sigma=0.1 seed=404 w0seed=504"},
    {"newton_k3_d32", "k=3 d=32 n=520 g=leaky_relu sigma=0.5 seed=405 w0seed=505"},
    {"newton_k4_d32", "k=4 d=32 n=520 g=linear sigma=0.5 seed=406 w0seed=506"},
    {"gradient_k3_d10", "k=3 d=10 n=600 g=linear sigma=0.5 method=gradient alpha=2 seed=407 w0seed=507"},
    {"gradient_k2_d10_R", "k=2 d=10 n=600 g=linear sigma=0.1 method=gradient alpha=4 R=0.7 seed=408 w0seed=508"},
    {NULL, NULL},
};

static const char *const hess_sizes[] = {"k=4 d=32 n=100000", NULL};
static const char *const em_sizes[] = {"k=4 d=32 n=20000 method=newton inner=5",
                                       "k=4 d=32 n=20000 method=gradient", NULL};

static const rf_kernel hess_kernel = {
    .name = "moe_q_hess_f64",
    .family = "moe_gating",
    .summary = "gating-EM Newton M-step: Hessian of Q(W'|W_t), -sum (diag q - q q^T) (x) x x^T",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_q_hess_f64),
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = hess_cases,
    .make_inputs = hess_make_inputs,
    .oracle = hess_oracle,
    .run = hess_run,
    .bench_sizes = hess_sizes,
    .bench_setup = hess_bench_setup,
    .bench_run = hess_bench_run,
    .bench_free = hess_bench_free,
    .fuzz_inputs = hess_fuzz,
};

static const rf_kernel em_kernel = {
    .name = "moe_gating_em_f64",
    .family = "moe_gating",
    .summary = "gating EM (Algorithm 2): first T iterates, Newton or gradient M-step",
    .work_dtype = RF_DT_F64,
    .id = RF_ALGORITHM,
    .algorithm_levels = true,
    .tol = {RF_TOL_ITERATE, 0, 0},
    .cases = em_cases,
    .make_inputs = em_make_inputs,
    .oracle = em_oracle,
    .run = em_run,
    .bench_sizes = em_sizes,
    .bench_setup = em_bench_setup,
    .bench_run = em_bench_run,
    .bench_free = em_bench_free,
};

const rf_kernel *const rf_family_moe_gating[] = {&hess_kernel, &em_kernel, NULL};
