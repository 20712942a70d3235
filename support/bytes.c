/* Byte and text buffers, whole-file reads and atomic writes (see bytes.h). */
#include "bytes.h"

#include "errf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- writing to memory --------------------------------------------------------------------- */

/* Room for n more bytes and the NUL after them. */
static bool reserve(rf_wbuf *w, size_t n)
{
    if (w->oom) return false;
    if (n < SIZE_MAX - w->len && w->len + n + 1 <= w->cap) return true;
    if (n >= SIZE_MAX / 2 - w->len) return w->oom = true, false;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + n + 1) cap *= 2;
    uint8_t *p = realloc(w->p, cap);
    if (!p) return w->oom = true, false;
    w->p = p;
    w->cap = cap;
    return true;
}

void rf_wbuf_put(rf_wbuf *w, const void *data, size_t n)
{
    if (!reserve(w, n)) return;
    if (n) memcpy(w->p + w->len, data, n);
    w->len += n;
    w->p[w->len] = 0;
}

void rf_wbuf_puts(rf_wbuf *w, const char *s) { rf_wbuf_put(w, s, strlen(s)); }

void rf_wbuf_vprintf(rf_wbuf *w, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) w->oom = true; /* an encoding error: the text would be incomplete */
    else if (reserve(w, (size_t)n)) {
        vsnprintf((char *)w->p + w->len, (size_t)n + 1, fmt, again);
        w->len += (size_t)n;
    }
    va_end(again);
}

void rf_wbuf_printf(rf_wbuf *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rf_wbuf_vprintf(w, fmt, ap);
    va_end(ap);
}

const char *rf_wbuf_text(const rf_wbuf *w) { return w->p ? (const char *)w->p : ""; }

void rf_wbuf_free(rf_wbuf *w)
{
    free(w->p);
    memset(w, 0, sizeof *w);
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
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return rf_fail(err, errlen, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return rf_fail(err, errlen, "%s: cannot create directory: %s", path, strerror(errno));
            *p = saved;
            if (saved == '\0') break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return rf_fail(err, errlen, "%s: not a directory", dir);
    return true;
}

/* ---- atomic writes --------------------------------------------------------------------------- */

bool rf_tmp_path(const char *path, char *out, size_t outlen)
{
    const int n = snprintf(out, outlen, "%s.tmp.%ld", path, (long)getpid());
    return n > 0 && (size_t)n < outlen;
}

bool rf_tmp_commit(const char *path, bool keep, char *err, size_t errlen)
{
    char tmp[4200];
    if (!rf_tmp_path(path, tmp, sizeof tmp)) return rf_fail(err, errlen, "%s: path too long", path);
    if (keep && rename(tmp, path) == 0) return true;
    const int e = errno;
    remove(tmp);
    return keep ? rf_fail(err, errlen, "%s: cannot rename into place: %s", path, strerror(e)) : false;
}

/* Writes data to tmp in full; on failure removes it. */
static bool write_tmp(const char *tmp, const rf_outfile *f, char *err, size_t errlen)
{
    FILE *fp = fopen(tmp, "wb");
    if (!fp) return rf_fail(err, errlen, "%s: cannot write: %s", f->path, strerror(errno));
    bool ok = fwrite(f->data ? f->data : "", 1, f->len, fp) == f->len;
    int e = errno;
    if (fclose(fp) != 0 && ok) ok = false, e = errno;
    if (!ok) {
        remove(tmp);
        return rf_fail(err, errlen, "%s: write failed: %s", f->path, strerror(e));
    }
    return true;
}

bool rf_write_files_atomic(const rf_outfile *files, size_t n, char *err, size_t errlen)
{
    char(*tmp)[4200] = calloc(n ? n : 1, sizeof *tmp);
    if (!tmp) return rf_fail(err, errlen, "out of memory");
    size_t written = 0;
    bool ok = true;
    for (; ok && written < n; written++) {
        if (!rf_tmp_path(files[written].path, tmp[written], sizeof tmp[written]))
            ok = rf_fail(err, errlen, "%s: path too long", files[written].path);
        else if (!write_tmp(tmp[written], &files[written], err, errlen))
            ok = false;
    }
    if (!ok) written--; /* the failed one left nothing */
    size_t renamed = 0;
    for (; ok && renamed < n; renamed++)
        if (rename(tmp[renamed], files[renamed].path) != 0)
            ok = rf_fail(err, errlen, "%s: cannot rename into place: %s", files[renamed].path, strerror(errno));
    if (!ok && renamed) renamed--; /* the failed rename left its temporary */
    for (size_t i = renamed; i < written; i++) remove(tmp[i]);
    free(tmp);
    return ok;
}

bool rf_write_file_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    const rf_outfile f = {path, data, len};
    return rf_write_files_atomic(&f, 1, err, errlen);
}

bool rf_wbuf_save(const rf_wbuf *w, const char *path, char *err, size_t errlen)
{
    if (w->oom) return rf_fail(err, errlen, "%s: out of memory while generating it", path);
    return rf_write_file_atomic(path, w->p, w->len, err, errlen);
}

bool rf_check_writable(const char *path, char *err, size_t errlen)
{
    char tmp[4200];
    if (!rf_tmp_path(path, tmp, sizeof tmp)) return rf_fail(err, errlen, "%s: path too long", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return rf_fail(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    fclose(f);
    remove(tmp);
    return true;
}
