/* Registry entries of the Soft-MAP family: rm1_map, rm1_softmap_maxlog, rm1_softmap_exact (FHT
 * based, every level) and softmap_enum (enumeration, ref only).
 *
 * RM(m,1) case parameters: m (1..12), frames, input = awgn (default: random message, canonical
 * RM(m,1) codeword, BPSK, y = s + sigma z, L = 2y/sigma^2, z by Box–Muller in double from
 * rf_gen_uniform) | ties (integer LLRs that are sums of +-t times Hadamard rows, so that two to
 * four |W(a)| are EXACTLY equal and maximal, smaller rows below them, and frames of +0 (and, with
 * negzero=1, the default, -0) where W(a*) = 0), sigma (> 0), seed.
 * softmap_enum parameters: code = rm22 (RM(2,2), Plotkin order: rows 1111 0101 0011 0001) |
 * rm1 (RM(m,1), with m) | random (systematic [I_k | P], P random, with n and k), frames, sigma,
 * seed, maxlog (0 or 1).
 *
 * Oracle: enumeration of all 2^k codewords in compensated long double (oracle/softmap.c). Error
 * scales, per frame (every output of a frame shares one):
 *   rm1_map      decision: tie = min(|W(a*)| - max_{a != a*} |W(a)|, |W(a*)|), the distance of the
 *                oracle's W from flipping a*, or b0; scale = sum|l|, since an implementation's
 *                W(a) differs from the exact one by at most ~log2(n) u sum|l|.
 *   maxlog       sum: scale = 2 sum|l|: each output is the difference of two correlations, each
 *                a sum of n terms +-l_i.
 *   exact        sum: scale = sum|l| + 2. An output is LSE0 - LSE1 with LSE = M + log S,
 *                S = sum exp(x - M) over N = 2^m codewords, x = +-W/2. (1) LSE is 1-Lipschitz in
 *                the max-norm of its arguments, so errors of at most e in every W move the output
 *                by at most e/2 + e/2 = e, with e bounded by log2(n) u sum|l| like any W: the
 *                sum|l| part. (2) Evaluating M + log S: S lies in [1, N] and is a sum of positive
 *                terms, so its relative rounding error is (summation depth + exp error +
 *                weighted |x - M| rounding, <= log N) u, which log turns into the same ABSOLUTE
 *                error, independent of the size of l: the "+1 per LSE" part. Without it an
 *                LLR near 0 from tiny inputs (sum|l| << 1) would be held to an impossible bound.
 * The param terms=n (enumeration: max(n, 2^k)) sets the SPEC default tau = 8 ceil(log2 terms) + 8.
 * A frame with a non-finite correlation has want = NaN (soft) or its bits fixed by the NaN rules
 * (MAP: tie = +inf, scale = 0, so no disagreement is excused); its scale is 0.
 *
 * Tie cases carry tol=exact: the integer LLRs make every W exact at every level, so the
 * lowest-index rule and the maxlog values are checked bit for bit. (The maxlog tie case omits the
 * -0 frames: max W + min W of W in {+0, -0} is a zero whose sign depends on the scan order, which
 * `exact` would compare as bits.)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "oracle.h"
#include "refast/softmap.h"

/* RM(m,1) cases up to the kernels' own limit: their oracle correlates through the FHT
 * (ora_rm1_correlations, n log n per frame; the enumeration's 2^(m+1) n bounded m to 12). */
#define ORACLE_MAX_M RF_RM1_MAX_M
#define ENUM_MAX_N 64
/* The most message bits of any case: enumeration's k, or m + 1 of RM(m,1). */
#define MAX_K (RF_ENUM_MAX_K > ORACLE_MAX_M + 1 ? RF_ENUM_MAX_K : ORACLE_MAX_M + 1)

/* The descriptors' variants: the three RM(m,1) kernels' outputs, and the enumeration. */
enum { SM_MAP, SM_MAXLOG, SM_EXACT, SM_ENUM };

/* ---- inputs ----------------------------------------------------------------------------------- */

