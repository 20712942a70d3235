/* Child processes of the harness (see benchrun.h). */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include "benchrun.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errf.h"

extern char **environ;

int rf_pin_choose(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    for (int c = CPU_SETSIZE - 1; c >= 0; c--)
        if (CPU_ISSET(c, &set)) return c;
    return -1;
}

bool rf_pin_self(int cpu)
{
    if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
}

int rf_spawn_wait(char *const *argv, const char *log, char *const *env_extra, int cpu, char *err, size_t errlen)
{
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) return rf_fail_rc(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
    if (pid == 0) {
        if (log) {
            const int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0) _exit(126);
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (cpu >= 0 && !rf_pin_self(cpu)) _exit(126);
        for (char *const *e = env_extra; e && *e; e++) putenv(*e);
        execv(argv[0], argv);
        fprintf(stderr, "refast: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return rf_fail_rc(err, errlen, "waiting for %s: %s", argv[0], strerror(errno));
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

void rf_log_last_line(const char *log, const char *prefix, char *out, size_t len)
{
    out[0] = '\0';
    FILE *f = log ? fopen(log, "r") : NULL;
    if (!f) return;
    const size_t np = strlen(prefix);
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (*line && !strncmp(line, prefix, np)) snprintf(out, len, "%.*s", (int)(len - 1), line + np);
    }
    fclose(f);
}

bool rf_bench_job_run(const rf_bench_job *j, char *err, size_t errlen)
{
    char reps[32], mt[32];
    snprintf(reps, sizeof reps, "%llu", j->repetitions);
    snprintf(mt, sizeof mt, "%.6g", j->min_time);
    const char *argv[24];
    int n = 0;
    argv[n++] = j->exe;
    argv[n++] = "bench";
    argv[n++] = "--kernel";
    argv[n++] = j->kernel;
    if (j->isa) argv[n++] = "--isa", argv[n++] = j->isa;
    argv[n++] = "--repetitions";
    argv[n++] = reps;
    argv[n++] = "--min-time";
    argv[n++] = mt;
    argv[n++] = "--no-machine";
    if (j->no_peers) argv[n++] = "--no-peers";
    argv[n++] = "--out";
    argv[n++] = j->out;
    argv[n] = NULL;
    const int rc = rf_spawn_wait((char *const *)argv, j->log, NULL, j->cpu, err, errlen);
    if (rc == 0) return true;
    if (rc > 0) {
        char tail[400];
        rf_log_last_line(j->log, "", tail, sizeof tail);
        rf_fail(err, errlen, "%s bench exited with %d (log %s)%s%s", j->exe, rc, j->log, *tail ? ": " : "", tail);
    }
    return false;
}
