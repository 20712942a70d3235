/* Registry entries of the polar family: polar_sc and polar_scl (ref + every level).
 *
 * Case parameters: code = p64_7 (the seed's Polar(64,7), info {47,55,59,60,61,62,63}) | p128_96
 * (Polar(128,96), information set from the Gaussian approximation of SPEC §5.1 at design sigma 0.5,
 * stored below as an explicit list, computed once by an independent script that follows the SPEC
 * formulas: phi(2 - phi) for 1 - (1 - phi)^2, ties to the larger index; tests/test_polar.c checks
 * it equals rf_polar_construct_ga(7, 96, 0.5)) | rm (the `rm` rule
 * popcount(i) >= m - r, with m and r) | bhat (Bhattacharyya: z -> 2z - z^2 for the first-decoded
 * child and z^2 for the second, z = exp(-1/(2 sigma^2)) at the channel, the K smallest z carry
 * information, ties to the larger index; with log2n, K, design), f = exact (default) | minsum,
 * list (SCL), frames, sigma, seed, input = awgn (random message, polar encoding, BPSK,
 * L = 2y/sigma^2, y = s + sigma z with z Box-Muller in double from rf_gen_uniform) | specials
 * (LLRs drawn from {+-0, +-1, +-2, +-3, +-inf, NaN}: every operation of minsum is exact on them,
 * so those cases carry tol=exact and check the zero, infinity and NaN rules bit for bit).
 *
 * Oracle: oracle/polar.c, long double, leaf LLRs rebuilt from the prefix. Class `decision`, per
 * frame (tau = 8 ceil(log2 N) + 8 from terms = N):
 *   SC   tie = min |L| over the oracle's information leaves: a leaf decision flips only if an
 *        implementation's leaf LLR crosses 0. scale = sum|l| + (f == exact ? N : 0): under
 *        minsum/g a leaf LLR is a signed sum of channel LLRs, each rounding adds at most
 *        u |partial sum|, and the partial sums of one level cover disjoint channel sets, so
 *        the error is <= log2(N) u sum|l|; f and g have partial derivatives of modulus <= 1, so
 *        local errors are not amplified; the exact f adds an absolute error of a few u (log1p of
 *        a value in (0, 1]) at each of the < N nodes feeding a leaf: the N term.
 *   SCL  tie = smallest gap at a selection boundary (last kept vs first pruned candidate) or
 *        between the best and the second-best final path; scale = N (sum|l| + (exact ? N : 0))
 *        + N Mmax: a path metric adds up to N leaf penalties, each with the SC error above, and
 *        its own N roundings of at most u Mmax (Mmax the largest metric compared).
 * Frames with non-finite LLRs use the same margins (inf - inf and NaN decide by the rules of
 * ref/polar_sc.c, identically in long double).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "common.h"
#include "codes/construct.h"
#include "refast/decoders.h"

#define MAX_LOG2N 16
#define ORACLE_MAX_LOG2N 12 /* O(N^2 log N) oracle */

/* ---- codes ------------------------------------------------------------------------------------ */

static const uint8_t info_64_7[] = {47, 55, 59, 60, 61, 62, 63};
/* GA at design sigma 0.5 (see the header). */
static const uint8_t info_128_96[] = {
    15,  21,  22,  23,  25,  26,  27,  28,  29,  30,  31,  35,  37,  38,  39,  41,  42,  43,  44,  45,
    46,  47,  49,  50,  51,  52,  53,  54,  55,  56,  57,  58,  59,  60,  61,  62,  63,  67,  69,  70,
    71,  73,  74,  75,  76,  77,  78,  79,  80,  81,  82,  83,  84,  85,  86,  87,  88,  89,  90,  91,
    92,  93,  94,  95,  96,  97,  98,  99,  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127};

static void mask_from_list(size_t n, const uint8_t *info, size_t k, uint8_t *frozen)
{
    memset(frozen, 1, n);
    for (size_t j = 0; j < k; j++) frozen[info[j]] = 0;
}

typedef struct zi {
    double z;
    size_t i;
} zi;

/* Most reliable first: smaller z, then the larger index. */
static int zi_cmp(const void *a, const void *b)
{
    const zi *x = a, *y = b;
    if (x->z != y->z) return x->z < y->z ? -1 : 1;
    return x->i > y->i ? -1 : x->i < y->i;
}

