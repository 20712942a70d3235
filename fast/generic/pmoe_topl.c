/* pmoe_topl at a vector level (refast/pmoe.h), mirroring the topl of ref/pmoe_route_tmpl.h: the same
 * ranking (larger first, NaN after every number, ties to the lower key of the tie rule), so the
 * selections are identical, bit for bit, and so is the margin.
 *
 * The trick: ref ranks every value against every other (O(n^2) per row, the plainest statement of
 * the rule); here one pass keeps the l best so far in rank order by insertion (O(n l), and l is 2
 * or 6 at the authors' shapes) and the best of the values left out, whose difference is the margin.
 * The comparator is a strict total order (keys are distinct), so any insertion order gives ref's
 * answer. Scalar code: a row is 16 values; the time was in the n^2 comparisons, not in arithmetic.
 */
#include <math.h>
#include <stdint.h>

#include "refast/pmoe.h"
#include "simd.h"

#define PM_TOPL_KERNEL(T, SFX)                                                                                     \
    static size_t tie_key_##SFX(size_t j, size_t n, int tie, size_t grid_w)                                        \
    {                                                                                                              \
        return tie != RF_PMOE_TIE_COL ? j : (j % grid_w) * (n / grid_w) + j / grid_w;                              \
    }                                                                                                              \
    /* 1 if (va, ka) ranks before (vb, kb): ref's ranks_before */                                                  \
    static int before_##SFX(T va, size_t ka, T vb, size_t kb)                                                      \
    {                                                                                                              \
        const int na = va != va, nb = vb != vb;                                                                    \
        if (na != nb) return nb;                                                                                   \
        if (!na && va != vb) return va > vb;                                                                       \
        return ka < kb;                                                                                            \
    }                                                                                                              \
    void RF_LEVEL_FN(pmoe_topl_##SFX)(const T *g, size_t rows, size_t n, size_t l, int tie, size_t grid_w,        \
                                      int32_t *idx, T *margin)                                                     \
    {                                                                                                              \
        const int valid = l >= 1 && l <= n && (tie != RF_PMOE_TIE_COL || (grid_w >= 1 && n % grid_w == 0));       \
        for (size_t r = 0; r < rows; r++) {                                                                        \
            const T *v = g + r * n;                                                                                \
            int32_t *out = idx + r * l;                                                                            \
            if (!valid) {                                                                                          \
                for (size_t t = 0; t < l; t++) out[t] = -1;                                                        \
                if (margin) margin[r] = (T)NAN;                                                                    \
                continue;                                                                                          \
            }                                                                                                      \
            /* out[0..cnt) holds the best so far, best first; `left` the best value left out */                   \
            size_t cnt = 0, left = n;                                                                              \
            for (size_t j = 0; j < n; j++) {                                                                       \
                size_t cand = j; /* the index that ends up outside the list, if any */                            \
                const size_t kj = tie_key_##SFX(j, n, tie, grid_w);                                                \
                if (cnt < l || before_##SFX(v[j], kj, v[out[cnt - 1]], tie_key_##SFX((size_t)out[cnt - 1], n, tie, grid_w))) { \
                    cand = cnt == l ? (size_t)out[l - 1] : n;                                                      \
                    size_t t = cnt < l ? cnt++ : l - 1;                                                            \
                    while (t > 0 &&                                                                                \
                           before_##SFX(v[j], kj, v[out[t - 1]], tie_key_##SFX((size_t)out[t - 1], n, tie, grid_w))) { \
                        out[t] = out[t - 1];                                                                       \
                        t--;                                                                                       \
                    }                                                                                              \
                    out[t] = (int32_t)j;                                                                           \
                }                                                                                                  \
                if (cand < n && (left == n || before_##SFX(v[cand], tie_key_##SFX(cand, n, tie, grid_w), v[left], \
                                                           tie_key_##SFX(left, n, tie, grid_w))))                  \
                    left = cand;                                                                                   \
            }                                                                                                      \
            if (margin) margin[r] = l == n ? (T)INFINITY : v[out[l - 1]] - v[left];                                \
            /* ascending indices, as ref emits them */                                                             \
            for (size_t a = 1; a < l; a++) {                                                                       \
                const int32_t x = out[a];                                                                          \
                size_t b = a;                                                                                      \
                for (; b > 0 && out[b - 1] > x; b--) out[b] = out[b - 1];                                          \
                out[b] = x;                                                                                        \
            }                                                                                                      \
        }                                                                                                          \
    }

PM_TOPL_KERNEL(float, f32)
PM_TOPL_KERNEL(double, f64)
