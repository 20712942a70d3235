/* A standalone driver for the differential fuzz target (fuzz/diff_fuzz.c) without libFuzzer, so
 * that any compiler and any build can run it: gcc's release, asan and aarch64 builds (NEON under
 * qemu), where clang's libFuzzer is not available.
 *
 *   refast_fuzz_driver [--seconds S] [--runs N] [--seed K] [--max-len L] [--large] [--shard I/N]
 *                      [--artifact-prefix P] [--write-corpus DIR --per-kernel M] [PATH...]
 *
 * It first replays every file of the PATHs (files, or directories read recursively: a committed
 * corpus, or one crash file to reproduce), then feeds generated inputs until S seconds or N runs have passed
 * (whichever comes first; neither: only the replay). The replay counts against S, and with
 * --shard I/N replays only the files I, I+N, I+2N, ... (N processes side by side share a corpus). A generated input is either a corpus entry
 * with a few bytes overwritten, inserted or cut (when there is a corpus), or fresh bytes of a
 * random length up to L; the bytes come from Philox4x32-10 keyed by K, so a run is repeatable
 * up to the time limit. There is no coverage feedback: this driver samples, it does not search.
 *
 * --large sets REFAST_FUZZ_LARGE=1 (the registry's large-size mode). Per-kernel counts go where
 * the target puts them (REFAST_FUZZ_STATS=DIR). A failed verdict or sanitizer report aborts in
 * the target; the driver's SIGABRT handler first writes the input to P<crash-NNN> and prints its
 * path, which the driver then replays (set ASAN_OPTIONS=abort_on_error=1 in sanitizer builds so
 * that their reports abort too).
 *
 * --write-corpus DIR writes, for each kernel the target fuzzes, the first M generated inputs
 * that its fuzz_inputs accepted (fresh bytes only, no replay), as DIR/<family>/<kernel>-<i>: how
 * the committed seed corpus fuzz/corpus/ is made (fuzz/corpus/README.md). A corpus file named
 * <kernel>-* is replayed, and mutated, with byte 0 set to pick that kernel in the current
 * selection, so one corpus serves any REFAST_FUZZ_KERNEL / REFAST_FUZZ_FAMILY run.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diff_fuzz.h"
#include "refast/rng.h"

/* ---- the input being run, for the abort handler ------------------------------------------ */

static const uint8_t *g_cur;
static size_t g_cur_len;
static char g_crash_path[4096];

static void on_abort(int sig)
{
    if (g_cur && g_crash_path[0]) {
        const int fd = open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            size_t off = 0;
            while (off < g_cur_len) {
                const ssize_t w = write(fd, g_cur + off, g_cur_len - off);
                if (w <= 0) break;
                off += (size_t)w;
            }
            close(fd);
            static const char msg[] = "fuzz_driver: Test unit written to ";
            if (write(2, msg, sizeof msg - 1) < 0 || write(2, g_crash_path, strlen(g_crash_path)) < 0 ||
                write(2, "\n", 1) < 0) {
                /* nothing left to report to */
            }
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static int run_one(const uint8_t *data, size_t size)
{
    g_cur = data;
    g_cur_len = size;
    const int rc = LLVMFuzzerTestOneInput(data, size);
    g_cur = NULL;
    return rc;
}

/* ---- Philox byte stream -------------------------------------------------------------------- */

typedef struct {
    uint32_t key[2];
    uint64_t block;
    uint32_t buf[4];
    unsigned left;
} philox_stream;

static uint32_t next_u32(philox_stream *s)
{
    if (s->left == 0) {
        const uint32_t ctr[4] = {(uint32_t)s->block, (uint32_t)(s->block >> 32), 0x66757a7a, 0};
        rf_philox4x32_10(ctr, s->key, s->buf);
        s->block++;
        s->left = 4;
    }
    return s->buf[--s->left];
}

static size_t below(philox_stream *s, size_t n)
{
    return n ? (size_t)(next_u32(s) % n) : 0;
}

/* ---- the corpus ---------------------------------------------------------------------------- */

typedef struct {
    uint8_t *data;
    size_t size;
    unsigned long rank; /* N of a file named *-N, else 0: the replay order */
    size_t order;       /* the loading order, to keep the sort stable */
} entry;

typedef struct {
    entry *e;
    size_t n, cap;
} corpus;

/* A corpus file named <kernel>-<anything> (as --write-corpus names them) was made for that
 * kernel: its byte 0 is set to pick it in this run's selection, whatever the selection. */
static void aim_at_named_kernel(const char *path, uint8_t *data, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t best = 0, best_len = 0;
    for (size_t i = 0; i < rf_diff_fuzz_kernel_count(); i++) {
        const char *name = rf_diff_fuzz_kernel(i)->name;
        const size_t len = strlen(name);
        if (len > best_len && !strncmp(base, name, len) && base[len] == '-') {
            best = i;
            best_len = len;
        }
    }
    if (best_len && size > 0) data[0] = (uint8_t)best;
}

static int add_file(corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fprintf(stderr, "fuzz_driver: cannot open %s: %s\n", path, strerror(errno)), -1;
    uint8_t *buf = NULL;
    size_t size = 0, cap = 0, got;
    do {
        if (size == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) abort();
            buf = nb;
        }
        got = fread(buf + size, 1, cap - size, f);
        size += got;
    } while (got > 0);
    fclose(f);
    aim_at_named_kernel(path, buf, size);
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        entry *ne = realloc(c->e, c->cap * sizeof *ne);
        if (!ne) abort();
        c->e = ne;
    }
    const char *dash = strrchr(path, '-');
    const unsigned long rank = dash && dash[1] >= '0' && dash[1] <= '9' ? strtoul(dash + 1, NULL, 10) : 0;
    c->e[c->n] = (entry){buf, size, rank, c->n};
    c->n++;
    return 0;
}

