/* Byte and text buffers, and the file I/O every refast format and command shares (`.rfg` golden
 * vectors in harness/rfg.c, `.kow` KO weights in lib/ko/kow.c, the JSON, Markdown, HTML and SVG
 * the commands write).
 *
 * Every multi-byte integer is little-endian, whatever the host. Writing: an rf_wbuf grows on
 * demand and always holds a NUL after its `len` bytes, so the same buffer serves binary encoders
 * and text (rf_wbuf_printf sizes its output first: nothing is ever truncated). A failed
 * allocation sets `oom` and turns later writes into no-ops, so a writer checks `oom` once at the
 * end. Reading: an rf_rbuf walks a byte array with bounds checks; every failure writes exactly one
 * line "WHAT: field 'FIELD': what is wrong" (WHAT is usually the file path) into the caller's err
 * buffer and returns false, so decoders can `return rf_rbuf_fail(...)`.
 *
 * Files are written atomically (SPEC §8: no partial output): each to a temporary name beside its
 * destination ("PATH.tmp.PID"), then renamed into place. rf_write_files_atomic writes a set of
 * files all or none: every temporary is complete before the first rename. File helpers return
 * false with a one-line "PATH: ..." message in err; nothing here prints or aborts. */
#ifndef REFAST_BYTES_H
#define REFAST_BYTES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- writing to memory ---- */

typedef struct rf_wbuf {
    uint8_t *p; /* malloc'd, NUL after the data; the caller frees it (also after oom) */
    size_t len, cap;
    bool oom;   /* an allocation failed: the content is incomplete */
} rf_wbuf;

void rf_wbuf_put(rf_wbuf *w, const void *data, size_t n);
/* Appends the low `bytes` (1..8) bytes of v, least significant first. */
void rf_wbuf_put_le(rf_wbuf *w, uint64_t v, unsigned bytes);
void rf_wbuf_puts(rf_wbuf *w, const char *s);
void rf_wbuf_printf(rf_wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rf_wbuf_vprintf(rf_wbuf *w, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The content as a C string ("" before anything was written). */
const char *rf_wbuf_text(const rf_wbuf *w);
void rf_wbuf_free(rf_wbuf *w);

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
/* Creates a directory and its parents (mkdir -p); an existing non-directory is an error. */
bool rf_mkdirs(const char *dir, char *err, size_t errlen);

/* One file of an atomic write. */
typedef struct rf_outfile {
    const char *path;
    const void *data;
    size_t len;
} rf_outfile;

/* Writes all n files or none: every one goes to its temporary name first, and only when all of
 * them are complete are they renamed into place. On failure no temporary is left behind and err
 * names the file and the reason. */
bool rf_write_files_atomic(const rf_outfile *files, size_t n, char *err, size_t errlen);
/* The same for one file. */
bool rf_write_file_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);
/* Writes a buffer atomically; a buffer that ran out of memory is an error, never a short file. */
bool rf_wbuf_save(const rf_wbuf *w, const char *path, char *err, size_t errlen);
/* The temporary name the writers above use for path, for a writer refast does not control (Google
 * Benchmark's JSON): write there, then rf_tmp_commit. False if it does not fit. */
bool rf_tmp_path(const char *path, char *out, size_t outlen);
/* Ends such a write: when `keep`, renames path's temporary into place; otherwise (or when the
 * rename fails) removes it. Returns keep && renamed. */
bool rf_tmp_commit(const char *path, bool keep, char *err, size_t errlen);
/* Creates and removes path's temporary name, so that a long run can refuse an unwritable
 * destination before it starts, without leaving anything at path. */
bool rf_check_writable(const char *path, char *err, size_t errlen);

#endif
