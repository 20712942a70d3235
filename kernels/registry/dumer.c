/* Registry entries of the dumer family: rm_dumer and rm_dumer0 (Dumer's decoder, hard bits, every
 * level), rm_dumer_soft (leaf Soft-MAP LLRs, every level) and block_ml (enumeration, ref only).
 *
 * rm_dumer and rm_dumer0 are two descriptors over ONE function (rm_dumer_<level>, variant
 * argument): SPEC names two decoders (`refast sim --decoder dumer|dumer0`) with different
 * decisions, so each gets its own golden cases, verify rows and benchmark rows (a regression of
 * one must not hide in an average of both), while the code stays one recursion.
 *
 * Case parameters: m, r (0 <= r <= m <= 10), frames, f = exact | minsum, sigma (> 0) or ebn0 (dB,
 * sigma^2 = 1 / (2 R 10^(ebn0/10)), R = k/n), seed. Inputs: random messages, the canonical
 * RM(m,r) codeword (ora_rm_encode), BPSK, y = s + sigma z with z by Box–Muller in double on one
 * Philox block per pair of gaussians (frame f, pair p: counter f ceil(n/2) + p, stream 1, key seed),
 * L = 2y / sigma^2 QUANTISED to the grid 2^-10 and clipped to +-32. The grid makes the stream
 * independent of the last bits of the platform's libm (a value moves only when log/cos land
 * within ~1e-16 of a grid midpoint) and makes min-sum decoding exact arithmetic: every |L| is
 * below 2^15 grid units, a statistic sums at most n = 2^9 of them (< 2^24 units), so all sums,
 * differences and minima of min-sum Dumer are exact in float and identical at every level.
 *
 * Oracle (oracle/decoders.c): block ML by enumeration where it is the decoder's definition
 * (variant dumer on RM(m,1), k = m + 1 <= 16: the r = 1 leaf IS the whole code), else the long
 * double Dumer of the same variant and f. Error scales, per frame:
 *   hard bits (decision): tie = the oracle's decision margin (oracle.h: the minimum over every
 *     decision on its path of |repetition sum|, the MAP gap min(|W*| - max_{a != a*} |W|, |W*|),
 *     min |L_i| of a full-rate leaf; block ML: best - second-best correlation), scale = sum|l| + n
 *     for f = exact, sum|l| for minsum. Why: every statistic a decision reads is a signed sum of
 *     at most n node LLRs, each a chain of <= m f's and additions of input LLRs with |f(a,b)| <=
 *     min(|a|,|b|); a float implementation commits relative rounding O(u) per addition (depth m
 *     in the tree plus log2 n in the FHT) on terms bounded by the |l| they came from: <= (2m) u
 *     sum|l|. The exact f adds its correction log1p(e^-|a+b|) - log1p(e^-|a-b|), bounded by log 2,
 *     with an ABSOLUTE error of a few u per evaluation, and a statistic sees at most n of them:
 *     the + n. tau = 8 ceil(log2 n) + 8 >= 8m + 8 covers both. An implementation may thus decide
 *     differently only where the oracle was within that distance of the other side of some
 *     decision; afterwards its path (and every later bit) legitimately differs.
 *   soft LLRs (sum): scale = 2 sum|l| (+ n for exact): each output is a difference of two leaf
 *     correlations (max-log), each bounded as above. A soft case is only meaningful while the
 *     implementation's hard path equals the oracle's; the test suite checks that the golden seeds
 *     keep every soft decision far from zero (test_dumer.c).
 * Stream case (params stream=N, tol=exact): N frames generated as above, decoded, and the k bits
 * of all frames (frames x k bytes, 0/1) hashed by XXH3-128; want.hash = (low64, high64). in.llr
 * holds the first 16 frames, and run() refuses to hash if its regenerated frames differ from
 * them (a changed generator is reported as such, not as a decoder error). The oracle records
 * min_margin_ratio = min over all frames of margin / (tau u scale), the distance of the closest
 * decision of the whole stream from a legitimate near-tie: > 1 means every implementation within
 * the decision bound MUST reproduce the hash, so the check is not flaky. The minsum stream is
 * exact arithmetic (above) and cannot be flaky at all.
 * Source cases (source=rm_8_2|rm_9_2, level=1|2, sigma = that level's, frames <= 200): external
 * truth from the KO authors (ko-reference/README.md §6): in.llr = 2y/sigma^2 in float from their
 * received vectors, want.msg = THEIR hard Dumer decisions (exact LSE), tie/scale the oracle's as
 * above; the params record the XXH3-64 of the files read (kernels/registry/koref.h).
 * block_ml parameters: code = rm (m, r with k <= 16) | random (n, k: systematic [I | P]), frames,
 * sigma, seed; in.gen + in.llr (not quantised); oracle ora_block_ml.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common.h"
#include "koref.h"
#include "oracle.h"
#include "refast/codes.h"
#include "refast/decoders.h"

#define MAX_M 10         /* golden and fuzz codes; the kernels take m <= 16 */
#define QUANT 1024.0     /* LLR grid 2^-10 */
#define CLIP 32.0
#define STREAM_CHECK 16  /* frames of a stream case stored in in.llr */
#define STREAM_CHUNK 1000

