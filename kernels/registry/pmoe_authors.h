/* The pMoE kernels' descriptor kinds, and the golden cases taken from the pMoE authors' computation
 * (../shared/pmoe-reference/, README there): cases with the parameter source=<folder> whose want.*
 * are THEIR numbers, built by kernels/registry/pmoe_authors.c for kernels/registry/pmoe.c.
 * Only `refast golden generate` reads the reference directory ($REFAST_PMOE_REFERENCE, default
 * ../shared/pmoe-reference relative to the working directory, i.e. run from the checkout). */
#ifndef REFAST_REGISTRY_PMOE_AUTHORS_H
#define REFAST_REGISTRY_PMOE_AUTHORS_H

#include <stddef.h>

#include "refast/case.h"
#include "refast/registry.h"

/* The kernel a pMoE descriptor judges (its `variant`). */
enum pm_kind {
    PM_ROUTE,
    PM_TOPL,
    PM_GATE,
    PM_EXPERT_FWD,
    PM_LOGISTIC,
    PM_EXPERT_BWD,
    PM_GATE_BWD,
    PM_ROUTE_BWD,
    PM_ROUTER_LOSS,
    PM_SGD
};

/* The registry's oracle of pMoE cases (want.X, scale.X and tau.X of every output from in.*). */
typedef int (*rf_pmoe_oracle_fn)(const rf_kernel *desc, rf_case *c, char *err, size_t errlen);

/* true when the case is an authors' case (parameter source=...). */
bool rf_pmoe_is_authors(const rf_case *c);

/* make_inputs of an authors' case: the in.* arrays of the descriptor's kernel from the folder,
 * rounded to its dtype, and xxh.<file>=<XXH3-64> of every file read (provenance). */
int rf_pmoe_authors_inputs(const rf_kernel *desc, rf_case *c, char *err, size_t errlen);

/* oracle of an authors' case: want.X = the authors' numbers for the outputs the folder holds,
 * scale.X and tau.X such that tau u scale is the derived bound (pmoe_authors.c). Fails when the
 * authors' numbers and the long double oracle on the same double inputs disagree beyond the
 * authors' own float64 error (a misread of their computation on one side). */
int rf_pmoe_authors_oracle(const rf_kernel *desc, rf_case *c, rf_pmoe_oracle_fn oracle, char *err,
                           size_t errlen);

#endif
