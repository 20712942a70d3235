/* Double-long-double arithmetic (Knuth's TwoSum) used by the oracles. */
#include "oracle.h"

#include <math.h>

static ora_dd two_sum(long double a, long double b)
{
    long double s = a + b;
    long double bb = s - a;
    long double err = (a - (s - bb)) + (b - bb);
    return (ora_dd){s, err};
}

ora_dd ora_dd_add(ora_dd a, ora_dd b)
{
    ora_dd s = two_sum(a.hi, b.hi);
    long double lo = s.lo + a.lo + b.lo;
    return two_sum(s.hi, lo);
}

ora_dd ora_dd_from(long double x)
{
    return (ora_dd){x, 0.0L};
}

ora_dd ora_dd_neg(ora_dd a)
{
    return (ora_dd){-a.hi, -a.lo};
}

long double ora_dd_value(ora_dd a)
{
    return a.hi + a.lo;
}

long double ora_abs_sum(const float *x, size_t n)
{
    ora_dd s = ora_dd_from(0.0L);
    for (size_t i = 0; i < n; i++) s = ora_dd_add(s, ora_dd_from(fabsl((long double)x[i])));
    return ora_dd_value(s);
}
