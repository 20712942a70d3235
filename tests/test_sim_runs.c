/* `refast sim` as separate processes (issue 15): the same command run serially, with threads,
 * under `mpirun -np 1/2/3 --oversubscribe`, killed and resumed from its checkpoint (serially and
 * under MPI, a rank killed with SIGKILL), and stopped by SIGTERM, must end with identical frame,
 * bit, block and leaf counts and decision hashes. Also: a run killed while a rank is gone ends
 * non-zero and writes no JSON; a SIGTERM writes the finished points marked partial and exits
 * 128 + 15.
 *
 * Arguments: the refast binary, then mpirun (or "none": the MPI cases are skipped with a message,
 * as in a build without MPI). Under AddressSanitizer the ranks' leak check ignores what Open MPI's
 * own libraries keep until exit (an LSan suppressions file for them alone, so refast's own leaks
 * still fail the run). The runs are a few seconds each: the killed ones must still be in
 * their last point when the signal comes (the test waits until the checkpoint shows that point
 * started, so the kill always lands mid-point, however fast the machine). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "testlib.h"

extern char **environ;

static const char *refast, *mpirun;
static char dir[512];

/* The command under test: three points, the first two end on the target, the last on the frame
 * cap (long enough to be killed in). */
static const char *const sim_args[] = {"sim", "--code", "rm:8:2", "--decoder", "dumer", "--ebn0", "3:5:1",
                                       "--max-frames", "1500000", "--target-errors", "1000", "--seed", "7"};
#define NSIM (sizeof sim_args / sizeof sim_args[0])

