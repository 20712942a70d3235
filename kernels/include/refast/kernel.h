/* Kernel declarations across implementations.
 *
 * Every kernel `name` exists as name_ref (ref/), name_avx2 / name_avx512 (fast/avx2, fast/avx512),
 * name_neon (fast/neon) and, as the `autovec` peer, name_autovec_<isa>: the very same ref/ source
 * compiled again with -O3 and that level's flags. RF_DECLARE_KERNEL declares them all at once;
 * declaring a function that a level does not provide is harmless (the registry simply leaves that
 * level empty and the kernel falls back).
 *
 * ref/ sources spell their exported names through RF_REF(name) so that the autovec builds can
 * rename them (-DRF_REF_SUFFIX=_autovec_avx2).
 */
#ifndef REFAST_KERNEL_H
#define REFAST_KERNEL_H

#include "refast/isa.h"

#define RF_CAT_(a, b) a##b
#define RF_CAT(a, b) RF_CAT_(a, b)
#ifndef RF_REF_SUFFIX
#define RF_REF_SUFFIX _ref
#endif
#define RF_REF(name) RF_CAT(name, RF_REF_SUFFIX)

#define RF_DECLARE_KERNEL(ret, name, params)                                                     \
    ret name##_ref params;                                                                       \
    ret name##_avx2 params;                                                                      \
    ret name##_avx512 params;                                                                    \
    ret name##_neon params;                                                                      \
    ret name##_autovec_avx2 params;                                                              \
    ret name##_autovec_avx512 params;                                                            \
    ret name##_autovec_neon params

/* A type-erased function pointer: the registry stores every implementation as one of these and
 * the family's typed wrapper casts it back to the kernel's own signature. */
typedef void (*rf_fnptr)(void);

#endif
