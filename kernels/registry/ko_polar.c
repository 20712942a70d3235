/* Registry entries ko_polar_encode_f32 and ko_polar_decode_f32 (refast/ko_polar.h; SPEC §5.1 "KO
 * codes", ko-reference/README.md §8): the family rf_family_ko_polar, the authors' KO code on the
 * Polar(64,7) tree. The descriptors' variant tells the encoder from the decoder. (The third row of
 * RF_KERNELS_KO_POLAR, ko_polar_block_f32, is one block on one vector: a REF helper that the
 * reference codec calls, not a batched kernel, so it has no descriptor of its own; every block
 * the codec uses is exercised through these two.)
 *
 * Case inputs: in.weights (f32, the model's 190029 floats in the layout of lib/ko/polar_weights.h),
 * in.msg (u8, frames x 7) for encode, in.y (f32, frames x 64, raw received values, canonical
 * positions) for decode. Outputs: x (encode); llr and hard (u8, [llr < 0]) for decode.
 * The judge checks |got - want| <= tau u S (u = 2^-24, tau = 16 for both), so a bound B on
 * |got - want| is stored as the scale S = B / (tau u).
 *
 * Two kinds of golden case:
 * (a) source=ko_polar_64_7: the authors' own float32 PyTorch run (README §8) is the truth (want =
 *     THEIR numbers), read from $REFAST_KO_REFERENCE like kernels/registry/ko_codec.c (xxh.<file>
 *     provenance parameters; weights imported by rf_ko_polar_import). Encode all 1000 messages,
 *     decode all 200 frames of both noise levels (level=both: level 1 rows, then level 2). Bounds
 *     (README §4 table: a float64 re-implementation differs from their run by 1.0e-6 on the
 *     codewords, 3.0e-4 abs / 4.7e-5 relative on the LLRs; ref measured 1e-6 / 5e-5):
 *     encode B = 1e-5 (one scale); decode B = 2e-3 max(1, |L_ref|) per LLR; hard = their
 *     hard.u8 judged as `decision` with tie.hard = their LLR and B = 1e-2 (README's near-tie
 *     threshold; no exported Polar LLR is below it, so every decision must be equal).
 * (b) weights=init:SEED (rf_ko_polar_init: N(0, 0.02^2), the seed's initialisation) or
 *     weights=authors (their trained weights, imported), random messages (Philox), decode input
 *     y = x + sigma n (x the oracle's codeword of message f mod DEC_WORDS rounded to float, n
 *     Box-Muller): the long double oracle (oracle/oracle_ko_polar.h) is the truth.
 *     The oracle's first-order worst-case bound is ~1e10 times the actual error with trained
 *     weights (the blocks' |W| products compound over five g levels), so both kernels are judged
 *     by the oracle's own rounding sensitivity, as ko_decode_f32 is: the oracle reruns SENS_RUNS
 *     times with every float rounding emulated by a random relative perturbation of at most u;
 *     S = max over the runs of |v_run - v| / u, floored at |v| (the final rounding), class
 *     iterate, tau = 16 (a sample maximum short of the worst direction, a dot product's worst
 *     case against its random walk, the 3-ulp SELU / tanh of the fast levels; the same argument
 *     and constant as kernels/registry/ko_codec.c). The decoder is discontinuous where L3 or L4
 *     changes sign (g1_left is applied to their signs): the oracle refuses a case where
 *     min(|L3|, |L4|) <= tau u S of that LLR (pick another seed). hard: `decision`, tie.hard =
 *     L, scale.hard = S.
 *
 * Fuzz: 1-2 frames, weights init:SEED (seed from the bytes) scaled by 2^[0, 4] (so the SELUs
 * see both branches and the LLRs range from O(1e-3) to large); encode random messages; decode y from the
 * bytes (mostly uniform in [-4, 4), 1/32 exact zeros, 1/32 scaled up to 2^17). Rejected: outputs beyond
 * 2^100 (float overflow territory), near-tie LLRs
 * (a case of 7-14 decisions cannot meet the decision class's < 1e-4 near-tie limit) and the L3/L4
 * sign discontinuity above. inf/NaN inputs are not generated (the networks mix every input
 * into every output, so nothing is specified for them beyond NaN propagation order).
 *
 * Benchmarks: init:1 weights, items = frames; flops = 2 x the blocks' multiply-adds per frame
 * (codec_work).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "ko/polar_weights.h"
#include "koref.h"
#include "oracle_ko_polar.h"

#define TAU 16.0
#define SENS_RUNS 8
#define MAX_FRAMES 4096
#define DEC_WORDS 256 /* decode oracle cases: codewords of the first 256 messages (header) */
#define SOURCE "ko_polar_64_7"
#define U32 0x1p-24

