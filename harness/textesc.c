/* Escaping plain text for HTML/SVG and Markdown (see textesc.h). */
#include "textesc.h"

void rf_esc_xml(rf_wbuf *w, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': rf_wbuf_puts(w, "&amp;"); break;
        case '<': rf_wbuf_puts(w, "&lt;"); break;
        case '>': rf_wbuf_puts(w, "&gt;"); break;
        case '"': rf_wbuf_puts(w, "&quot;"); break;
        case '\'': rf_wbuf_puts(w, "&#39;"); break;
        default: rf_wbuf_put(w, s, 1);
        }
    }
}

void rf_esc_md(rf_wbuf *w, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') rf_wbuf_puts(w, "\\|");
        else if (*s == '\n') rf_wbuf_puts(w, " ");
        else rf_wbuf_put(w, s, 1);
    }
}
