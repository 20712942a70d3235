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

void rf_jsonw_member_num(rf_wbuf *w, const char *lead, double v, int digits)
{
    rf_wbuf_puts(w, lead);
    rf_jsonw_num(w, v, digits);
}

void rf_jsonw_member_str(rf_wbuf *w, const char *lead, const char *s)
{
    rf_wbuf_puts(w, lead);
    rf_jsonw_str(w, s);
}

static void indent(rf_wbuf *w, int depth)
{
    rf_wbuf_puts(w, "\n");
    for (int i = 0; i < depth; i++) rf_wbuf_puts(w, "  ");
}

void rf_jsonw_value(rf_wbuf *w, const rf_json *v, int depth)
{
    switch (v->type) {
    case RF_JSON_NULL: rf_wbuf_puts(w, "null"); return;
    case RF_JSON_BOOL: rf_wbuf_puts(w, v->boolean ? "true" : "false"); return;
    case RF_JSON_NUMBER: rf_jsonw_num(w, v->number, 17); return;
    case RF_JSON_STRING: rf_jsonw_str(w, v->str); return;
    case RF_JSON_ARRAY:
    case RF_JSON_OBJECT: {
        const bool obj = v->type == RF_JSON_OBJECT;
        rf_wbuf_puts(w, obj ? "{" : "[");
        for (size_t i = 0; i < v->count; i++) {
            if (i) rf_wbuf_puts(w, ",");
            indent(w, depth + 1);
            if (obj) {
                rf_jsonw_str(w, v->keys[i]);
                rf_wbuf_puts(w, ": ");
            }
            rf_jsonw_value(w, &v->items[i], depth + 1);
        }
        if (v->count) indent(w, depth);
        rf_wbuf_puts(w, obj ? "}" : "]");
        return;
    }
    }
}