/* BPSK + AWGN LLRs of one frame (rf_gen_awgn_frame): the codeword of message bits msg (k of them)
 * under gen (k x n, n <= ENUM_MAX_N or 2^ORACLE_MAX_M). */
static void awgn_frame(const uint8_t *msg, unsigned k, const uint8_t *gen, size_t n, double sigma,
                       uint64_t seed, uint64_t frame, float *llr)
{
    uint8_t cw[(size_t)1 << ORACLE_MAX_M];
    for (size_t i = 0; i < n; i++) {
        cw[i] = 0;
        for (unsigned r = 0; r < k; r++) cw[i] ^= msg[r] & gen[r * n + i];
    }
    rf_gen_awgn_frame(cw, n, sigma, seed, frame, llr);
}

/* Random messages (stream 0 of seed, k bits per frame) of frames over AWGN. */
static void awgn_frames(const uint8_t *gen, unsigned k, size_t n, size_t frames, double sigma, uint64_t seed,
                        float *llr)
{
    for (size_t f = 0; f < frames; f++) {
        uint8_t msg[MAX_K];
        for (unsigned j = 0; j < k; j++) msg[j] = rf_gen_word(seed, 0, f * k + j) & 1;
        awgn_frame(msg, k, gen, n, sigma, seed, f, llr + f * n);
    }
}

/* A frame of integer LLRs sum_r coef_r (-1)^popcount(a_r & i): W = n coef_r at a_r, 0 elsewhere.
 * Kind 0: all +0; kind 1: all -0 (negzero) ; otherwise 2..4 rows share the top |coef| = t with
 * random signs (an exact tie) and up to 2 more rows have smaller |coef|. */
static void ties_frame(unsigned m, uint64_t seed, uint64_t f, int negzero, float *llr)
{
    const size_t n = (size_t)1 << m;
    unsigned kind = (unsigned)(f % 8);
    if (kind == 0 || (kind == 1 && negzero)) {
        for (size_t i = 0; i < n; i++) llr[i] = kind ? -0.0f : 0.0f;
        return;
    }
    uint64_t pos = f * 64;
    unsigned top = 2 + rf_gen_word(seed, 3, pos++) % 3, low = rf_gen_word(seed, 3, pos++) % 3;
    int t = 2 + (int)(rf_gen_word(seed, 3, pos++) % 3);
    if (top > n) top = (unsigned)n;
    if (top + low > n) low = (unsigned)n - top;
    size_t rows[8];
    int coef[8];
    for (unsigned r = 0; r < top + low; r++) {
        size_t a;
        int fresh;
        do { /* distinct rows */
            a = rf_gen_word(seed, 3, pos++) & (n - 1);
            fresh = 1;
            for (unsigned q = 0; q < r; q++) fresh &= rows[q] != a;
        } while (!fresh);
        rows[r] = a;
        int mag = r < top ? t : 1 + (int)(rf_gen_word(seed, 3, pos++) % (unsigned)(t - 1));
        coef[r] = rf_gen_word(seed, 3, pos++) & 1 ? -mag : mag;
    }
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (unsigned r = 0; r < top + low; r++)
            v += __builtin_parityll((unsigned long long)(rows[r] & i)) ? -coef[r] : coef[r];
        llr[i] = (float)v;
    }
}

