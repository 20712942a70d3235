/* Registry entries of the RNG family: philox_u32, uniform_f32, gauss_f32, awgn_llr_f32.
 *
 * Case parameters: seed, stream, first (position of the first number), n (count) for the three
 * generators; for the channel seed, n (symbols per frame), frames, first_frame, sigma (must be
 * exactly representable in float; the kernel receives (float)sigma) and bits_seed (the Philox
 * seed of the transmitted bits, in.bits). The generators have no input arrays: their inputs are
 * the parameters.
 * Oracles (oracle/rng.c): words and uniforms are exact integers (want.w u32, want.u f64); the
 * gaussian is Box–Muller in long double (want.z f64); the LLR is 2 (s + sigma z) / sigma^2 in long
 * double (want.llr f64) with scale.llr = (2 / sigma^2)(1 + sigma |z|) per symbol.
 *
 * Tolerances. gauss_f32: 3 ulp; the derivation (exhaustive measurement of r and of sin/cos over
 * all their inputs, then the product's rounding) is in fast/avx2/rng.c; ref (double) is within 1.
 * awgn_llr_f32, class sum with S = g (1 + sigma |z|), g = 2 / sigma^2 exact, u = 2^-24, N = 3:
 *   |z~ - z| <= (N + 1/2) ulp(z) <= (2N + 1) u |z|            (gaussian bound + rounding of want)
 *   y~ = fl(s + fl(sigma z~)) or fma:  |y~ - y| <= u [(2N + 3) sigma |z| + 1]
 *   g~ = fl(2 / sigma^2):              |g~ - g| <= u g
 *   L~ = fl(y~ g~):                    |L~ - L| <= g u [(2N + 3) sigma |z| + 1] + 2 u g |y|
 *                                               <= (2N + 5) u g (1 + sigma |z|) = 11 u S
 * to first order (|y| <= 1 + sigma |z|); tau = 12 covers the O(u^2) terms.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "oracle.h"
#include "refast/rng.h"

void rf_philox_u32(uint64_t seed, uint64_t stream, uint64_t first, size_t n, uint32_t *out)
{
    ((rf_philox_u32_fn)rf_kernel_impl(rf_family_rng[0], rf_isa_current(), NULL))(seed, stream, first,
                                                                                 n, out);
}

void rf_uniform_f32(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    ((rf_uniform_f32_fn)rf_kernel_impl(rf_family_rng[1], rf_isa_current(), NULL))(seed, stream, first,
                                                                                  n, out);
}

void rf_gauss_f32(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    ((rf_gauss_f32_fn)rf_kernel_impl(rf_family_rng[2], rf_isa_current(), NULL))(seed, stream, first,
                                                                                n, out);
}

void rf_awgn_llr_f32(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                     uint64_t seed, float sigma, float *llr)
{
    ((rf_awgn_llr_f32_fn)rf_kernel_impl(rf_family_rng[3], rf_isa_current(), NULL))(
        bits, n, frames, first_frame, seed, sigma, llr);
}

#define GEN_MAX_N ((uint64_t)1 << 24)
#define AWGN_MAX_SYMBOLS ((uint64_t)1 << 24)

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

static int gen_make_inputs(rf_case *c, char *err, size_t errlen)
{
    gen_params p;
    return gen_read(c, &p, err, errlen);
}

static int u32_oracle(rf_case *c, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    uint32_t *w = rf_case_add1(c, "want.w", RF_DT_U32, p.n);
    if (!w) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < p.n; i++) w[i] = ora_philox_word(p.seed, p.stream, p.first + i);
    return 0;
}

static int uniform_oracle(rf_case *c, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    double *u = rf_case_add1(c, "want.u", RF_DT_F64, p.n);
    if (!u) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < p.n; i++)
        u[i] = ldexp((double)(ora_philox_word(p.seed, p.stream, p.first + i) >> 8), -24);
    return 0;
}

static int gauss_oracle(rf_case *c, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    double *z = rf_case_add1(c, "want.z", RF_DT_F64, p.n);
    if (!z) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < p.n; i++) z[i] = (double)ora_gauss(p.seed, p.stream, p.first + i);
    return 0;
}

static int u32_run(rf_fnptr fn, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    uint32_t *w = rf_case_add1(out, "w", RF_DT_U32, p.n);
    if (!w) return rf_run_error(err, errlen, "out of memory");
    ((rf_philox_u32_fn)fn)(p.seed, p.stream, p.first, (size_t)p.n, w);
    return 0;
}

static int uniform_run(rf_fnptr fn, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    float *u = rf_case_add1(out, "u", RF_DT_F32, p.n);
    if (!u) return rf_run_error(err, errlen, "out of memory");
    ((rf_uniform_f32_fn)fn)(p.seed, p.stream, p.first, (size_t)p.n, u);
    return 0;
}

static int gauss_run(rf_fnptr fn, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    gen_params p;
    if (gen_read(c, &p, err, errlen)) return -1;
    float *z = rf_case_add1(out, "z", RF_DT_F32, p.n);
    if (!z) return rf_run_error(err, errlen, "out of memory");
    ((rf_gauss_f32_fn)fn)(p.seed, p.stream, p.first, (size_t)p.n, z);
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

static void u32_bench_run(rf_fnptr fn, void *state, uint64_t iters)
{
    gen_bench *b = state;
    for (uint64_t it = 0; it < iters; it++, b->pos += b->n)
        ((rf_philox_u32_fn)fn)(1, 0, b->pos, b->n, b->out);
}

static void uniform_bench_run(rf_fnptr fn, void *state, uint64_t iters)
{
    gen_bench *b = state;
    for (uint64_t it = 0; it < iters; it++, b->pos += b->n)
        ((rf_uniform_f32_fn)fn)(1, 0, b->pos, b->n, b->out);
}

static void gauss_bench_run(rf_fnptr fn, void *state, uint64_t iters)
{
    gen_bench *b = state;
    for (uint64_t it = 0; it < iters; it++, b->pos += b->n)
        ((rf_gauss_f32_fn)fn)(1, 0, b->pos, b->n, b->out);
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
static int gen_fuzz(const uint8_t *data, size_t size, rf_case *c)
{
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

/* ---- the AWGN channel ------------------------------------------------------------------------ */

