/* Dispatching entry point of the KO MLP block (refast/ko_mlp.h): the registry's implementation at
 * the current level, looked up by name so that the order of the KO family does not matter. */
#include <stdlib.h>

#include "refast/ko_mlp.h"
#include "refast/registry.h"

void rf_ko_mlp_f32(const rf_ko_mlp *net, const float *in, size_t count, float *out)
{
    const rf_kernel *k = rf_kernel_find("ko_mlp_f32");
    if (!k) abort(); /* the descriptor is compiled in: missing means a broken build */
    ((rf_ko_mlp_fn)rf_kernel_impl(k, rf_isa_current(), NULL))(net, in, count, out);
}
