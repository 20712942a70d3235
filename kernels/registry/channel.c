/* Registry entries of the channel family: rayleigh_llr_f32 and bursty_llr_f32 (refast/channel.h)
 * and awgn_llr_f32 (refast/rng.h). The three share parameters, inputs, callbacks and fuzz
 * generator; the descriptor's variant selects the kernel signature and the oracle.
 *
 * Case parameters: seed, n (symbols per frame), frames,
 * first_frame, sigma (exactly representable in float; the kernel receives (float)sigma), bits_seed
 * (Philox seed of in.bits); bursty also rho (default 0.1) and sigma_b (default the float nearest
 * sqrt(2) sigma, the seed's setting), both handed to the kernel and the oracle as floats.
 * Oracles (oracle/channel.c): long double from the long double gaussians; want.llr f64 and
 * scale.llr f64 per symbol.
 *
 * Tolerances, class sum, u = 2^-24, gaussians within N = 3 ulp (gauss_f32's bound):
 *   awgn, class sum with S = g (1 + sigma |z|), g = 2 / sigma^2 exact, u = 2^-24, N = 3:
 *   |z~ - z| <= (N + 1/2) ulp(z) <= (2N + 1) u |z|            (gaussian bound + rounding of want)
 *   y~ = fl(s + fl(sigma z~)) or fma:  |y~ - y| <= u [(2N + 3) sigma |z| + 1]
 *   g~ = fl(2 / sigma^2):              |g~ - g| <= u g
 *   L~ = fl(y~ g~):                    |L~ - L| <= g u [(2N + 3) sigma |z| + 1] + 2 u g |y|
 *                                               <= (2N + 5) u g (1 + sigma |z|) = 11 u S
 * to first order (|y| <= 1 + sigma |z|); tau = 12 covers the O(u^2) terms.
 *
 * hence |g~ - g| <= 7 u |g| for a gaussian once the rounding of want is counted, and:
 *   rayleigh, S = G (a^2 + a sigma |z|), G = 2 / sigma^2:
 *     x~^2 + y~^2 within 16 u (two squares of 7 u values, their rounding, the sum's), so
 *     |a~ - a| <= 9 u a (sqrt halves it, then rounds);  a~ s exact;
 *     |y~ - y| <= 9 u a + 8 u sigma |z| + u (a + sigma |z|)     (sigma z~ and its rounding, the sum)
 *     |a~ y~ - a y| <= 9 u a |y| + a |y~ - y| + u a |y| <= 20 u (a^2 + a sigma |z|)
 *     then G~ (u) and the last product (u): 22 u S; tau = 24 for the O(u^2) terms.
 *   bursty, S = G (1 + sigma |z| + hit sigma_b |w|), T = S / G: the two products each carry
 *     7 u + u of their term, the (at most) two sums u T each: |y~ - y| <= 10 u T; G~ and the last
 *     product add 2 u S: 12 u S; tau = 14.
 * The hit decisions are exact comparisons of k 2^-24 with rho at every level and in the oracle.
 */
#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "oracle.h"
#include "refast/channel.h"
#include "refast/rng.h"

#define CH_MAX_SYMBOLS ((uint64_t)1 << 24)

/* The descriptors' variants: which kernel signature and oracle. */
enum { CH_RAYLEIGH, CH_BURSTY, CH_AWGN };

/* The arguments of one call (every channel's; rho and sigma_b are bursty's). */
typedef struct ch_args {
    uint64_t seed, n, frames, first_frame;
    float sigma, rho, sigma_b;
    const uint8_t *bits;
    float *llr;
} ch_args;

