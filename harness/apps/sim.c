/* The Monte Carlo engine (sim.h): batches of frames, a small worker pool, in-order merging. */
#include "sim.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errf.h"
#include "refast/case.h"
#include "refast/channel.h"
#include "refast/rng.h"

void rf_wilson(uint64_t x, uint64_t n, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    const double z = 1.959963984540054, z2 = z * z, nn = (double)n, p = (double)x / nn;
    const double denom = 1 + z2 / nn;
    const double center = (p + z2 / (2 * nn)) / denom;
    const double half = z / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = x == 0 ? 0 : fmax(0, center - half);
    *hi = x == n ? 1 : fmin(1, center + half);
}

void rf_sim_ber_interval(const rf_sim_result *res, double z, double *lo, double *hi)
{
    *lo = 0;
    *hi = 1;
    if (res->frames < 2 || res->bits == 0) return;
    const double nf = (double)res->frames, k = (double)res->bits / nf;
    const double mean = (double)res->bit_errors / nf;
    const double var = fmax(0, ((double)res->bit_errors_sq - nf * mean * mean) / (nf - 1));
    const double half = z * sqrt(var / nf) / k, ber = mean / k;
    *lo = fmax(0, ber - half);
    *hi = fmin(1, ber + half);
}

bool rf_sim_range(const char *s, double *a, double *step, size_t *count, size_t max, char *err, size_t errlen)
{
    double v[3];
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        char *end;
        errno = 0;
        v[i] = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(v[i]) || (i < 2 ? *end != ':' : *end != '\0'))
            return rf_fail(err, errlen, "range '%s': expected A:B:STEP with finite numbers", s);
        p = end + 1;
    }
    if (!(v[2] > 0)) return rf_fail(err, errlen, "range '%s': STEP must be > 0", s);
    if (v[1] < v[0]) return rf_fail(err, errlen, "range '%s': B < A", s);
    /* a relative slack so that 0:1:0.1 includes 1 despite rounding */
    const double span = (v[1] - v[0]) / v[2];
    if (span > (double)max) return rf_fail(err, errlen, "range '%s': more than %zu points", s, max);
    *a = v[0];
    *step = v[2];
    *count = (size_t)floor(span + 1e-9) + 1;
    return true;
}

void rf_sim_messages(uint64_t seed, uint64_t first, size_t frames, size_t k, uint8_t *msg)
{
    uint32_t w[64];
    for (size_t f = 0; f < frames; f++) {
        const uint64_t stream = RF_SIM_STREAM_MSG + first + f;
        for (size_t j0 = 0; j0 < k; j0 += 64 * 32) {
            const size_t nb = k - j0 < 64 * 32 ? k - j0 : 64 * 32;
            rf_philox_u32(seed, stream, j0 / 32, (nb + 31) / 32, w);
            for (size_t j = 0; j < nb; j++) msg[f * k + j0 + j] = (uint8_t)((w[j / 32] >> (j % 32)) & 1);
        }
    }
}

void rf_sim_real_channel(rf_channel_kind ch, const float *x, size_t n, size_t frames, uint64_t first, uint64_t seed,
                         float sigma, float rho, float sigma_b, float *scratch, float *out)
{
    float *z = scratch, *g = scratch + n, *u = scratch + n, *w = scratch + 2 * n;
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first + f;
        const float *xf = x + f * n;
        float *yf = out + f * n;
        rf_gauss_f32(seed, frame, 0, n, z); /* the z of awgn_llr_f32 for this frame */
        switch (ch) {
        case RF_CH_AWGN:
            for (size_t i = 0; i < n; i++) yf[i] = xf[i] + sigma * z[i];
            break;
        case RF_CH_RAYLEIGH:
            rf_gauss_f32(seed, frame + RF_STREAM_FADING, 0, 2 * n, g);
            for (size_t i = 0; i < n; i++) {
                const float a = sqrtf(0.5f * (g[2 * i] * g[2 * i] + g[2 * i + 1] * g[2 * i + 1]));
                yf[i] = a * (a * xf[i] + sigma * z[i]);
            }
            break;
        case RF_CH_BURSTY:
            rf_uniform_f32(seed, frame + RF_STREAM_BURST_FLAG, 0, n, u);
            rf_gauss_f32(seed, frame + RF_STREAM_BURST_NOISE, 0, n, w);
            for (size_t i = 0; i < n; i++) {
                float y = xf[i] + sigma * z[i];
                if (u[i] < rho) y = y + sigma_b * w[i];
                yf[i] = y;
            }
            break;
        }
    }
}

void rf_sim_result_free(rf_sim_result *res)
{
    free(res->leaf_errors);
    res->leaf_errors = NULL;
}

