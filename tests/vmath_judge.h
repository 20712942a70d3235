/* Judging the float vector functions of refast/vmath.h against a correctly rounded reference:
 * shared by the CI sample (tests/test_vmath.c) and the exhaustive run (tests/vmath_exhaustive.c).
 *
 * The reference is correctly rounded. For a float x, f(x) is computed in double with glibc (exp,
 * expm1, tanh of the exact x/2, log1p; alpha expm1(x) with alpha as a double) and that double d is
 * rounded to float once. Rounding to nearest depends only on which float midpoint interval a value
 * lies in, so (float)d equals the correctly rounded f(x) whenever no midpoint lies between d and
 * f(x). glibc states (manual, "Known Maximum Errors in Math Functions", x86_64 and aarch64) at most
 * 2 ulp for these double functions, i.e. |d - f(x)| < 2^-51 |d| (the alpha product adds 1.5 ulp:
 * under 2^-50.4); we accept d when its distance to the nearest float midpoint exceeds 2^-50 |d|.
 * Otherwise the same function is evaluated in long double (x86: 64-bit significand, glibc at most
 * 4 ulp = 2^-61 relative, alpha's literal to 2^-65; AArch64: binary128, far tighter) and accepted
 * when its distance to the nearest midpoint exceeds 2^-60 |value|. A case neither tier decides is
 * handed to a third tier in binary128 (x86 with gcc: libquadmath's __float128 functions; AArch64:
 * its long double, binary128 already), accepted when its distance to the nearest midpoint exceeds
 * 2^-100 |value| (libquadmath's functions are within a few ulp of 2^-113). A case no tier decides
 * is counted as `unresolved` and reported (the full runs found one such input before the third
 * tier: README "Vector math accuracy"), never silently judged. f(x) itself is never exactly a midpoint: for x != 0 the values are
 * transcendental (Lindemann–Weierstrass: e^x, tanh, log1p of a nonzero rational), and at x = 0
 * they are 0 or 1, floats. (The glibc bounds are the library's own tested figures, not proofs; the
 * long double tier decides every case within 2^-50 of a midpoint independently of the double one.)
 *
 * Error in ulp: |got - f(x)| / ulp(f(x)) with ulp(y) = 2^(floor(log2 |y|) - 23), and 2^-149
 * below 2^-126 (the subnormal spacing); f(x) is the reference value before rounding, so a correctly
 * rounded result scores at most 0.5. A non-finite result for a finite f(x) scores infinity.
 */
#ifndef REFAST_TESTS_VMATH_JUDGE_H
#define REFAST_TESTS_VMATH_JUDGE_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "refast/vmath.h"

/* The third tier's binary128 (see above); VM_QUAD_TIER 0 where neither type is available. */
#if defined(__x86_64__) && defined(__SIZEOF_FLOAT128__) && !defined(__clang__)
#include <quadmath.h>
#define VM_QUAD_TIER 1
typedef __float128 vm_quad;
#define VM_Q(fn) fn##q
#define VM_QLIT(x) x##Q
#elif LDBL_MANT_DIG == 113
#define VM_QUAD_TIER 1
typedef long double vm_quad;
#define VM_Q(fn) fn##l
#define VM_QLIT(x) x##L
#else
#define VM_QUAD_TIER 0
#endif

#define VM_ALPHA_D 1.6732632423543772848
#define VM_ALPHA_L 1.6732632423543772848170429916717L
#define VM_NWORST 3

/* A function's judged domain [lo, hi] (infinities included where the function defines them), its
 * clamp (below clamp_lo the stated result is the function's own value at clamp_lo; -inf: none), the
 * ulp bound stated in fast/generic/vmath_f32.h (what tolerance derivations use), the max the
 * exhaustive run measured over every float (stated there too; the CI sample fails above it, so a
 * change to a function must come with a new exhaustive run), and flush_zero_below: under flushing,
 * inputs of magnitude below it may give a zero (an intermediate is subnormal; stated there). */
typedef struct vm_spec {
    rf_vm32_fn f;
    const char *name;
    float lo, hi, clamp_lo;
    double bound, measured;
    float flush_zero_below;
} vm_spec;

static const vm_spec vm_specs[RF_VM32_COUNT] = {
    {RF_VM32_EXP_NONPOS, "exp_nonpos", -87.0f, 0.0f, -87.0f, 1.26, 1.26, 0.0f},
    {RF_VM32_EXPM1_NONPOS, "expm1_nonpos", -INFINITY, 0.0f, -INFINITY, 1.0, 0.861, 0.0f},
    {RF_VM32_TANH_HALF, "tanh_half", -INFINITY, INFINITY, -INFINITY, 4.0, 2.50, 0.0f},
    {RF_VM32_LOG1P_UNIT, "log1p_unit", 0.0f, 1.0f, -INFINITY, 2.0, 1.97, 0x1p-125f},
    {RF_VM32_LOG1P_HALF, "log1p_half", -0.5f, 1.0f, -INFINITY, 1.5, 1.40, 0.0f},
    {RF_VM32_SELU_SCALED, "selu_scaled", -INFINITY, INFINITY, -INFINITY, 3.0, 1.87, 0.0f},
};

