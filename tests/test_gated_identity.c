/* Seed 003 eq. 4 (SPEC §5.3, §9 erratum): with binary gates the GRU is a depth-2 hierarchical
 * 2-MoE, for the linear-before-reset variant and not for Cho's.
 *
 * The hierarchical MoE is built from the moe2 kernel alone, two calls per step on augmented
 * inputs (the constant 1s carry the biases, which the seed omits and the SPEC adds):
 *   inner, gate r, input x~ = (x_t, 1, h_{t-1}, 1):
 *     NN-2 = g(U_h x + b_h)                 A1 row j = [U_h[j], b_h[j], 0, 0]
 *     NN-3 = g(U_h x + b_h + W_h h + b_hr)  A2 row j = [U_h[j], b_h[j], W_h[j], b_hr[j]]
 *     r    = 1{U_r x + b_r + W_r h >= 0}    W  row j = [U_r[j], b_r[j], W_r[j], 0]
 *     y = (1 - r) NN-2 + r NN-3
 *   outer, gate z, g linear, input x^ = (x_t, 1, h_{t-1}, 1, y):
 *     NN-1 = h_{t-1}[j]                     A1 row j = e_(I+1+j)
 *     the inner 2-MoE                       A2 row j = e_(I+H+2+j)
 *     z    = 1{U_z x + b_z + W_z h >= 0}    W  row j = [U_z[j], b_z[j], W_z[j], 0, 0]
 *     h_t = (1 - z) NN-1 + z y
 *
 * - ref: gru_f32_ref (lbr, binary) equals the composite of moe2_f32_ref value for value on random
 *   data (every g, T up to 20): ref's lbr sums r (W_h h + b_hr) term by term (ref/gated.c), so
 *   each candidate is the very sum of NN-2 or NN-3, and binary gates select exactly.
 * - Any evaluation order: on integer data (weights in {-1, 0, 1}, small integer inputs, relu or
 *   linear g) every operation is exact, so ref, the openblas peer and the composites of both
 *   moe2 implementations must all equal the oracle exactly, and so must every level's gru and the
 *   composite of every level's moe2.
 * - cho is not the hierarchical MoE: a hand-made counterexample (r = (1, 0) and W_h swapping the
 *   units: cho gives (0, 1), the MoE (1, 0)), random problems where they differ by O(1), and the
 *   SPEC's exception: with r all ones or all zeros (and b_hr = 0, which cho does not read) they
 *   agree value for value.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gated_check.h"
#include "refast/kernels.h"

static uint64_t rng = 0x67617465646964ull;

/* h_1 .. h_T (T x B x H) of the hierarchical 2-MoE built from `moe2`, for the weights of spec s
 * (gates binary; s->g the experts' g). */
