/* The simulation report (report_sim.h): inputs, BER and BLER charts with references, per-leaf BLER,
 * distance histograms, the points, the method; every file built in memory, then written atomically
 * together. */
#include "report_sim.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cli.h"
#include "report_doc.h"
#include "svg_plot.h"
#include "wilson.h"

static const char *const axis_name[] = {"Eb/N0", "Es/N0", "SNR"};
static const char *const axis_label[] = {"Eb/N0 (dB)", "Es/N0 (dB)", "SNR, training convention sigma^2 = 10^(-x/10) (dB)"};

typedef struct sim_in {
    const char *path;
    rf_json *j;
    rf_curve c;
} sim_in;

/* One chart waiting to be written: its file name and SVG text. */
typedef struct chart {
    char file[96];
    rf_wbuf svg;
} chart;

typedef struct sreport {
    const rf_sim_report_opts *o;
    rf_snr_axis axis;
    sim_in *in;
    size_t nin;
    rf_json **dists; /* the --distances files, read and checked before anything is written */
    size_t ndists;
    rf_curve *refs;
    size_t nrefs;
    chart charts[64];
    size_t ncharts;
    rf_doc d;
} sreport;

static chart *new_chart(sreport *r, const char *fmt, size_t i)
{
    if (r->ncharts == sizeof r->charts / sizeof r->charts[0]) return NULL;
    chart *c = &r->charts[r->ncharts++];
    snprintf(c->file, sizeof c->file, fmt, i);
    return c;
}

static void figure(sreport *r, chart *c, const char *alt)
{
    if (c) rf_doc_figure(&r->d, c->file, alt, &c->svg);
}

/* ---- charts ------------------------------------------------------------------------------------ */

/* BER (ber = true) or BLER of every input and reference on the report's axis. */
static void rate_chart(sreport *r, bool ber)
{
    const size_t n = r->nin + r->nrefs;
    rf_plot_series *s = calloc(n ? n : 1, sizeof *s);
    chart *c = new_chart(r, ber ? "ber.svg" : "bler.svg", 0);
    if (!s || !c) {
        free(s);
        r->d.md.oom = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const rf_curve *cv = i < r->nin ? &r->in[i].c : &r->refs[i - r->nin];
        s[i] = (rf_plot_series){cv->name, (int)i, (int)(i % 4), i >= r->nin, false, cv->x,
                                ber ? cv->ber : cv->bler, ber ? cv->ber_lo : cv->bler_lo, ber ? cv->ber_hi : cv->bler_hi,
                                cv->n};
    }
    char title[64], sub[200];
    snprintf(title, sizeof title, "%s against %s", ber ? "Bit error rate" : "Block error rate", axis_name[r->axis]);
    snprintf(sub, sizeof sub, "%s; error bars: %s; dashed: references", ber ? "BER" : "BLER",
             ber ? "95% normal interval from the per-frame error variance (Wilson over bits where absent)"
                 : "95% Wilson");
    const rf_plot p = {title, sub, axis_label[r->axis], ber ? "BER" : "BLER", true, s, n};
    rf_svg_plot(&c->svg, &p);
    free(s);
    figure(r, c, title);
}

