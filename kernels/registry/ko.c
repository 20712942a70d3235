/* Registry entries of the KO family (SPEC §5.1 "KO codes"): ko_mlp_f32, the MLP block applied to
 * every coordinate of a node (refast/ko_mlp.h). The encoder and decoder (ko_encode_f32,
 * ko_decode_f32) are the family rf_family_ko_codec of kernels/registry/ko_codec.c.
 *
 * ko_mlp_f32 case parameters: in_dim (1..4), hidden (1..32, default 32), hidden_layers (1..3,
 * default 3: the KO(m,2) block, the benchmarks' shape), count (coordinates, 1..65536), weights = init (every weight and bias ~ N(0, 0.02^2): the seed's
 * initialisation) | uniform (uniform in [-1, 1): fuzz-like, SELU far into both branches),
 * input = normal (N(0, 1)) | wide (uniform in [-4, 4): channel outputs and LLR-like features) |
 * huge (random signs, magnitudes 2^[-20, 60]), seed.
 * Arrays: in.x (in_dim x count), in.w<l> (out x in, l = 0..hidden_layers), in.b<l> (out).
 * Oracle: ora_ko_mlp (long double); want.y f64 (count), scale.y = S per coordinate
 * (oracle/oracle_ko_mlp.h: magnitudes propagated through the layers with SELU's slope bound).
 * Tolerance: `sum` with tau = sum over layers (n_l + 1) + hidden_layers c_s for the largest block
 * (4 -> 32 -> 32 -> 32 -> 1): 104 + 3 * 8 = 128, c_s = 2 e_x + 2 with e_x = 3 ulp the bound
 * assumed for lambda alpha expm1 (measured by tests/test_ko_mlp.c, which fails above 3 ulp:
 * ref (glibc expm1f) 1.74 ulp, the vector SELU of avx2/avx512 2.10 ulp). The bound is a
 * worst case (first order in u); measured errors are 1-2 u S (tests/test_ko_mlp.c, verify).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "oracle_ko_mlp.h"
#include "refast/ko_mlp.h"

#define KO_MLP_MAX_COUNT 65536

/* ---- ko_mlp_f32 ----------------------------------------------------------------------------- */

typedef struct ko_geom {
    unsigned in_dim, hidden, layers; /* layers = hidden_layers */
    size_t count;
} ko_geom;

static unsigned layer_in(const ko_geom *g, unsigned l)
{
    return l == 0 ? g->in_dim : g->hidden;
}

static unsigned layer_out(const ko_geom *g, unsigned l)
{
    return l == g->layers ? 1 : g->hidden;
}

/* Adds the network's arrays in.w<l> (out x in) and in.b<l> (out), l = 0..layers, filled in that
 * order (w, then b, layer by layer) from v (net_floats(g) values). */
static size_t net_floats(const ko_geom *g)
{
    size_t n = 0;
    for (unsigned l = 0; l <= g->layers; l++) n += (size_t)layer_out(g, l) * (layer_in(g, l) + 1);
    return n;
}

static int add_net(rf_case *c, const ko_geom *g, const float *v)
{
    for (unsigned l = 0; l <= g->layers; l++) {
        char w[16], b[16];
        const unsigned n_out = layer_out(g, l), n_in = layer_in(g, l);
        snprintf(w, sizeof w, "in.w%u", l);
        snprintf(b, sizeof b, "in.b%u", l);
        float *wd = rf_case_add2(c, w, RF_DT_F32, n_out, n_in), *bd = rf_case_add1(c, b, RF_DT_F32, n_out);
        if (!wd || !bd) return -1;
        memcpy(wd, v, (size_t)n_out * n_in * sizeof *v);
        memcpy(bd, v + (size_t)n_out * n_in, n_out * sizeof *v);
        v += (size_t)n_out * (n_in + 1);
    }
    return 0;
}

