/* Google Benchmark JSON -> per-benchmark samples (format notes in benchjson.h). */
#include "benchjson.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "refast/isa.h"
#include "stats.h"

/* Row fields that are not counters. */
static const char *const standard_fields[] = {
    "name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations",
    "real_time", "cpu_time", "time_unit", "family_index", "per_family_instance_index",
    "aggregate_name", "aggregate_unit", "label", "error_occurred", "error_message",
};

static bool is_standard(const char *key)
{
    for (size_t i = 0; i < sizeof standard_fields / sizeof standard_fields[0]; i++)
        if (!strcmp(key, standard_fields[i])) return true;
    return false;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* GB appends these to a benchmark's name when they were set on the benchmark itself. */
static bool is_option_suffix(const char *c)
{
    static const char *const prefixes[] = {"min_time:", "min_warmup_time:", "repeats:", "iterations:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (!strncmp(c, prefixes[i], strlen(prefixes[i]))) return true;
    return !strcmp(c, "real_time") || !strcmp(c, "process_time") || !strcmp(c, "manual_time") ||
           !strcmp(c, "threads:1");
}

char *rf_bench_name_normalise(const char *name)
{
    char *s = dup_str(name);
    if (!s) return NULL;
    for (;;) {
        char *slash = strrchr(s, '/');
        if (!slash || !is_option_suffix(slash + 1)) break;
        *slash = '\0';
    }
    return s;
}

static bool has_component(const char *name, const char *comp)
{
    size_t n = strlen(comp);
    for (const char *p = strchr(name, '/'); p; p = strchr(p + 1, '/'))
        if (!strncmp(p + 1, comp, n) && (p[1 + n] == '/' || p[1 + n] == '\0')) return true;
    return false;
}

static bool copy_part(char *dst, size_t cap, const char *src, size_t n)
{
    if (n == 0 || n >= cap) return false;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return true;
}

bool rf_bench_name_parse(const char *name, rf_bench_name *out)
{
    const char *a = strchr(name, '/');
    if (!a) return false;
    const char *b = strchr(a + 1, '/');
    if (!b) return false;
    return copy_part(out->kernel, sizeof out->kernel, name, (size_t)(a - name)) &&
           copy_part(out->impl, sizeof out->impl, a + 1, (size_t)(b - a - 1)) &&
           copy_part(out->size, sizeof out->size, b + 1, strlen(b + 1));
}

rf_row_kind rf_bench_row_kind(const char *impl, char *level, size_t levellen)
{
    rf_isa isa;
    rf_row_kind kind = RF_ROW_PEER;
    const char *lv = "";
    if (!strcmp(impl, "scalar")) {
        kind = RF_ROW_SCALAR;
        lv = impl;
    } else if (rf_isa_parse(impl, &isa)) {
        kind = RF_ROW_LEVEL;
        lv = impl;
    } else if (!strncmp(impl, "autovec_", 8) && rf_isa_parse(impl + 8, &isa)) {
        kind = RF_ROW_AUTOVEC;
        lv = impl + 8;
    }
    if (level && levellen) snprintf(level, levellen, "%s", lv);
    return kind;
}

bool rf_bench_label_get(const char *label, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    for (const char *p = label; p && *p;) {
        while (*p == ' ') p++;
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
            size_t vlen = n - klen - 1;
            if (vlen >= outlen) return false;
            memcpy(out, p + klen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        p = end;
    }
    return false;
}

/* ---- loading -------------------------------------------------------------------------------- */

typedef struct loader {
    rf_bench_file *f;
    size_t cap;
    char *err;
    size_t errlen;
} loader;

static bool lerr(loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool lerr(loader *l, const char *fmt, ...)
{
    int k = snprintf(l->err, l->errlen, "%s: ", l->f->path);
    if (k < 0 || (size_t)k >= l->errlen) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err + k, l->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return false;
}

static rf_bench *find_or_add(loader *l, const char *key, bool *oom)
{
    rf_bench_file *f = l->f;
    for (size_t i = f->n; i-- > 0;)
        if (!strcmp(f->b[i].name, key)) return &f->b[i];
    if (f->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        rf_bench *nb = realloc(f->b, cap * sizeof *nb);
        if (!nb) return *oom = true, NULL;
        f->b = nb;
        l->cap = cap;
    }
    rf_bench *b = &f->b[f->n];
    memset(b, 0, sizeof *b);
    b->name = dup_str(key);
    b->label = dup_str("");
    if (!b->name || !b->label) {
        free(b->name);
        free(b->label);
        return *oom = true, NULL;
    }
    f->n++;
    return b;
}

static bool unit_scale(const char *unit, double *scale)
{
    static const struct {
        const char *name;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(unit, units[i].name)) return *scale = units[i].ns, true;
    return false;
}

/* Appends one sample (row) to b: times and every counter. */
static bool add_sample(loader *l, rf_bench *b, const rf_json *row, double real_ns, double cpu_ns)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        double *r = realloc(b->real_ns, cap * sizeof *r);
        if (!r) return lerr(l, "out of memory");
        b->real_ns = r;
        double *c = realloc(b->cpu_ns, cap * sizeof *c);
        if (!c) return lerr(l, "out of memory");
        b->cpu_ns = c;
        for (size_t k = 0; k < b->ncounters; k++) {
            double *v = realloc(b->counters[k].v, cap * sizeof *v);
            if (!v) return lerr(l, "out of memory");
            b->counters[k].v = v;
        }
        b->cap = cap;
    }
    size_t s = b->n;
    b->real_ns[s] = real_ns;
    b->cpu_ns[s] = cpu_ns;
    for (size_t k = 0; k < b->ncounters; k++) b->counters[k].v[s] = NAN;
    for (size_t i = 0; i < row->count; i++) {
        const rf_json *m = &row->items[i];
        if (m->type != RF_JSON_NUMBER || is_standard(row->keys[i])) continue;
        size_t k = 0;
        while (k < b->ncounters && strcmp(b->counters[k].name, row->keys[i])) k++;
        if (k == b->ncounters) {
            rf_bench_counter *nc = realloc(b->counters, (k + 1) * sizeof *nc);
            if (!nc) return lerr(l, "out of memory");
            b->counters = nc;
            nc[k].name = dup_str(row->keys[i]);
            nc[k].v = malloc(b->cap * sizeof(double));
            if (!nc[k].name || !nc[k].v) {
                free(nc[k].name);
                free(nc[k].v);
                return lerr(l, "out of memory");
            }
            b->ncounters++;
            for (size_t j = 0; j < b->cap; j++) nc[k].v[j] = NAN;
        }
        b->counters[k].v[s] = m->number;
    }
    const char *label = rf_json_get_string(row, "label");
    if (label && !*b->label) {
        char *d = dup_str(label);
        if (!d) return lerr(l, "out of memory");
        free(b->label);
        b->label = d;
    }
    b->n++;
    return true;
}

typedef struct row_info {
    const char *name;
    const char *run_type;
    const char *aggregate;
    double real_ns, cpu_ns;
    bool error;
} row_info;

static bool read_row(loader *l, size_t i, const rf_json *row, row_info *ri)
{
    memset(ri, 0, sizeof *ri);
    if (row->type != RF_JSON_OBJECT)
        return lerr(l, "benchmarks[%zu] (line %d): expected an object, got %s", i, row->line,
                    rf_json_type_name(row->type));
    const rf_json *e = rf_json_get(row, "error_occurred");
    if (e && e->type == RF_JSON_BOOL && e->boolean) {
        ri->error = true;
        return true;
    }
    const char *name = rf_json_get_string(row, "name");
    if (!name || !*name) return lerr(l, "benchmarks[%zu] (line %d): missing \"name\"", i, row->line);
    const char *run_name = rf_json_get_string(row, "run_name");
    ri->name = run_name && *run_name ? run_name : name;
    ri->run_type = rf_json_get_string(row, "run_type");
    if (!ri->run_type) ri->run_type = "iteration";
    if (strcmp(ri->run_type, "iteration") && strcmp(ri->run_type, "aggregate"))
        return lerr(l, "benchmarks[%zu] (%s): unknown run_type \"%s\"", i, name, ri->run_type);
    if (!strcmp(ri->run_type, "aggregate")) {
        ri->aggregate = rf_json_get_string(row, "aggregate_name");
        if (!ri->aggregate) return lerr(l, "benchmarks[%zu] (%s): aggregate row without aggregate_name", i, name);
    }
    const char *unit = rf_json_get_string(row, "time_unit");
    double scale = 1;
    if (unit && !unit_scale(unit, &scale))
        return lerr(l, "benchmarks[%zu] (%s): unknown time_unit \"%s\" (want ns, us, ms or s)", i, name, unit);
    double rt, ct = NAN;
    if (!rf_json_get_number(row, "real_time", &rt))
        return lerr(l, "benchmarks[%zu] (%s): missing or non-numeric \"real_time\"", i, name);
    rf_json_get_number(row, "cpu_time", &ct);
    /* Aggregates such as stddev may legitimately be 0; samples used as times may not. */
    bool used_as_time = !ri->aggregate || !strcmp(ri->aggregate, "median") || !strcmp(ri->aggregate, "mean");
    if (used_as_time && !(isfinite(rt) && rt > 0))
        return lerr(l, "benchmarks[%zu] (%s): real_time %g is not a positive finite number", i, name, rt);
    ri->real_ns = rt * scale;
    ri->cpu_ns = ct * scale;
    return true;
}

/* Pass 0 takes iteration rows; pass 1 the "median" aggregate and pass 2 the "mean" aggregate of
 * benchmarks still without samples. */
static bool load_rows(loader *l, const rf_json *rows)
{
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < rows->count; i++) {
            row_info ri;
            if (!read_row(l, i, &rows->items[i], &ri)) return false;
            if (ri.error) {
                if (pass == 0) l->f->error_rows++;
                continue;
            }
            bool want = pass == 0 ? !ri.aggregate
                                  : ri.aggregate && !strcmp(ri.aggregate, pass == 1 ? "median" : "mean");
            if (!want) continue;
            char *key = rf_bench_name_normalise(ri.name);
            if (!key) return lerr(l, "out of memory");
            bool oom = false;
            rf_bench *b;
            if (pass == 0) {
                b = find_or_add(l, key, &oom);
            } else if (rf_bench_find(l->f, key)) {
                b = NULL; /* has iteration rows (or the median aggregate already) */
            } else {
                b = find_or_add(l, key, &oom);
                if (b) b->aggregate_only = true;
            }
            free(key);
            if (oom) return lerr(l, "out of memory");
            if (b) b->rates_real = has_component(ri.name, "real_time") || has_component(ri.name, "manual_time");
            if (b && !add_sample(l, b, &rows->items[i], ri.real_ns, ri.cpu_ns)) return false;
        }
    }
    return true;
}