static void composite_gru(rf_moe2_f32_fn moe2, const rf_gru_spec *s, const float *w, const float *x,
                          const float *h0, float *out)
{
    const size_t T = s->T, B = s->B, I = s->In, H = s->H;
    const size_t d1 = I + H + 2, d2 = I + 2 * H + 2;
    const float *U_z = w, *U_r = w + H * I, *U_h = w + 2 * H * I;
    const float *W_z = w + 3 * H * I, *W_r = W_z + H * H, *W_h = W_z + 2 * H * H;
    const float *b_z = W_z + 3 * H * H, *b_r = b_z + H, *b_h = b_z + 2 * H, *b_hr = b_z + 3 * H;
    float *inner = calloc(3 * H * d1, sizeof *inner), *outer = calloc(3 * H * d2, sizeof *outer);
    float *xi = malloc(B * d1 * sizeof *xi), *xo = malloc(B * d2 * sizeof *xo),
          *y = malloc(B * H * sizeof *y);
    if (!inner || !outer || !xi || !xo || !y) exit(1);
    for (size_t j = 0; j < H; j++) {
        float *a1 = inner + j * d1, *a2 = inner + (H + j) * d1, *gr = inner + (2 * H + j) * d1;
        memcpy(a1, U_h + j * I, I * sizeof *a1);
        a1[I] = b_h[j];
        memcpy(a2, U_h + j * I, I * sizeof *a2);
        a2[I] = b_h[j];
        memcpy(a2 + I + 1, W_h + j * H, H * sizeof *a2);
        a2[I + 1 + H] = b_hr[j];
        memcpy(gr, U_r + j * I, I * sizeof *gr);
        gr[I] = b_r[j];
        memcpy(gr + I + 1, W_r + j * H, H * sizeof *gr);
        float *o1 = outer + j * d2, *o2 = outer + (H + j) * d2, *gz = outer + (2 * H + j) * d2;
        o1[I + 1 + j] = 1.0f;
        o2[I + H + 2 + j] = 1.0f;
        memcpy(gz, U_z + j * I, I * sizeof *gz);
        gz[I] = b_z[j];
        memcpy(gz + I + 1, W_z + j * H, H * sizeof *gz);
    }
    const rf_moe2_spec si = {B, d1, H, RF_GATE_BINARY, s->g},
                       so = {B, d2, H, RF_GATE_BINARY, RF_GATED_G_LINEAR};
    for (size_t t = 0; t < T; t++) {
        for (size_t b = 0; b < B; b++) {
            const float *h = t ? out + ((t - 1) * B + b) * H : h0 ? h0 + b * H : NULL;
            float *vi = xi + b * d1;
            memcpy(vi, x + (t * B + b) * I, I * sizeof *vi);
            vi[I] = 1.0f;
            for (size_t l = 0; l < H; l++) vi[I + 1 + l] = h ? h[l] : 0.0f;
            vi[I + 1 + H] = 1.0f;
        }
        moe2(&si, inner, xi, y);
        for (size_t b = 0; b < B; b++) {
            memcpy(xo + b * d2, xi + b * d1, d1 * sizeof *xo);
            memcpy(xo + b * d2 + d1, y + b * H, H * sizeof *xo);
        }
        moe2(&so, outer, xo, out + t * B * H);
    }
    free(inner), free(outer), free(xi), free(xo), free(y);
}

/* Outputs that differ in value (NaN equals NaN), and the largest difference. */
static size_t count_differences(const float *a, const float *b, size_t n, double *maxdiff)
{
    size_t d = 0;
    *maxdiff = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i] == b[i] || (isnan(a[i]) && isnan(b[i]))) continue;
        d++;
        const double m = fabs((double)a[i] - (double)b[i]);
        if (!(m <= *maxdiff)) *maxdiff = m;
    }
    return d;
}

static void check_ref_identity(void)
{
    size_t cases = 0, outputs = 0, kept = 0;
    for (int i = 0; i < 40; i++) {
        const rf_gru_spec s = {1 + rf_test_u64(&rng) % 20,
                               1 + rf_test_u64(&rng) % 4,
                               rf_test_u64(&rng) % 12,
                               1 + rf_test_u64(&rng) % 16,
                               RF_GRU_LBR,
                               RF_GATE_BINARY,
                               (rf_gated_g)(i % 4),
                               RF_GRU_OUT_ALL};
        gru_case k;
        gru_case_random(&k, &s, i % 2, i % 3 == 0 ? 3.0 : 1.0, &rng);
        float *m = malloc(k.c.out * sizeof *m);
        if (!m) exit(1);
        gru_f32_ref(&s, k.w, k.x, k.h0, k.out, k.work);
        composite_gru(moe2_f32_ref, &s, k.w, k.x, k.h0, m);
        double md;
        const size_t d = count_differences(k.out, m, k.c.out, &md);
        char name[160];
        CHECKF(d == 0, "ref %s vs hierarchical moe2: %zu of %zu outputs differ (max %.3g)",
               gru_case_name(&s, i % 2, name, sizeof name), d, k.c.out, md);
        /* The update gate must both keep and replace, or one branch goes untested. */
        for (size_t e = 0; e < k.c.out; e++) {
            const size_t t = e / (s.B * s.H), rest = e % (s.B * s.H);
            const float prev = t ? k.out[e - s.B * s.H] : k.h0 ? k.h0[rest] : 0.0f;
            kept += k.out[e] == prev;
        }
        cases++;
        outputs += k.c.out;
        free(m);
        gru_case_free(&k);
    }
    printf("  eq. 4, ref: lbr GRU = hierarchical 2-MoE of moe2 on %zu problems, %zu outputs (%zu "
           "kept h_{t-1})\n",
           cases, outputs, kept);
    CHECK(kept > 0 && kept < outputs);
}

