/* Every float input through every float vector function of every level this machine has
 * (refast/vmath.h), judged against the correctly rounded reference of tests/vmath_judge.h: per
 * level and function the max ulp error, the worst inputs, the count above the bound stated in
 * fast/generic/vmath_f32.h, the count not correctly rounded, NaN / Inf / denormal behaviour, and
 * (vector levels) the flush check: with FTZ/DAZ (FPCR.FZ) on, f(x) == flush(f(flush(x))).
 * The reference of each input is computed once and shared by the levels. Threads take chunks of
 * 2^16 consecutive bit patterns. Not a ctest test (minutes of CPU); tests/test_vmath.c is its
 * stratified sample in CI. Exit code 1 if any result is above its bound, unresolved, or breaks a
 * stated behaviour (clamp, flush).
 *
 *   vmath_exhaustive [--threads N] [--stride S] [--only NAME]
 *     --stride S: every S-th bit pattern only (a quick look; S = 1, the default, is every float). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "refast/isa.h"
#include "refast/kernels.h"
#include "vmath_judge.h"

#define CHUNK 65536u

typedef struct level {
    rf_isa isa;
    rf_vmath_f32_fn fn;
    int vector;
    float at_clamp[RF_VM32_COUNT];
} level;

static level levels[RF_ISA_COUNT];
static int nlevels;
static int only = -1;
static uint64_t stride = 1, nchunks;
static atomic_uint_fast64_t next_chunk;
static vm_stats total[RF_ISA_COUNT][RF_VM32_COUNT];
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct scratch {
    float x[CHUNK], xdaz[CHUNK], got[CHUNK], gotf[CHUNK], gotd[CHUNK];
    vm_refval ref[CHUNK];
    vm_stats st[RF_ISA_COUNT][RF_VM32_COUNT];
} scratch;

static void run_chunk(scratch *w, uint64_t c)
{
    for (uint32_t i = 0; i < CHUNK; i++) {
        const uint32_t bits = (uint32_t)((c * CHUNK + i) * stride);
        memcpy(&w->x[i], &bits, sizeof bits);
        w->xdaz[i] = vm_flush(w->x[i]);
    }
    for (int f = 0; f < RF_VM32_COUNT; f++) {
        if (only >= 0 && f != only) continue;
        const vm_spec *sp = &vm_specs[f];
        for (uint32_t i = 0; i < CHUNK; i++)
            if (vm_in_domain(sp, w->x[i]) && !(w->x[i] < sp->clamp_lo)) {
                w->ref[i].cr = vm_cr(sp->f, w->x[i], &w->ref[i].y, &w->ref[i].unresolved);
                if (w->ref[i].unresolved) /* rare (none known): each one named, to be decided by hand */
                    fprintf(stderr, "vmath_exhaustive: %s(%a): no tier of the reference decides its rounding\n",
                            sp->name, (double)w->x[i]);
            }
        for (int l = 0; l < nlevels; l++) {
            const level *lv = &levels[l];
            vm_stats *s = &w->st[l][f];
            lv->fn(f, 0, w->x, CHUNK, w->got);
            for (uint32_t i = 0; i < CHUNK; i++) vm_judge(sp, s, w->x[i], w->got[i], &w->ref[i], lv->at_clamp[f]);
            if (!lv->vector) continue;
            lv->fn(f, 1, w->x, CHUNK, w->gotf);
            lv->fn(f, 0, w->xdaz, CHUNK, w->gotd);
            for (uint32_t i = 0; i < CHUNK; i++)
                if (!isnan(w->x[i])) vm_judge_flush(sp, s, w->x[i], w->gotf[i], w->gotd[i]);
        }
    }
}

static void *worker(void *arg)
{
    (void)arg;
    scratch *w = malloc(sizeof *w);
    if (!w) {
        fprintf(stderr, "vmath_exhaustive: out of memory\n");
        exit(2);
    }
    for (int l = 0; l < nlevels; l++)
        for (int f = 0; f < RF_VM32_COUNT; f++) vm_stats_init(&w->st[l][f]);
    for (uint64_t c; (c = atomic_fetch_add(&next_chunk, 1)) < nchunks;) {
        run_chunk(w, c);
        if (c % 4096 == 4095) fprintf(stderr, "  %llu / %llu chunks\n", (unsigned long long)c + 1, (unsigned long long)nchunks);
    }
    pthread_mutex_lock(&total_lock);
    for (int l = 0; l < nlevels; l++)
        for (int f = 0; f < RF_VM32_COUNT; f++) vm_stats_merge(&total[l][f], &w->st[l][f]);
    pthread_mutex_unlock(&total_lock);
    free(w);
    return NULL;
}

static int usage(const char *why)
{
    fprintf(stderr, "vmath_exhaustive: %s (usage: vmath_exhaustive [--threads N] [--stride S] [--only NAME])\n", why);
    return 2;
}

int main(int argc, char **argv)
{
    int nthreads = 2;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--threads")) nthreads = atoi(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "--stride")) stride = strtoull(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--only")) {
            const char *name = argv[++i];
            for (int f = 0; f < RF_VM32_COUNT; f++)
                if (!strcmp(vm_specs[f].name, name)) only = f;
            if (only < 0) return usage("unknown function");
        } else return usage("bad argument");
    }
    if (nthreads < 1 || nthreads > 256 || stride < 1 || stride > (1u << 16)) return usage("bad --threads or --stride");
    nchunks = ((UINT64_C(1) << 32) / stride + CHUNK - 1) / CHUNK;
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        const rf_isa isa = (rf_isa)l;
        if (!rf_isa_usable(isa) || (isa != RF_ISA_SCALAR && !rf_dispatch_native(RF_KID(vmath_f32), isa))) continue;
        level *lv = &levels[nlevels++];
        lv->isa = isa;
        lv->fn = (rf_vmath_f32_fn)rf_dispatch(RF_KID(vmath_f32), isa, NULL);
        lv->vector = isa != RF_ISA_SCALAR;
        for (int f = 0; f < RF_VM32_COUNT; f++) lv->fn(f, 0, &vm_specs[f].clamp_lo, 1, &lv->at_clamp[f]);
    }
    for (int l = 0; l < nlevels; l++)
        for (int f = 0; f < RF_VM32_COUNT; f++) vm_stats_init(&total[l][f]);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t th[256];
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&th[t], NULL, worker, NULL)) return usage("cannot start a thread");
    for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int bad = 0;
    printf("vmath_exhaustive: %llu bit patterns (stride %llu), %d threads, %.1f s\n",
           (unsigned long long)(nchunks * CHUNK), (unsigned long long)stride, nthreads,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    for (int f = 0; f < RF_VM32_COUNT; f++) {
        if (only >= 0 && f != only) continue;
        for (int l = 0; l < nlevels; l++) {
            const vm_stats *s = &total[l][f];
            vm_print(stdout, rf_isa_name(levels[l].isa), &vm_specs[f], s);
            if (levels[l].vector) bad |= s->above || s->unresolved || s->clamp_bad || s->flush_bad;
        }
    }
    return bad;
}
