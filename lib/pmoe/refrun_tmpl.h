/* The body of refrun.h for one element type (T, SFX), instantiated by refrun_f32.c and
 * refrun_f64.c. */

#define RR_CAT2(a, b) a##b
#define RR_CAT(a, b) RR_CAT2(a, b)
#define FN(name) RR_CAT(RR_CAT(rf_pmoe_, name), RR_CAT(_, SFX))
#define TYPE(name) RR_CAT(RR_CAT(rf_pmoe_, name), RR_CAT(_, SFX))
#define LOCAL(name) RR_CAT(name, SFX)

/* calloc that never asks for 0 bytes, so NULL always means out of memory. */
static void *LOCAL(alloc_)(size_t count, size_t size)
{
    return calloc(count ? count : 1, size);
}

/* A T copy of count doubles (never a 0-byte allocation; NULL in gives NULL out). */
static T *LOCAL(to_t_)(const double *v, size_t count, int *failed)
{
    if (!v) return NULL;
    T *o = malloc((count ? count : 1) * sizeof *o);
    if (!o) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < count; i++) o[i] = (T)v[i];
    return o;
}

static double *LOCAL(to_double_)(const T *v, size_t count, int *failed)
{
    double *o = malloc((count ? count : 1) * sizeof *o);
    if (!o) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < count; i++) o[i] = (double)v[i];
    return o;
}

int FN(refrun_model)(const rf_pmoe_ops *ops, const rf_pmoe_net *net, const double *x, const int8_t *y, size_t B,
                     const double *wg, const double *W, const double *a, double lr, rf_pmoe_refrun_out *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    TYPE(ws) ws;
    if (FN(ws_init)(&ws, net, B, err, errlen)) return -1;
    const TYPE(ops) *k = &ops->SFX;
    const size_t nwg = rf_pmoe_net_wg_count(net), nw = rf_pmoe_net_w_count(net), na = rf_pmoe_net_a_count(net);
    int failed = 0;
    T *xt = LOCAL(to_t_)(x, B * net->n * net->d, &failed);
    TYPE(params) p = {LOCAL(to_t_)(nwg ? wg : NULL, nwg, &failed), LOCAL(to_t_)(nw ? W : NULL, nw, &failed),
                      LOCAL(to_t_)(na ? a : NULL, na, &failed)};
    if (!failed) FN(forward)(k, net, &p, xt, B, &ws);
    const int moe = net->arch == RF_PMOE_ARCH_MOE;
    const size_t rows = B * net->k, l = net->l;
    if (!failed && moe) {
        out->g = LOCAL(to_double_)(ws.g, rows * net->n, &failed);
        out->margin = LOCAL(to_double_)(ws.margin, rows, &failed);
        out->idx = LOCAL(alloc_)(rows * l, sizeof *out->idx);
        out->G = LOCAL(alloc_)(rows * net->n, sizeof *out->G);
        if (!out->idx || !out->G) failed = 1;
        for (size_t r = 0; !failed && r < rows; r++)
            for (size_t t = 0; t < l; t++) {
                const int32_t j = ws.idx[r * l + t];
                out->idx[r * l + t] = j;
                out->G[r * net->n + (size_t)j] = net->gating == RF_PMOE_GATE_ONE ? 1 : (double)ws.G[r * l + t];
            }
        /* the paper's eq. 1 scale 1/l on the same selections and gates */
        T *fp = LOCAL(alloc_)(B, sizeof *fp);
        if (!fp) failed = 1;
        else {
            k->expert_fwd(xt, B, net->n, net->d, ws.idx, net->gating == RF_PMOE_GATE_ONE ? NULL : ws.G, net->k, l,
                          p.W, p.a, net->h, (T)(1.0 / (double)l), NULL, NULL, fp);
            out->f_paper = LOCAL(to_double_)(fp, B, &failed);
            free(fp);
        }
    }
    if (!failed && net->arch != RF_PMOE_ARCH_ROUTER) {
        out->z = LOCAL(to_double_)(ws.z, rows * l * net->h, &failed);
        out->f = LOCAL(to_double_)(ws.f, B, &failed);
    }
    if (!failed && y) {
        FN(backward)(k, net, &p, xt, y, B, &ws);
        if (net->arch == RF_PMOE_ARCH_ROUTER) out->f = LOCAL(to_double_)(ws.f, B, &failed);
        out->loss_per = LOCAL(to_double_)(ws.loss_per, B, &failed);
        out->loss = (double)ws.loss;
        const int routers = net->arch == RF_PMOE_ARCH_ROUTER ||
                            (moe && net->train_routers && net->gating != RF_PMOE_GATE_ONE);
        if (nw) out->dW = LOCAL(to_double_)(ws.dW, nw, &failed);
        if (routers) out->dwg = LOCAL(to_double_)(ws.dwg, nwg, &failed);
        if (!failed && nw) {
            k->sgd(p.W, ws.dW, nw, (T)lr);
            out->W_after = LOCAL(to_double_)(p.W, nw, &failed);
        }
        if (!failed && routers) {
            k->sgd(p.wg, ws.dwg, nwg, (T)lr);
            out->wg_after = LOCAL(to_double_)(p.wg, nwg, &failed);
        }
    }
    free(xt);
    free(p.wg);
    free(p.W);
    free(p.a);
    FN(ws_free)(&ws);
    if (failed) {
        rf_pmoe_refrun_out_free(out);
        snprintf(err, errlen, "pmoe reference run: out of memory");
        return -1;
    }
    return 0;
}

