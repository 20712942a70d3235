/* The `refast` command line: the table of every command (harness/cli.c, the only file that names
 * the applications of harness/apps/ too) and the entry point. */
#ifndef REFAST_CLI_H
#define REFAST_CLI_H

#include "command.h"

int rf_cli_main(int argc, char **argv);

/* The top of the command tree (its subcommands are every command below). */
extern const rf_command rf_cmd_refast;
/* The judge, golden files, benchmarks and their reports (harness/cmd_*.c). */
extern const rf_command rf_cmd_list, rf_cmd_verify, rf_cmd_golden, rf_cmd_bench, rf_cmd_gate, rf_cmd_ab,
    rf_cmd_report;
/* The measured error behind each tolerance (harness/cmd_measure.c). */
extern const rf_command rf_cmd_measure;

#endif
