/* Golden cases of the pMoE kernels whose expected outputs are the pMoE authors' numbers
 * (../shared/pmoe-reference/, README there: a float64 re-implementation of the exact graph of the
 * authors' TensorFlow scripts, written twice, the two agreeing to 1e-15).
 *
 * A case names its folder (source=<folder>) and the kernel shape the folder holds; make_inputs
 * reads the folder ($REFAST_PMOE_REFERENCE, default ../shared/pmoe-reference relative to the
 * working directory: `refast golden generate` runs from the checkout) and records the XXH3-64 of
 * every file it reads as the parameter xxh.<file> (xxh.<folder>/<file> for files of another folder,
 * e.g. the inputs in data/). Only the outputs the folder holds are judged (want.X = THEIR value);
 * the kernel's other outputs have no want.
 *
 * Inputs. The folder's arrays, in double, rounded to the kernel's dtype. Inputs a kernel needs that
 * the folder does not hold are computed by the long double oracle from the authors' arrays (never
 * from our own forward values where theirs exist) and rounded to double: z and c of the expert
 * backward (from x, W, a, their selection and G), dL/df (from THEIR f), dL/dG and dL/dg for the
 * routing backward (from their g, G, and for gate_* from U and the inputs).
 *
 * Bound (derivation). For output X with the authors' value A, the kernel's got on the inputs
 * in_t (rounded to the dtype t) and the exact double inputs in_64:
 *   |got - A| <= |got - K(in_t)| + |K(in_t) - K(in_64)| + |K(in_64) - A|
 * with K the exact function (the long double oracle):
 *   1. tau u_t S_t: the kernel's own derived bound on the inputs it is given (kernels/registry/
 *      pmoe.c, refast/pmoe.h), S_t the oracle's sum of |terms| on in_t;
 *   2. D = |K(in_t) - K(in_64)|, computed by the oracle: the exact effect of rounding the authors'
 *      double inputs to float (0 for the f64 kernels but for the derived inputs, below);
 *   3. E = 2 tau u_64 S_64 + u_64 |K(in_64)|: the authors' numbers are a float64 evaluation of the
 *      same sums, so they carry the same bound tau u_64 S_64 (the precision the numbers carry: the
 *      README's two implementations agree to 1e-15); the second tau u_64 S_64 covers rounding the
 *      derived inputs to double (each term has at most 3 such factors, each off by u_64, and
 *      tau >= 3), u_64 |K| the rounding of the oracle's value to double.
 * The case stores tau.X = tau and scale.X = S_t + (D + E) / (tau u_t), so the judge's tau u_t scale
 * is exactly the sum. The generation refuses a case where |K(in_64) - A| > E: then the authors'
 * computation and ours differ (one side misread it), which must be found out, not absorbed.
 * Selections (idx) are the authors' exact indices (tol.idx=exact); generation also requires the
 * oracle's selection on the rounded values to equal them (the README's margins are >= 2.3e-6, far
 * above float rounding of g).
 */
#include "pmoe_authors.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "bytes.h"
#include "common.h"
#include "oracle_pmoe.h"
#include "refast/pmoe.h"

#define AU_MAX_BYTES ((uint64_t)1 << 26)

static const char *au_root(void)
{
    const char *d = getenv("REFAST_PMOE_REFERENCE");
    return d && *d ? d : "../shared/pmoe-reference";
}

bool rf_pmoe_is_authors(const rf_case *c)
{
    char src[64];
    return rf_param_str(c->params, "source", src, sizeof src);
}

/* What one build needs: the case's shape, where the exact arrays go, where provenance goes. */
typedef struct au_ctx {
    char src[64];
    rf_case *rec; /* xxh.* parameters (NULL: the oracle's second read, already recorded) */
    rf_case *e;   /* in.* in double (u8 labels, i32 selections) and auth.* */
    size_t B, n, d, k, h, l, nb; /* nb: the samples the folder holds */
    int gate, tie, cnn, paper;
    char *err;
    size_t errlen;
} au_ctx;

/* The whole file <root>/<folder>/<file>, exactly `bytes` long (the MANIFEST's shape). */
static void *au_read(au_ctx *a, const char *folder, const char *file, size_t bytes)
{
    char path[1024], why[512];
    snprintf(path, sizeof path, "%s/%s/%s", au_root(), folder, file);
    uint8_t *data = NULL;
    size_t len = 0;
    if (!rf_read_file(path, AU_MAX_BYTES, &data, &len, why, sizeof why)) {
        rf_run_error(a->err, a->errlen, "pMoE reference data (set REFAST_PMOE_REFERENCE or run from a checkout "
                     "next to ../shared/pmoe-reference): %s", why);
        return NULL;
    }
    if (len != bytes) {
        free(data);
        rf_run_error(a->err, a->errlen, "%s: %zu bytes, expected %zu", path, len, bytes);
        return NULL;
    }
    if (a->rec) {
        char key[160];
        if (strcmp(folder, a->src) == 0) snprintf(key, sizeof key, "xxh.%s", file);
        else snprintf(key, sizeof key, "xxh.%s/%s", folder, file);
        rf_case_set_param(a->rec, key, "%016llx", (unsigned long long)XXH3_64bits(data, len));
    }
    return data;
}

