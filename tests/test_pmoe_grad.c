/* The gradients of the composed networks (lib/pmoe/step.h over the ref kernels, double) against
 * central finite differences of the batch-mean loss: the CNN, the router model (eq. 6),
 * separate-training pMoE (expert weights), joint pMoE with softmax gating and with the WRN gate
 * (expert weights and gating kernels), at scale 1/n and 1/l. This checks the derivation shared by
 * ref and the oracle (which the oracle test cannot: both follow the same formulas), independently
 * of the reference numbers (which cover neither the WRN gate inside a model nor scale 1/l).
 * Step h = 1e-6 max(1, |theta|): the rounding error of a difference is ~u |L| / h ~ 1e-10. A top-l
 * selection or a relu kink flipping inside [theta - h, theta + h] would make the difference jump
 * (a failure, never a silent pass); these fixed random cases have none. Bound:
 * |fd - g| <= 1e-6 max |g| + 1e-9 (measured: about 1e-10). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/step.h"
#include "testlib.h"

static uint64_t rng = 0x5be0cd19137e2179ull;

typedef struct problem {
    rf_pmoe_net net;
    size_t B;
    double *x, *wg, *W, *a;
    int8_t *y;
} problem;

static double loss_at(const problem *pb, rf_pmoe_ws_f64 *ws)
{
    rf_pmoe_params_f64 p = {pb->wg, pb->W, pb->a};
    if (pb->net.arch != RF_PMOE_ARCH_ROUTER) rf_pmoe_forward_f64(&rf_pmoe_ops_ref.f64, &pb->net, &p, pb->x, pb->B, ws);
    rf_pmoe_backward_f64(&rf_pmoe_ops_ref.f64, &pb->net, &p, pb->x, pb->y, pb->B, ws);
    return ws->loss;
}

/* Compares the analytic gradient of `count` parameters at `theta` with central differences at up
 * to 40 random coordinates. */
static void check_param(const char *label, problem *pb, double *theta, const double *grad, size_t count,
                        rf_pmoe_ws_f64 *ws)
{
    double gmax = 0, worst = 0;
    for (size_t i = 0; i < count; i++) gmax = fmax(gmax, fabs(grad[i]));
    for (int t = 0; t < 40 && count; t++) {
        const size_t i = (size_t)rf_test_uniform(&rng, 0, (double)count);
        const double keep = theta[i], h = 1e-6 * fmax(1, fabs(keep));
        theta[i] = keep + h;
        const double up = loss_at(pb, ws);
        theta[i] = keep - h;
        const double down = loss_at(pb, ws);
        theta[i] = keep;
        worst = fmax(worst, fabs((up - down) / (2 * h) - grad[i]));
    }
    printf("  %-26s max |fd - grad| = %.2e (max |grad| %.2e)\n", label, worst, gmax);
    CHECKF(gmax > 0 && worst <= 1e-6 * gmax + 1e-9, "%s: finite differences differ by %g (max |grad| %g)", label,
           worst, gmax);
}

static void run(const char *label, rf_pmoe_arch arch, size_t k, size_t h, size_t l, int gating, int paper)
{
    problem pb = {{arch, 12, 20, k, h, l, gating, RF_PMOE_TIE_ROW, 4, 0, 0}, 6, NULL, NULL, NULL, NULL, NULL};
    pb.net.scale = paper ? 1.0 / (double)l : 1.0 / (double)pb.net.n;
    pb.net.train_routers = arch == RF_PMOE_ARCH_ROUTER || gating != RF_PMOE_GATE_ONE;
    const size_t n = pb.net.n, d = pb.net.d, B = pb.B;
    pb.x = malloc(B * n * d * sizeof *pb.x);
    pb.wg = malloc(k * d * sizeof *pb.wg);
    pb.W = malloc((k * h * d + 1) * sizeof *pb.W);
    pb.a = malloc((k * h + 1) * sizeof *pb.a);
    pb.y = malloc(B);
    for (size_t i = 0; i < B * n * d; i++) pb.x[i] = rf_test_uniform(&rng, 0, 1);
    for (size_t i = 0; i < k * d; i++) pb.wg[i] = 0.3 * rf_test_gauss(&rng);
    for (size_t i = 0; i < k * h * d; i++) pb.W[i] = 0.3 * rf_test_gauss(&rng);
    for (size_t i = 0; i < k * h; i++) pb.a[i] = rf_test_gauss(&rng);
    for (size_t b = 0; b < B; b++) pb.y[b] = b % 2 ? -1 : 1;
    rf_pmoe_ws_f64 ws;
    char err[256];
    if (rf_pmoe_ws_init_f64(&ws, &pb.net, B, err, sizeof err)) {
        CHECKF(0, "%s", err);
        return;
    }
    loss_at(&pb, &ws);
    const size_t nw = rf_pmoe_net_w_count(&pb.net), nwg = rf_pmoe_net_wg_count(&pb.net);
    double *gW = malloc((nw + 1) * sizeof *gW), *gwg = malloc((nwg + 1) * sizeof *gwg);
    memcpy(gW, ws.dW, nw * sizeof *gW);
    if (pb.net.train_routers) memcpy(gwg, ws.dwg, nwg * sizeof *gwg);
    char name[96];
    if (nw) {
        snprintf(name, sizeof name, "%s: W", label);
        check_param(name, &pb, pb.W, gW, nw, &ws);
    }
    if (pb.net.train_routers) {
        snprintf(name, sizeof name, "%s: gating kernels", label);
        check_param(name, &pb, pb.wg, gwg, nwg, &ws);
    }
    rf_pmoe_ws_free_f64(&ws);
    free(pb.x), free(pb.wg), free(pb.W), free(pb.a), free(pb.y), free(gW), free(gwg);
}

int main(void)
{
    run("cnn", RF_PMOE_ARCH_CNN, 1, 5, 12, RF_PMOE_GATE_ONE, 0);
    run("router", RF_PMOE_ARCH_ROUTER, 2, 0, 0, RF_PMOE_GATE_ONE, 0);
    run("separate", RF_PMOE_ARCH_MOE, 2, 4, 3, RF_PMOE_GATE_ONE, 0);
    run("separate, scale 1/l", RF_PMOE_ARCH_MOE, 2, 4, 3, RF_PMOE_GATE_ONE, 1);
    run("joint softmax", RF_PMOE_ARCH_MOE, 3, 3, 4, RF_PMOE_GATE_SOFTMAX, 0);
    run("joint softmax, 1/l", RF_PMOE_ARCH_MOE, 3, 3, 4, RF_PMOE_GATE_SOFTMAX, 1);
    run("joint WRN", RF_PMOE_ARCH_MOE, 3, 3, 4, RF_PMOE_GATE_WRN, 0);
    run("joint l = n", RF_PMOE_ARCH_MOE, 2, 2, 12, RF_PMOE_GATE_SOFTMAX, 0);
    return rf_test_summary("test_pmoe_grad");
}
