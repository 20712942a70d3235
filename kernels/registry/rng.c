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
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "oracle.h"
#include "refast/rng.h"

#define GEN_MAX_N ((uint64_t)1 << 24)

/* ---- the three generators: parameters only ------------------------------------------------ */

typedef struct gen_params {
    uint64_t seed, stream, first, n;
} gen_params;

static int gen_read(const rf_case *c, gen_params *p, char *err, size_t errlen)
{
    p->seed = 0;
    p->stream = 0;
    p->first = 0;
    rf_param_u64(c->params, "seed", &p->seed);
    rf_param_u64(c->params, "stream", &p->stream);
    rf_param_u64(c->params, "first", &p->first);
    return rf_need_u64(c, "n", 1, GEN_MAX_N, &p->n, err, errlen) ? 0 : -1;
}

static int gen_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    gen_params p;
    return gen_read(c, &p, err, errlen);
}

static int u32_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    uint32_t *w = rf_case_add1(c, "want.w", RF_DT_U32, p.n);
    if (!w) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < p.n; i++) w[i] = ora_philox_word(p.seed, p.stream, p.first + i);
    return 0;
}

static int uniform_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    double *u = rf_case_add1(c, "want.u", RF_DT_F64, p.n);
    if (!u) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < p.n; i++)
        u[i] = ldexp((double)(ora_philox_word(p.seed, p.stream, p.first + i) >> 8), -24);
    return 0;
}

static int gauss_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    double *z = rf_case_add1(c, "want.z", RF_DT_F64, p.n);
    if (!z) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < p.n; i++) z[i] = (double)ora_gauss(p.seed, p.stream, p.first + i);
    return 0;
}

static int u32_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    uint32_t *w = rf_case_add1(out, "w", RF_DT_U32, p.n);
    if (!w) return rf_run_error(err, errlen, "out of memory");
    ((rf_philox_u32_fn)im->fn)(p.seed, p.stream, p.first, (size_t)p.n, w);
    return 0;
}

static int uniform_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    float *u = rf_case_add1(out, "u", RF_DT_F32, p.n);
    if (!u) return rf_run_error(err, errlen, "out of memory");
    ((rf_uniform_f32_fn)im->fn)(p.seed, p.stream, p.first, (size_t)p.n, u);
    return 0;
}

static int gauss_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    float *z = rf_case_add1(out, "z", RF_DT_F32, p.n);
    if (!z) return rf_run_error(err, errlen, "out of memory");
    ((rf_gauss_f32_fn)im->fn)(p.seed, p.stream, p.first, (size_t)p.n, z);
    return 0;
}

/* Benchmark: n numbers per call, the position advancing so that every call draws new numbers. */
typedef struct gen_bench {
    size_t n;
    uint64_t pos;
    void *out;
} gen_bench;

static void *gen_bench_setup(const char *params, rf_work *work)
{
    uint64_t n = 4096;
    rf_param_u64(params, "n", &n);
    if (n < 1 || n > GEN_MAX_N) return NULL;
    gen_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->n = (size_t)n;
    b->out = rf_alloc(b->n * 4);
    if (!b->out) {
        free(b);
        return NULL;
    }
    work->items = (double)n;
    work->item_unit = "numbers";
    work->flops = 0;
    work->bytes = (double)n * 4;
    return b;
}

static void u32_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    gen_bench *b = state;
    for (uint64_t it = 0; it < iters; it++, b->pos += b->n)
        ((rf_philox_u32_fn)im->fn)(1, 0, b->pos, b->n, b->out);
}

static void uniform_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    gen_bench *b = state;
    for (uint64_t it = 0; it < iters; it++, b->pos += b->n)
        ((rf_uniform_f32_fn)im->fn)(1, 0, b->pos, b->n, b->out);
}

static void gauss_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    gen_bench *b = state;
    for (uint64_t it = 0; it < iters; it++, b->pos += b->n)
        ((rf_gauss_f32_fn)im->fn)(1, 0, b->pos, b->n, b->out);
}

static void gen_bench_free(void *state)
{
    gen_bench *b = state;
    if (!b) return;
    rf_free(b->out);
    free(b);
}

/* Fuzz: 8-byte seed and stream; `first` small, near a 2^32 block boundary (counter carry) or near
 * 2^64 (position wrap); n in 1..4096. */
static int gen_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size};
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

static const rf_kernel philox_u32_kernel = {
    .name = "philox_u32",
    .family = "rng",
    .summary = "Philox4x32-10 words of one stream, any range",
    .work_dtype = RF_DT_NONE, /* integers: compared exactly, never as floats */
    .id = RF_KID(philox_u32),
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = u32_cases,
    .make_inputs = gen_make_inputs,
    .oracle = u32_oracle,
    .run = u32_run,
    .bench_sizes = gen_sizes,
    .bench_setup = gen_bench_setup,
    .bench_run = u32_bench_run,
    .bench_free = gen_bench_free,
    .fuzz_inputs = gen_fuzz,
};

static const rf_kernel uniform_f32_kernel = {
    .name = "uniform_f32",
    .family = "rng",
    .summary = "uniform floats (w >> 8) 2^-24 in [0, 1)",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(uniform_f32),
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = uniform_cases,
    .make_inputs = gen_make_inputs,
    .oracle = uniform_oracle,
    .run = uniform_run,
    .bench_sizes = gen_sizes,
    .bench_setup = gen_bench_setup,
    .bench_run = uniform_bench_run,
    .bench_free = gen_bench_free,
    .fuzz_inputs = gen_fuzz,
};

static const rf_kernel gauss_f32_kernel = {
    .name = "gauss_f32",
    .family = "rng",
    .summary = "standard normal floats, Box-Muller on Philox words",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(gauss_f32),
    .tol = {RF_TOL_ULP, 0, 3},
    .cases = gauss_cases,
    .make_inputs = gen_make_inputs,
    .oracle = gauss_oracle,
    .run = gauss_run,
    .bench_sizes = gen_sizes,
    .bench_setup = gen_bench_setup,
    .bench_run = gauss_bench_run,
    .bench_free = gen_bench_free,
    .fuzz_inputs = gen_fuzz,
};

const rf_kernel *const rf_family_rng[] = {&philox_u32_kernel, &uniform_f32_kernel, &gauss_f32_kernel, NULL};
