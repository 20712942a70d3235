/* The `.kow` container (format in lib/ko/kow.h): a header, then named tensors each with its
 * metadata, shape, XXH3-64 and float32 payload, then the XXH3-128 of everything before it. The
 * KO(m,2) models (lib/ko/kow.h) and the authors' Polar(64,7) KO model (lib/ko/polar_weights.h)
 * both store their weights in it; each describes the tensors it expects and the reader checks the
 * file against that description field by field.
 *
 * Errors are one line, "WHAT: field 'F': what is wrong" (rf_rbuf of support/bytes.h). */
#ifndef REFAST_LIB_KO_KOW_FILE_H
#define REFAST_LIB_KO_KOW_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "refast/ko.h"

#define RF_KOW_VERSION 1u

/* The architecture byte: which model the tensors describe. */
enum { RF_KOW_ARCH_KO = RF_KO_ARCH_KO, RF_KOW_ARCH_TINY = RF_KO_ARCH_TINY, RF_KOW_ARCH_POLAR_64_7 = 2 };

typedef struct rf_kow_header {
    unsigned m, r, arch, norm, hidden, hidden_layers;
} rf_kow_header;

/* The whole file in memory (malloc'd *buf). */
bool rf_kow_encode(const rf_kow_header *h, const rf_ko_tensor *t, size_t n, uint8_t **buf, size_t *len,
                   char *err, size_t errlen);
/* Checks magic, version and the file hash, then reads the header (r->len is cut to the body). */
/* The content hash an encoded file ends with (its last 16 bytes), and frees buf. */
void rf_kow_take_hash(uint8_t *buf, size_t len, uint64_t *hi, uint64_t *lo);
/* Writes an encoded file to path atomically, and frees buf. */
bool rf_kow_take_save(uint8_t *buf, size_t len, const char *path, char *err, size_t errlen);
bool rf_kow_read_header(rf_rbuf *r, rf_kow_header *h);
/* After the header: expects exactly the n tensors described in t (names, metadata, shapes, in
 * order, as the model's layout makes them), checks each hash and that every value is finite, and
 * copies the payloads into t[i].data. */
bool rf_kow_read_tensors(rf_rbuf *r, rf_ko_tensor *t, size_t n);
/* The architecture byte of a .kow file in memory (after the checks of rf_kow_read_header). */
bool rf_kow_peek_arch(const uint8_t *buf, size_t len, const char *what, unsigned *arch, char *err,
                      size_t errlen);

#endif