static int bhat_mask(unsigned log2n, size_t K, double sigma, uint8_t *frozen)
{
    const size_t n = (size_t)1 << log2n;
    zi *v = malloc(n * sizeof *v);
    if (!v) return -1;
    for (size_t i = 0; i < n; i++) {
        double z = exp(-1.0 / (2.0 * sigma * sigma));
        for (unsigned b = log2n; b-- > 0;) z = (i >> b) & 1 ? z * z : 2.0 * z - z * z;
        v[i].z = z;
        v[i].i = i;
    }
    qsort(v, n, sizeof *v, zi_cmp);
    memset(frozen, 1, n);
    for (size_t j = 0; j < K; j++) frozen[v[j].i] = 0;
    free(v);
    return 0;
}

/* Builds in.frozen from the code parameters; returns log2n, or -1 with err set. */
static int make_mask(rf_case *c, uint8_t **frozen_out, char *err, size_t errlen)
{
    char code[32] = "";
    rf_param_str(c->params, "code", code, sizeof code);
    uint64_t log2n, m, r, K;
    double design = 0.5;
    if (strcmp(code, "p64_7") == 0) {
        log2n = 6;
    } else if (strcmp(code, "p128_96") == 0) {
        log2n = 7;
    } else if (strcmp(code, "rm") == 0) {
        if (!rf_need_u64(c, "m", 0, ORACLE_MAX_LOG2N, &m, err, errlen)) return -1;
        if (!rf_need_u64(c, "r", 0, m, &r, err, errlen)) return -1;
        log2n = m;
    } else if (strcmp(code, "bhat") == 0) {
        if (!rf_need_u64(c, "log2n", 0, MAX_LOG2N, &log2n, err, errlen)) return -1;
        if (!rf_need_u64(c, "K", 0, (uint64_t)1 << log2n, &K, err, errlen)) return -1;
        char buf[64];
        if (rf_param_str(c->params, "design", buf, sizeof buf) && !rf_param_f64(c->params, "design", &design))
            return rf_run_error(err, errlen, "parameter design='%s' is not a number", buf);
        if (!(design > 0.0) || !isfinite(design))
            return rf_run_error(err, errlen, "parameter design=%g must be positive", design);
    } else {
        return rf_run_error(err, errlen, "parameter code='%s' is not p64_7, p128_96, rm or bhat", code);
    }
    const size_t n = (size_t)1 << log2n;
    uint8_t *frozen = rf_case_add1(c, "in.frozen", RF_DT_U8, n);
    if (!frozen) return rf_run_error(err, errlen, "out of memory");
    if (strcmp(code, "p64_7") == 0) {
        mask_from_list(n, info_64_7, sizeof info_64_7, frozen);
    } else if (strcmp(code, "p128_96") == 0) {
        mask_from_list(n, info_128_96, sizeof info_128_96, frozen);
    } else if (strcmp(code, "rm") == 0) {
        for (size_t i = 0; i < n; i++) frozen[i] = __builtin_popcountll(i) < (int)(m - r);
    } else if (bhat_mask((unsigned)log2n, (size_t)K, design, frozen)) {
        return rf_run_error(err, errlen, "out of memory");
    }
    *frozen_out = frozen;
    return (int)log2n;
}

/* x = u F^{(x)log2n} by butterflies: the Plotkin step (x_a XOR x_b, x_b) at every scale. */
static void encode_u(unsigned log2n, uint8_t *x)
{
    const size_t n = (size_t)1 << log2n;
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t i = b; i < b + h; i++) x[i] ^= x[i + h];
}

/* Frame f of the awgn input: random message on the information positions, encoded, BPSK, AWGN. */
static void awgn_frame(unsigned log2n, const uint8_t *frozen, double sigma, uint64_t seed, uint64_t f,
                       uint8_t *x, float *llr)
{
    const size_t n = (size_t)1 << log2n;
    for (size_t i = 0; i < n; i++) x[i] = frozen[i] ? 0 : rf_gen_word(seed, 0, f * n + i) & 1;
    encode_u(log2n, x);
    for (size_t i = 0; i < n; i++) {
        double y = (x[i] ? -1.0 : 1.0) + sigma * rf_gen_normal(seed, 1, f * n + i);
        llr[i] = (float)(2.0 * y / (sigma * sigma));
    }
}

