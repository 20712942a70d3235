/* Registry entries ko_encode_f32 and ko_decode_f32 (refast/ko.h; SPEC §5.1 "KO codes"): the family
 * rf_family_ko_codec (family name "ko", with ko_mlp_f32 of kernels/registry/ko.c). The descriptors'
 * variant tells the encoder from the decoder.
 *
 * Case inputs: in.weights (f32, the model's floats in .kow tensor order; with the params m and
 * arch = ko | tiny they rebuild the rf_ko_model), in.msg (u8, frames x k(m,2)) for encode, in.y
 * (f32, frames x 2^m, raw received values) for decode. Outputs: x (encode); llr and hard (u8,
 * [llr < 0]) for decode.
 *
 * The judge checks |got - want| <= tau u S (u = 2^-24, tau = the kernel's tol.tau: 1 for encode,
 * 16 for decode), so a bound B on |got - want| is stored as the scale S = B / (tau u).
 *
 * Two kinds of golden case:
 * (a) source=ko_8_2 | ko_9_2: the authors' own float32 PyTorch run (ko-reference/README.md §5) is
 *     the truth (want = THEIR numbers). make_inputs reads $REFAST_KO_REFERENCE (default
 *     ../shared/ko-reference, relative to the working directory: golden generate runs from the
 *     checkout) and records the XXH3-64 of every source file it reads (xxh.<file>=...; the
 *     weights are imported by rf_ko_model_import). Every reference vector is kept (the `frames`
 *     parameter can take a prefix): encode all 1000 messages of each code, decode all 200
 *     frames of both noise levels (level=both: level 1 rows, then level 2); 6.9 MB in all. Bounds, README §4 (the spread between their float32 run and a float64 one):
 *     encode B = 1e-5 (S one value); decode B = 2e-3 max(1, |L_ref|) per LLR, class iterate;
 *     hard = their hard.u8 judged as `decision` (case parameter tol.hard=decision) with
 *     tie.hard = their LLR and B = 1e-2 (the near-tie threshold |L_ref| <= 1e-2).
 * (b) weights=init:SEED (rf_ko_model_init: the seed's N(0, 0.02^2); default init:1) or
 *     uniform:SEED (uniform in [-1, 1]), random messages (Philox), y = x + sigma n (x the oracle's
 *     codeword rounded to float, of message f mod 2^13 / 2^m for frame f (DEC_COORDS), n
 *     Box-Muller, sigma default 1): the long double oracle (oracle/oracle_ko.h) is the truth.
 *     encode: class sum, B = the oracle's first-order worst-case error bound E(x) u, derived in
 *       oracle_ko.h from the MLP block's bound of oracle_ko_mlp.h (tau = 1: the reported ratio is
 *       the fraction of that bound used). Measured: 0.06-0.25 with init weights at every level.
 *       With uniform weights the bound compounds the blocks' |W| products over the tree and is
 *       ~1e10 times the actual error, so no golden case uses them (fuzzing does, as a NaN / gross
 *       error check).
 *     decode: class iterate, S per LLR = the oracle's own rounding sensitivity: the oracle reruns
 *       SENS_RUNS times with every float rounding emulated by a random relative perturbation of
 *       at most u (oracle_ko.h), S = max over the runs of |L_run - L| / u, floored at |L| (the
 *       final rounding). A float evaluation's error is a sum of the same terms with other
 *       signs and constants; tau = 16 covers a sample maximum short of the worst direction
 *       (two independent sets of runs agree within 2.8x, tests/test_ko_registry.c), a dot
 *       product's worst case against its random walk and the 3-ulp SELU of the fast levels.
 *       Measured: ratio 1.5-3.0 at every level and peer. hard: `decision`, tie.hard = L and
 *       scale.hard = S (a flip is excused only where |L| <= tau u S). The oracle refuses a case
 *       with a near-tie (|L| <= tau u S) in a re-encoded leaf (all but the RM(2,2) leaf): the
 *       min-sum rule "an LLR exactly 0 is left out" makes the decoder jump there, so rounding
 *       could legitimately move every later LLR by O(1).
 *
 * Fuzz: m in 3..6, arch ko | tiny, 1-2 frames, weights uniform in [-1, 1]; decode y mostly
 * uniform in [-2, 2) with 1/32 exact zeros and 1/32 wide values (|y| up to 2^99 ~ 6e29); encode
 * random messages. inf/NaN inputs are not generated: ref lets them through the MLPs and the
 * max/min of the Soft-MAP in an order-dependent way (fmaxf drops a NaN), so no output is specified
 * for them. Rejected: cases whose exact outputs (or the encoder's bound) reach 2^100, where a
 * float evaluation may overflow, and decode cases with any near-tie LLR (a case of 1-2 frames
 * cannot meet the decision class's < 1e-4 near-tie flips; and the jump above). About 80% of
 * random decode inputs and all encode inputs are accepted.
 *
 * Benchmarks: make_inputs at KO(m,2) with the default init weights and sigma (speed does not depend
 * on the values beyond SELU's branch), items = frames; flops = 2 x the MLP multiply-adds per frame
 * (see codec_work).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common.h"
#include "koref.h"
#include "oracle_ko.h"
#include "bytes.h"
#include "ko/kow.h"

#define ENC_TAU 1.0
#define DEC_TAU 16.0
#define SENS_RUNS 8
#define MAX_FRAMES 4096
/* decode oracle cases: codewords of the first w = min(frames, DEC_COORDS / 2^m) messages (the long
 * double encoder is most of a case's cost), frame f carrying codeword f mod w plus its own noise;
 * every golden recipe has frames <= w, a benchmark of 512 frames of KO(8,2) costs 32 encodings */
