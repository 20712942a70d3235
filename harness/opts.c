/* Table-driven option parsing and the option part of the help (see opts.h). */
#include "opts.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

#define HELP_COLUMN 24
#define SYNOPSIS_WIDTH 100

static void *field(const rf_opt *r, void *dst) { return (char *)dst + r->off; }

static bool is_option(const rf_opt *r)
{
    return r->kind != RF_OPT_ARG && r->kind != RF_OPT_TEXT && r->kind != RF_OPT_END;
}

/* ---- numbers and ranges ----------------------------------------------------------------------- */

/* Strict: false on garbage, a sign, overflow. */
static bool parse_u64(const char *s, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

/* Strict: false on garbage, overflow, NaN or an infinity. */
static bool parse_f64(const char *s, double *out)
{
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || isnan(v) || isinf(v)) return false;
    *out = v;
    return true;
}

static const char *bound_text(const rf_opt *r, double v, char out[32])
{
    if (r->kind == RF_OPT_U64) snprintf(out, 32, "%llu", (unsigned long long)v);
    else snprintf(out, 32, "%g", v); /* bounds in tables are short numbers: 60, 0.05 */
    return out;
}

/* "in [1, 1000]", ">= 0", "> 0" or "" (no restriction worth stating). */
static const char *range_text(const rf_opt *r, char *out, size_t len)
{
    const bool lower = r->kind == RF_OPT_U64 ? r->min > 0 : r->min > -INFINITY;
    const bool upper = r->max > r->min && r->max < INFINITY;
    const bool lo_open = r->flags & RF_OPT_MIN_OPEN, hi_open = r->flags & RF_OPT_MAX_OPEN;
    char a[32], b[32];
    bound_text(r, r->min, a);
    bound_text(r, r->max, b);
    if (lower && upper) snprintf(out, len, "in %c%s, %s%c", lo_open ? '(' : '[', a, b, hi_open ? ')' : ']');
    else if (lower) snprintf(out, len, "%s %s", lo_open ? ">" : ">=", a);
    else if (upper) snprintf(out, len, "%s %s", hi_open ? "<" : "<=", b);
    else snprintf(out, len, "%s", "");
    return out;
}

static bool in_range(const rf_opt *r, double v)
{
    if (r->flags & RF_OPT_MIN_OPEN ? !(v > r->min) : !(v >= r->min)) return false;
    if (r->max > r->min && (r->flags & RF_OPT_MAX_OPEN ? !(v < r->max) : !(v <= r->max))) return false;
    return true;
}

/* Index of word in "a|b|c", or -1. */
static int choice_index(const char *choices, const char *word)
{
    const size_t len = strlen(word);
    int i = 0;
    for (const char *p = choices;; i++) {
        const char *bar = strchr(p, '|');
        const size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && !strncmp(p, word, n)) return i;
        if (!bar) return -1;
        p = bar + 1;
    }
}

/* "a, b or c" from "a|b|c". */
static const char *choice_list(const char *choices, char *out, size_t len)
{
    size_t o = 0;
    const char *last = strrchr(choices, '|');
    for (const char *p = choices; *p && o + 5 < len; p++) {
        if (*p != '|') out[o++] = *p;
        else if (p == last) o += (size_t)snprintf(out + o, len - o, " or ");
        else o += (size_t)snprintf(out + o, len - o, ", ");
    }
    out[o < len ? o : len - 1] = '\0';
    return out;
}

/* ---- values ----------------------------------------------------------------------------------- */

static int set_levels(const char *path, const char *v, rf_levels *out)
{
    memset(out, 0, sizeof *out);
    if (!v || !*v) {
        out->on[rf_isa_best()] = true;
        return 0;
    }
    if (!strcmp(v, "all")) {
        for (int i = 0; i < RF_ISA_COUNT; i++) out->on[i] = rf_isa_usable((rf_isa)i);
        return 0;
    }
    char err[256];
    rf_isa level;
    if (!rf_isa_request(v, &level, err, sizeof err)) return rf_usage_error("%s: --isa: %s", path, err);
    out->on[level] = true;
    return 0;
}

