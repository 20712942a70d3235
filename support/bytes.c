/* Little-endian byte buffers and whole-file I/O shared by the binary formats (see refast/bytes.h). */
#include "bytes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- writing to memory --------------------------------------------------------------------- */

void rf_wbuf_put(rf_wbuf *w, const void *data, size_t n)
{
    if (w->oom) return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n) cap *= 2;
        uint8_t *p = realloc(w->p, cap);
        if (!p) {
            w->oom = true;
            return;
        }
        w->p = p;
        w->cap = cap;
    }
    if (n) memcpy(w->p + w->len, data, n);
    w->len += n;
}

void rf_store_le(uint8_t *dst, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) dst[i] = (uint8_t)(v >> (8 * i));
}

uint64_t rf_load_le(const uint8_t *src, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) v |= (uint64_t)src[i] << (8 * i);
    return v;
}

void rf_wbuf_put_le(rf_wbuf *w, uint64_t v, unsigned bytes)
{
    uint8_t b[8];
    /* the contract is 1..8; the clamp also lets gcc -O3 (aarch64) prove the store in bounds */
    if (bytes > sizeof b) bytes = sizeof b;
    rf_store_le(b, v, bytes);
    rf_wbuf_put(w, b, bytes);
}

/* ---- bounded reading from memory ----------------------------------------------------------- */

bool rf_rbuf_fail(rf_rbuf *r, const char *field, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s: field '%s': %s", r->what, field, msg);
    return false;
}

bool rf_rbuf_get_le(rf_rbuf *r, const char *field, unsigned bytes, uint64_t *v)
{
    *v = 0;
    if (r->pos > r->len || r->len - r->pos < bytes)
        return rf_rbuf_fail(r, field, "truncated (needs %u bytes at offset %zu, only %zu left)", bytes,
                            r->pos, r->pos < r->len ? r->len - r->pos : 0);
    *v = rf_load_le(r->p + r->pos, bytes);
    r->pos += bytes;
    return true;
}

/* ---- files --------------------------------------------------------------------------------- */

bool rf_read_file(const char *path, uint64_t max_bytes, uint8_t **data, size_t *len, char *err,
                  size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        fclose(f);
        snprintf(err, errlen, "%s: not a regular file", path);
        return false;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_bytes) {
        fclose(f);
        snprintf(err, errlen, "%s: file too large (%lld bytes, limit %llu)", path, (long long)st.st_size,
                 (unsigned long long)max_bytes);
        return false;
    }
    /* a regular file is read in one go; a pipe or a file that grows is read in doubling steps */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, n = 0;
    uint8_t *p = malloc(cap);
    for (;;) {
        if (!p) {
            fclose(f);
            snprintf(err, errlen, "%s: out of memory reading the file", path);
            return false;
        }
        n += fread(p + n, 1, cap - 1 - n, f);
        if (n < cap - 1) break; /* end of file or a read error */
        /* probe for more data before growing, so a regular file is not copied twice */
        const int ch = fgetc(f);
        if (ch == EOF) break;
        if ((uint64_t)n >= max_bytes) {
            free(p);
            fclose(f);
            snprintf(err, errlen, "%s: file too large (more than %llu bytes)", path,
                     (unsigned long long)max_bytes);
            return false;
        }
        cap *= 2;
        uint8_t *q = realloc(p, cap);
        if (!q) free(p);
        p = q;
        if (p) p[n++] = (uint8_t)ch;
    }
    if (ferror(f)) {
        const int e = errno;
        free(p);
        fclose(f);
        snprintf(err, errlen, "%s: read failed: %s", path, strerror(e));
        return false;
    }
    fclose(f);
    if ((uint64_t)n > max_bytes) {
        free(p);
        snprintf(err, errlen, "%s: file too large (more than %llu bytes)", path,
                 (unsigned long long)max_bytes);
        return false;
    }
    p[n] = '\0';
    *data = p;
    *len = n;
    return true;
}

bool rf_mkdirs(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return false;
    }
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: cannot create directory: %s", path, strerror(errno));
                return false;
            }
            *p = saved;
            if (saved == '\0') break;
        }
    }
    return true;
}

bool rf_write_file_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return false;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        remove(tmp);
        return false;
    }
    return true;
}
