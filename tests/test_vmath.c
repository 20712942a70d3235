/* The float vector functions of every vector level this CPU has (refast/vmath.h), on a stratified
 * sample judged like the exhaustive run (tests/vmath_exhaustive.c, tests/vmath_judge.h): every
 * exponent of both signs (fixed and random significands), the specials, the boundaries of the
 * range reductions and the domains, and the worst inputs the exhaustive run found. Fails if a
 * result is above the bound stated in fast/generic/vmath_f32.h, if the reference cannot be
 * resolved, if a stated behaviour (the clamp below -87, NaN and Inf results, the flush rule)
 * does not hold; and proves the bounds bite: every function made 1 ulp less accurate is caught.
 * Under qemu (REFAST_TEST_EMULATED) fewer random significands per exponent. */
#include <stdlib.h>
#include <string.h>

#include "refast/kernels.h"
#include "testlib.h"
#include "vmath_judge.h"

#define MAXS 40000

static float sample[MAXS];
static size_t ns;

static void add(float x)
{
    if (ns < MAXS) sample[ns++] = x;
}

static void add_bits(uint32_t b)
{
    float x;
    memcpy(&x, &b, sizeof x);
    add(x);
}

/* x and its 4 float neighbours on each side. */
static void add_around(float x)
{
    float lo = x, hi = x;
    add(x);
    for (int i = 0; i < 4; i++) add(lo = nextafterf(lo, -INFINITY)), add(hi = nextafterf(hi, INFINITY));
}

/* The worst inputs of the exhaustive run (README "Vector math accuracy"), per function. */
static const float worst_inputs[] = {
    -0x1.1c1e4cp+6f, -0x1.1bd06cp+6f, -0x1.1c229ap+6f, /* exp_nonpos (exhaustive) */
    -0x1.63dcdep-2f, -0x1.692944p-2f,                   /* expm1_nonpos (exhaustive) */
    -0x1.20337ep+3f, -0x1.a1c678p+2f, 0x1.205368p+3f,   /* tanh_half (exhaustive: the last, 2.498 ulp) */
    0x1.fa2cp-9f,    0x1.d99904p-7f,                    /* log1p_unit (exhaustive, as all of them) */
    0x1.a827f6p-2f,  0x1.cdc616p-2f, 0x1.a8824ep-2f,    /* log1p_half (the last: 1.394 ulp) */
    -0x1.618798p-2f, -0x1.5c8356p-2f,                   /* selu_scaled (the last: 1.867 ulp) */
};

static void build_sample(int random_per_exponent)
{
    uint64_t rng = 0x766d617468ull;
    static const uint32_t mant[] = {0, 1, 2, 0x400000, 0x7ffffe, 0x7fffff};
    for (uint32_t s = 0; s < 2; s++)
        for (uint32_t e = 0; e < 256; e++) {
            for (size_t m = 0; m < sizeof mant / sizeof *mant; m++) add_bits(s << 31 | e << 23 | mant[m]);
            for (int r = 0; r < random_per_exponent; r++) add_bits(s << 31 | e << 23 | (uint32_t)(rf_test_u64(&rng) & 0x7fffff));
        }
    /* the rounding boundaries of k = round(x log2 e) in the exp reductions */
    for (int k = -130; k <= 1; k++) add_around((float)((k + 0.5) * 0.69314718055994531));
    static const float edges[] = {-87.0f, -0.5f, 0.0f, 1.0f, 0.41421356f, -0.29289322f, -1.0f, 2.0f, 18.0f, -18.0f};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) add_around(edges[i]);
    for (size_t i = 0; i < sizeof worst_inputs / sizeof *worst_inputs; i++) add(worst_inputs[i]);
    add(NAN), add(-NAN), add_bits(0x7f800001u), add(INFINITY), add(-INFINITY);
}

