/* Registry entries of the moe_loss family (refast/moe_loss.h):
 *   moe_l4_grad_f64  the L4 loss of seed 003 eq. 6 and its gradient in A (every level, autovec,
 *                    openblas)
 *   moe_llog_f64     L_log of eq. 8 and its gradient in W (ref only: every level falls back)
 *
 * Case parameters: k, d, n (samples), seed, sigma (default 0.05); L4 also mu, lambda, delta
 * (defaults 0.5, 2, 0.01) and A=near|random (default near); L_log g (default linear) and
 * W=near|random. Data follow seed 003 §4: x ~ N(0, I) (Box–Muller on rf_gen_uniform, streams 0/1),
 * a*_i = e_{i mod d}, gating w*_i = e_{k+i} when 2k-1 <= d (else z uniform), z ~ softmax, y =
 * g(<a*_z, x>) + sigma eps (stream 4). L4 gets q4, q2 of the linear-g closed forms
 * (Q4 = y^4 - 6 s y^2 + 3 s^2, Q2 = y^2 - s, s = 1 + sigma^2; c = 24, c' = 2) -- the kernel does not
 * care where they come from. A (and W): the truth plus N(0, 0.3^2) noise (near) or N(0, 1) entries
 * (random), streams 6/7.
 * Oracle: oracle/moe_loss.c (long double, eq. 6 / eq. 8 literally). want.loss/want.grad (L4),
 * want.value/want.grad (L_log), with per-entry scales.
 * Tolerance: `sum`, tau = RF_MOE_L4_TAU (refast/moe_loss.h: blocks, dot products of d <= 64 terms,
 * the per-sample polynomial; L_log: its exponent sums of d terms and a few exp/log ulps).
 * Bench: samples/s of one batch; flops 6 k d per sample (U = X A^T and the two gradient sums).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "oracle_moe_loss.h"
#include "refast/moe_loss.h"

#define LOSS_MAX_N ((uint64_t)1 << 16)

typedef void (*llog_fn)(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                        const double *W, unsigned g, double sigma, double *value, double *grad_W);

static double gauss(uint64_t seed, uint64_t stream, uint64_t pos)
{
    const double u1 = 1.0 - rf_gen_uniform(seed, stream, pos, 0.0, 1.0); /* (0, 1] */
    const double u2 = rf_gen_uniform(seed, stream + 1, pos, 0.0, 1.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

static bool is_l4(const rf_case *c)
{
    return strcmp(c->kernel, "moe_l4_grad_f64") == 0;
}

/* Samples of the seed 003 §4 model: x (n x d), y (n). */
static void model_samples(uint64_t seed, size_t n, size_t d, size_t k, unsigned g, double sigma, double *x,
                          double *y)
{
    const bool gated = 2 * k - 1 <= d && k >= 2;
    for (size_t s = 0; s < n; s++) {
        double *xs = x + s * d;
        for (size_t b = 0; b < d; b++) xs[b] = gauss(seed, 0, s * d + b);
        /* z ~ softmax(x_{k}, ..., x_{2k-2}, 0) by inversion of one uniform. */
        size_t z = 0;
        const double u = rf_gen_uniform(seed, 2, s, 0.0, 1.0);
        if (gated) {
            double p[RF_MOE_L4_MAX_K], m = 0.0, tot = 0.0;
            for (size_t i = 0; i + 1 < k; i++) m = xs[k + i] > m ? xs[k + i] : m;
            for (size_t i = 0; i < k; i++) tot += p[i] = exp((i + 1 < k ? xs[k + i] : 0.0) - m);
            double acc = 0.0;
            for (z = 0; z + 1 < k; z++) {
                acc += p[z] / tot;
                if (u < acc) break;
            }
        } else {
            z = (size_t)(u * (double)k);
            if (z >= k) z = k - 1;
        }
        y[s] = rf_moe_g_eval((rf_moe_g)g, xs[z % d]) + sigma * gauss(seed, 4, s);
    }
}

static void near_truth(uint64_t seed, size_t rows, size_t d, bool random, bool gating, size_t k, double *P)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t b = 0; b < d; b++) {
            const size_t one = gating ? k + i : i; /* w*_i = e_{k+i}, a*_i = e_i */
            const double truth = (!gating || 2 * k - 1 <= d) && b == one % d ? 1.0 : 0.0;
            P[i * d + b] = random ? gauss(seed, 6, i * d + b) : truth + 0.3 * gauss(seed, 6, i * d + b);
        }
}

