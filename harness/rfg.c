/* .rfg reader and writer (see rfg.h). */
#include "rfg.h"

#include "bytes.h"
#include "errf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---- encoding ------------------------------------------------------------------------------ */

static void put_str(rf_wbuf *w, const char *s, unsigned lenbytes)
{
    size_t n = strlen(s);
    rf_wbuf_put_le(w, n, lenbytes);
    rf_wbuf_put(w, s, n);
}

bool rfg_encode(const rf_case *c, uint8_t **buf, size_t *len, rfg_hash *hash, char *err, size_t errlen)
{
    rf_wbuf w = {0};
    rf_wbuf_put(&w, "RFG1", 4);
    rf_wbuf_put_le(&w, RFG_VERSION, 4);
    put_str(&w, c->kernel, 2);
    put_str(&w, c->name, 2);
    rf_wbuf_put_le(&w, (uint64_t)c->work_dtype, 1);
    put_str(&w, c->params, 4);
    rf_wbuf_put_le(&w, c->narrays, 4);
    for (unsigned i = 0; i < c->narrays; i++) {
        const rf_array *a = &c->arrays[i];
        /* payloads are little-endian; every supported target is little-endian */
        const size_t bytes = (size_t)a->count * rf_dtype_size(a->dtype);
        put_str(&w, a->name, 2);
        rf_wbuf_put_le(&w, (uint64_t)a->dtype, 1);
        rf_wbuf_put_le(&w, a->ndim, 1);
        for (unsigned d = 0; d < a->ndim; d++) rf_wbuf_put_le(&w, a->shape[d], 8);
        rf_wbuf_put_le(&w, bytes, 8);
        rf_wbuf_put_le(&w, XXH3_64bits(a->data, bytes), 8);
        rf_wbuf_put(&w, a->data, bytes);
    }
    if (w.oom) {
        free(w.p);
        return rf_fail(err, errlen, "%s: out of memory while encoding", c->name);
    }
    XXH128_hash_t h = XXH3_128bits(w.p, w.len);
    rf_wbuf_put_le(&w, h.high64, 8);
    rf_wbuf_put_le(&w, h.low64, 8);
    if (w.oom) {
        free(w.p);
        return rf_fail(err, errlen, "%s: out of memory while encoding", c->name);
    }
    *buf = w.p;
    *len = w.len;
    hash->hi = h.high64;
    hash->lo = h.low64;
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

static bool get_str(rf_rbuf *r, const char *field, unsigned lenbytes, char *out, size_t cap)
{
    uint64_t n;
    if (!rf_rbuf_get_le(r, field, lenbytes, &n)) return false;
    if (n >= cap)
        return rf_rbuf_fail(r, field, "length %llu exceeds the limit %zu", (unsigned long long)n, cap - 1);
    if (r->len - r->pos < n)
        return rf_rbuf_fail(r, field, "truncated (string of %llu bytes)", (unsigned long long)n);
    memcpy(out, r->p + r->pos, n);
    out[n] = '\0';
    for (uint64_t i = 0; i < n; i++)
        if (out[i] < 0x20 || out[i] == 0x7f) return rf_rbuf_fail(r, field, "contains a control character");
    r->pos += n;
    return true;
}

static bool decode(rf_rbuf *r, rf_case *c, rfg_hash *hash)
{
    if (r->len < 4 || memcmp(r->p, "RFG1", 4) != 0) {
        return r->len < 4 ? rf_rbuf_fail(r, "magic", "file is empty or truncated (%zu bytes)", r->len)
                          : rf_rbuf_fail(r, "magic", "expected \"RFG1\", not a refast golden file");
    }
    r->pos = 4;
    uint64_t v;
    if (!rf_rbuf_get_le(r, "version", 4, &v)) return false;
    if (v != RFG_VERSION)
        return rf_rbuf_fail(r, "version", "version %llu, this refast reads version %u", (unsigned long long)v,
                            RFG_VERSION);
    if (r->len < r->pos + 16) return rf_rbuf_fail(r, "file hash", "truncated (no room for the XXH3-128)");
    const size_t body = r->len - 16;
    if (!get_str(r, "kernel", 2, c->kernel, sizeof c->kernel)) return false;
    if (!get_str(r, "case name", 2, c->name, sizeof c->name)) return false;
    if (!rf_rbuf_get_le(r, "working dtype", 1, &v)) return false;
    if (v != RF_DT_F32 && v != RF_DT_F64 && v != RF_DT_NONE)
        return rf_rbuf_fail(r, "working dtype", "unknown dtype code %llu", (unsigned long long)v);
    c->work_dtype = (rf_dtype)v;
    if (!get_str(r, "params", 4, c->params, sizeof c->params)) return false;
    uint64_t narrays;
    if (!rf_rbuf_get_le(r, "array count", 4, &narrays)) return false;
    if (narrays > RF_CASE_MAX_ARRAYS)
        return rf_rbuf_fail(r, "array count", "%llu arrays (limit %d)", (unsigned long long)narrays,
                            RF_CASE_MAX_ARRAYS);
    for (uint64_t i = 0; i < narrays; i++) {
        char name[RF_NAME_MAX], field[RF_NAME_MAX + 32];
        snprintf(field, sizeof field, "array %llu name", (unsigned long long)i);
        if (!get_str(r, field, 2, name, sizeof name)) return false;
        uint64_t dt, ndim, bytes, h64;
        snprintf(field, sizeof field, "%s.dtype", name);
        if (!rf_rbuf_get_le(r, field, 1, &dt)) return false;
        if (rf_dtype_size((rf_dtype)dt) == 0 || dt > RF_DT_F64)
            return rf_rbuf_fail(r, field, "unknown dtype code %llu", (unsigned long long)dt);
        snprintf(field, sizeof field, "%s.ndim", name);
        if (!rf_rbuf_get_le(r, field, 1, &ndim)) return false;
        if (ndim < 1 || ndim > RF_MAX_DIMS)
            return rf_rbuf_fail(r, field, "%llu dimensions (1..%d)", (unsigned long long)ndim, RF_MAX_DIMS);
        uint64_t shape[RF_MAX_DIMS], count = 1;
        bool overflow = false;
        snprintf(field, sizeof field, "%s.shape", name);
        for (unsigned d = 0; d < ndim; d++) {
            if (!rf_rbuf_get_le(r, field, 8, &shape[d])) return false;
            if (shape[d] && count > UINT64_MAX / shape[d]) overflow = true;
            else count *= shape[d];
        }
        const uint64_t es = rf_dtype_size((rf_dtype)dt);
        if (overflow || count > RFG_MAX_FILE_BYTES / es)
            return rf_rbuf_fail(r, field, "element count overflows");
        snprintf(field, sizeof field, "%s.bytes", name);
        if (!rf_rbuf_get_le(r, field, 8, &bytes)) return false;
        if (bytes != count * es)
            return rf_rbuf_fail(r, field, "%llu payload bytes, shape and dtype need %llu",
                                (unsigned long long)bytes, (unsigned long long)(count * es));
        snprintf(field, sizeof field, "%s.xxh3", name);
        if (!rf_rbuf_get_le(r, field, 8, &h64)) return false;
        snprintf(field, sizeof field, "%s.payload", name);
        if (body < r->pos || body - r->pos < bytes)
            return rf_rbuf_fail(r, field, "truncated (needs %llu bytes, %zu left)",
                                (unsigned long long)bytes, body > r->pos ? body - r->pos : 0);
        if (XXH3_64bits(r->p + r->pos, (size_t)bytes) != h64)
            return rf_rbuf_fail(r, field, "XXH3-64 mismatch: the payload is corrupted");
        void *data = rf_case_add(c, name, (rf_dtype)dt, (unsigned)ndim, shape);
        if (!data) return rf_rbuf_fail(r, field, "duplicate name or out of memory");
        memcpy(data, r->p + r->pos, (size_t)bytes);
        r->pos += (size_t)bytes;
    }
    if (r->pos != body)
        return rf_rbuf_fail(r, "file hash", "%zu unexpected bytes before the file hash", body - r->pos);
    XXH128_hash_t h = XXH3_128bits(r->p, body);
    uint64_t hi, lo;
    rf_rbuf_get_le(r, "file hash", 8, &hi);
    rf_rbuf_get_le(r, "file hash", 8, &lo);
    if (hi != h.high64 || lo != h.low64)
        return rf_rbuf_fail(r, "file hash", "XXH3-128 mismatch: the file is corrupted");
    hash->hi = hi;
    hash->lo = lo;
    return true;
}

bool rfg_read(const char *path, rf_case *c, rfg_hash *hash, char *err, size_t errlen)
{
    uint8_t *data;
    size_t len;
    rf_case_init(c, "", "", "");
    if (!rf_read_file(path, RFG_MAX_FILE_BYTES, &data, &len, err, errlen)) return false;
    rf_rbuf r = {data, len, 0, path, err, errlen};
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
