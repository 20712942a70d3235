/* The curves of `refast report --sim` (report_sim.h): refast sim JSON, CSV and Markdown tables. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "errf.h"
#include "report_sim.h"

#define REF_MAX_BYTES (16u << 20)
#define MAX_COLS 64

static const char *const axis_key[] = {"ebn0_db", "esn0_db", "snr_db"};

void rf_curve_free(rf_curve *c)
{
    free(c->x);
    free(c->ber);
    free(c->ber_lo);
    free(c->ber_hi);
    free(c->bler);
    free(c->bler_lo);
    free(c->bler_hi);
    memset(c, 0, sizeof *c);
}

static bool curve_alloc(rf_curve *c, size_t n)
{
    double **a[] = {&c->x, &c->ber, &c->ber_lo, &c->ber_hi, &c->bler, &c->bler_lo, &c->bler_hi};
    bool ok = true;
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
        *a[i] = malloc((n ? n : 1) * sizeof **a[i]);
        ok = ok && *a[i];
        for (size_t k = 0; *a[i] && k < n; k++) (*a[i])[k] = NAN;
    }
    c->n = n;
    return ok;
}

static double num(const rf_json *v, const char *key)
{
    double x;
    return rf_json_get_number(v, key, &x) ? x : NAN;
}

static void pair(const rf_json *v, const char *key, double *lo, double *hi)
{
    const rf_json *a = rf_json_get(v, key);
    if (a && a->type == RF_JSON_ARRAY && a->count == 2 && a->items[0].type == RF_JSON_NUMBER &&
        a->items[1].type == RF_JSON_NUMBER)
        *lo = a->items[0].number, *hi = a->items[1].number;
}

bool rf_curve_from_sim(const rf_json *j, const char *path, rf_snr_axis axis, rf_curve *c, char *err, size_t errlen)
{
    const char *cmd = rf_json_get_string(j, "command");
    const rf_json *pts = rf_json_get(j, "points");
    if (!cmd || strcmp(cmd, "sim") != 0 || !pts || pts->type != RF_JSON_ARRAY)
        return rf_fail(err, errlen, "%s: not a refast sim JSON file (no \"command\":\"sim\" and \"points\")", path);
    if (!curve_alloc(c, pts->count)) return rf_fail(err, errlen, "out of memory");
    for (size_t i = 0; i < pts->count; i++) {
        const rf_json *p = &pts->items[i];
        c->x[i] = num(p, axis_key[axis]);
        c->ber[i] = num(p, "ber");
        c->bler[i] = num(p, "bler");
        /* the BER's interval from the per-frame error variance when there is one: the bits of a
         * frame are not independent trials, which the Wilson interval over bits assumes. With no
         * error at all that variance is 0 and says nothing: the Wilson bound stays. */
        pair(p, "ber_ci95", &c->ber_lo[i], &c->ber_hi[i]);
        double lo = NAN, hi = NAN;
        pair(p, "ber_ci95_frames", &lo, &hi);
        if (hi > 0) c->ber_lo[i] = lo, c->ber_hi[i] = hi;
        pair(p, "bler_ci95", &c->bler_lo[i], &c->bler_hi[i]);
    }
    const char *code = rf_json_get_string(j, "code"), *dec = rf_json_get_string(j, "decoder");
    const char *f = rf_json_get_string(j, "f"), *ch = rf_json_get_string(rf_json_get(j, "channel"), "kind");
    snprintf(c->name, sizeof c->name, "%s %s%s%s%s%s", code ? code : "?", dec ? dec : "?",
             f && strcmp(f, "none") && strcmp(f, "exact") ? " " : "", f && strcmp(f, "none") && strcmp(f, "exact") ? f : "",
             ch && strcmp(ch, "awgn") ? " " : "", ch && strcmp(ch, "awgn") ? ch : "");
    return true;
}

/* ---- text tables ------------------------------------------------------------------------------ */

/* The file's text with "−" (U+2212) turned into '-' and "×" left alone. */
static char *read_text(const char *path, char *err, size_t errlen)
{
    uint8_t *data;
    size_t len;
    if (!rf_read_file(path, REF_MAX_BYTES, &data, &len, err, errlen)) return NULL;
    char *t = (char *)data;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (i + 2 < len && data[i] == 0xE2 && data[i + 1] == 0x88 && data[i + 2] == 0x92) {
            t[o++] = '-';
            i += 2;
        } else {
            t[o++] = (char)data[i];
        }
    }
    t[o] = '\0';
    return t;
}

/* The first number in s (NaN if none). */
static double first_number(const char *s)
{
    for (; *s; s++) {
        if (isdigit((unsigned char)*s) || ((*s == '-' || *s == '+' || *s == '.') && isdigit((unsigned char)s[1])) ||
            (*s == '-' && s[1] == '.' && isdigit((unsigned char)s[2]))) {
            char *end;
            errno = 0;
            const double v = strtod(s, &end);
            return end != s && errno == 0 ? v : NAN;
        }
    }
    return NAN;
}