static double *au_f64(au_ctx *a, const char *folder, const char *file, size_t count)
{
    return au_read(a, folder, file, count * sizeof(double));
}

static int32_t *au_i32(au_ctx *a, const char *folder, const char *file, size_t count)
{
    return au_read(a, folder, file, count * sizeof(int32_t));
}

static int au_oom(au_ctx *a)
{
    return rf_run_error(a->err, a->errlen, "out of memory");
}

/* name (in.* or auth.*) as f64 in the exact case */
static int au_put(au_ctx *a, const char *name, const double *src, size_t count)
{
    double *dst = rf_case_add1(a->e, name, RF_DT_F64, count);
    if (!dst) return au_oom(a);
    memcpy(dst, src, count * sizeof *dst);
    return 0;
}

static int au_put_i32(au_ctx *a, const char *name, const int32_t *src, size_t count)
{
    int32_t *dst = rf_case_add1(a->e, name, RF_DT_I32, count);
    if (!dst) return au_oom(a);
    memcpy(dst, src, count * sizeof *dst);
    return 0;
}

/* ---- the folders ---------------------------------------------------------------------------------- */

enum au_folder { AU_CNN, AU_ROUTER, AU_SEP, AU_JOINT, AU_GATEF, AU_TIE, AU_UNKNOWN };

static enum au_folder au_folder_of(const char *src)
{
    if (!strcmp(src, "cnn_m4") || !strcmp(src, "cnn_m40")) return AU_CNN;
    if (!strcmp(src, "router")) return AU_ROUTER;
    if (!strcmp(src, "sep_l2")) return AU_SEP;
    if (!strcmp(src, "joint_k8_l6") || !strcmp(src, "joint_k8_l6_codeinit")) return AU_JOINT;
    if (!strcmp(src, "gate_mnist") || !strcmp(src, "gate_wrn")) return AU_GATEF;
    if (!strcmp(src, "tie")) return AU_TIE;
    return AU_UNKNOWN;
}

/* The case's shape must be the folder's (a typo in a case table is an error, not another case). */
static int au_expect(au_ctx *a, size_t n, size_t d, size_t k, size_t h, size_t l, int gate, int tie)
{
    if (a->n != n || a->d != d || (k && a->k != k) || (h && a->h != h) || (l && a->l != l) ||
        (gate >= 0 && a->gate != gate) || (tie >= 0 && a->tie != tie))
        return rf_run_error(a->err, a->errlen,
                            "source=%s holds n=%zu d=%zu k=%zu h=%zu l=%zu gate=%d tie=%d; the case says n=%zu d=%zu "
                            "k=%zu h=%zu l=%zu gate=%d tie=%d", a->src, n, d, k, h, l, gate, tie, a->n, a->d, a->k,
                            a->h, a->l, a->gate, a->tie);
    return 0;
}

/* the folder's model shape */
static int au_model_shape(au_ctx *a, enum au_folder f)
{
    switch (f) {
    case AU_CNN: return au_expect(a, 16, 784, 1, strcmp(a->src, "cnn_m4") ? 40 : 4, 16, RF_PMOE_GATE_ONE, -1);
    case AU_SEP: return au_expect(a, 16, 784, 2, 20, 2, RF_PMOE_GATE_ONE, RF_PMOE_TIE_COL);
    case AU_JOINT: return au_expect(a, 16, 784, 8, 5, 6, RF_PMOE_GATE_SOFTMAX, RF_PMOE_TIE_ROW);
    case AU_GATEF:
        return au_expect(a, 16, 12, 1, 0, 3, strcmp(a->src, "gate_wrn") ? RF_PMOE_GATE_SOFTMAX : RF_PMOE_GATE_WRN,
                         RF_PMOE_TIE_ROW);
    default: return au_expect(a, 16, 784, 0, 0, 0, -1, -1);
    }
}

