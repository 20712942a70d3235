/* The table of commands and the entry point of `refast`. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "apps.h"

static const rf_command *const commands[] = {
    &rf_cmd_list, &rf_cmd_verify, &rf_cmd_golden, &rf_cmd_bench, &rf_cmd_gate, &rf_cmd_ab,
    &rf_cmd_report, &rf_cmd_sim, &rf_cmd_code, &rf_cmd_ko, &rf_cmd_moe, &rf_cmd_pmoe, &rf_cmd_gated,
    &rf_cmd_measure,
    NULL,
};

const rf_command rf_cmd_refast = {
    .name = "refast",
    .about = "Environment: REFAST_ISA=scalar|avx2|avx512|neon forces a level; REFAST_GOLDEN=DIR.\n"
             "Exit codes: 0 success, 1 a check failed, 2 usage or input error.\n",
    .subs = commands,
};

int rf_cli_main(int argc, char **argv)
{
    /* A forced level the CPU lacks is an error before anything runs (never SIGILL). */
    const char *env = getenv("REFAST_ISA");
    if (env && *env) {
        char err[256];
        rf_isa level;
        if (!rf_isa_request(env, &level, err, sizeof err)) return rf_usage_error("REFAST_ISA: %s", err);
        rf_isa_set(level);
    }
    return rf_command_main(&rf_cmd_refast, "", argc, argv);
}
