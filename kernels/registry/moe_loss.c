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
 * Tolerance: `sum`, tau measured (SPEC §3: about 10x the worst ratio ref, every level and every
 * peer reach over the golden cases and fuzz-built ones). RF_MOE_L4_TAU = 192 (refast/moe_loss.h:
 * blocks, dot products of d <= 64 terms, the per-sample polynomial) is the a-priori worst case; S
 * is a magnitude majorant, so the error reached stays far below it (the audit tests-54db6cc.md
 * found it 188x .. 37 756x the measured error for L4, 5 258x .. 2.8e6x for L_log, which borrowed
 * L4's tau). Measured with (seeds 7, 11, 13: 7 500 fuzz cases and the golden ones)
 *   refast measure --kernel moe_l4_grad_f64 --isa all --peers --fuzz 1000 --seed 7
 *   refast measure --kernel moe_l4_grad_f64 --isa all --peers --fuzz 1500 --seed 11
 *   refast measure --kernel moe_l4_grad_f64 --isa all --peers --fuzz 5000 --seed 13
 * and the same for moe_llog_f64 (x86_64: ref, avx2, avx512, autovec_*, openblas; NEON not yet measured):
 *   L4:    worst 1.72 (grad, fuzz k=8 d=1 n=6, every implementation alike; golden l4_n1 1.02),
 *          loss 1.08: tau 15 (8.7x; kept below 16 so that an output 16 u S off always fails);
 *   L_log: worst 0.378 (value, fuzz k=2 d=1 n=26 gi=4, every level: the levels run ref), grad 0.032:
 *          tau 4.
 * The worst ratios come from the smallest shapes (n, d <= 8), where S is tightest; the golden
 * cases reach 0.0016 .. 1.02 (L4) and 6.8e-5 .. 0.037 (L_log).
 * tests/test_judge.c checks that an output 16 u S off fails under these bounds.
 * The descriptors' variant tells L4 from L_log. Bench: samples/s of one batch of make_inputs;
 * flops 6 k d per sample (U = X A^T and the two gradient sums).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe_common.h"
#include "oracle_moe_loss.h"
#include "refast/moe_loss.h"

#define LOSS_MAX_N ((uint64_t)1 << 16)

enum { LOSS_L4 = 0, LOSS_LLOG = 1 }; /* the descriptors' variant */

/* The measured taus (derivation at the top of this file). */
#define MOE_L4_TAU_MEASURED 15.0
#define MOE_LLOG_TAU_MEASURED 4.0

/* Samples of the seed 003 §4 model: x (n x d), y (n). */
static void model_samples(uint64_t seed, size_t n, size_t d, size_t k, unsigned g, double sigma, double *x,
                          double *y)
{
    const bool gated = 2 * k - 1 <= d && k >= 2;
    for (size_t s = 0; s < n; s++) {
        double *xs = x + s * d;
        for (size_t b = 0; b < d; b++) xs[b] = rf_moe_gauss2(seed, 0, s * d + b);
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
        y[s] = rf_moe_g_eval((rf_moe_g)g, xs[z % d]) + sigma * rf_moe_gauss2(seed, 4, s);
    }
}

static void near_truth(uint64_t seed, size_t rows, size_t d, bool random, bool gating, size_t k, double *P)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t b = 0; b < d; b++) {
            const size_t one = gating ? k + i : i; /* w*_i = e_{k+i}, a*_i = e_i */
            const double truth = (!gating || 2 * k - 1 <= d) && b == one % d ? 1.0 : 0.0;
            P[i * d + b] = random ? rf_moe_gauss2(seed, 6, i * d + b) : truth + 0.3 * rf_moe_gauss2(seed, 6, i * d + b);
        }
}

