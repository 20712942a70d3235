/* refast sim: BER/BLER of an RM, polar or KO code under a decoder and a channel over a range of SNR
 * points (SPEC §5.1 "Metrics and simulation", §6). The Monte Carlo engine is sim.c; this file
 * parses and validates the command line (SPEC §8: one-line errors, exit 2), maps (code, decoder)
 * to the library's encoders and decoders through one table, and prints the table / writes the
 * JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static void sim_help(void)
{
    printf("usage: refast sim --code rm:M:R|polar:N:K|ko:FILE.kow --decoder dumer|dumer0|sc|scl:L|map|softmap|ko\n"
           "                  [--construction ga|bhattacharyya|rm|file:F] [--design-sigma S|adaptive]\n"
           "                  [--f exact|minsum] [--channel awgn|rayleigh|bursty]\n"
           "                  --ebn0 A:B:STEP | --esn0 A:B:STEP | --snr A:B:STEP\n"
           "                  --max-frames N --target-errors E [--seed S] [--threads T] [--json FILE]\n"
           "                  [--isa LEVEL]\n"
           "Monte Carlo bit and block error rates with Wilson 95%% intervals. Per SNR point (A, A+STEP,\n"
           "..., B): sigma from the convention (Eb/N0 in dB with R = k/n: sigma^2 = 1/(2R 10^(x/10));\n"
           "Es/N0: 1/(2 10^(x/10)); --snr, the seed's training convention: 10^(-x/10)); frames of\n"
           "random messages are encoded, sent over the channel (BPSK; rayleigh: fast fading, coherent\n"
           "LLR; bursty: extra N(0, 2 sigma^2) noise on 10%% of the symbols, AWGN LLR) and decoded,\n"
           "until E block errors or N frames. Frame f of every point uses the messages and noise of\n"
           "(seed, f) only, so results do not depend on --threads (default: all cores).\n"
           "Decoders: rm codes: dumer, dumer0, map and softmap (rm:M:1 only), sc/scl:L (through the\n"
           "polar machinery with the rm frozen set); polar codes: sc, scl:L (1 <= L <= 32), frozen set\n"
           "from --construction (default ga) at --design-sigma (default adaptive: each point's sigma).\n"
           "--f picks the check-node function of dumer/sc/scl (default exact).\n"
           "KO codes: --code ko:FILE.kow (weights from refast ko init|import), --decoder ko only. The\n"
           "real codewords (||x||^2 = n, unit symbol energy) go through the same noise as BPSK; the KO\n"
           "decoder gets the raw y (awgn, bursty) or the matched-filter output a y (rayleigh), no LLRs.\n"
           "For RM codes with dumer, dumer0, map or softmap and for KO codes the block errors are also\n"
           "split by the first wrong leaf of the Plotkin tree in decoding order (seed 004 eq. 4.4).\n"
           "--json FILE records the code, decoder, construction, channel, seed, every SNR convention\n"
           "and sigma, frames, errors, BER/BLER with their intervals and the per-leaf split.\n"
           "The BER interval treats the k bits of a frame as independent trials, which errors inside\n"
           "a frame are not: it is narrower than the truth; the BLER interval is exact in that sense.\n"
           "The JSON also has ber_ci95_frames, a normal interval from the variance of the per-frame\n"
           "bit error count, which does account for that correlation.\n");
}

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

typedef struct sim_opts {
    const char *code, *decoder, *construction, *design, *fname, *channel, *json, *isa;
    const char *range, *conv; /* conv: "ebn0", "esn0" or "snr" */
    unsigned long long max_frames, target_errors, seed, threads;
    bool have_max, have_target, have_threads;
} sim_opts;

static int parse_args(int argc, char **argv, sim_opts *o, bool *help)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    *help = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        const char *name = argv[i];
        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            *help = true;
            return RF_EXIT_OK;
        }
#define STR_OPT(opt, field, what)                                                                  \
    if (rf_opt(argc, argv, &i, opt, &v)) {                                                         \
        if (!v) return rf_usage_error("sim: " opt " needs %s", what);                              \
        o->field = v;                                                                              \
        continue;                                                                                  \
    }
        STR_OPT("--code", code, "a code (rm:M:R or polar:N:K)")
        STR_OPT("--decoder", decoder, "a decoder")
        STR_OPT("--construction", construction, "ga, bhattacharyya, rm or file:F")
        STR_OPT("--design-sigma", design, "a sigma or 'adaptive'")
        STR_OPT("--f", fname, "exact or minsum")
        STR_OPT("--channel", channel, "awgn, rayleigh or bursty")
        STR_OPT("--json", json, "a file name")
        STR_OPT("--isa", isa, "a level")
