/* Oracle of the score-tensor moment sums: term by term in double-long-double. */
#include <math.h>
#include <stdlib.h>

#include "oracle.h"
#include "oracle_moe_moments.h"

typedef struct entry {
    ora_dd sum;       /* finite terms */
    ora_dd abs;       /* |terms| */
    unsigned char nan, pinf, ninf;
} entry;

static void add_term(entry *e, long double t)
{
    if (isnan(t)) e->nan = 1;
    else if (isinf(t)) {
        if (t > 0) e->pinf = 1;
        else e->ninf = 1;
    } else {
        e->sum = ora_dd_add(e->sum, ora_dd_from(t));
        e->abs = ora_dd_add(e->abs, ora_dd_from(fabsl(t)));
    }
}

/* One sample's terms of the entry (idx[0] <= ... <= idx[order-1]): the raw product, then
 * -w x_p x_q for each of the pairings whose delta is 1 (order 3: -w x_p), then +w per product of
 * two deltas that is 1 (order 4) or -w for d_ab (order 2). */
static void add_sample_terms(entry *e, unsigned order, const size_t *ix, const double *x, long double w)
{
    long double prod = w;
    for (unsigned j = 0; j < order; j++) prod *= (long double)x[ix[j]];
    add_term(e, prod);
    if (order == 2) {
        if (ix[0] == ix[1]) add_term(e, -w);
        return;
    }
    if (order == 3) {
        /* Placements of the single coordinate: x_a d_bc, x_b d_ac, x_c d_ab. */
        for (unsigned s = 0; s < 3; s++) {
            const size_t p = ix[(s + 1) % 3], q = ix[(s + 2) % 3];
            if (p == q) add_term(e, -w * (long double)x[ix[s]]);
        }
        return;
    }
    /* order 4: the six pairings {i,j} carry x, the other two the delta. */
    static const unsigned pairs[6][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2},
                                         {1, 2, 0, 3}, {1, 3, 0, 2}, {2, 3, 0, 1}};
    for (unsigned s = 0; s < 6; s++)
        if (ix[pairs[s][2]] == ix[pairs[s][3]])
            add_term(e, -w * (long double)x[ix[pairs[s][0]]] * (long double)x[ix[pairs[s][1]]]);
    static const unsigned dd[3][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}};
    for (unsigned s = 0; s < 3; s++)
        if (ix[dd[s][0]] == ix[dd[s][1]] && ix[dd[s][2]] == ix[dd[s][3]]) add_term(e, w);
}

/* Advances the nondecreasing index tuple ix (order entries < d) lexicographically; 0 at the end. */
static int next_tuple(size_t *ix, unsigned order, size_t d)
{
    for (unsigned j = order; j-- > 0;) {
        if (ix[j] + 1 < d) {
            ix[j]++;
            for (unsigned t = j + 1; t < order; t++) ix[t] = ix[j];
            return 1;
        }
    }
    return 0;
}

int ora_moe_tsum(unsigned order, const double *x, const double *w, size_t n, size_t d,
                 long double *want, long double *scale)
{
    if (d == 0) return 0;
    size_t size = 1;
    for (unsigned j = 0; j < order; j++) size = size * (d + j) / (j + 1);
    entry *ent = calloc(size, sizeof *ent);
    if (!ent) return -1;
    for (size_t i = 0; i < n; i++) {
        size_t ix[4] = {0, 0, 0, 0}, k = 0;
        do add_sample_terms(&ent[k++], order, ix, x + i * d, (long double)w[i]);
        while (next_tuple(ix, order, d));
    }
    for (size_t k = 0; k < size; k++) {
        const entry *e = &ent[k];
        if (e->nan || (e->pinf && e->ninf)) want[k] = NAN;
        else if (e->pinf) want[k] = INFINITY;
        else if (e->ninf) want[k] = -INFINITY;
        else want[k] = ora_dd_value(e->sum);
        scale[k] = (e->nan) ? NAN : (e->pinf || e->ninf) ? INFINITY : ora_dd_value(e->abs);
    }
    free(ent);
    return 0;
}
