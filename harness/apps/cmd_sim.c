/* refast sim: BER/BLER of an RM, polar or KO code under a decoder and a channel over a range of SNR
 * points (SPEC §5.1 "Metrics and simulation", §6), alone or as one rank of `mpirun -np P` (issue
 * 15). This file drives a run: MPI or not, the checks every rank must agree on before the first
 * frame (SPEC §8: one line, exit 2, nothing written), the checkpoint, the signals, the progress
 * line, and the point loop. sim_setup.c validates, sim_output.c prints and writes, sim_engine.c
 * simulates. */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apps.h"
#include "cli.h"
#include "errf.h"
#include "sim_checkpoint.h"
#include "sim_mpi.h"
#include "sim_run.h"
#include "sim_signal.h"
#include "codes/cascl.h"

/* Whether an MPI launcher (Open MPI's mpirun, or a PMI/PMIx one) started this process: only then is
 * MPI initialised, so a plain `refast sim` never touches it. */
static bool mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The lowest rank whose `ok` is false, or -1 (collective). */
static int failing_rank(const rf_sim_comm *comm, bool ok)
{
    const uint64_t mine = !ok;
    uint64_t *all = malloc((size_t)comm->size * sizeof *all);
    char err[256];
    if (!all || !comm->allgather(comm->ctx, &mine, 1, all, err, sizeof err)) {
        free(all);
        return comm->rank;
    }
    int bad = -1;
    for (int r = comm->size - 1; r >= 0; r--)
        if (all[r]) bad = r;
    free(all);
    return bad;
}

/* Rank 0's state of every point to all ranks (they size their rounds and stop on it): a sum in
 * which the other ranks add zeros. */
static bool share_state(rf_sim_run *r, char *err, size_t errlen)
{
    if (r->comm.size == 1) return true;
    enum { FIN, NEXT, FRAMES, BITS, SQ, BLOCKS, HASH, FIXED };
    const size_t w = FIXED + r->nleaves, words = w * r->npoints;
    uint64_t *t = calloc(words, sizeof *t);
    if (!t) return rf_fail(err, errlen, "out of memory");
    for (size_t p = 0; p < r->npoints && r->comm.rank == 0; p++) {
        const rf_sim_result *s = &r->state[p];
        uint64_t *q = t + p * w;
        q[FIN] = s->finished, q[NEXT] = s->next_batch, q[FRAMES] = s->frames, q[BITS] = s->bit_errors;
        q[SQ] = s->bit_errors_sq, q[BLOCKS] = s->block_errors, q[HASH] = s->decisions_xxh3;
        for (size_t l = 0; s->leaf_errors && l < r->nleaves; l++) q[FIXED + l] = s->leaf_errors[l];
    }
    bool ok = r->comm.allreduce_sum(r->comm.ctx, t, words, err, errlen);
    for (size_t p = 0; ok && p < r->npoints && r->comm.rank != 0; p++) {
        const uint64_t *q = t + p * w;
        rf_sim_result *s = &r->state[p];
        if (!q[FIN] && !q[NEXT]) continue;
        s->finished = q[FIN], s->next_batch = q[NEXT], s->frames = q[FRAMES], s->bit_errors = q[BITS];
        s->bit_errors_sq = q[SQ], s->block_errors = q[BLOCKS], s->decisions_xxh3 = q[HASH];
        s->nleaves = r->nleaves;
        if (!(s->leaf_errors = calloc(r->nleaves ? r->nleaves : 1, sizeof *s->leaf_errors)))
            ok = rf_fail(err, errlen, "out of memory");
        for (size_t l = 0; ok && l < r->nleaves; l++) s->leaf_errors[l] = q[FIXED + l];
    }
    free(t);
    return ok;
}

/* Rank 0 during a point: the progress line and the checkpoint. */
typedef struct round_watch {
    rf_sim_run *r;
    size_t point;
    bool tty;
    double every, last_progress, last_ckpt, started;
    bool ckpt_warned;
} round_watch;

