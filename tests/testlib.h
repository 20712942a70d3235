/* A minimal test harness: CHECK records a failure with file:line and carries on; each test file
 * ends with rf_test_summary(), which prints "<file>: N passed, M failed" and returns the exit
 * code. Tests that depend on a level call rf_test_levels() to iterate over the usable ones. */
#ifndef REFAST_TESTLIB_H
#define REFAST_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "refast/isa.h"
#include "refast/registry.h"

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

/* An implementation of descriptor k that is not in the tables (a deliberately faulty one, a
 * function a test wraps): what the judge and rf_kernel_run take. */
rf_impl rf_test_impl(const rf_kernel *k, rf_fnptr fn, const char *label);
/* Every implementation of k to judge here: the usable levels and, with peers, the peers. */
size_t rf_test_impls(const rf_kernel *k, bool peers, rf_impl *out);
/* The descriptor called name; exits with a message when none is (the test cannot run). */
const rf_kernel *rf_test_kernel(const char *name);
/* The implementations a family test calls directly: those of the kernel called name at every
 * usable level, scalar first (rf_test_impls without peers). */
typedef struct rf_impl_set {
    rf_impl at[RF_MAX_IMPLS];
    size_t n;
} rf_impl_set;
rf_impl_set rf_test_level_impls(const char *name);

/* External truth on disk (../shared: the authors' reference data). Returns true when `path` exists.
 * When it does not, the test FAILS (a green CI must not hide unchecked code), unless the
 * environment sets REFAST_ALLOW_MISSING_SHARED=1, which turns it into a printed skip; either way
 * the caller leaves out the checks that need it. */
bool rf_test_shared(const char *path, const char *what);

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
/* The whole file at path if it holds exactly `bytes` bytes (malloc'd; NULL if it is missing, shorter
 * or longer): raw reference data files have no header, so the size is the only check there is. */
void *rf_test_read_exact(const char *path, size_t bytes);
/* A fresh temporary directory (mkdtemp under $TMPDIR or /tmp); the path is static storage. */
const char *rf_test_tmpdir(void);

/* `cases` fuzz inputs of `len` random bytes from *rng through k's fuzz_inputs: every accepted one
 * must pass the oracle and every implementation with peers (checked), and at least half must be
 * accepted (checked). Returns how many were accepted. */
int rf_test_fuzz_kernel(const rf_kernel *k, int cases, size_t len, uint64_t *rng);
/* A case of k from params: make_inputs then the oracle (a failure is a failed check). */
bool rf_test_build_case(const rf_kernel *k, const char *params, rf_case *c);
struct rf_verdict; /* harness/compare.h */
/* fn judged as an implementation of k on c: whether it ran (checked) and passed. */
bool rf_test_judge_fn(const rf_kernel *k, rf_fnptr fn, const rf_case *c, struct rf_verdict *v);

/* ---- splitmix64 random streams for test data ----------------------------------------------------
 * Each test file keeps its own uint64_t state (initialised to its seed) and passes its address, so
 * the numbers a test draws depend on that file alone and are the same on every run. */
uint64_t rf_test_u64(uint64_t *state);
/* lo + (hi - lo) u, u = (53 random bits) 2^-53 in [0, 1). */
double rf_test_uniform(uint64_t *state, double lo, double hi);
/* (53 random bits + 1) 2^-53 in (0, 1]: never 0, so its log is finite. */
double rf_test_unit(uint64_t *state);
/* Standard normal by Box-Muller, sqrt(-2 ln u1) cos(2 pi u2), u1 then u2 drawn by rf_test_unit. */
double rf_test_gauss(uint64_t *state);
/* The same with u1 = 1 - rf_test_uniform(0, 1) then u2 = rf_test_uniform(0, 1) (another stream). */
double rf_test_gauss_c(uint64_t *state);

/* ---- polar codes ---------------------------------------------------------------------------------- */
/* Information positions of a polar mask (frozen[i] = 0), i < n: the message length k. */
size_t rf_test_count_info(size_t n, const uint8_t *frozen);

#endif
