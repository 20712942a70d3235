/* refast report: benchmark JSON -> DIR/report.md, DIR/report.html and DIR/<kernel>.svg (SPEC §7).
 *
 * Per kernel (benchmarks named <kernel>/<impl>/<size>): a chart of throughput per implementation
 * with one panel per size, and a table with, per row, the median time over repetitions (real time,
 * or CPU time with --time cpu), items/s (items_per_second, in the label's unit=), GFLOP/s (the rate
 * counter FLOPS / 1e9), GB/s (bytes_per_second / 1e9), all rates recomputed against that same
 * median time (benchjson.h: rf_bench_per_call) so that no number contradicts another, the speedup over scalar and over the autovec peer of the
 * same level (ratios of median times, same input file), and the roofline fractions: FLOPS over
 * the peak of the row's level (machine/fma_peak_<level>/-, level from the label's level= else the
 * impl; peers without a level use the file's highest peak) and bytes_per_second over the triad
 * bandwidth (machine/triad/-). With several inputs the rows of each input sit side by side and a
 * comparison table gives each input's speedup over the first.
 *
 * The report opens with an overview (issue 15): one table and one chart (overview.svg) of every
 * kernel's best speedup over scalar per level and its best fractions of peak and bandwidth.
 * `--sim` makes the simulation report instead (report_sim.h).
 *
 * All files are generated in memory, then written under temporary names and renamed, so a failure
 * leaves no partial output.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchjson.h"
#include "bytes.h"
#include "cli.h"
#include "refast/isa.h"
#include "report_doc.h"
#include "report_sim.h"
#include "stats.h"
#include "svg.h"

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static bool sl_add(strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s)) return true;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return false;
        l->v = v;
        l->cap = cap;
    }
    size_t len = strlen(s) + 1;
    if (!(l->v[l->n] = malloc(len))) return false;
    memcpy(l->v[l->n++], s, len);
    return true;
}

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

typedef struct input {
    rf_bench_file f;
    rf_bench_name *names; /* parallel to f.b */
    char label[64];
} input;

typedef struct kernel_rows {
    char *name;
    strlist sizes, impls;
} kernel_rows;

typedef struct report {
    input *in;
    size_t nin;
    kernel_rows *k;
    size_t nk;
    const char *outdir;
    const char *title;
    bool cpu; /* --time cpu */
} report;

typedef struct cell {
    const rf_bench *b;
    double ns, items, flops, bps;
    char level[32], unit[48];
    bool f64; /* label dtype=f64: the roofline uses the double-precision peak */
} cell;

/* ---- model ---------------------------------------------------------------------------------- */

/* Names that do not follow <kernel>/<impl>/<size> still get a row: "a/b" -> (a, b, -), "a" -> (a, -, -). */
static void split_name(const char *name, rf_bench_name *nm)
{
    if (rf_bench_name_parse(name, nm)) return;
    memset(nm, 0, sizeof *nm);
    const char *slash = strchr(name, '/');
    size_t kl = slash ? (size_t)(slash - name) : strlen(name);
    snprintf(nm->kernel, sizeof nm->kernel, "%.*s", (int)(kl < sizeof nm->kernel ? kl : sizeof nm->kernel - 1),
             name);
    snprintf(nm->impl, sizeof nm->impl, "%s", slash && slash[1] ? slash + 1 : "-");
    snprintf(nm->size, sizeof nm->size, "-");
}

/* A rate counter recomputed against the report's time base (per-call amount / median time), so
 * that rates, times and ratios in the report all agree; GB's own rate when that is impossible. */
static double rebased(const rf_bench *b, const char *counter, double ns)
{
    double per_call = rf_bench_per_call(b, counter);
    return isfinite(per_call) ? per_call / (ns * 1e-9) : rf_bench_counter_median(b, counter);
}

static bool get_cell(const report *r, size_t in, const char *kernel, const char *impl, const char *size, cell *c)
{
    const input *ip = &r->in[in];
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < ip->f.n; i++) {
        const rf_bench_name *nm = &ip->names[i];
        if (strcmp(nm->kernel, kernel) || strcmp(nm->impl, impl) || strcmp(nm->size, size)) continue;
        const rf_bench *b = &ip->f.b[i];
        c->b = b;
        c->ns = rf_stat_median(r->cpu ? b->cpu_ns : b->real_ns, b->n);
        c->items = rebased(b, "items_per_second", c->ns);
        c->flops = rebased(b, "FLOPS", c->ns);
        c->bps = rebased(b, "bytes_per_second", c->ns);
        if (!rf_bench_label_get(b->label, "level", c->level, sizeof c->level))
            rf_bench_row_kind(impl, c->level, sizeof c->level);
        char dtype[16];
        c->f64 = rf_bench_label_get(b->label, "dtype", dtype, sizeof dtype) && !strcmp(dtype, "f64");
        if (!rf_bench_label_get(b->label, "unit", c->unit, sizeof c->unit))
            snprintf(c->unit, sizeof c->unit, "%s", isfinite(c->items) ? "items" : "calls");
        if (!isfinite(c->items)) {
            c->items = 1e9 / c->ns; /* one call per iteration */
            snprintf(c->unit, sizeof c->unit, "calls");
        }
        return true;
    }
    return false;
}

