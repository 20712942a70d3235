/* Registry entries of the codes family: rm_encode_packed, rm_encode_f32, polar_encode_packed,
 * polar_encode_f32 (every level, class exact) and polar_construct_ga (the GA frozen set, plain C,
 * ref only), plus the dispatching wrappers of refast/codes.h.
 *
 * RM case parameters: m (0..16), r (0..m, checked by rf_rm_check), frames, seed, input = random
 * (default) | zeros | ones | unit (frame f has the single message bit f % k set: the rows of the
 * generator, in the canonical order), or source = rm_8_2 | rm_9_2: external truth, the KO
 * authors' messages (canonical order) and THEIR Plotkin encoder's +-1 codewords as want
 * (ko-reference/README.md §3, §6; read by golden generate only, kernels/registry/koref.h; the
 * params record the XXH3-64 of both files). Class exact: README checked their codewords equal
 * the canonical encoder's on 1000/1000 frames.
 * Polar case parameters: log2n (0..12), frozen = ga (K, sigma) | bh (Bhattacharyya: K, sigma) |
 * rm (r; the `rm` rule with m = log2n) | preset (Polar(64,7), log2n = 6) | random (K positions
 * drawn from Philox), frames, seed, input as for RM. The frozen mask is built by kernels/codes.c:
 * it is an INPUT of the encoder cases (stored as in.frozen); the GA construction itself is judged
 * by polar_construct_ga against the oracle.
 * polar_construct_ga parameters: log2n (0..12), K, sigma; in.sigma holds sigma as f64.
 *
 * Oracles (oracle/codes.c): RM by monomial evaluation, polar by rows of an explicit F^{(x)n}, GA
 * in long double with phi^-1 by bisection. want.cw (u64, packed like the kernels), want.x (f32
 * +-1), want.frozen (u8). The GA oracle refuses a case whose K-th and (K+1)-th channel means are
 * closer than 1e-9 relative: the double-precision construction may order such a near-tie either
 * way, and an exact golden must not depend on it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "common.h"
#include "koref.h"
#include "codes/construct.h"

#define ORACLE_MAX_LOG2N 12
#define GA_MIN_GAP 1e-9L


/* ---- inputs ----------------------------------------------------------------------------------- */

static int fill_messages(rf_case *c, size_t frames, size_t k, char *err, size_t errlen)
{
    uint64_t seed = 1;
    char input[32] = "random";
    rf_param_u64(c->params, "seed", &seed);
    rf_param_str(c->params, "input", input, sizeof input);
    uint8_t *msg = rf_case_add2(c, "in.msg", RF_DT_U8, frames, k);
    if (!msg) return rf_run_error(err, errlen, "out of memory for %zu frames of %zu message bits", frames, k);
    for (size_t f = 0; f < frames; f++)
        for (size_t t = 0; t < k; t++) {
            uint8_t b;
            if (strcmp(input, "random") == 0)
                b = rf_gen_word(seed, 0, f * k + t) & 1;
            else if (strcmp(input, "zeros") == 0)
                b = 0;
            else if (strcmp(input, "ones") == 0)
                b = 1;
            else if (strcmp(input, "unit") == 0)
                b = t == f % k;
            else
                return rf_run_error(err, errlen, "unknown input kind '%s' (random, zeros, ones, unit)",
                                    input);
            msg[f * k + t] = b;
        }
    return 0;
}

static int rm_params(const rf_case *c, unsigned *m, unsigned *r, char *err, size_t errlen)
{
    uint64_t mm, rr;
    if (!rf_param_u64(c->params, "m", &mm) || !rf_param_u64(c->params, "r", &rr))
        return rf_run_error(err, errlen, "parameters m and r are required non-negative integers");
    if (mm > 1000 || rr > 1000) /* beyond any unsigned truncation; rf_rm_check words the rest */
        return rf_run_error(err, errlen, "RM(m,r): m = %llu, r = %llu are out of range (0 <= r <= m <= %d)",
                            (unsigned long long)mm, (unsigned long long)rr, RF_RM_MAX_M);
    if (!rf_rm_check((unsigned)mm, (unsigned)rr, err, errlen)) return -1;
    *m = (unsigned)mm;
    *r = (unsigned)rr;
    return 0;
}

/* source=rm_8_2|rm_9_2 (with m, r = 2, frames <= 1000): the KO authors' messages (ko-reference/
 * rm_m_2/messages.u8, canonical order); their Plotkin encoder's codewords.f32 become want.* */