#define DEC_COORDS 8192
#define U32 0x1p-24

/* ---- the model of a case --------------------------------------------------------------------- */

static bool parse_arch(const char *s, rf_ko_arch *arch)
{
    if (!strcmp(s, "ko")) *arch = RF_KO_ARCH_KO;
    else if (!strcmp(s, "tiny")) *arch = RF_KO_ARCH_TINY;
    else return false;
    return true;
}

enum { CODEC_ENC = 0, CODEC_DEC = 1 }; /* the descriptors' variant */

/* The model of a case (params m, arch; the array in.weights in .kow tensor order) as a view: the
 * layout of rf_ko_model_alloc with every block pointing into in.weights. Nothing to free; valid
 * while the case lives (the kernels and the oracle read the blocks only). */
static int case_model(const rf_case *c, rf_ko_model *view, char *err, size_t errlen)
{
    uint64_t m;
    char arch_s[16] = "ko";
    rf_ko_arch arch;
    if (!rf_need_u64(c, "m", RF_KO_MIN_M, RF_KO_MAX_M, &m, err, errlen)) return -1;
    rf_param_str(c->params, "arch", arch_s, sizeof arch_s);
    if (!parse_arch(arch_s, &arch)) return rf_run_error(err, errlen, "unknown arch '%s' (ko, tiny)", arch_s);
    const rf_array *w = rf_case_need(c, "in.weights", RF_DT_F32, 1, err, errlen);
    rf_ko_model mdl;
    if (!w || !rf_ko_model_alloc(&mdl, (unsigned)m, arch, err, errlen)) return -1;
    if (w->count != mdl.nfloats) {
        const size_t want = mdl.nfloats;
        rf_ko_model_free(&mdl);
        return rf_run_error(err, errlen, "in.weights is not %zu f32 (KO(%u,2) %s)", want, (unsigned)m, arch_s);
    }
    *view = mdl;
    for (unsigned i = 0; i < RF_KO_MAX_NODES; i++)
        for (unsigned r = 0; r < 3; r++)
            for (unsigned l = 0; l < RF_KO_MAX_LAYERS; l++) {
                rf_ko_mlp *b = &view->blocks[i][r];
                if (b->w[l]) b->w[l] = (const float *)w->data + (b->w[l] - mdl.data);
                if (b->b[l]) b->b[l] = (const float *)w->data + (b->b[l] - mdl.data);
            }
    view->tensors = NULL;
    view->data = NULL;
    rf_ko_model_free(&mdl);
    return 0;
}

static int add_weights(rf_case *c, const rf_ko_model *mdl, char *err, size_t errlen)
{
    float *w = rf_case_add1(c, "in.weights", RF_DT_F32, mdl->nfloats);
    if (!w) return rf_run_error(err, errlen, "out of memory");
    memcpy(w, mdl->data, mdl->nfloats * sizeof(float));
    return 0;
}

/* ---- (a) the authors' data ------------------------------------------------------------------- */

static const char *ref_root(void)
{
    const char *d = getenv("REFAST_KO_REFERENCE");
    return d && *d ? d : "../shared/ko-reference";
}

