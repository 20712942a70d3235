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

#include "oracle.h"
#include "common.h"
#include "koref.h"
#include "refast/decoders.h"
#include "refast/rng.h"

#define MAX_M 10         /* golden and fuzz codes; the kernels take m <= 16 */
#define QUANT 1024.0     /* LLR grid 2^-10 */
#define CLIP 32.0
#define STREAM_CHECK 16  /* frames of a stream case stored in in.llr */
#define STREAM_CHUNK 1000

static size_t rm_k(unsigned m, unsigned r)
{
    size_t k = 0;
    for (unsigned i = 0; i <= r && i <= m; i++) {
        size_t c = 1;
        for (unsigned j = 0; j < i; j++) c = c * (m - j) / (j + 1);
        k += c;
    }
    return k;
}

/* ---- inputs ----------------------------------------------------------------------------------- */

/* Gaussian pair p of frame f (see the header): one Philox block, 53-bit uniforms. */
static void gauss_pair(uint64_t seed, uint64_t ctr, double *z0, double *z1)
{
    const uint32_t c[4] = {(uint32_t)ctr, (uint32_t)(ctr >> 32), 1, 0};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t w[4];
    rf_philox4x32_10(c, key, w);
    const double u1 = ((double)(((uint64_t)(w[0] >> 5) << 26) | (w[1] >> 6)) + 0.5) * 0x1p-53;
    const double u2 = (double)(((uint64_t)(w[2] >> 5) << 26) | (w[3] >> 6)) * 0x1p-53;
    const double rad = sqrt(-2.0 * log(u1)), ang = 2.0 * 3.14159265358979323846 * u2;
    *z0 = rad * cos(ang);
    *z1 = rad * sin(ang);
}

/* Frames [first, first + count) of RM(m,r) over AWGN, quantised LLRs (header). */
static void gen_frames(unsigned m, unsigned r, double sigma, uint64_t seed, uint64_t first, size_t count,
                       float *llr)
{
    const size_t n = (size_t)1 << m, k = rm_k(m, r);
    uint8_t msg[1024], cw[1024];
    for (size_t q = 0; q < count; q++) {
        const uint64_t f = first + q;
        for (size_t j = 0; j < k; j++) msg[j] = rf_gen_word(seed, 0, f * k + j) & 1;
        ora_rm_encode(m, r, msg, cw);
        for (size_t i = 0; i < n; i += 2) {
            double z[2];
            gauss_pair(seed, f * ((n + 1) / 2) + i / 2, &z[0], &z[1]);
            for (size_t t = 0; t < 2 && i + t < n; t++) {
                double L = 2.0 * ((cw[i + t] ? -1.0 : 1.0) + sigma * z[t]) / (sigma * sigma);
                L = nearbyint(L * QUANT) / QUANT;
                llr[q * n + i + t] = (float)(L > CLIP ? CLIP : L < -CLIP ? -CLIP : L);
            }
        }
    }
}

typedef struct dparams {
    unsigned m, r;
    int f;
    double sigma;
    uint64_t seed, frames, stream;
} dparams;

