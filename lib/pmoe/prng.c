/* Philox stream reading and draws (prng.h). */
#include <math.h>

#include "pmoe/prng.h"
#include "refast/rng.h"

uint64_t rf_pmoe_stream(unsigned purpose, uint64_t run, uint32_t sub)
{
    return (uint64_t)(purpose & 0xff) << 56 | (run & 0xffffff) << 32 | sub;
}

void rf_pmoe_rng_init(rf_pmoe_rng *r, uint64_t seed, uint64_t stream)
{
    r->seed = seed;
    r->stream = stream;
    r->block = 0;
    r->next = 4;
    r->has_spare = 0;
    r->spare = 0;
}

uint32_t rf_pmoe_rng_u32(rf_pmoe_rng *r)
{
    if (r->next == 4) {
        const uint32_t ctr[4] = {(uint32_t)r->block, (uint32_t)(r->block >> 32), (uint32_t)r->stream,
                                 (uint32_t)(r->stream >> 32)};
        const uint32_t key[2] = {(uint32_t)r->seed, (uint32_t)(r->seed >> 32)};
        rf_philox4x32_10(ctr, key, r->word);
        r->block++;
        r->next = 0;
    }
    return r->word[r->next++];
}

double rf_pmoe_rng_uniform(rf_pmoe_rng *r)
{
    const uint64_t hi = rf_pmoe_rng_u32(r), lo = rf_pmoe_rng_u32(r);
    return (double)((hi << 32 | lo) >> 11) * 0x1p-53;
}

double rf_pmoe_rng_gauss(rf_pmoe_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    const double u1 = 1.0 - rf_pmoe_rng_uniform(r); /* (0, 1]: its log is finite */
    const double u2 = rf_pmoe_rng_uniform(r);
    const double radius = sqrt(-2.0 * log(u1)), angle = 6.283185307179586 * u2;
    r->spare = radius * sin(angle);
    r->has_spare = 1;
    return radius * cos(angle);
}

uint32_t rf_pmoe_rng_below(rf_pmoe_rng *r, uint32_t bound)
{
    /* Lemire (2019): the high word of u32 * bound, rejecting the few low words that would bias it. */
    uint64_t m = (uint64_t)rf_pmoe_rng_u32(r) * bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        const uint32_t threshold = (uint32_t)(-bound) % bound;
        while (low < threshold) {
            m = (uint64_t)rf_pmoe_rng_u32(r) * bound;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

void rf_pmoe_rng_shuffle(rf_pmoe_rng *r, uint32_t *perm, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        const size_t j = rf_pmoe_rng_below(r, (uint32_t)i);
        const uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}
