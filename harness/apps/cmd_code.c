/* refast code: parameters, weight distribution and codebook distance histogram of an RM, polar or
 * KO code (SPEC §5.1 "Metrics and simulation"; KO codes: see "KO codes: real codebooks" below).
 *
 *   refast code info rm:M:R|polar:N:K        n, k, rate, minimum distance and, when the 2^k
 *                                            codewords can be enumerated, the weight distribution
 *   refast code distances CODE [--pairs P]   histogram of the pairwise Euclidean distances of the
 *                                            BPSK codebook, ||s_a - s_b|| = 2 sqrt(d_H(a, b))
 *
 * Both codes are linear, so the codewords are XORs of generator rows (computed here from the
 * canonical RM recursion of SPEC §5.1, or as rows of F^{(x)m} at the information positions),
 * enumerated in Gray-code order (one row XOR per codeword, packed 64 bits per word). All pairs
 * (k <= 16) use linearity: the unordered pairs at Hamming distance w are exactly 2^(k-1) A_w.
 * Above that, P pairs of messages drawn from Philox (seed 1, streams 0 and 1) are encoded and
 * compared. Polar codes take --construction ga|bhattacharyya|rm|file:F (default ga) at
 * --design-sigma S (default 1).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "cli.h"
#include "codespec.h"
#include "errf.h"
#include "refast/codes.h"
#include "refast/ko.h"
#include "jsonw.h"
#include "refast/rng.h"
#include "ko/kow.h"

#define ENUM_MAX_K 24
#define ENUM_MAX_WORK ((uint64_t)1 << 31) /* codewords x words */
#define GEN_MAX_BYTES ((size_t)256 << 20)
#define ALL_PAIRS_MAX_K 16

/* Canonical RM encoder on one bit per byte (SPEC §5.1); out has 2^m entries. */
static void rm_encode_bits(unsigned m, unsigned r, const uint8_t *b, uint8_t *out)
{
    const size_t n = (size_t)1 << m;
    if (r == 0) {
        memset(out, b[0] & 1, n);
        return;
    }
    if (m == 0) {
        out[0] = b[0] & 1;
        return;
    }
    const unsigned ru = r < m - 1 ? r : m - 1;
    const size_t ku = rf_rm_k(m - 1, ru), h = n / 2;
    rm_encode_bits(m - 1, ru, b, out);            /* u */
    rm_encode_bits(m - 1, r - 1, b + ku, out + h); /* v */
    for (size_t i = 0; i < h; i++) out[h + i] ^= out[i];
}

typedef struct gen {
    size_t n, k, words;
    uint64_t *rows; /* k x words */
} gen;

static bool build_generator(const rf_codespec *c, const uint8_t *frozen, gen *g, char *err, size_t errlen)
{
    g->n = c->n;
    g->k = c->k;
    g->words = rf_packed_words(c->n);
    if (c->k > GEN_MAX_BYTES / 8 / g->words)
        return rf_fail(err, errlen, "%s: the generator matrix (%zu x %zu bits) is too large", c->text, c->k, c->n);
    g->rows = calloc(c->k * g->words, 8);
    uint8_t *msg = calloc(c->k, 1), *cw = calloc(c->n, 1);
    if (!g->rows || !msg || !cw) {
        free(g->rows);
        free(msg);
        free(cw);
        return rf_fail(err, errlen, "out of memory");
    }
    size_t row = 0;
    for (size_t i = 0; i < (c->kind == RF_CODE_RM ? c->k : c->n); i++) {
        if (c->kind == RF_CODE_RM) {
            msg[i] = 1;
            rm_encode_bits(c->m, c->r, msg, cw);
            msg[i] = 0;
        } else {
            if (frozen[i]) continue;
            for (size_t j = 0; j < c->n; j++) cw[j] = (j & ~i) == 0; /* row i of F^(x)m: j subset of i */
        }
        uint64_t *w = g->rows + row * g->words;
        for (size_t j = 0; j < c->n; j++) w[j / 64] |= (uint64_t)cw[j] << (j % 64);
        row++;
    }
    free(msg);
    free(cw);
    return true;
}

static uint64_t weight(const uint64_t *w, size_t words)
{
    uint64_t s = 0;
    for (size_t i = 0; i < words; i++) s += (uint64_t)__builtin_popcountll(w[i]);
    return s;
}

