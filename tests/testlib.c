#include "refast/isa.h"
#include "testlib.h"

#include "refast/registry.h"

#include <math.h>

int rf_test_passed, rf_test_failed;

uint64_t rf_test_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double rf_test_uniform(uint64_t *state, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rf_test_u64(state) >> 11) * 0x1p-53);
}

double rf_test_unit(uint64_t *state)
{
    return ((double)(rf_test_u64(state) >> 11) + 1.0) * 0x1p-53;
}

double rf_test_gauss(uint64_t *state)
{
    const double u1 = rf_test_unit(state), u2 = rf_test_unit(state);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double rf_test_gauss_c(uint64_t *state)
{
    const double u1 = 1.0 - rf_test_uniform(state, 0, 1), u2 = rf_test_uniform(state, 0, 1);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

size_t rf_test_count_info(size_t n, const uint8_t *frozen)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += !frozen[i];
    return k;
}

int rf_test_levels(rf_isa out[RF_ISA_COUNT])
{
    int n = 0;
    for (int i = 0; i < RF_ISA_COUNT; i++)
        if (rf_isa_usable((rf_isa)i)) out[n++] = (rf_isa)i;
    return n;
}

int rf_test_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, rf_test_passed, rf_test_failed);
    return (rf_test_failed == 0 && rf_test_passed > 0) ? 0 : 1;
}

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compare.h"

static void slurp(FILE *f, char *buf, size_t len)
{
    if (!buf || !len) return;
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
}

int rf_test_cli(char *out, size_t outlen, char *err, size_t errlen, ...)
{
    char *argv[64];
    int argc = 0;
    va_list ap;
    va_start(ap, errlen);
    argv[argc++] = (char *)"refast";
    for (char *a; argc < 63 && (a = va_arg(ap, char *));) argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    fflush(stdout);
    fflush(stderr);
    FILE *fo = tmpfile(), *fe = tmpfile();
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    const rf_isa level = rf_isa_current(); /* --isa of one command must not leak into the next */
    int rc = rf_cli_main(argc, argv);
    rf_isa_set(level);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    slurp(fo, out, outlen);
    slurp(fe, err, errlen);
    fclose(fo);
    fclose(fe);
    return rc;
}

int rf_test_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

const char *rf_test_tmpdir(void)
{
    static char path[256];
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/refast-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(path)) {
        perror("mkdtemp");
        exit(2);
    }
    return path;
}

void *rf_test_read_exact(const char *path, size_t bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    void *p = malloc(bytes);
    bool ok = p && fread(p, 1, bytes, f) == bytes && fgetc(f) == EOF;
    fclose(f);
    if (!ok) {
        free(p);
        return NULL;
    }
    return p;
}

rf_impl rf_test_impl(const rf_kernel *k, rf_fnptr fn, const char *label)
{
    rf_impl im;
    memset(&im, 0, sizeof im);
    im.kernel = k;
    im.kind = RF_IMPL_LEVEL;
    im.fn = fn;
    snprintf(im.label, sizeof im.label, "%s", label);
    return im;
}

size_t rf_test_impls(const rf_kernel *k, bool peers, rf_impl *out)
{
    rf_isa lv[RF_ISA_COUNT];
    const int nl = rf_test_levels(lv);
    return rf_kernel_impls(k, lv, (size_t)nl, peers, out, RF_MAX_IMPLS);
}

const rf_kernel *rf_test_kernel(const char *name)
{
    const rf_kernel *k = rf_kernel_find(name);
    if (!k) {
        fprintf(stderr, "kernel %s is not registered\n", name);
        exit(1);
    }
    return k;
}

rf_impl_set rf_test_level_impls(const char *name)
{
    rf_impl_set s;
    s.n = rf_test_impls(rf_test_kernel(name), false, s.at);
    return s;
}

bool rf_test_shared(const char *path, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (f) {
        fclose(f);
        return true;
    }
    const char *allow = getenv("REFAST_ALLOW_MISSING_SHARED");
    if (allow && strcmp(allow, "1") == 0) {
        printf("%s: skipped: %s not found (REFAST_ALLOW_MISSING_SHARED=1)\n", what, path);
        return false;
    }
    CHECKF(0, "%s: %s not found: these checks need the external truth in ../shared (set "
              "REFAST_ALLOW_MISSING_SHARED=1 to skip them explicitly)", what, path);
    return false;
}

int rf_test_fuzz_kernel(const rf_kernel *k, int cases, size_t len, uint64_t *rng)
{
    rf_impl im[RF_MAX_IMPLS];
    const size_t nf = rf_test_impls(k, true, im);
    uint8_t *bytes = malloc(len);
    int accepted = 0;
    for (int f = 0; f < cases && bytes; f++) {
        for (size_t b = 0; b < len; b++) bytes[b] = (uint8_t)rf_test_u64(rng);
        rf_case c;
        if (rf_kernel_fuzz_case(k, bytes, len, &c) != 0) continue;
        accepted++;
        char err[256] = "";
        const bool oracle = k->oracle(k, &c, err, sizeof err) == 0;
        CHECKF(oracle, "%s fuzz %d: oracle refused an accepted case: %s", k->name, f, err);
        for (size_t i = 0; oracle && i < nf; i++) {
            rf_verdict v;
            const bool ran = rf_judge(&im[i], &c, &v);
            CHECKF(ran && v.pass, "%s fuzz %d (%s) at %s: ratio %.3g bound %.3g: %s", k->name, f, c.params,
                   im[i].label, v.max_ratio, v.bound, v.detail);
        }
        rf_case_free(&c);
    }
    free(bytes);
    CHECKF(accepted * 2 >= cases, "%s: only %d of %d fuzz cases accepted", k->name, accepted, cases);
    return accepted;
}

bool rf_test_build_case(const rf_kernel *k, const char *params, rf_case *c)
{
    char err[512] = "";
    rf_case_init(c, k->name, "t", params);
    c->work_dtype = k->work_dtype;
    const bool ok = k->make_inputs(k, c, err, sizeof err) == 0 && k->oracle(k, c, err, sizeof err) == 0;
    CHECKF(ok, "%s %s: %s", k->name, params, err);
    return ok;
}

bool rf_test_judge_fn(const rf_kernel *k, rf_fnptr fn, const rf_case *c, rf_verdict *v)
{
    const rf_impl im = rf_test_impl(k, fn, "test");
    const bool ran = rf_judge(&im, c, v);
    CHECKF(ran, "%s: %s", k->name, v->detail);
    return ran && v->pass;
}
