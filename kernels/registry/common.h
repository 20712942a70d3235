/* Helpers shared by the registry entries: deterministic input generators (Philox-seeded, scalar,
 * independent of the code under test), readers of case parameters that format the one-line error
 * of a refused recipe, the fuzz byte reader and small numeric utilities. Generators are addressed
 * like refast/rng.h: (seed, stream, position), so that a recipe's inputs never depend on how many
 * numbers another input drew. */
#ifndef REFAST_REGISTRY_COMMON_H
#define REFAST_REGISTRY_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "refast/case.h"
#include "refast/registry.h"

/* Word `pos` of Philox stream (seed, stream): the addressing of refast/rng.h, computed alone. */
uint32_t rf_gen_word(uint64_t seed, uint64_t stream, uint64_t pos);
/* Block `block` of that stream: its words 4 block .. 4 block + 3, for generators that use all four
 * (one Philox evaluation instead of four). */
void rf_gen_block(uint64_t seed, uint64_t stream, uint64_t block, uint32_t out[4]);
/* Uniform double in [lo, hi) from two words (53 bits): words 2 pos and 2 pos + 1. */
double rf_gen_uniform(uint64_t seed, uint64_t stream, uint64_t pos, double lo, double hi);
/* The 53-bit uniform in [0, 1) of rf_gen_uniform made of its two words: 27 high bits of `hi`, 26
 * of `lo`. */
double rf_gen_u53(uint32_t hi, uint32_t lo);
/* out[i] uniform in [lo, hi) rounded to float, i < n. */
void rf_gen_uniform_f32(uint64_t seed, uint64_t stream, size_t n, float lo, float hi, float *out);
/* Standard normal `pos` of stream (seed, stream) by Box-Muller (cosine branch) from the uniforms
 * 2 pos and 2 pos + 1 (the first mapped to (0, 1]). */
double rf_gen_normal(uint64_t seed, uint64_t stream, uint64_t pos);

/* The channel LLR 2y/sigma^2 of a BPSK symbol (bit 0 -> +1, 1 -> -1) received as y = s + sigma z. */
double rf_bpsk_llr(unsigned bit, double sigma, double z);
/* A frame of codeword bits cw[0..n) over AWGN: llr[i] = rf_bpsk_llr(cw[i], sigma, z_i) rounded to
 * float, z_i = rf_gen_normal(seed, 1, frame n + i). */
void rf_gen_awgn_frame(const uint8_t *cw, size_t n, double sigma, uint64_t seed, uint64_t frame, float *llr);

/* Reads a required integer parameter within [lo, hi]; on failure formats err and returns false. */
bool rf_need_u64(const rf_case *c, const char *key, uint64_t lo, uint64_t hi, uint64_t *out,
                 char *err, size_t errlen);
/* Reads a positive finite parameter (a noise or design sigma); `dflt` when absent, NAN making it
 * required. Returns 0, or -1 with err formatted. */
int rf_param_positive(const rf_case *c, const char *key, double dflt, double *out, char *err,
                      size_t errlen);
/* Reads a keyword parameter: the index of its value in `names` (NULL-terminated); `dflt` when
 * absent (-1 making it required). Returns the index, or -1 with err naming the choices. */
int rf_param_keyword(const rf_case *c, const char *key, const char *const *names, int dflt, char *err,
                     size_t errlen);

/* Reads the fuzz byte stream: the next byte, and once the input is exhausted a pseudo-random
 * continuation determined by every byte read (zeros there made the tail of a long frame constant,
 * so decoders' margin rules rejected nearly every large input). Initialise as {data, size, 0}. */
typedef struct rf_bytes {
    const uint8_t *p;
    size_t left;
    uint64_t h; /* FNV-1a of the bytes read, then the continuation's state */
} rf_bytes;
uint8_t rf_bytes_u8(rf_bytes *b);
uint32_t rf_bytes_u32(rf_bytes *b);
/* A float for differential fuzzing: mostly ordinary magnitudes, sometimes 0, +-inf, NaN, huge
 * (|x| <= 2^maxexp so that sums of up to 2^(127-maxexp) terms cannot overflow). */
float rf_bytes_f32(rf_bytes *b, int maxexp, int specials);
/* The fuzz builders' large-size mode (REFAST_FUZZ_LARGE=1 in the environment, read once): sizes
 * beyond the default caps, up to the blocked and unrolled code paths (FHT 2^16, polar N 1024, MoE
 * d 64-256), at a cost per input of milliseconds to seconds. The default caps keep an input cheap
 * so that a short run covers every kernel; this mode is for dedicated runs. */
bool rf_fuzz_large(void);

#endif
