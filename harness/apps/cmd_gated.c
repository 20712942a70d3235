/* refast gated: the gated layers of seed 003 §2 (refast/gated.h) on raw float32 files, and the
 * comparison with oneDNN's GRU.
 *
 *   refast gated gru  --weights W.f32 --inputs X.f32 --out H.f32 --T T --B B --I I --H H
 *                     [--variant cho|lbr] [--gate sigmoid|binary] [--g tanh|linear|relu|sigmoid]
 *                     [--h0 H0.f32] [--last] [--isa L]
 *   refast gated moe2 --weights W.f32 --inputs X.f32 --out Y.f32 --B B --d D --m M
 *                     [--gate ...] [--g ...] [--isa L]
 *   refast gated check-onednn [--T --B --I --H] [--seed S] [--isa L|all]
 * gru and moe2 run the kernels gru_f32 / moe2_f32 at the current level (--isa, else REFAST_ISA,
 * else the best this CPU has). Files are headerless little-endian row-major float32 whose size
 * must be exactly what the shapes say; weights must be finite (rf_*_validate); NaN in inputs is
 * data (refast/gated.h: it reaches h_t .. h_T of its sequence). Every bad input exits 2 with one
 * line and writes nothing; the output is written to a temporary name and renamed.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "bytes.h"
#include "cli.h"
#include "oracle_gated.h"
#include "refast/gated.h"
#include "refast/kernels.h"

/* Reads path, which must hold exactly n float32 (n * 4 bytes); what names the option. */
static float *read_f32(const char *cmd, const char *what, const char *path, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rf_usage_error("gated %s: %s '%s': cannot open the file", cmd, what, path);
        return NULL;
    }
    long sz = -1;
    if (fseek(f, 0, SEEK_END) == 0) sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        rf_usage_error("gated %s: %s '%s': cannot determine its size", cmd, what, path);
        return NULL;
    }
    if ((unsigned long long)sz != (unsigned long long)n * sizeof(float)) {
        fclose(f);
        rf_usage_error("gated %s: %s '%s': %ld bytes, the shapes say %zu float32 (%zu bytes)", cmd,
                       what, path, sz, n, n * sizeof(float));
        return NULL;
    }
    float *p = malloc(n ? n * sizeof *p : 1);
    const bool ok = p && fread(p, sizeof *p, n, f) == n;
    fclose(f);
    if (!ok) {
        free(p);
        rf_usage_error("gated %s: %s '%s': %s", cmd, what, path, p ? "read error" : "out of memory");
        return NULL;
    }
    return p;
}

typedef struct gated_opts {
    const char *weights, *inputs, *out, *h0;
    unsigned long long T, B, I, H, d, m, seed;
    int variant, gate, g;
    bool last;
    rf_isa isa;
    rf_levels levels;
} gated_opts;

