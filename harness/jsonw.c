#include "jsonw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfg.h"

void rf_jsonw_init(rf_jsonw *w)
{
    memset(w, 0, sizeof *w);
}

void rf_jsonw_free(rf_jsonw *w)
{
    free(w->p);
    memset(w, 0, sizeof *w);
}

static void append(rf_jsonw *w, const char *s, size_t n)
{
    if (w->oom) return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 1024;
        while (cap < w->len + n + 1) cap *= 2;
        char *p = realloc(w->p, cap);
        if (!p) {
            w->oom = true;
            return;
        }
        w->p = p;
        w->cap = cap;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
    w->p[w->len] = '\0';
}

void rf_jsonw_raw(rf_jsonw *w, const char *s)
{
    append(w, s, strlen(s));
}

void rf_jsonw_fmt(rf_jsonw *w, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    append(w, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void rf_jsonw_str(rf_jsonw *w, const char *s)
{
    append(w, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            append(w, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            append(w, esc, 6);
        } else {
            append(w, (const char *)p, 1);
        }
    }
    append(w, "\"", 1);
}

bool rf_jsonw_save(const rf_jsonw *w, const char *path, char *err, size_t errlen)
{
    if (w->oom) {
        snprintf(err, errlen, "%s: out of memory while writing JSON", path);
        return false;
    }
    return rf_write_file_atomic(path, w->p ? w->p : "", w->len, err, errlen);
}