static int read_params(const rf_case *c, dparams *p, char *err, size_t errlen)
{
    uint64_t m, r;
    char buf[32] = "exact";
    if (!rf_need_u64(c, "m", 0, MAX_M, &m, err, errlen)) return -1;
    if (!rf_need_u64(c, "r", 0, m, &r, err, errlen)) return -1;
    p->m = (unsigned)m;
    p->r = (unsigned)r;
    rf_param_str(c->params, "f", buf, sizeof buf);
    if (strcmp(buf, "exact") == 0) p->f = RF_F_EXACT;
    else if (strcmp(buf, "minsum") == 0) p->f = RF_F_MINSUM;
    else return rf_run_error(err, errlen, "parameter f='%s' is not exact or minsum", buf);
    p->seed = 1;
    rf_param_u64(c->params, "seed", &p->seed);
    p->stream = 0;
    rf_param_u64(c->params, "stream", &p->stream);
    p->frames = 0;
    if (!p->stream && !rf_need_u64(c, "frames", 1, 1u << 16, &p->frames, err, errlen)) return -1;
    double ebn0;
    if (rf_param_f64(c->params, "ebn0", &ebn0)) {
        const double rate = (double)rm_k(p->m, p->r) / (double)((size_t)1 << p->m);
        p->sigma = sqrt(1.0 / (2.0 * rate * pow(10.0, ebn0 / 10.0)));
    } else if (!rf_param_f64(c->params, "sigma", &p->sigma)) {
        return rf_run_error(err, errlen, "parameter sigma or ebn0 is required");
    }
    if (!(p->sigma > 0.0) || !isfinite(p->sigma))
        return rf_run_error(err, errlen, "sigma=%g must be positive and finite", p->sigma);
    return 0;
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
    snprintf(file, sizeof file, "level%u_received.f32", (unsigned)level);
    float *y = (float *)(void *)rf_koref_read(c, source, file, p->frames * n * 4, err, errlen);
    float *llr = y ? rf_case_add2(c, "in.llr", RF_DT_F32, p->frames, n) : NULL;
    const float sigma = (float)p->sigma;
    for (size_t i = 0; llr && i < p->frames * n; i++) llr[i] = 2.0f * y[i] / (sigma * sigma);
    free(y);
    if (!llr) return y ? rf_run_error(err, errlen, "out of memory") : -1;
    /* their decisions are read (and hashed) here too, so that the params name every source file */
    snprintf(file, sizeof file, "level%u_dumer_hard.u8", (unsigned)level);
    uint8_t *h = rf_koref_read(c, source, file, p->frames * rm_k(p->m, 2), err, errlen);
    free(h);
    return h ? 0 : -1;
}

/* The authors' hard decisions replace the oracle's want.msg (tie and scale stay the oracle's, so
 * a disagreement is excused only at a near-tie of the exact decoder). */
static int source_want(rf_case *c, const dparams *p, const char *source, uint8_t *want, char *err,
                       size_t errlen)
{
    uint64_t level = 1;
    rf_param_u64(c->params, "level", &level);
    char file[64];
    snprintf(file, sizeof file, "level%u_dumer_hard.u8", (unsigned)level);
    const size_t bytes = p->frames * rm_k(p->m, 2);
    uint8_t *h = rf_koref_read(NULL, source, file, bytes, err, errlen);
    if (!h) return -1;
    memcpy(want, h, bytes);
    free(h);
    return 0;
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

/* ---- oracle ----------------------------------------------------------------------------------- */

static int variant_of(const rf_case *c)
{
    return strcmp(c->kernel, "rm_dumer0") == 0 ? RF_DUMER0 : RF_DUMER;
}

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

static const float *llr_of(const rf_case *c, const dparams *p, size_t *rows, char *err, size_t errlen)
{
    const rf_array *in = rf_case_find(c, "in.llr");
    if (!in || in->dtype != RF_DT_F32 || in->ndim != 2 || in->shape[1] != ((uint64_t)1 << p->m)) {
        rf_run_error(err, errlen, "case needs in.llr, f32 frames x 2^m");
        return NULL;
    }
    *rows = (size_t)in->shape[0];
    return in->data;
}

static int stream_oracle(rf_case *c, const dparams *p, int variant, char *err, size_t errlen)
{
    const size_t n = (size_t)1 << p->m, k = rm_k(p->m, p->r);
    float *llr = malloc(STREAM_CHUNK * n * sizeof *llr);
    uint8_t *bits = malloc(STREAM_CHUNK * k);
    uint64_t *hash = rf_case_add1(c, "want.hash", RF_DT_U64, 2);
    XXH3_state_t *st = XXH3_createState();
    if (!llr || !bits || !hash || !st) {
        free(llr);
        free(bits);
        XXH3_freeState(st);
        return rf_run_error(err, errlen, "out of memory");
    }
    XXH3_128bits_reset(st);
    const double tau = 8.0 * rf_ceil_log2(n) + 8.0, u = rf_unit_roundoff(RF_DT_F32);
    double worst = INFINITY;
    for (uint64_t f0 = 0; f0 < p->stream; f0 += STREAM_CHUNK) {
        const size_t cnt = p->stream - f0 < STREAM_CHUNK ? (size_t)(p->stream - f0) : STREAM_CHUNK;
        gen_frames(p->m, p->r, p->sigma, p->seed, f0, cnt, llr);
        for (size_t q = 0; q < cnt; q++) {
            const long double mg = oracle_frame(p, variant, 0, llr + q * n, bits + q * k, NULL);
            const double ratio = (double)mg / (tau * u * frame_scale(llr + q * n, n, p->f, 0));
            if (ratio < worst) worst = ratio;
        }
        XXH3_128bits_update(st, bits, cnt * k);
    }
    XXH128_hash_t h = XXH3_128bits_digest(st);
    hash[0] = h.low64;
    hash[1] = h.high64;
    XXH3_freeState(st);
    free(llr);
    free(bits);
    rf_case_set_param(c, "min_margin_ratio", "%.4g", worst);
    return 0;
}

static int dumer_oracle_common(rf_case *c, int soft, char *err, size_t errlen)
{
    dparams p;
    if (read_params(c, &p, err, errlen)) return -1;
    const int variant = soft ? RF_DUMER : variant_of(c);
    if (p.stream && !soft) return stream_oracle(c, &p, variant, err, errlen);
    size_t rows;
    const float *llr = llr_of(c, &p, &rows, err, errlen);
    if (!llr) return -1;
    const size_t n = (size_t)1 << p.m, k = rm_k(p.m, p.r);
    void *want = rf_case_add2(c, soft ? "want.llr" : "want.msg", soft ? RF_DT_F64 : RF_DT_U8, rows, k);
    double *scale = rf_case_add1(c, soft ? "scale.llr" : "scale.msg", RF_DT_F64, rows);
    double *tie = soft ? NULL : rf_case_add1(c, "tie.msg", RF_DT_F64, rows);
    uint8_t *bits = malloc(k);
    long double *so = malloc(k * sizeof *so);
    if (!want || !scale || (!soft && !tie) || !bits || !so) {
        free(bits);
        free(so);
        return rf_run_error(err, errlen, "out of memory");
    }
    for (size_t q = 0; q < rows; q++) {
        const long double mg = oracle_frame(&p, variant, soft, llr + q * n, bits, so);
        if (mg < 0) {
            free(bits);
            free(so);
            return rf_run_error(err, errlen, "oracle out of memory");
        }
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
    if (!soft && rf_param_str(c->params, "source", source, sizeof source) &&
        source_want(c, &p, source, want, err, errlen))
        return -1;
    rf_case_set_param(c, "terms", "%zu", n);
    return 0;
}

static int dumer_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return dumer_oracle_common(c, 0, err, errlen);
}

static int soft_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return dumer_oracle_common(c, 1, err, errlen);
}

