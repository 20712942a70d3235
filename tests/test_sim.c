/* Tests of `refast sim`, `refast code` and the Monte Carlo engine (harness/apps/sim.h, codespec.h):
 *   - the Wilson 95% interval against published values (Newcombe 1998, Stat. Med. 17:857, table I,
 *     method 3) and the usual textbook cases;
 *   - SNR ranges, code / decoder parsing, the Plotkin-tree leaves (RM(8,2): the seed's
 *     (7,1) ... (2,1), (2,2));
 *   - the engine with a private codec (a scalar RM(m,1) encoder written here from the SPEC formula,
 *     so it runs whatever encoders the library has, and rf_rm1_map): BLER 0 at a high SNR, close to
 *     1 - 2^-k (a guess) at a very low SNR, results identical for 1, 2, 3 and 5 threads whether the
 *     run stops on the target or on the frame cap, the target met exactly, leaf counts adding up;
 *   - the distributed rounds without MPI: 2..4 "ranks" as threads (each its own rf_sim_comm over a
 *     barrier) x 1..2 threads give rank 1's counts and decision hash, stopping on the target and on
 *     the frame cap; a mid-point state kept after a round, resumed on another rank count, ends the
 *     same; the stop flag returns an unfinished prefix;
 *   - rf_sim_messages against the philox_u32 kernel's stream (the definition in sim.h);
 *   - the CLI: bad arguments (SPEC §8) exit 2 with one line and leave no JSON behind; a run's JSON
 *     parses and records every convention; --threads 1 and 2 give the same JSON counts; --json and
 *     --checkpoint that cannot be written are refused before the first frame; a checkpoint of
 *     another run or a corrupted one is refused and left alone; a finished one reproduces the run;
 *   - the first points of the committed reference runs (reports/sim/, written by the engine before
 *     issue 15's rounds) reproduce count for count;
 *   - `refast code info` weight distributions (RM(m,1): 0 once, 2^(m-1) 2^(m+1)-2 times, 2^m once)
 *     and `refast code distances` pair counts. */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codespec.h"
#include "bytes.h"
#include "errf.h"
#include "json.h"
#include "refast/channel.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "refast/rng.h"
#include "refast/softmap.h"
#include "sim.h"
#include "testlib.h"
#include "codes/snr.h"

/* present only once the codes work has landed (see harness/apps/cmd_sim.c) */
#pragma weak rf_rm_encode_f32
#pragma weak rf_rm_dumer

static void test_wilson(void)
{
    static const struct {
        uint64_t x, n;
        double lo, hi;
    } known[] = {
        {81, 263, 0.2553, 0.3662}, /* Newcombe 1998, table I */
        {15, 148, 0.0624, 0.1605},
        {0, 20, 0.0000, 0.1611},
        {1, 29, 0.0061, 0.1718},
        {5, 10, 0.2366, 0.7634}, /* textbook */
        {0, 10, 0.0000, 0.2775},
        {10, 10, 0.7225, 1.0000},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        double lo, hi;
        rf_wilson(known[i].x, known[i].n, &lo, &hi);
        CHECKF(fabs(lo - known[i].lo) < 6e-5 && fabs(hi - known[i].hi) < 6e-5, "Wilson %llu/%llu: [%.5f, %.5f]",
               (unsigned long long)known[i].x, (unsigned long long)known[i].n, lo, hi);
    }
    double lo, hi;
    rf_wilson(0, 0, &lo, &hi);
    CHECK(lo == 0 && hi == 1);
    rf_wilson(3, 1000000000000ull, &lo, &hi); /* large n: still ordered, contains the estimate */
    CHECK(lo > 0 && lo < 3e-12 && hi > 3e-12 && hi < 1e-11);
}

