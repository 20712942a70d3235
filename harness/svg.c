/* SVG bar charts (see svg.h). Geometry in px; text uses the generic sans-serif family. */
#include "svg.h"

#include "textesc.h"

#include <math.h>
#include <string.h>

#include "benchjson.h"

enum {
    BAR_W = 26,
    BAR_GAP = 4,
    GROUP_GAP = 14,
    AXIS_W = 58,
    PLOT_H = 220,
    PANEL_TITLE_H = 24,
    LABEL_H = 100, /* rotated x labels (about 20 characters) */
    PANEL_PAD = 24,
    TITLE_H = 34,
    LEGEND_H = 24,
};

static const char *const palette[RF_SVG_COLOURS] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

const char *rf_svg_colour(int i)
{
    if (i < 0) i = -i;
    return palette[i % RF_SVG_COLOURS];
}

static bool same_label(const rf_svg_bar *a, const rf_svg_bar *b) { return !strcmp(a->label, b->label); }

static double panel_width(const rf_svg_panel *p)
{
    double w = AXIS_W + PANEL_PAD;
    for (size_t i = 0; i < p->n; i++) {
        w += BAR_W;
        if (i + 1 < p->n) w += same_label(&p->bars[i], &p->bars[i + 1]) ? BAR_GAP : GROUP_GAP;
    }
    return w < 180 ? 180 : w;
}

static double nice_step(double max)
{
    double raw = max / 4, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
}

static void draw_panel(rf_wbuf *o, const rf_svg_panel *p, double x0, double y0, double w)
{
    double max = 0;
    for (size_t i = 0; i < p->n; i++)
        if (isfinite(p->bars[i].value) && p->bars[i].value > max) max = p->bars[i].value;
    double step = max > 0 ? nice_step(max) : 1, top = max > 0 ? ceil(max / step) * step : 4;
    double px = x0 + AXIS_W, py = y0 + PANEL_TITLE_H, pw = w - AXIS_W - PANEL_PAD / 2;
    rf_wbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\">",
                   px + pw / 2, y0 + 16);
    rf_esc_xml(o, p->title);
    rf_wbuf_puts(o, "</text>\n<g class=\"rf-axis rf-axis-y\">\n");
    for (double t = 0; t <= top * (1 + 1e-9); t += step) {
        double y = py + PLOT_H - PLOT_H * t / top;
        char lab[32];
        rf_fmt_si(t, lab, sizeof lab);
        rf_wbuf_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px, y, px + pw,
                       y);
        rf_wbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>\n", px - 4, y + 3,
                       lab);
    }
    rf_wbuf_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n</g>\n", px, py, px,
                   py + PLOT_H);
    rf_wbuf_puts(o, "<g class=\"rf-data\">\n");
    double x = px + PANEL_PAD / 2.0;
    for (size_t i = 0; i < p->n; i++) {
        const rf_svg_bar *b = &p->bars[i];
        double h = isfinite(b->value) && b->value > 0 ? PLOT_H * b->value / top : 0;
        if (h > 0) {
            rf_wbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">", x,
                           py + PLOT_H - h, BAR_W, h, rf_svg_colour(b->colour));
            if (b->tip) {
                rf_wbuf_puts(o, "<title>");
                rf_esc_xml(o, b->tip);
                rf_wbuf_puts(o, "</title>");
            }
            rf_wbuf_puts(o, "</rect>\n");
        }
        if (b->note && *b->note) {
            rf_wbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\">", x + BAR_W / 2.0,
                           py + PLOT_H - h - 3);
            rf_esc_xml(o, b->note);
            rf_wbuf_puts(o, "</text>\n");
        }
        x += BAR_W + (i + 1 == p->n || !same_label(b, &p->bars[i + 1]) ? GROUP_GAP : BAR_GAP);
    }
    /* the x axis: the baseline and one label under each group of bars */
    rf_wbuf_printf(o, "</g>\n<g class=\"rf-axis rf-axis-x\">\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#333\"/>\n", px, py + PLOT_H, px + pw, py + PLOT_H);
    x = px + PANEL_PAD / 2.0;
    double group_start = x;
    for (size_t i = 0; i < p->n; i++) {
        const rf_svg_bar *b = &p->bars[i];
        const bool last_of_group = i + 1 == p->n || !same_label(b, &p->bars[i + 1]);
        if (last_of_group) {
            double cx = (group_start + x + BAR_W) / 2, ly = py + PLOT_H + 12;
            rf_wbuf_printf(o,
                           "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" "
                           "transform=\"rotate(-40 %.1f %.1f)\">",
                           cx, ly, cx, ly);
            rf_esc_xml(o, b->label);
            rf_wbuf_puts(o, "</text>\n");
        }
        x += BAR_W + (last_of_group ? GROUP_GAP : BAR_GAP);
        if (last_of_group) group_start = x;
    }
    rf_wbuf_puts(o, "</g>\n");
}

