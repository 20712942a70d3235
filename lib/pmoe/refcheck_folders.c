/* The input folders of the pmoe-reference checker (refcheck.h): data (the model folders' inputs and
 * their consistency), the gate layer alone (gate_mnist, gate_wrn) and the tie-rule selections. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/patches.h"
#include "pmoe/refcheck_internal.h"

/* ---- the data folder ------------------------------------------------------------------------------ */

int chk_data(chk *c)
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
    size_t grid_w = chk_square_side(n), side = chk_square_side(d);
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

int chk_gate(chk *c, int wrn)
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
    const size_t k = sw[0], d = sw[1], side = chk_square_side(d);
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

int chk_tie(chk *c)
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
