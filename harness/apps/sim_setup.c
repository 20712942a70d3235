/* From `refast sim`'s arguments to a run (sim_run.h): every check of SPEC §8 that needs no output
 * and no other rank, then the description the checkpoint's fingerprint covers. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "errf.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "sim_run.h"
#include "codes/cascl.h"
#include "codes/snr.h"
#include "ko/kow.h"
#include "ko/polar_weights.h"

double rf_sim_point_sigma(const rf_sim_run *r, size_t p)
{
    const double x = r->first + (double)p * r->step;
    if (!strcmp(r->conv, "ebn0")) return rf_sigma_from_ebn0(x, r->rate);
    if (!strcmp(r->conv, "esn0")) return rf_sigma_from_esn0(x);
    return rf_sigma_from_snr(x);
}

bool rf_sim_setup(rf_sim_run *r, char *err, size_t errlen)
{
    const rf_sim_args *a = r->a;
    r->range = a->ebn0 ? a->ebn0 : a->esn0 ? a->esn0 : a->snr;
    r->conv = a->ebn0 ? "ebn0" : a->esn0 ? "esn0" : "snr";
    rf_sim_codec_ctx *ctx = &r->ctx;
    if (!rf_codespec_parse(a->code, &ctx->code, err, errlen)) return false;
    if (!rf_decspec_parse(a->decoder, &ctx->dec, err, errlen)) return false;
    if (!rf_decspec_applies(&ctx->dec, &ctx->code, err, errlen)) return false;
    ctx->int8 = a->quant == 1;
    const rf_sim_codec_row *row = r->row = rf_sim_codec_find(&ctx->code, ctx->dec.kind, ctx->int8);
    if (!row && ctx->int8)
        return rf_fail(err, errlen, "--quant int8: only the sc decoder has an int8 version (polar_sc_i8), not %s",
                       ctx->dec.text);
    if (!row) return rf_fail(err, errlen, "decoder %s is not applicable to %s", ctx->dec.text, ctx->code.text);
    if (a->f >= 0 && ctx->int8) return rf_fail(err, errlen, "--f: the int8 sc decoder is min-sum by construction");
    if (a->f >= 0 && !row->uses_f) return rf_fail(err, errlen, "--f applies to the dumer, dumer0, sc and scl decoders");
    if (a->f == 0 && ctx->dec.fast_ssc)
        return rf_fail(err, errlen, "--f exact: the Fast-SSC list decoder (%s) is min-sum by construction", ctx->dec.text);
    ctx->f = a->f == 1 || ctx->int8 || ctx->dec.fast_ssc ? RF_F_MINSUM : RF_F_EXACT;
    r->channel = (rf_channel_kind)a->channel; /* the choices in enum order */
    if (!row->polar && (a->construction || a->design))
        return rf_fail(err, errlen, "--construction and --design-sigma apply to sc/scl decoding only");
    if (!rf_construction_parse(a->construction, a->design, &ctx->code, &r->cons, err, errlen)) return false;
    if (a->design && r->cons.kind != RF_CONS_GA && r->cons.kind != RF_CONS_BHATTACHARYYA)
        return rf_fail(err, errlen, "--design-sigma applies to the ga and bhattacharyya constructions");
    char rerr[256];
    if (!rf_sim_range(r->range, &r->first, &r->step, &r->npoints, 10000, rerr, sizeof rerr))
        return rf_fail(err, errlen, "--%s %s", r->conv, rerr);
    r->rate = (double)rf_sim_info_bits(ctx) / (double)ctx->code.n;
    for (size_t p = 0; p < r->npoints; p++) {
        const double s = rf_sim_point_sigma(r, p);
        if (!(s > 0) || !isfinite(s) || (float)s < 1e-6f || (float)s > 1e6f)
            return rf_fail(err, errlen, "--%s %g dB gives sigma = %g, outside [1e-6, 1e6]", r->conv,
                           r->first + (double)p * r->step, s);
    }
    if (row->leaves) {
        r->nleaves = rf_rm_leaves(ctx->code.m, ctx->code.r, row->variant, NULL, 0);
        if (!(r->leaves = calloc(r->nleaves, sizeof *r->leaves))) return rf_fail(err, errlen, "out of memory");
        rf_rm_leaves(ctx->code.m, ctx->code.r, row->variant, r->leaves, r->nleaves);
    }
    if (row->polar && !(ctx->frozen = calloc(ctx->code.n, 1))) return rf_fail(err, errlen, "out of memory");
    if (!(r->state = calloc(r->npoints, sizeof *r->state))) return rf_fail(err, errlen, "out of memory");
    if (ctx->dec.kind == RF_DEC_CASCL && ctx->dec.adaptive &&
        !(ctx->used = calloc(RF_CASCL_USED, sizeof *ctx->used)))
        return rf_fail(err, errlen, "out of memory");
    r->codec = (rf_sim_codec){ctx->code.n, rf_sim_info_bits(ctx), ctx, row->encode, row->decode, r->leaves, r->nleaves};
    return true;
}