/* A_w for w = 0..n by Gray-code enumeration; NULL when too large or out of memory. */
static uint64_t *weight_distribution(const gen *g)
{
    if (g->k > ENUM_MAX_K || ((uint64_t)1 << g->k) * g->words > ENUM_MAX_WORK) return NULL;
    uint64_t *a = calloc(g->n + 1, sizeof *a), *cw = calloc(g->words, 8);
    if (!a || !cw) {
        free(a);
        free(cw);
        return NULL;
    }
    a[0] = 1;
    for (uint64_t i = 1; i < (uint64_t)1 << g->k; i++) {
        const unsigned bit = (unsigned)__builtin_ctzll(i); /* Gray code: flip one message bit */
        const uint64_t *r = g->rows + (size_t)bit * g->words;
        for (size_t j = 0; j < g->words; j++) cw[j] ^= r[j];
        a[weight(cw, g->words)]++;
    }
    free(cw);
    return a;
}

typedef struct code_opts {
    const char *code, *construction, *design, *json;
    unsigned long long pairs, bins, seed;
    bool have_bins, have_seed;
} code_opts;

/* Parses the code (and a polar code's frozen set, returned in *frozen, N entries, NULL for RM) and
 * builds the generator when want_gen. */
static int code_setup(const code_opts *o, rf_codespec *c, uint8_t **frozen, bool want_gen, gen *g)
{
    char err[512];
    *frozen = NULL;
    memset(g, 0, sizeof *g);
    if (!rf_codespec_parse(o->code, c, err, sizeof err)) return rf_usage_error("code: %s", err);
    if (c->kind == RF_CODE_POLAR) {
        rf_construction cons;
        if (!rf_construction_parse(o->construction, o->design ? o->design : "1", c, &cons, err, sizeof err))
            return rf_usage_error("code: %s", err);
        const rf_construction_kind cons_kind = cons.kind;
        *frozen = calloc(c->n, 1);
        const bool ok = *frozen && rf_construction_frozen(&cons, c, cons.design_sigma, *frozen, err, sizeof err);
        rf_construction_free(&cons);
        if (!ok) {
            const bool oom = !*frozen;
            free(*frozen);
            *frozen = NULL;
            return rf_usage_error("code: %s", oom ? "out of memory" : err);
        }
        const bool designed = cons_kind == RF_CONS_GA || cons_kind == RF_CONS_BHATTACHARYYA;
        printf("code %s: construction %s%s%s\n", c->text, o->construction ? o->construction : "ga",
               designed ? ", design sigma " : "", designed ? (o->design ? o->design : "1") : "");
    } else if (o->construction || o->design) {
        return rf_usage_error("code: --construction and --design-sigma apply to polar codes only");
    }
    if (want_gen && !build_generator(c, *frozen, g, err, sizeof err)) {
        free(*frozen);
        *frozen = NULL;
        return rf_usage_error("code: %s", err);
    }
    return RF_EXIT_OK;
}

static bool enumerable(const rf_codespec *c)
{
    return c->k <= ENUM_MAX_K && ((uint64_t)1 << c->k) * rf_packed_words(c->n) <= ENUM_MAX_WORK;
}

static int code_info(const code_opts *o)
{
    rf_codespec c;
    gen g;
    uint8_t *frozen;
    int rc = code_setup(o, &c, &frozen, false, &g);
    if (rc != RF_EXIT_OK) return rc;
    /* d without enumeration: 2^(m-r) for RM; for a code spanned by rows of F^{(x)m}, the lightest
     * row used, 2^popcount(i) */
    long long d = -1;
    if (c.kind == RF_CODE_RM) d = 1ll << (c.m - c.r);
    for (size_t i = 0; frozen && i < c.n; i++)
        if (!frozen[i] && (d < 0 || (1ll << __builtin_popcountll(i)) < d)) d = 1ll << __builtin_popcountll(i);
    uint64_t *a = NULL;
    if (enumerable(&c)) {
        char err[512];
        if (!build_generator(&c, frozen, &g, err, sizeof err)) {
            free(frozen);
            return rf_usage_error("code: %s", err);
        }
        a = weight_distribution(&g);
    }
    if (a) {
        long long dmin = -1;
        for (size_t w = 1; w <= c.n && dmin < 0; w++)
            if (a[w]) dmin = (long long)w;
        if (dmin != d) { /* a self-check of the generator against the theory */
            fprintf(stderr, "refast: code: enumerated minimum distance %lld differs from the predicted %lld\n", dmin, d);
            rc = RF_EXIT_CHECK;
        }
    }
    printf("code %s: n = %zu, k = %zu, rate = %.6g, d = %lld\n", c.text, c.n, c.k, (double)c.k / (double)c.n, d);
    if (a) {
        printf("weight distribution (%llu codewords):\n", 1ull << c.k);
        for (size_t w = 0; w <= c.n; w++)
            if (a[w]) printf("  weight %zu: %llu\n", w, (unsigned long long)a[w]);
    } else {
        printf("weight distribution: too large to enumerate (2^%zu codewords of %zu bits)\n", c.k, c.n);
    }
    free(a);
    free(g.rows);
    free(frozen);
    return rc;
}

