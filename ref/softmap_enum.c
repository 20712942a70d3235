/* Soft-MAP of any small binary linear code by enumeration, scalar reference (seed 004 eqs. C.4,
 * C.6; SPEC §5.1 "Generic small-code Soft-MAP").
 *
 * For every message u in 0..2^k-1 (bit i of u is information bit i) the codeword is c = u G over
 * GF(2) and its correlation with the LLRs is <l, 1 - 2c>. Information bit i then gets
 *   maxlog: max_{u_i = 0} <l,1-2c> - max_{u_i = 1} <l,1-2c>                      (eq. C.6)
 *   exact:  LSE_{u_i = 0} <l,1-2c>/2 - LSE_{u_i = 1} <l,1-2c>/2     (eq. C.4, 2 sigma^2 form)
 * O(n 2^k) per frame: meant for leaves like RM(2,2) and as the readable statement of what the
 * RM(m,1) FHT kernels compute.
 */
#include <math.h>
#include <stdlib.h>

#include "refast/softmap.h"
#include "lse.h"

/* Stack scratch for k <= 10; larger codes use the heap. */
#define STACK_MSGS 1024

/* <l, 1 - 2c> for the codeword of message u. */
static float correlation(const float *l, size_t n, unsigned k, const uint8_t *gen, size_t u)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) {
        unsigned c = 0;
        for (unsigned r = 0; r < k; r++) c ^= ((u >> r) & 1) & gen[r * n + i];
        s += c ? -l[i] : l[i];
    }
    return s;
}

void RF_REF(softmap_enum)(const float *llr, size_t n, unsigned k, const uint8_t *gen,
                          size_t frames, int maxlog, float *out)
{
    if (k < 1 || k > RF_ENUM_MAX_K || n == 0 || frames == 0) return;
    const size_t msgs = (size_t)1 << k;
    float stack_corr[STACK_MSGS], stack_t[STACK_MSGS / 2];
    float *corr = stack_corr, *t = stack_t;
    if (msgs > STACK_MSGS) {
        corr = malloc(msgs * sizeof *corr);
        t = malloc(msgs / 2 * sizeof *t);
    }
    for (size_t f = 0; f < frames; f++) {
        float *o = out + f * k;
        int finite = corr && t;
        for (size_t u = 0; finite && u < msgs; u++) {
            corr[u] = correlation(llr + f * n, n, k, gen, u);
            finite = isfinite(corr[u]);
        }
        if (!finite) { /* also the (k > 10) allocation failure */
            for (unsigned i = 0; i < k; i++) o[i] = NAN;
            continue;
        }
        for (unsigned i = 0; i < k; i++) {
            float v[2];
            for (int h = 0; h < 2; h++) {
                size_t c = 0;
                for (size_t u = 0; u < msgs; u++)
                    if ((int)((u >> i) & 1) == h) t[c++] = maxlog ? corr[u] : corr[u] / 2;
                if (maxlog) {
                    v[h] = t[0];
                    for (size_t j = 1; j < c; j++)
                        if (t[j] > v[h]) v[h] = t[j];
                } else {
                    v[h] = lse(t, c);
                }
            }
            o[i] = v[0] - v[1];
        }
    }
    if (corr != stack_corr) free(corr);
    if (t != stack_t) free(t);
}