/* Parses one file and appends its rows to l->f (whose path names the file in messages). */
static bool load_document(loader *l, rf_json **root)
{
    *root = rf_json_parse_file(l->f->path, l->err, l->errlen);
    if (!*root) return false;
    if ((*root)->type != RF_JSON_OBJECT)
        return lerr(l, "not a Google Benchmark result: top-level %s, expected an object",
                    rf_json_type_name((*root)->type));
    const rf_json *rows = rf_json_get(*root, "benchmarks");
    if (!rows || rows->type != RF_JSON_ARRAY) return lerr(l, "not a Google Benchmark result: no \"benchmarks\" array");
    return load_rows(l, rows);
}

bool rf_bench_load_merged(const char *const *paths, size_t n, rf_bench_file *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    loader l = {out, 0, err, errlen};
    if (!n) return rf_fail(err, errlen, "no file to load");
    if (n > 1 && !(out->more_roots = calloc(n - 1, sizeof *out->more_roots)))
        return rf_fail(err, errlen, "%s: out of memory", paths[0]);
    for (size_t i = 0; i < n; i++) {
        char *path = dup_str(paths[i]);
        if (!path) {
            rf_fail(err, errlen, "%s: out of memory", paths[i]);
            goto bad;
        }
        free(out->path);
        out->path = path; /* names this file in the messages */
        out->npaths = i + 1;
        if (!load_document(&l, i ? &out->more_roots[i - 1] : &out->root)) goto bad;
    }
    free(out->path);
    if (!(out->path = dup_str(paths[0]))) {
        rf_fail(err, errlen, "%s: out of memory", paths[0]);
        goto bad;
    }
    const rf_json *ctx = rf_json_get(out->root, "context");
    out->context = ctx && ctx->type == RF_JSON_OBJECT ? ctx : NULL;
    return true;
bad:
    rf_bench_free(out);
    return false;
}