/* Scalar first; each hand-written level followed by its autovec peer; other peers last. */
static int impl_rank(const char *impl)
{
    char level[32];
    rf_row_kind kind = rf_bench_row_kind(impl, level, sizeof level);
    rf_isa isa = RF_ISA_SCALAR;
    rf_isa_parse(level, &isa);
    switch (kind) {
    case RF_ROW_SCALAR: return 0;
    case RF_ROW_LEVEL: return 10 + 2 * (int)isa;
    case RF_ROW_AUTOVEC: return 11 + 2 * (int)isa;
    default: return 100;
    }
}

static int cmp_impl(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = impl_rank(x), ry = impl_rank(y);
    return rx != ry ? (rx > ry) - (rx < ry) : strcmp(x, y);
}

static bool build_model(report *r)
{
    for (size_t i = 0; i < r->nin; i++) {
        input *ip = &r->in[i];
        ip->names = calloc(ip->f.n ? ip->f.n : 1, sizeof *ip->names);
        if (!ip->names) return false;
        for (size_t j = 0; j < ip->f.n; j++) {
            rf_bench_name *nm = &ip->names[j];
            split_name(ip->f.b[j].name, nm);
            if (!strcmp(nm->kernel, "machine")) continue;
            size_t k = 0;
            while (k < r->nk && strcmp(r->k[k].name, nm->kernel)) k++;
            if (k == r->nk) {
                kernel_rows *nk = realloc(r->k, (r->nk + 1) * sizeof *nk);
                if (!nk) return false;
                r->k = nk;
                memset(&nk[k], 0, sizeof nk[k]);
                size_t len = strlen(nm->kernel) + 1;
                if (!(nk[k].name = malloc(len))) return false;
                memcpy(nk[k].name, nm->kernel, len);
                r->nk++;
            }
            if (!sl_add(&r->k[k].sizes, nm->size) || !sl_add(&r->k[k].impls, nm->impl)) return false;
        }
    }
    for (size_t k = 0; k < r->nk; k++) qsort(r->k[k].impls.v, r->k[k].impls.n, sizeof(char *), cmp_impl);
    return true;
}

/* Peak flop/s for a level in input in (NaN if unknown); "" = highest peak in the file. The machine
 * rows measure float FMAs; a double lane is twice as wide at the same FMA throughput on every vector
 * level refast targets (AVX2, AVX-512, NEON), so their rows labelled dtype=f64 are judged against
 * half of it (scalar float and double run at the same rate: no halving there). */
static double machine_peak(const report *r, size_t in, const char *level)
{
    const input *ip = &r->in[in];
    double best = NAN;
    for (size_t i = 0; i < ip->f.n; i++) {
        const rf_bench_name *nm = &ip->names[i];
        if (strcmp(nm->kernel, "machine") || strncmp(nm->impl, "fma_peak_", 9)) continue;
        double v = rf_bench_counter_median(&ip->f.b[i], "FLOPS");
        if (*level && !strcmp(nm->impl + 9, level)) return v;
        if (!*level && isfinite(v) && !(v <= best)) best = v;
    }
    return best;
}

static double machine_bandwidth(const report *r, size_t in)
{
    cell c;
    return get_cell(r, in, "machine", "triad", "-", &c) ? rf_bench_counter_median(c.b, "bytes_per_second") : NAN;
}

/* ---- formatting ----------------------------------------------------------------------------- */

static const char *fmt_ratio(double v, char *buf, size_t n)
{
    if (isfinite(v) && v > 0) snprintf(buf, n, "%.2fx", v);
    else snprintf(buf, n, "-");
    return buf;
}

static const char *fmt_fixed(double v, double scale, const char *suffix, char *buf, size_t n)
{
    if (isfinite(v)) snprintf(buf, n, "%.3g%s", v / scale, suffix);
    else snprintf(buf, n, "-");
    return buf;
}

static const char *fmt_pct(double num, double den, char *buf, size_t n)
{
    if (isfinite(num) && isfinite(den) && den > 0) snprintf(buf, n, "%.1f%%", 100 * num / den);
    else snprintf(buf, n, "-");
    return buf;
}

static void sanitize(const char *in, char *out, size_t n)
{
    size_t j = 0;
    for (; *in && j + 1 < n; in++) {
        char ch = *in;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                  ch == '-' || ch == '.';
        out[j++] = ok ? ch : '_';
    }
    out[j] = '\0';
    if (!j || out[0] == '.') snprintf(out, n, "kernel");
}

/* ---- sections ------------------------------------------------------------------------------- */

