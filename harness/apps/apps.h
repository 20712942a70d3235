/* The research applications of `refast` (SPEC §5): Monte Carlo error rates of codes (sim), code
 * properties (code), KO weights and codecs (ko), the mixture-of-experts pipeline (moe) and patch-level MoE (pmoe). They sit
 * on the harness's infrastructure (options, buffers, JSON, .rfg) and the library (lib/); nothing in
 * harness/ outside this folder depends on them except the table of commands (harness/cli.c). */
#ifndef REFAST_APPS_H
#define REFAST_APPS_H

#include "command.h"

extern const rf_command rf_cmd_sim, rf_cmd_code, rf_cmd_ko, rf_cmd_moe, rf_cmd_pmoe, rf_cmd_gated;
/* The subcommands of moe (harness/apps/cmd_moe_<name>.c). */
extern const rf_command rf_cmd_moe_cqt, rf_cmd_moe_gen, rf_cmd_moe_learn;

#endif