bool rf_bench_load(const char *path, rf_bench_file *out, char *err, size_t errlen)
{
    return rf_bench_load_merged(&path, 1, out, err, errlen);
}

void rf_bench_free(rf_bench_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        rf_bench *b = &f->b[i];
        for (size_t k = 0; k < b->ncounters; k++) {
            free(b->counters[k].name);
            free(b->counters[k].v);
        }
        free(b->counters);
        free(b->name);
        free(b->label);
        free(b->real_ns);
        free(b->cpu_ns);
    }
    free(f->b);
    rf_json_free(f->root);
    for (size_t i = 0; f->more_roots && i + 1 < f->npaths; i++) rf_json_free(f->more_roots[i]);
    free(f->more_roots);
    free(f->path);
    memset(f, 0, sizeof *f);
}

const rf_bench *rf_bench_find(const rf_bench_file *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->b[i].name, name)) return &f->b[i];
    return NULL;
}

const double *rf_bench_counter_values(const rf_bench *b, const char *counter)
{
    for (size_t k = 0; k < b->ncounters; k++)
        if (!strcmp(b->counters[k].name, counter)) return b->counters[k].v;
    return NULL;
}

double rf_bench_median_ns(const rf_bench *b) { return rf_stat_median(b->real_ns, b->n); }

