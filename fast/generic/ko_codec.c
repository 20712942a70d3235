/* KO(m,2) encoder and decoder at a vector level (mirrors ref/ko.c: ko_encode_f32_ref,
 * ko_decode_f32_ref): the batched codec of fast/generic/ko_codec_driver.h (B frames per block call)
 * over this level's MLP block ko_mlp_f32 and max-log Soft-MAP rm1_softmap_maxlog, with the
 * elementwise decoder steps in the level's registers: vf_lse and vf_tanh_half of
 * fast/generic/vmath_f32.h (their error bounds are stated there). Tails go through one partial
 * register (vf_loadn / vf_storen: zeros in the unused lanes).
 */
#include <math.h>
#include <stdlib.h>

#include "refast/ko.h"
#include "refast/ko_mlp.h"
#include "refast/softmap.h"
#include "simd.h"
#include "vmath_f32.h"

/* out[j] = add[j] + LSE(a[j], b[j]) */
static void kc_lse_add(const float *a, const float *b, const float *add, float *out, size_t n)
{
    size_t j = 0;
    for (; j + VF_LANES <= n; j += VF_LANES)
        vf_storeu(out + j, vf_add(vf_loadu(add + j), vf_lse(vf_loadu(a + j), vf_loadu(b + j))));
    if (j < n) {
        const size_t r = n - j;
        vf_storen(out + j, r, vf_add(vf_loadn(add + j, r), vf_lse(vf_loadn(a + j, r), vf_loadn(b + j, r))));
    }
}

/* out[j] = tanh(x[j] / 2) (in place allowed) */
static void kc_tanh_half(const float *x, float *out, size_t n)
{
    size_t j = 0;
    for (; j + VF_LANES <= n; j += VF_LANES) vf_storeu(out + j, vf_tanh_half(vf_loadu(x + j)));
    if (j < n) vf_storen(out + j, n - j, vf_tanh_half(vf_loadn(x + j, n - j)));
}

#define KC_HAVE_VECTOR_STEPS 1
#define KO_CODEC_MLP(net, in, count, out) RF_LEVEL_FN(ko_mlp_f32)(net, in, count, out)
#define KO_CODEC_SOFTMAP(lv, mu, frames, out) RF_LEVEL_FN(rm1_softmap_maxlog)(lv, mu, frames, out)
#include "ko_codec_driver.h"

void RF_LEVEL_FN(ko_encode_f32)(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    kc_encode(mdl, msg, frames, x);
}

void RF_LEVEL_FN(ko_decode_f32)(const rf_ko_model *mdl, const float *y, size_t frames, float *llr)
{
    kc_decode(mdl, y, frames, llr);
}

/* The two vector steps exported for tests (tests/test_ko_fast.c measures their error bounds):
 * out[j] = LSE(a[j], b[j]) (as the decoder forms it: added to zeros) and out[j] = tanh(x[j] / 2). */
void RF_LEVEL_FN(ko_lse_f32)(const float *a, const float *b, size_t n, float *out)
{
    float *zero = calloc(n ? n : 1, sizeof(float));
    if (!zero) {
        for (size_t j = 0; j < n; j++) out[j] = NAN;
        return;
    }
    kc_lse_add(a, b, zero, out, n);
    free(zero);
}

void RF_LEVEL_FN(ko_tanh_half_f32)(const float *x, size_t n, float *out)
{
    kc_tanh_half(x, out, n);
}
