/* KO MLP block (refast/ko_mlp.h): every usable level, the autovec peers and the openblas peer
 * against the long double oracle (oracle/oracle_ko_mlp.h), plus the vector SELU of each level.
 *
 * - Random networks (in_dim 1..4, hidden 1..32, hidden_layers 1..3, weights ~ U[-1,1) or the
 *   init N(0, 0.02^2)), inputs normal, wide or huge (magnitudes up to 2^60), counts 0..3*16+1
 *   (every tail of every level), in/out 0..3 floats past a 64-byte boundary between guard words:
 *   |got - want| <= tau u S with tau = 128 and S from the oracle (the registry's `sum` bound,
 *   derived in kernels/registry/ko.c). Outputs beyond the bound, changed guards, fallbacks fail.
 * - The bound is not vacuous: the reference run on a copy of the net with one layer's weights
 *   scaled by 1 + 2^-12 is caught (the same check, applied to it, must fail).
 * - NaN in one coordinate gives NaN there and nothing else changes; +inf/-inf inputs give the
 *   oracle's IEEE result.
 * - Vector SELU (ko_selu_f32_<level>): selu(0) = 0, +-tiny (normal and subnormal) within 2 ulp of
 *   lambda x / lambda alpha x, large negative and -inf saturate to -lambda alpha (within 1 ulp),
 *   NaN stays NaN, +inf stays +inf; max ulp error against lambda alpha expm1l(x) measured on a
 *   sweep of the floats of [-90, 0] (every 97th bit pattern plus dense around 0 and the
 *   reduction boundaries) must be <= 3 ulp, the value the tolerance derivation assumes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_ko_mlp.h"
#include "refast/case.h"
#include "refast/ko_mlp.h"
#include "refast/registry.h"
#include "testlib.h"

#define U24 0x1p-24
#define TAU 128.0
#define MAXC (3 * 16 + 1)
#define GUARD 16
#define GUARD_BITS 0x7fa5a5a5u

static uint64_t rng = 0x6b6f6d6c70ull;

typedef struct impl {
    const char *name;
    rf_ko_mlp_f32_fn fn;
} impl;

typedef struct netbuf {
    rf_ko_mlp net;
    float w[RF_KO_MAX_LAYERS][RF_KO_MAX_HIDDEN * RF_KO_MAX_HIDDEN];
    float b[RF_KO_MAX_LAYERS][RF_KO_MAX_HIDDEN];
} netbuf;

static void random_net(netbuf *nb, unsigned in_dim, unsigned hidden, unsigned layers, int init)
{
    memset(nb, 0, sizeof *nb);
    nb->net.in_dim = in_dim;
    nb->net.hidden = hidden;
    nb->net.hidden_layers = layers;
    for (unsigned l = 0; l <= layers; l++) {
        const unsigned n_in = l == 0 ? in_dim : hidden, n_out = l == layers ? 1 : hidden;
        for (unsigned e = 0; e < n_in * n_out; e++)
            nb->w[l][e] = init ? (float)(0.02 * rf_test_gauss(&rng)) : (float)rf_test_uniform(&rng, -1, 1);
        for (unsigned o = 0; o < n_out; o++)
            nb->b[l][o] = init ? (float)(0.02 * rf_test_gauss(&rng)) : (float)rf_test_uniform(&rng, -1, 1);
        nb->net.w[l] = nb->w[l];
        nb->net.b[l] = nb->b[l];
    }
}

/* Coordinate j of an AoS feature table x[j * 4 + f]. */
static void random_inputs(float *x, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        if (kind == 0) x[i] = (float)rf_test_gauss(&rng);
        else if (kind == 1) x[i] = (float)rf_test_uniform(&rng, -4, 4);
        else {
            const double e = floor(rf_test_uniform(&rng, -20, 61));
            x[i] = (float)((rf_test_u64(&rng) & 1 ? -1 : 1) * ldexp(rf_test_uniform(&rng, 1, 2), (int)e));
        }
    }
}

static void set_guards(float *p, size_t n)
{
    const uint32_t g = GUARD_BITS;
    for (size_t i = 0; i < n; i++) memcpy(p + i, &g, sizeof g);
}

static bool guards_ok(const float *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, p + i, sizeof b);
        if (b != GUARD_BITS) return false;
    }
    return true;
}

/* Runs fn on the first `count` coordinates of x (AoS, 4 per coordinate) in SoA layout at float
 * offset `off` and compares with the oracle values; returns the worst ratio, counts failures. */
