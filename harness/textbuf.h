/* A growing text buffer for generated documents (Markdown, HTML, SVG) and an all-or-nothing
 * writer for a set of files.
 *
 * Running out of memory is sticky: every later append is ignored and rf_tb_ok() turns false, so
 * callers check once at the end. rf_tb_esc() appends with the five XML/HTML special characters
 * escaped; rf_tb_md() escapes the Markdown table delimiter '|'.
 *
 * rf_files_commit() writes every buffer to a temporary name beside its destination, then renames
 * them all into place; if any write fails, the temporaries are removed and no destination file is
 * touched (SPEC §8: no partial output).
 */
#ifndef REFAST_TEXTBUF_H
#define REFAST_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rf_tb {
    char *p;
    size_t len, cap;
    bool oom;
} rf_tb;

void rf_tb_init(rf_tb *t);
void rf_tb_free(rf_tb *t);
bool rf_tb_ok(const rf_tb *t);
void rf_tb_puts(rf_tb *t, const char *s);
void rf_tb_printf(rf_tb *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rf_tb_esc(rf_tb *t, const char *s);
void rf_tb_md(rf_tb *t, const char *s);

typedef struct rf_outfile {
    const char *path;
    const rf_tb *text;
} rf_outfile;

/* Writes all n files or none; on failure err names the file and the reason. */
bool rf_files_commit(const rf_outfile *files, size_t n, char *err, size_t errlen);

#endif