/* The descriptors' variants; the hard decoders' are rm_dumer's own `variant` argument. */
enum { DV_DUMER = RF_DUMER, DV_DUMER0 = RF_DUMER0, DV_SOFT, DV_ML };

/* ---- inputs ----------------------------------------------------------------------------------- */

/* Gaussian pair p (see the header): Box-Muller on the uniforms 2p and 2p + 1 of stream 1 (one
 * Philox block), the first moved half a step into (0, 1). */
static void gauss_pair(uint64_t seed, uint64_t p, double *z0, double *z1)
{
    uint32_t w[4];
    rf_gen_block(seed, 1, p, w);
    const double u1 = rf_gen_u53(w[0], w[1]) + 0x1p-54, u2 = rf_gen_u53(w[2], w[3]);
    const double rad = sqrt(-2.0 * log(u1)), ang = 2.0 * 3.14159265358979323846 * u2;
    *z0 = rad * cos(ang);
    *z1 = rad * sin(ang);
}

/* Frames [first, first + count) of RM(m,r) over AWGN, quantised LLRs (header). */
static void gen_frames(unsigned m, unsigned r, double sigma, uint64_t seed, uint64_t first, size_t count,
                       float *llr)
{
    const size_t n = (size_t)1 << m, k = rf_rm_k(m, r);
    uint8_t msg[1024], cw[1024];
    for (size_t q = 0; q < count; q++) {
        const uint64_t f = first + q;
        for (size_t j = 0; j < k; j++) msg[j] = rf_gen_word(seed, 0, f * k + j) & 1;
        ora_rm_encode(m, r, msg, cw);
        for (size_t i = 0; i < n; i += 2) {
            double z[2];
            gauss_pair(seed, f * ((n + 1) / 2) + i / 2, &z[0], &z[1]);
            for (size_t t = 0; t < 2 && i + t < n; t++) {
                const double L = nearbyint(rf_bpsk_llr(cw[i + t], sigma, z[t]) * QUANT) / QUANT;
                llr[q * n + i + t] = (float)(L > CLIP ? CLIP : L < -CLIP ? -CLIP : L);
            }
        }
    }
}

/* The parameters of a Dumer case. */
typedef struct dparams {
    unsigned m, r;
    int f;
    double sigma;
    uint64_t seed, frames, stream;
} dparams;

/* sigma, or ebn0 (which wins; default 3 dB, the benchmarks' operating point). */
static int read_params(const rf_case *c, dparams *p, char *err, size_t errlen)
{
    static const char *const fs[] = {[RF_F_EXACT] = "exact", [RF_F_MINSUM] = "minsum", NULL};
    uint64_t m, r;
    if (!rf_need_u64(c, "m", 0, MAX_M, &m, err, errlen)) return -1;
    if (!rf_need_u64(c, "r", 0, m, &r, err, errlen)) return -1;
    p->m = (unsigned)m;
    p->r = (unsigned)r;
    if ((p->f = rf_param_keyword(c, "f", fs, RF_F_EXACT, err, errlen)) < 0) return -1;
    p->seed = 1;
    rf_param_u64(c->params, "seed", &p->seed);
    p->stream = 0;
    rf_param_u64(c->params, "stream", &p->stream);
    p->frames = 0;
    if (!p->stream && !rf_need_u64(c, "frames", 1, 1u << 16, &p->frames, err, errlen)) return -1;
    double ebn0 = 3.0;
    char buf[64];
    if (!rf_param_f64(c->params, "ebn0", &ebn0) && rf_param_str(c->params, "sigma", buf, sizeof buf))
        return rf_param_positive(c, "sigma", NAN, &p->sigma, err, errlen);
    const double rate = (double)rf_rm_k(p->m, p->r) / (double)((size_t)1 << p->m);
    p->sigma = sqrt(1.0 / (2.0 * rate * pow(10.0, ebn0 / 10.0)));
    if (!(p->sigma > 0.0) || !isfinite(p->sigma))
        return rf_run_error(err, errlen, "ebn0=%g gives sigma=%g", ebn0, p->sigma);
    return 0;
}

/* The file of the authors' data for source cases: level<level>_<what>. */
static void level_file(const rf_case *c, const char *what, char *file, size_t len)
{
    uint64_t level = 1;
    rf_param_u64(c->params, "level", &level);
    snprintf(file, len, "level%u_%s", (unsigned)level, what);
}

/* source=rm_8_2|rm_9_2 level=1|2: the authors' received vectors (ko-reference/rm_m_2, README §6)
 * as L = 2y/sigma^2 computed in float as in their code (sigma = the level's, a case parameter). */