/* Splits a line in place at `sep` (cells trimmed); returns the count. */
static size_t split(char *line, char sep, char **cells, size_t max)
{
    size_t n = 0;
    for (char *p = line; n < max;) {
        char *e = strchr(p, sep);
        if (e) *e = '\0';
        while (*p == ' ' || *p == '\t') p++;
        size_t len = strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r')) p[--len] = '\0';
        cells[n++] = p;
        if (!e) break;
        p = e + 1;
    }
    return n;
}

static bool lower_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
    return !*a && !*b;
}

/* Orders the points by x (a table may list them in any order, as BER.md's "extra" row last), so
 * that the line runs left to right. Insertion sort: tables are short. */
static void sort_by_x(rf_curve *c)
{
    double *a[] = {c->x, c->ber, c->ber_lo, c->ber_hi, c->bler, c->bler_lo, c->bler_hi};
    for (size_t i = 1; i < c->n; i++)
        for (size_t j = i; j > 0 && c->x[j - 1] > c->x[j]; j--)
            for (size_t k = 0; k < sizeof a / sizeof a[0]; k++) {
                const double t = a[k][j - 1];
                a[k][j - 1] = a[k][j];
                a[k][j] = t;
            }
}

static bool push(rf_curve **curves, size_t *n, rf_curve *c)
{
    sort_by_x(c);
    rf_curve *v = realloc(*curves, (*n + 1) * sizeof *v);
    if (!v) return false;
    v[(*n)++] = *c;
    *curves = v;
    return true;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static bool read_csv(const char *path, char *text, rf_curve **curves, size_t *ncurves, char *err, size_t errlen)
{
    static const char *const xs[] = {"snr", "ebn0", "esn0", "snr_db", "ebn0_db", "esn0_db", "x"};
    static const char *const ys[] = {"ber", "ber_lo", "ber_hi", "bler", "bler_lo", "bler_hi"};
    int col[7], xcol = -1;
    for (int i = 0; i < 7; i++) col[i] = -1;
    char *cells[MAX_COLS], *save = NULL;
    size_t rows = 0, lineno = 0;
    for (char *l = text; *l; l++) rows += *l == '\n';
    rf_curve c = {0};
    if (!curve_alloc(&c, rows + 1)) return rf_fail(err, errlen, "out of memory");
    size_t n = 0;
    bool header = false;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        while (*line == ' ') line++;
        if (!*line || *line == '#' || *line == '\r') continue;
        const size_t nc = split(line, ',', cells, MAX_COLS);
        if (!header) {
            for (size_t k = 0; k < nc; k++) {
                for (size_t x = 0; x < sizeof xs / sizeof xs[0]; x++)
                    if (xcol < 0 && lower_eq(cells[k], xs[x])) xcol = (int)k;
                for (int y = 0; y < 6; y++)
                    if (lower_eq(cells[k], ys[y])) col[y] = (int)k;
            }
            header = true;
            if (xcol < 0 || (col[0] < 0 && col[3] < 0)) {
                rf_curve_free(&c);
                return rf_fail(err, errlen, "%s: line %zu: the header needs an snr (or ebn0, esn0) column and ber "
                                            "and/or bler", path, lineno);
            }
            continue;
        }
        double *dst[6] = {c.ber, c.ber_lo, c.ber_hi, c.bler, c.bler_lo, c.bler_hi};
        if ((size_t)xcol >= nc || !isfinite(c.x[n] = first_number(cells[xcol]))) {
            rf_curve_free(&c);
            return rf_fail(err, errlen, "%s: line %zu: no number in the snr column", path, lineno);
        }
        for (int y = 0; y < 6; y++)
            if (col[y] >= 0 && (size_t)col[y] < nc) dst[y][n] = first_number(cells[col[y]]);
        n++;
    }
    c.n = n;
    snprintf(c.name, sizeof c.name, "ref %s", base_name(path));
    if (!n) {
        rf_curve_free(&c);
        return rf_fail(err, errlen, "%s: no data lines", path);
    }
    if (!push(curves, ncurves, &c)) {
        rf_curve_free(&c);
        return rf_fail(err, errlen, "out of memory");
    }
    return true;
}

/* Markdown: every table (a header row, a |---| row, data rows) with the axis column and
 * "<X> BER"/"<X> BLER" columns; one curve per X. */
