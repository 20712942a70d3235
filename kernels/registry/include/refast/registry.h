/* The kernel registry: one descriptor per kernel, everything the harness needs to judge it,
 * benchmark it and fuzz it.
 *
 * A descriptor names what it judges -- a kernel of RF_KERNELS_ALL by its id (refast/kernels.h
 * holds its implementations at every level and its peers), or a lib/ algorithm that runs at a
 * level (RF_ALGORITHM: e.g. gating EM with every sub-kernel at that level) -- with its tolerance
 * class (SPEC §3), its golden case recipes and the callbacks that build inputs, compute the oracle,
 * run one implementation and fuzz. Several descriptors may judge one kernel with different
 * `variant`s (rm_dumer and rm_dumer0). Every callback receives the descriptor, so one callback
 * serves every variant.
 *
 * Running an implementation on a case: bind() validates the case's in.* arrays, allocates the
 * outputs in `out` (one array per want.X, named X) and fills the kernel's own argument struct
 * (args_size bytes); call() makes the call on those arguments. The same pair runs the judge
 * (rf_kernel_run) and the benchmark (rf_bench_*: a case from make_inputs(size params), bound once,
 * call() timed), so a kernel has one input generator and one call site. A kernel whose judging
 * needs more than one call (streams of 10^5 frames hashed chunk by chunk) also sets run(); its
 * benchmark still times bind + call.
 *
 * Adding a kernel: its line in its family's RF_KERNELS_<FAMILY> list, ref/ and fast/ versions, one
 * descriptor in kernels/registry/<family>.c (kernels/registry/fht.c is the template), golden
 * recipes, `refast golden generate --kernel NAME`.
 *
 * A kernel that refuses its arguments (an int-returning kernel's error) fills its outputs with
 * NaN in call(): the oracle states where that is the expected answer (non-finite inputs the
 * contract refuses), and anywhere else NaN fails against the oracle's finite values.
 */
#ifndef REFAST_REGISTRY_H
#define REFAST_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refast/case.h"
#include "refast/isa.h"
#include "refast/kernels.h"

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
    /* SUM/DECISION/ITERATE with tau > 0: tau + tau_per_log2 * ceil(log2 terms), for a bound that
     * grows with the depth of the computation (the FHT: one rounding per stage) */
    double tau_per_log2;
} rf_tol;

/* Work done by ONE call of the kernel in a benchmark, in its natural unit. */
typedef struct rf_work {
    double items;          /* e.g. transforms, frames, samples */
    const char *item_unit; /* "transforms", "frames", ... */
    double flops;          /* floating point operations (0 when not meaningful) */
    double bytes;          /* bytes read + written (0 when not meaningful) */
    uint64_t rebind_every; /* in-place kernels: bind again (fresh inputs) after this many calls (0: never) */
} rf_work;

/* A golden case recipe: a name (file stem) and the parameters for make_inputs(). */
typedef struct rf_case_spec {
    const char *name;
    const char *params;
} rf_case_spec;

/* What a descriptor's id is when it judges a lib/ algorithm rather than one kernel. */
#define RF_ALGORITHM (-1)

typedef enum rf_impl_kind { RF_IMPL_LEVEL = 0, RF_IMPL_AUTOVEC, RF_IMPL_OPENBLAS, RF_IMPL_ONEDNN } rf_impl_kind;

struct rf_kernel;

/* One implementation of a descriptor: a level (after fallback) or a peer. */
typedef struct rf_impl {
    const struct rf_kernel *kernel;
    rf_impl_kind kind;
    rf_isa level;       /* the level asked for; autovec: the level whose flags built it */
    rf_isa provided_by; /* the level whose code runs (level, or where its fallback chain ended) */
    rf_fnptr fn;        /* the implementation; NULL for an RF_ALGORITHM (it runs at provided_by) */
    char label[32];     /* "scalar", "avx2", "autovec_avx2", "openblas", "onednn" */
} rf_impl;

