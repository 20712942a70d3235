/* Dispatch through command tables and the help pages built from them (see command.h). */
#include "command.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int rf_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("refast: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return RF_EXIT_USAGE;
}

const char *rf_command_path(const char *path, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s%s%s", path, *path ? " " : "", name);
    return out;
}

/* "cqt, gen, learn" */
static const char *sub_names(const rf_command *c, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (const rf_command *const *s = c->subs; *s && o < len; s++)
        o += (size_t)snprintf(out + o, len - o, "%s%s", s == c->subs ? "" : ", ", (*s)->name);
    return out;
}

void rf_command_help(FILE *f, const rf_command *c, const char *path)
{
    if (c->subs) {
        const char *word = *path ? "subcommand" : "command", *sp = *path ? " " : "";
        fprintf(f, "usage: refast %s%s<%s> [options]   (refast %s%s<%s> --help for details)\n\n", path, sp, word, path,
                sp, word);
        int w = 0;
        for (const rf_command *const *s = c->subs; *s; s++)
            if ((int)strlen((*s)->name) > w) w = (int)strlen((*s)->name);
        for (const rf_command *const *s = c->subs; *s; s++) fprintf(f, "  %-*s  %s\n", w, (*s)->name, (*s)->summary);
        if (c->about) fprintf(f, "\n%s", c->about);
        return;
    }
    rf_opts_synopsis(f, c->opts, path);
    fprintf(f, "%s\n", c->about ? c->about : c->summary);
    if (c->opts[0].kind != RF_OPT_END && c->opts[0].kind != RF_OPT_TEXT) fprintf(f, "\nOptions:\n");
    rf_opts_help(f, c->opts);
}

static int run_leaf(const rf_command *c, const char *path, int argc, char **argv)
{
    void *o = calloc(1, c->size ? c->size : 1);
    if (!o) return rf_usage_error("%s: out of memory", path);
    bool help;
    int rc = rf_opts_parse(c->opts, path, argc, argv, o, &help);
    if (!rc && help) rf_command_help(stdout, c, path);
    else if (!rc) rc = c->run(o);
    rf_opts_free(c->opts, o);
    free(o);
    return rc;
}

int rf_command_main(const rf_command *c, const char *path, int argc, char **argv)
{
    if (!c->subs) return run_leaf(c, path, argc, argv);
    char names[256], sub[128];
    const char *colon = *path ? ": " : "", *word = *path ? "subcommand" : "command", *sp = *path ? " " : "";
    if (argc < 2)
        return rf_usage_error("%s%sa %s is required (%s; see refast %s%s--help)", path, colon, word,
                              sub_names(c, names, sizeof names), path, sp);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || (!*path && !strcmp(argv[1], "help"))) {
        rf_command_help(stdout, c, path);
        return RF_EXIT_OK;
    }
    for (const rf_command *const *s = c->subs; *s; s++)
        if (!strcmp(argv[1], (*s)->name))
            return rf_command_main(*s, rf_command_path(path, (*s)->name, sub, sizeof sub), argc - 1, argv + 1);
    return rf_usage_error("%s%sunknown %s '%s' (%s; see refast %s%s--help)", path, colon, word, argv[1],
                          sub_names(c, names, sizeof names), path, sp);
}
