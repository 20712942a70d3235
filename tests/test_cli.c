/* Dispatch and command-line behaviour: every usable level can be selected and runs; a level this
 * CPU or build lacks is a one-line error with exit 2 (never SIGILL); `list` shows fallbacks; bad
 * arguments exit 2 with one line; every command's --help lists exactly the options its table gives
 * the parser, and the parser takes each of them. Also the output side every command shares: the
 * growing buffer, the JSON writer and the atomic writes. Run a second time by ctest with
 * REFAST_CPU_DISABLE set, which hides a level that the CPU has, to exercise the missing-level paths
 * on any machine. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "cli.h"
#include "jsonw.h"
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
    char *coverage = strstr(out, "\nverify: judged"); /* the rows are above it; it names every level */
    CHECK(coverage != NULL);
    if (coverage) *coverage = '\0';
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        char row[64];
        snprintf(row, sizeof row, " %s ", rf_isa_name((rf_isa)l));
        CHECKF((strstr(out, row) != NULL) == rf_isa_usable((rf_isa)l), "--isa all and level %s",
               rf_isa_name((rf_isa)l));
    }
    CHECK(strstr(out, "autovec_") == NULL); /* peers only when asked */

    /* --junit: one test case per case and level, written with the table */
    char junit[512];
    snprintf(junit, sizeof junit, "%s/verify.xml", rf_test_tmpdir());
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "scalar", "--kernel", "fht_f32", "--junit",
                     junit, NULL);
    const rf_kernel *fk = rf_kernel_find("fht_f32");
    size_t ncases = 0;
    for (const rf_case_spec *cs = fk ? fk->cases : NULL; cs && cs->name; cs++) ncases++;
    FILE *jf = fopen(junit, "r");
    char xml[1 << 15] = "";
    const size_t nx = jf ? fread(xml, 1, sizeof xml - 1, jf) : 0;
    xml[nx] = '\0';
    if (jf) fclose(jf);
    char suite[96];
    snprintf(suite, sizeof suite, "<testsuite name=\"refast verify\" tests=\"%zu\" failures=\"0\"", ncases);
    CHECKF(rc == 0 && ncases > 0 && strstr(xml, suite) && strstr(xml, "classname=\"verify.fht_f32\" name=\""),
           "verify --junit: exit %d, want %s in\n%s", rc, suite, xml);

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

/* The coverage line names what was judged and what was not; --require-isa fails on a level no row
 * judged on its own code, and refuses an unknown name. */
static void test_require_isa(void)
{
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "scalar", "--kernel", "fht_f32", NULL);
    CHECKF(rc == 0 && strstr(out, "verify: judged scalar (") && strstr(out, "peers (no --peers)"),
           "verify coverage line: exit %d:\n%s", rc, out);
    for (int l = 1; l < RF_ISA_COUNT; l++) {
        const char *name = rf_isa_name((rf_isa)l);
        char line[96];
        snprintf(line, sizeof line, "--require-isa %s: no row judged", name);
        /* --isa scalar judges no vector level: requiring any fails, whatever this CPU has */
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "scalar", "--kernel", "fht_f32",
                         "--require-isa", name, NULL);
        CHECKF(rc == 1 && strstr(out, line), "--isa scalar --require-isa %s: exit %d:\n%s", name, rc, out);
        if (!rf_isa_usable((rf_isa)l)) continue;
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", name, "--kernel", "fht_f32",
                         "--require-isa", name, NULL);
        CHECKF(rc == 0 && !strstr(out, line), "--isa %s --require-isa %s: exit %d:\n%s", name, name, rc, out);
    }
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--require-isa", "sse9", NULL);
    expect_usage_error("verify --require-isa sse9", rc);
}

/* --shard I/N: the N shards judge disjoint sets of cases whose union is the unsharded run (the
 * passed counts add up, and no shard is empty here); a malformed or out-of-range shard is a usage
 * error. */
static unsigned long verify_passed(const char *text)
{
    const char *line = strstr(text, "\nverify: ");
    unsigned long n = 0;
    while (line) {
        if (sscanf(line, "\nverify: %lu passed", &n) == 1) break;
        line = strstr(line + 1, "\nverify: ");
    }
    return n;
}

/* --sweep-cases 1 sweeps the case that does the least work, not the smallest file: softmap_enum's
 * k = 16 case reads 24 floats a frame and enumerates 2^16 codewords for each. */