static int rm_source_check(unsigned m, unsigned r, uint64_t frames, const char *source, char *err,
                           size_t errlen)
{
    char want[16];
    snprintf(want, sizeof want, "rm_%u_2", m);
    if (r != 2 || strcmp(source, want) != 0 || frames > 1000)
        return rf_run_error(err, errlen, "source=%s needs m=8 or 9 matching it, r=2, frames <= 1000", source);
    return 0;
}

static int rm_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    unsigned m = 0, r = 0;
    uint64_t frames;
    char source[32];
    if (rm_params(c, &m, &r, err, errlen)) return -1;
    if (!rf_need_u64(c, "frames", 1, 1u << 16, &frames, err, errlen)) return -1;
    if (rf_param_str(c->params, "source", source, sizeof source)) {
        if (rm_source_check(m, r, frames, source, err, errlen)) return -1;
        const size_t k = rf_rm_k(m, r);
        uint8_t *src = rf_koref_read(c, source, "messages.u8", frames * k, err, errlen);
        uint8_t *msg = src ? rf_case_add2(c, "in.msg", RF_DT_U8, frames, k) : NULL;
        if (msg) memcpy(msg, src, frames * k);
        free(src);
        return msg ? 0 : src ? rf_run_error(err, errlen, "out of memory") : -1;
    }
    return fill_messages(c, frames, rf_rm_k(m, r), err, errlen);
}

static int read_sigma(const rf_case *c, double *sigma, char *err, size_t errlen)
{
    char buf[64];
    if (!rf_param_str(c->params, "sigma", buf, sizeof buf))
        return rf_run_error(err, errlen, "parameter sigma is required");
    if (!rf_param_f64(c->params, "sigma", sigma))
        return rf_run_error(err, errlen, "parameter sigma='%s' is not a number", buf);
    return 0;
}

static int polar_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t log2n, frames, seed = 1, K = 0, r = 0;
    char kind[32] = "";
    double sigma = 0;
    if (!rf_need_u64(c, "log2n", 0, ORACLE_MAX_LOG2N, &log2n, err, errlen)) return -1;
    if (!rf_need_u64(c, "frames", 1, 1u << 16, &frames, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_str(c->params, "frozen", kind, sizeof kind);
    const size_t n = (size_t)1 << log2n;
    uint8_t *frozen = rf_case_add1(c, "in.frozen", RF_DT_U8, n);
    if (!frozen) return rf_run_error(err, errlen, "out of memory");
    const bool sized = strcmp(kind, "ga") == 0 || strcmp(kind, "bh") == 0 || strcmp(kind, "random") == 0;
    if (sized && !rf_need_u64(c, "K", 0, n, &K, err, errlen)) return -1;
    if (strcmp(kind, "ga") == 0 || strcmp(kind, "bh") == 0) {
        if (read_sigma(c, &sigma, err, errlen)) return -1;
        bool ok = kind[0] == 'g'
                      ? rf_polar_construct_ga((unsigned)log2n, K, sigma, frozen, err, errlen)
                      : rf_polar_construct_bhattacharyya((unsigned)log2n, K, sigma, frozen, err, errlen);
        if (!ok) return -1;
    } else if (strcmp(kind, "rm") == 0) {
        if (!rf_need_u64(c, "r", 0, log2n, &r, err, errlen)) return -1;
        if (!rf_polar_construct_rm((unsigned)log2n, (unsigned)r, frozen, err, errlen)) return -1;
    } else if (strcmp(kind, "preset") == 0) {
        if (log2n != 6) return rf_run_error(err, errlen, "frozen=preset is Polar(64,7): log2n must be 6");
        rf_polar_preset_64_7(frozen);
    } else if (strcmp(kind, "random") == 0) {
        memset(frozen, 1, n);
        for (size_t placed = 0, pos = 0; placed < K; pos++) {
            const size_t i = rf_gen_word(seed, 5, pos) & (n - 1);
            if (frozen[i]) {
                frozen[i] = 0;
                placed++;
            }
        }
    } else {
        return rf_run_error(err, errlen, "parameter frozen='%s' is not ga, bh, rm, preset or random", kind);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += frozen[i] == 0;
    return fill_messages(c, frames, k, err, errlen);
}

/* ---- oracle ----------------------------------------------------------------------------------- */

static const uint8_t *msg_input(const rf_case *c, size_t k, size_t *frames, char *err, size_t errlen)
{
    const rf_array *a = rf_case_find(c, "in.msg");
    if (!a || a->dtype != RF_DT_U8 || a->ndim != 2 || a->shape[1] != k) {
        rf_run_error(err, errlen, "case has no u8 array in.msg of frames x %zu message bits", k);
        return NULL;
    }
    *frames = (size_t)a->shape[0];
    return a->data;
}

/* bits (frames x n, one per byte) -> want.cw packed, or want.x +-1 floats. */
static int store_want(rf_case *c, const uint8_t *bits, size_t frames, size_t n, bool packed, char *err,
                      size_t errlen)
{
    const size_t words = rf_packed_words(n);
    if (packed) {
        uint64_t *cw = rf_case_add2(c, "want.cw", RF_DT_U64, frames, words);
        if (!cw) return rf_run_error(err, errlen, "out of memory");
        for (size_t f = 0; f < frames; f++)
            for (size_t i = 0; i < n; i++) cw[f * words + i / 64] |= (uint64_t)bits[f * n + i] << (i % 64);
    } else {
        float *x = rf_case_add2(c, "want.x", RF_DT_F32, frames, n);
        if (!x) return rf_run_error(err, errlen, "out of memory");
        for (size_t i = 0; i < frames * n; i++) x[i] = bits[i] ? -1.0f : 1.0f;
    }
    return 0;
}

static int rm_oracle_common(rf_case *c, bool packed, char *err, size_t errlen)
{
    unsigned m = 0, r = 0;
    size_t frames = 0;
    if (rm_params(c, &m, &r, err, errlen)) return -1;
    const uint8_t *msg = msg_input(c, rf_rm_k(m, r), &frames, err, errlen);
    if (!msg) return -1;
    const size_t n = (size_t)1 << m;
    uint8_t *bits = malloc(frames * n + 1);
    if (!bits) return rf_run_error(err, errlen, "out of memory");
    char source[32];
    if (rf_param_str(c->params, "source", source, sizeof source)) {
        /* the authors' +-1 codewords, exactly +-1 or the data are not what README says */
        float *x = (float *)(void *)rf_koref_read(c, source, "codewords.f32", frames * n * 4, err, errlen);
        for (size_t i = 0; x && i < frames * n; i++) {
            if (x[i] != 1.0f && x[i] != -1.0f) {
                free(x);
                free(bits);
                return rf_run_error(err, errlen, "%s/codewords.f32[%zu] = %g is not +-1", source, i, x[i]);
            }
            bits[i] = x[i] < 0.0f;
        }
        if (!x) {
            free(bits);
            return -1;
        }
        free(x);
    } else {
        ora_rm_encode_monomial(m, r, msg, frames, bits);
    }
    int rc = store_want(c, bits, frames, n, packed, err, errlen);
    free(bits);
    return rc;
}

static int rm_packed_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return rm_oracle_common(c, true, err, errlen);
}

static int rm_f32_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return rm_oracle_common(c, false, err, errlen);
}

