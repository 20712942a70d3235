/* A minimal test harness: CHECK records a failure with file:line and carries on; each test file
 * ends with rf_test_summary(), which prints "<file>: N passed, M failed" and returns the exit
 * code. Tests that depend on a level call rf_test_levels() to iterate over the usable ones. */
#ifndef REFAST_TESTLIB_H
#define REFAST_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "refast/isa.h"

extern int rf_test_passed, rf_test_failed;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (cond) rf_test_passed++;                                                              \
        else {                                                                                   \
            rf_test_failed++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                                        \
    } while (0)

#define CHECKF(cond, ...)                                                                        \
    do {                                                                                         \
        if (cond) rf_test_passed++;                                                              \
        else {                                                                                   \
            rf_test_failed++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);            \
            fprintf(stderr, __VA_ARGS__);                                                        \
            fputc('\n', stderr);                                                                 \
        }                                                                                        \
    } while (0)

/* Levels usable on this machine, scalar first; returns the count written to out. */
int rf_test_levels(rf_isa out[RF_ISA_COUNT]);
/* Prints the summary line and returns 0 if nothing failed (and something passed), else 1. */
int rf_test_summary(const char *name);


/* Runs the refast CLI in-process (rf_cli_main) with the given arguments (NULL-terminated),
 * capturing what it writes to stderr into err (NUL-terminated) and stdout into out (either may be
 * NULL). Returns its exit code. */
int rf_test_cli(char *out, size_t outlen, char *err, size_t errlen, ...);
/* Number of '\n'-terminated lines in s. */
int rf_test_lines(const char *s);
/* A fresh temporary directory (mkdtemp under $TMPDIR or /tmp); the path is static storage. */
const char *rf_test_tmpdir(void);

#endif
