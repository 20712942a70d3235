/* Registry entry of polar_sc_i8 (refast/decoders.h): polar SC on int8 LLRs, saturating fixed
 * point, ref + every level.
 *
 * Case parameters: the codes of kernels/registry/polar.c (code = p64_7 | p128_96 | rm m r |
 * bhat log2n K design, built by its make_mask), frames, sigma, seed, and
 *   input = awgn      random message, polar encoding, BPSK over AWGN (rf_gen_awgn_frame, the
 *                     float decoder's inputs for the same seed), quantised by rf_quantize_llr_i8
 *                     (lib/codes/quant.h) in Q(bits, frac), default bits=6 frac=1; bits=8
 *                     with a large frac makes the g sums saturate often;
 *         | specials  LLRs drawn from {0, +-1, +-2, +-3, +-63, +-64, +-126, +-127, -128}: zeros
 *                     (the rate-1 / SPC fallbacks), |L| ties (SPC), saturated values and -128
 *                     (read as -127);
 *         | raw       uniform int8 over the whole range, -128 included.
 * in.llr is stored as u8 (the int8 values' two's-complement bytes; the case format has no i8).
 *
 * Oracle: oracle/polar_i8.c (ora_polar_sc_i8), an independent computation (each leaf's LLR rebuilt
 * along its path from the channel and the decided prefix, codewords by the subset definition),
 * not the ref: integer arithmetic leaves nothing to excuse, so class `exact` and ref and every
 * level must equal it bit for bit (the exact-class kernels of codes.c and rng.c are judged the same
 * way, by independent oracles). O(N^2 log N) per frame: the golden and fuzz codes stay at
 * N <= 2^12; the benchmark's N = 2^15 needs no oracle.
 */
#include <stdlib.h>
#include <string.h>

#include "codes/quant.h"
#include "common.h"
#include "oracle.h"
#include "polar_cases.h"
#include "refast/decoders.h"

#define I8_ORACLE_MAX_LOG2N 12
#define I8_MAX_LOG2N 16