#undef STR_OPT
        static const char *const convs[] = {"--ebn0", "--esn0", "--snr"};
        bool matched = false;
        for (int c = 0; c < 3 && !matched; c++) {
            if (!rf_opt(argc, argv, &i, convs[c], &v)) continue;
            matched = true;
            if (!v) return rf_usage_error("sim: %s needs a range A:B:STEP", convs[c]);
            if (o->conv) return rf_usage_error("sim: give exactly one of --ebn0, --esn0, --snr");
            o->conv = convs[c] + 2;
            o->range = v;
        }
        if (matched) continue;
        static const char *const nums[] = {"--max-frames", "--target-errors", "--seed", "--threads"};
        for (int c = 0; c < 4 && !matched; c++) {
            if (!rf_opt(argc, argv, &i, nums[c], &v)) continue;
            matched = true;
            unsigned long long x;
            if (!v || !rf_parse_u64(v, &x))
                return rf_usage_error("sim: %s needs a non-negative integer%s%s%s", nums[c], v ? ", got '" : "",
                                      v ? v : "", v ? "'" : "");
            switch (c) {
            case 0:
                if (x < 1 || x > RF_SIM_MAX_FRAMES)
                    return rf_usage_error("sim: --max-frames %llu is outside [1, 2^50]", x);
                o->max_frames = x;
                o->have_max = true;
                break;
            case 1:
                if (x < 1) return rf_usage_error("sim: --target-errors must be >= 1");
                o->target_errors = x;
                o->have_target = true;
                break;
            case 2: o->seed = x; break;
            default:
                if (x < 1 || x > RF_SIM_MAX_THREADS)
                    return rf_usage_error("sim: --threads %llu is outside [1, %d]", x, RF_SIM_MAX_THREADS);
                o->threads = x;
                o->have_threads = true;
                break;
            }
        }
        if (matched) continue;
        return rf_usage_error("sim: unknown argument '%s' (see refast sim --help)", name);
    }
    if (!o->code) return rf_usage_error("sim: --code is required (see refast sim --help)");
    if (!o->decoder) return rf_usage_error("sim: --decoder is required (see refast sim --help)");
    if (!o->conv) return rf_usage_error("sim: one of --ebn0, --esn0, --snr A:B:STEP is required");
    if (!o->have_max) return rf_usage_error("sim: --max-frames N is required");
    if (!o->have_target) return rf_usage_error("sim: --target-errors E is required");
    return -1;
}

static double sigma_of(const char *conv, double x, double rate)
{
    if (!strcmp(conv, "ebn0")) return rf_sigma_from_ebn0(x, rate);
    if (!strcmp(conv, "esn0")) return rf_sigma_from_esn0(x);
    return rf_sigma_from_snr(x);
}

static void json_number(rf_jsonw *w, const char *key, double v)
{
    if (isfinite(v)) rf_jsonw_fmt(w, ",\"%s\":%.17g", key, v);
    else rf_jsonw_fmt(w, ",\"%s\":null", key);
}

static int sim_code(sim_opts o, codec_ctx ctx);

int cmd_sim(int argc, char **argv)
{
    sim_opts o;
    bool help;
    const int rc = parse_args(argc, argv, &o, &help);
    if (help) {
        sim_help();
        return RF_EXIT_OK;
    }
    if (rc >= 0) return rc;

    char err[512];
    codec_ctx ctx = {0};
    if (!rf_codespec_parse(o.code, &ctx.code, err, sizeof err)) return rf_usage_error("sim: %s", err);
    const int status = sim_code(o, ctx);
    rf_codespec_free(&ctx.code);
    return status;
}