uint8_t *rf_koref_read(rf_case *c, const char *source, const char *file, size_t need, char *err,
                       size_t errlen)
{
    char path[1024], why[512];
    snprintf(path, sizeof path, "%s/%s/%s", ref_root(), source, file);
    uint8_t *data = NULL;
    size_t len = 0;
    if (!rf_read_file(path, (uint64_t)1 << 28, &data, &len, why, sizeof why)) {
        rf_run_error(err, errlen, "KO reference data (set REFAST_KO_REFERENCE or run from /work/main "
                     "next to ../shared/ko-reference): %s", why);
        return NULL;
    }
    if (len < need) {
        free(data);
        rf_run_error(err, errlen, "%s: %zu bytes, need at least %zu", path, len, need);
        return NULL;
    }
    if (c) {
        char key[64];
        snprintf(key, sizeof key, "xxh.%s", file);
        rf_case_set_param(c, key, "%016llx", (unsigned long long)XXH3_64bits(data, len));
        if (strlen(c->params) + 1 >= sizeof c->params) {
            free(data);
            rf_run_error(err, errlen, "case parameters exceed %d characters", RF_PARAMS_MAX - 1);
            return NULL;
        }
    }
    return data;
}

static bool source_m(const char *source, unsigned *m)
{
    if (!strcmp(source, "ko_8_2")) *m = 8;
    else if (!strcmp(source, "ko_9_2")) *m = 9;
    else return false;
    return true;
}

/* level=1|2|both: the noise levels a decode case holds, frames of each, in this order. */
static bool source_levels(const rf_case *c, unsigned *lo, unsigned *hi, char *err, size_t errlen)
{
    char level[8] = "";
    rf_param_str(c->params, "level", level, sizeof level);
    if (!strcmp(level, "1") || !strcmp(level, "2")) {
        *lo = *hi = (unsigned)(level[0] - '0');
    } else if (!strcmp(level, "both")) {
        *lo = 1;
        *hi = 2;
    } else {
        rf_run_error(err, errlen, "decode source case needs level=1|2|both");
        return false;
    }
    return true;
}

/* Source cases: params source, frames (<= 1000 encode, <= 200 decode), level (decode). */
static int source_inputs(rf_case *c, const char *source, bool enc, char *err, size_t errlen)
{
    unsigned m;
    if (!source_m(source, &m)) return rf_run_error(err, errlen, "unknown source '%s' (ko_8_2, ko_9_2)", source);
    uint64_t frames;
    unsigned lo = 1, hi = 1;
    if (!rf_need_u64(c, "frames", 1, enc ? 1000 : 200, &frames, err, errlen)) return -1;
    if (!enc && !source_levels(c, &lo, &hi, err, errlen)) return -1;
    char dir[1024], why[512];
    snprintf(dir, sizeof dir, "%s/%s", ref_root(), source);
    /* hashes of the weight files first (also proves they are there), then the import */
    uint8_t *wj = rf_koref_read(c, source, "weights.json", 1, err, errlen);
    if (!wj) return -1;
    free(wj);
    uint8_t *wf = rf_koref_read(c, source, "weights.f32", 4, err, errlen);
    if (!wf) return -1;
    free(wf);
    rf_ko_model mdl;
    if (!rf_ko_model_import(&mdl, dir, why, sizeof why)) return rf_run_error(err, errlen, "%s", why);
    if (mdl.m != m) {
        rf_ko_model_free(&mdl);
        return rf_run_error(err, errlen, "%s holds KO(%u,2), expected m=%u", dir, mdl.m, m);
    }
    rf_case_set_param(c, "m", "%u", m);
    rf_case_set_param(c, "arch", "ko");
    const int rc = add_weights(c, &mdl, err, errlen);
    rf_ko_model_free(&mdl);
    if (rc) return -1;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    char file[64];
    if (enc) {
        uint8_t *msg = rf_koref_read(c, source, "messages.u8", frames * k, err, errlen);
        uint8_t *dst = msg ? rf_case_add2(c, "in.msg", RF_DT_U8, frames, k) : NULL;
        if (dst) memcpy(dst, msg, frames * k);
        free(msg);
        if (!dst) return msg ? rf_run_error(err, errlen, "out of memory") : -1;
    } else {
        float *dst = rf_case_add2(c, "in.y", RF_DT_F32, (hi - lo + 1) * frames, n);
        if (!dst) return rf_run_error(err, errlen, "out of memory");
        for (unsigned level = lo; level <= hi; level++) {
            snprintf(file, sizeof file, "level%u_received.f32", level);
            uint8_t *y = rf_koref_read(c, source, file, frames * n * 4, err, errlen);
            /* little-endian host (the whole project assumes it) */
            if (y) memcpy(dst + (level - lo) * frames * n, y, frames * n * 4);
            free(y);
            snprintf(file, sizeof file, "level%u_llr.f32", level);
            uint8_t *l = y ? rf_koref_read(c, source, file, frames * k * 4, err, errlen) : NULL;
            free(l);
            snprintf(file, sizeof file, "level%u_hard.u8", level);
            uint8_t *h = l ? rf_koref_read(c, source, file, frames * k, err, errlen) : NULL;
            free(h);
            if (!h) return -1;
        }
    }
    return 0;
}

