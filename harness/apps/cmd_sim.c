/* refast sim: BER/BLER of an RM, polar or KO code under a decoder and a channel over a range of SNR
 * points (SPEC §5.1 "Metrics and simulation", §6). The Monte Carlo engine is sim.c; this file
 * parses and validates the command line (SPEC §8: one-line errors, exit 2), maps (code, decoder)
 * to the library's encoders and decoders through one table, and prints the table / writes the
 * JSON. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apps.h"
#include "cli.h"
#include "codespec.h"
#include "jsonw.h"
#include "refast/channel.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "refast/ko.h"
#include "refast/softmap.h"
#include "sim.h"
#include "ko/kow.h"
#include "codes/snr.h"

typedef struct codec_ctx {
    rf_codespec code;
    rf_decspec dec;
    int f;           /* RF_F_EXACT / RF_F_MINSUM */
    uint8_t *frozen; /* polar machinery: N entries */
} codec_ctx;

static void enc_rm(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const codec_ctx *c = ctx;
    rf_rm_encode_f32(c->code.m, c->code.r, msg, frames, x);
}

static void enc_polar(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const codec_ctx *c = ctx;
    rf_polar_encode_f32(c->code.m, c->frozen, msg, frames, x);
}

static void dec_dumer(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const codec_ctx *c = ctx;
    (void)soft;
    rf_rm_dumer(c->code.m, c->code.r, c->dec.kind == RF_DEC_DUMER0 ? RF_DUMER0 : RF_DUMER, c->f, llr, frames, msg);
}

static void dec_map(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const codec_ctx *c = ctx;
    (void)soft;
    rf_rm1_map(llr, c->code.m, frames, msg);
}

static void dec_softmap(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const codec_ctx *c = ctx;
    rf_rm1_softmap_maxlog(llr, c->code.m, frames, soft);
    for (size_t i = 0; i < frames * c->code.k; i++) msg[i] = soft[i] < 0; /* positive LLR: bit 0 */
}

static void dec_sc(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const codec_ctx *c = ctx;
    (void)soft;
    rf_polar_sc(c->code.m, c->frozen, c->f, llr, frames, msg);
}

/* KO: real codewords (||x||^2 = n) and the KO decoder on the raw observations (sim.h), hard bits
 * [L < 0] of its k output logits. */
static void enc_ko(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const codec_ctx *c = ctx;
    rf_ko_encode_f32(c->code.ko, msg, frames, x);
}

static void dec_ko(const void *ctx, const float *y, size_t frames, uint8_t *msg, float *soft)
{
    const codec_ctx *c = ctx;
    rf_ko_decode_f32(c->code.ko, y, frames, soft);
    for (size_t i = 0; i < frames * c->code.k; i++) msg[i] = soft[i] < 0 || soft[i] != soft[i]; /* NaN: wrong */
}

static void dec_scl(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const codec_ctx *c = ctx;
    (void)soft;
    rf_polar_scl(c->code.m, c->frozen, c->dec.list, c->f, llr, frames, msg);
}

/* (code, decoder) -> functions. `polar` rows encode with the polar encoder and a frozen set (an
 * RM code there uses the rm construction); `leaves` rows report the eq. 4.4 decomposition. KO(m,2)
 * decodes along the Plotkin tree of RM(m,2) in Dumer's order (leaf RM(i-1,1) of node (i,2) for
 * i = m..3, then RM(2,2)) with the bits of refast/ko.h's canonical order, so its leaves are
 * rf_rm_leaves(m, 2, RF_DUMER). */
typedef struct codec_row {
    rf_code_kind code;
    rf_dec_kind dec;
    bool polar, leaves, uses_f;
    int variant;
    void (*encode)(const void *, const uint8_t *, size_t, float *);
    void (*decode)(const void *, const float *, size_t, uint8_t *, float *);
} codec_row;

