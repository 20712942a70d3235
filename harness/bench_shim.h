/* The C face of Google Benchmark. bench_shim.cc is the project's only C++ file: it registers
 * each item with benchmark::RegisterBenchmark, lets the item run its own inner loop in batches
 * (KeepRunningBatch), so no per-iteration indirect call or lambda is timed, sets the counters and
 * writes Google Benchmark's own JSON. Every function catches C++ exceptions and reports them as a
 * message instead of unwinding into C. */
#ifndef REFAST_BENCH_SHIM_H
#define REFAST_BENCH_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rf_bench_item {
    char name[160];  /* <kernel>/<impl>/<size> */
    char label[200]; /* "kernel=... impl=... level=... unit=..." */
    /* Performs `iters` repetitions of the measured work on ctx; the result must land in memory. */
    void (*run)(void *ctx, uint64_t iters);
    void *ctx;
    double items_per_iter; /* natural units per repetition */
    double flops_per_iter; /* 0: no FLOPS counter */
    double bytes_per_iter; /* 0: no bytes_per_second */
    uint64_t batch;        /* repetitions per timing-loop check; set by rf_bench_run */
} rf_bench_item;

typedef struct rf_bench_options {
    int repetitions;      /* >= 1 */
    double min_time;      /* seconds per repetition */
    double warmup;        /* seconds each benchmark runs untimed before its first repetition */
    bool interleave;      /* Google Benchmark's random interleaving: the repetitions of all items
                             run in a random order, so that the rows the speedup gate divides
                             (scalar and each level) see the same machine state, not minutes
                             apart */
    const char *json_out; /* Google Benchmark JSON file, or NULL */
    const char *context[48][2]; /* extra key/value pairs for the JSON context (NULL-terminated) */
} rf_bench_options;

/* Runs every item (items[].batch is calibrated here); console table on stdout. Returns 0, or -1 with a message in err. */
int rf_bench_run(rf_bench_item *items, size_t n, const rf_bench_options *opt, char *err,
                 size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
