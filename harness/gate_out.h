/* What a CI system reads from a gate result (gate.h), written by `refast gate` and `refast ab`:
 *   --json FILE      every row's verdict with its medians, change, p- and q-value, minimum
 *                    detectable slowdown and threshold, the summary, the geometric means, the
 *                    noise rule's numbers and the warnings (schema "refast-gate/1" below);
 *   --markdown FILE  a summary for a job summary ($GITHUB_STEP_SUMMARY) or a pull-request
 *                    comment: the verdict line, the geometric means, a table of the flagged rows
 *                    and, folded, every row;
 *   --junit FILE     one test case per benchmark: failed when regressed, skipped when
 *                    inconclusive or information, passed otherwise;
 *   --annotations    on stdout, one "::error title=...::..." line per regression and one
 *                    "::warning ..." line per inconclusive row and per warning (GitHub Actions'
 *                    workflow commands; other CIs print them as plain lines).
 * The files are written all or none (bytes.h), after the verdict. */
#ifndef REFAST_GATE_OUT_H
#define REFAST_GATE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gate.h"

typedef struct rf_gate_outputs {
    const char *json, *markdown, *junit; /* NULL: not written */
    bool annotations;
} rf_gate_outputs;

/* base_what / cur_what name the two sides ("a.json", "./old/refast"). */
bool rf_gate_write_outputs(const rf_gate_result *r, const rf_gate_outputs *o, const char *base_what,
                           const char *cur_what, char *err, size_t errlen);
void rf_gate_annotations(FILE *out, const rf_gate_result *r);

#endif