enum { KOP_ENC = 0, KOP_DEC = 1 }; /* the descriptors' variant */

/* ---- the model of a case --------------------------------------------------------------------- */

/* The model over the case's in.weights: the blocks point into the array; the tensor records of
 * the view are dropped (nothing to free, valid while the case lives). */
static int case_model(const rf_case *c, rf_ko_polar_model *view, char *err, size_t errlen)
{
    const rf_array *w = rf_case_need(c, "in.weights", RF_DT_F32, 1, err, errlen);
    if (!w) return -1;
    if (!rf_ko_polar_view(view, w->data, (size_t)w->count, err, errlen)) return -1;
    free(view->tensors);
    view->tensors = NULL;
    view->ntensors = 0;
    return 0;
}

static int add_weights(rf_case *c, const rf_ko_polar_model *mdl, char *err, size_t errlen)
{
    float *w = rf_case_add1(c, "in.weights", RF_DT_F32, mdl->nfloats);
    if (!w) return rf_run_error(err, errlen, "out of memory");
    memcpy(w, mdl->data, mdl->nfloats * sizeof(float));
    return 0;
}

static const char *ref_root(void)
{
    const char *d = getenv("REFAST_KO_REFERENCE");
    return d && *d ? d : "../shared/ko-reference";
}

/* The authors' weights, their two files' hashes recorded in c (when given). */
static int import_authors(rf_case *c, rf_ko_polar_model *mdl, char *err, size_t errlen)
{
    char dir[1024], why[512];
    uint8_t *f = rf_koref_read(c, SOURCE, "weights.json", 1, err, errlen);
    if (!f) return -1;
    free(f);
    if (!(f = rf_koref_read(c, SOURCE, "weights.f32", 4, err, errlen))) return -1;
    free(f);
    snprintf(dir, sizeof dir, "%s/%s", ref_root(), SOURCE);
    if (!rf_ko_polar_import(mdl, dir, why, sizeof why)) return rf_run_error(err, errlen, "%s", why);
    return 0;
}

/* ---- (a) the authors' data ------------------------------------------------------------------- */

static int source_levels(const rf_case *c, unsigned *lo, unsigned *hi, char *err, size_t errlen)
{
    char level[8] = "";
    rf_param_str(c->params, "level", level, sizeof level);
    if (!strcmp(level, "1") || !strcmp(level, "2")) {
        *lo = *hi = (unsigned)(level[0] - '0');
    } else if (!strcmp(level, "both")) {
        *lo = 1, *hi = 2;
    } else {
        return rf_run_error(err, errlen, "decode source case needs level=1|2|both");
    }
    return 0;
}

static int check_source(const rf_case *c, char *err, size_t errlen)
{
    char source[32] = "";
    rf_param_str(c->params, "source", source, sizeof source);
    return strcmp(source, SOURCE) ? rf_run_error(err, errlen, "unknown source '%s' (%s)", source, SOURCE) : 0;
}

