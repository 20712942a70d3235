/* Markdown + HTML document builder (see report_doc.h). */
#include "report_doc.h"

#include "textesc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const css =
    "body{font-family:sans-serif;margin:2em auto;max-width:1200px;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:13px}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}"
    "th{background:#f2f2f2}"
    "td.l,th.l{text-align:left}figure{margin:1em 0;overflow-x:auto}"
    "p.note{color:#555;font-size:13px}";

void rf_doc_begin(rf_doc *d, const char *title)
{
    memset(d, 0, sizeof *d);
    rf_wbuf_puts(&d->md, "# ");
    rf_wbuf_puts(&d->md, title);
    rf_wbuf_puts(&d->md, "\n\n");
    rf_wbuf_puts(&d->html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    rf_esc_xml(&d->html, title);
    rf_wbuf_printf(&d->html, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
    rf_esc_xml(&d->html, title);
    rf_wbuf_puts(&d->html, "</h1>\n");
}

void rf_doc_end(rf_doc *d) { rf_wbuf_puts(&d->html, "</body>\n</html>\n"); }

void rf_doc_free(rf_doc *d)
{
    rf_wbuf_free(&d->md);
    rf_wbuf_free(&d->html);
}

bool rf_doc_ok(const rf_doc *d) { return !d->md.oom && !d->html.oom; }

void rf_doc_heading(rf_doc *d, int level, const char *text)
{
    for (int i = 0; i < level; i++) rf_wbuf_puts(&d->md, "#");
    rf_wbuf_printf(&d->md, " %s\n\n", text);
    rf_wbuf_printf(&d->html, "<h%d>", level);
    rf_esc_xml(&d->html, text);
    rf_wbuf_printf(&d->html, "</h%d>\n", level);
}

void rf_doc_para(rf_doc *d, const char *fmt, ...)
{
    rf_wbuf text = {0};
    va_list ap;
    va_start(ap, fmt);
    rf_wbuf_vprintf(&text, fmt, ap);
    va_end(ap);
    d->md.oom |= text.oom;
    rf_wbuf_printf(&d->md, "%s\n\n", rf_wbuf_text(&text));
    rf_wbuf_puts(&d->html, "<p class=\"note\">");
    rf_esc_xml(&d->html, rf_wbuf_text(&text));
    rf_wbuf_puts(&d->html, "</p>\n");
    rf_wbuf_free(&text);
}

void rf_doc_figure(rf_doc *d, const char *file, const char *alt, const rf_wbuf *svg)
{
    rf_wbuf_printf(&d->md, "![%s](%s)\n\n", alt, file);
    rf_wbuf_puts(&d->html, "<figure>\n");
    rf_wbuf_puts(&d->html, rf_wbuf_text(svg));
    rf_wbuf_puts(&d->html, "</figure>\n");
}

void rf_table_init(rf_table *t, size_t ncol)
{
    memset(t, 0, sizeof *t);
    t->ncol = ncol;
    t->left = 2;
}

void rf_table_free(rf_table *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

void rf_table_cell(rf_table *t, const char *fmt, ...)
{
    if (t->oom) return;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        char **c = realloc(t->cells, cap * sizeof *c);
        if (!c) {
            t->oom = true;
            return;
        }
        t->cells = c;
        t->cap = cap;
    }
    rf_wbuf cell = {0};
    va_list ap;
    va_start(ap, fmt);
    rf_wbuf_vprintf(&cell, fmt, ap);
    va_end(ap);
    if (cell.oom) {
        rf_wbuf_free(&cell);
        t->oom = true;
        return;
    }
    t->cells[t->n++] = (char *)cell.p; /* the cell owns the buffer's text */
}

void rf_doc_table(rf_doc *d, const rf_table *t)
{
    if (t->oom) {
        d->md.oom = true; /* surfaces as an out-of-memory failure when the files are written */
        return;
    }
    size_t rows = t->ncol ? t->n / t->ncol : 0;
    for (size_t r = 0; r < rows; r++) {
        rf_wbuf_puts(&d->md, "|");
        for (size_t c = 0; c < t->ncol; c++) {
            rf_wbuf_puts(&d->md, " ");
            rf_esc_md(&d->md, t->cells[r * t->ncol + c]);
            rf_wbuf_puts(&d->md, " |");
        }
        rf_wbuf_puts(&d->md, "\n");
        if (r == 0) {
            rf_wbuf_puts(&d->md, "|");
            for (size_t c = 0; c < t->ncol; c++) rf_wbuf_puts(&d->md, c < t->left ? ":---|" : "---:|");
            rf_wbuf_puts(&d->md, "\n");
        }
    }
    rf_wbuf_puts(&d->md, "\n");
    rf_wbuf_puts(&d->html, "<table>\n");
    for (size_t r = 0; r < rows; r++) {
        rf_wbuf_puts(&d->html, "<tr>");
        for (size_t c = 0; c < t->ncol; c++) {
            const char *tag = r == 0 ? "th" : "td";
            rf_wbuf_printf(&d->html, "<%s%s>", tag, c < t->left ? " class=\"l\"" : "");
            rf_esc_xml(&d->html, t->cells[r * t->ncol + c]);
            rf_wbuf_printf(&d->html, "</%s>", tag);
        }
        rf_wbuf_puts(&d->html, "</tr>\n");
    }
    rf_wbuf_puts(&d->html, "</table>\n");
}
