/* The pmoe-reference checker (refcheck.h): the report, the comparisons, folder recognition and the
 * data, gate and tie folders. The model folders are in refcheck_models.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/patches.h"
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

/* ---- the data folder ------------------------------------------------------------------------------ */

/* The side of a square patch of d values, or 0. */
static size_t square_side(size_t d)
{
    size_t s = 1;
    while (s * s < d) s++;
    return s * s == d ? s : 0;
}

static int chk_data(chk *c)
{
    size_t sx[3] = {0}, sp[3] = {0}, sl[1] = {0};
    uint8_t *xu8 = NULL;
    double *X = NULL, *Xp = NULL, *mine = NULL;
    int32_t *lab = NULL, *ypm = NULL, *pos = NULL, *map = NULL;
    int rc = -1;
    if (chk_load(c, "Xp", RF_REFDIR_F64, 3, sp, (void **)&Xp)) goto out;
    const size_t B = sp[0], n = sp[1], d = sp[2];
    sl[0] = B;
    if (chk_has(c, "y_pm1")) {
        if (chk_load(c, "y_pm1", RF_REFDIR_I32, 1, sl, (void **)&ypm)) goto out;
    }
    if (chk_has(c, "label01") && chk_load(c, "label01", RF_REFDIR_I32, 1, sl, (void **)&lab)) goto out;
    if (!ypm && !lab) {
        snprintf(c->err, c->errlen, "%s: folder '%s' has patches but neither y_pm1 nor label01", c->rd->dir, c->folder);
        goto out;
    }
    if (ypm && lab) {
        long agree = 0;
        for (size_t b = 0; b < B; b++) agree += ypm[b] == 2 * lab[b] - 1;
        chk_row(c, "data", "y_pm1 = 2 label01 - 1", 0, 0, (long)B, agree, agree == (long)B);
    }
    size_t grid_w = square_side(n), side = square_side(d);
    if (chk_has(c, "X")) {
        sx[0] = B;
        if (chk_load(c, "X", RF_REFDIR_F64, 3, sx, (void **)&X)) goto out;
        if (!side || sx[1] % side || sx[2] % side || (sx[1] / side) * (sx[2] / side) != n) {
            snprintf(c->err, c->errlen, "%s: folder '%s': X is %zux%zu, not a grid of %zu square patches of %zu values",
                     c->rd->dir, c->folder, sx[1], sx[2], n, d);
            goto out;
        }
        grid_w = sx[2] / side;
        mine = malloc(B * n * d * sizeof *mine);
        if (!mine) goto oom;
        if (rf_pmoe_patchify(X, B, sx[1], sx[2], 1, side, side, mine, c->err, c->errlen)) goto out;
        chk_compare(c, "data", 0, "Xp = patches of X", mine, Xp, B * n * d, 0);
        if (chk_has(c, "X_u8")) {
            if (chk_load(c, "X_u8", RF_REFDIR_U8, 3, sx, (void **)&xu8)) goto out;
            for (size_t i = 0; i < B * sx[1] * sx[2]; i++) mine[i] = xu8[i] / 255.0;
            chk_compare(c, "data", 0, "X = X_u8 / 255", mine, X, B * sx[1] * sx[2], 0);
        }
    }
    if (chk_has(c, "disc_pos") && chk_has(c, "digit_map") && lab) {
        size_t sm[2] = {B, n};
        if (chk_load(c, "disc_pos", RF_REFDIR_I32, 1, sl, (void **)&pos)) goto out;
        if (chk_load(c, "digit_map", RF_REFDIR_I32, 2, sm, (void **)&map)) goto out;
        long agree = 0;
        for (size_t b = 0; b < B; b++)
            agree += pos[b] >= 0 && (size_t)pos[b] < n && map[b * n + (size_t)pos[b]] == lab[b];
        chk_row(c, "data", "digit_map[disc_pos] = label", 0, 0, (long)B, agree, agree == (long)B);
    }
    if (!grid_w) grid_w = n; /* no square grid: one row of patches */
    if (!c->have_data) {
        c->y = malloc(B ? B : 1);
        if (!c->y) goto oom;
        for (size_t b = 0; b < B; b++) c->y[b] = (int8_t)((ypm ? ypm[b] > 0 : lab[b] > 0) ? 1 : -1);
        c->x = Xp;
        Xp = NULL;
        c->B = B, c->n = n, c->d = d, c->grid_w = grid_w;
        c->have_data = 1;
    }
    rc = 0;
    goto out;
oom:
    snprintf(c->err, c->errlen, "%s: out of memory", c->rd->dir);
out:
    free(xu8), free(X), free(Xp), free(mine), free(lab), free(ypm), free(pos), free(map);
    return rc;
}

