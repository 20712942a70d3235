/* Self-contained SVG x-y charts for `refast report --sim` (issue 15): BER and BLER against SNR on a
 * logarithmic y axis with error bars, reference curves overlaid, the per-leaf BLER split, and
 * histograms (bars on a linear axis) for distance distributions. No scripts, fonts or external
 * resources, like the bar charts of svg.h, and the same DOM contract (svg.h): the root is
 * svg.rf-chart, axes are g.rf-axis-x and g.rf-axis-y (tick labels and the axis title inside),
 * the legend is g.rf-legend with one g.rf-legend-item per series, and every mark (lines, markers,
 * error bars, bars) is inside g.rf-data.
 *
 * Log axis: whole decades covering every positive y and error-bar end, labelled 10^k; values <= 0
 * have no place on it, so such a point draws no marker (its line breaks there) but its error bar
 * still rises from the bottom edge to its upper end: a point with no errors shows its upper
 * confidence bound. Linear axes use "nice" steps (1, 2, 2.5, 5 x 10^k).
 */
#ifndef REFAST_SVG_PLOT_H
#define REFAST_SVG_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "bytes.h"

typedef struct rf_plot_series {
    const char *name;
    int colour;       /* svg.h palette index */
    int marker;       /* 0 circle, 1 square, 2 triangle, 3 diamond; -1 none */
    bool dashed;      /* a reference curve: dashed line, hollow markers */
    bool bars;        /* a histogram: a bar from 0 at each x instead of a line */
    const double *x, *y;
    const double *lo, *hi; /* error bar ends (NULL: none; NaN: none at that point) */
    size_t n;
} rf_plot_series;

typedef struct rf_plot {
    const char *title, *subtitle, *xlabel, *ylabel;
    bool logy;
    const rf_plot_series *series;
    size_t nseries;
} rf_plot;

/* Appends one chart; a plot with no drawable point still gets its frame, axes and legend, and a
 * note saying there is nothing to draw. */
void rf_svg_plot(rf_wbuf *out, const rf_plot *p);

#endif
