/* The misalignment and tail sweep of `refast verify --sweep` (SPEC §3: any length, any alignment).
 *
 * An implementation is judged on a case with every array misaligned by k elements of its own type
 * (support/alloc.h rf_placement.elems), k = 0 .. W-1 where W is the vector width of the code that
 * runs in elements of the narrowest array of the case (W = 1 for scalar code), once with a guard
 * page before each array (RF_PLACE_START) and once after (RF_PLACE_END, k elements of slack; k = 0
 * is what plain verify already judged, so it is left out). Tails: a kernel with a free length
 * (rf_kernel.free_length) is rebuilt from a golden recipe at lengths n + 1 .. n + W steps through
 * its own make_inputs and oracle (rf_golden_build) and judged at both guard placements.
 *
 * The sweep of one implementation stops at its first failure (the rest would repeat it). */
#ifndef REFAST_SWEEP_H
#define REFAST_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"

/* The vector width in bytes the sweep misaligns against for one implementation: its level's (the
 * level whose code runs), a library peer's the widest usable level's, scalar code 0. */
size_t rf_sweep_span(const rf_impl *im);

/* The number of misalignments of case c under a span: span / the smallest element size of its in.*
 * and want.* arrays (1 when span is 0). */
size_t rf_sweep_steps(const rf_case *c, size_t span);

/* The result of sweeping one implementation over one case. */
typedef struct rf_sweep_result {
    size_t judged;      /* placements judged */
    bool pass, na;      /* na: a peer that does not compute the case */
    rf_placement where; /* the first failing placement */
    rf_verdict v;       /* its verdict (detail names the fault or the first wrong output) */
} rf_sweep_result;

/* Judges im on c at every misalignment (RF_PLACE_START k = 0 .. steps-1, RF_PLACE_END k = 1 ..
 * steps-1; with include_end0 also RF_PLACE_END k = 0), stopping at the first failure. */
void rf_sweep_impl(const rf_impl *im, const rf_case *c, size_t span, bool include_end0, rf_sweep_result *r);

/* Short text of a placement for a failure line: "start+3" (3 elements after the guard page),
 * "end-3" (3 elements of slack before it), with the span. */
void rf_sweep_where(rf_placement p, char *buf, size_t len);

/* Tails: whether recipe s of k has a free length (k->free_length given in its params; for a
 * `source=` recipe only when k->free_max says the data allows other lengths), and then
 * recipe s rebuilt at n + t free_step (make_inputs and oracle) into c, "kernel.case@n=37" in label,
 * t = 1 .. w; at n - t free_step when n + w steps would pass k->free_max. False with the reason in
 * err when the recipe has no free length or does not build. */
bool rf_sweep_has_tail(const rf_kernel *k, const rf_case_spec *s);
bool rf_sweep_tail_build(const rf_kernel *k, const rf_case_spec *s, size_t t, size_t w, rf_case *c, char *label,
                         size_t labellen, char *err, size_t errlen);

/* A recipe's params with `key` set to `value` (replaced if present, appended if not). False when
 * the result does not fit. */
bool rf_sweep_params_with(const char *params, const char *key, unsigned long long value, char *out, size_t outlen);

#endif