/* Per-leaf BLER of input i (seed eq. 4.4): one curve per leaf and their sum, the BLER. */
static void leaf_chart(sreport *r, size_t i)
{
    const rf_json *pts = rf_json_get(r->in[i].j, "points");
    const rf_json *l0 = pts && pts->count ? rf_json_get(&pts->items[0], "leaves") : NULL;
    if (!l0 || l0->type != RF_JSON_ARRAY || l0->count < 2) return; /* one leaf: the BLER chart says it all */
    const size_t nl = l0->count, np = pts->count;
    rf_plot_series *s = calloc(nl + 1, sizeof *s);
    double *y = calloc(nl * np * 3, sizeof *y);
    char (*names)[64] = calloc(nl, sizeof *names);
    chart *c = new_chart(r, "leaves-%zu.svg", i + 1);
    if (!s || !y || !names || !c) {
        free(s), free(y), free(names);
        r->d.md.oom = true;
        return;
    }
    const rf_curve *cv = &r->in[i].c;
    s[0] = (rf_plot_series){"BLER (sum of the leaves)", 7, -1, false, false, cv->x, cv->bler, NULL, NULL, cv->n};
    for (size_t l = 0; l < nl; l++) {
        double *ly = y + l * np * 3, *lo = ly + np, *hi = lo + np;
        double m = NAN, rr = NAN;
        rf_json_get_number(&l0->items[l], "m", &m);
        rf_json_get_number(&l0->items[l], "r", &rr);
        snprintf(names[l], sizeof names[l], "leaf %zu: RM(%g,%g)", l + 1, m, rr);
        for (size_t p = 0; p < np; p++) {
            const rf_json *lv = rf_json_get(&pts->items[p], "leaves");
            double e = NAN, frames = NAN;
            rf_json_get_number(&pts->items[p], "frames", &frames);
            ly[p] = lo[p] = hi[p] = NAN;
            /* no bar for a leaf without errors: the BLER curve above already bounds it */
            if (lv && lv->type == RF_JSON_ARRAY && l < lv->count && rf_json_get_number(&lv->items[l], "block_errors", &e) &&
                frames > 0 && e > 0) {
                ly[p] = e / frames;
                rf_wilson((uint64_t)e, (uint64_t)frames, &lo[p], &hi[p]);
            }
        }
        s[l + 1] = (rf_plot_series){names[l], (int)l, (int)(l % 4), false, false, cv->x, ly, lo, hi, np};
    }
    char title[200];
    snprintf(title, sizeof title, "First wrong leaf (seed eq. 4.4): %s", cv->name);
    const rf_plot p = {title, "each block error charged to the first leaf, in decoding order, with a wrong bit; "
                              "95% Wilson bars",
                       axis_label[r->axis], "P(first wrong leaf = i)", true, s, nl + 1};
    rf_svg_plot(&c->svg, &p);
    figure(r, c, title);
    free(s), free(y), free(names);
}

/* Reads a --distances file: the JSON of `refast code distances` with codebooks whose counts have
 * a place on the axis (explicit distances, or a bin layout). NULL with err otherwise. */
static rf_json *read_distances(const char *path, char *err, size_t errlen)
{
    rf_json *j = rf_json_parse_file(path, err, errlen);
    if (!j) return NULL;
    const char *cmd = rf_json_get_string(j, "command");
    const rf_json *books = rf_json_get(j, "codebooks"), *bins = rf_json_get(j, "bins");
    double width = NAN;
    if (bins) rf_json_get_number(bins, "width", &width);
    bool ok = cmd && !strcmp(cmd, "code distances") && books && books->type == RF_JSON_ARRAY && books->count;
    if (!ok) snprintf(err, errlen, "--distances %s: not the JSON of refast code distances", path);
    for (size_t b = 0; ok && b < books->count; b++) {
        const rf_json *bk = &books->items[b], *counts = rf_json_get(bk, "counts"), *dist = rf_json_get(bk, "distances");
        double pairs = NAN;
        rf_json_get_number(bk, "pairs", &pairs);
        ok = counts && counts->type == RF_JSON_ARRAY && pairs > 0 &&
             (dist ? dist->type == RF_JSON_ARRAY && dist->count == counts->count : isfinite(width));
        for (size_t k = 0; ok && k < counts->count; k++)
            ok = counts->items[k].type == RF_JSON_NUMBER && (!dist || dist->items[k].type == RF_JSON_NUMBER);
        if (!ok) snprintf(err, errlen, "--distances %s: codebook %zu has no numeric counts, pairs or bin layout", path, b + 1);
    }
    if (!ok) {
        rf_json_free(j);
        return NULL;
    }
    return j;
}

/* A histogram of `refast code distances --json` (read_distances checked it): bars for one
 * codebook, lines for several. */
