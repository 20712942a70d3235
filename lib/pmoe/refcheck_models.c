/* The model folders of the pmoe-reference checker (refcheck.h): cnn, router, separate and joint
 * pMoE on the data folder's batch, and the SGD steps of train/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/patches.h"
#include "pmoe/refcheck_internal.h"

static double max_abs(const double *v, size_t count)
{
    double m = 0;
    for (size_t i = 0; i < count; i++) m = fmax(m, fabs(v[i]));
    return m;
}

static double min_of(const double *v, size_t count)
{
    double m = INFINITY;
    for (size_t i = 0; i < count; i++) m = fmin(m, v[i]);
    return m;
}

/* The outputs every model folder may hold: f, loss_per, loss, dW, W_after_sgd. */
static int compare_common(chk *c, const chk_prec *p, const rf_pmoe_refrun_out *o, size_t nw)
{
    return chk_compare_opt(c, p, "f", o->f, c->B, 0) || chk_compare_opt(c, p, "loss_per", o->loss_per, c->B, 0) ||
           chk_compare_opt(c, p, "loss", &o->loss, 1, 0) || chk_compare_opt(c, p, "dW", o->dW, nw, 0) ||
           chk_compare_opt(c, p, "W_after_sgd", o->W_after, nw, 0);
}

int chk_cnn(chk *c)
{
    size_t sw[2] = {0, c->d}, sa[1] = {0};
    double *W = NULL, *a = NULL;
    int rc = -1;
    if (chk_load(c, "W", RF_REFDIR_F64, 2, sw, (void **)&W)) goto out;
    sa[0] = sw[0];
    if (chk_load(c, "a", RF_REFDIR_F64, 1, sa, (void **)&a)) goto out;
    const size_t m = sw[0];
    const rf_pmoe_net net = {RF_PMOE_ARCH_CNN, c->n, c->d, 1, m, c->n, RF_PMOE_GATE_ONE, RF_PMOE_TIE_ROW,
                             c->grid_w, 1.0 / (double)c->n, 0};
    for (int pi = 0; pi < c->nprec; pi++) {
        const chk_prec *p = &c->prec[pi];
        rf_pmoe_refrun_out o;
        if (p->model(c->ops, &net, c->x, c->y, c->B, NULL, W, a, c->opt->lr, &o, c->err, c->errlen)) goto out;
        /* h (B, n, m) is the CNN's z (B, k = 1, l = n, h = m) */
        const int bad = chk_compare_opt(c, p, "h", o.z, c->B * c->n * m, 0) || compare_common(c, p, &o, m * c->d);
        rf_pmoe_refrun_out_free(&o);
        if (bad) goto out;
    }
    rc = 0;
out:
    free(W), free(a);
    return rc;
}

int chk_router(chk *c)
{
    size_t sw[2] = {2, c->d};
    double *W = NULL;
    if (chk_load(c, "W", RF_REFDIR_F64, 2, sw, (void **)&W)) return -1;
    const rf_pmoe_net net = {RF_PMOE_ARCH_ROUTER, c->n, c->d, 2, 0, 0, RF_PMOE_GATE_ONE, RF_PMOE_TIE_ROW,
                             c->grid_w, 1.0 / (double)c->n, 1};
    int rc = 0;
    for (int pi = 0; pi < c->nprec && !rc; pi++) {
        const chk_prec *p = &c->prec[pi];
        rf_pmoe_refrun_out o;
        if (p->model(c->ops, &net, c->x, c->y, c->B, W, NULL, NULL, c->opt->lr, &o, c->err, c->errlen)) {
            rc = -1;
            break;
        }
        /* the router's parameters are wg: its dW is our dwg */
        o.dW = o.dwg, o.dwg = NULL;
        o.W_after = o.wg_after, o.wg_after = NULL;
        rc = compare_common(c, p, &o, 2 * c->d) ? -1 : 0;
        rf_pmoe_refrun_out_free(&o);
    }
    free(W);
    return rc;
}

