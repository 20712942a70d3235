/* The weights.json scanner of the ko-reference importers (ko_refjson.h). */
#include "refjson.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_blank(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')) s++;
    return s;
}

const char *rf_kj_key(const char *p, const char *end, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const size_t pl = strlen(pat);
    for (const char *q = p; q < end; q++) {
        q = strstr(q, pat);
        if (!q || q + pl > end) return NULL;
        const char *s = skip_blank(q + pl, end);
        if (s < end && *s == ':') return skip_blank(s + 1, end);
    }
    return NULL;
}

bool rf_kj_ulong(const char *p, const char *end, const char *key, unsigned long long *v)
{
    const char *s = rf_kj_key(p, end, key);
    char *e;
    if (!s || s >= end || *s < '0' || *s > '9') return false;
    *v = strtoull(s, &e, 10);
    return e > s && e <= end;
}

unsigned rf_kj_shape(const char *p, const char *end, unsigned long long dims[2])
{
    const char *s = rf_kj_key(p, end, "shape");
    if (!s || s >= end || *s != '[') return 0;
    unsigned nd = 0;
    s = skip_blank(s + 1, end);
    while (s < end && nd < 2) {
        char *e;
        if (*s < '0' || *s > '9') return 0;
        dims[nd++] = strtoull(s, &e, 10);
        s = skip_blank(e, end);
        if (s < end && *s == ']') return nd;
        if (s >= end || *s != ',') return 0;
        s = skip_blank(s + 1, end);
    }
    return 0;
}

bool rf_kj_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}