/* in.frozen (N = 2^log2n, log2n <= max) and its K. */
static const uint8_t *frozen_input(const rf_case *c, unsigned max_log2n, unsigned *log2n, size_t *K,
                                   char *err, size_t errlen)
{
    const rf_array *a = rf_case_find(c, "in.frozen");
    if (!a || a->dtype != RF_DT_U8 || a->ndim != 1 || a->count == 0) {
        rf_run_error(err, errlen, "case has no 1-d u8 array in.frozen");
        return NULL;
    }
    const size_t n = (size_t)a->count;
    *log2n = rf_ceil_log2(n);
    if (((size_t)1 << *log2n) != n || *log2n > max_log2n) {
        rf_run_error(err, errlen, "in.frozen length %zu is not 2^0..2^%u", n, max_log2n);
        return NULL;
    }
    const uint8_t *frozen = a->data;
    *K = 0;
    for (size_t i = 0; i < n; i++) *K += frozen[i] == 0;
    return frozen;
}

static int polar_oracle_common(rf_case *c, bool packed, char *err, size_t errlen)
{
    unsigned log2n = 0;
    size_t K = 0, frames = 0;
    const uint8_t *frozen = frozen_input(c, ORACLE_MAX_LOG2N, &log2n, &K, err, errlen);
    if (!frozen) return -1;
    const uint8_t *msg = msg_input(c, K, &frames, err, errlen);
    if (!msg) return -1;
    const size_t n = (size_t)1 << log2n;
    uint8_t *bits = malloc(frames * n + 1);
    if (!bits || ora_polar_encode_gen(log2n, frozen, msg, frames, bits)) {
        free(bits);
        return rf_run_error(err, errlen, "out of memory");
    }
    int rc = store_want(c, bits, frames, n, packed, err, errlen);
    free(bits);
    return rc;
}