/* Source cases: params source, frames (<= 1000 encode, <= 200 decode), level (decode). */
static int source_inputs(rf_case *c, bool enc, char *err, size_t errlen)
{
    uint64_t frames;
    unsigned lo = 1, hi = 1;
    if (check_source(c, err, errlen) || !rf_need_u64(c, "frames", 1, enc ? 1000 : 200, &frames, err, errlen) ||
        (!enc && source_levels(c, &lo, &hi, err, errlen)))
        return -1;
    rf_ko_polar_model mdl;
    if (import_authors(c, &mdl, err, errlen)) return -1;
    const int rc = add_weights(c, &mdl, err, errlen);
    rf_ko_polar_free(&mdl);
    if (rc) return -1;
    if (enc) {
        uint8_t *msg = rf_koref_read(c, SOURCE, "messages.u8", frames * RF_KOP_K, err, errlen);
        uint8_t *dst = msg ? rf_case_add2(c, "in.msg", RF_DT_U8, frames, RF_KOP_K) : NULL;
        if (dst) memcpy(dst, msg, frames * RF_KOP_K);
        free(msg);
        return dst ? 0 : msg ? rf_run_error(err, errlen, "out of memory") : -1;
    }
    float *dst = rf_case_add2(c, "in.y", RF_DT_F32, (hi - lo + 1) * frames, RF_KOP_N);
    if (!dst) return rf_run_error(err, errlen, "out of memory");
    for (unsigned level = lo; level <= hi; level++) {
        char file[64];
        snprintf(file, sizeof file, "level%u_received.f32", level);
        uint8_t *y = rf_koref_read(c, SOURCE, file, frames * RF_KOP_N * 4, err, errlen);
        if (y) memcpy(dst + (level - lo) * frames * RF_KOP_N, y, frames * RF_KOP_N * 4); /* little-endian host */
        free(y);
        snprintf(file, sizeof file, "level%u_llr.f32", level);
        uint8_t *l = y ? rf_koref_read(c, SOURCE, file, frames * RF_KOP_K * 4, err, errlen) : NULL;
        free(l);
        snprintf(file, sizeof file, "level%u_hard.u8", level);
        uint8_t *h = l ? rf_koref_read(c, SOURCE, file, frames * RF_KOP_K, err, errlen) : NULL;
        free(h);
        if (!h) return -1;
    }
    return 0;
}

/* The authors' outputs as want.*, with the bounds of the header as scales. */
static int source_oracle(rf_case *c, bool enc, char *err, size_t errlen)
{
    uint64_t frames = 0;
    unsigned lo = 1, hi = 1;
    if (check_source(c, err, errlen) || !rf_need_u64(c, "frames", 1, enc ? 1000 : 200, &frames, err, errlen) ||
        (!enc && source_levels(c, &lo, &hi, err, errlen)))
        return -1;
    if (enc) {
        uint8_t *x = rf_koref_read(NULL, SOURCE, "codewords.f32", frames * RF_KOP_N * 4, err, errlen);
        float *want = x ? rf_case_add2(c, "want.x", RF_DT_F32, frames, RF_KOP_N) : NULL;
        double *scale = want ? rf_case_add1(c, "scale.x", RF_DT_F64, 1) : NULL;
        if (scale) {
            memcpy(want, x, frames * RF_KOP_N * 4);
            scale[0] = 1e-5 / (TAU * U32);
        }
        free(x);
        return scale ? 0 : x ? rf_run_error(err, errlen, "out of memory") : -1;
    }
    const size_t rows = (hi - lo + 1) * frames, k = RF_KOP_K;
    float *wl = rf_case_add2(c, "want.llr", RF_DT_F32, rows, k);
    float *sl = rf_case_add2(c, "scale.llr", RF_DT_F32, rows, k);
    uint8_t *wh = rf_case_add2(c, "want.hard", RF_DT_U8, rows, k);
    float *sh = rf_case_add2(c, "scale.hard", RF_DT_F32, rows, k);
    float *th = rf_case_add2(c, "tie.hard", RF_DT_F32, rows, k);
    if (!wl || !sl || !wh || !sh || !th) return rf_run_error(err, errlen, "out of memory");
    for (unsigned level = lo; level <= hi; level++) {
        char file[64];
        snprintf(file, sizeof file, "level%u_llr.f32", level);
        uint8_t *lb = rf_koref_read(NULL, SOURCE, file, frames * k * 4, err, errlen);
        snprintf(file, sizeof file, "level%u_hard.u8", level);
        uint8_t *hb = lb ? rf_koref_read(NULL, SOURCE, file, frames * k, err, errlen) : NULL;
        if (!lb || !hb) {
            free(lb);
            return -1;
        }
        const float *L = (const float *)(const void *)lb;
        const size_t at = (level - lo) * frames * k;
        for (size_t i = 0; i < frames * k; i++) {
            wl[at + i] = L[i];
            sl[at + i] = (float)(2e-3 * fmax(1.0, fabs((double)L[i])) / (TAU * U32));
            wh[at + i] = hb[i];
            sh[at + i] = (float)(1e-2 / (TAU * U32));
            th[at + i] = L[i];
        }
        free(lb), free(hb);
    }
    if (!strstr(c->params, "tol.hard=")) rf_case_set_param(c, "tol.hard", "decision");
    return 0;
}

/* ---- (b) oracle cases ------------------------------------------------------------------------ */