/* in.x: the first B samples as patches x[(b n + j) d + p] */
static int au_x(au_ctx *a, enum au_folder f)
{
    const size_t B = a->B, n = a->n, d = a->d;
    double *x = rf_case_add1(a->e, "in.x", RF_DT_F64, B * n * d);
    if (!x) return au_oom(a);
    if (f == AU_GATEF) { /* NHWC (2,8,8,3), 2x2 patches, stride 2: j = 4R + C, p = (2u + v) 3 + ch */
        double *in = au_f64(a, a->src, "inputs.f64", 2 * 8 * 8 * 3);
        if (!in) return -1;
        for (size_t b = 0; b < B; b++)
            for (size_t j = 0; j < 16; j++)
                for (size_t u = 0; u < 2; u++)
                    for (size_t v = 0; v < 2; v++)
                        for (size_t ch = 0; ch < 3; ch++)
                            x[(b * 16 + j) * 12 + (2 * u + v) * 3 + ch] =
                                in[((b * 8 + 2 * (j / 4) + u) * 8 + 2 * (j % 4) + v) * 3 + ch];
        free(in);
    } else if (f == AU_TIE) { /* (2,112,112) images: Xp[b,j,28u+v] = X[b,28R+u,28C+v] */
        double *im = au_f64(a, "tie", "X.f64", 2 * 112 * 112);
        if (!im) return -1;
        for (size_t b = 0; b < B; b++)
            for (size_t j = 0; j < 16; j++)
                for (size_t u = 0; u < 28; u++)
                    for (size_t v = 0; v < 28; v++)
                        x[(b * 16 + j) * 784 + 28 * u + v] = im[(b * 112 + 28 * (j / 4) + u) * 112 + 28 * (j % 4) + v];
        free(im);
    } else {
        double *xp = au_f64(a, "data", "Xp.f64", 8 * 16 * 784);
        if (!xp) return -1;
        memcpy(x, xp, B * n * d * sizeof *x);
        free(xp);
    }
    return 0;
}

/* in.y (u8 label01) and the kernels' y in {-1, +1} */
static int au_y(au_ctx *a, int8_t *y)
{
    int32_t *lab = au_i32(a, "data", "label01.i32", 8);
    uint8_t *dst = lab ? rf_case_add1(a->e, "in.y", RF_DT_U8, a->B) : NULL;
    if (dst)
        for (size_t b = 0; b < a->B; b++) {
            dst[b] = lab[b] != 0;
            y[b] = lab[b] ? 1 : -1;
        }
    free(lab);
    return dst ? 0 : lab ? au_oom(a) : -1;
}

/* The folder's selections (B k l, ascending): sel_idx, or for gate_* the support of their G. */
static int32_t *au_sel(au_ctx *a, enum au_folder f, const char *file)
{
    const size_t rows = a->B * a->k;
    if (f != AU_GATEF) return au_i32(a, a->src, file, a->nb * a->k * a->l);
    double *G = au_f64(a, a->src, "G.f64", 2 * 16);
    int32_t *idx = G ? malloc(rows * a->l * sizeof *idx) : NULL;
    for (size_t r = 0; idx && r < rows; r++) {
        size_t t = 0;
        for (size_t j = 0; j < 16; j++)
            if (G[r * 16 + j] != 0) {
                if (t == a->l) break;
                idx[r * a->l + t++] = (int32_t)j;
            }
        if (t != a->l) {
            free(G), free(idx);
            rf_run_error(a->err, a->errlen, "%s/G.f64 row %zu does not have exactly l=%zu nonzero gates", a->src, r,
                         a->l);
            return NULL;
        }
    }
    free(G);
    if (G && !idx) au_oom(a);
    return idx;
}

/* The authors' G at the selected slots (their G.f64 is scattered over all n patches). */
static double *au_G_slots(au_ctx *a, const int32_t *idx)
{
    const size_t rows = a->B * a->k, n = a->n, l = a->l;
    double *full = au_f64(a, a->src, "G.f64", a->nb * a->k * n);
    double *G = full ? malloc(rows * l * sizeof *G) : NULL;
    for (size_t r = 0; G && r < rows; r++)
        for (size_t t = 0; t < l; t++) G[r * l + t] = full[r * n + (size_t)idx[r * l + t]];
    free(full);
    if (full && !G) au_oom(a);
    return G;
}

static double au_scale(const au_ctx *a)
{
    return 1.0 / (double)(a->paper ? a->l : a->n);
}

/* z and c of the expert forward, dL/df from THEIR f, and (want_dG) dL/dG: the derived inputs of
 * the backward kernels, in long double, rounded to double. */
typedef struct au_bwd {
    double *z, *c, *dldf, *dG;
} au_bwd;

static void au_bwd_free(au_bwd *w)
{
    free(w->z), free(w->c), free(w->dldf), free(w->dG);
}