static int rm1_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    static const char *const kinds[] = {"awgn", "ties", NULL};
    uint64_t m, frames, seed = 1, negzero = 1;
    double sigma;
    if (!rf_need_u64(c, "m", 1, ORACLE_MAX_M, &m, err, errlen)) return -1;
    if (!rf_need_u64(c, "frames", 1, 1u << 16, &frames, err, errlen)) return -1;
    if (rf_param_positive(c, "sigma", 1.0, &sigma, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_u64(c->params, "negzero", &negzero);
    const int ties = rf_param_keyword(c, "input", kinds, 0, err, errlen);
    if (ties < 0) return -1;
    const size_t n = (size_t)1 << m;
    const unsigned k = (unsigned)m + 1;
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    uint8_t *gen = malloc(k * n);
    if (!llr || !gen) {
        free(gen);
        return rf_run_error(err, errlen, "out of memory for %llu frames of n = %zu",
                            (unsigned long long)frames, n);
    }
    ora_rm1_generator((unsigned)m, gen);
    if (ties)
        for (uint64_t f = 0; f < frames; f++) ties_frame((unsigned)m, seed, f, negzero != 0, llr + f * n);
    else
        awgn_frames(gen, k, n, frames, sigma, seed, llr);
    free(gen);
    return 0;
}

static int enum_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    enum { RM22, RM1, RANDOM };
    static const char *const codes[] = {"rm22", "rm1", "random", NULL};
    uint64_t frames, seed = 1, m = 0, n = 4, k = 4, maxlog;
    double sigma;
    const int code = rf_param_keyword(c, "code", codes, -1, err, errlen);
    if (code < 0) return -1;
    if (!rf_need_u64(c, "frames", 1, 1u << 16, &frames, err, errlen)) return -1;
    if (!rf_need_u64(c, "maxlog", 0, 1, &maxlog, err, errlen)) return -1;
    if (rf_param_positive(c, "sigma", 1.0, &sigma, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    if (code == RM1) {
        if (!rf_need_u64(c, "m", 1, 5, &m, err, errlen)) return -1;
        n = 1u << m;
        k = m + 1;
    } else if (code == RANDOM) {
        if (!rf_need_u64(c, "n", 1, ENUM_MAX_N, &n, err, errlen)) return -1;
        if (!rf_need_u64(c, "k", 1, n < RF_ENUM_MAX_K ? n : RF_ENUM_MAX_K, &k, err, errlen))
            return -1;
    }
    uint8_t *gen = rf_case_add2(c, "in.gen", RF_DT_U8, k, n);
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    if (!gen || !llr) return rf_run_error(err, errlen, "out of memory");
    if (code == RM22) { /* RM(2,2) in Plotkin order */
        static const uint8_t rm22[16] = {1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1};
        memcpy(gen, rm22, sizeof rm22);
    } else if (code == RM1) {
        ora_rm1_generator((unsigned)m, gen);
    } else {
        for (size_t r = 0; r < k; r++)
            for (size_t i = 0; i < n; i++)
                gen[r * n + i] = i < k ? i == r : rf_gen_word(seed, 4, r * n + i) & 1;
    }
    awgn_frames(gen, (unsigned)k, n, frames, sigma, seed, llr);
    return 0;
}

/* ---- oracle and run --------------------------------------------------------------------------- */

/* The arguments of one call: RM(m,1) kernels read llr, m, frames; the enumeration also n, k, gen
 * and maxlog. `out` is bits (u8, MAP) or info (f32), frames x k. */
typedef struct sm_args {
    const float *llr;
    const uint8_t *gen;
    unsigned m, k;
    size_t n, frames;
    int maxlog;
    void *out;
} sm_args;

/* An RM(m,1) case: in.llr as frames x n with n = 2^m, 1 <= m <= max_m. */
static int rm1_inputs(const rf_case *c, unsigned max_m, sm_args *a, char *err, size_t errlen)
{
    const rf_array *in = rf_case_need(c, "in.llr", RF_DT_F32, 2, err, errlen);
    if (!in) return -1;
    a->n = (size_t)in->shape[1];
    a->m = rf_ceil_log2(a->n);
    a->k = a->m + 1;
    a->frames = (size_t)in->shape[0];
    a->llr = in->data;
    if (a->n < 2 || ((size_t)1 << a->m) != a->n || a->m > max_m)
        return rf_run_error(err, errlen, "in.llr row length %zu is not 2^m with 1 <= m <= %u", a->n, max_m);
    return 0;
}

/* An enumeration case: in.gen (k x n u8 0/1), in.llr (frames x n f32), maxlog. */
static int enum_inputs(const rf_case *c, sm_args *a, char *err, size_t errlen)
{
    const rf_array *g = rf_case_need(c, "in.gen", RF_DT_U8, 2, err, errlen);
    const rf_array *l = g ? rf_case_need(c, "in.llr", RF_DT_F32, 2, err, errlen) : NULL;
    if (!l) return -1;
    if (g->shape[0] < 1 || g->shape[0] > RF_ENUM_MAX_K || g->shape[1] < 1 ||
        g->shape[1] > ENUM_MAX_N || g->shape[1] != l->shape[1])
        return rf_run_error(err, errlen, "in.gen must be k x n with 1 <= k <= %d, 1 <= n <= %d, "
                            "n = row length of in.llr", RF_ENUM_MAX_K, ENUM_MAX_N);
    uint64_t maxlog;
    if (!rf_need_u64(c, "maxlog", 0, 1, &maxlog, err, errlen)) return -1;
    a->maxlog = (int)maxlog;
    a->gen = g->data;
    a->llr = l->data;
    a->k = (unsigned)g->shape[0];
    a->n = (size_t)g->shape[1];
    a->frames = (size_t)l->shape[0];
    for (size_t i = 0; i < g->count; i++)
        if (a->gen[i] > 1) return rf_run_error(err, errlen, "in.gen holds a value other than 0/1");
    return 0;
}

/* Frames per oracle chunk: bounds the correlation table (chunk x 2^k long doubles). */
#define ORACLE_CHUNK 16

/* Every variant's oracle: the correlations of all 2^k codewords, then the MAP decision (rm1_map)
 * or the soft outputs, per frame. */
static int sm_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    const int v = desc->variant;
    sm_args a;
    uint8_t *rm1 = NULL;
    if (v == SM_ENUM ? enum_inputs(c, &a, err, errlen) : rm1_inputs(c, ORACLE_MAX_M, &a, err, errlen)) return -1;
    if (v != SM_ENUM) {
        if (!(rm1 = malloc(a.k * a.n))) return rf_run_error(err, errlen, "out of memory");
        ora_rm1_generator(a.m, rm1);
        a.maxlog = v == SM_MAXLOG;
    }
    const uint8_t *gen = v == SM_ENUM ? a.gen : rm1;
    const size_t n = a.n, k = a.k, msgs = (size_t)1 << k;
    void *want = rf_case_add2(c, v == SM_MAP ? "want.bits" : "want.info", v == SM_MAP ? RF_DT_U8 : RF_DT_F64,
                              a.frames, k);
    double *scale = rf_case_add1(c, v == SM_MAP ? "scale.bits" : "scale.info", RF_DT_F64, a.frames);
    double *tie = v == SM_MAP ? rf_case_add1(c, "tie.bits", RF_DT_F64, a.frames) : NULL;
    const size_t chunk = msgs > 4096 ? 1 : ORACLE_CHUNK; /* RM(16,1): 2 MiB of correlations a frame */
    long double *corr = malloc(chunk * msgs * sizeof *corr);
    int rc = !want || !scale || (v == SM_MAP && !tie) || !corr ? rf_run_error(err, errlen, "out of memory") : 0;
    for (size_t f0 = 0; rc == 0 && f0 < a.frames; f0 += chunk) {
        const size_t cnt = a.frames - f0 < chunk ? a.frames - f0 : chunk;
        if (v == SM_ENUM ? ora_code_correlations(a.llr + f0 * n, cnt, n, (unsigned)k, gen, corr)
                         : ora_rm1_correlations(a.llr + f0 * n, cnt, a.m, corr)) {
            rc = rf_run_error(err, errlen, "out of memory");
            break;
        }
        for (size_t f = f0; f < f0 + cnt; f++) {
            const long double *cf = corr + (f - f0) * msgs;
            const long double abs_sum = ora_abs_sum(a.llr + f * n, n);
            const int finite = ora_corr_finite(cf, (unsigned)k);
            if (v == SM_MAP) {
                tie[f] = (double)ora_rm1_map_from_corr(cf, a.m, (uint8_t *)want + f * k);
                scale[f] = finite ? (double)abs_sum : 0.0;
                continue;
            }
            long double out[MAX_K];
            ora_softmap_from_corr(cf, (unsigned)k, a.maxlog, out);
            for (size_t j = 0; j < k; j++) ((double *)want)[f * k + j] = (double)out[j];
            scale[f] = !finite ? 0.0 : a.maxlog ? (double)(2 * abs_sum) : (double)(abs_sum + 2);
        }
    }
    free(rm1);
    free(corr);
    if (rc == 0) rf_case_set_param(c, "terms", "%zu", v == SM_ENUM && msgs > n ? msgs : n);
    return rc;
}

static int sm_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err, size_t errlen)
{
    sm_args *a = args;
    const int v = desc->variant;
    if (v == SM_ENUM ? enum_inputs(c, a, err, errlen) : rm1_inputs(c, RF_RM1_MAX_M, a, err, errlen)) return -1;
    const uint64_t shape[2] = {a->frames, a->k};
    a->out = v == SM_MAP ? rf_case_out(out, "bits", RF_DT_U8, 2, shape) : rf_case_out(out, "info", RF_DT_F32, 2, shape);
    return a->out ? 0 : rf_run_error(err, errlen, "out of memory");
}

