/* Dispatch and command-line behaviour: every usable level can be selected and runs; a level this
 * CPU or build lacks is a one-line error with exit 2 (never SIGILL); `list` shows fallbacks; bad
 * arguments exit 2 with one line. Run a second time by ctest with REFAST_CPU_DISABLE set, which
 * hides a level that the CPU has, to exercise the missing-level paths on any machine. */
#include <stdlib.h>
#include <string.h>

#include "refast/registry.h"
#include "testlib.h"

static char out[1 << 20], err[1 << 14];

static void expect_usage_error(const char *what, int rc)
{
    CHECKF(rc == 2, "%s: exit %d, want 2", what, rc);
    CHECKF(rf_test_lines(err) == 1 && strncmp(err, "refast: ", 8) == 0,
           "%s: want one line 'refast: ...' on stderr, got: %s", what, err);
}

static void test_levels(void)
{
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        const char *name = rf_isa_name((rf_isa)l);
        int rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", name, "--kernel",
                             "fht_f32", NULL);
        if (rf_isa_usable((rf_isa)l)) {
            CHECKF(rc == 0, "verify --isa %s: exit %d: %s", name, rc, err);
            /* the level's rows are there */
            char row[64];
            snprintf(row, sizeof row, " %s ", name);
            CHECKF(strstr(out, row) != NULL, "verify --isa %s printed no %s row", name, name);
        } else {
            char what[64];
            snprintf(what, sizeof what, "verify --isa %s (not usable here)", name);
            expect_usage_error(what, rc);
            CHECK(strstr(err, name) != NULL);
            /* the same through the environment */
            setenv("REFAST_ISA", name, 1);
            rc = rf_test_cli(out, sizeof out, err, sizeof err, "list", NULL);
            unsetenv("REFAST_ISA");
            snprintf(what, sizeof what, "REFAST_ISA=%s", name);
            expect_usage_error(what, rc);
        }
    }
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "sse9", NULL);
    expect_usage_error("--isa sse9", rc);

    /* --isa all runs exactly the usable levels */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "all", "--kernel", "fht_f32",
                     NULL);
    CHECKF(rc == 0, "verify --isa all: exit %d: %s", rc, err);
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        char row[64];
        snprintf(row, sizeof row, " %s ", rf_isa_name((rf_isa)l));
        CHECKF((strstr(out, row) != NULL) == rf_isa_usable((rf_isa)l), "--isa all and level %s",
               rf_isa_name((rf_isa)l));
    }
    CHECK(strstr(out, "autovec_") == NULL); /* peers only when asked */

    /* --peers adds one autovec row per usable level that has one, and nothing else */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "all", "--peers", "--kernel",
                     "fht_f32", NULL);
    CHECKF(rc == 0, "verify --isa all --peers: exit %d: %s", rc, err);
    const rf_kernel *fht = rf_kernel_find("fht_f32");
    for (int l = 1; l < RF_ISA_COUNT; l++) {
        char row[64];
        snprintf(row, sizeof row, " autovec_%s ", rf_isa_name((rf_isa)l));
        bool want = rf_isa_usable((rf_isa)l) && fht && rf_dispatch_autovec((rf_kernel_id)fht->id, (rf_isa)l);
        CHECKF((strstr(out, row) != NULL) == want, "--peers and autovec_%s", rf_isa_name((rf_isa)l));
    }
}

static void test_fallback_resolution(void)
{
    /* every kernel resolves at every level to a level at or below it that has code */
    for (int id = 0; id < RF_KID_COUNT; id++) {
        CHECKF(rf_dispatch_native((rf_kernel_id)id, RF_ISA_SCALAR), "%s has no scalar reference",
               rf_kernel_id_name((rf_kernel_id)id));
        for (int l = 0; l < RF_ISA_COUNT; l++) {
            if (!rf_isa_compiled((rf_isa)l)) continue;
            rf_isa by;
            rf_fnptr fn = rf_dispatch((rf_kernel_id)id, (rf_isa)l, &by);
            CHECK(fn != NULL && rf_dispatch_native((rf_kernel_id)id, by));
            CHECK(by == (rf_isa)l || by == RF_ISA_SCALAR || by == rf_isa_fallback((rf_isa)l));
        }
    }
    /* list shows a fallback arrow exactly for levels without their own code */
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "list", NULL);
    CHECK(rc == 0);
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        char head[80];
        snprintf(head, sizeof head, "\n%s ", k->name);
        const char *line = strstr(out, head);
        CHECKF(line != NULL, "list has no line for %s", k->name);
        if (!line) continue;
        const char *eol = strchr(line + 1, '\n');
        for (int l = 1; l < RF_ISA_COUNT; l++) {
            if (!rf_isa_compiled((rf_isa)l)) continue;
            rf_isa by;
            rf_kernel_impl(k, (rf_isa)l, &by);
            char arrow[64];
            snprintf(arrow, sizeof arrow, "%s -> %s", rf_isa_name((rf_isa)l), rf_isa_name(by));
            const char *hit = strstr(line, arrow);
            bool shown = hit && (!eol || hit < eol);
            CHECKF(shown == (by != (rf_isa)l), "list: %s at %s (provided by %s)", k->name,
                   rf_isa_name((rf_isa)l), rf_isa_name(by));
        }
    }
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "list", "--kernel", "no_such_kernel*", NULL);
    expect_usage_error("list --kernel no_such_kernel*", rc);
}

static void test_bad_arguments(void)
{
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "frobnicate", NULL);
    expect_usage_error("unknown command", rc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--kernel", NULL);
    expect_usage_error("--kernel without value", rc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--bogus", NULL);
    expect_usage_error("unknown option", rc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--kernel", "nothing_matches", NULL);
    expect_usage_error("verify unknown kernel", rc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--golden", "/nonexistent", NULL);
    expect_usage_error("verify missing golden dir", rc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "bench", "--repetitions", "abc", NULL);
    expect_usage_error("bench --repetitions abc", rc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "bench", "--repetitions", "99999999999999999999999", NULL);
    expect_usage_error("bench --repetitions overflow", rc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "bench", "--min-time", "nan", NULL);
    expect_usage_error("bench --min-time nan", rc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "bench", "--min-time", "-1", NULL);
    expect_usage_error("bench --min-time -1", rc);
    /* every subcommand answers --help with exit 0 */
    const char *cmds[] = {"list", "verify", "golden", "bench", "gate", "report", "sim", "code", "moe", "ko"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        rc = rf_test_cli(out, sizeof out, err, sizeof err, cmds[i], "--help", NULL);
        CHECKF(rc == 0 && strstr(out, "usage: refast") != NULL, "%s --help", cmds[i]);
    }
}

int main(void)
{
    const char *disabled = getenv("REFAST_CPU_DISABLE");
    if (disabled && *disabled) {
        rf_isa l;
        CHECKF(rf_isa_parse(disabled, &l) && !rf_isa_usable(l), "REFAST_CPU_DISABLE=%s hides it", disabled);
    }
    test_levels();
    test_fallback_resolution();
    test_bad_arguments();
    return rf_test_summary("test_cli");
}