static bool distance_chart(sreport *r, const rf_json *j, const char *path, size_t i, char *err, size_t errlen)
{
    const char *code = rf_json_get_string(j, "code");
    const rf_json *books = rf_json_get(j, "codebooks"), *bins = rf_json_get(j, "bins");
    const size_t nb = books->count;
    rf_plot_series *s = calloc(nb, sizeof *s);
    double **xy = calloc(2 * nb, sizeof *xy);
    chart *c = new_chart(r, "distances-%zu.svg", i + 1);
    bool ok = s && xy && c;
    double lo = 0, width = NAN;
    if (bins) rf_json_get_number(bins, "lo", &lo), rf_json_get_number(bins, "width", &width);
    for (size_t b = 0; ok && b < nb; b++) {
        const rf_json *bk = &books->items[b], *counts = rf_json_get(bk, "counts"), *dist = rf_json_get(bk, "distances");
        double pairs = NAN;
        rf_json_get_number(bk, "pairs", &pairs);
        const size_t n = counts->count;
        double *x = xy[2 * b] = malloc((n ? n : 1) * sizeof *x), *y = xy[2 * b + 1] = malloc((n ? n : 1) * sizeof *y);
        if (!x || !y) {
            snprintf(err, errlen, "out of memory");
            ok = false;
            break;
        }
        for (size_t k = 0; k < n; k++) {
            x[k] = dist ? dist->items[k].number : lo + ((double)k + 0.5) * width;
            y[k] = counts->items[k].number / pairs;
        }
        const char *name = rf_json_get_string(bk, "name");
        s[b] = (rf_plot_series){name ? name : "codebook", (int)b, nb > 1 ? -1 : 0, false, nb == 1, x, y, NULL, NULL, n};
    }
    if (ok) {
        char title[160];
        snprintf(title, sizeof title, "Euclidean distances of codeword pairs: %s", code ? code : path);
        const rf_plot p = {title, "refast code distances (seed fig. 4.5); fraction of the pairs",
                           "distance ||x_a - x_b||", "fraction of pairs", false, s, nb};
        rf_svg_plot(&c->svg, &p);
        figure(r, c, title);
    }
    for (size_t k = 0; xy && k < 2 * nb; k++) free(xy[k]);
    free(xy);
    free(s);
    if (!s || !xy || !c) snprintf(err, errlen, "out of memory");
    return ok;
}

/* ---- tables ------------------------------------------------------------------------------------ */

static const char *str_or(const rf_json *j, const char *key, const char *dflt)
{
    const char *s = rf_json_get_string(j, key);
    return s ? s : dflt;
}

static void inputs_table(sreport *r)
{
    rf_table t;
    rf_table_init(&t, 11);
    t.left = 3;
    static const char *const hdr[] = {"curve", "file", "channel", "seed", "max frames", "target errors", "points",
                                      "ranks x threads", "isa", "partial", "frames"};
    for (size_t h = 0; h < 11; h++) rf_table_cell(&t, "%s", hdr[h]);
    for (size_t i = 0; i < r->nin; i++) {
        const rf_json *j = r->in[i].j, *pts = rf_json_get(j, "points"), *partial = rf_json_get(j, "partial");
        double seed = NAN, mf = NAN, te = NAN, ranks = 1, threads = NAN, total = 0;
        rf_json_get_number(j, "seed", &seed);
        rf_json_get_number(j, "max_frames", &mf);
        rf_json_get_number(j, "target_errors", &te);
        rf_json_get_number(j, "ranks", &ranks);
        rf_json_get_number(j, "threads", &threads);
        for (size_t p = 0; pts && p < pts->count; p++) {
            double f = 0;
            rf_json_get_number(&pts->items[p], "frames", &f);
            total += f;
        }
        rf_table_cell(&t, "%s", r->in[i].c.name);
        rf_table_cell(&t, "%s", r->in[i].path);
        rf_table_cell(&t, "%s", str_or(rf_json_get(j, "channel"), "kind", "?"));
        rf_table_cell(&t, "%.0f", seed);
        rf_table_cell(&t, "%.0f", mf);
        rf_table_cell(&t, "%.0f", te);
        rf_table_cell(&t, "%zu", pts ? pts->count : 0);
        rf_table_cell(&t, "%.0f x %.0f", ranks, threads);
        rf_table_cell(&t, "%s", str_or(j, "isa", "?"));
        rf_table_cell(&t, "%s", partial && partial->type == RF_JSON_BOOL && partial->boolean ? "yes (interrupted)" : "no");
        rf_table_cell(&t, "%.0f", total);
    }
    rf_doc_table(&r->d, &t);
    rf_table_free(&t);
}