static void save_checkpoint(round_watch *w, const rf_sim_result *current)
{
    rf_sim_run *r = w->r;
    if (!r->a->checkpoint) return;
    rf_sim_result saved = r->state[w->point];
    if (current) r->state[w->point] = *current; /* borrowed for the write */
    char err[512];
    const bool ok = rf_sim_ckpt_save(r->a->checkpoint, r->description, r->state, r->npoints, err, sizeof err);
    r->state[w->point] = saved;
    w->last_ckpt = wall_seconds();
    if (!ok && !w->ckpt_warned) fprintf(stderr, "%ssim: warning: checkpoint not written: %s\n", w->tty ? "\r\033[K" : "", err);
    w->ckpt_warned = !ok;
}

static void on_round(void *arg, const rf_sim_result *st)
{
    round_watch *w = arg;
    const double t = wall_seconds();
    if (w->every > 0 && t - w->last_progress >= w->every) {
        w->last_progress = t;
        const double x = w->r->first + (double)w->point * w->r->step;
        fprintf(stderr, "%ssim: point %zu/%zu (%s %.3g dB): %" PRIu64 " frames, %" PRIu64 " block errors, %.3g frames/s%s",
                w->tty ? "\r\033[K" : "", w->point + 1, w->r->npoints, w->r->conv, x, st->frames, st->block_errors,
                t > w->started ? (double)st->frames / (t - w->started) : 0.0, w->tty ? "" : "\n");
        fflush(stderr);
    }
    if (!st->finished && w->r->a->checkpoint && t - w->last_ckpt >= w->r->a->checkpoint_every) save_checkpoint(w, st);
}

/* Everything before the first frame that can fail: the arguments, the ranks' levels, the outputs
 * (rank 0 checks that --json and --checkpoint can be written) and the checkpoint to resume from.
 * Returns 0, or the exit status after the one-line error (printed once: by rank 0, or by the
 * failing rank when rank 0 is fine). */
static int prepare(rf_sim_run *r)
{
    char err[768] = "";
    bool ok = rf_sim_setup(r, err, sizeof err);
    int bad = failing_rank(&r->comm, ok);
    if (bad < 0) ok = rf_sim_describe(r, err, sizeof err);
    const rf_sim_args *a = r->a;
    if (bad < 0 && ok && r->comm.rank == 0) {
        ok = (!a->json || rf_check_writable(a->json, err, sizeof err)) &&
             (!a->checkpoint || rf_check_writable(a->checkpoint, err, sizeof err));
        if (ok && a->checkpoint) {
            const int rc = rf_sim_ckpt_load(a->checkpoint, r->description, r->state, r->npoints, r->nleaves, err,
                                            sizeof err);
            ok = rc >= 0;
            for (size_t p = 0; ok && p < r->npoints; p++) r->state[p].bits = r->state[p].frames * rf_sim_info_bits(&r->ctx);
        }
    }
    if (bad < 0) bad = failing_rank(&r->comm, ok);
    if (bad < 0) {
        ok = share_state(r, err, sizeof err);
        bad = failing_rank(&r->comm, ok);
    }
    if (bad < 0) {
        size_t done = 0, at = r->npoints;
        for (size_t p = 0; p < r->npoints; p++) {
            done += r->state[p].finished;
            if (!r->state[p].finished && r->state[p].frames && at == r->npoints) at = p;
        }
        if (r->comm.rank == 0 && (done || at < r->npoints)) {
            fprintf(stderr, "sim: resuming from %s: %zu of %zu points finished", a->checkpoint, done, r->npoints);
            if (at < r->npoints) fprintf(stderr, ", point %zu at frame %" PRIu64, at + 1, r->state[at].frames);
            fprintf(stderr, "\n");
        }
        return 0;
    }
    if (!ok && r->comm.rank == 0) return rf_usage_error("sim: %s", err);
    if (!ok && bad != 0) return rf_usage_error("sim: rank %d: %s", r->comm.rank, err);
    return RF_EXIT_USAGE;
}

