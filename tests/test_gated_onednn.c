/* Gated layers, oneDNN as external truth and peer (peers/gated_onednn.c; built only with oneDNN).
 *
 * - oneDNN's vanilla GRU (cho) and LBR-GRU (lbr), f32 inference, against the long double oracle
 *   within the same float32 `sum` bound as ref (2 u S): the shared random problems it supports
 *   (sigmoid gates, g = tanh), then a dedicated set of both variants, both output modes, h0 given
 *   or NULL, at issue-12-like shapes (H = I in {32, 64, 128}, B up to 16, T up to 50). This is
 *   what proves the weight conversion (gate order u, r, o; u = 1 - z by negating the update
 *   gate; ldgoi) right: any slip in it is an O(1) error, not a rounding.
 * - refast's ref and every hand-written level against oneDNN directly (each level also against
 *   the oracle), printed in units of u S (independent float evaluations).
 * - The peer's contract: an unsupported configuration (binary gates, another g, a zero size)
 *   writes NaN and says why; the primitive cache returns the same bits for a shape after other
 *   shapes have evicted it, and after rf_gru_onednn_release().
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gated_check.h"
#include "refast/kernels.h"

static uint64_t rng = 0x6761746564646e6eull;

static void check_dedicated(void)
{
    static const size_t shapes[][4] = {{50, 4, 32, 32},   {50, 16, 32, 32}, {30, 2, 64, 64},
                                       {50, 1, 128, 128}, {12, 5, 7, 19},   {1, 1, 1, 1},
                                       {3, 2, 9, 1}};
    double worst_dnnl = 0, worst_ref = 0, ref_vs_dnnl = 0, worst_level = 0, level_vs_dnnl = 0;
    size_t levels = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        for (int v = 0; v < 2; v++)
            for (int mode = 0; mode < 2; mode++) {
                const int with_h0 = (int)((i + (size_t)v + (size_t)mode) % 2);
                const rf_gru_spec s = {shapes[i][0],    shapes[i][1],       shapes[i][2],
                                       shapes[i][3],    (rf_gru_variant)v,  RF_GATE_SIGMOID,
                                       RF_GATED_G_TANH, (rf_gru_output)mode};
                gru_case k;
                gru_case_random(&k, &s, with_h0, i % 3 == 1 ? 3.0 : 1.0, &rng);
                char name[160];
                gru_case_name(&s, with_h0, name, sizeof name);
                float *r = malloc(k.c.out * sizeof *r);
                if (!r) exit(1);
                gru_f32_ref(&s, k.w, k.x, k.h0, r, k.work);
                const gated_verdict vr =
                    gated_judge(r, k.want, k.scale, k.tie, k.c.out, s.In + s.H + 3);
                const gated_verdict vd = gru_case_run(&k, gru_f32_onednn);
                CHECKF(vd.bad == 0,
                       "onednn %s: %zu of %zu outputs outside 2 u S (first [%zu]: got %.9g want "
                       "%.12Lg S %.3Lg)%s%s",
                       name, vd.bad, vd.n, vd.first_bad, vd.bad ? k.out[vd.first_bad] : 0.0f,
                       vd.bad ? k.want[vd.first_bad] : 0.0L, vd.bad ? k.scale[vd.first_bad] : 0.0L,
                       rf_gru_onednn_error()[0] ? ": " : "", rf_gru_onednn_error());
                CHECK(vr.bad == 0);
                for (size_t e = 0; e < k.c.out; e++) {
                    const double d =
                        (double)(fabsl((long double)r[e] - k.out[e]) / (ORA_GATED_U * k.scale[e]));
                    if (k.scale[e] > 0 && d > ref_vs_dnnl) ref_vs_dnnl = d;
                }
                if (vd.max_ratio > worst_dnnl) worst_dnnl = vd.max_ratio;
                if (vr.max_ratio > worst_ref) worst_ref = vr.max_ratio;
                /* every hand-written level against the oracle and against oneDNN */
                for (int l = 1; l < RF_ISA_COUNT; l++) {
                    rf_isa by;
                    if (!rf_isa_usable((rf_isa)l)) continue;
                    const rf_gru_f32_fn fn = (rf_gru_f32_fn)rf_dispatch(RF_KID(gru_f32), (rf_isa)l, &by);
                    if (by == RF_ISA_SCALAR) continue;
                    fn(&s, k.w, k.x, k.h0, r, k.work);
                    const gated_verdict vl =
                        gated_judge(r, k.want, k.scale, k.tie, k.c.out, s.In + s.H + 3);
                    CHECKF(vl.bad == 0, "%s %s: %zu outputs outside 2 u S", rf_isa_name((rf_isa)l), name,
                           vl.bad);
                    for (size_t e = 0; e < k.c.out; e++) {
                        const double d =
                            (double)(fabsl((long double)r[e] - k.out[e]) / (ORA_GATED_U * k.scale[e]));
                        if (k.scale[e] > 0 && d > level_vs_dnnl) level_vs_dnnl = d;
                    }
                    if (vl.max_ratio > worst_level) worst_level = vl.max_ratio;
                    levels++;
                }
                free(r);
                gru_case_free(&k);
            }
    printf("  issue-12 shapes: onednn max |got - want| / (u S) = %.4f, ref %.4f, |ref - onednn| / "
           "(u S) = %.4f\n",
           worst_dnnl, worst_ref, ref_vs_dnnl);
    printf("  issue-12 shapes: vector levels (%zu runs) max |got - want| / (u S) = %.4f, |level - "
           "onednn| / (u S) = %.4f\n",
           levels, worst_level, level_vs_dnnl);
}

