/* Subcommand table and shared command-line helpers of the `refast` harness.
 * Exit codes (SPEC §6): RF_EXIT_OK 0, RF_EXIT_CHECK 1 (a check failed), RF_EXIT_USAGE 2 (usage
 * or input error: one line on stderr naming the thing and what is wrong). */
#ifndef REFAST_CLI_H
#define REFAST_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "refast/isa.h"

enum { RF_EXIT_OK = 0, RF_EXIT_CHECK = 1, RF_EXIT_USAGE = 2 };

int rf_cli_main(int argc, char **argv);

int cmd_list(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_golden(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_code(int argc, char **argv);
int cmd_moe(int argc, char **argv);
int cmd_ko(int argc, char **argv);
/* refast moe subcommands (harness/cmd_moe_*.c); argv[0] is the subcommand name. */
int cmd_moe_cqt(int argc, char **argv);
int cmd_moe_gen(int argc, char **argv);
int cmd_moe_learn(int argc, char **argv);

/* Prints "refast: <message>" on stderr and returns RF_EXIT_USAGE. */
int rf_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Resolves --isa VALUE (or REFAST_ISA when value is NULL) into a set of levels: one level, or
 * with "all" every usable level (scalar first). Returns false after printing the error. */
bool rf_cli_levels(const char *value, bool levels[RF_ISA_COUNT]);

/* Option parsing: matches "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i. */
bool rf_opt(int argc, char **argv, int *i, const char *name, const char **value);
/* Strict number parsing for option values; false on garbage, overflow or NaN. */
bool rf_parse_u64(const char *s, unsigned long long *out);
bool rf_parse_f64(const char *s, double *out);

/* Default golden directory: $REFAST_GOLDEN, else "golden". */
const char *rf_golden_dir(void);

#endif