/* The authors' outputs as want.*, with the bounds of README §4 as scales (header comment). */
static int source_oracle(rf_case *c, const char *source, bool enc, char *err, size_t errlen)
{
    unsigned m;
    uint64_t frames = 0;
    unsigned lo = 1, hi = 1;
    if (!source_m(source, &m) || !rf_param_u64(c->params, "frames", &frames))
        return rf_run_error(err, errlen, "source case without source/frames");
    if (!enc && !source_levels(c, &lo, &hi, err, errlen)) return -1;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    char file[64];
    if (enc) {
        uint8_t *x = rf_koref_read(c, source, "codewords.f32", frames * n * 4, err, errlen);
        float *want = x ? rf_case_add2(c, "want.x", RF_DT_F32, frames, n) : NULL;
        double *scale = want ? rf_case_add1(c, "scale.x", RF_DT_F64, 1) : NULL;
        if (scale) {
            memcpy(want, x, frames * n * 4);
            scale[0] = 1e-5 / (ENC_TAU * U32);
        }
        free(x);
        return scale ? 0 : x ? rf_run_error(err, errlen, "out of memory") : -1;
    }
    const size_t rows = (hi - lo + 1) * frames;
    float *wl = rf_case_add2(c, "want.llr", RF_DT_F32, rows, k);
    float *sl = rf_case_add2(c, "scale.llr", RF_DT_F32, rows, k);
    uint8_t *wh = rf_case_add2(c, "want.hard", RF_DT_U8, rows, k);
    float *sh = rf_case_add2(c, "scale.hard", RF_DT_F32, rows, k);
    float *th = rf_case_add2(c, "tie.hard", RF_DT_F32, rows, k);
    if (!wl || !sl || !wh || !sh || !th) return rf_run_error(err, errlen, "out of memory");
    for (unsigned level = lo; level <= hi; level++) {
        snprintf(file, sizeof file, "level%u_llr.f32", level);
        uint8_t *lb = rf_koref_read(NULL, source, file, frames * k * 4, err, errlen);
        snprintf(file, sizeof file, "level%u_hard.u8", level);
        uint8_t *hb = lb ? rf_koref_read(NULL, source, file, frames * k, err, errlen) : NULL;
        if (!lb || !hb) {
            free(lb);
            return -1;
        }
        const float *L = (const float *)(const void *)lb;
        const size_t at = (level - lo) * frames * k;
        for (size_t i = 0; i < frames * k; i++) {
            wl[at + i] = L[i];
            sl[at + i] = (float)(2e-3 * fmax(1.0, fabs((double)L[i])) / (DEC_TAU * U32));
            wh[at + i] = hb[i];
            sh[at + i] = (float)(1e-2 / (DEC_TAU * U32));
            th[at + i] = L[i];
        }
        free(lb), free(hb);
    }
    return 0;
}

/* ---- (b) oracle cases ------------------------------------------------------------------------ */

/* weights=init:SEED | uniform:SEED */
static int gen_model(const char *spec, unsigned m, rf_ko_arch arch, rf_ko_model *mdl, char *err,
                     size_t errlen)
{
    const char *colon = strchr(spec, ':');
    char *end = NULL;
    const unsigned long long seed = colon ? strtoull(colon + 1, &end, 10) : 0;
    if (!colon || end == colon + 1 || *end)
        return rf_run_error(err, errlen, "weights='%s': expected init:SEED or uniform:SEED", spec);
    const bool init = !strncmp(spec, "init:", 5), uni = !strncmp(spec, "uniform:", 8);
    if (!init && !uni) return rf_run_error(err, errlen, "weights='%s': expected init:SEED or uniform:SEED", spec);
    if (init) return rf_ko_model_init(mdl, m, arch, seed, err, errlen) ? 0 : -1;
    if (!rf_ko_model_alloc(mdl, m, arch, err, errlen)) return -1;
    for (size_t i = 0; i < mdl->nfloats; i++) mdl->data[i] = (float)rf_gen_uniform(seed, 20, i, -1.0, 1.0);
    return 0;
}