static int i8_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    enum { AWGN, SPECIALS, RAW };
    static const char *const kinds[] = {"awgn", "specials", "raw", NULL};
    uint64_t frames, seed = 1, bits = RF_QUANT_SC_BITS, frac = RF_QUANT_SC_FRAC;
    double sigma;
    uint8_t *frozen = NULL;
    const int log2n = rf_polar_case_mask(c, &frozen, err, errlen);
    if (log2n < 0) return -1;
    if (!rf_need_u64(c, "frames", 1, 1u << 16, &frames, err, errlen)) return -1;
    if (rf_param_positive(c, "sigma", 1.0, &sigma, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    const int kind = rf_param_keyword(c, "input", kinds, AWGN, err, errlen);
    if (kind < 0) return -1;
    if (strstr(c->params, "bits=") && !rf_need_u64(c, "bits", 2, 8, &bits, err, errlen)) return -1;
    if (strstr(c->params, "frac=") && !rf_need_u64(c, "frac", 0, 7, &frac, err, errlen)) return -1;
    const size_t n = (size_t)1 << log2n;
    int8_t *q = rf_case_add2(c, "in.llr", RF_DT_U8, frames, n);
    uint8_t *x = malloc(n);
    float *l = malloc(n * sizeof *l);
    if (!q || !x || !l) {
        free(x);
        free(l);
        return rf_run_error(err, errlen, "out of memory");
    }
    static const int8_t special[16] = {0, 1, -1, 2, -2, 3, -3, 63, -63, 64, -64, 126, -126, 127, -127, -128};
    for (uint64_t f = 0; f < frames; f++) {
        int8_t *row = q + f * n;
        if (kind == SPECIALS) {
            for (size_t i = 0; i < n; i++) row[i] = special[rf_gen_word(seed, 2, f * n + i) % 16];
        } else if (kind == RAW) {
            for (size_t i = 0; i < n; i++) row[i] = (int8_t)(uint8_t)rf_gen_word(seed, 2, f * n + i);
        } else {
            for (size_t i = 0; i < n; i++) x[i] = frozen[i] ? 0 : rf_gen_word(seed, 0, f * n + i) & 1;
            rf_polar_case_encode((unsigned)log2n, x);
            rf_gen_awgn_frame(x, n, sigma, seed, f, l);
            rf_quantize_llr_i8(l, n, (unsigned)bits, (unsigned)frac, row);
        }
    }
    free(x);
    free(l);
    return 0;
}

typedef struct i8_args {
    unsigned log2n;
    size_t n, k, frames;
    const uint8_t *frozen;
    const int8_t *llr;
    uint8_t *msg;
} i8_args;

static int i8_inputs(const rf_case *c, i8_args *a, char *err, size_t errlen)
{
    const rf_array *fz = rf_case_need(c, "in.frozen", RF_DT_U8, 1, err, errlen);
    const rf_array *l = fz ? rf_case_need(c, "in.llr", RF_DT_U8, 2, err, errlen) : NULL;
    if (!l) return -1;
    a->n = (size_t)fz->count;
    a->log2n = rf_ceil_log2(a->n);
    if (((size_t)1 << a->log2n) != a->n || a->log2n > I8_MAX_LOG2N || l->shape[1] != a->n)
        return rf_run_error(err, errlen, "in.frozen must have N = 2^m <= 2^%d entries, the row length of in.llr",
                            I8_MAX_LOG2N);
    a->frozen = fz->data;
    a->llr = (const int8_t *)l->data;
    a->frames = (size_t)l->shape[0];
    a->k = 0;
    for (size_t i = 0; i < a->n; i++) a->k += !a->frozen[i];
    return 0;
}

static int i8_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    i8_args a = {0};
    if (i8_inputs(c, &a, err, errlen)) return -1;
    if (a.log2n > I8_ORACLE_MAX_LOG2N)
        return rf_run_error(err, errlen, "the oracle handles N <= 2^%d", I8_ORACLE_MAX_LOG2N);
    uint8_t *want = rf_case_add2(c, "want.msg", RF_DT_U8, a.frames, a.k);
    if (!want) return rf_run_error(err, errlen, "out of memory");
    for (size_t f = 0; f < a.frames; f++)
        if (ora_polar_sc_i8(a.log2n, a.frozen, a.llr + f * a.n, want + f * a.k))
            return rf_run_error(err, errlen, "out of memory");
    return 0;
}

static int i8_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err, size_t errlen)
{
    (void)desc;
    i8_args *a = args;
    if (i8_inputs(c, a, err, errlen)) return -1;
    a->msg = rf_case_out(out, "msg", RF_DT_U8, 2, (const uint64_t[]){a->frames, a->k});
    return a->msg ? 0 : rf_run_error(err, errlen, "out of memory");
}

static void i8_call(const rf_impl *im, void *args)
{
    const i8_args *a = args;
    ((rf_polar_sc_i8_fn)im->fn)(a->log2n, a->frozen, a->llr, a->frames, a->msg);
}

/* ops: the f/g evaluations (integer). */
static void i8_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    const i8_args *a = args;
    w->items = (double)a->frames;
    w->item_unit = "frames";
    w->flops = (double)a->frames * (double)a->n * a->log2n;
    w->bytes = (double)a->frames * ((double)a->n + (double)a->k);
}

/* The large fuzz mode's largest code. */
#define I8_LARGE_LOG2N 10

/* Random code (N <= 64; N <= 1024 in the large mode), random mask, random int8 LLRs: a mixture of
 * small magnitudes (ties and zeros), the extremes +-127 and -128, and the whole range. Exact class:
 * every input is usable, nothing is rejected. */
