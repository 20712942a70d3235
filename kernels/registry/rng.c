/* Registry entries of the RNG family: philox_u32, uniform_f32, gauss_f32 (the AWGN channel built
 * on them, awgn_llr_f32, is registered with the other channels in registry/channel.c).
 *
 * Case parameters: seed, stream, first (position of the first number), n (count). The generators
 * have no input arrays: their inputs are the parameters.
 * Oracles (oracle/rng.c): words and uniforms are exact integers (want.w u32, want.u f64); the
 * gaussian is Box–Muller in long double (want.z f64).
 *
 * Tolerances. gauss_f32: 3 ulp; the derivation (exhaustive measurement of r and of sin/cos over
 * all their inputs, then the product's rounding) is in fast/avx2/rng.c; ref (double) is within 1.
 */
#include <math.h>

#include "common.h"
#include "oracle.h"
#include "refast/rng.h"

#define GEN_MAX_N ((uint64_t)1 << 24)

/* The descriptors' variants, indexing gen_out. */
enum { GEN_WORDS, GEN_UNIFORM, GEN_GAUSS };

/* Each generator's output: the kernel's array and the oracle's dtype for want.<name>. */
static const struct {
    const char *name, *want;
    rf_dtype dtype, want_dtype;
} gen_out[] = {
    [GEN_WORDS] = {"w", "want.w", RF_DT_U32, RF_DT_U32},
    [GEN_UNIFORM] = {"u", "want.u", RF_DT_F32, RF_DT_F64},
    [GEN_GAUSS] = {"z", "want.z", RF_DT_F32, RF_DT_F64},
};

/* The arguments of one call; the numbers land in `out`. */
typedef struct gen_args {
    uint64_t seed, stream, first, n;
    void *out;
} gen_args;

static int gen_read(const rf_case *c, gen_args *a, char *err, size_t errlen)
{
    a->seed = a->stream = a->first = 0;
    rf_param_u64(c->params, "seed", &a->seed);
    rf_param_u64(c->params, "stream", &a->stream);
    rf_param_u64(c->params, "first", &a->first);
    return rf_need_u64(c, "n", 1, GEN_MAX_N, &a->n, err, errlen) ? 0 : -1;
}

static int gen_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    gen_args a;
    return gen_read(c, &a, err, errlen);
}

static int gen_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    gen_args a;
    if (gen_read(c, &a, err, errlen)) return -1;
    const int v = desc->variant;
    void *want = rf_case_add1(c, gen_out[v].want, gen_out[v].want_dtype, a.n);
    if (!want) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < a.n; i++) {
        const uint64_t pos = a.first + i;
        if (v == GEN_WORDS) ((uint32_t *)want)[i] = ora_philox_word(a.seed, a.stream, pos);
        else if (v == GEN_UNIFORM) ((double *)want)[i] = ldexp((double)(ora_philox_word(a.seed, a.stream, pos) >> 8), -24);
        else ((double *)want)[i] = (double)ora_gauss(a.seed, a.stream, pos);
    }
    return 0;
}

static int gen_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err, size_t errlen)
{
    gen_args *a = args;
    if (gen_read(c, a, err, errlen)) return -1;
    a->out = rf_case_out(out, gen_out[desc->variant].name, gen_out[desc->variant].dtype, 1, &a->n);
    return a->out ? 0 : rf_run_error(err, errlen, "out of memory");
}

/* A benchmark calls again and again: the position advances so that every call draws new numbers. */
static void gen_call(const rf_impl *im, void *args)
{
    gen_args *a = args;
    switch (im->kernel->variant) {
    case GEN_WORDS: ((rf_philox_u32_fn)im->fn)(a->seed, a->stream, a->first, (size_t)a->n, a->out); break;
    case GEN_UNIFORM: ((rf_uniform_f32_fn)im->fn)(a->seed, a->stream, a->first, (size_t)a->n, a->out); break;
    default: ((rf_gauss_f32_fn)im->fn)(a->seed, a->stream, a->first, (size_t)a->n, a->out); break;
    }
    a->first += a->n;
}

static void gen_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    const gen_args *a = args;
    w->items = (double)a->n;
    w->item_unit = "numbers";
    w->bytes = (double)a->n * 4;
}

/* Fuzz: 8-byte seed and stream; `first` small, near a 2^32 block boundary (counter carry) or near
 * 2^64 (position wrap); n in 1..4096. */