/* The replay goes round the kernels: every <kernel>-0 first, then every -1, and so on, so that a
 * replay cut short by --seconds (under qemu) has still seen every kernel once, not the first
 * families in alphabetical order. */
static int cmp_rank(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every file under a directory and its subdirectories (sorted, so that the replay order
 * is stable), Markdown files (a corpus's README) left out. */
static int add_path(corpus *c, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return fprintf(stderr, "fuzz_driver: %s: %s\n", path, strerror(errno)), -1;
    if (!S_ISDIR(st.st_mode)) return add_file(c, path);
    DIR *d = opendir(path);
    if (!d) return fprintf(stderr, "fuzz_driver: %s: %s\n", path, strerror(errno)), -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) abort();
            names = nn;
        }
        const size_t len = strlen(path) + strlen(de->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) abort();
        snprintf(names[n++], len, "%s/%s", path, de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t len = strlen(names[i]);
        const int markdown = len > 3 && !strcmp(names[i] + len - 3, ".md");
        if (stat(names[i], &st) == 0 && (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && !markdown)) &&
            add_path(c, names[i]) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- generated inputs ---------------------------------------------------------------------- */

/* Into buf (capacity max_len): fresh bytes, or a corpus entry with 1-8 edits. */
static size_t generate(philox_stream *s, const corpus *c, uint8_t *buf, size_t max_len, int fresh_only)
{
    size_t len;
    if (fresh_only || c->n == 0 || (next_u32(s) & 3) == 0) {
        len = 1 + below(s, max_len);
        for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)next_u32(s);
        return len;
    }
    const entry *e = &c->e[below(s, c->n)];
    len = e->size < max_len ? e->size : max_len;
    memcpy(buf, e->data, len);
    const size_t edits = 1 + below(s, 8);
    for (size_t k = 0; k < edits; k++) {
        const size_t at = below(s, len + 1);
        switch (next_u32(s) % 4) {
        case 0: /* byte 0 picks the kernel: keep it most of the time */
        case 1:
            if (at < len && at > 0) buf[at] = (uint8_t)next_u32(s);
            break;
        case 2: /* a small integer, the fuzz builders' sizes and kinds are bytes mod something */
            if (at < len && at > 0) buf[at] = (uint8_t)below(s, 32);
            break;
        default: /* cut the tail, or grow it with fresh bytes */
            if (next_u32(s) & 1) {
                if (at > 0) len = at;
            } else {
                const size_t grow = below(s, 64);
                for (size_t i = 0; i < grow && len < max_len; i++) buf[len++] = (uint8_t)next_u32(s);
            }
        }
    }
    return len;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int usage(const char *msg)
{
    fprintf(stderr, "fuzz_driver: %s\n", msg);
    fprintf(stderr, "usage: refast_fuzz_driver [--seconds S] [--runs N] [--seed K] [--max-len L] [--large] [--shard I/N]\n"
                    "                          [--artifact-prefix P] [--write-corpus DIR --per-kernel M] [PATH...]\n");
    return 2;
}

static int parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return errno || end == s || *end || !(*out >= 0) ? -1 : 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "fuzz_driver: cannot create %s: %s\n", path, strerror(errno));
    return -1;
}

/* Writes the first `per_kernel` accepted fresh inputs of each fuzzed kernel into
 * dir/<family>/<kernel>-<i>. */
