/* The `onednn` peer of gru_f32 (refast/gated.h): oneDNN's vanilla GRU (= cho) or LBR-GRU (= lbr),
 * f32 forward inference, one OpenMP thread, through the C API (dnnl.h). Two roles: external truth
 * for the GRU (tests/test_gated_onednn.c) and a benchmark peer with the kernel's own signature.
 *
 * Per shape (T, B, I, H, variant) the primitive is created once and cached (SLOTS shapes, least
 * recently used evicted) with everything it needs: user-layout weight buffers, the primitive's
 * preferred weight layouts and the reorders into them, bias, a user scratchpad, a zero h0 and a
 * dst_iter sink. Per call: the weights are converted (refast/gated.h, "oneDNN and PyTorch": gate
 * order u, r, o = (-z, r, h), i.e. our [U_z; U_r; U_h] with its first H rows negated is already
 * ldgoi), reordered to the preferred layout when it differs, and the primitive runs on the
 * caller's x and out (dst_layer lands in `work` when only h_T is wanted). Only memory handles
 * change between calls, so nothing is allocated after the first call for a shape.
 */
#include <dnnl.h>
#include <dnnl_debug.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refast/gated.h"

#define SLOTS 8

typedef struct onednn_gru {
    int live;
    size_t T, B, I, H;
    rf_gru_variant variant;
    uint64_t stamp; /* last use, for eviction */
    dnnl_primitive_t gru, reorder_wl, reorder_wi;
    dnnl_memory_t src_layer, src_iter, dst_layer, dst_iter;
    dnnl_memory_t wl_user, wi_user, wl, wi, bias, scratch; /* wl == wl_user when no reorder */
    float *zeros; /* B x H: h0 when the caller passes NULL */
    float *sink;  /* B x H: dst_iter when every h_t goes to out */
} onednn_gru;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine;
static dnnl_stream_t stream;
static onednn_gru cache[SLOTS];
static uint64_t ticks;
static char error_text[256] = "";

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
}

