/* Polar(N,K) encoders, avx2. Mirrors ref/polar_encode.c: polar_encode_packed_ref,
 * polar_encode_f32_ref.
 *
 * Trick (fast/bitenc.h): x = u F^(x)n is the superset zeta transform x_i = XOR_(j superset of i)
 * u_j, so the frozen mask is packed once per call into per-word information masks, and a frame is:
 * its message bytes packed to bits (VPMOVMSKB 32 bytes at a time, PEXT for tails; PDEP), one
 * deposit per codeword word, and the butterfly levels (x_a XOR x_b, x_b) on whole words (in-word
 * shift/mask for s < 6, word XORs for s >= 6). The float form expands the packed codeword to +-1.
 */
#include "bitenc.h"

void polar_encode_packed_avx2(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                               uint64_t *cw)
{
    bitenc_plan p;
    bitenc_plan_polar(&p, log2n, frozen);
    bitenc_packed(&p, msg, frames, cw);
}

void polar_encode_f32_avx2(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                            float *x)
{
    bitenc_plan p;
    bitenc_plan_polar(&p, log2n, frozen);
    bitenc_f32(&p, msg, frames, x);
}