/* The ranks' levels: each rank sends its own, everyone lists the distinct ones. */
static bool gather_isas(rf_sim_run *r, char *err, size_t errlen)
{
    const uint64_t mine = (uint64_t)rf_isa_current();
    uint64_t *all = malloc((size_t)r->comm.size * sizeof *all);
    if (!all) return rf_fail(err, errlen, "out of memory");
    const bool ok = r->comm.allgather(r->comm.ctx, &mine, 1, all, err, errlen);
    r->isas[0] = '\0';
    for (int level = 0; ok && level < RF_ISA_COUNT; level++)
        for (int k = 0; k < r->comm.size; k++)
            if (all[k] == (uint64_t)level) {
                const size_t len = strlen(r->isas);
                snprintf(r->isas + len, sizeof r->isas - len, "%s%s", len ? "," : "", rf_isa_name((rf_isa)level));
                break;
            }
    free(all);
    return ok;
}

bool rf_sim_describe(rf_sim_run *r, char *err, size_t errlen)
{
    if (!gather_isas(r, err, errlen)) return false;
    const rf_sim_codec_ctx *ctx = &r->ctx;
    char weights[40] = "-", info[24] = "-";
    uint64_t hi = 0, lo = 0;
    if ((ctx->code.ko && rf_ko_model_hash(ctx->code.ko, &hi, &lo)) ||
        (ctx->code.kop && rf_ko_polar_hash(ctx->code.kop, &hi, &lo)))
        snprintf(weights, sizeof weights, "%016" PRIx64 "%016" PRIx64, hi, lo);
    if (r->cons.info)
        snprintf(info, sizeof info, "%016" PRIx64, (uint64_t)XXH3_64bits(r->cons.info, ctx->code.k * sizeof *r->cons.info));
    const rf_sim_args *a = r->a;
    snprintf(r->description, sizeof r->description,
             "code=%s weights=%s decoder=%s%s f=%s construction=%s/%s/%.17g/%u/%s channel=%d %s=%.17g+%zux%.17g "
             "seed=%llu max_frames=%llu target_errors=%llu batch=%zu isa=%s",
             ctx->code.text, weights, ctx->dec.text, ctx->int8 ? "/int8" : "",
             r->row->uses_f ? (ctx->f == RF_F_MINSUM ? "minsum" : "exact") : ctx->int8 ? "minsum" : "none",
             r->row->polar ? rf_construction_name(&r->cons) : "none", r->cons.adaptive ? "adaptive" : "fixed",
             r->cons.design_sigma, r->cons.rm_r, info, (int)r->channel, r->conv, r->first, r->npoints, r->step,
             a->seed, a->max_frames, a->target_errors, rf_sim_batch_frames(ctx->code.n), r->isas);
    return true;
}

void rf_sim_run_free(rf_sim_run *r)
{
    for (size_t p = 0; r->state && p < r->npoints; p++) rf_sim_result_free(&r->state[p]);
    free(r->state);
    free(r->leaves);
    free(r->ctx.frozen);
    free(r->ctx.used);
    rf_construction_free(&r->cons);
    rf_codespec_free(&r->ctx.code);
}