/* Stores value v of row r into dst; 0 or the exit code after the message. */
static int set_value(const rf_opt *r, const char *path, const char *v, void *dst)
{
    void *f = field(r, dst);
    char range[96];
    switch (r->kind) {
    case RF_OPT_FLAG: *(bool *)f = true; return 0;
    case RF_OPT_STR:
    case RF_OPT_ARG: *(const char **)f = v; return 0;
    case RF_OPT_FILE:
        if (v && !*v) return rf_usage_error("%s: %s needs a file name", path, r->name);
        *(const char **)f = v;
        return 0;
    case RF_OPT_FILES: {
        if (!*v) return rf_usage_error("%s: %s needs a file name", path, r->name);
        rf_strlist *l = f;
        const char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);
        if (!nv) return rf_usage_error("%s: out of memory", path);
        l->v = nv;
        l->v[l->n++] = v;
        return 0;
    }
    case RF_OPT_U64: {
        unsigned long long x;
        if (!parse_u64(v, &x)) return rf_usage_error("%s: %s '%s': not a non-negative integer", path, r->name, v);
        /* compared as integers: every bound in a table is exact in a double */
        if (x < (unsigned long long)r->min || (r->max > r->min && x > (unsigned long long)r->max))
            return rf_usage_error("%s: %s %s: must be %s", path, r->name, v, range_text(r, range, sizeof range));
        *(unsigned long long *)f = x;
        return 0;
    }
    case RF_OPT_F64: {
        char buf[64];
        const size_t n = strlen(v);
        const char *num = v;
        if ((r->flags & RF_OPT_PERCENT) && n > 1 && n < sizeof buf && v[n - 1] == '%') {
            memcpy(buf, v, n - 1);
            buf[n - 1] = '\0';
            num = buf;
        }
        double x;
        if (!parse_f64(num, &x)) return rf_usage_error("%s: %s '%s': not a finite number", path, r->name, v);
        if (!in_range(r, x))
            return rf_usage_error("%s: %s %s: must be %s", path, r->name, v, range_text(r, range, sizeof range));
        *(double *)f = x;
        return 0;
    }
    case RF_OPT_CHOICE: {
        const int i = choice_index(r->meta, v);
        char list[160];
        if (i < 0)
            return rf_usage_error("%s: unknown %s '%s' (expected %s)", path, r->name, v,
                                  choice_list(r->meta, list, sizeof list));
        *(int *)f = i;
        return 0;
    }
    case RF_OPT_LEVEL: {
        char err[256];
        if (!rf_isa_request(v, (rf_isa *)f, err, sizeof err)) return rf_usage_error("%s: %s: %s", path, r->name, err);
        return 0;
    }
    case RF_OPT_LEVELS: return set_levels(path, v, f);
    case RF_OPT_TEXT:
    case RF_OPT_END: return 0;
    }
    return 0;
}

static int apply_defaults(const rf_opt *rows, const char *path, void *dst)
{
    for (const rf_opt *r = rows; r->kind != RF_OPT_END; r++) {
        int rc = 0;
        if (r->kind == RF_OPT_CHOICE) *(int *)field(r, dst) = -1;
        if (r->def) rc = set_value(r, path, r->def, dst);
        else if (r->kind == RF_OPT_LEVELS) rc = set_levels(path, getenv("REFAST_ISA"), field(r, dst));
        if (rc) return rc;
    }
    return 0;
}

/* ---- the parse -------------------------------------------------------------------------------- */

static size_t count_rows(const rf_opt *rows)
{
    size_t n = 0;
    while (rows[n].kind != RF_OPT_END) n++;
    return n;
}

/* The option row argv[i] names (exact, or "--name=..."), with *value set from "=..." if any. */
static const rf_opt *find_option(const rf_opt *rows, const char *arg, const char **value)
{
    for (const rf_opt *r = rows; r->kind != RF_OPT_END; r++) {
        if (!is_option(r)) continue;
        const size_t n = strlen(r->name);
        if (strncmp(arg, r->name, n) != 0) continue;
        if (arg[n] == '\0') return *value = NULL, r;
        if (arg[n] == '=') return *value = arg + n + 1, r;
    }
    return NULL;
}

/* "--a, --b and --c" for group g. */
static const char *group_names(const rf_opt *rows, int g, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (const rf_opt *r = rows; r->kind != RF_OPT_END && o < len; r++)
        if (is_option(r) && r->group == g) o += (size_t)snprintf(out + o, len - o, "%s%s", o ? ", " : "", r->name);
    return out;
}

