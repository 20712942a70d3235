/* External truth: the KO authors' own hard Dumer decisions (../shared/ko-reference/rm_{8,9}_2,
 * their `correct_second_order_decoder_dumer` on L = 2y/sigma^2, exact LSE; README §5-6 there)
 * must be reproduced bit for bit by rm_dumer (variant dumer, f exact) at every usable level:
 * 4 x 200 frames of RM(8,2) and RM(9,2) at Es/N0 -4, -7, -8 and -11 dB. Without the reference data the test fails (exit 77, a skip, only with REFAST_ALLOW_MISSING_SHARED=1) when
 * the reference directory is not beside the checkout. */
#include <stdlib.h>
#include <string.h>

#include "refast/decoders.h"
#include "refast/registry.h"
#include "testlib.h"

#define REF_DIR "../shared/ko-reference"
#define FRAMES 200

int main(void)
{
    static const struct {
        const char *dir;
        unsigned m;
        size_t k;
        double sigma[2]; /* level1, level2: README §5 of the reference */
    } sets[] = {
        {"rm_8_2", 8, 37, {1.1206887238456493, 1.5830148982673413}},
        {"rm_9_2", 9, 46, {1.7761719292909022, 2.508909535828432}},
    };
    if (!rf_test_shared(REF_DIR "/README.md", "test_koref_dumer"))
        return rf_test_failed ? rf_test_summary("test_koref_dumer") : 77;
    const rf_impl_set dumer = rf_test_level_impls("rm_dumer");
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        const size_t n = (size_t)1 << sets[s].m, kk = sets[s].k;
        for (int level = 1; level <= 2; level++) {
            char path[256];
            snprintf(path, sizeof path, REF_DIR "/%s/level%d_received.f32", sets[s].dir, level);
            float *y = rf_test_read_exact(path, FRAMES * n * sizeof(float));
            snprintf(path, sizeof path, REF_DIR "/%s/level%d_dumer_hard.u8", sets[s].dir, level);
            uint8_t *want = rf_test_read_exact(path, FRAMES * kk);
            CHECKF(y && want, "%s: missing or wrong size", path);
            if (!y || !want) {
                free(y);
                free(want);
                continue;
            }
            /* L = 2y/sigma^2 in float, as their code computes it */
            const float sigma = (float)sets[s].sigma[level - 1];
            for (size_t i = 0; i < FRAMES * n; i++) y[i] = 2.0f * y[i] / (sigma * sigma);
            uint8_t *got = malloc(FRAMES * kk);
            for (size_t l = 0; l < dumer.n; l++) {
                rf_rm_dumer_fn fn = (rf_rm_dumer_fn)dumer.at[l].fn;
                memset(got, 0xee, FRAMES * kk);
                fn(sets[s].m, 2, RF_DUMER, RF_F_EXACT, y, FRAMES, got);
                size_t diff = 0;
                for (size_t i = 0; i < FRAMES * kk; i++) diff += got[i] != want[i];
                CHECKF(diff == 0, "%s level%d at %s: %zu of %zu bits differ from the authors' Dumer",
                       sets[s].dir, level, dumer.at[l].label, diff, FRAMES * kk);
            }
            free(got);
            free(y);
            free(want);
        }
    }
    return rf_test_summary("test_koref_dumer");
}
