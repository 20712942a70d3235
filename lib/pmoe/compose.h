/* Composite images from a labelled image set (the seed's §5.1 MNIST experiment, the authors' data):
 * n = grid_rows x grid_cols patches, each one whole source image (28 x 28 for MNIST/Fashion-MNIST,
 * d = 784 values, byte / 255), patch j = grid_cols R + C. One patch per sample is
 * class-discriminative (an image of class_pos for y = +1, of class_neg for y = -1) at a uniformly
 * random position in [pos_min, pos_max]; the other n - 1 are drawn uniformly, with replacement, from
 * all images of the irrelevant classes.
 *
 * Reproducibility: the discriminative images of each class are a Philox permutation of that class's
 * images (stream base | 0xfffffff0 + c), used in order without repetition, so a set needs at most
 * that many images per class (more is a one-line error); sample i's position and irrelevant patches
 * come from stream base | i. Sample i depends only on (seed, base, i) and the source, and the first
 * N samples of a larger set are the set of size N. Train sets come from the train split, test sets
 * from the test split (the caller passes the split). */
#ifndef REFAST_LIB_PMOE_COMPOSE_H
#define REFAST_LIB_PMOE_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "pmoe/dataset.h"
#include "pmoe/idx.h"

typedef struct rf_pmoe_compose_cfg {
    int class_pos, class_neg;  /* source labels of o_1 (y = +1) and o_2 (y = -1); seed: 1 and 0 */
    uint32_t irrelevant;       /* bit c set: label c is class-irrelevant; seed: 2..9 */
    size_t grid_rows, grid_cols;
    size_t pos_min, pos_max;   /* default 0 .. n-1 (the paper's "random position"; the authors'
                                  shipped test positions lie in 1 .. 14) */
} rf_pmoe_compose_cfg;

void rf_pmoe_compose_defaults(rf_pmoe_compose_cfg *cfg);
/* count samples into out (bytes). base: a stream from rf_pmoe_stream(purpose, run, 0). */
int rf_pmoe_compose(const rf_idx_split *src, const rf_pmoe_compose_cfg *cfg, size_t count, uint64_t seed,
                    uint64_t base, rf_pmoe_dataset *out, char *err, size_t errlen);

#endif
