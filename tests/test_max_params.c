/* Kernels at their largest parameters (issue 14 item 6), where a golden file would be too large to
 * commit: the packed score tensors T3 at d = RF_MOE_T3_MAX_D = 256 (C(258, 3) = 2.8M doubles,
 * 23 MB) and T4 at d = RF_MOE_T4_MAX_D = 64 (C(67, 4) = 766k doubles), T2 at d = 256, and the
 * three RM(m,1) kernels at m = RF_RM1_MAX_M = 16 (256 KiB a frame: golden/ stays under SPEC §4's
 * 32 MiB; their oracle correlates through the FHT, so it is cheap here). Each
 * case is built from its recipe as `refast golden generate` would (the registry's make_inputs and
 * oracle), then ref, every usable level and every peer are judged against the oracle under the
 * kernel's own tolerance, as `refast verify` does. The other maximum parameters are golden cases:
 * k = 16 enumeration (softmap_enum.rand24x16_*, block_ml.rand32x16),
 * SCL at L = 2 and 16 on N = 2048 (polar_scl*.bhat11_*). A case that is not built, or a level
 * that fails, fails the test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "refast/moe_moments.h"
#include "refast/registry.h"
#include "testlib.h"

static const struct {
    const char *kernel, *params;
} recipes[] = {
    {"moe_t3_sum_f64", "d=256 n=3 w=gauss seed=3256"},
    {"moe_t4_sum_f64", "d=64 n=5 w=q4 seed=4064"},
    {"moe_t2_sum_f64", "d=256 n=40 w=gauss seed=2256"},
    /* RM(16,1), rate 17/65536: W(a*) ~ 2n / sigma^2 against noise 2 sqrt(n) / sigma */
    {"rm1_map", "m=16 frames=1 sigma=16 seed=1601"},
    {"rm1_softmap_maxlog", "m=16 frames=1 sigma=16 seed=1602"},
    {"rm1_softmap_exact", "m=16 frames=1 sigma=20 seed=1603"},
};

int main(void)
{
    _Static_assert(RF_MOE_T3_MAX_D == 256 && RF_MOE_T4_MAX_D == 64, "the recipes name the limits");
    /* Under qemu (REFAST_TEST_EMULATED) T3 at d = 256 and the exact Soft-MAP at m = 16 are left
     * out: their oracles (2.8M entries; 2^17 log-sum-exps) in software binary128 take a minute
     * there; T4, T2, rm1_map and the max-log Soft-MAP still reach the NEON code's largest sizes. */
    const bool emulated = getenv("REFAST_TEST_EMULATED") != NULL;
    for (size_t i = 0; i < sizeof recipes / sizeof *recipes; i++) {
        const char *kn = recipes[i].kernel;
        if (emulated && (!strcmp(kn, "moe_t3_sum_f64") || !strcmp(kn, "rm1_softmap_exact"))) {
            printf("%s %s: not under emulation (natively only)\n", recipes[i].kernel, recipes[i].params);
            continue;
        }
        const rf_kernel *k = rf_test_kernel(recipes[i].kernel);
        rf_case c;
        if (!rf_test_build_case(k, recipes[i].params, &c)) continue;
        rf_impl im[RF_MAX_IMPLS];
        const size_t nim = rf_test_impls(k, true, im);
        for (size_t j = 0; j < nim; j++) {
            rf_verdict v;
            const bool ran = rf_judge(&im[j], &c, &v);
            CHECKF(ran && v.pass, "%s %s at %s: %s", k->name, recipes[i].params, im[j].label, v.detail);
            printf("%-16s %-24s %-16s ratio %-10.3g bound %-6g %s\n", k->name, recipes[i].params, im[j].label,
                   v.max_ratio, v.bound, ran && v.pass ? "pass" : "FAIL");
        }
        rf_case_free(&c);
    }
    return rf_test_summary("test_max_params");
}