static int loss_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t k, d, n, seed = 1;
    double sigma = 0.05, mu = 0.5, lambda = 2.0, delta = 0.01;
    char kind[16] = "near", gname[16] = "linear";
    const bool l4 = is_l4(c);
    if (!rf_need_u64(c, "k", l4 ? 1 : 2, RF_MOE_L4_MAX_K, &k, err, errlen)) return -1;
    if (!rf_need_u64(c, "d", 1, 64, &d, err, errlen)) return -1;
    if (!rf_need_u64(c, "n", 0, LOSS_MAX_N, &n, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_f64(c->params, "sigma", &sigma);
    rf_param_f64(c->params, "mu", &mu);
    rf_param_f64(c->params, "lambda", &lambda);
    rf_param_f64(c->params, "delta", &delta);
    rf_param_str(c->params, l4 ? "A" : "W", kind, sizeof kind);
    rf_param_str(c->params, "g", gname, sizeof gname);
    rf_moe_g g;
    if (!rf_moe_g_parse(gname, &g)) return rf_run_error(err, errlen, "unknown g '%s'", gname);
    if (!(sigma > 0.0)) return rf_run_error(err, errlen, "sigma must be > 0");
    if (strcmp(kind, "near") != 0 && strcmp(kind, "random") != 0)
        return rf_run_error(err, errlen, "unknown start '%s' (near, random)", kind);
    const bool random = strcmp(kind, "random") == 0;
    double *x = rf_case_add2(c, "in.x", RF_DT_F64, n, d);
    double *y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y) {
        free(y);
        return rf_run_error(err, errlen, "out of memory");
    }
    model_samples(seed, n, d, k, g, sigma, x, y);
    if (l4) {
        double *q4 = rf_case_add1(c, "in.q4", RF_DT_F64, n), *q2 = rf_case_add1(c, "in.q2", RF_DT_F64, n);
        double *A = rf_case_add2(c, "in.A", RF_DT_F64, k, d), *h = rf_case_add1(c, "in.hyper", RF_DT_F64, RF_L4_NHYPER);
        if (!q4 || !q2 || !A || !h) {
            free(y);
            return rf_run_error(err, errlen, "out of memory");
        }
        const double s = 1.0 + sigma * sigma;
        for (size_t i = 0; i < n; i++) {
            q4[i] = y[i] * y[i] * y[i] * y[i] - 6.0 * s * y[i] * y[i] + 3.0 * s * s;
            q2[i] = y[i] * y[i] - s;
        }
        near_truth(seed, k, d, random, false, k, A);
        h[RF_L4_C] = 24.0;
        h[RF_L4_CP] = 2.0;
        h[RF_L4_MU] = mu;
        h[RF_L4_LAMBDA] = lambda;
        h[RF_L4_DELTA] = delta;
    } else {
        double *yy = rf_case_add1(c, "in.y", RF_DT_F64, n);
        double *A = rf_case_add2(c, "in.A", RF_DT_F64, k, d), *W = rf_case_add2(c, "in.W", RF_DT_F64, k - 1, d);
        if (!yy || !A || !W) {
            free(y);
            return rf_run_error(err, errlen, "out of memory");
        }
        memcpy(yy, y, n * sizeof *y);
        near_truth(seed, k, d, false, false, k, A);
        near_truth(seed + 1, k - 1, d, random, true, k, W);
        rf_case_set_param(c, "gi", "%u", (unsigned)g);
    }
    free(y);
    return 0;
}

/* ---- validated inputs --------------------------------------------------------------------------- */

typedef struct loss_in {
    const double *x, *q4, *q2, *y, *A, *W, *hyper;
    size_t n, d, k;
    unsigned g;
    double sigma;
} loss_in;