/* The points, from the checkpoint's state on. Returns the exit status. */
static int run_points(rf_sim_run *r)
{
    const bool lead = r->comm.rank == 0;
    const rf_sim_args *a = r->a;
    bool (*const point_fn)(const rf_sim_codec *, const rf_sim_point_cfg *, rf_sim_result *, char *, size_t) =
        r->ctx.code.kind == RF_CODE_KO ? rf_sim_point_real : rf_sim_point;
    const bool tty = isatty(STDERR_FILENO) != 0;
    round_watch w = {r, 0, tty, tty ? 0.2 : r->comm.size > 1 ? 10 : 0, 0, wall_seconds(), 0, false};
    if (lead) rf_sim_print_header(r);
    int status = RF_EXIT_OK;
    bool interrupted = false;
    char err[512];
    rf_sim_signals_install();
    for (size_t p = 0; p < r->npoints && status == RF_EXIT_OK && !interrupted; p++) {
        const double sigma = rf_sim_point_sigma(r, p);
        if (r->row->polar && !rf_construction_frozen(&r->cons, &r->ctx.code, sigma, r->ctx.frozen, err, sizeof err)) {
            status = lead ? rf_usage_error("sim: construction at sigma %g: %s", sigma, err) : RF_EXIT_USAGE;
            break;
        }
        if (!r->state[p].finished) {
            w.point = p;
            w.started = wall_seconds();
            w.last_progress = w.started;
            const rf_sim_point_cfg cfg = {sigma, r->channel, 0.1, sqrt(2.0) * sigma, a->seed, a->max_frames,
                                          a->target_errors, r->threads, on_round, &w, &r->comm, &rf_sim_stop_signal,
                                          r->state[p].next_batch || r->state[p].frames ? &r->state[p] : NULL};
            rf_sim_result res;
            if (!point_fn(&r->codec, &cfg, &res, err, sizeof err)) {
                if (r->comm.size > 1) { /* one rank alone may have failed: end them all */
                    fprintf(stderr, "refast: sim: rank %d: %s\n", r->comm.rank, err);
                    rf_sim_mpi_abort(RF_EXIT_USAGE);
                }
                status = rf_usage_error("sim: %s", err);
                break;
            }
            rf_sim_result_free(&r->state[p]);
            r->state[p] = res;
            if (tty && lead) fprintf(stderr, "\r\033[K");
            interrupted = res.interrupted;
        }
        if (lead && r->state[p].finished) {
            rf_sim_print_point(r, p, &r->state[p]);
            save_checkpoint(&w, NULL);
        }
    }
    rf_sim_signals_restore();
    if (lead && r->ctx.used) {
        /* this process's decodings only (not those of other ranks or before a checkpoint) */
        printf("adaptive list sizes (frames decoded at each L, all points, with the frames of batches decoded past a point's end):");
        for (int t = 0; t < RF_CASCL_USED - 1; t++)
            if (r->ctx.used[t] || (1u << t) <= r->ctx.dec.list)
                printf(" %s%u: %llu", t ? "L=" : "SC L=", 1u << t, (unsigned long long)r->ctx.used[t]);
        if (r->ctx.used[RF_CASCL_USED - 1])
            printf(" L=%u: %llu", r->ctx.dec.list, (unsigned long long)r->ctx.used[RF_CASCL_USED - 1]);
        printf("\n");
    }
    if (status != RF_EXIT_OK) return status;
    if (interrupted) {
        const int sig = rf_sim_stop_signal ? rf_sim_stop_signal : SIGTERM;
        size_t done = 0;
        for (size_t p = 0; p < r->npoints; p++) done += r->state[p].finished;
        if (lead) {
            save_checkpoint(&w, NULL);
            fprintf(stderr, "refast: sim: stopped by signal %d after %zu of %zu points%s%s%s%s\n", sig, done,
                    r->npoints, a->json ? "; finished points in " : "", a->json ? a->json : "",
                    a->checkpoint ? "; state in " : "", a->checkpoint ? a->checkpoint : "");
        }
        status = 128 + sig;
    }
    if (lead && a->json) {
        rf_wbuf jw = {0};
        rf_sim_json(r, interrupted, &jw);
        if (!rf_wbuf_save(&jw, a->json, err, sizeof err)) status = rf_usage_error("sim: %s", err);
        rf_wbuf_free(&jw);
    }
    return status;
}

