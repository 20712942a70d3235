/* refast code: parameters, weight distribution and codebook distance histogram of an RM or polar
 * code (SPEC §5.1 "Metrics and simulation").
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "codespec.h"
#include "refast/codes.h"
#include "refast/rng.h"

#define ENUM_MAX_K 24
#define ENUM_MAX_WORK ((uint64_t)1 << 31) /* codewords x words */
#define GEN_MAX_BYTES ((size_t)256 << 20)
#define ALL_PAIRS_MAX_K 16

static void code_help(void)
{
    printf("usage: refast code info rm:M:R|polar:N:K [--construction C] [--design-sigma S]\n"
           "       refast code distances rm:M:R|polar:N:K [--pairs P] [--construction C] [--design-sigma S]\n"
           "info: n, k, rate, minimum distance d and the weight distribution A_w (enumerated for\n"
           "k <= %d when 2^k x n/64 <= 2^31; RM(m,1) gives 0 once, 2^(m-1) 2^(m+1)-2 times, 2^m once).\n"
           "distances: histogram of the Euclidean distances 2 sqrt(w) between the BPSK images of\n"
           "codeword pairs: all pairs for k <= 16 (exactly 2^(k-1) A_w pairs at Hamming distance w),\n"
           "P sampled pairs of random messages above (default P = 100000).\n"
           "Polar codes: frozen set from --construction ga|bhattacharyya|rm|file:F (default ga) at\n"
           "--design-sigma S (default 1).\n",
           ENUM_MAX_K);
}

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
    if (c->k > GEN_MAX_BYTES / 8 / g->words) {
        snprintf(err, errlen, "%s: the generator matrix (%zu x %zu bits) is too large", c->text, c->k, c->n);
        return false;
    }
    g->rows = calloc(c->k * g->words, 8);
    uint8_t *msg = calloc(c->k, 1), *cw = calloc(c->n, 1);
    if (!g->rows || !msg || !cw) {
        free(g->rows);
        free(msg);
        free(cw);
        snprintf(err, errlen, "out of memory");
        return false;
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
    const char *action, *code, *construction, *design;
    unsigned long long pairs;
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

static int code_distances(const code_opts *o)
{
    rf_codespec c;
    gen g;
    uint8_t *frozen;
    const int rc = code_setup(o, &c, &frozen, true, &g);
    free(frozen);
    if (rc != RF_EXIT_OK) return rc;
    uint64_t *hist = calloc(c.n + 1, sizeof *hist);
    uint64_t *x = calloc(g.words, 8);
    uint32_t *wa = calloc((c.k + 31) / 32, 4), *wb = calloc((c.k + 31) / 32, 4);
    if (!hist || !x || !wa || !wb) {
        free(hist);
        free(x);
        free(wa);
        free(wb);
        free(g.rows);
        return rf_usage_error("code: out of memory");
    }
    uint64_t total = 0;
    bool exact = false;
    if (c.k <= ALL_PAIRS_MAX_K) {
        uint64_t *a = weight_distribution(&g);
        if (a) {
            exact = true;
            for (size_t w = 1; w <= c.n; w++) hist[w] = a[w] << (c.k - 1);
            total = ((1ull << c.k) - 1) << (c.k - 1);
            free(a);
        }
    }
    if (!exact) {
        const size_t nw = (c.k + 31) / 32;
        for (uint64_t p = 0; p < o->pairs; p++) {
            /* pair p: messages from words [p nw, (p+1) nw) of streams 0 and 1 (seed 1) */
            rf_philox_u32(1, 0, p * nw, nw, wa);
            rf_philox_u32(1, 1, p * nw, nw, wb);
            memset(x, 0, g.words * 8);
            for (size_t i = 0; i < c.k; i++)
                if (((wa[i / 32] ^ wb[i / 32]) >> (i % 32)) & 1) /* c(a) ^ c(b) = c(a ^ b) */
                    for (size_t j = 0; j < g.words; j++) x[j] ^= g.rows[i * g.words + j];
            hist[weight(x, g.words)]++;
            total++;
        }
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
    free(hist);
    free(x);
    free(wa);
    free(wb);
    free(g.rows);
    return RF_EXIT_OK;
}

int cmd_code(int argc, char **argv)
{
    code_opts o = {0};
    o.pairs = 100000;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            code_help();
            return RF_EXIT_OK;
        } else if (rf_opt(argc, argv, &i, "--pairs", &v)) {
            if (!v || !rf_parse_u64(v, &o.pairs) || o.pairs < 1 || o.pairs > (1ull << 32))
                return rf_usage_error("code: --pairs needs an integer in [1, 2^32]");
        } else if (rf_opt(argc, argv, &i, "--construction", &v)) {
            if (!v) return rf_usage_error("code: --construction needs ga, bhattacharyya, rm or file:F");
            o.construction = v;
        } else if (rf_opt(argc, argv, &i, "--design-sigma", &v)) {
            if (!v) return rf_usage_error("code: --design-sigma needs a sigma");
            o.design = v;
        } else if (argv[i][0] == '-') {
            return rf_usage_error("code: unknown option '%s' (see refast code --help)", argv[i]);
        } else if (!o.action) {
            o.action = argv[i];
        } else if (!o.code) {
            o.code = argv[i];
        } else {
            return rf_usage_error("code: unexpected argument '%s' (see refast code --help)", argv[i]);
        }
    }
    if (!o.action) return rf_usage_error("code: expected 'info' or 'distances' (see refast code --help)");
    if (strcmp(o.action, "info") != 0 && strcmp(o.action, "distances") != 0)
        return rf_usage_error("code: unknown action '%s' (expected info or distances)", o.action);
    if (!o.code) return rf_usage_error("code: %s needs a code (rm:M:R or polar:N:K)", o.action);
    if (o.design && !strcmp(o.design, "adaptive"))
        return rf_usage_error("code: --design-sigma adaptive has no meaning here: give a sigma");
    return !strcmp(o.action, "info") ? code_info(&o) : code_distances(&o);
}