static void section_inputs(const report *r, rf_doc *d)
{
    rf_doc_heading(d, 2, "Inputs");
    /* Scalar context members (strings, numbers, booleans), union over inputs in file order. */
    strlist keys = {0};
    for (size_t i = 0; i < r->nin; i++) {
        const rf_json *ctx = r->in[i].f.context;
        for (size_t j = 0; ctx && j < ctx->count; j++)
            if (ctx->items[j].type != RF_JSON_ARRAY && ctx->items[j].type != RF_JSON_OBJECT) sl_add(&keys, ctx->keys[j]);
    }
    rf_table t;
    rf_table_init(&t, r->nin + 1);
    t.left = t.ncol;
    rf_table_cell(&t, "field");
    for (size_t i = 0; i < r->nin; i++) rf_table_cell(&t, "%s", r->in[i].label);
    rf_table_cell(&t, "file");
    for (size_t i = 0; i < r->nin; i++) rf_table_cell(&t, "%s", r->in[i].f.path);
    rf_table_cell(&t, "benchmarks");
    for (size_t i = 0; i < r->nin; i++) {
        size_t lo = SIZE_MAX, hi = 0;
        for (size_t j = 0; j < r->in[i].f.n; j++) {
            size_t n = r->in[i].f.b[j].n;
            lo = n < lo ? n : lo;
            hi = n > hi ? n : hi;
        }
        if (lo == hi) rf_table_cell(&t, "%zu (%zu repetitions)", r->in[i].f.n, hi);
        else rf_table_cell(&t, "%zu (%zu-%zu repetitions)", r->in[i].f.n, lo, hi);
    }
    for (size_t k = 0; k < keys.n; k++) {
        rf_table_cell(&t, "%s", keys.v[k]);
        for (size_t i = 0; i < r->nin; i++) {
            const rf_json *v = rf_json_get(r->in[i].f.context, keys.v[k]);
            if (!v) rf_table_cell(&t, "-");
            else if (v->type == RF_JSON_STRING) rf_table_cell(&t, "%s", v->str);
            else if (v->type == RF_JSON_NUMBER) rf_table_cell(&t, "%.10g", v->number);
            else if (v->type == RF_JSON_BOOL) rf_table_cell(&t, "%s", v->boolean ? "true" : "false");
            else rf_table_cell(&t, "null");
        }
    }
    rf_doc_table(d, &t);
    rf_table_free(&t);
    sl_free(&keys);
    for (size_t i = 0; i < r->nin; i++) {
        const rf_json *ctx = r->in[i].f.context;
        const char *bt = rf_json_get_string(ctx, "library_build_type");
        const rf_json *scaling = rf_json_get(ctx, "cpu_scaling_enabled");
        if (bt && !strcmp(bt, "debug"))
            rf_doc_para(d, "Note (%s): the Google Benchmark library was a debug build.", r->in[i].label);
        if (scaling && scaling->type == RF_JSON_BOOL && scaling->boolean)
            rf_doc_para(d, "Note (%s): CPU frequency scaling was enabled; timings may be noisy.", r->in[i].label);
        size_t waited = 0;
        for (size_t j = 0; j < r->in[i].f.n; j++) {
            const rf_bench *b = &r->in[i].f.b[j];
            if (rf_stat_median(b->cpu_ns, b->n) < 0.9 * rf_bench_median_ns(b)) waited++;
        }
        if (waited)
            rf_doc_para(d,
                        "Note (%s): %zu of %zu benchmarks have a median CPU time more than 10%% below their "
                        "real time: the process was not running all the time (a busy machine?). This report "
                        "uses %s time throughout%s.",
                        r->in[i].label, waited, r->in[i].f.n, r->cpu ? "CPU" : "real",
                        r->cpu ? "" : " (--time cpu would use CPU time)");
        if (r->in[i].f.error_rows)
            rf_doc_para(d, "Note (%s): %zu benchmark rows reported an error and were skipped.", r->in[i].label,
                        r->in[i].f.error_rows);
    }
}

static void section_machine(const report *r, rf_doc *d)
{
    strlist rows = {0};
    for (size_t i = 0; i < r->nin; i++)
        for (size_t j = 0; j < r->in[i].f.n; j++)
            if (!strcmp(r->in[i].names[j].kernel, "machine")) sl_add(&rows, r->in[i].names[j].impl);
    if (rows.n) {
        rf_doc_heading(d, 2, "Machine limits");
        rf_doc_para(d, "Peak FMA throughput per level (register-only FMA loop) and memory bandwidth "
                       "(STREAM-like triad), measured in the same run; the roofline fractions below divide by these.");
        rf_table t;
        rf_table_init(&t, 2 + 3 * r->nin);
        rf_table_cell(&t, "limit");
        rf_table_cell(&t, "size");
        for (size_t i = 0; i < r->nin; i++) {
            const char *sep = r->nin > 1 ? " " : "", *sfx = r->nin > 1 ? r->in[i].label : "";
            rf_table_cell(&t, "GFLOP/s%s%s", sep, sfx);
            rf_table_cell(&t, "GB/s%s%s", sep, sfx);
            rf_table_cell(&t, "median %s time%s%s", r->cpu ? "cpu" : "real", sep, sfx);
        }
        for (size_t k = 0; k < rows.n; k++) {
            rf_table_cell(&t, "%s", rows.v[k]);
            rf_table_cell(&t, "-");
            for (size_t i = 0; i < r->nin; i++) {
                cell c;
                char b1[32], b2[32], b3[32];
                if (!get_cell(r, i, "machine", rows.v[k], "-", &c)) {
                    for (int x = 0; x < 3; x++) rf_table_cell(&t, "-");
                    continue;
                }
                rf_fmt_time(c.ns, b3, sizeof b3);
                rf_table_cell(&t, "%s", fmt_fixed(c.flops, 1e9, "", b1, sizeof b1));
                rf_table_cell(&t, "%s", fmt_fixed(c.bps, 1e9, "", b2, sizeof b2));
                rf_table_cell(&t, "%s", b3);
            }
        }
        rf_doc_table(d, &t);
        rf_table_free(&t);
    } else {
        rf_doc_para(d, "No machine rows (machine/fma_peak_<level>/-, machine/triad/-) in the input: "
                       "roofline fractions are not available.");
    }
    sl_free(&rows);
}