static const codec_row codec_table[] = {
    {RF_CODE_RM, RF_DEC_DUMER, false, true, true, RF_DUMER, enc_rm, dec_dumer},
    {RF_CODE_RM, RF_DEC_DUMER0, false, true, true, RF_DUMER0, enc_rm, dec_dumer},
    {RF_CODE_RM, RF_DEC_MAP, false, true, false, RF_DUMER, enc_rm, dec_map},
    {RF_CODE_RM, RF_DEC_SOFTMAP, false, true, false, RF_DUMER, enc_rm, dec_softmap},
    {RF_CODE_RM, RF_DEC_SC, true, false, true, 0, enc_polar, dec_sc},
    {RF_CODE_RM, RF_DEC_SCL, true, false, true, 0, enc_polar, dec_scl},
    {RF_CODE_POLAR, RF_DEC_SC, true, false, true, 0, enc_polar, dec_sc},
    {RF_CODE_POLAR, RF_DEC_SCL, true, false, true, 0, enc_polar, dec_scl},
    {RF_CODE_KO, RF_DEC_KO, false, true, false, RF_DUMER, enc_ko, dec_ko},
};

typedef struct progress_state {
    bool tty;
    size_t point, points;
    const char *conv;
    double value;
    double last;
} progress_state;

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress_cb(void *arg, uint64_t frames, uint64_t errors)
{
    progress_state *p = arg;
    const double t = wall_seconds();
    if (t - p->last < 0.2) return;
    p->last = t;
    fprintf(stderr, "\r\033[Ksim: point %zu/%zu (%s %.3g dB): %llu frames, %llu block errors", p->point + 1,
            p->points, p->conv, p->value, (unsigned long long)frames, (unsigned long long)errors);
    fflush(stderr);
}

/* What the command line says (the table below fills it). */
typedef struct sim_args {
    const char *code, *decoder, *construction, *design, *json;
    const char *ebn0, *esn0, *snr; /* exactly one is given */
    int f, channel;                /* indices into "exact|minsum" (-1: not given), "awgn|rayleigh|bursty" */
    rf_isa isa;
    unsigned long long max_frames, target_errors, seed, threads;
    bool have_threads;
} sim_args;

/* The run: the arguments resolved. */
typedef struct sim_opts {
    const sim_args *a;
    const char *range, *conv; /* conv: "ebn0", "esn0" or "snr" */
    unsigned long long threads;
} sim_opts;

static double sigma_of(const char *conv, double x, double rate)
{
    if (!strcmp(conv, "ebn0")) return rf_sigma_from_ebn0(x, rate);
    if (!strcmp(conv, "esn0")) return rf_sigma_from_esn0(x);
    return rf_sigma_from_snr(x);
}

static void json_number(rf_wbuf *w, const char *key, double v)
{
    rf_wbuf_printf(w, ",\"%s\":", key);
    rf_jsonw_num(w, v, 17);
}

static int sim_code(sim_opts o, codec_ctx ctx);

static int run_sim(const void *args)
{
    const sim_args *a = args;
    sim_opts o = {a, a->ebn0 ? a->ebn0 : a->esn0 ? a->esn0 : a->snr, a->ebn0 ? "ebn0" : a->esn0 ? "esn0" : "snr",
                  a->threads};
    if (!a->have_threads) {
        const long nc = sysconf(_SC_NPROCESSORS_ONLN);
        o.threads = nc < 1 ? 1 : nc > RF_SIM_MAX_THREADS ? RF_SIM_MAX_THREADS : (unsigned long long)nc;
    }
    char err[512];
    codec_ctx ctx = {0};
    if (!rf_codespec_parse(a->code, &ctx.code, err, sizeof err)) return rf_usage_error("sim: %s", err);
    const int status = sim_code(o, ctx);
    rf_codespec_free(&ctx.code);
    return status;
}