void rf_svg_bar_chart(rf_wbuf *o, const char *title, const char *yunit, const rf_svg_panel *panels,
                      size_t npanels, const rf_svg_legend *legend, size_t nlegend)
{
    rf_svg_bar_chart_rows(o, title, yunit, panels, npanels, legend, nlegend, RF_SVG_PANELS_PER_ROW);
}

void rf_svg_bar_chart_rows(rf_wbuf *o, const char *title, const char *yunit, const rf_svg_panel *panels,
                           size_t npanels, const rf_svg_legend *legend, size_t nlegend, size_t per_row)
{
    if (per_row < 1) per_row = 1;
    /* Row layout: panels per row share a row height; the chart is as wide as its widest row. */
    double width = 0, row_w = 0;
    size_t rows = npanels ? (npanels + per_row - 1) / per_row : 1;
    for (size_t i = 0; i < npanels; i++) {
        if (i % per_row == 0) row_w = 0;
        row_w += panel_width(&panels[i]);
        if (row_w > width) width = row_w;
    }
    /* Titles are bold 15px: about 9px per character. */
    double title_w = 20 + 9.0 * (double)strlen(title);
    if (width < title_w) width = title_w;
    if (width < 360) width = 360;
    double panel_h = PANEL_TITLE_H + PLOT_H + LABEL_H;
    double height = TITLE_H + (nlegend ? LEGEND_H : 0) + (double)rows * panel_h;
    rf_wbuf_printf(o,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"rf-chart\" data-kind=\"bar\" width=\"%.0f\" "
                   "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n",
                   width, height, width, height);
    rf_wbuf_printf(o, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", width, height);
    rf_wbuf_puts(o, "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">");
    rf_esc_xml(o, title);
    rf_wbuf_puts(o, "</text>\n");
    if (yunit && *yunit) {
        rf_wbuf_puts(o, "<text x=\"10\" y=\"32\" font-size=\"10\" fill=\"#555\">");
        rf_esc_xml(o, yunit);
        rf_wbuf_puts(o, "</text>\n");
    }
    double y = TITLE_H;
    if (nlegend) {
        double lx = 10;
        rf_wbuf_puts(o, "<g class=\"rf-legend\">\n");
        for (size_t i = 0; i < nlegend; i++) {
            rf_wbuf_printf(o, "<g class=\"rf-legend-item\"><rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" "
                              "fill=\"%s\"/>", lx, y + 4, rf_svg_colour(legend[i].colour));
            rf_wbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", lx + 16, y + 14);
            rf_esc_xml(o, legend[i].name);
            rf_wbuf_puts(o, "</text></g>\n");
            lx += 28 + 7.0 * (double)strlen(legend[i].name);
        }
        rf_wbuf_puts(o, "</g>\n");
        y += LEGEND_H;
    }
    double x = 0;
    for (size_t i = 0; i < npanels; i++) {
        if (i && i % per_row == 0) x = 0, y += panel_h;
        double w = panel_width(&panels[i]);
        draw_panel(o, &panels[i], x, y, w);
        x += w;
    }
    rf_wbuf_puts(o, "</svg>\n");
}
