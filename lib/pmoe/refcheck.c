/* The pmoe-reference checker (refcheck.h): the report, the comparisons, folder recognition and the
 * driver. The folders themselves are checked in refcheck_folders.c and refcheck_models.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/refcheck_internal.h"

void rf_pmoe_check_defaults(rf_pmoe_check_opts *opt)
{
    opt->tol_f64 = 1e-12;
    opt->tol_f32 = 1e-5;
    opt->lr = 0.2;
    opt->batch = 20;
    opt->sep_l = 2;
    opt->joint_l = 6;
    opt->run_f64 = 1;
    opt->run_f32 = 1;
}

void rf_pmoe_check_report_free(rf_pmoe_check_report *rep)
{
    free(rep->rows);
    for (size_t i = 0; i < rep->nskipped; i++) free(rep->skipped[i]);
    free(rep->skipped);
    memset(rep, 0, sizeof *rep);
}

size_t rf_pmoe_check_failures(const rf_pmoe_check_report *rep)
{
    size_t n = 0;
    for (size_t i = 0; i < rep->count; i++) n += !rep->rows[i].pass;
    return n;
}

/* ---- rows and comparisons ----------------------------------------------------------------------- */

void chk_row(chk *c, const char *dtype, const char *output, double max_rel, double tol, long sel_rows,
             long sel_agree, int pass)
{
    rf_pmoe_check_report *rep = c->rep;
    if (rep->count == rep->cap) {
        const size_t cap = rep->cap ? 2 * rep->cap : 64;
        rf_pmoe_check_row *grown = realloc(rep->rows, cap * sizeof *grown);
        if (!grown) {
            c->oom = 1;
            return;
        }
        rep->rows = grown;
        rep->cap = cap;
    }
    rf_pmoe_check_row *r = &rep->rows[rep->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->folder, sizeof r->folder, "%s", c->folder);
    snprintf(r->kind, sizeof r->kind, "%s", c->kind);
    snprintf(r->output, sizeof r->output, "%s", output);
    r->dtype = dtype;
    r->max_rel = max_rel;
    r->tol = tol;
    r->sel_rows = sel_rows;
    r->sel_agree = sel_agree;
    r->pass = pass;
}

void chk_compare(chk *c, const char *dtype, double tol, const char *output, const double *got, const double *want,
                 size_t count, double norm)
{
    double diff = 0, scale = 0;
    int nan = 0;
    for (size_t i = 0; i < count; i++) {
        if (isnan(got[i]) != isnan(want[i]) || (isinf(want[i]) && got[i] != want[i])) nan = 1;
        if (!isfinite(want[i]) || !isfinite(got[i])) continue;
        diff = fmax(diff, fabs(got[i] - want[i]));
        scale = fmax(scale, fabs(want[i]));
    }
    if (norm > 0) scale = norm;
    const double rel = nan ? NAN : scale > 0 ? diff / scale : diff;
    chk_row(c, dtype, output, rel, tol, -1, -1, !nan && rel <= tol);
}

void chk_compare_sel(chk *c, const char *dtype, const char *output, const int32_t *got, const int32_t *want,
                     size_t rows, size_t l)
{
    long agree = 0;
    for (size_t r = 0; r < rows; r++) agree += !memcmp(got + r * l, want + r * l, l * sizeof *got);
    chk_row(c, dtype, output, 0, 0, (long)rows, agree, agree == (long)rows);
}

int chk_has(const chk *c, const char *name)
{
    return rf_refdir_find(c->rd, c->folder, name) != NULL;
}

