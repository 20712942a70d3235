/* `refast moe gen`: draws a MoE model (seed 001 eq. 1; a preset or explicit settings) and n samples
 * and writes them, with the true parameters, to an .rfg container (harness/rfg.h) for other tools.
 *
 * The file's params text holds every setting (generator layout, preset, k, d, g, sigma, input, p,
 * regressors, gating, w_norm, seed, n), so the file says how to regenerate itself; the arrays are
 * x (n x d f64), y (n f64), z (n u32, 0-based expert), A (k x d), W (k x d, row k-1 = 0) and, for
 * GMM inputs, mu1 and mu2 (d each). The whole file is built in memory and written atomically
 * (temporary name, then rename): a bad input or a failed write leaves no file behind. */
#include <stdio.h>
#include <string.h>

#include "apps.h"
#include "cli.h"
#include "moe_spec_opts.h"
#include "refast/case.h"
#include "rfg.h"
#include "moe/model.h"

#define GEN_KERNEL "moe_gen"
#define GEN_LAYOUT "moe-v1" /* the random-number layout of kernels/moe_model.c */

typedef struct gen_opts {
    moe_spec_opts spec;
    const char *out;
} gen_opts;

static int run_gen(const void *opts)
{
    const gen_opts *g = opts;
    const moe_spec_opts *o = &g->spec;
    const char *out = g->out;
    rf_moe_spec s;
    uint64_t n;
    const int rc = moe_spec_resolve("moe gen", o, &s, &n);
    if (rc) return rc;
    /* payload x, y, z plus the parameters must fit the container (and n d must not overflow) */
    const uint64_t per_sample = 8 * (uint64_t)s.d + 12, fixed = (uint64_t)1 << 20;
    if (n > (RFG_MAX_FILE_BYTES - fixed) / per_sample)
        return rf_usage_error("moe gen: --n %llu with d = %u exceeds the 2 GiB limit of an .rfg file "
                              "(at most %llu samples)",
                              (unsigned long long)n, s.d,
                              (unsigned long long)((RFG_MAX_FILE_BYTES - fixed) / per_sample));

    char err[512];
    rf_moe_model m;
    if (!rf_moe_model_make(&s, &m, err, sizeof err)) return rf_usage_error("moe gen: %s", err);
    char params[RF_PARAMS_MAX];
    char desc[400];
    moe_spec_describe(&s, o->preset, desc, sizeof desc);
    snprintf(params, sizeof params, "generator=%s %s n=%llu", GEN_LAYOUT, desc, (unsigned long long)n);
    rf_case c;
    rf_case_init(&c, GEN_KERNEL, o->preset ? o->preset : "custom", params);
    c.work_dtype = RF_DT_F64;
    double *x = rf_case_add2(&c, "x", RF_DT_F64, n, s.d);
    double *y = rf_case_add1(&c, "y", RF_DT_F64, n);
    uint32_t *z = rf_case_add1(&c, "z", RF_DT_U32, n);
    double *A = rf_case_add2(&c, "A", RF_DT_F64, s.k, s.d);
    double *W = rf_case_add2(&c, "W", RF_DT_F64, s.k, s.d);
    double *mu1 = NULL, *mu2 = NULL;
    if (s.input == RF_MOE_X_GMM) {
        mu1 = rf_case_add1(&c, "mu1", RF_DT_F64, s.d);
        mu2 = rf_case_add1(&c, "mu2", RF_DT_F64, s.d);
    }
    if (!x || !y || !z || !A || !W || (s.input == RF_MOE_X_GMM && (!mu1 || !mu2))) {
        rf_case_free(&c);
        rf_moe_model_free(&m);
        return rf_usage_error("moe gen: out of memory for %llu samples", (unsigned long long)n);
    }
    memcpy(A, m.A, (size_t)s.k * s.d * sizeof *A);
    memcpy(W, m.W, (size_t)s.k * s.d * sizeof *W);
    if (mu1) {
        memcpy(mu1, m.mu1, s.d * sizeof *mu1);
        memcpy(mu2, m.mu2, s.d * sizeof *mu2);
    }
    rf_moe_sample(&m, 0, (size_t)n, x, y, z);
    rf_moe_model_free(&m);

    rfg_hash h;
    const bool ok = rfg_write(out, &c, &h, err, sizeof err);
    rf_case_free(&c);
    if (!ok) return rf_usage_error("moe gen: %s", err);
    char hex[33];
    rfg_hash_hex(h, hex);
    printf("moe gen: wrote %s: %s\n", out, params);
    printf("moe gen: xxh3-128 %s\n", hex);
    return RF_EXIT_OK;
}

static const rf_opt gen_opts_table[] = {
    {"--out", RF_OPT_FILE, offsetof(gen_opts, out), "FILE.rfg", .help = "the file to write", .flags = RF_OPT_REQUIRED},
    MOE_SPEC_OPTS(gen_opts, spec),
    {0},
};

const rf_command rf_cmd_moe_gen = {
    .name = "gen",
    .summary = "draw a MoE model and samples (a preset or explicit settings) into a file",
    .about = "Draws the model and samples 0..N-1 and writes them to FILE.rfg (the golden container):\n"
             "arrays x (N x D), y (N), z (N, u32 expert index 0..K-1), A (K x D, rows a_i), W (K x D,\n"
             "rows w_i, last row 0), mu1 and mu2 (GMM input); the params text records every setting.\n"
             "The file must stay under 2 GiB (N (8D + 12) bytes). Give --preset NAME, or --k, --d, --g\n"
             "and --sigma.",
    .opts = gen_opts_table,
    .size = sizeof(gen_opts),
    .run = run_gen,
};
