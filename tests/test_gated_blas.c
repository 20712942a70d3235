/* Gated layers, `openblas` peers (peers/gated_blas.c): gru_f32_openblas and moe2_f32_openblas
 * against the long double oracle on the same random problems as ref (tests/gated_check.h), the
 * degenerate sizes, h0 = NULL vs zeros and last-only vs all. The peer sums in OpenBLAS's order
 * (blocked, FMA), so it is the first implementation that really exercises the "any order" part of
 * the bound; its results must also differ from ref's somewhere, or it is not the peer it claims
 * to be (a peer that secretly calls ref would pass every other check). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gated_check.h"

static uint64_t rng = 0x6761746564626c61ull;

/* The peer is not ref in disguise: on a T = 50 problem its outputs differ from ref's in some
 * bits. */
static void check_differs_from_ref(void)
{
    const rf_gru_spec s = {
        50, 3, 48, 40, RF_GRU_LBR, RF_GATE_SIGMOID, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
    gru_case k;
    gru_case_random(&k, &s, 1, 1.0, &rng);
    float *a = malloc(k.c.out * sizeof *a);
    if (!a) exit(1);
    gru_f32_ref(&s, k.w, k.x, k.h0, a, k.work);
    gru_f32_openblas(&s, k.w, k.x, k.h0, k.out, k.work);
    size_t differ = 0;
    for (size_t i = 0; i < k.c.out; i++) differ += a[i] != k.out[i];
    printf(
        "  openblas differs from ref in %zu of %zu outputs (another summation order, same bound)\n",
        differ, k.c.out);
    CHECK(differ > 0);
    free(a);
    gru_case_free(&k);
}

int main(void)
{
    const gated_impl im[] = {{"openblas", gru_f32_openblas, moe2_f32_openblas, NULL}};
    gated_check_random_gru(im, 1, &rng, NULL);
    gated_check_random_moe2(im, 1, &rng);
    gated_check_sizes(im, 1, &rng);
    gated_check_h0_and_modes(im, 1, &rng);
    check_differs_from_ref();
    return rf_test_summary("test_gated_blas");
}
