/* Resolving and describing the MoE model options (moe_spec_opts.h). */
#include "moe_spec_opts.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

#define DEFAULT_N 2000 /* seed 001 §4.1, §4.2 */

static const char *input_name(rf_moe_input v) { return v == RF_MOE_X_GMM ? "gmm" : "gauss"; }
static const char *regressors_name(rf_moe_regressors v) { return v == RF_MOE_A_BASIS ? "basis" : "sphere"; }
static const char *gating_name(rf_moe_gating v)
{
    return v == RF_MOE_W_BASIS ? "basis" : v == RF_MOE_W_UNRESTRICTED ? "unrestricted" : "orthogonal";
}

/* The shortest %.Ng (N = 1..17) that reads back as exactly v: 0.1 prints as 0.1, not
 * 0.10000000000000001, and the params text still regenerates the same model. */
static const char *real_text(double v, char out[32])
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v) break;
    }
    return out;
}

int moe_spec_resolve(const char *cmd, const moe_spec_opts *o, rf_moe_spec *s, uint64_t *n)
{
    char err[512];
    *s = (rf_moe_spec){0};
    *n = DEFAULT_N;
    if (o->preset) {
        if (o->has_k || o->has_d || o->has_g || o->has_sigma || o->has_input || o->has_gmm_p || o->has_regressors ||
            o->has_gating || o->has_w_norm)
            return rf_usage_error("%s: --preset and explicit model options (--k, --d, --g, --sigma, --input, "
                                  "--gmm-p, --regressors, --gating, --w-norm) exclude each other",
                                  cmd);
        if (!rf_moe_preset(o->preset, s, n, err, sizeof err)) return rf_usage_error("%s: %s", cmd, err);
    } else {
        if (!o->has_k || !o->has_d || !o->has_g || !o->has_sigma)
            return rf_usage_error("%s: give --preset NAME, or --k, --d, --g and --sigma (see --help)", cmd);
        /* the choices are listed in the order of the enums (moe_spec_opts.h) */
        *s = (rf_moe_spec){.k = (unsigned)o->k, .d = (unsigned)o->d, .g = (rf_moe_g)o->g, .sigma = o->sigma,
                           .input = (rf_moe_input)o->input, .regressors = (rf_moe_regressors)o->regressors,
                           .gating = (rf_moe_gating)o->gating, .w_norm = o->w_norm};
        if (s->input == RF_MOE_X_GMM && !o->has_gmm_p)
            return rf_usage_error("%s: --input gmm needs --gmm-p P (0 < P < 1)", cmd);
        if (s->input != RF_MOE_X_GMM && o->has_gmm_p)
            return rf_usage_error("%s: --gmm-p applies to --input gmm only", cmd);
        s->gmm_p = o->gmm_p;
    }
    s->seed = o->seed;
    if (o->has_n) *n = o->n;
    /* the same checks the generator makes (k, d, sigma, p, w-norm, layouts that do not fit) */
    rf_moe_model m;
    if (!rf_moe_model_make(s, &m, err, sizeof err)) return rf_usage_error("%s: %s", cmd, err);
    rf_moe_model_free(&m);
    return RF_EXIT_OK;
}

void moe_spec_describe(const rf_moe_spec *s, const char *preset, char *buf, size_t len)
{
    char t1[32], t2[32];
    size_t used = 0;
    if (preset) used += (size_t)snprintf(buf, len, "preset=%s ", preset);
    if (used >= len) return;
    used += (size_t)snprintf(buf + used, len - used, "k=%u d=%u g=%s sigma=%s input=%s", s->k, s->d,
                             rf_moe_g_name(s->g), real_text(s->sigma, t1), input_name(s->input));
    if (used >= len) return;
    if (s->input == RF_MOE_X_GMM)
        used += (size_t)snprintf(buf + used, len - used, " gmm_p=%s", real_text(s->gmm_p, t1));
    if (used >= len) return;
    snprintf(buf + used, len - used, " regressors=%s gating=%s w_norm=%s seed=%llu", regressors_name(s->regressors),
             gating_name(s->gating), real_text(s->w_norm, t2), (unsigned long long)s->seed);
}