/* weights=init:SEED | authors */
static int gen_model(rf_case *c, const char *spec, rf_ko_polar_model *mdl, char *err, size_t errlen)
{
    if (!strcmp(spec, "authors")) return import_authors(c, mdl, err, errlen);
    char *end = NULL;
    const unsigned long long seed = strncmp(spec, "init:", 5) ? 0 : strtoull(spec + 5, &end, 10);
    if (!end || end == spec + 5 || *end)
        return rf_run_error(err, errlen, "weights='%s': expected init:SEED or authors", spec);
    return rf_ko_polar_init(mdl, seed, err, errlen) ? 0 : -1;
}

static int oracle_inputs(rf_case *c, bool enc, char *err, size_t errlen)
{
    uint64_t frames, seed = 1;
    double sigma = 1.0;
    char wspec[32] = "init:1";
    if (!rf_need_u64(c, "frames", 1, MAX_FRAMES, &frames, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_str(c->params, "weights", wspec, sizeof wspec);
    if (!enc && rf_param_positive(c, "sigma", 1.0, &sigma, err, errlen)) return -1;
    rf_ko_polar_model mdl;
    if (gen_model(c, wspec, &mdl, err, errlen)) return -1;
    int rc = add_weights(c, &mdl, err, errlen);
    const size_t words = enc || frames < DEC_WORDS ? frames : DEC_WORDS;
    uint8_t *msg = rc ? NULL : enc ? rf_case_add2(c, "in.msg", RF_DT_U8, frames, RF_KOP_K) : malloc(words * RF_KOP_K);
    long double *x = enc || !msg ? NULL : malloc(2 * words * RF_KOP_N * sizeof *x);
    float *y = enc || !x ? NULL : rf_case_add2(c, "in.y", RF_DT_F32, frames, RF_KOP_N);
    if (!rc && (!msg || (!enc && !y))) rc = rf_run_error(err, errlen, "out of memory");
    for (size_t i = 0; !rc && i < words * RF_KOP_K; i++) msg[i] = (uint8_t)(rf_gen_word(seed, 10, i) & 1u);
    if (!rc && !enc) {
        ora_ko_polar_encode(&mdl, msg, words, 0, 0, x, x + words * RF_KOP_N);
        for (size_t i = 0; i < frames * RF_KOP_N; i++)
            y[i] = (float)((double)(float)x[i % (words * RF_KOP_N)] + sigma * rf_gen_normal(seed, 11, i));
    }
    if (!enc) free(msg);
    free(x);
    rf_ko_polar_free(&mdl);
    return rc;
}

/* ---- callbacks ------------------------------------------------------------------------------- */

static int codec_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    const bool enc = desc->variant == KOP_ENC;
    return strstr(c->params, "source=") ? source_inputs(c, enc, err, errlen) : oracle_inputs(c, enc, err, errlen);
}

typedef struct codec_args {
    rf_ko_polar_model mdl;
    size_t frames;
    const uint8_t *msg;
    const float *y;
    float *x, *llr;
    uint8_t *hard;
} codec_args;

/* The model and the input frames of a case (the outputs are left alone). */
static int codec_read(const rf_kernel *desc, const rf_case *c, codec_args *a, char *err, size_t errlen)
{
    if (case_model(c, &a->mdl, err, errlen)) return -1;
    if (desc->variant == KOP_DEC) {
        const rf_array *y = rf_case_need(c, "in.y", RF_DT_F32, 0, err, errlen);
        if (!y || y->count == 0 || y->count % RF_KOP_N != 0)
            return rf_run_error(err, errlen, "in.y missing or not frames x %u f32", RF_KOP_N);
        a->frames = y->count / RF_KOP_N;
        a->y = y->data;
        return 0;
    }
    const rf_array *msg = rf_case_need(c, "in.msg", RF_DT_U8, 0, err, errlen);
    if (!msg || msg->count == 0 || msg->count % RF_KOP_K != 0)
        return rf_run_error(err, errlen, "in.msg missing or not frames x %u u8", RF_KOP_K);
    a->frames = msg->count / RF_KOP_K;
    a->msg = msg->data;
    for (size_t i = 0; i < msg->count; i++)
        if (a->msg[i] > 1) return rf_run_error(err, errlen, "in.msg[%zu] = %u is not a bit", i, a->msg[i]);
    return 0;
}

/* The perturbed-run sensitivity of one output (header): S = max(|v|, max_r |v_r - v| / u). */
static void sens_update(double *s, const long double *v, const long double *vr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double d = (double)(fabsl(vr[i] - v[i]) / U32);
        if (d > s[i] || isnan(d)) s[i] = d;
    }
}