static void kernel_table(const report *r, const kernel_rows *k, rf_doc *d)
{
    bool multi = r->nin > 1;
    rf_table t;
    rf_table_init(&t, 12 + (multi ? 1 : 0));
    t.left = multi ? 3 : 2;
    rf_table_cell(&t, "size");
    rf_table_cell(&t, "impl");
    if (multi) rf_table_cell(&t, "input");
    const char *hdr[] = {r->cpu ? "median cpu time" : "median real time", "items/s", "GFLOP/s", "GB/s", "vs scalar", "vs autovec",
                         "% peak FLOP/s", "% bandwidth", "level", "reps"};
    for (size_t h = 0; h < sizeof hdr / sizeof hdr[0]; h++) rf_table_cell(&t, "%s", hdr[h]);
    for (size_t s = 0; s < k->sizes.n; s++)
        for (size_t m = 0; m < k->impls.n; m++)
            for (size_t i = 0; i < r->nin; i++) {
                const char *size = k->sizes.v[s], *impl = k->impls.v[m];
                cell c, sc, av;
                if (!get_cell(r, i, k->name, impl, size, &c)) continue;
                char b[8][48];
                char lvl[32];
                double vs_scalar = get_cell(r, i, k->name, "scalar", size, &sc) ? sc.ns / c.ns : NAN;
                double vs_auto = NAN;
                if (rf_bench_row_kind(impl, lvl, sizeof lvl) == RF_ROW_LEVEL) {
                    char peer[96];
                    snprintf(peer, sizeof peer, "autovec_%s", impl);
                    if (get_cell(r, i, k->name, peer, size, &av)) vs_auto = av.ns / c.ns;
                }
                rf_fmt_time(c.ns, b[0], sizeof b[0]);
                rf_fmt_si(c.items, b[1], sizeof b[1]);
                rf_table_cell(&t, "%s", size);
                rf_table_cell(&t, "%s", impl);
                if (multi) rf_table_cell(&t, "%s", r->in[i].label);
                rf_table_cell(&t, "%s", b[0]);
                rf_table_cell(&t, "%s %s/s", b[1], c.unit);
                rf_table_cell(&t, "%s", fmt_fixed(c.flops, 1e9, "", b[2], sizeof b[2]));
                rf_table_cell(&t, "%s", fmt_fixed(c.bps, 1e9, "", b[3], sizeof b[3]));
                rf_table_cell(&t, "%s", fmt_ratio(vs_scalar, b[4], sizeof b[4]));
                rf_table_cell(&t, "%s", fmt_ratio(vs_auto, b[5], sizeof b[5]));
                const double peak =
                    machine_peak(r, i, c.level) * (c.f64 && strcmp(c.level, "scalar") ? 0.5 : 1.0);
                rf_table_cell(&t, "%s", fmt_pct(c.flops, peak, b[6], sizeof b[6]));
                rf_table_cell(&t, "%s", fmt_pct(c.bps, machine_bandwidth(r, i), b[7], sizeof b[7]));
                rf_table_cell(&t, "%s", *c.level ? c.level : "-");
                rf_table_cell(&t, "%zu%s", c.b->n, c.b->aggregate_only ? " (aggregate)" : "");
            }
    rf_doc_table(d, &t);
    rf_table_free(&t);
}

static void kernel_comparison(const report *r, const kernel_rows *k, rf_doc *d)
{
    rf_table t;
    rf_table_init(&t, 2 + r->nin + (r->nin - 1));
    rf_table_cell(&t, "size");
    rf_table_cell(&t, "impl");
    for (size_t i = 0; i < r->nin; i++) rf_table_cell(&t, "time %s", r->in[i].label);
    for (size_t i = 1; i < r->nin; i++) rf_table_cell(&t, "%s vs %s", r->in[i].label, r->in[0].label);
    for (size_t s = 0; s < k->sizes.n; s++)
        for (size_t m = 0; m < k->impls.n; m++) {
            size_t present = 0;
            for (size_t i = 0; i < r->nin; i++) {
                cell c;
                present += get_cell(r, i, k->name, k->impls.v[m], k->sizes.v[s], &c);
            }
            if (!present) continue; /* this impl has no row at this size */
            rf_table_cell(&t, "%s", k->sizes.v[s]);
            rf_table_cell(&t, "%s", k->impls.v[m]);
            cell first;
            bool has_first = get_cell(r, 0, k->name, k->impls.v[m], k->sizes.v[s], &first);
            for (size_t i = 0; i < r->nin; i++) {
                cell c;
                char b[32];
                if (get_cell(r, i, k->name, k->impls.v[m], k->sizes.v[s], &c)) rf_fmt_time(c.ns, b, sizeof b);
                else snprintf(b, sizeof b, "-");
                rf_table_cell(&t, "%s", b);
            }
            for (size_t i = 1; i < r->nin; i++) {
                cell c;
                char b[32];
                bool ok = has_first && get_cell(r, i, k->name, k->impls.v[m], k->sizes.v[s], &c);
                rf_table_cell(&t, "%s", fmt_ratio(ok ? first.ns / c.ns : NAN, b, sizeof b));
            }
        }
    rf_doc_table(d, &t);
    rf_table_free(&t);
}

