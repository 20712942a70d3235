/* IDX reader (idx.h). zlib's gzread reads gzip and plain files alike, so one path serves both. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pmoe/idx.h"

#define IDX_MAX_BYTES ((uint64_t)1 << 32)

void rf_idx_free(rf_idx *idx)
{
    free(idx->data);
    memset(idx, 0, sizeof *idx);
}

/* Reads exactly len bytes; returns the count read (short on end of file or error). */
static size_t read_all(gzFile f, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        const unsigned chunk = len - got > (1u << 30) ? (1u << 30) : (unsigned)(len - got);
        const int r = gzread(f, buf + got, chunk);
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

/* Writes "PATH: WHERE: <why>" for a read that came up short: zlib's own message for a damaged gzip
 * stream (without the path zlib puts in front of it), else "truncated" and the byte counts. */
static void short_read(gzFile f, const char *path, const char *where, size_t got, size_t want, char *err,
                       size_t errlen)
{
    int code = Z_OK;
    const char *msg = gzerror(f, &code);
    if (code != Z_OK && code != Z_BUF_ERROR && msg && *msg) {
        const size_t plen = strlen(path);
        if (!strncmp(msg, path, plen) && !strncmp(msg + plen, ": ", 2)) msg += plen + 2;
        snprintf(err, errlen, "%s: %s: damaged gzip data: %s", path, where, msg);
        return;
    }
    snprintf(err, errlen, "%s: %s: truncated: %zu of %zu bytes", path, where, got, want);
}

int rf_idx_read(const char *path, rf_idx *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno ? errno : ENOENT));
        return -1;
    }
    int rc = -1;
    uint8_t head[4 + 4 * RF_IDX_MAX_DIMS];
    size_t got = read_all(f, head, 4);
    if (got != 4) {
        short_read(f, path, "header", got, 4, err, errlen);
        goto done;
    }
    if (head[0] != 0 || head[1] != 0) {
        snprintf(err, errlen, "%s: not an IDX file (magic %02x %02x %02x %02x, expected 00 00 08 0N)", path, head[0],
                 head[1], head[2], head[3]);
        goto done;
    }
    if (head[2] != 0x08) {
        snprintf(err, errlen, "%s: element type 0x%02x is not supported (only 0x08, unsigned byte)", path, head[2]);
        goto done;
    }
    const size_t ndim = head[3];
    if (ndim < 1 || ndim > RF_IDX_MAX_DIMS) {
        snprintf(err, errlen, "%s: %zu dimensions (1 to %d supported)", path, ndim, RF_IDX_MAX_DIMS);
        goto done;
    }
    got = read_all(f, head + 4, 4 * ndim);
    if (got != 4 * ndim) {
        short_read(f, path, "dimensions", got, 4 * ndim, err, errlen);
        goto done;
    }
    uint64_t total = 1;
    for (size_t i = 0; i < ndim; i++) {
        const uint8_t *p = head + 4 + 4 * i;
        const uint64_t v = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
        if (v == 0) {
            snprintf(err, errlen, "%s: dimension %zu is 0", path, i);
            goto done;
        }
        total *= v;
        if (total > IDX_MAX_BYTES) {
            snprintf(err, errlen, "%s: dimensions give more than %llu bytes", path, (unsigned long long)IDX_MAX_BYTES);
            goto done;
        }
        out->dims[i] = (size_t)v;
    }
    out->ndim = ndim;
    out->item = (size_t)(total / out->dims[0]);
    out->data = malloc((size_t)total);
    if (!out->data) {
        snprintf(err, errlen, "%s: out of memory (%llu bytes)", path, (unsigned long long)total);
        goto done;
    }
    got = read_all(f, out->data, (size_t)total);
    if (got != total) {
        short_read(f, path, "data", got, (size_t)total, err, errlen);
        goto done;
    }
    uint8_t extra;
    if (gzread(f, &extra, 1) > 0) {
        snprintf(err, errlen, "%s: longer than its header says (%llu data bytes)", path, (unsigned long long)total);
        goto done;
    }
    int code = Z_OK;
    gzerror(f, &code);
    if (code != Z_OK && code != Z_BUF_ERROR) {
        short_read(f, path, "end of data", 0, 0, err, errlen);
        goto done;
    }
    rc = 0;
done:
    if (gzclose(f) != Z_OK && rc == 0) {
        snprintf(err, errlen, "%s: damaged gzip stream (checksum or length)", path);
        rc = -1;
    }
    if (rc) rf_idx_free(out);
    return rc;
}

void rf_idx_split_free(rf_idx_split *s)
{
    rf_idx_free(&s->images);
    rf_idx_free(&s->labels);
    memset(s, 0, sizeof *s);
}

/* The first existing file among the spellings of DIR/<split>-<what>-idx<n>-ubyte[.gz]. */
static int find_file(const char *dir, const char *split, const char *what, int n, char *path, size_t len)
{
    const char *const forms[] = {"%s/%s-%s-idx%d-ubyte.gz", "%s/%s-%s-idx%d-ubyte", "%s/%s-%s.idx%d-ubyte",
                                 "%s/%s-%s.idx%d-ubyte.gz"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        if (snprintf(path, len, forms[i], dir, split, what, n) >= (int)len) return -1;
        if (access(path, R_OK) == 0) return 0;
    }
    snprintf(path, len, forms[0], dir, split, what, n);
    return -1;
}

int rf_idx_split_read(const char *dir, const char *split, rf_idx_split *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char ipath[4096], lpath[4096];
    if (find_file(dir, split, "images", 3, ipath, sizeof ipath)) {
        snprintf(err, errlen, "%s: no %s-images-idx3-ubyte[.gz] in this directory", dir, split);
        return -1;
    }
    if (find_file(dir, split, "labels", 1, lpath, sizeof lpath)) {
        snprintf(err, errlen, "%s: no %s-labels-idx1-ubyte[.gz] in this directory", dir, split);
        return -1;
    }
    if (rf_idx_read(ipath, &out->images, err, errlen) || rf_idx_read(lpath, &out->labels, err, errlen)) {
        rf_idx_split_free(out);
        return -1;
    }
    if (out->images.ndim != 3) {
        snprintf(err, errlen, "%s: %zu dimensions, expected 3 (count x rows x cols)", ipath, out->images.ndim);
    } else if (out->labels.ndim != 1) {
        snprintf(err, errlen, "%s: %zu dimensions, expected 1 (count)", lpath, out->labels.ndim);
    } else if (out->images.dims[0] != out->labels.dims[0]) {
        snprintf(err, errlen, "%s: %zu labels for %zu images in %s", lpath, out->labels.dims[0], out->images.dims[0],
                 ipath);
    } else {
        out->count = out->images.dims[0];
        out->rows = out->images.dims[1];
        out->cols = out->images.dims[2];
        return 0;
    }
    rf_idx_split_free(out);
    return -1;
}
