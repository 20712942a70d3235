/* Every kernel of refast: the list of families, the kernel ids, and the implementation tables.
 *
 * Each family header lists its kernels in an RF_KERNELS_<FAMILY> X-macro (refast/kernel.h explains
 * the columns). RF_KERNELS_ALL below strings the families together; the ids, the dispatching entry
 * points (kernels/dispatch.c) and the per-level implementation tables (kernels/level_table.c,
 * compiled once per level) are generated from it and from nothing else. Adding a kernel is one
 * line in its family's list; adding a family is its header and one line here.
 *
 * Dispatch. rf_dispatch(id, level) is the implementation a level runs: the level's own if it has one,
 * else its fallback's (refast/isa.h), down to scalar; *provided_by says which level that was. The
 * entry point rf_<name>() calls rf_dispatch(rf_kid_<name>, rf_isa_current()). Peers are not levels:
 * rf_dispatch_autovec (the ref/ source at -O3 with a level's flags; NULL for a level that is not
 * compiled), rf_dispatch_openblas and rf_dispatch_onednn (NULL for kernels without one, and
 * oneDNN's for every kernel when the build did not find oneDNN).
 */
#ifndef REFAST_KERNELS_H
#define REFAST_KERNELS_H

#include "refast/channel.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "refast/fht.h"
#include "refast/gated.h"
#include "refast/isa.h"
#include "refast/kernel.h"
#include "refast/ko.h"
#include "refast/ko_mlp.h"
#include "refast/ko_polar.h"
#include "refast/machine.h"
#include "refast/moe_decomp.h"
#include "refast/moe_em.h"
#include "refast/moe_gating.h"
#include "refast/moe_loss.h"
#include "refast/moe_moments.h"
#include "refast/pmoe.h"
#include "refast/rng.h"
#include "refast/softmap.h"
#include "refast/vmath.h"

#define RF_KERNELS_ALL(X)                                                                        \
    RF_KERNELS_RNG(X)                                                                            \
    RF_KERNELS_FHT(X)                                                                            \
    RF_KERNELS_SOFTMAP(X)                                                                        \
    RF_KERNELS_CODES(X)                                                                          \
    RF_KERNELS_CHANNEL(X)                                                                        \
    RF_KERNELS_DECODERS(X)                                                                       \
    RF_KERNELS_MOE_MOMENTS(X)                                                                    \
    RF_KERNELS_MOE_DECOMP(X)                                                                     \
    RF_KERNELS_MOE_EM(X)                                                                         \
    RF_KERNELS_MOE_GATING(X)                                                                     \
    RF_KERNELS_MOE_LOSS(X)                                                                       \
    RF_KERNELS_KO_MLP(X)                                                                         \
    RF_KERNELS_KO(X)                                                                             \
    RF_KERNELS_KO_POLAR(X)                                                                       \
    RF_KERNELS_GATED(X)                                                                          \
    RF_KERNELS_PMOE(X)                                                                           \
    RF_KERNELS_MACHINE(X)                                                                        \
    RF_KERNELS_VMATH(X)

#define RF_KID(name) rf_kid_##name
#define RF_KERNEL_ID_(name, levels, peer, ret, params, args) rf_kid_##name,
typedef enum rf_kernel_id { RF_KERNELS_ALL(RF_KERNEL_ID_) RF_KID_COUNT } rf_kernel_id;

/* The kernel's name ("fht_f32"), or "?" for an invalid id. */
const char *rf_kernel_id_name(rf_kernel_id id);
/* See "Dispatch" above. Never NULL for a valid id and a compiled level (every kernel has a ref). */
rf_fnptr rf_dispatch(rf_kernel_id id, rf_isa level, rf_isa *provided_by);
rf_fnptr rf_dispatch_autovec(rf_kernel_id id, rf_isa level);
rf_fnptr rf_dispatch_openblas(rf_kernel_id id);
rf_fnptr rf_dispatch_onednn(rf_kernel_id id);
/* Whether `level` has a hand-written implementation of its own (no fallback). */
bool rf_dispatch_native(rf_kernel_id id, rf_isa level);

#endif
