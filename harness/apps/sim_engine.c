/* The rounds of one SNR point (sim.h "rounds", "hashes", "resume", "stop"): each rank simulates its
 * share of a round's batches on a small pool of threads (the calling thread is one of them), the
 * ranks exchange one fixed-size tally per batch, and every rank merges the tallies in batch order.
 * The exchange is the only collective, once per round plus once at the end of the point, so a
 * round is the unit of communication, of checkpointing and of stopping. */
#include "sim.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "alloc.h"
#include "errf.h"
#include "refast/channel.h"
#include "refast/rng.h"

const char *const rf_sim_stage_names[RF_SIM_STAGES] = {"messages", "encode", "channel", "decode", "count"};

/* A batch tally: these words, then one count per leaf. */
enum { T_FRAMES, T_BIT_ERRORS, T_BIT_ERRORS_SQ, T_BLOCK_ERRORS, T_HASH, T_FIXED };
/* A rank's words of a round's gather: these, then the block errors of its batches. */
enum { H_INTERRUPTED, H_ROUND_NS, H_FIXED };
/* Rounds grow (x2) while shorter than ROUND_MIN_S and shrink while longer than ROUND_MAX_S: long
 * enough that the exchange and the wait for the slowest rank (about one batch: 15 ms for KO(8,2))
 * cost a few percent, short enough that a checkpoint or a progress line is never far (a signal is
 * seen after the current batch anyway). */
#define ROUND_MIN_S 0.25
#define ROUND_MAX_S 1.0
#define ROUND_MAX_PER_WORKER 256

size_t rf_sim_batch_frames(size_t n)
{
    const size_t batch = ((size_t)1 << 17) / (n ? n : 1);
    return batch < 1 ? 1 : batch > 1024 ? 1024 : batch;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct job {
    const rf_sim_codec *codec;
    const rf_sim_point_cfg *cfg;
    uint64_t batch, nbatches;
    float sigma, rho, sigma_b;
    bool real;    /* rf_sim_point_real */
    size_t width; /* words per tally: T_FIXED + nleaves */
} job;

/* Stages are timed on the monotonic clock, which the vDSO reads in about 25 ns. The thread CPU
 * clock would not count the time a thread waits for a core, but on this project's virtual machines
 * each read is a system call of about 5 us that also flushes the TLB (page-table isolation): six per
 * batch slowed RM(8,2)'s loop by 8% and skewed the split. A wait for a core falls on the stages in
 * proportion to their length, so the split stays right on a busy machine. */
#define STAGE_CLOCK CLOCK_MONOTONIC

/* One worker's arrays for a batch, and its stage times. */
typedef struct bufs {
    uint8_t *msg, *hat, *bits;
    float *llr, *soft, *scratch;
    double stage[RF_SIM_STAGES];
} bufs;

static void bufs_free(bufs *b)
{
    rf_free(b->msg);
    rf_free(b->hat);
    rf_free(b->bits);
    rf_free(b->llr);
    rf_free(b->soft);
    rf_free(b->scratch);
    memset(b, 0, sizeof *b);
}

static bool bufs_alloc(bufs *b, size_t batch, size_t n, size_t k)
{
    memset(b, 0, sizeof *b);
    b->msg = rf_alloc(batch * k);
    b->hat = rf_alloc(batch * k);
    b->bits = rf_alloc(batch * n);
    b->llr = rf_alloc(batch * n * sizeof(float));
    b->soft = rf_alloc(batch * k * sizeof(float));
    b->scratch = rf_alloc(3 * n * sizeof(float));
    if (b->msg && b->hat && b->bits && b->llr && b->soft && b->scratch) return true;
    bufs_free(b);
    return false;
}

static size_t batch_frames(const job *j, uint64_t b)
{
    const uint64_t first = b * j->batch, max = j->cfg->max_frames;
    return (size_t)(first + j->batch <= max ? j->batch : max - first);
}

/* BPSK: the sign bit of the encoder's +-1 is the code bit (-1 is bit 1). Written on the bits of the
 * float so that the compiler can vectorise it (a float compare per symbol cost as much as the
 * encoder). */
static void sign_bits(const float *x, size_t count, uint8_t *bits)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, x + i, sizeof u);
        bits[i] = (uint8_t)(u >> 31);
    }
}