int chk_moe(chk *c, int joint)
{
    const size_t B = c->B, n = c->n, d = c->d;
    size_t sg[2] = {0, d}, sw[3] = {0, 0, d}, sa[2] = {0, 0}, ss[3] = {B, 0, 0};
    double *wg = NULL, *W = NULL, *a = NULL;
    int32_t *sel = NULL, *mask = NULL, *mine = NULL;
    int rc = -1;
    if (chk_load(c, joint ? "Wg" : "R", RF_REFDIR_F64, 2, sg, (void **)&wg)) goto out;
    sw[0] = sg[0];
    if (chk_load(c, "W", RF_REFDIR_F64, 3, sw, (void **)&W)) goto out;
    sa[0] = sw[0], sa[1] = sw[1];
    if (chk_load(c, "a", RF_REFDIR_F64, 2, sa, (void **)&a)) goto out;
    const size_t k = sw[0], h = sw[1];
    ss[1] = k;
    /* l is not recorded except through the shape of the selections */
    if (chk_load(c, "sel_idx", RF_REFDIR_I32, 3, ss, (void **)&sel)) goto out;
    const size_t l = ss[2];
    const rf_pmoe_net net = {RF_PMOE_ARCH_MOE, n, d, k, h, l, joint ? RF_PMOE_GATE_SOFTMAX : RF_PMOE_GATE_ONE,
                             joint ? RF_PMOE_TIE_ROW : RF_PMOE_TIE_COL, c->grid_w, 1.0 / (double)n, joint};
    if (rf_pmoe_net_check(&net, c->err, c->errlen)) goto out;
    if (chk_has(c, "sel_mask")) {
        size_t sm[3] = {B, k, n};
        if (chk_load(c, "sel_mask", RF_REFDIR_I32, 3, sm, (void **)&mask)) goto out;
    }
    mine = malloc(B * k * n * sizeof *mine);
    if (!mine) {
        snprintf(c->err, c->errlen, "%s: out of memory", c->rd->dir);
        goto out;
    }
    for (int pi = 0; pi < c->nprec; pi++) {
        const chk_prec *p = &c->prec[pi];
        rf_pmoe_refrun_out o;
        if (p->model(c->ops, &net, c->x, c->y, B, wg, W, a, c->opt->lr, &o, c->err, c->errlen)) goto out;
        chk_compare_sel(c, p->dtype, "sel_idx", o.idx, sel, B * k, l);
        if (mask) {
            memset(mine, 0, B * k * n * sizeof *mine);
            for (size_t r = 0; r < B * k; r++)
                for (size_t t = 0; t < l; t++) mine[r * n + (size_t)o.idx[r * l + t]] = 1;
            chk_compare_sel(c, p->dtype, "sel_mask", mine, mask, B * k, n);
        }
        double margin = min_of(o.margin, B * k);
        const int bad = chk_compare_opt(c, p, "g", o.g, B * k * n, 0) ||
                        chk_compare_opt(c, p, "min_topl_margin", &margin, 1, max_abs(o.g, B * k * n)) ||
                        (joint && chk_compare_opt(c, p, "G", o.G, B * k * n, 0)) ||
                        chk_compare_opt(c, p, "f_paper_scale", o.f_paper, B, 0) ||
                        compare_common(c, p, &o, k * h * d) || chk_compare_opt(c, p, "dWg", o.dwg, k * d, 0) ||
                        chk_compare_opt(c, p, "Wg_after_sgd", o.wg_after, k * d, 0);
        rf_pmoe_refrun_out_free(&o);
        if (bad) goto out;
    }
    rc = 0;
out:
    free(wg), free(W), free(a), free(sel), free(mask), free(mine);
    return rc;
}

/* ---- train/ ---------------------------------------------------------------------------------------- */

/* The SGD steps of one model of train/: runs them in every precision and compares the per-step
 * parameters, losses and (pMoE) smallest margins. wg0/W0/a as the network needs them. */
