/* `refast verify --sweep` catches what one placement cannot (harness/sweep.h), with deliberately
 * faulty test-only kernels run exactly as the sweep runs a level:
 *  - an aligned 32-byte load (vmovaps; x86 with AVX only) passes at misalignment 0, the page-aligned
 *    start, and is caught at the first non-zero offset (1 float = 4 bytes), the failure naming it;
 *  - a max-log soft-MAP that reads its LLRs in blocks of 4 frames passes on its golden recipe
 *    (32 frames) and at 36 frames, and is caught on the tails 33, 34 and 35 that the sweep builds
 *    through the registry's make_inputs (over-reading the guard page after in.llr);
 * and the reference FHT passes the whole sweep (every offset, both guards); every registry
 * free_length is set by at least one golden recipe (else it would sweep no tail). */
#include <string.h>

#include "compare.h"
#include "golden.h"
#include "refast/registry.h"
#include "sweep.h"
#include "testlib.h"

static void fht_ok(float *x, unsigned log2n)
{
    fht_f32_ref(x, log2n);
}

#if RF_ARCH_X86
static void fht_aligned_load(float *x, unsigned log2n)
{
    /* as in test_judge.c: asm, so that the compiler cannot fold the load into an unchecked operand */
    __asm__ volatile("vmovaps (%0), %%ymm0" : : "r"(x) : "xmm0", "memory");
    fht_f32_ref(x, log2n);
}
#endif

/* The tail bug: the last block of 4 frames is read whole, past the end of llr when frames % 4 != 0. */
static void maxlog_block_overread(const float *llr, unsigned m, size_t frames, float *out)
{
    const size_t padded = (frames + 3) / 4 * 4;
    volatile float sink = llr[(padded << m) - 1];
    (void)sink;
    rm1_softmap_maxlog_ref(llr, m, frames, out);
}

static const rf_case_spec *find_recipe(const rf_kernel *k, const char *name)
{
    for (const rf_case_spec *s = k->cases; s && s->name; s++)
        if (strcmp(s->name, name) == 0) return s;
    return NULL;
}

static void test_misaligned_load(void)
{
    const rf_kernel *fht = rf_kernel_find("fht_f32");
    const rf_case_spec *s = fht ? find_recipe(fht, "n64_random") : NULL;
    CHECK(s != NULL);
    if (!s) return;
    rf_case c;
    char err[256] = "";
    CHECKF(rf_golden_build(fht, s, &c, err, sizeof err), "%s", err);
    rf_sweep_result r;
    const rf_impl ok = rf_test_impl(fht, (rf_fnptr)fht_ok, "ref");
    rf_sweep_impl(&ok, &c, 64, true, &r);
    CHECKF(r.pass && r.judged == 32, "the reference fails the sweep (%zu judged): %s", r.judged, r.v.detail);
#if RF_ARCH_X86
    if (rf_isa_usable(RF_ISA_AVX2)) {
        const rf_impl bad = rf_test_impl(fht, (rf_fnptr)fht_aligned_load, "aligned-load");
        rf_sweep_impl(&bad, &c, 32, false, &r);
        CHECKF(!r.pass && r.judged == 2, "aligned load: pass=%d after %zu placements", r.pass, r.judged);
        CHECKF(r.where.mode == RF_PLACE_START && r.where.elems == 1, "aligned load caught at %s+%zu",
               r.where.mode == RF_PLACE_START ? "start" : "end", r.where.elems);
        CHECKF(strstr(r.v.detail, "SIGSEGV") && strstr(r.v.detail, "1 elements"), "detail: %s", r.v.detail);
        char where[64];
        rf_sweep_where(r.where, where, sizeof where);
        printf("misaligned aligned load: passes at offset 0, caught at %s: %s\n", where, r.v.detail);
    }
#endif
    rf_case_free(&c);
}

static void test_tail_overread(void)
{
    const rf_kernel *sm = rf_kernel_find("rm1_softmap_maxlog");
    const rf_case_spec *s = sm ? find_recipe(sm, "ties_m2") : NULL;
    CHECK(s != NULL && sm->free_length && strcmp(sm->free_length, "frames") == 0);
    if (!s || !sm->free_length) return;
    const rf_impl bad = rf_test_impl(sm, (rf_fnptr)maxlog_block_overread, "block-overread");
    for (size_t t = 0; t <= 4; t++) {
        rf_case c;
        char err[256] = "", label[128];
        const bool built = t == 0 ? rf_golden_build(sm, s, &c, err, sizeof err)
                                  : rf_sweep_tail_build(sm, s, t, 4, &c, label, sizeof label, err, sizeof err);
        CHECKF(built, "tail %zu: %s", t, err);
        if (!built) continue;
        rf_sweep_result r;
        rf_sweep_impl(&bad, &c, 0, true, &r);
        const bool want_pass = t == 0 || t == 4; /* 32 and 36 frames: whole blocks */
        CHECKF(r.pass == want_pass, "frames=32+%zu: pass=%d (%s)", t, r.pass, r.v.detail);
        if (!r.pass) {
            CHECKF(strstr(r.v.detail, "SIGSEGV") != NULL, "detail: %s", r.v.detail);
            printf("tail over-read caught at %s: %s\n", label, r.v.detail);
        }
        rf_case_free(&c);
    }
}

/* A free_length no golden recipe sets would sweep no tail: every hook must reach a recipe. */
static void test_free_lengths_used(void)
{
    size_t with = 0;
    for (size_t i = 0; i < rf_kernel_count(); i++) {
        const rf_kernel *k = rf_kernel_at(i);
        if (!k->free_length) continue;
        with++;
        bool used = false;
        for (const rf_case_spec *s = k->cases; s && s->name && !used; s++) used = rf_sweep_has_tail(k, s);
        CHECKF(used, "%s: free_length %s is in none of its recipes", k->name, k->free_length);
    }
    printf("%zu of %zu kernels have a free length\n", with, rf_kernel_count());
}

int main(void)
{
    test_free_lengths_used();
    test_misaligned_load();
    test_tail_overread();
    return rf_test_summary("test_sweep");
}
