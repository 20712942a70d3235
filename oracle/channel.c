/* Oracle for the Rayleigh and bursty channels (refast/channel.h): the same streams, every number
 * from the long double gaussians of oracle/rng.c (or the exact uniform), the channel formula in
 * long double. */
#include <math.h>

#include "oracle.h"
#include "refast/channel.h"

void ora_rayleigh_llr(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
                      float sigma, long double *llr, long double *scale)
{
    const long double sg = sigma, gain = 2.0L / (sg * sg);
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first_frame + f;
        for (size_t i = 0; i < n; i++) {
            const long double x = ora_gauss(seed, frame + RF_STREAM_FADING, 2 * (uint64_t)i);
            const long double y2 = ora_gauss(seed, frame + RF_STREAM_FADING, 2 * (uint64_t)i + 1);
            const long double a = sqrtl((x * x + y2 * y2) / 2.0L);
            const long double z = ora_gauss(seed, frame, i);
            const long double s = (bits[f * n + i] & 1) ? -1.0L : 1.0L;
            llr[f * n + i] = gain * a * (a * s + sg * z);
            scale[f * n + i] = gain * (a * a + a * sg * fabsl(z));
        }
    }
}

void ora_bursty_llr(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
                    float sigma, float rho, float sigma_b, long double *llr, long double *scale)
{
    const long double sg = sigma, sb = sigma_b, gain = 2.0L / (sg * sg);
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first_frame + f;
        for (size_t i = 0; i < n; i++) {
            const long double u = (long double)(ora_philox_word(seed, frame + RF_STREAM_BURST_FLAG, i) >> 8) /
                                  16777216.0L; /* exact */
            const int hit = u < (long double)rho;
            const long double w = hit ? ora_gauss(seed, frame + RF_STREAM_BURST_NOISE, i) : 0.0L;
            const long double z = ora_gauss(seed, frame, i);
            const long double s = (bits[f * n + i] & 1) ? -1.0L : 1.0L;
            llr[f * n + i] = gain * (s + sg * z + sb * w);
            scale[f * n + i] = gain * (1.0L + sg * fabsl(z) + sb * fabsl(w));
        }
    }
}
