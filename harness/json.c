/* JSON reader: a recursive-descent parser whose recursion is bounded by RF_JSON_MAX_DEPTH, so no
 * input can exhaust the stack; every read is checked against the end of the buffer. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RF_JSON_MAX_FILE ((size_t)1 << 30)

typedef struct parser {
    const char *p, *end;
    int line;
    const char *line_start;
    bool failed;
    int eline, ecol;
    char msg[200];
} parser;

static bool fail(parser *ps, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(parser *ps, const char *at, const char *fmt, ...)
{
    if (ps->failed) return false;
    ps->failed = true;
    ps->eline = ps->line;
    ps->ecol = (int)(at - ps->line_start) + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->msg, sizeof ps->msg, fmt, ap);
    va_end(ap);
    return false;
}

/* "'x'" for printable ASCII, "byte 0xNN" otherwise, "end of input" past the end. */
static const char *describe(const parser *ps, const char *at, char buf[24])
{
    if (at >= ps->end) return "end of input";
    unsigned char c = (unsigned char)*at;
    if (c >= 0x20 && c < 0x7f) snprintf(buf, 24, "'%c'", c);
    else snprintf(buf, 24, "byte 0x%02X", c);
    return buf;
}

static bool unexpected(parser *ps, const char *expected)
{
    char buf[24];
    return fail(ps, ps->p, "unexpected %s, expected %s", describe(ps, ps->p, buf), expected);
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == '\n') {
            ps->line++;
            ps->line_start = ps->p + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            return;
        }
        ps->p++;
    }
}

static bool match_word(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return false;
    /* "nullx" is not null followed by garbage we silently accept: the caller sees 'x' next. */
    ps->p += n;
    return true;
}

/* ---- strings ---------------------------------------------------------------------------- */

typedef struct sbuf {
    char *data;
    size_t len, cap;
} sbuf;

static bool sbuf_put(sbuf *b, const char *src, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) return false;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 if it is malformed (overlong forms,
 * encoded surrogates and code points above U+10FFFF included). */
static size_t utf8_valid(const unsigned char *s, const unsigned char *end)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07, min = 0x10000;
    else return 0;
    if ((size_t)(end - s) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static bool hex4(parser *ps, const char *at, uint32_t *out)
{
    if (ps->end - at < 4) return fail(ps, at, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = at[i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
        if (d < 0) return fail(ps, at + i, "invalid hex digit in \\u escape");
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return true;
}

/* At the opening quote. On success *out owns a NUL-terminated copy. */
static bool parse_string(parser *ps, char **out, size_t *outlen)
{
    const char *start = ps->p;
    sbuf b = {0};
    ps->p++;
    for (;;) {
        const char *run = ps->p;
        while (ps->p < ps->end) {
            unsigned char c = (unsigned char)*ps->p;
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
            ps->p++;
        }
        if (ps->p > run && !sbuf_put(&b, run, (size_t)(ps->p - run))) goto oom;
        if (ps->p >= ps->end) {
            fail(ps, start, "unterminated string");
            goto bad;
        }
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20) {
            fail(ps, ps->p, "raw control character 0x%02X in string (must be escaped)", c);
            goto bad;
        }
        if (c >= 0x80) {
            size_t n = utf8_valid((const unsigned char *)ps->p, (const unsigned char *)ps->end);
            if (!n) {
                fail(ps, ps->p, "invalid UTF-8 in string");
                goto bad;
            }
            if (!sbuf_put(&b, ps->p, n)) goto oom;
            ps->p += n;
            continue;
        }
        /* backslash */
        const char *esc = ps->p;
        if (ps->end - ps->p < 2) {
            fail(ps, start, "unterminated string");
            goto bad;
        }
        char e = ps->p[1];
        ps->p += 2;
        char ch;
        switch (e) {
        case '"': ch = '"'; break;
        case '\\': ch = '\\'; break;
        case '/': ch = '/'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case 'u': {
            uint32_t cp = 0; /* set by hex4 on success; gcc 12 on aarch64 cannot see it */
            if (!hex4(ps, ps->p, &cp)) goto bad;
            ps->p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail(ps, esc, "unpaired low surrogate \\u%04X", (unsigned)cp);
                goto bad;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = 0;
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                    fail(ps, esc, "high surrogate \\u%04X not followed by a low surrogate", (unsigned)cp);
                    goto bad;
                }
                if (!hex4(ps, ps->p + 2, &lo)) goto bad;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail(ps, esc, "high surrogate \\u%04X not followed by a low surrogate", (unsigned)cp);
                    goto bad;
                }
                ps->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            char enc[4];
            if (!sbuf_put(&b, enc, utf8_encode(cp, enc))) goto oom;
            continue;
        }
        default: {
            char buf[24];
            fail(ps, esc, "invalid escape \\%s in string", describe(ps, esc + 1, buf));
            goto bad;
        }
        }
        if (!sbuf_put(&b, &ch, 1)) goto oom;
    }
    if (!b.data && !sbuf_put(&b, "", 0)) goto oom;
    *out = b.data;
    *outlen = b.len;
    return true;
oom:
    fail(ps, start, "out of memory");
bad:
    free(b.data);
    return false;
}

