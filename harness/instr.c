/* Instruction counts through callgrind (see instr.h). */
#include "instr.h"

#include <alloca.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "benchrun.h"
#include "bytes.h"
#include "command.h"
#include "errf.h"
#include "jsonw.h"

const char *rf_instr_child_dir(void)
{
    const char *d = getenv(RF_INSTR_CHILD_ENV);
    return d && *d && RUNNING_ON_VALGRIND ? d : NULL;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int run_items(rf_bench_item *items, size_t n, unsigned long long calls, const char *dir, char *err,
                     size_t errlen);

/* The items run on a stack whose position modulo 4 KiB is fixed. The stack starts below argv and
 * the environment, so it moves with the length of the binary's path, and glibc's memcpy/memmove
 * choose their path from (dst - src) mod 4 KiB: a kernel copying between its stack and the heap
 * (ref rm1_map's transform, 1 KiB frames) counted 128 more instructions per call when the binary
 * was renamed from 11 to 17 characters. Valgrind's heap is the same in every run. */
int rf_instr_child_run(rf_bench_item *items, size_t n, unsigned long long calls, const char *dir, char *err,
                       size_t errlen)
{
    const uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    char *pad = alloca((sp & 4095) + 256);
    __asm__ volatile("" : : "r"(pad) : "memory"); /* keeps the padding */
    return run_items(items, n, calls, dir, err, errlen);
}

__attribute__((noinline)) static int run_items(rf_bench_item *items, size_t n, unsigned long long calls,
                                                const char *dir, char *err, size_t errlen)
{
    rf_wbuf w = {0};
    for (size_t i = 0; i < n; i++) {
        rf_bench_item *it = &items[i];
        if (strchr(it->name, '\t') || strchr(it->name, '\n')) continue;
        it->run(it->ctx, 1);
        const double t0 = now_s();
        CALLGRIND_START_INSTRUMENTATION;
        CALLGRIND_ZERO_STATS;
        it->run(it->ctx, calls);
        CALLGRIND_DUMP_STATS_AT(it->name);
        CALLGRIND_STOP_INSTRUMENTATION;
        const double dt = fmax(now_s() - t0, 1e-9); /* the loader wants a positive time */
        rf_wbuf_printf(&w, "%s\t%llu\t%.9g\t%.17g\t%.17g\t%.17g\t%s\n", it->name, calls, dt / (double)calls,
                       it->items_per_iter, it->flops_per_iter, it->bytes_per_iter, it->label);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/items.tsv", dir);
    const bool ok = rf_wbuf_save(&w, path, err, errlen);
    rf_wbuf_free(&w);
    return ok ? 0 : -1;
}

/* ---- parent ------------------------------------------------------------------------------------ */

typedef struct dump {
    char name[160];
    double ir;
} dump;

/* The trigger's name and the totals of one callgrind dump; false for the final dump at program
 * termination and for anything that is not a client-request dump. */
static bool read_dump(const char *path, dump *d)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[1024];
    bool named = false, total = false;
    static const char trig[] = "desc: Trigger: Client Request: ";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, trig, sizeof trig - 1)) {
            snprintf(d->name, sizeof d->name, "%.*s", (int)sizeof d->name - 1, line + sizeof trig - 1);
            named = true;
        } else if (!strncmp(line, "totals: ", 8) || (!total && !strncmp(line, "summary: ", 9))) {
            d->ir = strtod(strchr(line, ' ') + 1, NULL); /* the first event is Ir */
            total = true;
        }
    }
    fclose(f);
    return named && total;
}

static const char *find_valgrind(char *out, size_t len)
{
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    for (const char *p = path; *p;) {
        const size_t n = strcspn(p, ":");
        snprintf(out, len, "%.*s/valgrind", (int)n, p);
        if (n && access(out, X_OK) == 0) return out;
        p += n + (p[n] == ':');
    }
    return NULL;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    char p[4400];
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    closedir(d);
    rmdir(dir);
}

static void context_pair(rf_wbuf *w, const char *k, const char *v, bool *first)
{
    rf_wbuf_puts(w, *first ? "\n    " : ",\n    ");
    rf_jsonw_str(w, k);
    rf_jsonw_member_str(w, ": ", v);
    *first = false;
}

