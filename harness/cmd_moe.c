/* `refast moe cqt|gen|learn`: dispatch to the subcommands (harness/cmd_moe_<sub>.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} subs[] = {
    {"cqt", cmd_moe_cqt, "Gaussian moments, CQT coefficients and the residuals of every condition"},
    {"gen", cmd_moe_gen, "draw a MoE model and samples (a preset or explicit settings) into a file"},
    {"learn", cmd_moe_learn, "learning pipelines over trials: Algorithm 1+2, MoM, L4 + L_log, joint EM, l2 SGD"},
};

static void moe_usage(FILE *f)
{
    fprintf(f, "usage: refast moe <subcommand> [options]   (refast moe <subcommand> --help)\n\n");
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        fprintf(f, "  %-6s %s\n", subs[i].name, subs[i].summary);
}

int cmd_moe(int argc, char **argv)
{
    if (argc < 2) {
        moe_usage(stderr);
        return RF_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        moe_usage(stdout);
        return RF_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[1], subs[i].name)) return subs[i].fn(argc - 1, argv + 1);
    return rf_usage_error("moe: unknown subcommand '%s' (cqt, gen, learn)", argv[1]);
}