double rf_bench_counter_median(const rf_bench *b, const char *counter)
{
    for (size_t k = 0; k < b->ncounters; k++) {
        if (strcmp(b->counters[k].name, counter)) continue;
        double *tmp = malloc((b->n ? b->n : 1) * sizeof *tmp);
        if (!tmp) return NAN;
        size_t m = 0;
        for (size_t s = 0; s < b->n; s++)
            if (!isnan(b->counters[k].v[s])) tmp[m++] = b->counters[k].v[s];
        double med = rf_stat_median(tmp, m);
        free(tmp);
        return med;
    }
    return NAN;
}

double rf_bench_per_call(const rf_bench *b, const char *counter)
{
    for (size_t k = 0; k < b->ncounters; k++) {
        if (strcmp(b->counters[k].name, counter)) continue;
        double *tmp = malloc((b->n ? b->n : 1) * sizeof *tmp);
        if (!tmp) return NAN;
        size_t m = 0;
        for (size_t s = 0; s < b->n; s++) {
            double t = b->rates_real ? b->real_ns[s] : b->cpu_ns[s];
            double v = b->counters[k].v[s] * t * 1e-9;
            if (isfinite(v)) tmp[m++] = v;
        }
        double med = rf_stat_median(tmp, m);
        free(tmp);
        return med;
    }
    return NAN;
}

/* Thresholds just below 1000 so that a value which %.4g would round up to "1000" moves to the
 * next unit instead ("1 us", not "1000 ns"). */
#define RF_FMT_NEXT 999.95

void rf_fmt_time(double ns, char *buf, size_t len)
{
    if (!isfinite(ns)) snprintf(buf, len, "-");
    else if (ns < RF_FMT_NEXT) snprintf(buf, len, "%.4g ns", ns);
    else if (ns < RF_FMT_NEXT * 1e3) snprintf(buf, len, "%.4g us", ns / 1e3);
    else if (ns < RF_FMT_NEXT * 1e6) snprintf(buf, len, "%.4g ms", ns / 1e6);
    else snprintf(buf, len, "%.4g s", ns / 1e9);
}

void rf_fmt_si(double v, char *buf, size_t len)
{
    static const char *const prefix[] = {"", "k", "M", "G", "T", "P", "E"};
    if (!isfinite(v)) {
        snprintf(buf, len, "-");
        return;
    }
    int k = 0;
    double a = fabs(v);
    while (a >= RF_FMT_NEXT && k < 6) a /= 1000, v /= 1000, k++;
    snprintf(buf, len, "%.4g%s", v, prefix[k]);
}
