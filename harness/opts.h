/* Command-line options from one table per command: the parser, the value and range checks and the
 * option part of `--help` are all generated from the same rows, so the help cannot drift from what
 * the parser accepts.
 *
 * A row names an option ("--kernel"), the kind of its value and where the value goes (an offset
 * into the command's options struct). The parser fills that struct from argv: defaults first (a
 * default is text, parsed like a given value), then every argument in order. Options take
 * "--name VALUE" or "--name=VALUE"; the last occurrence wins. Positional arguments are rows of
 * kind RF_OPT_ARG, filled in table order. Every error is one line "refast: PATH: ..." on stderr
 * (PATH names the command, "moe learn") and the parse returns RF_EXIT_USAGE; commands check what
 * only they know (combinations, files) after the parse.
 *
 * Conventions: everything returns 0 to continue or an exit code > 0; a `--help`/`-h` argument
 * stops the parse with *help set (the caller prints the help and exits 0). */
#ifndef REFAST_OPTS_H
#define REFAST_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "refast/isa.h"

typedef enum rf_opt_kind {
    RF_OPT_END = 0, /* ends a table: {0} */
    RF_OPT_FLAG,   /* bool: present or not, no value */
    RF_OPT_STR,    /* const char *: any text; NULL when absent */
    RF_OPT_FILE,   /* const char *: a path (not empty); NULL when absent */
    RF_OPT_FILES,  /* rf_strlist: one or more paths ("--in A B", "--in A --in B") */
    RF_OPT_U64,    /* unsigned long long in [min, max] */
    RF_OPT_F64,    /* finite double in [min, max] (RF_OPT_MIN_OPEN / RF_OPT_MAX_OPEN exclude an end) */
    RF_OPT_CHOICE, /* int: the index of the value in `meta` ("time|speedup"); -1 when absent */
    RF_OPT_LEVEL,  /* rf_isa: a level this CPU can run; after a successful parse it becomes the
                      dispatch level (rf_isa_set) */
    RF_OPT_LEVELS, /* rf_levels: one level or "all" (every usable level); absent and without a
                      default: REFAST_ISA, else the best level of this CPU */
    RF_OPT_ARG,    /* const char *: the next positional argument; `name` is its metavar ("CODE") */
    RF_OPT_TEXT,   /* not an option: a paragraph of the help (`help`), e.g. a heading */
} rf_opt_kind;

enum rf_opt_flags {
    RF_OPT_REQUIRED = 1 << 0,       /* absent is an error; in a group: one of the group is required */
    RF_OPT_MIN_OPEN = 1 << 1,       /* F64: the value must be > min */
    RF_OPT_MAX_OPEN = 1 << 2,       /* F64: the value must be < max */
    RF_OPT_PERCENT = 1 << 3,        /* F64: one trailing '%' is accepted ("5%") */
    RF_OPT_VALUE_OPTIONAL = 1 << 4, /* FILE: "--json" alone is allowed (value NULL); a following
                                       argument that does not start with '-' is the value */
};

typedef struct rf_opt {
    const char *name; /* "--kernel"; an RF_OPT_ARG: its metavar */
    rf_opt_kind kind;
    size_t off;       /* offsetof(the options struct, the field the value goes to) */
    const char *meta; /* the value's name in the help ("GLOB"); RF_OPT_CHOICE: the choices "a|b" */
    const char *help; /* one or more lines; each '\n' continues at the help column */
    const char *def;  /* default value as text, applied before argv (NULL: none) */
    double min, max;  /* U64/F64 range: min always applies; max only when max > min */
    unsigned flags;   /* enum rf_opt_flags */
    size_t given;     /* RF_GIVEN(T, field): a bool set when the option appears (0: not tracked) */
    int group;        /* rows sharing a non-zero group exclude each other */
} rf_opt;

/* The `given` member of a row: the offset of a bool field, plus one so that 0 means "none". */
/* The help of every command's --kernel (all read it through rf_glob_match). */
#define RF_OPT_KERNEL_HELP "kernels whose name matches (shell pattern; commas separate several)"

#define RF_GIVEN(type, field) (offsetof(type, field) + 1)

typedef struct rf_levels {
    bool on[RF_ISA_COUNT];
} rf_levels;

typedef struct rf_strlist {
    const char **v;
    size_t n;
} rf_strlist;

/* Parses argv[1..argc) into dst (the caller zeroes it) by the rows (ended by {0}). PATH
 * prefixes the messages. Returns 0, or RF_EXIT_USAGE after printing the one-line error. */
int rf_opts_parse(const rf_opt *rows, const char *path, int argc, char **argv, void *dst, bool *help);
/* Frees what the parse allocated in dst (the arrays of RF_OPT_FILES). */
void rf_opts_free(const rf_opt *rows, void *dst);

/* The synopsis after "usage: refast PATH": required options bare, others in brackets, a group as
 * (a | b), wrapped under itself. */
void rf_opts_synopsis(FILE *f, const rf_opt *rows, const char *path);
/* One entry per row: the option and its value's name, its help, its default and its range. */
void rf_opts_help(FILE *f, const rf_opt *rows);

#endif
