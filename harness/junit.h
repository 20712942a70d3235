/* JUnit XML, the test-report format every CI system reads (Jenkins, GitLab, GitHub through an
 * action, Azure): one <testsuite> of <testcase>s, each passed, failed (<failure message=...>) or
 * skipped (<skipped message=...>). `refast verify --junit` writes one test case per case and
 * level, `refast gate --junit` (and `refast ab --junit`) one per benchmark. The cases accumulate in
 * memory and the file is written atomically at the end (SPEC §8). */
#ifndef REFAST_JUNIT_H
#define REFAST_JUNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "bytes.h"

typedef enum rf_junit_status { RF_JUNIT_PASS = 0, RF_JUNIT_FAIL, RF_JUNIT_SKIP } rf_junit_status;

typedef struct rf_junit {
    rf_wbuf cases; /* the <testcase> elements so far */
    size_t tests, failures, skipped;
} rf_junit;

/* message: one line (the failure's or skip's reason, may be NULL for a pass); detail: the body
 * of the failure element (may be NULL). */
void rf_junit_case(rf_junit *j, const char *classname, const char *name, rf_junit_status st, const char *message,
                   const char *detail);
/* The document <testsuites><testsuite name=suite ...>cases</testsuite></testsuites> into out (for a
 * caller that writes it together with other files). */
void rf_junit_render(const rf_junit *j, const char *suite, rf_wbuf *out);
/* The document, written to path. */
bool rf_junit_save(const rf_junit *j, const char *suite, const char *path, char *err, size_t errlen);
void rf_junit_free(rf_junit *j);

#endif