/* The Hamming distances of pairs of codewords of the linear code spanned by g: all pairs for
 * k <= 16 (2^(k-1) A_w pairs at distance w), else `pairs` pairs of messages drawn from Philox
 * (seed 1, streams 0 and 1, words [p nw, (p+1) nw) for pair p). hist has n + 1 entries (zeroed
 * here). Returns false when memory runs out. */
static bool hamming_pair_hist(const gen *g, uint64_t pairs, uint64_t *hist, uint64_t *total, bool *exact)
{
    memset(hist, 0, (g->n + 1) * sizeof *hist);
    *total = 0;
    *exact = false;
    if (g->k <= ALL_PAIRS_MAX_K) {
        uint64_t *a = weight_distribution(g);
        if (a) {
            *exact = true;
            for (size_t w = 1; w <= g->n; w++) hist[w] = a[w] << (g->k - 1);
            *total = ((1ull << g->k) - 1) << (g->k - 1);
            free(a);
            return true;
        }
    }
    const size_t nw = (g->k + 31) / 32;
    uint64_t *x = calloc(g->words, 8);
    uint32_t *wa = calloc(nw, 4), *wb = calloc(nw, 4);
    const bool ok = x && wa && wb;
    for (uint64_t p = 0; ok && p < pairs; p++) {
        rf_philox_u32(1, 0, p * nw, nw, wa);
        rf_philox_u32(1, 1, p * nw, nw, wb);
        memset(x, 0, g->words * 8);
        for (size_t i = 0; i < g->k; i++)
            if (((wa[i / 32] ^ wb[i / 32]) >> (i % 32)) & 1) /* c(a) ^ c(b) = c(a ^ b) */
                for (size_t j = 0; j < g->words; j++) x[j] ^= g->rows[i * g->words + j];
        hist[weight(x, g->words)]++;
        (*total)++;
    }
    free(x);
    free(wa);
    free(wb);
    return ok;
}

static int code_distances(const code_opts *o)
{
    rf_codespec c;
    gen g;
    uint8_t *frozen;
    const int rc = code_setup(o, &c, &frozen, true, &g);
    free(frozen);
    if (rc != RF_EXIT_OK) return rc;
    uint64_t *hist = calloc(c.n + 1, sizeof *hist), total = 0;
    bool exact = false;
    if (!hist || !hamming_pair_hist(&g, o->pairs, hist, &total, &exact)) {
        free(hist);
        free(g.rows);
        return rf_usage_error("code: out of memory");
    }
    printf("code %s: n = %zu, k = %zu; Euclidean distances of the BPSK codebook, %s %llu pairs\n", c.text, c.n,
           c.k, exact ? "all" : "sampled", (unsigned long long)total);
    printf("%10s %12s %22s %12s\n", "hamming", "euclidean", "pairs", "fraction");
    double mean = 0;
    for (size_t w = 0; w <= c.n; w++) {
        if (!hist[w]) continue;
        printf("%10zu %12.6f %22llu %12.6e\n", w, 2 * sqrt((double)w), (unsigned long long)hist[w],
               (double)hist[w] / (double)total);
        mean += 2 * sqrt((double)w) * (double)hist[w] / (double)total;
    }
    printf("mean distance %.6f\n", mean);
    int status = RF_EXIT_OK;
    if (o->json) { /* the layout of the KO histograms below, with the distances listed */
        rf_wbuf w = {0};
        size_t wmin = 0;
        while (wmin < c.n && !hist[wmin]) wmin++;
        rf_wbuf_puts(&w, "{\"command\":\"code distances\",\"code\":");
        rf_jsonw_str(&w, c.text);
        rf_wbuf_printf(&w, ",\"n\":%zu,\"k\":%zu,\"pairs\":%llu,\"all_pairs\":%s,\"pair_messages\":\"philox(seed 1, "
                           "streams 0 and 1)\",\"codebooks\":[{\"name\":\"bpsk\",\"pairs\":%llu,\"min\":%.17g,"
                           "\"mean\":%.17g,\"hamming\":[",
                       c.n, c.k, (unsigned long long)total, exact ? "true" : "false", (unsigned long long)total,
                       2 * sqrt((double)wmin), mean);
        bool first = true;
        for (size_t x = 0; x <= c.n; x++)
            if (hist[x]) rf_wbuf_printf(&w, "%s%zu", first ? "" : ",", x), first = false;
        rf_wbuf_puts(&w, "],\"distances\":[");
        first = true;
        for (size_t x = 0; x <= c.n; x++)
            if (hist[x]) rf_wbuf_printf(&w, "%s%.17g", first ? "" : ",", 2 * sqrt((double)x)), first = false;
        rf_wbuf_puts(&w, "],\"counts\":[");
        first = true;
        for (size_t x = 0; x <= c.n; x++)
            if (hist[x]) rf_wbuf_printf(&w, "%s%llu", first ? "" : ",", (unsigned long long)hist[x]), first = false;
        rf_wbuf_puts(&w, "]}]}\n");
        char err[512];
        if (!rf_wbuf_save(&w, o->json, err, sizeof err)) status = rf_usage_error("code: %s", err);
        rf_wbuf_free(&w);
    }
    free(hist);
    free(g.rows);
    return status;
}

