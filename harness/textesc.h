/* Plain text written into generated documents: HTML and SVG (the five XML special characters
 * escaped) and Markdown table cells ('|' escaped, newlines flattened), appended to a buffer
 * (bytes.h). JSON strings have their own writer (jsonw.h). */
#ifndef REFAST_TEXTESC_H
#define REFAST_TEXTESC_H

#include "bytes.h"

void rf_esc_xml(rf_wbuf *w, const char *s);
void rf_esc_md(rf_wbuf *w, const char *s);

#endif