static int au_derive_bwd(au_ctx *a, const double *x, const int32_t *idx, const double *G, const double *W,
                         const double *av, const double *f, const int8_t *y, bool want_dG, au_bwd *o)
{
    const size_t B = a->B, n = a->n, d = a->d, k = a->k, h = a->h, l = a->l, rows = B * k;
    const size_t nz = rows * l * h, nw = k * h * d;
    long double *z = malloc(nz * sizeof *z), *c = malloc(rows * l * sizeof *c), *ff = malloc(B * sizeof *ff);
    long double *t1 = malloc(B * sizeof *t1), *t2 = malloc(B * sizeof *t2), *q = malloc(B * sizeof *q);
    long double *dW = malloc(nw * sizeof *dW), *dWs = malloc(nw * sizeof *dWs), *dG = malloc(rows * l * sizeof *dG);
    long double *dGs = malloc(rows * l * sizeof *dGs), loss, ls;
    memset(o, 0, sizeof *o);
    o->z = malloc(nz * sizeof(double));
    o->c = malloc(rows * l * sizeof(double));
    o->dldf = malloc(B * sizeof(double));
    o->dG = malloc(rows * l * sizeof(double));
    int rc = 0;
    if (!z || !c || !ff || !t1 || !t2 || !q || !dW || !dWs || !dG || !dGs || !o->z || !o->c || !o->dldf || !o->dG) {
        rc = au_oom(a);
    } else {
        ora_pmoe_expert_fwd(x, B, n, d, idx, G, k, l, W, av, h, au_scale(a), z, NULL, c, NULL, ff, t1);
        for (size_t i = 0; i < nz; i++) o->z[i] = (double)z[i];
        for (size_t i = 0; i < rows * l; i++) o->c[i] = (double)c[i];
        ora_pmoe_logistic(f, y, B, t1, t2, &loss, &ls, q, ff);
        for (size_t b = 0; b < B; b++) o->dldf[b] = (double)q[b];
        if (want_dG) {
            ora_pmoe_expert_bwd(x, B, n, d, idx, G, k, l, av, h, au_scale(a), o->z, o->c, o->dldf, dW, dWs, dG, dGs);
            for (size_t i = 0; i < rows * l; i++) o->dG[i] = (double)dG[i];
        }
    }
    free(z), free(c), free(ff), free(t1), free(t2), free(q), free(dW), free(dWs), free(dG), free(dGs);
    if (rc) au_bwd_free(o);
    return rc;
}

/* dL/dg of the routing values from dL/dG on the selected slots (their g), rounded to double. */
static double *au_dg(au_ctx *a, const double *g, const int32_t *idx, const double *dG)
{
    const size_t rows = a->B * a->k, n = a->n;
    long double *dg = malloc(rows * n * sizeof *dg), *s = malloc(rows * n * sizeof *s);
    double *out = malloc(rows * n * sizeof *out);
    if (dg && s && out) {
        ora_pmoe_gate_bwd(g, idx, dG, rows, n, a->l, a->gate, dg, s);
        for (size_t i = 0; i < rows * n; i++) out[i] = (double)dg[i];
    } else {
        free(out), out = NULL;
        au_oom(a);
    }
    free(dg), free(s);
    return out;
}

/* gate_*: dL/dG_j = sum over patch j of U * inputs (L = sum(U * outputs), outputs = inputs * G). */
static double *au_gatef_dG(au_ctx *a, const double *x, const int32_t *idx)
{
    double *U = au_f64(a, a->src, "U.f64", 2 * 8 * 8 * 3);
    double *dG = U ? malloc(a->B * a->l * sizeof *dG) : NULL;
    for (size_t b = 0; dG && b < a->B; b++)
        for (size_t t = 0; t < a->l; t++) {
            const size_t j = (size_t)idx[b * a->l + t];
            long double s = 0;
            for (size_t u = 0; u < 2; u++)
                for (size_t v = 0; v < 2; v++)
                    for (size_t ch = 0; ch < 3; ch++)
                        s += (long double)U[((b * 8 + 2 * (j / 4) + u) * 8 + 2 * (j % 4) + v) * 3 + ch] *
                             x[(b * 16 + j) * 12 + (2 * u + v) * 3 + ch];
            dG[b * a->l + t] = (double)s;
        }
    free(U);
    if (U && !dG) au_oom(a);
    return dG;
}

/* ---- per kernel ------------------------------------------------------------------------------------ */

static int au_need_batch(au_ctx *a)
{
    if (a->B != a->nb)
        return rf_run_error(a->err, a->errlen, "this output is a batch mean: source=%s needs B=%zu", a->src, a->nb);
    return 0;
}

