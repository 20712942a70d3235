/* The pmoe-reference directory reader (refdir.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/refdir.h"
#include "bytes.h"

#define REFDIR_MAX_MANIFEST (1u << 24)
#define REFDIR_MAX_FILE ((uint64_t)1 << 32)

static char *dup_range(const char *s, size_t len)
{
    char *o = malloc(len + 1);
    if (o) {
        memcpy(o, s, len);
        o[len] = 0;
    }
    return o;
}

void rf_refdir_close(rf_refdir *rd)
{
    for (size_t i = 0; i < rd->count; i++) {
        free(rd->entries[i].path);
        free(rd->entries[i].folder);
        free(rd->entries[i].name);
    }
    free(rd->entries);
    free(rd->dir);
    memset(rd, 0, sizeof *rd);
}

/* Parses "<d0>x<d1>x..." into e; 0 or -1. */
static int parse_shape(const char *s, size_t len, rf_refdir_entry *e)
{
    size_t i = 0;
    e->ndim = 0;
    e->count = 1;
    while (i < len) {
        if (e->ndim == RF_REFDIR_MAX_DIMS || !isdigit((unsigned char)s[i])) return -1;
        size_t v = 0;
        while (i < len && isdigit((unsigned char)s[i])) {
            if (v > ((size_t)1 << 40)) return -1;
            v = v * 10 + (size_t)(s[i++] - '0');
        }
        if (v == 0 || e->count > (((size_t)1 << 40) / v)) return -1;
        e->shape[e->ndim++] = v;
        e->count *= v;
        if (i < len && s[i++] != 'x') return -1;
        if (i == len && s[len - 1] == 'x') return -1;
    }
    return e->ndim ? 0 : -1;
}

/* 1 if the path has a ".." component (it would leave the directory). */
static int climbs_out(const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '.' && s[i + 1] == '.' && (i == 0 || s[i - 1] == '/') && (i + 2 == len || s[i + 2] == '/'))
            return 1;
    return 0;
}

/* The next whitespace-separated token of [*p, end) (not crossing a '#'). */
static int next_token(const char **p, const char *end, const char **tok, size_t *len)
{
    const char *s = *p;
    while (s < end && isspace((unsigned char)*s)) s++;
    if (s == end || *s == '#') return 0;
    const char *t = s;
    while (s < end && !isspace((unsigned char)*s) && *s != '#') s++;
    *tok = t;
    *len = (size_t)(s - t);
    *p = s;
    return 1;
}

static int parse_line(const char *s, const char *end, rf_refdir_entry *e, const char **why)
{
    const char *tok[3];
    size_t len[3];
    int n = 0;
    while (n < 3 && next_token(&s, end, &tok[n], &len[n])) n++;
    if (n == 0) return 1; /* blank or comment line */
    if (n < 3) {
        *why = "expected '<path> <dtype> <shape>'";
        return -1;
    }
    const char *extra;
    size_t elen;
    if (next_token(&s, end, &extra, &elen)) {
        *why = "unexpected text before the '#' note";
        return -1;
    }
    if (len[0] == 0 || tok[0][0] == '/' || climbs_out(tok[0], len[0]) || memchr(tok[0], '\\', len[0])) {
        *why = "the path must be relative and stay inside the directory";
        return -1;
    }
    if (len[1] == 3 && !memcmp(tok[1], "<f8", 3)) e->dtype = RF_REFDIR_F64;
    else if (len[1] == 3 && !memcmp(tok[1], "<i4", 3)) e->dtype = RF_REFDIR_I32;
    else if (len[1] == 3 && !memcmp(tok[1], "|u1", 3)) e->dtype = RF_REFDIR_U8;
    else {
        *why = "unknown dtype (expected <f8, <i4 or |u1)";
        return -1;
    }
    if (parse_shape(tok[2], len[2], e)) {
        *why = "bad shape (expected positive dimensions like 8x16x784)";
        return -1;
    }
    const char *slash = NULL, *dot = NULL;
    for (size_t i = 0; i < len[0]; i++) {
        if (tok[0][i] == '/') slash = tok[0] + i;
        if (tok[0][i] == '.') dot = tok[0] + i;
    }
    const char *base = slash ? slash + 1 : tok[0];
    if (!dot || dot < base) dot = tok[0] + len[0];
    e->path = dup_range(tok[0], len[0]);
    e->folder = dup_range(tok[0], slash ? (size_t)(slash - tok[0]) : 0);
    e->name = dup_range(base, (size_t)(dot - base));
    if (!e->path || !e->folder || !e->name || !*e->name) {
        *why = !e->path || !e->folder || !e->name ? "out of memory" : "empty file name";
        return -1;
    }
    return 0;
}

