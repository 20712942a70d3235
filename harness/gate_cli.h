/* The options `refast gate` and `refast ab` share (thresholds, alpha, which gate, the CI outputs,
 * --confirm) as rows any command's option table can include, and the one function both run once
 * their two sides are loaded: judge (gate.h), confirm the flagged rows when asked, print
 * (gate_print.h), write the outputs (gate_out.h) and return the exit code. */
#ifndef REFAST_GATE_CLI_H
#define REFAST_GATE_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "benchjson.h"
#include "command.h"

typedef struct rf_gate_args {
    double threshold;
    bool threshold_given;
    double alpha;
    unsigned long long min_reps;
    int only, time; /* indices into "time|speedup" and "real|cpu" */
    const char *json, *markdown, *junit;
    bool annotations, confirm;
} rf_gate_args;

/* The rows, for an options struct T holding an rf_gate_args member m. */
#define RF_GATE_OPT_ROWS(T, m)                                                                                  \
    {"--threshold", RF_OPT_F64, offsetof(T, m.threshold), "PCT",                                               \
     .help = "minimum relative change that counts, in percent (\"5%\" is accepted);\n"                          \
             "default 5 for times, 1 for instruction counts; a kernel's registry entry\n"                       \
             "may widen it (shown per row)",                                                                    \
     .min = 0, .flags = RF_OPT_PERCENT, .given = RF_GIVEN(T, m.threshold_given)},                              \
        {"--alpha", RF_OPT_F64, offsetof(T, m.alpha), "A",                                                      \
         .help = "false discovery rate of the run (Benjamini-Hochberg over all its\ncomparisons)",             \
         .def = "0.05", .min = 0, .max = 1, .flags = RF_OPT_MIN_OPEN | RF_OPT_MAX_OPEN},                        \
        {"--min-repetitions", RF_OPT_U64, offsetof(T, m.min_reps), "N",                                         \
         .help = "warn about benchmarks with fewer repetitions", .def = "9", .min = 1, .max = 1000000},        \
        {"--only", RF_OPT_CHOICE, offsetof(T, m.only), "time|speedup", .help = "run one gate only (default: both)"}, \
        {"--time", RF_OPT_CHOICE, offsetof(T, m.time), "real|cpu",                                              \
         .help = "which time of each repetition to compare (cpu: steadier on a shared\n"                        \
                 "machine, where real time includes waits)",                                                    \
         .def = "cpu"},                                                                                         \
        {"--confirm", RF_OPT_FLAG, offsetof(T, m.confirm), NULL,                                                \
         .help = "re-measure the regressed rows' kernels with twice the repetitions;\n"                         \
                 "a row stays regressed only if the re-run flags it too"},                                      \
        {"--json", RF_OPT_FILE, offsetof(T, m.json), "FILE",                                                    \
         .help = "write the verdicts as JSON (medians, changes, p and q values, MDS)"},                         \
        {"--markdown", RF_OPT_FILE, offsetof(T, m.markdown), "FILE",                                            \
         .help = "write a Markdown summary (a CI job summary or a pull-request comment)"},                      \
        {"--junit", RF_OPT_FILE, offsetof(T, m.junit), "FILE", .help = "write JUnit XML: one test case per benchmark"}, \
        {"--annotations", RF_OPT_FLAG, offsetof(T, m.annotations), NULL,                                        \
         .help = "print one ::error (regression) or ::warning line per finding (GitHub\nActions)"}

/* Produces fresh baseline and current runs of the kernels of the given benchmark names, with more
 * repetitions; false with a message when it cannot. */
typedef bool (*rf_confirm_fn)(void *ctx, const char *const *names, size_t n, rf_bench_file *fa, rf_bench_file *fb,
                              char *err, size_t errlen);

/* Everything after loading: returns the exit code (0, 1 regression, 2 inconclusive or error).
 * confirm may be NULL when the caller cannot re-measure (then --confirm is an error). */
int rf_gate_conclude(const char *cmd, const rf_gate_args *a, const rf_bench_file *fa, const rf_bench_file *fb,
                     const char *base_what, const char *cur_what, rf_confirm_fn confirm, void *ctx);

/* The distinct kernels of benchmark names (`<kernel>/<impl>/<size>`), written to kernels[] as
 * pointers into a malloc'd buffer the caller frees (*buf). */
size_t rf_gate_kernels_of(const char *const *names, size_t n, const char **kernels, char **buf);

#endif