/* Every array of the case from the folder (ctx filled with the shape). */
static int au_build(int kind, au_ctx *a)
{
    const enum au_folder f = au_folder_of(a->src);
    if (f == AU_UNKNOWN) return rf_run_error(a->err, a->errlen, "unknown pMoE reference folder source=%s", a->src);
    a->nb = f == AU_GATEF || f == AU_TIE ? 2 : 8;
    if (a->B > a->nb) return rf_run_error(a->err, a->errlen, "source=%s holds %zu samples, the case asks B=%zu", a->src,
                                          a->nb, a->B);
    char use[16] = "";
    rf_param_str(a->e->params, "use", use, sizeof use);
    const size_t B = a->B, n = a->n, k = a->k, l = a->l, rows = B * k;
    int8_t y[8];
    double *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
    int32_t *idx = NULL;
    au_bwd bw = {0};
    int rc = 0;
#define TRY(e)                                                                                                     \
    do {                                                                                                           \
        if ((e)) {                                                                                                 \
            rc = -1;                                                                                               \
            goto done;                                                                                             \
        }                                                                                                          \
    } while (0)
    switch ((enum pm_kind)kind) {
    case PM_ROUTE: {
        const char *wf = NULL, *gf = NULL;
        if (f == AU_SEP || f == AU_JOINT || f == AU_GATEF) {
            TRY(au_model_shape(a, f));
            wf = f == AU_SEP ? "R.f64" : f == AU_JOINT ? "Wg.f64" : "kernel.f64";
            gf = "g.f64";
        } else if (f == AU_TIE && (!strcmp(use, "joint") || !strcmp(use, "sep"))) {
            const bool j = !strcmp(use, "joint");
            TRY(au_expect(a, 16, 784, j ? 8 : 2, 0, 0, -1, -1));
            wf = j ? "joint_Wg.f64" : "sep_R.f64";
            gf = j ? "joint_g.f64" : "sep_g.f64";
        } else {
            TRY(rf_run_error(a->err, a->errlen, "pmoe_route has no reference in source=%s (use=joint|sep for tie)",
                             a->src));
        }
        TRY(au_x(a, f));
        TRY(!(p1 = au_f64(a, a->src, wf, k * a->d)) || au_put(a, "in.w", p1, k * a->d));
        TRY(!(p2 = au_f64(a, a->src, gf, a->nb * k * n)) || au_put(a, "auth.g", p2, rows * n));
        break;
    }
    case PM_TOPL:
    case PM_GATE: {
        const char *gf = "g.f64", *sf = "sel_idx.i32";
        if (f == AU_TIE && kind == PM_TOPL && (!strcmp(use, "joint") || !strcmp(use, "sep"))) {
            const bool j = !strcmp(use, "joint");
            TRY(au_expect(a, 16, 784, j ? 8 : 2, 0, j ? 6 : 2, -1, j ? RF_PMOE_TIE_ROW : RF_PMOE_TIE_COL));
            gf = j ? "joint_g.f64" : "sep_g.f64";
            sf = j ? "joint_sel_idx_l6.i32" : "sep_sel_idx_l2.i32";
        } else if ((f == AU_SEP && kind == PM_TOPL) || f == AU_JOINT || f == AU_GATEF) {
            TRY(au_model_shape(a, f));
        } else {
            TRY(rf_run_error(a->err, a->errlen, "%s has no reference in source=%s", kind == PM_TOPL ? "pmoe_topl" :
                             "pmoe_gate", a->src));
        }
        TRY(!(p1 = au_f64(a, a->src, gf, a->nb * k * n)) || au_put(a, "in.g", p1, rows * n));
        TRY(!(idx = au_sel(a, f, sf)));
        if (kind == PM_TOPL) TRY(au_put_i32(a, "auth.idx", idx, rows * l));
        else TRY(au_put_i32(a, "in.idx", idx, rows * l) || !(p2 = au_G_slots(a, idx)) || au_put(a, "auth.G", p2, rows * l));
        break;
    }
    case PM_EXPERT_FWD:
    case PM_EXPERT_BWD: {
        if (f != AU_CNN && f != AU_SEP && f != AU_JOINT)
            TRY(rf_run_error(a->err, a->errlen, "the experts have no reference in source=%s", a->src));
        TRY(au_model_shape(a, f));
        if (a->paper && (kind == PM_EXPERT_BWD || f == AU_CNN))
            TRY(rf_run_error(a->err, a->errlen, "source=%s holds scale=paper only for the f of sep_l2 and joint",
                             a->src));
        if (kind == PM_EXPERT_BWD) TRY(au_need_batch(a));
        TRY(au_x(a, f));
        const size_t nw = k * a->h * a->d;
        TRY(!(p1 = au_f64(a, a->src, "W.f64", nw)) || !(p2 = au_f64(a, a->src, "a.f64", k * a->h)) ||
            au_put(a, "in.a", p2, k * a->h));
        if (f != AU_CNN) TRY(!(idx = au_sel(a, f, "sel_idx.i32")) || au_put_i32(a, "in.idx", idx, rows * l));
        if (f == AU_JOINT) TRY(!(p3 = au_G_slots(a, idx)) || au_put(a, "in.G", p3, rows * l));
        if (kind == PM_EXPERT_FWD) {
            TRY(au_put(a, "in.W", p1, nw));
            if (f == AU_CNN) TRY(!(p4 = au_f64(a, a->src, "h.f64", a->nb * n * a->h)) || au_put(a, "auth.z", p4, B * n * a->h));
            free(p4);
            p4 = NULL;
            TRY(!(p4 = au_f64(a, a->src, a->paper ? "f_paper_scale.f64" : "f.f64", a->nb)) || au_put(a, "auth.f", p4, B));
        } else {
            const double *x = rf_case_data(a->e, "in.x", RF_DT_F64, NULL);
            TRY(!(p4 = au_f64(a, a->src, "f.f64", a->nb)) || au_y(a, y) ||
                au_derive_bwd(a, x, f == AU_CNN ? NULL : idx, p3, p1, p2, p4, y, false, &bw));
            TRY(au_put(a, "in.z", bw.z, rows * l * a->h) || au_put(a, "in.c", bw.c, rows * l) ||
                au_put(a, "in.dldf", bw.dldf, B));
            free(p1);
            TRY(!(p1 = au_f64(a, a->src, "dW.f64", nw)) || au_put(a, "auth.dW", p1, nw));
        }
        break;
    }
    case PM_LOGISTIC:
        if (f != AU_CNN && f != AU_SEP && f != AU_JOINT)
            TRY(rf_run_error(a->err, a->errlen, "pmoe_logistic has no reference in source=%s", a->src));
        TRY(au_need_batch(a) || !(p1 = au_f64(a, a->src, "f.f64", B)) || au_put(a, "in.f", p1, B) || au_y(a, y));
        TRY(!(p2 = au_f64(a, a->src, "loss_per.f64", B)) || au_put(a, "auth.loss_per", p2, B));
        TRY(!(p3 = au_f64(a, a->src, "loss.f64", 1)) || au_put(a, "auth.loss", p3, 1));
        break;
    case PM_ROUTE_BWD: {
        if (f != AU_JOINT && f != AU_GATEF)
            TRY(rf_run_error(a->err, a->errlen, "pmoe_route_bwd has no reference in source=%s", a->src));
        TRY(au_model_shape(a, f) || au_need_batch(a) || au_x(a, f));
        const double *x = rf_case_data(a->e, "in.x", RF_DT_F64, NULL);
        TRY(!(p1 = au_f64(a, a->src, "g.f64", rows * n)) || !(idx = au_sel(a, f, "sel_idx.i32")));
        if (f == AU_JOINT) {
            const size_t nw = k * a->h * a->d;
            TRY(!(p2 = au_f64(a, a->src, "W.f64", nw)) || !(p3 = au_f64(a, a->src, "a.f64", k * a->h)) ||
                !(p4 = au_G_slots(a, idx)));
            double *fa = au_f64(a, a->src, "f.f64", B);
            rc = !fa || au_y(a, y) ? -1 : au_derive_bwd(a, x, idx, p4, p2, p3, fa, y, true, &bw);
            free(fa);
            TRY(rc);
            free(p2);
            TRY(!(p2 = au_dg(a, p1, idx, bw.dG)) || au_put(a, "in.dg", p2, rows * n));
            free(p3);
            TRY(!(p3 = au_f64(a, a->src, "dWg.f64", k * a->d)) || au_put(a, "auth.dw", p3, k * a->d));
        } else {
            TRY(!(p4 = au_gatef_dG(a, x, idx)) || !(p2 = au_dg(a, p1, idx, p4)) || au_put(a, "in.dg", p2, rows * n));
            TRY(!(p3 = au_f64(a, a->src, "dkernel.f64", a->d)) || au_put(a, "auth.dw", p3, a->d));
        }
        break;
    }
    case PM_ROUTER_LOSS:
        if (f != AU_ROUTER) TRY(rf_run_error(a->err, a->errlen, "pmoe_router_loss has its reference in source=router"));
        TRY(au_model_shape(a, f) || au_need_batch(a) || au_x(a, f) || au_y(a, y));
        TRY(!(p1 = au_f64(a, a->src, "W.f64", 2 * a->d)) || au_put(a, "in.w", p1, 2 * a->d));
        TRY(!(p2 = au_f64(a, a->src, "f.f64", B)) || au_put(a, "auth.f", p2, B));
        free(p2);
        TRY(!(p2 = au_f64(a, a->src, "loss_per.f64", B)) || au_put(a, "auth.loss_per", p2, B));
        TRY(!(p3 = au_f64(a, a->src, "loss.f64", 1)) || au_put(a, "auth.loss", p3, 1));
        TRY(!(p4 = au_f64(a, a->src, "dW.f64", 2 * a->d)) || au_put(a, "auth.dw", p4, 2 * a->d));
        break;
    case PM_SGD: {
        /* use=Wg: the gating kernels of the joint model; else the trained weights W */
        const bool wg = !strcmp(use, "Wg");
        if (f != AU_CNN && f != AU_ROUTER && f != AU_SEP && f != AU_JOINT)
            TRY(rf_run_error(a->err, a->errlen, "pmoe_sgd has no reference in source=%s", a->src));
        if (wg && f != AU_JOINT) TRY(rf_run_error(a->err, a->errlen, "use=Wg is a joint_* folder's"));
        const size_t kk = f == AU_CNN ? 1 : f == AU_ROUTER ? 1 : wg ? 8 : f == AU_SEP ? 2 : 8;
        const size_t hh = f == AU_CNN ? (strcmp(a->src, "cnn_m4") ? 40 : 4) : f == AU_ROUTER ? 2 : wg ? 1 : f == AU_SEP ? 20 : 5;
        TRY(au_expect(a, 16, 784, kk, hh, 0, -1, -1));
        double lr = 0.2;
        rf_param_f64(a->e->params, "lr", &lr);
        if (lr != 0.2) TRY(rf_run_error(a->err, a->errlen, "the reference steps use lr=0.2"));
        const size_t nw = kk * hh * a->d;
        TRY(!(p1 = au_f64(a, a->src, wg ? "Wg.f64" : "W.f64", nw)) || au_put(a, "in.w", p1, nw));
        TRY(!(p2 = au_f64(a, a->src, wg ? "dWg.f64" : "dW.f64", nw)) || au_put(a, "in.grad", p2, nw));
        TRY(!(p3 = au_f64(a, a->src, wg ? "Wg_after_sgd.f64" : "W_after_sgd.f64", nw)) || au_put(a, "auth.w", p3, nw));
        break;
    }
    case PM_GATE_BWD: /* no folder holds dL/dg: gate_bwd is pinned through route_bwd's dw */
    default: TRY(rf_run_error(a->err, a->errlen, "this pMoE kernel has no reference numbers"));
    }
#undef TRY
done:
    free(p1), free(p2), free(p3), free(p4), free(idx);
    au_bwd_free(&bw);
    return rc;
}