static int oracle_inputs(rf_case *c, bool enc, char *err, size_t errlen)
{
    uint64_t m, frames, seed = 1;
    double sigma = 1.0;
    char arch_s[16] = "ko", wspec[32] = "init:1", given[32];
    rf_ko_arch arch;
    if (!rf_need_u64(c, "m", RF_KO_MIN_M, RF_KO_MAX_M, &m, err, errlen) ||
        !rf_need_u64(c, "frames", 1, MAX_FRAMES, &frames, err, errlen))
        return -1;
    rf_param_u64(c->params, "seed", &seed);
    rf_param_str(c->params, "arch", arch_s, sizeof arch_s);
    if (!parse_arch(arch_s, &arch)) return rf_run_error(err, errlen, "unknown arch '%s' (ko, tiny)", arch_s);
    rf_param_str(c->params, "weights", wspec, sizeof wspec);
    if (!enc && rf_param_str(c->params, "sigma", given, sizeof given) &&
        (!rf_param_f64(c->params, "sigma", &sigma) || !(sigma >= 0 && sigma <= 100)))
        return rf_run_error(err, errlen, "decode case needs sigma in [0, 100]");
    rf_ko_model mdl;
    if (gen_model(wspec, (unsigned)m, arch, &mdl, err, errlen) != 0) return -1;
    int rc = add_weights(c, &mdl, err, errlen);
    const size_t n = (size_t)1 << m, k = rf_ko_k((unsigned)m), words = frames < DEC_COORDS / n ? frames : DEC_COORDS / n;
    uint8_t *msg = rc ? NULL : enc ? rf_case_add2(c, "in.msg", RF_DT_U8, frames, k) : malloc(words * k);
    long double *x = enc || !msg ? NULL : malloc(2 * words * n * sizeof *x);
    float *y = enc || !x ? NULL : rf_case_add2(c, "in.y", RF_DT_F32, frames, n);
    if (!rc && (!msg || (!enc && !y))) rc = rf_run_error(err, errlen, "out of memory");
    for (size_t i = 0; !rc && i < (enc ? frames : words) * k; i++) msg[i] = (uint8_t)(rf_gen_word(seed, 10, i) & 1u);
    if (!rc && !enc) {
        ora_ko_encode(&mdl, msg, words, x, x + words * n);
        for (size_t i = 0; i < frames * n; i++)
            y[i] = (float)((double)(float)x[i % (words * n)] + sigma * rf_gen_normal(seed, 11, i));
    }
    if (!enc) free(msg);
    free(x);
    rf_ko_model_free(&mdl);
    return rc;
}

/* ---- callbacks ------------------------------------------------------------------------------- */

static int codec_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    char source[32];
    const bool enc = desc->variant == CODEC_ENC;
    if (rf_param_str(c->params, "source", source, sizeof source)) return source_inputs(c, source, enc, err, errlen);
    return oracle_inputs(c, enc, err, errlen);
}

/* The arguments of one call: the model (a view of in.weights), the frames of in.msg (encode) or
 * in.y (decode), and the outputs x (encode) or llr and hard (decode). */
typedef struct codec_args {
    rf_ko_model mdl;
    size_t frames;
    const uint8_t *msg;
    const float *y;
    float *x, *llr;
    uint8_t *hard;
} codec_args;

