/* Jobs on POSIX threads (parallel.h): a mutex-protected next-job counter. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmoe/parallel.h"

typedef struct pool {
    pthread_mutex_t lock;
    size_t next, count;
    void (*job)(void *, size_t);
    void *ctx;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        const size_t i = p->next < p->count ? p->next++ : p->count;
        pthread_mutex_unlock(&p->lock);
        if (i == p->count) return NULL;
        p->job(p->ctx, i);
    }
}

int rf_pmoe_parallel(size_t count, unsigned threads, void (*job)(void *ctx, size_t i), void *ctx, char *err,
                     size_t errlen)
{
    if (threads == 0) {
        const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus > 0 ? (unsigned)cpus : 1;
    }
    if (threads > count) threads = count ? (unsigned)count : 1;
    pool p = {PTHREAD_MUTEX_INITIALIZER, 0, count, job, ctx};
    if (threads <= 1) {
        worker(&p);
        return 0;
    }
    pthread_t *tid = malloc(threads * sizeof *tid);
    if (!tid) {
        snprintf(err, errlen, "pmoe threads: out of memory");
        return -1;
    }
    unsigned started = 0;
    for (unsigned t = 0; t < threads; t++) {
        if (pthread_create(&tid[t], NULL, worker, &p) != 0) break;
        started++;
    }
    if (started == 0) {
        free(tid);
        snprintf(err, errlen, "pmoe threads: cannot start a thread");
        return -1;
    }
    for (unsigned t = 0; t < started; t++) pthread_join(tid[t], NULL);
    free(tid);
    return 0;
}