static void points_table(sreport *r, size_t i)
{
    const rf_json *pts = rf_json_get(r->in[i].j, "points");
    rf_table t;
    rf_table_init(&t, 9);
    t.left = 0;
    static const char *const hdr[] = {"dB", "sigma", "frames", "bit errors", "BER [95%]", "block errors", "BLER [95% Wilson]",
                                      "frames/s", "decisions XXH3"};
    for (size_t h = 0; h < 9; h++) rf_table_cell(&t, "%s", hdr[h]);
    const rf_curve *c = &r->in[i].c;
    for (size_t p = 0; pts && p < pts->count; p++) {
        const rf_json *q = &pts->items[p];
        double sigma = NAN, frames = NAN, be = NAN, bl = NAN, fps = NAN;
        rf_json_get_number(q, "sigma", &sigma);
        rf_json_get_number(q, "frames", &frames);
        rf_json_get_number(q, "bit_errors", &be);
        rf_json_get_number(q, "block_errors", &bl);
        rf_json_get_number(q, "frames_per_second", &fps);
        rf_table_cell(&t, "%.3f", c->x[p]);
        rf_table_cell(&t, "%.6f", sigma);
        rf_table_cell(&t, "%.0f", frames);
        rf_table_cell(&t, "%.0f", be);
        rf_table_cell(&t, "%.3e [%.2e, %.2e]", c->ber[p], c->ber_lo[p], c->ber_hi[p]);
        rf_table_cell(&t, "%.0f", bl);
        rf_table_cell(&t, "%.3e [%.2e, %.2e]", c->bler[p], c->bler_lo[p], c->bler_hi[p]);
        rf_table_cell(&t, "%.3g", fps);
        rf_table_cell(&t, "%s", str_or(q, "decisions_xxh3", "-"));
    }
    rf_doc_table(&r->d, &t);
    rf_table_free(&t);
}

/* ---- driver ------------------------------------------------------------------------------------ */

static int write_all(sreport *r)
{
    char err[512];
    rf_outfile files[2 + sizeof r->charts / sizeof r->charts[0]];
    char paths[2 + sizeof r->charts / sizeof r->charts[0]][4200];
    size_t nf = 0;
    bool ok = rf_doc_ok(&r->d);
    for (size_t k = 0; k < r->ncharts; k++) ok = ok && !r->charts[k].svg.oom;
    if (!ok) return rf_usage_error("report: out of memory");
    snprintf(paths[nf], sizeof paths[nf], "%s/report.md", r->o->out);
    files[nf] = (rf_outfile){paths[nf], r->d.md.p, r->d.md.len}, nf++;
    snprintf(paths[nf], sizeof paths[nf], "%s/report.html", r->o->out);
    files[nf] = (rf_outfile){paths[nf], r->d.html.p, r->d.html.len}, nf++;
    for (size_t k = 0; k < r->ncharts; k++, nf++) {
        snprintf(paths[nf], sizeof paths[nf], "%s/%s", r->o->out, r->charts[k].file);
        files[nf] = (rf_outfile){paths[nf], r->charts[k].svg.p, r->charts[k].svg.len};
    }
    if (!rf_write_files_atomic(files, nf, err, sizeof err)) return rf_usage_error("report: %s", err);
    printf("report: wrote %s/report.md, %s/report.html and %zu SVG chart%s (%zu simulation%s, %zu reference curve%s)\n",
           r->o->out, r->o->out, r->ncharts, r->ncharts == 1 ? "" : "s", r->nin, r->nin == 1 ? "" : "s", r->nrefs,
           r->nrefs == 1 ? "" : "s");
    return RF_EXIT_OK;
}

static int build(sreport *r)
{
    const rf_sim_report_opts *o = r->o;
    char err[512];
    rf_doc_begin(&r->d, o->title ? o->title : "refast simulation report");
    rf_doc_heading(&r->d, 2, "Inputs");
    inputs_table(r);
    rf_doc_heading(&r->d, 2, "Error rates");
    rate_chart(r, true);
    rate_chart(r, false);
    bool leaves = false;
    for (size_t i = 0; i < r->nin; i++) {
        const rf_json *pts = rf_json_get(r->in[i].j, "points");
        const rf_json *lv = pts && pts->count ? rf_json_get(&pts->items[0], "leaves") : NULL;
        if (!lv || lv->type != RF_JSON_ARRAY || lv->count < 2) continue;
        if (!leaves) rf_doc_heading(&r->d, 2, "Per-leaf block error rate (seed eq. 4.4)");
        leaves = true;
        leaf_chart(r, i);
    }
    if (o->ndists) rf_doc_heading(&r->d, 2, "Distance histograms (seed fig. 4.5)");
    for (size_t i = 0; i < r->ndists; i++)
        if (!distance_chart(r, r->dists[i], o->dists[i], i, err, sizeof err)) return rf_usage_error("report: %s", err);
    rf_doc_heading(&r->d, 2, "Points");
    for (size_t i = 0; i < r->nin; i++) {
        rf_doc_heading(&r->d, 3, r->in[i].c.name);
        points_table(r, i);
    }
    rf_doc_heading(&r->d, 2, "Method");
    rf_doc_para(&r->d,
                "Each curve is a refast sim run: per SNR point, frames until the target number of block errors or the "
                "frame cap; frame f's message and noise depend on (seed, f) only, so a point's counts are those of the "
                "serial run whatever the threads, MPI ranks or checkpoint resumptions. The x axis is %s for every "
                "curve (each JSON point records all three conventions). BLER bars: 95%% Wilson intervals over "
                "frames. BER bars: the 95%% normal interval from the variance of the per-frame bit error count "
                "(ber_ci95_frames), which accounts for errors clustering inside a frame (the Wilson interval over "
                "bits, ber_ci95, treats the k bits of a frame as independent trials and is narrower than the truth; "
                "it is drawn only for a point without errors, where the variance says nothing). "
                "A point with no error has no place on a log axis: it shows as its error bar from the bottom edge to "
                "its upper bound. Dashed curves with hollow markers are references (--ref): other refast runs, CSV "
                "files or Markdown tables such as ko-reference/BER.md, as given.",
                axis_label[r->axis]);
    rf_doc_end(&r->d);
    return write_all(r);
}

