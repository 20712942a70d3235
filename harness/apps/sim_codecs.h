/* The codecs of `refast sim`: (code, decoder) -> the library's encoder and decoder behind the
 * engine's rf_sim_codec interface (sim.h), through one table. */
#ifndef REFAST_SIM_CODECS_H
#define REFAST_SIM_CODECS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codespec.h"

/* What the encoders and decoders read (ctx of rf_sim_codec). */
typedef struct rf_sim_codec_ctx {
    rf_codespec code;
    rf_decspec dec;
    int f;           /* RF_F_EXACT / RF_F_MINSUM */
    bool int8;       /* --quant int8: the SC decoder on Q(RF_QUANT_SC_BITS, RF_QUANT_SC_FRAC) LLRs */
    uint8_t *frozen; /* polar machinery: N entries */
    uint64_t *used;  /* adaptive CA-SCL: frames per final list size (codes/cascl.h), added to
                        atomically by the workers; NULL otherwise */
} rf_sim_codec_ctx;

/* The simulated message bits per frame: K, less the CRC's width under CRC-aided decoding. */
size_t rf_sim_info_bits(const rf_sim_codec_ctx *c);

/* A row of the table: `polar` rows encode with the polar encoder and a frozen set (an RM code
 * there uses the rm construction); `leaves` rows report the eq. 4.4 decomposition of variant
 * `variant`; `uses_f` rows take --f. */
typedef struct rf_sim_codec_row {
    rf_code_kind code;
    rf_dec_kind dec;
    bool polar, leaves, uses_f;
    int variant;
    void (*encode)(const void *ctx, const uint8_t *msg, size_t frames, float *x);
    void (*decode)(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft);
} rf_sim_codec_row;

/* The row of (code, decoder), NULL when there is none (a ko: code of architecture polar_64_7 has
 * its own row); with int8, the int8 decoder's row (only sc has one). */
const rf_sim_codec_row *rf_sim_codec_find(const rf_codespec *code, rf_dec_kind dec, bool int8);

#endif
