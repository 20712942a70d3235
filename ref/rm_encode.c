/* RM(m,r) encoder, scalar reference: the canonical Plotkin recursion of SPEC §5.1, literally.
 *
 *   encode(m, r, b) = r == 0: b0 repeated 2^m times;  m == 0: (b0);
 *                     else (u, u XOR v), u = encode(m-1, min(r,m-1), b[0..ku)),
 *                                        v = encode(m-1, r-1, b[ku..k)).
 *
 * The recursion writes u into the first half and v into the second half of the output and then
 * forms u XOR v in place, one bit at a time. The packed form addresses codeword bit i as bit i % 64
 * of word i / 64; the float form works on the BPSK image directly, where XOR of bits is the product
 * of their signs (+1 for 0, -1 for 1), so both are exact.
 */
#include <string.h>

#include "refast/codes.h"

static unsigned get_bit(const uint64_t *w, size_t i)
{
    return (unsigned)(w[i / 64] >> (i % 64)) & 1u;
}

static void xor_bit(uint64_t *w, size_t i, unsigned b)
{
    w[i / 64] ^= (uint64_t)(b & 1u) << (i % 64);
}

/* Encodes b into bits [pos, pos + 2^m) of cw, which must be zero on entry. */
static void encode_packed(unsigned m, unsigned r, const uint8_t *b, uint64_t *cw, size_t pos)
{
    const size_t n = (size_t)1 << m;
    if (r == 0) {
        for (size_t i = 0; i < n; i++) xor_bit(cw, pos + i, b[0]);
        return;
    }
    if (m == 0) {
        xor_bit(cw, pos, b[0]);
        return;
    }
    const unsigned ru = r < m - 1 ? r : m - 1;
    const size_t ku = rf_rm_k(m - 1, ru), h = n / 2;
    encode_packed(m - 1, ru, b, cw, pos);           /* u */
    encode_packed(m - 1, r - 1, b + ku, cw, pos + h); /* v */
    for (size_t i = 0; i < h; i++) xor_bit(cw, pos + h + i, get_bit(cw, pos + i)); /* u XOR v */
}

void RF_REF(rm_encode_packed)(unsigned m, unsigned r, const uint8_t *msg, size_t frames, uint64_t *cw)
{
    const size_t n = (size_t)1 << m, k = rf_rm_k(m, r), words = rf_packed_words(n);
    for (size_t f = 0; f < frames; f++) {
        uint64_t *c = cw + f * words;
        memset(c, 0, words * sizeof *c);
        encode_packed(m, r, msg + f * k, c, 0);
    }
}

static void encode_f32(unsigned m, unsigned r, const uint8_t *b, float *x)
{
    const size_t n = (size_t)1 << m;
    if (r == 0 || m == 0) {
        const float s = (b[0] & 1u) ? -1.0f : 1.0f;
        for (size_t i = 0; i < n; i++) x[i] = s;
        return;
    }
    const unsigned ru = r < m - 1 ? r : m - 1;
    const size_t ku = rf_rm_k(m - 1, ru), h = n / 2;
    encode_f32(m - 1, ru, b, x);
    encode_f32(m - 1, r - 1, b + ku, x + h);
    for (size_t i = 0; i < h; i++) x[h + i] *= x[i];
}

void RF_REF(rm_encode_f32)(unsigned m, unsigned r, const uint8_t *msg, size_t frames, float *x)
{
    const size_t n = (size_t)1 << m, k = rf_rm_k(m, r);
    for (size_t f = 0; f < frames; f++) encode_f32(m, r, msg + f * k, x + f * n);
}