static int loss_inputs(const rf_case *c, loss_in *in, char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    const rf_array *ax = rf_case_find(c, "in.x"), *aA = rf_case_find(c, "in.A");
    if (!ax || ax->dtype != RF_DT_F64 || ax->ndim != 2 || ax->shape[1] < 1 || ax->shape[1] > RF_MOE_L4_MAX_D ||
        ax->shape[0] > LOSS_MAX_N)
        return rf_run_error(err, errlen, "case has no 2-d f64 array in.x with 1..256 columns");
    in->n = (size_t)ax->shape[0];
    in->d = (size_t)ax->shape[1];
    if (!aA || aA->dtype != RF_DT_F64 || aA->ndim != 2 || aA->shape[1] != in->d || aA->shape[0] < 1 ||
        aA->shape[0] > RF_MOE_L4_MAX_K)
        return rf_run_error(err, errlen, "case has no f64 array in.A of k x d, 1 <= k <= 16");
    in->k = (size_t)aA->shape[0];
    in->x = ax->data;
    in->A = aA->data;
    uint64_t cnt;
    if (is_l4(c)) {
        in->q4 = rf_case_data(c, "in.q4", RF_DT_F64, &cnt);
        if (!in->q4 || cnt != in->n) return rf_run_error(err, errlen, "in.q4 missing or not one per sample");
        in->q2 = rf_case_data(c, "in.q2", RF_DT_F64, &cnt);
        if (!in->q2 || cnt != in->n) return rf_run_error(err, errlen, "in.q2 missing or not one per sample");
        in->hyper = rf_case_data(c, "in.hyper", RF_DT_F64, &cnt);
        if (!in->hyper || cnt != RF_L4_NHYPER) return rf_run_error(err, errlen, "in.hyper must hold 5 values");
    } else {
        in->y = rf_case_data(c, "in.y", RF_DT_F64, &cnt);
        if (!in->y || cnt != in->n) return rf_run_error(err, errlen, "in.y missing or not one per sample");
        in->W = rf_case_data(c, "in.W", RF_DT_F64, &cnt);
        if (in->k < 2 || !in->W || cnt != (in->k - 1) * in->d)
            return rf_run_error(err, errlen, "in.W must be (k-1) x d with k >= 2");
        uint64_t g = 0;
        rf_param_u64(c->params, "gi", &g);
        if (g >= RF_MOE_G_COUNT) return rf_run_error(err, errlen, "gi=%llu is not a non-linearity", (unsigned long long)g);
        in->g = (unsigned)g;
        in->sigma = 0.05;
        rf_param_f64(c->params, "sigma", &in->sigma);
        if (!(in->sigma > 0.0)) return rf_run_error(err, errlen, "sigma must be > 0");
    }
    return 0;
}

static bool all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return false;
    return true;
}

static int loss_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    loss_in in;
    if (loss_inputs(c, &in, err, errlen) != 0) return -1;
    const bool l4 = is_l4(c);
    const size_t ng = (l4 ? in.k : in.k - 1) * in.d;
    double *wv = rf_case_add1(c, l4 ? "want.loss" : "want.value", RF_DT_F64, 1);
    double *sv = rf_case_add1(c, l4 ? "scale.loss" : "scale.value", RF_DT_F64, 1);
    double *wg = rf_case_add1(c, "want.grad", RF_DT_F64, ng), *sg = rf_case_add1(c, "scale.grad", RF_DT_F64, ng);
    long double *lg = malloc(ng * sizeof *lg), *ls = malloc(ng * sizeof *ls), v, vs;
    int st = wv && sv && wg && sg && lg && ls ? 0 : -1;
    bool finite = all_finite(in.x, in.n * in.d) && all_finite(in.A, in.k * in.d);
    if (l4) finite = finite && all_finite(in.q4, in.n) && all_finite(in.q2, in.n) && all_finite(in.hyper, RF_L4_NHYPER);
    else finite = finite && all_finite(in.y, in.n) && all_finite(in.W, ng);
    if (st == 0 && finite)
        st = l4 ? ora_moe_l4(in.x, in.q4, in.q2, in.n, in.d, in.k, in.A, in.hyper, &v, &vs, lg, ls)
                : ora_moe_llog(in.x, in.y, in.n, in.d, in.k, in.A, in.W, in.g, in.sigma, &v, &vs, lg, ls);
    if (st == 0) {
        /* Non-finite inputs: every output NaN (refast/moe_loss.h), with a NaN scale. */
        *wv = finite ? (double)v : NAN;
        *sv = finite ? (double)vs : NAN;
        for (size_t i = 0; i < ng; i++) {
            wg[i] = finite ? (double)lg[i] : NAN;
            sg[i] = finite ? (double)ls[i] : NAN;
        }
        rf_case_set_param(c, "terms", "%zu", in.n);
    }
    free(lg);
    free(ls);
    return st == 0 ? 0 : rf_run_error(err, errlen, "out of memory");
}