static int ko_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t in_dim, hidden = 32, layers = 3, count, seed = 1;
    char weights[16] = "init", input[16] = "normal", given[32];
    if (!rf_need_u64(c, "in_dim", 1, RF_KO_MAX_IN, &in_dim, err, errlen) ||
        (rf_param_str(c->params, "hidden", given, sizeof given) &&
         !rf_need_u64(c, "hidden", 1, RF_KO_MAX_HIDDEN, &hidden, err, errlen)) ||
        (rf_param_str(c->params, "hidden_layers", given, sizeof given) &&
         !rf_need_u64(c, "hidden_layers", 1, RF_KO_MAX_LAYERS - 1, &layers, err, errlen)) ||
        !rf_need_u64(c, "count", 1, KO_MLP_MAX_COUNT, &count, err, errlen))
        return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_str(c->params, "weights", weights, sizeof weights);
    rf_param_str(c->params, "input", input, sizeof input);
    const bool w_init = strcmp(weights, "init") == 0;
    if (!w_init && strcmp(weights, "uniform") != 0)
        return rf_run_error(err, errlen, "unknown weights kind '%s' (init, uniform)", weights);
    if (strcmp(input, "normal") && strcmp(input, "wide") && strcmp(input, "huge"))
        return rf_run_error(err, errlen, "unknown input kind '%s' (normal, wide, huge)", input);
    const ko_geom g = {(unsigned)in_dim, (unsigned)hidden, (unsigned)layers, (size_t)count};

    float *x = rf_case_add2(c, "in.x", RF_DT_F32, in_dim, count);
    if (!x) return rf_run_error(err, errlen, "out of memory");
    for (size_t i = 0; i < in_dim * count; i++) {
        if (input[0] == 'n') {
            x[i] = (float)rf_gen_normal(seed, 0, i);
        } else if (input[0] == 'w') {
            x[i] = (float)rf_gen_uniform(seed, 0, i, -4.0, 4.0);
        } else {
            const double e = floor(rf_gen_uniform(seed, 1, i, -20.0, 61.0));
            const double s = rf_gen_word(seed, 2, i) & 1 ? -1.0 : 1.0;
            x[i] = (float)(s * ldexp(rf_gen_uniform(seed, 0, i, 1.0, 2.0), (int)e));
        }
    }
    const size_t nw = net_floats(&g);
    float *v = malloc(nw * sizeof *v);
    for (size_t i = 0; v && i < nw; i++)
        v[i] = w_init ? (float)(0.02 * rf_gen_normal(seed, 3, i)) : (float)rf_gen_uniform(seed, 3, i, -1.0, 1.0);
    const int rc = v && add_net(c, &g, v) == 0 ? 0 : rf_run_error(err, errlen, "out of memory");
    free(v);
    return rc;
}

/* The arguments of one call: the network (views of the case's in.w<l>, in.b<l>), in.x (in_dim x
 * count) and the output y. */
typedef struct ko_args {
    rf_ko_mlp net;
    ko_geom g;
    const float *x;
    float *y;
} ko_args;

