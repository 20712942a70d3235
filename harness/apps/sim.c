/* The parts of the Monte Carlo engine (sim.h) that are plain functions: intervals, SNR ranges,
 * messages, the real-symbol channel, results. The rounds, workers and merging are sim_engine.c. */
#include "sim.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "refast/channel.h"
#include "refast/rng.h"

void rf_sim_ber_interval(const rf_sim_result *res, double z, double *lo, double *hi)
{
    *lo = 0;
    *hi = 1;
    if (res->frames < 2 || res->bits == 0) return;
    const double nf = (double)res->frames, k = (double)res->bits / nf;
    const double mean = (double)res->bit_errors / nf;
    const double var = fmax(0, ((double)res->bit_errors_sq - nf * mean * mean) / (nf - 1));
    const double half = z * sqrt(var / nf) / k, ber = mean / k;
    *lo = fmax(0, ber - half);
    *hi = fmin(1, ber + half);
}

bool rf_sim_range(const char *s, double *a, double *step, size_t *count, size_t max, char *err, size_t errlen)
{
    double v[3];
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        char *end;
        errno = 0;
        v[i] = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(v[i]) || (i < 2 ? *end != ':' : *end != '\0'))
            return rf_fail(err, errlen, "range '%s': expected A:B:STEP with finite numbers", s);
        p = end + 1;
    }
    if (!(v[2] > 0)) return rf_fail(err, errlen, "range '%s': STEP must be > 0", s);
    if (v[1] < v[0]) return rf_fail(err, errlen, "range '%s': B < A", s);
    /* a relative slack so that 0:1:0.1 includes 1 despite rounding */
    const double span = (v[1] - v[0]) / v[2];
    if (span > (double)max) return rf_fail(err, errlen, "range '%s': more than %zu points", s, max);
    *a = v[0];
    *step = v[2];
    *count = (size_t)floor(span + 1e-9) + 1;
    return true;
}

/* One Philox block per 128 message bits, straight from rf_philox4x32_10 (refast/rng.h addressing:
 * word p of a stream is word p % 4 of the block with counter (p / 4, stream)); the dispatched
 * philox_u32 would set up a whole vector step for the two words RM(8,2) needs. Uniform words are
 * bit-identical at every level, so this is the same stream. Bits are spread a byte at a time
 * (little-endian: bit j of a word is byte j of its spread), 8 message bits per store. */
void rf_sim_messages(uint64_t seed, uint64_t first, size_t frames, size_t k, uint8_t *msg)
{
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    for (size_t f = 0; f < frames; f++) {
        const uint64_t stream = RF_SIM_STREAM_MSG + first + f;
        uint8_t *m = msg + f * k;
        for (size_t j0 = 0; j0 < k; j0 += 128) {
            const uint64_t b = j0 / 128;
            const uint32_t ctr[4] = {(uint32_t)b, (uint32_t)(b >> 32), (uint32_t)stream, (uint32_t)(stream >> 32)};
            uint32_t w[4];
            rf_philox4x32_10(ctr, key, w);
            const size_t nb = k - j0 < 128 ? k - j0 : 128;
            size_t j = 0;
            for (; j + 8 <= nb; j += 8) {
                const unsigned byte = (w[j / 32] >> (j % 32)) & 0xffu;
                /* byte -> 8 bytes 0/1: bit i (i < 7) of the low 7 bits times sum_i 2^(7i) lands on bit
                 * 8i (no two partial products meet there); bit 7 is placed by hand */
                const uint64_t spread =
                    ((byte & 0x7fu) * UINT64_C(0x0002040810204081) | (uint64_t)(byte >> 7) << 56) &
                    UINT64_C(0x0101010101010101);
                uint8_t le[8];
                for (int i = 0; i < 8; i++) le[i] = (uint8_t)(spread >> (8 * i));
                memcpy(m + j0 + j, le, 8);
            }
            for (; j < nb; j++) m[j0 + j] = (uint8_t)((w[j / 32] >> (j % 32)) & 1);
        }
    }
}

void rf_sim_real_channel(rf_channel_kind ch, const float *x, size_t n, size_t frames, uint64_t first, uint64_t seed,
                         float sigma, float rho, float sigma_b, float *scratch, float *out)
{
    float *z = scratch, *g = scratch + n, *u = scratch + n, *w = scratch + 2 * n;
    for (size_t f = 0; f < frames; f++) {
        const uint64_t frame = first + f;
        const float *xf = x + f * n;
        float *yf = out + f * n;
        rf_gauss_f32(seed, frame, 0, n, z); /* the z of awgn_llr_f32 for this frame */
        switch (ch) {
        case RF_CH_AWGN:
            for (size_t i = 0; i < n; i++) yf[i] = xf[i] + sigma * z[i];
            break;
        case RF_CH_RAYLEIGH:
            rf_gauss_f32(seed, frame + RF_STREAM_FADING, 0, 2 * n, g);
            for (size_t i = 0; i < n; i++) {
                const float a = sqrtf(0.5f * (g[2 * i] * g[2 * i] + g[2 * i + 1] * g[2 * i + 1]));
                yf[i] = a * (a * xf[i] + sigma * z[i]);
            }
            break;
        case RF_CH_BURSTY:
            rf_uniform_f32(seed, frame + RF_STREAM_BURST_FLAG, 0, n, u);
            rf_gauss_f32(seed, frame + RF_STREAM_BURST_NOISE, 0, n, w);
            for (size_t i = 0; i < n; i++) {
                float y = xf[i] + sigma * z[i];
                if (u[i] < rho) y = y + sigma_b * w[i];
                yf[i] = y;
            }
            break;
        }
    }
}

void rf_sim_result_free(rf_sim_result *res)
{
    free(res->leaf_errors);
    res->leaf_errors = NULL;
}

bool rf_sim_result_copy(rf_sim_result *dst, const rf_sim_result *src)
{
    *dst = *src;
    dst->leaf_errors = calloc(src->nleaves ? src->nleaves : 1, sizeof *dst->leaf_errors);
    if (!dst->leaf_errors) return false;
    if (src->nleaves) memcpy(dst->leaf_errors, src->leaf_errors, src->nleaves * sizeof *dst->leaf_errors);
    return true;
}

/* ---- the communicator of a run alone ---- */

static bool self_allgather(void *ctx, const uint64_t *mine, size_t count, uint64_t *all, char *err, size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    memmove(all, mine, count * sizeof *all);
    return true;
}

static bool self_allreduce_sum(void *ctx, uint64_t *words, size_t count, char *err, size_t errlen)
{
    (void)ctx, (void)words, (void)count, (void)err, (void)errlen;
    return true;
}

const rf_sim_comm *rf_sim_comm_self(void)
{
    static const rf_sim_comm self = {0, 1, NULL, self_allgather, self_allreduce_sum};
    return &self;
}

