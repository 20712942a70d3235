/* Differential fuzzing of the whole kernel registry (libFuzzer).
 *
 * One input = one case. Byte 0 picks the kernel among those with a fuzz_inputs() callback (and,
 * when REFAST_FUZZ_KERNEL=GLOB is set, whose name matches it, and when REFAST_FUZZ_FAMILY=GLOB is
 * set, whose family matches it); the other bytes go to that
 * kernel's fuzz_inputs(), which turns them into case parameters and in.* arrays or rejects them.
 * The oracle then computes want.* and every implementation that runs on this CPU, the scalar
 * reference and the peers included, is judged against it exactly as `refast verify --peers` judges a golden case
 * (rf_judge, SPEC §3). So the fuzzer looks for inputs where ref or a SIMD level leaves its
 * tolerance class, and, through ASan/UBSan, for any memory or undefined-behaviour error on the
 * way (tails, odd lengths, NaN and infinities).
 *
 * What it covered: with REFAST_FUZZ_STATS=DIR each process (libFuzzer's -fork children too)
 * writes DIR/stats-<pid>.tsv at exit, one line per kernel: name, inputs generated for it (byte 0
 * chose it), accepted by its fuzz_inputs, and implementation verdicts judged; scripts/test.sh sums
 * them into a table and a JSON file. Kernels without fuzz_inputs are listed at start with their
 * descriptor's not_fuzzed reason.
 *
 * A failed verdict prints the kernel, level, parameters, the judge's detail and the first
 * differing elements, then aborts: libFuzzer saves the input, and
 *   ./refast_diff_fuzz <crash-file>
 * replays it.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "diff_fuzz.h"
#include "refast/case.h"
#include "refast/isa.h"
#include "refast/registry.h"

/* The kernels byte 0 chooses from, by registry index, and what each got. */
static size_t *g_pick;
static size_t g_npick;
static struct pick_stats {
    unsigned long long generated, accepted, judged;
} *g_stats;

static void write_stats(void)
{
    const char *dir = getenv("REFAST_FUZZ_STATS");
    if (!dir || !*dir || !g_stats) return;
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/stats-%ld.tsv", dir, (long)getpid());
    snprintf(tmp, sizeof tmp, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return;
    for (size_t i = 0; i < g_npick; i++)
        fprintf(f, "%s\t%llu\t%llu\t%llu\n", rf_kernel_at(g_pick[i])->name, g_stats[i].generated,
                g_stats[i].accepted, g_stats[i].judged);
    if (fclose(f) == 0) rename(tmp, path);
}

/* The peers judged beside the levels (autovec_*, openblas, onednn), with how many of the selected
 * kernels have each: what `rf_kernel_impls(..., peers = true)` gives in this build. */
static void print_peers(const rf_isa *levels)
{
    size_t nlevels = 0;
    while (levels[nlevels] != RF_ISA_COUNT) nlevels++;
    char label[RF_MAX_IMPLS * 4][64];
    size_t count[RF_MAX_IMPLS * 4] = {0}, nlabel = 0;
    for (size_t i = 0; i < g_npick; i++) {
        rf_impl im[RF_MAX_IMPLS];
        const size_t nim = rf_kernel_impls(rf_kernel_at(g_pick[i]), levels, nlevels, true, im, RF_MAX_IMPLS);
        for (size_t j = 0; j < nim; j++) {
            if (im[j].kind == RF_IMPL_LEVEL) continue;
            size_t l = 0;
            while (l < nlabel && strcmp(label[l], im[j].label)) l++;
            if (l == nlabel) {
                if (nlabel == sizeof label / sizeof label[0]) continue;
                snprintf(label[nlabel++], sizeof label[0], "%s", im[j].label);
            }
            count[l]++;
        }
    }
    fprintf(stderr, "diff_fuzz: peers:");
    for (size_t l = 0; l < nlabel; l++) fprintf(stderr, " %s (%zu kernels)", label[l], count[l]);
    fprintf(stderr, "%s\n", nlabel ? "" : " none");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *glob = getenv("REFAST_FUZZ_KERNEL"), *fam = getenv("REFAST_FUZZ_FAMILY");
    if (glob && !*glob) glob = NULL;
    if (fam && !*fam) fam = NULL;
    const size_t n = rf_kernel_count();
    g_pick = calloc(n ? n : 1, sizeof *g_pick);
    g_stats = calloc(n ? n : 1, sizeof *g_stats);
    if (!g_pick || !g_stats) abort();
    for (size_t i = 0; i < n; i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!k->fuzz_inputs && k->not_fuzzed && !glob && !fam)
            fprintf(stderr, "diff_fuzz: not fuzzed: %s (%s)\n", k->name, k->not_fuzzed);
        if (!k->fuzz_inputs || !k->oracle || !(k->run || (k->bind && k->call))) continue;
        if (glob && !rf_glob_match(glob, k->name)) continue;
        if (fam && !rf_glob_match(fam, k->family)) continue;
        g_pick[g_npick++] = i;
    }
    if (g_npick == 0) {
        fprintf(stderr, "diff_fuzz: no kernel %s%s%s%s%s%s has a fuzz_inputs callback\n",
                glob ? "matching REFAST_FUZZ_KERNEL='" : "", glob ? glob : "", glob ? "' " : "",
                fam ? "in REFAST_FUZZ_FAMILY='" : "", fam ? fam : "", fam ? "'" : "");
        exit(2);
    }
    fprintf(stderr, "diff_fuzz: %zu kernel(s):", g_npick);
    for (size_t i = 0; i < g_npick; i++) fprintf(stderr, " %s", rf_kernel_at(g_pick[i])->name);
    fprintf(stderr, "\ndiff_fuzz: levels:");
    rf_isa levels_usable[RF_ISA_COUNT + 1];
    size_t nusable = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (l == RF_ISA_SCALAR || rf_isa_usable((rf_isa)l)) {
            fprintf(stderr, " %s", rf_isa_name((rf_isa)l));
            levels_usable[nusable++] = (rf_isa)l;
        }
    levels_usable[nusable] = RF_ISA_COUNT;
    fprintf(stderr, "\n");
    print_peers(levels_usable);
    atexit(write_stats);
    return 0;
}