static bool read_md(const char *path, char *text, rf_snr_axis axis, rf_curve **curves, size_t *ncurves, char *err,
                    size_t errlen)
{
    const size_t before = *ncurves;
    char *lines[4096];
    size_t nl = 0;
    for (char *p = text; p && *p && nl < 4096;) {
        lines[nl++] = p;
        char *e = strchr(p, '\n');
        if (e) *e = '\0';
        p = e ? e + 1 : NULL;
    }
    for (size_t i = 0; i + 1 < nl; i++) {
        const bool rule = !strncmp(lines[i + 1], "| ---", 5) || !strncmp(lines[i + 1], "|---", 4) ||
                          !strncmp(lines[i + 1], "| :--", 5);
        if (lines[i][0] != '|' || !rule) continue;
        char *hdr[MAX_COLS];
        const size_t nh = split(lines[i] + 1, '|', hdr, MAX_COLS);
        int xcol = -1;
        for (size_t k = 0; k < nh; k++) {
            const char *h = hdr[k];
            const bool hit = axis == RF_AXIS_EBN0   ? strstr(h, "Eb/N0") != NULL
                             : axis == RF_AXIS_ESN0 ? strstr(h, "Es/N0") != NULL
                                                    : (strstr(h, "SNR") != NULL && !strstr(h, "N0"));
            if (hit && xcol < 0) xcol = (int)k;
        }
        size_t end = i + 2;
        while (end < nl && lines[end][0] == '|') end++;
        if (xcol < 0) {
            i = end;
            continue;
        }
        /* one curve per prefix X of "X BER" (its "X BLER" column joins it) */
        for (size_t k = 0; k < nh; k++) {
            const size_t len = strlen(hdr[k]);
            if (len < 3 || strcmp(hdr[k] + len - 3, "BER") != 0 || (len > 3 && hdr[k][len - 4] != ' ')) continue;
            char prefix[64];
            snprintf(prefix, sizeof prefix, "%.*s", (int)(len > 3 ? len - 4 : 0), hdr[k]);
            int bler = -1;
            for (size_t q = 0; q < nh; q++) {
                char want[80];
                snprintf(want, sizeof want, "%s%sBLER", prefix, *prefix ? " " : "");
                if (!strncmp(hdr[q], want, strlen(want))) bler = (int)q;
            }
            rf_curve c = {0};
            if (!curve_alloc(&c, end - i - 2)) return rf_fail(err, errlen, "out of memory");
            size_t n = 0;
            for (size_t r = i + 2; r < end; r++) {
                char row[2048], *cells[MAX_COLS];
                snprintf(row, sizeof row, "%s", lines[r] + 1);
                const size_t nc = split(row, '|', cells, MAX_COLS);
                if ((size_t)xcol >= nc || k >= nc) continue;
                c.x[n] = first_number(cells[xcol]);
                c.ber[n] = first_number(cells[k]);
                if (bler >= 0 && (size_t)bler < nc) {
                    char *lb = strchr(cells[bler], '[');
                    c.bler[n] = first_number(cells[bler]);
                    if (lb) { /* "5.2e-2 [5.08e-2, 5.35e-2]" */
                        c.bler_lo[n] = first_number(lb);
                        const char *comma = strchr(lb, ',');
                        if (comma) c.bler_hi[n] = first_number(comma + 1);
                    }
                }
                if (isfinite(c.x[n])) n++;
            }
            c.n = n;
            snprintf(c.name, sizeof c.name, "ref %s%s%s", base_name(path), *prefix ? " " : "", prefix);
            if (!n || !push(curves, ncurves, &c)) rf_curve_free(&c);
        }
        i = end;
    }
    if (*ncurves == before)
        return rf_fail(err, errlen, "%s: no Markdown table with an %s column and \"<name> BER\" columns", path,
                       axis == RF_AXIS_EBN0 ? "Eb/N0" : axis == RF_AXIS_ESN0 ? "Es/N0" : "SNR");
    return true;
}

bool rf_curves_read_ref(const char *path, rf_snr_axis axis, rf_curve **curves, size_t *ncurves, char *err,
                        size_t errlen)
{
    const size_t len = strlen(path);
    const char *ext = len > 3 && !strcmp(path + len - 3, ".md") ? "md" : len > 4 && !strcmp(path + len - 4, ".csv") ? "csv"
                      : len > 5 && !strcmp(path + len - 5, ".json")                                            ? "json"
                                                                                                                : NULL;
    if (!ext)
        return rf_fail(err, errlen, "--ref %s: expected a .json (refast sim), .csv (snr,ber,bler) or .md "
                                    "(tables like ko-reference/BER.md) file", path);
    if (!strcmp(ext, "json")) {
        rf_json *j = rf_json_parse_file(path, err, errlen);
        if (!j) return false;
        rf_curve c = {0};
        bool ok = rf_curve_from_sim(j, path, axis, &c, err, errlen);
        rf_json_free(j);
        if (ok) {
            memmove(c.name + 4, c.name, sizeof c.name - 4);
            memcpy(c.name, "ref ", 4);
            c.name[sizeof c.name - 1] = '\0';
            ok = push(curves, ncurves, &c) || rf_fail(err, errlen, "out of memory");
        }
        if (!ok) rf_curve_free(&c);
        return ok;
    }
    char *text = read_text(path, err, errlen);
    if (!text) return false;
    const bool ok = !strcmp(ext, "csv") ? read_csv(path, text, curves, ncurves, err, errlen)
                                        : read_md(path, text, axis, curves, ncurves, err, errlen);
    free(text);
    return ok;
}