/* Messages, codewords, channel and decisions of batch b into buf; returns its frame count. */
static size_t simulate(const job *j, uint64_t b, bufs *buf)
{
    const rf_sim_codec *c = j->codec;
    const rf_sim_point_cfg *cfg = j->cfg;
    const uint64_t first = b * j->batch;
    const size_t frames = batch_frames(j, b), n = c->n;
    double t0 = clock_s(STAGE_CLOCK), t1;
#define LAP(s) (t1 = clock_s(STAGE_CLOCK), buf->stage[s] += t1 - t0, t0 = t1)
    rf_sim_messages(cfg->seed, first, frames, c->k, buf->msg);
    LAP(RF_SIM_STAGE_MESSAGES);
    c->encode(c->ctx, buf->msg, frames, buf->llr);
    LAP(RF_SIM_STAGE_ENCODE);
    if (j->real) {
        rf_sim_real_channel(cfg->channel, buf->llr, n, frames, first, cfg->seed, j->sigma, j->rho, j->sigma_b,
                            buf->scratch, buf->llr);
    } else {
        sign_bits(buf->llr, frames * n, buf->bits);
        switch (cfg->channel) {
        case RF_CH_AWGN: rf_awgn_llr_f32(buf->bits, n, frames, first, cfg->seed, j->sigma, buf->llr); break;
        case RF_CH_RAYLEIGH: rf_rayleigh_llr_f32(buf->bits, n, frames, first, cfg->seed, j->sigma, buf->llr); break;
        case RF_CH_BURSTY:
            rf_bursty_llr_f32(buf->bits, n, frames, first, cfg->seed, j->sigma, j->rho, j->sigma_b, buf->llr);
            break;
        }
    }
    LAP(RF_SIM_STAGE_CHANNEL);
    c->decode(c->ctx, buf->llr, frames, buf->hat, buf->soft);
    LAP(RF_SIM_STAGE_DECODE);
#undef LAP
    return frames;
}

/* The tally t (j->width words) of the first frames of buf, frame `first` first, up to and including
 * the frame of the cap-th block error. The first wrong leaf of a frame is charged (sim.h). */
static void count(const job *j, bufs *buf, uint64_t first, size_t frames, uint64_t cap, uint64_t *t)
{
    const double t0 = clock_s(STAGE_CLOCK);
    const rf_sim_codec *c = j->codec;
    const size_t k = c->k;
    memset(t, 0, j->width * sizeof *t);
    for (size_t f = 0; f < frames; f++) {
        const uint8_t *m = buf->msg + f * k, *h = buf->hat + f * k;
        uint64_t e = 0;
        for (size_t i = 0; i < k; i++) e += (m[i] ^ h[i]) & 1;
        t[T_FRAMES]++;
        t[T_BIT_ERRORS] += e;
        t[T_BIT_ERRORS_SQ] += e * e;
        t[T_HASH] += XXH3_64bits_withSeed(h, k, first + f);
        if (!e) continue;
        t[T_BLOCK_ERRORS]++;
        for (size_t l = 0; l < c->nleaves; l++) {
            const rf_leaf *lf = &c->leaves[l];
            bool wrong = false;
            for (size_t i = lf->lo; i < lf->lo + lf->count && !wrong; i++) wrong = (m[i] ^ h[i]) & 1;
            if (wrong) {
                t[T_FIXED + l]++;
                break;
            }
        }
        if (t[T_BLOCK_ERRORS] >= cap) break;
    }
    buf->stage[RF_SIM_STAGE_COUNT] += clock_s(STAGE_CLOCK) - t0;
}

static void add_tally(rf_sim_result *res, const uint64_t *t)
{
    res->frames += t[T_FRAMES];
    res->bit_errors += t[T_BIT_ERRORS];
    res->bit_errors_sq += t[T_BIT_ERRORS_SQ];
    res->block_errors += t[T_BLOCK_ERRORS];
    res->decisions_xxh3 += t[T_HASH];
    for (size_t l = 0; l < res->nleaves; l++) res->leaf_errors[l] += t[T_FIXED + l];
}

/* ---- this rank's share of a round, on `threads` workers ------------------------------------ */

typedef struct pool {
    const job *j;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t gen;          /* bumped when a round starts: the workers wake up */
    uint64_t b0, stride;   /* this rank's batches: b0 + i stride, i < count */
    size_t count, next, done;
    uint64_t *tallies;     /* count x width */
    bool quit, interrupted;
} pool;

typedef struct worker {
    pool *p;
    bufs buf;
    pthread_t tid;
} worker;