static void test_level(rf_isa isa, rf_vmath_f32_fn fn)
{
    float *got = malloc(ns * sizeof *got), *gotf = malloc(ns * sizeof *gotf), *gotd = malloc(ns * sizeof *gotd);
    float *xdaz = malloc(ns * sizeof *xdaz), *wide = malloc(ns * sizeof *wide);
    vm_refval *ref = malloc(ns * sizeof *ref);
    CHECK(got && gotf && gotd && xdaz && wide && ref);
    if (!(got && gotf && gotd && xdaz && wide && ref)) return;
    for (size_t i = 0; i < ns; i++) xdaz[i] = vm_flush(sample[i]);
    for (int f = 0; f < RF_VM32_COUNT; f++) {
        const vm_spec *sp = &vm_specs[f];
        float at_clamp;
        fn(f, 0, &sp->clamp_lo, 1, &at_clamp);
        fn(f, 0, sample, ns, got);
        fn(f, 1, sample, ns, gotf);
        fn(f, 0, xdaz, ns, gotd);
        vm_stats s, sw;
        vm_stats_init(&s), vm_stats_init(&sw);
        for (size_t i = 0; i < ns; i++) {
            const float x = sample[i];
            if (vm_in_domain(sp, x) && !(x < sp->clamp_lo)) ref[i].cr = vm_cr(sp->f, x, &ref[i].y, &ref[i].unresolved);
            vm_judge(sp, &s, x, got[i], &ref[i], at_clamp);
            if (!isnan(x)) vm_judge_flush(sp, &s, x, gotf[i], gotd[i]);
            /* the same function 1 ulp less accurate: every result moved one float away from f(x) */
            wide[i] = got[i];
            if (vm_in_domain(sp, x) && !(x < sp->clamp_lo) && isfinite(got[i]))
                wide[i] = nextafterf(got[i], (double)got[i] < ref[i].y ? -INFINITY : INFINITY);
            vm_judge(sp, &sw, x, wide[i], &ref[i], at_clamp);
        }
        const char *lv = rf_isa_name(isa);
        vm_print(stdout, lv, sp, &s);
        CHECKF(s.judged > 1000, "%s %s: only %llu in-domain inputs", lv, sp->name, (unsigned long long)s.judged);
        CHECKF(s.above == 0, "%s %s: %llu results above %.2f ulp (max %.3f)", lv, sp->name, (unsigned long long)s.above,
               sp->bound, s.max_err);
        CHECKF(s.unresolved == 0, "%s %s: %llu references unresolved", lv, sp->name, (unsigned long long)s.unresolved);
        CHECKF(s.clamp_bad == 0, "%s %s: %llu results below the clamp differ from f(clamp)", lv, sp->name,
               (unsigned long long)s.clamp_bad);
        CHECKF(s.flush_bad == 0, "%s %s: %llu flushed results differ from flush(f(flush(x)))", lv, sp->name,
               (unsigned long long)s.flush_bad);
        CHECKF(s.max_err <= sp->measured, "%s %s: max %.3f ulp above the exhaustive run's %.2f (rerun it, restate)", lv,
               sp->name, s.max_err, sp->measured);
        CHECKF(sw.max_err > sp->measured, "%s %s: a version 1 ulp less accurate passes (%.3f <= %.2f)", lv, sp->name,
               sw.max_err, sp->measured);
        /* NaN (fast/generic/vmath_f32.h): NaN on NEON; on x86 MAXPS turns NaN into the clamp, so
         * exp_nonpos gives e^-87, expm1_nonpos -1 and tanh_half +-1 */
        const int x86_number = strcmp(lv, "neon") != 0 && f <= RF_VM32_TANH_HALF;
        CHECKF(s.nan_in > 0 && s.nan_out_nan == (x86_number ? 0 : s.nan_in), "%s %s: %llu of %llu NaN inputs gave NaN", lv,
               sp->name, (unsigned long long)s.nan_out_nan, (unsigned long long)s.nan_in);
        if (x86_number) {
            const float want = f == RF_VM32_EXP_NONPOS ? at_clamp : f == RF_VM32_EXPM1_NONPOS ? -1.0f : 1.0f;
            CHECKF(fabsf(s.nan_example) == fabsf(want), "%s %s: NaN gave %a, not %a", lv, sp->name, (double)s.nan_example,
                   (double)want);
        }
    }
    free(got), free(gotf), free(gotd), free(xdaz), free(wide), free(ref);
}

int main(void)
{
    build_sample(getenv("REFAST_TEST_EMULATED") ? 6 : 40);
    rf_isa lv[RF_ISA_COUNT];
    const int n = rf_test_levels(lv);
    int judged = 0;
    for (int i = 0; i < n; i++)
        if (lv[i] != RF_ISA_SCALAR && rf_dispatch_native(RF_KID(vmath_f32), lv[i])) {
            test_level(lv[i], (rf_vmath_f32_fn)rf_dispatch(RF_KID(vmath_f32), lv[i], NULL));
            judged++;
        }
    printf("test_vmath: %zu sampled inputs, %d vector levels judged\n", ns, judged);
    return rf_test_summary("test_vmath");
}
