/* The table of sim_codecs.h and the thin adapters from the library's encoders and decoders. */
#include "sim_codecs.h"

#include "refast/codes.h"
#include "refast/decoders.h"
#include "refast/ko.h"
#include "refast/ko_polar.h"
#include "refast/softmap.h"
#include "ko/kow.h"
#include "codes/cascl.h"
#include "codes/quant.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(RF_QUANT_SC_BITS == 6 && RF_QUANT_SC_FRAC == 1, "sim's texts and JSON name Q(6,1)");

static void enc_rm(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const rf_sim_codec_ctx *c = ctx;
    rf_rm_encode_f32(c->code.m, c->code.r, msg, frames, x);
}

static void enc_polar(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const rf_sim_codec_ctx *c = ctx;
    rf_polar_encode_f32(c->code.m, c->frozen, msg, frames, x);
}

static void dec_dumer(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    (void)soft;
    rf_rm_dumer(c->code.m, c->code.r, c->dec.kind == RF_DEC_DUMER0 ? RF_DUMER0 : RF_DUMER, c->f, llr, frames, msg);
}

static void dec_map(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    (void)soft;
    rf_rm1_map(llr, c->code.m, frames, msg);
}

static void dec_softmap(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    rf_rm1_softmap_maxlog(llr, c->code.m, frames, soft);
    for (size_t i = 0; i < frames * c->code.k; i++) msg[i] = soft[i] < 0; /* positive LLR: bit 0 */
}

static void dec_sc(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    (void)soft;
    rf_polar_sc(c->code.m, c->frozen, c->f, llr, frames, msg);
}

/* --quant int8: the channel LLRs quantised to Q(6, 1) (codes/quant.h), then polar_sc_i8 (min-sum
 * in saturating int8). Out of memory: the frames decode as all-0xff bits, a visible failure. */
static void dec_sc_i8(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    (void)soft;
    const size_t n = frames * c->code.n;
    int8_t *q = malloc(n ? n : 1);
    if (!q) {
        memset(msg, 0xff, frames * c->code.k);
        return;
    }
    rf_quantize_llr_i8(llr, n, RF_QUANT_SC_BITS, RF_QUANT_SC_FRAC, q);
    rf_polar_sc_i8(c->code.m, c->frozen, q, frames, msg);
    free(q);
}

/* KO: real codewords (||x||^2 = n) and the KO decoder on the raw observations (sim.h), hard bits
 * [L < 0] of its k output logits. */
static void enc_ko(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const rf_sim_codec_ctx *c = ctx;
    rf_ko_encode_f32(c->code.ko, msg, frames, x);
}

static void dec_ko(const void *ctx, const float *y, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    rf_ko_decode_f32(c->code.ko, y, frames, soft);
    for (size_t i = 0; i < frames * c->code.k; i++) msg[i] = soft[i] < 0 || soft[i] != soft[i]; /* NaN: wrong */
}

/* The authors' KO Polar(64,7) model: the same, with its own kernels. */
static void enc_kop(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const rf_sim_codec_ctx *c = ctx;
    rf_ko_polar_encode_f32(c->code.kop, msg, frames, x);
}

static void dec_kop(const void *ctx, const float *y, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    rf_ko_polar_decode_f32(c->code.kop, y, frames, soft);
    for (size_t i = 0; i < frames * c->code.k; i++) msg[i] = soft[i] < 0 || soft[i] != soft[i]; /* NaN: wrong */
}

static void dec_scl(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    (void)soft;
    if (c->dec.fast_ssc) rf_polar_fscl(c->code.m, c->frozen, c->dec.list, llr, frames, msg);
    else rf_polar_scl(c->code.m, c->frozen, c->dec.list, c->f, llr, frames, msg);
}

size_t rf_sim_info_bits(const rf_sim_codec_ctx *c)
{
    return c->dec.kind == RF_DEC_CASCL ? c->code.k - c->dec.crc.width : c->code.k;
}

/* CRC-aided list decoding: msg holds the K - w bits of each frame, the CRC completes them to K.
 * Out of memory: the frames are encoded as all-zero codewords, and decoding then fails visibly
 * (the decoder writes 0xff bits), never silently. */
static void enc_cascl(const void *ctx, const uint8_t *msg, size_t frames, float *x)
{
    const rf_sim_codec_ctx *c = ctx;
    const size_t a = rf_sim_info_bits(c), k = c->code.k;
    uint8_t *u = malloc(frames * k);
    if (!u) {
        for (size_t i = 0; i < frames * c->code.n; i++) x[i] = 1.0f;
        return;
    }
    rf_cascl_attach(&c->dec.crc, msg, a, frames, u);
    rf_polar_encode_f32(c->code.m, c->frozen, u, frames, x);
    free(u);
}