static int ch_read(const rf_case *c, ch_args *p, char *err, size_t errlen)
{
    double sigma, rho = 0.1, sigma_b;
    p->seed = 0;
    p->first_frame = 0;
    rf_param_u64(c->params, "seed", &p->seed);
    rf_param_u64(c->params, "first_frame", &p->first_frame);
    if (!rf_need_u64(c, "n", 1, CH_MAX_SYMBOLS, &p->n, err, errlen) ||
        !rf_need_u64(c, "frames", 1, CH_MAX_SYMBOLS, &p->frames, err, errlen))
        return -1;
    if (p->n * p->frames > CH_MAX_SYMBOLS)
        return rf_run_error(err, errlen, "n x frames = %llu x %llu exceeds %llu symbols",
                            (unsigned long long)p->n, (unsigned long long)p->frames,
                            (unsigned long long)CH_MAX_SYMBOLS);
    if (!rf_param_f64(c->params, "sigma", &sigma) || !(sigma > 0) || !isfinite((float)sigma) ||
        (float)sigma < 0x1p-20f || (float)sigma > 0x1p20f)
        return rf_run_error(err, errlen, "parameter sigma is missing or not in [2^-20, 2^20]");
    p->sigma = (float)sigma;
    char buf[64];
    if (rf_param_str(c->params, "rho", buf, sizeof buf) &&
        (!rf_param_f64(c->params, "rho", &rho) || !(rho >= 0 && rho <= 1)))
        return rf_run_error(err, errlen, "parameter rho is not in [0, 1]");
    p->rho = (float)rho;
    sigma_b = sqrt(2.0) * p->sigma;
    if (rf_param_str(c->params, "sigma_b", buf, sizeof buf) &&
        (!rf_param_f64(c->params, "sigma_b", &sigma_b) || !(sigma_b >= 0) || (float)sigma_b > 0x1p20f))
        return rf_run_error(err, errlen, "parameter sigma_b is not in [0, 2^20]");
    p->sigma_b = (float)sigma_b;
    return 0;
}

static int ch_make_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    (void)desc;
    ch_args p;
    uint64_t bits_seed = 9;
    if (ch_read(c, &p, err, errlen)) return -1;
    rf_param_u64(c->params, "bits_seed", &bits_seed);
    uint8_t *bits = rf_case_add2(c, "in.bits", RF_DT_U8, p.frames, p.n);
    if (!bits) return rf_run_error(err, errlen, "out of memory");
    for (uint64_t i = 0; i < p.frames * p.n; i++) bits[i] = (uint8_t)(rf_gen_word(bits_seed, 0, i) & 1);
    return 0;
}

/* The parameters and in.bits (frames x n) of a case. */
static int ch_inputs(const rf_case *c, ch_args *p, char *err, size_t errlen)
{
    if (ch_read(c, p, err, errlen)) return -1;
    const rf_array *bits = rf_case_need(c, "in.bits", RF_DT_U8, 2, err, errlen);
    if (!bits) return -1;
    if (bits->shape[0] != p->frames || bits->shape[1] != p->n)
        return rf_run_error(err, errlen, "in.bits is not frames x n = %llu x %llu",
                            (unsigned long long)p->frames, (unsigned long long)p->n);
    p->bits = bits->data;
    return 0;
}

static int ch_oracle(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    ch_args p;
    if (ch_inputs(c, &p, err, errlen)) return -1;
    const size_t n = (size_t)p.n, frames = (size_t)p.frames, total = n * frames;
    double *want = rf_case_add2(c, "want.llr", RF_DT_F64, p.frames, p.n);
    double *scale = rf_case_add2(c, "scale.llr", RF_DT_F64, p.frames, p.n);
    long double *l = malloc(total * sizeof *l), *s = malloc(total * sizeof *s);
    if (!want || !scale || !l || !s) {
        free(l);
        free(s);
        return rf_run_error(err, errlen, "out of memory");
    }
    switch (desc->variant) {
    case CH_BURSTY:
        ora_bursty_llr(p.bits, n, frames, p.first_frame, p.seed, p.sigma, p.rho, p.sigma_b, l, s);
        break;
    case CH_RAYLEIGH: ora_rayleigh_llr(p.bits, n, frames, p.first_frame, p.seed, p.sigma, l, s); break;
    default: ora_awgn_llr(p.bits, n, frames, p.first_frame, p.seed, p.sigma, l, s); break;
    }
    for (size_t i = 0; i < total; i++) {
        want[i] = (double)l[i];
        scale[i] = (double)s[i];
    }
    free(l);
    free(s);
    rf_case_set_param(c, "terms", desc->variant == CH_BURSTY ? "3" : "2");
    return 0;
}