/* Everything after the code is parsed (the caller owns and frees the code). */
static int sim_code(sim_opts o, codec_ctx ctx)
{
    char err[512];
    const sim_args *args = o.a;
    if (!rf_decspec_parse(args->decoder, &ctx.dec, err, sizeof err)) return rf_usage_error("sim: %s", err);
    if (!rf_decspec_applies(&ctx.dec, &ctx.code, err, sizeof err)) return rf_usage_error("sim: %s", err);
    const codec_row *row = NULL;
    for (size_t i = 0; i < sizeof codec_table / sizeof codec_table[0]; i++)
        if (codec_table[i].code == ctx.code.kind && codec_table[i].dec == ctx.dec.kind) row = &codec_table[i];
    if (!row) return rf_usage_error("sim: decoder %s is not applicable to %s", ctx.dec.text, ctx.code.text);

    if (args->f >= 0 && !row->uses_f)
        return rf_usage_error("sim: --f applies to the dumer, dumer0, sc and scl decoders");
    ctx.f = args->f == 1 ? RF_F_MINSUM : RF_F_EXACT;
    const rf_channel_kind channel = (rf_channel_kind)args->channel; /* the choices in enum order */
    if (!row->polar && (args->construction || args->design))
        return rf_usage_error("sim: --construction and --design-sigma apply to sc/scl decoding only");
    rf_construction cons;
    if (!rf_construction_parse(args->construction, args->design, &ctx.code, &cons, err, sizeof err))
        return rf_usage_error("sim: %s", err);
    if (args->design && cons.kind != RF_CONS_GA && cons.kind != RF_CONS_BHATTACHARYYA) {
        rf_construction_free(&cons);
        return rf_usage_error("sim: --design-sigma applies to the ga and bhattacharyya constructions");
    }

    double a, step;
    size_t npoints;
    if (!rf_sim_range(o.range, &a, &step, &npoints, 10000, err, sizeof err)) {
        rf_construction_free(&cons);
        return rf_usage_error("sim: --%s %s", o.conv, err);
    }
    const double rate = (double)ctx.code.k / (double)ctx.code.n;
    for (size_t p = 0; p < npoints; p++) {
        const double x = a + (double)p * step, s = sigma_of(o.conv, x, rate);
        if (!(s > 0) || !isfinite(s) || (float)s < 1e-6f || (float)s > 1e6f) {
            rf_construction_free(&cons);
            return rf_usage_error("sim: --%s %g dB gives sigma = %g, outside [1e-6, 1e6]", o.conv, x, s);
        }
    }
    rf_leaf *leaves = NULL;
    size_t nleaves = 0;
    if (row->leaves) {
        nleaves = rf_rm_leaves(ctx.code.m, ctx.code.r, row->variant, NULL, 0);
        leaves = calloc(nleaves, sizeof *leaves);
        if (!leaves) {
            rf_construction_free(&cons);
            return rf_usage_error("sim: out of memory");
        }
        rf_rm_leaves(ctx.code.m, ctx.code.r, row->variant, leaves, nleaves);
    }
    if (row->polar) {
        ctx.frozen = calloc(ctx.code.n, 1);
        if (!ctx.frozen) {
            free(leaves);
            rf_construction_free(&cons);
            return rf_usage_error("sim: out of memory");
        }
    }
    rf_sim_codec codec = {ctx.code.n, ctx.code.k, &ctx, row->encode, row->decode, leaves, nleaves};
    bool (*const point_fn)(const rf_sim_codec *, const rf_sim_point_cfg *, rf_sim_result *, char *, size_t) =
        ctx.code.kind == RF_CODE_KO ? rf_sim_point_real : rf_sim_point;

    const char *chname = channel == RF_CH_AWGN ? "awgn" : channel == RF_CH_RAYLEIGH ? "rayleigh" : "bursty";
    const char *design_text = cons.adaptive ? "adaptive" : args->design;
    printf("sim: %s (n = %zu, k = %zu, R = %.6g), decoder %s%s%s, channel %s, seed %llu, isa %s, %llu thread%s\n",
           ctx.code.text, ctx.code.n, ctx.code.k, rate, ctx.dec.text, row->uses_f ? ", f " : "",
           row->uses_f ? (ctx.f == RF_F_MINSUM ? "minsum" : "exact") : "", chname, args->seed,
           rf_isa_name(rf_isa_current()), o.threads, o.threads == 1 ? "" : "s");
    if (ctx.code.kind == RF_CODE_KO)
        printf("weights %s: KO(%u,2) %s, real symbols, decoder input %s\n", ctx.code.path, ctx.code.m,
               rf_ko_arch_name(ctx.code.ko->arch), channel == RF_CH_RAYLEIGH ? "a y (matched filter)" : "raw y");
    if (row->polar)
        printf("construction %s%s%s, design sigma %s\n", rf_construction_name(&cons), cons.path ? ":" : "",
               cons.path ? cons.path : "", design_text);
    if (channel == RF_CH_BURSTY) printf("bursty: rho = 0.1, sigma_b = sqrt(2) sigma\n");
    printf("%7s %7s %7s %9s %11s %9s %10s %21s %8s %10s %21s\n", "Eb/N0", "Es/N0", "SNR", "sigma", "frames",
           "bit err", "BER", "[95% Wilson]", "blk err", "BLER", "[95% Wilson]");

    rf_wbuf jw = {0};
    rf_wbuf_puts(&jw, "{\"command\":\"sim\",\"code\":");
    rf_jsonw_str(&jw, ctx.code.text);
    if (ctx.code.kind == RF_CODE_KO) {
        uint64_t hhi = 0, hlo = 0;
        rf_wbuf_puts(&jw, ",\"weights\":");
        rf_jsonw_str(&jw, ctx.code.path);
        rf_wbuf_puts(&jw, ",\"architecture\":");
        rf_jsonw_str(&jw, rf_ko_arch_name(ctx.code.ko->arch));
        if (rf_ko_model_hash(ctx.code.ko, &hhi, &hlo))
            rf_wbuf_printf(&jw, ",\"weights_xxh3_128\":\"%016llx%016llx\"", (unsigned long long)hhi,
                           (unsigned long long)hlo);
        rf_wbuf_puts(&jw, ",\"decoder_input\":");
        rf_jsonw_str(&jw, channel == RF_CH_RAYLEIGH ? "a*y" : "y");
    }
    rf_wbuf_printf(&jw, ",\"n\":%zu,\"k\":%zu,\"rate\":%.17g,\"decoder\":", ctx.code.n, ctx.code.k, rate);
    rf_jsonw_str(&jw, ctx.dec.text);
    rf_wbuf_puts(&jw, ",\"f\":");
    rf_jsonw_str(&jw, row->uses_f ? (ctx.f == RF_F_MINSUM ? "minsum" : "exact") : "none");
    rf_wbuf_puts(&jw, ",\"construction\":");
    if (row->polar) {
        rf_wbuf_puts(&jw, "{\"kind\":");
        rf_jsonw_str(&jw, rf_construction_name(&cons));
        if (cons.path) {
            rf_wbuf_puts(&jw, ",\"file\":");
            rf_jsonw_str(&jw, cons.path);
        }
        if (cons.kind == RF_CONS_RM) rf_wbuf_printf(&jw, ",\"r\":%u", cons.rm_r);
        rf_wbuf_puts(&jw, ",\"design_sigma\":");
        if (cons.adaptive) rf_jsonw_str(&jw, "adaptive");
        else rf_wbuf_printf(&jw, "%.17g", cons.design_sigma);
        rf_wbuf_puts(&jw, "}");
    } else {
        rf_wbuf_puts(&jw, "null");
    }
    rf_wbuf_puts(&jw, ",\"channel\":{\"kind\":");
    rf_jsonw_str(&jw, chname);
    if (channel == RF_CH_BURSTY) rf_wbuf_printf(&jw, ",\"rho\":0.1,\"sigma_b_over_sigma\":%.17g", sqrt(2.0));
    rf_wbuf_puts(&jw, "},\"convention\":");
    rf_jsonw_str(&jw, o.conv);
    rf_wbuf_printf(&jw, ",\"seed\":%llu,\"max_frames\":%llu,\"target_errors\":%llu,\"threads\":%llu,\"isa\":",
                   args->seed, args->max_frames, args->target_errors, o.threads);
    rf_jsonw_str(&jw, rf_isa_name(rf_isa_current()));
    rf_wbuf_puts(&jw, ",\"message_stream\":\"philox(seed, 2^61 + frame)\",\"ber_ci95_note\":"
                     "\"Wilson over bits taken as independent trials (optimistic); ber_ci95_frames: normal "
                     "approximation from the variance of the per-frame bit error count\",\"points\":[");

    progress_state prog = {isatty(STDERR_FILENO) != 0, 0, npoints, o.conv, 0, 0};
    int status = RF_EXIT_OK;
    for (size_t p = 0; p < npoints; p++) {
        const double x = a + (double)p * step, sigma = sigma_of(o.conv, x, rate);
        if (row->polar && !rf_construction_frozen(&cons, &ctx.code, sigma, ctx.frozen, err, sizeof err)) {
            status = rf_usage_error("sim: construction at sigma %g: %s", sigma, err);
            break;
        }
        prog.point = p;
        prog.value = x;
        prog.last = 0;
        rf_sim_point_cfg cfg = {sigma,
                                channel,
                                0.1,
                                sqrt(2.0) * sigma,
                                args->seed,
                                args->max_frames,
                                args->target_errors,
                                (unsigned)o.threads,
                                prog.tty ? progress_cb : NULL,
                                &prog};
        rf_sim_result res;
        if (!point_fn(&codec, &cfg, &res, err, sizeof err)) {
            status = rf_usage_error("sim: %s", err);
            break;
        }
        if (prog.tty) fprintf(stderr, "\r\033[K");
        double ber_lo, ber_hi, bler_lo, bler_hi;
        rf_wilson(res.bit_errors, res.bits, &ber_lo, &ber_hi);
        rf_wilson(res.block_errors, res.frames, &bler_lo, &bler_hi);
        const double ber = res.bits ? (double)res.bit_errors / (double)res.bits : 0;
        const double bler = res.frames ? (double)res.block_errors / (double)res.frames : 0;
        /* + 0.0 turns the -0 of -10 log10(1) into 0 */
        const double ebn0 = rf_ebn0_from_sigma(sigma, rate) + 0.0, esn0 = rf_esn0_from_sigma(sigma) + 0.0,
                     snr = rf_snr_from_sigma(sigma) + 0.0;
        char bi[40], li[40];
        snprintf(bi, sizeof bi, "[%.3e, %.3e]", ber_lo, ber_hi);
        snprintf(li, sizeof li, "[%.3e, %.3e]", bler_lo, bler_hi);
        printf("%7.3f %7.3f %7.3f %9.6f %11llu %9llu %10.3e %21s %8llu %10.3e %21s\n", ebn0, esn0, snr, sigma,
               (unsigned long long)res.frames, (unsigned long long)res.bit_errors, ber, bi,
               (unsigned long long)res.block_errors, bler, li);
        if (nleaves && nleaves <= 24 && res.block_errors) {
            printf("        first wrong leaf (eq. 4.4):");
            for (size_t l = 0; l < nleaves; l++)
                printf(" (%u,%u) %.2e", leaves[l].m, leaves[l].r, (double)res.leaf_errors[l] / (double)res.frames);
            printf("\n");
        }
        fflush(stdout);

        if (p) rf_wbuf_puts(&jw, ",");
        rf_wbuf_puts(&jw, "{\"sigma\":");
        rf_wbuf_printf(&jw, "%.17g", sigma);
        json_number(&jw, "ebn0_db", ebn0);
        json_number(&jw, "esn0_db", esn0);
        json_number(&jw, "snr_db", snr);
        rf_wbuf_printf(&jw, ",\"frames\":%llu,\"bits\":%llu,\"bit_errors\":%llu,\"block_errors\":%llu",
                       (unsigned long long)res.frames, (unsigned long long)res.bits, (unsigned long long)res.bit_errors,
                       (unsigned long long)res.block_errors);
        json_number(&jw, "ber", ber);
        rf_wbuf_printf(&jw, ",\"ber_ci95\":[%.17g,%.17g]", ber_lo, ber_hi);
        double fr_lo, fr_hi;
        rf_sim_ber_interval(&res, 1.959963984540054, &fr_lo, &fr_hi);
        rf_wbuf_printf(&jw, ",\"bit_errors_sq\":%llu,\"ber_ci95_frames\":[%.17g,%.17g]",
                       (unsigned long long)res.bit_errors_sq, fr_lo, fr_hi);
        json_number(&jw, "bler", bler);
        rf_wbuf_printf(&jw, ",\"bler_ci95\":[%.17g,%.17g]", bler_lo, bler_hi);
        json_number(&jw, "seconds", res.seconds);
        json_number(&jw, "frames_per_second", res.seconds > 0 ? (double)res.frames / res.seconds : NAN);
        if (nleaves) {
            rf_wbuf_puts(&jw, ",\"leaves\":[");
            for (size_t l = 0; l < nleaves; l++)
                rf_wbuf_printf(&jw, "%s{\"m\":%u,\"r\":%u,\"first_bit\":%zu,\"bits\":%zu,\"block_errors\":%llu,"
                                    "\"bler\":%.17g}",
                               l ? "," : "", leaves[l].m, leaves[l].r, leaves[l].lo, leaves[l].count,
                               (unsigned long long)res.leaf_errors[l],
                               res.frames ? (double)res.leaf_errors[l] / (double)res.frames : 0.0);
            rf_wbuf_puts(&jw, "]");
        }
        rf_wbuf_puts(&jw, "}");
        rf_sim_result_free(&res);
    }
    rf_wbuf_puts(&jw, "]}\n");
    if (status == RF_EXIT_OK && args->json && !rf_wbuf_save(&jw, args->json, err, sizeof err))
        status = rf_usage_error("sim: %s", err);
    rf_wbuf_free(&jw);
    free(leaves);
    free(ctx.frozen);
    rf_construction_free(&cons);
    return status;
}