static int polar_packed_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return polar_oracle_common(c, true, err, errlen);
}

static int polar_f32_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return polar_oracle_common(c, false, err, errlen);
}

/* ---- run -------------------------------------------------------------------------------------- */

/* The output of an encoder run: `cw` (packed words) or `x` (+-1 floats), frames x n codeword bits. */
static void *encoder_output(rf_case *out, bool packed, size_t frames, size_t n)
{
    return packed ? rf_case_add2(out, "cw", RF_DT_U64, frames, rf_packed_words(n))
                  : rf_case_add2(out, "x", RF_DT_F32, frames, n);
}

static int rm_run_common(rf_fnptr fn, const rf_case *c, rf_case *out, bool packed, char *err, size_t errlen)
{
    unsigned m = 0, r = 0;
    size_t frames = 0;
    if (rm_params(c, &m, &r, err, errlen)) return -1;
    const uint8_t *msg = msg_input(c, rf_rm_k(m, r), &frames, err, errlen);
    if (!msg) return -1;
    void *dst = encoder_output(out, packed, frames, (size_t)1 << m);
    if (!dst) return rf_run_error(err, errlen, "out of memory");
    if (packed) ((rf_rm_encode_packed_fn)fn)(m, r, msg, frames, dst);
    else ((rf_rm_encode_f32_fn)fn)(m, r, msg, frames, dst);
    return 0;
}

static int rm_packed_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    return rm_run_common(im->fn, c, out, true, err, errlen);
}

static int rm_f32_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    return rm_run_common(im->fn, c, out, false, err, errlen);
}

static int polar_run_common(rf_fnptr fn, const rf_case *c, rf_case *out, bool packed, char *err,
                            size_t errlen)
{
    unsigned log2n = 0;
    size_t K = 0, frames = 0;
    const uint8_t *frozen = frozen_input(c, 16, &log2n, &K, err, errlen);
    if (!frozen) return -1;
    const uint8_t *msg = msg_input(c, K, &frames, err, errlen);
    if (!msg) return -1;
    void *dst = encoder_output(out, packed, frames, (size_t)1 << log2n);
    if (!dst) return rf_run_error(err, errlen, "out of memory");
    if (packed) ((rf_polar_encode_packed_fn)fn)(log2n, frozen, msg, frames, dst);
    else ((rf_polar_encode_f32_fn)fn)(log2n, frozen, msg, frames, dst);
    return 0;
}

static int polar_packed_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    return polar_run_common(im->fn, c, out, true, err, errlen);
}

static int polar_f32_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    return polar_run_common(im->fn, c, out, false, err, errlen);
}

/* ---- GA construction ---------------------------------------------------------------------------- */

static int ga_geometry(const rf_case *c, unsigned *log2n, size_t *K, double *sigma, char *err, size_t errlen)
{
    uint64_t l, k;
    if (!rf_need_u64(c, "log2n", 0, ORACLE_MAX_LOG2N, &l, err, errlen)) return -1;
    if (!rf_need_u64(c, "K", 0, (uint64_t)1 << l, &k, err, errlen)) return -1;
    const double *s = rf_case_data(c, "in.sigma", RF_DT_F64, NULL);
    if (!s) return rf_run_error(err, errlen, "case has no f64 array in.sigma");
    *log2n = (unsigned)l;
    *K = (size_t)k;
    *sigma = s[0];
    return 0;
}

static int ga_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    double sigma = 0;
    if (read_sigma(c, &sigma, err, errlen)) return -1;
    double *s = rf_case_add1(c, "in.sigma", RF_DT_F64, 1);
    if (!s) return rf_run_error(err, errlen, "out of memory");
    s[0] = sigma;
    unsigned log2n = 0;
    size_t K = 0;
    return ga_geometry(c, &log2n, &K, &sigma, err, errlen);
}

static int ga_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    unsigned log2n = 0;
    size_t K = 0;
    double sigma = 0;
    if (ga_geometry(c, &log2n, &K, &sigma, err, errlen)) return -1;
    if (!(sigma > 0.0) || !isfinite(sigma))
        return rf_run_error(err, errlen, "sigma %g must be positive and finite", sigma);
    const size_t n = (size_t)1 << log2n;
    uint8_t *frozen = rf_case_add1(c, "want.frozen", RF_DT_U8, n);
    long double *z = malloc(n * sizeof *z);
    if (!frozen || !z) {
        free(z);
        return rf_run_error(err, errlen, "out of memory");
    }
    ora_polar_ga_means(log2n, sigma, z);
    const long double gap = ora_polar_select(z, n, K, frozen);
    free(z);
    if (!(gap >= GA_MIN_GAP))
        return rf_run_error(err, errlen, "GA near-tie at the information boundary (relative gap %Lg < 1e-9)",
                            gap);
    rf_case_set_param(c, "gap", "%.3Lg", gap);
    return 0;
}