/* The shape parameters (already checked by the registry's pm_read_shape where it matters). */
static int au_ctx_init(au_ctx *a, const rf_case *c, rf_case *e, rf_case *rec, char *err, size_t errlen)
{
    static const char *const ties[] = {"row", "col", NULL};
    static const char *const gates[] = {"one", "softmax", "wrn", NULL};
    static const char *const scales[] = {"code", "paper", NULL};
    memset(a, 0, sizeof *a);
    a->err = err;
    a->errlen = errlen;
    a->e = e;
    a->rec = rec;
    uint64_t B = 0, n = 0, d = 0, k = 1, h = 1, l = 1, cnn = 0;
    rf_param_str(c->params, "source", a->src, sizeof a->src);
    if (!rf_need_u64(c, "B", 1, 8, &B, err, errlen) || !rf_need_u64(c, "n", 1, 16, &n, err, errlen) ||
        !rf_need_u64(c, "d", 1, 784, &d, err, errlen))
        return -1;
    rf_param_u64(c->params, "k", &k);
    rf_param_u64(c->params, "h", &h);
    rf_param_u64(c->params, "l", &l);
    rf_param_u64(c->params, "cnn", &cnn);
    const int tie = rf_param_keyword(c, "tie", ties, 0, err, errlen);
    const int gate = rf_param_keyword(c, "gate", gates, 0, err, errlen);
    const int paper = rf_param_keyword(c, "scale", scales, 0, err, errlen);
    if (tie < 0 || gate < 0 || paper < 0) return -1;
    a->B = B, a->n = n, a->d = d, a->k = k, a->h = h, a->l = l;
    a->tie = tie, a->gate = gate, a->paper = paper, a->cnn = (int)cnn;
    return 0;
}

