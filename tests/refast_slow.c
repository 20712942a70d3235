/* `refast` with a planted regression, for the tests of `refast ab` and of the instruction-count
 * gate: the same libraries as the real executable, plus the test seam of bench_hook.h set from
 * REFAST_TEST_SLOW="GLOB=PCT", a shell pattern over item names and a percentage (e.g. the
 * pattern fht_f32/ followed by a star, =10: every fht_f32 item does 10% more calls of its kernel
 * inside the timed loop). Never installed, never built into `refast`: a test-only executable, so
 * the tests need no second full build.
 *
 * The seam is armed only when this program runs as `refast_slowed`, a byte-identical copy made
 * after every link (tests/CMakeLists.txt). The tests compare refast_slow (disarmed) with
 * refast_slowed (armed) rather than with `refast`, because two different executables lay their
 * code out differently, and that alone moved scalar rows by 10-18% in a measurement here
 * (rm1_map and fht_f32 scalar ran faster in this program than in `refast`): a planted 10% would
 * be lost in it. Both sides of the comparison are therefore the same bytes, and the environment
 * reaches both (ab's children inherit it), the file name decides. */
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_hook.h"
#include "cli.h"

static char glob[256];
static double fraction;

static double extra_work(const char *item_name)
{
    return fnmatch(glob, item_name, 0) == 0 ? fraction : 0;
}

int main(int argc, char **argv)
{
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    const char *base = strrchr(self, '/');
    const bool armed = base && !strcmp(base + 1, "refast_slowed");
    const char *spec = armed ? getenv("REFAST_TEST_SLOW") : NULL;
    const char *eq = spec ? strrchr(spec, '=') : NULL;
    if (eq && eq > spec && (size_t)(eq - spec) < sizeof glob) {
        memcpy(glob, spec, (size_t)(eq - spec));
        fraction = atof(eq + 1) / 100;
        rf_bench_extra_work = extra_work;
    }
    return rf_cli_main(argc, argv);
}