static int ga_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    (void)im; /* one implementation: the construction of lib/codes */
    unsigned log2n = 0;
    size_t K = 0;
    double sigma = 0;
    if (ga_geometry(c, &log2n, &K, &sigma, err, errlen)) return -1;
    uint8_t *frozen = rf_case_add1(out, "frozen", RF_DT_U8, (size_t)1 << log2n);
    if (!frozen) return rf_run_error(err, errlen, "out of memory");
    return rf_polar_construct_ga(log2n, K, sigma, frozen, err, errlen) ? 0 : -1;
}

/* ---- benchmarks ------------------------------------------------------------------------------- */

typedef struct enc_bench {
    unsigned m, r, log2n;
    size_t n, k, frames, K;
    uint8_t *msg, *frozen;
    uint64_t *cw;
    float *x;
} enc_bench;

static void enc_bench_free(void *state)
{
    enc_bench *b = state;
    if (!b) return;
    rf_free(b->msg);
    rf_free(b->frozen);
    rf_free(b->cw);
    rf_free(b->x);
    free(b);
}

/* Random messages; work counts frames, and bytes = message bytes read + codeword written
 * (packed words or floats, whichever the kernel writes: both buffers exist, one is used). */
static enc_bench *enc_bench_alloc(size_t n, size_t k, size_t frames, rf_work *work)
{
    enc_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->n = n;
    b->k = k;
    b->frames = frames;
    b->msg = rf_alloc(frames * k + 1);
    b->cw = rf_alloc(frames * rf_packed_words(n) * sizeof(uint64_t));
    b->x = rf_alloc(frames * n * sizeof(float));
    b->frozen = rf_alloc(n);
    if (!b->msg || !b->cw || !b->x || !b->frozen) {
        enc_bench_free(b);
        return NULL;
    }
    for (size_t i = 0; i < frames * k; i++) b->msg[i] = rf_gen_word(9, 0, i) & 1;
    work->items = (double)frames;
    work->item_unit = "frames";
    work->flops = 0;
    work->bytes = (double)frames * ((double)k + (double)n / 8);
    return b;
}

static void *rm_bench_setup(const char *params, rf_work *work)
{
    uint64_t m = 8, r = 2, frames = 1024;
    rf_param_u64(params, "m", &m);
    rf_param_u64(params, "r", &r);
    rf_param_u64(params, "frames", &frames);
    if (!rf_rm_check((unsigned)m, (unsigned)r, NULL, 0) || frames < 1 || frames > (1u << 20)) return NULL;
    enc_bench *b = enc_bench_alloc((size_t)1 << m, rf_rm_k((unsigned)m, (unsigned)r), frames, work);
    if (b) {
        b->m = (unsigned)m;
        b->r = (unsigned)r;
    }
    return b;
}

static void rm_packed_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    enc_bench *b = state;
    for (uint64_t it = 0; it < iters; it++)
        ((rf_rm_encode_packed_fn)im->fn)(b->m, b->r, b->msg, b->frames, b->cw);
}

static void rm_f32_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    enc_bench *b = state;
    for (uint64_t it = 0; it < iters; it++) ((rf_rm_encode_f32_fn)im->fn)(b->m, b->r, b->msg, b->frames, b->x);
}

/* GA-constructed frozen set at the given design sigma (default 0.5). */
static void *polar_bench_setup(const char *params, rf_work *work)
{
    uint64_t log2n = 7, K = 96, frames = 1024;
    double sigma = 0.5;
    rf_param_u64(params, "log2n", &log2n);
    rf_param_u64(params, "K", &K);
    rf_param_u64(params, "frames", &frames);
    rf_param_f64(params, "sigma", &sigma);
    if (log2n > 16 || K > ((uint64_t)1 << log2n) || frames < 1 || frames > (1u << 20)) return NULL;
    enc_bench *b = enc_bench_alloc((size_t)1 << log2n, K, frames, work);
    if (!b) return NULL;
    b->log2n = (unsigned)log2n;
    b->K = K;
    if (!rf_polar_construct_ga(b->log2n, K, sigma, b->frozen, NULL, 0)) {
        enc_bench_free(b);
        return NULL;
    }
    return b;
}

