/* Kernel lists: one line per kernel produces its function-pointer type, its declarations, its id
 * and its dispatching entry point.
 *
 * Each family header lists its kernels in one X-macro, next to the paragraph that documents them:
 *
 *   #define RF_KERNELS_FHT(X)                                                              \
 *       X(fht_f32, HAND, NONE, VOID, (float *x, unsigned log2n), (x, log2n))
 *   RF_DECLARE_KERNELS(RF_KERNELS_FHT)
 *
 * The columns: name; the implementations (`levels`); the peer (`peer`); the return type (VOID or
 * RET(type)); the parameter list; the argument list that forwards those parameters.
 *   levels  HAND     name_ref in ref/ and name_<isa> for every ISA compiled: fast/generic/ built
 *                    once per level (the build fails if one is missing: the tables reference them)
 *           REF      name_ref only: every level falls back to scalar, and says so
 *           LAPACKE  name_ref, and name_lapacke (fast/lapacke/, ISA-independent) at every vector
 *                    level
 *   peer    NONE, BLAS (name_openblas in peers/, the `openblas` benchmark peer), DNNL (name_onednn,
 *           the `onednn` peer, present when the build found oneDNN) or BLAS_DNNL (both)
 * Every kernel also has the `autovec` peer name_autovec_<isa>: the very same ref/ source compiled
 * with -O3 and that level's flags.
 *
 * What one line gives (all generated here and in kernels/dispatch.c, nowhere else):
 *   typedef ret (*rf_name_fn)(params);     the type the registry and the tables cast through
 *   ret name_ref(params);                   the scalar reference (always declared)
 *   ret name_lapacke / _openblas / _onednn  where the columns say so
 *   ret rf_name(params);                    the dispatching entry point: the implementation at
 *                                           rf_isa_current(), after fallback
 *   rf_kid_name                             its id (enum rf_kernel_id in refast/kernels.h)
 * A translation unit compiled for one level (fast/<isa>/, the autovec builds, the per-level tables)
 * defines RF_LEVEL_SUFFIX (_avx2, _autovec_avx512, ...) and gets name##RF_LEVEL_SUFFIX declared as
 * well; no other file ever names a per-ISA symbol. ref/ sources spell their exported names
 * RF_REF(name), which is name_ref, or name##RF_LEVEL_SUFFIX in the autovec builds.
 */
#ifndef REFAST_KERNEL_H
#define REFAST_KERNEL_H

#include "refast/isa.h"

#define RF_CAT_(a, b) a##b
#define RF_CAT(a, b) RF_CAT_(a, b)

/* A type-erased function pointer: the tables store every implementation as one of these and the
 * typed entry points cast it back to the kernel's own rf_name_fn. */
typedef void (*rf_fnptr)(void);

/* Return-type column: VOID or RET(type). */
#define RF_RET_TYPE_VOID void
#define RF_RET_TYPE_RET(t) t
#define RF_RET_TYPE(ret) RF_RET_TYPE_##ret
/* `return` before the forwarded call, or nothing for VOID (ISO C forbids returning a void
 * expression). */
#define RF_RETURN_VOID
#define RF_RETURN_RET(t) return
#define RF_RETURN(ret) RF_RETURN_##ret

#define RF_DECL_LEVELS_HAND(name, ret, params)
#define RF_DECL_LEVELS_REF(name, ret, params)
#define RF_DECL_LEVELS_LAPACKE(name, ret, params) RF_RET_TYPE(ret) name##_lapacke params;
#define RF_DECL_PEER_NONE(name, ret, params)
#define RF_DECL_PEER_BLAS(name, ret, params) RF_RET_TYPE(ret) name##_openblas params;
#define RF_DECL_PEER_DNNL(name, ret, params) RF_RET_TYPE(ret) name##_onednn params;
#define RF_DECL_PEER_BLAS_DNNL(name, ret, params)                                                \
    RF_DECL_PEER_BLAS(name, ret, params) RF_DECL_PEER_DNNL(name, ret, params)

#ifdef RF_LEVEL_SUFFIX
#define RF_REF(name) RF_CAT(name, RF_LEVEL_SUFFIX)
#define RF_LEVEL_FN(name) RF_CAT(name, RF_LEVEL_SUFFIX)
#define RF_DECL_SUFFIXED_(name, ret, params) RF_RET_TYPE(ret) RF_LEVEL_FN(name) params;
#else
#define RF_REF(name) RF_CAT(name, _ref)
#define RF_DECL_SUFFIXED_(name, ret, params)
#endif

#define RF_DECLARE_ONE_(name, levels, peer, ret, params, args)                                  \
    typedef RF_RET_TYPE(ret)(*rf_##name##_fn) params;                                            \
    RF_RET_TYPE(ret) name##_ref params;                                                          \
    RF_RET_TYPE(ret) rf_##name params;                                                           \
    RF_DECL_LEVELS_##levels(name, ret, params)                                                   \
    RF_DECL_PEER_##peer(name, ret, params)                                                       \
    RF_DECL_SUFFIXED_(name, ret, params)

#define RF_DECLARE_KERNELS(list) list(RF_DECLARE_ONE_)

#endif
