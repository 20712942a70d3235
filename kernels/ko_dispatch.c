/* Dispatching entry points of the KO family (refast/ko_mlp.h, refast/ko.h): the registry's
 * implementation at the current level, looked up by name so that the order of the KO family does
 * not matter. */
#include <stdlib.h>

#include "refast/ko.h"
#include "refast/ko_mlp.h"
#include "refast/registry.h"

static rf_fnptr current_impl(const char *name)
{
    const rf_kernel *k = rf_kernel_find(name);
    if (!k) abort(); /* the descriptor is compiled in: missing means a broken build */
    return rf_kernel_impl(k, rf_isa_current(), NULL);
}

void rf_ko_mlp_f32(const rf_ko_mlp *net, const float *in, size_t count, float *out)
{
    ((rf_ko_mlp_fn)current_impl("ko_mlp_f32"))(net, in, count, out);
}

void rf_ko_encode_f32(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    ((rf_ko_encode_fn)current_impl("ko_encode_f32"))(mdl, msg, frames, x);
}

void rf_ko_decode_f32(const rf_ko_model *mdl, const float *y, size_t frames, float *llr)
{
    ((rf_ko_decode_fn)current_impl("ko_decode_f32"))(mdl, y, frames, llr);
}