/* Starts argv (NULL-terminated) with stdout and stderr into files; returns the pid. */
static pid_t start(const char *const *argv, const char *tag)
{
    char out[600], err[600];
    snprintf(out, sizeof out, "%s/%s.out", dir, tag);
    snprintf(err, sizeof err, "%s/%s.err", dir, tag);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static int finish(pid_t pid)
{
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* argv of a run: [mpirun -np P --oversubscribe --allow-run-as-root] refast sim ... extra..., NULL */
static void build(const char **argv, int np, const char *const *extra)
{
    size_t n = 0;
    static char npbuf[8];
    if (np > 0) {
        snprintf(npbuf, sizeof npbuf, "%d", np);
        argv[n++] = mpirun;
        argv[n++] = "--allow-run-as-root";
        argv[n++] = "--oversubscribe";
        argv[n++] = "-np";
        argv[n++] = npbuf;
    }
    argv[n++] = refast;
    for (size_t i = 0; i < NSIM; i++) argv[n++] = sim_args[i];
    for (size_t i = 0; extra && extra[i]; i++) argv[n++] = extra[i];
    argv[n] = NULL;
}

static int run(int np, const char *const *extra, const char *tag)
{
    const char *argv[64];
    build(argv, np, extra);
    return finish(start(argv, tag));
}

static void path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

/* Whether two sim JSON files have the same points: every count, the leaves and the hash. */
static bool same_points(const char *a_path, const char *b_path, const char *what)
{
    char e[256];
    rf_json *a = rf_json_parse_file(a_path, e, sizeof e), *b = rf_json_parse_file(b_path, e, sizeof e);
    bool ok = a && b;
    const rf_json *pa = ok ? rf_json_get(a, "points") : NULL, *pb = ok ? rf_json_get(b, "points") : NULL;
    ok = ok && pa && pb && pa->count == pb->count && pa->count > 0;
    static const char *const keys[] = {"frames", "bits", "bit_errors", "block_errors", "bit_errors_sq"};
    for (size_t i = 0; ok && i < pa->count; i++) {
        const rf_json *p = &pa->items[i], *q = &pb->items[i];
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            double x, y;
            if (!rf_json_get_number(p, keys[k], &x) || !rf_json_get_number(q, keys[k], &y) || x != y) {
                fprintf(stderr, "%s: point %zu: %s differs\n", what, i, keys[k]);
                ok = false;
            }
        }
        const char *h1 = rf_json_get_string(p, "decisions_xxh3"), *h2 = rf_json_get_string(q, "decisions_xxh3");
        if (!h1 || !h2 || strcmp(h1, h2) != 0) {
            fprintf(stderr, "%s: point %zu: decisions_xxh3 %s vs %s\n", what, i, h1 ? h1 : "-", h2 ? h2 : "-");
            ok = false;
        }
        const rf_json *la = rf_json_get(p, "leaves"), *lb = rf_json_get(q, "leaves");
        ok = ok && la && lb && la->count == lb->count;
        for (size_t l = 0; ok && l < la->count; l++) {
            double x, y;
            ok = rf_json_get_number(&la->items[l], "block_errors", &x) &&
                 rf_json_get_number(&lb->items[l], "block_errors", &y) && x == y;
        }
    }
    if (!a || !b) fprintf(stderr, "%s: %s\n", what, e);
    rf_json_free(a);
    rf_json_free(b);
    return ok;
}

/* Whether the run tagged `tag` said it resumed inside the last point (so it did not start over). */
static bool resumed_mid_point(const char *tag)
{
    char path[600], text[4096] = "";
    snprintf(path, sizeof path, "%s/%s.err", dir, tag);
    FILE *f = fopen(path, "r");
    const size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = '\0';
    return strstr(text, "2 of 3 points finished, point 3 at frame ") != NULL;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Waits (up to 60 s) until the checkpoint shows the last point started: "point 2 0 ". */
static bool wait_last_point(const char *ckpt, pid_t pid)
{
    for (int i = 0; i < 1200; i++) {
        FILE *f = fopen(ckpt, "r");
        char line[512];
        bool seen = false;
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "point 2 0 ", 10)) seen = true;
        if (f) fclose(f);
        if (seen) return true;
        if (waitpid(pid, NULL, WNOHANG) == pid) return false;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    return false;
}

/* A child of `parent` running refast (an MPI rank under mpirun), or -1. */
static pid_t child_rank(pid_t parent)
{
    char cmd[64], line[64];
    snprintf(cmd, sizeof cmd, "pgrep -P %d", (int)parent);
    FILE *p = popen(cmd, "r");
    pid_t found = -1;
    while (p && fgets(line, sizeof line, p)) found = (pid_t)atoi(line); /* the last one: not rank 0 */
    if (p) pclose(p);
    return found;
}

static void test_threads_and_ranks(const char *serial)
{
    char json[600];
    path_of(json, sizeof json, "t2.json");
    const char *t2[] = {"--threads", "2", "--json", json, NULL};
    CHECK(run(0, t2, "t2") == 0 && same_points(serial, json, "--threads 2"));
    if (!mpirun) return;
    for (int np = 1; np <= 3; np++) {
        char tag[16];
        snprintf(tag, sizeof tag, "np%d", np);
        path_of(json, sizeof json, "np.json");
        remove(json);
        const char *x[] = {"--threads", np == 2 ? "2" : "1", "--json", json, NULL};
        const int rc = run(np, x, tag);
        CHECKF(rc == 0 && same_points(serial, json, tag), "mpirun -np %d: exit %d", np, rc);
        char e[256];
        rf_json *j = rf_json_parse_file(json, e, sizeof e);
        double ranks = 0;
        CHECKF(j && rf_json_get_number(j, "ranks", &ranks) && ranks == np, "mpirun -np %d: ranks %g", np, ranks);
        rf_json_free(j);
    }
}

/* Killed with SIGKILL in the last point (serial: the process; MPI: one rank), then resumed with the
 * same command (MPI: another rank count). */
static void test_kill_resume(const char *serial, int np, int np_resume)
{
    char json[600], ckpt[600], tag[32];
    snprintf(tag, sizeof tag, "kill%d", np);
    path_of(json, sizeof json, "k.json");
    path_of(ckpt, sizeof ckpt, "k.ckpt");
    remove(json);
    remove(ckpt);
    const char *x[] = {"--threads", "1", "--json", json, "--checkpoint", ckpt, "--checkpoint-every", "0", NULL};
    const char *argv[64];
    build(argv, np, x);
    const pid_t pid = start(argv, tag);
    const bool mid = wait_last_point(ckpt, pid);
    CHECKF(mid, "%s: the run never reached its last point", tag);
    pid_t victim = np ? child_rank(pid) : pid;
    if (victim > 0) kill(victim, SIGKILL);
    const int rc = finish(pid);
    CHECKF(rc != 0 && !exists(json), "%s: exit %d after SIGKILL, JSON %s", tag, rc, exists(json) ? "written" : "absent");
    const int rc2 = run(np_resume, x, "resume");
    CHECKF(rc2 == 0 && same_points(serial, json, tag), "%s resumed with -np %d: exit %d", tag, np_resume, rc2);
    CHECKF(resumed_mid_point("resume"), "%s: the resumed run did not continue from the checkpoint", tag);
}

/* SIGTERM in the last point: the two finished points, marked partial, exit 143; then resumed. */
static void test_sigterm(const char *serial)
{
    char json[600], ckpt[600];
    path_of(json, sizeof json, "s.json");
    path_of(ckpt, sizeof ckpt, "s.ckpt");
    remove(json);
    remove(ckpt);
    const char *x[] = {"--threads", "2", "--json", json, "--checkpoint", ckpt, "--checkpoint-every", "0", NULL};
    const char *argv[64];
    build(argv, 0, x);
    const pid_t pid = start(argv, "term");
    CHECK(wait_last_point(ckpt, pid));
    kill(pid, SIGTERM);
    const int rc = finish(pid);
    char e[256];
    rf_json *j = rf_json_parse_file(json, e, sizeof e);
    const rf_json *pts = j ? rf_json_get(j, "points") : NULL, *partial = j ? rf_json_get(j, "partial") : NULL;
    CHECKF(rc == 128 + SIGTERM && pts && pts->count == 2 && partial && partial->type == RF_JSON_BOOL && partial->boolean,
           "SIGTERM: exit %d, %zu points", rc, pts ? pts->count : 0);
    rf_json_free(j);
    CHECK(run(0, x, "term2") == 0 && same_points(serial, json, "resumed after SIGTERM") && resumed_mid_point("term2"));
}

/* Open MPI's libraries keep memory until exit, which LeakSanitizer would report at the end of
 * every rank of an ASan build: suppress leaks whose stack runs through them, and nothing else. The
 * slow unwinder is needed to see those frames: the system libraries have no frame pointers, so the
 * fast one stops at the first of them and the stack names no library. */
static void suppress_mpi_leaks(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/lsan-mpi.supp", dir);
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs("leak:libmpi.so\nleak:libopen-pal.so\nleak:libopen-rte.so\nleak:libpmix.so\nleak:libhwloc.so\n"
          "leak:libevent\nleak:mca_\nleak:libucp.so\nleak:libucs.so\nleak:libfabric.so\n",
          f);
    fclose(f);
    const char *old = getenv("LSAN_OPTIONS");
    char opts[1400];
    snprintf(opts, sizeof opts, "%s%ssuppressions=%s:fast_unwind_on_malloc=0", old ? old : "", old && *old ? ":" : "",
             path);
    setenv("LSAN_OPTIONS", opts, 1);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_sim_runs REFAST MPIRUN|none\n");
        return 2;
    }
    refast = argv[1];
    mpirun = strcmp(argv[2], "none") && access(argv[2], X_OK) == 0 ? argv[2] : NULL;
    if (!mpirun) printf("test_sim_runs: no MPI in this build (or no mpirun): the mpirun cases are skipped\n");
    snprintf(dir, sizeof dir, "%s", rf_test_tmpdir());
    if (mpirun) suppress_mpi_leaks();
    char serial[600];
    path_of(serial, sizeof serial, "serial.json");
    const char *x[] = {"--threads", "1", "--json", serial, NULL};
    CHECK(run(0, x, "serial") == 0);
    test_threads_and_ranks(serial);
    test_kill_resume(serial, 0, 0);
    if (mpirun) test_kill_resume(serial, 2, 3);
    test_sigterm(serial);
    return rf_test_summary("test_sim_runs");
}
