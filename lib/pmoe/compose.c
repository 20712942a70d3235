/* Composite images from an IDX image set (compose.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/compose.h"
#include "pmoe/prng.h"

void rf_pmoe_compose_defaults(rf_pmoe_compose_cfg *cfg)
{
    cfg->class_pos = 1;
    cfg->class_neg = 0;
    cfg->irrelevant = 0x3fcu; /* labels 2..9 */
    cfg->grid_rows = 4;
    cfg->grid_cols = 4;
    cfg->pos_min = 0;
    cfg->pos_max = 15;
}

/* Indices of the images whose label satisfies `want`, into a malloc'd array. */
static uint32_t *images_of(const rf_idx_split *src, int label, uint32_t mask, size_t *count)
{
    uint32_t *out = malloc((src->count + 1) * sizeof *out);
    size_t n = 0;
    if (out)
        for (size_t i = 0; i < src->count; i++) {
            const unsigned lab = src->labels.data[i];
            if (label >= 0 ? lab == (unsigned)label : lab < 32 && (mask >> lab & 1u)) out[n++] = (uint32_t)i;
        }
    *count = n;
    return out;
}

int rf_pmoe_compose(const rf_idx_split *src, const rf_pmoe_compose_cfg *cfg, size_t count, uint64_t seed,
                    uint64_t base, rf_pmoe_dataset *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const size_t n = cfg->grid_rows * cfg->grid_cols, d = src->rows * src->cols;
    const int cls[2] = {cfg->class_pos, cfg->class_neg};
    if (n == 0 || cfg->pos_min > cfg->pos_max || cfg->pos_max >= n) {
        snprintf(err, errlen, "pmoe compose: positions %zu..%zu do not fit a %zux%zu grid", cfg->pos_min, cfg->pos_max,
                 cfg->grid_rows, cfg->grid_cols);
        return -1;
    }
    for (int c = 0; c < 2; c++)
        if (cls[c] < 0 || cls[c] > 255 || (cls[c] < 32 && (cfg->irrelevant >> cls[c] & 1u))) {
            snprintf(err, errlen, "pmoe compose: class %d cannot be both discriminative and irrelevant (or is not a label)",
                     cls[c]);
            return -1;
        }
    if (count >= 0xfffffff0u) {
        snprintf(err, errlen, "pmoe compose: %zu samples is too many", count);
        return -1;
    }
    if (cls[0] == cls[1]) {
        snprintf(err, errlen, "pmoe compose: the two discriminative classes are the same label %d", cls[0]);
        return -1;
    }
    uint32_t *own[2] = {NULL, NULL}, *pool = NULL;
    size_t nown[2] = {0, 0}, npool = 0;
    int rc = -1;
    own[0] = images_of(src, cls[0], 0, &nown[0]);
    own[1] = images_of(src, cls[1], 0, &nown[1]);
    pool = images_of(src, -1, cfg->irrelevant, &npool);
    if (!own[0] || !own[1] || !pool) {
        snprintf(err, errlen, "pmoe compose: out of memory");
        goto done;
    }
    const size_t need[2] = {(count + 1) / 2, count / 2};
    for (int c = 0; c < 2; c++)
        if (need[c] > nown[c]) {
            snprintf(err, errlen, "pmoe compose: %zu samples need %zu images of class %d, the set has %zu", count,
                     need[c], cls[c], nown[c]);
            goto done;
        }
    if (n > 1 && npool == 0) {
        snprintf(err, errlen, "pmoe compose: no image has an irrelevant label");
        goto done;
    }
    if (rf_pmoe_dataset_alloc(out, count, n, d, cfg->grid_cols, 1, err, errlen)) goto done;
    for (int c = 0; c < 2; c++) {
        rf_pmoe_rng r;
        rf_pmoe_rng_init(&r, seed, base | (0xfffffff0u + (uint32_t)c));
        rf_pmoe_rng_shuffle(&r, own[c], nown[c]);
    }
    for (size_t i = 0; i < count; i++) {
        rf_pmoe_rng r;
        rf_pmoe_rng_init(&r, seed, base | (uint32_t)i);
        const int c = (int)(i & 1);
        const size_t pos = cfg->pos_min + rf_pmoe_rng_below(&r, (uint32_t)(cfg->pos_max - cfg->pos_min + 1));
        out->y[i] = c == 0 ? 1 : -1;
        out->disc[i] = (int32_t)pos;
        for (size_t j = 0; j < n; j++) {
            const size_t img = j == pos ? own[c][i / 2] : pool[rf_pmoe_rng_below(&r, (uint32_t)npool)];
            memcpy(out->u8 + (i * n + j) * d, src->images.data + img * d, d);
        }
    }
    rc = 0;
done:
    free(own[0]), free(own[1]), free(pool);
    return rc;
}