typedef struct rf_kernel {
    const char *name;
    const char *family;
    const char *summary;
    rf_dtype work_dtype;
    int id;      /* rf_kid_<kernel> (refast/kernels.h), or RF_ALGORITHM */
    int variant; /* the descriptor's own constant, for callbacks shared by several descriptors */
    /* RF_ALGORITHM only: true when the algorithm has code of its own at every vector level (its
     * sub-kernels' levels), false when every level runs the scalar code (and says so). */
    bool algorithm_levels;
    rf_tol tol;

    const rf_case_spec *cases; /* golden recipes, terminated by {NULL, NULL} */

    /* Fills c->arrays with the in.* arrays from c->params (deterministic: Philox-seeded). */
    int (*make_inputs)(const struct rf_kernel *desc, rf_case *c, char *err, size_t errlen);
    /* Adds want.*, scale.* and tie.* computed from the in.* arrays by the oracle (long double /
     * exact), and the param terms=N (number of terms per output) where the SUM class needs it. */
    int (*oracle)(const struct rf_kernel *desc, rf_case *c, char *err, size_t errlen);

    /* See "Running an implementation" above. */
    size_t args_size;
    int (*bind)(const struct rf_kernel *desc, const rf_case *c, rf_case *out, void *args, char *err,
                size_t errlen);
    void (*call)(const rf_impl *im, void *args);
    /* Work of one call of the bound arguments (benchmarks). */
    void (*work)(const struct rf_kernel *desc, const void *args, rf_work *w);
    /* Optional: judging that is more than bind + call. */
    int (*run)(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen);

    /* Benchmark sizes: the params make_inputs builds each benchmark's case from, terminated by
     * NULL. */
    const char *const *bench_sizes;
    /* The performance gate's threshold for this kernel's rows, in percent, when its timings are
     * noisier than the default allows (refast gate and refast ab use the larger of this and
     * --threshold, and say so per row); 0: the gate's own. Instruction counts ignore it. */
    double gate_threshold_pct;

    /* sum class, when the case holds tie.X beside scale.X: an output outside tau u S whose tie.X
     * (the oracle's |pre-activation| / (u E_a) of the binary gates it depends on) is <= tau is a
     * near-tie flip -- the computed gate legitimately took the other side and the output followed
     * another branch -- tolerated and counted (rf_verdict.near_ties), without the decision class's
     * 1e-4 limit: in a recurrence one flip moves every later output of its sequence. */
    bool sum_tie_flips;
    /* Optional: whether a peer (openblas, onednn) computes the case at all; NULL, or a reason (the
     * judge then reports the pair as not applicable instead of running it). Levels always apply. */
    const char *(*peer_refuses)(const rf_impl *im, const rf_case *c);

    /* verify --sweep tails: the case parameter that is a free length (the kernel accepts any value
     * in steps of free_step, e.g. n of a vector kernel, frames of a decoder), so that the sweep
     * rebuilds a golden recipe at lengths n .. n + W steps (W the level's vector width in
     * elements of work_dtype) through make_inputs and judges them against the oracle. NULL for a
     * kernel whose lengths are all structural (2^m, d x d, ...). */
    const char *free_length;
    unsigned free_step; /* 0 means 1 */
    /* the largest length the kernel accepts for some recipes (0: none), e.g. the 1000 frames of
     * the authors' data: a recipe whose n + W steps would pass it is swept at n - W .. n - 1.
     * A recipe read from external data (`source=`) has tails only when this is set: its length is
     * the data's (e.g. a pMoE batch mean over exactly the authors' samples) unless said here. */
    uint64_t free_max;

    /* Differential fuzzing: builds c->params and in.* from arbitrary bytes (may reject: -1). */
    int (*fuzz_inputs)(const struct rf_kernel *desc, const uint8_t *data, size_t size, rf_case *c);
    /* Why a kernel has no fuzz_inputs (the differential fuzzer lists it with this reason; a
     * descriptor has one or the other, tests/test_registry checks). */
    const char *not_fuzzed;
} rf_kernel;

/* All descriptors, in a stable order (kernels/registry.c lists the families). */
size_t rf_kernel_count(void);
const rf_kernel *rf_kernel_at(size_t i);
const rf_kernel *rf_kernel_find(const char *name);
/* Shell-style match on kernel names (fnmatch: "*", "?", "[...]"), several patterns separated by
 * commas ("fht_f32,softmap_*"): every command's --kernel reads the same way. */
bool rf_glob_match(const char *patterns, const char *name);

/* The implementation that runs at `level` after fallback, as one rf_impl. Returns false only for
 * a malformed descriptor. */
