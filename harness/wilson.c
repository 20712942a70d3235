/* The Wilson score interval (wilson.h). */
#include "wilson.h"

#include <math.h>

void rf_wilson(uint64_t x, uint64_t n, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    const double z = 1.959963984540054, z2 = z * z, nn = (double)n, p = (double)x / nn;
    const double denom = 1 + z2 / nn;
    const double center = (p + z2 / (2 * nn)) / denom;
    const double half = z / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = x == 0 ? 0 : fmax(0, center - half);
    *hi = x == n ? 1 : fmin(1, center + half);
}
