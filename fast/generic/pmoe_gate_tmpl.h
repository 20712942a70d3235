/* pmoe_gate and pmoe_gate_bwd written once for an element type (fast/generic/pmoe_gate.c defines
 * T, V, VL, VOP(op), VEXP (a vector e^x for x <= 0 or NaN, subnormal results included) and
 * PMT_SFX). Mirrors KERNEL(gate) and KERNEL(gate_bwd) of ref/pmoe_route_tmpl.h; see pmoe_gate.c
 * for the trick and the error bound. */

#define PMT_CAT2(a, b) a##b
#define PMT_CAT(a, b) PMT_CAT2(a, b)
#define PMT(name) PMT_CAT(name, PMT_SFX)

/* buf[i] = e^{v[sel ? sel[i0 + i] : i0 + i] - m}, i < cnt <= PG_BUF: the shifted values gathered
 * into one contiguous block, then exponentiated VL at a time. */
static void PMT(pg_fill_exp_)(const T *v, const int32_t *sel, size_t i0, size_t cnt, T m, T *buf)
{
    for (size_t i = 0; i < cnt; i++) buf[i] = v[sel ? (size_t)sel[i0 + i] : i0 + i] - m;
    size_t i = 0;
    for (; i + VL <= cnt; i += VL) VOP(storeu)(buf + i, VEXP(VOP(loadu)(buf + i)));
    if (i < cnt) VOP(storen)(buf + i, cnt - i, VEXP(VOP(loadn)(buf + i, cnt - i)));
}

/* buf[i] /= sum: the probabilities from the exponentials, one division each as in ref. */
static void PMT(pg_div_)(T *buf, size_t cnt, T sum)
{
    const V s = VOP(set1)(sum);
    size_t i = 0;
    for (; i + VL <= cnt; i += VL) VOP(storeu)(buf + i, VOP(div)(VOP(loadu)(buf + i), s));
    if (i < cnt) VOP(storen)(buf + i, cnt - i, VOP(div)(VOP(loadn)(buf + i, cnt - i), s));
}

/* The row's shift m (ref's loop: the largest value, or the first NaN) and the sum of the
 * exponentials of the summed set in ref's order. When the set fits in buf (count <= PG_BUF) buf
 * keeps its e^{g_i - m} for the caller; *fits says so. */
static T PMT(pg_row_sum_)(const T *v, const int32_t *sel, size_t count, T *m_out, T *buf, int *fits)
{
    T m = -(T)INFINITY;
    for (size_t i = 0; i < count; i++) {
        const T gi = sel ? v[sel[i]] : v[i];
        if (gi > m || gi != gi) m = gi;
    }
    T sum = 0;
    for (size_t i0 = 0; i0 < count; i0 += PG_BUF) {
        const size_t cnt = count - i0 < PG_BUF ? count - i0 : PG_BUF;
        PMT(pg_fill_exp_)(v, sel, i0, cnt, m, buf);
        for (size_t i = 0; i < cnt; i++) sum += buf[i];
    }
    *m_out = m;
    *fits = count <= PG_BUF;
    return sum;
}

void RF_LEVEL_FN(PMT_CAT(pmoe_gate, PMT_SFX))(const T *g, const int32_t *idx, size_t rows, size_t n, size_t l,
                                               int mode, T *G)
{
    T buf[PG_BUF], num[PG_BUF];
    if (mode == RF_PMOE_GATE_ONE || l < 1 || l > n) {
        const T fill = mode == RF_PMOE_GATE_ONE ? (T)1 : (T)NAN;
        for (size_t i = 0; i < rows * l; i++) G[i] = fill;
        return;
    }
    const int wrn = mode == RF_PMOE_GATE_WRN;
    const size_t count = wrn ? n : l;
    size_t r = 0;
    if (count <= PG_BUF / 2) {
        /* Rows packed: the shifted sets of R rows side by side in buf, one exp pass over all of
         * them (a row of l = 6 alone would fill one vector at most, and its exp's latency chain
         * would be the row's time); den holds each output's row sum, one vector division. */
        T den[PG_BUF];
        const size_t R = PG_BUF / count;
        for (; r < rows; r += R) {
            const size_t nr = rows - r < R ? rows - r : R;
            for (size_t q = 0; q < nr; q++) {
                const T *v = g + (r + q) * n;
                const int32_t *sel = idx + (r + q) * l;
                T m = -(T)INFINITY;
                for (size_t i = 0; i < count; i++) {
                    const T gi = wrn ? v[i] : v[sel[i]];
                    if (gi > m || gi != gi) m = gi;
                }
                for (size_t i = 0; i < count; i++) buf[q * count + i] = (wrn ? v[i] : v[sel[i]]) - m;
            }
            PMT(pg_fill_exp_)(buf, NULL, 0, nr * count, 0, buf);
            for (size_t q = 0; q < nr; q++) {
                const int32_t *sel = idx + (r + q) * l;
                const T *e = buf + q * count;
                T sum = 0;
                for (size_t i = 0; i < count; i++) sum += e[i];
                for (size_t t = 0; t < l; t++) {
                    num[q * l + t] = wrn ? e[sel[t]] : e[t];
                    den[q * l + t] = sum;
                }
            }
            size_t i = 0;
            for (; i + VL <= nr * l; i += VL)
                VOP(storeu)(G + r * l + i, VOP(div)(VOP(loadu)(num + i), VOP(loadu)(den + i)));
            if (i < nr * l)
                VOP(storen)(G + r * l + i, nr * l - i, VOP(div)(VOP(loadn)(num + i, nr * l - i), VOP(loadn)(den + i, nr * l - i)));
        }
    }
    for (; r < rows; r++) {
        const T *v = g + r * n;
        const int32_t *sel = idx + r * l;
        T *out = G + r * l;
        T m;
        int fits;
        const T sum = PMT(pg_row_sum_)(v, wrn ? NULL : sel, wrn ? n : l, &m, buf, &fits);
        for (size_t t0 = 0; t0 < l; t0 += PG_BUF) {
            const size_t cnt = l - t0 < PG_BUF ? l - t0 : PG_BUF;
            if (fits && !wrn) /* the summed set is the selection: buf holds the numerators */
                memcpy(num, buf + t0, cnt * sizeof(T));
            else if (fits)
                for (size_t t = 0; t < cnt; t++) num[t] = buf[sel[t0 + t]];
            else
                PMT(pg_fill_exp_)(v, sel, t0, cnt, m, num);
            PMT(pg_div_)(num, cnt, sum);
            memcpy(out + t0, num, cnt * sizeof(T));
        }
    }
}

