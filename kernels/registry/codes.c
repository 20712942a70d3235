/* Registry entries of the codes family: rm_encode_packed, rm_encode_f32, polar_encode_packed,
 * polar_encode_f32 (every level, class exact; one set of callbacks, the descriptor's variant
 * telling RM from polar and packed from float) and polar_construct_ga (the GA frozen set, plain C,
 * ref only).
 *
 * RM case parameters: m (0..16), r (0..m, checked by rf_rm_check), frames, seed, input = random
 * (default) | zeros | ones | unit (frame f has the single message bit f % k set: the rows of the
 * generator, in the canonical order), or source = rm_8_2 | rm_9_2: external truth, the KO
 * authors' messages (canonical order) and THEIR Plotkin encoder's +-1 codewords as want
 * (ko-reference/README.md §3, §6; read by golden generate only, kernels/registry/koref.h; the
 * params record the XXH3-64 of both files). Class exact: README checked their codewords equal
 * the canonical encoder's on 1000/1000 frames.
 * Polar case parameters: log2n (0..12 for the oracle, 16 for benchmarks), frozen = ga (the
 * default; K, sigma, default 0.5) | bh (Bhattacharyya: K, sigma) |
 * rm (r; the `rm` rule with m = log2n) | preset (Polar(64,7), log2n = 6) | random (K positions
 * drawn from Philox), frames, seed, input as for RM. The frozen mask is built by lib/codes:
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

#include "codes/construct.h"
#include "common.h"
#include "koref.h"
#include "oracle.h"

#define MAX_LOG2N 16        /* the kernels' and the constructions' N = 2^16 */
#define ORACLE_MAX_LOG2N 12 /* the generator-matrix oracle's */
#define GA_MIN_GAP 1e-9L

/* The encoders' variants: bits of their descriptors' `variant`. */
enum { ENC_F32 = 1, ENC_POLAR = 2 };

/* ---- inputs ----------------------------------------------------------------------------------- */