/* The network and the input of a case (a->y is left alone). */
static int ko_read(const rf_case *c, ko_args *a, char *err, size_t errlen)
{
    const rf_array *x = rf_case_need(c, "in.x", RF_DT_F32, 2, err, errlen);
    const rf_array *w0 = x ? rf_case_need(c, "in.w0", RF_DT_F32, 2, err, errlen) : NULL;
    if (!w0) return -1;
    ko_geom *g = &a->g;
    memset(&a->net, 0, sizeof a->net);
    g->in_dim = (unsigned)x->shape[0];
    g->count = (size_t)x->shape[1];
    g->hidden = (unsigned)w0->shape[0];
    g->layers = 0;
    while (g->layers < RF_KO_MAX_LAYERS) {
        char name[16];
        snprintf(name, sizeof name, "in.w%u", g->layers + 1);
        if (!rf_case_find(c, name)) break;
        g->layers++;
    }
    if (g->in_dim < 1 || g->in_dim > RF_KO_MAX_IN || g->hidden < 1 || g->hidden > RF_KO_MAX_HIDDEN ||
        g->layers < 1 || g->layers > RF_KO_MAX_LAYERS - 1)
        return rf_run_error(err, errlen, "network shape in_dim=%u hidden=%u hidden_layers=%u is outside "
                            "the limits of refast/ko_mlp.h", g->in_dim, g->hidden, g->layers);
    for (unsigned l = 0; l <= g->layers; l++) {
        char wn[16], bn[16];
        snprintf(wn, sizeof wn, "in.w%u", l);
        snprintf(bn, sizeof bn, "in.b%u", l);
        const rf_array *w = rf_case_need(c, wn, RF_DT_F32, 2, err, errlen);
        const rf_array *b = w ? rf_case_need(c, bn, RF_DT_F32, 0, err, errlen) : NULL;
        if (!b || w->shape[0] != layer_out(g, l) || w->shape[1] != layer_in(g, l) || b->count != layer_out(g, l))
            return rf_run_error(err, errlen, "layer %u: %s/%s missing or not %u x %u and %u f32", l, wn, bn,
                                layer_out(g, l), layer_in(g, l), layer_out(g, l));
        a->net.w[l] = w->data;
        a->net.b[l] = b->data;
    }
    a->net.in_dim = g->in_dim;
    a->net.hidden = g->hidden;
    a->net.hidden_layers = g->layers;
    a->x = x->data;
    return 0;
}

static int ko_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    ko_args a;
    if (ko_read(c, &a, err, errlen) != 0) return -1;
    const size_t count = a.g.count;
    double *want = rf_case_add1(c, "want.y", RF_DT_F64, count);
    double *scale = rf_case_add1(c, "scale.y", RF_DT_F64, count);
    long double *o = malloc(2 * count * sizeof *o);
    if (!want || !scale || !o) {
        free(o);
        return rf_run_error(err, errlen, "out of memory");
    }
    ora_ko_mlp(&a.net, a.x, count, o, o + count);
    for (size_t j = 0; j < count; j++) {
        want[j] = (double)o[j];
        scale[j] = (double)o[count + j];
    }
    free(o);
    rf_case_set_param(c, "terms", "%u", a.g.hidden + 1);
    return 0;
}

static int ko_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err, size_t errlen)
{
    (void)desc;
    ko_args *a = args;
    if (ko_read(c, a, err, errlen) != 0) return -1;
    const uint64_t count = a->g.count;
    a->y = rf_case_out(out, "y", RF_DT_F32, 1, &count);
    return a->y ? 0 : rf_run_error(err, errlen, "out of memory");
}

static void ko_call(const rf_impl *im, void *args)
{
    const ko_args *a = args;
    ((rf_ko_mlp_f32_fn)im->fn)(&a->net, a->x, a->g.count, a->y);
}

/* flops: the multiply-adds of the dense layers, 2 each; SELU (96 per coordinate) not counted */
static void ko_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    const ko_geom *g = &((const ko_args *)args)->g;
    double madds = 0;
    for (unsigned l = 0; l <= g->layers; l++) madds += (double)layer_out(g, l) * layer_in(g, l);
    w->items = (double)g->count;
    w->item_unit = "coordinates";
    w->flops = 2.0 * (double)g->count * madds;
    w->bytes = (double)g->count * (double)(g->in_dim + 1) * sizeof(float);
}

/* Fuzz: shape from the first bytes (in 1..4, hidden 1..32, hidden_layers 1..3, count 1..64),
 * weights uniform in [-1, 1) (never exactly 0, so that 0 * inf cannot depend on padding), inputs
 * with specials and magnitudes up to 2^60 (no finite overflow through 4 layers of 32 terms). */
