/* Dispatch: the kernel ids' names, the per-level tables and the entry points rf_<name>(), all
 * generated from RF_KERNELS_ALL (refast/kernels.h). This is the only file that picks an
 * implementation by level; the tables themselves come from kernels/level_table.c, compiled once
 * per level. */
#include "refast/kernels.h"

#include "rf_compiled_isas.h" /* RF_COMPILED_ISAS(X): X(avx2, AVX2) ... for the levels built */

#define RF_KERNEL_NAME_(name, levels, peer, ret, params, args) #name,
static const char *const kernel_names[RF_KID_COUNT] = {RF_KERNELS_ALL(RF_KERNEL_NAME_)};

extern const rf_fnptr rf_table_ref[RF_KID_COUNT];
extern const rf_fnptr rf_table_openblas[RF_KID_COUNT];
extern const rf_fnptr rf_table_onednn[RF_KID_COUNT];
#define RF_DECLARE_TABLES_(name, E)                                                              \
    extern const rf_fnptr rf_table_##name[RF_KID_COUNT];                                         \
    extern const rf_fnptr rf_table_autovec_##name[RF_KID_COUNT];
RF_COMPILED_ISAS(RF_DECLARE_TABLES_)

#define RF_LEVEL_TABLE_(name, E) [RF_ISA_##E] = rf_table_##name,
static const rf_fnptr *const level_tables[RF_ISA_COUNT] = {[RF_ISA_SCALAR] = rf_table_ref,
                                                          RF_COMPILED_ISAS(RF_LEVEL_TABLE_)};
#define RF_AUTOVEC_TABLE_(name, E) [RF_ISA_##E] = rf_table_autovec_##name,
static const rf_fnptr *const autovec_tables[RF_ISA_COUNT] = {RF_COMPILED_ISAS(RF_AUTOVEC_TABLE_)};

const char *rf_kernel_id_name(rf_kernel_id id)
{
    return (unsigned)id < RF_KID_COUNT ? kernel_names[id] : "?";
}

rf_fnptr rf_dispatch(rf_kernel_id id, rf_isa level, rf_isa *provided_by)
{
    if ((unsigned)id >= RF_KID_COUNT) return NULL;
    for (;;) {
        const rf_fnptr *t = (unsigned)level < RF_ISA_COUNT ? level_tables[level] : NULL;
        if (t && t[id]) {
            if (provided_by) *provided_by = level;
            return t[id];
        }
        if (level == RF_ISA_SCALAR) return NULL;
        level = rf_isa_fallback(level);
    }
}

bool rf_dispatch_native(rf_kernel_id id, rf_isa level)
{
    const rf_fnptr *t = (unsigned)level < RF_ISA_COUNT ? level_tables[level] : NULL;
    return (unsigned)id < RF_KID_COUNT && t && t[id];
}

rf_fnptr rf_dispatch_autovec(rf_kernel_id id, rf_isa level)
{
    const rf_fnptr *t = (unsigned)level < RF_ISA_COUNT ? autovec_tables[level] : NULL;
    return (unsigned)id < RF_KID_COUNT && t ? t[id] : NULL;
}

rf_fnptr rf_dispatch_openblas(rf_kernel_id id)
{
    return (unsigned)id < RF_KID_COUNT ? rf_table_openblas[id] : NULL;
}

rf_fnptr rf_dispatch_onednn(rf_kernel_id id)
{
    return (unsigned)id < RF_KID_COUNT ? rf_table_onednn[id] : NULL;
}

/* The entry points: the implementation at the current level, called through the kernel's own
 * function-pointer type. */
#define RF_ENTRY_POINT_(name, levels, peer, ret, params, args)                                   \
    RF_RET_TYPE(ret) rf_##name params                                                            \
    {                                                                                            \
        RF_RETURN(ret)((rf_##name##_fn)rf_dispatch(rf_kid_##name, rf_isa_current(), NULL)) args;    \
    }
RF_KERNELS_ALL(RF_ENTRY_POINT_)