int rf_report_sim(const rf_sim_report_opts *o)
{
    sreport r = {.o = o};
    char err[512];
    int rc = RF_EXIT_OK;
    if (!(r.in = calloc(o->nsims, sizeof *r.in))) return rf_usage_error("report: out of memory");
    for (size_t i = 0; i < o->nsims && !rc; i++) {
        r.in[i].path = o->sims[i];
        if (!(r.in[i].j = rf_json_parse_file(o->sims[i], err, sizeof err))) {
            rc = rf_usage_error("report: %s", err);
            break;
        }
        r.nin++;
        if (i == 0) {
            const char *conv = rf_json_get_string(r.in[0].j, "convention");
            r.axis = o->axis >= 0       ? (rf_snr_axis)o->axis
                     : conv && !strcmp(conv, "esn0") ? RF_AXIS_ESN0
                     : conv && !strcmp(conv, "snr")  ? RF_AXIS_SNR
                                                     : RF_AXIS_EBN0;
        }
        if (!rf_curve_from_sim(r.in[i].j, o->sims[i], r.axis, &r.in[i].c, err, sizeof err)) rc = rf_usage_error("report: %s", err);
    }
    for (size_t i = 0; i < r.nin && !rc; i++) /* the same code and decoder twice: tell them apart by file */
        for (size_t k = 0; k < i; k++)
            if (!strcmp(r.in[i].c.name, r.in[k].c.name)) {
                const char *b = strrchr(r.in[i].path, '/');
                const size_t len = strlen(r.in[i].c.name);
                snprintf(r.in[i].c.name + len, sizeof r.in[i].c.name - len, " (%s)", b ? b + 1 : r.in[i].path);
                break;
            }
    for (size_t i = 0; i < o->nrefs && !rc; i++)
        if (!rf_curves_read_ref(o->refs[i], r.axis, &r.refs, &r.nrefs, err, sizeof err)) rc = rf_usage_error("report: %s", err);
    if (!rc && !(r.dists = calloc(o->ndists + 1, sizeof *r.dists))) rc = rf_usage_error("report: out of memory");
    for (size_t i = 0; i < o->ndists && !rc; i++, r.ndists++)
        if (!(r.dists[i] = read_distances(o->dists[i], err, sizeof err))) rc = rf_usage_error("report: %s", err);
    /* every input is read and checked: only now is anything created */
    if (!rc && !rf_mkdirs(o->out, err, sizeof err)) rc = rf_usage_error("report: %s", err);
    if (!rc) rc = build(&r);
    for (size_t i = 0; i < r.nin; i++) {
        rf_json_free(r.in[i].j);
        rf_curve_free(&r.in[i].c);
    }
    free(r.in);
    for (size_t i = 0; i < r.ndists; i++) rf_json_free(r.dists[i]);
    free(r.dists);
    for (size_t i = 0; i < r.nrefs; i++) rf_curve_free(&r.refs[i]);
    free(r.refs);
    for (size_t k = 0; k < r.ncharts; k++) rf_wbuf_free(&r.charts[k].svg);
    rf_doc_free(&r.d);
    return rc;
}