/* Takes batches of the current round until none is left (every worker, the caller too). */
static void work(pool *p, bufs *buf)
{
    const job *j = p->j;
    const volatile sig_atomic_t *stop = j->cfg->stop;
    pthread_mutex_lock(&p->mu);
    while (p->next < p->count) {
        if (stop && *stop) { /* drop the rest: the round will not be merged */
            p->interrupted = true;
            p->done += p->count - p->next;
            p->next = p->count;
            break;
        }
        const size_t i = p->next++;
        const uint64_t b = p->b0 + i * p->stride;
        uint64_t *t = p->tallies + i * j->width;
        pthread_mutex_unlock(&p->mu);
        const size_t frames = simulate(j, b, buf);
        count(j, buf, b * j->batch, frames, UINT64_MAX, t);
        pthread_mutex_lock(&p->mu);
        p->done++;
    }
    if (p->done == p->count) pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->quit && p->gen == seen) pthread_cond_wait(&p->cv, &p->mu);
        const bool quit = p->quit;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        if (quit) return NULL;
        work(p, &w->buf);
    }
}

/* Simulates batches b0 + i stride, i < count, into tallies; false when the stop flag cut it. */
static bool pool_round(pool *p, bufs *own, uint64_t b0, uint64_t stride, size_t count, uint64_t *tallies)
{
    pthread_mutex_lock(&p->mu);
    p->b0 = b0;
    p->stride = stride;
    p->count = count;
    p->next = p->done = 0;
    p->tallies = tallies;
    p->interrupted = false;
    p->gen++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    work(p, own);
    pthread_mutex_lock(&p->mu);
    while (p->done < p->count) pthread_cond_wait(&p->cv, &p->mu);
    const bool whole = !p->interrupted;
    pthread_mutex_unlock(&p->mu);
    return whole;
}

/* ---- the point ------------------------------------------------------------------------------ */

/* Batches in the next round: `per_worker` for each worker of each rank, no more than the errors
 * seen so far say are left before the target (so the last round overshoots little), at least one
 * per worker, and none past the frame cap. Only merged counts enter, so every rank agrees. */
static uint64_t round_batches(const job *j, const rf_sim_result *res, uint64_t workers, uint64_t per_worker)
{
    uint64_t r = workers * per_worker;
    if (res->block_errors > 0) {
        const double left = (double)res->frames * (double)(j->cfg->target_errors - res->block_errors) /
                            (double)res->block_errors / (double)j->batch;
        if (left + 1 < (double)r) r = (uint64_t)left + 1;
    }
    if (r < workers) r = workers;
    const uint64_t remaining = j->nbatches - res->next_batch;
    return r < remaining ? r : remaining;
}