static int train_model(chk *c, const rf_pmoe_net *net, const double *x, const int8_t *y, size_t N, size_t steps,
                       const double *wg0, const double *W0, const double *a, const char *prefix)
{
    const size_t nwg = rf_pmoe_net_wg_count(net), nw = rf_pmoe_net_w_count(net);
    /* + 1: never a 0-byte request, so NULL means out of memory */
    double *wgs = malloc((steps * nwg + 1) * sizeof *wgs), *Ws = malloc((steps * nw + 1) * sizeof *Ws);
    double *loss = malloc((steps + 1) * sizeof *loss), *margin = malloc((steps + 1) * sizeof *margin);
    double *gmax = malloc((steps + 1) * sizeof *gmax);
    int rc = -1;
    if (!wgs || !Ws || !loss || !margin || !gmax) {
        snprintf(c->err, c->errlen, "%s: out of memory", c->rd->dir);
        goto out;
    }
    const int routers = net->arch == RF_PMOE_ARCH_ROUTER || (net->arch == RF_PMOE_ARCH_MOE && net->train_routers);
    char name[64];
    for (int pi = 0; pi < c->nprec; pi++) {
        const chk_prec *p = &c->prec[pi];
        for (size_t s = 0; s < steps; s++) margin[s] = gmax[s] = 0;
        if (p->steps(c->ops, net, x, y, N, c->opt->batch, steps, c->opt->lr, wg0, W0, a, wgs, Ws, loss, margin, gmax,
                     c->err, c->errlen))
            goto out;
        snprintf(name, sizeof name, "%s_loss_steps", prefix);
        if (chk_compare_opt(c, p, name, loss, steps, 0)) goto out;
        if (net->arch == RF_PMOE_ARCH_ROUTER) {
            snprintf(name, sizeof name, "%s_W_steps", prefix);
            if (chk_compare_opt(c, p, name, wgs, steps * nwg, 0)) goto out;
        } else {
            snprintf(name, sizeof name, "%s_W_steps", prefix);
            if (chk_compare_opt(c, p, name, Ws, steps * nw, 0)) goto out;
            snprintf(name, sizeof name, "%s_Wg_steps", prefix);
            if (routers && chk_compare_opt(c, p, name, wgs, steps * nwg, 0)) goto out;
        }
        if (net->arch == RF_PMOE_ARCH_MOE) {
            snprintf(name, sizeof name, "%s_min_topl_margin", prefix);
            if (chk_compare_opt(c, p, name, margin, steps, max_abs(gmax, steps))) goto out;
        }
    }
    rc = 0;
out:
    free(wgs), free(Ws), free(loss), free(margin), free(gmax);
    return rc;
}

/* Number of steps of a model: the length of its loss history. */
static int steps_of(chk *c, const char *prefix, size_t *steps)
{
    char name[64];
    snprintf(name, sizeof name, "%s_loss_steps", prefix);
    const rf_refdir_entry *e = rf_refdir_find(c->rd, c->folder, name);
    if (!e || e->ndim != 1) {
        snprintf(c->err, c->errlen, "%s: folder '%s' has %s arrays but no 1-dimensional %s", c->rd->dir, c->folder,
                 prefix, name);
        return -1;
    }
    *steps = e->shape[0];
    return 0;
}