static int fill_messages(rf_case *c, size_t frames, size_t k, char *err, size_t errlen)
{
    static const char *const kinds[] = {"random", "zeros", "ones", "unit", NULL};
    uint64_t seed = 1;
    rf_param_u64(c->params, "seed", &seed);
    const int kind = rf_param_keyword(c, "input", kinds, 0, err, errlen);
    if (kind < 0) return -1;
    uint8_t *msg = rf_case_add2(c, "in.msg", RF_DT_U8, frames, k);
    if (!msg) return rf_run_error(err, errlen, "out of memory for %zu frames of %zu message bits", frames, k);
    for (size_t f = 0; f < frames; f++)
        for (size_t t = 0; t < k; t++)
            msg[f * k + t] = kind == 0 ? rf_gen_word(seed, 0, f * k + t) & 1 : kind == 1 ? 0 : kind == 2 ? 1 : t == f % k;
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

/* in.frozen from the `frozen` rule (default ga; its design sigma defaults to 0.5, the benchmarks'
 * Polar(128,96)), then the messages. */
static int polar_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    enum { GA, BH, RM, PRESET, RANDOM };
    static const char *const rules[] = {"ga", "bh", "rm", "preset", "random", NULL};
    uint64_t log2n, frames, seed = 1, K = 0, r = 0;
    double sigma = 0;
    if (!rf_need_u64(c, "log2n", 0, MAX_LOG2N, &log2n, err, errlen)) return -1;
    if (!rf_need_u64(c, "frames", 1, 1u << 16, &frames, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    const int rule = rf_param_keyword(c, "frozen", rules, GA, err, errlen);
    if (rule < 0) return -1;
    const size_t n = (size_t)1 << log2n;
    uint8_t *frozen = rf_case_add1(c, "in.frozen", RF_DT_U8, n);
    if (!frozen) return rf_run_error(err, errlen, "out of memory");
    if ((rule == GA || rule == BH || rule == RANDOM) && !rf_need_u64(c, "K", 0, n, &K, err, errlen)) return -1;
    if ((rule == GA || rule == BH) && rf_param_positive(c, "sigma", 0.5, &sigma, err, errlen)) return -1;
    if ((rule == GA && !rf_polar_construct_ga((unsigned)log2n, K, sigma, frozen, err, errlen)) ||
        (rule == BH && !rf_polar_construct_bhattacharyya((unsigned)log2n, K, sigma, frozen, err, errlen)))
        return -1;
    if (rule == RM && (!rf_need_u64(c, "r", 0, log2n, &r, err, errlen) ||
                       !rf_polar_construct_rm((unsigned)log2n, (unsigned)r, frozen, err, errlen)))
        return -1;
    if (rule == PRESET) {
        if (log2n != 6) return rf_run_error(err, errlen, "frozen=preset is Polar(64,7): log2n must be 6");
        rf_polar_preset_64_7(frozen);
    }
    if (rule == RANDOM) {
        memset(frozen, 1, n);
        for (size_t placed = 0, pos = 0; placed < K; pos++) {
            const size_t i = rf_gen_word(seed, 5, pos) & (n - 1);
            if (frozen[i]) {
                frozen[i] = 0;
                placed++;
            }
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += frozen[i] == 0;
    return fill_messages(c, frames, k, err, errlen);
}

/* ---- the encoders: oracle and run ------------------------------------------------------------- */

/* The arguments of one encoder call. */
typedef struct enc_args {
    unsigned log2n, r;           /* N = 2^log2n; RM: m = log2n and r */
    const uint8_t *frozen, *msg; /* polar: in.frozen */
    size_t k, frames;
    void *out; /* cw (packed words) or x (+-1 floats), frames x N codeword bits */
} enc_args;

/* The code (RM: m, r; polar: in.frozen with N <= 2^max_log2n) and in.msg (frames x k) of a case. */
static int enc_inputs(int variant, const rf_case *c, unsigned max_log2n, enc_args *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    if (variant & ENC_POLAR) {
        const rf_array *fz = rf_case_need(c, "in.frozen", RF_DT_U8, 1, err, errlen);
        if (!fz) return -1;
        a->log2n = rf_ceil_log2(fz->count);
        if (fz->count == 0 || ((size_t)1 << a->log2n) != fz->count || a->log2n > max_log2n)
            return rf_run_error(err, errlen, "in.frozen length %llu is not 2^0..2^%u",
                                (unsigned long long)fz->count, max_log2n);
        a->frozen = fz->data;
        for (size_t i = 0; i < fz->count; i++) a->k += a->frozen[i] == 0;
    } else {
        if (rm_params(c, &a->log2n, &a->r, err, errlen)) return -1;
        a->k = rf_rm_k(a->log2n, a->r);
    }
    const rf_array *msg = rf_case_need(c, "in.msg", RF_DT_U8, 2, err, errlen);
    if (!msg) return -1;
    if (msg->shape[1] != a->k)
        return rf_run_error(err, errlen, "in.msg has %llu message bits per frame, the code %zu",
                            (unsigned long long)msg->shape[1], a->k);
    a->msg = msg->data;
    a->frames = (size_t)msg->shape[0];
    return 0;
}

/* The KO authors' +-1 codewords as bits: exactly +-1, or the data are not what README says. */
static int authors_codewords(rf_case *c, const char *source, size_t count, uint8_t *bits, char *err,
                             size_t errlen)
{
    float *x = (float *)(void *)rf_koref_read(c, source, "codewords.f32", count * 4, err, errlen);
    if (!x) return -1;
    for (size_t i = 0; i < count; i++) {
        if (x[i] != 1.0f && x[i] != -1.0f) {
            rf_run_error(err, errlen, "%s/codewords.f32[%zu] = %g is not +-1", source, i, x[i]);
            free(x);
            return -1;
        }
        bits[i] = x[i] < 0.0f;
    }
    free(x);
    return 0;
}

/* want.cw (packed like the kernels) or want.x (+-1 floats) from the oracle's codeword bits. */
static int enc_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    enc_args a;
    if (enc_inputs(desc->variant, c, ORACLE_MAX_LOG2N, &a, err, errlen)) return -1;
    const size_t n = (size_t)1 << a.log2n, frames = a.frames, words = rf_packed_words(n);
    uint8_t *bits = malloc(frames * n + 1);
    if (!bits) return rf_run_error(err, errlen, "out of memory");
    char source[32];
    int rc = 0;
    if (desc->variant & ENC_POLAR) {
        if (ora_polar_encode_gen(a.log2n, a.frozen, a.msg, frames, bits)) rc = rf_run_error(err, errlen, "out of memory");
    } else if (rf_param_str(c->params, "source", source, sizeof source)) {
        rc = authors_codewords(c, source, frames * n, bits, err, errlen);
    } else {
        ora_rm_encode_monomial(a.log2n, a.r, a.msg, frames, bits);
    }
    if (rc == 0 && desc->variant & ENC_F32) {
        float *x = rf_case_add2(c, "want.x", RF_DT_F32, frames, n);
        for (size_t i = 0; x && i < frames * n; i++) x[i] = bits[i] ? -1.0f : 1.0f;
        if (!x) rc = rf_run_error(err, errlen, "out of memory");
    } else if (rc == 0) {
        uint64_t *cw = rf_case_add2(c, "want.cw", RF_DT_U64, frames, words);
        for (size_t f = 0; cw && f < frames; f++)
            for (size_t i = 0; i < n; i++) cw[f * words + i / 64] |= (uint64_t)bits[f * n + i] << (i % 64);
        if (!cw) rc = rf_run_error(err, errlen, "out of memory");
    }
    free(bits);
    return rc;
}

static int enc_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err, size_t errlen)
{
    enc_args *a = args;
    if (enc_inputs(desc->variant, c, MAX_LOG2N, a, err, errlen)) return -1;
    const uint64_t n = (uint64_t)1 << a->log2n;
    a->out = desc->variant & ENC_F32 ? rf_case_out(out, "x", RF_DT_F32, 2, (const uint64_t[]){a->frames, n})
                                     : rf_case_out(out, "cw", RF_DT_U64, 2,
                                                   (const uint64_t[]){a->frames, rf_packed_words(n)});
    return a->out ? 0 : rf_run_error(err, errlen, "out of memory");
}

static void enc_call(const rf_impl *im, void *args)
{
    const enc_args *a = args;
    switch (im->kernel->variant) {
    case 0: ((rf_rm_encode_packed_fn)im->fn)(a->log2n, a->r, a->msg, a->frames, a->out); break;
    case ENC_F32: ((rf_rm_encode_f32_fn)im->fn)(a->log2n, a->r, a->msg, a->frames, a->out); break;
    case ENC_POLAR: ((rf_polar_encode_packed_fn)im->fn)(a->log2n, a->frozen, a->msg, a->frames, a->out); break;
    default: ((rf_polar_encode_f32_fn)im->fn)(a->log2n, a->frozen, a->msg, a->frames, a->out); break;
    }
}

/* bytes: the message bytes read and the codeword bits written (as packed bits, either form). */
static void enc_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    const enc_args *a = args;
    w->items = (double)a->frames;
    w->item_unit = "frames";
    w->bytes = (double)a->frames * ((double)a->k + (double)((size_t)1 << a->log2n) / 8);
}

/* ---- GA construction -------------------------------------------------------------------------- */

/* The arguments of one construction. */
typedef struct ga_args {
    unsigned log2n;
    size_t K;
    double sigma;
    uint8_t *frozen;
} ga_args;

static int ga_geometry(const rf_case *c, ga_args *a, char *err, size_t errlen)
{
    uint64_t l, k;
    if (!rf_need_u64(c, "log2n", 0, ORACLE_MAX_LOG2N, &l, err, errlen)) return -1;
    if (!rf_need_u64(c, "K", 0, (uint64_t)1 << l, &k, err, errlen)) return -1;
    const rf_array *s = rf_case_need(c, "in.sigma", RF_DT_F64, 1, err, errlen);
    if (!s) return -1;
    a->log2n = (unsigned)l;
    a->K = (size_t)k;
    a->sigma = *(const double *)s->data;
    if (!(a->sigma > 0.0) || !isfinite(a->sigma))
        return rf_run_error(err, errlen, "sigma %g must be positive and finite", a->sigma);
    return 0;
}

static int ga_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    double sigma;
    if (rf_param_positive(c, "sigma", NAN, &sigma, err, errlen)) return -1;
    double *s = rf_case_add1(c, "in.sigma", RF_DT_F64, 1);
    if (!s) return rf_run_error(err, errlen, "out of memory");
    s[0] = sigma;
    ga_args a;
    return ga_geometry(c, &a, err, errlen);
}

