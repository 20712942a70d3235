/* One implementation table, generated from RF_KERNELS_ALL (refast/kernels.h). CMake compiles this
 * file once per table, with RF_TABLE naming it and RF_TABLE_KIND saying what it holds:
 *   RF_TABLE_REF      rf_table_ref: name_ref for every kernel
 *   RF_TABLE_ISA      rf_table_<isa> (RF_LEVEL_SUFFIX _<isa>): name_<isa> for HAND kernels,
 *                     name_lapacke for LAPACKE kernels, nothing (fallback) for REF kernels
 *   RF_TABLE_AUTOVEC  rf_table_autovec_<isa> (RF_LEVEL_SUFFIX _autovec_<isa>): every kernel
 *   RF_TABLE_OPENBLAS rf_table_openblas: name_openblas for BLAS and BLAS_DNNL kernels
 *   RF_TABLE_ONEDNN   rf_table_onednn: name_onednn for DNNL and BLAS_DNNL kernels, when the build
 *                     found oneDNN (REFAST_HAVE_ONEDNN), else empty
 * A HAND kernel missing at some level is therefore a link error, not a silent fallback. */
#include "refast/kernels.h"

#define RF_FN_(fn) (rf_fnptr)(fn)

#if defined(RF_TABLE_REF)
#define RF_ENTRY_(name, levels, peer, ret, params, args) [rf_kid_##name] = RF_FN_(name##_ref),
#elif defined(RF_TABLE_AUTOVEC)
#define RF_ENTRY_(name, levels, peer, ret, params, args) [rf_kid_##name] = RF_FN_(RF_LEVEL_FN(name)),
#elif defined(RF_TABLE_ISA)
#define RF_LEVEL_ENTRY_HAND(name) [rf_kid_##name] = RF_FN_(RF_LEVEL_FN(name)),
#define RF_LEVEL_ENTRY_LAPACKE(name) [rf_kid_##name] = RF_FN_(name##_lapacke),
#define RF_LEVEL_ENTRY_REF(name)
#define RF_ENTRY_(name, levels, peer, ret, params, args) RF_LEVEL_ENTRY_##levels(name)
#elif defined(RF_TABLE_OPENBLAS)
#define RF_PEER_ENTRY_BLAS(name) [rf_kid_##name] = RF_FN_(name##_openblas),
#define RF_PEER_ENTRY_BLAS_DNNL(name) RF_PEER_ENTRY_BLAS(name)
#define RF_PEER_ENTRY_DNNL(name)
#define RF_PEER_ENTRY_NONE(name)
#define RF_ENTRY_(name, levels, peer, ret, params, args) RF_PEER_ENTRY_##peer(name)
#elif defined(RF_TABLE_ONEDNN)
#if REFAST_HAVE_ONEDNN
#define RF_PEER_ENTRY_DNNL(name) [rf_kid_##name] = RF_FN_(name##_onednn),
#else
#define RF_PEER_ENTRY_DNNL(name)
#endif
#define RF_PEER_ENTRY_BLAS_DNNL(name) RF_PEER_ENTRY_DNNL(name)
#define RF_PEER_ENTRY_BLAS(name)
#define RF_PEER_ENTRY_NONE(name)
#define RF_ENTRY_(name, levels, peer, ret, params, args) RF_PEER_ENTRY_##peer(name)
#else
#error "compile with one of RF_TABLE_REF, RF_TABLE_ISA, RF_TABLE_AUTOVEC, RF_TABLE_OPENBLAS, RF_TABLE_ONEDNN"
#endif

/* Declared here: only this file and dispatch.c know the tables. */
extern const rf_fnptr RF_TABLE[RF_KID_COUNT];
const rf_fnptr RF_TABLE[RF_KID_COUNT] = {RF_KERNELS_ALL(RF_ENTRY_)};