static double run_check(rf_ko_mlp_f32_fn fn, const rf_ko_mlp *net, const float *x, size_t count,
                        unsigned off, const long double *want, const long double *scale,
                        size_t *bad, bool *guards)
{
    const unsigned in_dim = net->in_dim;
    float *ib = rf_alloc((GUARD + 3 + RF_KO_MAX_IN * MAXC + GUARD) * sizeof(float));
    float *ob = rf_alloc((GUARD + 3 + MAXC + GUARD) * sizeof(float));
    if (!ib || !ob) exit(1);
    float *in = ib + GUARD + off, *out = ob + GUARD + (3 - off);
    set_guards(ib, GUARD + 3 + RF_KO_MAX_IN * MAXC + GUARD);
    set_guards(ob, GUARD + 3 + MAXC + GUARD);
    for (unsigned f = 0; f < in_dim; f++)
        for (size_t j = 0; j < count; j++) in[f * count + j] = x[j * RF_KO_MAX_IN + f];
    fn(net, in, count, out);
    *guards &= guards_ok(ib, GUARD + off) && guards_ok(in + in_dim * count, GUARD + 3 - off) &&
               guards_ok(ob, GUARD + 3 - off) && guards_ok(out + count, GUARD + off);
    double worst = 0;
    for (size_t j = 0; j < count; j++) {
        bool ok;
        double r = 0;
        if (isnan(want[j])) ok = isnan(out[j]);
        else if (isinf(want[j])) ok = (long double)out[j] == want[j];
        else {
            r = (double)(fabsl((long double)out[j] - want[j]) / (U24 * scale[j]));
            ok = r <= TAU;
        }
        if (!ok) (*bad)++;
        if (r > worst) worst = r;
    }
    rf_free(ib);
    rf_free(ob);
    return worst;
}

/* Oracle of the first MAXC coordinates (AoS x) of net. */
static void oracle_all(const rf_ko_mlp *net, const float *x, long double *want, long double *scale)
{
    float soa[RF_KO_MAX_IN * MAXC];
    for (unsigned f = 0; f < net->in_dim; f++)
        for (size_t j = 0; j < MAXC; j++) soa[f * MAXC + j] = x[j * RF_KO_MAX_IN + f];
    ora_ko_mlp(net, soa, MAXC, want, scale);
}

static void check_random_nets(const impl *im, int nim)
{
    static const char *const kinds[] = {"normal", "wide", "huge"};
    double worst[16] = {0};
    for (int t = 0; t < 36; t++) {
        const unsigned in_dim = 1 + (unsigned)(rf_test_u64(&rng) % 4);
        const unsigned hidden = t < 6 ? 32 : 1 + (unsigned)(rf_test_u64(&rng) % 32);
        const unsigned layers = t < 6 ? 3 : 1 + (unsigned)(rf_test_u64(&rng) % 3);
        const int init = t % 3 == 0, kind = t % 3 == 2 ? 2 : (t / 3) % 2;
        netbuf nb;
        random_net(&nb, in_dim, hidden, layers, init);
        float x[RF_KO_MAX_IN * MAXC];
        random_inputs(x, RF_KO_MAX_IN * MAXC, kind);
        long double want[MAXC], scale[MAXC];
        oracle_all(&nb.net, x, want, scale);
        for (int i = 0; i < nim; i++) {
            size_t bad = 0;
            bool guards = true;
            for (size_t count = 0; count <= MAXC; count++) {
                const double r = run_check(im[i].fn, &nb.net, x, count, (unsigned)(count + (size_t)t) % 4,
                                           want, scale, &bad, &guards);
                if (r > worst[i]) worst[i] = r;
            }
            CHECKF(bad == 0 && guards, "%s net %d (in %u hidden %u layers %u %s weights, %s inputs): "
                   "%zu outputs beyond %g u S, guards %s", im[i].name, t, in_dim, hidden, layers,
                   init ? "init" : "uniform", kinds[kind], bad, TAU, guards ? "intact" : "CHANGED");
        }
    }
    for (int i = 0; i < nim; i++)
        printf("  %-16s max |got - oracle| / (u S) = %.4f (tau %g)\n", im[i].name, worst[i], TAU);
}

/* The check can fail: the weights of one hidden layer scaled by 1 + 2^-12 (an error of the size
 * of a wrong constant, e.g. lambda rounded to 12 bits) must be detected. Positive weights and
 * inputs keep every unit on SELU's linear branch, where S overestimates |y| by (Lip/lambda)^3 =
 * 4.7: the bound resolves relative errors of about 128 * 2^-24 * 4.7 = 2^-14.7 there. */