/* Runs a dnnl call; on failure records which one and why, and jumps to `fail`. */
#define TRY(call, what)                                                                            \
    do {                                                                                           \
        const dnnl_status_t st_ = (call);                                                          \
        if (st_ != dnnl_success) {                                                                 \
            set_error("oneDNN %s: %s", what, dnnl_status2str(st_));                                \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

const char *rf_gru_onednn_error(void)
{
    return error_text;
}

int rf_gru_onednn_supported(const rf_gru_spec *s)
{
    return s->gate == RF_GATE_SIGMOID && s->g == RF_GATED_G_TANH &&
           (s->variant == RF_GRU_CHO || s->variant == RF_GRU_LBR) &&
           (s->output == RF_GRU_OUT_ALL || s->output == RF_GRU_OUT_LAST) && s->T >= 1 &&
           s->B >= 1 && s->In >= 1 && s->H >= 1 && s->T <= INT32_MAX && s->B <= INT32_MAX &&
           s->In <= INT32_MAX && s->H <= INT32_MAX;
}

static void slot_release(onednn_gru *c)
{
    dnnl_primitive_t prims[] = {c->gru, c->reorder_wl, c->reorder_wi};
    for (size_t i = 0; i < sizeof prims / sizeof *prims; i++)
        if (prims[i]) dnnl_primitive_destroy(prims[i]);
    if (c->wl && c->wl != c->wl_user) dnnl_memory_destroy(c->wl);
    if (c->wi && c->wi != c->wi_user) dnnl_memory_destroy(c->wi);
    dnnl_memory_t mems[] = {c->src_layer, c->src_iter, c->dst_layer, c->dst_iter,
                            c->wl_user,   c->wi_user,  c->bias,      c->scratch};
    for (size_t i = 0; i < sizeof mems / sizeof *mems; i++)
        if (mems[i]) dnnl_memory_destroy(mems[i]);
    free(c->zeros);
    free(c->sink);
    memset(c, 0, sizeof *c);
}

static dnnl_status_t make_reorder(dnnl_primitive_t *r, const dnnl_memory_desc_t *from,
                                  const dnnl_memory_desc_t *to)
{
    dnnl_primitive_desc_t rpd;
    dnnl_status_t st = dnnl_reorder_primitive_desc_create(&rpd, from, engine, to, engine, NULL);
    if (st != dnnl_success) return st;
    st = dnnl_primitive_create(r, rpd);
    dnnl_primitive_desc_destroy(rpd);
    return st;
}

/* The user-layout weights `user` (ldgoi) and, when the primitive prefers another layout, a buffer
 * in that layout and the reorder into it. */
static dnnl_status_t make_weights(const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *pref,
                                  dnnl_memory_t *user, dnnl_memory_t *prim,
                                  dnnl_primitive_t *reorder)
{
    dnnl_status_t st = dnnl_memory_create(user, user_md, engine, DNNL_MEMORY_ALLOCATE);
    if (st != dnnl_success) return st;
    if (dnnl_memory_desc_equal(user_md, pref)) {
        *prim = *user;
        return dnnl_success;
    }
    st = dnnl_memory_create(prim, pref, engine, DNNL_MEMORY_ALLOCATE);
    if (st != dnnl_success) return st;
    return make_reorder(reorder, user_md, pref);
}

static int slot_build(onednn_gru *c, const rf_gru_spec *s)
{
    const int64_t T = (int64_t)s->T, B = (int64_t)s->B, I = (int64_t)s->In, H = (int64_t)s->H;
    const int lbr = s->variant == RF_GRU_LBR;
    const dnnl_dims_t d_src = {T, B, I}, d_dst = {T, B, H}, d_iter = {1, 1, B, H},
                      d_wl = {1, 1, I, 3, H}, d_wi = {1, 1, H, 3, H},
                      d_bias = {1, 1, lbr ? 4 : 3, H};
    dnnl_memory_desc_t m_src, m_dst, m_iter, m_wl_any, m_wi_any, m_wl_user, m_wi_user, m_bias;
    dnnl_rnn_desc_t rd;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;

    memset(c, 0, sizeof *c);
    c->T = s->T, c->B = s->B, c->I = s->In, c->H = s->H, c->variant = s->variant;
    TRY(dnnl_memory_desc_init_by_tag(&m_src, 3, d_src, dnnl_f32, dnnl_tnc), "src_layer desc");
    TRY(dnnl_memory_desc_init_by_tag(&m_dst, 3, d_dst, dnnl_f32, dnnl_tnc), "dst_layer desc");
    TRY(dnnl_memory_desc_init_by_tag(&m_iter, 4, d_iter, dnnl_f32, dnnl_ldnc), "iter desc");
    TRY(dnnl_memory_desc_init_by_tag(&m_wl_any, 5, d_wl, dnnl_f32, dnnl_format_tag_any),
        "weights desc");
    TRY(dnnl_memory_desc_init_by_tag(&m_wi_any, 5, d_wi, dnnl_f32, dnnl_format_tag_any),
        "weights desc");
    TRY(dnnl_memory_desc_init_by_tag(&m_wl_user, 5, d_wl, dnnl_f32, dnnl_ldgoi), "weights desc");
    TRY(dnnl_memory_desc_init_by_tag(&m_wi_user, 5, d_wi, dnnl_f32, dnnl_ldgoi), "weights desc");
    TRY(dnnl_memory_desc_init_by_tag(&m_bias, 4, d_bias, dnnl_f32, dnnl_ldgo), "bias desc");
    if (lbr)
        TRY(dnnl_lbr_gru_forward_desc_init(&rd, dnnl_forward_inference,
                                           dnnl_unidirectional_left2right, &m_src, &m_iter,
                                           &m_wl_any, &m_wi_any, &m_bias, &m_dst, &m_iter, 0),
            "LBR-GRU descriptor");
    else
        TRY(dnnl_gru_forward_desc_init(&rd, dnnl_forward_inference, dnnl_unidirectional_left2right,
                                       &m_src, &m_iter, &m_wl_any, &m_wi_any, &m_bias, &m_dst,
                                       &m_iter, 0),
            "GRU descriptor");
    TRY(dnnl_primitive_attr_create(&attr), "attributes");
    TRY(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
        "scratchpad mode");
    TRY(dnnl_primitive_desc_create(&pd, &rd, attr, engine, NULL), "GRU primitive descriptor");
    const dnnl_memory_desc_t *m_wl =
        dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_WEIGHTS_LAYER);
    const dnnl_memory_desc_t *m_wi =
        dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_WEIGHTS_ITER);
    const dnnl_memory_desc_t *m_sp = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (!m_wl || !m_wi || !m_sp) {
        set_error("oneDNN: querying the GRU primitive's memory descriptors failed");
        goto fail;
    }
    TRY(dnnl_primitive_create(&c->gru, pd), "GRU primitive");
    TRY(make_weights(&m_wl_user, m_wl, &c->wl_user, &c->wl, &c->reorder_wl), "weights_layer");
    TRY(make_weights(&m_wi_user, m_wi, &c->wi_user, &c->wi, &c->reorder_wi), "weights_iter");
    TRY(dnnl_memory_create(&c->bias, &m_bias, engine, DNNL_MEMORY_ALLOCATE), "bias memory");
    TRY(dnnl_memory_create(&c->scratch, m_sp, engine, DNNL_MEMORY_ALLOCATE), "scratchpad memory");
    TRY(dnnl_memory_create(&c->src_layer, &m_src, engine, DNNL_MEMORY_NONE), "src_layer memory");
    TRY(dnnl_memory_create(&c->src_iter, &m_iter, engine, DNNL_MEMORY_NONE), "src_iter memory");
    TRY(dnnl_memory_create(&c->dst_layer, &m_dst, engine, DNNL_MEMORY_NONE), "dst_layer memory");
    TRY(dnnl_memory_create(&c->dst_iter, &m_iter, engine, DNNL_MEMORY_NONE), "dst_iter memory");
    c->zeros = calloc(s->B * s->H, sizeof *c->zeros);
    c->sink = malloc(s->B * s->H * sizeof *c->sink);
    if (!c->zeros || !c->sink) {
        set_error("out of memory for the oneDNN GRU state buffers");
        goto fail;
    }
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attr);
    c->live = 1;
    return 0;
