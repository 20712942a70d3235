/* .rfg reader and writer (see rfg.h). */
#include "rfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* ---- encoding ------------------------------------------------------------------------------ */

typedef struct wbuf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
} wbuf;

static void put(wbuf *w, const void *data, size_t n)
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
    memcpy(w->p + w->len, data, n);
    w->len += n;
}

static void put_le(wbuf *w, uint64_t v, unsigned bytes)
{
    uint8_t b[8];
    for (unsigned i = 0; i < bytes; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, bytes);
}

static void put_str(wbuf *w, const char *s, unsigned lenbytes)
{
    size_t n = strlen(s);
    put_le(w, n, lenbytes);
    put(w, s, n);
}

bool rfg_encode(const rf_case *c, uint8_t **buf, size_t *len, rfg_hash *hash, char *err, size_t errlen)
{
    wbuf w = {0};
    put(&w, "RFG1", 4);
    put_le(&w, RFG_VERSION, 4);
    put_str(&w, c->kernel, 2);
    put_str(&w, c->name, 2);
    put_le(&w, (uint64_t)c->work_dtype, 1);
    put_str(&w, c->params, 4);
    put_le(&w, c->narrays, 4);
    for (unsigned i = 0; i < c->narrays; i++) {
        const rf_array *a = &c->arrays[i];
        /* payloads are little-endian; every supported target is little-endian */
        const size_t bytes = (size_t)a->count * rf_dtype_size(a->dtype);
        put_str(&w, a->name, 2);
        put_le(&w, (uint64_t)a->dtype, 1);
        put_le(&w, a->ndim, 1);
        for (unsigned d = 0; d < a->ndim; d++) put_le(&w, a->shape[d], 8);
        put_le(&w, bytes, 8);
        put_le(&w, XXH3_64bits(a->data, bytes), 8);
        put(&w, a->data, bytes);
    }
    if (w.oom) {
        free(w.p);
        snprintf(err, errlen, "%s: out of memory while encoding", c->name);
        return false;
    }
    XXH128_hash_t h = XXH3_128bits(w.p, w.len);
    put_le(&w, h.high64, 8);
    put_le(&w, h.low64, 8);
    if (w.oom) {
        free(w.p);
        snprintf(err, errlen, "%s: out of memory while encoding", c->name);
        return false;
    }
    *buf = w.p;
    *len = w.len;
    hash->hi = h.high64;
    hash->lo = h.low64;
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

bool rfg_write(const char *path, const rf_case *c, rfg_hash *hash, char *err, size_t errlen)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (!rf_mkdirs(dir, err, errlen)) return false;
    }
    uint8_t *buf;
    size_t len;
    if (!rfg_encode(c, &buf, &len, hash, err, errlen)) return false;
    bool ok = rf_write_file_atomic(path, buf, len, err, errlen);
    free(buf);
    return ok;
}

/* ---- decoding ------------------------------------------------------------------------------ */

typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
    const char *path;
    char *err;
    size_t errlen;
} rbuf;

