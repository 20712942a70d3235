/* The triad (harness/machine_triad.h), built for the architecture baseline: it is bound by memory,
 * not by the instruction set. */
#include "machine_triad.h"

void machine_triad(float *a, const float *b, const float *c, float s, size_t n)
{
    for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}