static void sm_call(const rf_impl *im, void *args)
{
    const sm_args *a = args;
    switch (im->kernel->variant) {
    case SM_MAP: ((rf_rm1_map_fn)im->fn)(a->llr, a->m, a->frames, a->out); break;
    case SM_MAXLOG: ((rf_rm1_softmap_maxlog_fn)im->fn)(a->llr, a->m, a->frames, a->out); break;
    case SM_EXACT: ((rf_rm1_softmap_exact_fn)im->fn)(a->llr, a->m, a->frames, a->out); break;
    default: ((rf_softmap_enum_fn)im->fn)(a->llr, a->n, a->k, a->gen, a->frames, a->maxlog, a->out); break;
    }
}

/* flops: the transform's additions (n log2 n per frame), or the enumeration's correlations. The
 * kernels' cost does not depend on the data, except the MAP's early exit in its index search. */
static void sm_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    const sm_args *a = args;
    const double frames = (double)a->frames, n = (double)a->n;
    w->items = frames;
    w->item_unit = "frames";
    w->flops = desc->variant == SM_ENUM ? frames * (double)((size_t)1 << a->k) * n : frames * n * a->m;
    w->bytes = frames * (n + a->k) * sizeof(float);
}

/* ---- fuzzing ---------------------------------------------------------------------------------- */