static bool run_rounds(const job *j, const rf_sim_comm *comm, pool *p, bufs *own, rf_sim_result *res, char *err,
                       size_t errlen)
{
    const rf_sim_point_cfg *cfg = j->cfg;
    const uint64_t ranks = (uint64_t)comm->size, rank = (uint64_t)comm->rank, threads = cfg->threads;
    const size_t w = j->width;
    const double prior = res->seconds, t0 = clock_s(CLOCK_MONOTONIC);
    uint64_t per_worker = 1, *tallies = NULL, *mine = NULL, *all = NULL, *sum = malloc(w * sizeof *sum);
    size_t cap = 0;
    bool ok = sum != NULL;
    if (!ok) rf_fail(err, errlen, "out of memory");
    while (ok && !res->finished) {
        const uint64_t rb = round_batches(j, res, ranks * threads, per_worker);
        const size_t slots = (size_t)((rb + ranks - 1) / ranks), words = H_FIXED + slots;
        if (slots > cap) {
            free(tallies);
            free(mine);
            free(all);
            tallies = malloc(slots * w * sizeof *tallies);
            mine = malloc(words * sizeof *mine);
            all = malloc(words * ranks * sizeof *all);
            cap = slots;
            if (!tallies || !mine || !all) {
                ok = rf_fail(err, errlen, "out of memory (a round of %llu batches)", (unsigned long long)rb);
                break;
            }
        }
        /* this rank's batches: i = rank, rank + ranks, ... of the round, slot i / ranks */
        const size_t share = rank < rb ? (size_t)((rb - rank + ranks - 1) / ranks) : 0;
        memset(tallies, 0, slots * w * sizeof *tallies);
        const double r0 = clock_s(CLOCK_MONOTONIC);
        const bool whole = pool_round(p, own, res->next_batch + rank, ranks, share, tallies);
        memset(mine, 0, words * sizeof *mine);
        mine[H_INTERRUPTED] = !whole || (cfg->stop && *cfg->stop);
        mine[H_ROUND_NS] = (uint64_t)(1e9 * (clock_s(CLOCK_MONOTONIC) - r0));
        for (size_t s = 0; s < share; s++) mine[H_FIXED + s] = tallies[s * w + T_BLOCK_ERRORS];
        const double x0 = clock_s(CLOCK_MONOTONIC);
        if (!(ok = comm->allgather(comm->ctx, mine, words, all, err, errlen))) break;
        uint64_t slowest = 0;
        bool interrupted = false;
        for (uint64_t r = 0; r < ranks; r++) {
            interrupted |= all[r * words + H_INTERRUPTED] != 0;
            if (all[r * words + H_ROUND_NS] > slowest) slowest = all[r * words + H_ROUND_NS];
        }
        if (interrupted) {
            res->exchange_seconds += clock_s(CLOCK_MONOTONIC) - x0;
            res->interrupted = true;
            break;
        }
        /* the first batch of the round that reaches the target (rb: none), the same on every rank */
        uint64_t stop = rb, errors = res->block_errors;
        for (uint64_t i = 0; i < rb && stop == rb; i++) {
            errors += all[(i % ranks) * words + H_FIXED + i / ranks];
            if (errors >= cfg->target_errors) stop = i;
        }
        memset(sum, 0, w * sizeof *sum);
        for (size_t s = 0; s < share && rank + s * ranks < stop; s++)
            for (size_t k = 0; k < w; k++) sum[k] += tallies[s * w + k];
        ok = comm->allreduce_sum(comm->ctx, sum, w, err, errlen);
        res->exchange_seconds += clock_s(CLOCK_MONOTONIC) - x0;
        if (!ok) break;
        add_tally(res, sum);
        if (stop < rb) { /* rank 0 counts that batch again, up to the frame that reaches the target */
            const uint64_t b = res->next_batch + stop;
            if (rank == 0) {
                const size_t frames = simulate(j, b, own);
                count(j, own, b * j->batch, frames, cfg->target_errors - res->block_errors, sum);
                add_tally(res, sum);
            }
            res->next_batch = b + 1;
            res->finished = true;
        } else {
            res->next_batch += rb;
            res->finished = res->next_batch >= j->nbatches;
        }
        const double round_s = 1e-9 * (double)slowest;
        if (round_s < ROUND_MIN_S && per_worker < ROUND_MAX_PER_WORKER) per_worker *= 2;
        else if (round_s > ROUND_MAX_S && per_worker > 1) per_worker /= 2;
        res->seconds = prior + clock_s(CLOCK_MONOTONIC) - t0;
        if (rank == 0 && cfg->on_round) cfg->on_round(cfg->on_round_arg, res);
    }
    res->seconds = prior + clock_s(CLOCK_MONOTONIC) - t0;
    free(tallies);
    free(mine);
    free(all);
    free(sum);
    return ok;
}

/* Adds up the CPU, stage and exchange times of every rank (one more collective, at the end of the
 * point). `exchange` is this rank's share of res->exchange_seconds, this run. */
static bool sum_times(const rf_sim_comm *comm, double cpu, const double stage[RF_SIM_STAGES], double exchange,
                      rf_sim_result *res, char *err, size_t errlen)
{
    enum { N = 2 + RF_SIM_STAGES };
    uint64_t t[N];
    t[0] = (uint64_t)(cpu * 1e9);
    t[1] = (uint64_t)(exchange * 1e9);
    for (int s = 0; s < RF_SIM_STAGES; s++) t[2 + s] = (uint64_t)(stage[s] * 1e9);
    if (!comm->allreduce_sum(comm->ctx, t, N, err, errlen)) return false;
    res->cpu_seconds += 1e-9 * (double)t[0];
    res->exchange_seconds += 1e-9 * (double)t[1] - exchange; /* this rank's own was counted as it went */
    for (int s = 0; s < RF_SIM_STAGES; s++) res->stage_seconds[s] += 1e-9 * (double)t[2 + s];
    return true;
}