/* ---- gate folders ------------------------------------------------------------------------------- */

static int chk_gate(chk *c, int wrn)
{
    size_t si[4] = {0}, sk[4] = {0}, sg[2] = {0};
    double *in = NULL, *kern = NULL, *U = NULL, *xp = NULL, *up = NULL, *Gw = NULL;
    double *g = NULL, *G = NULL, *outp = NULL, *img = NULL, *dk = NULL;
    int32_t *idx = NULL, *want_idx = NULL;
    int rc = -1;
    if (chk_load(c, "inputs", RF_REFDIR_F64, 4, si, (void **)&in)) goto out;
    sk[2] = si[3];
    sk[3] = 1;
    if (chk_load(c, "kernel", RF_REFDIR_F64, 4, sk, (void **)&kern)) goto out;
    const size_t B = si[0], H = si[1], W = si[2], C = si[3], kh = sk[0], kw = sk[1];
    if (H % kh || W % kw) {
        snprintf(c->err, c->errlen, "%s: folder '%s': inputs %zux%zu are not a whole number of %zux%zu kernel tiles",
                 c->rd->dir, c->folder, H, W, kh, kw);
        goto out;
    }
    const size_t n = (H / kh) * (W / kw), d = kh * kw * C;
    sg[0] = B;
    sg[1] = n;
    if (chk_load(c, "G", RF_REFDIR_F64, 2, sg, (void **)&Gw)) goto out;
    /* l: the format records it only in a note; the selected patches are the nonzero gates. */
    size_t l = 0;
    for (size_t b = 0; b < B; b++) {
        size_t nz = 0;
        for (size_t j = 0; j < n; j++) nz += Gw[b * n + j] != 0;
        if (b == 0) l = nz;
        if (nz != l || nz == 0) {
            snprintf(c->err, c->errlen, "%s: folder '%s': G has %zu nonzero gates in row %zu and %zu in row 0",
                     c->rd->dir, c->folder, nz, b, l);
            goto out;
        }
    }
    size_t su[4] = {B, H, W, C};
    if (chk_load(c, "U", RF_REFDIR_F64, 4, su, (void **)&U)) goto out;
    xp = malloc(B * n * d * sizeof *xp), up = malloc(B * n * d * sizeof *up);
    g = malloc(B * n * sizeof *g), G = malloc(B * n * sizeof *G), outp = malloc(B * n * d * sizeof *outp);
    img = malloc(B * n * d * sizeof *img), dk = malloc(d * sizeof *dk);
    idx = malloc(B * l * sizeof *idx), want_idx = malloc(B * l * sizeof *want_idx);
    if (!xp || !up || !g || !G || !outp || !img || !dk || !idx || !want_idx) {
        snprintf(c->err, c->errlen, "%s: out of memory", c->rd->dir);
        goto out;
    }
    if (rf_pmoe_patchify(in, B, H, W, C, kh, kw, xp, c->err, c->errlen)) goto out;
    if (rf_pmoe_patchify(U, B, H, W, C, kh, kw, up, c->err, c->errlen)) goto out;
    for (size_t b = 0; b < B; b++)
        for (size_t j = 0, t = 0; j < n; j++)
            if (Gw[b * n + j] != 0) want_idx[b * l + t++] = (int32_t)j;
    for (int pi = 0; pi < c->nprec; pi++) {
        const chk_prec *p = &c->prec[pi];
        if (p->gate(c->ops, xp, B, n, d, kern, l, wrn ? RF_PMOE_GATE_WRN : RF_PMOE_GATE_SOFTMAX, up, g, idx, G, outp,
                    dk, c->err, c->errlen))
            goto out;
        chk_compare_sel(c, p->dtype, "selection (nonzero G)", idx, want_idx, B, l);
        rf_pmoe_unpatchify(outp, B, H, W, C, kh, kw, img);
        if (chk_compare_opt(c, p, "g", g, B * n, 0) || chk_compare_opt(c, p, "G", G, B * n, 0) ||
            chk_compare_opt(c, p, "outputs", img, B * n * d, 0) || chk_compare_opt(c, p, "dkernel", dk, d, 0))
            goto out;
    }
    rc = 0;
out:
    free(in), free(kern), free(U), free(xp), free(up), free(Gw), free(g), free(G), free(outp), free(img), free(dk);
    free(idx), free(want_idx);
    return rc;
}

