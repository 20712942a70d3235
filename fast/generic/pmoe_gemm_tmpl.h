/* The two GEMM-shaped micro-kernels of the pMoE fast level (fast/generic/pmoe.c), written once for
 * an element type and its vector (T, V, VL, VOP(op) defined by the including file) over the level's
 * fast/<isa>/simd.h.
 *
 * pm_dots:  out[i ox + r ow] = <xs[i], ws[r]> for nx patch pointers and nw weight rows of length d
 *           (the routing values g and the experts' pre-activations z). Register block: 2 patches x
 *           4 rows = 8 independent vector accumulators (enough to cover the FMA latency), each
 *           patch register loaded once for 4 rows and each weight register once for 2 patches.
 *           Rows left over (nw % 4) go 2 patches x 1 row; a patch left over, 1 x 1.
 * pm_accum: out[r d + p] += sum_i coef[i m + r] xs[i][p] for m output rows (the weight gradients
 *           dW and dw: a rank-nx update). Register block: 4 rows x 2 vectors of p; every slot's
 *           patch registers are loaded once for 4 rows.
 * Tails of p use VOP(loadn) / VOP(storen) (zero-filled lanes, memory past the end untouched).
 * Sums: lane-parallel FMA partial sums, then the level's horizontal sum: a blocked order whose
 * error bound is below the sequential one of ref (refast/pmoe.h). */

#define PMT_CAT2(a, b) a##b
#define PMT_CAT(a, b) PMT_CAT2(a, b)
#define PMT(name) PMT_CAT(name, PMT_SFX)

/* One dot product, 2 accumulators. */
static T PMT(pm_dot1_)(const T *x, const T *w, size_t d)
{
    V a0 = VOP(zero)(), a1 = VOP(zero)();
    size_t p = 0;
    for (; p + 2 * VL <= d; p += 2 * VL) {
        a0 = VOP(fma)(VOP(loadu)(x + p), VOP(loadu)(w + p), a0);
        a1 = VOP(fma)(VOP(loadu)(x + p + VL), VOP(loadu)(w + p + VL), a1);
    }
    for (; p + VL <= d; p += VL) a0 = VOP(fma)(VOP(loadu)(x + p), VOP(loadu)(w + p), a0);
    if (p < d) a1 = VOP(fma)(VOP(loadn)(x + p, d - p), VOP(loadn)(w + p, d - p), a1);
    return VOP(hsum)(VOP(add)(a0, a1));
}

/* Two patches against one row. */
static void PMT(pm_dot2x1_)(const T *x0, const T *x1, const T *w, size_t d, T *o0, T *o1)
{
    V a0 = VOP(zero)(), a1 = VOP(zero)();
    size_t p = 0;
    for (; p + VL <= d; p += VL) {
        const V wv = VOP(loadu)(w + p);
        a0 = VOP(fma)(VOP(loadu)(x0 + p), wv, a0);
        a1 = VOP(fma)(VOP(loadu)(x1 + p), wv, a1);
    }
    if (p < d) {
        const V wv = VOP(loadn)(w + p, d - p);
        a0 = VOP(fma)(VOP(loadn)(x0 + p, d - p), wv, a0);
        a1 = VOP(fma)(VOP(loadn)(x1 + p, d - p), wv, a1);
    }
    *o0 = VOP(hsum)(a0);
    *o1 = VOP(hsum)(a1);
}

/* Two patches against four rows: the 8-accumulator block. */
static void PMT(pm_dot2x4_)(const T *x0, const T *x1, const T *const *w, size_t d, T out[8])
{
    V a[8];
    for (int i = 0; i < 8; i++) a[i] = VOP(zero)();
    size_t p = 0;
    for (; p + VL <= d; p += VL) {
        const V v0 = VOP(loadu)(x0 + p), v1 = VOP(loadu)(x1 + p);
        for (int r = 0; r < 4; r++) {
            const V wv = VOP(loadu)(w[r] + p);
            a[r] = VOP(fma)(v0, wv, a[r]);
            a[4 + r] = VOP(fma)(v1, wv, a[4 + r]);
        }
    }
    if (p < d) {
        const V v0 = VOP(loadn)(x0 + p, d - p), v1 = VOP(loadn)(x1 + p, d - p);
        for (int r = 0; r < 4; r++) {
            const V wv = VOP(loadn)(w[r] + p, d - p);
            a[r] = VOP(fma)(v0, wv, a[r]);
            a[4 + r] = VOP(fma)(v1, wv, a[4 + r]);
        }
    }
    for (int i = 0; i < 8; i++) out[i] = VOP(hsum)(a[i]);
}

