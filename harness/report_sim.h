/* `refast report --sim A.json [B.json ...] [--ref FILE ...] [--distances D.json ...]` (issue 15):
 * BER and BLER against SNR on log axes with their 95% intervals as error bars, several codes and
 * decoders overlaid, reference curves overlaid, the per-leaf BLER split (seed eq. 4.4) and the
 * distance histograms of `refast code distances` (seed fig. 4.5), as report.md + report.html +
 * one SVG per chart, written all or nothing like the benchmark report.
 *
 * Curves are read from (report_sim_read.c):
 *   refast sim JSON   every finished point; x is the point's <conv>_db (the JSON records all three
 *                     SNR conventions, so inputs of any convention share one axis)
 *   CSV               a header naming the columns, then one line per point: an x column (snr,
 *                     ebn0, esn0, snr_db, ebn0_db or esn0_db: in the plot's convention, whatever
 *                     its name), ber and/or bler, optionally ber_lo, ber_hi, bler_lo, bler_hi;
 *                     '#' starts a comment line
 *   Markdown          every table with an SNR column of the plot's convention ("Eb/N0", "Es/N0",
 *                     or "SNR"/"train-SNR" for snr) and columns named "<X> BER" / "<X> BLER" (the
 *                     first number of a cell; "−" is a minus sign): one curve per X, as in
 *                     ko-reference/BER.md
 * Missing values are NaN and draw nothing. */
#ifndef REFAST_REPORT_SIM_H
#define REFAST_REPORT_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

typedef enum rf_snr_axis { RF_AXIS_EBN0 = 0, RF_AXIS_ESN0, RF_AXIS_SNR } rf_snr_axis;

/* One BER/BLER curve: n points, every array n long. */
typedef struct rf_curve {
    char name[128];
    size_t n;
    double *x, *ber, *ber_lo, *ber_hi, *bler, *bler_lo, *bler_hi;
} rf_curve;

void rf_curve_free(rf_curve *c);
/* The curve of a refast sim JSON document on axis `axis`; false (err) when it is not one. */
bool rf_curve_from_sim(const rf_json *j, const char *path, rf_snr_axis axis, rf_curve *c, char *err, size_t errlen);
/* The reference curves of a file (by its extension: .json, .csv, .md), appended to *curves.
 * false (err: one line naming the file) on a read or format error, or when it holds no curve. */
bool rf_curves_read_ref(const char *path, rf_snr_axis axis, rf_curve **curves, size_t *ncurves, char *err,
                        size_t errlen);

typedef struct rf_sim_report_opts {
    const char *const *sims, *const *refs, *const *dists;
    size_t nsims, nrefs, ndists;
    const char *out, *title;
    int axis; /* rf_snr_axis, or -1: the first input's convention */
} rf_sim_report_opts;

/* Writes the report; returns the exit status (0, or 2 after a one-line error). */
int rf_report_sim(const rf_sim_report_opts *o);

#endif