static bool sim_point(const rf_sim_codec *codec, const rf_sim_point_cfg *cfg, bool real, rf_sim_result *res,
                      char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (!(cfg->sigma > 0) || !((float)cfg->sigma >= 1e-6f) || !((float)cfg->sigma <= 1e6f))
        return rf_fail(err, errlen, "sigma = %g is outside [1e-6, 1e6]", cfg->sigma);
    if (cfg->max_frames < 1 || cfg->max_frames > RF_SIM_MAX_FRAMES || cfg->target_errors < 1)
        return rf_fail(err, errlen, "max frames must be in [1, 2^50] and target errors >= 1");
    if (codec->n < 1 || codec->k < 1 || codec->k > codec->n || codec->n > ((size_t)1 << 16))
        return rf_fail(err, errlen, "code size n = %zu, k = %zu out of range", codec->n, codec->k);
    const rf_sim_comm *comm = cfg->comm ? cfg->comm : rf_sim_comm_self();
    rf_sim_point_cfg c = *cfg;
    c.threads = cfg->threads < 1 ? 1 : cfg->threads > RF_SIM_MAX_THREADS ? RF_SIM_MAX_THREADS : cfg->threads;
    const size_t batch = rf_sim_batch_frames(codec->n);
    const job j = {codec,          &c, batch, (cfg->max_frames + batch - 1) / batch, (float)cfg->sigma, (float)cfg->rho,
                   (float)cfg->sigma_b, real, T_FIXED + codec->nleaves};
    res->nleaves = codec->nleaves;
    res->leaf_errors = calloc(codec->nleaves ? codec->nleaves : 1, sizeof *res->leaf_errors);
    if (!res->leaf_errors) return rf_fail(err, errlen, "out of memory");
    if (cfg->resume) {
        const rf_sim_result *r = cfg->resume;
        if (r->nleaves != codec->nleaves || r->next_batch > j.nbatches ||
            (r->finished ? r->block_errors > cfg->target_errors
                         : r->block_errors >= cfg->target_errors || r->frames != r->next_batch * batch)) {
            rf_sim_result_free(res);
            return rf_fail(err, errlen, "the saved state does not fit this point (%llu frames, batch %llu)",
                           (unsigned long long)r->frames, (unsigned long long)r->next_batch);
        }
        uint64_t *leaves = res->leaf_errors;
        *res = *r;
        res->leaf_errors = leaves;
        if (r->nleaves) memcpy(leaves, r->leaf_errors, r->nleaves * sizeof *leaves);
        res->interrupted = false; /* times go on adding up */
    }

    pool p = {.j = &j};
    worker *w = calloc(c.threads, sizeof *w); /* w[0]'s buffers are the calling thread's */
    unsigned allocated = 0, started = 1;
    bool ok = w != NULL;
    for (; ok && allocated < c.threads; allocated++) {
        w[allocated].p = &p;
        ok = bufs_alloc(&w[allocated].buf, batch, codec->n, codec->k);
    }
    if (!ok) {
        for (unsigned t = 0; t < allocated && w; t++) bufs_free(&w[t].buf);
        free(w);
        rf_sim_result_free(res);
        return rf_fail(err, errlen, "out of memory (batches of %zu frames of n = %zu)", batch, codec->n);
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    for (; started < c.threads; started++) /* fewer threads than asked still give the same counts */
        if (pthread_create(&w[started].tid, NULL, worker_main, &w[started]) != 0) break;
    const double cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), exchange0 = res->exchange_seconds;
    ok = run_rounds(&j, comm, &p, &w[0].buf, res, err, errlen);
    const double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    pthread_mutex_lock(&p.mu);
    p.quit = true;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    double stage[RF_SIM_STAGES] = {0};
    for (unsigned t = 0; t < c.threads; t++) {
        if (t > 0 && t < started) pthread_join(w[t].tid, NULL);
        for (int s = 0; s < RF_SIM_STAGES; s++) stage[s] += w[t].buf.stage[s];
        bufs_free(&w[t].buf);
    }
    free(w);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    if (ok) ok = sum_times(comm, cpu, stage, res->exchange_seconds - exchange0, res, err, errlen);
    if (!ok) {
        rf_sim_result_free(res);
        return false;
    }
    res->bits = res->frames * codec->k;
    return true;
}

bool rf_sim_point(const rf_sim_codec *codec, const rf_sim_point_cfg *cfg, rf_sim_result *res, char *err,
                  size_t errlen)
{
    return sim_point(codec, cfg, false, res, err, errlen);
}

bool rf_sim_point_real(const rf_sim_codec *codec, const rf_sim_point_cfg *cfg, rf_sim_result *res, char *err,
                       size_t errlen)
{
    return sim_point(codec, cfg, true, res, err, errlen);
}
