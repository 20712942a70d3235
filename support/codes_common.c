/* RM code parameters (refast/codes.h), used by ref, fast and the commands alike. */
#include "refast/codes.h"

#include "errf.h"

size_t rf_rm_k(unsigned m, unsigned r)
{
    if (r > m) return 0;
    size_t k = 0, binom = 1; /* C(m, i), exact: C(16, 8) = 12870 */
    for (unsigned i = 0; i <= r; i++) {
        k += binom;
        binom = binom * (m - i) / (i + 1);
    }
    return k;
}

bool rf_rm_check(unsigned m, unsigned r, char *err, size_t errlen)
{
    if (m > RF_RM_MAX_M) return rf_fail(err, errlen, "RM(m,r): m = %u exceeds the maximum %d", m, RF_RM_MAX_M);
    if (r > m) return rf_fail(err, errlen, "RM(m,r): r = %u exceeds m = %u", r, m);
    return true;
}
