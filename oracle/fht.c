/* Oracle for the Walsh–Hadamard transform. */
#include <math.h>
#include <stdlib.h>

#include "oracle.h"

void ora_fht(const float *x, unsigned log2n, long double *out)
{
    const size_t n = (size_t)1 << log2n;
    int finite = 1;
    for (size_t i = 0; i < n; i++) finite &= isfinite(x[i]) != 0;

    if (!finite) {
        for (size_t i = 0; i < n; i++) out[i] = x[i];
        for (size_t h = 1; h < n; h <<= 1)
            for (size_t i = 0; i < n; i += 2 * h)
                for (size_t j = i; j < i + h; j++) {
                    long double a = out[j], b = out[j + h];
                    out[j] = a + b;
                    out[j + h] = a - b;
                }
        return;
    }

    ora_dd *w = malloc(n * sizeof *w);
    if (!w) abort(); /* the oracle runs on sizes the caller validated; OOM is not recoverable */
    for (size_t i = 0; i < n; i++) w[i] = ora_dd_from(x[i]);
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t i = 0; i < n; i += 2 * h)
            for (size_t j = i; j < i + h; j++) {
                ora_dd a = w[j], b = w[j + h];
                w[j] = ora_dd_add(a, b);
                w[j + h] = ora_dd_add(a, ora_dd_neg(b));
            }
    for (size_t i = 0; i < n; i++) out[i] = ora_dd_value(w[i]);
    free(w);
}