static int polar_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    uint64_t frames, seed = 1;
    double sigma = 1.0;
    char input[32] = "awgn", buf[64];
    uint8_t *frozen = NULL;
    const int log2n = make_mask(c, &frozen, err, errlen);
    if (log2n < 0) return -1;
    if (!rf_need_u64(c, "frames", 1, 1u << 16, &frames, err, errlen)) return -1;
    if (rf_param_str(c->params, "sigma", buf, sizeof buf) && !rf_param_f64(c->params, "sigma", &sigma))
        return rf_run_error(err, errlen, "parameter sigma='%s' is not a number", buf);
    if (!(sigma > 0.0) || !isfinite(sigma))
        return rf_run_error(err, errlen, "parameter sigma=%g must be positive and finite", sigma);
    rf_param_u64(c->params, "seed", &seed);
    rf_param_str(c->params, "input", input, sizeof input);
    const size_t n = (size_t)1 << log2n;
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    uint8_t *x = malloc(n);
    if (!llr || !x) {
        free(x);
        return rf_run_error(err, errlen, "out of memory");
    }
    static const float specials[] = {0.0f, -0.0f, 1.0f, -1.0f, 2.0f, -2.0f, 3.0f, -3.0f,
                                     INFINITY, -INFINITY, NAN};
    for (uint64_t f = 0; f < frames; f++) {
        if (strcmp(input, "awgn") == 0) {
            awgn_frame((unsigned)log2n, frozen, sigma, seed, f, x, llr + f * n);
        } else if (strcmp(input, "specials") == 0) {
            for (size_t i = 0; i < n; i++) {
                uint32_t w = rf_gen_word(seed, 2, f * n + i) % 64;
                /* mostly small integers, a few infinities and NaNs */
                llr[f * n + i] = specials[w < 56 ? w % 8 : w < 62 ? 8 + (w & 1) : 10];
            }
        } else {
            free(x);
            return rf_run_error(err, errlen, "unknown input kind '%s' (awgn, specials)", input);
        }
    }
    free(x);
    return 0;
}

/* ---- oracle and run --------------------------------------------------------------------------- */

typedef struct geom {
    unsigned log2n;
    size_t n, k, frames;
    const uint8_t *frozen;
    const float *llr;
    int f;
    unsigned list;
} geom;

static int read_geom(const rf_case *c, int need_list, geom *g, char *err, size_t errlen)
{
    const rf_array *fz = rf_case_find(c, "in.frozen"), *l = rf_case_find(c, "in.llr");
    if (!fz || fz->dtype != RF_DT_U8 || !l || l->dtype != RF_DT_F32 || l->ndim != 2)
        return rf_run_error(err, errlen, "case needs in.frozen (u8) and a 2-d in.llr (f32)");
    g->n = (size_t)fz->count;
    g->log2n = rf_ceil_log2(g->n);
    if (((size_t)1 << g->log2n) != g->n || g->log2n > MAX_LOG2N || l->shape[1] != g->n)
        return rf_run_error(err, errlen, "in.frozen must have N = 2^m <= 2^%d entries, the row length of in.llr",
                            MAX_LOG2N);
    g->frozen = fz->data;
    g->llr = l->data;
    g->frames = (size_t)l->shape[0];
    g->k = 0;
    for (size_t i = 0; i < g->n; i++) g->k += !g->frozen[i];
    char fs[16] = "exact";
    rf_param_str(c->params, "f", fs, sizeof fs);
    if (strcmp(fs, "exact") == 0) g->f = RF_F_EXACT;
    else if (strcmp(fs, "minsum") == 0) g->f = RF_F_MINSUM;
    else return rf_run_error(err, errlen, "parameter f='%s' is not exact or minsum", fs);
    g->list = 1;
    if (need_list) {
        uint64_t list;
        if (!rf_need_u64(c, "list", 1, RF_SCL_MAX_L, &list, err, errlen)) return -1;
        g->list = (unsigned)list;
    }
    return 0;
}