int FN(refrun_steps)(const rf_pmoe_ops *ops, const rf_pmoe_net *net, const double *x, const int8_t *y, size_t N,
                     size_t batch, size_t steps, double lr, const double *wg0, const double *W0, const double *a,
                     double *wg_steps, double *W_steps, double *loss_steps, double *margin_steps,
                     double *gmax_steps, char *err, size_t errlen)
{
    if (batch == 0 || batch > N) {
        snprintf(err, errlen, "pmoe reference steps: batch %zu with %zu samples", batch, N);
        return -1;
    }
    TYPE(ws) ws;
    if (FN(ws_init)(&ws, net, batch, err, errlen)) return -1;
    const size_t nwg = rf_pmoe_net_wg_count(net), nw = rf_pmoe_net_w_count(net), na = rf_pmoe_net_a_count(net);
    const size_t nd = net->n * net->d;
    int failed = 0;
    T *xt = LOCAL(to_t_)(x, N * nd, &failed);
    TYPE(params) p = {LOCAL(to_t_)(nwg ? wg0 : NULL, nwg, &failed), LOCAL(to_t_)(nw ? W0 : NULL, nw, &failed),
                      LOCAL(to_t_)(na ? a : NULL, na, &failed)};
    for (size_t s = 0; !failed && s < steps; s++) {
        const size_t first = (s * batch) % N, B = first + batch <= N ? batch : N - first;
        loss_steps[s] = (double)FN(sgd_step)(&ops->SFX, net, &p, xt + first * nd, y + first, B, (T)lr, &ws);
        if (net->arch == RF_PMOE_ARCH_MOE) {
            double m = INFINITY, gmax = 0;
            for (size_t r = 0; r < B * net->k; r++) m = fmin(m, (double)ws.margin[r]);
            for (size_t i = 0; i < B * net->k * net->n; i++) gmax = fmax(gmax, fabs((double)ws.g[i]));
            if (margin_steps) margin_steps[s] = m;
            if (gmax_steps) gmax_steps[s] = gmax;
        }
        for (size_t i = 0; wg_steps && i < nwg; i++) wg_steps[s * nwg + i] = (double)p.wg[i];
        for (size_t i = 0; W_steps && i < nw; i++) W_steps[s * nw + i] = (double)p.W[i];
    }
    free(xt);
    free(p.wg);
    free(p.W);
    free(p.a);
    FN(ws_free)(&ws);
    if (failed) {
        snprintf(err, errlen, "pmoe reference steps: out of memory");
        return -1;
    }
    return 0;
}