static int source_inputs(rf_case *c, const dparams *p, const char *source, char *err, size_t errlen)
{
    uint64_t level;
    char want[16];
    snprintf(want, sizeof want, "rm_%u_2", p->m);
    if (strcmp(source, want) != 0 || p->r != 2 || p->frames > 200 || p->stream)
        return rf_run_error(err, errlen, "source=%s needs m=8 or 9 matching it, r=2, frames <= 200", source);
    if (!rf_need_u64(c, "level", 1, 2, &level, err, errlen)) return -1;
    const size_t n = (size_t)1 << p->m;
    char file[64];
    level_file(c, "received.f32", file, sizeof file);
    float *y = (float *)(void *)rf_koref_read(c, source, file, p->frames * n * 4, err, errlen);
    float *llr = y ? rf_case_add2(c, "in.llr", RF_DT_F32, p->frames, n) : NULL;
    const float sigma = (float)p->sigma;
    for (size_t i = 0; llr && i < p->frames * n; i++) llr[i] = 2.0f * y[i] / (sigma * sigma);
    free(y);
    if (!llr) return y ? rf_run_error(err, errlen, "out of memory") : -1;
    /* their decisions are read (and hashed) here too, so that the params name every source file */
    level_file(c, "dumer_hard.u8", file, sizeof file);
    uint8_t *h = rf_koref_read(c, source, file, p->frames * rf_rm_k(p->m, 2), err, errlen);
    free(h);
    return h ? 0 : -1;
}

static int dumer_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    dparams p;
    if (read_params(c, &p, err, errlen)) return -1;
    char source[32];
    if (rf_param_str(c->params, "source", source, sizeof source)) return source_inputs(c, &p, source, err, errlen);
    const size_t rows = p.stream ? (p.stream < STREAM_CHECK ? p.stream : STREAM_CHECK) : p.frames;
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, rows, (uint64_t)1 << p.m);
    if (!llr) return rf_run_error(err, errlen, "out of memory");
    gen_frames(p.m, p.r, p.sigma, p.seed, 0, rows, llr);
    return 0;
}

/* block_ml: code = rm (m <= 6, k <= 16: row j the codeword of unit message j) | random
 * (systematic [I | P]); frames of random messages over AWGN, LLRs not quantised. */