/* The model and the input frames of a case (the outputs are left alone). */
static int codec_read(const rf_kernel *desc, const rf_case *c, codec_args *a, char *err, size_t errlen)
{
    if (case_model(c, &a->mdl, err, errlen) != 0) return -1;
    const size_t n = (size_t)1 << a->mdl.m, k = rf_ko_k(a->mdl.m);
    if (desc->variant == CODEC_DEC) {
        const rf_array *y = rf_case_need(c, "in.y", RF_DT_F32, 0, err, errlen);
        if (!y || y->count == 0 || y->count % n != 0)
            return rf_run_error(err, errlen, "in.y missing or not frames x %zu f32", n);
        a->frames = y->count / n;
        a->y = y->data;
        return 0;
    }
    const rf_array *msg = rf_case_need(c, "in.msg", RF_DT_U8, 0, err, errlen);
    if (!msg || msg->count == 0 || msg->count % k != 0)
        return rf_run_error(err, errlen, "in.msg missing or not frames x %zu u8", k);
    a->frames = msg->count / k;
    a->msg = msg->data;
    for (size_t i = 0; i < msg->count; i++)
        if (a->msg[i] > 1) return rf_run_error(err, errlen, "in.msg[%zu] = %u is not a bit", i, a->msg[i]);
    return 0;
}

static int enc_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    char source[32];
    if (rf_param_str(c->params, "source", source, sizeof source)) return source_oracle(c, source, true, err, errlen);
    codec_args a;
    if (codec_read(desc, c, &a, err, errlen) != 0) return -1;
    const size_t frames = a.frames, n = (size_t)1 << a.mdl.m;
    long double *x = malloc(2 * frames * n * sizeof *x);
    double *want = x ? rf_case_add2(c, "want.x", RF_DT_F64, frames, n) : NULL;
    double *scale = want ? rf_case_add2(c, "scale.x", RF_DT_F64, frames, n) : NULL;
    if (!scale) {
        free(x);
        return rf_run_error(err, errlen, "out of memory");
    }
    ora_ko_encode(&a.mdl, a.msg, frames, x, x + frames * n);
    for (size_t i = 0; i < frames * n; i++) {
        want[i] = (double)x[i];
        scale[i] = (double)x[frames * n + i] / ENC_TAU;
    }
    free(x);
    return 0;
}

/* LLRs with their sensitivity S (header comment); also used by the fuzz check. */
static int dec_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    char source[32];
    if (rf_param_str(c->params, "source", source, sizeof source)) return source_oracle(c, source, false, err, errlen);
    codec_args a;
    if (codec_read(desc, c, &a, err, errlen) != 0) return -1;
    const size_t frames = a.frames, k = rf_ko_k(a.mdl.m), nl = frames * k;
    long double *l = malloc(2 * nl * sizeof *l);
    double *wl = l ? rf_case_add2(c, "want.llr", RF_DT_F64, frames, k) : NULL;
    double *sl = wl ? rf_case_add2(c, "scale.llr", RF_DT_F64, frames, k) : NULL;
    uint8_t *wh = sl ? rf_case_add2(c, "want.hard", RF_DT_U8, frames, k) : NULL;
    double *sh = wh ? rf_case_add2(c, "scale.hard", RF_DT_F64, frames, k) : NULL;
    double *th = sh ? rf_case_add2(c, "tie.hard", RF_DT_F64, frames, k) : NULL;
    int rc = 0;
    if (!th || ora_ko_decode(&a.mdl, a.y, frames, 0, 0, l) != 0) {
        rc = rf_run_error(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nl; i++) {
        wl[i] = (double)l[i];
        sl[i] = fabs(wl[i]);
    }
    for (uint64_t r = 1; r <= SENS_RUNS; r++) {
        if (ora_ko_decode(&a.mdl, a.y, frames, U32, r, l + nl) != 0) {
            rc = rf_run_error(err, errlen, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < nl; i++) {
            const double s = (double)(fabsl(l[nl + i] - l[i]) / U32);
            if (s > sl[i] || isnan(s)) sl[i] = s;
        }
    }
    for (size_t i = 0; i < nl; i++) {
        wh[i] = wl[i] < 0;
        sh[i] = sl[i];
        th[i] = wl[i];
        /* an info LLR of a re-encoded leaf (all but the RM(2,2) leaf, bits [0,4)) that float
         * rounding can make exactly 0 switches the min-sum's exact-zero rule: a jump, not a
         * rounding error, in everything decoded after it */
        if (i % k >= 4 && fabs(wl[i]) <= DEC_TAU * U32 * sl[i]) {
            rc = rf_run_error(err, errlen, "frame %zu: LLR %zu = %.3g is within tau u S = %.3g of 0, where the "
                              "re-encoding's exact-zero rule makes the decoder discontinuous (pick another seed)",
                              i / k, i % k, wl[i], DEC_TAU * U32 * sl[i]);
            goto done;
        }
    }
    if (!strstr(c->params, "tol.hard=")) rf_case_set_param(c, "tol.hard", "decision");
done:
    free(l);
    return rc;
}

static int codec_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                      size_t errlen)
{
    codec_args *a = args;
    if (codec_read(desc, c, a, err, errlen) != 0) return -1;
    const uint64_t x[2] = {a->frames, (uint64_t)1 << a->mdl.m}, llr[2] = {a->frames, rf_ko_k(a->mdl.m)};
    if (desc->variant == CODEC_ENC) {
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
    if (im->kernel->variant == CODEC_ENC) {
        ((rf_ko_encode_f32_fn)im->fn)(&a->mdl, a->msg, a->frames, a->x);
        return;
    }
    ((rf_ko_decode_f32_fn)im->fn)(&a->mdl, a->y, a->frames, a->llr);
    for (size_t i = 0; i < a->frames * rf_ko_k(a->mdl.m); i++) a->hard[i] = a->llr[i] < 0.0f;
}

/* MLP multiply-adds per frame, 2 flops each: sum over nodes of h coordinates times the block's
 * in*32 + 32*32*2 + 32 (g and f_left: in = 2, f_right: in = 4), sum h = 2^m - 4; LSE, transforms,
 * re-encoding and SELU are not counted (the count of the KO architecture, also used for tiny) */
static void codec_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    const codec_args *a = args;
    const bool enc = desc->variant == CODEC_ENC;
    const double n = (double)((size_t)1 << a->mdl.m), k = (double)rf_ko_k(a->mdl.m), frames = (double)a->frames;
    w->items = frames;
    w->item_unit = "frames";
    w->flops = 2.0 * frames * (n - 4) * (enc ? 2144.0 : 2144.0 + 2208.0);
    w->bytes = frames * (enc ? k + 4.0 * n : 4.0 * (n + k));
}