static void polar_packed_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    enc_bench *b = state;
    for (uint64_t it = 0; it < iters; it++)
        ((rf_polar_encode_packed_fn)im->fn)(b->log2n, b->frozen, b->msg, b->frames, b->cw);
}

static void polar_f32_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    enc_bench *b = state;
    for (uint64_t it = 0; it < iters; it++)
        ((rf_polar_encode_f32_fn)im->fn)(b->log2n, b->frozen, b->msg, b->frames, b->x);
}

typedef struct ga_bench {
    unsigned log2n;
    size_t K;
    double sigma;
    uint8_t *frozen;
} ga_bench;

static void *ga_bench_setup(const char *params, rf_work *work)
{
    uint64_t log2n = 10, K = 512;
    double sigma = 0.8;
    rf_param_u64(params, "log2n", &log2n);
    rf_param_u64(params, "K", &K);
    rf_param_f64(params, "sigma", &sigma);
    if (log2n > 16 || K > ((uint64_t)1 << log2n)) return NULL;
    ga_bench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->frozen = rf_alloc((size_t)1 << log2n);
    if (!b->frozen) {
        free(b);
        return NULL;
    }
    b->log2n = (unsigned)log2n;
    b->K = K;
    b->sigma = sigma;
    work->items = 1;
    work->item_unit = "constructions";
    work->flops = 0;
    work->bytes = 0;
    return b;
}

static void ga_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    (void)im;
    ga_bench *b = state;
    for (uint64_t it = 0; it < iters; it++) rf_polar_construct_ga(b->log2n, b->K, b->sigma, b->frozen, NULL, 0);
}

static void ga_bench_free(void *state)
{
    ga_bench *b = state;
    if (!b) return;
    rf_free(b->frozen);
    free(b);
}

/* ---- fuzzing ---------------------------------------------------------------------------------- */

/* m 0..10, r 0..m, 1..4 frames, message bits from the bytes. */
static int rm_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size};
    const unsigned m = rf_bytes_u8(&b) % 11, r = rf_bytes_u8(&b) % (m + 1);
    const size_t frames = 1 + rf_bytes_u8(&b) % 4, k = rf_rm_k(m, r);
    rf_case_set_param(c, "m", "%u", m);
    rf_case_set_param(c, "r", "%u", r);
    rf_case_set_param(c, "frames", "%zu", frames);
    uint8_t *msg = rf_case_add2(c, "in.msg", RF_DT_U8, frames, k);
    if (!msg) return -1;
    uint8_t byte = 0;
    for (size_t i = 0; i < frames * k; i++) {
        if (i % 8 == 0) byte = rf_bytes_u8(&b);
        msg[i] = (byte >> (i % 8)) & 1;
    }
    return 0;
}

/* log2n 0..10, a frozen mask and message bits from the bytes. */
static int polar_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size};
    const unsigned log2n = rf_bytes_u8(&b) % 11;
    const size_t n = (size_t)1 << log2n, frames = 1 + rf_bytes_u8(&b) % 4;
    const unsigned density = rf_bytes_u8(&b);
    rf_case_set_param(c, "log2n", "%u", log2n);
    rf_case_set_param(c, "frames", "%zu", frames);
    uint8_t *frozen = rf_case_add1(c, "in.frozen", RF_DT_U8, n);
    if (!frozen) return -1;
    size_t K = 0;
    for (size_t i = 0; i < n; i++) {
        frozen[i] = rf_bytes_u8(&b) < density;
        K += frozen[i] == 0;
    }
    uint8_t *msg = rf_case_add2(c, "in.msg", RF_DT_U8, frames, K);
    if (!msg) return -1;
    for (size_t i = 0; i < frames * K; i++) msg[i] = rf_bytes_u8(&b) & 1;
    return 0;
}

/* log2n 0..10, K, sigma in [0.1, 4); rejected when the oracle would see a near-tie. */
static int ga_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size};
    const unsigned log2n = rf_bytes_u8(&b) % 11;
    const size_t n = (size_t)1 << log2n, K = rf_bytes_u32(&b) % (n + 1);
    const double sigma = 0.1 + 3.9 * (rf_bytes_u32(&b) / 4294967296.0);
    rf_case_set_param(c, "log2n", "%u", log2n);
    rf_case_set_param(c, "K", "%zu", K);
    rf_case_set_param(c, "sigma", "%.17g", sigma);
    double *s = rf_case_add1(c, "in.sigma", RF_DT_F64, 1);
    long double *z = malloc(n * sizeof *z);
    uint8_t *frozen = malloc(n);
    int rc = -1;
    if (s && z && frozen) {
        s[0] = sigma;
        ora_polar_ga_means(log2n, sigma, z);
        rc = ora_polar_select(z, n, K, frozen) >= GA_MIN_GAP ? 0 : -1;
    }
    free(z);
    free(frozen);
    return rc;
}

