/* Reference pMoE routing kernels (refast/pmoe.h), written once for the element type T and
 * instantiated for float and double by ref/pmoe_route.c (T, SFX, EXP defined there). Plain loops,
 * the formulas of the header, sums in the stated order. No includes here: the including file
 * provides <math.h>, <stdint.h> and refast/pmoe.h. */

#define PM_CAT2(a, b) a##b
#define PM_CAT(a, b) PM_CAT2(a, b)
#define KERNEL(name) RF_REF(PM_CAT(PM_CAT(pmoe_, name), PM_CAT(_, SFX)))
#define LOCAL(name) PM_CAT(name, SFX)

/* g[(b k + s) n + j] = <w_s, x_b^(j)>. */
void KERNEL(route)(const T *x, size_t B, size_t n, size_t d, const T *w, size_t k, T *g)
{
    for (size_t b = 0; b < B; b++)
        for (size_t s = 0; s < k; s++)
            for (size_t j = 0; j < n; j++) {
                const T *xj = x + (b * n + j) * d, *ws = w + s * d;
                T acc = 0;
                for (size_t p = 0; p < d; p++) acc += ws[p] * xj[p];
                g[(b * k + s) * n + j] = acc;
            }
}

/* The tie key of index j: j itself (row-major) or its column-major position in a grid grid_w
 * patches wide and n / grid_w high. */
static size_t LOCAL(tie_key_)(size_t j, size_t n, int tie, size_t grid_w)
{
    if (tie != RF_PMOE_TIE_COL) return j;
    const size_t grid_h = n / grid_w;
    return (j % grid_w) * grid_h + j / grid_w;
}

/* 1 if value i ranks before value j: larger first, NaN after every number, then the lower key. */
static int LOCAL(ranks_before_)(T vi, size_t ki, T vj, size_t kj)
{
    const int ni = vi != vi, nj = vj != vj;
    if (ni != nj) return nj; /* exactly one NaN: the number wins */
    if (!ni && vi != vj) return vi > vj;
    return ki < kj;
}

/* The rank of every value is the number of values ranking before it; the l values of rank < l
 * are selected. Scanning j upwards emits them in ascending index order. O(n^2) per row: the
 * plainest correct statement of "top-l with a tie rule". */
void KERNEL(topl)(const T *g, size_t rows, size_t n, size_t l, int tie, size_t grid_w, int32_t *idx,
                  T *margin)
{
    const int valid = l >= 1 && l <= n && (tie != RF_PMOE_TIE_COL || (grid_w >= 1 && n % grid_w == 0));
    for (size_t r = 0; r < rows; r++) {
        const T *v = g + r * n;
        int32_t *out = idx + r * l;
        if (!valid) {
            for (size_t t = 0; t < l; t++) out[t] = -1;
            if (margin) margin[r] = (T)NAN;
            continue;
        }
        size_t t = 0;
        T last_in = 0, first_out = 0; /* the values of rank l-1 and rank l */
        for (size_t j = 0; j < n; j++) {
            size_t rank = 0;
            const size_t kj = LOCAL(tie_key_)(j, n, tie, grid_w);
            for (size_t i = 0; i < n; i++)
                if (i != j && LOCAL(ranks_before_)(v[i], LOCAL(tie_key_)(i, n, tie, grid_w), v[j], kj))
                    rank++;
            if (rank < l) out[t++] = (int32_t)j;
            if (rank == l - 1) last_in = v[j];
            if (rank == l) first_out = v[j];
        }
        if (margin) margin[r] = l == n ? (T)INFINITY : last_in - first_out;
    }
}

/* G of one row for the selected slots: see refast/pmoe.h. */
void KERNEL(gate)(const T *g, const int32_t *idx, size_t rows, size_t n, size_t l, int mode, T *G)
{
    for (size_t r = 0; r < rows; r++) {
        const T *v = g + r * n;
        const int32_t *sel = idx + r * l;
        T *out = G + r * l;
        if (mode == RF_PMOE_GATE_ONE) {
            for (size_t t = 0; t < l; t++) out[t] = 1;
            continue;
        }
        if (l < 1 || l > n) {
            for (size_t t = 0; t < l; t++) out[t] = (T)NAN;
            continue;
        }
        /* m = the largest value of the summed set: only a shift that keeps exp from overflowing. */
        const size_t count = mode == RF_PMOE_GATE_WRN ? n : l;
        T m = -(T)INFINITY;
        for (size_t i = 0; i < count; i++) {
            const T gi = mode == RF_PMOE_GATE_WRN ? v[i] : v[sel[i]];
            if (gi > m || gi != gi) m = gi;
        }
        T sum = 0;
        for (size_t i = 0; i < count; i++) sum += EXP((mode == RF_PMOE_GATE_WRN ? v[i] : v[sel[i]]) - m);
        for (size_t t = 0; t < l; t++) out[t] = EXP(v[sel[t]] - m) / sum;
    }
}

/* dg from dG through the gate's softmax: see refast/pmoe.h. */
void KERNEL(gate_bwd)(const T *g, const int32_t *idx, const T *dG, size_t rows, size_t n, size_t l,
                      int mode, T *dg)
{
    for (size_t r = 0; r < rows; r++) {
        const T *v = g + r * n;
        const int32_t *sel = idx + r * l;
        const T *up = dG + r * l;
        T *out = dg + r * n;
        for (size_t i = 0; i < n; i++) out[i] = 0;
        if (mode == RF_PMOE_GATE_ONE) continue;
        if (l < 1 || l > n) {
            for (size_t i = 0; i < n; i++) out[i] = (T)NAN;
            continue;
        }
        const size_t count = mode == RF_PMOE_GATE_WRN ? n : l;
        T m = -(T)INFINITY;
        for (size_t i = 0; i < count; i++) {
            const T gi = mode == RF_PMOE_GATE_WRN ? v[i] : v[sel[i]];
            if (gi > m || gi != gi) m = gi;
        }
        T sum = 0;
        for (size_t i = 0; i < count; i++) sum += EXP((mode == RF_PMOE_GATE_WRN ? v[i] : v[sel[i]]) - m);
        /* mu = sum_t P_jt dG_t: the gradient's component shared by every probability. */
        T mu = 0;
        for (size_t t = 0; t < l; t++) mu += EXP(v[sel[t]] - m) / sum * up[t];
        if (mode == RF_PMOE_GATE_WRN)
            for (size_t i = 0; i < n; i++) out[i] = EXP(v[i] - m) / sum * (0 - mu);
        for (size_t t = 0; t < l; t++) {
            const size_t j = (size_t)sel[t];
            out[j] = EXP(v[j] - m) / sum * (up[t] - mu);
        }
    }
}

/* dw[s d + p] = sum_b sum_j dg[(b k + s) n + j] x_b^(j)[p]. */
void KERNEL(route_bwd)(const T *x, size_t B, size_t n, size_t d, const T *dg, size_t k, T *dw)
{
    for (size_t i = 0; i < k * d; i++) dw[i] = 0;
    for (size_t b = 0; b < B; b++)
        for (size_t s = 0; s < k; s++)
            for (size_t j = 0; j < n; j++) {
                const T coef = dg[(b * k + s) * n + j];
                const T *xj = x + (b * n + j) * d;
                for (size_t p = 0; p < d; p++) dw[s * d + p] += coef * xj[p];
            }
}

#undef KERNEL
#undef LOCAL
#undef PM_CAT
#undef PM_CAT2
