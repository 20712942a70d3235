/* Oracle for the RNG family: the Philox addressing, Box–Muller in long double (logl, sqrtl and
 * sinl/cosl on the exactly reduced angle, ~2^-63 relative) and the AWGN LLR in long double. */
#include <math.h>

#include "oracle.h"
#include "refast/rng.h"

uint32_t ora_philox_word(uint64_t seed, uint64_t stream, uint64_t pos)
{
    const uint64_t block = pos >> 2;
    const uint32_t ctr[4] = {(uint32_t)(block & 0xffffffffu), (uint32_t)(block >> 32),
                             (uint32_t)(stream & 0xffffffffu), (uint32_t)(stream >> 32)};
    const uint32_t key[2] = {(uint32_t)(seed & 0xffffffffu), (uint32_t)(seed >> 32)};
    uint32_t out[4];
    rf_philox4x32_10(ctr, key, out);
    return out[pos & 3];
}

long double ora_gauss(uint64_t seed, uint64_t stream, uint64_t index)
{
    const long double pi = 3.141592653589793238462643383279502884L;
    const uint64_t pair = index >> 1;
    const uint32_t w0 = ora_philox_word(seed, stream, 2 * pair);
    const uint32_t w1 = ora_philox_word(seed, stream, 2 * pair + 1);

    const long double u1 = ((long double)(w0 >> 9) * 2.0L + 1.0L) / 16777216.0L; /* exact */
    const long double r = sqrtl(-2.0L * logl(u1));

    /* angle = 2 pi k / 2^24: quadrant k / 2^22, then the octant inside it */
    const uint32_t k = w1 >> 8;
    const unsigned quadrant = k / 4194304u;
    const uint32_t m = k % 4194304u;
    const int complement = m > 2097152u;
    const uint32_t j = complement ? 4194304u - m : m;
    const long double t = pi / 2.0L * (long double)j / 4194304.0L; /* in [0, pi/4] */
    long double c = cosl(t), s = sinl(t);
    if (complement) {
        const long double tmp = c;
        c = s;
        s = tmp;
    }
    /* (cos, sin) of t + quadrant * pi/2 */
    static const int cos_from_sin[4] = {0, 1, 0, 1};
    static const int cos_sign[4] = {1, -1, -1, 1}, sin_sign[4] = {1, 1, -1, -1};
    const long double ca = cos_sign[quadrant] * (cos_from_sin[quadrant] ? s : c);
    const long double sa = sin_sign[quadrant] * (cos_from_sin[quadrant] ? c : s);
    return r * ((index & 1) ? sa : ca);
}

void ora_awgn_llr(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                  uint64_t seed, float sigma, long double *llr, long double *scale)
{
    const long double sg = sigma, gain = 2.0L / (sg * sg);
    for (size_t f = 0; f < frames; f++)
        for (size_t i = 0; i < n; i++) {
            const long double z = ora_gauss(seed, first_frame + f, i);
            const long double s = (bits[f * n + i] & 1) ? -1.0L : 1.0L;
            llr[f * n + i] = gain * (s + sg * z);
            scale[f * n + i] = gain * (1.0L + sg * fabsl(z));
        }
}