/* ---- run -------------------------------------------------------------------------------------- */

static int stream_run(rf_fnptr fn, const rf_case *c, const dparams *p, int variant, rf_case *out, char *err,
                      size_t errlen)
{
    size_t rows;
    const float *stored = llr_of(c, p, &rows, err, errlen);
    if (!stored) return -1;
    const size_t n = (size_t)1 << p->m, k = rm_k(p->m, p->r);
    float *llr = rf_alloc(STREAM_CHUNK * n * sizeof *llr);
    uint8_t *bits = rf_alloc(STREAM_CHUNK * k);
    uint64_t *hash = rf_case_add1(out, "hash", RF_DT_U64, 2);
    XXH3_state_t *st = XXH3_createState();
    int rc = 0;
    if (!llr || !bits || !hash || !st) {
        rc = rf_run_error(err, errlen, "out of memory");
        goto done;
    }
    XXH3_128bits_reset(st);
    for (uint64_t f0 = 0; f0 < p->stream; f0 += STREAM_CHUNK) {
        const size_t cnt = p->stream - f0 < STREAM_CHUNK ? (size_t)(p->stream - f0) : STREAM_CHUNK;
        gen_frames(p->m, p->r, p->sigma, p->seed, f0, cnt, llr);
        if (f0 == 0 && memcmp(llr, stored, rows * n * sizeof *llr) != 0) {
            rc = rf_run_error(err, errlen, "stream generator differs from the %zu frames stored in "
                              "in.llr (platform libm or generator changed): cannot check the hash", rows);
            goto done;
        }
        ((rf_rm_dumer_fn)fn)(p->m, p->r, variant, p->f, llr, cnt, bits);
        XXH3_128bits_update(st, bits, cnt * k);
    }
    XXH128_hash_t h = XXH3_128bits_digest(st);
    hash[0] = h.low64;
    hash[1] = h.high64;
done:
    XXH3_freeState(st);
    rf_free(llr);
    rf_free(bits);
    return rc;
}