int chk_load(chk *c, const char *name, rf_refdir_dtype dtype, size_t ndim, size_t *shape, void **out)
{
    static const char *const dnames[] = {"<f8", "<i4", "|u1"};
    *out = NULL;
    const rf_refdir_entry *e = rf_refdir_find(c->rd, c->folder, name);
    if (!e) {
        snprintf(c->err, c->errlen, "%s: folder '%s' (%s) needs '%s', which MANIFEST.txt does not list", c->rd->dir,
                 c->folder, c->kind, name);
        return -1;
    }
    if (e->dtype != dtype || e->ndim != ndim) {
        snprintf(c->err, c->errlen, "%s/%s: expected %s with %zu dimensions, MANIFEST.txt says %s with %zu", c->rd->dir,
                 e->path, dnames[dtype], ndim, dnames[e->dtype], e->ndim);
        return -1;
    }
    for (size_t i = 0; i < ndim; i++) {
        if (shape[i] && shape[i] != e->shape[i]) {
            snprintf(c->err, c->errlen, "%s/%s: dimension %zu is %zu, expected %zu (from the other arrays)",
                     c->rd->dir, e->path, i, e->shape[i], shape[i]);
            return -1;
        }
        shape[i] = e->shape[i];
    }
    if (rf_refdir_load(c->rd, e, out, c->err, c->errlen)) return -1;
    if (dtype == RF_REFDIR_F64)
        for (size_t i = 0; i < e->count; i++)
            if (!isfinite(((double *)*out)[i])) {
                snprintf(c->err, c->errlen, "%s/%s: value %zu is not finite", c->rd->dir, e->path, i);
                free(*out);
                *out = NULL;
                return -1;
            }
    return 0;
}

size_t chk_square_side(size_t d)
{
    size_t s = 1;
    while (s * s < d) s++;
    return s * s == d ? s : 0;
}

int chk_compare_opt(chk *c, const chk_prec *p, const char *name, const double *got, size_t count, double norm)
{
    const rf_refdir_entry *e = rf_refdir_find(c->rd, c->folder, name);
    if (!e || !got) return 0;
    if (e->dtype != RF_REFDIR_F64 || e->count != count) {
        snprintf(c->err, c->errlen, "%s/%s: %zu values, expected %zu doubles", c->rd->dir, e->path, e->count, count);
        return -1;
    }
    size_t shape[RF_REFDIR_MAX_DIMS] = {0};
    double *want;
    if (chk_load(c, name, RF_REFDIR_F64, e->ndim, shape, (void **)&want)) return -1;
    chk_compare(c, p->dtype, p->tol, name, got, want, count, norm);
    free(want);
    return 0;
}

/* ---- recognition and the driver -------------------------------------------------------------------- */

typedef enum kind { K_SKIP, K_DATA, K_CNN, K_ROUTER, K_SEP, K_JOINT, K_GATE, K_GATE_WRN, K_TIE, K_TRAIN } kind;
static const char *const kind_name[] = {"skipped", "data", "cnn", "router", "separate", "joint",
                                        "gate", "gate-wrn", "tie", "train"};

static int has_steps(const chk *c)
{
    for (size_t i = 0; i < c->rd->count; i++) {
        const rf_refdir_entry *e = &c->rd->entries[i];
        const size_t len = strlen(e->name);
        if (!strcmp(e->folder, c->folder) && len > 6 && !strcmp(e->name + len - 6, "_steps")) return 1;
    }
    return 0;
}

static kind recognise(const chk *c)
{
    if (chk_has(c, "X_u8") && chk_has(c, "label01") && has_steps(c)) return K_TRAIN;
    if (chk_has(c, "Xp")) return K_DATA;
    if (chk_has(c, "X") && (chk_has(c, "sep_R") || chk_has(c, "joint_Wg"))) return K_TIE;
    if (chk_has(c, "inputs") && chk_has(c, "kernel") && chk_has(c, "G"))
        return strstr(c->folder, "wrn") ? K_GATE_WRN : K_GATE;
    if (chk_has(c, "Wg") && chk_has(c, "W") && chk_has(c, "a")) return K_JOINT;
    if (chk_has(c, "R") && chk_has(c, "W") && chk_has(c, "a")) return K_SEP;
    if (chk_has(c, "W") && chk_has(c, "a") && chk_has(c, "h")) return K_CNN;
    if (chk_has(c, "W") && chk_has(c, "dW") && !chk_has(c, "a")) return K_ROUTER;
    return K_SKIP;
}

