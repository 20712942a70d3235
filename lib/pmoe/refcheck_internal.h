/* Shared by refcheck.c (report, comparisons, recognition), refcheck_folders.c (data, gate and tie
 * folders) and refcheck_models.c (cnn, router, separate, joint and train folders). Not public. */
#ifndef REFAST_LIB_PMOE_REFCHECK_INTERNAL_H
#define REFAST_LIB_PMOE_REFCHECK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pmoe/refcheck.h"
#include "pmoe/refdir.h"
#include "pmoe/refrun.h"

/* One precision's runners (refrun.h) and tolerance. */
typedef struct chk_prec {
    const char *dtype;
    int (*model)(const rf_pmoe_ops *, const rf_pmoe_net *, const double *, const int8_t *, size_t, const double *,
                 const double *, const double *, double, rf_pmoe_refrun_out *, char *, size_t);
    int (*steps)(const rf_pmoe_ops *, const rf_pmoe_net *, const double *, const int8_t *, size_t, size_t, size_t,
                 double, const double *, const double *, const double *, double *, double *, double *, double *,
                 double *, char *, size_t);
    int (*gate)(const rf_pmoe_ops *, const double *, size_t, size_t, size_t, const double *, size_t, int,
                const double *, double *, int32_t *, double *, double *, double *, char *, size_t);
    int (*select)(const rf_pmoe_ops *, const double *, size_t, size_t, size_t, const double *, size_t, size_t, int,
                  size_t, double *, int32_t *, double *, char *, size_t);
    double tol;
} chk_prec;

typedef struct chk {
    const rf_refdir *rd;
    const rf_pmoe_ops *ops;
    const rf_pmoe_check_opts *opt;
    rf_pmoe_check_report *rep;
    char *err;
    size_t errlen;
    chk_prec prec[2]; /* the enabled precisions */
    int nprec;
    /* the model folders' inputs, from the data folder */
    double *x;  /* B n d patches */
    int8_t *y;  /* B labels in {-1, +1} */
    size_t B, n, d, grid_w;
    int have_data;
    const char *folder, *kind; /* the folder being checked */
    int oom;                   /* a report row could not be stored */
} chk;

/* Loads folder/name (required): dtype and ndim must match, and each shape[i] unless it is 0; the
 * actual shape is written back into shape. Doubles must be finite. 0, or -1 with err set. */
int chk_load(chk *c, const char *name, rf_refdir_dtype dtype, size_t ndim, size_t *shape, void **out);
/* 1 if folder/name exists. */
int chk_has(const chk *c, const char *name);
/* Compares got with folder/name if that array exists (its size must be count); norm > 0 replaces
 * max |want| as the denominator. 0, or -1 on a read error. */
int chk_compare_opt(chk *c, const chk_prec *p, const char *name, const double *got, size_t count, double norm);
/* The same for an in-memory reference. */
void chk_compare(chk *c, const char *dtype, double tol, const char *output, const double *got, const double *want,
                 size_t count, double norm);
/* Selections: rows of l indices, exact. */
void chk_compare_sel(chk *c, const char *dtype, const char *output, const int32_t *got, const int32_t *want,
                     size_t rows, size_t l);
/* Appends a row (sets c->oom when out of memory). */
void chk_row(chk *c, const char *dtype, const char *output, double max_rel, double tol, long sel_rows,
            long sel_agree, int pass);

/* The side of a square patch of d values, or 0. */
size_t chk_square_side(size_t d);

/* One folder each (refcheck_folders.c, refcheck_models.c): 0, or -1 with c->err set. */
int chk_data(chk *c);
int chk_gate(chk *c, int wrn);
int chk_tie(chk *c);
int chk_cnn(chk *c);
int chk_router(chk *c);
int chk_moe(chk *c, int joint);
int chk_train(chk *c);

#endif
