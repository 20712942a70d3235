/* A case: named arrays plus the key=value parameters that produced them.
 *
 * This is the in-memory form of one golden vector file (harness/rfg.c reads and writes it as
 * `.rfg`). Array names follow one convention that the whole harness relies on:
 *   in.X     an input of the kernel
 *   want.X   the oracle's output X (higher precision or exact)
 *   scale.X  the error scale S of output X for the `sum`, `iterate` and `decision` classes; its
 *            length must divide the length of want.X, each scale covering one contiguous block
 *   tie.X    for the `decision` class: the oracle's margin of each decision (same blocking as
 *            scale.X); a disagreement is a near-tie when |tie| <= tau * u * scale
 * and an implementation's output X is compared with want.X. Parameters are a single line of
 * space-separated key=value pairs (no spaces inside values). Array data are 64-byte aligned.
 */
#ifndef REFAST_CASE_H
#define REFAST_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h" /* rf_alloc / rf_free: every array is allocated by them */

typedef enum rf_dtype {
    RF_DT_NONE = 0,
    RF_DT_U8 = 1,
    RF_DT_I32 = 2,
    RF_DT_U32 = 3,
    RF_DT_U64 = 4,
    RF_DT_F32 = 5,
    RF_DT_F64 = 6
} rf_dtype;

size_t rf_dtype_size(rf_dtype t);
const char *rf_dtype_name(rf_dtype t);
bool rf_dtype_parse(const char *s, rf_dtype *out);

#define RF_NAME_MAX 64
#define RF_PARAMS_MAX 512
#define RF_MAX_DIMS 4
#define RF_CASE_MAX_ARRAYS 24

typedef struct rf_array {
    char name[RF_NAME_MAX];
    rf_dtype dtype;
    unsigned ndim;
    uint64_t shape[RF_MAX_DIMS];
    uint64_t count; /* product of shape */
    void *data;
    void *alloc_base; /* what rf_free_placed releases (rf_alloc_placed) */
    size_t alloc_len;
} rf_array;

typedef struct rf_case {
    char kernel[RF_NAME_MAX];
    char name[RF_NAME_MAX];
    rf_dtype work_dtype;
    char params[RF_PARAMS_MAX];
    unsigned narrays;
    rf_array arrays[RF_CASE_MAX_ARRAYS];
    rf_placement place; /* where rf_case_add puts new arrays (support/alloc.h); aligned by default */
} rf_case;

void rf_case_init(rf_case *c, const char *kernel, const char *name, const char *params);
void rf_case_free(rf_case *c);

/* Adds a zero-filled array (placed as c->place says); returns its data, or NULL when the name is taken, the table is full,
 * the size overflows or memory runs out. */
void *rf_case_add(rf_case *c, const char *name, rf_dtype t, unsigned ndim, const uint64_t *shape);
void *rf_case_add1(rf_case *c, const char *name, rf_dtype t, uint64_t n);
void *rf_case_add2(rf_case *c, const char *name, rf_dtype t, uint64_t rows, uint64_t cols);

/* An output array of a registry bind(): the existing array of that name when it has this dtype
 * and shape (a benchmark binding again), else a new zero-filled one; NULL when the name is taken
 * by another shape or as rf_case_add fails. */
void *rf_case_out(rf_case *c, const char *name, rf_dtype t, unsigned ndim, const uint64_t *shape);

/* The array `name` if it exists with dtype t and ndim dimensions (ndim 0: any), else NULL and
 * "case has no 2-d f32 array in.x" in err. */
const rf_array *rf_case_need(const rf_case *c, const char *name, rf_dtype t, unsigned ndim, char *err,
                             size_t errlen);

/* Finds an array by name (NULL if absent). rf_case_data() also checks the dtype. */
const rf_array *rf_case_find(const rf_case *c, const char *name);
void *rf_case_data(const rf_case *c, const char *name, rf_dtype t, uint64_t *count);

/* Parameters. Getters return false when the key is missing or does not parse. */
bool rf_param_str(const char *params, const char *key, char *buf, size_t buflen);
bool rf_param_u64(const char *params, const char *key, uint64_t *out);
bool rf_param_f64(const char *params, const char *key, double *out);
/* Appends " key=value" (printf-style value) to c->params. */
void rf_case_set_param(rf_case *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));


#endif
