/* Text buffer and all-or-nothing multi-file writer (see textbuf.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "textbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void rf_tb_init(rf_tb *t) { memset(t, 0, sizeof *t); }

void rf_tb_free(rf_tb *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

bool rf_tb_ok(const rf_tb *t) { return !t->oom; }

static bool reserve(rf_tb *t, size_t extra)
{
    if (t->oom) return false;
    if (t->len + extra + 1 <= t->cap) return true;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + extra + 1) cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) return t->oom = true, false;
    t->p = p;
    t->cap = cap;
    return true;
}

static void put(rf_tb *t, const char *s, size_t n)
{
    if (!reserve(t, n)) return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void rf_tb_puts(rf_tb *t, const char *s) { put(t, s, strlen(s)); }

void rf_tb_printf(rf_tb *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(t, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void rf_tb_esc(rf_tb *t, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': rf_tb_puts(t, "&amp;"); break;
        case '<': rf_tb_puts(t, "&lt;"); break;
        case '>': rf_tb_puts(t, "&gt;"); break;
        case '"': rf_tb_puts(t, "&quot;"); break;
        case '\'': rf_tb_puts(t, "&#39;"); break;
        default: put(t, s, 1);
        }
    }
}

void rf_tb_md(rf_tb *t, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') rf_tb_puts(t, "\\|");
        else if (*s == '\n') rf_tb_puts(t, " ");
        else put(t, s, 1);
    }
}

static bool write_file(const char *path, const rf_tb *text, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return false;
    }
    bool ok = fwrite(text->p ? text->p : "", 1, text->len, f) == text->len;
    int saved = errno;
    if (fclose(f) != 0 && ok) ok = false, saved = errno;
    if (!ok) snprintf(err, errlen, "%s: write failed: %s", path, strerror(saved));
    return ok;
}

bool rf_files_commit(const rf_outfile *files, size_t n, char *err, size_t errlen)
{
    char **tmp = calloc(n ? n : 1, sizeof *tmp);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (!rf_tb_ok(files[i].text)) {
            snprintf(err, errlen, "%s: out of memory while generating it", files[i].path);
            ok = false;
            break;
        }
        size_t len = strlen(files[i].path) + 32;
        tmp[i] = malloc(len);
        if (!tmp[i]) {
            snprintf(err, errlen, "out of memory");
            ok = false;
            break;
        }
        snprintf(tmp[i], len, "%s.tmp.%ld", files[i].path, (long)getpid());
        ok = write_file(tmp[i], files[i].text, err, errlen);
        if (!ok) {
            remove(tmp[i]);
            free(tmp[i]);
            tmp[i] = NULL;
        }
    }
    for (size_t i = 0; i < n && ok; i++)
        if (rename(tmp[i], files[i].path) != 0) {
            snprintf(err, errlen, "%s: cannot rename into place: %s", files[i].path, strerror(errno));
            ok = false;
        } else {
            free(tmp[i]);
            tmp[i] = NULL;
        }
    for (size_t i = 0; i < n; i++) {
        if (tmp[i]) remove(tmp[i]);
        free(tmp[i]);
    }
    free(tmp);
    return ok;
}