static int loss_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    loss_in in;
    if (loss_inputs(c, &in, err, errlen) != 0) return -1;
    const bool l4 = is_l4(c);
    double *v = rf_case_add1(out, l4 ? "loss" : "value", RF_DT_F64, 1);
    double *g = rf_case_add1(out, "grad", RF_DT_F64, (l4 ? in.k : in.k - 1) * in.d);
    if (!v || !g) return rf_run_error(err, errlen, "out of memory");
    if (l4) ((rf_moe_l4_grad_f64_fn)im->fn)(in.x, in.q4, in.q2, in.n, in.d, in.k, in.A, in.hyper, v, g);
    else ((llog_fn)im->fn)(in.x, in.y, in.n, in.d, in.k, in.A, in.W, in.g, in.sigma, v, g);
    return 0;
}

/* ---- benchmark ---------------------------------------------------------------------------------- */

typedef struct loss_bench {
    size_t n, d, k;
    double *x, *q4, *q2, *y, *A, *W, *out;
    double hyper[RF_L4_NHYPER];
    double sink;
} loss_bench;

static void loss_bench_free(void *state)
{
    loss_bench *b = state;
    if (!b) return;
    free(b->x);
    free(b->q4);
    free(b->q2);
    free(b->y);
    free(b->A);
    free(b->W);
    free(b->out);
    free(b);
}

static void *loss_bench_setup(const char *params, rf_work *work)
{
    uint64_t k = 3, d = 10, n = 1024;
    rf_param_u64(params, "k", &k);
    rf_param_u64(params, "d", &d);
    rf_param_u64(params, "n", &n);
    if (k < 2 || k > RF_MOE_L4_MAX_K || d < 1 || d > RF_MOE_L4_MAX_D || n < 1 || n > ((uint64_t)1 << 22))
        return NULL;
    loss_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->n = n;
    b->d = d;
    b->k = k;
    b->x = malloc(n * d * sizeof(double));
    b->q4 = malloc(n * sizeof(double));
    b->q2 = malloc(n * sizeof(double));
    b->y = malloc(n * sizeof(double));
    b->A = malloc(k * d * sizeof(double));
    b->W = malloc(k * d * sizeof(double));
    b->out = malloc((k * d + 1) * sizeof(double));
    if (!b->x || !b->q4 || !b->q2 || !b->y || !b->A || !b->W || !b->out) {
        loss_bench_free(b);
        return NULL;
    }
    model_samples(7, n, d, k, RF_MOE_G_LINEAR, 0.05, b->x, b->y);
    const double s = 1.0025;
    for (size_t i = 0; i < n; i++) {
        b->q4[i] = b->y[i] * b->y[i] * b->y[i] * b->y[i] - 6.0 * s * b->y[i] * b->y[i] + 3.0 * s * s;
        b->q2[i] = b->y[i] * b->y[i] - s;
    }
    near_truth(7, k, d, false, false, k, b->A);
    near_truth(8, k - 1, d, false, true, k, b->W);
    b->hyper[RF_L4_C] = 24.0;
    b->hyper[RF_L4_CP] = 2.0;
    b->hyper[RF_L4_MU] = 0.5;
    b->hyper[RF_L4_LAMBDA] = 2.0;
    b->hyper[RF_L4_DELTA] = 0.01;
    work->items = (double)n;
    work->item_unit = "samples";
    work->flops = 6.0 * (double)n * (double)k * (double)d;
    work->bytes = (double)n * (double)(d + 2) * sizeof(double);
    return b;
}