/* Consumes the option at argv[*i]; 0 or the exit code. */
static int take_option(const rf_opt *r, const char *path, int argc, char **argv, int *i, const char *eq, void *dst)
{
    if (r->kind == RF_OPT_FLAG) {
        if (eq) return rf_usage_error("%s: %s takes no value", path, r->name);
        return set_value(r, path, NULL, dst);
    }
    const char *v = eq;
    if (!v && (r->flags & RF_OPT_VALUE_OPTIONAL)) {
        if (*i + 1 < argc && argv[*i + 1][0] != '-') v = argv[++*i];
        return set_value(r, path, v, dst);
    }
    if (!v) {
        if (*i + 1 >= argc) return rf_usage_error("%s: %s needs a value (%s)", path, r->name, r->meta ? r->meta : "");
        v = argv[++*i];
    }
    int rc = set_value(r, path, v, dst);
    if (r->kind == RF_OPT_FILES && !eq) /* "--in A B C": the words up to the next option */
        while (!rc && *i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) rc = set_value(r, path, argv[++*i], dst);
    return rc;
}

static int check_after(const rf_opt *rows, const char *path, const bool *seen)
{
    char names[256];
    size_t i = 0;
    for (const rf_opt *r = rows; r->kind != RF_OPT_END; r++, i++) {
        if (!(r->flags & RF_OPT_REQUIRED) || seen[i]) continue;
        if (r->group) {
            bool any = false;
            size_t j = 0;
            for (const rf_opt *q = rows; q->kind != RF_OPT_END; q++, j++) any |= q->group == r->group && seen[j];
            if (!any)
                return rf_usage_error("%s: one of %s is required (see refast %s --help)", path,
                                      group_names(rows, r->group, names, sizeof names), path);
        } else if (r->kind == RF_OPT_ARG) {
            return rf_usage_error("%s: %s is required (see refast %s --help)", path, r->name, path);
        } else {
            return rf_usage_error("%s: %s%s%s is required (see refast %s --help)", path, r->name, r->meta ? " " : "",
                                  r->meta ? r->meta : "", path);
        }
    }
    return 0;
}

/* The row that takes argument a (an option, or the next unfilled positional), or NULL after the
 * message. */
static const rf_opt *row_for(const rf_opt *rows, const char *path, const char *a, const bool *seen, const char **eq)
{
    const rf_opt *r = NULL;
    *eq = NULL;
    if (a[0] == '-') {
        if (!(r = find_option(rows, a, eq)))
            rf_usage_error("%s: unknown argument '%s' (see refast %s --help)", path, a, path);
        return r;
    }
    for (r = rows; r->kind != RF_OPT_END; r++)
        if (r->kind == RF_OPT_ARG && !seen[r - rows]) return r;
    rf_usage_error("%s: unexpected argument '%s' (see refast %s --help)", path, a, path);
    return NULL;
}

/* A second option of r's group. */
static int group_conflict(const rf_opt *rows, const rf_opt *r, const char *path, const bool *seen)
{
    char names[256];
    for (const rf_opt *q = rows; r->group && q->kind != RF_OPT_END; q++)
        if (q != r && q->group == r->group && seen[q - rows])
            return rf_usage_error("%s: give only one of %s", path, group_names(rows, r->group, names, sizeof names));
    return 0;
}

int rf_opts_parse(const rf_opt *rows, const char *path, int argc, char **argv, void *dst, bool *help)
{
    *help = false;
    const size_t n = count_rows(rows);
    bool *seen = calloc(n + 1, sizeof *seen);
    if (!seen) return rf_usage_error("%s: out of memory", path);
    int rc = apply_defaults(rows, path, dst);
    for (int i = 1; !rc && i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            *help = true;
            break;
        }
        const char *eq;
        const rf_opt *r = row_for(rows, path, argv[i], seen, &eq);
        if (!r) rc = RF_EXIT_USAGE;
        else if (r->kind == RF_OPT_ARG) rc = set_value(r, path, argv[i], dst);
        else rc = take_option(r, path, argc, argv, &i, eq, dst);
        if (!rc) rc = group_conflict(rows, r, path, seen);
        if (rc) break;
        seen[r - rows] = true;
        if (r->given) *(bool *)((char *)dst + r->given - 1) = true;
    }
    if (!rc && !*help) rc = check_after(rows, path, seen);
    for (size_t i = 0; !rc && !*help && i < n; i++)
        if (rows[i].kind == RF_OPT_LEVEL && seen[i]) rf_isa_set(*(rf_isa *)field(&rows[i], dst));
    free(seen);
    return rc;
}