static void test_sweep_selection(void)
{
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "scalar", "--kernel", "softmap_enum",
                         "--sweep", "--sweep-cases", "1", NULL);
    CHECKF(rc == 0 && strstr(out, "softmap_enum.rm22_exact@frames=") && !strstr(out, "rand24x16_exact@"),
           "verify --sweep-cases 1 of softmap_enum: exit %d, swept:\n%s", rc, out);
}

static void test_verify_shards(void)
{
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "scalar", "--kernel", "fht_f32", NULL);
    const unsigned long whole = verify_passed(out);
    CHECKF(rc == 0 && whole >= 3, "verify fht_f32: exit %d, %lu passed", rc, whole);
    unsigned long sum = 0;
    for (int i = 0; i < 3; i++) {
        char shard[8];
        snprintf(shard, sizeof shard, "%d/3", i);
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--isa", "scalar", "--kernel", "fht_f32",
                         "--shard", shard, NULL);
        const unsigned long part = verify_passed(out);
        CHECKF(rc == 0 && part > 0, "verify --shard %s: exit %d, %lu passed", shard, rc, part);
        sum += part;
    }
    CHECKF(sum == whole, "verify shards: %lu passed in 3 shards, %lu unsharded", sum, whole);
    const char *bad[] = {"3/3", "1/0", "1", "0/2x", "-1/2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "verify", "--shard", bad[i], NULL);
        char what[48];
        snprintf(what, sizeof what, "verify --shard %s", bad[i]);
        expect_usage_error(what, rc);
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
    const char *cmds[] = {"list", "verify", "golden", "bench", "gate", "ab", "report", "sim", "code", "moe", "ko", "pmoe"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        rc = rf_test_cli(out, sizeof out, err, sizeof err, cmds[i], "--help", NULL);
        CHECKF(rc == 0 && strstr(out, "usage: refast") != NULL, "%s --help", cmds[i]);
    }
}

/* ---- --help against the tables ------------------------------------------------------------------ */

/* A value the row's checks accept. */
static const char *good_value(const rf_opt *r, char *buf, size_t len)
{
    switch (r->kind) {
    case RF_OPT_U64: snprintf(buf, len, "%llu", (unsigned long long)(r->min > 0 ? r->min : 1)); return buf;
    case RF_OPT_F64: snprintf(buf, len, "%.17g", r->max > r->min ? (r->min + r->max) / 2 : r->min + 1); return buf;
    case RF_OPT_CHOICE: snprintf(buf, len, "%.*s", (int)strcspn(r->meta, "|"), r->meta); return buf;
    case RF_OPT_LEVEL:
    case RF_OPT_LEVELS: return "scalar";
    default: return "x";
    }
}

/* argv: the row under test, then one of every other required row (the first of a required group
 * other than the tested row's). Returns argc. */
static int build_args(const rf_opt *rows, const rf_opt *tested, char vals[][64], char **argv)
{
    int argc = 0;
    argv[argc++] = (char *)"refast";
    const rf_opt *add[16]; /* 1 + 2 x 16 arguments fit the caller's 40 */
    size_t nadd = 0;
    add[nadd++] = tested;
    for (const rf_opt *r = rows; r->kind != RF_OPT_END && nadd < 16; r++) {
        if (r == tested || !(r->flags & RF_OPT_REQUIRED)) continue;
        bool covered = false;
        for (size_t i = 0; i < nadd; i++) covered |= r->group && add[i]->group == r->group;
        if (!covered) add[nadd++] = r;
    }
    for (size_t i = 0; i < nadd; i++) {
        if (add[i]->kind != RF_OPT_ARG) argv[argc++] = (char *)add[i]->name;
        if (add[i]->kind == RF_OPT_FLAG) continue;
        char v[64];
        snprintf(vals[argc], 64, "%s", good_value(add[i], v, sizeof v));
        argv[argc] = vals[argc];
        argc++;
    }
    argv[argc] = NULL;
    return argc;
}

/* name appears in text[0..len) as a word of the synopsis ("[--x", "--x VALUE", "| --x"...). */
static bool in_synopsis(const char *text, size_t len, const char *name)
{
    const size_t n = strlen(name);
    for (const char *p = text + 1; (p = strstr(p, name)) && p < text + len; p++)
        if (strchr(" [(|", p[-1]) && strchr(" ])=\n", p[n])) return true;
    return false;
}