static int run_sim(const void *args)
{
    const rf_sim_args *a = args;
    rf_sim_run r = {.a = a, .comm = *rf_sim_comm_self()};
    unsigned local = 1;
    const bool mpi = mpi_launched();
    if (mpi) {
        char err[256];
        if (!rf_sim_mpi_init(&r.comm, &local, err, sizeof err)) return rf_usage_error("sim: %s", err);
        if (r.comm.rank != 0 && !freopen("/dev/null", "w", stdout)) return RF_EXIT_USAGE; /* the table: rank 0 */
    }
    if (a->have_threads) {
        r.threads = (unsigned)a->threads;
    } else { /* the cores of this node, shared by its ranks */
        const long nc = sysconf(_SC_NPROCESSORS_ONLN) / (long)local;
        r.threads = nc < 1 ? 1 : nc > RF_SIM_MAX_THREADS ? RF_SIM_MAX_THREADS : (unsigned)nc;
    }
    int status = prepare(&r);
    if (status == 0) status = run_points(&r);
    rf_sim_run_free(&r);
    if (mpi) rf_sim_mpi_finalize();
    return status;
}

static const rf_opt sim_opts_table[] = {
    {"--code", RF_OPT_STR, offsetof(rf_sim_args, code), "rm:M:R|polar:N:K|ko:FILE.kow",
     .help = "the code; KO weights come from refast ko init|import", .flags = RF_OPT_REQUIRED},
    {"--decoder", RF_OPT_STR, offsetof(rf_sim_args, decoder),
     "dumer|dumer0|sc|scl:L[:crc=POLY[:adaptive]]|fscl:L[...]|map|softmap|ko",
     .help = "rm codes: dumer, dumer0, map and softmap (rm:M:1 only), sc/scl:L\n"
             "(through the polar machinery with the rm frozen set); polar codes:\n"
             "sc, scl:L (1 <= L <= 32); KO codes: ko.\n"
             "fscl:L[...]: as scl, decoded by the Fast-SSC list decoder (the same\n"
             "decisions, min-sum only: faster).\n"
             "scl:L:crc=POLY (polar codes): CRC-aided list decoding, the best path\n"
             "whose CRC passes; the last w of the K bits are the CRC of the first\n"
             "K - w (the message; R = (K - w)/N). POLY: crc6, crc11, crc16, crc24c\n"
             "(3GPP TS 38.212), crc32 (GZIP, reflected) or 0xPOLY/W (without the\n"
             "x^W term, e.g. 0x1021/16). :adaptive: SC first, then L = 2, 4, ...\n"
             "up to L while the CRC fails (prints how many frames ended at each L)",
     .flags = RF_OPT_REQUIRED},
    {"--construction", RF_OPT_STR, offsetof(rf_sim_args, construction), "ga|bhattacharyya|rm|file:F",
     .help = "the frozen set of sc/scl decoding (default ga)"},
    {"--design-sigma", RF_OPT_STR, offsetof(rf_sim_args, design), "S|adaptive",
     .help = "the sigma the construction is designed at (default adaptive: each\npoint's sigma)"},
    {"--f", RF_OPT_CHOICE, offsetof(rf_sim_args, f), "exact|minsum",
     .help = "the check-node function of dumer/sc/scl (default exact)"},
    {"--quant", RF_OPT_CHOICE, offsetof(rf_sim_args, quant), "f32|int8",
     .help = "the decoder's arithmetic: f32 (default) or int8, the channel LLRs quantised to Q(6,1)\n"
             "(6 bits, 1 fractional) and decoded by polar_sc_i8 (sc only; min-sum)"},
    {"--channel", RF_OPT_CHOICE, offsetof(rf_sim_args, channel), "awgn|rayleigh|bursty",
     .help = "BPSK over AWGN; rayleigh: fast fading, coherent LLR; bursty: extra\nN(0, 2 sigma^2) noise on 10% of the "
     "symbols, AWGN LLR",
     .def = "awgn"},
    {"--ebn0", RF_OPT_STR, offsetof(rf_sim_args, ebn0), "A:B:STEP",
     .help = "SNR points in Eb/N0 dB (R = k/n): sigma^2 = 1/(2R 10^(x/10))", .flags = RF_OPT_REQUIRED, .group = 1},
    {"--esn0", RF_OPT_STR, offsetof(rf_sim_args, esn0), "A:B:STEP", .help = "in Es/N0 dB: sigma^2 = 1/(2 10^(x/10))",
     .flags = RF_OPT_REQUIRED, .group = 1},
    {"--snr", RF_OPT_STR, offsetof(rf_sim_args, snr), "A:B:STEP",
     .help = "in the seed's training convention: sigma^2 = 10^(-x/10)", .flags = RF_OPT_REQUIRED, .group = 1},
    {"--max-frames", RF_OPT_U64, offsetof(rf_sim_args, max_frames), "N", .help = "frames per point, at most",
     .min = 1, .max = (double)RF_SIM_MAX_FRAMES, .flags = RF_OPT_REQUIRED},
    {"--target-errors", RF_OPT_U64, offsetof(rf_sim_args, target_errors), "E", .help = "block errors that end a point",
     .min = 1, .flags = RF_OPT_REQUIRED},
    {"--seed", RF_OPT_U64, offsetof(rf_sim_args, seed), "S", .help = "messages and noise of frame f come from (S, f) only",
     .def = "1"},
    {"--threads", RF_OPT_U64, offsetof(rf_sim_args, threads), "T",
     .help = "workers per process (default: the cores, shared by the MPI ranks of a\nnode); results do not depend on it",
     .min = 1, .max = RF_SIM_MAX_THREADS, .given = RF_GIVEN(rf_sim_args, have_threads)},
    {"--json", RF_OPT_FILE, offsetof(rf_sim_args, json), "FILE",
     .help = "record the code, decoder, construction, channel, seed, every SNR\nconvention and sigma, frames, errors, "
     "BER/BLER with their intervals,\nthe per-leaf split, the decision hash and the times"},
    {"--checkpoint", RF_OPT_FILE, offsetof(rf_sim_args, checkpoint), "FILE",
     .help = "keep the state of every point in FILE (atomically, at round\n"
             "boundaries); when FILE exists, continue from it: a killed run\n"
             "resumed with the same command ends with the same counts"},
    {"--checkpoint-every", RF_OPT_F64, offsetof(rf_sim_args, checkpoint_every), "S",
     .help = "seconds between checkpoints inside a point (also written at the\nend of every point and on a signal)",
     .def = "60", .min = 0, .max = 1e9},
    {"--isa", RF_OPT_LEVEL, offsetof(rf_sim_args, isa), NULL,
     .help = "the level of the kernels (default: REFAST_ISA, else the\nbest this CPU has)"},
    {0},
};

