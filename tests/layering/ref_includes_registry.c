/* Deliberately wrong (ctest layering_include_rejected): a ref/-layer file including the registry.
 * It must not compile, because the ref layer's include directories do not have it. */
#include "refast/registry.h"

int layering_bad_include(void);
int layering_bad_include(void)
{
    return (int)rf_kernel_count();
}
