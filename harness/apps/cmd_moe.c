/* `refast moe cqt|gen|learn`: the subcommands live in harness/apps/cmd_moe_<name>.c. */
#include <stddef.h>

#include "apps.h"

static const rf_command *const moe_subs[] = {&rf_cmd_moe_cqt, &rf_cmd_moe_gen, &rf_cmd_moe_learn, NULL};

const rf_command rf_cmd_moe = {
    .name = "moe",
    .summary = "mixture of experts: CQT coefficients, model generator, learning pipeline",
    .subs = moe_subs,
};