/* ---- KO codes: real codebooks ----------------------------------------------------------------
 * A KO code is not linear, so its distances are those of actual codeword pairs: all 2^k
 * codewords for k <= 16, else the `pairs` message pairs of hamming_pair_hist (the same messages,
 * so the three codebooks are compared on the same pairs). Beside it, as in seed figure 4.5: the
 * BPSK RM(m,2) code (hamming_pair_hist, distance 2 sqrt(w)) and a Gaussian codebook of the same
 * n and k: message M (bit j of M = message bit j) -> x = g sqrt(n) / ||g||, g = rf_gauss_f32
 * (seed S, stream 2^63 + M, 0..n-1), i.i.d. N(0,1) entries scaled to ||x||^2 = n like KO's. All
 * distances go into one histogram layout: B bins of width 2 sqrt(n) / B over [0, 2 sqrt(n)] (the
 * largest distance of two vectors of norm sqrt(n)). */

#define GAUSS_CODEBOOK_STREAM (UINT64_C(1) << 63)
#define PAIR_BATCH 1024

typedef struct dist_hist {
    size_t bins;
    double width;
    uint64_t *count, total;
    double min, max, sum, sumsq;
} dist_hist;

static bool dist_hist_init(dist_hist *h, size_t bins, size_t n)
{
    memset(h, 0, sizeof *h);
    h->bins = bins;
    h->width = 2 * sqrt((double)n) / (double)bins;
    h->min = INFINITY;
    h->max = 0;
    h->count = calloc(bins, sizeof *h->count);
    return h->count != NULL;
}

static void dist_hist_add(dist_hist *h, double d, uint64_t times)
{
    if (!times) return;
    size_t b = (size_t)(d / h->width);
    if (b >= h->bins) b = h->bins - 1; /* d = 2 sqrt(n) and rounding above it */
    h->count[b] += times;
    h->total += times;
    h->min = fmin(h->min, d);
    h->max = fmax(h->max, d);
    h->sum += d * (double)times;
    h->sumsq += d * d * (double)times;
}

/* Adds m distances given squared (float): the inner loop of all-pairs, so no per-pair doubles. */
static void dist_hist_add_sq(dist_hist *h, const float *d2, size_t m)
{
    const float inv = (float)(1 / h->width);
    float mn = INFINITY, mx = 0, sum = 0, sumsq = 0;
    for (size_t b = 0; b < m; b++) {
        const float d = sqrtf(d2[b]);
        size_t bin = (size_t)(d * inv);
        h->count[bin < h->bins ? bin : h->bins - 1]++;
        mn = d < mn ? d : mn;
        mx = d > mx ? d : mx;
        sum += d;
        sumsq += d2[b];
    }
    h->total += m;
    h->min = fmin(h->min, mn);
    h->max = fmax(h->max, mx);
    h->sum += sum;
    h->sumsq += sumsq;
}

/* acc[b] = ||a - x_b||^2 for m codewords stored transposed (coordinate i of codeword b at
 * xt[i stride + b]). */
