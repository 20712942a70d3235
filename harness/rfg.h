/* The golden vector container `.rfg` (SPEC §4), little-endian:
 *
 *   "RFG1"  u32 version(=1)
 *   u16 len + kernel name | u16 len + case name | u8 working dtype | u32 len + params text
 *   u32 array count, then per array:
 *     u16 len + name | u8 dtype | u8 ndim | u64 shape[ndim] | u64 payload bytes |
 *     u64 XXH3-64(payload) | payload
 *   XXH3-128 of every byte before it (16 bytes: high64, low64)
 *
 * Reading validates every field and hash; any problem is a one-line message naming the file and
 * the field, never a crash. Writing goes to a temporary name and is renamed into place. */
#ifndef REFAST_RFG_H
#define REFAST_RFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/case.h"

#define RFG_VERSION 1u
#define RFG_MAX_FILE_BYTES ((uint64_t)1 << 31)

typedef struct rfg_hash {
    uint64_t hi, lo;
} rfg_hash;

/* Loads path into c (which the caller frees with rf_case_free). On failure returns false and
 * writes "PATH: field 'X': what is wrong" into err. The file hash is returned in *hash. */
bool rfg_read(const char *path, rf_case *c, rfg_hash *hash, char *err, size_t errlen);
/* Serialises c to memory (malloc'd), returning its size and file hash. */
bool rfg_encode(const rf_case *c, uint8_t **buf, size_t *len, rfg_hash *hash, char *err, size_t errlen);
/* Writes c to path atomically (tmp + rename), creating the parent directory if needed. */
bool rfg_write(const char *path, const rf_case *c, rfg_hash *hash, char *err, size_t errlen);

void rfg_hash_hex(rfg_hash h, char out[33]);
bool rfg_hash_parse(const char *hex, rfg_hash *h);

#endif