static int oracle_common(rf_case *c, int scl, char *err, size_t errlen)
{
    geom g = {0};
    if (read_geom(c, scl, &g, err, errlen)) return -1;
    if (g.log2n > ORACLE_MAX_LOG2N)
        return rf_run_error(err, errlen, "the oracle handles N <= 2^%d", ORACLE_MAX_LOG2N);
    uint8_t *want = rf_case_add2(c, "want.msg", RF_DT_U8, g.frames, g.k);
    double *tie = rf_case_add1(c, "tie.msg", RF_DT_F64, g.frames);
    double *scale = rf_case_add1(c, "scale.msg", RF_DT_F64, g.frames);
    if (!want || !tie || !scale) return rf_run_error(err, errlen, "out of memory");
    const double extra = g.f == RF_F_EXACT ? (double)g.n : 0.0;
    for (size_t f = 0; f < g.frames; f++) {
        const float *l = g.llr + f * g.n;
        long double abs_sum = 0;
        for (size_t i = 0; i < g.n; i++)
            if (isfinite(l[i])) abs_sum += fabsl((long double)l[i]);
        if (!scl) {
            long double margin = ora_polar_sc(g.log2n, g.frozen, g.f, l, want + f * g.k);
            if (isnan(margin)) return rf_run_error(err, errlen, "out of memory");
            tie[f] = (double)margin;
            scale[f] = (double)abs_sum + extra;
        } else {
            long double margin, mmax;
            if (ora_polar_scl(g.log2n, g.frozen, g.list, g.f, l, want + f * g.k, &margin, &mmax))
                return rf_run_error(err, errlen, "out of memory");
            tie[f] = (double)margin;
            scale[f] = (double)g.n * ((double)abs_sum + extra) + (double)g.n * (double)mmax;
        }
    }
    rf_case_set_param(c, "terms", "%zu", g.n);
    return 0;
}

static int sc_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return oracle_common(c, 0, err, errlen);
}

static int scl_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    return oracle_common(c, 1, err, errlen);
}

static int sc_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    geom g = {0};
    if (read_geom(c, 0, &g, err, errlen)) return -1;
    uint8_t *msg = rf_case_add2(out, "msg", RF_DT_U8, g.frames, g.k);
    if (!msg) return rf_run_error(err, errlen, "out of memory");
    ((rf_polar_sc_fn)im->fn)(g.log2n, g.frozen, g.f, g.llr, g.frames, msg);
    return 0;
}

static int scl_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen)
{
    geom g = {0};
    if (read_geom(c, 1, &g, err, errlen)) return -1;
    uint8_t *msg = rf_case_add2(out, "msg", RF_DT_U8, g.frames, g.k);
    if (!msg) return rf_run_error(err, errlen, "out of memory");
    ((rf_polar_scl_fn)im->fn)(g.log2n, g.frozen, g.list, g.f, g.llr, g.frames, msg);
    return 0;
}

/* ---- benchmarks ------------------------------------------------------------------------------- */

typedef struct pb {
    rf_case c;
    geom g;
    uint8_t *msg;
} pb;

static void pb_free(void *state)
{
    pb *b = state;
    if (!b) return;
    rf_case_free(&b->c);
    rf_free(b->msg);
    free(b);
}

/* AWGN at the case's sigma; the decoders' cost hardly depends on the data (SCL's forks do not
 * depend on it at all once the list is full). */
static void *pb_setup(const char *params, rf_work *work)
{
    pb *b = calloc(1, sizeof *b);
    char err[256];
    if (!b) return NULL;
    rf_case_init(&b->c, "polar", "bench", params);
    if (polar_make_inputs(NULL, &b->c, err, sizeof err) ||
        read_geom(&b->c, strstr(params, "list=") != NULL, &b->g, err, sizeof err)) {
        pb_free(b);
        return NULL;
    }
    b->msg = rf_alloc(b->g.frames * (b->g.k ? b->g.k : 1));
    if (!b->msg) {
        pb_free(b);
        return NULL;
    }
    work->items = (double)b->g.frames;
    work->item_unit = "frames";
    work->flops = (double)b->g.frames * (double)b->g.n * b->g.log2n * b->g.list; /* f/g evaluations */
    work->bytes = (double)b->g.frames * ((double)b->g.n * sizeof(float) + (double)b->g.k);
    return b;
}

static void sc_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    pb *b = state;
    for (uint64_t it = 0; it < iters; it++)
        ((rf_polar_sc_fn)im->fn)(b->g.log2n, b->g.frozen, b->g.f, b->g.llr, b->g.frames, b->msg);
}

static void scl_bench_run(const rf_impl *im, void *state, uint64_t iters)
{
    pb *b = state;
    for (uint64_t it = 0; it < iters; it++)
        ((rf_polar_scl_fn)im->fn)(b->g.log2n, b->g.frozen, b->g.list, b->g.f, b->g.llr, b->g.frames, b->msg);
}

/* ---- fuzzing ---------------------------------------------------------------------------------- */

/* Random small code (N <= 64), random mask, f, list; LLRs over the full float range the rules
 * cover (|x| <= 2^100, so that no sum of N <= 2^7 terms overflows and long double matches float
 * on infinities) with +-0, +-inf, NaN and subnormals. Inputs with a near-tie are rejected: the
 * `decision` class cannot excuse a flip in a case of a few frames (see softmap's map_fuzz). */