int rf_refdir_open(rf_refdir *rd, const char *dir, char *err, size_t errlen)
{
    memset(rd, 0, sizeof *rd);
    char path[4096];
    if (snprintf(path, sizeof path, "%s/MANIFEST.txt", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    uint8_t *text;
    size_t len;
    if (!rf_read_file(path, REFDIR_MAX_MANIFEST, &text, &len, err, errlen)) return -1;
    rd->dir = dup_range(dir, strlen(dir));
    const char *s = (const char *)text, *end = s + len;
    size_t line = 0, cap = 0;
    int rc = 0;
    while (s < end && rc == 0) {
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol) eol = end;
        line++;
        if (memchr(s, 0, (size_t)(eol - s))) {
            snprintf(err, errlen, "%s line %zu: NUL byte in a text file", path, line);
            rc = -1;
            break;
        }
        if (rd->count == cap) {
            cap = cap ? 2 * cap : 64;
            rf_refdir_entry *grown = realloc(rd->entries, cap * sizeof *grown);
            if (!grown) {
                snprintf(err, errlen, "%s: out of memory", path);
                rc = -1;
                break;
            }
            rd->entries = grown;
        }
        rf_refdir_entry *e = &rd->entries[rd->count];
        memset(e, 0, sizeof *e);
        const char *why = NULL;
        const int r = parse_line(s, eol, e, &why);
        if (r < 0) {
            snprintf(err, errlen, "%s line %zu: %s", path, line, why);
            rd->count++; /* so that close frees what the line allocated */
            rc = -1;
        } else if (r == 0) {
            for (size_t i = 0; i < rd->count; i++)
                if (!strcmp(rd->entries[i].path, e->path)) {
                    snprintf(err, errlen, "%s line %zu: '%s' is listed twice", path, line, e->path);
                    rc = -1;
                }
            rd->count++;
        }
        s = eol + 1;
    }
    free(text);
    if (rc == 0 && rd->count == 0) {
        snprintf(err, errlen, "%s: no arrays listed", path);
        rc = -1;
    }
    if (rc) rf_refdir_close(rd);
    return rc;
}

const rf_refdir_entry *rf_refdir_find(const rf_refdir *rd, const char *folder, const char *name)
{
    for (size_t i = 0; i < rd->count; i++)
        if (!strcmp(rd->entries[i].folder, folder) && !strcmp(rd->entries[i].name, name)) return &rd->entries[i];
    return NULL;
}

size_t rf_refdir_folders(const rf_refdir *rd, const char ***names)
{
    const char **out = malloc((rd->count ? rd->count : 1) * sizeof *out);
    size_t n = 0;
    if (!out) {
        *names = NULL;
        return 0;
    }
    for (size_t i = 0; i < rd->count; i++) {
        size_t j = 0;
        while (j < n && strcmp(out[j], rd->entries[i].folder)) j++;
        if (j == n) out[n++] = rd->entries[i].folder;
    }
    *names = out;
    return n;
}

int rf_refdir_load(const rf_refdir *rd, const rf_refdir_entry *e, void **data, char *err, size_t errlen)
{
    static const unsigned item[] = {8, 4, 1};
    char path[4096];
    *data = NULL;
    if (snprintf(path, sizeof path, "%s/%s", rd->dir, e->path) >= (int)sizeof path) {
        snprintf(err, errlen, "%s/%s: path too long", rd->dir, e->path);
        return -1;
    }
    uint8_t *raw;
    size_t len;
    if (!rf_read_file(path, REFDIR_MAX_FILE, &raw, &len, err, errlen)) return -1;
    const size_t want = e->count * item[e->dtype];
    if (len != want) {
        snprintf(err, errlen, "%s: %zu bytes, but MANIFEST.txt gives %zu values of %u bytes (%zu bytes)%s", path,
                 len, e->count, item[e->dtype], want, len < want ? ": truncated" : "");
        free(raw);
        return -1;
    }
    void *out = malloc(want ? want : 1);
    if (!out) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(raw);
        return -1;
    }
    for (size_t i = 0; i < e->count; i++) {
        const uint8_t *src = raw + i * item[e->dtype];
        if (e->dtype == RF_REFDIR_F64) {
            const uint64_t bits = rf_load_le(src, 8);
            memcpy((double *)out + i, &bits, 8);
        } else if (e->dtype == RF_REFDIR_I32) {
            ((int32_t *)out)[i] = (int32_t)(uint32_t)rf_load_le(src, 4);
        } else {
            ((uint8_t *)out)[i] = src[0];
        }
    }
    free(raw);
    *data = out;
    return 0;
}