typedef struct awgn_params {
    uint64_t seed, n, frames, first_frame;
    float sigma;
} awgn_params;

static int awgn_read(const rf_case *c, awgn_params *p, char *err, size_t errlen)
{
    double sigma;
    p->seed = 0;
    p->first_frame = 0;
    rf_param_u64(c->params, "seed", &p->seed);
    rf_param_u64(c->params, "first_frame", &p->first_frame);
    if (!rf_need_u64(c, "n", 1, AWGN_MAX_SYMBOLS, &p->n, err, errlen) ||
        !rf_need_u64(c, "frames", 1, AWGN_MAX_SYMBOLS, &p->frames, err, errlen))
        return -1;
    if (p->n * p->frames > AWGN_MAX_SYMBOLS)
        return rf_run_error(err, errlen, "n x frames = %llu x %llu exceeds %llu symbols",
                            (unsigned long long)p->n, (unsigned long long)p->frames,
                            (unsigned long long)AWGN_MAX_SYMBOLS);
    if (!rf_param_f64(c->params, "sigma", &sigma) || !(sigma > 0) || !isfinite((float)sigma) ||
        (float)sigma < 0x1p-20f || (float)sigma > 0x1p20f)
        return rf_run_error(err, errlen, "parameter sigma is missing or not in [2^-20, 2^20]");
    p->sigma = (float)sigma;
    return 0;
}

static int awgn_make_inputs(rf_case *c, char *err, size_t errlen)
{
    awgn_params p;
    uint64_t bits_seed = 9;
    if (awgn_read(c, &p, err, errlen)) return -1;
    rf_param_u64(c->params, "bits_seed", &bits_seed);
    uint8_t *bits = rf_case_add2(c, "in.bits", RF_DT_U8, p.frames, p.n);
    if (!bits) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < p.frames * p.n; i++) bits[i] = (uint8_t)(rf_gen_word(bits_seed, 0, i) & 1);
    return 0;
}

