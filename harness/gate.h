/* The verdicts of `refast gate` and `refast ab`: two loaded benchmark runs (benchjson.h) in, one
 * row per benchmark present in both out, with every number a reviewer or a CI needs. The
 * commands only load, print (gate_print.h) and write (gate_out.h); the judging is all here.
 *
 * Two metrics. Timing files (refast bench) are judged with statistics; instruction-count files
 * (refast bench --counter instructions, context refast_counter = "instructions") are
 * deterministic and judged by a plain relative threshold, with no test and no p-value.
 *
 * Per benchmark, two comparisons:
 *   time     median(current) / median(baseline) - 1 of the cpu (or real) times, tested by the
 *            two-sided Mann–Whitney U test (instructions: the counts' change alone);
 *   speedup  for a non-scalar row whose <kernel>/scalar/<size> is in both files, the speedup
 *            S = median(scalar) / median(row) within each file, change S_cur / S_base - 1, tested
 *            by a bootstrap of all four repetition sets (stats.h), its p never below the smallest
 *            p a rank test of n vs n could reach (n the smallest count: the bootstrap is
 *            optimistic on few repetitions). Robust to the files coming from machines of
 *            different speed.
 * False discoveries: all p-values of a run (both comparisons of every row; "machine" rows are
 * information and never tested) are one family, adjusted by Benjamini–Hochberg into q-values;
 * a comparison is significant when q <= alpha, so among the flagged comparisons the expected
 * share of false ones is at most alpha.
 * Verdict of a comparison, with T the row's threshold (the larger of --threshold and the
 * kernel's registry gate_threshold; the default is 5% for times and 1% for instructions):
 *   |change| <= T                       unchanged
 *   |change| > T and q <= alpha         regressed / improved (by the sign of the slowdown)
 *   |change| > T, q > alpha, MDS > T    inconclusive (the data could not have shown it)
 *   otherwise                           unchanged
 * A row is regressed if either comparison is, else improved if one is, else inconclusive if one
 * is, else unchanged.
 *
 * Minimum detectable slowdown (MDS), per comparison: the slowdown that would be flagged with 80%
 * power when it is the only real change of the run, i.e. at the level alpha / m that
 * Benjamini–Hochberg applies to a single discovery among m tests:
 *   time:    MDS = exp((z(1 - a/2) + z(0.8)) sqrt(pi/3) sqrt(c_b^2/n_b + c_c^2/n_c)) - 1
 *   speedup: MDS = exp((z(1 - a/2) + z(0.8)) sqrt(pi/2) sqrt(sum over the 4 sets of c^2/n)) - 1
 * with a = alpha/m, c the robust relative spread (1.4826 MAD / median) of each set and n its
 * repetitions (sqrt(pi/3): the U test's efficiency against the t test on normal data; sqrt(pi/2):
 * the standard error of a median over that of a mean). It is infinite when the repetitions
 * cannot reach a at all (2 / C(n_b + n_c, n_b) > a for the U test; for the speedup the same with
 * the smallest of the four counts on both sides).
 * Noise rule: when more than half of the comparisons have MDS > T, the run cannot certify the
 * absence of regressions: without a regression the verdict is "inconclusive" (exit 2); found
 * regressions are still reported (exit 1), since they reached significance despite the noise.
 */
#ifndef REFAST_GATE_H
#define REFAST_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "benchjson.h"

typedef enum rf_verdict_kind {
    RF_V_UNCHANGED = 0,
    RF_V_REGRESSED,
    RF_V_IMPROVED,
    RF_V_INCONCLUSIVE,
    RF_V_INFO, /* machine rows: never gated */
} rf_verdict_kind;

const char *rf_verdict_name(rf_verdict_kind v); /* "unchanged", "REGRESSED", ... */

typedef enum rf_gate_metric { RF_METRIC_TIME = 0, RF_METRIC_INSTRUCTIONS } rf_gate_metric;

#define RF_GATE_DEFAULT_TIME_PCT 5.0
#define RF_GATE_DEFAULT_INSTR_PCT 1.0
#define RF_GATE_POWER 0.8

typedef struct rf_gate_cfg {
    double threshold; /* percent; < 0: the metric's default */
    double alpha;
    bool time_gate, speedup_gate;
    bool cpu;                     /* compare cpu_time (else real_time) */
    const char *const *only;      /* judge only these benchmark names (confirmation), or NULL */
    size_t nonly;
} rf_gate_cfg;

typedef struct rf_gate_cmp {
    bool present;
    double base, cur;  /* medians (ns or instructions per call), or speedups */
    double change;     /* percent: cur / base - 1 */
    double slowdown;   /* percent, positive = worse (time: change; speedup: -change) */
    double p, q;       /* NaN for instruction counts */
    double mds;        /* percent; 0 for instruction counts, INFINITY when undetectable */
    size_t nmin;       /* smallest repetition count involved */
    rf_verdict_kind v;
} rf_gate_cmp;

typedef struct rf_gate_row {
    const char *name;
    const rf_bench *a, *b; /* baseline, current */
    double threshold;      /* percent */
    bool threshold_from_registry;
    rf_gate_cmp time, speedup;
    double scalar_change; /* percent, when speedup.present */
    rf_verdict_kind overall;
    bool confirm_ran; /* --confirm re-measured it: the numbers above are the re-run's */
} rf_gate_row;

typedef struct rf_gate_result {
    rf_gate_metric metric;
    rf_gate_cfg cfg;
    rf_gate_row *rows;
    size_t n;
    size_t only_a, only_b; /* benchmarks present in one file only */
    size_t ncomparisons;   /* the Benjamini–Hochberg family size m */
    size_t nblind;         /* comparisons with MDS > threshold */
    size_t nreg, nimp, nsame, ninc;
    double geomean_time;    /* geometric mean of current/baseline medians (non-machine rows) */
    double geomean_speedup; /* geometric mean of S_cur / S_base */
    bool too_noisy;         /* the noise rule above */
    char warnings[8][320];  /* environment and input warnings, one line each */
    size_t nwarnings;
} rf_gate_result;

/* The metric both files share; false with a message when they differ or a file of instruction
 * counts lacks the counter in some row. */
bool rf_gate_metric_of(const rf_bench_file *fa, const rf_bench_file *fb, rf_gate_metric *out, char *err,
                       size_t errlen);
/* Judges fb (current) against fa (baseline). False with a message when nothing can be compared or
 * memory runs out. The result points into both files: free it before them. */
bool rf_gate_judge(const rf_gate_cfg *cfg, const rf_bench_file *fa, const rf_bench_file *fb, rf_gate_result *out,
                   char *err, size_t errlen);
void rf_gate_result_free(rf_gate_result *r);
/* 0 no regression, 1 regression(s), 2 inconclusive (too noisy) (command.h's exit codes). */
int rf_gate_exit_code(const rf_gate_result *r);

/* --confirm: the benchmark names of the regressed rows (malloc'd array of pointers into r). */
const char **rf_gate_flagged(const rf_gate_result *r, size_t *n);
/* Folds a confirmation (a judge of fresh repetitions restricted to the flagged rows) into r: a
 * flagged row stays regressed only when the confirmation says so too; the others become
 * "unchanged" and say that the confirmation did not reproduce them. Recounts r. */
void rf_gate_apply_confirmation(rf_gate_result *r, const rf_gate_result *confirm);

#endif