static inline double vm_ref_d(rf_vm32_fn f, float x)
{
    const double v = x;
    switch (f) {
    case RF_VM32_EXP_NONPOS: return exp(v);
    case RF_VM32_EXPM1_NONPOS: return expm1(v);
    case RF_VM32_TANH_HALF: return tanh(v / 2.0);
    case RF_VM32_LOG1P_UNIT:
    case RF_VM32_LOG1P_HALF: return log1p(v);
    case RF_VM32_SELU_SCALED: return v > 0.0 ? v : VM_ALPHA_D * expm1(v);
    default: return NAN;
    }
}

static inline long double vm_ref_l(rf_vm32_fn f, float x)
{
    const long double v = x;
    switch (f) {
    case RF_VM32_EXP_NONPOS: return expl(v);
    case RF_VM32_EXPM1_NONPOS: return expm1l(v);
    case RF_VM32_TANH_HALF: return tanhl(v / 2.0L);
    case RF_VM32_LOG1P_UNIT:
    case RF_VM32_LOG1P_HALF: return log1pl(v);
    case RF_VM32_SELU_SCALED: return v > 0.0L ? v : VM_ALPHA_L * expm1l(v);
    default: return NAN;
    }
}

#if VM_QUAD_TIER
static inline vm_quad vm_ref_q(rf_vm32_fn f, float x)
{
    const vm_quad v = x;
    switch (f) {
    case RF_VM32_EXP_NONPOS: return VM_Q(exp)(v);
    case RF_VM32_EXPM1_NONPOS: return VM_Q(expm1)(v);
    case RF_VM32_TANH_HALF: return VM_Q(tanh)(v / 2);
    case RF_VM32_LOG1P_UNIT:
    case RF_VM32_LOG1P_HALF: return VM_Q(log1p)(v);
    case RF_VM32_SELU_SCALED: return v > 0 ? v : VM_QLIT(1.6732632423543772848170429916717) * VM_Q(expm1)(v);
    default: return NAN;
    }
}

/* vm_decided_l in binary128, for the third tier. */
static inline int vm_decided_q(vm_quad y, vm_quad rel)
{
    const vm_quad a = y < 0 ? -y : y;
    if (!(a > 0) || !(a <= (vm_quad)FLT_MAX * 2)) return 1;
    const float r = (float)y;
    const vm_quad up = ((vm_quad)r + (vm_quad)nextafterf(r, INFINITY)) / 2;
    const vm_quad dn = ((vm_quad)r + (vm_quad)nextafterf(r, -INFINITY)) / 2;
    const vm_quad du = y - up < 0 ? up - y : y - up, dd = y - dn < 0 ? dn - y : y - dn;
    return (du < dd ? du : dd) > rel * a;
}
#endif

