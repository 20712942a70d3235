/* SVG x-y charts (see svg_plot.h). Geometry in px; text uses the generic sans-serif family. */
#include "svg_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "benchjson.h"
#include "svg.h"
#include "textesc.h"

enum { WIDTH = 760, PLOT_W = 600, PLOT_H = 330, LEFT = 84, TOP = 58, LEGEND_ROW = 18 };

typedef struct axis {
    double lo, hi; /* the data range shown (log axis: exponents) */
    bool log;
} axis;

/* Position of v along [0, len] (y: measured from the bottom); NaN when v has no place. */
static double place(const axis *a, double v, double len)
{
    if (a->log) {
        if (!(v > 0)) return NAN;
        v = log10(v);
    }
    return len * (v - a->lo) / (a->hi - a->lo);
}

/* Half the smallest gap between distinct x of a bar series (data units; NaN: a single x). */
static double half_gap(const rf_plot_series *s)
{
    double gap = INFINITY;
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = 0; j < s->n; j++)
            if (s->x[j] > s->x[i] && s->x[j] - s->x[i] < gap) gap = s->x[j] - s->x[i];
    return isfinite(gap) ? gap / 2 : NAN;
}

/* Whether point i shows anything: a y, or (log axis) an error bar's upper end. Empty histogram
 * bins (y = 0, no bar) do not stretch the x axis. */
static bool shows(const rf_plot_series *s, size_t i, bool logy)
{
    if (s->y[i] != 0 && isfinite(s->y[i])) return !logy || s->y[i] > 0 || (s->hi && s->hi[i] > 0);
    return s->hi && isfinite(s->hi[i]) && s->hi[i] > 0;
}

/* Linear range with a little room, or whole decades for a log axis, over every value given. */
static void fit(axis *a, const rf_plot *p, bool y)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t s = 0; s < p->nseries; s++) {
        const rf_plot_series *ser = &p->series[s];
        const double half = !y && ser->bars ? half_gap(ser) : 0;
        for (size_t i = 0; i < ser->n; i++) {
            if (!y && !shows(ser, i, p->logy)) continue;
            if (!y && ser->bars) { /* room for the bar around x */
                const double h = isfinite(half) ? half : 0.5;
                lo = fmin(lo, ser->x[i] - h);
                hi = fmax(hi, ser->x[i] + h);
            }
            double v[3] = {y ? ser->y[i] : ser->x[i], NAN, NAN};
            if (y && ser->lo) v[1] = ser->lo[i];
            if (y && ser->hi) v[2] = ser->hi[i];
            for (int k = 0; k < 3; k++) {
                if (!isfinite(v[k]) || (a->log && !(v[k] > 0))) continue;
                const double t = a->log ? log10(v[k]) : v[k];
                lo = t < lo ? t : lo;
                hi = t > hi ? t : hi;
            }
            if (y && ser->bars) lo = lo < 0 ? lo : 0; /* bars stand on 0 */
        }
    }
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (a->log) {
        a->lo = floor(lo);
        a->hi = ceil(hi);
        if (a->hi - a->lo < 1) a->lo -= 1;
    } else {
        const double pad = hi > lo ? 0.04 * (hi - lo) : 0.5;
        a->lo = y && lo >= 0 ? 0 : lo - pad;
        a->hi = hi + pad;
    }
}

static double nice(double span)
{
    const double raw = span / 6, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
}

static void text(rf_wbuf *o, double x, double y, const char *attrs, const char *s)
{
    rf_wbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
    rf_esc_xml(o, s);
    rf_wbuf_puts(o, "</text>\n");
}

