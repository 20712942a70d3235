/* The Wilson score interval of a binomial proportion (Wilson 1927; Newcombe 1998, method 3): the
 * 95% intervals of `refast sim`'s error rates and of the curves `refast report --sim` draws from
 * them (the report recomputes it for counts the JSON gives without one, such as per-leaf BLER). */
#ifndef REFAST_WILSON_H
#define REFAST_WILSON_H

#include <stdint.h>

/* Wilson score interval for x successes in n trials at z = 1.959963984540054 (95%); n = 0 gives
 * [0, 1]. */
void rf_wilson(uint64_t x, uint64_t n, double *lo, double *hi);

#endif