static int ml_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    enum { RM, RANDOM };
    static const char *const codes[] = {"rm", "random", NULL};
    uint64_t frames, seed = 1, m = 0, r = 0, n = 0, k = 0;
    double sigma;
    const int code = rf_param_keyword(c, "code", codes, -1, err, errlen);
    if (code < 0) return -1;
    if (!rf_need_u64(c, "frames", 1, 1u << 12, &frames, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    if (rf_param_positive(c, "sigma", NAN, &sigma, err, errlen)) return -1;
    if (code == RM) {
        if (!rf_need_u64(c, "m", 0, 6, &m, err, errlen) || !rf_need_u64(c, "r", 0, m, &r, err, errlen))
            return -1;
        n = 1u << m;
        k = rf_rm_k((unsigned)m, (unsigned)r);
        if (k > RF_ML_MAX_K) return rf_run_error(err, errlen, "RM(%llu,%llu) has k = %llu > 16",
                                                 (unsigned long long)m, (unsigned long long)r,
                                                 (unsigned long long)k);
    } else if (!rf_need_u64(c, "n", 1, 64, &n, err, errlen) ||
               !rf_need_u64(c, "k", 1, n < RF_ML_MAX_K ? n : RF_ML_MAX_K, &k, err, errlen)) {
        return -1;
    }
    uint8_t *gen = rf_case_add2(c, "in.gen", RF_DT_U8, k, n);
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    if (!gen || !llr) return rf_run_error(err, errlen, "out of memory");
    for (size_t j = 0; j < k; j++) {
        if (code == RM) {
            uint8_t msg[RF_ML_MAX_K] = {0};
            msg[j] = 1;
            ora_rm_encode((unsigned)m, (unsigned)r, msg, gen + j * n);
        } else {
            for (size_t i = 0; i < n; i++) gen[j * n + i] = i < k ? i == j : rf_gen_word(seed, 4, j * n + i) & 1;
        }
    }
    for (uint64_t f = 0; f < frames; f++) {
        size_t u = rf_gen_word(seed, 0, f) & ((1u << k) - 1);
        for (size_t i = 0; i < n; i += 2) {
            double z[2];
            gauss_pair(seed, f * ((n + 1) / 2) + i / 2, &z[0], &z[1]);
            for (size_t t = 0; t < 2 && i + t < n; t++) {
                unsigned cb = 0;
                for (size_t j = 0; j < k; j++) cb ^= ((u >> j) & 1) & gen[j * n + i + t];
                llr[f * n + i + t] = (float)rf_bpsk_llr(cb, sigma, z[t]);
            }
        }
    }
    return 0;
}

/* ---- oracle ----------------------------------------------------------------------------------- */

static double frame_scale(const float *l, size_t n, int f, int soft)
{
    long double s = 0.0L;
    for (size_t i = 0; i < n; i++) s += isnan(l[i]) ? 0.0L : fminl(fabsl((long double)l[i]), 0x1p100L);
    return (double)((soft ? 2 * s : s) + (f == RF_F_EXACT ? (long double)n : 0.0L));
}

/* One frame by the oracle: hard bits (or soft LLRs) and the margin. ML where it is the definition. */
static long double oracle_frame(const dparams *p, int variant, int soft, const float *l, uint8_t *bits,
                                long double *so)
{
    const size_t n = (size_t)1 << p->m;
    if (p->r == 1 && variant == RF_DUMER && p->m + 1 <= RF_ML_MAX_K && p->m >= 1) {
        const unsigned k = p->m + 1;
        uint8_t *gen = malloc(k * n);
        float *t = malloc(n * sizeof *t);
        long double *corr = malloc(((size_t)1 << k) * sizeof *corr);
        long double mg = -1.0L;
        if (gen && t && corr) {
            ora_rm1_generator(p->m, gen);
            if (!soft) {
                mg = ora_block_ml(gen, k, n, l, bits);
            } else {
                for (size_t i = 0; i < n; i++)
                    t[i] = isnan(l[i]) ? 0.0f : fminf(fmaxf(l[i], -0x1p100f), 0x1p100f);
                if (ora_code_correlations(t, 1, n, k, gen, corr) == 0) {
                    ora_softmap_from_corr(corr, k, 1, so);
                    mg = INFINITY;
                    for (unsigned j = 0; j < k; j++) mg = fminl(mg, fabsl(so[j]));
                }
            }
        }
        free(gen);
        free(t);
        free(corr);
        return mg;
    }
    return ora_rm_dumer(p->m, p->r, variant, p->f, soft, l, bits, so);
}

/* in.llr of a Dumer case: frames x 2^m. */
static const float *llr_of(const rf_case *c, const dparams *p, size_t *rows, char *err, size_t errlen)
{
    const rf_array *in = rf_case_need(c, "in.llr", RF_DT_F32, 2, err, errlen);
    if (in && in->shape[1] != ((uint64_t)1 << p->m)) {
        rf_run_error(err, errlen, "in.llr rows are not 2^m = %zu LLRs", (size_t)1 << p->m);
        return NULL;
    }
    *rows = in ? (size_t)in->shape[0] : 0;
    return in ? in->data : NULL;
}

/* A stream case: its N frames regenerated and decoded chunk by chunk -- by the oracle when im is
 * NULL (which also returns in *worst the margin ratio of the stream's closest decision), else by
 * im after checking that the first frames equal those stored -- and their decisions hashed by
 * XXH3-128. */
static int stream_hash(const rf_impl *im, const dparams *p, int variant, const float *stored, size_t rows,
                       uint64_t hash[2], double *worst, char *err, size_t errlen)
{
    const size_t n = (size_t)1 << p->m, k = rf_rm_k(p->m, p->r);
    const double tau = 8.0 * rf_ceil_log2(n) + 8.0, u = rf_unit_roundoff(RF_DT_F32);
    float *llr = rf_alloc(STREAM_CHUNK * n * sizeof *llr);
    uint8_t *bits = rf_alloc(STREAM_CHUNK * k);
    XXH3_state_t *st = XXH3_createState();
    int rc = !llr || !bits || !st ? rf_run_error(err, errlen, "out of memory") : 0;
    if (rc == 0) XXH3_128bits_reset(st);
    for (uint64_t f0 = 0; rc == 0 && f0 < p->stream; f0 += STREAM_CHUNK) {
        const size_t cnt = p->stream - f0 < STREAM_CHUNK ? (size_t)(p->stream - f0) : STREAM_CHUNK;
        gen_frames(p->m, p->r, p->sigma, p->seed, f0, cnt, llr);
        if (im && f0 == 0 && memcmp(llr, stored, rows * n * sizeof *llr) != 0) {
            rc = rf_run_error(err, errlen, "stream generator differs from the %zu frames stored in "
                              "in.llr (platform libm or generator changed): cannot check the hash", rows);
            break;
        }
        if (im) ((rf_rm_dumer_fn)im->fn)(p->m, p->r, variant, p->f, llr, cnt, bits);
        for (size_t q = 0; !im && q < cnt; q++) {
            const long double mg = oracle_frame(p, variant, 0, llr + q * n, bits + q * k, NULL);
            const double ratio = (double)mg / (tau * u * frame_scale(llr + q * n, n, p->f, 0));
            if (ratio < *worst) *worst = ratio;
        }
        XXH3_128bits_update(st, bits, cnt * k);
    }
    if (rc == 0) {
        const XXH128_hash_t h = XXH3_128bits_digest(st);
        hash[0] = h.low64;
        hash[1] = h.high64;
    }
    XXH3_freeState(st);
    rf_free(llr);
    rf_free(bits);
    return rc;
}

/* The authors' hard decisions replace the oracle's want.msg (tie and scale stay the oracle's, so
 * a disagreement is excused only at a near-tie of the exact decoder). */
static int source_want(const rf_case *c, const dparams *p, const char *source, uint8_t *want, char *err,
                       size_t errlen)
{
    char file[64];
    level_file(c, "dumer_hard.u8", file, sizeof file);
    const size_t bytes = p->frames * rf_rm_k(p->m, 2);
    uint8_t *h = rf_koref_read(NULL, source, file, bytes, err, errlen);
    if (!h) return -1;
    memcpy(want, h, bytes);
    free(h);
    return 0;
}

/* rm_dumer, rm_dumer0 (hard bits, or a stream's hash) and rm_dumer_soft (leaf LLRs). */
static int dumer_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    const int soft = desc->variant == DV_SOFT, variant = soft ? RF_DUMER : desc->variant;
    dparams p;
    if (read_params(c, &p, err, errlen)) return -1;
    size_t rows;
    const float *llr = llr_of(c, &p, &rows, err, errlen);
    if (!llr) return -1;
    const size_t n = (size_t)1 << p.m, k = rf_rm_k(p.m, p.r);
    if (p.stream && !soft) {
        uint64_t *hash = rf_case_add1(c, "want.hash", RF_DT_U64, 2);
        double worst = INFINITY;
        if (!hash) return rf_run_error(err, errlen, "out of memory");
        if (stream_hash(NULL, &p, variant, llr, rows, hash, &worst, err, errlen)) return -1;
        rf_case_set_param(c, "min_margin_ratio", "%.4g", worst);
        return 0;
    }
    void *want = rf_case_add2(c, soft ? "want.llr" : "want.msg", soft ? RF_DT_F64 : RF_DT_U8, rows, k);
    double *scale = rf_case_add1(c, soft ? "scale.llr" : "scale.msg", RF_DT_F64, rows);
    double *tie = soft ? NULL : rf_case_add1(c, "tie.msg", RF_DT_F64, rows);
    uint8_t *bits = malloc(k);
    long double *so = malloc(k * sizeof *so);
    int rc = !want || !scale || (!soft && !tie) || !bits || !so ? rf_run_error(err, errlen, "out of memory") : 0;
    for (size_t q = 0; rc == 0 && q < rows; q++) {
        const long double mg = oracle_frame(&p, variant, soft, llr + q * n, bits, so);
        if (mg < 0) rc = rf_run_error(err, errlen, "oracle out of memory");
        scale[q] = frame_scale(llr + q * n, n, p.f, soft);
        if (soft) {
            for (size_t j = 0; j < k; j++) ((double *)want)[q * k + j] = (double)so[j];
        } else {
            memcpy((uint8_t *)want + q * k, bits, k);
            tie[q] = (double)mg;
        }
    }
    free(bits);
    free(so);
    char source[32];
    if (rc == 0 && !soft && rf_param_str(c->params, "source", source, sizeof source))
        rc = source_want(c, &p, source, want, err, errlen);
    if (rc == 0) rf_case_set_param(c, "terms", "%zu", n);
    return rc;
}