__attribute__((noinline)) static void sq_dists(const float *restrict xt, size_t stride, const float *restrict a, size_t n, size_t m,
                     float *restrict acc)
{
    for (size_t b = 0; b < m; b++) acc[b] = 0;
    for (size_t i = 0; i < n; i++) {
        const float ai = a[i];
        const float *restrict col = xt + i * stride;
        for (size_t b = 0; b < m; b++) {
            const float d = col[b] - ai;
            acc[b] += d * d;
        }
    }
}

typedef void (*codebook_fn)(const void *ctx, const uint8_t *msg, size_t count, float *x);

static void ko_codebook(const void *ctx, const uint8_t *msg, size_t count, float *x)
{
    rf_ko_encode_f32(ctx, msg, count, x);
}

typedef struct gauss_ctx {
    size_t n, k;
    uint64_t seed;
} gauss_ctx;

static void gauss_codebook(const void *ctx, const uint8_t *msg, size_t count, float *x)
{
    const gauss_ctx *g = ctx;
    for (size_t f = 0; f < count; f++) {
        uint64_t m = 0;
        for (size_t j = 0; j < g->k; j++) m |= (uint64_t)(msg[f * g->k + j] & 1) << j;
        float *row = x + f * g->n;
        rf_gauss_f32(g->seed, GAUSS_CODEBOOK_STREAM + m, 0, g->n, row);
        double e = 0;
        for (size_t i = 0; i < g->n; i++) e += (double)row[i] * row[i];
        const float scale = (float)(sqrt((double)g->n) / fmax(sqrt(e), 1e-300));
        for (size_t i = 0; i < g->n; i++) row[i] *= scale;
    }
}

static double euclid(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)a[i] - b[i];
        s += d * d;
    }
    return sqrt(s);
}

/* Distances of a real codebook into h (see above). Returns false when memory runs out. */
static bool real_pair_hist(codebook_fn enc, const void *ctx, size_t n, size_t k, uint64_t pairs, dist_hist *h)
{
    if (k <= ALL_PAIRS_MAX_K) {
        /* 2^31 pairs at k = 16: the codebook is stored transposed (xt[i count + b]) so that the
         * squared distances of codeword a to every b > a are one vectorisable sweep per
         * coordinate (float: 2^-24 relative per term, far below a bin) */
        const size_t count = (size_t)1 << k;
        uint8_t *msg = malloc(count * k);
        float *x = malloc(count * n * sizeof *x), *xt = malloc(count * n * sizeof *xt);
        float *d2 = malloc(count * sizeof *d2);
        const bool ok = msg && x && xt && d2;
        if (ok) {
            for (size_t i = 0; i < count; i++)
                for (size_t j = 0; j < k; j++) msg[i * k + j] = (uint8_t)((i >> j) & 1);
            enc(ctx, msg, count, x);
            for (size_t b = 0; b < count; b++)
                for (size_t i = 0; i < n; i++) xt[i * count + b] = x[b * n + i];
        }
        for (size_t a = 0; ok && a + 1 < count; a++) {
            for (size_t b0 = a + 1; b0 < count; b0 += PAIR_BATCH) { /* acc stays in L1 */
                const size_t m = count - b0 < PAIR_BATCH ? count - b0 : PAIR_BATCH;
                sq_dists(xt + b0, count, x + a * n, n, m, d2);
                dist_hist_add_sq(h, d2, m);
            }
        }
        free(msg);
        free(x);
        free(xt);
        free(d2);
        return ok;
    }
    const size_t nw = (k + 31) / 32;
    uint8_t *ma = malloc(PAIR_BATCH * k), *mb = malloc(PAIR_BATCH * k);
    float *xa = malloc(PAIR_BATCH * n * sizeof *xa), *xb = malloc(PAIR_BATCH * n * sizeof *xb);
    uint32_t *wa = calloc(nw, 4), *wb = calloc(nw, 4);
    const bool ok = ma && mb && xa && xb && wa && wb;
    for (uint64_t p0 = 0; ok && p0 < pairs; p0 += PAIR_BATCH) {
        const size_t cnt = (size_t)(pairs - p0 < PAIR_BATCH ? pairs - p0 : PAIR_BATCH);
        for (size_t q = 0; q < cnt; q++) { /* the messages of hamming_pair_hist's pair p0 + q */
            rf_philox_u32(1, 0, (p0 + q) * nw, nw, wa);
            rf_philox_u32(1, 1, (p0 + q) * nw, nw, wb);
            for (size_t j = 0; j < k; j++) {
                ma[q * k + j] = (uint8_t)((wa[j / 32] >> (j % 32)) & 1);
                mb[q * k + j] = (uint8_t)((wb[j / 32] >> (j % 32)) & 1);
            }
        }
        enc(ctx, ma, cnt, xa);
        enc(ctx, mb, cnt, xb);
        for (size_t q = 0; q < cnt; q++) dist_hist_add(h, euclid(xa + q * n, xb + q * n, n), 1);
    }
    free(ma);
    free(mb);
    free(xa);
    free(xb);
    free(wa);
    free(wb);
    return ok;
}

