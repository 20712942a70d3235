/* Binary-file building blocks shared by refast's file formats (`.rfg` golden vectors in
 * harness/rfg.c, `.kow` KO weights in kernels/ko_weights.c).
 *
 * Every multi-byte integer is little-endian, whatever the host. Writing: an rf_wbuf grows on
 * demand; a failed allocation sets `oom` and turns later puts into no-ops, so an encoder checks
 * `oom` once at the end. Reading: an rf_rbuf walks a byte array with bounds checks; every failure
 * writes exactly one line "WHAT: field 'FIELD': what is wrong" (WHAT is usually the file path)
 * into the caller's err buffer and returns false, so decoders can `return rf_rbuf_fail(...)`.
 * File helpers return false with a one-line "PATH: ..." message in err; nothing here prints or
 * aborts. Files are written atomically: to a temporary name beside the target, then renamed. */
#ifndef REFAST_BYTES_H
#define REFAST_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- writing to memory ---- */

typedef struct rf_wbuf {
    uint8_t *p; /* malloc'd; the caller frees it (also after oom) */
    size_t len, cap;
    bool oom;   /* an allocation failed: the content is incomplete */
} rf_wbuf;

void rf_wbuf_put(rf_wbuf *w, const void *data, size_t n);
/* Appends the low `bytes` (1..8) bytes of v, least significant first. */
void rf_wbuf_put_le(rf_wbuf *w, uint64_t v, unsigned bytes);

/* Plain little-endian store/load of `bytes` (1..8) bytes at an address the caller has checked. */
void rf_store_le(uint8_t *dst, uint64_t v, unsigned bytes);
uint64_t rf_load_le(const uint8_t *src, unsigned bytes);

/* ---- bounded reading from memory ---- */

typedef struct rf_rbuf {
    const uint8_t *p;
    size_t len, pos;  /* readable bytes are p[pos..len) */
    const char *what; /* names the data in messages, usually the file path */
    char *err;
    size_t errlen;
} rf_rbuf;

/* Writes "WHAT: field 'FIELD': <formatted message>" into r->err; always returns false. */
bool rf_rbuf_fail(rf_rbuf *r, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reads a `bytes`-byte (1..8) little-endian integer; on truncation fails naming `field`. */
bool rf_rbuf_get_le(rf_rbuf *r, const char *field, unsigned bytes, uint64_t *v);

/* ---- files ---- */

/* Reads the whole file at path (at most max_bytes) into a malloc'd buffer with one extra NUL
 * byte after the data (so text files can be parsed as strings); *len excludes that byte. */
bool rf_read_file(const char *path, uint64_t max_bytes, uint8_t **data, size_t *len, char *err,
                  size_t errlen);
/* Writes `len` bytes to path atomically (PATH.tmp.PID, then rename); used by every file refast
 * produces. */
bool rf_write_file_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);
/* Creates a directory and its parents (mkdir -p). */
bool rf_mkdirs(const char *dir, char *err, size_t errlen);

#endif