static int ch_bind(const rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err, size_t errlen)
{
    (void)desc;
    ch_args *a = args;
    if (ch_inputs(c, a, err, errlen)) return -1;
    a->llr = rf_case_out(out, "llr", RF_DT_F32, 2, (const uint64_t[]){a->frames, a->n});
    return a->llr ? 0 : rf_run_error(err, errlen, "out of memory");
}

/* A benchmark calls again and again: the frame index advances so that every call draws new
 * numbers. */
static void ch_call(const rf_impl *im, void *args)
{
    ch_args *a = args;
    const size_t n = (size_t)a->n, frames = (size_t)a->frames;
    switch (im->kernel->variant) {
    case CH_BURSTY:
        ((rf_bursty_llr_f32_fn)im->fn)(a->bits, n, frames, a->first_frame, a->seed, a->sigma, a->rho,
                                       a->sigma_b, a->llr);
        break;
    case CH_RAYLEIGH:
        ((rf_rayleigh_llr_f32_fn)im->fn)(a->bits, n, frames, a->first_frame, a->seed, a->sigma, a->llr);
        break;
    default: ((rf_awgn_llr_f32_fn)im->fn)(a->bits, n, frames, a->first_frame, a->seed, a->sigma, a->llr); break;
    }
    a->first_frame += a->frames;
}

static void ch_work(const rf_kernel *desc, const void *args, rf_work *w)
{
    (void)desc;
    const ch_args *a = args;
    w->items = (double)(a->n * a->frames);
    w->item_unit = "symbols";
    w->bytes = w->items * (1 + sizeof(float));
}

/* Fuzz: seed, first_frame (any 64-bit value, so the tagged streams wrap), frames 1..8, n 1..2048,
 * sigma = m 2^e, e in [-8, 8]; bursty: rho = k / 256 in [0, 1] (0 and 1 included), sigma_b = m' 2^e'
 * or 0; bits as given (every bit of the byte). */
static int ch_fuzz(const rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c)
{
    rf_bytes b = {data, size, 0};
    const uint64_t seed = (uint64_t)rf_bytes_u32(&b) << 32 | rf_bytes_u32(&b);
    const uint64_t first_frame = (uint64_t)rf_bytes_u32(&b) << 32 | rf_bytes_u32(&b);
    const size_t frames = 1 + rf_bytes_u8(&b) % 8;
    const size_t n = 1 + rf_bytes_u32(&b) % 2048;
    const uint32_t sb = rf_bytes_u32(&b);
    const float sigma = ldexpf(1.0f + (float)(sb & 0x7fffff) * 0x1p-23f, (int)((sb >> 23) % 17) - 8);
    rf_case_set_param(c, "seed", "%llu", (unsigned long long)seed);
    rf_case_set_param(c, "n", "%zu", n);
    rf_case_set_param(c, "frames", "%zu", frames);
    rf_case_set_param(c, "first_frame", "%llu", (unsigned long long)first_frame);
    rf_case_set_param(c, "sigma", "%.9g", (double)sigma);
    if (desc->variant == CH_BURSTY) {
        const unsigned k = rf_bytes_u8(&b);
        const uint32_t wb = rf_bytes_u32(&b);
        const float sigma_b = (wb & 0xff) == 0 ? 0.0f
                                               : ldexpf(1.0f + (float)((wb >> 8) & 0x7fff) * 0x1p-15f,
                                                        (int)((wb >> 23) % 17) - 8);
        rf_case_set_param(c, "rho", "%.9g", (double)(float)(k / 255.0));
        rf_case_set_param(c, "sigma_b", "%.9g", (double)sigma_b);
    }
    uint8_t *bits = rf_case_add2(c, "in.bits", RF_DT_U8, frames, n);
    if (!bits) return -1;
    for (size_t i = 0; i < frames * n; i++) bits[i] = rf_bytes_u8(&b);
    return 0;
}

/* Golden cases: sigmas around the seed's operating points, a multi-chunk frame (n = 1500 > every
 * level's chunk of 1024 symbols and ref's 256), a frame count that crosses 2^32 (counter carry of
 * the stream word) and odd lengths for the vector tails; bursty also rho = 0 and rho = 1. */
