/* Registry entries of the FHT family: fht_f32 and fht_f32_batch.
 *
 * Case parameters: log2n (1..20), count (vectors; 1 for fht_f32), input = random (uniform in
 * [-1,1)) | equal (all 1.5: one non-zero output) | alternating (+-0.75: one non-zero output) |
 * wide (random signs, magnitudes 2^[-60,60]: the sum bound at its widest), seed.
 * Oracle: ora_fht (double-long-double). want.x f64, scale.x = sum|x| per vector.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "common.h"
#include "refast/fht.h"

void rf_fht_f32(float *x, unsigned log2n)
{
    ((rf_fht_f32_fn)rf_kernel_impl(rf_family_fht[0], rf_isa_current(), NULL))(x, log2n);
}

void rf_fht_f32_batch(float *x, unsigned log2n, size_t count)
{
    ((rf_fht_f32_batch_fn)rf_kernel_impl(rf_family_fht[1], rf_isa_current(), NULL))(x, log2n, count);
}

static int fht_make_inputs(rf_case *c, char *err, size_t errlen)
{
    uint64_t log2n, count = 1, seed = 1;
    char input[32] = "random";
    if (!rf_need_u64(c, "log2n", 1, RF_FHT_MAX_LOG2N, &log2n, err, errlen)) return -1;
    if (rf_param_u64(c->params, "count", &count) && (count == 0 || count > 4096))
        return rf_run_error(err, errlen, "parameter count=%llu is outside [1, 4096]",
                            (unsigned long long)count);
    rf_param_u64(c->params, "seed", &seed);
    rf_param_str(c->params, "input", input, sizeof input);
    const size_t n = (size_t)1 << log2n;
    float *x = rf_case_add2(c, "in.x", RF_DT_F32, count, n);
    if (!x) return rf_run_error(err, errlen, "out of memory for %llu x %zu floats",
                                (unsigned long long)count, n);
    for (size_t i = 0; i < count * n; i++) {
        if (strcmp(input, "random") == 0) {
            x[i] = (float)rf_gen_uniform(seed, 0, i, -1.0, 1.0);
        } else if (strcmp(input, "equal") == 0) {
            x[i] = 1.5f;
        } else if (strcmp(input, "alternating") == 0) {
            x[i] = (i & 1) ? -0.75f : 0.75f;
        } else if (strcmp(input, "wide") == 0) {
            double e = floor(rf_gen_uniform(seed, 1, i, -60.0, 61.0));
            double sign = rf_gen_word(seed, 2, i) & 1 ? -1.0 : 1.0;
            x[i] = (float)(sign * ldexp(rf_gen_uniform(seed, 0, i, 1.0, 2.0), (int)e));
        } else {
            return rf_run_error(err, errlen, "unknown input kind '%s' (random, equal, alternating, wide)",
                                input);
        }
    }
    return 0;
}

static int fht_oracle(rf_case *c, char *err, size_t errlen)
{
    const rf_array *in = rf_case_find(c, "in.x");
    if (!in || in->dtype != RF_DT_F32 || in->ndim != 2)
        return rf_run_error(err, errlen, "case has no 2-d f32 array in.x");
    const size_t count = (size_t)in->shape[0], n = (size_t)in->shape[1];
    const unsigned log2n = rf_ceil_log2(n);
    if (n < 2 || ((size_t)1 << log2n) != n || log2n > RF_FHT_MAX_LOG2N)
        return rf_run_error(err, errlen, "in.x row length %zu is not 2^1..2^20", n);
    double *want = rf_case_add2(c, "want.x", RF_DT_F64, count, n);
    double *scale = rf_case_add1(c, "scale.x", RF_DT_F64, count);
    long double *tmp = malloc(n * sizeof *tmp);
    if (!want || !scale || !tmp) {
        free(tmp);
        return rf_run_error(err, errlen, "out of memory");
    }
    const float *x = in->data;
    for (size_t v = 0; v < count; v++) {
        ora_fht(x + v * n, log2n, tmp);
        for (size_t i = 0; i < n; i++) want[v * n + i] = (double)tmp[i];
        scale[v] = (double)ora_abs_sum(x + v * n, n);
    }
    free(tmp);
    rf_case_set_param(c, "terms", "%zu", n);
    return 0;
}

/* Copies in.x into the output x and returns it with its geometry. */
static float *fht_prepare(const rf_case *c, rf_case *out, unsigned *log2n, size_t *count,
                          char *err, size_t errlen)
{
    const rf_array *in = rf_case_find(c, "in.x");
    if (!in || in->dtype != RF_DT_F32 || in->ndim != 2) {
        rf_run_error(err, errlen, "case has no 2-d f32 array in.x");
        return NULL;
    }
    const size_t n = (size_t)in->shape[1];
    *log2n = rf_ceil_log2(n);
    *count = (size_t)in->shape[0];
    if (n < 2 || ((size_t)1 << *log2n) != n || *log2n > RF_FHT_MAX_LOG2N) {
        rf_run_error(err, errlen, "in.x row length %zu is not 2^1..2^20", n);
        return NULL;
    }
    float *x = rf_case_add2(out, "x", RF_DT_F32, *count, n);
    if (!x) rf_run_error(err, errlen, "out of memory");
    else memcpy(x, in->data, *count * n * sizeof *x);
    return x;
}

