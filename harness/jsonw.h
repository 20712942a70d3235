/* A growing text buffer for writing JSON (strings escaped per RFC 8259). Out-of-memory is
 * sticky and reported by rf_jsonw_save. */
#ifndef REFAST_JSONW_H
#define REFAST_JSONW_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rf_jsonw {
    char *p;
    size_t len, cap;
    bool oom;
} rf_jsonw;

void rf_jsonw_init(rf_jsonw *w);
void rf_jsonw_free(rf_jsonw *w);
void rf_jsonw_raw(rf_jsonw *w, const char *s);
void rf_jsonw_fmt(rf_jsonw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rf_jsonw_str(rf_jsonw *w, const char *s);
/* Writes the buffer to path atomically. */
bool rf_jsonw_save(const rf_jsonw *w, const char *path, char *err, size_t errlen);

#endif
