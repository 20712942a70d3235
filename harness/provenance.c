/* Provenance of a benchmark run (see provenance.h). */
#include "provenance.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if REFAST_HAVE_ONEDNN
#include <dnnl.h>
#endif

/* OpenBLAS's own description ("OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64"); the
 * peers link it, and cblas.h is not the harness's to include. */
char *openblas_get_config(void);

static void add(rf_provenance *p, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(rf_provenance *p, const char *key, const char *fmt, ...)
{
    if (p->n + 1 >= RF_PROV_MAX || p->used >= sizeof p->store) return;
    char *dst = p->store + p->used;
    va_list ap;
    va_start(ap, fmt);
    const int k = vsnprintf(dst, sizeof p->store - p->used, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof p->store - p->used) return;
    p->used += (size_t)k + 1;
    p->kv[p->n][0] = key;
    p->kv[p->n][1] = dst;
    p->n++;
    p->kv[p->n][0] = p->kv[p->n][1] = NULL;
}

bool rf_loadavg(char *out, size_t len)
{
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f) return false;
    char first[32] = "";
    const bool ok = fscanf(f, "%31s", first) == 1;
    fclose(f);
    if (ok) snprintf(out, len, "%s", first);
    return ok;
}

/* "model name : AMD EPYC 7B13" (x86) or "CPU part : 0xd0c" (Arm) from /proc/cpuinfo. */
static bool cpu_model(char *out, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return false;
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) && strncmp(line, "CPU part", 8)) continue;
        const char *colon = strchr(line, ':');
        if (!colon) continue;
        for (colon++; *colon == ' ' || *colon == '\t'; colon++) {}
        snprintf(out, len, "%s", colon);
        out[strcspn(out, "\n")] = '\0';
        found = true;
    }
    fclose(f);
    return found;
}

void rf_provenance_collect(rf_provenance *p)
{
    memset(p, 0, sizeof *p);
    char buf[512];
    if (*rf_build_commit) add(p, "refast_git_commit", "%s", rf_build_commit);
    add(p, "refast_compiler", "%s", rf_build_compiler);
    add(p, "refast_build_flags", "%s", rf_build_type_flags);
    for (size_t i = 0; rf_build_level_flags[i][0]; i++) {
        static char keys[12][40];
        if (i >= sizeof keys / sizeof keys[0]) break;
        snprintf(keys[i], sizeof keys[i], "refast_flags_%s", rf_build_level_flags[i][0]);
        add(p, keys[i], "%s", rf_build_level_flags[i][1]);
    }
    if (*rf_build_benchmark_version) add(p, "refast_lib_benchmark", "%s", rf_build_benchmark_version);
    const char *ob = openblas_get_config();
    if (ob) add(p, "refast_lib_openblas", "%s", ob);
#if REFAST_HAVE_ONEDNN
    const dnnl_version_t *v = dnnl_version();
    if (v) add(p, "refast_lib_onednn", "%d.%d.%d", v->major, v->minor, v->patch);
#endif
    if (cpu_model(buf, sizeof buf)) add(p, "refast_cpu_model", "%s", buf);
    const ssize_t k = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (k > 0) {
        buf[k] = '\0';
        add(p, "refast_executable", "%s", buf);
    }
    if (rf_loadavg(buf, sizeof buf)) add(p, "refast_load_before", "%s", buf);
}