static int gated_gru(const void *opts)
{
    const gated_opts *o = opts;
    if (o->h0 && !strcmp(o->h0, o->out)) return rf_usage_error("gated gru: --out and --h0 name the same file");
    const rf_gru_spec s = {(size_t)o->T, (size_t)o->B, (size_t)o->I, (size_t)o->H,
                           (rf_gru_variant)o->variant, (rf_gated_gate)o->gate, (rf_gated_g)o->g,
                           o->last ? RF_GRU_OUT_LAST : RF_GRU_OUT_ALL};
    char err[256];
    rf_gru_counts c;
    if (rf_gru_validate(&s, NULL, err, sizeof err) || rf_gru_count(&s, &c))
        return rf_usage_error("gated gru: %s", err);
    int rc = RF_EXIT_USAGE;
    float *w = read_f32("gru", "--weights", o->weights, c.w), *x = NULL, *h0 = NULL, *out = NULL,
          *work = NULL;
    if (!w) goto done;
    if (rf_gru_validate(&s, w, err, sizeof err)) {
        rf_usage_error("gated gru: --weights '%s': %s", o->weights, err);
        goto done;
    }
    if (!(x = read_f32("gru", "--inputs", o->inputs, c.x))) goto done;
    if (o->h0 && !(h0 = read_f32("gru", "--h0", o->h0, c.h0))) goto done;
    out = malloc(c.out * sizeof *out);
    work = malloc(c.work * sizeof *work);
    if (!out || !work) {
        rf_usage_error("gated gru: out of memory for T = %zu, B = %zu, H = %zu", s.T, s.B, s.H);
        goto done;
    }
    rf_gru_f32(&s, w, x, h0, out, work);
    if (!rf_write_file_atomic(o->out, out, c.out * sizeof *out, err, sizeof err)) {
        rf_usage_error("gated gru: %s", err);
        goto done;
    }
    printf("wrote %s: %s GRU (%s gates, g = %s) at %s, %s: %zu x %zu x %zu float32\n", o->out,
           rf_gru_variant_name(s.variant), rf_gated_gate_name(s.gate), rf_gated_g_name(s.g),
           rf_isa_name(rf_isa_current()), o->last ? "h_T" : "h_1 .. h_T", o->last ? 1 : s.T, s.B, s.H);
    rc = RF_EXIT_OK;
done:
    free(w), free(x), free(h0), free(out), free(work);
    return rc;
}

static int gated_moe2(const void *opts)
{
    const gated_opts *o = opts;
    const rf_moe2_spec s = {(size_t)o->B, (size_t)o->d, (size_t)o->m, (rf_gated_gate)o->gate,
                            (rf_gated_g)o->g};
    char err[256];
    rf_moe2_counts c;
    if (rf_moe2_validate(&s, NULL, err, sizeof err) || rf_moe2_count(&s, &c))
        return rf_usage_error("gated moe2: %s", err);
    int rc = RF_EXIT_USAGE;
    float *w = read_f32("moe2", "--weights", o->weights, c.w), *x = NULL, *y = NULL;
    if (!w) goto done;
    if (rf_moe2_validate(&s, w, err, sizeof err)) {
        rf_usage_error("gated moe2: --weights '%s': %s", o->weights, err);
        goto done;
    }
    if (!(x = read_f32("moe2", "--inputs", o->inputs, c.x))) goto done;
    if (!(y = malloc(c.y * sizeof *y))) {
        rf_usage_error("gated moe2: out of memory for B = %zu, m = %zu", s.B, s.m);
        goto done;
    }
    rf_moe2_f32(&s, w, x, y);
    if (!rf_write_file_atomic(o->out, y, c.y * sizeof *y, err, sizeof err)) {
        rf_usage_error("gated moe2: %s", err);
        goto done;
    }
    printf("wrote %s: 2-MoE (%s gate, g = %s) at %s: %zu x %zu float32\n", o->out,
           rf_gated_gate_name(s.gate), rf_gated_g_name(s.g), rf_isa_name(rf_isa_current()), s.B, s.m);
    rc = RF_EXIT_OK;
done:
    free(w), free(x), free(y);
    return rc;
}

/* ---- check-onednn ----------------------------------------------------------------------------- */

