/* Independent jobs on a few POSIX threads. Job i must depend on i alone (each writes its own
 * result slot), so the results are the same at any thread count. */
#ifndef REFAST_LIB_PMOE_PARALLEL_H
#define REFAST_LIB_PMOE_PARALLEL_H

#include <stddef.h>

/* Runs job(ctx, i) for i < count on `threads` threads (0: one per online CPU; at most count).
 * Returns 0, or -1 with a one-line error when no thread could be started (then nothing ran). */
int rf_pmoe_parallel(size_t count, unsigned threads, void (*job)(void *ctx, size_t i), void *ctx, char *err,
                     size_t errlen);

#endif
