/* What `refast sim` prints and writes (sim_run.h): the table on stdout and the JSON document. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "refast/decoders.h"
#include "refast/ko.h"
#include "sim_run.h"
#include "codes/snr.h"
#include "ko/kow.h"
#include "ko/polar_weights.h"

static const char *channel_name(rf_channel_kind ch)
{
    return ch == RF_CH_AWGN ? "awgn" : ch == RF_CH_RAYLEIGH ? "rayleigh" : "bursty";
}

static const char *f_name(const rf_sim_run *r)
{
    if (r->ctx.int8) return "minsum";
    return r->row->uses_f ? (r->ctx.f == RF_F_MINSUM ? "minsum" : "exact") : "none";
}

void rf_sim_print_header(const rf_sim_run *r)
{
    const rf_sim_codec_ctx *ctx = &r->ctx;
    const rf_sim_args *a = r->a;
    printf("sim: %s (n = %zu, k = %zu, R = %.6g), decoder %s%s%s%s, channel %s, seed %llu, isa %s, ", ctx->code.text,
           ctx->code.n, ctx->code.k, r->rate, ctx->dec.text, ctx->int8 ? " int8 (LLRs in Q(6,1), min-sum)" : "",
           r->row->uses_f ? ", f " : "", r->row->uses_f ? f_name(r) : "", channel_name(r->channel), a->seed, r->isas);
    if (r->comm.size > 1) printf("%d ranks x ", r->comm.size);
    printf("%u thread%s\n", r->threads, r->threads == 1 ? "" : "s");
    if (ctx->code.kind == RF_CODE_KO && ctx->code.kop)
        printf("weights %s: KO Polar(64,7) polar_64_7, real symbols, decoder input %s\n", ctx->code.path,
               r->channel == RF_CH_RAYLEIGH ? "a y (matched filter)" : "raw y");
    else if (ctx->code.kind == RF_CODE_KO)
        printf("weights %s: KO(%u,2) %s, real symbols, decoder input %s\n", ctx->code.path, ctx->code.m,
               rf_ko_arch_name(ctx->code.ko->arch), r->channel == RF_CH_RAYLEIGH ? "a y (matched filter)" : "raw y");
    if (r->row->polar)
        printf("construction %s%s%s, design sigma %s\n", rf_construction_name(&r->cons), r->cons.path ? ":" : "",
               r->cons.path ? r->cons.path : "", r->cons.adaptive ? "adaptive" : a->design);
    if (r->channel == RF_CH_BURSTY) printf("bursty: rho = 0.1, sigma_b = sqrt(2) sigma\n");
    printf("%7s %7s %7s %9s %11s %9s %10s %21s %8s %10s %21s\n", "Eb/N0", "Es/N0", "SNR", "sigma", "frames",
           "bit err", "BER", "[95% Wilson]", "blk err", "BLER", "[95% Wilson]");
    fflush(stdout);
}

/* A point's rates and intervals, as the table and the JSON show them. */
typedef struct point_view {
    double sigma, ebn0, esn0, snr, ber, bler, ber_lo, ber_hi, bler_lo, bler_hi;
} point_view;

static point_view view(const rf_sim_run *r, size_t p, const rf_sim_result *res)
{
    point_view v;
    v.sigma = rf_sim_point_sigma(r, p);
    rf_wilson(res->bit_errors, res->bits, &v.ber_lo, &v.ber_hi);
    rf_wilson(res->block_errors, res->frames, &v.bler_lo, &v.bler_hi);
    v.ber = res->bits ? (double)res->bit_errors / (double)res->bits : 0;
    v.bler = res->frames ? (double)res->block_errors / (double)res->frames : 0;
    /* + 0.0 turns the -0 of -10 log10(1) into 0 */
    v.ebn0 = rf_ebn0_from_sigma(v.sigma, r->rate) + 0.0;
    v.esn0 = rf_esn0_from_sigma(v.sigma) + 0.0;
    v.snr = rf_snr_from_sigma(v.sigma) + 0.0;
    return v;
}