/* block_ml's in.gen (u8 k x n, 1 <= k <= 16) and in.llr (f32 frames x n). */
static int ml_inputs(const rf_case *c, const uint8_t **gen, const float **llr, unsigned *k, size_t *n,
                     size_t *frames, char *err, size_t errlen)
{
    const rf_array *g = rf_case_need(c, "in.gen", RF_DT_U8, 2, err, errlen);
    const rf_array *l = g ? rf_case_need(c, "in.llr", RF_DT_F32, 2, err, errlen) : NULL;
    if (!l) return -1;
    if (g->shape[0] < 1 || g->shape[0] > RF_ML_MAX_K || g->shape[1] != l->shape[1] || g->shape[1] < 1)
        return rf_run_error(err, errlen, "in.gen must be k x n, 1 <= k <= 16, n the row length of in.llr");
    *gen = g->data;
    *llr = l->data;
    *k = (unsigned)g->shape[0];
    *n = (size_t)g->shape[1];
    *frames = (size_t)l->shape[0];
    return 0;
}

static int ml_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    const uint8_t *gen = NULL;
    const float *llr = NULL;
    unsigned k = 0;
    size_t n = 0, frames = 0;
    if (ml_inputs(c, &gen, &llr, &k, &n, &frames, err, errlen)) return -1;
    uint8_t *want = rf_case_add2(c, "want.msg", RF_DT_U8, frames, k);
    double *scale = rf_case_add1(c, "scale.msg", RF_DT_F64, frames);
    double *tie = rf_case_add1(c, "tie.msg", RF_DT_F64, frames);
    if (!want || !scale || !tie) return rf_run_error(err, errlen, "out of memory");
    for (size_t f = 0; f < frames; f++) {
        const long double mg = ora_block_ml(gen, k, n, llr + f * n, want + f * k);
        if (mg < 0) return rf_run_error(err, errlen, "oracle out of memory");
        tie[f] = (double)mg;
        scale[f] = frame_scale(llr + f * n, n, RF_F_MINSUM, 0);
    }
    rf_case_set_param(c, "terms", "%zu", n);
    return 0;
}

/* ---- run -------------------------------------------------------------------------------------- */

/* The arguments of one call. `out` is msg (u8) or, for rm_dumer_soft, llr (f32), frames x k. */
typedef struct dumer_args {
    unsigned m, r, k;
    int f;
    size_t n, frames;
    const float *llr;
    const uint8_t *gen; /* block_ml */
    void *out;
    bool per_bit; /* benchmark unit (param per=frame|bit): information bits instead of frames */
} dumer_args;