static int fht_run(rf_fnptr fn, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    unsigned log2n;
    size_t count;
    float *x = fht_prepare(c, out, &log2n, &count, err, errlen);
    if (!x) return -1;
    for (size_t v = 0; v < count; v++) ((rf_fht_f32_fn)fn)(x + (v << log2n), log2n);
    return 0;
}

static int fht_batch_run(rf_fnptr fn, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    unsigned log2n;
    size_t count;
    float *x = fht_prepare(c, out, &log2n, &count, err, errlen);
    if (!x) return -1;
    ((rf_fht_f32_batch_fn)fn)(x, log2n, count);
    return 0;
}

/* Benchmark state. The transform is applied in place again and again; every application grows
 * the vector's norm by sqrt(n), so after `refresh` transforms the pristine input is copied back
 * (refresh * log2n / 2 < 100 keeps every value far from overflow). The copy costs one pass per
 * `refresh` transforms, under 1% of the work at the benchmarked sizes. */
typedef struct fht_bench {
    unsigned log2n;
    size_t count, n, refresh, since;
    float *x, *pristine;
} fht_bench;

static void *fht_bench_setup(const char *params, rf_work *work)
{
    uint64_t log2n = 10, count = 1;
    rf_param_u64(params, "log2n", &log2n);
    rf_param_u64(params, "count", &count);
    if (log2n < 1 || log2n > RF_FHT_MAX_LOG2N || count < 1) return NULL;
    fht_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->log2n = (unsigned)log2n;
    b->count = count;
    b->n = (size_t)1 << log2n;
    b->refresh = 200 / log2n;
    b->x = rf_alloc(count * b->n * sizeof(float));
    b->pristine = rf_alloc(count * b->n * sizeof(float));
    if (!b->x || !b->pristine) {
        rf_free(b->x);
        rf_free(b->pristine);
        free(b);
        return NULL;
    }
    rf_gen_uniform_f32(7, 0, count * b->n, -1.0f, 1.0f, b->pristine);
    memcpy(b->x, b->pristine, count * b->n * sizeof(float));
    work->items = (double)count;
    work->item_unit = "transforms";
    work->flops = (double)count * (double)b->n * (double)log2n; /* n log2 n additions */
    work->bytes = (double)count * (double)b->n * 2 * sizeof(float);
    return b;
}

static void fht_refresh(fht_bench *b)
{
    if (++b->since >= b->refresh) {
        memcpy(b->x, b->pristine, b->count * b->n * sizeof(float));
        b->since = 0;
    }
}

static void fht_bench_run(rf_fnptr fn, void *state, uint64_t iters)
{
    fht_bench *b = state;
    for (uint64_t it = 0; it < iters; it++) {
        for (size_t v = 0; v < b->count; v++) ((rf_fht_f32_fn)fn)(b->x + v * b->n, b->log2n);
        fht_refresh(b);
    }
}

static void fht_batch_bench_run(rf_fnptr fn, void *state, uint64_t iters)
{
    fht_bench *b = state;
    for (uint64_t it = 0; it < iters; it++) {
        ((rf_fht_f32_batch_fn)fn)(b->x, b->log2n, b->count);
        fht_refresh(b);
    }
}

static void fht_bench_free(void *state)
{
    fht_bench *b = state;
    if (!b) return;
    rf_free(b->x);
    rf_free(b->pristine);
    free(b);
}

/* Fuzz: byte 0 picks log2n in 1..12 (count 1..4 for the batch form), then floats with specials;
 * magnitudes up to 2^100 so that 2^12 terms cannot overflow. */
