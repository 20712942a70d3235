/* The judge: compares an implementation's outputs with the oracle's under a tolerance class
 * (SPEC §3). For every array want.X in the case, the output X must exist with the same count.
 *   exact:    bit-identical (floats compared as their working-dtype bits; want is rounded to the
 *             working dtype first).
 *   sum:      |got - want| <= tau * u * S, S from scale.X (blocked), tau = kernel tau or
 *             8*ceil(log2 terms)+8 with terms from the case params (a kernel's tau may add
 *             tau_per_log2*ceil(log2 terms)). Ratio = |got-want|/(u*S).
 *   iterate:  as sum (the oracle's scale.X already holds cond * t * |want|).
 *   ulp:      ulp distance between got and want rounded to the working dtype <= ulps.
 *   decision: exact, except disagreements at near-ties (|tie.X| <= tau * u * scale.X), whose count
 *             must stay below 1e-4 of the decisions.
 *   sum with the kernel's sum_tie_flips and a tie.X (same blocking as scale.X): an output outside
 *             tau u S is a tolerated, counted near-tie flip iff tie.X <= tau (see registry.h).
 * Non-finite wants: NaN must meet NaN, an infinity the same infinity (every class).
 * A case parameter tol=CLASS overrides the kernel's class (used for exact-tie inputs), tol.X=CLASS
 * the class of output X, tau.X=T the tau of output X (a bound derived for the case's shape). */
#ifndef REFAST_COMPARE_H
#define REFAST_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "refast/registry.h"

typedef struct rf_verdict {
    bool pass;
    rf_tol_class cls;
    double max_ratio; /* sum/iterate: max |got-want|/(u*S); ulp: max ulps; exact/decision: mismatches */
    double max_abs;   /* largest |got - want| over finite outputs */
    double bound;     /* tau (sum/iterate/decision), ulps (ulp), 0 (exact) */
    uint64_t compared;
    uint64_t mismatches; /* outputs outside the bound (or not identical for exact) */
    uint64_t near_ties;  /* decision (and sum with sum_tie_flips): disagreements excused as near-ties */
    bool not_applicable; /* a peer that does not compute this case (peer_refuses): pass, reason in detail */
    char detail[256];    /* first failure, human readable */
    uint64_t out_hash;   /* XXH3 of every output (name, dtype, bytes) of a run that completed:
                            two implementations with equal hashes gave bit-identical results */
} rf_verdict;

/* Returns false only for a malformed comparison (missing output, shape mismatch), with the reason
 * in v->detail; otherwise true with v->pass telling the verdict. */
bool rf_compare_case(const rf_kernel *k, const rf_case *c, const rf_case *got, rf_verdict *v);

/* Runs implementation fn of kernel k on case c (which holds inputs and oracle arrays) and judges
 * the result. Returns false if the run itself failed (reason in v->detail). */
bool rf_judge(const rf_impl *im, const rf_case *c, rf_verdict *v);
/* The same with the inputs and outputs at a given placement (support/alloc.h); rf_judge places
 * every array flush against a guard page (RF_PLACE_END). An access outside an array is caught and
 * reported as a failed verdict naming the implementation and the placement. */
bool rf_judge_placed(const rf_impl *im, const rf_case *c, rf_placement place, rf_verdict *v);

#endif
