/* Helpers shared by the registry entries: deterministic input generators (Philox-seeded, scalar,
 * independent of the code under test) and small numeric utilities. */
#ifndef REFAST_REGISTRY_COMMON_H
#define REFAST_REGISTRY_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "refast/case.h"
#include "refast/registry.h"

/* Word `pos` of Philox stream (seed, stream): the addressing of refast/rng.h, computed alone. */
uint32_t rf_gen_word(uint64_t seed, uint64_t stream, uint64_t pos);
/* Uniform double in [lo, hi) from two words (53 bits). */
double rf_gen_uniform(uint64_t seed, uint64_t stream, uint64_t pos, double lo, double hi);
/* out[i] uniform in [lo, hi) rounded to float, i < n. */
void rf_gen_uniform_f32(uint64_t seed, uint64_t stream, size_t n, float lo, float hi, float *out);
/* Standard normal `pos` of stream (seed, stream) by Box-Muller (cosine branch) from the uniforms
 * 2 pos and 2 pos + 1 (the first mapped to (0, 1]). */
double rf_gen_normal(uint64_t seed, uint64_t stream, uint64_t pos);

/* Reads a required integer parameter within [lo, hi]; on failure formats err and returns false. */
bool rf_need_u64(const rf_case *c, const char *key, uint64_t lo, uint64_t hi, uint64_t *out,
                 char *err, size_t errlen);

/* Reads the fuzz byte stream: the next byte (0 when exhausted). */
typedef struct rf_bytes {
    const uint8_t *p;
    size_t left;
} rf_bytes;
uint8_t rf_bytes_u8(rf_bytes *b);
uint32_t rf_bytes_u32(rf_bytes *b);
/* A float for differential fuzzing: mostly ordinary magnitudes, sometimes 0, +-inf, NaN, huge
 * (|x| <= 2^maxexp so that sums of up to 2^(127-maxexp) terms cannot overflow). */
float rf_bytes_f32(rf_bytes *b, int maxexp, int specials);

#endif