static int dumer_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                      size_t errlen)
{
    static const char *const units[] = {"frame", "bit", NULL};
    dumer_args *a = args;
    memset(a, 0, sizeof *a);
    if (desc->variant == DV_ML) {
        if (ml_inputs(c, &a->gen, &a->llr, &a->k, &a->n, &a->frames, err, errlen)) return -1;
    } else {
        dparams p;
        if (read_params(c, &p, err, errlen) || !(a->llr = llr_of(c, &p, &a->frames, err, errlen))) return -1;
        a->m = p.m;
        a->r = p.r;
        a->f = p.f;
        a->k = (unsigned)rf_rm_k(p.m, p.r);
        a->n = (size_t)1 << p.m;
    }
    const int per = rf_param_keyword(c, "per", units, 0, err, errlen);
    if (per < 0) return -1;
    a->per_bit = per == 1;
    const uint64_t shape[2] = {a->frames, a->k};
    a->out = desc->variant == DV_SOFT ? rf_case_out(out, "llr", RF_DT_F32, 2, shape)
                                      : rf_case_out(out, "msg", RF_DT_U8, 2, shape);
    return a->out ? 0 : rf_run_error(err, errlen, "out of memory");
}

static void dumer_call(const rf_impl *im, void *args)
{
    const dumer_args *a = args;
    switch (im->kernel->variant) {
    case DV_SOFT: ((rf_rm_dumer_soft_fn)im->fn)(a->m, a->r, a->f, a->llr, a->frames, a->out); break;
    case DV_ML: ((rf_block_ml_fn)im->fn)(a->gen, a->k, a->n, a->llr, a->frames, a->out); break;
    default: ((rf_rm_dumer_fn)im->fn)(a->m, a->r, im->kernel->variant, a->f, a->llr, a->frames, a->out); break;
    }
}

/* rm_dumer, rm_dumer0: a stream case is judged by the hash of all its frames; any other case by
 * bind + call. */
static int dumer_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    dparams p;
    if (read_params(c, &p, err, errlen)) return -1;
    if (p.stream) {
        size_t rows;
        const float *stored = llr_of(c, &p, &rows, err, errlen);
        uint64_t *hash = stored ? rf_case_add1(out, "hash", RF_DT_U64, 2) : NULL;
        if (!hash) return stored ? rf_run_error(err, errlen, "out of memory") : -1;
        return stream_hash(im, &p, im->kernel->variant, stored, rows, hash, NULL, err, errlen);
    }
    dumer_args a;
    if (dumer_bind(im->kernel, c, out, &a, err, errlen)) return -1;
    dumer_call(im, &a);
    return 0;
}

/* ML: flops = the correlations of every codeword. */
static void dumer_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    const dumer_args *a = args;
    const bool ml = desc->variant == DV_ML;
    w->items = a->per_bit ? (double)a->frames * a->k : (double)a->frames;
    w->item_unit = a->per_bit ? "info bits" : "frames";
    w->flops = ml ? (double)a->frames * (double)((size_t)1 << a->k) * (double)a->n : 0;
    w->bytes = (double)a->frames * ((double)a->n * sizeof(float) + (ml ? 0 : a->k));
}

/* ---- fuzzing ---------------------------------------------------------------------------------- */

/* Random RM(m,r), m <= 8, f, 1..3 frames of LLRs with 0, +-inf, NaN and magnitudes up to 2^100.
 * Inputs where the oracle sees a near-tie are rejected (as for rm1_map): the decision class
 * excuses a near-tie flip only while flips stay under 1e-4 of the decisions, which a case of a
 * few frames cannot meet, and a soft output after a flipped decision follows another path. */
static int dumer_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    const int soft = desc->variant == DV_SOFT, variant = soft ? RF_DUMER : desc->variant;
    rf_bytes b = {data, size, 0};
    dparams p;
    p.m = rf_bytes_u8(&b) % 9;
    p.r = rf_bytes_u8(&b) % (p.m + 1);
    p.f = rf_bytes_u8(&b) & 1;
    const size_t frames = 1 + rf_bytes_u8(&b) % 3, n = (size_t)1 << p.m;
    /* non-finite LLRs in one input of eight: with them in every input nearly every frame of 2^m
     * values held one, and the margin rule below rejected it (the coverage count showed it) */
    const int specials = rf_bytes_u8(&b) < 32;
    /* magnitudes up to 2^100 in one input of eight too: one such LLR sets a frame's error scale,
     * and every decision margin of the others is then below the rule's bound */
    const int maxexp = rf_bytes_u8(&b) < 32 ? 100 : 4;
    rf_case_set_param(c, "m", "%u", p.m);
    rf_case_set_param(c, "r", "%u", p.r);
    rf_case_set_param(c, "f", "%s", p.f ? "minsum" : "exact");
    rf_case_set_param(c, "frames", "%zu", frames);
    rf_case_set_param(c, "sigma", "1");
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    uint8_t bits[1024];
    long double so[1024];
    if (!llr) return -1;
    for (size_t i = 0; i < frames * n; i++) llr[i] = rf_bytes_f32(&b, maxexp, specials);
    const double tau = 8.0 * rf_ceil_log2(n ? n : 1) + 8.0, u = rf_unit_roundoff(RF_DT_F32);
    p.frames = frames;
    p.stream = 0;
    for (size_t q = 0; q < frames; q++) {
        const long double mg = oracle_frame(&p, variant, soft, llr + q * n, bits, so);
        if (mg < 0 || mg <= 2 * tau * u * frame_scale(llr + q * n, n, p.f, soft)) return -1;
    }
    return 0;
}

