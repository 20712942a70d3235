/* The `openblas` peers of the KO codec (refast/ko.h): the batched codec of
 * fast/generic/ko_codec_driver.h with every MLP block through cblas_sgemm (ko_mlp_f32_openblas), the
 * reference max-log Soft-MAP and the scalar libm steps of ref/ko.c -- so that a comparison with a
 * fast level measures the block and the vector non-MLP steps, not the batching. */
#include "refast/ko.h"
#include "refast/softmap.h"

#define KO_CODEC_MLP(net, in, count, out) ko_mlp_f32_openblas(net, in, count, out)
#define KO_CODEC_SOFTMAP(lv, mu, frames, out) rm1_softmap_maxlog_ref(lv, mu, frames, out)
#include "ko_codec_driver.h"

void ko_encode_f32_openblas(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    kc_encode(mdl, msg, frames, x);
}

void ko_decode_f32_openblas(const rf_ko_model *mdl, const float *y, size_t frames, float *llr)
{
    kc_decode(mdl, y, frames, llr);
}