static int impl_colour(const char *impl)
{
    char level[32];
    rf_row_kind kind = rf_bench_row_kind(impl, level, sizeof level);
    if (kind == RF_ROW_SCALAR) return 7;
    if (kind == RF_ROW_PEER) return 4;
    bool av = kind == RF_ROW_AUTOVEC;
    if (!strcmp(level, "avx2")) return av ? 9 : 0;
    if (!strcmp(level, "avx512")) return av ? 6 : 1;
    if (!strcmp(level, "neon")) return av ? 8 : 2;
    return 5;
}

/* Builds the chart of kernel k into svg (one panel per size, bars per impl and input). */
static bool kernel_chart(const report *r, const kernel_rows *k, rf_wbuf *svg)
{
    size_t nb = k->impls.n * r->nin;
    rf_svg_panel *panels = calloc(k->sizes.n, sizeof *panels);
    rf_svg_bar *bars = calloc(k->sizes.n * nb + 1, sizeof *bars);
    char (*notes)[32] = calloc(k->sizes.n * nb + 1, sizeof *notes);
    char (*tips)[256] = calloc(k->sizes.n * nb + 1, sizeof *tips);
    rf_svg_legend *legend = calloc(r->nin + k->impls.n, sizeof *legend);
    bool ok = panels && bars && notes && tips && legend;
    char unit[48] = "calls";
    bool have_unit = false;
    for (size_t s = 0; ok && s < k->sizes.n; s++) {
        rf_svg_bar *pb = bars + s * nb;
        size_t n = 0;
        for (size_t m = 0; m < k->impls.n; m++)
            for (size_t i = 0; i < r->nin; i++) {
                cell c, sc;
                if (!get_cell(r, i, k->name, k->impls.v[m], k->sizes.v[s], &c)) continue;
                if (!have_unit) snprintf(unit, sizeof unit, "%s", c.unit), have_unit = true;
                size_t idx = s * nb + n;
                double vs = get_cell(r, i, k->name, "scalar", k->sizes.v[s], &sc) ? sc.ns / c.ns : NAN;
                char rate[32], t[32], ratio[32];
                rf_fmt_si(c.items, rate, sizeof rate);
                rf_fmt_time(c.ns, t, sizeof t);
                fmt_ratio(vs, ratio, sizeof ratio);
                snprintf(notes[idx], sizeof notes[idx], "%s", isfinite(vs) ? ratio : "");
                snprintf(tips[idx], sizeof tips[idx], "%s %s%s%s: %s %s/s, median %s, %s vs scalar", k->impls.v[m],
                         k->sizes.v[s], r->nin > 1 ? " @ " : "", r->nin > 1 ? r->in[i].label : "", rate, c.unit, t,
                         ratio);
                pb[n++] = (rf_svg_bar){k->impls.v[m], c.items, notes[idx], tips[idx],
                                       r->nin > 1 ? (int)i : impl_colour(k->impls.v[m])};
            }
        panels[s] = (rf_svg_panel){k->sizes.v[s], pb, n};
    }
    if (ok) {
        char title[160], yunit[96];
        snprintf(title, sizeof title, "%s: throughput per implementation (higher is better)", k->name);
        snprintf(yunit, sizeof yunit, "%s/s; labels: speedup over scalar", unit);
        /* several inputs: a colour per input; one: a colour per kind of row (impl_colour) */
        size_t nlegend = 0;
        if (r->nin > 1)
            for (size_t i = 0; i < r->nin; i++) legend[nlegend++] = (rf_svg_legend){r->in[i].label, (int)i};
        else
            for (size_t m = 0; m < k->impls.n; m++) legend[nlegend++] = (rf_svg_legend){k->impls.v[m], impl_colour(k->impls.v[m])};
        rf_svg_bar_chart(svg, title, yunit, panels, k->sizes.n, legend, nlegend);
    }
    free(panels);
    free(bars);
    free(notes);
    free(tips);
    free(legend);
    return ok;
}

/* ---- overview ------------------------------------------------------------------------------- */

/* The best of kernel k at level `level` over its sizes in input 0: the speedup over scalar and the
 * fractions of the FMA peak and of the triad bandwidth (each its own best; NaN when unknown). */
typedef struct best {
    double speedup, peak, bandwidth;
} best;

static best kernel_best(const report *r, const kernel_rows *k, const char *level)
{
    best b = {NAN, NAN, NAN};
    const double bw = machine_bandwidth(r, 0);
    for (size_t s = 0; s < k->sizes.n; s++) {
        cell c, sc;
        if (!get_cell(r, 0, k->name, level, k->sizes.v[s], &c)) continue;
        if (get_cell(r, 0, k->name, "scalar", k->sizes.v[s], &sc) && !(sc.ns / c.ns <= b.speedup)) b.speedup = sc.ns / c.ns;
        const double peak = machine_peak(r, 0, c.level) * (c.f64 && strcmp(c.level, "scalar") ? 0.5 : 1.0);
        const double fp = c.flops / peak, fb = c.bps / bw;
        if (isfinite(fp) && !(fp <= b.peak)) b.peak = fp;
        if (isfinite(fb) && !(fb <= b.bandwidth)) b.bandwidth = fb;
    }
    return b;
}

