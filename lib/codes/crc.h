/* Cyclic redundancy checks over message bits, for CRC-aided polar decoding (SPEC §5.1).
 *
 * Bits are one per byte (0/1, as every message in refast). A CRC of width w (1..32) is given by
 * its generator g(D) = D^w + sum_{i<w} g_i D^i, stored as `poly` with bit i = g_i (the D^w term
 * implicit: 5G NR's CRC-24C is 0xB2B117), an initial register `init` and a final `xorout`.
 *
 * Non-reflected CRCs (the 3GPP ones and every hex polynomial given by the user) follow TS 38.212
 * §5.1: the message a_0..a_{A-1} (a_0 first, the coefficient of the highest power) is followed
 * by the parity bits p_0..p_{w-1} such that a_0 D^{A+w-1} + ... + a_{A-1} D^w + p_0 D^{w-1} + ...
 * + p_{w-1} is divisible by g(D) (init = xorout = 0); p_0 is bit w-1 of the CRC value. Fed with
 * bytes, a byte is 8 message bits most significant first (so CRC-16 0x1021 of "123456789" is
 * CRC-16/XMODEM's 0x31C3).
 * Reflected CRCs (CRC-32 GZIP: 0x04C11DB7, init = xorout = 0xFFFFFFFF) shift the register the
 * other way: message bit j of a byte stream is bit j mod 8 of byte j / 8 (least significant bit
 * first, as gzip and Ethernet send them), and the CRC value is appended least significant bit
 * first (p_j = bit j of the value: gzip's little-endian trailer, bit by bit). CRC-32 of the bits
 * of "123456789" in that order is 0xCBF43926.
 * Named CRCs: crc6 (0x21), crc11 (0x621), crc16 (0x1021), crc24c (0xB2B117) of 38.212, and crc32
 * (GZIP). A user polynomial is written 0xPOLY/W (hex without the D^W term, width W, e.g.
 * 0x1021/16), non-reflected with init = xorout = 0.
 */
#ifndef REFAST_CODES_CRC_H
#define REFAST_CODES_CRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rf_crc {
    unsigned width; /* 1..32 */
    uint32_t poly, init, xorout;
    bool reflected;
    char name[24]; /* normalised: "crc24c", "0x1021/16" */
} rf_crc;

/* A named CRC (crc6, crc11, crc16, crc24c, crc32) or 0xPOLY/W; false with a one-line error. */
bool rf_crc_parse(const char *s, rf_crc *c, char *err, size_t errlen);
/* The CRC value (w bits) of n message bits. */
uint32_t rf_crc_bits(const rf_crc *c, const uint8_t *bits, size_t n);
/* The w parity bits p_0..p_{w-1} of n message bits, in the order they are appended. */
void rf_crc_parity(const rf_crc *c, const uint8_t *bits, size_t n, uint8_t *parity);
/* Whether n >= w bits are a message followed by its parity bits (each bit tested as != 0). */
bool rf_crc_check(const rf_crc *c, const uint8_t *bits, size_t n);

#endif
