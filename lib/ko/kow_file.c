/* The `.kow` container (lib/ko/kow_file.h). */
#include "ko/kow_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "errf.h"

static void put_payload(rf_wbuf *w, const float *x, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, &x[i], 4);
        rf_wbuf_put_le(w, u, 4);
    }
}

bool rf_kow_encode(const rf_kow_header *h, const rf_ko_tensor *t, size_t n, uint8_t **buf, size_t *len,
                   char *err, size_t errlen)
{
    rf_wbuf w = {0};
    rf_wbuf_put(&w, "KOW1", 4);
    rf_wbuf_put_le(&w, RF_KOW_VERSION, 4);
    rf_wbuf_put_le(&w, h->m, 1);
    rf_wbuf_put_le(&w, h->r, 1);
    rf_wbuf_put_le(&w, h->arch, 1);
    rf_wbuf_put_le(&w, h->norm, 1);
    rf_wbuf_put_le(&w, h->hidden, 4);
    rf_wbuf_put_le(&w, h->hidden_layers, 4);
    rf_wbuf_put_le(&w, n, 4);
    for (size_t i = 0; i < n; i++) {
        const rf_ko_tensor *x = &t[i];
        const size_t nl = strlen(x->name);
        rf_wbuf_put_le(&w, nl, 2);
        rf_wbuf_put(&w, x->name, nl);
        rf_wbuf_put_le(&w, x->node_m, 1);
        rf_wbuf_put_le(&w, x->node_r, 1);
        rf_wbuf_put_le(&w, x->role, 1);
        rf_wbuf_put_le(&w, x->layer, 1);
        rf_wbuf_put_le(&w, x->param, 1);
        rf_wbuf_put_le(&w, x->ndim, 1);
        for (unsigned d = 0; d < x->ndim; d++) rf_wbuf_put_le(&w, x->shape[d], 4);
        /* the hash covers the little-endian payload bytes as stored */
        const size_t at = w.len + 8;
        rf_wbuf_put_le(&w, 0, 8);
        put_payload(&w, x->data, x->count);
        if (!w.oom) rf_store_le(w.p + at - 8, XXH3_64bits(w.p + at, x->count * 4), 8);
    }
    if (!w.oom) {
        const XXH128_hash_t fh = XXH3_128bits(w.p, w.len);
        rf_wbuf_put_le(&w, fh.high64, 8);
        rf_wbuf_put_le(&w, fh.low64, 8);
    }
    if (w.oom) {
        free(w.p);
        return rf_fail(err, errlen, "out of memory");
    }
    *buf = w.p;
    *len = w.len;
    return true;
}

static bool get(rf_rbuf *r, const char *field, unsigned bytes, unsigned *out)
{
    uint64_t v = 0;
    if (!rf_rbuf_get_le(r, field, bytes, &v)) return false;
    *out = (unsigned)v;
    return true;
}

bool rf_kow_read_header(rf_rbuf *r, rf_kow_header *h)
{
    uint64_t v = 0;
    if (r->len < 4 || memcmp(r->p, "KOW1", 4) != 0)
        return rf_rbuf_fail(r, "magic", "%s", r->len < 4 ? "truncated file" : "not a .kow file (magic is not KOW1)");
    r->pos = 4;
    if (!rf_rbuf_get_le(r, "version", 4, &v)) return false;
    if (v != RF_KOW_VERSION)
        return rf_rbuf_fail(r, "version", "%llu is not supported (expected %u)", (unsigned long long)v, RF_KOW_VERSION);
    /* the file hash first: a corrupted file is reported as such, not by its first odd field */
    if (r->len < 16 + 8) return rf_rbuf_fail(r, "file hash", "truncated file");
    const size_t body = r->len - 16;
    const XXH128_hash_t fh = XXH3_128bits(r->p, body);
    if (rf_load_le(r->p + body, 8) != fh.high64 || rf_load_le(r->p + body + 8, 8) != fh.low64)
        return rf_rbuf_fail(r, "file hash", "XXH3-128 mismatch: the file is truncated or corrupted");
    r->len = body;
    return get(r, "m", 1, &h->m) && get(r, "r", 1, &h->r) && get(r, "architecture", 1, &h->arch) &&
           get(r, "normalisation", 1, &h->norm) && get(r, "hidden", 4, &h->hidden) &&
           get(r, "hidden_layers", 4, &h->hidden_layers);
}