/* Integer data: every sum, product and gate exact, so the order of evaluation cannot matter. */
static void check_exact_identity(void)
{
    for (int i = 0; i < 16; i++) {
        const rf_gru_spec s = {6,
                               3,
                               4,
                               6,
                               RF_GRU_LBR,
                               RF_GATE_BINARY,
                               i % 2 ? RF_GATED_G_RELU : RF_GATED_G_LINEAR,
                               RF_GRU_OUT_ALL};
        gru_case k;
        gru_case_alloc(&k, &s, 1);
        for (size_t e = 0; e < k.c.w; e++) k.w[e] = (float)((int)(rf_test_u64(&rng) % 3) - 1);
        for (size_t e = 0; e < k.c.x; e++) k.x[e] = (float)((int)(rf_test_u64(&rng) % 7) - 3);
        for (size_t e = 0; e < k.c.h0; e++) k.h0[e] = (float)((int)(rf_test_u64(&rng) % 5) - 2);
        CHECK(ora_gru(&s, k.w, k.x, k.h0, k.want, k.scale, k.tie) == 0);
        int exact = 1;
        for (size_t e = 0; e < k.c.out; e++)
            exact &= fabsl(k.want[e]) < 0x1p23L && k.want[e] == floorl(k.want[e]);
        CHECKF(exact, "integer problem %d left the exact range (test data too large)", i);
        enum { NV = 4 + 2 * RF_ISA_COUNT };
        float *o[NV];
        const char *who[NV] = {"gru ref", "gru openblas", "moe2 ref", "moe2 openblas"};
        static char names[NV][48];
        for (int v = 0; v < NV; v++)
            if (!(o[v] = malloc(k.c.out * sizeof *o[v]))) exit(1);
        gru_f32_ref(&s, k.w, k.x, k.h0, o[0], k.work);
        gru_f32_openblas(&s, k.w, k.x, k.h0, o[1], k.work);
        composite_gru(moe2_f32_ref, &s, k.w, k.x, k.h0, o[2]);
        composite_gru(moe2_f32_openblas, &s, k.w, k.x, k.h0, o[3]);
        int nv = 4;
        for (int l = 1; l < RF_ISA_COUNT; l++) { /* every usable level: its gru and its moe2 */
            if (!rf_isa_usable((rf_isa)l)) continue;
            rf_isa by;
            const rf_gru_f32_fn g = (rf_gru_f32_fn)rf_dispatch(RF_KID(gru_f32), (rf_isa)l, &by);
            const rf_moe2_f32_fn m = (rf_moe2_f32_fn)rf_dispatch(RF_KID(moe2_f32), (rf_isa)l, &by);
            g(&s, k.w, k.x, k.h0, o[nv], k.work);
            snprintf(names[nv], sizeof names[nv], "gru %s", rf_isa_name((rf_isa)l));
            who[nv] = names[nv];
            nv++;
            composite_gru(m, &s, k.w, k.x, k.h0, o[nv]);
            snprintf(names[nv], sizeof names[nv], "moe2 %s", rf_isa_name((rf_isa)l));
            who[nv] = names[nv];
            nv++;
        }
        for (int v = 0; v < nv; v++) {
            size_t bad = 0;
            for (size_t e = 0; e < k.c.out; e++) bad += (long double)o[v][e] != k.want[e];
            CHECKF(bad == 0,
                   "integer problem %d (%s): %s differs from the exact result at %zu of %zu", i,
                   rf_gated_g_name(s.g), who[v], bad, k.c.out);
        }
        for (int v = 0; v < NV; v++) free(o[v]);
        gru_case_free(&k);
    }
}