static const uint8_t *awgn_bits(const rf_case *c, const awgn_params *p, char *err, size_t errlen)
{
    uint64_t count;
    const uint8_t *bits = rf_case_data(c, "in.bits", RF_DT_U8, &count);
    if (!bits || count != p->n * p->frames) {
        rf_run_error(err, errlen, "case has no u8 array in.bits of frames x n = %llu x %llu",
                     (unsigned long long)p->frames, (unsigned long long)p->n);
        return NULL;
    }
    return bits;
}

static int awgn_oracle(rf_case *c, char *err, size_t errlen)
{
    awgn_params p;
    if (awgn_read(c, &p, err, errlen)) return -1;
    const uint8_t *bits = awgn_bits(c, &p, err, errlen);
    if (!bits) return -1;
    const size_t total = (size_t)(p.n * p.frames);
    double *want = rf_case_add2(c, "want.llr", RF_DT_F64, p.frames, p.n);
    double *scale = rf_case_add2(c, "scale.llr", RF_DT_F64, p.frames, p.n);
    long double *l = malloc(total * sizeof *l), *s = malloc(total * sizeof *s);
    if (!want || !scale || !l || !s) {
        free(l);
        free(s);
        return rf_run_error(err, errlen, "out of memory");
    }
    ora_awgn_llr(bits, (size_t)p.n, (size_t)p.frames, p.first_frame, p.seed, p.sigma, l, s);
    for (size_t i = 0; i < total; i++) {
        want[i] = (double)l[i];
        scale[i] = (double)s[i];
    }
    free(l);
    free(s);
    rf_case_set_param(c, "terms", "2");
    return 0;
}

static int awgn_run(rf_fnptr fn, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    awgn_params p;
    if (awgn_read(c, &p, err, errlen)) return -1;
    const uint8_t *bits = awgn_bits(c, &p, err, errlen);
    if (!bits) return -1;
    float *llr = rf_case_add2(out, "llr", RF_DT_F32, p.frames, p.n);
    if (!llr) return rf_run_error(err, errlen, "out of memory");
    ((rf_awgn_llr_f32_fn)fn)(bits, (size_t)p.n, (size_t)p.frames, p.first_frame, p.seed, p.sigma, llr);
    return 0;
}

typedef struct awgn_bench {
    size_t n, frames;
    uint64_t next_frame;
    float sigma;
    uint8_t *bits;
    float *llr;
} awgn_bench;

static void *awgn_bench_setup(const char *params, rf_work *work)
{
    uint64_t n = 1024, frames = 64;
    double sigma = 0.8;
    rf_param_u64(params, "n", &n);
    rf_param_u64(params, "frames", &frames);
    rf_param_f64(params, "sigma", &sigma);
    if (n < 1 || frames < 1 || n * frames > AWGN_MAX_SYMBOLS || !(sigma > 0)) return NULL;
    awgn_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->n = (size_t)n;
    b->frames = (size_t)frames;
    b->sigma = (float)sigma;
    b->bits = rf_alloc(b->n * b->frames);
    b->llr = rf_alloc(b->n * b->frames * sizeof(float));
    if (!b->bits || !b->llr) {
        rf_free(b->bits);
        rf_free(b->llr);
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < b->n * b->frames; i++) b->bits[i] = (uint8_t)(rf_gen_word(5, 0, i) & 1);
    work->items = (double)(n * frames);
    work->item_unit = "symbols";
    work->flops = 0;
    work->bytes = (double)(n * frames) * (1 + sizeof(float));
    return b;
}

static void awgn_bench_run(rf_fnptr fn, void *state, uint64_t iters)
{
    awgn_bench *b = state;
    for (uint64_t it = 0; it < iters; it++, b->next_frame += b->frames)
        ((rf_awgn_llr_f32_fn)fn)(b->bits, b->n, b->frames, b->next_frame, 3, b->sigma, b->llr);
}

static void awgn_bench_free(void *state)
{
    awgn_bench *b = state;
    if (!b) return;
    rf_free(b->bits);
    rf_free(b->llr);
    free(b);
}