static void PMT(pm_dots_)(const T *const *xs, size_t nx, const T *const *ws, size_t nw, size_t d, T *out, size_t ox,
                          size_t ow)
{
    size_t i = 0;
    for (; i + 2 <= nx; i += 2) {
        size_t r = 0;
        for (; r + 4 <= nw; r += 4) {
            T o[8];
            PMT(pm_dot2x4_)(xs[i], xs[i + 1], ws + r, d, o);
            for (int q = 0; q < 4; q++) {
                out[i * ox + (r + q) * ow] = o[q];
                out[(i + 1) * ox + (r + q) * ow] = o[4 + q];
            }
        }
        for (; r < nw; r++) PMT(pm_dot2x1_)(xs[i], xs[i + 1], ws[r], d, &out[i * ox + r * ow], &out[(i + 1) * ox + r * ow]);
    }
    for (; i < nx; i++)
        for (size_t r = 0; r < nw; r++) out[i * ox + r * ow] = PMT(pm_dot1_)(xs[i], ws[r], d);
}

/* out rows r0 .. r0 + nr (nr <= 4) of stride d, columns [p, p + w) (w <= 2 VL), += the slots. */
static void PMT(pm_accum_block_)(const T *const *xs, const T *coef, size_t nslots, size_t m, size_t r0, size_t nr,
                                 size_t p, size_t w, T *out, size_t d)
{
    V a[8];
    const size_t w0 = w < VL ? w : VL, w1 = w - w0;
    for (size_t r = 0; r < nr; r++) {
        T *o = out + (r0 + r) * d + p;
        a[2 * r] = w0 == VL ? VOP(loadu)(o) : VOP(loadn)(o, w0);
        a[2 * r + 1] = w1 == VL ? VOP(loadu)(o + VL) : w1 ? VOP(loadn)(o + VL, w1) : VOP(zero)();
    }
    for (size_t i = 0; i < nslots; i++) {
        const T *x = xs[i] + p;
        const V v0 = w0 == VL ? VOP(loadu)(x) : VOP(loadn)(x, w0);
        const V v1 = w1 == VL ? VOP(loadu)(x + VL) : w1 ? VOP(loadn)(x + VL, w1) : VOP(zero)();
        const T *cf = coef + i * m + r0;
        for (size_t r = 0; r < nr; r++) {
            const V cv = VOP(set1)(cf[r]);
            a[2 * r] = VOP(fma)(cv, v0, a[2 * r]);
            a[2 * r + 1] = VOP(fma)(cv, v1, a[2 * r + 1]);
        }
    }
    for (size_t r = 0; r < nr; r++) {
        T *o = out + (r0 + r) * d + p;
        if (w0 == VL) VOP(storeu)(o, a[2 * r]);
        else VOP(storen)(o, w0, a[2 * r]);
        if (w1 == VL) VOP(storeu)(o + VL, a[2 * r + 1]);
        else if (w1) VOP(storen)(o + VL, w1, a[2 * r + 1]);
    }
}

static void PMT(pm_accum_)(const T *const *xs, const T *coef, size_t nslots, size_t m, size_t d, T *out)
{
    for (size_t r0 = 0; r0 < m; r0 += 4) {
        const size_t nr = m - r0 < 4 ? m - r0 : 4;
        for (size_t p = 0; p < d; p += 2 * VL)
            PMT(pm_accum_block_)(xs, coef, nslots, m, r0, nr, p, d - p < 2 * VL ? d - p : 2 * VL, out, d);
    }
}

#undef PMT
#undef PMT_CAT
#undef PMT_CAT2
