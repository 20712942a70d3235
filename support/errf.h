/* One-line error messages into a caller's buffer: every reader, validator and kernel driver in
 * refast reports failure as (err, errlen) plus a return value, never by printing or exiting. */
#ifndef REFAST_SUPPORT_ERRF_H
#define REFAST_SUPPORT_ERRF_H

#include <stdbool.h>
#include <stddef.h>

/* Formats into err (when err != NULL and errlen > 0) and returns false. */
bool rf_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, returning -1 (for functions whose status is an int). */
int rf_fail_rc(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