int rf_pmoe_authors_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen)
{
    rf_case e;
    au_ctx a;
    rf_case_init(&e, c->kernel, c->name, c->params);
    int rc = au_ctx_init(&a, c, &e, c, err, errlen) || au_build(desc->variant, &a);
    const rf_dtype t = desc->work_dtype;
    for (unsigned i = 0; rc == 0 && i < e.narrays; i++) {
        const rf_array *s = &e.arrays[i];
        if (strncmp(s->name, "in.", 3) != 0) continue;
        const rf_dtype dt = s->dtype == RF_DT_F64 ? t : s->dtype;
        void *dst = rf_case_add1(c, s->name, dt, s->count);
        if (!dst) {
            rc = rf_run_error(err, errlen, "out of memory");
        } else if (dt == RF_DT_F32) {
            for (uint64_t j = 0; j < s->count; j++) ((float *)dst)[j] = (float)((const double *)s->data)[j];
        } else {
            memcpy(dst, s->data, s->count * rf_dtype_size(dt));
        }
    }
    rf_case_free(&e);
    if (rc == 0 && strlen(c->params) + 1 >= RF_PARAMS_MAX)
        rc = rf_run_error(err, errlen, "case parameters exceed %d characters", RF_PARAMS_MAX - 1);
    return rc ? -1 : 0;
}

/* A copy of c's inputs (the oracle writes its want.* there, not into c). */
static int au_copy_inputs(const rf_case *c, rf_case *s)
{
    rf_case_init(s, c->kernel, c->name, c->params);
    for (unsigned i = 0; i < c->narrays; i++) {
        const rf_array *a = &c->arrays[i];
        if (strncmp(a->name, "in.", 3) != 0) continue;
        void *dst = rf_case_add1(s, a->name, a->dtype, a->count);
        if (!dst) return -1;
        memcpy(dst, a->data, a->count * rf_dtype_size(a->dtype));
    }
    return 0;
}