static void test_range(void)
{
    double a, step;
    size_t count;
    char err[256];
    CHECK(rf_sim_range("0:6:2", &a, &step, &count, 1000, err, sizeof err) && a == 0 && step == 2 && count == 4);
    CHECK(rf_sim_range("0:1:0.1", &a, &step, &count, 1000, err, sizeof err) && count == 11);
    CHECK(rf_sim_range("-2.5:-2.5:1", &a, &step, &count, 1000, err, sizeof err) && a == -2.5 && count == 1);
    CHECK(rf_sim_range("0:5:2", &a, &step, &count, 1000, err, sizeof err) && count == 3);
    const char *bad[] = {"0:1:0", "0:1:-1", "1:0:1", "0:1", "a:b:c", "0:1:1:", "nan:1:1", "0:inf:1", "0:1e308:1e-308", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECKF(!rf_sim_range(bad[i], &a, &step, &count, 1000, err, sizeof err), "range '%s' accepted", bad[i]);
}

static void test_parse(void)
{
    rf_codespec c;
    rf_decspec d;
    char err[256];
    CHECK(rf_codespec_parse("rm:8:2", &c, err, sizeof err) && c.kind == RF_CODE_RM && c.n == 256 && c.k == 37);
    CHECK(rf_codespec_parse("rm:16:16", &c, err, sizeof err) && c.k == 65536);
    CHECK(rf_codespec_parse("polar:64:7", &c, err, sizeof err) && c.kind == RF_CODE_POLAR && c.m == 6 && c.k == 7);
    const char *bad[] = {"rm:3:4", "rm:17:1", "rm:3", "rm:-1:0", "rm:3:1x", "polar:64:65", "polar:48:7",
                         "polar:64:0", "polar:1:1", "polar:131072:7", "hamming:7:4", "rm:99999999999999999999:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECKF(!rf_codespec_parse(bad[i], &c, err, sizeof err) && !strchr(err, '\n'), "code '%s' accepted", bad[i]);
    CHECK(rf_decspec_parse("scl:8", &d, err, sizeof err) && d.kind == RF_DEC_SCL && d.list == 8);
    CHECK(!rf_decspec_parse("scl:0", &d, err, sizeof err) && !rf_decspec_parse("scl:33", &d, err, sizeof err));
    CHECK(rf_decspec_parse("fscl:8", &d, err, sizeof err) && d.kind == RF_DEC_SCL && d.list == 8 && d.fast_ssc &&
          !strcmp(d.text, "fscl:8"));
    CHECK(rf_decspec_parse("fscl:32:crc=crc32:adaptive", &d, err, sizeof err) && d.kind == RF_DEC_CASCL &&
          d.fast_ssc && d.adaptive && d.list == 32 && !strcmp(d.text, "fscl:32:crc=crc32:adaptive"));
    CHECK(!rf_decspec_parse("fscl:0", &d, err, sizeof err) && !rf_decspec_parse("fscl:8:crc", &d, err, sizeof err) &&
          !strchr(err, '\n'));
    CHECK(!rf_decspec_parse("viterbi", &d, err, sizeof err));
    rf_codespec_parse("rm:8:2", &c, err, sizeof err);
    rf_decspec_parse("map", &d, err, sizeof err);
    CHECK(!rf_decspec_applies(&d, &c, err, sizeof err));
    rf_codespec_parse("polar:64:7", &c, err, sizeof err);
    rf_decspec_parse("dumer", &d, err, sizeof err);
    CHECK(!rf_decspec_applies(&d, &c, err, sizeof err));
}

static void test_leaves(void)
{
    rf_leaf l[64];
    /* seed 004 §4.4.2: RM(8,2) leaves in decoding order (7,1), (6,1), ..., (2,1), (2,2) */
    size_t n = rf_rm_leaves(8, 2, RF_DUMER, l, 64);
    CHECK(n == 7);
    static const unsigned want_m[7] = {7, 6, 5, 4, 3, 2, 2}, want_r[7] = {1, 1, 1, 1, 1, 1, 2};
    size_t bits = 0;
    for (size_t i = 0; i < n && i < 7; i++) {
        CHECKF(l[i].m == want_m[i] && l[i].r == want_r[i], "leaf %zu is (%u,%u)", i, l[i].m, l[i].r);
        CHECK(l[i].count == rf_rm_k(l[i].m, l[i].r));
        bits += l[i].count;
    }
    CHECK(bits == 37);
    /* the first-decoded leaf holds the last message bits: v = encode(m-1, r-1, b[ku..k)) */
    CHECK(l[0].lo == 37 - 8 && l[6].lo == 0);
    /* dumer0 splits RM(3,1) = (RM(2,1) | RM(2,0)) and RM(2,1) = (RM(1,1) | RM(1,0)) */
    n = rf_rm_leaves(3, 1, RF_DUMER0, l, 64);
    CHECK(n == 3 && l[0].m == 2 && l[0].r == 0 && l[0].lo == 3 && l[1].m == 1 && l[1].r == 0 && l[1].lo == 2 &&
          l[2].m == 1 && l[2].r == 1 && l[2].lo == 0 && l[2].count == 2);
    /* the ranges tile [0, k) for every code */
    for (unsigned m = 0; m <= 9; m++)
        for (unsigned r = 0; r <= m; r++)
            for (int v = 0; v < 2; v++) {
                rf_leaf big[600];
                const size_t nl = rf_rm_leaves(m, r, v, big, 600);
                size_t next = rf_rm_k(m, r);
                bool ok = nl <= 600;
                for (size_t i = 0; ok && i < nl; i++) { /* decoding order walks the bits downwards */
                    ok = big[i].lo + big[i].count == next;
                    next = big[i].lo;
                }
                CHECKF(ok && next == 0, "leaves of RM(%u,%u) variant %d do not tile the message", m, r, v);
            }
}

/* ---- the engine with a private RM(m,1) codec ---------------------------------------------------- */

typedef struct test_codec {
    unsigned m;
} test_codec;

/* SPEC §5.1: for RM(m,1), c_i = b0 ^ XOR_j (bit_j(i) & b_{j+1}); BPSK 1 - 2c. */
static void enc_rm1(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const unsigned m = ((const test_codec *)ctx)->m;
    const size_t n = (size_t)1 << m, k = m + 1;
    for (size_t f = 0; f < frames; f++)
        for (size_t i = 0; i < n; i++) {
            unsigned c = msg[f * k];
            for (unsigned j = 0; j < m; j++) c ^= ((i >> j) & 1) & msg[f * k + j + 1];
            x[f * n + i] = c ? -1.0f : 1.0f;
        }
}

static void dec_map(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    (void)soft;
    rf_rm1_map(llr, ((const test_codec *)ctx)->m, frames, msg);
}

static rf_sim_result run(unsigned m, double sigma, uint64_t max_frames, uint64_t target, unsigned threads,
                         const rf_leaf *leaves, size_t nleaves, rf_channel_kind ch)
{
    test_codec tc = {m};
    rf_sim_codec codec = {(size_t)1 << m, m + 1, &tc, enc_rm1, dec_map, leaves, nleaves};
    const rf_sim_point_cfg cfg = {.sigma = sigma, .channel = ch, .rho = 0.1, .sigma_b = sqrt(2.0) * sigma, .seed = 42,
                                  .max_frames = max_frames, .target_errors = target, .threads = threads};
    rf_sim_result res;
    char err[256];
    if (!rf_sim_point(&codec, &cfg, &res, err, sizeof err)) {
        fprintf(stderr, "rf_sim_point: %s\n", err);
        memset(&res, 0, sizeof res);
    }
    return res;
}

static bool same(const rf_sim_result *a, const rf_sim_result *b)
{
    if (a->frames != b->frames || a->bit_errors != b->bit_errors || a->block_errors != b->block_errors ||
        a->bit_errors_sq != b->bit_errors_sq || a->decisions_xxh3 != b->decisions_xxh3 || a->nleaves != b->nleaves)
        return false;
    for (size_t i = 0; i < a->nleaves; i++)
        if (a->leaf_errors[i] != b->leaf_errors[i]) return false;
    return true;
}

static void test_engine(void)
{
    /* the private encoder against the library's */
    {
        uint8_t msg[5 * 6];
        float a[5 * 32], b[5 * 32];
        test_codec tc = {5};
        rf_sim_messages(3, 0, 5, 6, msg);
        enc_rm1(&tc, msg, 5, a);
        rf_rm_encode_f32(5, 1, msg, 5, b);
        CHECKF(memcmp(a, b, sizeof a) == 0, "the SPEC RM(m,1) formula differs from rf_rm_encode_f32");
    }
    /* high SNR (Es/N0 = 14 dB, d = 4): no block error in 20000 frames (ML error ~ 14 Q(10) ~ 1e-22) */
    rf_sim_result r = run(3, 0.2, 20000, 100, 2, NULL, 0, RF_CH_AWGN);
    CHECKF(r.frames == 20000 && r.block_errors == 0 && r.bit_errors == 0, "RM(3,1) at sigma 0.2: %llu/%llu",
           (unsigned long long)r.block_errors, (unsigned long long)r.frames);
    rf_sim_result_free(&r);
    /* very low SNR (sigma = 1000): the decoder guesses, BLER = 1 - 2^-4 = 0.9375; 40000 frames,
     * sd 0.0012, 5 sd; BER 1/2 (sd 0.0013 at most for 160000 correlated bits: 0.01) */
    r = run(3, 1000, 40000, 1000000, 2, NULL, 0, RF_CH_AWGN);
    const double bler = (double)r.block_errors / (double)r.frames, ber = (double)r.bit_errors / (double)r.bits;
    CHECKF(r.frames == 40000 && fabs(bler - 0.9375) < 0.006, "RM(3,1) at sigma 1000: BLER %.5f", bler);
    CHECKF(fabs(ber - 0.5) < 0.01, "RM(3,1) at sigma 1000: BER %.5f", ber);
    double lo, hi;
    rf_wilson(r.block_errors, r.frames, &lo, &hi);
    CHECK(lo < bler && bler < hi && hi < 1);
    rf_sim_result_free(&r);

    /* threads: identical counts, stopping on the target (exactly met) and on the frame cap */
    rf_leaf leaves[8];
    const size_t nl = rf_rm_leaves(4, 1, RF_DUMER0, leaves, 8);
    for (int ch = 0; ch < 3; ch++) {
        rf_sim_result base = run(4, 0.9, 300000, 777, 1, leaves, nl, (rf_channel_kind)ch);
        CHECKF(base.block_errors == 777 && base.frames < 300000, "target not met exactly: %llu errors in %llu frames",
               (unsigned long long)base.block_errors, (unsigned long long)base.frames);
        uint64_t sum = 0;
        for (size_t i = 0; i < base.nleaves; i++) sum += base.leaf_errors[i];
        CHECKF(sum == base.block_errors, "leaf counts add up to %llu, not %llu", (unsigned long long)sum,
               (unsigned long long)base.block_errors);
        CHECK(base.leaf_errors[0] > 0); /* the first-decoded repetition leaf is the weakest */
        rf_sim_result capped = run(4, 0.9, 3001, 1000000, 1, leaves, nl, (rf_channel_kind)ch);
        CHECK(capped.frames == 3001 && capped.block_errors < 1000000);
        const unsigned threads[] = {2, 3, 5};
        for (int t = 0; t < 3; t++) {
            rf_sim_result x = run(4, 0.9, 300000, 777, threads[t], leaves, nl, (rf_channel_kind)ch);
            CHECKF(same(&base, &x), "channel %d, %u threads: %llu frames / %llu bit / %llu block errors, "
                   "1 thread: %llu / %llu / %llu", ch, threads[t], (unsigned long long)x.frames,
                   (unsigned long long)x.bit_errors, (unsigned long long)x.block_errors,
                   (unsigned long long)base.frames, (unsigned long long)base.bit_errors,
                   (unsigned long long)base.block_errors);
            rf_sim_result_free(&x);
            x = run(4, 0.9, 3001, 1000000, threads[t], leaves, nl, (rf_channel_kind)ch);
            CHECKF(same(&capped, &x), "channel %d, %u threads, frame cap: results differ", ch, threads[t]);
            rf_sim_result_free(&x);
        }
        rf_sim_result_free(&base);
        rf_sim_result_free(&capped);
    }
    /* fading costs more than AWGN at the same sigma */
    rf_sim_result aw = run(4, 0.8, 20000, 1000000, 2, NULL, 0, RF_CH_AWGN);
    rf_sim_result ra = run(4, 0.8, 20000, 1000000, 2, NULL, 0, RF_CH_RAYLEIGH);
    CHECKF(ra.block_errors > 2 * aw.block_errors, "Rayleigh %llu vs AWGN %llu block errors",
           (unsigned long long)ra.block_errors, (unsigned long long)aw.block_errors);
    rf_sim_result_free(&aw);
    rf_sim_result_free(&ra);

    /* messages: a function of (seed, frame) only, fair bits */
    uint8_t all[10 * 37], part[37];
    rf_sim_messages(9, 100, 10, 37, all);
    rf_sim_messages(9, 107, 1, 37, part);
    CHECK(memcmp(all + 7 * 37, part, 37) == 0);
    /* the stream as sim.h defines it, through the philox_u32 kernel: bit j = bit j % 32 of word j / 32 */
    static const size_t ks[] = {1, 7, 8, 37, 64, 127, 128, 129, 300};
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        const size_t k = ks[t], frames = 3;
        const uint64_t seed = UINT64_C(0xfedcba9876543210) + t, first = (UINT64_C(1) << 33) - 1;
        uint8_t got[3 * 300];
        uint32_t w[10];
        rf_sim_messages(seed, first, frames, k, got);
        bool same_bits = true;
        for (size_t f = 0; f < frames; f++) {
            rf_philox_u32(seed, RF_SIM_STREAM_MSG + first + f, 0, (k + 31) / 32, w);
            for (size_t j = 0; j < k; j++) same_bits &= got[f * k + j] == ((w[j / 32] >> (j % 32)) & 1);
        }
        CHECKF(same_bits, "rf_sim_messages differs from the philox_u32 stream at k = %zu", k);
    }
    uint8_t *many = malloc(100000);
    rf_sim_messages(9, 0, 1000, 100, many);
    size_t ones = 0;
    for (size_t i = 0; i < 100000; i++) ones += many[i];
    CHECK(ones > 49200 && ones < 50800); /* sd 158 */
    free(many);
}

/* ---- ranks as threads: the engine's distributed rounds without MPI ---------------------------------
 * Each "rank" is a thread calling rf_sim_point with its own rf_sim_comm; the collectives meet at a
 * barrier over a shared buffer. This runs the exact code path of `mpirun -np P` (batch split, block
 * error gather, target search, tally reduction, rank 0's cut) in any build. */

enum { WORLD_WORDS = 1 << 20 };

typedef struct world {
    int size;
    pthread_barrier_t bar;
    uint64_t buf[WORLD_WORDS];
} world;

typedef struct rank_arg {
    world *w;
    rf_sim_comm comm;
    rf_sim_codec codec;
    rf_sim_point_cfg cfg;
    rf_sim_result res;
    bool ok;
} rank_arg;

static bool world_allgather(void *ctx, const uint64_t *mine, size_t count, uint64_t *all, char *err, size_t errlen)
{
    rank_arg *a = ctx;
    world *w = a->w;
    if (count * (size_t)w->size > WORLD_WORDS) return rf_fail(err, errlen, "test world: %zu words", count);
    memcpy(w->buf + (size_t)a->comm.rank * count, mine, count * sizeof *mine);
    pthread_barrier_wait(&w->bar);
    memcpy(all, w->buf, count * (size_t)w->size * sizeof *all);
    pthread_barrier_wait(&w->bar);
    return true;
}

static bool world_allreduce(void *ctx, uint64_t *words, size_t count, char *err, size_t errlen)
{
    rank_arg *a = ctx;
    world *w = a->w;
    if (count * (size_t)w->size > WORLD_WORDS) return rf_fail(err, errlen, "test world: %zu words", count);
    memcpy(w->buf + (size_t)a->comm.rank * count, words, count * sizeof *words);
    pthread_barrier_wait(&w->bar);
    for (size_t i = 0; i < count; i++) {
        uint64_t t = 0;
        for (int r = 0; r < w->size; r++) t += w->buf[(size_t)r * count + i];
        words[i] = t;
    }
    pthread_barrier_wait(&w->bar);
    return true;
}

static void *rank_main(void *arg)
{
    rank_arg *a = arg;
    char err[256];
    a->cfg.comm = &a->comm;
    a->ok = rf_sim_point(&a->codec, &a->cfg, &a->res, err, sizeof err);
    if (!a->ok) fprintf(stderr, "rank %d: %s\n", a->comm.rank, err);
    return NULL;
}

/* The point of `cfg` on `size` thread-ranks; rank 0's result. */
static rf_sim_result run_ranks(int size, const rf_sim_codec *codec, const rf_sim_point_cfg *cfg)
{
    static world w;
    rank_arg a[8];
    pthread_t tid[8];
    w.size = size;
    pthread_barrier_init(&w.bar, NULL, (unsigned)size);
    for (int r = 0; r < size; r++) {
        a[r] = (rank_arg){.w = &w, .codec = *codec, .cfg = *cfg};
        a[r].comm = (rf_sim_comm){r, size, &a[r], world_allgather, world_allreduce};
        pthread_create(&tid[r], NULL, rank_main, &a[r]);
    }
    for (int r = 0; r < size; r++) pthread_join(tid[r], NULL);
    pthread_barrier_destroy(&w.bar);
    for (int r = 1; r < size; r++) rf_sim_result_free(&a[r].res);
    if (!a[0].ok) memset(&a[0].res, 0, sizeof a[0].res);
    return a[0].res;
}

/* State after a round, kept by on_round (rank 0) the first time the point has merged >= `after`
 * frames: what a checkpoint would hold. */
typedef struct keep_state {
    uint64_t after;
    rf_sim_result kept;
    bool have;
} keep_state;

static void keep_round(void *arg, const rf_sim_result *st)
{
    keep_state *k = arg;
    if (!k->have && !st->finished && st->frames >= k->after) k->have = rf_sim_result_copy(&k->kept, st);
}

static void test_ranks(void)
{
    rf_leaf leaves[8];
    const size_t nl = rf_rm_leaves(4, 1, RF_DUMER0, leaves, 8);
    test_codec tc = {4};
    const rf_sim_codec codec = {16, 5, &tc, enc_rm1, dec_map, leaves, nl};
    /* the target met in a round's middle, and the frame cap with a short last batch */
    static const uint64_t caps[2][2] = {{300000, 777}, {30001, 1000000}};
    for (int c = 0; c < 2; c++) {
        rf_sim_point_cfg cfg = {.sigma = 0.9, .channel = RF_CH_AWGN, .seed = 42, .max_frames = caps[c][0],
                                .target_errors = caps[c][1], .threads = 1};
        rf_sim_result base = run_ranks(1, &codec, &cfg);
        CHECK(base.frames > 0 && base.decisions_xxh3 != 0);
        for (int size = 2; size <= 4; size++)
            for (unsigned threads = 1; threads <= 2; threads++) {
                cfg.threads = threads;
                rf_sim_result x = run_ranks(size, &codec, &cfg);
                CHECKF(same(&base, &x), "%d thread-ranks x %u threads (case %d): %llu frames / %llu block errors, "
                       "1 rank: %llu / %llu", size, threads, c, (unsigned long long)x.frames,
                       (unsigned long long)x.block_errors, (unsigned long long)base.frames,
                       (unsigned long long)base.block_errors);
                rf_sim_result_free(&x);
            }
        /* resume from a mid-point state on another rank count: the same end */
        keep_state k = {.after = base.frames / 3};
        cfg.threads = 1;
        cfg.on_round = keep_round;
        cfg.on_round_arg = &k;
        rf_sim_result y = run_ranks(2, &codec, &cfg);
        rf_sim_result_free(&y);
        CHECKF(k.have && k.kept.frames < base.frames && k.kept.next_batch > 0, "no mid-point state kept (case %d)", c);
        if (k.have) {
            cfg.on_round = NULL;
            cfg.resume = &k.kept;
            rf_sim_result z = run_ranks(3, &codec, &cfg);
            CHECKF(same(&base, &z), "resumed at frame %llu on 3 thread-ranks (case %d): %llu frames, want %llu",
                   (unsigned long long)k.kept.frames, c, (unsigned long long)z.frames,
                   (unsigned long long)base.frames);
            rf_sim_result_free(&z);
            rf_sim_result_free(&k.kept);
        }
        rf_sim_result_free(&base);
    }
    /* the stop flag: an interrupted point returns a prefix of whole batches, not finished */
    static volatile sig_atomic_t stop = 1;
    rf_sim_point_cfg cfg = {.sigma = 0.9, .channel = RF_CH_AWGN, .seed = 42, .max_frames = 300000,
                            .target_errors = 777, .threads = 2, .stop = &stop};
    rf_sim_result s = run_ranks(2, &codec, &cfg);
    CHECK(s.interrupted && !s.finished && s.frames == 0 && s.next_batch == 0);
    rf_sim_result_free(&s);
}

/* ---- the CLI ------------------------------------------------------------------------------------ */

static char out[1 << 16], err[1 << 12];

#define CLI(...) rf_test_cli(out, sizeof out, err, sizeof err, __VA_ARGS__, NULL)

static void test_cli_errors(void)
{
    char json[512];
    snprintf(json, sizeof json, "%s/bad.json", rf_test_tmpdir());
    const char *base[] = {"sim", "--max-frames", "100", "--target-errors", "10", "--json", json};
#define BAD(...)                                                                                    \
    do {                                                                                            \
        const int rc_ = rf_test_cli(out, sizeof out, err, sizeof err, base[0], base[1], base[2], base[3], base[4], \
                                    base[5], base[6], __VA_ARGS__, NULL);                           \
        CHECKF(rc_ == 2 && rf_test_lines(err) == 1 && access(json, F_OK) != 0, "%s -> rc %d, stderr: %s", \
               #__VA_ARGS__, rc_, err);                                                            \
    } while (0)
    BAD("--code", "rm:3:4", "--decoder", "dumer", "--ebn0", "0:1:1");         /* r > m */
    BAD("--code", "rm:17:1", "--decoder", "dumer", "--ebn0", "0:1:1");        /* m > 16 */
    BAD("--code", "polar:64:65", "--decoder", "sc", "--ebn0", "0:1:1");       /* K > N */
    BAD("--code", "polar:48:7", "--decoder", "sc", "--ebn0", "0:1:1");        /* N not a power of 2 */
    BAD("--code", "polar:64:7", "--decoder", "sc", "--design-sigma", "0", "--ebn0", "0:1:1");
    BAD("--code", "polar:64:7", "--decoder", "sc", "--design-sigma", "-1", "--ebn0", "0:1:1");
    BAD("--code", "polar:64:7", "--decoder", "sc", "--design-sigma", "nan", "--ebn0", "0:1:1");
    BAD("--code", "polar:64:7", "--decoder", "sc", "--construction", "rm", "--design-sigma", "1", "--ebn0", "0:1:1");
    BAD("--code", "polar:64:8", "--decoder", "sc", "--construction", "rm", "--ebn0", "0:1:1"); /* 8 is no k(6,r) */
    BAD("--code", "polar:64:7", "--decoder", "sc", "--construction", "file:/nonexistent/x", "--ebn0", "0:1:1");
    BAD("--code", "polar:64:7", "--decoder", "sc", "--construction", "magic", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--ebn0", "0:1:0");           /* STEP 0 */
    BAD("--code", "rm:3:1", "--decoder", "map", "--ebn0", "2:1:1");           /* B < A */
    BAD("--code", "rm:3:1", "--decoder", "map", "--snr", "0:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--snr", "1e6:1e6:1");        /* sigma underflows */
    BAD("--code", "rm:3:1", "--decoder", "map", "--ebn0", "0:1:1", "--snr", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map");                              /* no range */
    BAD("--code", "rm:3:1", "--decoder", "viterbi", "--ebn0", "0:1:1");
    BAD("--code", "ldpc:3:1", "--decoder", "map", "--ebn0", "0:1:1");
    BAD("--code", "rm:8:2", "--decoder", "map", "--ebn0", "0:1:1");           /* not applicable */
    BAD("--code", "rm:8:2", "--decoder", "softmap", "--ebn0", "0:1:1");
    BAD("--code", "polar:64:7", "--decoder", "dumer", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--f", "minsum", "--ebn0", "0:1:1"); /* --f on map */
    BAD("--code", "rm:3:1", "--decoder", "dumer", "--f", "maxsum", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--channel", "bsc", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--threads", "0", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--seed", "-1", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--isa", "sse9", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--construction", "ga", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "map", "--ebn0", "0:1:1", "--bogus");
    BAD("--code", "rm:3:1", "--decoder", "map", "--ebn0", "0:1:1", "--max-frames", "0");
    BAD("--code", "rm:3:1", "--decoder", "map", "--ebn0", "0:1:1", "--target-errors", "0");
    BAD("--code", "rm:3:1", "--decoder", "map", "--ebn0", "0:1:1", "--max-frames", "99999999999999999999999");
    BAD("--code", "polar:64:7", "--decoder", "scl:8", "--quant", "int8", "--ebn0", "0:1:1"); /* sc only */
    BAD("--code", "polar:64:7", "--decoder", "sc", "--quant", "int8", "--f", "exact", "--ebn0", "0:1:1");
    BAD("--code", "polar:64:7", "--decoder", "sc", "--quant", "int16", "--ebn0", "0:1:1");
    BAD("--code", "rm:6:2", "--decoder", "dumer", "--quant", "int8", "--ebn0", "0:1:1");
    BAD("--code", "rm:3:1", "--decoder", "scl:64", "--ebn0", "0:1:1");
    BAD("--code", "polar:64:7", "--decoder", "fscl:8", "--f", "exact", "--ebn0", "0:1:1"); /* min-sum only */
#undef BAD
    /* the construction file's own errors */
    char path[512];
    snprintf(path, sizeof path, "%s/info.txt", rf_test_tmpdir());
    const char *files[] = {"1 2 3\n", "47 55 59 60 61 62 64\n", "47 55 59 60 61 62 x\n", "", "47 55 59 60 61 62 63 1\n"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(files[i], f);
        fclose(f);
        char cons[600];
        snprintf(cons, sizeof cons, "file:%s", path);
        const int rc = CLI("sim", "--code", "polar:64:7", "--decoder", "sc", "--construction", cons, "--ebn0", "0:1:1",
                           "--max-frames", "10", "--target-errors", "1");
        CHECKF(rc == 2 && rf_test_lines(err) == 1 && strstr(err, path), "construction file '%s': rc %d, %s", files[i],
               rc, err);
    }
    CHECK(CLI("sim", "--help") == 0 && strstr(out, "usage: refast sim"));
    CHECK(CLI("sim") == 2);
}

/* --quant int8: polar_sc_i8 on Q(6,1) LLRs, recorded in the JSON; on Polar(128,96) at 4 dB its
 * block errors stay within a few of float min-sum SC's on the same frames (the int8 decoder equals
 * the float one on every frame whose quantised LLRs never saturate, tests/test_polar_i8.c). */
static void test_cli_int8(void)
{
    char j[512];
    snprintf(j, sizeof j, "%s/i8.json", rf_test_tmpdir());
    unsigned long blk[2] = {0, 0};
    for (int q = 0; q < 2; q++) {
        /* int8 is min-sum by construction (--f is refused there); f32 is told so */
        const int rc = q ? CLI("sim", "--code", "polar:128:96", "--decoder", "sc", "--quant", "int8", "--ebn0", "4:4:1",
                               "--max-frames", "4000", "--target-errors", "100000", "--seed", "8", "--threads", "1",
                               "--json", j)
                         : CLI("sim", "--code", "polar:128:96", "--decoder", "sc", "--quant", "f32", "--f", "minsum",
                               "--ebn0", "4:4:1", "--max-frames", "4000", "--target-errors", "100000", "--seed", "8",
                               "--threads", "1", "--json", j);
        CHECKF(rc == 0, "sim --quant %s: rc %d: %s", q ? "int8" : "f32", rc, err);
        char e[256];
        rf_json *doc = rf_json_parse_file(j, e, sizeof e);
        CHECKF(doc != NULL, "JSON: %s", e);
        if (!doc) continue;
        const char *quant = rf_json_get_string(doc, "quant"), *f = rf_json_get_string(doc, "f");
        CHECKF(quant && !strcmp(quant, q ? "int8 Q(6,1)" : "f32") && f && !strcmp(f, "minsum"), "quant %s f %s",
               quant ? quant : "-", f ? f : "-");
        const rf_json *pts = rf_json_get(doc, "points");
        double be = -1;
        if (pts && pts->count == 1) rf_json_get_number(&pts->items[0], "block_errors", &be);
        CHECKF(be >= 0, "no block_errors in %s", j);
        blk[q] = be < 0 ? 0 : (unsigned long)be;
        rf_json_free(doc);
    }
    CHECKF(blk[0] > 20 && blk[1] + 10 >= blk[0] && blk[1] <= blk[0] + blk[0] / 4 + 10,
           "block errors on 4000 frames: f32 minsum %lu, int8 %lu", blk[0], blk[1]);
    printf("Polar(128,96) SC at 4 dB, 4000 frames: %lu block errors in f32 min-sum, %lu in int8\n", blk[0], blk[1]);
}

/* fscl:L:crc=POLY: the Fast-SSC lists under the CRC give CA-SCL's errors on the same frames. */
static void test_cli_fast_ssc(void)
{
    char j[512];
    double be[2] = {-1, -1};
    for (int fast = 0; fast < 2; fast++) {
        snprintf(j, sizeof j, "%s/fscl%d.json", rf_test_tmpdir(), fast);
        const int rc = CLI("sim", "--code", "polar:256:140", "--decoder", fast ? "fscl:8:crc=crc11" : "scl:8:crc=crc11",
                           "--f", "minsum", "--ebn0", "2:2:1", "--max-frames", "1500", "--target-errors", "100000",
                           "--seed", "4", "--threads", "1", "--json", j);
        CHECKF(rc == 0, "sim %s: rc %d: %s", fast ? "fscl" : "scl", rc, err);
        char e[256];
        rf_json *doc = rf_json_parse_file(j, e, sizeof e);
        CHECKF(doc != NULL, "JSON: %s", e);
        if (!doc) continue;
        const rf_json *pts = rf_json_get(doc, "points");
        if (pts && pts->count == 1) rf_json_get_number(&pts->items[0], "block_errors", &be[fast]);
        rf_json_free(doc);
    }
    CHECKF(be[0] > 10 && be[0] == be[1], "block errors: scl %g, fscl %g", be[0], be[1]);
}

static void test_cli_run(void)
{
    char j1[512], j2[512];
    snprintf(j1, sizeof j1, "%s/a.json", rf_test_tmpdir());
    snprintf(j2, sizeof j2, "%s/b.json", rf_test_tmpdir());
    int rc = CLI("sim", "--code", "rm:4:1", "--decoder", "map", "--ebn0", "0:4:2", "--max-frames", "20000",
                 "--target-errors", "300", "--seed", "5", "--threads", "1", "--json", j1);
    CHECKF(rc == 0, "sim rc %d: %s", rc, err);
    rc = CLI("sim", "--code", "rm:4:1", "--decoder", "map", "--ebn0", "0:4:2", "--max-frames", "20000",
             "--target-errors", "300", "--seed", "5", "--threads", "2", "--json", j2);
    CHECKF(rc == 0, "sim rc %d: %s", rc, err);
    CHECK(strstr(out, "rm:4:1") && strstr(out, "BLER"));
    char e[256];
    rf_json *a = rf_json_parse_file(j1, e, sizeof e), *b = rf_json_parse_file(j2, e, sizeof e);
    CHECKF(a && b, "JSON does not parse: %s", e);
    if (a && b) {
        CHECK(!strcmp(rf_json_get_string(a, "code"), "rm:4:1") && !strcmp(rf_json_get_string(a, "decoder"), "map"));
        CHECK(!strcmp(rf_json_get_string(rf_json_get(a, "channel"), "kind"), "awgn"));
        double rate, seed;
        CHECK(rf_json_get_number(a, "rate", &rate) && rate == 5.0 / 16);
        CHECK(rf_json_get_number(a, "seed", &seed) && seed == 5);
        const rf_json *pa = rf_json_get(a, "points"), *pb = rf_json_get(b, "points");
        CHECK(pa && pb && pa->type == RF_JSON_ARRAY && pa->count == 3 && pb->count == 3);
        for (size_t i = 0; pa && pb && i < pa->count && i < pb->count; i++) {
            double sigma, ebn0, esn0, snr, bler, blo, bhi;
            const rf_json *p = &pa->items[i];
            CHECK(rf_json_get_number(p, "sigma", &sigma) && rf_json_get_number(p, "ebn0_db", &ebn0) &&
                  rf_json_get_number(p, "esn0_db", &esn0) && rf_json_get_number(p, "snr_db", &snr) &&
                  rf_json_get_number(p, "bler", &bler));
            CHECK(fabs(ebn0 - 2.0 * (double)i) < 1e-9 && fabs(sigma - rf_sigma_from_ebn0(ebn0, rate)) < 1e-12);
            CHECK(fabs(esn0 - (ebn0 + 10 * log10(rate))) < 1e-9 && fabs(snr - (esn0 + 10 * log10(2.0))) < 1e-9);
            const rf_json *ci = rf_json_get(p, "bler_ci95");
            CHECK(ci && ci->count == 2);
            if (ci && ci->count == 2) {
                blo = ci->items[0].number;
                bhi = ci->items[1].number;
                CHECK(blo <= bler && bler <= bhi);
            }
            static const char *const keys[] = {"frames", "bits", "bit_errors", "block_errors"};
            for (int kk = 0; kk < 4; kk++) {
                double x, y;
                CHECKF(rf_json_get_number(p, keys[kk], &x) && rf_json_get_number(&pb->items[i], keys[kk], &y) && x == y,
                       "point %zu: %s differs between --threads 1 and 2", i, keys[kk]);
            }
            const rf_json *lv = rf_json_get(p, "leaves");
            CHECK(lv && lv->count == 1);
        }
    }
    rf_json_free(a);
    rf_json_free(b);

    /* BLER of RM(3,1)/map: 0 at a high SNR, close to 1 - 1/16 at a very low one */
    rc = CLI("sim", "--code", "rm:3:1", "--decoder", "map", "--esn0", "14:14:1", "--max-frames", "20000",
             "--target-errors", "10", "--json", j1);
    a = rf_json_parse_file(j1, e, sizeof e);
    double x = -1;
    CHECK(rc == 0 && a && rf_json_get_number(&rf_json_get(a, "points")->items[0], "block_errors", &x) && x == 0);
    rf_json_free(a);
    rc = CLI("sim", "--code", "rm:3:1", "--decoder", "softmap", "--snr", "-60:-60:1", "--channel", "bursty",
             "--max-frames", "40000", "--target-errors", "1000000", "--json", j1);
    a = rf_json_parse_file(j1, e, sizeof e);
    CHECK(rc == 0 && a && rf_json_get_number(&rf_json_get(a, "points")->items[0], "bler", &x) &&
          fabs(x - 0.9375) < 0.006);
    rf_json_free(a);

    rc = CLI("sim", "--code", "rm:6:2", "--decoder", "dumer", "--ebn0", "3:3:1", "--max-frames", "2000",
             "--target-errors", "50");
    CHECKF(rc == 0 && strstr(out, "first wrong leaf"), "dumer run: rc %d %s", rc, err);
}

/* Monte Carlo sanity against theory: RM(6,1) is the (64, 7) biorthogonal (Hadamard) code with
 * weights 32 (126 codewords) and 64 (1). `dumer` on it is ML (the root is an r = 1 leaf: FHT MAP).
 * With BPSK +-1 and noise sigma, two codewords at Hamming distance w are 2 sqrt(w) apart, so the
 * pairwise error probability is Q(sqrt(w) / sigma) and the union bound on the block error rate is
 *   P_B <= 126 Q(sqrt(32) / sigma) + Q(8 / sigma),
 * which is tight at high SNR (the pairwise events stop overlapping). At SNR = -1 dB (the seed's
 * convention: sigma^2 = 10^(1/10), P_B ~ 2.9e-5), 4e6 frames of seed 3 give ~100 block errors and
 * a Wilson 95% interval of about +-20%, which must contain the bound. The bound also has to lie
 * above the interval's lower end at a low SNR where it is loose (SNR = -5 dB: bound 0.092, true
 * ~0.040), and it is never below the lower end (an upper bound). */
static void test_union_bound(void)
{
    char j[512];
    snprintf(j, sizeof j, "%s/ub.json", rf_test_tmpdir());
    const double snr_db[2] = {-1.0, -5.0};
    const char *const range[2] = {"-1:-1:1", "-5:-5:1"};
    const char *const frames[2] = {"4000000", "200000"};
    for (int t = 0; t < 2; t++) {
        int rc = CLI("sim", "--code", "rm:6:1", "--decoder", "dumer", "--snr", range[t], "--max-frames", frames[t],
                     "--target-errors", "100000000", "--seed", "3", "--json", j);
        char e[256];
        rf_json *a = rf_json_parse_file(j, e, sizeof e);
        double sigma = 0, lo = 0, hi = 0;
        const rf_json *p = a && rf_json_get(a, "points") ? &rf_json_get(a, "points")->items[0] : NULL;
        const rf_json *ci = p ? rf_json_get(p, "bler_ci95") : NULL;
        CHECKF(rc == 0 && p && ci && ci->count == 2 && rf_json_get_number(p, "sigma", &sigma), "rc %d: %s", rc, err);
        if (ci && ci->count == 2) {
            lo = ci->items[0].number;
            hi = ci->items[1].number;
        }
        CHECK(fabs(sigma - pow(10.0, -snr_db[t] / 20.0)) < 1e-12);
        const double q32 = 0.5 * erfc(sqrt(32.0) / sigma / sqrt(2.0)), q64 = 0.5 * erfc(8.0 / sigma / sqrt(2.0));
        const double bound = 126.0 * q32 + q64;
        CHECKF(lo <= bound, "SNR %g dB: union bound %.4g below the BLER interval [%.4g, %.4g]", snr_db[t], bound, lo,
               hi);
        if (t == 0)
            CHECKF(bound <= hi, "SNR %g dB: union bound %.4g outside the BLER interval [%.4g, %.4g]", snr_db[t],
                   bound, lo, hi);
        else
            CHECKF(bound > 1.5 * hi, "SNR %g dB: the union bound %.4g should be loose here (interval [%.4g, %.4g])",
                   snr_db[t], bound, lo, hi);
        rf_json_free(a);
    }
}

static void test_code_cmd(void)
{
    for (unsigned m = 1; m <= 8; m++) {
        char code[32], line[64];
        snprintf(code, sizeof code, "rm:%u:1", m);
        const int rc = CLI("code", "info", code);
        CHECKF(rc == 0, "code info %s: rc %d %s", code, rc, err);
        snprintf(line, sizeof line, "d = %u\n", 1u << (m - 1));
        CHECKF(strstr(out, line) != NULL, "%s: no '%s' in %s", code, line, out);
        snprintf(line, sizeof line, "  weight 0: 1\n");
        CHECK(strstr(out, line) != NULL);
        snprintf(line, sizeof line, "  weight %u: %u\n", 1u << (m - 1), (1u << (m + 1)) - 2);
        CHECKF(strstr(out, line) != NULL, "%s: no '%s'", code, line);
        snprintf(line, sizeof line, "  weight %u: 1\n", 1u << m);
        CHECKF(strstr(out, line) != NULL, "%s: no '%s'", code, line);
        CHECK(rf_test_lines(out) == 5); /* header, "weight distribution", three weights */
    }
    /* RM(4,2): the extended Hamming (16,11) code: A_4 = 140, A_6 = 448, A_8 = 870 */
    CHECK(CLI("code", "info", "rm:4:2") == 0 && strstr(out, "d = 4\n") && strstr(out, "  weight 4: 140\n") &&
          strstr(out, "  weight 6: 448\n") && strstr(out, "  weight 8: 870\n"));
    CHECK(CLI("code", "info", "rm:16:8") == 0 && strstr(out, "too large") && strstr(out, "d = 256"));
    /* the seed's Polar(64,7) information set: row i has weight 2^popcount(i): 60 has 16, 63 has 64, the
     * others 32, so d = 16 */
    char path[512], cons[600];
    snprintf(path, sizeof path, "%s/p647.txt", rf_test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("# seed 004 Polar(64,7)\n47, 55, 59, 60\n61 62 63\n", f);
    fclose(f);
    snprintf(cons, sizeof cons, "file:%s", path);
    CHECKF(CLI("code", "info", "polar:64:7", "--construction", cons) == 0 && strstr(out, "d = 16\n") &&
           strstr(out, "(128 codewords)"), "polar:64:7 info: %s %s", out, err);

    /* all pairs of RM(3,1): 120 = C(16, 2), 112 at distance 4 (2 sqrt 4 = 4), 8 at 8 */
    CHECK(CLI("code", "distances", "rm:3:1") == 0 && strstr(out, "all 120 pairs"));
    CHECK(strstr(out, "         4     4.000000                    112") != NULL);
    CHECK(strstr(out, "         8     5.656854                      8") != NULL);
    /* sampled above k = 16 */
    CHECK(CLI("code", "distances", "rm:6:2", "--pairs", "1000") == 0 && strstr(out, "sampled 1000 pairs"));
    { /* --json of a linear code: RM(3,1) pairs are 2^(k-1) A_w: 8 x 14 at w = 4 (distance 4), 8 at w = 8 */
        char dj[512], e[256];
        snprintf(dj, sizeof dj, "%s/dist.json", rf_test_tmpdir());
        CHECK(CLI("code", "distances", "rm:3:1", "--json", dj) == 0);
        rf_json *j = rf_json_parse_file(dj, e, sizeof e);
        const rf_json *books = j ? rf_json_get(j, "codebooks") : NULL;
        const rf_json *bk = books && books->count == 1 ? &books->items[0] : NULL;
        const rf_json *d = bk ? rf_json_get(bk, "distances") : NULL, *c = bk ? rf_json_get(bk, "counts") : NULL;
        double pairs = 0;
        CHECK(bk && rf_json_get_number(bk, "pairs", &pairs) && pairs == 120);
        CHECK(d && c && d->count == 2 && c->count == 2 && d->items[0].number == 4 &&
              fabs(d->items[1].number - 2 * sqrt(8.0)) < 1e-12 && c->items[0].number == 112 && c->items[1].number == 8);
        rf_json_free(j);
        CHECK(CLI("code", "distances", "rm:3:1", "--json", "/no/such/dir/d.json") == 2 && rf_test_lines(err) == 1);
    }
    CHECK(CLI("code", "info", "rm:3:4") == 2 && rf_test_lines(err) == 1);
    CHECK(CLI("code", "info") == 2);
    CHECK(CLI("code", "frobnicate", "rm:3:1") == 2);
    CHECK(CLI("code", "distances", "rm:3:1", "--pairs", "0") == 2);
    CHECK(CLI("code", "info", "rm:3:1", "--construction", "ga") == 2);
    CHECK(CLI("code", "--help") == 0);
}

/* Fail fast, lose nothing (issue 15): outputs that cannot be written are refused before the first
 * frame (no table row, one line, exit 2, nothing left behind); a checkpoint of another run or a
 * corrupted one is refused and left as it was; a checkpoint of a finished run reproduces it. */
static void test_cli_outputs(void)
{
    char json[512], ckpt[512], other[512];
    snprintf(json, sizeof json, "%s/o.json", rf_test_tmpdir());
    snprintf(ckpt, sizeof ckpt, "%s/o.ckpt", rf_test_tmpdir());
    snprintf(other, sizeof other, "%s/no/such/dir/x", rf_test_tmpdir());
#define RUN(...)                                                                                     \
    CLI("sim", "--code", "rm:5:1", "--decoder", "map", "--ebn0", "0:2:1", "--max-frames", "50000000", \
        "--target-errors", "100000000", __VA_ARGS__)
    /* 5e7 frames a point: had the check come after the simulation, this would take minutes */
    int rc = RUN("--json", other);
    CHECKF(rc == 2 && rf_test_lines(err) == 1 && strstr(err, "no/such/dir") && !strstr(out, "Eb/N0"),
           "--json into a missing folder: rc %d, %s", rc, err);
    rc = RUN("--checkpoint", other);
    CHECKF(rc == 2 && rf_test_lines(err) == 1 && strstr(err, "no/such/dir") && !strstr(out, "Eb/N0"),
           "--checkpoint into a missing folder: rc %d, %s", rc, err);

    rc = CLI("sim", "--code", "rm:5:1", "--decoder", "map", "--ebn0", "0:2:1", "--max-frames", "3000",
             "--target-errors", "50", "--json", json, "--checkpoint", ckpt);
    CHECKF(rc == 0, "sim with --checkpoint: rc %d, %s", rc, err);
    uint8_t *before = NULL, *after = NULL;
    size_t nb = 0, na = 0;
    char e[256];
    CHECK(rf_read_file(ckpt, 1 << 20, &before, &nb, e, sizeof e));
    /* the same command again: every point comes from the checkpoint, the JSON is the same */
    char json2[512];
    snprintf(json2, sizeof json2, "%s/o2.json", rf_test_tmpdir());
    rc = CLI("sim", "--code", "rm:5:1", "--decoder", "map", "--ebn0", "0:2:1", "--max-frames", "3000",
             "--target-errors", "50", "--json", json2, "--checkpoint", ckpt);
    CHECKF(rc == 0 && strstr(err, "3 of 3 points finished"), "rerun from a finished checkpoint: rc %d, %s", rc, err);
    rf_json *a = rf_json_parse_file(json, e, sizeof e), *b = rf_json_parse_file(json2, e, sizeof e);
    const rf_json *pa = a ? rf_json_get(a, "points") : NULL, *pb = b ? rf_json_get(b, "points") : NULL;
    CHECK(pa && pb && pa->count == 3 && pb->count == 3);
    for (size_t i = 0; pa && pb && i < 3 && i < pa->count && i < pb->count; i++) {
        double x, y;
        CHECK(rf_json_get_number(&pa->items[i], "frames", &x) && rf_json_get_number(&pb->items[i], "frames", &y) &&
              x == y);
        const char *h1 = rf_json_get_string(&pa->items[i], "decisions_xxh3"),
                   *h2 = rf_json_get_string(&pb->items[i], "decisions_xxh3");
        CHECK(h1 && h2 && strlen(h1) == 16 && !strcmp(h1, h2));
    }
    rf_json_free(a);
    rf_json_free(b);
    /* another run (another seed) must not take this checkpoint, nor touch it */
    rc = CLI("sim", "--code", "rm:5:1", "--decoder", "map", "--ebn0", "0:2:1", "--max-frames", "3000",
             "--target-errors", "50", "--seed", "2", "--checkpoint", ckpt);
    CHECKF(rc == 2 && rf_test_lines(err) == 1 && strstr(err, "another run"), "foreign checkpoint: rc %d, %s", rc, err);
    CHECK(rf_read_file(ckpt, 1 << 20, &after, &na, e, sizeof e) && na == nb && !memcmp(before, after, nb));
    free(after);
    /* one flipped digit: the hash line catches it */
    char *digit = strstr((char *)before, "\npoint 1 1 ");
    if (digit) {
        digit[12] = digit[12] == '7' ? '8' : '7';
        FILE *f = fopen(ckpt, "wb");
        fwrite(before, 1, nb, f);
        fclose(f);
        rc = CLI("sim", "--code", "rm:5:1", "--decoder", "map", "--ebn0", "0:2:1", "--max-frames", "3000",
                 "--target-errors", "50", "--checkpoint", ckpt);
        CHECKF(rc == 2 && rf_test_lines(err) == 1 && strstr(err, "corrupted"), "corrupted checkpoint: rc %d, %s", rc, err);
    }
    CHECK(digit != NULL);
    free(before);
#undef RUN
}

/* Serial results stay what they were (issue 15 changed the engine, not the numbers): the first
 * points of the committed reference runs, written by the engine before the rounds, reproduce count
 * for count (the tests run from the source tree). */
static void test_reference_runs(void)
{
    static const struct {
        const char *file, *args[16];
    } refs[] = {
        {"reports/sim/rm8_2_dumer.json",
         {"--code", "rm:8:2", "--decoder", "dumer", "--ebn0", "0:2:1", "--max-frames", "200000", "--target-errors", "500",
          "--seed", "1", NULL}},
        {"reports/sim/polar128_96_sc_minsum.json",
         {"--code", "polar:128:96", "--decoder", "sc", "--construction", "ga", "--design-sigma", "adaptive", "--f",
          "minsum", "--ebn0", "0:2:1", "--max-frames", "200000", NULL}},
    };
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        char json[512], e[256];
        snprintf(json, sizeof json, "%s/ref%zu.json", rf_test_tmpdir(), i);
        const char *const *a = refs[i].args;
        const int rc = i == 0 ? CLI("sim", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
                                    "--json", json)
                              : CLI("sim", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
                                    a[12], a[13], "--target-errors", "500", "--seed", "1", "--json", json);
        rf_json *got = rf_json_parse_file(json, e, sizeof e), *want = rf_json_parse_file(refs[i].file, e, sizeof e);
        const rf_json *pg = got ? rf_json_get(got, "points") : NULL, *pw = want ? rf_json_get(want, "points") : NULL;
        CHECKF(rc == 0 && pg && pw && pg->count == 3 && pw->count >= 3, "%s: rc %d, %s", refs[i].file, rc, e);
        static const char *const keys[] = {"frames", "bit_errors", "block_errors"};
        for (size_t p = 0; pg && pw && p < 3 && p < pg->count && p < pw->count; p++)
            for (size_t k = 0; k < 3; k++) {
                double x = -1, y = -2;
                rf_json_get_number(&pg->items[p], keys[k], &x);
                rf_json_get_number(&pw->items[p], keys[k], &y);
                CHECKF(x == y, "%s point %zu: %s %g, the committed run has %g", refs[i].file, p, keys[k], x, y);
            }
        rf_json_free(got);
        rf_json_free(want);
    }
}

int main(void)
{
    test_wilson();
    test_range();
    test_parse();
    test_leaves();
    test_engine();
    test_ranks();
    test_cli_errors();
    test_cli_run();
    test_cli_int8();
    test_cli_fast_ssc();
    test_cli_outputs();
    test_reference_runs();
    test_union_bound();
    test_code_cmd();
    return rf_test_summary("test_sim");
}