static int enc_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    if (strstr(c->params, "source=")) return source_oracle(c, true, err, errlen);
    codec_args a;
    if (codec_read(desc, c, &a, err, errlen)) return -1;
    const size_t nx = a.frames * RF_KOP_N;
    long double *x = malloc(4 * nx * sizeof *x); /* x, its bound, a run, that run's bound */
    double *want = x ? rf_case_add2(c, "want.x", RF_DT_F64, a.frames, RF_KOP_N) : NULL;
    double *scale = want ? rf_case_add2(c, "scale.x", RF_DT_F64, a.frames, RF_KOP_N) : NULL;
    if (!scale) {
        free(x);
        return rf_run_error(err, errlen, "out of memory");
    }
    ora_ko_polar_encode(&a.mdl, a.msg, a.frames, 0, 0, x, x + nx);
    for (size_t i = 0; i < nx; i++) {
        want[i] = (double)x[i];
        scale[i] = fabs(want[i]);
    }
    for (uint64_t r = 1; r <= SENS_RUNS; r++) {
        ora_ko_polar_encode(&a.mdl, a.msg, a.frames, U32, r, x + 2 * nx, x + 3 * nx);
        sens_update(scale, x, x + 2 * nx, nx);
    }
    free(x);
    return 0;
}

/* LLRs with their sensitivity S (header); refuses the L3/L4 sign discontinuity. */
static int dec_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    if (strstr(c->params, "source=")) return source_oracle(c, false, err, errlen);
    codec_args a;
    if (codec_read(desc, c, &a, err, errlen)) return -1;
    const size_t frames = a.frames, k = RF_KOP_K, nl = frames * k;
    long double *l = malloc((2 * nl + frames) * sizeof *l), *margin = l ? l + 2 * nl : NULL;
    double *wl = l ? rf_case_add2(c, "want.llr", RF_DT_F64, frames, k) : NULL;
    double *sl = wl ? rf_case_add2(c, "scale.llr", RF_DT_F64, frames, k) : NULL;
    uint8_t *wh = sl ? rf_case_add2(c, "want.hard", RF_DT_U8, frames, k) : NULL;
    double *sh = wh ? rf_case_add2(c, "scale.hard", RF_DT_F64, frames, k) : NULL;
    double *th = sh ? rf_case_add2(c, "tie.hard", RF_DT_F64, frames, k) : NULL;
    if (!th) {
        free(l);
        return rf_run_error(err, errlen, "out of memory");
    }
    ora_ko_polar_decode(&a.mdl, a.y, frames, 0, 0, l, margin);
    for (size_t i = 0; i < nl; i++) {
        wl[i] = (double)l[i];
        sl[i] = fabs(wl[i]);
    }
    for (uint64_t r = 1; r <= SENS_RUNS; r++) {
        ora_ko_polar_decode(&a.mdl, a.y, frames, U32, r, l + nl, NULL);
        sens_update(sl, l, l + nl, nl);
    }
    int rc = 0;
    for (size_t f = 0; f < frames && !rc; f++) {
        const double s = fmax(sl[f * k + 3], sl[f * k + 4]);
        if ((double)margin[f] <= TAU * U32 * s)
            rc = rf_run_error(err, errlen, "frame %zu: min(|L3|, |L4|) = %.3g is within tau u S = %.3g of 0, where "
                              "the decoder applies g1_left to their signs (pick another seed)",
                              f, (double)margin[f], TAU * U32 * s);
    }
    for (size_t i = 0; i < nl; i++) {
        wh[i] = wl[i] < 0;
        sh[i] = sl[i];
        th[i] = wl[i];
    }
    if (!rc && !strstr(c->params, "tol.hard=")) rf_case_set_param(c, "tol.hard", "decision");
    free(l);
    return rc;
}