bool rf_kernel_level(const rf_kernel *k, rf_isa level, rf_impl *out);
/* The function of rf_kernel_level (NULL for an RF_ALGORITHM), for callers that call it directly. */
rf_fnptr rf_kernel_impl(const rf_kernel *k, rf_isa level, rf_isa *provided_by);
/* Every implementation to judge or time: one per requested level (scalar first if asked), and
 * with `peers` the autovec build of each requested vector level and the openblas peer. Returns
 * how many were written (at most cap). */
size_t rf_kernel_impls(const rf_kernel *k, const rf_isa *levels, size_t nlevels, bool peers,
                       rf_impl *out, size_t cap);
/* Upper bound of rf_kernel_impls' count. */
#define RF_MAX_IMPLS (2 * RF_ISA_COUNT + 2)

/* Runs one implementation on the inputs of c: its outputs land in out (arrays named X for every
 * want.X). Returns 0, or -1 with a one-line reason. */
int rf_kernel_run(const rf_impl *im, const rf_case *c, rf_case *out, char *err, size_t errlen);

/* The same on a copy of c's inputs placed at their exact size next to guard pages (support/alloc.h;
 * outputs placed alike), failing with "<impl> wrote into its input in.X" when a call changed an
 * input. An access outside an array faults: the caller (the judge) catches it. */
/* A fuzz case of k from arbitrary bytes (k->fuzz_inputs into a fresh case named "fuzz" of k's
 * working dtype): 0 with *c filled, -1 when rejected (then *c is already freed). */
int rf_kernel_fuzz_case(const rf_kernel *k, const uint8_t *data, size_t size, rf_case *c);

int rf_kernel_run_placed(const rf_impl *im, const rf_case *c, rf_placement place, rf_case *out, char *err,
                         size_t errlen);
/* What one call on case c costs, for ranking the cases of one kernel: the larger of the flops and
 * bytes k->work reports for c's bound arguments; -1 when k cannot say (no bind/work, or c does not
 * bind). Comparable only between cases of the same kernel. */
double rf_case_cost(const rf_kernel *k, const rf_case *c);
/* After a fault caught in the call (the judge jumps over rf_kernel_run_placed's frames): frees the
 * placed inputs and bound arguments that run owned. The kernel's own allocations, if any, leak. */
void rf_kernel_run_abandoned(void);

/* A benchmark of one kernel at one size, shared by every implementation timed at that size. */
typedef struct rf_bench_state rf_bench_state;
rf_bench_state *rf_bench_setup(const rf_kernel *k, const char *params, rf_work *work, char *err,
                               size_t errlen);
void rf_bench_calls(const rf_impl *im, rf_bench_state *s, uint64_t iters);
void rf_bench_release(rf_bench_state *s);

/* Formats a one-line error and returns -1 (for callbacks). */
int rf_run_error(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Helpers shared by the judge and the descriptors. */
/* ceil(log2(n)) for n >= 1. */
unsigned rf_ceil_log2(uint64_t n);
/* Unit roundoff of a working dtype (2^-24 for f32, 2^-53 for f64). */
double rf_unit_roundoff(rf_dtype t);

/* Families export their descriptors as a NULL-terminated array. */
extern const rf_kernel *const rf_family_rng[];
extern const rf_kernel *const rf_family_fht[];
extern const rf_kernel *const rf_family_softmap[];
extern const rf_kernel *const rf_family_codes[];
extern const rf_kernel *const rf_family_dumer[];
extern const rf_kernel *const rf_family_polar[];
extern const rf_kernel *const rf_family_polar_i8[];
extern const rf_kernel *const rf_family_channel[];
extern const rf_kernel *const rf_family_moe_moments[];
extern const rf_kernel *const rf_family_moe_decomp[];
extern const rf_kernel *const rf_family_moe_em[];
extern const rf_kernel *const rf_family_moe_gating[];
extern const rf_kernel *const rf_family_moe_loss[];
extern const rf_kernel *const rf_family_ko[];
extern const rf_kernel *const rf_family_ko_codec[];
extern const rf_kernel *const rf_family_ko_polar[];
extern const rf_kernel *const rf_family_pmoe[];
extern const rf_kernel *const rf_family_gated[];

#endif
