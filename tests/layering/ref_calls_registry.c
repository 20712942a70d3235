/* Deliberately wrong (ctest layering_call_rejected): a ref/-layer library calling up into the
 * registry. It compiles (the prototype is written here by hand), but its layer check, which links
 * the layer alone with what it declares, must fail with an undefined reference. */
#include <stddef.h>

size_t rf_kernel_count(void);
size_t layering_bad_call(void);
size_t layering_bad_call(void)
{
    return rf_kernel_count();
}