static int fht_fuzz_common(const uint8_t *data, size_t size, rf_case *c, int batch)
{
    rf_bytes b = {data, size};
    unsigned log2n = 1 + rf_bytes_u8(&b) % 12;
    size_t count = batch ? 1 + rf_bytes_u8(&b) % 4 : 1;
    size_t n = (size_t)1 << log2n;
    rf_case_set_param(c, "log2n", "%u", log2n);
    rf_case_set_param(c, "count", "%zu", count);
    float *x = rf_case_add2(c, "in.x", RF_DT_F32, count, n);
    if (!x) return -1;
    for (size_t i = 0; i < count * n; i++) x[i] = rf_bytes_f32(&b, 100, 1);
    return 0;
}

static int fht_fuzz(const uint8_t *data, size_t size, rf_case *c)
{
    return fht_fuzz_common(data, size, c, 0);
}

static int fht_batch_fuzz(const uint8_t *data, size_t size, rf_case *c)
{
    return fht_fuzz_common(data, size, c, 1);
}

static const rf_case_spec fht_cases[] = {
    {"n2_random", "log2n=1 input=random seed=11"},
    {"n2_equal", "log2n=1 input=equal"},
    {"n2_alternating", "log2n=1 input=alternating"},
    {"n2_wide", "log2n=1 input=wide seed=12"},
    {"n64_random", "log2n=6 input=random seed=13"},
    {"n64_equal", "log2n=6 input=equal"},
    {"n64_alternating", "log2n=6 input=alternating"},
    {"n64_wide", "log2n=6 input=wide seed=14"},
    {"n1024_random", "log2n=10 input=random seed=15"},
    {"n1024_equal", "log2n=10 input=equal"},
    {"n1024_alternating", "log2n=10 input=alternating"},
    {"n1024_wide", "log2n=10 input=wide seed=16"},
    {"n65536_random", "log2n=16 input=random seed=17"},
    {"n65536_equal", "log2n=16 input=equal"},
    {"n65536_alternating", "log2n=16 input=alternating"},
    {"n65536_wide", "log2n=16 input=wide seed=18"},
    {NULL, NULL},
};

static const rf_case_spec fht_batch_cases[] = {
    {"n8x5_random", "log2n=3 count=5 input=random seed=21"},
    {"n32x3_wide", "log2n=5 count=3 input=wide seed=22"},
    {"n256x7_random", "log2n=8 count=7 input=random seed=23"},
    {"n4096x2_random", "log2n=12 count=2 input=random seed=24"},
    {NULL, NULL},
};

static const char *const fht_sizes[] = {"log2n=6", "log2n=10", "log2n=16", NULL};
static const char *const fht_batch_sizes[] = {"log2n=8 count=64", "log2n=10 count=64", NULL};

static const rf_kernel fht_f32_kernel = {
    .name = "fht_f32",
    .family = "fht",
    .summary = "unnormalised Walsh-Hadamard transform, one vector in place",
    .work_dtype = RF_DT_F32,
    .level = RF_LEVELS_ALL(fht_f32),
    .autovec = RF_AUTOVEC(fht_f32),
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = fht_cases,
    .make_inputs = fht_make_inputs,
    .oracle = fht_oracle,
    .run = fht_run,
    .bench_sizes = fht_sizes,
    .bench_setup = fht_bench_setup,
    .bench_run = fht_bench_run,
    .bench_free = fht_bench_free,
    .fuzz_inputs = fht_fuzz,
};

static const rf_kernel fht_f32_batch_kernel = {
    .name = "fht_f32_batch",
    .family = "fht",
    .summary = "Walsh-Hadamard transform of many contiguous vectors",
    .work_dtype = RF_DT_F32,
    .level = RF_LEVELS_ALL(fht_f32_batch),
    .autovec = RF_AUTOVEC(fht_f32_batch),
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = fht_batch_cases,
    .make_inputs = fht_make_inputs,
    .oracle = fht_oracle,
    .run = fht_batch_run,
    .bench_sizes = fht_batch_sizes,
    .bench_setup = fht_bench_setup,
    .bench_run = fht_batch_bench_run,
    .bench_free = fht_bench_free,
    .fuzz_inputs = fht_batch_fuzz,
};

const rf_kernel *const rf_family_fht[] = {&fht_f32_kernel, &fht_f32_batch_kernel, NULL};
