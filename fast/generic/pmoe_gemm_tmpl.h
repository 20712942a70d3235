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
 *           dW and dw: a rank-nx update). Register blocks of 8 accumulators with constant shapes
 *           (4 rows x 2 vectors, then 2 x 4 and 1 x 4 for the rows left over; for m = 4 q + 1 one
 *           5 x 2 block of 10 first): every slot's patch registers are loaded once for all the
 *           block's rows. Why the 5 x 2: at the joint model's h = 5 the leftover row made a 1 x 4
 *           pass of its own, re-reading every selected patch (64 patch streams, from L2/L3) for
 *           one row: per 16 values 18.5 uops and 8.5 loads for 10 FMAs, and the time in the second
 *           memory pass; pmoe_expert_bwd_f64 at avx512 measured 0.85x autovec (whose loop reads a
 *           patch once and keeps it in L1 for its 5 rows). With 5 x 2: 2 patch loads, 5
 *           broadcasts, 10 FMAs per slot and 16 values, one pass.
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

/* out[r][p .. p + C VL) += sum_i coef[i m + r] xs[i][p ..], r < R: R x C accumulators held in
 * registers (R and C are constants, so the loops unroll and the arrays live in registers). */
#define PMT_ACC(R, C)                                                                                              \
    static void PMT(PMT_CAT(PMT_CAT(pm_acc, R), PMT_CAT(x, C)))(const T *const *xs, const T *coef, size_t m,         \
                                                             size_t nslots, size_t p, T *out, size_t d)            \
    {                                                                                                              \
        V acc[R * C];                                                                                              \
        for (int r = 0; r < R; r++)                                                                                \
            for (int q = 0; q < C; q++) acc[r * C + q] = VOP(loadu)(out + (size_t)r * d + p + (size_t)q * VL);      \
        for (size_t i = 0; i < nslots; i++) {                                                                      \
            const T *x = xs[i] + p;                                                                                \
            V xv[C];                                                                                               \
            for (int q = 0; q < C; q++) xv[q] = VOP(loadu)(x + (size_t)q * VL);                                    \
            for (int r = 0; r < R; r++) {                                                                          \
                const V cv = VOP(set1)(coef[i * m + (size_t)r]);                                                   \
                for (int q = 0; q < C; q++) acc[r * C + q] = VOP(fma)(cv, xv[q], acc[r * C + q]);                  \
            }                                                                                                      \
        }                                                                                                          \
        for (int r = 0; r < R; r++)                                                                                \
            for (int q = 0; q < C; q++) VOP(storeu)(out + (size_t)r * d + p + (size_t)q * VL, acc[r * C + q]);     \
    }
PMT_ACC(5, 2)
PMT_ACC(5, 1)
PMT_ACC(4, 2)
PMT_ACC(4, 1)
PMT_ACC(2, 4)
PMT_ACC(2, 1)
PMT_ACC(1, 4)
PMT_ACC(1, 1)
#undef PMT_ACC

/* The last w < VL columns of one row (masked loads and stores). */
static void PMT(pm_acc_tail_)(const T *const *xs, const T *coef, size_t m, size_t nslots, size_t p, size_t w, T *out)
{
    V acc = VOP(loadn)(out + p, w);
    for (size_t i = 0; i < nslots; i++) acc = VOP(fma)(VOP(set1)(coef[i * m]), VOP(loadn)(xs[i] + p, w), acc);
    VOP(storen)(out + p, w, acc);
}

/* Rows [r0, r0 + R) of out over every column: C-vector blocks, then single vectors, then the tail. */
#define PMT_ROWS(R, C, END)                                                                                        \
    for (; r0 + R <= (END); r0 += R) {                                                                                 \
        size_t p = 0;                                                                                              \
        for (; p + C * VL <= d; p += C * VL)                                                                       \
            PMT(PMT_CAT(PMT_CAT(pm_acc, R), PMT_CAT(x, C)))(xs, coef + r0, m, nslots, p, out + r0 * d, d);         \
        for (; p + VL <= d; p += VL) PMT(PMT_CAT(PMT_CAT(pm_acc, R), x1))(xs, coef + r0, m, nslots, p, out + r0 * d, d); \
        if (p < d)                                                                                                 \
            for (size_t r = 0; r < R; r++) PMT(pm_acc_tail_)(xs, coef + r0 + r, m, nslots, p, d - p, out + (r0 + r) * d); \
    }

static void PMT(pm_accum_)(const T *const *xs, const T *coef, size_t nslots, size_t m, size_t d, T *out)
{
    size_t r0 = 0;
    /* m = 4 q + 1 (the joint model's h = 5): one 5-row block first, so no row is left for a pass of
     * its own that would read every patch again for one row */
    PMT_ROWS(5, 2, m % 4 == 1 && m >= 5 ? 5 : 0)
    PMT_ROWS(4, 2, m)
    PMT_ROWS(2, 4, m)
    PMT_ROWS(1, 4, m)
}
#undef PMT_ROWS

#undef PMT
#undef PMT_CAT
#undef PMT_CAT2