/* r = (1, 0), z = 1, x = 0, h0 = (1, 1), W_h swaps the two units, g linear, no biases:
 *   cho: h~ = W_h (r * h) = W_h (1, 0) = (0, 1);  MoE / lbr: h~_j = r_j (W_h h)_j = (1, 0). */
static void check_cho_counterexample(void)
{
    const rf_gru_spec s = {
        1, 1, 1, 2, RF_GRU_CHO, RF_GATE_BINARY, RF_GATED_G_LINEAR, RF_GRU_OUT_ALL};
    float w[3 * 2 * 1 + 3 * 2 * 2 + 4 * 2] = {0};
    float *W_h = w + 6 + 8, *b_r = w + 6 + 12 + 2;
    W_h[1] = W_h[2] = 1.0f;
    b_r[0] = 1.0f, b_r[1] = -1.0f;
    const float x[1] = {0}, h0[2] = {1, 1};
    float cho[2], moe[2], lbr[2], work[64 + 64];
    gru_f32_ref(&s, w, x, h0, cho, work);
    composite_gru(moe2_f32_ref, &s, w, x, h0, moe);
    rf_gru_spec sl = s;
    sl.variant = RF_GRU_LBR;
    gru_f32_ref(&sl, w, x, h0, lbr, work);
    printf("  eq. 4 counterexample: cho h_1 = (%g, %g), hierarchical MoE (%g, %g), lbr (%g, %g)\n",
           cho[0], cho[1], moe[0], moe[1], lbr[0], lbr[1]);
    CHECK(cho[0] == 0 && cho[1] == 1 && moe[0] == 1 && moe[1] == 0 && lbr[0] == 1 && lbr[1] == 0);
}

static void check_cho_random(void)
{
    size_t differ = 0, outputs = 0;
    double worst = 0;
    for (int i = 0; i < 12; i++) {
        rf_gru_spec s = {8, 2, 5, 8, RF_GRU_CHO, RF_GATE_BINARY, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
        gru_case k;
        gru_case_random(&k, &s, 1, 2.0, &rng);
        const size_t H = s.H, I = s.In;
        float *m = malloc(k.c.out * sizeof *m);
        if (!m) exit(1);
        gru_f32_ref(&s, k.w, k.x, k.h0, k.out, k.work);
        composite_gru(moe2_f32_ref, &s, k.w, k.x, k.h0, m);
        double md;
        differ += count_differences(k.out, m, k.c.out, &md);
        outputs += k.c.out;
        if (md > worst) worst = md;
        /* r all ones, then all zeros (U_r = W_r = 0, b_r = +-1), b_hr = 0: then they agree. */
        float *b_r = k.w + 3 * H * I + 3 * H * H + H, *b_hr = b_r + 2 * H;
        memset(k.w + H * I, 0, H * I * sizeof *k.w);
        memset(k.w + 3 * H * I + H * H, 0, H * H * sizeof *k.w);
        for (size_t j = 0; j < H; j++) b_hr[j] = 0;
        for (int side = 0; side < 2; side++) {
            for (size_t j = 0; j < H; j++) b_r[j] = side ? -1.0f : 1.0f;
            gru_f32_ref(&s, k.w, k.x, k.h0, k.out, k.work);
            composite_gru(moe2_f32_ref, &s, k.w, k.x, k.h0, m);
            const size_t d = count_differences(k.out, m, k.c.out, &md);
            CHECKF(d == 0, "cho with r all %s differs from the MoE at %zu outputs",
                   side ? "zeros" : "ones", d);
        }
        free(m);
        gru_case_free(&k);
    }
    printf(
        "  eq. 4 for cho: differs from the hierarchical MoE at %zu of %zu outputs, by up to %.3g\n",
        differ, outputs, worst);
    CHECK(differ > outputs / 4 && worst > 0.1);
}

int main(void)
{
    check_ref_identity();
    check_exact_identity();
    check_cho_counterexample();
    check_cho_random();
    return rf_test_summary("test_gated_identity");
}
