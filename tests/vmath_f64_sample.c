/* A large stratified sample of the double vector functions of every vector level
 * (fast/generic/vmath_f64.h through the moe_em_vmath_f64 kernel, refast/moe_em.h): exp, expm1 and log
 * (exhaustive is impossible over 2^64 inputs). Every binade of the domain gets the same number of
 * random significands, both signs where the domain has them, plus its end points.
 *
 * Reference: long double (x86: 64-bit significand; AArch64: binary128) expl / expm1l / logl, glibc
 * at most 4 ulp of long double, i.e. |w - f(x)| <= 2^-61 |w|, which moves the measured error by at
 * most 2^-61 / 2^-53 = 2^-8 ulp of double; the printed maxima are thus accurate to +-0.004 ulp.
 * Correct rounding to double is decided where w lies more than 2^-61 |w| from a double midpoint
 * (the midpoint argument of tests/vmath_judge.h); the rest are counted as `undecided`, and the
 * "not correctly rounded" count excludes them. Error in ulp: |got - w| / ulp(w), ulp(w) =
 * 2^(floor(log2 |w|) - 52), 2^-1074 below 2^-1022.
 *
 *   vmath_f64_sample [N]    N significands per binade (default 4096)
 * Exit code 1 if a level exceeds the bound stated in vmath_f64.h (exp 1.01, expm1 1.14, log 0.83
 * ulp: the maxima this sample measured with N = 65536, stated there, rounded up). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "refast/kernels.h"
#include "refast/moe_em.h"

typedef struct fspec {
    int f;
    const char *name;
    double lo, hi, bound;
} fspec;

static const fspec specs[] = {
    {RF_VMATH_EXP, "exp", -745.2, 709.78, 1.01},
    {RF_VMATH_EXPM1, "expm1_nonpos", -800.0, 0.0, 1.14},
    {RF_VMATH_LOG, "log", 0.0, DBL_MAX, 0.83},
};

static long double ref(int f, double x)
{
    switch (f) {
    case RF_VMATH_EXP: return expl(x);
    case RF_VMATH_EXPM1: return expm1l(x);
    default: return logl(x);
    }
}

static uint64_t rng = 0x7666363473616d70ull;
static uint64_t next64(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static double ulp_of(long double w)
{
    const long double a = fabsl(w);
    return a < 0x1p-1022L ? 0x1p-1074 : (double)ldexpl(1.0L, ilogbl(a) - 52);
}

/* 1 if w rounds to the same double as every value within 2^-61 |w| of it. */
static int decided(long double w)
{
    if (!isfinite(w) || w == 0.0L) return 1;
    const double r = (double)w;
    const long double up = ((long double)r + nextafter(r, INFINITY)) / 2.0L;
    const long double dn = ((long double)r + nextafter(r, -INFINITY)) / 2.0L;
    return fminl(fabsl(w - up), fabsl(w - dn)) > 0x1p-61L * fabsl(w);
}

int main(int argc, char **argv)
{
    const long per = argc > 1 ? atol(argv[1]) : 4096;
    if (per < 1 || per > (1l << 24)) {
        fprintf(stderr, "vmath_f64_sample: N must be in 1 .. 2^24 (usage: vmath_f64_sample [N])\n");
        return 2;
    }
    double *x = malloc((size_t)per * sizeof *x), *got = malloc((size_t)per * sizeof *got);
    if (!x || !got) return 2;
    int bad = 0;
    for (int l = 1; l < RF_ISA_COUNT; l++) {
        const rf_isa isa = (rf_isa)l;
        if (!rf_isa_usable(isa) || !rf_dispatch_native(RF_KID(moe_em_vmath_f64), isa)) continue;
        const rf_moe_em_vmath_f64_fn fn = (rf_moe_em_vmath_f64_fn)rf_dispatch(RF_KID(moe_em_vmath_f64), isa, NULL);
        for (size_t s = 0; s < sizeof specs / sizeof *specs; s++) {
            const fspec *sp = &specs[s];
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            double maxe = 0.0, worst_x = 0.0, worst_got = 0.0;
            uint64_t n = 0, not_cr = 0, undecided = 0, above = 0;
            for (int sign = 0; sign < 2; sign++)
                for (int e = 0; e < 2047; e++) {
                    for (long i = 0; i < per; i++) {
                        const uint64_t m = i == 0 ? 0 : i == 1 ? (UINT64_C(1) << 52) - 1 : next64() >> 12;
                        const uint64_t bits = (uint64_t)sign << 63 | (uint64_t)e << 52 | m;
                        memcpy(&x[i], &bits, sizeof bits);
                    }
                    if (!(x[0] >= sp->lo && x[0] <= sp->hi) && !(x[1] >= sp->lo && x[1] <= sp->hi)) continue;
                    fn(sp->f, x, (size_t)per, got);
                    for (long i = 0; i < per; i++) {
                        if (!(x[i] >= sp->lo && x[i] <= sp->hi)) continue;
                        const long double w = ref(sp->f, x[i]);
                        const double err = isinf(w) || isinf(got[i]) ? (got[i] == w ? 0.0 : INFINITY)
                                                                      : (double)(fabsl((long double)got[i] - w) / ulp_of(w));
                        n++;
                        if (!decided(w)) undecided++;
                        else if (got[i] != (double)w) not_cr++;
                        if (err > sp->bound) above++;
                        if (err > maxe || isnan(err)) maxe = isnan(err) ? INFINITY : err, worst_x = x[i], worst_got = got[i];
                    }
                }
            clock_gettime(CLOCK_MONOTONIC, &t1);
            printf("%-7s %-13s %llu inputs: max %.3f ulp (bound %.2f) at x = %a (got %a, reference %a), above bound %llu, "
                   "not correctly rounded %llu, undecided %llu, %.1f s\n",
                   rf_isa_name(isa), sp->name, (unsigned long long)n, maxe, sp->bound, worst_x, worst_got,
                   (double)ref(sp->f, worst_x), (unsigned long long)above, (unsigned long long)not_cr,
                   (unsigned long long)undecided, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
            bad |= above > 0;
        }
    }
    free(x), free(got);
    return bad;
}
