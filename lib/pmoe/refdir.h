/* A directory in the pmoe-reference format (../shared/pmoe-reference/README.md §5): raw
 * little-endian C-order arrays without a header, listed in MANIFEST.txt one per line as
 *   <folder>/<name>.<ext> <dtype> <d0>x<d1>x...  # note
 * with dtype <f8 (double), <i4 (int32) or |u1 (uint8). The manifest is the only description of
 * shapes, so every array is checked against it: the file size must be exactly the product of the
 * dimensions times the item size. Every error is one line naming the file and what is wrong. */
#ifndef REFAST_LIB_PMOE_REFDIR_H
#define REFAST_LIB_PMOE_REFDIR_H

#include <stddef.h>
#include <stdint.h>

#define RF_REFDIR_MAX_DIMS 8

typedef enum rf_refdir_dtype { RF_REFDIR_F64 = 0, RF_REFDIR_I32, RF_REFDIR_U8 } rf_refdir_dtype;

typedef struct rf_refdir_entry {
    char *path;   /* relative to the directory, e.g. "cnn_m4/W.f64" */
    char *folder; /* the part before the last '/' ("" at the top level) */
    char *name;   /* the file name without its extension ("W") */
    rf_refdir_dtype dtype;
    size_t ndim, shape[RF_REFDIR_MAX_DIMS], count;
} rf_refdir_entry;

typedef struct rf_refdir {
    char *dir;
    rf_refdir_entry *entries;
    size_t count;
} rf_refdir;

/* Reads DIR/MANIFEST.txt. 0, or -1 with a one-line error. */
int rf_refdir_open(rf_refdir *rd, const char *dir, char *err, size_t errlen);
void rf_refdir_close(rf_refdir *rd);
/* The entry of folder/name (any extension), or NULL. */
const rf_refdir_entry *rf_refdir_find(const rf_refdir *rd, const char *folder, const char *name);
/* The distinct folders in manifest order; *names is malloc'd (the strings belong to rd). */
size_t rf_refdir_folders(const rf_refdir *rd, const char ***names);
/* Loads an entry into a malloc'd host array: double for F64, int32_t for I32, uint8_t for U8.
 * 0, or -1 with a one-line error (missing file, wrong size). */
int rf_refdir_load(const rf_refdir *rd, const rf_refdir_entry *e, void **data, char *err, size_t errlen);

#endif