/* Magnitudes up to 2^60: W sums at most 2^10 terms, far from float overflow, and every
 * intermediate of the exact LSE (differences of W/2) stays finite. */
#define FUZZ_MAXEXP 60
/* The enumeration oracle costs n * 2^(m+1) per frame; m <= 7 keeps the 60 s CI fuzz run at
 * thousands of inputs. Larger m (to 10 here, 13 in the unit tests) is covered by golden cases. */
#define FUZZ_MAX_M 7

/* The MAP decision is fuzzed on inputs without near-ties only: the `decision` class lets a
 * near-tie flip but only while flips stay under 1e-4 of the decisions, which a case of a few
 * frames cannot meet, and wide-range floats make near-ties common (one LLR of 2^50 swamps the
 * rest, so every |W| rounds to the same float). Magnitudes up to 2^8 keep the rejections rare;
 * the soft kernels take the full range. */
static int rm1_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    const bool map = desc->variant == SM_MAP;
    rf_bytes b = {data, size, 0};
    unsigned m = 1 + rf_bytes_u8(&b) % FUZZ_MAX_M;
    size_t frames = 1 + rf_bytes_u8(&b) % 4, n = (size_t)1 << m, msgs = (size_t)2 << m;
    rf_case_set_param(c, "m", "%u", m);
    rf_case_set_param(c, "frames", "%zu", frames);
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    if (!llr) return -1;
    for (size_t i = 0; i < frames * n; i++) llr[i] = rf_bytes_f32(&b, map ? 8 : FUZZ_MAXEXP, 1);
    if (!map) return 0;
    uint8_t *gen = malloc((m + 1) * n), bits[FUZZ_MAX_M + 1];
    long double *corr = malloc(frames * msgs * sizeof *corr);
    int near = !gen || !corr;
    if (!near) {
        ora_rm1_generator(m, gen);
        near = ora_code_correlations(llr, frames, n, m + 1, gen, corr) != 0;
    }
    const double bound = (8.0 * m + 8.0) * rf_unit_roundoff(RF_DT_F32);
    for (size_t f = 0; f < frames && !near; f++) {
        const long double margin = ora_rm1_map_from_corr(corr + f * msgs, m, bits);
        near = margin <= bound * ora_abs_sum(llr + f * n, n);
    }
    free(gen);
    free(corr);
    return near ? -1 : 0;
}

