/* Gated layers, reference: gru_f32 and moe2_f32 of ref/ (and the same source built as the autovec
 * peers of the usable levels) against the long double oracle (oracle/oracle_gated.h).
 *
 * - Random problems of every variant, gate, g, output mode and h0 (tests/gated_check.h: 96 small
 *   ones, I = 0 included, and T = 50 ones up to H = 128): every output within 2 u S, or a
 *   near-tie flip of a binary gate (tie <= 2, counted, must stay rare). Prints the max ratio
 *   |got - want| / (u S).
 * - The bound bites: ref's result moved by 16 u S at one output fails, and ref run on weights
 *   U_h, W_h scaled by 1 + 2^-16 (256 roundoffs) is caught.
 * - Near ties: a binary gate whose exact pre-activation is -2^-25 while every float evaluation
 *   rounds it to 0 (gate 1): ref's outputs of that sequence leave the bound, carry tie <= 2 and are
 *   judged flips; the other sequence stays within the bound with tie > 2.
 * - Sizes: T = 0 (nothing written / h_T = h0 or zeros), B = 0, H = 0, I = 0, T = 1, B = 1; h0 =
 *   NULL equals h0 = zeros bit for bit; the last-only mode equals the last row of the all mode.
 * - NaN and inf (the header's rules): NaN in x_t of one sequence makes that sequence NaN from t on
 *   and leaves the others bit-identical, also through binary gates; a NaN recurrent weight reaches
 *   every output from step 2; +inf inputs follow the oracle's IEEE pattern.
 * - Validation: zeros, overflowing sizes, unknown enums and non-finite weights are one-line errors
 *   naming the culprit; names parse back.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gated_check.h"
#include "refast/kernels.h"

static uint64_t rng = 0x6761746564726566ull;

static int implementations(gated_impl *im)
{
    int n = 0;
    im[n++] = (gated_impl){"ref", gru_f32_ref, moe2_f32_ref, NULL};
    static char names[RF_ISA_COUNT][32];
    /* the hand-written levels (fast/generic/gated.c; moe2 wherever it is hand-written too) */
    for (int l = 1; l < RF_ISA_COUNT; l++) {
        if (!rf_isa_usable((rf_isa)l)) continue;
        rf_isa by;
        const rf_fnptr g = rf_dispatch(RF_KID(gru_f32), (rf_isa)l, &by);
        rf_isa mby;
        const rf_fnptr m = rf_dispatch(RF_KID(moe2_f32), (rf_isa)l, &mby);
        if (by == RF_ISA_SCALAR && mby == RF_ISA_SCALAR) continue;
        im[n++] = (gated_impl){rf_isa_name((rf_isa)l), (rf_gru_f32_fn)g,
                               mby == RF_ISA_SCALAR ? NULL : (rf_moe2_f32_fn)m, NULL};
    }
    for (int l = 1; l < RF_ISA_COUNT; l++) {
        if (!rf_isa_usable((rf_isa)l)) continue;
        snprintf(names[l], sizeof names[l], "autovec_%s", rf_isa_name((rf_isa)l));
        im[n++] = (gated_impl){names[l], (rf_gru_f32_fn)rf_dispatch_autovec(RF_KID(gru_f32), (rf_isa)l),
                               (rf_moe2_f32_fn)rf_dispatch_autovec(RF_KID(moe2_f32), (rf_isa)l), NULL};
    }
    return n;
}

/* ---- the bound bites ------------------------------------------------------------------------- */

