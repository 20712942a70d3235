/* Block ML decoding of a small linear code by enumeration, scalar reference (refast/decoders.h).
 *
 * Every message u = sum_j b_j 2^j, u < 2^k, is encoded with the generator (c = u G over GF(2)) and
 * correlated with the LLRs, <l, 1 - 2c>, summed in index order; the first strict maximum wins
 * (ties: lowest message index). Inputs are sanitised like the Dumer decoder's (NaN -> 0, clamp to
 * +-2^100), so every correlation is finite for n <= 2^26. ref only: 2^k n work per frame.
 */
#include <math.h>
#include <stdlib.h>

#include "refast/decoders.h"

#define CLAMP 0x1p100f

static float sanitize(float x)
{
    if (isnan(x)) return 0.0f;
    return x > CLAMP ? CLAMP : x < -CLAMP ? -CLAMP : x;
}

void RF_REF(block_ml)(const uint8_t *gen, unsigned k, size_t n, const float *llr, size_t frames,
                      uint8_t *msg)
{
    if (k < 1 || k > RF_ML_MAX_K || n == 0 || frames == 0) return;
    uint8_t *cw = malloc(n);
    for (size_t f = 0; f < frames; f++) {
        const float *l = llr + f * n;
        uint8_t *b = msg + f * k;
        if (!cw) {
            for (unsigned j = 0; j < k; j++) b[j] = 0xff;
            continue;
        }
        size_t best = 0;
        float best_corr = -INFINITY;
        for (size_t u = 0; u < ((size_t)1 << k); u++) {
            for (size_t i = 0; i < n; i++) {
                uint8_t c = 0;
                for (unsigned j = 0; j < k; j++) c ^= (uint8_t)((u >> j) & 1) & gen[j * n + i];
                cw[i] = c;
            }
            float corr = 0.0f;
            for (size_t i = 0; i < n; i++) {
                const float x = sanitize(l[i]);
                corr += cw[i] ? -x : x;
            }
            if (corr > best_corr) {
                best_corr = corr;
                best = u;
            }
        }
        for (unsigned j = 0; j < k; j++) b[j] = (best >> j) & 1;
    }
    free(cw);
}
