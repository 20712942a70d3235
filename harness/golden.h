/* Golden directory layout and MANIFEST (SPEC §4).
 * A case of kernel K with recipe name C lives at <dir>/<family>/<K>.<C>.rfg. MANIFEST is a sorted
 * text file, one line per case: path (relative to dir) TAB kernel TAB params TAB XXH3-128 (hex). */
#ifndef REFAST_GOLDEN_H
#define REFAST_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>

#include "refast/registry.h"
#include "rfg.h"

typedef struct rf_manifest_entry {
    char path[256];
    char kernel[RF_NAME_MAX];
    char params[RF_PARAMS_MAX];
    rfg_hash hash;
} rf_manifest_entry;

typedef struct rf_manifest {
    rf_manifest_entry *e;
    size_t n, cap;
} rf_manifest;

/* The default golden directory: $REFAST_GOLDEN, else "golden". */
const char *rf_golden_dir(void);
/* Relative path of a case inside the golden directory. */
void rf_golden_relpath(const rf_kernel *k, const rf_case_spec *s, char *out, size_t outlen);

/* Loads <dir>/MANIFEST. A missing file gives an empty manifest when allow_missing. */
bool rf_manifest_load(const char *dir, rf_manifest *m, bool allow_missing, char *err, size_t errlen);
bool rf_manifest_save(const char *dir, rf_manifest *m, char *err, size_t errlen);
rf_manifest_entry *rf_manifest_find(rf_manifest *m, const char *path);
bool rf_manifest_set(rf_manifest *m, const char *path, const char *kernel, const char *params,
                     rfg_hash hash);
/* Removes the entry at index i (order is restored by rf_manifest_save). */
void rf_manifest_remove(rf_manifest *m, size_t i);
void rf_manifest_free(rf_manifest *m);

/* Builds a case from its recipe: make_inputs + oracle. */
bool rf_golden_build(const rf_kernel *k, const rf_case_spec *s, rf_case *c, char *err, size_t errlen);

#endif