static int dumer_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    dparams p;
    if (read_params(c, &p, err, errlen)) return -1;
    if (p.stream) return stream_run(im->fn, c, &p, variant_of(c), out, err, errlen);
    size_t rows;
    const float *llr = llr_of(c, &p, &rows, err, errlen);
    if (!llr) return -1;
    uint8_t *msg = rf_case_add2(out, "msg", RF_DT_U8, rows, rm_k(p.m, p.r));
    if (!msg) return rf_run_error(err, errlen, "out of memory");
    ((rf_rm_dumer_fn)im->fn)(p.m, p.r, variant_of(c), p.f, llr, rows, msg);
    return 0;
}

static int soft_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    dparams p;
    if (read_params(c, &p, err, errlen)) return -1;
    size_t rows;
    const float *llr = llr_of(c, &p, &rows, err, errlen);
    if (!llr) return -1;
    float *o = rf_case_add2(out, "llr", RF_DT_F32, rows, rm_k(p.m, p.r));
    if (!o) return rf_run_error(err, errlen, "out of memory");
    ((rf_rm_dumer_soft_fn)im->fn)(p.m, p.r, p.f, llr, rows, o);
    return 0;
}

/* ---- block ML --------------------------------------------------------------------------------- */

static int ml_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t frames, seed = 1, m = 0, r = 0, n = 0, k = 0;
    double sigma = 1.0;
    char code[16] = "";
    rf_param_str(c->params, "code", code, sizeof code);
    if (!rf_need_u64(c, "frames", 1, 1u << 12, &frames, err, errlen)) return -1;
    rf_param_u64(c->params, "seed", &seed);
    if (!rf_param_f64(c->params, "sigma", &sigma) || !(sigma > 0.0) || !isfinite(sigma))
        return rf_run_error(err, errlen, "parameter sigma must be positive and finite");
    if (strcmp(code, "rm") == 0) {
        if (!rf_need_u64(c, "m", 0, 6, &m, err, errlen) || !rf_need_u64(c, "r", 0, m, &r, err, errlen))
            return -1;
        n = 1u << m;
        k = rm_k((unsigned)m, (unsigned)r);
        if (k > RF_ML_MAX_K) return rf_run_error(err, errlen, "RM(%llu,%llu) has k = %llu > 16",
                                                 (unsigned long long)m, (unsigned long long)r,
                                                 (unsigned long long)k);
    } else if (strcmp(code, "random") == 0) {
        if (!rf_need_u64(c, "n", 1, 64, &n, err, errlen) ||
            !rf_need_u64(c, "k", 1, n < RF_ML_MAX_K ? n : RF_ML_MAX_K, &k, err, errlen))
            return -1;
    } else {
        return rf_run_error(err, errlen, "parameter code='%s' is not rm or random", code);
    }
    uint8_t *gen = rf_case_add2(c, "in.gen", RF_DT_U8, k, n);
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    if (!gen || !llr) return rf_run_error(err, errlen, "out of memory");
    if (strcmp(code, "rm") == 0) { /* row j = the codeword of unit message j */
        uint8_t msg[RF_ML_MAX_K];
        for (size_t j = 0; j < k; j++) {
            memset(msg, 0, sizeof msg);
            msg[j] = 1;
            ora_rm_encode((unsigned)m, (unsigned)r, msg, gen + j * n);
        }
    } else {
        for (size_t j = 0; j < k; j++)
            for (size_t i = 0; i < n; i++) gen[j * n + i] = i < k ? i == j : rf_gen_word(seed, 4, j * n + i) & 1;
    }
    for (uint64_t f = 0; f < frames; f++) {
        size_t u = rf_gen_word(seed, 0, f) & ((1u << k) - 1);
        for (size_t i = 0; i < n; i += 2) {
            double z[2];
            gauss_pair(seed, f * ((n + 1) / 2) + i / 2, &z[0], &z[1]);
            for (size_t t = 0; t < 2 && i + t < n; t++) {
                unsigned cb = 0;
                for (size_t j = 0; j < k; j++) cb ^= ((u >> j) & 1) & gen[j * n + i + t];
                llr[f * n + i + t] = (float)(2.0 * ((cb ? -1.0 : 1.0) + sigma * z[t]) / (sigma * sigma));
            }
        }
    }
    return 0;
}