/* Google Benchmark's JSON from the items list and the dumps. */
static int write_results(const char *dir, const dump *dumps, size_t nd, const rf_provenance *prov, const char *out)
{
    char path[4200], err[512];
    snprintf(path, sizeof path, "%s/items.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) return rf_usage_error("bench: the instrumented run wrote no item list (%s)", path);
    rf_wbuf w = {0};
    char host[256] = "", date[64] = "", load[32] = "";
    gethostname(host, sizeof host - 1);
    const time_t t = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", localtime(&t));
    rf_wbuf_puts(&w, "{\n  \"context\": {");
    bool first = true;
    context_pair(&w, "date", date, &first);
    context_pair(&w, "host_name", host, &first);
    context_pair(&w, "refast_counter", "instructions", &first);
    context_pair(&w, "refast_note",
                 "instructions = Ir per call counted by valgrind --tool=callgrind; real_time and cpu_time are "
                 "wall times per call under valgrind, not the kernel's speed",
                 &first);
    for (size_t i = 0; i < prov->n; i++) context_pair(&w, prov->kv[i][0], prov->kv[i][1], &first);
    if (rf_loadavg(load, sizeof load)) context_pair(&w, "refast_load_after", load, &first);
    rf_wbuf_puts(&w, "\n  },\n  \"benchmarks\": [");
    char line[1024];
    size_t rows = 0, missing = 0;
    printf("%-64s %16s %14s\n", "benchmark", "instructions", "per item");
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *field[7] = {0};
        char *s = line;
        for (int k = 0; k < 7 && s; k++) {
            field[k] = s;
            s = k < 6 ? strchr(s, '\t') : NULL;
            if (s) *s++ = '\0';
        }
        if (!field[6]) continue;
        const dump *d = NULL;
        for (size_t i = 0; i < nd && !d; i++)
            if (!strcmp(dumps[i].name, field[0])) d = &dumps[i];
        if (!d) {
            missing++;
            continue;
        }
        const double calls = strtod(field[1], NULL), per_call = d->ir / calls, items = strtod(field[3], NULL);
        printf("%-64s %16.0f %14.2f\n", field[0], per_call, items > 0 ? per_call / items : NAN);
        rf_wbuf_puts(&w, rows ? ",\n    {" : "\n    {");
        rf_wbuf_puts(&w, "\n      \"name\": ");
        rf_jsonw_str(&w, field[0]);
        rf_wbuf_printf(&w, ",\n      \"family_index\": %zu,\n      \"per_family_instance_index\": 0,\n      \"run_name\": ",
                       rows);
        rf_jsonw_str(&w, field[0]);
        rf_wbuf_printf(&w, ",\n      \"run_type\": \"iteration\",\n      \"repetitions\": 1,\n      \"repetition_index\": 0,"
                           "\n      \"threads\": 1,\n      \"iterations\": %.0f,\n      \"real_time\": %s,"
                           "\n      \"cpu_time\": %s,\n      \"time_unit\": \"s\",\n      \"instructions\": %.17g,"
                           "\n      \"instructions_per_item\": %.17g,\n      \"label\": ",
                       calls, field[2], field[2], per_call, items > 0 ? per_call / items : 0.0);
        rf_jsonw_str(&w, field[6]);
        rf_wbuf_puts(&w, "\n    }");
        rows++;
    }
    fclose(f);
    rf_wbuf_puts(&w, "\n  ]\n}\n");
    int rc = RF_EXIT_OK;
    if (missing) rc = rf_usage_error("bench: %zu items have no callgrind dump in %s", missing, dir);
    else if (!rows) rc = rf_usage_error("bench: the instrumented run counted nothing");
    else if (out && !rf_wbuf_save(&w, out, err, sizeof err)) rc = rf_usage_error("bench: %s", err);
    rf_wbuf_free(&w);
    return rc;
}

int rf_instr_parent_run(const char *const *child_argv, const rf_provenance *prov, const char *out)
{
    char vg[4200], tmpl[] = "/tmp/refast-callgrind-XXXXXX", err[512];
    if (!find_valgrind(vg, sizeof vg))
        return rf_usage_error("bench: --counter instructions needs valgrind (Debian package valgrind) on the PATH");
    char self[4096];
    const ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k <= 0) return rf_usage_error("bench: cannot find this executable (/proc/self/exe)");
    self[k] = '\0';
    const char *tmpdir = getenv("TMPDIR");
    char dirbuf[4200];
    snprintf(dirbuf, sizeof dirbuf, "%s/refast-callgrind-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    char *dir = mkdtemp(dirbuf);
    if (!dir) dir = mkdtemp(tmpl);
    if (!dir) return rf_usage_error("bench: cannot create a temporary directory for callgrind's dumps");

    char outfile[4300], env[4300], log[4300];
    snprintf(outfile, sizeof outfile, "--callgrind-out-file=%s/cg.%%p", dir);
    snprintf(env, sizeof env, "%s=%s", RF_INSTR_CHILD_ENV, dir);
    snprintf(log, sizeof log, "%s/valgrind.log", dir);
    const char *argv[48];
    size_t n = 0;
    argv[n++] = vg;
    argv[n++] = "--tool=callgrind";
    argv[n++] = "--instr-atstart=no";
    argv[n++] = "--dump-line=no";
    argv[n++] = outfile;
    argv[n++] = self;
    for (size_t i = 0; child_argv[i] && n + 1 < sizeof argv / sizeof argv[0]; i++) argv[n++] = child_argv[i];
    argv[n] = NULL;
    /* One OpenMP thread: the kernels under count are single-threaded, but a libgomp pool (OpenBLAS
     * and oneDNN link it) spins after any parallel region, and callgrind counts every thread's
     * instructions inside the collection window: with it, counts moved by a few dozen per call
     * from run to run (fht_f32 scalar, 2^16). */
    char *envx[] = {env, "OMP_NUM_THREADS=1", NULL};
    fprintf(stderr, "refast: bench: counting instructions under valgrind (callgrind); this takes a while\n");
    const int rc = rf_spawn_wait((char *const *)argv, log, envx, -1, err, sizeof err);
    int ret = RF_EXIT_OK;
    if (rc != 0) {
        char tail[400];
        rf_log_last_line(log, "refast: ", tail, sizeof tail); /* the child's own one-line error */
        ret = rc < 0 ? rf_usage_error("bench: %s", err)
            : *tail ? rf_usage_error("%s", tail)
                    : rf_usage_error("bench: the run under valgrind exited with %d (see its log: %s)", rc, log);
        if (*tail) remove_dir(dir);
        return ret;
    }
    /* every client-request dump of the child */
    dump *dumps = NULL;
    size_t nd = 0, cap = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strncmp(e->d_name, "cg.", 3)) continue;
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (nd == cap) {
            dump *nx = realloc(dumps, (cap = cap ? 2 * cap : 64) * sizeof *nx);
            if (!nx) break;
            dumps = nx;
        }
        if (read_dump(p, &dumps[nd])) nd++;
    }
    if (d) closedir(d);
    ret = write_results(dir, dumps, nd, prov, out);
    free(dumps);
    remove_dir(dir);
    return ret;
}