static void check_bound_bites(rf_ko_mlp_f32_fn ref)
{
    netbuf nb, pert;
    random_net(&nb, 2, 32, 3, 0);
    for (unsigned l = 0; l <= 3; l++) {
        const unsigned n_in = l == 0 ? 2 : 32, n_out = l == 3 ? 1 : 32;
        for (unsigned e = 0; e < n_in * n_out; e++) nb.w[l][e] = fabsf(nb.w[l][e]);
        for (unsigned o = 0; o < n_out; o++) nb.b[l][o] = fabsf(nb.b[l][o]);
    }
    pert = nb;
    for (unsigned l = 0; l <= 3; l++) {
        pert.net.w[l] = pert.w[l];
        pert.net.b[l] = pert.b[l];
    }
    for (unsigned e = 0; e < 32 * 32; e++) pert.w[2][e] *= 1.0f + 0x1p-12f;
    float x[RF_KO_MAX_IN * MAXC];
    for (size_t i = 0; i < RF_KO_MAX_IN * MAXC; i++) x[i] = (float)rf_test_uniform(&rng, 0.5, 1.5);
    long double want[MAXC], scale[MAXC];
    oracle_all(&nb.net, x, want, scale);
    size_t bad = 0;
    bool guards = true;
    run_check(ref, &pert.net, x, MAXC, 0, want, scale, &bad, &guards);
    CHECKF(bad > 0, "a 2^-12 relative change of one layer's weights passed the tau u S check");
}

/* NaN in one coordinate: NaN there only; infinities: the oracle's IEEE result. */
static void check_specials(const impl *im, int nim)
{
    netbuf nb;
    random_net(&nb, 3, 32, 3, 0);
    float x[RF_KO_MAX_IN * MAXC];
    random_inputs(x, RF_KO_MAX_IN * MAXC, 1);
    x[5 * RF_KO_MAX_IN + 1] = NAN;
    x[17 * RF_KO_MAX_IN + 0] = INFINITY;
    x[30 * RF_KO_MAX_IN + 2] = -INFINITY;
    x[40 * RF_KO_MAX_IN + 0] = INFINITY;
    x[40 * RF_KO_MAX_IN + 1] = -INFINITY;
    long double want[MAXC], scale[MAXC];
    oracle_all(&nb.net, x, want, scale);
    CHECK(isnan(want[5]) && isfinite(want[4])); /* the oracle itself propagates */
    for (int i = 0; i < nim; i++) {
        size_t bad = 0;
        bool guards = true;
        run_check(im[i].fn, &nb.net, x, MAXC, 1, want, scale, &bad, &guards);
        CHECKF(bad == 0 && guards, "%s: NaN/inf inputs: %zu outputs differ from the oracle's IEEE "
               "result or the bound", im[i].name, bad);
    }
}

/* ---- vector SELU ---------------------------------------------------------------------------- */

typedef void (*selu_fn)(const float *x, size_t n, float *y);

static double ulp_err(float got, long double want)
{
    if (want == 0) return got == 0 ? 0 : INFINITY;
    int e;
    frexpl(want, &e); /* |want| in [2^(e-1), 2^e) */
    long double ulp = ldexpl(1.0L, (e - 1 - 23) < -149 ? -149 : e - 1 - 23);
    return (double)(fabsl((long double)got - want) / ulp);
}

