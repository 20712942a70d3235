/* CRC-aided and adaptive SC-list decoding (cascl.h) over the dispatched polar_sc and
 * polar_scl_paths or polar_fscl_paths kernels. Frames go to the list decoder in chunks, so that its working arrays
 * (about L N floats) are allocated once per chunk, not per frame. */
#include "codes/cascl.h"

#include <stdlib.h>
#include <string.h>

#include "refast/decoders.h"

enum { CHUNK = 16 };

void rf_cascl_attach(const rf_crc *c, const uint8_t *msg, size_t a, size_t frames, uint8_t *out)
{
    const size_t k = a + c->width;
    for (size_t fr = 0; fr < frames; fr++) {
        memcpy(out + fr * k, msg + fr * a, a);
        rf_crc_parity(c, msg + fr * a, a, out + fr * k + a);
    }
}

static size_t info_count(unsigned log2n, const uint8_t *frozen)
{
    size_t k = 0;
    for (size_t i = 0; i < ((size_t)1 << log2n); i++) k += !frozen[i];
    return k;
}

/* CA-SCL over `frames` frames whose LLR rows are llr[idx[j]] (idx NULL: consecutive); writes
 * msg[idx[j]] and ok[idx[j]] only for the frames that pass, or for all when `last`. */
static int cascl_some(unsigned log2n, const uint8_t *frozen, unsigned list, int f, rf_list_decoder dec, const rf_crc *c,
                      const float *llr, const size_t *idx, size_t frames, bool last, uint8_t *msg, uint8_t *ok)
{
    const size_t n = (size_t)1 << log2n, k = info_count(log2n, frozen), a = k - c->width;
    float *in = idx ? malloc(CHUNK * n * sizeof *in) : NULL;
    uint8_t *paths = malloc(CHUNK * (size_t)list * (k ? k : 1));
    if (!paths || (idx && !in)) {
        free(in);
        free(paths);
        return -1;
    }
    for (size_t f0 = 0; f0 < frames; f0 += CHUNK) {
        const size_t nf = frames - f0 < CHUNK ? frames - f0 : CHUNK;
        const float *src = llr + f0 * n;
        if (idx) {
            for (size_t j = 0; j < nf; j++) memcpy(in + j * n, llr + idx[f0 + j] * n, n * sizeof *in);
            src = in;
        }
        if (dec == RF_LIST_FAST_SSC) rf_polar_fscl_paths(log2n, frozen, list, src, nf, paths);
        else rf_polar_scl_paths(log2n, frozen, list, f, src, nf, paths);
        for (size_t j = 0; j < nf; j++) {
            const uint8_t *p = paths + j * list * k;
            const size_t fr = idx ? idx[f0 + j] : f0 + j;
            unsigned pass = list;
            for (unsigned r = 0; r < list && pass == list; r++)
                if (p[r * k] != 0xff && rf_crc_check(c, p + r * k, k)) pass = r;
            if (pass == list && !last) continue;
            memcpy(msg + fr * a, p + (pass == list ? 0 : pass) * k, a);
            ok[fr] = pass != list;
        }
    }
    free(in);
    free(paths);
    return 0;
}

int rf_polar_cascl(unsigned log2n, const uint8_t *frozen, unsigned list, int f, rf_list_decoder dec, const rf_crc *c,
                   const float *llr, size_t frames, uint8_t *msg, uint8_t *ok)
{
    const size_t k = info_count(log2n, frozen);
    if (k < c->width || list < 1 || list > RF_SCL_MAX_L || (dec == RF_LIST_FAST_SSC && f != RF_F_MINSUM)) return -1;
    if (cascl_some(log2n, frozen, list, f, dec, c, llr, NULL, frames, true, msg, ok) == 0) return 0;
    memset(msg, 0xff, frames * (k - c->width));
    memset(ok, 0, frames);
    return -1;
}

static unsigned used_slot(unsigned list)
{
    unsigned t = 0;
    while ((1u << t) < list) t++;
    return (1u << t) == list ? t : RF_CASCL_USED - 1;
}

int rf_polar_cascl_adaptive(unsigned log2n, const uint8_t *frozen, unsigned lmax, int f, rf_list_decoder dec,
                            const rf_crc *c, const float *llr, size_t frames, uint8_t *msg, uint8_t *ok,
                            uint64_t used[RF_CASCL_USED])
{
    const size_t k = info_count(log2n, frozen);
    if (k < c->width || lmax < 1 || lmax > RF_SCL_MAX_L || (dec == RF_LIST_FAST_SSC && f != RF_F_MINSUM)) return -1;
    const size_t a = k - c->width;
    uint8_t *sc = malloc(frames * (k ? k : 1));
    size_t *todo = malloc(frames * sizeof *todo), nt = 0;
    int rc = sc && todo ? 0 : -1;
    if (rc == 0) {
        rf_polar_sc(log2n, frozen, f, llr, frames, sc);
        for (size_t fr = 0; fr < frames; fr++) {
            if (rf_crc_check(c, sc + fr * k, k) || lmax == 1) {
                memcpy(msg + fr * a, sc + fr * k, a);
                ok[fr] = rf_crc_check(c, sc + fr * k, k);
                if (used) used[0]++;
            } else {
                todo[nt++] = fr;
            }
        }
    }
    for (unsigned list = 2; rc == 0 && nt > 0; list *= 2) {
        if (list > lmax) list = lmax;
        const bool last = list == lmax;
        for (size_t j = 0; j < nt; j++) ok[todo[j]] = 0;
        rc = cascl_some(log2n, frozen, list, f, dec, c, llr, todo, nt, last, msg, ok);
        size_t kept = 0;
        for (size_t j = 0; j < nt; j++) {
            if (ok[todo[j]] || last) {
                if (used) used[used_slot(list)]++;
            } else {
                todo[kept++] = todo[j];
            }
        }
        nt = kept;
    }
    free(sc);
    free(todo);
    if (rc == 0) return 0;
    memset(msg, 0xff, frames * a);
    memset(ok, 0, frames);
    return -1;
}