static int loss_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    uint64_t k, d, n, seed = 1;
    double sigma = 0.05, mu = 0.5, lambda = 2.0, delta = 0.01;
    char kind[16] = "near";
    int g;
    const bool l4 = desc->variant == LOSS_L4;
    if (!rf_need_u64(c, "k", l4 ? 1 : 2, RF_MOE_L4_MAX_K, &k, err, errlen)) return -1;
    if (!rf_need_u64(c, "d", 1, 64, &d, err, errlen)) return -1;
    if (!rf_need_u64(c, "n", 0, LOSS_MAX_N, &n, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_f64(c->params, "sigma", &sigma);
    rf_param_f64(c->params, "mu", &mu);
    rf_param_f64(c->params, "lambda", &lambda);
    rf_param_f64(c->params, "delta", &delta);
    rf_param_str(c->params, l4 ? "A" : "W", kind, sizeof kind);
    if (rf_moe_g_param(c, &g, err, errlen) != 0) return -1;
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

/* The arguments of one call: the in.* arrays (L4: x, q4, q2, A, hyper; L_log: x, y, A, W and the
 * parameters gi, sigma) and the outputs value (the loss) and grad. */
typedef struct loss_args {
    const double *x, *q4, *q2, *y, *A, *W, *hyper;
    size_t n, d, k;
    int g;
    double sigma;
    double *value, *grad;
} loss_args;

static size_t grad_size(const rf_kernel *desc, const loss_args *a)
{
    return (desc->variant == LOSS_L4 ? a->k : a->k - 1) * a->d;
}

/* The validated inputs of a case (the outputs are left alone). */
static int loss_read(const rf_kernel *desc, const rf_case *c, loss_args *a, char *err, size_t errlen)
{
    rf_moe_xk s;
    if (rf_moe_need_xk(c, "in.A", desc->variant == LOSS_L4 ? 1 : 2, RF_MOE_L4_MAX_K, RF_MOE_L4_MAX_D, &s, err,
                       errlen) != 0)
        return -1;
    if (s.n > LOSS_MAX_N) return rf_run_error(err, errlen, "in.x has %zu samples, over 2^16", s.n);
    a->n = s.n;
    a->d = s.d;
    a->k = s.k;
    a->x = s.x;
    a->A = s.rows;
    if (desc->variant == LOSS_L4) {
        return (a->q4 = rf_moe_need_f64(c, "in.q4", a->n, 0, err, errlen)) &&
                       (a->q2 = rf_moe_need_f64(c, "in.q2", a->n, 0, err, errlen)) &&
                       (a->hyper = rf_moe_need_f64(c, "in.hyper", RF_L4_NHYPER, 0, err, errlen))
                   ? 0 : -1;
    }
    uint64_t g = 0;
    rf_param_u64(c->params, "gi", &g);
    if (g >= RF_MOE_G_COUNT) return rf_run_error(err, errlen, "gi=%llu is not a non-linearity", (unsigned long long)g);
    a->g = (int)g;
    a->sigma = 0.05;
    rf_param_f64(c->params, "sigma", &a->sigma);
    if (!(a->sigma > 0.0)) return rf_run_error(err, errlen, "sigma must be > 0");
    return (a->y = rf_moe_need_f64(c, "in.y", a->n, 0, err, errlen)) &&
                   (a->W = rf_moe_need_f64(c, "in.W", a->k - 1, a->d, err, errlen))
               ? 0 : -1;
}

static bool all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return false;
    return true;
}

static int loss_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    loss_args in = {0};
    if (loss_read(desc, c, &in, err, errlen) != 0) return -1;
    const bool l4 = desc->variant == LOSS_L4;
    const size_t ng = grad_size(desc, &in);
    double *wv = rf_case_add1(c, l4 ? "want.loss" : "want.value", RF_DT_F64, 1);
    double *sv = rf_case_add1(c, l4 ? "scale.loss" : "scale.value", RF_DT_F64, 1);
    double *wg = rf_case_add1(c, "want.grad", RF_DT_F64, ng), *sg = rf_case_add1(c, "scale.grad", RF_DT_F64, ng);
    long double *lg = malloc(2 * ng * sizeof *lg), v, vs;
    int st = wv && sv && wg && sg && lg ? 0 : -1;
    bool finite = all_finite(in.x, in.n * in.d) && all_finite(in.A, in.k * in.d);
    if (l4) finite = finite && all_finite(in.q4, in.n) && all_finite(in.q2, in.n) && all_finite(in.hyper, RF_L4_NHYPER);
    else finite = finite && all_finite(in.y, in.n) && all_finite(in.W, ng);
    if (st == 0 && finite)
        st = l4 ? ora_moe_l4(in.x, in.q4, in.q2, in.n, in.d, in.k, in.A, in.hyper, &v, &vs, lg, lg + ng)
                : ora_moe_llog(in.x, in.y, in.n, in.d, in.k, in.A, in.W, (unsigned)in.g, in.sigma, &v, &vs, lg,
                               lg + ng);
    if (st == 0) {
        /* Non-finite inputs: every output NaN (refast/moe_loss.h), with a NaN scale. */
        *wv = finite ? (double)v : NAN;
        *sv = finite ? (double)vs : NAN;
        for (size_t i = 0; i < ng; i++) {
            wg[i] = finite ? (double)lg[i] : NAN;
            sg[i] = finite ? (double)lg[ng + i] : NAN;
        }
        rf_case_set_param(c, "terms", "%zu", in.n);
    }
    free(lg);
    return st == 0 ? 0 : rf_run_error(err, errlen, "out of memory");
}