static void check_selu(const char *name, selu_fn fn)
{
    const long double la = ORA_SELU_LAMBDA * ORA_SELU_ALPHA;
    /* special values */
    const float sx[] = {0.0f, 1e-30f, -1e-30f, 0x1p-140f, -0x1p-140f, 0x1p-149f, -0x1p-149f,
                        -100.0f, -1e30f, -INFINITY, NAN, INFINITY, 3.0f, -0.5f, 1e30f};
    const size_t ns = sizeof sx / sizeof sx[0];
    float sy[sizeof sx / sizeof sx[0]];
    fn(sx, ns, sy);
    CHECKF(sy[0] == 0.0f, "%s: selu(0) = %g", name, (double)sy[0]);
    for (size_t i = 1; i < 7; i++)
        CHECKF(ulp_err(sy[i], ora_selu(sx[i])) <= 2.0, "%s: selu(%g) = %g, want %Lg", name,
               (double)sx[i], (double)sy[i], ora_selu(sx[i]));
    for (size_t i = 7; i < 10; i++)
        CHECKF(ulp_err(sy[i], -la) <= 1.0, "%s: selu(%g) = %.9g does not saturate to -lambda alpha",
               name, (double)sx[i], (double)sy[i]);
    CHECKF(isnan(sy[10]), "%s: selu(NaN) = %g", name, (double)sy[10]);
    CHECKF(sy[11] == INFINITY, "%s: selu(inf) = %g", name, (double)sy[11]);
    for (size_t i = 12; i < ns; i++)
        CHECKF(ulp_err(sy[i], ora_selu(sx[i])) <= 2.0, "%s: selu(%g) = %g", name, (double)sx[i],
               (double)sy[i]);

    /* ulp sweep over [-90, 0]: bit patterns 0x80000001 .. bits(-90) */
#if RF_ARCH_ARM64
    const uint32_t stride = 40961; /* long double is software quad: keep the sweep short */
#else
    const uint32_t stride = 97;
#endif
    const float lo = -90.0f;
    uint32_t top;
    memcpy(&top, &lo, sizeof top);
    enum { B = 4096 };
    float xs[B], ys[B];
    double worst = 0;
    float worst_x = 0;
    size_t n = 0;
    for (uint32_t bits = 0x80000001u;; bits = (top - bits < stride) ? top : bits + stride) {
        float v;
        memcpy(&v, &bits, sizeof v);
        xs[n++] = v;
        if (n == B || bits == top) {
            fn(xs, n, ys);
            for (size_t i = 0; i < n; i++) {
                const double e = ulp_err(ys[i], ora_selu(xs[i]));
                if (!(e <= worst)) {
                    worst = e;
                    worst_x = xs[i];
                }
            }
            n = 0;
        }
        if (bits == top) break;
    }
    for (int k = 0; k <= 130; k++) { /* dense around each boundary (k + 1/2) ln 2 */
        const float c = -(float)((k + 0.5) * 0.6931471805599453);
        for (int d = -64; d < 64; d++) xs[(size_t)(d + 64)] = nextafterf(c, 0) + (float)d * 0x1p-20f * fabsf(c);
        fn(xs, 128, ys);
        for (size_t i = 0; i < 128; i++) {
            if (!(xs[i] <= 0)) continue;
            const double e = ulp_err(ys[i], ora_selu(xs[i]));
            if (!(e <= worst)) {
                worst = e;
                worst_x = xs[i];
            }
        }
    }
    for (int d = 0; d < B; d++) xs[d] = -ldexpf(1.0f + (float)d / B, -(d % 40)); /* near 0 */
    fn(xs, B, ys);
    for (size_t i = 0; i < B; i++) {
        const double e = ulp_err(ys[i], ora_selu(xs[i]));
        if (!(e <= worst)) {
            worst = e;
            worst_x = xs[i];
        }
    }
    printf("  %-16s SELU (lambda alpha expm1 on [-90, 0]): max error %.3f ulp at x = %.9g\n", name,
           worst, (double)worst_x);
    CHECKF(worst <= 3.0, "%s: SELU error %.3f ulp at %.9g exceeds the 3 ulp the tolerance assumes",
           name, worst, (double)worst_x);
}

int main(void)
{
    const rf_kernel *k = rf_kernel_find("ko_mlp_f32");
    CHECK(k != NULL);
    if (!k) return rf_test_summary("test_ko_mlp");
    impl im[RF_MAX_IMPLS + 1];
    rf_impl all[RF_MAX_IMPLS];
    const size_t nall = rf_test_impls(k, true, all);
    int nim = 0;
    bool blas = false;
    for (size_t i = 0; i < nall; i++) {
        CHECKF(all[i].provided_by == all[i].level, "%s: ko_mlp_f32 falls back", all[i].label);
        im[nim].name = all[i].label;
        im[nim++].fn = (rf_ko_mlp_f32_fn)all[i].fn;
        blas |= all[i].kind == RF_IMPL_OPENBLAS;
    }
    CHECK(blas);
    im[nim].name = "dispatch";
    im[nim++].fn = rf_ko_mlp_f32;

    check_random_nets(im, nim);
    check_bound_bites(im[0].fn);
    check_specials(im, nim);

    for (size_t i = 0; i < nall; i++)
        if (all[i].kind == RF_IMPL_LEVEL && rf_dispatch_native(RF_KID(ko_selu_f32), all[i].level))
            check_selu(all[i].label, (rf_ko_selu_f32_fn)rf_dispatch(RF_KID(ko_selu_f32), all[i].level, NULL));
    return rf_test_summary("test_ko_mlp");
}