/* ---- the tie folder ------------------------------------------------------------------------------ */

/* The entry of this folder whose name starts with prefix (sep_sel_idx_l2 -> "sep_sel_idx"). */
static const rf_refdir_entry *find_prefix(const chk *c, const char *prefix)
{
    for (size_t i = 0; i < c->rd->count; i++) {
        const rf_refdir_entry *e = &c->rd->entries[i];
        if (!strcmp(e->folder, c->folder) && !strncmp(e->name, prefix, strlen(prefix))) return e;
    }
    return NULL;
}

static int chk_tie_one(chk *c, const double *X, size_t B, size_t H, size_t W, const char *wname,
                       const char *gname, const char *selprefix, int tie)
{
    size_t sw[2] = {0};
    double *wg = NULL, *xp = NULL, *g = NULL;
    int32_t *idx = NULL, *want = NULL;
    int rc = -1;
    if (chk_load(c, wname, RF_REFDIR_F64, 2, sw, (void **)&wg)) return -1;
    const size_t k = sw[0], d = sw[1], side = square_side(d);
    if (!side || H % side || W % side) {
        snprintf(c->err, c->errlen, "%s: folder '%s': %zux%zu images are not a grid of square patches of %zu values",
                 c->rd->dir, c->folder, H, W, d);
        goto out;
    }
    const size_t n = (H / side) * (W / side), grid_w = W / side;
    const rf_refdir_entry *se = find_prefix(c, selprefix);
    if (!se || se->ndim != 3) {
        snprintf(c->err, c->errlen, "%s: folder '%s' needs a 3-dimensional %s* selection array", c->rd->dir, c->folder,
                 selprefix);
        goto out;
    }
    size_t ss[3] = {B, k, 0};
    if (chk_load(c, se->name, RF_REFDIR_I32, 3, ss, (void **)&want)) goto out;
    const size_t l = ss[2];
    if (l < 1 || l > n) {
        snprintf(c->err, c->errlen, "%s/%s: l = %zu with %zu patches", c->rd->dir, se->path, l, n);
        goto out;
    }
    xp = malloc(B * n * d * sizeof *xp), g = malloc(B * k * n * sizeof *g), idx = malloc(B * k * l * sizeof *idx);
    if (!xp || !g || !idx) {
        snprintf(c->err, c->errlen, "%s: out of memory", c->rd->dir);
        goto out;
    }
    if (rf_pmoe_patchify(X, B, H, W, 1, side, side, xp, c->err, c->errlen)) goto out;
    for (int pi = 0; pi < c->nprec; pi++) {
        const chk_prec *p = &c->prec[pi];
        if (p->select(c->ops, xp, B, n, d, wg, k, l, tie, grid_w, g, idx, NULL, c->err, c->errlen)) goto out;
        if (chk_compare_opt(c, p, gname, g, B * k * n, 0)) goto out;
        chk_compare_sel(c, p->dtype, se->name, idx, want, B * k, l);
    }
    rc = 0;
out:
    free(wg), free(xp), free(g), free(idx), free(want);
    return rc;
}

static int chk_tie(chk *c)
{
    size_t sx[3] = {0};
    double *X = NULL;
    if (chk_load(c, "X", RF_REFDIR_F64, 3, sx, (void **)&X)) return -1;
    int rc = 0;
    if (chk_has(c, "joint_Wg"))
        rc = chk_tie_one(c, X, sx[0], sx[1], sx[2], "joint_Wg", "joint_g", "joint_sel_idx", RF_PMOE_TIE_ROW);
    if (!rc && chk_has(c, "sep_R"))
        rc = chk_tie_one(c, X, sx[0], sx[1], sx[2], "sep_R", "sep_g", "sep_sel_idx", RF_PMOE_TIE_COL);
    free(X);
    return rc;
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
