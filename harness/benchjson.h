/* Google Benchmark JSON results, as written by `refast bench` (and any GB binary with
 * --benchmark_format=json or --benchmark_out), loaded into per-benchmark sample lists.
 *
 * A file is {"context": {...}, "benchmarks": [row, ...]}. Each row of run_type "iteration" (or
 * with no run_type: older GB) is one repetition and contributes one sample; its real_time and
 * cpu_time are converted from time_unit (ns/us/ms/s) to nanoseconds. Rows of run_type
 * "aggregate" (mean, median, stddev, cv, ...) are ignored for a benchmark that has iteration
 * rows; a benchmark reported only through aggregates (--benchmark_report_aggregates_only) gets one
 * sample from its "median" aggregate (else "mean") and is flagged aggregate_only. Rows with
 * "error_occurred": true are skipped and counted.
 *
 * Benchmarks are keyed by their run_name (else name) with GB's option suffixes removed
 * (".../min_time:0.010/repeats:10" -> "..."), so files written with different repetition counts
 * compare. Every other numeric field of a row is a counter (items_per_second, bytes_per_second,
 * the user counter "FLOPS", ...), kept per sample (NaN where a row lacks it). Extra fields and
 * context members are tolerated; the parsed document stays available through `root`/`context`.
 * Google Benchmark computes rate counters from CPU time unless the benchmark was registered with
 * UseRealTime()/UseManualTime(), which it marks by a "/real_time" ("/manual_time") name suffix.
 *
 * refast names benchmarks `<kernel>/<impl>/<size>`: impl is an ISA level (scalar, avx2, avx512,
 * neon), an autovec peer (autovec_<level>) or another peer (openblas); size is the parameter
 * string, or "-". Machine limits are rows of the kernel "machine": machine/fma_peak_<level>/-
 * (counter FLOPS = peak flop/s at that level) and machine/triad/- (bytes_per_second).
 */
#ifndef REFAST_BENCHJSON_H
#define REFAST_BENCHJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

typedef struct rf_bench_counter {
    char *name;
    double *v; /* one value per sample, NaN where absent */
} rf_bench_counter;

typedef struct rf_bench {
    char *name;  /* normalised key (see above) */
    char *label; /* the rows' "label" string, "" if none */
    size_t n;    /* samples */
    double *real_ns, *cpu_ns;
    rf_bench_counter *counters;
    size_t ncounters;
    bool aggregate_only;
    bool rates_real; /* rate counters are per real time ("/real_time" or "/manual_time" in the
                        name), else per CPU time (Google Benchmark's default) */
    size_t cap;      /* internal */
} rf_bench;

typedef struct rf_bench_file {
    char *path;    /* the first file's path */
    size_t npaths; /* files merged into this one (rf_bench_load_merged) */
    rf_json *root; /* the first file's document (its context is `context`) */
    rf_json **more_roots; /* the other files' documents */
    const rf_json *context; /* NULL if the file has none */
    rf_bench *b;
    size_t n;
    size_t error_rows; /* rows skipped because error_occurred was true */
} rf_bench_file;

/* Loads path. On failure returns false with a one-line message naming the file (and the row and
 * field for a bad row) in err; *out is then empty and needs no free. */
bool rf_bench_load(const char *path, rf_bench_file *out, char *err, size_t errlen);
/* Loads several files of the same benchmarks as one: every benchmark's samples are those of all
 * files in order (the rounds of `refast ab`, repetitions spread over processes). The context is
 * the first file's. Errors name the file they are in. */
bool rf_bench_load_merged(const char *const *paths, size_t n, rf_bench_file *out, char *err, size_t errlen);
void rf_bench_free(rf_bench_file *f);
/* The samples of a counter ("instructions"), NULL when the benchmark has no such counter. */
const double *rf_bench_counter_values(const rf_bench *b, const char *counter);
const rf_bench *rf_bench_find(const rf_bench_file *f, const char *name);

/* Median of a counter over the samples that have it; NaN when no sample has it. */
double rf_bench_counter_median(const rf_bench *b, const char *counter);
/* For a rate counter (items_per_second, bytes_per_second, FLOPS): the amount per call, i.e. the
 * median over samples of rate x the time GB divided by (CPU time, or real time when rates_real).
 * This lets a report recompute every rate against one time base. NaN when absent. */
double rf_bench_per_call(const rf_bench *b, const char *counter);
double rf_bench_median_ns(const rf_bench *b);

/* `<kernel>/<impl>/<size>` split at the first two slashes. False when the name has fewer than
 * three parts or a part is empty or too long. */
typedef struct rf_bench_name {
    char kernel[96];
    char impl[64];
    char size[128];
} rf_bench_name;
bool rf_bench_name_parse(const char *name, rf_bench_name *out);
/* GB's option suffixes removed; returns a malloc'd string (NULL when out of memory). */
char *rf_bench_name_normalise(const char *name);

typedef enum rf_row_kind {
    RF_ROW_SCALAR = 0, /* "scalar": the ref/ baseline */
    RF_ROW_LEVEL,      /* a hand-written ISA level: avx2, avx512, neon */
    RF_ROW_AUTOVEC,    /* autovec_<level> */
    RF_ROW_PEER,       /* anything else (openblas, ...) */
} rf_row_kind;
/* Classifies an impl; *level (may be NULL) receives the ISA level name it runs at ("avx2" for
 * "autovec_avx2"), or "" for other peers. */
rf_row_kind rf_bench_row_kind(const char *impl, char *level, size_t levellen);
/* Looks up key=value in a label "kernel=fht_f32 impl=avx512 level=avx512 unit=transforms". */
bool rf_bench_label_get(const char *label, const char *key, char *out, size_t outlen);

/* Human formatting: "812.3 ns", "1.204 us", "3.5 ms"; rates with SI prefixes: "1.21G", "830k". */
void rf_fmt_time(double ns, char *buf, size_t len);
void rf_fmt_si(double v, char *buf, size_t len);

#endif