/* The levels (hand-written rows) of input 0, in level order. */
static void overview_levels(const report *r, strlist *levels)
{
    for (size_t k = 0; k < r->nk; k++)
        for (size_t m = 0; m < r->k[k].impls.n; m++) {
            char lvl[32];
            if (rf_bench_row_kind(r->k[k].impls.v[m], lvl, sizeof lvl) == RF_ROW_LEVEL) sl_add(levels, r->k[k].impls.v[m]);
        }
    qsort(levels->v, levels->n, sizeof(char *), cmp_impl);
}

/* One table and one chart: every kernel's best speedup over scalar per level and its fraction of
 * peak, so the whole run reads at a glance before the per-kernel sections. */
static bool section_overview(const report *r, rf_doc *d, rf_wbuf *svg)
{
    strlist levels = {0};
    overview_levels(r, &levels);
    rf_doc_heading(d, 2, "Overview");
    rf_doc_para(d, "Per kernel and level%s: the best speedup over scalar among its sizes, and the best fractions of "
                   "the level's peak FMA rate (FLOP/s) and of the triad bandwidth, each over the sizes (see the "
                   "kernel's section for the size).",
                r->nin > 1 ? " (first input)" : "");
    rf_table t;
    rf_table_init(&t, 1 + 3 * levels.n);
    t.left = 1;
    rf_table_cell(&t, "kernel");
    for (size_t l = 0; l < levels.n; l++) {
        rf_table_cell(&t, "%s vs scalar", levels.v[l]);
        rf_table_cell(&t, "%s %% peak FLOP/s", levels.v[l]);
        rf_table_cell(&t, "%s %% bandwidth", levels.v[l]);
    }
    const size_t nbars = r->nk * (levels.n ? levels.n : 1);
    rf_svg_bar *bars = calloc(2 * nbars + 1, sizeof *bars);
    char (*notes)[40] = calloc(2 * nbars + 1, sizeof *notes);
    char (*tips)[160] = calloc(2 * nbars + 1, sizeof *tips);
    rf_svg_legend *legend = calloc(levels.n + 1, sizeof *legend);
    const bool ok = bars && notes && tips && legend;
    size_t n = 0;
    for (size_t k = 0; ok && k < r->nk; k++) {
        rf_table_cell(&t, "%s", r->k[k].name);
        for (size_t l = 0; l < levels.n; l++) {
            const best b = kernel_best(r, &r->k[k], levels.v[l]);
            char b1[32], b2[32], b3[32];
            rf_table_cell(&t, "%s", fmt_ratio(b.speedup, b1, sizeof b1));
            rf_table_cell(&t, "%s", fmt_pct(b.peak, 1, b2, sizeof b2));
            rf_table_cell(&t, "%s", fmt_pct(b.bandwidth, 1, b3, sizeof b3));
            if (!isfinite(b.speedup)) continue; /* no such level for this kernel */
            snprintf(notes[n], sizeof notes[n], "%.1fx", b.speedup);
            snprintf(tips[n], sizeof tips[n], "%s %s: best %.2fx over scalar", r->k[k].name, levels.v[l], b.speedup);
            bars[n] = (rf_svg_bar){r->k[k].name, b.speedup, notes[n], tips[n], impl_colour(levels.v[l])};
            snprintf(notes[nbars + n], sizeof notes[nbars + n], "%s", isfinite(b.peak) ? b2 : "");
            snprintf(tips[nbars + n], sizeof tips[nbars + n], "%s %s: best %s of the FMA peak", r->k[k].name,
                     levels.v[l], b2);
            bars[nbars + n] = (rf_svg_bar){r->k[k].name, isfinite(b.peak) ? 100 * b.peak : NAN, notes[nbars + n],
                                           tips[nbars + n], impl_colour(levels.v[l])};
            n++;
        }
    }
    rf_doc_table(d, &t);
    rf_table_free(&t);
    if (ok && n) { /* no chart when no kernel has a vector level (a scalar-only run) */
        for (size_t l = 0; l < levels.n; l++) legend[l] = (rf_svg_legend){levels.v[l], impl_colour(levels.v[l])};
        const rf_svg_panel panels[2] = {{"best speedup over scalar (x)", bars, n},
                                        {"best % of the level's peak FLOP/s (kernels with a FLOPS counter)", bars + nbars, n}};
        rf_svg_bar_chart_rows(svg, "Overview: every kernel, every level (higher is better)",
                              "left: speedup over scalar; right: % of peak FMA throughput", panels, 2, legend,
                              levels.n, 1);
        rf_doc_figure(d, "overview.svg", "every kernel's best speedup per level and fraction of peak", svg);
    }
    free(bars);
    free(notes);
    free(tips);
    free(legend);
    sl_free(&levels);
    return ok;
}

static void section_method(const report *r, rf_doc *d)
{
    rf_doc_heading(d, 2, "Method");
    rf_doc_para(d, "Times are the median %s time per call over the repetitions. Rates are the work per call "
                   "divided by that time: items/s (from items_per_second), GFLOP/s (counter FLOPS / 1e9) and "
                   "GB/s (bytes_per_second / 1e9), where the work per call is the median over repetitions of "
                   "the counter times the time Google Benchmark divided by (CPU time, or real time for "
                   "benchmarks named .../real_time), so that rates, times and ratios agree. \"vs scalar\" and \"vs autovec\" are ratios of median times within the "
                   "same input: median(scalar) / median(row), median(autovec_<level>) / median(<level>). "
                   "\"%% peak FLOP/s\" divides the row's FLOPS by machine/fma_peak_<level> of the same input "
                   "(level from the row's label; peers without one use the highest peak; half of it for "
                   "double-precision rows of the vector levels, labelled dtype=f64), \"%% bandwidth\" "
                   "divides bytes_per_second by machine/triad. The triad measures main-memory bandwidth: a "
                   "kernel whose working set stays in cache can exceed 100%%.",
                r->cpu ? "CPU" : "real");
}

