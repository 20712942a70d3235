/* The commands of `refast` as tables: one type for the top level and for every command with
 * subcommands (moe, ko, code, golden), so that adding a command or a subcommand is adding a row.
 *
 * A leaf command declares its options (opts.h), the size of the struct they fill and the function
 * that runs on that struct: the dispatcher parses argv, answers --help from the tables and frees
 * what the parse allocated, so a command never sees argv. A group names its subcommands; the word
 * after its own picks one. */
#ifndef REFAST_COMMAND_H
#define REFAST_COMMAND_H

#include <stddef.h>
#include <stdio.h>

#include "opts.h"

/* Exit codes (SPEC §6): 0 success, 1 a check failed, 2 usage or input error (one line on stderr
 * naming the thing and what is wrong). */
enum { RF_EXIT_OK = 0, RF_EXIT_CHECK = 1, RF_EXIT_USAGE = 2 };

/* Prints "refast: <message>" on stderr and returns RF_EXIT_USAGE. */
int rf_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct rf_command {
    const char *name;    /* the word on the command line */
    const char *summary; /* one line in the parent's list */
    const char *about;   /* help text after the usage line (NULL: the summary) */
    /* a leaf */
    const rf_opt *opts;           /* ended by {0} */
    size_t size;                  /* sizeof the options struct */
    int (*run)(const void *opts); /* returns the exit code */
    /* a group */
    const struct rf_command *const *subs; /* NULL-terminated */
} rf_command;

/* Runs argv[1..argc) against c; path holds the words so far ("" at the top, "moe learn" for a
 * subcommand) and prefixes every message. Returns the exit code. */
int rf_command_main(const rf_command *c, const char *path, int argc, char **argv);
/* The help of c: a leaf's usage, text and options; a group's usage and subcommands. */
void rf_command_help(FILE *f, const rf_command *c, const char *path);
/* "path name" (just "name" at the top) into out. */
const char *rf_command_path(const char *path, const char *name, char *out, size_t len);

#endif