static int ml_geometry(const rf_case *c, const uint8_t **gen, const float **llr, unsigned *k, size_t *n,
                       size_t *frames, char *err, size_t errlen)
{
    const rf_array *g = rf_case_find(c, "in.gen"), *l = rf_case_find(c, "in.llr");
    if (!g || g->dtype != RF_DT_U8 || g->ndim != 2 || !l || l->dtype != RF_DT_F32 || l->ndim != 2 ||
        g->shape[0] < 1 || g->shape[0] > RF_ML_MAX_K || g->shape[1] != l->shape[1] || g->shape[1] < 1)
        return rf_run_error(err, errlen, "case needs in.gen (u8 k x n, 1 <= k <= 16) and in.llr "
                            "(f32 frames x n)");
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
    if (ml_geometry(c, &gen, &llr, &k, &n, &frames, err, errlen)) return -1;
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

static int ml_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    const uint8_t *gen = NULL;
    const float *llr = NULL;
    unsigned k = 0;
    size_t n = 0, frames = 0;
    if (ml_geometry(c, &gen, &llr, &k, &n, &frames, err, errlen)) return -1;
    uint8_t *msg = rf_case_add2(out, "msg", RF_DT_U8, frames, k);
    if (!msg) return rf_run_error(err, errlen, "out of memory");
    ((rf_block_ml_fn)im->fn)(gen, k, n, llr, frames, msg);
    return 0;
}

/* ---- benchmarks ------------------------------------------------------------------------------- */

typedef struct dbench {
    unsigned m, r, k;
    int variant, f;
    size_t n, frames;
    float *llr, *soft;
    uint8_t *msg, *gen;
} dbench;

static void dbench_free(void *state)
{
    dbench *b = state;
    if (!b) return;
    rf_free(b->llr);
    rf_free(b->soft);
    rf_free(b->msg);
    rf_free(b->gen);
    free(b);
}

/* params: m, r, frames, variant = dumer|dumer0, f = exact|minsum, per = frame|bit (the unit:
 * frames/s or information bits/s), ebn0 (default 3 dB). */
static void *dbench_setup(const char *params, rf_work *work)
{
    uint64_t m = 8, r = 2, frames = 64;
    double ebn0 = 3.0;
    char buf[16];
    rf_param_u64(params, "m", &m);
    rf_param_u64(params, "r", &r);
    rf_param_u64(params, "frames", &frames);
    rf_param_f64(params, "ebn0", &ebn0);
    if (m > MAX_M || r > m || frames < 1 || frames > (1u << 16)) return NULL;
    dbench *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->m = (unsigned)m;
    b->r = (unsigned)r;
    b->k = (unsigned)rm_k(b->m, b->r);
    b->n = (size_t)1 << m;
    b->frames = frames;
    b->variant = rf_param_str(params, "variant", buf, sizeof buf) && strcmp(buf, "dumer0") == 0;
    b->f = rf_param_str(params, "f", buf, sizeof buf) && strcmp(buf, "minsum") == 0;
    b->llr = rf_alloc(frames * b->n * sizeof(float));
    b->soft = rf_alloc(frames * b->k * sizeof(float));
    b->msg = rf_alloc(frames * b->k);
    if (!b->llr || !b->soft || !b->msg) {
        dbench_free(b);
        return NULL;
    }
    const double rate = (double)b->k / (double)b->n;
    gen_frames(b->m, b->r, sqrt(1.0 / (2.0 * rate * pow(10.0, ebn0 / 10.0))), 5, 0, frames, b->llr);
    const int per_bit = rf_param_str(params, "per", buf, sizeof buf) && strcmp(buf, "bit") == 0;
    work->items = per_bit ? (double)frames * b->k : (double)frames;
    work->item_unit = per_bit ? "info bits" : "frames";
    work->flops = 0;
    work->bytes = (double)frames * ((double)b->n * sizeof(float) + b->k);
    return b;
}

static void dumer_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    dbench *b = state;
    for (uint64_t it = 0; it < iters; it++)
        ((rf_rm_dumer_fn)im->fn)(b->m, b->r, b->variant, b->f, b->llr, b->frames, b->msg);
}

