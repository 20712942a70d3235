/* A labelled set of patch-structured samples for the pMoE models: sample i has n patches of d
 * values, label y[i] in {-1, +1} (the paper's; label01 = (y + 1) / 2) and the index disc[i] of its
 * class-discriminative patch (for the router hit rate of the seed's figure 8).
 * Values are stored as bytes (images: value = byte / 255, the authors' only normalisation) or as
 * floats (the synthetic data model); rf_pmoe_dataset_get gives floats either way. Samples
 * alternate between the classes (even i: y = +1), so the first N samples of a set hold
 * ceil(N/2) and floor(N/2) of each class and sets of growing N are nested. */
#ifndef REFAST_LIB_PMOE_DATASET_H
#define REFAST_LIB_PMOE_DATASET_H

#include <stddef.h>
#include <stdint.h>

typedef struct rf_pmoe_dataset {
    size_t count, n, d;
    size_t grid_w;   /* patches per grid row (the column-major tie rule) */
    uint8_t *u8;     /* count x n x d bytes, or NULL */
    float *f32;      /* count x n x d floats, or NULL */
    int8_t *y;
    int32_t *disc;
} rf_pmoe_dataset;

/* Allocates count samples, bytes (as_bytes) or floats. 0, or -1 with a one-line error. */
int rf_pmoe_dataset_alloc(rf_pmoe_dataset *ds, size_t count, size_t n, size_t d, size_t grid_w, int as_bytes,
                          char *err, size_t errlen);
void rf_pmoe_dataset_free(rf_pmoe_dataset *ds);
/* Sample i as n d floats. */
void rf_pmoe_dataset_get(const rf_pmoe_dataset *ds, size_t i, float *out);
/* A batch: samples order[first .. first + B) (or first .. first + B when order is NULL) as floats
 * into x (B n d) and their labels into y. */
void rf_pmoe_dataset_gather(const rf_pmoe_dataset *ds, const uint32_t *order, size_t first, size_t B, float *x,
                            int8_t *y);
/* The first `count` samples of src, sharing its storage (free nothing: src owns it). */
rf_pmoe_dataset rf_pmoe_dataset_head(const rf_pmoe_dataset *src, size_t count);

#endif