int chk_train(chk *c)
{
    size_t sx[3] = {0}, sl[1] = {0};
    uint8_t *xu8 = NULL;
    int32_t *lab = NULL;
    double *img = NULL, *x = NULL, *A = NULL, *Bw = NULL, *C = NULL, *routers = NULL;
    int8_t *y = NULL;
    int rc = -1;
    if (chk_load(c, "X_u8", RF_REFDIR_U8, 3, sx, (void **)&xu8)) goto out;
    sl[0] = sx[0];
    if (chk_load(c, "label01", RF_REFDIR_I32, 1, sl, (void **)&lab)) goto out;
    const size_t N = sx[0], H = sx[1], Wd = sx[2];
    /* d: from the first weight array present */
    static const char *const firsts[] = {"cnn_W0", "router_W0", "joint_Wg0", "sep_W0"};
    size_t d = 0;
    for (size_t i = 0; i < 4 && !d; i++) {
        const rf_refdir_entry *e = rf_refdir_find(c->rd, c->folder, firsts[i]);
        if (e) d = e->shape[e->ndim - 1];
    }
    const size_t side = chk_square_side(d);
    if (!side || H % side || Wd % side) {
        snprintf(c->err, c->errlen, "%s: folder '%s': %zux%zu images are not a grid of square patches of %zu values",
                 c->rd->dir, c->folder, H, Wd, d);
        goto out;
    }
    const size_t n = (H / side) * (Wd / side), grid_w = Wd / side;
    if (c->opt->batch > N) {
        snprintf(c->err, c->errlen, "%s: folder '%s': batch %zu but only %zu samples", c->rd->dir, c->folder,
                 c->opt->batch, N);
        goto out;
    }
    img = malloc(N * H * Wd * sizeof *img), x = malloc(N * n * d * sizeof *x), y = malloc(N);
    if (!img || !x || !y) {
        snprintf(c->err, c->errlen, "%s: out of memory", c->rd->dir);
        goto out;
    }
    for (size_t i = 0; i < N * H * Wd; i++) img[i] = xu8[i] / 255.0;
    if (rf_pmoe_patchify(img, N, H, Wd, 1, side, side, x, c->err, c->errlen)) goto out;
    for (size_t b = 0; b < N; b++) y[b] = lab[b] > 0 ? 1 : -1;
    size_t steps;
    if (chk_has(c, "cnn_W0")) {
        size_t s1[2] = {0, d}, s2[1];
        if (steps_of(c, "cnn", &steps) || chk_load(c, "cnn_W0", RF_REFDIR_F64, 2, s1, (void **)&A)) goto out;
        s2[0] = s1[0];
        if (chk_load(c, "cnn_a", RF_REFDIR_F64, 1, s2, (void **)&Bw)) goto out;
        const rf_pmoe_net net = {RF_PMOE_ARCH_CNN, n, d, 1, s1[0], n, RF_PMOE_GATE_ONE, RF_PMOE_TIE_ROW, grid_w,
                                 1.0 / (double)n, 0};
        if (train_model(c, &net, x, y, N, steps, NULL, A, Bw, "cnn")) goto out;
        free(A), free(Bw), A = Bw = NULL;
    }
    if (chk_has(c, "router_W0")) {
        size_t s1[2] = {2, d};
        if (steps_of(c, "router", &steps) || chk_load(c, "router_W0", RF_REFDIR_F64, 2, s1, (void **)&A)) goto out;
        const rf_pmoe_net net = {RF_PMOE_ARCH_ROUTER, n, d, 2, 0, 0, RF_PMOE_GATE_ONE, RF_PMOE_TIE_ROW, grid_w,
                                 1.0 / (double)n, 1};
        if (train_model(c, &net, x, y, N, steps, A, NULL, NULL, "router")) goto out;
        free(A), A = NULL;
    }
    if (chk_has(c, "sep_W0")) {
        /* routers: the last router step of this folder; a = +1 for expert 1, -1 for expert 2 */
        size_t s1[3] = {2, 0, d}, sr[3] = {0, 2, d};
        if (steps_of(c, "sep", &steps) || chk_load(c, "sep_W0", RF_REFDIR_F64, 3, s1, (void **)&A) ||
            chk_load(c, "router_W_steps", RF_REFDIR_F64, 3, sr, (void **)&routers))
            goto out;
        const size_t h = s1[1];
        Bw = malloc(2 * h * sizeof *Bw);
        if (!Bw) {
            snprintf(c->err, c->errlen, "%s: out of memory", c->rd->dir);
            goto out;
        }
        for (size_t r = 0; r < h; r++) Bw[r] = 1, Bw[h + r] = -1;
        const rf_pmoe_net net = {RF_PMOE_ARCH_MOE, n, d, 2, h, c->opt->sep_l, RF_PMOE_GATE_ONE, RF_PMOE_TIE_COL,
                                 grid_w, 1.0 / (double)n, 0};
        if (rf_pmoe_net_check(&net, c->err, c->errlen) ||
            train_model(c, &net, x, y, N, steps, routers + (sr[0] - 1) * 2 * d, A, Bw, "sep"))
            goto out;
        free(A), free(Bw), A = Bw = NULL;
    }
    if (chk_has(c, "joint_Wg0")) {
        size_t s1[2] = {0, d}, s2[3] = {0, 0, d}, s3[2];
        if (steps_of(c, "joint", &steps) || chk_load(c, "joint_Wg0", RF_REFDIR_F64, 2, s1, (void **)&A)) goto out;
        s2[0] = s1[0];
        if (chk_load(c, "joint_W0", RF_REFDIR_F64, 3, s2, (void **)&Bw)) goto out;
        s3[0] = s2[0], s3[1] = s2[1];
        if (chk_load(c, "joint_a", RF_REFDIR_F64, 2, s3, (void **)&C)) goto out;
        const rf_pmoe_net net = {RF_PMOE_ARCH_MOE, n, d, s2[0], s2[1], c->opt->joint_l, RF_PMOE_GATE_SOFTMAX,
                                 RF_PMOE_TIE_ROW, grid_w, 1.0 / (double)n, 1};
        if (rf_pmoe_net_check(&net, c->err, c->errlen) || train_model(c, &net, x, y, N, steps, A, Bw, C, "joint"))
            goto out;
    }
    rc = 0;
out:
    free(xu8), free(lab), free(img), free(x), free(y), free(A), free(Bw), free(C), free(routers);
    return rc;
}
