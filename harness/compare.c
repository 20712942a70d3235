/* The judge (see compare.h). */
#include "compare.h"

#include <float.h>
#include <setjmp.h>
#include <signal.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

/* The value of element i of an array as a double (integers exactly up to 2^53). */
static double elem(const rf_array *a, uint64_t i)
{
    switch (a->dtype) {
    case RF_DT_U8: return ((const uint8_t *)a->data)[i];
    case RF_DT_I32: return ((const int32_t *)a->data)[i];
    case RF_DT_U32: return ((const uint32_t *)a->data)[i];
    case RF_DT_U64: return (double)((const uint64_t *)a->data)[i];
    case RF_DT_F32: return ((const float *)a->data)[i];
    case RF_DT_F64: return ((const double *)a->data)[i];
    default: return NAN;
    }
}

static bool is_integer(rf_dtype t)
{
    return t == RF_DT_U8 || t == RF_DT_I32 || t == RF_DT_U32 || t == RF_DT_U64;
}

/* Integer element as a 64-bit pattern (sign-extended for i32): exact for every integer dtype. */
static uint64_t elem_bits(const rf_array *a, uint64_t i)
{
    switch (a->dtype) {
    case RF_DT_U8: return ((const uint8_t *)a->data)[i];
    case RF_DT_I32: return (uint64_t)(int64_t)((const int32_t *)a->data)[i];
    case RF_DT_U32: return ((const uint32_t *)a->data)[i];
    default: return ((const uint64_t *)a->data)[i];
    }
}

/* Exact comparison: integers by value at full width (whatever the working dtype), floats by
 * their bits in the dtype of the output (the oracle's value rounded to it). */
static bool same_exact(const rf_array *got, const rf_array *want, uint64_t i)
{
    if (is_integer(got->dtype) && is_integer(want->dtype)) return elem_bits(got, i) == elem_bits(want, i);
    double g = elem(got, i), w = elem(want, i);
    if (isnan(g) || isnan(w)) return isnan(g) && isnan(w);
    if (got->dtype == RF_DT_F32) {
        float gf = (float)g, wf = (float)w;
        return memcmp(&gf, &wf, sizeof gf) == 0;
    }
    return memcmp(&g, &w, sizeof g) == 0;
}

/* Distance in units in the last place between two floats of the working dtype. */
static double ulp_distance(double got, double want, rf_dtype work)
{
    if (work == RF_DT_F32) {
        float g = (float)got, w = (float)want;
        int32_t gi, wi;
        memcpy(&gi, &g, 4);
        memcpy(&wi, &w, 4);
        int64_t go = gi < 0 ? (int64_t)INT32_MIN - gi : gi; /* monotone integer ordering */
        int64_t wo = wi < 0 ? (int64_t)INT32_MIN - wi : wi;
        return fabs((double)(go - wo));
    }
    int64_t gi, wi;
    memcpy(&gi, &got, 8);
    memcpy(&wi, &want, 8);
    long double go = gi < 0 ? (long double)INT64_MIN - gi : gi;
    long double wo = wi < 0 ? (long double)INT64_MIN - wi : wi;
    return (double)fabsl(go - wo);
}

