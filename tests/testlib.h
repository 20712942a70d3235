/* A minimal test harness: CHECK records a failure with file:line and carries on; each test file
 * ends with rf_test_summary(), which prints "<file>: N passed, M failed" and returns the exit
 * code. Tests that depend on a level call rf_test_levels() to iterate over the usable ones. */
#ifndef REFAST_TESTLIB_H
#define REFAST_TESTLIB_H

#include <stdbool.h>
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

#endif