static int ko_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes bs = {data, size, 0};
    const unsigned in_dim = 1 + rf_bytes_u8(&bs) % RF_KO_MAX_IN;
    const unsigned hidden = 1 + rf_bytes_u8(&bs) % RF_KO_MAX_HIDDEN;
    const unsigned layers = 1 + rf_bytes_u8(&bs) % (RF_KO_MAX_LAYERS - 1);
    const size_t count = 1 + rf_bytes_u8(&bs) % 64;
    const ko_geom g = {in_dim, hidden, layers, count};
    rf_case_set_param(c, "in_dim", "%u", in_dim);
    rf_case_set_param(c, "hidden", "%u", hidden);
    rf_case_set_param(c, "hidden_layers", "%u", layers);
    rf_case_set_param(c, "count", "%zu", count);
    float *x = rf_case_add2(c, "in.x", RF_DT_F32, in_dim, count);
    if (!x) return -1;
    for (size_t i = 0; i < in_dim * count; i++) x[i] = rf_bytes_f32(&bs, 60, 1);
    const size_t nw = net_floats(&g);
    float *v = malloc(nw * sizeof *v);
    for (size_t i = 0; v && i < nw; i++) v[i] = (float)(((double)(rf_bytes_u32(&bs) >> 8) + 0.5) * 0x1p-23 - 1.0);
    const int rc = v && add_net(c, &g, v) == 0 ? 0 : -1;
    free(v);
    return rc;
}

static const rf_case_spec ko_mlp_cases[] = {
    {"init_in2_n1", "in_dim=2 hidden=32 hidden_layers=3 count=1 weights=init input=normal seed=1"},
    {"init_in2_n7", "in_dim=2 hidden=32 hidden_layers=3 count=7 weights=init input=normal seed=2"},
    {"init_in4_n256", "in_dim=4 hidden=32 hidden_layers=3 count=256 weights=init input=wide seed=3"},
    {"init_in2_n4096", "in_dim=2 hidden=32 hidden_layers=3 count=4096 weights=init input=normal seed=4"},
    {"uniform_in4_n4096", "in_dim=4 hidden=32 hidden_layers=3 count=4096 weights=uniform input=normal seed=5"},
    {"uniform_in2_n37_tail", "in_dim=2 hidden=32 hidden_layers=3 count=37 weights=uniform input=wide seed=6"},
    {"uniform_in4_n100_huge", "in_dim=4 hidden=32 hidden_layers=3 count=100 weights=uniform input=huge seed=7"},
    {"tinyko_in2_n256_init", "in_dim=2 hidden=4 hidden_layers=1 count=256 weights=init input=normal seed=8"},
    {"tinyko_in4_n7_uniform", "in_dim=4 hidden=4 hidden_layers=1 count=7 weights=uniform input=wide seed=9"},
    {"odd_in3_h13_l2_n53", "in_dim=3 hidden=13 hidden_layers=2 count=53 weights=uniform input=wide seed=10"},
    {NULL, NULL},
};

static const char *const ko_mlp_sizes[] = {"in_dim=2 count=4096", "in_dim=4 count=4096",
                                           "in_dim=2 count=256", "in_dim=4 count=256", NULL};

static const rf_kernel ko_mlp_f32_kernel = {
    .name = "ko_mlp_f32",
    .family = "ko",
    .summary = "KO MLP block (in -> 32 -> 32 -> 32 -> 1, SELU) over every coordinate",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(ko_mlp_f32),
    .tol = {RF_TOL_SUM, 128, 0},
    .cases = ko_mlp_cases,
    .free_length = "count",
    .make_inputs = ko_make_inputs,
    .oracle = ko_oracle,
    .args_size = sizeof(ko_args),
    .bind = ko_bind,
    .call = ko_call,
    .work = ko_work,
    .bench_sizes = ko_mlp_sizes,
    .fuzz_inputs = ko_fuzz,
};

const rf_kernel *const rf_family_ko[] = {&ko_mlp_f32_kernel, NULL};