static void soft_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    dbench *b = state;
    for (uint64_t it = 0; it < iters; it++)
        ((rf_rm_dumer_soft_fn)im->fn)(b->m, b->r, b->f, b->llr, b->frames, b->soft);
}

static void *ml_bench_setup(const char *params, rf_work *work)
{
    rf_case c;
    char err[256];
    rf_case_init(&c, "block_ml", "bench", params);
    if (ml_make_inputs(NULL, &c, err, sizeof err)) {
        rf_case_free(&c);
        return NULL;
    }
    const rf_array *g = rf_case_find(&c, "in.gen"), *l = rf_case_find(&c, "in.llr");
    dbench *b = calloc(1, sizeof *b);
    if (b) {
        b->k = (unsigned)g->shape[0];
        b->n = (size_t)g->shape[1];
        b->frames = (size_t)l->shape[0];
        b->gen = rf_alloc(g->count);
        b->llr = rf_alloc(l->count * sizeof(float));
        b->msg = rf_alloc(b->frames * b->k);
    }
    if (!b || !b->gen || !b->llr || !b->msg) {
        dbench_free(b);
        rf_case_free(&c);
        return NULL;
    }
    memcpy(b->gen, g->data, g->count);
    memcpy(b->llr, l->data, l->count * sizeof(float));
    rf_case_free(&c);
    work->items = (double)b->frames;
    work->item_unit = "frames";
    work->flops = (double)b->frames * (double)((size_t)1 << b->k) * (double)b->n;
    work->bytes = (double)b->frames * (double)b->n * sizeof(float);
    return b;
}

static void ml_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    dbench *b = state;
    for (uint64_t it = 0; it < iters; it++) ((rf_block_ml_fn)im->fn)(b->gen, b->k, b->n, b->llr, b->frames, b->msg);
}

/* ---- fuzzing ---------------------------------------------------------------------------------- */

/* Random RM(m,r), m <= 8, f, 1..3 frames of LLRs with 0, +-inf, NaN and magnitudes up to 2^100.
 * Inputs where the oracle sees a near-tie are rejected (as for rm1_map): the decision class
 * excuses a near-tie flip only while flips stay under 1e-4 of the decisions, which a case of a
 * few frames cannot meet, and a soft output after a flipped decision follows another path. */
static int fuzz_common(const uint8_t *data, size_t size, rf_case *c, int soft, int variant)
{
    rf_bytes b = {data, size};
    dparams p;
    p.m = rf_bytes_u8(&b) % 9;
    p.r = rf_bytes_u8(&b) % (p.m + 1);
    p.f = rf_bytes_u8(&b) & 1;
    const size_t frames = 1 + rf_bytes_u8(&b) % 3, n = (size_t)1 << p.m;
    rf_case_set_param(c, "m", "%u", p.m);
    rf_case_set_param(c, "r", "%u", p.r);
    rf_case_set_param(c, "f", "%s", p.f ? "minsum" : "exact");
    rf_case_set_param(c, "frames", "%zu", frames);
    rf_case_set_param(c, "sigma", "1");
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    uint8_t bits[1024];
    long double so[1024];
    if (!llr) return -1;
    for (size_t i = 0; i < frames * n; i++) llr[i] = rf_bytes_f32(&b, 100, 1);
    const double tau = 8.0 * rf_ceil_log2(n ? n : 1) + 8.0, u = rf_unit_roundoff(RF_DT_F32);
    p.frames = frames;
    p.stream = 0;
    for (size_t q = 0; q < frames; q++) {
        const long double mg = oracle_frame(&p, variant, soft, llr + q * n, bits, so);
        if (mg < 0 || mg <= 2 * tau * u * frame_scale(llr + q * n, n, p.f, soft)) return -1;
    }
    return 0;
}

static int dumer_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    return fuzz_common(data, size, c, 0, RF_DUMER);
}

static int dumer0_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    return fuzz_common(data, size, c, 0, RF_DUMER0);
}

static int soft_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    return fuzz_common(data, size, c, 1, RF_DUMER);
}

static int ml_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    rf_bytes b = {data, size};
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