void RF_LEVEL_FN(PMT_CAT(pmoe_gate_bwd, PMT_SFX))(const T *g, const int32_t *idx, const T *dG, size_t rows,
                                                   size_t n, size_t l, int mode, T *dg)
{
    T buf[PG_BUF], num[PG_BUF];
    if (mode == RF_PMOE_GATE_ONE || l < 1 || l > n) {
        const T fill = mode == RF_PMOE_GATE_ONE ? (T)0 : (T)NAN;
        for (size_t i = 0; i < rows * n; i++) dg[i] = fill;
        return;
    }
    const int wrn = mode == RF_PMOE_GATE_WRN;
    for (size_t r = 0; r < rows; r++) {
        const T *v = g + r * n;
        const int32_t *sel = idx + r * l;
        const T *up = dG + r * l;
        T *out = dg + r * n;
        T m;
        int fits;
        const T sum = PMT(pg_row_sum_)(v, wrn ? NULL : sel, wrn ? n : l, &m, buf, &fits);
        if (fits) PMT(pg_div_)(buf, wrn ? n : l, sum); /* buf = P over the summed set */
        /* P of the selected slots t0 .. t0 + cnt into num */
#define PG_SEL_P(t0, cnt)                                                                          \
    do {                                                                                           \
        if (fits && !wrn) memcpy(num, buf + (t0), (cnt) * sizeof(T));                              \
        else if (fits)                                                                             \
            for (size_t t = 0; t < (cnt); t++) num[t] = buf[sel[(t0) + t]];                        \
        else {                                                                                     \
            PMT(pg_fill_exp_)(v, sel, (t0), (cnt), m, num);                                        \
            PMT(pg_div_)(num, (cnt), sum);                                                         \
        }                                                                                          \
    } while (0)
        T mu = 0; /* sum_t P_jt dG_t in t order, as ref */
        for (size_t t0 = 0; t0 < l; t0 += PG_BUF) {
            const size_t cnt = l - t0 < PG_BUF ? l - t0 : PG_BUF;
            PG_SEL_P(t0, cnt);
            for (size_t t = 0; t < cnt; t++) mu += num[t] * up[t0 + t];
        }
        const T nmu = 0 - mu;
        if (!wrn)
            memset(out, 0, n * sizeof(T));
        else /* every value: P_i (0 - mu); the selected ones are overwritten below */
            for (size_t i0 = 0; i0 < n; i0 += PG_BUF) {
                const size_t cnt = n - i0 < PG_BUF ? n - i0 : PG_BUF;
                T *p = buf;
                if (!fits) {
                    PMT(pg_fill_exp_)(v, NULL, i0, cnt, m, num);
                    PMT(pg_div_)(num, cnt, sum);
                    p = num;
                }
                const V c = VOP(set1)(nmu);
                size_t i = 0;
                for (; i + VL <= cnt; i += VL) VOP(storeu)(out + i0 + i, VOP(mul)(VOP(loadu)(p + i), c));
                if (i < cnt) VOP(storen)(out + i0 + i, cnt - i, VOP(mul)(VOP(loadn)(p + i, cnt - i), c));
            }
        for (size_t t0 = 0; t0 < l; t0 += PG_BUF) {
            const size_t cnt = l - t0 < PG_BUF ? l - t0 : PG_BUF;
            PG_SEL_P(t0, cnt);
            for (size_t t = 0; t < cnt; t++) out[sel[t0 + t]] = num[t] * (up[t0 + t] - mu);
        }
#undef PG_SEL_P
    }
}

#undef PMT
#undef PMT_CAT
#undef PMT_CAT2