int FN(refrun_select)(const rf_pmoe_ops *ops, const double *x, size_t B, size_t n, size_t d, const double *wg,
                      size_t k, size_t l, int tie, size_t grid_w, double *g, int32_t *idx, double *margin,
                      char *err, size_t errlen)
{
    int failed = 0;
    T *xt = LOCAL(to_t_)(x, B * n * d, &failed), *wt = LOCAL(to_t_)(wg, k * d, &failed);
    T *gt = LOCAL(alloc_)(B * k * n, sizeof *gt), *mt = LOCAL(alloc_)(B * k, sizeof *mt);
    if (!failed && gt && mt) {
        ops->SFX.route(xt, B, n, d, wt, k, gt);
        ops->SFX.topl(gt, B * k, n, l, tie, grid_w, idx, mt);
        for (size_t i = 0; i < B * k * n; i++) g[i] = (double)gt[i];
        for (size_t i = 0; margin && i < B * k; i++) margin[i] = (double)mt[i];
    } else {
        failed = 1;
    }
    free(xt), free(wt), free(gt), free(mt);
    if (failed) snprintf(err, errlen, "pmoe selection: out of memory");
    return failed ? -1 : 0;
}

int FN(refrun_gate)(const rf_pmoe_ops *ops, const double *x, size_t B, size_t n, size_t d, const double *kernel,
                    size_t l, int mode, const double *U, double *g, int32_t *idx, double *G, double *out,
                    double *dkernel, char *err, size_t errlen)
{
    if (l < 1 || l > n) {
        snprintf(err, errlen, "pmoe gate: l = %zu with n = %zu patches", l, n);
        return -1;
    }
    const TYPE(ops) *k = &ops->SFX;
    int failed = 0;
    T *xt = LOCAL(to_t_)(x, B * n * d, &failed), *kt = LOCAL(to_t_)(kernel, d, &failed);
    T *gt = LOCAL(alloc_)(B * n, sizeof *gt), *Gt = LOCAL(alloc_)(B * l, sizeof *Gt);
    T *dG = LOCAL(alloc_)(B * l, sizeof *dG), *dg = LOCAL(alloc_)(B * n, sizeof *dg);
    T *dk = LOCAL(alloc_)(d, sizeof *dk);
    if (failed || !gt || !Gt || !dG || !dg || !dk) failed = 1;
    if (!failed) {
        k->route(xt, B, n, d, kt, 1, gt);
        k->topl(gt, B, n, l, RF_PMOE_TIE_ROW, 1, idx, NULL);
        k->gate(gt, idx, B, n, l, mode, Gt);
        for (size_t i = 0; i < B * n; i++) {
            g[i] = (double)gt[i];
            G[i] = 0;
        }
        for (size_t i = 0; i < B * n * d; i++) out[i] = 0;
        /* output_j = G_j x_j; dL/dG_j = <U_j, x_j> (in T, as the layer would compute it) */
        for (size_t b = 0; b < B; b++)
            for (size_t t = 0; t < l; t++) {
                const size_t j = (size_t)idx[b * l + t];
                const T *xj = xt + (b * n + j) * d;
                T acc = 0;
                for (size_t p = 0; p < d; p++) {
                    out[(b * n + j) * d + p] = (double)(Gt[b * l + t] * xj[p]);
                    acc += (T)U[(b * n + j) * d + p] * xj[p];
                }
                G[b * n + j] = (double)Gt[b * l + t];
                dG[b * l + t] = acc;
            }
        k->gate_bwd(gt, idx, dG, B, n, l, mode, dg);
        k->route_bwd(xt, B, n, d, dg, 1, dk);
        for (size_t p = 0; p < d; p++) dkernel[p] = (double)dk[p];
    }
    free(xt), free(kt), free(gt), free(Gt), free(dG), free(dg), free(dk);
    if (failed) {
        snprintf(err, errlen, "pmoe gate: out of memory");
        return -1;
    }
    return 0;
}

#undef FN
#undef TYPE
#undef LOCAL
#undef RR_CAT
#undef RR_CAT2
