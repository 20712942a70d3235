/* The kernel registry: one descriptor per kernel, everything the harness needs to judge it.
 *
 * A descriptor names the kernel and its family, holds its implementation at every ISA level (a
 * NULL level falls back along rf_isa_fallback(), and `refast list` shows it), the `autovec` peer
 * per level, the tolerance class of SPEC §3, the golden case recipes, and the callbacks that build
 * inputs, compute the oracle, run one implementation on a case, set up a benchmark and build a
 * fuzz case. The harness never needs to know anything else about a kernel.
 *
 * Adding a kernel: declare it (RF_DECLARE_KERNEL) in its family header, write ref/ and fast/
 * versions, add one descriptor to kernels/registry/<family>.c, add golden recipes, run
 * `refast golden generate --kernel NAME`.
 */
#ifndef REFAST_REGISTRY_H
#define REFAST_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "refast/case.h"
#include "refast/isa.h"
#include "refast/kernel.h"

typedef enum rf_tol_class {
    RF_TOL_EXACT = 0, /* bit-identical */
    RF_TOL_SUM,       /* |got-want| <= tau * u * S */
    RF_TOL_ULP,       /* at most `ulps` units in the last place of the working dtype */
    RF_TOL_DECISION,  /* exact except at near-ties, near-tie flips < 1e-4 of decisions */
    RF_TOL_ITERATE    /* like SUM with S = cond * t * |want| supplied by the oracle per iterate */
} rf_tol_class;

const char *rf_tol_name(rf_tol_class c);
bool rf_tol_parse(const char *s, rf_tol_class *out);

typedef struct rf_tol {
    rf_tol_class cls;
    double tau;  /* SUM/DECISION/ITERATE: 0 means the SPEC default 8*ceil(log2 terms)+8 */
    double ulps; /* ULP class bound */
} rf_tol;

/* Work done by ONE call of the kernel in a benchmark, in its natural unit. */
typedef struct rf_work {
    double items;          /* e.g. transforms, frames, samples */
    const char *item_unit; /* "transforms", "frames", ... */
    double flops;          /* floating point operations (0 when not meaningful) */
    double bytes;          /* bytes read + written (0 when not meaningful) */
} rf_work;

/* A golden case recipe: a name (file stem) and the parameters for make_inputs(). */
typedef struct rf_case_spec {
    const char *name;
    const char *params;
} rf_case_spec;

typedef struct rf_kernel {
    const char *name;
    const char *family;
    const char *summary;
    rf_dtype work_dtype;
    rf_fnptr level[RF_ISA_COUNT];   /* hand-written implementation per level, NULL = fallback */
    rf_fnptr autovec[RF_ISA_COUNT]; /* ref/ source at -O3 + level flags (peer row) */
    rf_fnptr openblas;              /* the same computation through CBLAS/LAPACKE (peer row), or NULL */
    rf_tol tol;

    const rf_case_spec *cases; /* golden recipes, terminated by {NULL, NULL} */

    /* Fills c->arrays with the in.* arrays from c->params (deterministic: Philox-seeded). */
    int (*make_inputs)(rf_case *c, char *err, size_t errlen);
    /* Adds want.*, scale.* and tie.* computed from the in.* arrays by the oracle (long double /
     * exact), and the param terms=N (number of terms per output) where the SUM class needs it. */
    int (*oracle)(rf_case *c, char *err, size_t errlen);
    /* Runs implementation fn on the inputs of c; adds one array per want.X, named X, to out. */
    int (*run)(rf_fnptr fn, const rf_case *c, rf_case *out, char *err, size_t errlen);

    /* Benchmark: sizes (params for bench_setup), terminated by NULL. bench_run performs `iters`
     * calls of fn on the state's buffers; results land in memory the compiler cannot discard. */
    const char *const *bench_sizes;
    void *(*bench_setup)(const char *params, rf_work *work);
    void (*bench_run)(rf_fnptr fn, void *state, uint64_t iters);
    void (*bench_free)(void *state);

    /* Differential fuzzing: builds c->params and in.* from arbitrary bytes (may reject: -1). */
    int (*fuzz_inputs)(const uint8_t *data, size_t size, rf_case *c);
} rf_kernel;

/* All kernels, in a stable order. */
size_t rf_kernel_count(void);
const rf_kernel *rf_kernel_at(size_t i);
const rf_kernel *rf_kernel_find(const char *name);
/* Glob match on kernel names ("*", "?"). */
bool rf_glob_match(const char *pattern, const char *name);

/* The implementation used at `level` after fallback, and the level that provides it. Returns NULL
 * only for a malformed descriptor (no scalar version). */
rf_fnptr rf_kernel_impl(const rf_kernel *k, rf_isa level, rf_isa *provided_by);

/* Per-array comparison helpers shared by kernels' run() callbacks. */
int rf_run_error(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Implementation tables: for a kernel with a hand-written version at every level of this
 * architecture, `.level = RF_LEVELS_ALL(name), .autovec = RF_AUTOVEC(name)`. */
#if RF_ARCH_X86
#define RF_LEVELS_ALL(fn)                                                                        \
    { [RF_ISA_SCALAR] = (rf_fnptr)fn##_ref, [RF_ISA_AVX2] = (rf_fnptr)fn##_avx2,                 \
      [RF_ISA_AVX512] = (rf_fnptr)fn##_avx512 }
#define RF_AUTOVEC(fn)                                                                           \
    { [RF_ISA_AVX2] = (rf_fnptr)fn##_autovec_avx2, [RF_ISA_AVX512] = (rf_fnptr)fn##_autovec_avx512 }
#elif RF_ARCH_ARM64
#define RF_LEVELS_ALL(fn) { [RF_ISA_SCALAR] = (rf_fnptr)fn##_ref, [RF_ISA_NEON] = (rf_fnptr)fn##_neon }
#define RF_AUTOVEC(fn) { [RF_ISA_NEON] = (rf_fnptr)fn##_autovec_neon }
#else
#define RF_LEVELS_ALL(fn) { [RF_ISA_SCALAR] = (rf_fnptr)fn##_ref }
#define RF_AUTOVEC(fn) { 0 }
#endif
/* A kernel that exists only in ref/ (e.g. an enumeration oracle): every level falls back. */
#define RF_LEVELS_REF_ONLY(fn) { [RF_ISA_SCALAR] = (rf_fnptr)fn##_ref }

/* Families export their descriptors as a NULL-terminated array. */
extern const rf_kernel *const rf_family_rng[];
extern const rf_kernel *const rf_family_fht[];
extern const rf_kernel *const rf_family_softmap[];
extern const rf_kernel *const rf_family_codes[];
extern const rf_kernel *const rf_family_dumer[];
extern const rf_kernel *const rf_family_polar[];
extern const rf_kernel *const rf_family_channel[];
extern const rf_kernel *const rf_family_moe_moments[];
extern const rf_kernel *const rf_family_moe_decomp[];
extern const rf_kernel *const rf_family_moe_em[];
extern const rf_kernel *const rf_family_moe_gating[];
extern const rf_kernel *const rf_family_moe_loss[];
extern const rf_kernel *const rf_family_ko[];

#endif
