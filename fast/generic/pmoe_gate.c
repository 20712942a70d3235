/* pmoe_gate and pmoe_gate_bwd at a vector level (refast/pmoe.h), mirroring KERNEL(gate) and
 * KERNEL(gate_bwd) of ref/pmoe_route_tmpl.h, in float and double over the level's simd.h
 * (the loops: fast/generic/pmoe_gate_tmpl.h).
 *
 * The trick: ref calls the scalar exp twice per summed value (once for the sum, once more for each
 * numerator, and gate_bwd a third time for mu and the outputs). Here the shifted values of a row's
 * summed set (the l selected ones in idx order, or all n for WRN) are gathered into one contiguous
 * block and exponentiated VL at a time; the block is kept (up to PG_BUF values: every row at the
 * registry's sizes) and its entries are the numerators and, divided by the sum, the probabilities
 * P, so each e^{g_i - m} is computed once. Wider rows recompute in PG_BUF blocks. pmoe_gate packs
 * the sets of PG_BUF / count rows side by side and runs one exp pass and one division pass over
 * them all (l = 6 per row alone measured 0.95x ref: one short vector, its latency chain per row).
 * The same arithmetic as ref otherwise: m and the sum and mu in ref's order, each P one division,
 * dg_i = P_i (dG_i - mu) and P_i (0 - mu).
 *
 * Error bound: the registry's tau of refast/pmoe.h holds unchanged. Its derivation takes exp
 * within 1 ulp, i.e. a relative error up to 2u; the vector exps here measure below that: double
 * vexp_f64 1.00 ulp (fast/generic/vmath_f64.h), float 1.2e-7 = 2.01 u (vf_exp_poly, vmath_f32.h).
 * With e = 2.01u per exponential the softmax G_j = e_j / sum errs by e (numerator) + e + (count-1)
 * u (the sum of count exponentials) + u (the division) = (count + 3.02) u relative, plus the
 * argument error u |g - m| of each shift (the |g_j - m| + max |g_i - m| part of S): below
 * tau = count + 6. gate_bwd's tau = 2 count + l + 14 was derived from the same per-P bound, so the
 * 0.01 u per exponential is inside its constant 14 as well.
 * Underflow: the float exp below keeps subnormal results (vf_exp_nonpos of vmath_f32.h clamps at
 * -87 and would give e^-87 for e^-100, an absolute error of 1.6e-38 where ref's expf is within
 * one subnormal step): the argument is clamped at -104 (e^-104 < half the smallest subnormal,
 * so 0 after rounding, as ref), and 2^k, k in [-150, 0], is applied as 2^k1 2^(k - k1) with
 * k1 = round(k / 2): two normal powers of two, the first product exact, the second rounding once
 * (into the subnormal range when the result is subnormal, as expf does). NaN arguments (g - m
 * with m NaN or infinite) are restored after the clamp, so NaN propagates as in ref.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "refast/pmoe.h"
#include "simd.h"
#include "vmath_f32.h"
#include "vmath_f64.h"

#define PG_BUF 512 /* values of one row's summed set kept per pass */

/* e^x for x <= 0 or NaN, float, with subnormal results (see the top of this file). */
static vf pg_exp_f32(vf x)
{
    vf k;
    const vf r = vf_exp_reduce(vf_max(x, vf_set1(-104.0f)), &k);
    const vf p = vf_fma(vf_exp_poly(r), vf_mul(r, r), vf_add(r, vf_set1(1.0f)));
    const vf k1 = vf_round(vf_mul(k, vf_set1(0.5f)));
    const vf y = vf_mul_pow2(vf_mul_pow2(p, k1), vf_sub(k, k1));
    return vf_select(vf_isnan(x), x, y);
}

#define T float
#define V vf
#define VL VF_LANES
#define VOP(op) vf_##op
#define VEXP pg_exp_f32
#define PMT_SFX _f32
#include "pmoe_gate_tmpl.h"
#undef T
#undef V
#undef VL
#undef VOP
#undef VEXP
#undef PMT_SFX

#define T double
#define V vd
#define VL VD_LANES
#define VOP(op) vd_##op
#define VEXP vexp_f64
#define PMT_SFX _f64
#include "pmoe_gate_tmpl.h"
#undef T
#undef V
#undef VL
#undef VOP
#undef VEXP
#undef PMT_SFX