/* A splitmix64 stream for the random problem (the command's own, reproducible from --seed). */
static double uniform(unsigned long long *st)
{
    unsigned long long z = (*st += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

/* max |got - want| and max |got - want| / (u S) of one run. */
static void judge(const float *got, const long double *want, const long double *scale, size_t n,
                  double *abs_err, double *ratio)
{
    *abs_err = *ratio = 0;
    for (size_t i = 0; i < n; i++) {
        const double e = (double)fabsl(got[i] - want[i]);
        const double r = e == 0 ? 0 : scale[i] > 0 ? e / (double)(ORA_GATED_U * scale[i]) : INFINITY;
        if (!(e <= *abs_err)) *abs_err = e;
        if (!(r <= *ratio)) *ratio = r;
    }
}

static int gated_check_onednn(const void *opts)
{
    const gated_opts *o = opts;
    const rf_gru_f32_fn onednn = (rf_gru_f32_fn)rf_dispatch_onednn(RF_KID(gru_f32));
    if (!onednn) return rf_usage_error("gated check-onednn: this build has no oneDNN (libdnnl-dev not found by CMake)");
    rf_gru_spec s = {(size_t)o->T, (size_t)o->B, (size_t)o->I, (size_t)o->H,
                     RF_GRU_CHO, RF_GATE_SIGMOID, RF_GATED_G_TANH, RF_GRU_OUT_ALL};
    char err[256];
    rf_gru_counts c;
    if (rf_gru_validate(&s, NULL, err, sizeof err) || rf_gru_count(&s, &c))
        return rf_usage_error("gated check-onednn: %s", err);
    float *w = malloc(c.w * sizeof *w), *x = malloc(c.x * sizeof *x), *h0 = malloc(c.h0 * sizeof *h0);
    float *ref = malloc(c.out * sizeof *ref), *dn = malloc(c.out * sizeof *dn),
          *lv = malloc(c.out * sizeof *lv), *work = malloc(c.work * sizeof *work);
    long double *want = malloc(3 * c.out * sizeof *want);
    int rc = RF_EXIT_OK;
    if (!w || !x || !h0 || !ref || !dn || !lv || !work || !want) {
        rc = rf_usage_error("gated check-onednn: out of memory");
        goto done;
    }
    /* PyTorch's initialisation U(-1/sqrt(H), 1/sqrt(H)), x ~ U(-1, 1), h0 ~ U(-1, 1) */
    unsigned long long st = o->seed;
    const double a = 1.0 / sqrt((double)s.H);
    for (size_t i = 0; i < c.w; i++) w[i] = (float)(a * (2 * uniform(&st) - 1));
    for (size_t i = 0; i < c.x; i++) x[i] = (float)(2 * uniform(&st) - 1);
    for (size_t i = 0; i < c.h0; i++) h0[i] = (float)(2 * uniform(&st) - 1);
    printf("oneDNN GRU against refast on random weights: T = %zu, B = %zu, I = %zu, H = %zu, seed %llu\n"
           "error of each against the long-double oracle, in units of u S (tau = %.0f: beyond it the "
           "check fails)\n", s.T, s.B, s.In, s.H, o->seed, (double)ORA_GATED_TAU);
    printf("%-8s %-12s %12s %12s %14s\n", "variant", "impl", "max|err|", "ratio", "max|x-onednn|");
    for (int v = 0; v < RF_GRU_VARIANT_COUNT; v++) {
        s.variant = (rf_gru_variant)v;
        long double *scale = want + c.out, *tie = want + 2 * c.out;
        if (ora_gru(&s, w, x, h0, want, scale, tie)) {
            rc = rf_usage_error("gated check-onednn: out of memory in the oracle");
            goto done;
        }
        onednn(&s, w, x, h0, dn, work);
        double e, r;
        judge(dn, want, scale, c.out, &e, &r);
        printf("%-8s %-12s %12.3g %12.4f %14s\n", rf_gru_variant_name(s.variant), "onednn", e, r, "");
        if (!(r <= ORA_GATED_TAU)) rc = RF_EXIT_CHECK;
        for (int l = 0; l < RF_ISA_COUNT; l++) {
            if (!o->levels.on[l] && l != RF_ISA_SCALAR) continue;
            rf_isa by;
            const rf_gru_f32_fn fn = (rf_gru_f32_fn)rf_dispatch(RF_KID(gru_f32), (rf_isa)l, &by);
            fn(&s, w, x, h0, lv, work);
            judge(lv, want, scale, c.out, &e, &r);
            double d = 0;
            for (size_t i = 0; i < c.out; i++) {
                const double di = fabs((double)lv[i] - (double)dn[i]);
                if (!(di <= d)) d = di;
            }
            char name[32];
            snprintf(name, sizeof name, "%s%s%s", rf_isa_name((rf_isa)l), by != (rf_isa)l ? "->" : "",
                     by != (rf_isa)l ? rf_isa_name(by) : "");
            printf("%-8s %-12s %12.3g %12.4f %14.3g\n", "", name, e, r, d);
            if (!(r <= ORA_GATED_TAU)) rc = RF_EXIT_CHECK;
        }
    }
    printf("check-onednn: %s\n", rc == RF_EXIT_OK ? "every implementation within tau u S" : "FAILED");
done:
    free(w), free(x), free(h0), free(ref), free(dn), free(lv), free(work), free(want);
    return rc;
}

/* ---- tables ----------------------------------------------------------------------------------- */

#define CHOICE_ROWS                                                                                \
    {"--gate", RF_OPT_CHOICE, offsetof(gated_opts, gate), "sigmoid|binary",                         \
     .help = "sigma(v) or the seed's 1{v >= 0}", .def = "sigmoid"},                                  \
    {"--g", RF_OPT_CHOICE, offsetof(gated_opts, g), "tanh|linear|relu|sigmoid",                      \
     .help = "the experts' activation (the GRU's candidate)", .def = "tanh"}
#define ISA_ROW                                                                                    \
    {"--isa", RF_OPT_LEVEL, offsetof(gated_opts, isa), NULL,                                         \
     .help = "the level of the kernel (default: REFAST_ISA, else the\nbest this CPU has)"}
#define SIZE_ROW(opt, field, what)                                                                 \
    {opt, RF_OPT_U64, offsetof(gated_opts, field), "N", .help = what, .min = 1,                    \
     .max = 1e15, .flags = RF_OPT_REQUIRED}

static const rf_opt gru_opts_table[] = {
    {"--weights", RF_OPT_FILE, offsetof(gated_opts, weights), "W.f32",
     .help = "3HI + 3HH + 4H float32: U_z, U_r, U_h (each H x I), W_z, W_r,\n"
             "W_h (each H x H), b_z, b_r, b_h, b_hr (each H); row-major, 'out x in'\n"
             "(U_z[j][i] at j I + i), the seed's convention: z = 1 takes the candidate.\n"
             "Every weight must be finite. b_hr is read by lbr only",
     .flags = RF_OPT_REQUIRED},
    {"--inputs", RF_OPT_FILE, offsetof(gated_opts, inputs), "X.f32",
     .help = "T x B x I float32, time-major (x_t of sequence b at (t B + b) I);\n"
             "a NaN makes h_t .. h_T of its sequence NaN", .flags = RF_OPT_REQUIRED},
    {"--out", RF_OPT_FILE, offsetof(gated_opts, out), "H.f32",
     .help = "T x B x H float32 h_1 .. h_T (with --last: B x H, h_T)", .flags = RF_OPT_REQUIRED},
    {"--h0", RF_OPT_FILE, offsetof(gated_opts, h0), "H0.f32", .help = "B x H float32 initial state (default zeros)"},
    SIZE_ROW("--T", T, "time steps"),
    SIZE_ROW("--B", B, "sequences (batch)"),
    SIZE_ROW("--I", I, "inputs per step"),
    SIZE_ROW("--H", H, "hidden units"),
    {"--variant", RF_OPT_CHOICE, offsetof(gated_opts, variant), "cho|lbr",
     .help = "cho: g(U_h x + b_h + W_h (r * h)); lbr: g(U_h x + b_h + r * (W_h h + b_hr))",
     .def = "lbr"},
    CHOICE_ROWS,
    {"--last", RF_OPT_FLAG, offsetof(gated_opts, last), NULL, .help = "write only h_T"},
    ISA_ROW,
    {0},
};

static const rf_opt moe2_opts_table[] = {
    {"--weights", RF_OPT_FILE, offsetof(gated_opts, weights), "W.f32",
     .help = "3 m d float32: A1, A2, W (each m x d, row-major 'out x in'); finite;\n"
             "y = (1 - z) g(A1 x) + z g(A2 x), z = gate(W x) (no biases: append a 1 to x)",
     .flags = RF_OPT_REQUIRED},
    {"--inputs", RF_OPT_FILE, offsetof(gated_opts, inputs), "X.f32", .help = "B x d float32",
     .flags = RF_OPT_REQUIRED},
    {"--out", RF_OPT_FILE, offsetof(gated_opts, out), "Y.f32", .help = "B x m float32", .flags = RF_OPT_REQUIRED},
    SIZE_ROW("--B", B, "inputs (batch)"),
    SIZE_ROW("--d", d, "input dimension"),
    SIZE_ROW("--m", m, "outputs"),
    CHOICE_ROWS,
    ISA_ROW,
    {0},
};

static const rf_opt check_opts_table[] = {
    {"--T", RF_OPT_U64, offsetof(gated_opts, T), "N", .help = "time steps", .def = "20", .min = 1, .max = 1000},
    {"--B", RF_OPT_U64, offsetof(gated_opts, B), "N", .help = "sequences", .def = "3", .min = 1, .max = 4096},
    {"--I", RF_OPT_U64, offsetof(gated_opts, I), "N", .help = "inputs per step", .def = "32", .min = 1, .max = 4096},
    {"--H", RF_OPT_U64, offsetof(gated_opts, H), "N",
     .help = "hidden units (the oracle costs O(T^2 H^3) per sequence)", .def = "32", .min = 1, .max = 512},
    {"--seed", RF_OPT_U64, offsetof(gated_opts, seed), "S", .help = "seed of the random problem", .def = "1"},
    {"--isa", RF_OPT_LEVELS, offsetof(gated_opts, levels), "LEVEL|all",
     .help = "the levels compared beside scalar (default all)", .def = "all"},
    {0},
};

static const rf_command gru_cmd = {
    .name = "gru",
    .summary = "GRU forward over T steps for a batch (kernel gru_f32)",
    .opts = gru_opts_table,
    .size = sizeof(gated_opts),
    .run = gated_gru,
};
static const rf_command moe2_cmd = {
    .name = "moe2",
    .summary = "the vector 2-MoE layer of seed 003 eq. 3 (kernel moe2_f32)",
    .opts = moe2_opts_table,
    .size = sizeof(gated_opts),
    .run = gated_moe2,
};
static const rf_command check_cmd = {
    .name = "check-onednn",
    .summary = "oneDNN's GRU and LBR-GRU vs refast's levels vs the oracle, random weights",
    .about = "Random weights (PyTorch's initialisation), sigmoid gates, g = tanh: oneDNN's vanilla GRU\n"
             "(cho) and LBR-GRU (lbr), inference forward, and refast's gru_f32 at every selected level,\n"
             "each against the long-double oracle. Prints the max error per variant and implementation\n"
             "(absolute, in units of u S, and against oneDNN); exit 1 if any exceeds tau u S.\n",
    .opts = check_opts_table,
    .size = sizeof(gated_opts),
    .run = gated_check_onednn,
};

static const rf_command *const gated_subs[] = {&gru_cmd, &moe2_cmd, &check_cmd, NULL};

const rf_command rf_cmd_gated = {
    .name = "gated",
    .summary = "gated layers of seed 003 §2: GRU and 2-MoE on raw float32 files, oneDNN check",
    .about = "Raw files are headerless little-endian row-major float32 of exactly the size the shapes\n"
             "say. Weights must be finite; NaN in inputs is data (it propagates, identically at every\n"
             "level). Outputs are written atomically: a failed run leaves no output file behind.\n",
    .subs = gated_subs,
};
