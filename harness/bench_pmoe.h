/* The whole-model rows of `refast bench`: one forward, one backward and one SGD step of the
 * authors' pMoE models (lib/pmoe/fixture.h: joint, separate, cnn4, cnn40 at batch 20, n 16, d 784,
 * float32) through lib/pmoe/step.h, the code `refast pmoe train` runs, at each level and peer.
 *
 * Names follow <kernel>/<impl>/<size> like every row (so gate, ab and report read them):
 * pmoe_model_<model>_<phase>/<impl>/B=20,n=16,d=784 with phase forward | backward | step and impl
 * scalar, a level with pMoE code of its own, autovec_<level> or openblas (lib/pmoe/ops.h). The
 * --kernel glob is matched against pmoe_model_<model>_<phase>; the default glob "*" takes the step
 * rows only (forward and backward when a glob names them, e.g. 'pmoe_model_*'). Items are samples (20 a call), so
 * the table's items_per_second is samples/s; FLOPS and bytes per call are counted from the shapes
 * (bench_pmoe.c). Not under --counter instructions (cmd_bench.c leaves them out there). */
#ifndef REFAST_HARNESS_BENCH_PMOE_H
#define REFAST_HARNESS_BENCH_PMOE_H

#include <stdbool.h>
#include <stddef.h>

#include "bench_shim.h"

typedef struct rf_pmoe_bench rf_pmoe_bench;

/* The rows matching glob at scalar, at every level with levels[l] set, and with peers the autovec
 * peer of those levels and the openblas peer. *out is NULL when no row matches. 0, or -1 with a
 * one-line error (memory). */
int rf_pmoe_bench_plan(const char *glob, const bool *levels, bool peers, rf_pmoe_bench **out, char *err,
                       size_t errlen);
size_t rf_pmoe_bench_count(const rf_pmoe_bench *pb);
/* Fills row i's item (name, label, run, ctx, work per call); the ctx stays owned by pb. */
void rf_pmoe_bench_item(rf_pmoe_bench *pb, size_t i, rf_bench_item *it);
/* Whether glob selects any model row (for the message of a run that leaves them out). */
bool rf_pmoe_bench_matches(const char *glob);
void rf_pmoe_bench_free(rf_pmoe_bench *pb);

#endif