static void dec_cascl(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft)
{
    const rf_sim_codec_ctx *c = ctx;
    (void)soft;
    uint8_t *ok = malloc(frames ? frames : 1);
    uint64_t used[RF_CASCL_USED] = {0};
    if (!ok) {
        memset(msg, 0xff, frames * rf_sim_info_bits(c));
        return;
    }
    const rf_list_decoder dec = c->dec.fast_ssc ? RF_LIST_FAST_SSC : RF_LIST_SCL;
    if (c->dec.adaptive)
        rf_polar_cascl_adaptive(c->code.m, c->frozen, c->dec.list, c->f, dec, &c->dec.crc, llr, frames, msg, ok, used);
    else
        rf_polar_cascl(c->code.m, c->frozen, c->dec.list, c->f, dec, &c->dec.crc, llr, frames, msg, ok);
    for (int t = 0; c->used && t < RF_CASCL_USED; t++) __atomic_fetch_add(&c->used[t], used[t], __ATOMIC_RELAXED);
    free(ok);
}

/* (code, decoder) -> functions. `polar` rows encode with the polar encoder and a frozen set (an
 * RM code there uses the rm construction); `leaves` rows report the eq. 4.4 decomposition. KO(m,2)
 * decodes along the Plotkin tree of RM(m,2) in Dumer's order (leaf RM(i-1,1) of node (i,2) for
 * i = m..3, then RM(2,2)) with the bits of refast/ko.h's canonical order, so its leaves are
 * rf_rm_leaves(m, 2, RF_DUMER). */
static const rf_sim_codec_row codec_table[] = {
    {RF_CODE_RM, RF_DEC_DUMER, false, true, true, RF_DUMER, enc_rm, dec_dumer},
    {RF_CODE_RM, RF_DEC_DUMER0, false, true, true, RF_DUMER0, enc_rm, dec_dumer},
    {RF_CODE_RM, RF_DEC_MAP, false, true, false, RF_DUMER, enc_rm, dec_map},
    {RF_CODE_RM, RF_DEC_SOFTMAP, false, true, false, RF_DUMER, enc_rm, dec_softmap},
    {RF_CODE_RM, RF_DEC_SC, true, false, true, 0, enc_polar, dec_sc},
    {RF_CODE_RM, RF_DEC_SCL, true, false, true, 0, enc_polar, dec_scl},
    {RF_CODE_POLAR, RF_DEC_SC, true, false, true, 0, enc_polar, dec_sc},
    {RF_CODE_POLAR, RF_DEC_SCL, true, false, true, 0, enc_polar, dec_scl},
    {RF_CODE_POLAR, RF_DEC_CASCL, true, false, true, 0, enc_cascl, dec_cascl},
    {RF_CODE_KO, RF_DEC_KO, false, true, false, RF_DUMER, enc_ko, dec_ko},
};

/* The KO Polar(64,7) model decodes its 7 bits one network at a time, not along an RM Plotkin tree
 * of leaves: no eq. 4.4 split. */
static const rf_sim_codec_row kop_row = {RF_CODE_KO, RF_DEC_KO, false, false, false, 0, enc_kop, dec_kop};

/* The int8 rows: SC only (min-sum by construction, so no --f). */
static const rf_sim_codec_row int8_table[] = {
    {RF_CODE_RM, RF_DEC_SC, true, false, false, 0, enc_polar, dec_sc_i8},
    {RF_CODE_POLAR, RF_DEC_SC, true, false, false, 0, enc_polar, dec_sc_i8},
};

const rf_sim_codec_row *rf_sim_codec_find(const rf_codespec *code, rf_dec_kind dec, bool int8)
{
    if (int8) {
        for (size_t i = 0; i < sizeof int8_table / sizeof int8_table[0]; i++)
            if (int8_table[i].code == code->kind && int8_table[i].dec == dec) return &int8_table[i];
        return NULL;
    }
    if (code->kind == RF_CODE_KO && code->kop) return dec == RF_DEC_KO ? &kop_row : NULL;
    for (size_t i = 0; i < sizeof codec_table / sizeof codec_table[0]; i++)
        if (codec_table[i].code == code->kind && codec_table[i].dec == dec) return &codec_table[i];
    return NULL;
}