/* ---- driver --------------------------------------------------------------------------------- */

static void report_free(report *r)
{
    for (size_t i = 0; i < r->nin; i++) {
        rf_bench_free(&r->in[i].f);
        free(r->in[i].names);
    }
    free(r->in);
    for (size_t k = 0; k < r->nk; k++) {
        free(r->k[k].name);
        sl_free(&r->k[k].sizes);
        sl_free(&r->k[k].impls);
    }
    free(r->k);
}

static void make_labels(report *r)
{
    for (size_t i = 0; i < r->nin; i++) {
        const char *base = strrchr(r->in[i].f.path, '/');
        base = base ? base + 1 : r->in[i].f.path;
        size_t n = strlen(base);
        if (n > 5 && !strcmp(base + n - 5, ".json")) n -= 5;
        if (n > 40) n = 40;
        snprintf(r->in[i].label, sizeof r->in[i].label, "%.*s", (int)n, base);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(r->in[j].label, r->in[i].label)) {
                snprintf(r->in[i].label, sizeof r->in[i].label, "%.*s#%zu", (int)n, base, i + 1);
                break;
            }
    }
}

static int write_report(report *r)
{
    char err[512];
    rf_doc d;
    rf_doc_begin(&d, r->title);
    size_t nsvg = r->nk + 1; /* the kernels' charts, then the overview's */
    rf_wbuf *svgs = calloc(nsvg + 1, sizeof *svgs);
    char (*svgname)[128] = calloc(nsvg + 1, sizeof *svgname);
    char (*paths)[4200] = calloc(nsvg + 2, sizeof *paths);
    rf_outfile *files = calloc(nsvg + 2, sizeof *files);
    bool ok = svgs && svgname && paths && files;
    if (ok) {
        ok = section_overview(r, &d, &svgs[r->nk]);
        snprintf(svgname[r->nk], sizeof svgname[r->nk], "overview.svg");
    }
    section_inputs(r, &d);
    section_machine(r, &d);
    for (size_t k = 0; ok && k < r->nk; k++) {
        const kernel_rows *kr = &r->k[k];
        char base[100];
        sanitize(kr->name, base, sizeof base);
        snprintf(svgname[k], sizeof svgname[k], "%s.svg", base);
        for (size_t j = 0; j < k; j++)
            if (!strcmp(svgname[j], svgname[k])) snprintf(svgname[k], sizeof svgname[k], "%s-%zu.svg", base, k + 1);
        if (!strcmp(svgname[k], "overview.svg")) snprintf(svgname[k], sizeof svgname[k], "kernel-overview.svg");
        ok = kernel_chart(r, kr, &svgs[k]);
        rf_doc_heading(&d, 2, kr->name);
        char alt[160];
        snprintf(alt, sizeof alt, "%s throughput", kr->name);
        rf_doc_figure(&d, svgname[k], alt, &svgs[k]);
        kernel_table(r, kr, &d);
        if (r->nin > 1) {
            rf_doc_para(&d, "Side by side: median %s time per input, and each input's speedup over %s "
                            "(median(%s) / median(input)).", r->cpu ? "cpu" : "real", r->in[0].label, r->in[0].label);
            kernel_comparison(r, kr, &d);
        }
    }
    section_method(r, &d);
    rf_doc_end(&d);
    for (size_t k = 0; ok && k < nsvg; k++) ok = !svgs[k].oom;
    int rc = RF_EXIT_OK;
    if (!ok || !rf_doc_ok(&d)) {
        rc = rf_usage_error("report: out of memory");
    } else {
        size_t nf = 0;
        snprintf(paths[nf], sizeof paths[nf], "%s/report.md", r->outdir);
        files[nf] = (rf_outfile){paths[nf], d.md.p, d.md.len}, nf++;
        snprintf(paths[nf], sizeof paths[nf], "%s/report.html", r->outdir);
        files[nf] = (rf_outfile){paths[nf], d.html.p, d.html.len}, nf++;
        for (size_t k = 0; k < nsvg; k++) {
            if (!svgs[k].len) continue; /* the overview of a run without vector levels has no chart */
            snprintf(paths[nf], sizeof paths[nf], "%s/%s", r->outdir, svgname[k]);
            files[nf] = (rf_outfile){paths[nf], svgs[k].p, svgs[k].len};
            nf++;
        }
        if (!rf_write_files_atomic(files, nf, err, sizeof err)) rc = rf_usage_error("report: %s", err);
        else
            printf("report: wrote %s/report.md, %s/report.html and %zu SVG charts (%zu kernels, %zu input%s)\n",
                   r->outdir, r->outdir, nf - 2, r->nk, r->nin, r->nin == 1 ? "" : "s");
    }
    for (size_t k = 0; svgs && k < nsvg; k++) rf_wbuf_free(&svgs[k]);
    free(svgs);
    free(svgname);
    free(paths);
    free(files);
    rf_doc_free(&d);
    return rc;
}