static void axes(rf_wbuf *o, const rf_plot *p, const axis *ax, const axis *ay)
{
    const double x0 = LEFT, y0 = TOP + PLOT_H;
    rf_wbuf_printf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>\n", LEFT, TOP,
                   PLOT_W, PLOT_H);
    rf_wbuf_puts(o, "<g class=\"rf-axis rf-axis-x\" font-size=\"11\">\n");
    const double xs = nice(ax->hi - ax->lo);
    for (double t = ceil(ax->lo / xs) * xs; t <= ax->hi + 1e-9 * xs; t += xs) {
        const double x = x0 + place(ax, t, PLOT_W);
        char lab[32];
        snprintf(lab, sizeof lab, "%g", fabs(t) < 1e-9 * xs ? 0.0 : t);
        rf_wbuf_printf(o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n", x, TOP, x, y0);
        text(o, x, y0 + 16, "text-anchor=\"middle\"", lab);
    }
    text(o, x0 + PLOT_W / 2.0, y0 + 38, "text-anchor=\"middle\" font-size=\"13\"", p->xlabel);
    rf_wbuf_puts(o, "</g>\n<g class=\"rf-axis rf-axis-y\" font-size=\"11\">\n");
    if (ay->log) {
        for (double e = ay->lo; e <= ay->hi + 1e-9; e += 1) {
            const double y = y0 - place(ay, pow(10, e), PLOT_H);
            rf_wbuf_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d8d8d8\"/>\n", LEFT, y,
                           LEFT + PLOT_W, y);
            for (int m = 2; m < 10 && e < ay->hi - 1e-9; m++) { /* minor ticks 2..9 x 10^e */
                const double ym = y0 - place(ay, m * pow(10, e), PLOT_H);
                rf_wbuf_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\"/>\n", LEFT, ym,
                               LEFT + 4, ym);
            }
            rf_wbuf_printf(o, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">10<tspan dy=\"-5\" font-size=\"9\">%d</tspan>"
                              "</text>\n", LEFT - 6, y + 4, (int)e);
        }
    } else {
        const double ys = nice(ay->hi - ay->lo);
        for (double t = ceil(ay->lo / ys) * ys; t <= ay->hi + 1e-9 * ys; t += ys) {
            const double y = y0 - place(ay, t, PLOT_H);
            char lab[32];
            rf_fmt_si(fabs(t) < 1e-9 * ys ? 0.0 : t, lab, sizeof lab);
            rf_wbuf_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n", LEFT, y,
                           LEFT + PLOT_W, y);
            text(o, LEFT - 6, y + 4, "text-anchor=\"end\"", lab);
        }
    }
    char rot[96];
    snprintf(rot, sizeof rot, "text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 %d %.1f)\"", 22,
             TOP + PLOT_H / 2.0);
    text(o, 22, TOP + PLOT_H / 2.0, rot, p->ylabel);
    rf_wbuf_puts(o, "</g>\n");
}

static void marker(rf_wbuf *o, const rf_plot_series *s, double x, double y)
{
    const char *c = rf_svg_colour(s->colour);
    char paint[96];
    snprintf(paint, sizeof paint, "fill=\"%s\" stroke=\"%s\" stroke-width=\"1.4\"", s->dashed ? "white" : c, c);
    switch (s->marker) {
    case 0: rf_wbuf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.6\" %s/>\n", x, y, paint); break;
    case 1: rf_wbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" %s/>\n", x - 3.5, y - 3.5, paint); break;
    case 2:
        rf_wbuf_printf(o, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" %s/>\n", x, y - 4.5, x + 4.2, y + 3, x - 4.2, y + 3,
                       paint);
        break;
    case 3:
        rf_wbuf_printf(o, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" %s/>\n", x, y - 4.5, x + 4.5, y, x,
                       y + 4.5, x - 4.5, y, paint);
        break;
    default: break;
    }
}

/* Half a bar's width in px: 80% of the smallest gap, at least 1 px, at most 18. */
static double bar_half(const rf_plot_series *s, const axis *ax)
{
    const double h = half_gap(s), px = isfinite(h) ? 0.8 * place(ax, ax->lo + h, PLOT_W) : 18;
    return px < 1 ? 1 : px > 18 ? 18 : px;
}

static size_t series(rf_wbuf *o, const rf_plot_series *s, const axis *ax, const axis *ay)
{
    const char *c = rf_svg_colour(s->colour);
    const double y0 = TOP + PLOT_H;
    size_t drawn = 0;
    rf_wbuf_printf(o, "<g class=\"rf-series\" data-name=\"");
    rf_esc_xml(o, s->name);
    rf_wbuf_puts(o, "\">\n");
    if (s->bars) {
        const double half = bar_half(s, ax), base = y0 - place(ay, 0, PLOT_H);
        for (size_t i = 0; i < s->n; i++) {
            const double x = LEFT + place(ax, s->x[i], PLOT_W), y = y0 - place(ay, s->y[i], PLOT_H);
            if (!isfinite(x) || !isfinite(y)) continue;
            rf_wbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.75\">"
                              "<title>%g: %g</title></rect>\n",
                           x - half, fmin(y, base), 2 * half, fabs(base - y), c, s->x[i], s->y[i]);
            drawn++;
        }
        rf_wbuf_puts(o, "</g>\n");
        return drawn;
    }
    /* error bars first, under the line and the markers */
    for (size_t i = 0; s->lo && s->hi && i < s->n; i++) {
        const double x = LEFT + place(ax, s->x[i], PLOT_W);
        if (!isfinite(x) || !isfinite(s->hi[i]) || !isfinite(s->lo[i])) continue;
        const double top = place(ay, s->hi[i], PLOT_H), bot = place(ay, s->lo[i], PLOT_H);
        if (!isfinite(top) || top < 0) continue;
        const double yt = y0 - fmin(top, PLOT_H), yb = y0 - (isfinite(bot) ? fmax(bot, 0) : 0);
        rf_wbuf_printf(o, "<path d=\"M%.1f %.1fV%.1f", x, yb, yt);
        if (top <= PLOT_H) rf_wbuf_printf(o, "M%.1f %.1fH%.1f", x - 3, yt, x + 3);
        if (isfinite(bot) && bot >= 0) rf_wbuf_printf(o, "M%.1f %.1fH%.1f", x - 3, yb, x + 3);
        rf_wbuf_printf(o, "\" stroke=\"%s\" stroke-width=\"1\" fill=\"none\" opacity=\"0.8\"/>\n", c);
        drawn++;
    }
    bool open = false;
    for (size_t i = 0; i < s->n; i++) { /* the line, broken where a point has no place */
        const double x = LEFT + place(ax, s->x[i], PLOT_W), y = y0 - place(ay, s->y[i], PLOT_H);
        if (!isfinite(x) || !isfinite(y)) {
            if (open) rf_wbuf_printf(o, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s/>\n", c,
                                     s->dashed ? " stroke-dasharray=\"6 4\"" : "");
            open = false;
            continue;
        }
        rf_wbuf_printf(o, open ? "L%.1f %.1f" : "<path d=\"M%.1f %.1f", x, y);
        open = true;
    }
    if (open) rf_wbuf_printf(o, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s/>\n", c,
                             s->dashed ? " stroke-dasharray=\"6 4\"" : "");
    for (size_t i = 0; i < s->n; i++) {
        const double x = LEFT + place(ax, s->x[i], PLOT_W), y = y0 - place(ay, s->y[i], PLOT_H);
        if (!isfinite(x) || !isfinite(y)) continue;
        rf_wbuf_puts(o, "<g>");
        marker(o, s, x, y);
        rf_wbuf_printf(o, "<title>");
        rf_esc_xml(o, s->name);
        rf_wbuf_printf(o, ": %g, %.4g", s->x[i], s->y[i]);
        if (s->lo && s->hi && isfinite(s->lo[i])) rf_wbuf_printf(o, " [%.3g, %.3g]", s->lo[i], s->hi[i]);
        rf_wbuf_puts(o, "</title></g>\n");
        drawn++;
    }
    rf_wbuf_puts(o, "</g>\n");
    return drawn;
}