static bool fail(rbuf *r, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(rbuf *r, const char *field, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s: field '%s': %s", r->path, field, what);
    return false;
}

static bool get_le(rbuf *r, const char *field, unsigned bytes, uint64_t *v)
{
    *v = 0;
    if (r->len - r->pos < bytes)
        return fail(r, field, "truncated (needs %u bytes at offset %zu, file has %zu)", bytes, r->pos,
                    r->len);
    for (unsigned i = 0; i < bytes; i++) *v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += bytes;
    return true;
}

static bool get_str(rbuf *r, const char *field, unsigned lenbytes, char *out, size_t cap)
{
    uint64_t n;
    if (!get_le(r, field, lenbytes, &n)) return false;
    if (n >= cap) return fail(r, field, "length %llu exceeds the limit %zu", (unsigned long long)n, cap - 1);
    if (r->len - r->pos < n) return fail(r, field, "truncated (string of %llu bytes)", (unsigned long long)n);
    memcpy(out, r->p + r->pos, n);
    out[n] = '\0';
    for (uint64_t i = 0; i < n; i++)
        if (out[i] < 0x20 || out[i] == 0x7f) return fail(r, field, "contains a control character");
    r->pos += n;
    return true;
}

static bool read_whole(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        snprintf(err, errlen, "%s: not a regular file", path);
        return false;
    }
    if ((uint64_t)st.st_size > RFG_MAX_FILE_BYTES) {
        fclose(f);
        snprintf(err, errlen, "%s: file too large (%lld bytes)", path, (long long)st.st_size);
        return false;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *p = malloc(n ? n : 1);
    if (!p || fread(p, 1, n, f) != n) {
        free(p);
        fclose(f);
        snprintf(err, errlen, "%s: read failed", path);
        return false;
    }
    fclose(f);
    *data = p;
    *len = n;
    return true;
}

static bool decode(rbuf *r, rf_case *c, rfg_hash *hash)
{
    if (r->len < 4 || memcmp(r->p, "RFG1", 4) != 0) {
        return r->len < 4 ? fail(r, "magic", "file is empty or truncated (%zu bytes)", r->len)
                          : fail(r, "magic", "expected \"RFG1\", not a refast golden file");
    }
    r->pos = 4;
    uint64_t v;
    if (!get_le(r, "version", 4, &v)) return false;
    if (v != RFG_VERSION) return fail(r, "version", "version %llu, this refast reads version %u",
                                      (unsigned long long)v, RFG_VERSION);
    if (r->len < r->pos + 16) return fail(r, "file hash", "truncated (no room for the XXH3-128)");
    const size_t body = r->len - 16;
    if (!get_str(r, "kernel", 2, c->kernel, sizeof c->kernel)) return false;
    if (!get_str(r, "case name", 2, c->name, sizeof c->name)) return false;
    if (!get_le(r, "working dtype", 1, &v)) return false;
    if (v != RF_DT_F32 && v != RF_DT_F64 && v != RF_DT_NONE)
        return fail(r, "working dtype", "unknown dtype code %llu", (unsigned long long)v);
    c->work_dtype = (rf_dtype)v;
    if (!get_str(r, "params", 4, c->params, sizeof c->params)) return false;
    uint64_t narrays;
    if (!get_le(r, "array count", 4, &narrays)) return false;
    if (narrays > RF_CASE_MAX_ARRAYS)
        return fail(r, "array count", "%llu arrays (limit %d)", (unsigned long long)narrays,
                    RF_CASE_MAX_ARRAYS);
    for (uint64_t i = 0; i < narrays; i++) {
        char name[RF_NAME_MAX], field[RF_NAME_MAX + 32];
        snprintf(field, sizeof field, "array %llu name", (unsigned long long)i);
        if (!get_str(r, field, 2, name, sizeof name)) return false;
        uint64_t dt, ndim, bytes, h64;
        snprintf(field, sizeof field, "%s.dtype", name);
        if (!get_le(r, field, 1, &dt)) return false;
        if (rf_dtype_size((rf_dtype)dt) == 0 || dt > RF_DT_F64)
            return fail(r, field, "unknown dtype code %llu", (unsigned long long)dt);
        snprintf(field, sizeof field, "%s.ndim", name);
        if (!get_le(r, field, 1, &ndim)) return false;
        if (ndim < 1 || ndim > RF_MAX_DIMS)
            return fail(r, field, "%llu dimensions (1..%d)", (unsigned long long)ndim, RF_MAX_DIMS);
        uint64_t shape[RF_MAX_DIMS], count = 1;
        bool overflow = false;
        snprintf(field, sizeof field, "%s.shape", name);
        for (unsigned d = 0; d < ndim; d++) {
            if (!get_le(r, field, 8, &shape[d])) return false;
            if (shape[d] && count > UINT64_MAX / shape[d]) overflow = true;
            else count *= shape[d];
        }
        const uint64_t es = rf_dtype_size((rf_dtype)dt);
        if (overflow || count > RFG_MAX_FILE_BYTES / es)
            return fail(r, field, "element count overflows");
        snprintf(field, sizeof field, "%s.bytes", name);
        if (!get_le(r, field, 8, &bytes)) return false;
        if (bytes != count * es)
            return fail(r, field, "%llu payload bytes, shape and dtype need %llu",
                        (unsigned long long)bytes, (unsigned long long)(count * es));
        snprintf(field, sizeof field, "%s.xxh3", name);
        if (!get_le(r, field, 8, &h64)) return false;
        snprintf(field, sizeof field, "%s.payload", name);
        if (body < r->pos || body - r->pos < bytes)
            return fail(r, field, "truncated (needs %llu bytes, %zu left)", (unsigned long long)bytes,
                        body > r->pos ? body - r->pos : 0);
        if (XXH3_64bits(r->p + r->pos, (size_t)bytes) != h64)
            return fail(r, field, "XXH3-64 mismatch: the payload is corrupted");
        void *data = rf_case_add(c, name, (rf_dtype)dt, (unsigned)ndim, shape);
        if (!data) return fail(r, field, "duplicate name or out of memory");
        memcpy(data, r->p + r->pos, (size_t)bytes);
        r->pos += (size_t)bytes;
    }
    if (r->pos != body)
        return fail(r, "file hash", "%zu unexpected bytes before the file hash", body - r->pos);
    XXH128_hash_t h = XXH3_128bits(r->p, body);
    uint64_t hi, lo;
    get_le(r, "file hash", 8, &hi);
    get_le(r, "file hash", 8, &lo);
    if (hi != h.high64 || lo != h.low64) return fail(r, "file hash", "XXH3-128 mismatch: the file is corrupted");
    hash->hi = hi;
    hash->lo = lo;
    return true;
}

bool rfg_read(const char *path, rf_case *c, rfg_hash *hash, char *err, size_t errlen)
{
    uint8_t *data;
    size_t len;
    rf_case_init(c, "", "", "");
    if (!read_whole(path, &data, &len, err, errlen)) return false;
    rbuf r = {data, len, 0, path, err, errlen};
    bool ok = decode(&r, c, hash);
    free(data);
    if (!ok) rf_case_free(c);
    return ok;
}

void rfg_hash_hex(rfg_hash h, char out[33])
{
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.hi, (unsigned long long)h.lo);
}

bool rfg_hash_parse(const char *hex, rfg_hash *h)
{
    if (strlen(hex) != 32) return false;
    uint64_t parts[2] = {0, 0};
    for (int i = 0; i < 32; i++) {
        char ch = hex[i];
        int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
        if (d < 0) return false;
        parts[i / 16] = (parts[i / 16] << 4) | (uint64_t)d;
    }
    h->hi = parts[0];
    h->lo = parts[1];
    return true;
}