typedef struct report_opts {
    rf_strlist in, sim, ref, distances;
    const char *out, *title;
    int time; /* index into "real|cpu" */
    int axis; /* index into "ebn0|esn0|snr", -1: not given */
} report_opts;

static int run_report(const void *opts)
{
    const report_opts *o = opts;
    if (o->sim.n) {
        const rf_sim_report_opts so = {o->sim.v, o->ref.v, o->distances.v, o->sim.n, o->ref.n, o->distances.n,
                                       o->out, o->title, o->axis};
        return rf_report_sim(&so);
    }
    if (o->ref.n || o->distances.n || o->axis >= 0)
        return rf_usage_error("report: --ref, --distances and --x go with --sim (the simulation report)");
    report r = {.outdir = o->out, .title = o->title ? o->title : "refast benchmark report", .cpu = o->time == 1};
    int rc = (r.in = calloc(o->in.n, sizeof *r.in)) ? RF_EXIT_OK : rf_usage_error("report: out of memory");
    char err[512];
    for (size_t i = 0; !rc && i < o->in.n; i++) {
        if (!rf_bench_load(o->in.v[i], &r.in[i].f, err, sizeof err)) {
            rc = rf_usage_error("report: %s", err);
            break;
        }
        r.nin++;
        if (r.in[i].f.n == 0) rc = rf_usage_error("report: %s: no benchmark rows", o->in.v[i]);
    }
    if (!rc) {
        make_labels(&r);
        if (!build_model(&r)) rc = rf_usage_error("report: out of memory");
        else if (!rf_mkdirs(r.outdir, err, sizeof err)) rc = rf_usage_error("report: %s", err);
        else rc = write_report(&r);
    }
    report_free(&r);
    return rc;
}

static const rf_opt report_opts_table[] = {
    {"--in", RF_OPT_FILES, offsetof(report_opts, in), "FILE.json",
     .help = "benchmark JSON written by refast bench; several are compared side by\nside (--in A B, or --in repeated)",
     .flags = RF_OPT_REQUIRED, .group = 1},
    {"--sim", RF_OPT_FILES, offsetof(report_opts, sim), "FILE.json",
     .help = "instead: the simulation report of refast sim JSON files, BER and BLER\n"
             "against SNR overlaid, per-leaf BLER",
     .flags = RF_OPT_REQUIRED, .group = 1},
    {"--ref", RF_OPT_FILES, offsetof(report_opts, ref), "FILE",
     .help = "with --sim: reference curves overlaid (dashed): refast sim JSON, CSV\n"
             "with a header snr,ber,bler (x in the plot's convention), or Markdown\n"
             "tables with an Eb/N0|Es/N0|SNR column and \"<name> BER\"/\"<name> BLER\"\n"
             "columns (../shared/ko-reference/BER.md)"},
    {"--distances", RF_OPT_FILES, offsetof(report_opts, distances), "FILE.json",
     .help = "with --sim: histograms from refast code distances --json"},
    {"--x", RF_OPT_CHOICE, offsetof(report_opts, axis), "ebn0|esn0|snr",
     .help = "with --sim: the SNR convention of the x axis (default: the first\ninput's)"},
    {"--out", RF_OPT_FILE, offsetof(report_opts, out), "DIR", .help = "where the report goes (created if missing)",
     .flags = RF_OPT_REQUIRED},
    {"--title", RF_OPT_STR, offsetof(report_opts, title), "TEXT",
     .help = "the report's title (default: refast benchmark report, refast\nsimulation report)"},
    {"--time", RF_OPT_CHOICE, offsetof(report_opts, time), "real|cpu",
     .help = "median CPU times, or wall-clock times (which include waits on a busy\n"
             "machine); CPU time like the shim's rates",
     .def = "cpu"},
    {0},
};

const rf_command rf_cmd_report = {
    .name = "report",
    .summary = "write report.md, report.html and SVG charts from benchmark or sim JSON",
    .about = "Writes DIR/report.md, DIR/report.html (self-contained: charts inlined) and one SVG chart\n"
             "per kernel from Google Benchmark JSON written by refast bench. Per kernel: throughput per\n"
             "implementation and size, median time, items/s, GFLOP/s (counter FLOPS), GB/s\n"
             "(bytes_per_second), speedup vs scalar and vs the autovec peer, and the fraction of the\n"
             "machine's peak FMA rate and triad bandwidth (rows machine/fma_peak_<level>/-,\n"
             "machine/triad/-). Rates are recomputed against the same time so that every number in\n"
             "the report agrees. The report opens with an overview: every kernel's best speedup over\n"
             "scalar per level and its fraction of peak, one table and one chart.\n"
             "With --sim instead of --in: BER and BLER against SNR on log axes with 95% error bars for\n"
             "every refast sim JSON given, reference curves (--ref) overlaid, the per-leaf BLER split\n"
             "(seed eq. 4.4) and distance histograms (--distances), one SVG per chart.\n"
             "Files are written under temporary names and renamed: a failure leaves no partial output.\n"
             "Exit codes: 0 written, 2 usage or input error.",
    .opts = report_opts_table,
    .size = sizeof(report_opts),
    .run = run_report,
};
