/* CRC-aided SC-list decoding of polar codes, plain and adaptive (SPEC §5.1; Tal & Vardy 2015,
 * Li, Chen & Liu 2012).
 *
 * The polar code carries K = A + w bits: A information bits followed by the w parity bits of
 * CRC c (codes/crc.h), placed on the information positions in increasing index order (the encoder
 * appends the CRC before polar encoding: rf_cascl_attach). Decoders write the A information bits.
 *   CA-SCL, list L: the L final paths of the list decoder (rf_polar_scl_paths, ranked by path
 *     metric) are checked in rank order; the first whose CRC passes is the output. If none passes,
 *     the output is the best-metric path and the frame is reported as failed (ok = 0).
 *   Adaptive (Li et al.): SC (rf_polar_sc) first; if its CRC fails, CA-SCL with L = 2, 4, 8, ...,
 *     up to lmax (the last step is lmax itself if it is not a power of two), stopping at the first
 *     list whose CRC passes; if none does, the CA-SCL lmax output (its best path) with ok = 0.
 * Kernels go through the dispatch (the active level). `used` (may be NULL) counts per frame the
 * list size that ended the decoding: used[t] for L = 2^t (t = 0 is SC), used[6] for an lmax that
 * is not a power of two; counts are added to, never reset. Return 0, or -1 when out of memory (the
 * output is then all 0xff).
 */
#ifndef REFAST_CODES_CASCL_H
#define REFAST_CODES_CASCL_H

#include <stddef.h>
#include <stdint.h>

#include "codes/crc.h"

#define RF_CASCL_USED 7

/* The list decoder under the CRC: SC list (rf_polar_scl_paths, with f) or Fast-SSC list
 * (rf_polar_fscl_paths: min-sum, so f must be RF_F_MINSUM, and adaptive's SC is min-sum SC). */
typedef enum rf_list_decoder { RF_LIST_SCL = 0, RF_LIST_FAST_SSC = 1 } rf_list_decoder;

/* x bits of K = A + w: msg (frames x A) with each frame's CRC appended (frames x K). */
void rf_cascl_attach(const rf_crc *c, const uint8_t *msg, size_t a, size_t frames, uint8_t *out);

int rf_polar_cascl(unsigned log2n, const uint8_t *frozen, unsigned list, int f, rf_list_decoder dec, const rf_crc *c,
                   const float *llr, size_t frames, uint8_t *msg, uint8_t *ok);
int rf_polar_cascl_adaptive(unsigned log2n, const uint8_t *frozen, unsigned lmax, int f, rf_list_decoder dec,
                            const rf_crc *c, const float *llr, size_t frames, uint8_t *msg, uint8_t *ok,
                            uint64_t used[RF_CASCL_USED]);

#endif
