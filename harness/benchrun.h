/* Running a `refast bench` as a child process: the rounds of `refast ab` (two binaries, possibly
 * an older refast, so only options every version has are passed), the re-runs of --confirm, and
 * the instruction-count child under valgrind. The child's stdout and stderr go to a log file; it
 * can be pinned to one CPU (the affinity is inherited across exec, so even a binary that does not
 * pin itself runs pinned). */
#ifndef REFAST_BENCHRUN_H
#define REFAST_BENCHRUN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rf_bench_job {
    const char *exe;                 /* the refast binary */
    const char *kernel;              /* --kernel GLOB */
    const char *isa;                 /* --isa (NULL: the binary's default) */
    unsigned long long repetitions;  /* --repetitions */
    double min_time;                 /* --min-time (seconds) */
    bool no_peers;                   /* --no-peers */
    const char *out;                 /* --out FILE.json */
    const char *log;                 /* the child's stdout and stderr */
    int cpu;                         /* pin to this CPU; -1: inherit the affinity */
} rf_bench_job;

/* Runs the job to its end. Returns true when the child exited 0; else false with a one-line
 * message naming the binary and the log (and the child's last stderr line when it has one). */
bool rf_bench_job_run(const rf_bench_job *j, char *err, size_t errlen);

/* The last non-empty line of a child's log that starts with prefix ("" for any), without the
 * prefix; "" when there is none. For the one-line message about a child that failed. */
void rf_log_last_line(const char *log, const char *prefix, char *out, size_t len);

/* The CPU a single-threaded benchmark is pinned to: the highest-numbered CPU this process may run
 * on (CPU 0 takes most interrupts), or -1 when the affinity cannot be read. */
int rf_pin_choose(void);
/* Pins this process (and its future children) to cpu. False when the kernel refuses. */
bool rf_pin_self(int cpu);

/* Spawns argv (argv[0] is the program's path) with stdout and stderr to log (NULL: inherited) and
 * optional extra environment entries "NAME=VALUE" (NULL-terminated, may be NULL); waits. Returns
 * the exit status, 128 + signal when killed, or -1 when it could not start (message in err). */
int rf_spawn_wait(char *const *argv, const char *log, char *const *env_extra, int cpu, char *err, size_t errlen);

#endif