static const rf_opt sim_opts_table[] = {
    {"--code", RF_OPT_STR, offsetof(sim_args, code), "rm:M:R|polar:N:K|ko:FILE.kow",
     .help = "the code; KO weights come from refast ko init|import", .flags = RF_OPT_REQUIRED},
    {"--decoder", RF_OPT_STR, offsetof(sim_args, decoder), "dumer|dumer0|sc|scl:L|map|softmap|ko",
     .help = "rm codes: dumer, dumer0, map and softmap (rm:M:1 only), sc/scl:L\n"
             "(through the polar machinery with the rm frozen set); polar codes:\n"
             "sc, scl:L (1 <= L <= 32); KO codes: ko",
     .flags = RF_OPT_REQUIRED},
    {"--construction", RF_OPT_STR, offsetof(sim_args, construction), "ga|bhattacharyya|rm|file:F",
     .help = "the frozen set of sc/scl decoding (default ga)"},
    {"--design-sigma", RF_OPT_STR, offsetof(sim_args, design), "S|adaptive",
     .help = "the sigma the construction is designed at (default adaptive: each\npoint's sigma)"},
    {"--f", RF_OPT_CHOICE, offsetof(sim_args, f), "exact|minsum",
     .help = "the check-node function of dumer/sc/scl (default exact)"},
    {"--channel", RF_OPT_CHOICE, offsetof(sim_args, channel), "awgn|rayleigh|bursty",
     .help = "BPSK over AWGN; rayleigh: fast fading, coherent LLR; bursty: extra\nN(0, 2 sigma^2) noise on 10% of the "
     "symbols, AWGN LLR",
     .def = "awgn"},
    {"--ebn0", RF_OPT_STR, offsetof(sim_args, ebn0), "A:B:STEP",
     .help = "SNR points in Eb/N0 dB (R = k/n): sigma^2 = 1/(2R 10^(x/10))", .flags = RF_OPT_REQUIRED, .group = 1},
    {"--esn0", RF_OPT_STR, offsetof(sim_args, esn0), "A:B:STEP", .help = "in Es/N0 dB: sigma^2 = 1/(2 10^(x/10))",
     .flags = RF_OPT_REQUIRED, .group = 1},
    {"--snr", RF_OPT_STR, offsetof(sim_args, snr), "A:B:STEP",
     .help = "in the seed's training convention: sigma^2 = 10^(-x/10)", .flags = RF_OPT_REQUIRED, .group = 1},
    {"--max-frames", RF_OPT_U64, offsetof(sim_args, max_frames), "N", .help = "frames per point, at most",
     .min = 1, .max = (double)RF_SIM_MAX_FRAMES, .flags = RF_OPT_REQUIRED},
    {"--target-errors", RF_OPT_U64, offsetof(sim_args, target_errors), "E", .help = "block errors that end a point",
     .min = 1, .flags = RF_OPT_REQUIRED},
    {"--seed", RF_OPT_U64, offsetof(sim_args, seed), "S", .help = "messages and noise of frame f come from (S, f) only",
     .def = "1"},
    {"--threads", RF_OPT_U64, offsetof(sim_args, threads), "T",
     .help = "workers (default: all cores); results do not\ndepend on it",
     .min = 1, .max = RF_SIM_MAX_THREADS, .given = RF_GIVEN(sim_args, have_threads)},
    {"--json", RF_OPT_FILE, offsetof(sim_args, json), "FILE",
     .help = "record the code, decoder, construction, channel, seed, every SNR\nconvention and sigma, frames, errors, "
     "BER/BLER with their intervals\nand the per-leaf split"},
    {"--isa", RF_OPT_LEVEL, offsetof(sim_args, isa), NULL,
     .help = "the level of the kernels (default: REFAST_ISA, else the\nbest this CPU has)"},
    {0},
};