static int ga_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    ga_args a;
    if (ga_geometry(c, &a, err, errlen)) return -1;
    const size_t n = (size_t)1 << a.log2n;
    uint8_t *frozen = rf_case_add1(c, "want.frozen", RF_DT_U8, n);
    long double *z = malloc(n * sizeof *z);
    if (!frozen || !z) {
        free(z);
        return rf_run_error(err, errlen, "out of memory");
    }
    ora_polar_ga_means(a.log2n, a.sigma, z);
    const long double gap = ora_polar_select(z, n, a.K, frozen);
    free(z);
    if (!(gap >= GA_MIN_GAP))
        return rf_run_error(err, errlen, "GA near-tie at the information boundary (relative gap %Lg < 1e-9)",
                            gap);
    rf_case_set_param(c, "gap", "%.3Lg", gap);
    return 0;
}

static int ga_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err, size_t errlen)
{
    (void)desc;
    ga_args *a = args;
    if (ga_geometry(c, a, err, errlen)) return -1;
    a->frozen = rf_case_out(out, "frozen", RF_DT_U8, 1, (const uint64_t[]){(uint64_t)1 << a->log2n});
    return a->frozen ? 0 : rf_run_error(err, errlen, "out of memory");
}

/* One implementation: the construction of lib/codes (bind checked its arguments; only memory can
 * fail, and then the mask is left as it was). */
