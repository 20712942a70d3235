/* The console face of a gate result (gate.h): the per-benchmark tables of `refast gate` and
 * `refast ab`, the benchmarks present on one side only, one line per regression with its numbers,
 * the geometric means and the closing line "gate: N regressions, M improvements, K unchanged".
 * Warnings go to stderr, one line each, prefixed like every refast message. */
#ifndef REFAST_GATE_PRINT_H
#define REFAST_GATE_PRINT_H

#include <stdio.h>

#include "gate.h"

/* base_what / cur_what name the two sides in the header ("a.json", "3 files of ./old/refast"). */
void rf_gate_print(FILE *out, const rf_gate_result *r, const rf_bench_file *fa, const rf_bench_file *fb,
                   const char *base_what, const char *cur_what, unsigned long long min_reps);

#endif