static int enum_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size, 0};
    size_t n = 1 + rf_bytes_u8(&b) % 16;
    unsigned k = 1 + rf_bytes_u8(&b) % 8;
    size_t frames = 1 + rf_bytes_u8(&b) % 4;
    unsigned maxlog = rf_bytes_u8(&b) & 1;
    rf_case_set_param(c, "code", "fuzz");
    rf_case_set_param(c, "n", "%zu", n);
    rf_case_set_param(c, "k", "%u", k);
    rf_case_set_param(c, "frames", "%zu", frames);
    rf_case_set_param(c, "maxlog", "%u", maxlog);
    uint8_t *gen = rf_case_add2(c, "in.gen", RF_DT_U8, k, n);
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    if (!gen || !llr) return -1;
    for (size_t i = 0; i < k * n; i++) gen[i] = rf_bytes_u8(&b) & 1;
    for (size_t i = 0; i < frames * n; i++) llr[i] = rf_bytes_f32(&b, FUZZ_MAXEXP, 1);
    return 0;
}

/* ---- golden cases and descriptors ------------------------------------------------------------- */

#define AWGN_CASES(prefix)                                                                       \
    {prefix "m1_s1", "m=1 frames=64 sigma=1 seed=101"},                                        \
    {prefix "m3_s0.5", "m=3 frames=64 sigma=0.5 seed=301"},                                    \
    {prefix "m3_s1", "m=3 frames=64 sigma=1 seed=302"},                                        \
    {prefix "m3_s2", "m=3 frames=64 sigma=2 seed=303"},                                        \
    {prefix "m6_s0.5", "m=6 frames=32 sigma=0.5 seed=601"},                                    \
    {prefix "m6_s1", "m=6 frames=32 sigma=1 seed=602"},                                        \
    {prefix "m6_s2", "m=6 frames=32 sigma=2 seed=603"},                                        \
    {prefix "m8_s0.5", "m=8 frames=16 sigma=0.5 seed=801"},                                    \
    {prefix "m8_s1", "m=8 frames=16 sigma=1 seed=802"},                                        \
    {prefix "m8_s2", "m=8 frames=16 sigma=2 seed=803"},                                        \
    {prefix "m10_s0.5", "m=10 frames=8 sigma=0.5 seed=1001"},                                  \
    {prefix "m10_s1", "m=10 frames=8 sigma=1 seed=1002"},                                      \
    {prefix "m10_s2", "m=10 frames=8 sigma=2 seed=1003"}

static const rf_case_spec map_cases[] = {
    AWGN_CASES(""),
    {"ties_m1", "m=1 frames=16 input=ties seed=11 tol=exact"},
    {"ties_m2", "m=2 frames=32 input=ties seed=12 tol=exact"},
    {"ties_m3", "m=3 frames=32 input=ties seed=13 tol=exact"},
    {"ties_m6", "m=6 frames=32 input=ties seed=16 tol=exact"},
    {"ties_m10", "m=10 frames=16 input=ties seed=20 tol=exact"},
    {NULL, NULL},
};

static const rf_case_spec maxlog_cases[] = {
    AWGN_CASES(""),
    {"ties_m2", "m=2 frames=32 input=ties negzero=0 seed=12 tol=exact"},
    {"ties_m3", "m=3 frames=32 input=ties negzero=0 seed=13 tol=exact"},
    {"ties_m6", "m=6 frames=32 input=ties negzero=0 seed=16 tol=exact"},
    {"ties_m10", "m=10 frames=16 input=ties negzero=0 seed=20 tol=exact"},
    {NULL, NULL},
};