/* Everything after the code is parsed (the caller owns and frees the code). */
static int sim_code(sim_opts o, codec_ctx ctx)
{
    char err[512];
    if (!rf_decspec_parse(o.decoder, &ctx.dec, err, sizeof err)) return rf_usage_error("sim: %s", err);
    if (!rf_decspec_applies(&ctx.dec, &ctx.code, err, sizeof err)) return rf_usage_error("sim: %s", err);
    const codec_row *row = NULL;
    for (size_t i = 0; i < sizeof codec_table / sizeof codec_table[0]; i++)
        if (codec_table[i].code == ctx.code.kind && codec_table[i].dec == ctx.dec.kind) row = &codec_table[i];
    if (!row) return rf_usage_error("sim: decoder %s is not applicable to %s", ctx.dec.text, ctx.code.text);

    ctx.f = RF_F_EXACT;
    if (o.fname) {
        if (!row->uses_f) return rf_usage_error("sim: --f applies to the dumer, dumer0, sc and scl decoders");
        if (!strcmp(o.fname, "exact")) ctx.f = RF_F_EXACT;
        else if (!strcmp(o.fname, "minsum")) ctx.f = RF_F_MINSUM;
        else return rf_usage_error("sim: --f '%s': expected exact or minsum", o.fname);
    }
    rf_channel_kind channel = RF_CH_AWGN;
    if (o.channel) {
        if (!strcmp(o.channel, "awgn")) channel = RF_CH_AWGN;
        else if (!strcmp(o.channel, "rayleigh")) channel = RF_CH_RAYLEIGH;
        else if (!strcmp(o.channel, "bursty")) channel = RF_CH_BURSTY;
        else return rf_usage_error("sim: --channel '%s': expected awgn, rayleigh or bursty", o.channel);
    }
    if (!row->polar && (o.construction || o.design))
        return rf_usage_error("sim: --construction and --design-sigma apply to sc/scl decoding only");
    rf_construction cons;
    if (!rf_construction_parse(o.construction, o.design, &ctx.code, &cons, err, sizeof err))
        return rf_usage_error("sim: %s", err);
    if (o.design && cons.kind != RF_CONS_GA && cons.kind != RF_CONS_BHATTACHARYYA) {
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
    if (o.isa) {
        rf_isa level;
        if (!rf_isa_request(o.isa, &level, err, sizeof err)) {
            rf_construction_free(&cons);
            return rf_usage_error("sim: %s", err);
        }
        rf_isa_set(level);
    }
    if (!o.have_threads) {
        const long nc = sysconf(_SC_NPROCESSORS_ONLN);
        o.threads = nc < 1 ? 1 : nc > RF_SIM_MAX_THREADS ? RF_SIM_MAX_THREADS : (unsigned long long)nc;
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
    const char *design_text = cons.adaptive ? "adaptive" : o.design;
    printf("sim: %s (n = %zu, k = %zu, R = %.6g), decoder %s%s%s, channel %s, seed %llu, isa %s, %llu thread%s\n",
           ctx.code.text, ctx.code.n, ctx.code.k, rate, ctx.dec.text, row->uses_f ? ", f " : "",
           row->uses_f ? (ctx.f == RF_F_MINSUM ? "minsum" : "exact") : "", chname, o.seed,
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

    rf_jsonw jw;
    rf_jsonw_init(&jw);
    rf_jsonw_raw(&jw, "{\"command\":\"sim\",\"code\":");
    rf_jsonw_str(&jw, ctx.code.text);
    if (ctx.code.kind == RF_CODE_KO) {
        uint64_t hhi = 0, hlo = 0;
        rf_jsonw_raw(&jw, ",\"weights\":");
        rf_jsonw_str(&jw, ctx.code.path);
        rf_jsonw_raw(&jw, ",\"architecture\":");
        rf_jsonw_str(&jw, rf_ko_arch_name(ctx.code.ko->arch));
        if (rf_ko_model_hash(ctx.code.ko, &hhi, &hlo))
            rf_jsonw_fmt(&jw, ",\"weights_xxh3_128\":\"%016llx%016llx\"", (unsigned long long)hhi,
                         (unsigned long long)hlo);
        rf_jsonw_raw(&jw, ",\"decoder_input\":");
        rf_jsonw_str(&jw, channel == RF_CH_RAYLEIGH ? "a*y" : "y");
    }
    rf_jsonw_fmt(&jw, ",\"n\":%zu,\"k\":%zu,\"rate\":%.17g,\"decoder\":", ctx.code.n, ctx.code.k, rate);
    rf_jsonw_str(&jw, ctx.dec.text);
    rf_jsonw_raw(&jw, ",\"f\":");
    rf_jsonw_str(&jw, row->uses_f ? (ctx.f == RF_F_MINSUM ? "minsum" : "exact") : "none");
    rf_jsonw_raw(&jw, ",\"construction\":");
    if (row->polar) {
        rf_jsonw_raw(&jw, "{\"kind\":");
        rf_jsonw_str(&jw, rf_construction_name(&cons));
        if (cons.path) {
            rf_jsonw_raw(&jw, ",\"file\":");
            rf_jsonw_str(&jw, cons.path);
        }
        if (cons.kind == RF_CONS_RM) rf_jsonw_fmt(&jw, ",\"r\":%u", cons.rm_r);
        rf_jsonw_raw(&jw, ",\"design_sigma\":");
        if (cons.adaptive) rf_jsonw_str(&jw, "adaptive");
        else rf_jsonw_fmt(&jw, "%.17g", cons.design_sigma);
        rf_jsonw_raw(&jw, "}");
    } else {
        rf_jsonw_raw(&jw, "null");
    }
    rf_jsonw_raw(&jw, ",\"channel\":{\"kind\":");
    rf_jsonw_str(&jw, chname);
    if (channel == RF_CH_BURSTY) rf_jsonw_fmt(&jw, ",\"rho\":0.1,\"sigma_b_over_sigma\":%.17g", sqrt(2.0));
    rf_jsonw_raw(&jw, "},\"convention\":");
    rf_jsonw_str(&jw, o.conv);
    rf_jsonw_fmt(&jw, ",\"seed\":%llu,\"max_frames\":%llu,\"target_errors\":%llu,\"threads\":%llu,\"isa\":", o.seed,
                 o.max_frames, o.target_errors, o.threads);
    rf_jsonw_str(&jw, rf_isa_name(rf_isa_current()));
    rf_jsonw_raw(&jw, ",\"message_stream\":\"philox(seed, 2^61 + frame)\",\"ber_ci95_note\":"
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
        rf_sim_point_cfg cfg = {sigma,        channel,         0.1,           sqrt(2.0) * sigma, o.seed,
                                o.max_frames, o.target_errors, (unsigned)o.threads, prog.tty ? progress_cb : NULL,
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

        if (p) rf_jsonw_raw(&jw, ",");
        rf_jsonw_raw(&jw, "{\"sigma\":");
        rf_jsonw_fmt(&jw, "%.17g", sigma);
        json_number(&jw, "ebn0_db", ebn0);
        json_number(&jw, "esn0_db", esn0);
        json_number(&jw, "snr_db", snr);
        rf_jsonw_fmt(&jw, ",\"frames\":%llu,\"bits\":%llu,\"bit_errors\":%llu,\"block_errors\":%llu",
                     (unsigned long long)res.frames, (unsigned long long)res.bits, (unsigned long long)res.bit_errors,
                     (unsigned long long)res.block_errors);
        json_number(&jw, "ber", ber);
        rf_jsonw_fmt(&jw, ",\"ber_ci95\":[%.17g,%.17g]", ber_lo, ber_hi);
        double fr_lo, fr_hi;
        rf_sim_ber_interval(&res, 1.959963984540054, &fr_lo, &fr_hi);
        rf_jsonw_fmt(&jw, ",\"bit_errors_sq\":%llu,\"ber_ci95_frames\":[%.17g,%.17g]",
                     (unsigned long long)res.bit_errors_sq, fr_lo, fr_hi);
        json_number(&jw, "bler", bler);
        rf_jsonw_fmt(&jw, ",\"bler_ci95\":[%.17g,%.17g]", bler_lo, bler_hi);
        json_number(&jw, "seconds", res.seconds);
        json_number(&jw, "frames_per_second", res.seconds > 0 ? (double)res.frames / res.seconds : NAN);
        if (nleaves) {
            rf_jsonw_raw(&jw, ",\"leaves\":[");
            for (size_t l = 0; l < nleaves; l++)
                rf_jsonw_fmt(&jw, "%s{\"m\":%u,\"r\":%u,\"first_bit\":%zu,\"bits\":%zu,\"block_errors\":%llu,"
                                  "\"bler\":%.17g}",
                             l ? "," : "", leaves[l].m, leaves[l].r, leaves[l].lo, leaves[l].count,
                             (unsigned long long)res.leaf_errors[l],
                             res.frames ? (double)res.leaf_errors[l] / (double)res.frames : 0.0);
            rf_jsonw_raw(&jw, "]");
        }
        rf_jsonw_raw(&jw, "}");
        rf_sim_result_free(&res);
    }
    rf_jsonw_raw(&jw, "]}\n");
    if (status == RF_EXIT_OK && o.json && !rf_jsonw_save(&jw, o.json, err, sizeof err))
        status = rf_usage_error("sim: %s", err);
    rf_jsonw_free(&jw);
    free(leaves);
    free(ctx.frozen);
    rf_construction_free(&cons);
    return status;
}
