/* The registry as a whole, driven by the registry alone (no kernel named here):
 *  - every kernel of RF_KERNELS_ALL has a scalar reference, and resolves at every compiled level
 *    to code of that level or of a level down its fallback chain;
 *  - every descriptor judges a kernel that exists (or is an algorithm) and has recipes, an oracle
 *    and a way to run;
 *  - for every descriptor with fuzz_inputs: seeded random byte strings become cases, the oracle
 *    computes them, and every implementation that runs here -- each usable level and every peer --
 *    is judged against it as `refast verify --peers` judges golden cases;
 *  - every benchmark size builds from make_inputs and runs one call of every implementation timed
 *    at that size (what `refast bench` would time exists and runs).
 * REFAST_REGISTRY_FUZZ_CASES sets the cases per descriptor (default 6); REFAST_REGISTRY_BENCH=0 skips
 * the benchmark sizes (the NEON build under qemu: it has no `refast bench`, and the sizes are
 * benchmark-sized, minutes of emulation). */
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "refast/registry.h"
#include "testlib.h"

static uint64_t rng = 0x7265676973747279ull; /* this file's rf_test_* stream (testlib.h) */

static void test_dispatch_tables(void)
{
    for (int id = 0; id < RF_KID_COUNT; id++) {
        const char *name = rf_kernel_id_name((rf_kernel_id)id);
        CHECKF(rf_dispatch_native((rf_kernel_id)id, RF_ISA_SCALAR), "%s: no scalar reference", name);
        for (int l = 0; l < RF_ISA_COUNT; l++) {
            if (!rf_isa_compiled((rf_isa)l)) continue;
            rf_isa by = RF_ISA_COUNT;
            const rf_fnptr fn = rf_dispatch((rf_kernel_id)id, (rf_isa)l, &by);
            CHECKF(fn != NULL, "%s: nothing at %s", name, rf_isa_name((rf_isa)l));
            /* by is reached from l by following fallbacks */
            rf_isa walk = (rf_isa)l;
            while (walk != by && walk != RF_ISA_SCALAR) walk = rf_isa_fallback(walk);
            CHECKF(walk == by, "%s at %s: provided by %s, not on its fallback chain", name,
                   rf_isa_name((rf_isa)l), rf_isa_name(by));
            if (l != RF_ISA_SCALAR) CHECKF(rf_dispatch_autovec((rf_kernel_id)id, (rf_isa)l) != NULL,
                                           "%s: no autovec_%s", name, rf_isa_name((rf_isa)l));
        }
    }
    CHECK(rf_dispatch((rf_kernel_id)RF_KID_COUNT, RF_ISA_SCALAR, NULL) == NULL);
}

static void test_descriptors(void)
{
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        CHECKF(k->id == RF_ALGORITHM || (k->id >= 0 && k->id < RF_KID_COUNT), "%s: bad id %d", k->name, k->id);
        CHECKF(k->cases && k->cases[0].name, "%s: no golden recipes", k->name);
        CHECKF(k->make_inputs && k->oracle, "%s: no make_inputs or oracle", k->name);
        CHECKF(k->run || (k->bind && k->call && k->args_size), "%s: no way to run it", k->name);
        CHECKF(rf_kernel_find(k->name) == k, "%s: name not unique", k->name);
    }
}

static void test_fuzz_cases(int per_kernel)
{
    rf_isa lv[RF_ISA_COUNT];
    const int nl = rf_test_levels(lv);
    uint8_t *bytes = malloc(1 << 20);
    if (!bytes) return;
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        /* every kernel is fuzzed, or says why not (never both, never neither) */
        CHECKF(!k->fuzz_inputs != !(k->not_fuzzed && *k->not_fuzzed),
               "%s: needs exactly one of fuzz_inputs and a not_fuzzed reason", k->name);
        if (!k->fuzz_inputs) continue;
        rf_impl im[RF_MAX_IMPLS];
        const size_t nim = rf_kernel_impls(k, lv, (size_t)nl, true, im, RF_MAX_IMPLS);
        int accepted = 0;
        for (int f = 0; f < per_kernel * 4 && accepted < per_kernel; f++) {
            /* lengths from a few bytes to 1 MiB, so both small and large shapes occur */
            const size_t len = (size_t)1 << (4 + rf_test_u64(&rng) % 17);
            for (size_t b = 0; b < len; b++) bytes[b] = (uint8_t)rf_test_u64(&rng);
            rf_case c;
            if (rf_kernel_fuzz_case(k, bytes, len, &c) != 0) continue;
            accepted++;
            char err[256] = "";
            const bool oracle = k->oracle(k, &c, err, sizeof err) == 0;
            CHECKF(oracle, "%s fuzz %d (%s): the oracle refused an accepted case: %s", k->name, f, c.params, err);
            for (size_t j = 0; oracle && j < nim; j++) {
                rf_verdict v;
                const bool ran = rf_judge(&im[j], &c, &v);
                CHECKF(ran && v.pass, "%s fuzz %d (%s) at %s: ratio %.3g bound %.3g: %s", k->name, f, c.params,
                       im[j].label, v.max_ratio, v.bound, v.detail);
            }
            rf_case_free(&c);
        }
        CHECKF(accepted > 0, "%s: no fuzz case accepted", k->name);
    }
    free(bytes);
}

static void test_bench_sizes(void)
{
    rf_isa lv[RF_ISA_COUNT];
    const int nl = rf_test_levels(lv);
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        CHECKF(k->bench_sizes && k->bench_sizes[0], "%s: no benchmark sizes", k->name);
        if (!k->bench_sizes) continue;
        rf_impl im[RF_MAX_IMPLS];
        const size_t nim = rf_kernel_impls(k, lv, (size_t)nl, true, im, RF_MAX_IMPLS);
        for (const char *const *size = k->bench_sizes; *size; size++) {
            rf_work w;
            char err[512] = "";
            rf_bench_state *s = rf_bench_setup(k, *size, &w, err, sizeof err);
            CHECKF(s != NULL, "%s '%s': %s", k->name, *size, err);
            if (!s) continue;
            CHECKF(w.items > 0 && w.item_unit, "%s '%s': no work", k->name, *size);
            for (size_t j = 0; j < nim; j++) rf_bench_calls(&im[j], s, 1);
            rf_bench_release(s);
        }
    }
}

int main(void)
{
    const char *env = getenv("REFAST_REGISTRY_FUZZ_CASES");
    const int per_kernel = env && atoi(env) > 0 ? atoi(env) : 6;
    test_dispatch_tables();
    test_descriptors();
    test_fuzz_cases(per_kernel);
    const char *bench = getenv("REFAST_REGISTRY_BENCH");
    if (!bench || strcmp(bench, "0") != 0) test_bench_sizes();
    return rf_test_summary("test_registry");
}