static bool expect(rf_rbuf *r, const char *field, unsigned bytes, uint64_t want)
{
    uint64_t v = 0;
    if (!rf_rbuf_get_le(r, field, bytes, &v)) return false;
    if (v != want)
        return rf_rbuf_fail(r, field, "is %llu, expected %llu", (unsigned long long)v, (unsigned long long)want);
    return true;
}

bool rf_kow_read_tensors(rf_rbuf *r, rf_ko_tensor *t, size_t n)
{
    if (!expect(r, "tensor count", 4, n)) return false;
    for (size_t i = 0; i < n; i++) {
        rf_ko_tensor *x = &t[i];
        char field[64];
        snprintf(field, sizeof field, "tensor %zu name", i);
        uint64_t nl = 0;
        if (!rf_rbuf_get_le(r, field, 2, &nl)) return false;
        if (r->len - r->pos < nl) return rf_rbuf_fail(r, field, "truncated file");
        if (nl != strlen(x->name) || memcmp(r->p + r->pos, x->name, nl) != 0)
            return rf_rbuf_fail(r, field, "is '%.*s', expected '%s'", (int)(nl < 40 ? nl : 40),
                                (const char *)r->p + r->pos, x->name);
        r->pos += nl;
        static const char *const meta[] = {"node_m", "node_r", "role", "layer", "param", "ndim"};
        const unsigned vals[] = {x->node_m, x->node_r, x->role, x->layer, x->param, x->ndim};
        for (unsigned k = 0; k < 6; k++) {
            snprintf(field, sizeof field, "%s %s", x->name, meta[k]);
            if (!expect(r, field, 1, vals[k])) return false;
        }
        for (unsigned d = 0; d < x->ndim; d++) {
            snprintf(field, sizeof field, "%s shape[%u]", x->name, d);
            if (!expect(r, field, 4, x->shape[d])) return false;
        }
        snprintf(field, sizeof field, "%s hash", x->name);
        uint64_t h64 = 0;
        if (!rf_rbuf_get_le(r, field, 8, &h64)) return false;
        snprintf(field, sizeof field, "%s payload", x->name);
        if (r->len - r->pos < x->count * 4) return rf_rbuf_fail(r, field, "truncated file");
        if (XXH3_64bits(r->p + r->pos, x->count * 4) != h64)
            return rf_rbuf_fail(r, field, "XXH3-64 mismatch: the payload is corrupted");
        for (size_t k = 0; k < x->count; k++) {
            const uint32_t u = (uint32_t)rf_load_le(r->p + r->pos + 4 * k, 4);
            memcpy(&x->data[k], &u, 4);
            if (!isfinite(x->data[k]))
                return rf_rbuf_fail(r, field, "value %zu is %s (weights must be finite)", k,
                                    isnan(x->data[k]) ? "NaN" : "infinite");
        }
        r->pos += x->count * 4;
    }
    if (r->pos != r->len)
        return rf_rbuf_fail(r, "end", "%zu unexpected bytes after the last tensor", r->len - r->pos);
    return true;
}

bool rf_kow_peek_arch(const uint8_t *buf, size_t len, const char *what, unsigned *arch, char *err,
                      size_t errlen)
{
    rf_rbuf r = {buf, len, 0, what, err, errlen};
    rf_kow_header h = {0};
    if (!rf_kow_read_header(&r, &h)) return false;
    *arch = h.arch;
    return true;
}

void rf_kow_take_hash(uint8_t *buf, size_t len, uint64_t *hi, uint64_t *lo)
{
    *hi = rf_load_le(buf + len - 16, 8);
    *lo = rf_load_le(buf + len - 8, 8);
    free(buf);
}

bool rf_kow_take_save(uint8_t *buf, size_t len, const char *path, char *err, size_t errlen)
{
    const bool ok = rf_write_file_atomic(path, buf, len, err, errlen);
    free(buf);
    return ok;
}