/* ---- one batch ------------------------------------------------------------------------------ */

typedef struct frame_out {
    uint32_t bit_errors;
    int32_t leaf; /* first wrong leaf, -1 when the codec has no leaves or the frame is right */
} frame_out;

typedef struct bufs {
    uint8_t *msg, *hat, *bits;
    float *llr, *soft, *scratch;
} bufs;

typedef struct job {
    const rf_sim_codec *codec;
    const rf_sim_point_cfg *cfg;
    uint64_t batch, nbatches, max_frames;
    float sigma, rho, sigma_b;
    bool real; /* rf_sim_point_real */
} job;

static void bufs_free(bufs *b)
{
    rf_free(b->msg);
    rf_free(b->hat);
    rf_free(b->bits);
    rf_free(b->llr);
    rf_free(b->soft);
    rf_free(b->scratch);
}

static bool bufs_alloc(bufs *b, size_t batch, size_t n, size_t k)
{
    b->msg = rf_alloc(batch * k);
    b->hat = rf_alloc(batch * k);
    b->bits = rf_alloc(batch * n);
    b->llr = rf_alloc(batch * n * sizeof(float));
    b->soft = rf_alloc(batch * k * sizeof(float));
    b->scratch = rf_alloc(3 * n * sizeof(float));
    if (b->msg && b->hat && b->bits && b->llr && b->soft && b->scratch) return true;
    bufs_free(b);
    memset(b, 0, sizeof *b);
    return false;
}

static void run_batch(const job *j, uint64_t b, bufs *buf, frame_out *out)
{
    const rf_sim_codec *c = j->codec;
    const uint64_t first = b * j->batch;
    const size_t frames = (size_t)(first + j->batch <= j->max_frames ? j->batch : j->max_frames - first);
    const size_t n = c->n, k = c->k;
    rf_sim_messages(j->cfg->seed, first, frames, k, buf->msg);
    c->encode(c->ctx, buf->msg, frames, buf->llr);
    for (size_t i = 0; i < frames * n; i++) buf->bits[i] = buf->llr[i] < 0; /* BPSK: -1 is bit 1 */
    if (j->real)
        rf_sim_real_channel(j->cfg->channel, buf->llr, n, frames, first, j->cfg->seed, j->sigma, j->rho, j->sigma_b,
                            buf->scratch, buf->llr);
    else switch (j->cfg->channel) {
    case RF_CH_AWGN: rf_awgn_llr_f32(buf->bits, n, frames, first, j->cfg->seed, j->sigma, buf->llr); break;
    case RF_CH_RAYLEIGH: rf_rayleigh_llr_f32(buf->bits, n, frames, first, j->cfg->seed, j->sigma, buf->llr); break;
    case RF_CH_BURSTY:
        rf_bursty_llr_f32(buf->bits, n, frames, first, j->cfg->seed, j->sigma, j->rho, j->sigma_b, buf->llr);
        break;
    }
    c->decode(c->ctx, buf->llr, frames, buf->hat, buf->soft);
    for (size_t f = 0; f < frames; f++) {
        const uint8_t *m = buf->msg + f * k, *h = buf->hat + f * k;
        uint32_t e = 0;
        for (size_t i = 0; i < k; i++) e += (m[i] ^ h[i]) & 1;
        out[f].bit_errors = e;
        out[f].leaf = -1;
        for (size_t l = 0; e && l < c->nleaves; l++) {
            const rf_leaf *lf = &c->leaves[l];
            bool wrong = false;
            for (size_t i = lf->lo; i < lf->lo + lf->count && !wrong; i++) wrong = (m[i] ^ h[i]) & 1;
            if (wrong) {
                out[f].leaf = (int32_t)l;
                break;
            }
        }
    }
}

/* Adds batch b's frames in order; returns true when the point is finished. */
static bool merge_batch(const job *j, uint64_t b, const frame_out *out, rf_sim_result *res)
{
    const uint64_t first = b * j->batch;
    const uint64_t frames = first + j->batch <= j->max_frames ? j->batch : j->max_frames - first;
    for (uint64_t f = 0; f < frames; f++) {
        res->frames++;
        res->bit_errors += out[f].bit_errors;
        res->bit_errors_sq += (uint64_t)out[f].bit_errors * out[f].bit_errors;
        if (out[f].bit_errors) {
            res->block_errors++;
            if (out[f].leaf >= 0) res->leaf_errors[out[f].leaf]++;
            if (res->block_errors >= j->cfg->target_errors) return true;
        }
    }
    return res->frames >= j->max_frames;
}

/* ---- the pool ------------------------------------------------------------------------------- */