/* ---- golden cases and descriptors ------------------------------------------------------------- */

static const rf_case_spec rm_packed_cases[] = {
    {"rm11_unit", "m=1 r=1 frames=2 input=unit"},
    {"rm21_unit", "m=2 r=1 frames=3 input=unit"},
    {"rm31_unit", "m=3 r=1 frames=4 input=unit"},
    {"rm31", "m=3 r=1 frames=64 seed=31"},
    {"rm00", "m=0 r=0 frames=4 seed=1"},
    {"rm40", "m=4 r=0 frames=8 seed=40"},
    {"rm44", "m=4 r=4 frames=8 seed=44"},
    {"rm52", "m=5 r=2 frames=16 seed=52"},
    {"rm61", "m=6 r=1 frames=64 seed=61"},
    {"rm61_ones", "m=6 r=1 frames=2 input=ones"},
    {"rm73_unit", "m=7 r=3 frames=64 input=unit"},
    {"rm82", "m=8 r=2 frames=64 seed=82"},
    {"rm92", "m=9 r=2 frames=32 seed=92"},
    {"rm10_3", "m=10 r=3 frames=16 seed=103"},
    {"rm12_12", "m=12 r=12 frames=1 seed=1212"},
    {"rm16_1", "m=16 r=1 frames=2 seed=161"},
    /* external truth: the KO authors' Plotkin encoder on their messages (ko-reference/rm_m_2) */
    {"authors_rm82", "m=8 r=2 frames=1000 source=rm_8_2"},
    {"authors_rm92", "m=9 r=2 frames=1000 source=rm_9_2"},
    {NULL, NULL},
};

static const rf_case_spec rm_f32_cases[] = {
    {"rm11_unit", "m=1 r=1 frames=2 input=unit"},
    {"rm21_unit", "m=2 r=1 frames=3 input=unit"},
    {"rm31_unit", "m=3 r=1 frames=4 input=unit"},
    {"rm31", "m=3 r=1 frames=64 seed=31"},
    {"rm00", "m=0 r=0 frames=4 seed=1"},
    {"rm52", "m=5 r=2 frames=16 seed=52"},
    {"rm61", "m=6 r=1 frames=64 seed=61"},
    {"rm82", "m=8 r=2 frames=64 seed=82"},
    {"rm92", "m=9 r=2 frames=32 seed=92"},
    {"rm10_3", "m=10 r=3 frames=16 seed=103"},
    {"authors_rm82", "m=8 r=2 frames=16 source=rm_8_2"},
    {"authors_rm92", "m=9 r=2 frames=16 source=rm_9_2"},
    {NULL, NULL},
};

/* Polar(128,96) is constructed by GA at design sigma = 0.5 (Es/N0 = 10 log10(1 / (2 * 0.25)) = 3.01 dB),
 * the set kernels/registry/polar.c uses for its decoder cases. */
static const rf_case_spec polar_cases[] = {
    {"p64_7_unit", "log2n=6 frozen=preset frames=7 input=unit"},
    {"p64_7", "log2n=6 frozen=preset frames=64 seed=647"},
    {"p128_96_ga0.5", "log2n=7 frozen=ga K=96 sigma=0.5 frames=64 seed=12896"},
    {"p1_1", "log2n=0 frozen=random K=1 frames=4 seed=11"},
    {"p2_0", "log2n=1 frozen=random K=0 frames=2 seed=20"},
    {"p32_rm31", "log2n=5 frozen=rm r=3 frames=32 seed=5"},
    {"p64_rm62", "log2n=6 frozen=rm r=2 frames=32 seed=62"},
    {"p256_bh", "log2n=8 frozen=bh K=100 sigma=0.8 frames=16 seed=256"},
    {"p1024_ga", "log2n=10 frozen=ga K=512 sigma=0.9 frames=8 seed=1024"},
    {"p512_random", "log2n=9 frozen=random K=333 frames=8 seed=512"},
    {NULL, NULL},
};

static const rf_case_spec ga_cases[] = {
    {"n64_k7_s0.8", "log2n=6 K=7 sigma=0.8"},
    {"n64_k7_s1.5_preset", "log2n=6 K=7 sigma=1.5"},
    {"n128_k96_s0.5", "log2n=7 K=96 sigma=0.5"},
    {"n128_k96_s0.7", "log2n=7 K=96 sigma=0.7"},
    {"n128_k96_s1.0", "log2n=7 K=96 sigma=1.0"},
    {"n1024_k512_s0.6", "log2n=10 K=512 sigma=0.6"},
    {"n1024_k512_s0.9", "log2n=10 K=512 sigma=0.9"},
    {"n4096_k3440_s0.5", "log2n=12 K=3440 sigma=0.5"},
    {NULL, NULL},
};