static void l4_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    loss_bench *b = state;
    for (uint64_t it = 0; it < iters; it++) {
        ((rf_moe_l4_grad_f64_fn)im->fn)(b->x, b->q4, b->q2, b->n, b->d, b->k, b->A, b->hyper, b->out, b->out + 1);
        b->sink += b->out[0]; /* a result the compiler cannot drop */
    }
}

static void llog_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    loss_bench *b = state;
    for (uint64_t it = 0; it < iters; it++) {
        ((llog_fn)im->fn)(b->x, b->y, b->n, b->d, b->k, b->A, b->W, RF_MOE_G_LINEAR, 0.05, b->out, b->out + 1);
        b->sink += b->out[0];
    }
}

/* ---- fuzz ---------------------------------------------------------------------------------------
 * Byte 0: k in 1..9 (L_log 2..9); byte 1: d in 1..20; bytes 2-3: n in 0..300; then values: kind =
 * byte % 64 gives NaN (63), +inf (62), 0 (61) or an ordinary value (+-4 range) from two more bytes.
 * Hyper (L4): c, c' in [1, 32], mu, lambda, delta in [0, 4]; L_log sigma in [0.05, 2]. */
static double fuzz_value(rf_bytes *b)
{
    const uint8_t kind = rf_bytes_u8(b) % 64;
    if (kind == 63) return NAN;
    if (kind == 62) return INFINITY;
    if (kind == 61) return 0.0;
    const unsigned v = (unsigned)rf_bytes_u8(b) << 8 | rf_bytes_u8(b);
    return ((double)v - 32767.5) / 8192.0;
}

static int loss_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size};
    const bool l4 = is_l4(c);
    const size_t k = (l4 ? 1 : 2) + rf_bytes_u8(&b) % (l4 ? 9u : 8u);
    const size_t d = 1 + rf_bytes_u8(&b) % 20u;
    const size_t n = (((size_t)rf_bytes_u8(&b) << 8) | rf_bytes_u8(&b)) % 301;
    rf_case_set_param(c, "k", "%zu", k);
    rf_case_set_param(c, "d", "%zu", d);
    rf_case_set_param(c, "n", "%zu", n);
    double *x = rf_case_add2(c, "in.x", RF_DT_F64, n, d);
    double *A = rf_case_add2(c, "in.A", RF_DT_F64, k, d);
    if (!x || !A) return -1;
    for (size_t i = 0; i < n * d; i++) x[i] = fuzz_value(&b);
    for (size_t i = 0; i < k * d; i++) A[i] = fuzz_value(&b) / 4.0;
    if (l4) {
        double *q4 = rf_case_add1(c, "in.q4", RF_DT_F64, n), *q2 = rf_case_add1(c, "in.q2", RF_DT_F64, n);
        double *h = rf_case_add1(c, "in.hyper", RF_DT_F64, RF_L4_NHYPER);
        if (!q4 || !q2 || !h) return -1;
        for (size_t i = 0; i < n; i++) {
            q4[i] = fuzz_value(&b) * 4.0;
            q2[i] = fuzz_value(&b);
        }
        h[RF_L4_C] = 1.0 + rf_bytes_u8(&b) / 8.0;
        h[RF_L4_CP] = 1.0 + rf_bytes_u8(&b) / 8.0;
        h[RF_L4_MU] = rf_bytes_u8(&b) / 64.0;
        h[RF_L4_LAMBDA] = rf_bytes_u8(&b) / 64.0;
        h[RF_L4_DELTA] = rf_bytes_u8(&b) / 64.0;
    } else {
        double *y = rf_case_add1(c, "in.y", RF_DT_F64, n), *W = rf_case_add2(c, "in.W", RF_DT_F64, k - 1, d);
        if (!y || !W) return -1;
        for (size_t i = 0; i < n; i++) y[i] = fuzz_value(&b);
        for (size_t i = 0; i < (k - 1) * d; i++) W[i] = fuzz_value(&b) / 4.0;
        rf_case_set_param(c, "gi", "%u", (unsigned)(rf_bytes_u8(&b) % RF_MOE_G_COUNT));
        rf_case_set_param(c, "sigma", "%.17g", 0.05 + rf_bytes_u8(&b) / 128.0);
    }
    return 0;
}

