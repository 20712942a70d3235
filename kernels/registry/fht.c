/* Registry entries of the FHT family: fht_f32 and fht_f32_batch.
 *
 * Case parameters: log2n (1..20), count (vectors; 1 for fht_f32), input = random (uniform in
 * [-1,1)) | equal (all 1.5: one non-zero output) | alternating (+-0.75: one non-zero output) |
 * wide (random signs, magnitudes 2^[-60,60]: the sum bound at its widest), seed.
 * Oracle: ora_fht (double-long-double). want.x f64, scale.x = sum|x| per vector.
 * Tolerance: sum, tau = ceil(log2 n) + 1 (rf_tol.tau_per_log2), a proven bound rather than a
 * measured one: every output of stage s is a signed sum of 2^s inputs, each butterfly rounds once
 * (fl(a +- b) = (a +- b)(1 + delta), |delta| <= u), so by induction the error of a stage-s value is
 * <= ((1 + u)^s - 1) times the sum of |x| over its inputs <= s u (1 + s u) S; the + 1 covers the
 * second-order term and want's rounding to f64. Any butterfly order has this bound, so it holds for
 * every level and peer. Measured (refast measure --kernel 'fht_f32*' --isa all --peers --fuzz 1000
 * --seed 7, x86_64; NEON not yet measured): worst ratio 3.78 (fuzz, log2n = 8: bound 9), golden
 * n65536 0.245 (bound 17; it was 8 ceil(log2 n) + 8 = 136, 555x the measured error), the same at every
 * level: the fast levels are bit-identical to ref by design (their butterflies are ref's, in ref's
 * order), which golden/REPRODUCIBILITY.<arch> asserts per case (one group of identical outputs).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "oracle.h"
#include "refast/fht.h"

enum { FHT_ONE = 0, FHT_BATCH = 1 };

static int fht_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
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

static int fht_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    const rf_array *in = rf_case_need(c, "in.x", RF_DT_F32, 2, err, errlen);
    if (!in) return -1;
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

/* The arguments of one call: the vectors are the output array x, a copy of in.x (in place). */
typedef struct fht_args {
    float *x;
    unsigned log2n;
    size_t count;
} fht_args;

static int fht_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                    size_t errlen)
{
    (void)desc;
    fht_args *a = args;
    const rf_array *in = rf_case_need(c, "in.x", RF_DT_F32, 2, err, errlen);
    if (!in) return -1;
    const size_t n = (size_t)in->shape[1];
    a->log2n = rf_ceil_log2(n);
    a->count = (size_t)in->shape[0];
    if (n < 2 || ((size_t)1 << a->log2n) != n || a->log2n > RF_FHT_MAX_LOG2N)
        return rf_run_error(err, errlen, "in.x row length %zu is not 2^1..2^20", n);
    a->x = rf_case_out(out, "x", RF_DT_F32, 2, in->shape);
    if (!a->x) return rf_run_error(err, errlen, "out of memory");
    memcpy(a->x, in->data, a->count * n * sizeof *a->x);
    return 0;
}

static void fht_call(const rf_impl *im, void *args)
{
    const fht_args *a = args;
    if (im->kernel->variant == FHT_BATCH) {
        ((rf_fht_f32_batch_fn)im->fn)(a->x, a->log2n, a->count);
        return;
    }
    for (size_t v = 0; v < a->count; v++) ((rf_fht_f32_fn)im->fn)(a->x + (v << a->log2n), a->log2n);
}

/* In place, the transform grows the vector's norm by sqrt(n) per application: the inputs are
 * copied back every 200 / log2n calls (so values stay far from overflow), under 1% of the work at
 * the benchmarked sizes. */
static void fht_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    const fht_args *a = args;
    const double n = (double)((size_t)1 << a->log2n);
    w->items = (double)a->count;
    w->item_unit = "transforms";
    w->flops = (double)a->count * n * a->log2n; /* n log2 n additions */
    w->bytes = (double)a->count * n * 2 * sizeof(float);
    w->rebind_every = 200 / a->log2n;
}

/* Fuzz: byte 0 picks log2n in 1..12 (count 1..4 for the batch form), then floats with specials;
 * magnitudes up to 2^100 so that 2^16 terms cannot overflow. The large mode (rf_fuzz_large) picks
 * log2n in 11..16 instead: the L1-blocked passes start above 2^12. */
static int fht_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    rf_bytes b = {data, size, 0};
    unsigned log2n = rf_fuzz_large() ? 11 + rf_bytes_u8(&b) % 6 : 1 + rf_bytes_u8(&b) % 12;
    size_t count = desc->variant == FHT_BATCH ? 1 + rf_bytes_u8(&b) % 4 : 1;
    size_t n = (size_t)1 << log2n;
    rf_case_set_param(c, "log2n", "%u", log2n);
    rf_case_set_param(c, "count", "%zu", count);
    float *x = rf_case_add2(c, "in.x", RF_DT_F32, count, n);
    if (!x) return -1;
    for (size_t i = 0; i < count * n; i++) x[i] = rf_bytes_f32(&b, 100, 1);
    return 0;
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
    .id = RF_KID(fht_f32),
    .variant = FHT_ONE,
    .tol = {RF_TOL_SUM, 1, 0, 1}, /* ceil(log2 n) + 1: see the top of this file */
    .cases = fht_cases,
    .make_inputs = fht_make_inputs,
    .oracle = fht_oracle,
    .args_size = sizeof(fht_args),
    .bind = fht_bind,
    .call = fht_call,
    .work = fht_work,
    .bench_sizes = fht_sizes,
    .fuzz_inputs = fht_fuzz,
};

static const rf_kernel fht_f32_batch_kernel = {
    .name = "fht_f32_batch",
    .family = "fht",
    .summary = "Walsh-Hadamard transform of many contiguous vectors",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(fht_f32_batch),
    .variant = FHT_BATCH,
    .tol = {RF_TOL_SUM, 1, 0, 1},
    .cases = fht_batch_cases,
    .free_length = "count",
    .make_inputs = fht_make_inputs,
    .oracle = fht_oracle,
    .args_size = sizeof(fht_args),
    .bind = fht_bind,
    .call = fht_call,
    .work = fht_work,
    .bench_sizes = fht_batch_sizes,
    .fuzz_inputs = fht_fuzz,
};

const rf_kernel *const rf_family_fht[] = {&fht_f32_kernel, &fht_f32_batch_kernel, NULL};
