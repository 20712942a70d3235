/* Self-contained SVG bar charts for `refast report` (no scripts, fonts or external resources).
 *
 * A chart is a row (wrapping every RF_SVG_PANELS_PER_ROW) of panels sharing a title; each panel
 * has its own linear y axis starting at 0 (so bar heights compare honestly within a panel) with
 * "nice" tick steps (1, 2, 2.5, 5 x 10^k). Consecutive bars with the same label form a group and
 * the label is written once under it; `note` is printed above the bar (e.g. "3.2x") and `tip`
 * becomes the bar's hover text. Colours index a fixed palette; a legend maps colours to names.
 *
 * DOM contract (every refast chart, svg_plot.h too; the browser test checks it): the root element
 * is svg.rf-chart (data-kind "bar" or "xy"); each axis is a g.rf-axis-x or g.rf-axis-y holding its
 * line(s) and tick or category labels; the legend is g.rf-legend with one g.rf-legend-item per
 * entry; every data mark (bars, lines, markers, error bars) sits inside a g.rf-data.
 */
#ifndef REFAST_SVG_H
#define REFAST_SVG_H

#include <stddef.h>

#include "bytes.h"

#define RF_SVG_PANELS_PER_ROW 3
#define RF_SVG_COLOURS 10

typedef struct rf_svg_bar {
    const char *label;
    double value; /* NaN or <= 0: no bar, the note is still shown */
    const char *note;
    const char *tip;
    int colour;
} rf_svg_bar;

typedef struct rf_svg_panel {
    const char *title;
    const rf_svg_bar *bars;
    size_t n;
} rf_svg_panel;

typedef struct rf_svg_legend {
    const char *name;
    int colour;
} rf_svg_legend;

void rf_svg_bar_chart(rf_wbuf *out, const char *title, const char *yunit, const rf_svg_panel *panels,
                      size_t npanels, const rf_svg_legend *legend, size_t nlegend);
/* The same with `per_row` panels a row (the overview's two wide panels, one under the other). */
void rf_svg_bar_chart_rows(rf_wbuf *out, const char *title, const char *yunit, const rf_svg_panel *panels,
                           size_t npanels, const rf_svg_legend *legend, size_t nlegend, size_t per_row);
const char *rf_svg_colour(int i);

#endif