/* The three histograms of KO code c: [0] KO, [1] BPSK RM(m,2), [2] Gaussian. */
static bool ko_histograms(const rf_codespec *c, uint64_t pairs, size_t bins, uint64_t seed, dist_hist h[3],
                          bool *exact)
{
    for (int i = 0; i < 3; i++) h[i].count = NULL;
    bool ok = dist_hist_init(&h[0], bins, c->n) && dist_hist_init(&h[1], bins, c->n) &&
              dist_hist_init(&h[2], bins, c->n);
    ok = ok && real_pair_hist(ko_codebook, c->ko, c->n, c->k, pairs, &h[0]);
    rf_codespec rm = {RF_CODE_RM, c->m, 2, c->n, c->k, "", NULL, NULL, NULL};
    gen g = {0};
    char err[256];
    uint64_t *hw = calloc(c->n + 1, sizeof *hw), total = 0;
    ok = ok && hw && build_generator(&rm, NULL, &g, err, sizeof err) && hamming_pair_hist(&g, pairs, hw, &total, exact);
    for (size_t w = 0; ok && w <= c->n; w++) dist_hist_add(&h[1], 2 * sqrt((double)w), hw[w]);
    free(hw);
    free(g.rows);
    const gauss_ctx gc = {c->n, c->k, seed};
    ok = ok && real_pair_hist(gauss_codebook, &gc, c->n, c->k, pairs, &h[2]);
    if (!ok)
        for (int i = 0; i < 3; i++) free(h[i].count);
    return ok;
}

static int ko_distances(const code_opts *o, const rf_codespec *c)
{
    dist_hist h[3];
    bool exact = false;
    if (!ko_histograms(c, o->pairs, (size_t)o->bins, o->seed, h, &exact)) return rf_usage_error("code: out of memory");
    static const char *const names[3] = {"ko", "rm_bpsk", "gaussian"};
    char rmname[32];
    snprintf(rmname, sizeof rmname, "RM(%u,2)", c->m);
    printf("code %s (weights %s): n = %zu, k = %zu; Euclidean distances, %s %llu pairs, next to BPSK %s and a\n"
           "Gaussian codebook (seed %llu, ||x||^2 = n); %zu bins of width %.6g over [0, 2 sqrt(n)]\n",
           c->text, c->path, c->n, c->k, exact ? "all" : "sampled", (unsigned long long)h[0].total, rmname,
           o->seed, h[0].bins, h[0].width);
    printf("%10s %10s %14s %14s %14s\n", "bin lo", "bin hi", "KO", rmname, "Gaussian");
    for (size_t b = 0; b < h[0].bins; b++) {
        if (!h[0].count[b] && !h[1].count[b] && !h[2].count[b]) continue;
        printf("%10.4f %10.4f", (double)b * h[0].width, (double)(b + 1) * h[0].width);
        for (int i = 0; i < 3; i++) printf(" %14.6e", (double)h[i].count[b] / (double)h[i].total);
        printf("\n");
    }
    for (int i = 0; i < 3; i++) {
        const double mean = h[i].sum / (double)h[i].total;
        const double sd = sqrt(fmax(0, h[i].sumsq / (double)h[i].total - mean * mean));
        printf("%-9s min %.6f  mean %.6f  sd %.6f  max %.6f\n", i == 1 ? rmname : i ? "Gaussian" : "KO", h[i].min,
               mean, sd, h[i].max);
    }
    int rc = RF_EXIT_OK;
    if (o->json) {
        rf_wbuf w = {0};
        rf_wbuf_puts(&w, "{\"command\":\"code distances\",\"code\":");
        rf_jsonw_str(&w, c->text);
        rf_wbuf_puts(&w, ",\"weights\":");
        rf_jsonw_str(&w, c->path);
        rf_wbuf_printf(&w, ",\"n\":%zu,\"k\":%zu,\"pairs\":%llu,\"all_pairs\":%s,\"gaussian_seed\":%llu,"
                           "\"pair_messages\":\"philox(seed 1, streams 0 and 1)\",\"bins\":{\"count\":%zu,\"lo\":0,"
                           "\"width\":%.17g},\"codebooks\":[",
                       c->n, c->k, (unsigned long long)h[0].total, exact ? "true" : "false", o->seed, h[0].bins,
                       h[0].width);
        for (int i = 0; i < 3; i++) {
            const double mean = h[i].sum / (double)h[i].total;
            rf_wbuf_puts(&w, i ? ",{\"name\":" : "{\"name\":");
            rf_jsonw_str(&w, names[i]);
            rf_wbuf_printf(&w, ",\"pairs\":%llu,\"min\":%.17g,\"mean\":%.17g,\"sd\":%.17g,\"max\":%.17g,\"counts\":[",
                           (unsigned long long)h[i].total, h[i].min, mean,
                           sqrt(fmax(0, h[i].sumsq / (double)h[i].total - mean * mean)), h[i].max);
            for (size_t b = 0; b < h[i].bins; b++)
                rf_wbuf_printf(&w, "%s%llu", b ? "," : "", (unsigned long long)h[i].count[b]);
            rf_wbuf_puts(&w, "]}");
        }
        rf_wbuf_puts(&w, "]}\n");
        char err[512];
        if (!rf_wbuf_save(&w, o->json, err, sizeof err)) rc = rf_usage_error("code: %s", err);
        rf_wbuf_free(&w);
    }
    for (int i = 0; i < 3; i++) free(h[i].count);
    return rc;
}