static int all_nan(const float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i])) return 0;
    return 1;
}

static void check_unsupported(void)
{
    rf_gru_spec s = {4, 2, 3, 5, RF_GRU_LBR, RF_GATE_BINARY, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
    gru_case k;
    gru_case_random(&k, &s, 1, 1.0, &rng);
    CHECK(!rf_gru_onednn_supported(&s));
    gru_f32_onednn(&s, k.w, k.x, k.h0, k.out, k.work);
    CHECK(all_nan(k.out, k.c.out) && strstr(rf_gru_onednn_error(), "unsupported"));
    s.gate = RF_GATE_SIGMOID;
    s.g = RF_GATED_G_RELU;
    CHECK(!rf_gru_onednn_supported(&s));
    gru_f32_onednn(&s, k.w, k.x, k.h0, k.out, k.work);
    CHECK(all_nan(k.out, k.c.out));
    s.g = RF_GATED_G_TANH;
    CHECK(rf_gru_onednn_supported(&s));
    s.In = 0;
    CHECK(!rf_gru_onednn_supported(&s));
    gru_case_free(&k);
}

/* Same bits for a shape before and after SLOTS+ other shapes went through the cache, and after a
 * release: the cache must key on every dimension and the variant, and reload the weights. */
static void check_cache(void)
{
    const rf_gru_spec s = {
        9, 3, 6, 7, RF_GRU_CHO, RF_GATE_SIGMOID, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
    gru_case k;
    gru_case_random(&k, &s, 1, 1.0, &rng);
    float *first = malloc(k.c.out * sizeof *first);
    if (!first) exit(1);
    gru_f32_onednn(&s, k.w, k.x, k.h0, first, k.work);
    for (size_t i = 0; i < 12; i++) {
        rf_gru_spec o = s;
        o.H = 7 + (i % 2);
        o.variant = (rf_gru_variant)(i % 3 == 0);
        o.T = 9 + i;
        gru_case other;
        gru_case_random(&other, &o, 0, 1.0, &rng);
        gru_f32_onednn(&o, other.w, other.x, NULL, other.out, other.work);
        gru_case_free(&other);
    }
    gru_f32_onednn(&s, k.w, k.x, k.h0, k.out, k.work);
    CHECKF(memcmp(first, k.out, k.c.out * sizeof *first) == 0,
           "cached primitive changed its result");
    rf_gru_onednn_release();
    gru_f32_onednn(&s, k.w, k.x, k.h0, k.out, k.work);
    CHECKF(memcmp(first, k.out, k.c.out * sizeof *first) == 0,
           "result changed after rf_gru_onednn_release");
    /* New weights through the same cached primitive must be used, not the previous ones. */
    for (size_t i = 0; i < k.c.w; i++) k.w[i] *= 0.5f;
    gru_f32_onednn(&s, k.w, k.x, k.h0, k.out, k.work);
    CHECK(ora_gru(&s, k.w, k.x, k.h0, k.want, k.scale, k.tie) == 0);
    const gated_verdict v = gated_judge(k.out, k.want, k.scale, k.tie, k.c.out, s.In + s.H + 3);
    CHECKF(v.bad == 0, "new weights on a cached primitive: %zu outputs outside the bound", v.bad);
    free(first);
    gru_case_free(&k);
}

int main(void)
{
    const gated_impl im[] = {{"onednn", gru_f32_onednn, NULL, rf_gru_onednn_supported}};
    gated_check_random_gru(im, 1, &rng, NULL);
    gated_check_sizes(im, 1, &rng);
    gated_check_h0_and_modes(im, 1, &rng);
    check_dedicated();
    check_unsupported();
    check_cache();
    rf_gru_onednn_release();
    return rf_test_summary("test_gated_onednn");
}