/* Fuzz: seed, first_frame (any 64-bit value), frames 1..8, n 1..2048, sigma = m 2^e with m in
 * [1, 2), e in [-8, 8] (finite, > 0, 2 / sigma^2 far from overflow), bits as given (every bit of
 * the byte, to exercise "only bit 0 is read"). */
static int awgn_fuzz(const uint8_t *data, size_t size, rf_case *c)
{
    rf_bytes b = {data, size};
    const uint64_t seed = (uint64_t)rf_bytes_u32(&b) << 32 | rf_bytes_u32(&b);
    const uint64_t first_frame = (uint64_t)rf_bytes_u32(&b) << 32 | rf_bytes_u32(&b);
    const size_t frames = 1 + rf_bytes_u8(&b) % 8;
    const size_t n = 1 + rf_bytes_u32(&b) % 2048;
    const uint32_t sb = rf_bytes_u32(&b);
    const float sigma = ldexpf(1.0f + (float)(sb & 0x7fffff) * 0x1p-23f, (int)((sb >> 23) % 17) - 8);
    rf_case_set_param(c, "seed", "%llu", (unsigned long long)seed);
    rf_case_set_param(c, "n", "%zu", n);
    rf_case_set_param(c, "frames", "%zu", frames);
    rf_case_set_param(c, "first_frame", "%llu", (unsigned long long)first_frame);
    rf_case_set_param(c, "sigma", "%.9g", (double)sigma);
    uint8_t *bits = rf_case_add2(c, "in.bits", RF_DT_U8, frames, n);
    if (!bits) return -1;
    for (size_t i = 0; i < frames * n; i++) bits[i] = rf_bytes_u8(&b);
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

static const rf_case_spec awgn_cases[] = {
    {"f8x256_sigma0.5", "seed=7 n=256 frames=8 first_frame=100 sigma=0.5 bits_seed=9"},
    {"f8x256_sigma0.875", "seed=7 n=256 frames=8 first_frame=100 sigma=0.875 bits_seed=9"},
    {"f3x37_sigma1.25", "seed=8 n=37 frames=3 first_frame=4294967295 sigma=1.25 bits_seed=10"},
    {NULL, NULL},
};

static const char *const gen_sizes[] = {"n=4096", "n=65536", NULL};
static const char *const awgn_sizes[] = {"frames=64 n=1024 sigma=0.8", NULL};

static const rf_kernel philox_u32_kernel = {
    .name = "philox_u32",
    .family = "rng",
    .summary = "Philox4x32-10 words of one stream, any range",
    .work_dtype = RF_DT_NONE, /* integers: compared exactly, never as floats */
    .level = RF_LEVELS_ALL(philox_u32),
    .autovec = RF_AUTOVEC(philox_u32),
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
    .level = RF_LEVELS_ALL(uniform_f32),
    .autovec = RF_AUTOVEC(uniform_f32),
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
    .level = RF_LEVELS_ALL(gauss_f32),
    .autovec = RF_AUTOVEC(gauss_f32),
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

static const rf_kernel awgn_llr_f32_kernel = {
    .name = "awgn_llr_f32",
    .family = "rng",
    .summary = "BPSK over AWGN: channel LLRs 2y/sigma^2 of frames of bits",
    .work_dtype = RF_DT_F32,
    .level = RF_LEVELS_ALL(awgn_llr_f32),
    .autovec = RF_AUTOVEC(awgn_llr_f32),
    .tol = {RF_TOL_SUM, 12, 0},
    .cases = awgn_cases,
    .make_inputs = awgn_make_inputs,
    .oracle = awgn_oracle,
    .run = awgn_run,
    .bench_sizes = awgn_sizes,
    .bench_setup = awgn_bench_setup,
    .bench_run = awgn_bench_run,
    .bench_free = awgn_bench_free,
    .fuzz_inputs = awgn_fuzz,
};

const rf_kernel *const rf_family_rng[] = {&philox_u32_kernel, &uniform_f32_kernel, &gauss_f32_kernel,
                                          &awgn_llr_f32_kernel, NULL};