static int i8_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size, 0};
    const unsigned log2n = rf_fuzz_large() ? 7 + rf_bytes_u8(&b) % (I8_LARGE_LOG2N - 6) : rf_bytes_u8(&b) % 7;
    const size_t n = (size_t)1 << log2n, frames = 1 + rf_bytes_u8(&b) % 3;
    const unsigned style = rf_bytes_u8(&b) % 3;
    rf_case_set_param(c, "frames", "%zu", frames);
    uint8_t *frozen = rf_case_add1(c, "in.frozen", RF_DT_U8, n);
    int8_t *llr = rf_case_add2(c, "in.llr", RF_DT_U8, frames, n);
    if (!frozen || !llr) return -1;
    for (size_t i = 0; i < n; i++) frozen[i] = rf_bytes_u8(&b) & 1;
    for (size_t i = 0; i < frames * n; i++) {
        const uint8_t v = rf_bytes_u8(&b);
        llr[i] = style == 0 ? (int8_t)((int)(v % 9) - 4)                   /* small: ties, zeros */
                 : style == 1 ? (int8_t)(v & 1 ? (v & 2 ? 127 : -127) : v & 2 ? -128 : (int)(v % 7) - 3)
                              : (int8_t)v;                                  /* the whole range */
    }
    return 0;
}

static const rf_case_spec i8_cases[] = {
    {"p64_7_s1.5", "code=p64_7 frames=64 sigma=1.5 seed=6481"},
    {"p64_7_s2.2", "code=p64_7 frames=64 sigma=2.2 seed=6482"},
    {"p128_96_s0.5", "code=p128_96 frames=64 sigma=0.5 seed=12881"},
    {"p128_96_s0.6", "code=p128_96 frames=64 sigma=0.6 seed=12882"},
    {"p128_96_q8_3_s0.5", "code=p128_96 frames=64 sigma=0.5 bits=8 frac=3 seed=12883"},
    {"bhat10_512_s0.7", "code=bhat log2n=10 K=512 design=0.7 frames=8 sigma=0.7 seed=1081"},
    {"bhat12_3440_s0.5", "code=bhat log2n=12 K=3440 design=0.5 frames=2 sigma=0.5 seed=4081"},
    {"specials_p64_7", "code=p64_7 frames=32 input=specials seed=7"},
    {"specials_p128_96", "code=p128_96 frames=32 input=specials seed=8"},
    {"specials_rm7_4", "code=rm m=7 r=4 frames=32 input=specials seed=9"},
    {"raw_bhat9_400", "code=bhat log2n=9 K=400 frames=8 input=raw seed=10"},
    {NULL, NULL},
};

/* The float polar_sc's benchmark inputs (same seeds, sigma and codes), quantised: the two decoders
 * decode the same frames. */
static const char *const i8_sizes[] = {
    "code=p64_7 frames=1024 sigma=1.5 seed=5",
    "code=p128_96 frames=512 sigma=0.5 seed=5",
    "code=bhat log2n=10 K=512 design=0.7 frames=64 sigma=0.7 seed=5",
    "code=bhat log2n=15 K=27525 design=0.5 frames=2 sigma=0.5 seed=5",
    NULL};

static const rf_kernel polar_sc_i8_kernel = {
    .name = "polar_sc_i8",
    .family = "polar",
    .summary = "Polar SC decoder on int8 LLRs, saturating fixed point, minsum (bit-exact at every level)",
    .work_dtype = RF_DT_NONE, /* integers: compared exactly */
    .id = RF_KID(polar_sc_i8),
    .tol = {RF_TOL_EXACT, 0, 0, 0},
    .cases = i8_cases,
    .free_length = "frames",
    .bench_sizes = i8_sizes,
    .make_inputs = i8_make_inputs,
    .oracle = i8_oracle,
    .args_size = sizeof(i8_args),
    .bind = i8_bind,
    .call = i8_call,
    .work = i8_work,
    .fuzz_inputs = i8_fuzz,
};

const rf_kernel *const rf_family_polar_i8[] = {&polar_sc_i8_kernel, NULL};
