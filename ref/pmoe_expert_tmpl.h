/* Reference pMoE expert, loss and update kernels (refast/pmoe.h), written once for the element type
 * T and instantiated for float and double by ref/pmoe_expert.c (T, SFX, EXP, LOG1P defined there).
 * Plain loops with the seed's formulas; sums in the order the header states. */

#define PM_CAT2(a, b) a##b
#define PM_CAT(a, b) PM_CAT2(a, b)
#define KERNEL(name) RF_REF(PM_CAT(PM_CAT(pmoe_, name), PM_CAT(_, SFX)))
#define LOCAL(name) PM_CAT(name, SFX)

/* relu with relu(NaN) = NaN. */
static T LOCAL(relu_)(T z)
{
    return z != z ? z : (z > 0 ? z : 0);
}

/* The patch of sample b that slot t of expert s reads: the selected one, or patch t itself when
 * every patch goes to every expert (idx NULL: the CNN). */
static const T *LOCAL(slot_patch_)(const T *x, size_t b, size_t n, size_t d, const int32_t *idx,
                                   size_t k, size_t l, size_t s, size_t t)
{
    const size_t j = idx ? (size_t)idx[(b * k + s) * l + t] : t;
    return x + (b * n + j) * d;
}

/* Eq. 1 with the code's scale: f = scale sum_s sum_{j in J_s} G_js sum_r a_rs relu(<w_rs, x^(j)>). */
void KERNEL(expert_fwd)(const T *x, size_t B, size_t n, size_t d, const int32_t *idx, const T *G,
                        size_t k, size_t l, const T *W, const T *a, size_t h, T scale, T *z, T *c, T *f)
{
    const int valid = l <= n && (idx || l == n);
    for (size_t b = 0; b < B; b++) {
        if (!valid) {
            f[b] = (T)NAN;
            continue;
        }
        T acc = 0;
        for (size_t s = 0; s < k; s++)
            for (size_t t = 0; t < l; t++) {
                const size_t slot = (b * k + s) * l + t;
                const T *xj = LOCAL(slot_patch_)(x, b, n, d, idx, k, l, s, t);
                T cj = 0;
                for (size_t r = 0; r < h; r++) {
                    const T *w = W + (s * h + r) * d;
                    T zr = 0;
                    for (size_t p = 0; p < d; p++) zr += w[p] * xj[p];
                    if (z) z[slot * h + r] = zr;
                    cj += a[s * h + r] * LOCAL(relu_)(zr);
                }
                if (c) c[slot] = cj;
                acc += (G ? G[slot] : 1) * cj;
            }
        f[b] = scale * acc;
    }
}

/* softplus(t) = log(1 + e^t) without overflow: t + log1p(e^-t) for t > 0. */
static T LOCAL(softplus_)(T t)
{
    return t > 0 ? t + LOG1P(EXP(-t)) : LOG1P(EXP(t));
}

/* sigmoid(t) = 1 / (1 + e^-t), written so that e^x never overflows. */
static T LOCAL(sigmoid_)(T t)
{
    if (t >= 0) return 1 / (1 + EXP(-t));
    const T e = EXP(t);
    return e / (1 + e);
}

/* Eq. 2 on a batch: the logistic loss, its mean and d(mean)/df. */
void KERNEL(logistic)(const T *f, const int8_t *y, size_t B, T *loss_per, T *loss, T *dldf)
{
    T sum = 0;
    for (size_t b = 0; b < B; b++) {
        const T yb = y[b] > 0 ? 1 : -1;
        const T lb = LOCAL(softplus_)(-yb * f[b]);
        if (loss_per) loss_per[b] = lb;
        sum += lb;
        if (dldf) dldf[b] = -yb * LOCAL(sigmoid_)(-yb * f[b]) / (T)B;
    }
    if (loss) *loss = B ? sum / (T)B : 0;
}

/* dL/dw_rs = sum_b q_b sum_{j in J_s} G_js a_rs relu'(z) x^(j), q_b = dL/df_b scale; dG = q_b c. */
void KERNEL(expert_bwd)(const T *x, size_t B, size_t n, size_t d, const int32_t *idx, const T *G,
                        size_t k, size_t l, const T *a, size_t h, T scale, const T *z, const T *c,
                        const T *dldf, T *dW, T *dG)
{
    const int valid = l <= n && (idx || l == n);
    for (size_t i = 0; i < k * h * d; i++) dW[i] = valid ? 0 : (T)NAN;
    if (!valid) return;
    for (size_t b = 0; b < B; b++) {
        const T q = dldf[b] * scale;
        for (size_t s = 0; s < k; s++)
            for (size_t t = 0; t < l; t++) {
                const size_t slot = (b * k + s) * l + t;
                const T *xj = LOCAL(slot_patch_)(x, b, n, d, idx, k, l, s, t);
                const T qg = q * (G ? G[slot] : 1);
                if (dG) dG[slot] = q * c[slot];
                for (size_t r = 0; r < h; r++) {
                    if (!(z[slot * h + r] > 0)) continue; /* relu'(z) = 0 for z <= 0 (and NaN) */
                    const T coef = qg * a[s * h + r];
                    T *dw = dW + (s * h + r) * d;
                    for (size_t p = 0; p < d; p++) dw[p] += coef * xj[p];
                }
            }
    }
}

/* Eq. 6: f = <w_1 - w_2, sum_j x^(j)>, loss -y f, and its gradient. */
void KERNEL(router_loss)(const T *x, const int8_t *y, size_t B, size_t n, size_t d, const T *w, T *f,
                         T *loss_per, T *loss, T *dw)
{
    T sum = 0;
    if (dw)
        for (size_t p = 0; p < 2 * d; p++) dw[p] = 0;
    for (size_t b = 0; b < B; b++) {
        const T yb = y[b] > 0 ? 1 : -1;
        T fb = 0;
        for (size_t p = 0; p < d; p++) {
            T X = 0; /* X_b[p] = sum_j x_b^(j)[p] */
            for (size_t j = 0; j < n; j++) X += x[(b * n + j) * d + p];
            fb += (w[p] - w[d + p]) * X;
            if (dw) dw[p] += yb * X; /* sum_b y_b X_b, scaled below */
        }
        if (f) f[b] = fb;
        if (loss_per) loss_per[b] = -yb * fb;
        sum += -yb * fb;
    }
    if (loss) *loss = B ? sum / (T)B : 0;
    if (dw)
        for (size_t p = 0; p < d; p++) {
            const T s = B ? dw[p] / (T)B : 0;
            dw[p] = -s;
            dw[d + p] = s;
        }
}

void KERNEL(sgd)(T *w, const T *grad, size_t count, T lr)
{
    for (size_t i = 0; i < count; i++) w[i] -= lr * grad[i];
}

#undef KERNEL
#undef LOCAL
#undef PM_CAT
#undef PM_CAT2