static void check_leaf(const rf_command *c, const char *path)
{
    /* the help, through the command line */
    char copy[128], *w1 = copy, *w2;
    snprintf(copy, sizeof copy, "%s", path);
    if ((w2 = strchr(copy, ' '))) *w2++ = '\0';
    int rc = w2 ? rf_test_cli(out, sizeof out, err, sizeof err, w1, w2, "--help", NULL)
                : rf_test_cli(out, sizeof out, err, sizeof err, w1, "--help", NULL);
    CHECKF(rc == 0 && !strncmp(out, "usage: refast ", 14), "%s --help: exit %d", path, rc);
    const char *list = strstr(out, "\nOptions:\n");
    CHECKF(list != NULL, "%s --help has no option list", path);
    if (rc || !list) return;
    const size_t synopsis_len = (size_t)(strchr(out, '\n') - out); /* the usage line and those under it */
    size_t synopsis_end = synopsis_len;
    for (const char *l = out + synopsis_len; l[0] == '\n' && l[1] == ' '; l = strchr(l + 1, '\n'))
        synopsis_end = (size_t)(strchr(l + 1, '\n') - out);
    /* every entry of the list ("  --name ..." at column 2) is a row of the table */
    size_t listed = 0, rows = 0;
    for (const char *l = list + 1; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, "  ", 2) != 0 || l[2] == ' ') continue;
        const size_t n = strcspn(l + 2, " \n");
        const rf_opt *row = NULL;
        for (const rf_opt *r = c->opts; r->kind != RF_OPT_END; r++)
            if (r->kind != RF_OPT_TEXT && strlen(r->name) == n && !strncmp(l + 2, r->name, n)) row = r;
        CHECKF(row != NULL, "%s --help lists '%.*s', which its table lacks", path, (int)n, l + 2);
        listed++;
    }
    /* every row of the table is in the list and the synopsis, and the parser takes it */
    for (const rf_opt *r = c->opts; r->kind != RF_OPT_END; r++) {
        if (r->kind == RF_OPT_TEXT) continue;
        rows++;
        CHECKF(in_synopsis(out, synopsis_end, r->name), "%s: the synopsis lacks %s", path, r->name);
        char vals[40][64], *argv[40];
        const int argc = build_args(c->opts, r, vals, argv);
        void *dst = calloc(1, c->size);
        bool help = false;
        const rf_isa level = rf_isa_current();
        rc = dst ? rf_opts_parse(c->opts, path, argc, argv, dst, &help) : -1;
        rf_isa_set(level);
        CHECKF(rc == 0 && !help, "%s: the parser refuses %s %s", path, r->name, argc > 2 ? argv[2] : "");
        if (dst) rf_opts_free(c->opts, dst);
        free(dst);
    }
    CHECKF(listed == rows, "%s --help lists %zu options and arguments, its table has %zu", path, listed, rows);
    /* an option no table has is refused in one line */
    rc = w2 ? rf_test_cli(out, sizeof out, err, sizeof err, w1, w2, "--no-such-option", NULL)
            : rf_test_cli(out, sizeof out, err, sizeof err, w1, "--no-such-option", NULL);
    expect_usage_error(path, rc);
}

static void check_tree(const rf_command *c, const char *path)
{
    if (!c->subs) {
        check_leaf(c, path);
        return;
    }
    if (*path) {
        const int rc = rf_test_cli(out, sizeof out, err, sizeof err, path, "--help", NULL);
        CHECKF(rc == 0 && strstr(out, "usage: refast"), "%s --help: exit %d", path, rc);
        for (const rf_command *const *s = c->subs; *s; s++)
            CHECKF(strstr(out, (*s)->name) != NULL, "%s --help does not list %s", path, (*s)->name);
    }
    for (const rf_command *const *s = c->subs; *s; s++)
        CHECKF((*s)->summary && *(*s)->summary, "%s %s has no summary for the list", path, (*s)->name);
    for (const rf_command *const *s = c->subs; *s; s++) {
        char sub[128];
        check_tree(*s, rf_command_path(path, (*s)->name, sub, sizeof sub));
    }
}

/* ---- buffers, JSON and atomic writes -------------------------------------------------------- */