static void check_bound_bites(void)
{
    const rf_gru_spec s = {
        6, 3, 4, 4, RF_GRU_LBR, RF_GATE_SIGMOID, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
    gru_case k;
    gru_case_random(&k, &s, 1, 1.0, &rng);
    gated_verdict v = gru_case_run(&k, gru_f32_ref);
    CHECK(v.bad == 0);
    /* 16 roundoffs of the scale at the output with the largest S: the judge must object. */
    size_t at = 0;
    for (size_t i = 1; i < k.c.out; i++)
        if (k.scale[i] > k.scale[at]) at = i;
    k.out[at] = (float)(k.want[at] + 16.0L * ORA_GATED_U * k.scale[at]);
    v = gated_judge(k.out, k.want, k.scale, k.tie, k.c.out, s.In + s.H + 3);
    CHECKF(v.bad == 1 && v.first_bad == at, "an output moved by 16 u S passed (bad %zu)", v.bad);
    /* A computation off by 256 roundoffs: U_h and W_h scaled by 1 + 2^-16. The bound resolves
     * relative changes of about tau (I + H + 3) u = 2^-19.5 on the candidate's path here. */
    const size_t H = s.H, I = s.In;
    for (size_t e = 0; e < H * I; e++) k.w[2 * H * I + e] *= 1.0f + 0x1p-16f;
    for (size_t e = 0; e < H * H; e++) k.w[3 * H * I + 2 * H * H + e] *= 1.0f + 0x1p-16f;
    v = gru_case_run(&k, gru_f32_ref); /* judged against the unperturbed oracle */
    CHECKF(v.bad > 0, "weights off by 2^-16 passed the 2 u S check (max ratio %.3f)", v.max_ratio);
    printf("  bound bites: 16 u S caught; U_h, W_h x (1 + 2^-16) caught at %zu of %zu outputs\n",
           v.bad, v.n);
    gru_case_free(&k);
}

/* ---- near ties ------------------------------------------------------------------------------- */

/* Sequence 0 sees x = (1, 1, 1) and U_z[j] = (1, -2^-25, -1): exactly a_z = -2^-25 < 0, gate 0,
 * but 1 - 2^-25 is halfway between two floats and rounds (to even) to 1, so every float order that
 * starts with 1 - 2^-25 gets a_z = 0 and gate 1. Sequence 1 sees x = (2, 0, 0.5): a_z = 1.5, no
 * tie. */
static void check_near_tie(rf_gru_variant variant)
{
    const rf_gru_spec s = {3, 2, 3, 2, variant, RF_GATE_BINARY, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
    gru_case k;
    gru_case_alloc(&k, &s, 0);
    gated_gru_weights(&s, k.w, &rng, 1.0);
    const size_t I = 3, H = 2;
    float *U_z = k.w, *W_z = k.w + 3 * H * I, *b_z = k.w + 3 * H * I + 3 * H * H, *b_r = b_z + H;
    for (size_t j = 0; j < H; j++) {
        U_z[j * I + 0] = 1.0f, U_z[j * I + 1] = -0x1p-25f, U_z[j * I + 2] = -1.0f;
        b_z[j] = 0;
        b_r[j] = 4.0f; /* reset gates open, far from their ties */
        for (size_t l = 0; l < H; l++) W_z[j * H + l] = 0;
    }
    for (size_t t = 0; t < s.T; t++) {
        float *x0 = k.x + (t * 2 + 0) * I, *x1 = k.x + (t * 2 + 1) * I;
        x0[0] = x0[1] = x0[2] = 1.0f;
        x1[0] = 2.0f, x1[1] = 0.0f, x1[2] = 0.5f;
    }
    CHECK(ora_gru(&s, k.w, k.x, NULL, k.want, k.scale, k.tie) == 0);
    gru_f32_ref(&s, k.w, k.x, NULL, k.out, k.work);
    size_t outside0 = 0, tied0 = 0, ok1 = 0;
    for (size_t t = 0; t < s.T; t++)
        for (size_t j = 0; j < H; j++) {
            const size_t o0 = (t * 2 + 0) * H + j, o1 = (t * 2 + 1) * H + j;
            if (fabsl(k.out[o0] - k.want[o0]) > ORA_GATED_TAU * ORA_GATED_U * k.scale[o0])
                outside0++;
            if (k.tie[o0] <= ORA_GATED_TAU) tied0++;
            if (fabsl(k.out[o1] - k.want[o1]) <= ORA_GATED_TAU * ORA_GATED_U * k.scale[o1] &&
                k.tie[o1] > ORA_GATED_TAU)
                ok1++;
        }
    const gated_verdict v = gated_judge(k.out, k.want, k.scale, k.tie, k.c.out, I + H + 3);
    CHECKF(outside0 > 0, "%s: the crafted tie did not flip ref's gate (the test lost its point)",
           rf_gru_variant_name(variant));
    CHECKF(tied0 == s.T * H, "%s: sequence 0 outputs carry tie <= 2 at %zu of %zu",
           rf_gru_variant_name(variant), tied0, s.T * H);
    CHECKF(ok1 == s.T * H, "%s: sequence 1 within bound and not tied at %zu of %zu",
           rf_gru_variant_name(variant), ok1, s.T * H);
    CHECKF(v.bad == 0 && v.flips == outside0, "%s: judge: %zu bad, %zu flips (expected %zu)",
           rf_gru_variant_name(variant), v.bad, v.flips, outside0);
    gru_case_free(&k);
}

/* ---- NaN and inf ----------------------------------------------------------------------------- */

static void check_nonfinite(void)
{
    for (int gt = 0; gt < 2; gt++) {
        const rf_gru_spec s = {
            5, 3, 4, 3, (rf_gru_variant)gt, (rf_gated_gate)gt, RF_GATED_G_RELU, RF_GRU_OUT_ALL};
        gru_case k;
        gru_case_random(&k, &s, 1, 1.0, &rng);
        const size_t n = k.c.out, H = s.H, B = s.B;
        float *clean = malloc(n * sizeof *clean);
        if (!clean) exit(1);
        gru_f32_ref(&s, k.w, k.x, k.h0, clean, k.work);

        /* NaN in x_2 of sequence 1 (0-based): that sequence is NaN from step 2 on, the rest
         * unchanged. */
        k.x[(2 * B + 1) * s.In + 1] = NAN;
        gru_f32_ref(&s, k.w, k.x, k.h0, k.out, k.work);
        int pattern = 1, others = 1;
        for (size_t t = 0; t < s.T; t++)
            for (size_t b = 0; b < B; b++)
                for (size_t j = 0; j < H; j++) {
                    const size_t o = (t * B + b) * H + j;
                    if (b == 1 && t >= 2) pattern &= isnan(k.out[o]);
                    else others &= memcmp(&k.out[o], &clean[o], sizeof *clean) == 0;
                }
        CHECKF(pattern && others, "%s gates: NaN in x: propagation %s, other outputs %s",
               rf_gated_gate_name(s.gate), pattern ? "ok" : "WRONG",
               others ? "unchanged" : "CHANGED");
        CHECK(ora_gru(&s, k.w, k.x, k.h0, k.want, k.scale, k.tie) == 0);
        gated_verdict v = gated_judge(k.out, k.want, k.scale, k.tie, n, s.In + s.H + 3);
        CHECKF(v.bad == 0, "%s gates: NaN in x: %zu outputs disagree with the oracle",
               rf_gated_gate_name(s.gate), v.bad);

        /* +inf in x of sequence 0 at step 1: the oracle's IEEE pattern, the rest within bound. */
        k.x[(2 * B + 1) * s.In + 1] = k.x[(2 * B + 0) * s.In + 1];
        k.x[(1 * B + 0) * s.In + 2] = INFINITY;
        gru_f32_ref(&s, k.w, k.x, k.h0, k.out, k.work);
        CHECK(ora_gru(&s, k.w, k.x, k.h0, k.want, k.scale, k.tie) == 0);
        v = gated_judge(k.out, k.want, k.scale, k.tie, n, s.In + s.H + 3);
        CHECKF(v.bad == 0, "%s gates: +inf in x: %zu outputs disagree with the oracle",
               rf_gated_gate_name(s.gate), v.bad);
        k.x[(1 * B + 0) * s.In + 2] = 0.5f;

        /* A NaN recurrent weight W_z[1][2]: unit 1 NaN at step 1, every output from step 2 (a
         * binary gate of NaN is NaN, not 0). */
        k.w[3 * H * s.In + 1 * H + 2] = NAN;
        gru_f32_ref(&s, k.w, k.x, k.h0, k.out, k.work);
        pattern = 1;
        for (size_t t = 0; t < s.T; t++)
            for (size_t b = 0; b < B; b++)
                for (size_t j = 0; j < H; j++) {
                    const size_t o = (t * B + b) * H + j;
                    pattern &= (t >= 1 || j == 1) ? isnan(k.out[o]) != 0 : isfinite(k.out[o]) != 0;
                }
        CHECKF(pattern, "%s gates: a NaN weight does not give the stated NaN pattern",
               rf_gated_gate_name(s.gate));
        free(clean);
        gru_case_free(&k);
    }
}

/* ---- validation ------------------------------------------------------------------------------ */

static void check_validation(void)
{
    char err[160];
    rf_gru_spec s = {4, 2, 3, 5, RF_GRU_LBR, RF_GATE_SIGMOID, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
    rf_gru_counts c;
    CHECK(rf_gru_count(&s, &c) == 0);
    CHECK(c.w == 3 * 5 * 3 + 3 * 5 * 5 + 4 * 5 && c.x == 4 * 2 * 3 && c.out == 4 * 2 * 5 &&
          c.h0 == 10);
    /* 3TBH + 6BH + 3 Hp (I + H) + 64, Hp = H = 5 rounded up to RF_GRU_PANEL = 16 */
    CHECK(c.work == 3 * 4 * 2 * 5 + 6 * 2 * 5 + 3 * 16 * 8 + 64);
    CHECK(rf_gru_validate(&s, NULL, err, sizeof err) == 0);
    s.T = 0;
    CHECK(rf_gru_count(&s, &c) == 0); /* kernels accept zeros ... */
    CHECK(rf_gru_validate(&s, NULL, err, sizeof err) == -1 &&
          strstr(err, "T must be at least 1")); /* the CLI does not */
    s.T = SIZE_MAX / 4;
    CHECK(rf_gru_count(&s, &c) == -1);
    CHECK(rf_gru_validate(&s, NULL, err, sizeof err) == -1 && strstr(err, "overflow"));
    s.T = 4;
    s.H = (size_t)1 << 33;
    CHECK(rf_gru_count(&s, &c) == -1);
    s.H = 5;
    s.variant = (rf_gru_variant)7;
    CHECK(rf_gru_validate(&s, NULL, err, sizeof err) == -1 && strstr(err, "variant"));
    s.variant = RF_GRU_CHO;

    float w[3 * 5 * 3 + 3 * 5 * 5 + 4 * 5];
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) w[i] = 0.25f;
    CHECK(rf_gru_validate(&s, w, err, sizeof err) == 0);
    w[3 * 5 * 3 + 1 * 25 + 3 * 5 + 2] = NAN; /* W_r[3][2] */
    CHECKF(rf_gru_validate(&s, w, err, sizeof err) == -1 &&
               strcmp(err, "weight W_r[3][2] is NaN") == 0,
           "%s", err);
    w[3 * 5 * 3 + 1 * 25 + 3 * 5 + 2] = 0;
    w[sizeof w / sizeof *w - 1] = -INFINITY; /* b_hr[4] */
    CHECKF(rf_gru_validate(&s, w, err, sizeof err) == -1 &&
               strcmp(err, "weight b_hr[4] is -inf") == 0,
           "%s", err);

    rf_moe2_spec m = {2, 3, 4, RF_GATE_BINARY, RF_GATED_G_RELU};
    float mw[3 * 3 * 4];
    for (size_t i = 0; i < 36; i++) mw[i] = 1;
    mw[2 * 12 + 5] = INFINITY; /* W[1][2] */
    CHECKF(rf_moe2_validate(&m, mw, err, sizeof err) == -1 &&
               strcmp(err, "weight W[1][2] is +inf") == 0,
           "%s", err);
    m.d = 0;
    CHECK(rf_moe2_validate(&m, NULL, err, sizeof err) == -1 && strstr(err, "d must be at least 1"));
    m.d = SIZE_MAX / 2;
    CHECK(rf_moe2_validate(&m, NULL, err, sizeof err) == -1 && strstr(err, "overflow"));

    for (int i = 0; i < RF_GATED_G_COUNT; i++) {
        rf_gated_g g;
        CHECK(rf_gated_g_parse(rf_gated_g_name((rf_gated_g)i), &g) == 0 && g == (rf_gated_g)i);
    }
    rf_gru_variant v;
    rf_gated_gate gt;
    rf_gru_output o;
    CHECK(rf_gru_variant_parse("lbr", &v) == 0 && v == RF_GRU_LBR &&
          rf_gru_variant_parse("gru", &v) == -1);
    CHECK(rf_gated_gate_parse("binary", &gt) == 0 && gt == RF_GATE_BINARY &&
          rf_gated_gate_parse(NULL, &gt) == -1);
    CHECK(rf_gru_output_parse("last", &o) == 0 && o == RF_GRU_OUT_LAST &&
          rf_gru_output_name((rf_gru_output)9) == NULL);
}

int main(void)
{
    gated_impl im[8];
    const int nim = implementations(im);
    gated_check_random_gru(im, nim, &rng, NULL);
    gated_check_random_moe2(im, nim, &rng);
    check_bound_bites();
    check_near_tie(RF_GRU_LBR);
    check_near_tie(RF_GRU_CHO);
    gated_check_sizes(im, nim, &rng);
    gated_check_h0_and_modes(im, nim, &rng);
    check_nonfinite();
    check_validation();
    return rf_test_summary("test_gated_ref");
}