size_t rf_diff_fuzz_kernel_count(void)
{
    return g_npick;
}

const rf_kernel *rf_diff_fuzz_kernel(size_t i)
{
    return i < g_npick ? rf_kernel_at(g_pick[i]) : NULL;
}

static double elem(const rf_array *a, uint64_t i)
{
    switch (a->dtype) {
    case RF_DT_U8: return ((const uint8_t *)a->data)[i];
    case RF_DT_I32: return ((const int32_t *)a->data)[i];
    case RF_DT_U32: return ((const uint32_t *)a->data)[i];
    case RF_DT_U64: return (double)((const uint64_t *)a->data)[i];
    case RF_DT_F32: return ((const float *)a->data)[i];
    case RF_DT_F64: return ((const double *)a->data)[i];
    default: return NAN;
    }
}

/* got differs from want once want is rounded to got's precision (NaN meets NaN). */
static bool differs(const rf_array *got, double g, double w)
{
    if (isnan(g) || isnan(w)) return isnan(g) != isnan(w);
    if (got->dtype == RF_DT_F32) return (float)g != (float)w;
    return g != w;
}

static void print_shape(const rf_array *a)
{
    fprintf(stderr, "    %-16s %-4s [", a->name, rf_dtype_name(a->dtype));
    for (unsigned d = 0; d < a->ndim; d++)
        fprintf(stderr, "%s%llu", d ? " x " : "", (unsigned long long)a->shape[d]);
    fprintf(stderr, "]\n");
}

/* For output X: the first few elements that differ from want.X, and the worst one relative to
 * its error scale (scale.X when the class has one). */
static void dump_output(const rf_case *c, const rf_case *out, const rf_array *want)
{
    const char *x = want->name + 5;
    const rf_array *got = rf_case_find(out, x);
    if (!got) {
        fprintf(stderr, "  output %s: missing\n", x);
        return;
    }
    if (got->count != want->count) {
        fprintf(stderr, "  output %s: %llu elements, oracle has %llu\n", x,
                (unsigned long long)got->count, (unsigned long long)want->count);
        return;
    }
    char sname[RF_NAME_MAX + 8];
    snprintf(sname, sizeof sname, "scale.%s", x);
    const rf_array *scale = rf_case_find(c, sname);
    if (scale && (scale->count == 0 || want->count % scale->count)) scale = NULL;
    const uint64_t block = scale ? want->count / scale->count : 1;

    uint64_t ndiff = 0, worst = 0;
    double worst_err = -1.0;
    fprintf(stderr, "  output %s (%llu elements):\n", x, (unsigned long long)want->count);
    for (uint64_t i = 0; i < want->count; i++) {
        const double g = elem(got, i), w = elem(want, i);
        if (!differs(got, g, w)) continue;
        double e = isnan(g) || isnan(w) ? INFINITY : fabs(g - w);
        if (scale && elem(scale, i / block) > 0) e /= elem(scale, i / block);
        if (e > worst_err) {
            worst_err = e;
            worst = i;
        }
        if (ndiff++ < 6)
            fprintf(stderr, "    [%llu] got %.9g  want %.17g\n", (unsigned long long)i, g, w);
    }
    if (ndiff == 0) {
        fprintf(stderr, "    identical to the oracle\n");
        return;
    }
    fprintf(stderr, "    %llu differ; worst [%llu]: got %.9g want %.17g", (unsigned long long)ndiff,
            (unsigned long long)worst, elem(got, worst), elem(want, worst));
    if (scale)
        fprintf(stderr, "  |got-want|/S = %.3g (S = %.9g)", worst_err, elem(scale, worst / block));
    fprintf(stderr, "\n");
}