static void ga_call(const rf_impl *im, void *args)
{
    (void)im;
    const ga_args *a = args;
    rf_polar_construct_ga(a->log2n, a->K, a->sigma, a->frozen, NULL, 0);
}

static void ga_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    (void)args;
    w->items = 1;
    w->item_unit = "constructions";
}

/* ---- fuzzing ---------------------------------------------------------------------------------- */

/* m 0..10, r 0..m, 1..4 frames, message bits from the bytes. */
static int rm_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size, 0};
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
    rf_bytes b = {data, size, 0};
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
    rf_bytes b = {data, size, 0};
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

#define ENC_CALLBACKS                                                                            \
    .family = "codes", .oracle = enc_oracle, .args_size = sizeof(enc_args), .bind = enc_bind,    \
    .call = enc_call, .work = enc_work, .tol = {RF_TOL_EXACT, 0, 0}
#define RM_CALLBACKS ENC_CALLBACKS, .make_inputs = rm_make_inputs, .bench_sizes = rm_sizes, .fuzz_inputs = rm_fuzz
#define POLAR_CALLBACKS                                                                          \
    ENC_CALLBACKS, .make_inputs = polar_make_inputs, .bench_sizes = polar_sizes, .fuzz_inputs = polar_fuzz

static const rf_kernel rm_encode_packed_kernel = {
    .name = "rm_encode_packed",
    .summary = "RM(m,r) encoder, canonical Plotkin order, 64 codeword bits per word",
    .work_dtype = RF_DT_NONE, /* integers: compared exactly */
    .id = RF_KID(rm_encode_packed),
    .variant = 0,
    .cases = rm_packed_cases,
    .free_length = "frames",
    .free_max = 1000, /* the authors' messages (source=) */
    RM_CALLBACKS,
};

static const rf_kernel rm_encode_f32_kernel = {
    .name = "rm_encode_f32",
    .summary = "RM(m,r) encoder, canonical Plotkin order, BPSK +-1 floats",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(rm_encode_f32),
    .variant = ENC_F32,
    .cases = rm_f32_cases,
    .free_length = "frames",
    .free_max = 1000, /* the authors' messages (source=) */
    RM_CALLBACKS,
};

static const rf_kernel polar_encode_packed_kernel = {
    .name = "polar_encode_packed",
    .summary = "Polar(N,K) encoder x = u F^(x)n, 64 codeword bits per word",
    .work_dtype = RF_DT_NONE, /* integers: compared exactly */
    .id = RF_KID(polar_encode_packed),
    .variant = ENC_POLAR,
    .cases = polar_cases,
    .free_length = "frames",
    POLAR_CALLBACKS,
};

static const rf_kernel polar_encode_f32_kernel = {
    .name = "polar_encode_f32",
    .summary = "Polar(N,K) encoder x = u F^(x)n, BPSK +-1 floats",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(polar_encode_f32),
    .variant = ENC_POLAR | ENC_F32,
    .cases = polar_cases,
    .free_length = "frames",
    POLAR_CALLBACKS,
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
    .args_size = sizeof(ga_args),
    .bind = ga_bind,
    .call = ga_call,
    .work = ga_work,
    .bench_sizes = ga_sizes,
    .fuzz_inputs = ga_fuzz,
};

const rf_kernel *const rf_family_codes[] = {&rm_encode_packed_kernel,    &rm_encode_f32_kernel,
                                            &polar_encode_packed_kernel, &polar_encode_f32_kernel,
                                            &polar_construct_ga_kernel,  NULL};