int rf_pmoe_check_reference(const char *dir, const rf_pmoe_ops *ops, const rf_pmoe_check_opts *opt,
                            rf_pmoe_check_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    if (rf_pmoe_ops_check(ops, err, errlen)) return -1;
    if (!(opt->lr > 0) || !isfinite(opt->lr) || opt->batch < 1 || opt->sep_l < 1 || opt->joint_l < 1) {
        snprintf(err, errlen, "pmoe check: lr must be a finite number > 0, batch and l >= 1");
        return -1;
    }
    rf_refdir rd;
    if (rf_refdir_open(&rd, dir, err, errlen)) return -1;
    chk c = {0};
    c.rd = &rd, c.ops = ops, c.opt = opt, c.rep = rep, c.err = err, c.errlen = errlen;
    if (opt->run_f64)
        c.prec[c.nprec++] = (chk_prec){"f64", rf_pmoe_refrun_model_f64, rf_pmoe_refrun_steps_f64,
                                       rf_pmoe_refrun_gate_f64, rf_pmoe_refrun_select_f64, opt->tol_f64};
    if (opt->run_f32)
        c.prec[c.nprec++] = (chk_prec){"f32", rf_pmoe_refrun_model_f32, rf_pmoe_refrun_steps_f32,
                                       rf_pmoe_refrun_gate_f32, rf_pmoe_refrun_select_f32, opt->tol_f32};
    const char **folders;
    const size_t nf = rf_refdir_folders(&rd, &folders);
    int rc = folders ? 0 : -1;
    if (!folders) snprintf(err, errlen, "%s: out of memory", dir);
    /* The data folder first: the model folders take their inputs from it. */
    for (int pass = 0; pass < 2 && rc == 0; pass++)
        for (size_t i = 0; i < nf && rc == 0; i++) {
            c.folder = folders[i];
            const kind k = recognise(&c);
            if ((k == K_DATA) != (pass == 0)) continue;
            c.kind = kind_name[k];
            const int model = k == K_CNN || k == K_ROUTER || k == K_SEP || k == K_JOINT;
            if (model && !c.have_data) {
                snprintf(err, errlen, "%s: folder '%s' (%s) needs the inputs of a data folder (Xp, y_pm1), and there is none",
                         dir, c.folder, c.kind);
                rc = -1;
                break;
            }
            switch (k) {
            case K_DATA: rc = chk_data(&c); break;
            case K_CNN: rc = chk_cnn(&c); break;
            case K_ROUTER: rc = chk_router(&c); break;
            case K_SEP: rc = chk_moe(&c, 0); break;
            case K_JOINT: rc = chk_moe(&c, 1); break;
            case K_GATE: rc = chk_gate(&c, 0); break;
            case K_GATE_WRN: rc = chk_gate(&c, 1); break;
            case K_TIE: rc = chk_tie(&c); break;
            case K_TRAIN: rc = chk_train(&c); break;
            case K_SKIP: {
                char **grown = realloc(rep->skipped, (rep->nskipped + 1) * sizeof *grown);
                if (grown) rep->skipped = grown;
                char *name = malloc(strlen(c.folder) + 1);
                if (!grown || !name) {
                    free(name);
                    c.oom = 1;
                    break;
                }
                strcpy(name, c.folder);
                rep->skipped[rep->nskipped++] = name;
                break;
            }
            }
            if (rc == 0 && k != K_SKIP && k != K_DATA) rep->models++;
            if (rc == 0 && c.oom) {
                snprintf(err, errlen, "%s: out of memory", dir);
                rc = -1;
            }
        }
    free(folders);
    free(c.x);
    free(c.y);
    rf_refdir_close(&rd);
    if (rc) rf_pmoe_check_report_free(rep);
    return rc;
}
