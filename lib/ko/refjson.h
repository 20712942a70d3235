/* A tiny scanner for the machine-written weights.json of ko-reference (one object per tensor,
 * keys unique within an object), shared by the KO(m,2) and Polar(64,7) importers: not a JSON
 * parser, only "find this key's value between p and end". Internal to kernels/. */
#ifndef REFAST_KO_REFJSON_H
#define REFAST_KO_REFJSON_H

#include <stdbool.h>
#include <stddef.h>

/* The text after `"key":` (and blanks) at or after p, before end; NULL if absent. */
const char *rf_kj_key(const char *p, const char *end, const char *key);
/* The unsigned integer value of `key`; false if absent or not a number. */
bool rf_kj_ulong(const char *p, const char *end, const char *key, unsigned long long *v);
/* "shape": [a] or [a, b]: the number of dimensions read (0 on a malformed value). */
unsigned rf_kj_shape(const char *p, const char *end, unsigned long long dims[2]);
/* snprintf into err, then false: `return rf_kj_fail(err, errlen, "...", ...)`. */
bool rf_kj_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