static int codec_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                      size_t errlen)
{
    codec_args *a = args;
    if (codec_read(desc, c, a, err, errlen)) return -1;
    const uint64_t x[2] = {a->frames, RF_KOP_N}, llr[2] = {a->frames, RF_KOP_K};
    if (desc->variant == KOP_ENC) {
        a->x = rf_case_out(out, "x", RF_DT_F32, 2, x);
        return a->x ? 0 : rf_run_error(err, errlen, "out of memory");
    }
    a->llr = rf_case_out(out, "llr", RF_DT_F32, 2, llr);
    a->hard = rf_case_out(out, "hard", RF_DT_U8, 2, llr);
    return a->llr && a->hard ? 0 : rf_run_error(err, errlen, "out of memory");
}

static void codec_call(const rf_impl *im, void *args)
{
    const codec_args *a = args;
    if (im->kernel->variant == KOP_ENC) {
        ((rf_ko_polar_encode_f32_fn)im->fn)(&a->mdl, a->msg, a->frames, a->x);
        return;
    }
    ((rf_ko_polar_decode_f32_fn)im->fn)(&a->mdl, a->y, a->frames, a->llr);
    for (size_t i = 0; i < a->frames * RF_KOP_K; i++) a->hard[i] = a->llr[i] < 0.0f;
}

/* Multiply-adds of one block evaluation: in*64 + 64*64*2 + 64*out (+ 64*3h for a g block's skip). */
static double block_madds(unsigned in, unsigned out, bool skip)
{
    return (double)in * 64 + 2.0 * 64 * 64 + 64.0 * out + (skip ? 64.0 * 3 * (in / 2) : 0.0);
}

/* Per frame, from README §8: encoder g1_right, g1_left, g2, g3, g4, g5 once each; decoder f5_left,
 * 16 f5_right, f4_left, 8 f4_right, f3_left, 4 f3_right, f2_left, f1_left_left, f1_left_right,
 * g1_left, 2 f2_right, f1_right_left, f1_right_right. Activations, tanh, the fold not counted. */
static void codec_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    const codec_args *a = args;
    const bool enc = desc->variant == KOP_ENC;
    double madds;
    if (enc) {
        madds = 2 * block_madds(2, 1, true) + block_madds(4, 2, true) + block_madds(8, 4, true) +
                block_madds(16, 8, true) + block_madds(32, 16, true);
    } else {
        madds = block_madds(32, 1, false) + 16 * block_madds(3, 1, false) + block_madds(16, 1, false) +
                8 * block_madds(3, 1, false) + block_madds(8, 1, false) + 4 * block_madds(3, 1, false) +
                block_madds(4, 2, false) + block_madds(2, 1, false) + block_madds(3, 1, false) +
                block_madds(2, 1, true) + 2 * block_madds(3, 1, false) + block_madds(2, 1, false) +
                block_madds(3, 1, false);
    }
    w->items = (double)a->frames;
    w->item_unit = "frames";
    w->flops = 2.0 * (double)a->frames * madds;
    w->bytes = (double)a->frames * (enc ? RF_KOP_K + 4.0 * RF_KOP_N : 4.0 * (RF_KOP_N + RF_KOP_K));
}

/* ---- fuzz -------------------------------------------------------------------------------------- */

/* The oracle on a copy: a case with any near-tie LLR or an L3/L4 sign near-tie is rejected. */
static int fuzz_ties(const rf_kernel *desc, const rf_case *c)
{
    rf_case t;
    rf_case_init(&t, c->kernel, "tmp", c->params);
    const rf_array *w = rf_case_find(c, "in.weights"), *y = rf_case_find(c, "in.y");
    float *tw = rf_case_add1(&t, "in.weights", RF_DT_F32, w->count);
    float *ty = rf_case_add2(&t, "in.y", RF_DT_F32, y->shape[0], y->shape[1]);
    char err[256];
    int rc = -1;
    if (tw && ty) {
        memcpy(tw, w->data, w->count * sizeof(float));
        memcpy(ty, y->data, y->count * sizeof(float));
        rc = dec_oracle(desc, &t, err, sizeof err);
    }
    uint64_t nl = 0;
    const double *L = rc ? NULL : rf_case_data(&t, "want.llr", RF_DT_F64, &nl);
    const double *S = L ? rf_case_data(&t, "scale.llr", RF_DT_F64, NULL) : NULL;
    for (uint64_t i = 0; S && i < nl && !rc; i++)
        if (!(fabs(L[i]) > TAU * U32 * S[i]) || !(fabs(L[i]) < 0x1p100)) rc = -1;
    rf_case_free(&t);
    return rc;
}