void rf_sim_print_point(const rf_sim_run *r, size_t p, const rf_sim_result *res)
{
    const point_view v = view(r, p, res);
    char bi[40], li[40];
    snprintf(bi, sizeof bi, "[%.3e, %.3e]", v.ber_lo, v.ber_hi);
    snprintf(li, sizeof li, "[%.3e, %.3e]", v.bler_lo, v.bler_hi);
    printf("%7.3f %7.3f %7.3f %9.6f %11llu %9llu %10.3e %21s %8llu %10.3e %21s\n", v.ebn0, v.esn0, v.snr, v.sigma,
           (unsigned long long)res->frames, (unsigned long long)res->bit_errors, v.ber, bi,
           (unsigned long long)res->block_errors, v.bler, li);
    if (r->nleaves && r->nleaves <= 24 && res->block_errors) {
        printf("        first wrong leaf (eq. 4.4):");
        for (size_t l = 0; l < r->nleaves; l++)
            printf(" (%u,%u) %.2e", r->leaves[l].m, r->leaves[l].r, (double)res->leaf_errors[l] / (double)res->frames);
        printf("\n");
    }
    fflush(stdout);
}

static void json_number(rf_wbuf *w, const char *key, double v)
{
    rf_wbuf_printf(w, ",\"%s\":", key);
    rf_jsonw_num(w, v, 17);
}

static void json_point(const rf_sim_run *r, size_t p, const rf_sim_result *res, rf_wbuf *jw)
{
    const point_view v = view(r, p, res);
    rf_wbuf_printf(jw, "{\"sigma\":%.17g", v.sigma);
    json_number(jw, "ebn0_db", v.ebn0);
    json_number(jw, "esn0_db", v.esn0);
    json_number(jw, "snr_db", v.snr);
    rf_wbuf_printf(jw, ",\"frames\":%" PRIu64 ",\"bits\":%" PRIu64 ",\"bit_errors\":%" PRIu64 ",\"block_errors\":%" PRIu64,
                   res->frames, res->bits, res->bit_errors, res->block_errors);
    json_number(jw, "ber", v.ber);
    rf_wbuf_printf(jw, ",\"ber_ci95\":[%.17g,%.17g]", v.ber_lo, v.ber_hi);
    double fr_lo, fr_hi;
    rf_sim_ber_interval(res, 1.959963984540054, &fr_lo, &fr_hi);
    rf_wbuf_printf(jw, ",\"bit_errors_sq\":%" PRIu64 ",\"ber_ci95_frames\":[%.17g,%.17g]", res->bit_errors_sq, fr_lo,
                   fr_hi);
    json_number(jw, "bler", v.bler);
    rf_wbuf_printf(jw, ",\"bler_ci95\":[%.17g,%.17g]", v.bler_lo, v.bler_hi);
    rf_wbuf_printf(jw, ",\"decisions_xxh3\":\"%016" PRIx64 "\"", res->decisions_xxh3);
    json_number(jw, "seconds", res->seconds);
    json_number(jw, "frames_per_second", res->seconds > 0 ? (double)res->frames / res->seconds : NAN);
    json_number(jw, "cpu_seconds", res->cpu_seconds);
    json_number(jw, "frames_per_cpu_second", res->cpu_seconds > 0 ? (double)res->frames / res->cpu_seconds : NAN);
    json_number(jw, "exchange_seconds", res->exchange_seconds);
    rf_wbuf_puts(jw, ",\"stage_seconds\":{");
    for (int s = 0; s < RF_SIM_STAGES; s++) {
        rf_wbuf_printf(jw, "%s\"%s\":", s ? "," : "", rf_sim_stage_names[s]);
        rf_jsonw_num(jw, res->stage_seconds[s], 6);
    }
    rf_wbuf_puts(jw, "}");
    if (r->nleaves) {
        rf_wbuf_puts(jw, ",\"leaves\":[");
        for (size_t l = 0; l < r->nleaves; l++)
            rf_wbuf_printf(jw, "%s{\"m\":%u,\"r\":%u,\"first_bit\":%zu,\"bits\":%zu,\"block_errors\":%" PRIu64
                               ",\"bler\":%.17g}",
                           l ? "," : "", r->leaves[l].m, r->leaves[l].r, r->leaves[l].lo, r->leaves[l].count,
                           res->leaf_errors[l], res->frames ? (double)res->leaf_errors[l] / (double)res->frames : 0.0);
        rf_wbuf_puts(jw, "]");
    }
    rf_wbuf_puts(jw, "}");
}

