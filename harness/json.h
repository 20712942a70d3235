/* A small JSON reader (DOM) for the harness's benchmark files (writing: jsonw.h).
 *
 * rf_json_parse() builds a tree of rf_json nodes from a byte buffer (RFC 8259: objects, arrays,
 * strings with every escape including \uXXXX surrogate pairs, numbers, true/false/null). It is
 * meant for untrusted input: it never reads past `len`, rejects invalid UTF-8, raw control
 * characters in strings, unpaired surrogates, numbers that overflow a double and nesting deeper
 * than RF_JSON_MAX_DEPTH, and on any error returns NULL with a one-line message
 * "line L, column C: what is wrong" (columns count bytes from 1).
 *
 * One extension, because Google Benchmark writes it: the bare tokens NaN, -NaN, Infinity and
 * -Infinity are accepted as numbers.
 *
 * Objects keep their members in file order; duplicate keys are kept and rf_json_get() returns
 * the last one (as Python's json module does). Strings are NUL-terminated UTF-8 and also carry
 * their length, since \u0000 may embed a NUL. The whole tree is released by rf_json_free().
 */
#ifndef REFAST_JSON_H
#define REFAST_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define RF_JSON_MAX_DEPTH 256

typedef enum rf_json_type {
    RF_JSON_NULL = 0,
    RF_JSON_BOOL,
    RF_JSON_NUMBER,
    RF_JSON_STRING,
    RF_JSON_ARRAY,
    RF_JSON_OBJECT
} rf_json_type;

typedef struct rf_json rf_json;
struct rf_json {
    rf_json_type type;
    bool boolean;
    double number;
    char *str;       /* STRING: NUL-terminated UTF-8 */
    size_t len;      /* STRING: bytes, excluding the terminator */
    rf_json *items;  /* ARRAY elements / OBJECT member values */
    char **keys;     /* OBJECT member names (parallel to items) */
    size_t count;    /* ARRAY / OBJECT: number of items */
    int line, col;   /* where the value starts in the source */
};

/* Parses len bytes. Returns NULL and writes "line L, column C: message" into err on failure. */
rf_json *rf_json_parse(const char *text, size_t len, char *err, size_t errlen);
/* Reads and parses a file; errors are "PATH: ..." (including "PATH:L:C: ..." for syntax). */
rf_json *rf_json_parse_file(const char *path, char *err, size_t errlen);
void rf_json_free(rf_json *v);

/* Object member lookup (NULL if v is not an object or has no such key). */
const rf_json *rf_json_get(const rf_json *v, const char *key);
/* Typed lookups: return false when the member is absent or of another type. */
bool rf_json_get_number(const rf_json *v, const char *key, double *out);
const char *rf_json_get_string(const rf_json *v, const char *key);
const char *rf_json_type_name(rf_json_type t);

#endif