static int ml_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size, 0};
    const size_t n = 1 + rf_bytes_u8(&b) % 24;
    const unsigned k = 1 + rf_bytes_u8(&b) % (n < 10 ? (unsigned)n : 10u);
    const size_t frames = 1 + rf_bytes_u8(&b) % 3;
    rf_case_set_param(c, "code", "fuzz");
    rf_case_set_param(c, "frames", "%zu", frames);
    uint8_t *gen = rf_case_add2(c, "in.gen", RF_DT_U8, k, n);
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    if (!gen || !llr) return -1;
    for (size_t i = 0; i < (size_t)k * n; i++) gen[i] = rf_bytes_u8(&b) & 1;
    for (size_t i = 0; i < frames * n; i++) llr[i] = rf_bytes_f32(&b, 100, 1);
    const double tau = 8.0 * rf_ceil_log2(n) + 8.0, u = rf_unit_roundoff(RF_DT_F32);
    uint8_t bits[RF_ML_MAX_K];
    for (size_t q = 0; q < frames; q++) {
        const long double mg = ora_block_ml(gen, k, n, llr + q * n, bits);
        if (mg < 0 || mg <= 2 * tau * u * frame_scale(llr + q * n, n, RF_F_MINSUM, 0)) return -1;
    }
    return 0;
}

/* ---- golden cases and descriptors ------------------------------------------------------------- */

/* Eb/N0 0, 3 and 6 dB for the `exact` f, one point for the others (seeds differ per case). The
 * min-sum cases are judged `exact`: on the 2^-10 grid min-sum Dumer is exact arithmetic (header),
 * hard and soft, so every level and the oracle agree bit for bit, near-ties included. */
#define CODE_CASES(tag, mr, frames, s)                                                           \
    {tag "_e0", mr " frames=" frames " ebn0=0 seed=" s "1"},                                     \
    {tag "_e3", mr " frames=" frames " ebn0=3 seed=" s "2"},                                     \
    {tag "_e6", mr " frames=" frames " ebn0=6 seed=" s "3"},                                     \
    {tag "_minsum_e3", mr " frames=" frames " ebn0=3 f=minsum seed=" s "4 tol=exact"}

static const rf_case_spec dumer_cases[] = {
    CODE_CASES("rm31", "m=3 r=1", "256", "31"),
    CODE_CASES("rm61", "m=6 r=1", "128", "61"),
    CODE_CASES("rm82", "m=8 r=2", "64", "82"),
    CODE_CASES("rm92", "m=9 r=2", "32", "92"),
    {"rm00_e3", "m=0 r=0 frames=64 ebn0=3 seed=1"},
    {"rm44_e3", "m=4 r=4 frames=64 ebn0=3 seed=2"},
    {"rm105_e3", "m=10 r=5 frames=4 ebn0=3 seed=3"},
    {"stream_rm82_exact", "m=8 r=2 stream=100000 sigma=1 seed=8201 tol=exact"},
    /* external truth: the KO authors' hard Dumer decisions (ko-reference/rm_m_2, README §6) */
    {"authors_rm82_level1", "source=rm_8_2 level=1 m=8 r=2 frames=24 sigma=1.1206887238456493"},
    {"authors_rm82_level2", "source=rm_8_2 level=2 m=8 r=2 frames=24 sigma=1.5830148982673413"},
    {"authors_rm92_level1", "source=rm_9_2 level=1 m=9 r=2 frames=24 sigma=1.7761719292909022"},
    {"authors_rm92_level2", "source=rm_9_2 level=2 m=9 r=2 frames=24 sigma=2.508909535828432"},
    {"stream_rm82_minsum", "m=8 r=2 stream=100000 sigma=1.2 f=minsum seed=8202 tol=exact"},
    {NULL, NULL},
};

static const rf_case_spec dumer0_cases[] = {
    CODE_CASES("rm31", "m=3 r=1", "256", "31"),
    CODE_CASES("rm61", "m=6 r=1", "128", "61"),
    CODE_CASES("rm82", "m=8 r=2", "64", "82"),
    CODE_CASES("rm92", "m=9 r=2", "32", "92"),
    {"rm44_e3", "m=4 r=4 frames=64 ebn0=3 seed=2"},
    {"stream_rm82_minsum", "m=8 r=2 stream=100000 sigma=1.2 f=minsum seed=8203 tol=exact"},
    {NULL, NULL},
};

/* Soft cases at 0 dB: seeds chosen (among the first dozen) so that every soft decision is at least
 * 10x its near-tie bound (test_dumer.c checks it); at 0 dB a 64-frame RM(8,2) set typically has a
 * decision within 5-10x, which a path-following soft comparison cannot excuse. */