static void fail(const rf_kernel *k, const rf_impl *im, const rf_case *c, const char *what, const char *detail)
{
    fprintf(stderr, "\n==== refast differential fuzz: %s ====\n", what);
    fprintf(stderr, "  kernel  %s (%s, tolerance %s)\n", k->name, k->family, rf_tol_name(k->tol.cls));
    if (im) {
        fprintf(stderr, "  impl    %s", im->label);
        if (im->kind == RF_IMPL_LEVEL && im->provided_by != im->level)
            fprintf(stderr, " -> %s", rf_isa_name(im->provided_by));
        fprintf(stderr, "\n");
    }
    fprintf(stderr, "  params  %s\n", c->params[0] == ' ' ? c->params + 1 : c->params);
    fprintf(stderr, "  detail  %s\n", detail && *detail ? detail : "(none)");
    fprintf(stderr, "  arrays:\n");
    for (unsigned a = 0; a < c->narrays; a++) print_shape(&c->arrays[a]);
    if (im) {
        rf_case out;
        rf_case_init(&out, c->kernel, c->name, c->params);
        char err[256] = "";
        if (rf_kernel_run(im, c, &out, err, sizeof err) != 0) {
            fprintf(stderr, "  re-run failed: %s\n", err);
        } else {
            for (unsigned a = 0; a < c->narrays; a++)
                if (!strncmp(c->arrays[a].name, "want.", 5)) dump_output(c, &out, &c->arrays[a]);
        }
        rf_case_free(&out);
    }
    fprintf(stderr, "==== replay: refast_diff_fuzz (or refast_fuzz_driver) <the crash file saved> ====\n");
    fflush(stderr);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct pick_stats *st = &g_stats[data[0] % g_npick];
    const rf_kernel *k = rf_kernel_at(g_pick[data[0] % g_npick]);
    st->generated++;
    rf_case c;
    if (rf_kernel_fuzz_case(k, data + 1, size - 1, &c) != 0) return -1; /* rejected: keep it out of the corpus */
    st->accepted++;
    char err[256] = "";
    if (k->oracle(k, &c, err, sizeof err) != 0)
        fail(k, NULL, &c, "the oracle refused a case that fuzz_inputs accepted", err);

    rf_isa levels[RF_ISA_COUNT];
    size_t nlevels = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++)
        if (l == RF_ISA_SCALAR || rf_isa_usable((rf_isa)l)) levels[nlevels++] = (rf_isa)l;
    rf_impl im[RF_MAX_IMPLS];
    const size_t nim = rf_kernel_impls(k, levels, nlevels, true, im, RF_MAX_IMPLS);
    for (size_t i = 0; i < nim; i++) {
        /* a fallback runs the code of a level judged on this case already */
        if (im[i].kind == RF_IMPL_LEVEL && im[i].provided_by != im[i].level) continue;
        rf_verdict v;
        st->judged++;
        if (!rf_judge(&im[i], &c, &v)) fail(k, &im[i], &c, "the run or comparison failed", v.detail);
        if (!v.pass) {
            char what[256];
            snprintf(what, sizeof what, "%s outside class %s (%llu of %llu outputs, max ratio %.3g, bound %.3g)",
                     im[i].label, rf_tol_name(v.cls), (unsigned long long)v.mismatches,
                     (unsigned long long)v.compared, v.max_ratio, v.bound);
            fail(k, &im[i], &c, what, v.detail);
        }
    }
    rf_case_free(&c);
    return 0;
}
