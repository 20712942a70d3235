/* The pmoe-reference checker: reads a directory in that format (refdir.h; any directory, not only
 * ../shared/pmoe-reference), recognises each folder by the arrays it holds, runs every model it
 * finds through a caller-given kernel set (ops.h) in double and in float32, and reports per output
 * the max relative error and, for selections, how many rows agree.
 *
 * Folder kinds (README §5 of the format), recognised by their array names:
 *   data      X_u8, X, Xp, labels: checked for consistency (X = X_u8/255, Xp = patches of X,
 *             y = 2 label - 1, the digit map puts the label's prototype at disc_pos); its Xp and
 *             y_pm1 (or label01) are the inputs of the model folders
 *   cnn       W, a, h: the CNN (eq. 5) forward, loss, gradient, one SGD step
 *   router    W, dW without a: the router pre-training model (eq. 6)
 *   separate  R, W, a: separate-training pMoE (G = 1, column-major ties, routers frozen)
 *   joint     Wg, W, a: joint-training pMoE (softmax over the selected l, row-major ties)
 *   gate      inputs, kernel, dkernel: the gate layer alone on NHWC inputs; the WRN variant when
 *             the folder name contains "wrn" (the format records the variant only in the name)
 *   tie       X with sep_R / joint_Wg: selections under both tie rules
 *   train     X_u8, label01 and *_steps arrays: SGD steps of each model present
 * Anything else is listed as skipped. Model hyper-parameters the format does not record are
 * options: the learning rate (0.2), the train/ batch (20) and l of the train/ models (separate 2,
 * joint 6); elsewhere l comes from the shape of sel_idx (or the nonzero count of G for a gate).
 *
 * Error measure: max_i |got_i - want_i| / max_i |want_i| over each array (normwise, so entries that
 * cancel to nearly 0 are not divided by themselves); a top-l margin is a difference of two routing
 * values, so its error is taken relative to the largest |g| of the batch instead. Selections must
 * agree exactly. Default tolerances: 1e-12 (double), 1e-5 (float32), as the format's README states. */
#ifndef REFAST_LIB_PMOE_REFCHECK_H
#define REFAST_LIB_PMOE_REFCHECK_H

#include <stddef.h>

#include "pmoe/ops.h"

typedef struct rf_pmoe_check_opts {
    double tol_f64, tol_f32;
    double lr;
    size_t batch;          /* train/: rows per SGD step */
    size_t sep_l, joint_l; /* train/: patches per expert */
    int run_f64, run_f32;
} rf_pmoe_check_opts;

void rf_pmoe_check_defaults(rf_pmoe_check_opts *opt);

typedef struct rf_pmoe_check_row {
    char folder[64], kind[16], output[48];
    const char *dtype; /* "f64", "f32" or "data" (consistency of the inputs) */
    double max_rel;    /* the error measure above; NaN if an output is NaN where the reference is not */
    double tol;
    long sel_rows, sel_agree; /* selections: rows compared and rows equal; -1 otherwise */
    int pass;
} rf_pmoe_check_row;

typedef struct rf_pmoe_check_report {
    rf_pmoe_check_row *rows;
    size_t count, cap;
    char **skipped; /* folders of unknown kind */
    size_t nskipped;
    size_t models;  /* model folders run */
} rf_pmoe_check_report;

/* 0 when the directory could be read and checked (the verdicts are in the rows), -1 with a one-line
 * error for unreadable or inconsistent input (missing arrays, wrong shapes, NaN inputs). */
int rf_pmoe_check_reference(const char *dir, const rf_pmoe_ops *ops, const rf_pmoe_check_opts *opt,
                            rf_pmoe_check_report *rep, char *err, size_t errlen);
/* Number of rows that failed. */
size_t rf_pmoe_check_failures(const rf_pmoe_check_report *rep);
void rf_pmoe_check_report_free(rf_pmoe_check_report *rep);

#endif