/* ---- fuzz -------------------------------------------------------------------------------------- */

/* Fuzz cases keep away from near-ties altogether (a case of a few frames cannot meet the
 * decision class's limit of < 1e-4 near-tie flips), and so from the exact-zero jump (dec_oracle):
 * the oracle runs on a copy and the case is rejected if any |L| <= tau u S. */
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
        if (fabs(L[i]) <= DEC_TAU * U32 * S[i]) rc = -1;
    rf_case_free(&t);
    return rc;
}

/* Largest |value| the exact encoder/decoder meets is bounded here by the outputs' magnitudes and
 * the inputs': a case is kept only if the oracle's outputs stay below 2^100 (see header). */
static int codec_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    const bool enc = desc->variant == CODEC_ENC;
    rf_bytes bs = {data, size, 0};
    const unsigned m = 3 + rf_bytes_u8(&bs) % 4;
    const rf_ko_arch arch = rf_bytes_u8(&bs) & 1u ? RF_KO_ARCH_TINY : RF_KO_ARCH_KO;
    const size_t frames = 1 + rf_bytes_u8(&bs) % 2;
    rf_case_set_param(c, "m", "%u", m);
    rf_case_set_param(c, "arch", "%s", arch == RF_KO_ARCH_TINY ? "tiny" : "ko");
    rf_case_set_param(c, "frames", "%zu", frames);
    rf_ko_model mdl;
    char err[256];
    if (!rf_ko_model_alloc(&mdl, m, arch, err, sizeof err)) return -1;
    for (size_t i = 0; i < mdl.nfloats; i++)
        mdl.data[i] = (float)(((double)(rf_bytes_u32(&bs) >> 8) + 0.5) * 0x1p-23 - 1.0);
    int rc = add_weights(c, &mdl, err, sizeof err);
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    long double *o = NULL;
    if (!rc && enc) {
        uint8_t *msg = rf_case_add2(c, "in.msg", RF_DT_U8, frames, k);
        o = malloc(2 * frames * n * sizeof *o);
        if (!msg || !o) {
            rc = -1;
        } else {
            for (size_t i = 0; i < frames * k; i++) msg[i] = rf_bytes_u8(&bs) & 1u;
            ora_ko_encode(&mdl, msg, frames, o, o + frames * n);
            for (size_t i = 0; i < frames * n && !rc; i++)
                if (!(fabsl(o[i]) < 0x1p100L) || !(o[frames * n + i] < 0x1p100L)) rc = -1;
        }
    } else if (!rc) {
        float *y = rf_case_add2(c, "in.y", RF_DT_F32, frames, n);
        o = malloc(frames * k * sizeof *o);
        if (!y || !o) {
            rc = -1;
        } else {
            for (size_t i = 0; i < frames * n; i++) {
                const uint8_t kind = rf_bytes_u8(&bs);
                const float v = rf_bytes_f32(&bs, 99, 0);
                y[i] = kind < 8 ? 0.0f : kind < 16 ? v : (float)rf_bytes_u32(&bs) * 0x1p-30f - 2.0f;
            }
            if (ora_ko_decode(&mdl, y, frames, 0, 0, o) != 0) rc = -1;
            for (size_t i = 0; i < frames * k && !rc; i++)
                if (!(fabsl(o[i]) < 0x1p100L)) rc = -1;
            if (!rc) rc = fuzz_ties(desc, c);
        }
    }
    free(o);
    rf_ko_model_free(&mdl);
    return rc;
}

