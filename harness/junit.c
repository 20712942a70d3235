/* JUnit XML (see junit.h). */
#include "junit.h"

#include "textesc.h"

/* XML 1.0 admits no control characters but tab, newline and carriage return: others become '?'. */
static void esc(rf_wbuf *w, const char *s)
{
    char one[2] = {0, 0};
    for (; s && *s; s++) {
        const unsigned char c = (unsigned char)*s;
        one[0] = c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '?' : *s;
        rf_esc_xml(w, one);
    }
}

void rf_junit_case(rf_junit *j, const char *classname, const char *name, rf_junit_status st, const char *message,
                   const char *detail)
{
    rf_wbuf *w = &j->cases;
    j->tests++;
    rf_wbuf_puts(w, "    <testcase classname=\"");
    esc(w, classname);
    rf_wbuf_puts(w, "\" name=\"");
    esc(w, name);
    rf_wbuf_puts(w, "\"");
    if (st == RF_JUNIT_PASS) {
        rf_wbuf_puts(w, "/>\n");
        return;
    }
    const char *tag = st == RF_JUNIT_FAIL ? "failure" : "skipped";
    st == RF_JUNIT_FAIL ? j->failures++ : j->skipped++;
    rf_wbuf_printf(w, ">\n      <%s message=\"", tag);
    esc(w, message);
    rf_wbuf_puts(w, "\"");
    if (detail && *detail) {
        rf_wbuf_puts(w, ">");
        esc(w, detail);
        rf_wbuf_printf(w, "</%s>\n", tag);
    } else {
        rf_wbuf_puts(w, "/>\n");
    }
    rf_wbuf_puts(w, "    </testcase>\n");
}

void rf_junit_render(const rf_junit *j, const char *suite, rf_wbuf *w)
{
    rf_wbuf_puts(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"");
    esc(w, suite);
    rf_wbuf_printf(w, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", j->tests, j->failures,
                   j->skipped);
    rf_wbuf_puts(w, rf_wbuf_text(&j->cases));
    rf_wbuf_puts(w, "  </testsuite>\n</testsuites>\n");
    if (j->cases.oom) w->oom = true;
}

bool rf_junit_save(const rf_junit *j, const char *suite, const char *path, char *err, size_t errlen)
{
    rf_wbuf w = {0};
    rf_junit_render(j, suite, &w);
    const bool ok = rf_wbuf_save(&w, path, err, errlen); /* an out-of-memory buffer is refused */
    rf_wbuf_free(&w);
    return ok;
}

void rf_junit_free(rf_junit *j)
{
    rf_wbuf_free(&j->cases);
    j->tests = j->failures = j->skipped = 0;
}