static int fuzz_common(const uint8_t *data, size_t size, rf_case *c, int scl)
{
    rf_bytes b = {data, size};
    const unsigned log2n = rf_bytes_u8(&b) % 7;
    const size_t n = (size_t)1 << log2n, frames = 1 + rf_bytes_u8(&b) % 3;
    const int f = rf_bytes_u8(&b) & 1;
    const unsigned list = 1 + rf_bytes_u8(&b) % 8;
    rf_case_set_param(c, "f", "%s", f == RF_F_MINSUM ? "minsum" : "exact");
    if (scl) rf_case_set_param(c, "list", "%u", list);
    rf_case_set_param(c, "frames", "%zu", frames);
    uint8_t *frozen = rf_case_add1(c, "in.frozen", RF_DT_U8, n);
    float *llr = rf_case_add2(c, "in.llr", RF_DT_F32, frames, n);
    if (!frozen || !llr) return -1;
    for (size_t i = 0; i < n; i++) frozen[i] = rf_bytes_u8(&b) & 1;
    for (size_t i = 0; i < frames * n; i++) llr[i] = rf_bytes_f32(&b, 100, 1);
    const double tau = 8.0 * rf_ceil_log2(n) + 8.0, u = rf_unit_roundoff(RF_DT_F32);
    uint8_t msg[64];
    for (size_t fr = 0; fr < frames; fr++) {
        const float *l = llr + fr * n;
        long double abs_sum = 0, margin, mmax = 0, scale;
        for (size_t i = 0; i < n; i++)
            if (isfinite(l[i])) abs_sum += fabsl((long double)l[i]);
        const long double extra = f == RF_F_EXACT ? (long double)n : 0;
        if (!scl) {
            margin = ora_polar_sc(log2n, frozen, f, l, msg);
            scale = abs_sum + extra;
        } else {
            if (ora_polar_scl(log2n, frozen, list, f, l, msg, &margin, &mmax)) return -1;
            scale = (long double)n * (abs_sum + extra) + (long double)n * mmax;
        }
        if (isnan(margin) || margin <= tau * u * scale) return -1;
    }
    return 0;
}

static int sc_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    return fuzz_common(data, size, c, 0);
}

static int scl_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    (void)desc;
    return fuzz_common(data, size, c, 1);
}

/* ---- golden cases and descriptors ------------------------------------------------------------- */

static const rf_case_spec sc_cases[] = {
    {"p64_7_minsum_s1", "code=p64_7 f=minsum frames=64 sigma=1 seed=6401"},
    {"p64_7_minsum_s1.5", "code=p64_7 f=minsum frames=64 sigma=1.5 seed=6402"},
    {"p64_7_minsum_s2.2", "code=p64_7 f=minsum frames=64 sigma=2.2 seed=6403"},
    {"p64_7_exact_s1", "code=p64_7 f=exact frames=64 sigma=1 seed=6404"},
    {"p64_7_exact_s1.5", "code=p64_7 f=exact frames=64 sigma=1.5 seed=6405"},
    {"p64_7_exact_s2.2", "code=p64_7 f=exact frames=64 sigma=2.2 seed=6406"},
    {"p128_96_minsum_s0.4", "code=p128_96 f=minsum frames=64 sigma=0.4 seed=12801"},
    {"p128_96_minsum_s0.5", "code=p128_96 f=minsum frames=64 sigma=0.5 seed=12802"},
    {"p128_96_minsum_s0.6", "code=p128_96 f=minsum frames=64 sigma=0.6 seed=12803"},
    {"p128_96_exact_s0.4", "code=p128_96 f=exact frames=64 sigma=0.4 seed=12804"},
    {"p128_96_exact_s0.5", "code=p128_96 f=exact frames=64 sigma=0.5 seed=12805"},
    {"p128_96_exact_s0.6", "code=p128_96 f=exact frames=64 sigma=0.6 seed=12806"},
    {"rm6_2_exact_s0.7", "code=rm m=6 r=2 f=exact frames=64 sigma=0.7 seed=6201"},
    {"rm1_0_minsum", "code=rm m=1 r=0 f=minsum frames=16 sigma=1 seed=101"},
    {"bhat10_512_minsum_s0.7", "code=bhat log2n=10 K=512 design=0.7 f=minsum frames=4 sigma=0.7 seed=1001"},
    {"bhat10_512_exact_s0.7", "code=bhat log2n=10 K=512 design=0.7 f=exact frames=4 sigma=0.7 seed=1002"},
    {"specials_p64_7", "code=p64_7 f=minsum frames=32 input=specials seed=7 tol=exact"},
    {"specials_rm7_4", "code=rm m=7 r=4 f=minsum frames=32 input=specials seed=8 tol=exact"},
    {NULL, NULL},
};

