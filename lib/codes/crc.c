/* Bitwise CRC register (crc.h): one shift and a conditional XOR of the generator per message
 * bit. The list decoder checks up to 32 candidates of a few thousand bits per frame, a small
 * cost beside the decoding itself (O(N log N) per path), so no table. */
#include "codes/crc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t width_mask(unsigned w)
{
    return w >= 32 ? 0xffffffffu : ((uint32_t)1 << w) - 1;
}

/* poly with its bit order reversed over w bits (the generator of the reflected register). */
static uint32_t reverse(uint32_t v, unsigned w)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < w; i++) r |= ((v >> i) & 1u) << (w - 1 - i);
    return r;
}

bool rf_crc_parse(const char *s, rf_crc *c, char *err, size_t errlen)
{
    static const rf_crc named[] = {
        {6, 0x21, 0, 0, false, "crc6"},
        {11, 0x621, 0, 0, false, "crc11"},
        {16, 0x1021, 0, 0, false, "crc16"},
        {24, 0xB2B117, 0, 0, false, "crc24c"},
        {32, 0x04C11DB7, 0xffffffffu, 0xffffffffu, true, "crc32"},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strcmp(s, named[i].name)) {
            *c = named[i];
            return true;
        }
    if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
        char *end;
        errno = 0;
        const unsigned long long p = strtoull(s + 2, &end, 16);
        if (end != s + 2 && *end == '/' && errno == 0) {
            const char *ws = end + 1;
            const unsigned long long w = strtoull(ws, &end, 10);
            if (end != ws && *end == 0 && ws[0] != '-' && ws[0] != '+' && w >= 1 && w <= 32 &&
                p <= width_mask((unsigned)w) && (p & 1u)) {
                *c = (rf_crc){(unsigned)w, (uint32_t)p, 0, 0, false, ""};
                snprintf(c->name, sizeof c->name, "0x%llX/%u", p, (unsigned)w);
                return true;
            }
        }
    }
    snprintf(err, errlen,
             "CRC '%s': expected crc6, crc11, crc16, crc24c, crc32 or 0xPOLY/W (W in 1..32, POLY < 2^W with "
             "its constant term set)",
             s);
    return false;
}

uint32_t rf_crc_bits(const rf_crc *c, const uint8_t *bits, size_t n)
{
    const unsigned w = c->width;
    const uint32_t mask = width_mask(w);
    uint32_t reg = c->init & mask;
    if (c->reflected) {
        const uint32_t rpoly = reverse(c->poly, w);
        for (size_t i = 0; i < n; i++) {
            const uint32_t out = (reg ^ (bits[i] != 0)) & 1u;
            reg = (reg >> 1) ^ (out ? rpoly : 0);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            const uint32_t out = ((reg >> (w - 1)) ^ (bits[i] != 0)) & 1u;
            reg = ((reg << 1) ^ (out ? c->poly : 0)) & mask;
        }
    }
    return (reg ^ c->xorout) & mask;
}

void rf_crc_parity(const rf_crc *c, const uint8_t *bits, size_t n, uint8_t *parity)
{
    const uint32_t v = rf_crc_bits(c, bits, n);
    for (unsigned j = 0; j < c->width; j++)
        parity[j] = (uint8_t)((v >> (c->reflected ? j : c->width - 1 - j)) & 1u);
}

bool rf_crc_check(const rf_crc *c, const uint8_t *bits, size_t n)
{
    if (n < c->width) return false;
    const size_t a = n - c->width;
    const uint32_t v = rf_crc_bits(c, bits, a);
    for (unsigned j = 0; j < c->width; j++)
        if ((uint8_t)((v >> (c->reflected ? j : c->width - 1 - j)) & 1u) != (bits[a + j] != 0)) return false;
    return true;
}