static int codec_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    const bool enc = desc->variant == KOP_ENC;
    rf_bytes bs = {data, size, 0};
    const uint32_t wseed = rf_bytes_u32(&bs);
    const unsigned gain = rf_bytes_u8(&bs) % 5;
    const size_t frames = 1 + rf_bytes_u8(&bs) % 2;
    rf_case_set_param(c, "frames", "%zu", frames);
    rf_case_set_param(c, "weights", "init:%u*2^%u", (unsigned)wseed, gain);
    rf_ko_polar_model mdl;
    char err[256];
    if (!rf_ko_polar_init(&mdl, wseed, err, sizeof err)) return -1;
    for (size_t i = 0; i < mdl.nfloats; i++) mdl.data[i] = ldexpf(mdl.data[i], (int)gain);
    int rc = add_weights(c, &mdl, err, sizeof err);
    rf_ko_polar_free(&mdl);
    if (rc) return -1;
    if (enc) {
        uint8_t *msg = rf_case_add2(c, "in.msg", RF_DT_U8, frames, RF_KOP_K);
        if (!msg) return -1;
        for (size_t i = 0; i < frames * RF_KOP_K; i++) msg[i] = rf_bytes_u8(&bs) & 1u;
        return 0;
    }
    float *y = rf_case_add2(c, "in.y", RF_DT_F32, frames, RF_KOP_N);
    if (!y) return -1;
    for (size_t i = 0; i < frames * RF_KOP_N; i++) {
        const uint8_t kind = rf_bytes_u8(&bs);
        const float v = (float)rf_bytes_u32(&bs) * 0x1p-29f - 4.0f;
        y[i] = kind < 8 ? 0.0f : kind < 16 ? ldexpf(v, kind) : v;
    }
    return fuzz_ties(desc, c);
}

/* ---- descriptors ------------------------------------------------------------------------------ */

static const rf_case_spec enc_cases[] = {
    {"authors", "source=ko_polar_64_7 frames=1000"},
    {"init_1", "weights=init:1 frames=128 seed=1"},
    {"authors_weights", "weights=authors frames=128 seed=2"},
    {NULL, NULL},
};

static const rf_case_spec dec_cases[] = {
    {"authors", "source=ko_polar_64_7 level=both frames=200 tol.hard=decision"},
    {"init_1_s08", "weights=init:1 frames=64 sigma=0.8 seed=11"},
    {"init_2_s20", "weights=init:2 frames=64 sigma=2.0 seed=12"},
    {"authors_weights_s16", "weights=authors frames=128 sigma=1.6 seed=13"},
    {NULL, NULL},
};

static const char *const codec_sizes[] = {"weights=init:1 frames=256", "weights=init:1 frames=2048", NULL};

/* What the encoder and the decoder share: one input builder, binding, call and size list. */
#define CODEC_CALLBACKS                                                                          \
    .family = "ko_polar", .work_dtype = RF_DT_F32, .make_inputs = codec_make_inputs,           \
    .args_size = sizeof(codec_args), .bind = codec_bind, .call = codec_call, .work = codec_work, \
    .bench_sizes = codec_sizes, .fuzz_inputs = codec_fuzz

static const rf_kernel ko_polar_encode_f32_kernel = {
    .name = "ko_polar_encode_f32",
    .summary = "KO Polar(64,7) encoder of the KO authors over a batch of frames (g networks, root normalisation)",
    .id = RF_KID(ko_polar_encode_f32),
    .variant = KOP_ENC,
    .tol = {RF_TOL_ITERATE, TAU, 0},
    .cases = enc_cases,
    .oracle = enc_oracle,
    CODEC_CALLBACKS,
};

static const rf_kernel ko_polar_decode_f32_kernel = {
    .name = "ko_polar_decode_f32",
    .summary = "KO Polar(64,7) decoder of the KO authors over a batch of frames (raw y -> 7 LLRs, hard)",
    .id = RF_KID(ko_polar_decode_f32),
    .variant = KOP_DEC,
    .tol = {RF_TOL_ITERATE, TAU, 0},
    .cases = dec_cases,
    .oracle = dec_oracle,
    CODEC_CALLBACKS,
};

const rf_kernel *const rf_family_ko_polar[] = {&ko_polar_encode_f32_kernel, &ko_polar_decode_f32_kernel, NULL};