const rf_command rf_cmd_sim = {
    .name = "sim",
    .summary = "Monte Carlo BER/BLER of a code and decoder over a range of SNRs",
    .about = "Monte Carlo bit and block error rates with Wilson 95% intervals. Per SNR point (A, A+STEP,\n"
             "..., B): frames of random messages are encoded, sent over the channel and decoded, until\n"
             "E block errors or N frames. Frame f of every point uses the messages and noise of\n"
             "(seed, f) only, so results do not depend on --threads.\n"
             "KO codes: the real codewords (||x||^2 = n, unit symbol energy) go through the same noise as\n"
             "BPSK; the KO decoder gets the raw y (awgn, bursty) or the matched-filter output a y\n"
             "(rayleigh), no LLRs.\n"
             "For RM codes with dumer, dumer0, map or softmap and for KO codes the block errors are also\n"
             "split by the first wrong leaf of the Plotkin tree in decoding order (seed 004 eq. 4.4).\n"
             "The BER interval treats the k bits of a frame as independent trials, which errors inside\n"
             "a frame are not: it is narrower than the truth; the BLER interval is exact in that sense.\n"
             "The JSON also has ber_ci95_frames, a normal interval from the variance of the per-frame\n"
             "bit error count, which does account for that correlation.",
    .opts = sim_opts_table,
    .size = sizeof(sim_args),
    .run = run_sim,
};
