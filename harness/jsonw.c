/* JSON strings and numbers (see jsonw.h). */
#include "jsonw.h"

#include <math.h>

void rf_jsonw_str(rf_wbuf *w, const char *s)
{
    rf_wbuf_put(w, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') rf_wbuf_printf(w, "\\%c", *p);
        else if (*p < 0x20) rf_wbuf_printf(w, "\\u%04x", *p);
        else rf_wbuf_put(w, p, 1);
    }
    rf_wbuf_put(w, "\"", 1);
}

void rf_jsonw_num(rf_wbuf *w, double v, int digits)
{
    if (isfinite(v)) rf_wbuf_printf(w, "%.*g", digits, v);
    else rf_wbuf_puts(w, "null");
}