/* code info for a KO code: the model, the unit-energy check and the Euclidean minimum distance
 * (all pairs for k <= 16, else of the sampled pairs) next to BPSK RM(m,2)'s 2 sqrt(2^(m-2)). */
static int ko_info(const code_opts *o, const rf_codespec *c)
{
    const rf_ko_model *mdl = c->ko;
    uint64_t hi = 0, lo = 0;
    rf_ko_model_hash(mdl, &hi, &lo);
    printf("code %s: KO(%u,2) from %s: n = %zu, k = %zu, rate = %.6g, architecture %s (hidden %u, %u hidden "
           "layers), %zu tensors, %zu floats, XXH3-128 %016llx%016llx\n",
           c->text, c->m, c->path, c->n, c->k, (double)c->k / (double)c->n, rf_ko_arch_name(mdl->arch), mdl->hidden,
           mdl->hidden_layers, mdl->ntensors, mdl->nfloats, (unsigned long long)hi, (unsigned long long)lo);
    dist_hist h[3];
    bool exact = false;
    if (!ko_histograms(c, o->pairs, (size_t)o->bins, o->seed, h, &exact)) return rf_usage_error("code: out of memory");
    printf("minimum Euclidean distance (%s %llu pairs): KO %.6f, BPSK RM(%u,2) %.6f (its true minimum: "
           "2 sqrt(d) = %.6f, d = %llu), Gaussian %.6f\n",
           exact ? "all" : "sampled", (unsigned long long)h[0].total, h[0].min, c->m, h[1].min,
           2 * sqrt((double)(1ull << (c->m - 2))), 1ull << (c->m - 2), h[2].min);
    for (int i = 0; i < 3; i++) free(h[i].count);
    return RF_EXIT_OK;
}


/* What applies to every code before the action runs. */
static int check_opts(const code_opts *o)
{
    if (o->design && !strcmp(o->design, "adaptive"))
        return rf_usage_error("code: --design-sigma adaptive has no meaning here: give a sigma");
    char err[512];
    if (o->json && !rf_check_writable(o->json, err, sizeof err)) return rf_usage_error("code: %s", err);
    if (strncmp(o->code, "ko:", 3) != 0) {
        if (o->have_bins || o->have_seed)
            return rf_usage_error("code: --bins and --seed apply to KO codes (ko:FILE.kow) only");
    } else if (o->construction || o->design) {
        return rf_usage_error("code: --construction and --design-sigma apply to polar codes only");
    }
    return RF_EXIT_OK;
}

/* Runs a KO code's action on the loaded weights. */
static int with_ko(const code_opts *o, int (*action)(const code_opts *, const rf_codespec *))
{
    rf_codespec c;
    char err[512];
    if (!rf_codespec_parse(o->code, &c, err, sizeof err)) return rf_usage_error("code: %s", err);
    if (c.kop) { /* its codebook is real but not a Plotkin image of RM(m,2): no reference histogram */
        rf_codespec_free(&c);
        return rf_usage_error("code: %s is a KO Polar(64,7) model (polar_64_7): refast code handles KO(m,2) weights "
                              "only; use refast ko info / refast sim", o->code + 3);
    }
    const int rc = action(o, &c);
    rf_codespec_free(&c);
    return rc;
}