static int loss_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                     size_t errlen)
{
    loss_args *a = args;
    if (loss_read(desc, c, a, err, errlen) != 0) return -1;
    const uint64_t one = 1, ng = grad_size(desc, a);
    a->value = rf_case_out(out, desc->variant == LOSS_L4 ? "loss" : "value", RF_DT_F64, 1, &one);
    a->grad = rf_case_out(out, "grad", RF_DT_F64, 1, &ng);
    return a->value && a->grad ? 0 : rf_run_error(err, errlen, "out of memory");
}

static void loss_call(const rf_impl *im, void *args)
{
    const loss_args *a = args;
    if (im->kernel->variant == LOSS_L4)
        ((rf_moe_l4_grad_f64_fn)im->fn)(a->x, a->q4, a->q2, a->n, a->d, a->k, a->A, a->hyper, a->value, a->grad);
    else /* outside its limits it returns -1 with NaN outputs: nothing more to do */
        (void)((rf_moe_llog_f64_fn)im->fn)(a->x, a->y, a->n, a->d, a->k, a->A, a->W, a->g, a->sigma, a->value,
                                           a->grad);
}

/* flops: 6 k d per sample (U = X A^T and the two gradient sums) */
static void loss_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    const loss_args *a = args;
    w->items = (double)a->n;
    w->item_unit = "samples";
    w->flops = 6.0 * (double)a->n * (double)a->k * (double)a->d;
    w->bytes = (double)a->n * (double)(a->d + 2) * sizeof(double);
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
    return rf_moe_bytes_value(b);
}

static int loss_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    rf_bytes b = {data, size, 0};
    const bool l4 = desc->variant == LOSS_L4;
    const size_t k = (l4 ? 1 : 2) + rf_bytes_u8(&b) % (l4 ? 9u : 8u);
    /* the large mode (rf_fuzz_large): d up to 256 (RF_MOE_L4_MAX_D), past the blocked dot
     * products' 64-term blocks */
    const size_t d = 1 + rf_bytes_u8(&b) % (rf_fuzz_large() ? RF_MOE_L4_MAX_D : 20u);
    const size_t hi = rf_bytes_u8(&b), n = ((hi << 8) | rf_bytes_u8(&b)) % 301;
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
    .variant = LOSS_L4,
    .tol = {RF_TOL_SUM, MOE_L4_TAU_MEASURED, 0},
    .cases = l4_cases,
    .free_length = "n",
    .make_inputs = loss_make_inputs,
    .oracle = loss_oracle,
    .args_size = sizeof(loss_args),
    .bind = loss_bind,
    .call = loss_call,
    .work = loss_work,
    .bench_sizes = l4_sizes,
    .fuzz_inputs = loss_fuzz,
};

static const rf_kernel moe_llog_kernel = {
    .name = "moe_llog_f64",
    .family = "moe_loss",
    .summary = "L_log of seed 003 eq. 8 and dL_log/dW (ref only)",
    .work_dtype = RF_DT_F64,
    .id = RF_KID(moe_llog_f64),
    .variant = LOSS_LLOG,
    .tol = {RF_TOL_SUM, MOE_LLOG_TAU_MEASURED, 0},
    .cases = llog_cases,
    .free_length = "n",
    .make_inputs = loss_make_inputs,
    .oracle = loss_oracle,
    .args_size = sizeof(loss_args),
    .bind = loss_bind,
    .call = loss_call,
    .work = loss_work,
    .bench_sizes = llog_sizes,
    .fuzz_inputs = loss_fuzz,
};

const rf_kernel *const rf_family_moe_loss[] = {&moe_l4_kernel, &moe_llog_kernel, NULL};