fail:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    slot_release(c);
    return -1;
}

/* The cached primitive for s's shape, built (evicting the least recently used) if needed. */
static onednn_gru *slot_for(const rf_gru_spec *s)
{
    onednn_gru *victim = &cache[0];
    for (int i = 0; i < SLOTS; i++) {
        onednn_gru *c = &cache[i];
        if (c->live && c->T == s->T && c->B == s->B && c->I == s->In && c->H == s->H &&
            c->variant == s->variant) {
            c->stamp = ++ticks;
            return c;
        }
        if (!c->live || (victim->live && c->stamp < victim->stamp)) victim = c;
    }
    if (victim->live) slot_release(victim);
    if (slot_build(victim, s)) return NULL;
    victim->stamp = ++ticks;
    return victim;
}

/* Copies n floats, negated (the update gate: oneDNN's u = 1 - z = sigma(-v)). */
static void copy_neg(float *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = -src[i];
}

/* Our weights into oneDNN's: [U_z; U_r; U_h] is (gate, out, in) = ldgoi already, so weights_layer
 * is U with the u gate's rows negated; likewise weights_iter from W and the bias (u, r, o, u'). */
static int load_weights(onednn_gru *c, const float *w)
{
    const size_t I = c->I, H = c->H;
    const float *U = w, *W = w + 3 * H * I, *b = W + 3 * H * H;
    void *pl, *pi, *pb;
    TRY(dnnl_memory_get_data_handle(c->wl_user, &pl), "weights_layer handle");
    TRY(dnnl_memory_get_data_handle(c->wi_user, &pi), "weights_iter handle");
    TRY(dnnl_memory_get_data_handle(c->bias, &pb), "bias handle");
    float *wl = pl, *wi = pi, *bias = pb;
    copy_neg(wl, U, H * I);
    memcpy(wl + H * I, U + H * I, 2 * H * I * sizeof *wl);
    copy_neg(wi, W, H * H);
    memcpy(wi + H * H, W + H * H, 2 * H * H * sizeof *wi);
    copy_neg(bias, b, H);
    memcpy(bias + H, b + H, (c->variant == RF_GRU_LBR ? 3 : 2) * H * sizeof *bias);
    if (c->reorder_wl) {
        const dnnl_exec_arg_t a[] = {{DNNL_ARG_FROM, c->wl_user}, {DNNL_ARG_TO, c->wl}};
        TRY(dnnl_primitive_execute(c->reorder_wl, stream, 2, a), "weights_layer reorder");
    }
    if (c->reorder_wi) {
        const dnnl_exec_arg_t a[] = {{DNNL_ARG_FROM, c->wi_user}, {DNNL_ARG_TO, c->wi}};
        TRY(dnnl_primitive_execute(c->reorder_wi, stream, 2, a), "weights_iter reorder");
    }
    return 0;
fail:
    return -1;
}

