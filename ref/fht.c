/* Walsh–Hadamard transform, scalar reference: log2n passes of butterflies (a, b) -> (a+b, a-b)
 * over pairs h apart, h = 1, 2, 4, ... (SPEC §5.1). */
#include "refast/fht.h"

void RF_REF(fht_f32)(float *x, unsigned log2n)
{
    const size_t n = (size_t)1 << log2n;
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t i = 0; i < n; i += 2 * h)
            for (size_t j = i; j < i + h; j++) {
                float a = x[j], b = x[j + h];
                x[j] = a + b;
                x[j + h] = a - b;
            }
}

void RF_REF(fht_f32_batch)(float *x, unsigned log2n, size_t count)
{
    const size_t n = (size_t)1 << log2n;
    for (size_t v = 0; v < count; v++) RF_REF(fht_f32)(x + v * n, log2n);
}