static void note_first(rf_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_first(rf_verdict *v, const char *fmt, ...)
{
    if (v->detail[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->detail, sizeof v->detail, fmt, ap);
    va_end(ap);
}

/* Non-finite wants must be met exactly: NaN by NaN, an infinity by the same infinity.
 * Returns true when the element was settled here (matching or not). */
static bool settle_nonfinite(double g, double w, bool *ok)
{
    if (isfinite(w) && isfinite(g)) return false;
    *ok = (isnan(w) && isnan(g)) || (!isnan(w) && !isnan(g) && g == w);
    return true;
}

static bool compare_array(const rf_kernel *k, const rf_case *c, const rf_array *want,
                          const rf_array *got, rf_tol_class cls, rf_verdict *v)
{
    const char *x = want->name + 5; /* strip "want." */
    char sname[RF_NAME_MAX + 8], tname[RF_NAME_MAX + 8];
    snprintf(sname, sizeof sname, "scale.%s", x);
    snprintf(tname, sizeof tname, "tie.%s", x);
    const rf_array *scale = rf_case_find(c, sname), *tie = rf_case_find(c, tname);
    const rf_dtype work = c->work_dtype != RF_DT_NONE ? c->work_dtype : k->work_dtype;
    const double u = rf_unit_roundoff(work);

    uint64_t terms = 2;
    rf_param_u64(c->params, "terms", &terms);
    if (terms == 0) terms = 1;
    double tau = k->tol.tau;
    if (tau <= 0) tau = 8.0 * rf_ceil_log2(terms) + 8.0;
    else tau += k->tol.tau_per_log2 * rf_ceil_log2(terms);
    /* A case may carry its own derived tau per output (tau.<output>=T, written by the oracle when
     * the bound depends on the case's shape, e.g. d + 2 for a dot product of length d). */
    char tkey[RF_NAME_MAX + 8];
    double tcase;
    snprintf(tkey, sizeof tkey, "tau.%s", x);
    if (rf_param_f64(c->params, tkey, &tcase) && tcase > 0 && isfinite(tcase)) tau = tcase;
    /* Gradual underflow adds an absolute error of at most half the smallest subnormal to each
     * product (sums and differences of subnormals are exact), so the sum bound is
     * tau*u*S + terms*eta (eta taken as the whole smallest subnormal: half of it is not a double).
     * Without it an S below 2^-1021 made u*S round to 0 and 0/0 fail. */
    const double eta_terms = (double)terms * (work == RF_DT_F32 ? (double)FLT_TRUE_MIN : DBL_TRUE_MIN);
    const bool scaled = cls == RF_TOL_SUM || cls == RF_TOL_ITERATE || cls == RF_TOL_DECISION;
    if (scaled && (!scale || scale->count == 0 || want->count % scale->count != 0)) {
        snprintf(v->detail, sizeof v->detail, "%s: class %s needs %s dividing its length", want->name,
                 rf_tol_name(cls), sname);
        return false;
    }
    if (cls == RF_TOL_DECISION && (!tie || tie->count != scale->count)) {
        snprintf(v->detail, sizeof v->detail, "%s: class decision needs %s like %s", want->name,
                 tname, sname);
        return false;
    }
    /* tie.X in units of u S_a, compared with tau itself (registry.h: sum_tie_flips) */
    const bool tie_flips = cls == RF_TOL_SUM && k->sum_tie_flips && tie && tie->count == scale->count;
    if (cls == v->cls) {
        const double b = cls == RF_TOL_ULP ? k->tol.ulps : cls == RF_TOL_EXACT ? 0.0 : tau;
        if (b > v->bound) v->bound = b; /* outputs with their own tau: the verdict shows the largest */
    }
    const uint64_t block = scaled ? want->count / scale->count : 1;

    uint64_t near_ties = 0;
    for (uint64_t i = 0; i < want->count; i++) {
        const double w = elem(want, i), g = elem(got, i);
        bool ok = true;
        double ratio = 0.0;
        v->compared++;
        if (cls == RF_TOL_EXACT || cls == RF_TOL_DECISION) {
            ok = same_exact(got, want, i);
            if (!ok && cls == RF_TOL_DECISION) {
                const double t = elem(tie, i / block), s = elem(scale, i / block);
                if (fabs(t) <= tau * u * s) {
                    near_ties++;
                    ok = true;
                }
            }
        } else if (!settle_nonfinite(g, w, &ok)) {
            if (cls == RF_TOL_ULP) {
                ratio = ulp_distance(g, w, work);
                ok = ratio <= k->tol.ulps;
            } else {
                const double s = elem(scale, i / block);
                const double err = fabs(g - w);
                const double us = u * (s > 0 ? s : 0.0);
                ok = err <= tau * us + eta_terms;
                if (!ok && tie_flips && elem(tie, i / block) <= tau) {
                    v->near_ties++; /* a gate within its error of 0 took the other side */
                    continue;
                }
                ratio = err == 0 ? 0.0 : us > 0 ? err / us : INFINITY;
                if (ok && ratio > tau) ratio = tau; /* admitted as underflow */
            }
        }
        if (ratio > v->max_ratio) v->max_ratio = ratio;
        if (isfinite(g) && isfinite(w) && fabs(g - w) > v->max_abs) v->max_abs = fabs(g - w);
        if (!ok) {
            v->mismatches++;
            char why[64] = "";
            if (cls == RF_TOL_SUM || cls == RF_TOL_ITERATE) snprintf(why, sizeof why, " (outside tau*u*S)");
            else if (cls == RF_TOL_ULP) snprintf(why, sizeof why, " (%.3g ulps, bound %g)", ratio, (double)k->tol.ulps);
            note_first(v, "%s[%llu]: got %.9g want %.17g%s", x, (unsigned long long)i, g, w, why);
        }
    }
    /* decision: near-tie flips are tolerated only while rare (SPEC: < 1e-4 of the array's decisions) */
    v->near_ties += near_ties;
    if (near_ties > 0 && (double)near_ties >= 1e-4 * (double)want->count) {
        v->mismatches += near_ties;
        note_first(v, "%s: %llu near-tie flips in %llu decisions (limit: < 1e-4 of decisions)", x,
                   (unsigned long long)near_ties, (unsigned long long)want->count);
    }
    return true;
}

bool rf_compare_case(const rf_kernel *k, const rf_case *c, const rf_case *got, rf_verdict *v)
{
    memset(v, 0, sizeof *v);
    rf_tol_class cls = k->tol.cls;
    char tol[32];
    if (rf_param_str(c->params, "tol", tol, sizeof tol) && !rf_tol_parse(tol, &cls)) {
        snprintf(v->detail, sizeof v->detail, "case parameter tol=%s is not a tolerance class", tol);
        return false;
    }
    v->cls = cls;
    unsigned nwant = 0;
    for (unsigned a = 0; a < c->narrays; a++) {
        const rf_array *want = &c->arrays[a];
        if (strncmp(want->name, "want.", 5) != 0) continue;
        nwant++;
        const rf_array *out = rf_case_find(got, want->name + 5);
        if (!out) {
            snprintf(v->detail, sizeof v->detail, "implementation produced no output '%s'",
                     want->name + 5);
            return false;
        }
        if (out->count != want->count) {
            snprintf(v->detail, sizeof v->detail, "output '%s' has %llu elements, oracle has %llu",
                     out->name, (unsigned long long)out->count, (unsigned long long)want->count);
            return false;
        }
        /* A case may judge one output by another class: parameter tol.<output>=<class> (e.g. the
         * hard decisions next to the LLRs they come from, without a second copy of the inputs). */
        rf_tol_class acls = cls;
        char key[RF_NAME_MAX + 8];
        snprintf(key, sizeof key, "tol.%s", want->name + 5);
        if (rf_param_str(c->params, key, tol, sizeof tol) && !rf_tol_parse(tol, &acls)) {
            snprintf(v->detail, sizeof v->detail, "case parameter %s=%s is not a tolerance class", key, tol);
            return false;
        }
        if (!compare_array(k, c, want, out, acls, v)) return false;
    }
    if (nwant == 0) {
        snprintf(v->detail, sizeof v->detail, "case has no want.* arrays");
        return false;
    }
    if (cls == RF_TOL_EXACT || cls == RF_TOL_DECISION) v->max_ratio = (double)v->mismatches;
    v->pass = v->mismatches == 0;
    return true;
}

/* An access outside a placed array raises SIGSEGV (or SIGBUS); while a kernel runs under the judge
 * the handler jumps back to it, which reports the fault as the kernel's failure. The handlers are
 * installed only around the call and the previous ones (ASan's, libFuzzer's) restored after. */
static sigjmp_buf fault_jump;

static void on_fault(int sig)
{
    siglongjmp(fault_jump, sig);
}

static const char *placement_name(rf_placement p, char *buf, size_t len)
{
    char shift[48] = "";
    if (p.elems) snprintf(shift, sizeof shift, " + %zu elements (mod %zu bytes)", p.elems, p.span);
    if (p.mode == RF_PLACE_END && !p.offset && !p.elems) snprintf(buf, len, "end against a guard page");
    else if (p.mode == RF_PLACE_END) snprintf(buf, len, "end %zu bytes%s before a guard page", p.offset, shift);
    else if (p.mode == RF_PLACE_START) snprintf(buf, len, "start %zu bytes%s after a guard page", p.offset, shift);
    else snprintf(buf, len, "64-byte aligned");
    return buf;
}

static uint64_t outputs_hash(const rf_case *out)
{
    uint64_t h = 0;
    for (unsigned i = 0; i < out->narrays; i++) {
        const rf_array *a = &out->arrays[i];
        h = XXH3_64bits_withSeed(a->name, strlen(a->name), h ^ (uint64_t)a->dtype);
        h = XXH3_64bits_withSeed(a->data, (size_t)a->count * rf_dtype_size(a->dtype), h);
    }
    return h;
}

bool rf_judge_placed(const rf_impl *im, const rf_case *c, rf_placement place, rf_verdict *v)
{
    const rf_kernel *k = im->kernel;
    const char *refused = im->kind != RF_IMPL_LEVEL && k->peer_refuses ? k->peer_refuses(im, c) : NULL;
    if (refused) {
        memset(v, 0, sizeof *v);
        v->cls = k->tol.cls;
        v->pass = v->not_applicable = true;
        snprintf(v->detail, sizeof v->detail, "%s", refused);
        return true;
    }
    static rf_case out; /* static: a fault jumps over the frame that would own it */
    rf_case_init(&out, c->kernel, c->name, c->params);
    memset(v, 0, sizeof *v);
    static char err[256];
    err[0] = '\0';
    bool ok;
    if (!im->fn && k->id != RF_ALGORITHM) {
        snprintf(v->detail, sizeof v->detail, "no implementation");
        rf_case_free(&out);
        return false;
    }
    struct sigaction fault = {0}, old_segv, old_bus;
    fault.sa_handler = on_fault;
    sigemptyset(&fault.sa_mask);
    sigaction(SIGSEGV, &fault, &old_segv);
    sigaction(SIGBUS, &fault, &old_bus);
    const int sig = sigsetjmp(fault_jump, 1);
    int rc = -1;
    if (sig == 0) rc = rf_kernel_run_placed(im, c, place, &out, err, sizeof err);
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    char where[96];
    if (sig != 0) {
        rf_kernel_run_abandoned();
        snprintf(v->detail, sizeof v->detail, "%s: %s, an access outside its arrays or an aligned access to a misaligned one (placed: %s)",
                 im->label, sig == SIGBUS ? "SIGBUS" : "SIGSEGV", placement_name(place, where, sizeof where));
        v->cls = k->tol.cls;
        v->pass = false;
        ok = true; /* it ran, and failed */
    } else if (rc != 0) {
        snprintf(v->detail, sizeof v->detail, "run failed: %s", err);
        ok = false;
    } else {
        ok = rf_compare_case(k, c, &out, v);
        v->out_hash = outputs_hash(&out);
    }
    rf_case_free(&out);
    return ok;
}

bool rf_judge(const rf_impl *im, const rf_case *c, rf_verdict *v)
{
    return rf_judge_placed(im, c, (rf_placement){.mode = RF_PLACE_END}, v);
}
