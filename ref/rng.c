/* Philox words, uniforms, Box–Muller gaussians and the BPSK + AWGN channel, scalar reference
 * (refast/rng.h; SPEC §3 "Random numbers", §5.1 "Channels").
 *
 * The gaussian is computed in double with libm (log, sqrt, sin, cos) and rounded to float once at
 * the end: r and the reduced angle's sin/cos carry errors near 2^-52, so the float result is the
 * correctly rounded value except when the exact value lies within ~2^-50 relative of a midpoint
 * between two floats (then it may be 1 ulp off). The angle reduction is exact integer arithmetic,
 * the same at every level (refast/rng.h). */
#include <math.h>

#include "refast/rng.h"

/* The Philox block of position p of a stream: counter (p/4 as two words, stream as two words). */
static void stream_block(uint64_t seed, uint64_t stream, uint64_t p, uint32_t w[4])
{
    const uint64_t b = p / 4;
    const uint32_t ctr[4] = {(uint32_t)b, (uint32_t)(b >> 32), (uint32_t)stream,
                             (uint32_t)(stream >> 32)};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    rf_philox4x32_10(ctr, key, w);
}

void RF_REF(philox_u32)(uint64_t seed, uint64_t stream, uint64_t first, size_t n, uint32_t *out)
{
    uint32_t w[4];
    for (size_t i = 0; i < n; i++) {
        const uint64_t p = first + i;
        if (i == 0 || p % 4 == 0) stream_block(seed, stream, p, w);
        out[i] = w[p % 4];
    }
}

void RF_REF(uniform_f32)(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    uint32_t w[4];
    for (size_t i = 0; i < n; i++) {
        const uint64_t p = first + i;
        if (i == 0 || p % 4 == 0) stream_block(seed, stream, p, w);
        out[i] = (float)(w[p % 4] >> 8) * 0x1p-24f;
    }
}

/* Box–Muller on the word pair (w0, w1): r cos(angle) or r sin(angle). */
static double box_muller(uint32_t w0, uint32_t w1, int want_sin)
{
    const double pi_4 = 0.78539816339744830961566084581987572;
    const double u1 = ((double)(w0 >> 9) + 0.5) * 0x1p-23;
    const double r = sqrt(-2.0 * log(u1));

    /* angle = 2 pi k / 2^24 = q pi/2 + (pi/2) m / 2^22 */
    const uint32_t k = w1 >> 8, q = k >> 22, m = k & 0x3fffffu;
    const int upper = m > 0x200000u;              /* second half of the quadrant */
    const uint32_t j = upper ? 0x400000u - m : m; /* t = (pi/2) j / 2^22 in [0, pi/4] */
    const double t = pi_4 * ((double)j * 0x1p-21);
    double c = cos(t), s = sin(t);
    if (upper) { /* cos(pi/2 - t) = sin t and vice versa */
        const double tmp = c;
        c = s;
        s = tmp;
    }
    double cos_a, sin_a; /* rotate by q quarter turns */
    switch (q) {
    case 0: cos_a = c; sin_a = s; break;
    case 1: cos_a = -s; sin_a = c; break;
    case 2: cos_a = -c; sin_a = -s; break;
    default: cos_a = s; sin_a = -c; break;
    }
    return r * (want_sin ? sin_a : cos_a);
}

void RF_REF(gauss_f32)(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    uint32_t w[4];
    for (size_t i = 0; i < n; i++) {
        const uint64_t g = first + i; /* gaussian g: words 2j, 2j+1 of pair j = g/2 */
        if (i == 0 || g % 4 == 0) stream_block(seed, stream, g, w);
        const unsigned pair = (unsigned)(g % 4) & 2u;
        out[i] = (float)box_muller(w[pair], w[pair + 1], (int)(g & 1));
    }
}

void RF_REF(awgn_llr_f32)(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                          uint64_t seed, float sigma, float *llr)
{
    const float gain = (float)(2.0 / ((double)sigma * sigma)); /* L = 2 y / sigma^2 */
    for (size_t f = 0; f < frames; f++) {
        float *row = llr + f * n;
        const uint8_t *c = bits + f * n;
        RF_REF(gauss_f32)(seed, first_frame + f, 0, n, row); /* z, then L in place */
        for (size_t i = 0; i < n; i++) {
            const float s = (c[i] & 1) ? -1.0f : 1.0f; /* BPSK: bit 0 -> +1 */
            const float y = s + sigma * row[i];
            row[i] = y * gain;
        }
    }
}
