/* Writing JSON into a buffer (bytes.h): structure and numbers go in with rf_wbuf_puts and
 * rf_wbuf_printf (which sizes its output: nothing is truncated), strings and numbers that may not
 * be finite through these two, and the document is saved with rf_wbuf_save (atomically). */
#ifndef REFAST_JSONW_H
#define REFAST_JSONW_H

#include "bytes.h"
#include "json.h"

/* A JSON string: quoted, with '"', '\\' and control characters escaped (RFC 8259). */
void rf_jsonw_str(rf_wbuf *w, const char *s);
/* v with `digits` significant digits (%.*g), or null when it is not finite (JSON has no NaN). */
void rf_jsonw_num(rf_wbuf *w, double v, int digits);
/* An object member: `lead` (the separator and the quoted key as they should appear, e.g.
 * ",\"p\":" or ", \"loss\": "), then the value as rf_jsonw_num / rf_jsonw_str write it. */
void rf_jsonw_member_num(rf_wbuf *w, const char *lead, double v, int digits);
void rf_jsonw_member_str(rf_wbuf *w, const char *lead, const char *s);

/* A parsed document (json.h) back as text, two spaces per level, numbers to 17 digits (exact for
 * a double): how `refast bench` adds to the JSON Google Benchmark wrote. */
void rf_jsonw_value(rf_wbuf *w, const rf_json *v, int depth);

#endif
