/* Command-line options that describe a MoE model, shared by `refast moe gen` and `refast moe learn`:
 *   --preset NAME | --k K --d D --g G --sigma S [--input gauss|gmm --gmm-p P]
 *                   [--regressors sphere|basis] [--gating orthogonal|unrestricted|basis] [--w-norm R]
 *   [--n N] [--seed S]
 * A preset and explicit model options are mutually exclusive (a preset is the seed's setting, not a
 * starting point); --n and --seed go with either. Errors are one line through rf_usage_error. */
#ifndef REFAST_MOE_SPEC_OPTS_H
#define REFAST_MOE_SPEC_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "refast/moe.h"
#include "moe/model.h"

typedef struct moe_spec_opts {
    const char *preset, *g, *input, *regressors, *gating;
    const char *k, *d, *sigma, *gmm_p, *w_norm, *n, *seed;
} moe_spec_opts;

/* Recognises one model option at argv[*i] (advancing *i past its value). Returns 1 when taken, 0
 * when argv[*i] is not a model option, or an exit code (RF_EXIT_USAGE, message printed) when the
 * option lacks its value. `cmd` prefixes messages ("moe gen"). */
int moe_spec_opt(const char *cmd, int argc, char **argv, int *i, moe_spec_opts *o);

/* Builds the spec (seed and n included; n defaults to the preset's, else 2000 = seed 001's n) and
 * validates it like rf_moe_model_make does. Returns -1 on success, else the exit code after printing
 * the one-line error. */
int moe_spec_resolve(const char *cmd, const moe_spec_opts *o, rf_moe_spec *s, uint64_t *n);

/* The option block for --help texts. */
void moe_spec_help(FILE *f);

/* "preset=NAME k=.. d=.. g=.. sigma=.. input=.. [gmm_p=..] regressors=.. gating=.. w_norm=.. seed=.." */
void moe_spec_describe(const rf_moe_spec *s, const char *preset, char *buf, size_t len);
const char *moe_input_name(rf_moe_input v);
const char *moe_regressors_name(rf_moe_regressors v);
const char *moe_gating_name(rf_moe_gating v);

#endif
