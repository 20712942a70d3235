/* Log-sum-exp for the Soft-MAP references (ref/softmap.c, ref/softmap_enum.c): the exact LLR of
 * seed 004 eq. C.4 is a difference of two LSEs. Each LSE is max + log(sum exp(x - max)), the sum
 * pairwise so that its rounding depth is O(log n).
 */
#ifndef REFAST_REF_LSE_H
#define REFAST_REF_LSE_H

#include <math.h>
#include <stddef.h>

/* Pairwise sum (the recursion keeps the rounding depth at log2 n + 8). */
static float pairwise_sum(const float *x, size_t n)
{
    if (n <= 8) {
        float s = 0.0f;
        for (size_t i = 0; i < n; i++) s += x[i];
        return s;
    }
    size_t h = n / 2;
    return pairwise_sum(x, h) + pairwise_sum(x + h, n - h);
}

/* log sum_i exp(x_i), n >= 1, x finite; overwrites x with exp(x_i - max). */
static float lse(float *x, size_t n)
{
    float mx = x[0];
    for (size_t i = 1; i < n; i++)
        if (x[i] > mx) mx = x[i];
    for (size_t i = 0; i < n; i++) x[i] = expf(x[i] - mx);
    return mx + logf(pairwise_sum(x, n));
}

#endif
