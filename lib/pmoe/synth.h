/* The seed's data model (§4.2), generated from a seed. Class-discriminative patterns o_1, o_2
 * (unit vectors in R^d with <o_1, o_2> = delta_d); p class-irrelevant pattern sets S_c, each inside
 * a ball around a unit centre q_c with |<o_i, q_c>| <= delta_r. A sample has one discriminative
 * patch (o_1 for y = +1, o_2 for y = -1) at a uniformly random position and n - 1 irrelevant
 * patches, each from a uniformly chosen set. Every patch is multiplied by `norm` (1: the seed's
 * unit vectors; a Fashion-MNIST patch / 255 has a norm of about 9, so the authors' learning rate
 * moves these networks more slowly than on images).
 *
 * Construction. o_1 = g / |g| (g Gaussian); o_2 = delta_d o_1 + sqrt(1 - delta_d^2) u with u a
 * unit vector orthogonal to o_1. Centre c: q_c = sqrt(1 - r_c^2) v_c + r_c e_c with v_c a unit
 * vector orthogonal to o_1 and u, e_c = cos(t) o_1 + sin(t) u, r_c uniform in [0, delta_r], so that
 * |<o_i, q_c>| <= r_c <= delta_r. A pattern of S_c is (q_c + xi) / |q_c + xi| with xi orthogonal to
 * o_1, u and q_c and |xi| uniform in [0, radius * sqrt((1 - delta_r^2) / (d p^2))] (the seed's ball
 * diameter up to its constant): since xi is orthogonal to o_i and |q_c + xi| >= 1, every pattern
 * keeps |<o_i, q>| <= delta_r. Needs d >= 4.
 *
 * Reproducibility: the patterns come from (seed, PATTERNS stream); sample i of a set from (seed,
 * base | i), so sets are nested like composed ones. */
#ifndef REFAST_LIB_PMOE_SYNTH_H
#define REFAST_LIB_PMOE_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "pmoe/dataset.h"

typedef struct rf_pmoe_synth_cfg {
    size_t n, d, p;     /* patches per sample, patch dimension, irrelevant pattern sets */
    size_t grid_w;      /* patches per grid row (for the column-major tie rule) */
    double delta_d;     /* <o_1, o_2>, in (-1, 1) */
    double delta_r;     /* bound on |<o_i, q>|, in [0, 1) */
    double radius;      /* set size, in units of sqrt((1 - delta_r^2) / (d p^2)) */
    double norm;        /* every patch is scaled to this norm */
} rf_pmoe_synth_cfg;

typedef struct rf_pmoe_synth {
    rf_pmoe_synth_cfg cfg;
    double *o1, *o2, *u; /* d each; u: unit, orthogonal to o_1, spans {o_1, o_2} with it */
    double *centre;      /* p x d */
    uint64_t seed;
} rf_pmoe_synth;

/* n 16, d 784 and p 8 as the MNIST experiment (8 irrelevant digits), grid 4 wide, unit patterns
 * (norm 1) as the seed; delta_d = delta_r = 0.5 and radius 1 because the seed gives no numbers
 * (mid-range separations: at 0.2 / 0.2 every model reaches 100 % from 300 samples, at which point
 * the experiment says nothing). */
void rf_pmoe_synth_defaults(rf_pmoe_synth_cfg *cfg);
int rf_pmoe_synth_make(const rf_pmoe_synth_cfg *cfg, uint64_t seed, rf_pmoe_synth *m, char *err, size_t errlen);
void rf_pmoe_synth_free(rf_pmoe_synth *m);
/* count samples (floats) from stream base | i. */
int rf_pmoe_synth_sample(const rf_pmoe_synth *m, size_t count, uint64_t base, rf_pmoe_dataset *out, char *err,
                         size_t errlen);

#endif
