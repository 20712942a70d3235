/* The benchmark shim: `refast bench` writes Google Benchmark JSON that parses, names every
 * kernel x level x size (plus the scalar row, the autovec peers and the machine rows), carries
 * the natural-unit counters, and times work that was really done (a transform of n = 2^16 takes
 * longer than one of n = 2^6: nothing was optimised away). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_pmoe.h"
#include "benchjson.h"
#include "refast/registry.h"
#include "testlib.h"

static char out[1 << 20], err[1 << 14];

int main(void)
{
#if !REFAST_HAVE_BENCH
    printf("test_bench: skipped (this build has no Google Benchmark)\n");
    return 77;
#endif
    const char *dir = rf_test_tmpdir();
    char json[512];
    snprintf(json, sizeof json, "%s/bench.json", dir);
    /* no warm-up: the largest rows (the scalar GRU at B = 64, H = 512: ~3 s a call) would pay a
     * third call each, and the test checks the JSON, not the timings' quality */
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "bench", "--isa", "all", "--min-time",
                         "0.002", "--repetitions", "2", "--warmup", "0", "--out", json, NULL);
    CHECKF(rc == 0, "bench exit %d: %s", rc, err);

    rf_bench_file f;
    char msg[512];
    bool loaded = rf_bench_load(json, &f, msg, sizeof msg);
    CHECKF(loaded, "bench JSON does not load: %s", msg);
    if (!loaded) return rf_test_summary("test_bench");

    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!k->bench_sizes) continue;
        for (const char *const *size = k->bench_sizes; *size; size++) {
            char slug[128];
            snprintf(slug, sizeof slug, "%s", *size);
            for (char *c = slug; *c; c++)
                if (*c == ' ') *c = ',';
            rf_isa lv[RF_ISA_COUNT];
            const int nl = rf_test_levels(lv);
            rf_impl im[RF_MAX_IMPLS];
            const size_t nim = rf_kernel_impls(k, lv, (size_t)nl, true, im, RF_MAX_IMPLS);
            for (size_t j = 0; j < nim; j++) {
                /* a level without its own code is not benchmarked twice */
                if (im[j].kind == RF_IMPL_LEVEL && im[j].provided_by != im[j].level) continue;
                char name[256];
                snprintf(name, sizeof name, "%s/%s/%s", k->name, im[j].label, slug);
                const rf_bench *b = rf_bench_find(&f, name);
                CHECKF(b != NULL, "no benchmark row %s", name);
                if (b && im[j].kind == RF_IMPL_LEVEL) {
                    CHECKF(b->n == 2, "%s: %zu samples, want 2 repetitions", name, b->n);
                    double items = rf_bench_counter_median(b, "items_per_second");
                    CHECKF(isfinite(items) && items > 0, "%s: items_per_second %g", name, items);
                }
            }
        }
    }
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        if (!rf_isa_usable((rf_isa)l)) continue;
        char name[128];
        snprintf(name, sizeof name, "machine/fma_peak_%s/-", rf_isa_name((rf_isa)l));
        const rf_bench *b = rf_bench_find(&f, name);
        CHECKF(b && rf_bench_counter_median(b, "FLOPS") > 1e8, "peak row %s", name);
    }
    const rf_bench *triad = rf_bench_find(&f, "machine/triad/-");
    CHECK(triad && rf_bench_counter_median(triad, "bytes_per_second") > 1e8);

    /* the whole-model pMoE rows (harness/bench_pmoe.h): the default run has the step of every model
     * at scalar and each usable level with pMoE code of its own, in samples (20 a call) with a
     * FLOPS counter, and not the forward and backward rows */
    static const char *const models[] = {"joint", "separate", "cnn4", "cnn40"};
    for (size_t m = 0; m < 4; m++)
        for (int l = 0; l < RF_ISA_COUNT; l++) {
            if (!rf_isa_usable((rf_isa)l) || (l != RF_ISA_SCALAR && !rf_dispatch_native(RF_KID(pmoe_route_f32), (rf_isa)l)))
                continue;
            char name[160];
            snprintf(name, sizeof name, "pmoe_model_%s_step/%s/B=20,n=16,d=784", models[m], rf_isa_name((rf_isa)l));
            const rf_bench *b = rf_bench_find(&f, name);
            CHECKF(b && rf_bench_counter_median(b, "items_per_second") > 0 && rf_bench_counter_median(b, "FLOPS") > 0,
                   "pmoe model row %s", name);
        }
    CHECK(!rf_bench_find(&f, "pmoe_model_joint_forward/scalar/B=20,n=16,d=784"));

    /* real work is timed: the scalar FHT at n = 2^16 costs far more than at n = 2^6
     * (the ratio of the operation counts is 2^10 * 16 / 6 ~ 2700; demand > 100) */
    const rf_bench *small = rf_bench_find(&f, "fht_f32/scalar/log2n=6");
    const rf_bench *large = rf_bench_find(&f, "fht_f32/scalar/log2n=16");
    CHECK(small && large);
    if (small && large)
        CHECKF(rf_bench_median_ns(large) > 100 * rf_bench_median_ns(small), "large %g ns, small %g ns",
               rf_bench_median_ns(large), rf_bench_median_ns(small));
    rf_bench_free(&f);

    /* a glob naming the model rows takes forward, backward and step (the plan alone: Google
     * Benchmark runs once per process) */
    bool scalar_only[RF_ISA_COUNT] = {false};
    rf_pmoe_bench *pb = NULL;
    CHECK(rf_pmoe_bench_plan("pmoe_model_cnn4_*", scalar_only, false, &pb, msg, sizeof msg) == 0);
    CHECK(rf_pmoe_bench_count(pb) == 3);
    for (size_t i = 0; i < rf_pmoe_bench_count(pb); i++) {
        rf_bench_item it;
        rf_pmoe_bench_item(pb, i, &it);
        CHECKF(!strncmp(it.name, "pmoe_model_cnn4_", 16) && strstr(it.name, "/scalar/B=20,n=16,d=784") &&
                   it.items_per_iter == 20 && it.flops_per_iter > 0 && it.bytes_per_iter > 0,
               "%s", it.name);
    }
    rf_pmoe_bench_free(pb);
    CHECK(rf_pmoe_bench_plan("*", scalar_only, false, &pb, msg, sizeof msg) == 0 && rf_pmoe_bench_count(pb) == 4);
    rf_pmoe_bench_free(pb);
    CHECK(!rf_pmoe_bench_matches("fht_f32") && rf_pmoe_bench_matches("pmoe_model_joint_backward"));

    /* an unwritable output is refused before any benchmark runs */
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "bench", "--out", "/nonexistent/dir/x.json", NULL);
    CHECK(rc == 2 && rf_test_lines(err) == 1);
    return rf_test_summary("test_bench");
}