void rf_opts_free(const rf_opt *rows, void *dst)
{
    for (const rf_opt *r = rows; r->kind != RF_OPT_END; r++)
        if (r->kind == RF_OPT_FILES) {
            rf_strlist *l = field(r, dst);
            free(l->v);
            memset(l, 0, sizeof *l);
        }
}

/* ---- help ------------------------------------------------------------------------------------- */

/* "--name META" as the synopsis and the help show it. */
static const char *option_text(const rf_opt *r, char *out, size_t len)
{
    const char *meta = r->meta ? r->meta
                       : r->kind == RF_OPT_LEVEL ? "LEVEL"
                       : r->kind == RF_OPT_LEVELS ? "LEVEL|all"
                                                  : "VALUE";
    if (r->kind == RF_OPT_ARG || r->kind == RF_OPT_FLAG) snprintf(out, len, "%s", r->name);
    else if (r->flags & RF_OPT_VALUE_OPTIONAL) snprintf(out, len, "%s [%s]", r->name, meta);
    else snprintf(out, len, "%s %s%s", r->name, meta, r->kind == RF_OPT_FILES ? "..." : "");
    return out;
}

void rf_opts_synopsis(FILE *f, const rf_opt *rows, const char *path)
{
    const int indent = fprintf(f, "usage: refast %s", path);
    int col = indent;
    for (const rf_opt *r = rows; r->kind != RF_OPT_END; r++) {
        if (r->kind == RF_OPT_TEXT) continue;
        char item[512], one[160];
        const bool req = r->flags & RF_OPT_REQUIRED;
        if (r->group) {
            bool first = true;
            for (const rf_opt *q = rows; q < r; q++) first &= !(q->group == r->group && is_option(q));
            if (!first) continue; /* printed with the first row of its group */
            size_t o = (size_t)snprintf(item, sizeof item, "%c", req ? '(' : '[');
            for (const rf_opt *q = r; q->kind != RF_OPT_END; q++)
                if (q->group == r->group && is_option(q))
                    o += (size_t)snprintf(item + o, sizeof item - o, "%s%s", q == r ? "" : " | ",
                                          option_text(q, one, sizeof one));
            snprintf(item + o, sizeof item - o, "%c", req ? ')' : ']');
        } else {
            option_text(r, one, sizeof one);
            snprintf(item, sizeof item, req ? "%s" : "[%s]", one);
        }
        const int w = (int)strlen(item);
        if (col + 1 + w > SYNOPSIS_WIDTH && col > indent) col = fprintf(f, "\n%*s", indent, "") - 1;
        col += fprintf(f, " %s", item);
    }
    fputc('\n', f);
}

/* Writes text with each '\n' continued at the help column. */
static void put_indented(FILE *f, const char *text)
{
    for (; *text; text++) {
        fputc(*text, f);
        if (*text == '\n' && text[1]) fprintf(f, "%*s", HELP_COLUMN, "");
    }
}

void rf_opts_help(FILE *f, const rf_opt *rows)
{
    for (const rf_opt *r = rows; r->kind != RF_OPT_END; r++) {
        if (r->kind == RF_OPT_TEXT) {
            fprintf(f, "\n%s\n", r->help);
            continue;
        }
        char opt[160], range[96] = "", extra[224] = "";
        const int w = fprintf(f, "  %s", option_text(r, opt, sizeof opt));
        if (w >= HELP_COLUMN - 1) fprintf(f, "\n%*s", HELP_COLUMN, "");
        else fprintf(f, "%*s", HELP_COLUMN - w, "");
        put_indented(f, r->help ? r->help : "");
        if (r->kind == RF_OPT_U64 || r->kind == RF_OPT_F64) range_text(r, range, sizeof range);
        if (r->def && *range) snprintf(extra, sizeof extra, " (default %s; %s)", r->def, range);
        else if (r->def) snprintf(extra, sizeof extra, " (default %s)", r->def);
        else if (*range) snprintf(extra, sizeof extra, " (%s)", range);
        fprintf(f, "%s\n", extra);
    }
}
