/* Patch-structured labelled sets (dataset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/dataset.h"

int rf_pmoe_dataset_alloc(rf_pmoe_dataset *ds, size_t count, size_t n, size_t d, size_t grid_w, int as_bytes,
                          char *err, size_t errlen)
{
    memset(ds, 0, sizeof *ds);
    if (n == 0 || d == 0 || count > ((size_t)1 << 40) / (n * d)) {
        snprintf(err, errlen, "pmoe data set: bad size (%zu samples of %zu x %zu)", count, n, d);
        return -1;
    }
    const size_t values = count * n * d + 1;
    if (as_bytes) ds->u8 = malloc(values);
    else ds->f32 = malloc(values * sizeof *ds->f32);
    ds->y = malloc(count + 1);
    ds->disc = malloc((count + 1) * sizeof *ds->disc);
    if ((!ds->u8 && !ds->f32) || !ds->y || !ds->disc) {
        rf_pmoe_dataset_free(ds);
        snprintf(err, errlen, "pmoe data set: out of memory (%zu samples of %zu x %zu)", count, n, d);
        return -1;
    }
    ds->count = count, ds->n = n, ds->d = d, ds->grid_w = grid_w;
    return 0;
}

void rf_pmoe_dataset_free(rf_pmoe_dataset *ds)
{
    free(ds->u8);
    free(ds->f32);
    free(ds->y);
    free(ds->disc);
    memset(ds, 0, sizeof *ds);
}

void rf_pmoe_dataset_get(const rf_pmoe_dataset *ds, size_t i, float *out)
{
    const size_t nd = ds->n * ds->d;
    if (ds->f32) {
        memcpy(out, ds->f32 + i * nd, nd * sizeof *out);
        return;
    }
    const uint8_t *src = ds->u8 + i * nd;
    for (size_t p = 0; p < nd; p++) out[p] = (float)src[p] / 255.0f;
}

rf_pmoe_dataset rf_pmoe_dataset_head(const rf_pmoe_dataset *src, size_t count)
{
    rf_pmoe_dataset h = *src;
    h.count = count < src->count ? count : src->count;
    return h;
}

void rf_pmoe_dataset_gather(const rf_pmoe_dataset *ds, const uint32_t *order, size_t first, size_t B, float *x,
                            int8_t *y)
{
    const size_t nd = ds->n * ds->d;
    for (size_t b = 0; b < B; b++) {
        const size_t i = order ? order[first + b] : first + b;
        rf_pmoe_dataset_get(ds, i, x + b * nd);
        y[b] = ds->y[i];
    }
}