static int write_corpus(philox_stream *s, const char *dir, unsigned per_kernel, size_t max_len, double runs_cap)
{
    const size_t nk = rf_diff_fuzz_kernel_count();
    if (nk > 256) return fprintf(stderr, "fuzz_driver: byte 0 cannot pick among %zu kernels\n", nk), 1;
    unsigned *have = calloc(nk, sizeof *have);
    uint8_t *buf = malloc(max_len);
    if (!have || !buf) abort();
    size_t done = 0;
    for (double r = 0; r < runs_cap && done < nk; r++) {
        const size_t len = generate(s, &(corpus){0}, buf, max_len, 1);
        const size_t k = buf[0] % nk;
        if (have[k] >= per_kernel) continue;
        if (run_one(buf, len) != 0) continue;
        const rf_kernel *kd = rf_diff_fuzz_kernel(k);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, kd->family);
        if (make_dir(path) != 0) return 1;
        snprintf(path, sizeof path, "%s/%s/%s-%u", dir, kd->family, kd->name, have[k]);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
            return fprintf(stderr, "fuzz_driver: cannot write %s\n", path), 1;
        if (++have[k] == per_kernel) done++;
    }
    int rc = 0;
    for (size_t k = 0; k < nk; k++)
        if (have[k] < per_kernel) {
            fprintf(stderr, "fuzz_driver: %s: only %u accepted inputs\n", rf_diff_fuzz_kernel(k)->name, have[k]);
            rc = 1;
        }
    free(have);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    double seconds = -1, runs = -1, seed = 1, max_len = 4096, per_kernel = 4;
    const char *prefix = "./", *corpus_out = NULL;
    size_t shard = 0, shards = 1;
    corpus c = {0};
    char **paths = calloc((size_t)argc, sizeof *paths);
    size_t npaths = 0;
    if (!paths) abort();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int has = i + 1 < argc;
        if (!strcmp(a, "--large")) {
            setenv("REFAST_FUZZ_LARGE", "1", 1);
        } else if (!strcmp(a, "--seconds") && has) {
            if (parse_num(argv[++i], &seconds)) return usage("--seconds takes a number >= 0");
        } else if (!strcmp(a, "--runs") && has) {
            if (parse_num(argv[++i], &runs)) return usage("--runs takes a number >= 0");
        } else if (!strcmp(a, "--seed") && has) {
            if (parse_num(argv[++i], &seed)) return usage("--seed takes a number >= 0");
        } else if (!strcmp(a, "--max-len") && has) {
            if (parse_num(argv[++i], &max_len) || max_len < 1 || max_len > 1 << 24)
                return usage("--max-len takes a number in 1..16777216");
        } else if (!strcmp(a, "--per-kernel") && has) {
            if (parse_num(argv[++i], &per_kernel) || per_kernel < 1 || per_kernel > 1000)
                return usage("--per-kernel takes a number in 1..1000");
        } else if (!strcmp(a, "--shard") && has) {
            if (sscanf(argv[++i], "%zu/%zu", &shard, &shards) != 2 || shards < 1 || shard >= shards)
                return usage("--shard takes I/N with 0 <= I < N");
        } else if (!strcmp(a, "--artifact-prefix") && has) {
            prefix = argv[++i];
        } else if (!strcmp(a, "--write-corpus") && has) {
            corpus_out = argv[++i];
        } else if (a[0] == '-') {
            return usage("unknown option or missing value");
        } else {
            paths[npaths++] = argv[i];
        }
    }
    if (LLVMFuzzerInitialize(&argc, &argv) != 0) return 2;
    const uint64_t key = (uint64_t)seed;
    philox_stream s = {{(uint32_t)key, (uint32_t)(key >> 32)}, 0, {0}, 0};
    signal(SIGABRT, on_abort);

    if (corpus_out) {
        if (make_dir(corpus_out) != 0) return 2;
        return write_corpus(&s, corpus_out, (unsigned)per_kernel, (size_t)max_len, runs >= 0 ? runs : 1e7);
    }

    for (size_t i = 0; i < npaths; i++)
        if (add_path(&c, paths[i]) != 0) return 2;
    free(paths);
    if (c.n) qsort(c.e, c.n, sizeof *c.e, cmp_rank);

    const double t0 = now();
    const clock_t c0 = clock();
    unsigned long long total = 0;
    snprintf(g_crash_path, sizeof g_crash_path, "%scrash-replay", prefix);
    /* the replay counts against --seconds too (under qemu a corpus can take minutes) */
    for (size_t i = shard; i < c.n && (seconds < 0 || now() - t0 < seconds); i += shards, total++)
        run_one(c.e[i].data, c.e[i].size);
    const unsigned long long replayed = total;

    uint8_t *buf = malloc((size_t)max_len);
    if (!buf) abort();
    double next_check = 0;
    int timed_out = seconds < 0 && runs < 0;
    for (double r = 0; !timed_out && (runs < 0 || r < runs); r++, total++) {
        if (seconds >= 0 && r >= next_check) {
            if (now() - t0 >= seconds) break;
            next_check = r + 16;
        }
        snprintf(g_crash_path, sizeof g_crash_path, "%scrash-seed%llu-run%.0f", prefix,
                 (unsigned long long)key, r);
        const size_t len = generate(&s, &c, buf, (size_t)max_len, 0);
        run_one(buf, len);
    }
    const double took = now() - t0, cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    /* per CPU second too: on a shared machine the wall-clock rate says more about the neighbours */
    fprintf(stderr,
            "fuzz_driver: Done %llu runs (%llu replayed, %llu generated) in %.1f s (%.1f s CPU): %.1f exec/s, "
            "%.1f per CPU second\n",
            total, replayed, total - replayed, took, cpu, took > 0 ? (double)total / took : 0.0,
            cpu > 0 ? (double)total / cpu : 0.0);
    free(buf);
    for (size_t i = 0; i < c.n; i++) free(c.e[i].data);
    free(c.e);
    return 0;
}