static const rf_case_spec soft_cases[] = {
    CODE_CASES("rm31", "m=3 r=1", "256", "31"),
    CODE_CASES("rm61", "m=6 r=1", "128", "61"),
    {"rm82_e0", "m=8 r=2 frames=64 ebn0=0 seed=8216"},
    {"rm82_e3", "m=8 r=2 frames=64 ebn0=3 seed=822"},
    {"rm82_e6", "m=8 r=2 frames=64 ebn0=6 seed=823"},
    {"rm82_minsum_e3", "m=8 r=2 frames=64 ebn0=3 f=minsum seed=824 tol=exact"},
    {"rm92_e0", "m=9 r=2 frames=16 ebn0=0 seed=9222"},
    {"rm92_e3", "m=9 r=2 frames=32 ebn0=3 seed=922"},
    {"rm92_e6", "m=9 r=2 frames=32 ebn0=6 seed=923"},
    {"rm92_minsum_e3", "m=9 r=2 frames=32 ebn0=3 f=minsum seed=924 tol=exact"},
    {"rm22_e3", "m=2 r=2 frames=64 ebn0=3 seed=22"},
    {"rm44_e3", "m=4 r=4 frames=16 ebn0=3 seed=44"},
    {NULL, NULL},
};

static const rf_case_spec ml_cases[] = {
    {"rm31", "code=rm m=3 r=1 frames=64 sigma=1 seed=31"},
    {"rm42", "code=rm m=4 r=2 frames=32 sigma=0.8 seed=42"},
    {"rm51", "code=rm m=5 r=1 frames=32 sigma=1.2 seed=51"},
    {"rand24x12", "code=random n=24 k=12 frames=16 sigma=0.8 seed=2412"},
    {"rand32x16", "code=random n=32 k=16 frames=8 sigma=0.8 seed=3216"}, /* the largest k */
    {NULL, NULL},
};

static const char *const dumer_sizes[] = {"m=8 r=2 frames=64", "m=8 r=2 frames=64 per=bit",
                                          "m=9 r=2 frames=32", "m=9 r=2 frames=32 per=bit", NULL};
static const char *const dumer0_sizes[] = {"m=8 r=2 frames=64 variant=dumer0",
                                           "m=8 r=2 frames=64 variant=dumer0 per=bit",
                                           "m=9 r=2 frames=32 variant=dumer0",
                                           "m=9 r=2 frames=32 variant=dumer0 per=bit", NULL};
static const char *const soft_sizes[] = {"m=8 r=2 frames=64", "m=9 r=2 frames=32", NULL};
static const char *const ml_sizes[] = {"code=rm m=4 r=2 frames=16 sigma=1 seed=9", NULL};

#define DUMER_CALLBACKS                                                                          \
    .family = "dumer", .work_dtype = RF_DT_F32, .args_size = sizeof(dumer_args), .bind = dumer_bind, \
    .call = dumer_call, .work = dumer_work
#define RM_DUMER_CALLBACKS                                                                       \
    DUMER_CALLBACKS, .make_inputs = dumer_make_inputs, .oracle = dumer_oracle, .fuzz_inputs = dumer_fuzz

static const rf_kernel rm_dumer_kernel = {
    .name = "rm_dumer",
    .summary = "Dumer's recursive decoder of RM(m,r), RM(m,1) leaves by FHT MAP, hard bits",
    .id = RF_KID(rm_dumer),
    .variant = DV_DUMER,
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = dumer_cases,
    .free_length = "frames",
    .run = dumer_run,
    .bench_sizes = dumer_sizes,
    RM_DUMER_CALLBACKS,
};

static const rf_kernel rm_dumer0_kernel = {
    .name = "rm_dumer0",
    .summary = "Dumer's decoder recursing to repetition and full-rate leaves (= SC, rm frozen set)",
    .id = RF_KID(rm_dumer),
    .variant = DV_DUMER0,
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = dumer0_cases,
    .free_length = "frames",
    .run = dumer_run,
    .bench_sizes = dumer0_sizes,
    RM_DUMER_CALLBACKS,
};

static const rf_kernel rm_dumer_soft_kernel = {
    .name = "rm_dumer_soft",
    .summary = "soft-output Dumer: leaf Soft-MAP LLRs (max-log, eq. C.6) of the message bits",
    .id = RF_KID(rm_dumer_soft),
    .variant = DV_SOFT,
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = soft_cases,
    .free_length = "frames",
    .bench_sizes = soft_sizes,
    RM_DUMER_CALLBACKS,
};

static const rf_kernel block_ml_kernel = {
    .name = "block_ml",
    .summary = "block ML of a small linear code (k <= 16) by enumeration (the decoders' oracle)",
    .id = RF_KID(block_ml),
    .variant = DV_ML,
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = ml_cases,
    .free_length = "frames",
    .make_inputs = ml_make_inputs,
    .oracle = ml_oracle,
    .bench_sizes = ml_sizes,
    .fuzz_inputs = ml_fuzz,
    DUMER_CALLBACKS,
};

const rf_kernel *const rf_family_dumer[] = {&rm_dumer_kernel, &rm_dumer0_kernel, &rm_dumer_soft_kernel,
                                            &block_ml_kernel, NULL};