/* ---- numbers ---------------------------------------------------------------------------- */

static bool is_digit(const parser *ps, const char *q) { return q < ps->end && *q >= '0' && *q <= '9'; }

static bool parse_number(parser *ps, double *out)
{
    const char *start = ps->p, *q = ps->p;
    bool neg = false;
    if (q < ps->end && *q == '-') neg = true, q++;
    ps->p = q;
    if (match_word(ps, "NaN")) {
        *out = neg ? -NAN : NAN;
        return true;
    }
    if (match_word(ps, "Infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (!is_digit(ps, q)) return fail(ps, q, "invalid number: expected a digit after '-'");
    if (*q == '0') {
        q++;
        if (is_digit(ps, q)) return fail(ps, q, "invalid number: leading zero");
    } else {
        while (is_digit(ps, q)) q++;
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (!is_digit(ps, q)) return fail(ps, q, "invalid number: expected a digit after '.'");
        while (is_digit(ps, q)) q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-')) q++;
        if (!is_digit(ps, q)) return fail(ps, q, "invalid number: expected a digit in the exponent");
        while (is_digit(ps, q)) q++;
    }
    /* strtod needs a terminated copy; the grammar above already fixed the extent. */
    size_t n = (size_t)(q - start);
    char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf) return fail(ps, start, "out of memory");
    memcpy(buf, start, n);
    buf[n] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    int range = errno;
    if (buf != small) free(buf);
    if (range == ERANGE && isinf(v)) return fail(ps, start, "number out of range for a double");
    *out = v;
    ps->p = q;
    return true;
}

/* ---- values ----------------------------------------------------------------------------- */

static bool parse_value(parser *ps, rf_json *v, int depth);

static bool grow(parser *ps, rf_json *v, size_t *cap, bool with_keys)
{
    if (v->count < *cap) return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    rf_json *items = realloc(v->items, ncap * sizeof *items);
    if (!items) return fail(ps, ps->p, "out of memory");
    v->items = items;
    if (with_keys) {
        char **keys = realloc(v->keys, ncap * sizeof *keys);
        if (!keys) return fail(ps, ps->p, "out of memory");
        v->keys = keys;
    }
    *cap = ncap;
    return true;
}

static bool parse_array(parser *ps, rf_json *v, int depth)
{
    size_t cap = 0;
    v->type = RF_JSON_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return true;
    }
    for (;;) {
        if (!grow(ps, v, &cap, false)) return false;
        rf_json *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        v->count++; /* counted before parsing so that a failure frees what was built */
        if (!parse_value(ps, item, depth + 1)) return false;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return true;
        }
        return unexpected(ps, "',' or ']' in array");
    }
}

static bool parse_object(parser *ps, rf_json *v, int depth)
{
    size_t cap = 0;
    v->type = RF_JSON_OBJECT;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return true;
    }
    for (;;) {
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"') return unexpected(ps, "a string (member name) in object");
        if (!grow(ps, v, &cap, true)) return false;
        rf_json *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        size_t klen;
        if (!parse_string(ps, &v->keys[v->count], &klen)) return false;
        v->count++;
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') return unexpected(ps, "':' after member name");
        ps->p++;
        if (!parse_value(ps, item, depth + 1)) return false;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return true;
        }
        return unexpected(ps, "',' or '}' in object");
    }
}