static const rf_case_spec rayleigh_cases[] = {
    {"f8x256_sigma0.5", "seed=7 n=256 frames=8 first_frame=100 sigma=0.5 bits_seed=9"},
    {"f4x1500_sigma0.875", "seed=7 n=1500 frames=4 first_frame=3 sigma=0.875 bits_seed=9"},
    {"f3x37_sigma1.25", "seed=8 n=37 frames=3 first_frame=4294967295 sigma=1.25 bits_seed=10"},
    {NULL, NULL},
};

static const rf_case_spec awgn_cases[] = {
    {"f8x256_sigma0.5", "seed=7 n=256 frames=8 first_frame=100 sigma=0.5 bits_seed=9"},
    {"f8x256_sigma0.875", "seed=7 n=256 frames=8 first_frame=100 sigma=0.875 bits_seed=9"},
    {"f3x37_sigma1.25", "seed=8 n=37 frames=3 first_frame=4294967295 sigma=1.25 bits_seed=10"},
    {NULL, NULL},
};

static const rf_case_spec bursty_cases[] = {
    {"f8x256_sigma0.5_seed", "seed=7 n=256 frames=8 first_frame=100 sigma=0.5 bits_seed=9"},
    {"f4x1500_sigma0.875_rho0.25", "seed=7 n=1500 frames=4 first_frame=3 sigma=0.875 rho=0.25 "
                                   "sigma_b=2 bits_seed=9"},
    {"f3x37_sigma1.25_rho0", "seed=8 n=37 frames=3 first_frame=4294967295 sigma=1.25 rho=0 bits_seed=10"},
    {"f2x19_sigma0.75_rho1", "seed=9 n=19 frames=2 first_frame=0 sigma=0.75 rho=1 sigma_b=0.5 bits_seed=11"},
    {NULL, NULL},
};

static const char *const ch_sizes[] = {"frames=64 n=1024 sigma=0.8", "frames=1024 n=256 sigma=0.8", NULL};

#define CH_CALLBACKS                                                                             \
    .family = "channel", .work_dtype = RF_DT_F32, .make_inputs = ch_make_inputs,                 \
    .oracle = ch_oracle, .args_size = sizeof(ch_args), .bind = ch_bind, .call = ch_call,         \
    .work = ch_work, .bench_sizes = ch_sizes, .fuzz_inputs = ch_fuzz

static const rf_kernel rayleigh_llr_f32_kernel = {
    .name = "rayleigh_llr_f32",
    .summary = "BPSK over Rayleigh fast fading: coherent LLRs 2ay/sigma^2",
    .id = RF_KID(rayleigh_llr_f32),
    .variant = CH_RAYLEIGH,
    .tol = {RF_TOL_SUM, 24, 0},
    .cases = rayleigh_cases,
    .free_length = "n",
    CH_CALLBACKS,
};

static const rf_kernel bursty_llr_f32_kernel = {
    .name = "bursty_llr_f32",
    .summary = "BPSK over AWGN + bursts (prob rho, N(0,sigma_b^2)): AWGN LLRs 2y/sigma^2",
    .id = RF_KID(bursty_llr_f32),
    .variant = CH_BURSTY,
    .tol = {RF_TOL_SUM, 14, 0},
    .cases = bursty_cases,
    .free_length = "n",
    CH_CALLBACKS,
};

static const rf_kernel awgn_llr_f32_kernel = {
    .name = "awgn_llr_f32",
    .summary = "BPSK over AWGN: channel LLRs 2y/sigma^2 of frames of bits",
    .id = RF_KID(awgn_llr_f32),
    .variant = CH_AWGN,
    .tol = {RF_TOL_SUM, 12, 0},
    .cases = awgn_cases,
    .free_length = "n",
    CH_CALLBACKS,
};

const rf_kernel *const rf_family_channel[] = {&rayleigh_llr_f32_kernel, &bursty_llr_f32_kernel,
                                              &awgn_llr_f32_kernel, NULL};