/* ---- descriptors ------------------------------------------------------------------------------ */

static const rf_case_spec enc_cases[] = {
    {"authors_ko_8_2", "source=ko_8_2 frames=1000"},
    {"authors_ko_9_2", "source=ko_9_2 frames=1000"},
    {"init_m3", "m=3 arch=ko weights=init:1 frames=64 seed=1"},
    {"init_m5", "m=5 arch=ko weights=init:2 frames=32 seed=2"},
    {"init_m8", "m=8 arch=ko weights=init:3 frames=16 seed=3"},
    {"tiny_m3", "m=3 arch=tiny weights=init:4 frames=64 seed=4"},
    {"tiny_m6", "m=6 arch=tiny weights=init:5 frames=32 seed=5"},
    {NULL, NULL},
};

static const rf_case_spec dec_cases[] = {
    {"authors_ko_8_2", "source=ko_8_2 level=both frames=200 tol.hard=decision"},
    {"authors_ko_9_2", "source=ko_9_2 level=both frames=200 tol.hard=decision"},
    {"init_m3_s06", "m=3 arch=ko weights=init:1 frames=64 sigma=0.6 seed=11"},
    {"init_m3_s15", "m=3 arch=ko weights=init:1 frames=64 sigma=1.5 seed=12"},
    {"init_m5_s08", "m=5 arch=ko weights=init:2 frames=32 sigma=0.8 seed=13"},
    {"init_m8_s13", "m=8 arch=ko weights=init:3 frames=24 sigma=1.3 seed=14"},
    {"tiny_m3_s10", "m=3 arch=tiny weights=init:4 frames=64 sigma=1.0 seed=16"},
    {"tiny_m6_s12", "m=6 arch=tiny weights=init:5 frames=32 sigma=1.2 seed=17"},
    {"uniform_m5_s10", "m=5 arch=ko weights=uniform:6 frames=16 sigma=1.0 seed=18"},
    {NULL, NULL},
};

static const char *const codec_sizes[] = {"m=8 frames=128", "m=8 frames=512", "m=9 frames=128", NULL};

/* What the encoder and the decoder share: one input builder, binding, call and size list. */
#define CODEC_CALLBACKS                                                                          \
    .family = "ko", .work_dtype = RF_DT_F32, .make_inputs = codec_make_inputs,                 \
    .args_size = sizeof(codec_args), .bind = codec_bind, .call = codec_call, .work = codec_work, \
    .bench_sizes = codec_sizes, .fuzz_inputs = codec_fuzz

static const rf_kernel ko_encode_f32_kernel = {
    .name = "ko_encode_f32",
    .summary = "KO(m,2) encoder over a batch of frames (neural Plotkin tree, root normalisation)",
    .id = RF_KID(ko_encode_f32),
    .variant = CODEC_ENC,
    .tol = {RF_TOL_SUM, ENC_TAU, 0},
    .cases = enc_cases,
    .oracle = enc_oracle,
    CODEC_CALLBACKS,
};

static const rf_kernel ko_decode_f32_kernel = {
    .name = "ko_decode_f32",
    .summary = "KO(m,2) decoder over a batch of frames (raw y -> k LLRs and hard decisions)",
    .id = RF_KID(ko_decode_f32),
    .variant = CODEC_DEC,
    .tol = {RF_TOL_ITERATE, DEC_TAU, 0},
    .cases = dec_cases,
    .oracle = dec_oracle,
    CODEC_CALLBACKS,
};

const rf_kernel *const rf_family_ko_codec[] = {&ko_encode_f32_kernel, &ko_decode_f32_kernel, NULL};
