/* Oracle of moe2_f32 (refast/gated.h, seed 003 eq. 3): long double values, the error scale of
 * oracle/oracle_gated.h (one update, no recurrence) and the tie of each output's gate. */
#include <math.h>

#include "gated_common.h"

/* a = A x over d terms; *Ea = d sum|A||x| (d roundings per summand at most, in any order). */
static long double dot_bound(const float *A, const float *x, size_t d, long double *Ea)
{
    long double a = 0, s = 0;
    for (size_t i = 0; i < d; i++) {
        a += (long double)A[i] * x[i];
        s += fabsl((long double)A[i] * x[i]);
    }
    *Ea = (long double)d * s;
    return a;
}

/* |g'(a)|; within tau u E_a of relu's kink the computed a may fall on either side, and as nothing
 * follows, relu's Lipschitz constant 1 bounds the error there. */
static long double slope(rf_gated_g g, long double a, long double ga, long double Ea)
{
    if (g == RF_GATED_G_RELU && fabsl(a) <= ORA_GATED_TAU * ORA_GATED_U * Ea) return 1.0L;
    return ora_g_slope(g, a, ga);
}

void ora_moe2(const rf_moe2_spec *s, const float *w, const float *x, long double *want,
              long double *scale, long double *tie)
{
    const size_t d = s->d, m = s->m;
    const float *A1 = w, *A2 = w + m * d, *W = w + 2 * m * d;
    for (size_t b = 0; b < s->B; b++) {
        const float *xb = x + b * d;
        for (size_t j = 0; j < m; j++) {
            long double E1, E2, Ew;
            const long double a1 = dot_bound(A1 + j * d, xb, d, &E1);
            const long double a2 = dot_bound(A2 + j * d, xb, d, &E2);
            const long double aw = dot_bound(W + j * d, xb, d, &Ew);
            const long double g1 = ora_g(s->g, a1), g2 = ora_g(s->g, a2);
            const long double s1 = slope(s->g, a1, g1, E1), s2 = slope(s->g, a2, g2, E2);
            const long double Eg1 = ora_bmul(s1, E1) + ora_g_eval(s->g, g1);
            const long double Eg2 = ora_bmul(s2, E2) + ora_g_eval(s->g, g2);
            const long double z = ora_gate(s->gate, aw);
            const long double dz = ora_bmul(ora_gate_slope(s->gate, z), Ew);
            const size_t o = b * m + j;
            want[o] = (1.0L - z) * g1 + z * g2;
            scale[o] = ora_bmul(1.0L - z, Eg1) + ora_bmul(z, Eg2) + ora_bmul(fabsl(g2 - g1), dz) +
                       ora_update_rounding(s->gate, z, g1, g2);
            tie[o] = s->gate == RF_GATE_BINARY ? ora_tie_ratio(aw, Ew, d) : INFINITY;
        }
    }
}