static inline float vm_bits_f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Whether every value within rel |y| of y rounds to the same float as y (in double: the float
 * midpoints are doubles, and |y| - mid is computed exactly by Sterbenz's lemma or exceeds rel |y|). */
static inline int vm_decided(double y, double rel)
{
    const double a = fabs(y);
    if (!(a > 0.0) || !isfinite(a)) return 1;
    const float r = (float)a;
    uint32_t u;
    memcpy(&u, &r, sizeof u);
    if (u == 0) return 0x1p-150 - a > rel * a;
    if (u >= 0x7f7fffffu) return 1; /* rounds to FLT_MAX or overflows: no float function here gets near */
    const double up = ((double)r + (double)vm_bits_f(u + 1)) * 0.5, dn = ((double)r + (double)vm_bits_f(u - 1)) * 0.5;
    return fmin(up - a, a - dn) > rel * a;
}

/* The same in long double, for the second tier (rare). */
static inline int vm_decided_l(long double y, long double rel)
{
    if (!isfinite(y) || y == 0.0L) return 1;
    const float r = (float)y;
    const long double up = ((long double)r + nextafterf(r, INFINITY)) / 2.0L;
    const long double dn = ((long double)r + nextafterf(r, -INFINITY)) / 2.0L;
    return fminl(fabsl(y - up), fabsl(y - dn)) > rel * fabsl(y);
}

/* The correctly rounded f(x) (see the top of this file); *y the unrounded value it came from (as a
 * double: 2^-53 relative is 2^-29 ulp of float, far below the 0.001 ulp the reports print),
 * *unresolved set when no tier decides. */
static inline float vm_cr(rf_vm32_fn f, float x, double *y, int *unresolved)
{
    const double d = vm_ref_d(f, x);
    *unresolved = 0;
    *y = d;
    if (vm_decided(d, 0x1p-50)) return (float)d;
    const long double l = vm_ref_l(f, x);
    *y = (double)l;
    if (vm_decided_l(l, 0x1p-60L)) return (float)l;
    /* tanh(v), v = x / 2 tiny: |v| - |v|^3 / 3 < |tanh v| < |v|, i.e. within 2^-60 |v| below |v| for
     * |v| < 2^-30. v is a float or (x of odd last bit below 2^-125) a midpoint between two
     * subnormals; in both cases no other midpoint lies that close, so the correctly rounded value
     * is v itself or, at a midpoint, its neighbour toward zero. */
    if (f == RF_VM32_TANH_HALF && fabsf(x) < 0x1p-29f) {
        const double v = (double)x / 2.0;
        float r = (float)v;
        if ((double)r != v && fabsf(r) > fabs(v)) r = nextafterf(r, 0.0f);
        *y = v;
        return r;
    }
#if VM_QUAD_TIER
    const vm_quad q = vm_ref_q(f, x);
    if (vm_decided_q(q, (vm_quad)0x1p-100)) {
        *y = (double)q;
        return (float)q;
    }
#endif
    *unresolved = 1;
    return (float)l;
}

/* ulp(y) = 2^(floor(log2 |y|) - 23) from y's exponent field, 2^-149 below 2^-126. */
static inline double vm_ulp_err(float got, double y)
{
    if (isnan(got) || isnan(y)) return isnan(got) && isnan(y) ? 0.0 : INFINITY;
    if (isinf(y) || isinf(got)) return got == y ? 0.0 : INFINITY;
    uint64_t b;
    memcpy(&b, &y, sizeof b);
    const int e = (int)((b >> 52) & 0x7ff) - 1023;
    const uint64_t ub = (uint64_t)(e < -126 ? -149 + 1023 : e - 23 + 1023) << 52;
    double ulp;
    memcpy(&ulp, &ub, sizeof ulp);
    return fabs((double)got - y) / ulp;
}

static inline int vm_is_denormal(float x) { return x != 0.0f && fabsf(x) < FLT_MIN; }
/* What DAZ / FZ make of an operand and FTZ / FZ of a result: a denormal becomes zero of its sign. */
static inline float vm_flush(float x) { return vm_is_denormal(x) ? copysignf(0.0f, x) : x; }
static inline int vm_same(float a, float b) { return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0; }

typedef struct vm_worst {
    float x, got, cr;
    double err;
} vm_worst;

/* What one level's function did over the inputs given so far. */
typedef struct vm_stats {
    uint64_t judged, above, not_cr, unresolved, clamped, clamp_bad, outside;
    double max_err, max_err_denormal;
    vm_worst worst[VM_NWORST];
    uint64_t nan_in, nan_out_nan; /* NaN inputs, and how many gave NaN */
    float nan_example;            /* a non-NaN result of a NaN input */
    float pinf_out, ninf_out;     /* f(+inf), f(-inf) */
    uint64_t flush_checked, flush_bad;
    float flush_bad_x;
} vm_stats;

static inline void vm_stats_init(vm_stats *s)
{
    memset(s, 0, sizeof *s);
    s->pinf_out = s->ninf_out = s->nan_example = NAN;
    for (int i = 0; i < VM_NWORST; i++) s->worst[i].err = -1.0;
}

static inline void vm_note_worst(vm_worst *w, float x, float got, float cr, double err)
{
    if (err <= w[VM_NWORST - 1].err) return;
    int i = VM_NWORST - 1;
    for (; i > 0 && w[i - 1].err < err; i--) w[i] = w[i - 1];
    w[i] = (vm_worst){x, got, cr, err};
}

static inline void vm_stats_merge(vm_stats *to, const vm_stats *from)
{
    to->judged += from->judged, to->above += from->above, to->not_cr += from->not_cr;
    to->unresolved += from->unresolved, to->clamped += from->clamped, to->clamp_bad += from->clamp_bad;
    to->outside += from->outside, to->nan_in += from->nan_in, to->nan_out_nan += from->nan_out_nan;
    to->flush_checked += from->flush_checked, to->flush_bad += from->flush_bad;
    if (from->flush_bad && !to->flush_bad_x) to->flush_bad_x = from->flush_bad_x;
    to->max_err = fmax(to->max_err, from->max_err);
    to->max_err_denormal = fmax(to->max_err_denormal, from->max_err_denormal);
    for (int i = 0; i < VM_NWORST; i++)
        if (from->worst[i].err >= 0.0) vm_note_worst(to->worst, from->worst[i].x, from->worst[i].got, from->worst[i].cr, from->worst[i].err);
    if (!isnan(from->nan_example)) to->nan_example = from->nan_example;
    if (!isnan(from->pinf_out) || isnan(to->pinf_out)) to->pinf_out = isnan(from->pinf_out) ? to->pinf_out : from->pinf_out;
    if (!isnan(from->ninf_out)) to->ninf_out = from->ninf_out;
}

/* The reference of one input, computed once and shared by the levels judged on it. */
typedef struct vm_refval {
    double y;
    float cr;
    int unresolved;
} vm_refval;

static inline int vm_in_domain(const vm_spec *sp, float x) { return x >= sp->lo && x <= sp->hi; }

/* Judges got = f(x) of one level; at_clamp is that level's f(clamp_lo). */
static inline void vm_judge(const vm_spec *sp, vm_stats *s, float x, float got, const vm_refval *r, float at_clamp)
{
    if (isnan(x)) {
        s->nan_in++;
        if (isnan(got)) s->nan_out_nan++;
        else s->nan_example = got;
        return;
    }
    if (x == INFINITY) s->pinf_out = got;
    if (x == -INFINITY) s->ninf_out = got;
    if (x < sp->clamp_lo) {
        s->clamped++;
        if (!vm_same(got, at_clamp)) s->clamp_bad++;
        return;
    }
    if (!vm_in_domain(sp, x)) {
        s->outside++;
        return;
    }
    const double err = vm_ulp_err(got, r->y);
    s->judged++;
    s->unresolved += (uint64_t)r->unresolved;
    if (!vm_same(got, r->cr)) s->not_cr++;
    if (err > sp->bound) s->above++;
    if (err > s->max_err) s->max_err = err;
    if (vm_is_denormal(x) && err > s->max_err_denormal) s->max_err_denormal = err;
    vm_note_worst(s->worst, x, got, r->cr, err);
}

/* The flush check: under flushing, f(x) must equal flush(f(flush(x))) evaluated without it, as
 * stated in fast/generic/vmath_f32.h, with two stated exceptions: a result whose exact value is
 * subnormal but rounds to +-FLT_MIN may be flushed (tininess is detected before rounding), and
 * inputs below sp->flush_zero_below may give a zero. got_flush: f(x) with flushing; got_daz:
 * f(flush(x)) without. */
static inline void vm_judge_flush(const vm_spec *sp, vm_stats *s, float x, float got_flush, float got_daz)
{
    s->flush_checked++;
    const float want = vm_flush(got_daz);
    if (vm_same(got_flush, want)) return;
    if (got_flush == 0.0f && (fabsf(want) == FLT_MIN || fabsf(x) < sp->flush_zero_below)) return;
    if (!s->flush_bad) s->flush_bad_x = x;
    s->flush_bad++;
}

static inline void vm_print(FILE *o, const char *level, const vm_spec *sp, const vm_stats *s)
{
    fprintf(o, "%-7s %-13s judged %llu: max %.3f ulp (bound %.2f), above bound %llu, not correctly rounded %llu, "
               "unresolved %llu (CI sample bound %.2f); denormal inputs max %.3f ulp; outside domain %llu",
            level, sp->name, (unsigned long long)s->judged, s->max_err, sp->bound, (unsigned long long)s->above,
            (unsigned long long)s->not_cr, (unsigned long long)s->unresolved, sp->measured, s->max_err_denormal,
            (unsigned long long)s->outside);
    if (s->clamped) fprintf(o, "; below %g: %llu, not f(%g) %llu", (double)sp->clamp_lo, (unsigned long long)s->clamped, (double)sp->clamp_lo, (unsigned long long)s->clamp_bad);
    fprintf(o, "\n        NaN -> NaN %llu of %llu", (unsigned long long)s->nan_out_nan, (unsigned long long)s->nan_in);
    if (!isnan(s->nan_example)) fprintf(o, " (else %a)", (double)s->nan_example);
    fprintf(o, "; f(+inf) = %a, f(-inf) = %a", (double)s->pinf_out, (double)s->ninf_out);
    if (s->flush_checked)
        fprintf(o, "; flush: %llu checked, %llu differ from flush(f(flush(x)))%s", (unsigned long long)s->flush_checked,
                (unsigned long long)s->flush_bad, s->flush_bad ? " e.g. x=" : "");
    if (s->flush_bad) fprintf(o, "%a", (double)s->flush_bad_x);
    fputc('\n', o);
    for (int i = 0; i < VM_NWORST && s->worst[i].err >= 0.0; i++)
        fprintf(o, "        worst %d: x = %a (%.9g): got %a, correctly rounded %a, %.3f ulp\n", i + 1, (double)s->worst[i].x,
                (double)s->worst[i].x, (double)s->worst[i].got, (double)s->worst[i].cr, s->worst[i].err);
}

#endif