void rf_sim_json(const rf_sim_run *r, bool partial, rf_wbuf *jw)
{
    const rf_sim_codec_ctx *ctx = &r->ctx;
    const rf_sim_args *a = r->a;
    rf_jsonw_member_str(jw, "{\"command\":\"sim\",\"code\":", ctx->code.text);
    if (ctx->code.kind == RF_CODE_KO) {
        uint64_t hhi = 0, hlo = 0;
        rf_jsonw_member_str(jw, ",\"weights\":", ctx->code.path);
        rf_jsonw_member_str(jw, ",\"architecture\":", ctx->code.kop ? "polar_64_7" : rf_ko_arch_name(ctx->code.ko->arch));
        if (ctx->code.kop ? rf_ko_polar_hash(ctx->code.kop, &hhi, &hlo) : rf_ko_model_hash(ctx->code.ko, &hhi, &hlo))
            rf_wbuf_printf(jw, ",\"weights_xxh3_128\":\"%016" PRIx64 "%016" PRIx64 "\"", hhi, hlo);
        rf_jsonw_member_str(jw, ",\"decoder_input\":", r->channel == RF_CH_RAYLEIGH ? "a*y" : "y");
    }
    rf_wbuf_printf(jw, ",\"n\":%zu,\"k\":%zu,\"rate\":%.17g,\"decoder\":", ctx->code.n, ctx->code.k, r->rate);
    rf_jsonw_str(jw, ctx->dec.text);
    rf_jsonw_member_str(jw, ",\"f\":", f_name(r));
    rf_jsonw_member_str(jw, ",\"quant\":", r->ctx.int8 ? "int8 Q(6,1)" : "f32");
    rf_wbuf_puts(jw, ",\"construction\":");
    if (r->row->polar) {
        rf_jsonw_member_str(jw, "{\"kind\":", rf_construction_name(&r->cons));
        if (r->cons.path) {
            rf_jsonw_member_str(jw, ",\"file\":", r->cons.path);
        }
        if (r->cons.kind == RF_CONS_RM) rf_wbuf_printf(jw, ",\"r\":%u", r->cons.rm_r);
        rf_wbuf_puts(jw, ",\"design_sigma\":");
        if (r->cons.adaptive) rf_jsonw_str(jw, "adaptive");
        else rf_wbuf_printf(jw, "%.17g", r->cons.design_sigma);
        rf_wbuf_puts(jw, "}");
    } else {
        rf_wbuf_puts(jw, "null");
    }
    rf_jsonw_member_str(jw, ",\"channel\":{\"kind\":", channel_name(r->channel));
    if (r->channel == RF_CH_BURSTY) rf_wbuf_printf(jw, ",\"rho\":0.1,\"sigma_b_over_sigma\":%.17g", sqrt(2.0));
    rf_jsonw_member_str(jw, "},\"convention\":", r->conv);
    rf_wbuf_printf(jw, ",\"seed\":%llu,\"max_frames\":%llu,\"target_errors\":%llu,\"threads\":%u,\"ranks\":%d,\"isa\":",
                   a->seed, a->max_frames, a->target_errors, r->threads, r->comm.size);
    rf_jsonw_str(jw, r->isas);
    rf_wbuf_printf(jw, ",\"batch_frames\":%zu,\"partial\":%s,\"points_planned\":%zu", rf_sim_batch_frames(ctx->code.n),
                   partial ? "true" : "false", r->npoints);
    rf_wbuf_puts(jw, ",\"message_stream\":\"philox(seed, 2^61 + frame)\",\"ber_ci95_note\":"
                     "\"Wilson over bits taken as independent trials (optimistic); ber_ci95_frames: normal "
                     "approximation from the variance of the per-frame bit error count\",\"decisions_xxh3_note\":"
                     "\"sum over frames f of XXH3-64(the k decided bits of f as bytes 0/1, seed f) mod 2^64\","
                     "\"points\":[");
    bool first = true;
    for (size_t p = 0; p < r->npoints; p++) {
        if (!r->state[p].finished) continue;
        if (!first) rf_wbuf_puts(jw, ",");
        first = false;
        json_point(r, p, &r->state[p], jw);
    }
    rf_wbuf_puts(jw, "]}\n");
}
