/* Float LLRs to int8 fixed point (lib/codes/quant.h). The scaled value is clamped in double before
 * rounding so that no conversion overflows (|l| up to FLT_MAX, infinities). */
#include "codes/quant.h"

#include <math.h>

int rf_quantize_llr_i8(const float *l, size_t n, unsigned bits, unsigned frac, int8_t *q)
{
    if (bits < 2 || bits > 8 || frac > 7) return 0;
    const double bound = (double)((1 << (bits - 1)) - 1), scale = ldexp(1.0, (int)frac);
    for (size_t i = 0; i < n; i++) {
        if (isnan(l[i])) {
            q[i] = 0;
            continue;
        }
        double v = (double)l[i] * scale;
        v = v > bound ? bound : v < -bound ? -bound : v;
        q[i] = (int8_t)lround(v);
    }
    return 1;
}
