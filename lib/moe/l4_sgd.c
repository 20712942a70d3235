/* Optimisers of the seed 003 losses (refast/moe_loss.h): mini-batch SGD / Adam on L4 over a sample
 * source, projected gradient descent on L_log, and the E_reg metric.
 *
 * Batches: the data set is cut into ceil(total / batch) consecutive batches; each epoch visits them
 * in a fresh random order (Fisher–Yates on Philox words of stream `epoch` of run->seed), so a run is
 * reproducible and the order does not depend on the ISA level. Every step transforms the outputs
 * (Q4, Q2 of run->cqt), calls the dispatching L4 kernel and updates A. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moe/losses.h"
#include "moe/model.h"
#include "refast/rng.h"
#include "moe/cqt.h"

static int fail(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
    return -1;
}

/* A random order of the nb batches of one epoch. */
static int epoch_order(uint64_t seed, uint64_t epoch, uint64_t nb, uint64_t *perm)
{
    uint32_t *words = malloc((size_t)(nb ? nb : 1) * sizeof *words);
    if (!words) return -1;
    rf_philox_u32(seed, epoch, 0, (size_t)nb, words);
    for (uint64_t i = 0; i < nb; i++) perm[i] = i;
    for (uint64_t i = nb; i > 1; i--) {
        const uint64_t j = words[i - 1] % i; /* bias < i / 2^32: immaterial for a batch order */
        const uint64_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    free(words);
    return 0;
}

int rf_moe_sgd_l4(rf_moe_l4_run *run, double *A, char *err, size_t errlen)
{
    const size_t k = run->k, d = run->d, kd = k * d;
    if (k < 1 || k > RF_MOE_L4_MAX_K || d < 1 || d > RF_MOE_L4_MAX_D)
        return fail(err, errlen, "L4 optimiser: k must be in 1..16 and d in 1..256");
    if (run->batch == 0 || run->total == 0) return fail(err, errlen, "L4 optimiser: empty batch or data set");
    if (!(run->step > 0.0) || !isfinite(run->step)) return fail(err, errlen, "L4 optimiser: step must be > 0");
    if (!run->source) return fail(err, errlen, "L4 optimiser: no sample source");
    const double beta1 = run->beta1 > 0.0 ? run->beta1 : 0.9, beta2 = run->beta2 > 0.0 ? run->beta2 : 0.999;
    const double eps = run->eps > 0.0 ? run->eps : 1e-8;
    const size_t batch = run->batch;
    const uint64_t nb = (run->total + batch - 1) / batch;
    const double hyper[RF_L4_NHYPER] = {run->cqt.c4, run->cqt.cq2, run->mu, run->lambda, run->delta};

    double *x = malloc(batch * d * sizeof *x), *y = malloc(batch * sizeof *y);
    double *q4 = malloc(batch * sizeof *q4), *q2 = malloc(batch * sizeof *q2);
    double *grad = malloc(kd * sizeof *grad), *m1 = calloc(kd, sizeof *m1), *m2 = calloc(kd, sizeof *m2);
    uint64_t *perm = malloc((size_t)nb * sizeof *perm);
    int status = x && y && q4 && q2 && grad && m1 && m2 && perm ? 0 : fail(err, errlen, "L4 optimiser: out of memory");
    if (status == 0 && run->iterates) memcpy(run->iterates, A, kd * sizeof *A);
    double b1t = 1.0, b2t = 1.0;
    for (uint64_t t = 0; t < run->iters && status == 0; t++) {
        const uint64_t epoch = t / nb, pos = t % nb;
        if (pos == 0 && epoch_order(run->seed, epoch, nb, perm) != 0) {
            status = fail(err, errlen, "L4 optimiser: out of memory");
            break;
        }
        const uint64_t first = perm[pos] * batch;
        const size_t count = (size_t)(run->total - first < batch ? run->total - first : batch);
        if (run->source(run->ctx, first, count, x, y) != 0) {
            status = fail(err, errlen, "L4 optimiser: the sample source failed");
            break;
        }
        for (size_t s = 0; s < count; s++) {
            q4[s] = rf_moe_poly(run->cqt.q4, 4, y[s]);
            q2[s] = rf_moe_poly(run->cqt.q2, 2, y[s]);
        }
        double loss;
        rf_moe_l4_grad_f64(x, q4, q2, count, d, k, A, hyper, &loss, grad);
        if (!isfinite(loss)) {
            status = fail(err, errlen, "L4 optimiser: the loss is not finite (step too large?)");
            break;
        }
        if (run->loss) run->loss[t] = loss;
        if (run->opt == RF_MOE_OPT_ADAM) {
            b1t *= beta1;
            b2t *= beta2;
            for (size_t i = 0; i < kd; i++) {
                m1[i] = beta1 * m1[i] + (1.0 - beta1) * grad[i];
                m2[i] = beta2 * m2[i] + (1.0 - beta2) * grad[i] * grad[i];
                const double mh = m1[i] / (1.0 - b1t), vh = m2[i] / (1.0 - b2t);
                A[i] -= run->step * mh / (sqrt(vh) + eps);
            }
        } else {
            for (size_t i = 0; i < kd; i++) A[i] -= run->step * grad[i];
        }
        if (run->iterates) memcpy(run->iterates + (t + 1) * kd, A, kd * sizeof *A);
    }
    free(x);
    free(y);
    free(q4);
    free(q2);
    free(grad);
    free(m1);
    free(m2);
    free(perm);
    return status;
}

int rf_moe_gd_llog(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                   rf_moe_g g, double sigma, double alpha, double R, uint64_t iters, double *W,
                   double *loss, char *err, size_t errlen)
{
    if (k < 2 || d < 1) return fail(err, errlen, "L_log descent: need k >= 2 and d >= 1");
    if (!(alpha > 0.0) || !isfinite(alpha)) return fail(err, errlen, "L_log descent: step alpha must be > 0");
    if (!(R > 0.0)) return fail(err, errlen, "L_log descent: radius R must be > 0");
    const size_t nw = (k - 1) * d;
    double *grad = malloc(nw * sizeof *grad);
    if (!grad) return fail(err, errlen, "L_log descent: out of memory");
    int status = 0;
    for (uint64_t t = 0; t < iters; t++) {
        double value;
        if (rf_moe_llog_f64(x, y, n, d, k, A, W, g, sigma, &value, grad) != 0 || !isfinite(value)) {
            status = fail(err, errlen, "L_log descent: bad sigma or a non-finite loss");
            break;
        }
        if (loss) loss[t] = value;
        for (size_t i = 0; i + 1 < k; i++) {
            double nn = 0.0;
            for (size_t b = 0; b < d; b++) {
                W[i * d + b] -= alpha * grad[i * d + b];
                nn += W[i * d + b] * W[i * d + b];
            }
            if (nn > R * R) { /* projection onto the ball |w_i| <= R */
                const double f = R / sqrt(nn);
                for (size_t b = 0; b < d; b++) W[i * d + b] *= f;
            }
        }
    }
    free(grad);
    return status;
}

double rf_moe_ereg(const double *A, const double *A_true, unsigned k, unsigned d)
{
    return 1.0 - rf_moe_regressor_fit(A, A_true, k, d);
}
