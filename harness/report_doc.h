/* A document written twice at once, as Markdown and as self-contained HTML, for `refast report`.
 *
 * Tables are filled cell by cell (rf_table_cell) and then emitted into both renderings, so the two
 * files always carry the same numbers. Figures are SVG text: the HTML inlines it, the Markdown
 * links to the .svg file written beside it. All text passed in is plain (escaped here).
 */
#ifndef REFAST_REPORT_DOC_H
#define REFAST_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "bytes.h"

typedef struct rf_doc {
    rf_wbuf md, html;
} rf_doc;

void rf_doc_begin(rf_doc *d, const char *title);
void rf_doc_end(rf_doc *d);
void rf_doc_free(rf_doc *d);
bool rf_doc_ok(const rf_doc *d);
void rf_doc_heading(rf_doc *d, int level, const char *text);
void rf_doc_para(rf_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rf_doc_figure(rf_doc *d, const char *file, const char *alt, const rf_wbuf *svg);

typedef struct rf_table {
    size_t ncol;
    size_t left;  /* columns aligned left (default 2: labels), the rest right (numbers) */
    char **cells; /* row-major, the first row is the header */
    size_t n, cap;
    bool oom;
} rf_table;

void rf_table_init(rf_table *t, size_t ncol);
void rf_table_free(rf_table *t);
void rf_table_cell(rf_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rf_doc_table(rf_doc *d, const rf_table *t);

#endif