typedef struct pool {
    const job *j;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t next, merged;
    unsigned window;
    bool stop;
    frame_out *slots; /* window x batch */
    bool *ready;
} pool;

typedef struct worker {
    pool *p;
    bufs buf;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->next < p->j->nbatches && p->next >= p->merged + p->window)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop || p->next >= p->j->nbatches) break;
        const uint64_t b = p->next++;
        pthread_mutex_unlock(&p->mu);
        run_batch(p->j, b, &w->buf, p->slots + (size_t)(b % p->window) * p->j->batch);
        pthread_mutex_lock(&p->mu);
        p->ready[b % p->window] = true;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool sim_point(const rf_sim_codec *codec, const rf_sim_point_cfg *cfg, bool real, rf_sim_result *res,
                      char *err, size_t errlen);

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
    const unsigned threads = cfg->threads < 1 ? 1 : cfg->threads > RF_SIM_MAX_THREADS ? RF_SIM_MAX_THREADS : cfg->threads;
    size_t batch = ((size_t)1 << 17) / codec->n;
    batch = batch < 1 ? 1 : batch > 1024 ? 1024 : batch;
    job j = {codec, cfg, batch, 0, cfg->max_frames, (float)cfg->sigma, (float)cfg->rho, (float)cfg->sigma_b, real};
    j.nbatches = (cfg->max_frames + batch - 1) / batch;
    res->nleaves = codec->nleaves;
    res->leaf_errors = calloc(codec->nleaves ? codec->nleaves : 1, sizeof *res->leaf_errors);
    if (!res->leaf_errors) return rf_fail(err, errlen, "out of memory");
    const double t0 = now_seconds();
    bool ok = true;

    if (threads == 1) {
        bufs buf;
        frame_out *out = malloc(batch * sizeof *out);
        if (!out || !bufs_alloc(&buf, batch, codec->n, codec->k)) {
            free(out);
            rf_sim_result_free(res);
            return rf_fail(err, errlen, "out of memory (batch of %zu frames of n = %zu)", batch, codec->n);
        }
        for (uint64_t b = 0; b < j.nbatches; b++) {
            run_batch(&j, b, &buf, out);
            const bool done = merge_batch(&j, b, out, res);
            if (cfg->progress) cfg->progress(cfg->progress_arg, res->frames, res->block_errors);
            if (done) break;
        }
        bufs_free(&buf);
        free(out);
    } else {
        pool p = {.j = &j, .window = 4 * threads};
        worker *w = calloc(threads, sizeof *w);
        pthread_t *tid = calloc(threads, sizeof *tid);
        p.slots = malloc((size_t)p.window * batch * sizeof *p.slots);
        p.ready = calloc(p.window, sizeof *p.ready);
        unsigned started = 0, allocated = 0;
        ok = w && tid && p.slots && p.ready;
        for (; ok && allocated < threads; allocated++) {
            w[allocated].p = &p;
            ok = bufs_alloc(&w[allocated].buf, batch, codec->n, codec->k);
        }
        if (ok) {
            pthread_mutex_init(&p.mu, NULL);
            pthread_cond_init(&p.cv, NULL);
            for (; started < threads; started++)
                if (pthread_create(&tid[started], NULL, worker_main, &w[started]) != 0) break;
            ok = started > 0;
            pthread_mutex_lock(&p.mu);
            if (!ok) p.stop = true;
            while (ok && p.merged < j.nbatches && !p.stop) {
                while (!p.ready[p.merged % p.window]) pthread_cond_wait(&p.cv, &p.mu);
                pthread_mutex_unlock(&p.mu);
                const bool done = merge_batch(&j, p.merged, p.slots + (size_t)(p.merged % p.window) * batch, res);
                if (cfg->progress) cfg->progress(cfg->progress_arg, res->frames, res->block_errors);
                pthread_mutex_lock(&p.mu);
                p.ready[p.merged % p.window] = false;
                p.merged++;
                if (done) p.stop = true;
                pthread_cond_broadcast(&p.cv);
            }
            p.stop = true;
            pthread_cond_broadcast(&p.cv);
            pthread_mutex_unlock(&p.mu);
            for (unsigned t = 0; t < started; t++) pthread_join(tid[t], NULL);
            pthread_cond_destroy(&p.cv);
            pthread_mutex_destroy(&p.mu);
        }
        for (unsigned t = 0; t < allocated && w; t++) bufs_free(&w[t].buf);
        free(w);
        free(tid);
        free(p.slots);
        free(p.ready);
        if (!ok) {
            rf_sim_result_free(res);
            return rf_fail(err, errlen, "out of memory or no thread could be started");
        }
    }
    res->seconds = now_seconds() - t0;
    res->bits = res->frames * codec->k;
    return ok;
}