const rf_command rf_cmd_sim = {
    .name = "sim",
    .summary = "Monte Carlo BER/BLER of a code and decoder over a range of SNRs",
    .about = "Monte Carlo bit and block error rates with Wilson 95% intervals. Per SNR point (A, A+STEP,\n"
             "..., B): frames of random messages are encoded, sent over the channel and decoded, until\n"
             "E block errors or N frames. Frame f of every point uses the messages and noise of\n"
             "(seed, f) only, so results do not depend on --threads, nor on the number of MPI ranks:\n"
             "`mpirun -np P refast sim ...` splits every point's frames across P processes and gives\n"
             "the counts and decision hash of the serial run (README \"sim over MPI\").\n"
             "KO codes: the real codewords (||x||^2 = n, unit symbol energy) go through the same noise as\n"
             "BPSK; the KO decoder gets the raw y (awgn, bursty) or the matched-filter output a y\n"
             "(rayleigh), no LLRs. A .kow of architecture polar_64_7 is the authors' KO Polar(64,7).\n"
             "For RM codes with dumer, dumer0, map or softmap and for KO(m,2) codes the block errors are\n"
             "also split by the first wrong leaf of the Plotkin tree in decoding order (seed 004 eq. 4.4).\n"
             "The BER interval treats the k bits of a frame as independent trials, which errors inside\n"
             "a frame are not: it is narrower than the truth; the BLER interval is exact in that sense.\n"
             "The JSON also has ber_ci95_frames, a normal interval from the variance of the per-frame\n"
             "bit error count, which does account for that correlation.\n"
             "--json and --checkpoint are checked for writability before the first frame. SIGINT or\n"
             "SIGTERM end the run at the next round: the finished points go to the JSON (marked\n"
             "\"partial\") and the state to the checkpoint, and the exit code is 128 + the signal.",
    .opts = sim_opts_table,
    .size = sizeof(rf_sim_args),
    .run = run_sim,
};
