#include "common.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "refast/rng.h"

void rf_gen_block(uint64_t seed, uint64_t stream, uint64_t block, uint32_t out[4])
{
    const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), (uint32_t)stream,
                             (uint32_t)(stream >> 32)};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    rf_philox4x32_10(ctr, key, out);
}

uint32_t rf_gen_word(uint64_t seed, uint64_t stream, uint64_t pos)
{
    uint32_t out[4];
    rf_gen_block(seed, stream, pos / 4, out);
    return out[pos % 4];
}

double rf_gen_u53(uint32_t hi, uint32_t lo)
{
    return (double)(((uint64_t)(hi >> 5) << 26) | (lo >> 6)) * 0x1p-53;
}

double rf_gen_uniform(uint64_t seed, uint64_t stream, uint64_t pos, double lo, double hi)
{
    /* words 2 pos and 2 pos + 1 share one block */
    uint32_t w[4];
    rf_gen_block(seed, stream, pos / 2, w);
    return lo + (hi - lo) * rf_gen_u53(w[2 * (pos % 2)], w[2 * (pos % 2) + 1]);
}

double rf_gen_normal(uint64_t seed, uint64_t stream, uint64_t pos)
{
    /* the uniforms 2 pos and 2 pos + 1 are the four words of block pos */
    uint32_t w[4];
    rf_gen_block(seed, stream, pos, w);
    const double u1 = 1.0 - rf_gen_u53(w[0], w[1]); /* (0, 1] */
    const double u2 = rf_gen_u53(w[2], w[3]);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double rf_bpsk_llr(unsigned bit, double sigma, double z)
{
    return 2.0 * ((bit ? -1.0 : 1.0) + sigma * z) / (sigma * sigma);
}

void rf_gen_awgn_frame(const uint8_t *cw, size_t n, double sigma, uint64_t seed, uint64_t frame, float *llr)
{
    for (size_t i = 0; i < n; i++) llr[i] = (float)rf_bpsk_llr(cw[i], sigma, rf_gen_normal(seed, 1, frame * n + i));
}

void rf_gen_uniform_f32(uint64_t seed, uint64_t stream, size_t n, float lo, float hi, float *out)
{
    for (size_t i = 0; i < n; i++) out[i] = (float)rf_gen_uniform(seed, stream, i, lo, hi);
}

unsigned rf_ceil_log2(uint64_t n)
{
    unsigned l = 0;
    while (l < 64 && (1ull << l) < n) l++;
    return l;
}

double rf_unit_roundoff(rf_dtype t)
{
    return t == RF_DT_F32 ? 0x1p-24 : 0x1p-53;
}

bool rf_need_u64(const rf_case *c, const char *key, uint64_t lo, uint64_t hi, uint64_t *out,
                 char *err, size_t errlen)
{
    if (!rf_param_u64(c->params, key, out)) {
        snprintf(err, errlen, "parameter '%s' is missing or not a non-negative integer", key);
        return false;
    }
    if (*out < lo || *out > hi) {
        snprintf(err, errlen, "parameter %s=%llu is outside [%llu, %llu]", key,
                 (unsigned long long)*out, (unsigned long long)lo, (unsigned long long)hi);
        return false;
    }
    return true;
}

int rf_param_positive(const rf_case *c, const char *key, double dflt, double *out, char *err,
                      size_t errlen)
{
    char buf[64];
    *out = dflt;
    if (!rf_param_str(c->params, key, buf, sizeof buf)) {
        if (isnan(dflt)) return rf_run_error(err, errlen, "parameter %s is required", key);
    } else if (!rf_param_f64(c->params, key, out)) {
        return rf_run_error(err, errlen, "parameter %s='%s' is not a number", key, buf);
    }
    if (!(*out > 0.0) || !isfinite(*out))
        return rf_run_error(err, errlen, "parameter %s=%g must be positive and finite", key, *out);
    return 0;
}

int rf_param_keyword(const rf_case *c, const char *key, const char *const *names, int dflt, char *err,
                     size_t errlen)
{
    char buf[64];
    if (!rf_param_str(c->params, key, buf, sizeof buf)) {
        if (dflt < 0) rf_run_error(err, errlen, "parameter %s is required", key);
        return dflt;
    }
    int n = 0;
    for (; names[n]; n++)
        if (strcmp(buf, names[n]) == 0) return n;
    char list[256] = "";
    for (int i = 0; i < n; i++) {
        const char *sep = i == 0 ? "" : i + 1 < n ? ", " : " or ";
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", sep, names[i]);
    }
    return rf_run_error(err, errlen, "parameter %s='%s' is not %s", key, buf, list);
}

uint8_t rf_bytes_u8(rf_bytes *b)
{
    if (b->left) {
        b->left--;
        const uint8_t v = *b->p++;
        b->h = ((b->h ? b->h : 0xcbf29ce484222325u) ^ v) * 0x100000001b3u;
        return v;
    }
    /* splitmix64 step */
    uint64_t z = (b->h += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return (uint8_t)((z ^ (z >> 31)) >> 56);
}

uint32_t rf_bytes_u32(rf_bytes *b)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | rf_bytes_u8(b);
    return v;
}

float rf_bytes_f32(rf_bytes *b, int maxexp, int specials)
{
    uint8_t kind = rf_bytes_u8(b);
    uint32_t bits = rf_bytes_u32(b);
    if (specials && kind >= 250) {
        static const float special[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 0x1p-149f};
        return special[kind - 250];
    }
    /* mantissa from the bits, exponent in [-maxexp, maxexp] */
    float m = 1.0f + (float)(bits & 0x7fffff) * 0x1p-23f;
    int e = (int)((bits >> 23) % (unsigned)(2 * maxexp + 1)) - maxexp;
    if (kind < 128) e = (int)((bits >> 23) % 9) - 4; /* mostly ordinary magnitudes */
    float v = ldexpf(m, e);
    return (bits >> 31) ? -v : v;
}

bool rf_fuzz_large(void)
{
    static int large = -1;
    if (large < 0) {
        const char *v = getenv("REFAST_FUZZ_LARGE");
        large = v && *v && strcmp(v, "0") != 0;
    }
    return large;
}