static const rf_case_spec scl_cases[] = {
    {"p64_7_L8_minsum_s1", "code=p64_7 list=8 f=minsum frames=64 sigma=1 seed=6411"},
    {"p64_7_L8_minsum_s1.5", "code=p64_7 list=8 f=minsum frames=64 sigma=1.5 seed=6412"},
    {"p64_7_L8_minsum_s2.2", "code=p64_7 list=8 f=minsum frames=64 sigma=2.2 seed=6413"},
    {"p64_7_L8_exact_s1.5", "code=p64_7 list=8 f=exact frames=64 sigma=1.5 seed=6414"},
    {"p64_7_L1_exact_s1.5", "code=p64_7 list=1 f=exact frames=64 sigma=1.5 seed=6415"},
    {"p64_7_L32_minsum_s2.2", "code=p64_7 list=32 f=minsum frames=32 sigma=2.2 seed=6416"},
    {"p128_96_L8_minsum_s0.4", "code=p128_96 list=8 f=minsum frames=32 sigma=0.4 seed=12811"},
    {"p128_96_L8_minsum_s0.5", "code=p128_96 list=8 f=minsum frames=32 sigma=0.5 seed=12812"},
    {"p128_96_L8_minsum_s0.6", "code=p128_96 list=8 f=minsum frames=32 sigma=0.6 seed=12813"},
    {"p128_96_L8_exact_s0.5", "code=p128_96 list=8 f=exact frames=32 sigma=0.5 seed=12814"},
    {"rm6_2_L4_exact_s0.7", "code=rm m=6 r=2 list=4 f=exact frames=32 sigma=0.7 seed=6221"},
    {"specials_p64_7_L4", "code=p64_7 list=4 f=minsum frames=32 input=specials seed=9 tol=exact"},
    {NULL, NULL},
};

static const char *const sc_sizes[] = {
    "code=p64_7 f=minsum frames=1024 sigma=1.5 seed=5",
    "code=p128_96 f=minsum frames=512 sigma=0.5 seed=5",
    "code=p128_96 f=exact frames=512 sigma=0.5 seed=5",
    "code=bhat log2n=10 K=512 design=0.7 f=minsum frames=64 sigma=0.7 seed=5",
    "code=bhat log2n=15 K=27525 design=0.5 f=minsum frames=2 sigma=0.5 seed=5",
    NULL};
static const char *const scl_sizes[] = {
    "code=p64_7 list=8 f=minsum frames=256 sigma=1.5 seed=5",
    "code=p128_96 list=8 f=minsum frames=128 sigma=0.5 seed=5",
    "code=bhat log2n=10 K=512 design=0.7 list=8 f=minsum frames=8 sigma=0.7 seed=5",
    NULL};

static const rf_kernel polar_sc_kernel = {
    .name = "polar_sc",
    .family = "polar",
    .summary = "Polar successive-cancellation decoder (Arikan layout, f exact or minsum)",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(polar_sc),
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = sc_cases,
    .make_inputs = polar_make_inputs,
    .oracle = sc_oracle,
    .run = sc_run,
    .bench_sizes = sc_sizes,
    .bench_setup = pb_setup,
    .bench_run = sc_bench_run,
    .bench_free = pb_free,
    .fuzz_inputs = sc_fuzz,
};

static const rf_kernel polar_scl_kernel = {
    .name = "polar_scl",
    .family = "polar",
    .summary = "Polar SC list decoder, L = 1..32, LLR-domain metrics, lazy copy",
    .work_dtype = RF_DT_F32,
    .id = RF_KID(polar_scl),
    .tol = {RF_TOL_DECISION, 0, 0},
    .cases = scl_cases,
    .make_inputs = polar_make_inputs,
    .oracle = scl_oracle,
    .run = scl_run,
    .bench_sizes = scl_sizes,
    .bench_setup = pb_setup,
    .bench_run = scl_bench_run,
    .bench_free = pb_free,
    .fuzz_inputs = scl_fuzz,
};

const rf_kernel *const rf_family_polar[] = {&polar_sc_kernel, &polar_scl_kernel, NULL};
