/* The vector 2-MoE layer of seed 003 eq. 3 at a vector level (mirrors ref/gated.c: moe2_f32_ref),
 * over the level's ops (fast/<isa>/simd.h) and its tile MOE2_B inputs x MOE2_U units
 * (fast/<isa>/tiles.h).
 *
 * The trick: moe2 has no workspace (refast/gated.h), so A1, A2 and W are read in place, row-major
 * over d. The three dot products of an output are vectorised over d: a tile of MOE2_B inputs x
 * MOE2_U units keeps 3 MOE2_B MOE2_U accumulators (each a register of GL partial sums over d), per
 * register of d loading MOE2_B x-vectors and 3 MOE2_U weight vectors; the tail of d is a masked
 * load (loadn: zeros past d). Units outermost, so the 3 MOE2_U weight rows of a unit tile are
 * reused from L1 by every input tile. A horizontal sum per accumulator ends each dot product;
 * the gate, g and the update then run in scalar float on B m values (O(B m) against the O(B m d)
 * of the products) with ref's functions and NaN rules: sigma = 1 / (1 + expf(-v)), tanhf, relu and
 * binary keeping NaN, y = (1 - z) g1 + z g2.
 * Summation: lanes of GL, then the horizontal sum: another order than ref's, within the bound of
 * gamma_d (oracle/oracle_gated.h).
 */
#include <math.h>
#include <stddef.h>

#include "refast/gated.h"
#include "simd.h"
#include "tiles.h"

#define GL ((size_t)VF_LANES)

static float sigmoid(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

static float gate(rf_gated_gate kind, float v)
{
    if (kind == RF_GATE_SIGMOID) return sigmoid(v);
    return v >= 0.0f ? 1.0f : v < 0.0f ? 0.0f : v; /* NaN stays NaN */
}

static float act(rf_gated_g g, float v)
{
    switch (g) {
    case RF_GATED_G_LINEAR: return v;
    case RF_GATED_G_RELU: return v < 0.0f ? 0.0f : v; /* NaN passes */
    case RF_GATED_G_SIGMOID: return sigmoid(v);
    default: return tanhf(v);
    }
}

/* One register of d at offset i (n lanes valid) into the tile's accumulators. */
AI void moe2_step(const unsigned RB, const unsigned RU, const float *x, const float *w, size_t d,
                  size_t mat_stride, size_t i, size_t n, vf acc[MOE2_B][MOE2_U][3])
{
    vf xs[MOE2_B];
    RF_UNROLL
    for (unsigned r = 0; r < RB; r++) xs[r] = n == GL ? vf_loadu(x + r * d + i) : vf_loadn(x + r * d + i, n);
    RF_UNROLL
    for (unsigned u = 0; u < RU; u++)
        RF_UNROLL
        for (unsigned k = 0; k < 3; k++) {
            const float *p = w + k * mat_stride + u * d + i;
            const vf wv = n == GL ? vf_loadu(p) : vf_loadn(p, n);
            RF_UNROLL
            for (unsigned r = 0; r < RB; r++) acc[r][u][k] = vf_fma(xs[r], wv, acc[r][u][k]);
        }
}

/* Outputs y[b + r][j + u], r < RB, u < RU. */
AI void moe2_tile(const unsigned RB, const unsigned RU, const rf_moe2_spec *s, const float *w,
                  const float *x, float *y, size_t b, size_t j)
{
    const size_t d = s->d, m = s->m, mat_stride = m * d;
    vf acc[MOE2_B][MOE2_U][3];
    RF_UNROLL
    for (unsigned r = 0; r < RB; r++)
        RF_UNROLL
        for (unsigned u = 0; u < RU; u++)
            RF_UNROLL
            for (unsigned k = 0; k < 3; k++) acc[r][u][k] = vf_zero();
    const float *xb = x + b * d, *wj = w + j * d;
    size_t i = 0;
    for (; i + GL <= d; i += GL) moe2_step(RB, RU, xb, wj, d, mat_stride, i, GL, acc);
    if (i < d) moe2_step(RB, RU, xb, wj, d, mat_stride, i, d - i, acc);
    RF_UNROLL
    for (unsigned r = 0; r < RB; r++)
        RF_UNROLL
        for (unsigned u = 0; u < RU; u++) {
            const float e1 = act(s->g, vf_hsum(acc[r][u][0])), e2 = act(s->g, vf_hsum(acc[r][u][1]));
            const float z = gate(s->gate, vf_hsum(acc[r][u][2]));
            y[(b + r) * m + j + u] = (1.0f - z) * e1 + z * e2;
        }
}

/* Every input tile of one unit tile (RU units from j). */
AI void moe2_units(const unsigned RU, const rf_moe2_spec *s, const float *w, const float *x,
                   float *y, size_t j)
{
    size_t b = 0;
    for (; b + MOE2_B <= s->B; b += MOE2_B) moe2_tile(MOE2_B, RU, s, w, x, y, b, j);
    for (; b < s->B; b++) moe2_tile(1, RU, s, w, x, y, b, j);
}

void RF_LEVEL_FN(moe2_f32)(const rf_moe2_spec *s, const float *w, const float *x, float *y)
{
    size_t j = 0;
    for (; j + MOE2_U <= s->m; j += MOE2_U) moe2_units(MOE2_U, s, w, x, y, j);
    for (; j < s->m; j++) moe2_units(1, s, w, x, y, j);
}