static void test_output(void)
{
    /* a formatted value far beyond any fixed buffer comes out whole */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rf_wbuf w = {0};
    rf_wbuf_puts(&w, "{\"v\":");
    rf_wbuf_printf(&w, "\"%s\",\"n\":%d}", big, 7);
    CHECK(!w.oom && w.len == 5 + 1 + strlen(big) + 8);
    CHECK(!strncmp(rf_wbuf_text(&w) + 6, big, strlen(big)) && !strcmp(rf_wbuf_text(&w) + w.len - 7, ",\"n\":7}"));
    rf_wbuf_free(&w);
    /* strings are escaped, non-finite numbers are null */
    rf_jsonw_str(&w, "a\"b\\c\n\x01");
    rf_wbuf_puts(&w, ",");
    rf_jsonw_num(&w, 0.1, 17);
    rf_wbuf_puts(&w, ",");
    rf_jsonw_num(&w, INFINITY, 17);
    CHECKF(!strcmp(rf_wbuf_text(&w), "\"a\\\"b\\\\c\\u000a\\u0001\",0.10000000000000001,null"), "%s",
           rf_wbuf_text(&w));
    rf_wbuf_free(&w);
    CHECK(!strcmp(rf_wbuf_text(&w), ""));

    /* a set of files is written whole or not at all, and no temporary is left behind */
    const char *dir = rf_test_tmpdir();
    char a[512], b[512], bad[512], tmp[4200];
    snprintf(a, sizeof a, "%s/a.txt", dir);
    snprintf(b, sizeof b, "%s/b.txt", dir);
    snprintf(bad, sizeof bad, "%s/no-such-dir/c.txt", dir);
    char e[512];
    const rf_outfile two[] = {{a, "one", 3}, {b, "two", 3}}, broken[] = {{a, "new", 3}, {bad, "three", 5}};
    CHECK(rf_write_files_atomic(two, 2, e, sizeof e));
    char *ra = rf_test_read_exact(a, 3), *rb = rf_test_read_exact(b, 3);
    CHECK(ra && rb && !memcmp(ra, "one", 3) && !memcmp(rb, "two", 3));
    free(ra);
    free(rb);
    CHECKF(!rf_write_files_atomic(broken, 2, e, sizeof e) && strstr(e, "no-such-dir") && !strchr(e, '\n'), "%s", e);
    char *kept = rf_test_read_exact(a, 3);
    CHECKF(kept && !memcmp(kept, "one", 3), "a.txt changed by a failed set");
    free(kept);
    CHECK(rf_tmp_path(a, tmp, sizeof tmp) && access(tmp, F_OK) != 0);
    /* the early check touches nothing */
    remove(b);
    CHECK(rf_check_writable(b, e, sizeof e) && access(b, F_OK) != 0);
    CHECK(rf_tmp_path(b, tmp, sizeof tmp) && access(tmp, F_OK) != 0);
    CHECK(!rf_check_writable(bad, e, sizeof e) && strstr(e, "c.txt"));
    /* a writer refast does not control: its temporary goes in place, or away */
    for (int keep = 0; keep < 2; keep++) {
        CHECK(rf_tmp_path(b, tmp, sizeof tmp));
        FILE *f = fopen(tmp, "w");
        if (f) fclose(f);
        CHECK(rf_tmp_commit(b, keep, e, sizeof e) == keep && access(tmp, F_OK) != 0 && (access(b, F_OK) == 0) == keep);
    }
    remove(b);
    /* a buffer that ran out of memory is never saved short */
    rf_wbuf oom = {0};
    rf_wbuf_puts(&oom, "partial");
    oom.oom = true;
    CHECK(!rf_wbuf_save(&oom, b, e, sizeof e) && access(b, F_OK) != 0);
    rf_wbuf_free(&oom);
    remove(a);
}

int main(void)
{
    test_verify_shards();
    test_sweep_selection();
    const char *disabled = getenv("REFAST_CPU_DISABLE");
    if (disabled && *disabled) {
        rf_isa l;
        CHECKF(rf_isa_parse(disabled, &l) && !rf_isa_usable(l), "REFAST_CPU_DISABLE=%s hides it", disabled);
    }
    test_levels();
    test_require_isa();
    test_fallback_resolution();
    test_bad_arguments();
    check_tree(&rf_cmd_refast, "");
    test_output();
    return rf_test_summary("test_cli");
}