/* The legend under the plot, wrapped to the chart's width; returns its height. */
static double legend(rf_wbuf *o, const rf_plot *p, double y, bool draw)
{
    double x = LEFT, h = p->nseries ? LEGEND_ROW : 0;
    if (draw) rf_wbuf_puts(o, "<g class=\"rf-legend\" font-size=\"11\">\n");
    for (size_t s = 0; s < p->nseries; s++) {
        const rf_plot_series *ser = &p->series[s];
        const double w = 44 + 6.4 * (double)strlen(ser->name);
        if (x + w > WIDTH - 10 && x > LEFT) x = LEFT, y += LEGEND_ROW, h += LEGEND_ROW;
        if (draw) {
            const char *c = rf_svg_colour(ser->colour);
            rf_wbuf_puts(o, "<g class=\"rf-legend-item\">");
            if (ser->bars)
                rf_wbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"24\" height=\"9\" fill=\"%s\" fill-opacity=\"0.75\"/>", x,
                               y - 8, c);
            else
                rf_wbuf_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.6\"%s/>",
                               x, y - 4, x + 24, y - 4, c, ser->dashed ? " stroke-dasharray=\"6 4\"" : "");
            if (!ser->bars) marker(o, ser, x + 12, y - 4);
            text(o, x + 30, y, "", ser->name);
            rf_wbuf_puts(o, "</g>\n");
        }
        x += w;
    }
    if (draw) rf_wbuf_puts(o, "</g>\n");
    return h;
}

void rf_svg_plot(rf_wbuf *o, const rf_plot *p)
{
    axis ax = {0, 1, false}, ay = {0, 1, p->logy};
    fit(&ax, p, false);
    fit(&ay, p, true);
    const double ly = TOP + PLOT_H + 66, height = ly + legend(o, p, ly, false) + 8;
    rf_wbuf_printf(o,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"rf-chart\" data-kind=\"xy\" width=\"%d\" "
                   "height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\">\n",
                   WIDTH, height, WIDTH, height);
    rf_wbuf_printf(o, "<rect width=\"%d\" height=\"%.0f\" fill=\"white\"/>\n", WIDTH, height);
    text(o, 10, 22, "font-size=\"15\" font-weight=\"bold\"", p->title);
    if (p->subtitle && *p->subtitle) text(o, 10, 40, "font-size=\"11\" fill=\"#555\"", p->subtitle);
    axes(o, p, &ax, &ay);
    rf_wbuf_printf(o, "<svg x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" viewBox=\"%d %d %d %d\" overflow=\"hidden\">\n",
                   LEFT, TOP, PLOT_W, PLOT_H, LEFT, TOP, PLOT_W, PLOT_H); /* clip the marks to the plot */
    rf_wbuf_puts(o, "<g class=\"rf-data\">\n");
    size_t drawn = 0;
    for (size_t s = 0; s < p->nseries; s++) drawn += series(o, &p->series[s], &ax, &ay);
    rf_wbuf_puts(o, "</g>\n</svg>\n");
    if (!drawn) text(o, LEFT + PLOT_W / 2.0, TOP + PLOT_H / 2.0, "text-anchor=\"middle\" fill=\"#888\"", "nothing to draw");
    legend(o, p, ly, true);
    rf_wbuf_puts(o, "</svg>\n");
}