static const double *au_data(const rf_case *c, const char *prefix, const char *x)
{
    char name[RF_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s.%s", prefix, x);
    return rf_case_data(c, name, RF_DT_F64, NULL);
}

int rf_pmoe_authors_oracle(const rf_kernel *desc, rf_case *c, rf_pmoe_oracle_fn oracle, char *err, size_t errlen)
{
    rf_case e, st;
    au_ctx a;
    rf_kernel d64 = *desc;
    d64.work_dtype = RF_DT_F64;
    rf_case_init(&e, c->kernel, c->name, c->params);
    int rc = au_ctx_init(&a, c, &e, NULL, err, errlen) || au_build(desc->variant, &a);
    if (rc == 0 && au_copy_inputs(c, &st) != 0) rc = rf_run_error(err, errlen, "out of memory");
    else if (rc != 0) rf_case_init(&st, c->kernel, c->name, c->params);
    if (rc == 0) rc = oracle(desc, &st, err, errlen) || oracle(&d64, &e, err, errlen);
    const double ut = rf_unit_roundoff(desc->work_dtype), u64 = rf_unit_roundoff(RF_DT_F64);
    for (unsigned i = 0; rc == 0 && i < e.narrays; i++) {
        const rf_array *au = &e.arrays[i];
        if (strncmp(au->name, "auth.", 5) != 0) continue;
        const char *x = au->name + 5;
        char name[RF_NAME_MAX + 8];
        if (au->dtype == RF_DT_I32) { /* selections: exact, and the oracle's on the rounded g agree */
            const rf_array *o = rf_case_find(&st, "want.idx");
            snprintf(name, sizeof name, "want.%s", x);
            int32_t *w = rf_case_add1(c, name, RF_DT_I32, au->count);
            if (!w || !o || o->count != au->count) {
                rc = rf_run_error(err, errlen, "out of memory");
                break;
            }
            memcpy(w, au->data, au->count * sizeof *w);
            if (memcmp(o->data, au->data, au->count * sizeof *w) != 0) {
                rc = rf_run_error(err, errlen, "%s: the authors' selection differs from the oracle's top-l", c->name);
                break;
            }
            rf_case_set_param(c, "tol.idx", "exact");
            continue;
        }
        const double *A = au->data, *Wt = au_data(&st, "want", x), *St = au_data(&st, "scale", x);
        const double *W64 = au_data(&e, "want", x), *S64 = au_data(&e, "scale", x);
        char key[RF_NAME_MAX + 8];
        snprintf(key, sizeof key, "tau.%s", x);
        double tau = 0;
        if (!Wt || !St || !W64 || !S64 || !rf_param_f64(st.params, key, &tau) || !(tau > 0)) {
            rc = rf_run_error(err, errlen, "the oracle gave no want/scale/tau for %s", x);
            break;
        }
        snprintf(name, sizeof name, "want.%s", x);
        double *w = rf_case_add1(c, name, RF_DT_F64, au->count);
        snprintf(name, sizeof name, "scale.%s", x);
        double *s = rf_case_add1(c, name, RF_DT_F64, au->count);
        if (!w || !s) {
            rc = rf_run_error(err, errlen, "out of memory");
            break;
        }
        double worst = 0, dshare = 0, eshare = 0; /* for the debug line: the parts of the bound */
        for (uint64_t j = 0; j < au->count; j++) {
            const double E = 2 * tau * u64 * S64[j] + u64 * fabs(W64[j]);
            const double dev = fabs(W64[j] - A[j]), ratio = E > 0 ? dev / E : dev > 0 ? INFINITY : 0;
            if (ratio > worst) worst = ratio;
            if (!(dev <= E)) {
                rc = rf_run_error(err, errlen, "%s: the authors' %s[%llu] = %.17g, the oracle on their inputs %.17g: "
                                  "beyond their float64 error %.3g", c->name, x, (unsigned long long)j, A[j], W64[j], E);
                break;
            }
            const double own = tau * ut * St[j], D = fabs(Wt[j] - W64[j]);
            if (own > 0 && D / own > dshare) dshare = D / own;
            if (own > 0 && E / own > eshare) eshare = E / own;
            w[j] = A[j];
            s[j] = St[j] + (fabs(Wt[j] - W64[j]) + E) / (tau * ut);
        }
        if (getenv("REFAST_PMOE_AUTHORS_DEBUG"))
            fprintf(stderr, "%s %s %s: max |oracle - authors| / E = %.3g; max D / (tau u S_t) = %.3g, "
                    "max E / (tau u S_t) = %.3g\n", desc->name, c->name, x, worst, dshare, eshare);
        rf_case_set_param(c, key, "%.17g", tau);
    }
    rf_case_free(&e);
    rf_case_free(&st);
    if (rc == 0 && strlen(c->params) + 1 >= RF_PARAMS_MAX)
        rc = rf_run_error(err, errlen, "case parameters exceed %d characters", RF_PARAMS_MAX - 1);
    return rc ? -1 : 0;
}
