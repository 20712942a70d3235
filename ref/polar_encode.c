/* Polar(N,K) encoder, scalar reference: x = u F^{(x)n}, F = [[1,0],[1,1]], no bit reversal
 * (SPEC §5.1). u holds the K message bits at the information positions (frozen[i] == 0) in
 * increasing index order and 0 at the frozen ones.
 *
 * In Plotkin form x = (x_a XOR x_b, x_b), x_a and x_b the encodings of the two halves of u; the
 * passes below are that recursion unrolled bottom up: for h = 1, 2, 4, ..., every pair (j, j + h)
 * inside a block of 2h becomes (x_j XOR x_{j+h}, x_{j+h}). The float form is the BPSK image, XOR
 * being the product of signs.
 */
#include <string.h>

#include "refast/codes.h"

static size_t info_count(const uint8_t *frozen, size_t n)
{
    size_t K = 0;
    for (size_t i = 0; i < n; i++) K += frozen[i] == 0;
    return K;
}

/* u of one frame, one bit per byte. */
static void place_message(const uint8_t *frozen, size_t n, const uint8_t *msg, uint8_t *u)
{
    size_t t = 0;
    for (size_t i = 0; i < n; i++) u[i] = frozen[i] ? 0 : msg[t++] & 1u;
}

static void transform_bits(uint8_t *x, size_t n)
{
    for (size_t h = 1; h < n; h *= 2)
        for (size_t i = 0; i < n; i += 2 * h)
            for (size_t j = i; j < i + h; j++) x[j] ^= x[j + h];
}

/* One frame at a time through a byte buffer of N bits (no larger than 64 KiB). */
void RF_REF(polar_encode_packed)(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                                 uint64_t *cw)
{
    const size_t n = (size_t)1 << log2n, K = info_count(frozen, n), words = rf_packed_words(n);
    uint8_t u[(size_t)1 << 16];
    for (size_t f = 0; f < frames; f++) {
        place_message(frozen, n, msg + f * K, u);
        transform_bits(u, n);
        uint64_t *c = cw + f * words;
        memset(c, 0, words * sizeof *c);
        for (size_t i = 0; i < n; i++) c[i / 64] |= (uint64_t)u[i] << (i % 64);
    }
}

void RF_REF(polar_encode_f32)(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                              float *x)
{
    const size_t n = (size_t)1 << log2n, K = info_count(frozen, n);
    uint8_t u[(size_t)1 << 16];
    for (size_t f = 0; f < frames; f++) {
        float *xf = x + f * n;
        place_message(frozen, n, msg + f * K, u);
        for (size_t i = 0; i < n; i++) xf[i] = u[i] ? -1.0f : 1.0f;
        for (size_t h = 1; h < n; h *= 2)
            for (size_t i = 0; i < n; i += 2 * h)
                for (size_t j = i; j < i + h; j++) xf[j] *= xf[j + h];
    }
}