static int gen_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size, 0};
    const uint64_t seed = (uint64_t)rf_bytes_u32(&b) << 32 | rf_bytes_u32(&b);
    const uint64_t stream = (uint64_t)rf_bytes_u32(&b) << 32 | rf_bytes_u32(&b);
    const uint8_t where = rf_bytes_u8(&b);
    const uint64_t off = rf_bytes_u32(&b) % 8192;
    uint64_t first = off;
    if (where % 4 == 1) first = ((uint64_t)1 << 34) - 4096 + off;
    if (where % 4 == 2) first = (uint64_t)0 - 4096 + off;
    if (where % 4 == 3) first = (uint64_t)rf_bytes_u32(&b) << 32 | rf_bytes_u32(&b);
    const uint64_t n = 1 + (rf_bytes_u32(&b) % 4096);
    rf_case_set_param(c, "seed", "%llu", (unsigned long long)seed);
    rf_case_set_param(c, "stream", "%llu", (unsigned long long)stream);
    rf_case_set_param(c, "first", "%llu", (unsigned long long)first);
    rf_case_set_param(c, "n", "%llu", (unsigned long long)n);
    return 0;
}

/* ---- descriptors ----------------------------------------------------------------------------- */

static const rf_case_spec u32_cases[] = {
    {"w_s1_n64", "seed=1 stream=0 first=0 n=64"},
    {"w_unaligned_n101", "seed=0x243f6a8885a308d3 stream=7 first=13 n=101"},
    {"w_carry_n45", "seed=42 stream=3 first=17179869170 n=45"},
    {"w_stream_max_n37", "seed=0xffffffffffffffff stream=0xffffffffffffffff first=2 n=37"},
    {"w_n1003", "seed=5 stream=2 first=3 n=1003"},
    {NULL, NULL},
};

static const rf_case_spec uniform_cases[] = {
    {"u_s1_n64", "seed=1 stream=0 first=0 n=64"},
    {"u_unaligned_n101", "seed=0x243f6a8885a308d3 stream=7 first=13 n=101"},
    {"u_carry_n45", "seed=42 stream=3 first=17179869170 n=45"},
    {"u_n1003", "seed=5 stream=2 first=1 n=1003"},
    {NULL, NULL},
};

static const rf_case_spec gauss_cases[] = {
    {"z_s1_n4096", "seed=1 stream=0 first=0 n=4096"},
    {"z_s2_unaligned_n4096", "seed=0xdeadbeefcafef00d stream=5 first=3 n=4096"},
    {"z_n77", "seed=11 stream=1 first=17179869170 n=77"},
    {NULL, NULL},
};

static const char *const gen_sizes[] = {"n=4096", "n=65536", NULL};

#define GEN_CALLBACKS                                                                            \
    .family = "rng", .make_inputs = gen_make_inputs, .oracle = gen_oracle,                       \
    .args_size = sizeof(gen_args), .bind = gen_bind, .call = gen_call, .work = gen_work,         \
    .bench_sizes = gen_sizes, .fuzz_inputs = gen_fuzz

static const rf_kernel philox_u32_kernel = {
    .name = "philox_u32",
    .summary = "Philox4x32-10 words of one stream, any range",
    .work_dtype = RF_DT_NONE, /* integers: compared exactly, never as floats */
    .id = RF_KID(philox_u32),
    .variant = GEN_WORDS,
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = u32_cases,
    .free_length = "n",
    GEN_CALLBACKS,
};

static const rf_kernel uniform_f32_kernel = {
    .name = "uniform_f32",
    .summary = "uniform floats (w >> 8) 2^-24 in [0, 1)",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(uniform_f32),
    .variant = GEN_UNIFORM,
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = uniform_cases,
    .free_length = "n",
    GEN_CALLBACKS,
};

static const rf_kernel gauss_f32_kernel = {
    .name = "gauss_f32",
    .summary = "standard normal floats, Box-Muller on Philox words",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(gauss_f32),
    .variant = GEN_GAUSS,
    .tol = {RF_TOL_ULP, 0, 3},
    .cases = gauss_cases,
    .free_length = "n",
    GEN_CALLBACKS,
};

const rf_kernel *const rf_family_rng[] = {&philox_u32_kernel, &uniform_f32_kernel, &gauss_f32_kernel, NULL};