/* Eb/N0 0, 3 and 6 dB for the `exact` f, one point for the others (seeds differ per case). */
#define CODE_CASES(tag, mr, frames, s)                                                           \
    {tag "_e0", mr " frames=" frames " ebn0=0 seed=" s "1"},                                     \
    {tag "_e3", mr " frames=" frames " ebn0=3 seed=" s "2"},                                     \
    {tag "_e6", mr " frames=" frames " ebn0=6 seed=" s "3"},                                     \
    {tag "_minsum_e3", mr " frames=" frames " ebn0=3 f=minsum seed=" s "4"}

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
    {"rm82_minsum_e3", "m=8 r=2 frames=64 ebn0=3 f=minsum seed=824"},
    {"rm92_e0", "m=9 r=2 frames=16 ebn0=0 seed=9222"},
    {"rm92_e3", "m=9 r=2 frames=32 ebn0=3 seed=922"},
    {"rm92_e6", "m=9 r=2 frames=32 ebn0=6 seed=923"},
    {"rm92_minsum_e3", "m=9 r=2 frames=32 ebn0=3 f=minsum seed=924"},
    {"rm22_e3", "m=2 r=2 frames=64 ebn0=3 seed=22"},
    {"rm44_e3", "m=4 r=4 frames=16 ebn0=3 seed=44"},
    {NULL, NULL},
};

static const rf_case_spec ml_cases[] = {
    {"rm31", "code=rm m=3 r=1 frames=64 sigma=1 seed=31"},
    {"rm42", "code=rm m=4 r=2 frames=32 sigma=0.8 seed=42"},
    {"rm51", "code=rm m=5 r=1 frames=32 sigma=1.2 seed=51"},
    {"rand24x12", "code=random n=24 k=12 frames=16 sigma=0.8 seed=2412"},
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

static const rf_kernel rm_dumer_kernel = {
    .name = "rm_dumer",
    .family = "dumer",
    .summary = "Dumer's recursive decoder of RM(m,r), RM(m,1) leaves by FHT MAP, hard bits",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(rm_dumer),
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = dumer_cases,
    .make_inputs = dumer_make_inputs,
    .oracle = dumer_oracle,
    .run = dumer_run,
    .bench_sizes = dumer_sizes,
    .bench_setup = dbench_setup,
    .bench_run = dumer_bench_run,
    .bench_free = dbench_free,
    .fuzz_inputs = dumer_fuzz,
};

static const rf_kernel rm_dumer0_kernel = {
    .name = "rm_dumer0",
    .family = "dumer",
    .summary = "Dumer's decoder recursing to repetition and full-rate leaves (= SC, rm frozen set)",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(rm_dumer),
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = dumer0_cases,
    .make_inputs = dumer_make_inputs,
    .oracle = dumer_oracle,
    .run = dumer_run,
    .bench_sizes = dumer0_sizes,
    .bench_setup = dbench_setup,
    .bench_run = dumer_bench_run,
    .bench_free = dbench_free,
    .fuzz_inputs = dumer0_fuzz,
};

static const rf_kernel rm_dumer_soft_kernel = {
    .name = "rm_dumer_soft",
    .family = "dumer",
    .summary = "soft-output Dumer: leaf Soft-MAP LLRs (max-log, eq. C.6) of the message bits",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(rm_dumer_soft),
    .tol = {RF_TOL_SUM, 0, 0},
    .cases = soft_cases,
    .make_inputs = dumer_make_inputs,
    .oracle = soft_oracle,
    .run = soft_run,
    .bench_sizes = soft_sizes,
    .bench_setup = dbench_setup,
    .bench_run = soft_bench_run,
    .bench_free = dbench_free,
    .fuzz_inputs = soft_fuzz,
};

static const rf_kernel block_ml_kernel = {
    .name = "block_ml",
    .family = "dumer",
    .summary = "block ML of a small linear code (k <= 16) by enumeration (the decoders' oracle)",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(block_ml),
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = ml_cases,
    .make_inputs = ml_make_inputs,
    .oracle = ml_oracle,
    .run = ml_run,
    .bench_sizes = ml_sizes,
    .bench_setup = ml_bench_setup,
    .bench_run = ml_bench_run,
    .bench_free = dbench_free,
    .fuzz_inputs = ml_fuzz,
};

const rf_kernel *const rf_family_dumer[] = {&rm_dumer_kernel, &rm_dumer0_kernel, &rm_dumer_soft_kernel,
                                            &block_ml_kernel, NULL};
