/* RM(m,r) encoders, neon. Mirrors ref/rm_encode.c: rm_encode_packed_ref, rm_encode_f32_ref.
 *
 * Trick (fast/bitenc.h): the canonical Plotkin recursion is the subset zeta transform of the
 * message bits placed at the positions of weight <= r, so a frame is: its message bytes packed to
 * bits (shift-and-add across 16-byte vectors; a software deposit, NEON has no PDEP), one deposit
 * per codeword word into that word's information positions, and the m butterfly levels u | u XOR v
 * on whole words (in-word shift/mask levels for s < 6, word XORs for s >= 6, vectorised by the
 * compiler). The float form expands the packed codeword to +-1.
 */
#include "bitenc.h"

void rm_encode_packed_neon(unsigned m, unsigned r, const uint8_t *msg, size_t frames, uint64_t *cw)
{
    bitenc_plan p;
    bitenc_plan_rm(&p, m, r);
    bitenc_packed(&p, msg, frames, cw);
}

void rm_encode_f32_neon(unsigned m, unsigned r, const uint8_t *msg, size_t frames, float *x)
{
    bitenc_plan p;
    bitenc_plan_rm(&p, m, r);
    bitenc_f32(&p, msg, frames, x);
}