static const rf_case_spec exact_cases[] = {
    AWGN_CASES(""),
    {"ties_m3", "m=3 frames=32 input=ties seed=13"},
    {"ties_m6", "m=6 frames=32 input=ties seed=16"},
    {NULL, NULL},
};

static const rf_case_spec enum_cases[] = {
    {"rm22_exact", "code=rm22 frames=64 sigma=0.8 seed=2201 maxlog=0"},
    {"rm22_maxlog", "code=rm22 frames=64 sigma=0.8 seed=2202 maxlog=1"},
    {"rm31_exact", "code=rm1 m=3 frames=64 sigma=1 seed=3101 maxlog=0"},
    {"rm31_maxlog", "code=rm1 m=3 frames=64 sigma=1 seed=3102 maxlog=1"},
    {"rand7x4_exact", "code=random n=7 k=4 frames=64 sigma=0.7 seed=7401 maxlog=0"},
    {"rand7x4_maxlog", "code=random n=7 k=4 frames=64 sigma=0.7 seed=7402 maxlog=1"},
    /* the largest k (RF_ENUM_MAX_K = 16): 2^16 codewords per frame */
    {"rand24x16_exact", "code=random n=24 k=16 frames=8 sigma=0.7 seed=2416 maxlog=0"},
    {"rand24x16_maxlog", "code=random n=24 k=16 frames=8 sigma=0.7 seed=2417 maxlog=1"},
    {NULL, NULL},
};

static const char *const rm1_sizes[] = {"m=6 frames=1024", "m=8 frames=256", "m=10 frames=64",
                                        NULL};
static const char *const enum_sizes[] = {"code=rm22 frames=4096 maxlog=0 seed=9",
                                         "code=rm1 m=4 frames=256 maxlog=1 seed=9", NULL};

#define SM_CALLBACKS                                                                             \
    .family = "softmap", .work_dtype = RF_DT_F32, .oracle = sm_oracle, .args_size = sizeof(sm_args), \
    .bind = sm_bind, .call = sm_call, .work = sm_work
#define RM1_CALLBACKS SM_CALLBACKS, .make_inputs = rm1_make_inputs, .bench_sizes = rm1_sizes, .fuzz_inputs = rm1_fuzz

static const rf_kernel rm1_map_kernel = {
    .name = "rm1_map",
    .summary = "MAP decoding of RM(m,1) via one FHT (argmax |W|, lowest index wins)",
    .id = RF_KID(rm1_map),
    .variant = SM_MAP,
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = map_cases,
    .free_length = "frames",
    RM1_CALLBACKS,
};

static const rf_kernel rm1_softmap_maxlog_kernel = {
    .name = "rm1_softmap_maxlog",
    .summary = "Soft-MAP of RM(m,1), max-log form of seed eq. C.6, via one FHT",
    .id = RF_KID(rm1_softmap_maxlog),
    .variant = SM_MAXLOG,
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = maxlog_cases,
    .free_length = "frames",
    RM1_CALLBACKS,
};

static const rf_kernel rm1_softmap_exact_kernel = {
    .name = "rm1_softmap_exact",
    .summary = "Soft-MAP of RM(m,1), exact posterior LLRs (stable LSE), via one FHT",
    .id = RF_KID(rm1_softmap_exact),
    .variant = SM_EXACT,
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = exact_cases,
    .free_length = "frames",
    RM1_CALLBACKS,
};

static const rf_kernel softmap_enum_kernel = {
    .name = "softmap_enum",
    .summary = "Soft-MAP of any small code (k <= 16) by enumerating its codewords",
    .id = RF_KID(softmap_enum),
    .variant = SM_ENUM,
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = enum_cases,
    .free_length = "frames",
    .make_inputs = enum_make_inputs,
    .bench_sizes = enum_sizes,
    .fuzz_inputs = enum_fuzz,
    SM_CALLBACKS,
};

const rf_kernel *const rf_family_softmap[] = {&rm1_map_kernel, &rm1_softmap_maxlog_kernel,
                                              &rm1_softmap_exact_kernel, &softmap_enum_kernel,
                                              NULL};