static int run(onednn_gru *c, const rf_gru_spec *s, const float *w, const float *x, const float *h0,
               float *out, float *work)
{
    const int last = s->output == RF_GRU_OUT_LAST;
    if (load_weights(c, w)) return -1;
    /* oneDNN takes non-const handles; it does not write src_layer or src_iter. */
    TRY(dnnl_memory_set_data_handle(c->src_layer, (void *)(uintptr_t)x), "src_layer handle");
    TRY(dnnl_memory_set_data_handle(c->src_iter, h0 ? (void *)(uintptr_t)h0 : c->zeros),
        "src_iter handle");
    TRY(dnnl_memory_set_data_handle(c->dst_layer, last ? work : out), "dst_layer handle");
    TRY(dnnl_memory_set_data_handle(c->dst_iter, last ? out : c->sink), "dst_iter handle");
    const dnnl_exec_arg_t a[] = {
        {DNNL_ARG_SRC_LAYER, c->src_layer}, {DNNL_ARG_SRC_ITER, c->src_iter},
        {DNNL_ARG_WEIGHTS_LAYER, c->wl},    {DNNL_ARG_WEIGHTS_ITER, c->wi},
        {DNNL_ARG_BIAS, c->bias},           {DNNL_ARG_DST_LAYER, c->dst_layer},
        {DNNL_ARG_DST_ITER, c->dst_iter},   {DNNL_ARG_SCRATCHPAD, c->scratch}};
    TRY(dnnl_primitive_execute(c->gru, stream, (int)(sizeof a / sizeof *a), a), "GRU execution");
    TRY(dnnl_stream_wait(stream), "stream wait");
    return 0;
fail:
    return -1;
}

static int ensure_engine(void)
{
    if (engine) return 0;
    TRY(dnnl_engine_create(&engine, dnnl_cpu, 0), "CPU engine");
    TRY(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags), "stream");
    return 0;
fail:
    if (engine) dnnl_engine_destroy(engine);
    engine = NULL;
    return -1;
}

void gru_f32_onednn(const rf_gru_spec *s, const float *w, const float *x, const float *h0,
                    float *out, float *work)
{
    const size_t n_out = s->output == RF_GRU_OUT_LAST ? s->B * s->H : s->T * s->B * s->H;
    pthread_mutex_lock(&lock);
    int ok = 0;
    if (!rf_gru_onednn_supported(s)) {
        set_error("oneDNN GRU: unsupported configuration (it has sigmoid gates, g = tanh and sizes "
                  ">= 1 only)");
    } else if (ensure_engine() == 0) {
        omp_set_num_threads(1); /* per-core rates, like the single-threaded OpenBLAS peer */
        onednn_gru *c = slot_for(s);
        ok = c && run(c, s, w, x, h0, out, work) == 0;
    }
    if (!ok)
        for (size_t i = 0; i < n_out; i++) out[i] = NAN;
    pthread_mutex_unlock(&lock);
}

void rf_gru_onednn_release(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS; i++)
        if (cache[i].live) slot_release(&cache[i]);
    if (stream) dnnl_stream_destroy(stream);
    if (engine) dnnl_engine_destroy(engine);
    stream = NULL;
    engine = NULL;
    pthread_mutex_unlock(&lock);
}