static const char *const rm_sizes[] = {"m=8 r=2 frames=1024", "m=10 r=3 frames=256", "m=3 r=1 frames=4096",
                                       NULL};
static const char *const polar_sizes[] = {"log2n=7 K=96 frames=1024", "log2n=10 K=512 frames=256",
                                          "log2n=15 K=27568 frames=8", NULL};
static const char *const ga_sizes[] = {"log2n=10 K=512 sigma=0.8", NULL};

static const rf_kernel rm_encode_packed_kernel = {
    .name = "rm_encode_packed",
    .family = "codes",
    .summary = "RM(m,r) encoder, canonical Plotkin order, 64 codeword bits per word",
    .work_dtype = RF_DT_NONE, /* integers: compared exactly */
    .id = RF_KID(rm_encode_packed),
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = rm_packed_cases,
    .make_inputs = rm_make_inputs,
    .oracle = rm_packed_oracle,
    .run = rm_packed_run,
    .bench_sizes = rm_sizes,
    .bench_setup = rm_bench_setup,
    .bench_run = rm_packed_bench_run,
    .bench_free = enc_bench_free,
    .fuzz_inputs = rm_fuzz,
};

static const rf_kernel rm_encode_f32_kernel = {
    .name = "rm_encode_f32",
    .family = "codes",
    .summary = "RM(m,r) encoder, canonical Plotkin order, BPSK +-1 floats",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(rm_encode_f32),
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = rm_f32_cases,
    .make_inputs = rm_make_inputs,
    .oracle = rm_f32_oracle,
    .run = rm_f32_run,
    .bench_sizes = rm_sizes,
    .bench_setup = rm_bench_setup,
    .bench_run = rm_f32_bench_run,
    .bench_free = enc_bench_free,
    .fuzz_inputs = rm_fuzz,
};

static const rf_kernel polar_encode_packed_kernel = {
    .name = "polar_encode_packed",
    .family = "codes",
    .summary = "Polar(N,K) encoder x = u F^(x)n, 64 codeword bits per word",
    .work_dtype = RF_DT_NONE, /* integers: compared exactly */
    .id = RF_KID(polar_encode_packed),
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = polar_cases,
    .make_inputs = polar_make_inputs,
    .oracle = polar_packed_oracle,
    .run = polar_packed_run,
    .bench_sizes = polar_sizes,
    .bench_setup = polar_bench_setup,
    .bench_run = polar_packed_bench_run,
    .bench_free = enc_bench_free,
    .fuzz_inputs = polar_fuzz,
};

static const rf_kernel polar_encode_f32_kernel = {
    .name = "polar_encode_f32",
    .family = "codes",
    .summary = "Polar(N,K) encoder x = u F^(x)n, BPSK +-1 floats",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(polar_encode_f32),
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = polar_cases,
    .make_inputs = polar_make_inputs,
    .oracle = polar_f32_oracle,
    .run = polar_f32_run,
    .bench_sizes = polar_sizes,
    .bench_setup = polar_bench_setup,
    .bench_run = polar_f32_bench_run,
    .bench_free = enc_bench_free,
    .fuzz_inputs = polar_fuzz,
};

static const rf_kernel polar_construct_ga_kernel = {
    .name = "polar_construct_ga",
    .family = "codes",
    .summary = "Polar frozen set by Gaussian approximation (Chung's phi), plain C, ref only",
    .work_dtype = RF_DT_NONE, /* the output is a u8 mask, compared exactly */
    .id = RF_ALGORITHM,
    .tol = {RF_TOL_EXACT, 0, 0},
    .cases = ga_cases,
    .make_inputs = ga_make_inputs,
    .oracle = ga_oracle,
    .run = ga_run,
    .bench_sizes = ga_sizes,
    .bench_setup = ga_bench_setup,
    .bench_run = ga_bench_run,
    .bench_free = ga_bench_free,
    .fuzz_inputs = ga_fuzz,
};

const rf_kernel *const rf_family_codes[] = {&rm_encode_packed_kernel,    &rm_encode_f32_kernel,
                                            &polar_encode_packed_kernel, &polar_encode_f32_kernel,
                                            &polar_construct_ga_kernel,  NULL};