static int run_info(const void *opts)
{
    const code_opts *o = opts;
    const int rc = check_opts(o);
    if (rc) return rc;
    return strncmp(o->code, "ko:", 3) != 0 ? code_info(o) : with_ko(o, ko_info);
}

static int run_distances(const void *opts)
{
    const code_opts *o = opts;
    const int rc = check_opts(o);
    if (rc) return rc;
    return strncmp(o->code, "ko:", 3) != 0 ? code_distances(o) : with_ko(o, ko_distances);
}

#define CODE_ROWS                                                                                           \
    {"CODE", RF_OPT_ARG, offsetof(code_opts, code), NULL,                                                   \
     .help = "rm:M:R, polar:N:K or ko:FILE.kow (weights from refast ko)", .flags = RF_OPT_REQUIRED},         \
    {"--construction", RF_OPT_STR, offsetof(code_opts, construction), "ga|bhattacharyya|rm|file:F",          \
     .help = "polar codes: the frozen set (default ga)"},                                                   \
    {"--design-sigma", RF_OPT_STR, offsetof(code_opts, design), "S",                                        \
     .help = "polar codes: the sigma the construction is designed at (default 1)"},                         \
    {"--pairs", RF_OPT_U64, offsetof(code_opts, pairs), "P", .help = "message pairs sampled when k > 16",    \
     .def = "100000", .min = 1, .max = 4294967296.0},                                                       \
    {"--bins", RF_OPT_U64, offsetof(code_opts, bins), "B", .help = "KO codes: histogram bins over [0, 2 sqrt(n)]", \
     .def = "128", .min = 1, .max = 100000, .given = RF_GIVEN(code_opts, have_bins)},                       \
    {"--seed", RF_OPT_U64, offsetof(code_opts, seed), "S", .help = "KO codes: seed of the Gaussian codebook",  \
     .def = "1", .given = RF_GIVEN(code_opts, have_seed)}

_Static_assert(ENUM_MAX_K == 24 && ALL_PAIRS_MAX_K == 16, "update the code help");

static const rf_opt info_opts_table[] = {CODE_ROWS, {0}};

static const rf_opt distances_opts_table[] = {
    CODE_ROWS,
    {"--json", RF_OPT_FILE, offsetof(code_opts, json), "FILE",
     .help = "write the histogram(s) as JSON to FILE (refast report --distances\nplots them)"},
    {0},
};

static const rf_command code_info_cmd = {
    .name = "info",
    .summary = "n, k, rate, minimum distance and the weight distribution",
    .about = "n, k, rate, minimum distance d and the weight distribution A_w (enumerated for k <= 24\n"
             "when 2^k x n/64 <= 2^31; RM(m,1) gives 0 once, 2^(m-1) 2^(m+1)-2 times, 2^m once).\n"
             "KO codes: the model and the minimum Euclidean distances of the KO codebook, BPSK RM(m,2)\n"
             "and a Gaussian codebook of the same n, k on the same pairs (see refast code distances).",
    .opts = info_opts_table,
    .size = sizeof(code_opts),
    .run = run_info,
};

static const rf_command code_distances_cmd = {
    .name = "distances",
    .summary = "histogram of the Euclidean distances of the codebook",
    .about = "Histogram of the Euclidean distances 2 sqrt(w) between the BPSK images of codeword pairs:\n"
             "all pairs for k <= 16 (exactly 2^(k-1) A_w pairs at Hamming distance w), P sampled pairs of\n"
             "random messages above.\n"
             "KO codes: the KO codebook's Euclidean distances (all pairs for k <= 16, else P sampled\n"
             "message pairs), beside BPSK RM(m,2) and a Gaussian codebook of the same n, k (i.i.d.\n"
             "N(0,1) scaled to ||x||^2 = n, seed S) on the same pairs, as histograms over B bins of\n"
             "[0, 2 sqrt(n)].",
    .opts = distances_opts_table,
    .size = sizeof(code_opts),
    .run = run_distances,
};

static const rf_command *const code_subs[] = {&code_info_cmd, &code_distances_cmd, NULL};

const rf_command rf_cmd_code = {
    .name = "code",
    .summary = "code properties: n, k, d, weight distribution, distance histogram",
    .subs = code_subs,
};
