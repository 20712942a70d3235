/* Subcommand dispatch and shared option helpers. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"list", cmd_list, "kernels x ISA levels, and what each level falls back to"},
    {"verify", cmd_verify, "judge every golden case: oracle vs ref vs fast[level]"},
    {"golden", cmd_golden, "check the golden files' hashes, or regenerate them from the oracle"},
    {"bench", cmd_bench, "benchmark every kernel x level (Google Benchmark JSON)"},
    {"gate", cmd_gate, "compare two benchmark runs; exit 1 on a regression"},
    {"report", cmd_report, "write report.md, report.html and SVG charts from benchmark JSON"},
    {"sim", cmd_sim, "Monte Carlo BER/BLER of a code and decoder over a range of SNRs"},
    {"code", cmd_code, "code properties: n, k, d, weight distribution, distance histogram"},
    {"ko", cmd_ko, "KO codes: weights (.kow) init/import/info, encode and decode"},
    {"moe", cmd_moe, "mixture of experts: CQT coefficients, model generator, learning pipeline"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: refast <command> [options]   (refast <command> --help for details)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nEnvironment: REFAST_ISA=scalar|avx2|avx512|neon forces a level; REFAST_GOLDEN=DIR.\n"
               "Exit codes: 0 success, 1 a check failed, 2 usage or input error.\n");
}

int rf_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RF_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return RF_EXIT_OK;
    }
    /* A forced level the CPU lacks is an error before anything runs (never SIGILL). */
    const char *env = getenv("REFAST_ISA");
    if (env && *env) {
        char err[256];
        rf_isa level;
        if (!rf_isa_request(env, &level, err, sizeof err))
            return rf_usage_error("REFAST_ISA: %s", err);
        rf_isa_set(level);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    return rf_usage_error("unknown command '%s' (try refast --help)", argv[1]);
}

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

bool rf_cli_levels(const char *value, bool levels[RF_ISA_COUNT])
{
    for (int i = 0; i < RF_ISA_COUNT; i++) levels[i] = false;
    if (!value) value = getenv("REFAST_ISA");
    if (!value || !*value) {
        levels[rf_isa_best()] = true;
        return true;
    }
    if (!strcmp(value, "all")) {
        for (int i = 0; i < RF_ISA_COUNT; i++) levels[i] = rf_isa_usable((rf_isa)i);
        return true;
    }
    char err[256];
    rf_isa level;
    if (!rf_isa_request(value, &level, err, sizeof err)) {
        rf_usage_error("--isa: %s", err);
        return false;
    }
    levels[level] = true;
    return true;
}

bool rf_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t len = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, len) != 0) return false;
    if (a[len] == '=') {
        *value = a + len + 1;
        return true;
    }
    if (a[len] != '\0') return false;
    if (*i + 1 >= argc) {
        *value = NULL; /* caller reports the missing value */
        return true;
    }
    *value = argv[++*i];
    return true;
}

bool rf_parse_u64(const char *s, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

bool rf_parse_f64(const char *s, double *out)
{
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || isnan(v) || isinf(v)) return false;
    *out = v;
    return true;
}

const char *rf_golden_dir(void)
{
    const char *d = getenv("REFAST_GOLDEN");
    return d && *d ? d : "golden";
}
