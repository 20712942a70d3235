/* The body of step.h for one element type, instantiated by step_f32.c and step_f64.c with
 * T (float / double) and SFX (f32 / f64). */

#define ST_CAT2(a, b) a##b
#define ST_CAT(a, b) ST_CAT2(a, b)
#define FN(name) ST_CAT(ST_CAT(rf_pmoe_, name), ST_CAT(_, SFX))
#define TYPE(name) ST_CAT(ST_CAT(rf_pmoe_, name), ST_CAT(_, SFX))

void FN(ws_free)(TYPE(ws) *ws)
{
    rf_free(ws->g);
    rf_free(ws->margin);
    rf_free(ws->G);
    rf_free(ws->z);
    rf_free(ws->c);
    rf_free(ws->f);
    rf_free(ws->loss_per);
    rf_free(ws->dldf);
    rf_free(ws->dG);
    rf_free(ws->dg);
    rf_free(ws->dW);
    rf_free(ws->dwg);
    rf_free(ws->idx);
    memset(ws, 0, sizeof *ws);
}

/* count zeroed elements of `size` bytes on whole 64-byte lines (rf_alloc: the vector levels' loads
 * and stores of dW, z, g do not split cache lines), never 0 bytes (so NULL always means failure). */
static void *ST_CAT(ws_alloc_, SFX)(size_t count, size_t size, int *failed)
{
    void *p = count <= SIZE_MAX / size ? rf_alloc((count ? count : 1) * size) : NULL;
    if (!p) *failed = 1;
    return p;
}

int FN(ws_init)(TYPE(ws) *ws, const rf_pmoe_net *net, size_t cap, char *err, size_t errlen)
{
    memset(ws, 0, sizeof *ws);
    if (rf_pmoe_net_check(net, err, errlen)) return -1;
    const size_t k = net->k, n = net->n, l = net->arch == RF_PMOE_ARCH_ROUTER ? 0 : net->l;
    const size_t h = net->h, d = net->d;
    int failed = 0;
#define WS_ALLOC(field, count) ws->field = ST_CAT(ws_alloc_, SFX)((count), sizeof *ws->field, &failed)
    WS_ALLOC(g, cap * k * n);
    WS_ALLOC(margin, cap * k);
    WS_ALLOC(G, cap * k * l);
    WS_ALLOC(z, cap * k * l * h);
    WS_ALLOC(c, cap * k * l);
    WS_ALLOC(f, cap);
    WS_ALLOC(loss_per, cap);
    WS_ALLOC(dldf, cap);
    WS_ALLOC(dG, cap * k * l);
    WS_ALLOC(dg, cap * k * n);
    WS_ALLOC(dW, k * h * d);
    WS_ALLOC(dwg, k * d);
    WS_ALLOC(idx, cap * k * (l ? l : 1));
#undef WS_ALLOC
    if (failed) {
        FN(ws_free)(ws);
        snprintf(err, errlen, "pmoe workspace: out of memory (batch %zu)", cap);
        return -1;
    }
    ws->cap = cap;
    return 0;
}

/* The selection rows of a CNN are all n patches in order: expert_fwd/bwd take idx = NULL. */
static const int32_t *ST_CAT(sel_, SFX)(const rf_pmoe_net *net, const TYPE(ws) *ws)
{
    return net->arch == RF_PMOE_ARCH_CNN ? NULL : ws->idx;
}

/* G = 1 (ONE gating, the CNN) is passed as NULL, which the kernels read as 1 without a memory load. */
static const T *ST_CAT(gates_, SFX)(const rf_pmoe_net *net, const TYPE(ws) *ws)
{
    return net->arch == RF_PMOE_ARCH_CNN || net->gating == RF_PMOE_GATE_ONE ? NULL : ws->G;
}

void FN(forward)(const TYPE(ops) *ops, const rf_pmoe_net *net, const TYPE(params) *p, const T *x,
                 size_t B, TYPE(ws) *ws)
{
    const size_t n = net->n, d = net->d, k = net->k;
    if (net->arch == RF_PMOE_ARCH_ROUTER) {
        ops->route(x, B, n, d, p->wg, k, ws->g);
        return;
    }
    if (net->arch == RF_PMOE_ARCH_MOE) {
        ops->route(x, B, n, d, p->wg, k, ws->g);
        ops->topl(ws->g, B * k, n, net->l, net->tie, net->grid_w, ws->idx, ws->margin);
        if (net->gating != RF_PMOE_GATE_ONE) ops->gate(ws->g, ws->idx, B * k, n, net->l, net->gating, ws->G);
    }
    ops->expert_fwd(x, B, n, d, ST_CAT(sel_, SFX)(net, ws), ST_CAT(gates_, SFX)(net, ws), k, net->l, p->W,
                    p->a, net->h, (T)net->scale, ws->z, ws->c, ws->f);
}

void FN(backward)(const TYPE(ops) *ops, const rf_pmoe_net *net, const TYPE(params) *p, const T *x,
                  const int8_t *y, size_t B, TYPE(ws) *ws)
{
    const size_t n = net->n, d = net->d, k = net->k;
    if (net->arch == RF_PMOE_ARCH_ROUTER) {
        ops->router_loss(x, y, B, n, d, p->wg, ws->f, ws->loss_per, &ws->loss, ws->dwg);
        return;
    }
    ops->logistic(ws->f, y, B, ws->loss_per, &ws->loss, ws->dldf);
    const int routers = net->arch == RF_PMOE_ARCH_MOE && net->train_routers && net->gating != RF_PMOE_GATE_ONE;
    ops->expert_bwd(x, B, n, d, ST_CAT(sel_, SFX)(net, ws), ST_CAT(gates_, SFX)(net, ws), k, net->l, p->a,
                    net->h, (T)net->scale, ws->z, ws->c, ws->dldf, ws->dW, routers ? ws->dG : NULL);
    if (!routers) return;
    ops->gate_bwd(ws->g, ws->idx, ws->dG, B * k, n, net->l, net->gating, ws->dg);
    ops->route_bwd(x, B, n, d, ws->dg, k, ws->dwg);
}

T FN(sgd_step)(const TYPE(ops) *ops, const rf_pmoe_net *net, TYPE(params) *p, const T *x, const int8_t *y,
               size_t B, T lr, TYPE(ws) *ws)
{
    if (net->arch == RF_PMOE_ARCH_ROUTER) {
        FN(backward)(ops, net, p, x, y, B, ws);
        ops->sgd(p->wg, ws->dwg, rf_pmoe_net_wg_count(net), lr);
        return ws->loss;
    }
    FN(forward)(ops, net, p, x, B, ws);
    FN(backward)(ops, net, p, x, y, B, ws);
    ops->sgd(p->W, ws->dW, rf_pmoe_net_w_count(net), lr);
    if (net->arch == RF_PMOE_ARCH_MOE && net->train_routers && net->gating != RF_PMOE_GATE_ONE)
        ops->sgd(p->wg, ws->dwg, rf_pmoe_net_wg_count(net), lr);
    return ws->loss;
}

void FN(count_correct)(const T *f, const int8_t *y, size_t B, size_t *code, size_t *paper)
{
    size_t c = 0, q = 0;
    for (size_t b = 0; b < B; b++) {
        const int positive = y[b] > 0;
        c += (f[b] > (T)0.5) == positive;
        q += positive ? f[b] > 0 : f[b] < 0;
    }
    *code = c;
    *paper = q;
}

#undef FN
#undef TYPE
#undef ST_CAT
#undef ST_CAT2