static bool parse_value(parser *ps, rf_json *v, int depth)
{
    skip_ws(ps);
    v->line = ps->line;
    v->col = (int)(ps->p - ps->line_start) + 1;
    if (depth > RF_JSON_MAX_DEPTH)
        return fail(ps, ps->p, "nesting deeper than %d levels", RF_JSON_MAX_DEPTH);
    if (ps->p >= ps->end) return unexpected(ps, "a value");
    switch (*ps->p) {
    case '{': return parse_object(ps, v, depth);
    case '[': return parse_array(ps, v, depth);
    case '"':
        v->type = RF_JSON_STRING;
        return parse_string(ps, &v->str, &v->len);
    case 't':
    case 'f':
    case 'n':
        if (match_word(ps, "true")) v->type = RF_JSON_BOOL, v->boolean = true;
        else if (match_word(ps, "false")) v->type = RF_JSON_BOOL, v->boolean = false;
        else if (match_word(ps, "null")) v->type = RF_JSON_NULL;
        else return unexpected(ps, "a value");
        return true;
    default:
        if (*ps->p == '-' || *ps->p == 'N' || *ps->p == 'I' || (*ps->p >= '0' && *ps->p <= '9')) {
            v->type = RF_JSON_NUMBER;
            if (*ps->p == 'N' || *ps->p == 'I') {
                if (match_word(ps, "NaN")) return v->number = NAN, true;
                if (match_word(ps, "Infinity")) return v->number = INFINITY, true;
                return unexpected(ps, "a value");
            }
            return parse_number(ps, &v->number);
        }
        return unexpected(ps, "a value");
    }
}

static void free_children(rf_json *v)
{
    for (size_t i = 0; i < v->count; i++) {
        free_children(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
}

void rf_json_free(rf_json *v)
{
    if (!v) return;
    free_children(v);
    free(v);
}

static rf_json *parse_buffer(const char *text, size_t len, parser *ps)
{
    memset(ps, 0, sizeof *ps);
    ps->p = text;
    ps->end = text + len;
    ps->line = 1;
    ps->line_start = text;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ps->p += 3, ps->line_start += 3;
    rf_json *v = calloc(1, sizeof *v);
    if (!v) {
        fail(ps, ps->p, "out of memory");
        return NULL;
    }
    skip_ws(ps);
    if (ps->p >= ps->end) {
        fail(ps, ps->p, "empty input (no JSON value)");
    } else if (parse_value(ps, v, 1)) {
        skip_ws(ps);
        if (ps->p < ps->end) {
            char buf[24];
            fail(ps, ps->p, "unexpected %s after the JSON value", describe(ps, ps->p, buf));
        }
    }
    if (ps->failed) {
        rf_json_free(v);
        return NULL;
    }
    return v;
}

rf_json *rf_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    parser ps;
    rf_json *v = parse_buffer(text, len, &ps);
    if (!v && err && errlen) snprintf(err, errlen, "line %d, column %d: %s", ps.eline, ps.ecol, ps.msg);
    return v;
}

rf_json *rf_json_parse_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= RF_JSON_MAX_FILE) {
                snprintf(err, errlen, "%s: file larger than %zu bytes", path, RF_JSON_MAX_FILE);
                goto bad;
            }
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                snprintf(err, errlen, "%s: out of memory reading the file", path);
                goto bad;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        goto bad;
    }
    fclose(f);
    parser ps;
    rf_json *v = parse_buffer(buf ? buf : "", len, &ps);
    free(buf);
    if (!v) snprintf(err, errlen, "%s:%d:%d: malformed JSON: %s", path, ps.eline, ps.ecol, ps.msg);
    return v;
bad:
    fclose(f);
    free(buf);
    return NULL;
}

const rf_json *rf_json_get(const rf_json *v, const char *key)
{
    if (!v || v->type != RF_JSON_OBJECT) return NULL;
    for (size_t i = v->count; i-- > 0;)
        if (!strcmp(v->keys[i], key)) return &v->items[i];
    return NULL;
}

bool rf_json_get_number(const rf_json *v, const char *key, double *out)
{
    const rf_json *m = rf_json_get(v, key);
    if (!m || m->type != RF_JSON_NUMBER) return false;
    *out = m->number;
    return true;
}

const char *rf_json_get_string(const rf_json *v, const char *key)
{
    const rf_json *m = rf_json_get(v, key);
    return m && m->type == RF_JSON_STRING ? m->str : NULL;
}

const char *rf_json_type_name(rf_json_type t)
{
    static const char *const names[] = {"null", "boolean", "number", "string", "array", "object"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}