/* ---- cases and descriptors ---------------------------------------------------------------------- */

static const rf_case_spec l4_cases[] = {
    {"l4_k2_d10", "k=2 d=10 n=512 seed=101"},
    {"l4_k3_d10", "k=3 d=10 n=512 seed=102"},
    {"l4_k8_d10", "k=8 d=10 n=512 seed=103"},
    {"l4_k2_d64", "k=2 d=64 n=160 seed=104"},
    {"l4_k3_d64", "k=3 d=64 n=160 seed=105"},
    {"l4_k8_d64", "k=8 d=64 n=160 seed=106"},
    {"l4_k3_d10_random", "k=3 d=10 n=300 seed=107 A=random mu=1 lambda=0.5 delta=0.1"},
    {"l4_k1_d3", "k=1 d=3 n=70 seed=108"},
    {"l4_n0", "k=3 d=5 n=0 seed=109"},
    {"l4_n1", "k=4 d=7 n=1 seed=110"},
    {NULL, NULL},
};

static const rf_case_spec llog_cases[] = {
    {"llog_k2_d10", "k=2 d=10 n=512 seed=201"},
    {"llog_k3_d10", "k=3 d=10 n=512 seed=202"},
    {"llog_k8_d10", "k=8 d=10 n=512 seed=203"},
    {"llog_k2_d64", "k=2 d=64 n=160 seed=204"},
    {"llog_k3_d64", "k=3 d=64 n=160 seed=205"},
    {"llog_k8_d64", "k=8 d=64 n=160 seed=206"},
    {"llog_k3_d10_random", "k=3 d=10 n=300 seed=207 W=random sigma=0.5"},
    {"llog_k3_relu", "k=3 d=10 n=300 seed=208 g=relu sigma=0.2"},
    {"llog_k3_tanh", "k=3 d=10 n=300 seed=209 g=tanh sigma=0.2"},
    {"llog_n0", "k=3 d=5 n=0 seed=210"},
    {NULL, NULL},
};

/* Seed 003 §4: batches of 1024 at its k = 3, d = 10, and a larger problem. */
static const char *const l4_sizes[] = {"k=3 d=10 n=1024", "k=8 d=64 n=1024", NULL};
static const char *const llog_sizes[] = {"k=3 d=10 n=1024", NULL};

static const rf_kernel moe_l4_kernel = {
    .name = "moe_l4_grad_f64",
    .family = "moe_loss",
    .summary = "L4 loss of seed 003 eq. 6 and dL4/dA over a batch",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_l4_grad_f64),
    .tol = {RF_TOL_SUM, RF_MOE_L4_TAU, 0},
    .cases = l4_cases,
    .make_inputs = loss_make_inputs,
    .oracle = loss_oracle,
    .run = loss_run,
    .bench_sizes = l4_sizes,
    .bench_setup = loss_bench_setup,
    .bench_run = l4_bench_run,
    .bench_free = loss_bench_free,
    .fuzz_inputs = loss_fuzz,
};

static const rf_kernel moe_llog_kernel = {
    .name = "moe_llog_f64",
    .family = "moe_loss",
    .summary = "L_log of seed 003 eq. 8 and dL_log/dW (ref only)",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_llog_f64),
    .tol = {RF_TOL_SUM, RF_MOE_L4_TAU, 0},
    .cases = llog_cases,
    .make_inputs = loss_make_inputs,
    .oracle = loss_oracle,
    .run = loss_run,
    .bench_sizes = llog_sizes,
    .bench_setup = loss_bench_setup,
    .bench_run = llog_bench_run,
    .bench_free = loss_bench_free,
    .fuzz_inputs = loss_fuzz,
};

const rf_kernel *const rf_family_moe_loss[] = {&moe_l4_kernel, &moe_llog_kernel, NULL};
