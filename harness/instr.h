/* The instruction-count mode of `refast bench` (--counter instructions): deterministic counts of
 * executed instructions per call (valgrind's "Ir"), for gating where timings are too noisy
 * (SPEC §7).
 *
 * The parent re-runs the same binary under
 *   valgrind --tool=callgrind --instr-atstart=no --dump-line=no --callgrind-out-file=DIR/cg.%p
 * with REFAST_INSTR_CHILD=DIR in its environment. The child builds the same benchmark items and,
 * for each, makes one call uninstrumented (lazy symbol binding, first touch of its pages), then
 *   CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; `calls` calls;
 *   CALLGRIND_DUMP_STATS_AT("<item name>"); CALLGRIND_STOP_INSTRUMENTATION
 * so that each dump (a file "desc: Trigger: Client Request: <name>" ... "totals: <Ir>") holds the
 * measured calls only, and lists the items in DIR/items.tsv. The parent reads the dumps and writes
 * Google Benchmark's JSON with one row per item: iterations = calls, the counter "instructions"
 * = Ir / calls, real_time/cpu_time the wall time per call under valgrind (not the kernel's
 * speed), and the context key refast_counter = "instructions" that `refast gate` recognises.
 *
 * Valgrind cannot execute AVX-512, so that level is refused (--isa avx512) or left out (--isa all)
 * with a one-line reason; the child never reaches it because valgrind's CPUID hides it. OpenBLAS
 * is left out too (library code, not refast's), and so are the machine rows. */
#ifndef REFAST_INSTR_H
#define REFAST_INSTR_H

#include <stdbool.h>
#include <stddef.h>

#include "bench_shim.h"
#include "provenance.h"

#define RF_INSTR_CHILD_ENV "REFAST_INSTR_CHILD"

/* The child's directory when this process is the instrumented child, else NULL. */
const char *rf_instr_child_dir(void);
/* Child: counts every item as above and writes DIR/items.tsv. 0 or -1 with a message. */
int rf_instr_child_run(rf_bench_item *items, size_t n, unsigned long long calls, const char *dir, char *err,
                       size_t errlen);

/* Parent: runs child_argv (the bench command line for the child, after the binary) under valgrind,
 * then writes the JSON to out (atomically; NULL: print a table only). 0 or an exit code after the
 * one-line message. */
int rf_instr_parent_run(const char *const *child_argv, const rf_provenance *prov, const char *out);

#endif
