/* Parsing and validation of the MoE model options (harness/moe_spec_opts.h). */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "moe_spec_opts.h"
#include "moe/model.h"

#define DEFAULT_N 2000 /* seed 001 §4.1, §4.2 */

int moe_spec_opt(const char *cmd, int argc, char **argv, int *i, moe_spec_opts *o)
{
    static const struct {
        const char *name, *what;
        size_t off;
    } table[] = {
        {"--preset", "a preset name", offsetof(moe_spec_opts, preset)},
        {"--k", "the number of experts", offsetof(moe_spec_opts, k)},
        {"--d", "the input dimension", offsetof(moe_spec_opts, d)},
        {"--g", "linear, relu, leaky_relu, sigmoid or tanh", offsetof(moe_spec_opts, g)},
        {"--sigma", "the noise level (> 0)", offsetof(moe_spec_opts, sigma)},
        {"--input", "gauss or gmm", offsetof(moe_spec_opts, input)},
        {"--gmm-p", "the mixture weight p in (0, 1)", offsetof(moe_spec_opts, gmm_p)},
        {"--regressors", "sphere or basis", offsetof(moe_spec_opts, regressors)},
        {"--gating", "orthogonal, unrestricted or basis", offsetof(moe_spec_opts, gating)},
        {"--w-norm", "the norm of the gating vectors (>= 0)", offsetof(moe_spec_opts, w_norm)},
        {"--n", "the number of samples", offsetof(moe_spec_opts, n)},
        {"--seed", "a seed (non-negative integer)", offsetof(moe_spec_opts, seed)},
    };
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        const char *v;
        if (!rf_opt(argc, argv, i, table[t].name, &v)) continue;
        if (!v) return rf_usage_error("%s: %s needs %s", cmd, table[t].name, table[t].what);
        *(const char **)((char *)o + table[t].off) = v;
        return 1;
    }
    return 0;
}

const char *moe_input_name(rf_moe_input v) { return v == RF_MOE_X_GMM ? "gmm" : "gauss"; }
const char *moe_regressors_name(rf_moe_regressors v) { return v == RF_MOE_A_BASIS ? "basis" : "sphere"; }
const char *moe_gating_name(rf_moe_gating v)
{
    return v == RF_MOE_W_BASIS ? "basis" : v == RF_MOE_W_UNRESTRICTED ? "unrestricted" : "orthogonal";
}

static int parse_uint(const char *cmd, const char *opt, const char *v, unsigned long long max,
                      unsigned long long *out)
{
    if (!rf_parse_u64(v, out)) return rf_usage_error("%s: %s '%s': not a non-negative integer", cmd, opt, v);
    if (*out > max) return rf_usage_error("%s: %s %s is too large (limit %llu)", cmd, opt, v, max);
    return -1;
}

static int parse_real(const char *cmd, const char *opt, const char *v, double *out)
{
    if (!rf_parse_f64(v, out) || !isfinite(*out)) return rf_usage_error("%s: %s '%s': not a finite number", cmd, opt, v);
    return -1;
}

int moe_spec_resolve(const char *cmd, const moe_spec_opts *o, rf_moe_spec *s, uint64_t *n)
{
    char err[512];
    unsigned long long u;
    int rc;
    memset(s, 0, sizeof *s);
    *n = DEFAULT_N;
    if (o->preset) {
        if (o->k || o->d || o->g || o->sigma || o->input || o->gmm_p || o->regressors || o->gating || o->w_norm)
            return rf_usage_error("%s: --preset and explicit model options (--k, --d, --g, --sigma, --input, "
                                  "--gmm-p, --regressors, --gating, --w-norm) exclude each other",
                                  cmd);
        if (!rf_moe_preset(o->preset, s, n, err, sizeof err)) return rf_usage_error("%s: %s", cmd, err);
    } else {
        if (!o->k || !o->d || !o->g || !o->sigma)
            return rf_usage_error("%s: give --preset NAME, or --k, --d, --g and --sigma (see --help)", cmd);
        if ((rc = parse_uint(cmd, "--k", o->k, UINT_MAX, &u)) >= 0) return rc;
        s->k = (unsigned)u;
        if ((rc = parse_uint(cmd, "--d", o->d, UINT_MAX, &u)) >= 0) return rc;
        s->d = (unsigned)u;
        if (!rf_moe_g_parse(o->g, &s->g))
            return rf_usage_error("%s: --g '%s': unknown non-linearity (linear, relu, leaky_relu, sigmoid, tanh)",
                                  cmd, o->g);
        if (!rf_parse_f64(o->sigma, &s->sigma) || !(s->sigma > 0) || !isfinite(s->sigma))
            return rf_usage_error("%s: --sigma '%s': must be a finite number > 0", cmd, o->sigma);
        s->input = RF_MOE_X_GAUSS;
        if (o->input) {
            if (!strcmp(o->input, "gmm")) s->input = RF_MOE_X_GMM;
            else if (strcmp(o->input, "gauss") != 0)
                return rf_usage_error("%s: --input '%s': expected gauss or gmm", cmd, o->input);
        }
        if (s->input == RF_MOE_X_GMM) {
            if (!o->gmm_p) return rf_usage_error("%s: --input gmm needs --gmm-p P (0 < P < 1)", cmd);
            if ((rc = parse_real(cmd, "--gmm-p", o->gmm_p, &s->gmm_p)) >= 0) return rc;
        } else if (o->gmm_p) {
            return rf_usage_error("%s: --gmm-p applies to --input gmm only", cmd);
        }
        s->regressors = RF_MOE_A_SPHERE;
        if (o->regressors) {
            if (!strcmp(o->regressors, "basis")) s->regressors = RF_MOE_A_BASIS;
            else if (strcmp(o->regressors, "sphere") != 0)
                return rf_usage_error("%s: --regressors '%s': expected sphere or basis", cmd, o->regressors);
        }
        s->gating = RF_MOE_W_ORTHOGONAL;
        if (o->gating) {
            if (!strcmp(o->gating, "unrestricted")) s->gating = RF_MOE_W_UNRESTRICTED;
            else if (!strcmp(o->gating, "basis")) s->gating = RF_MOE_W_BASIS;
            else if (strcmp(o->gating, "orthogonal") != 0)
                return rf_usage_error("%s: --gating '%s': expected orthogonal, unrestricted or basis", cmd,
                                      o->gating);
        }
        s->w_norm = 1;
        if (o->w_norm && (rc = parse_real(cmd, "--w-norm", o->w_norm, &s->w_norm)) >= 0) return rc;
    }
    s->seed = 1;
    if (o->seed) {
        if ((rc = parse_uint(cmd, "--seed", o->seed, ULLONG_MAX, &u)) >= 0) return rc;
        s->seed = u;
    }
    if (o->n) {
        if ((rc = parse_uint(cmd, "--n", o->n, ULLONG_MAX, &u)) >= 0) return rc;
        if (u == 0) return rf_usage_error("%s: --n must be >= 1", cmd);
        *n = u;
    }
    /* the same checks the generator makes (k, d, sigma, p, w-norm, layouts that do not fit) */
    rf_moe_model m;
    if (!rf_moe_model_make(s, &m, err, sizeof err)) return rf_usage_error("%s: %s", cmd, err);
    rf_moe_model_free(&m);
    return -1;
}

void moe_spec_help(FILE *f)
{
    fprintf(f,
            "Model (seed 001 eq. 1): x in R^d, z ~ softmax(<w_i, x>) with w_k = 0, y = g(<a_z, x>) + sigma eps.\n"
            "  --preset NAME        a seed experiment (excludes the options below):\n"
            "      001-gmm-p0.1 .. 001-gmm-p0.9  seed 001 §4.1: k=2 d=10 sigma=0.1 n=2000, x ~ p N(mu1,I) +\n"
            "                                    (1-p) N(mu2,I), mu on S^9, w on S^9 (p = 0.1,0.3,0.5,0.7,0.9)\n"
            "      001-orth, 001-nonorth         seed 001 §4.2: k=2 d=10 sigma=0.1 n=2000, x ~ N(0,I),\n"
            "                                    w orthogonal to span{a} / unrestricted on S^9\n"
            "      001-joint-k3, 001-joint-k4    seed 001 §4.3: k=3/4 d=10 sigma=0.5 n=8000, w on S^9\n"
            "      003-l4                        seed 003 §4: k=3 d=10 sigma=0.05 a_i=e_i w_i=e_{k+i};\n"
            "                                    n=100000 (our choice: the seed trains on fresh batches)\n"
            "    all presets: g linear, a_i uniform on S^{d-1} unless stated, ||w_i|| = 1\n"
            "  --k K --d D          experts (2 <= K <= D) and dimension (D <= %d)\n"
            "  --g G                linear, relu, leaky_relu (slope 0.01), sigmoid, tanh\n"
            "  --sigma S            noise level, finite and > 0\n"
            "  --input gauss|gmm    x ~ N(0, I) (default) or p N(mu1, I) + (1-p) N(mu2, I) with --gmm-p P\n"
            "  --regressors sphere|basis       a_i uniform on the unit sphere (default) or a_i = e_i\n"
            "  --gating orthogonal|unrestricted|basis\n"
            "                       w_i uniform direction orthogonal to span{a} (default; needs 2K-1 <= D),\n"
            "                       uniform direction in R^D, or w_i = e_{K+i} (needs 2K-1 <= D)\n"
            "  --w-norm R           ||w_i|| for i < K (default 1)\n"
            "  --n N                samples (default: the preset's, else 2000)\n"
            "  --seed S             Philox seed (default 1): parameters and samples are functions of S,\n"
            "                       sample i of (S, i) alone\n",
            RF_MOE_MAX_D);
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

void moe_spec_describe(const rf_moe_spec *s, const char *preset, char *buf, size_t len)
{
    char t1[32], t2[32];
    size_t used = 0;
    if (preset) used += (size_t)snprintf(buf, len, "preset=%s ", preset);
    if (used >= len) return;
    used += (size_t)snprintf(buf + used, len - used, "k=%u d=%u g=%s sigma=%s input=%s", s->k, s->d,
                             rf_moe_g_name(s->g), real_text(s->sigma, t1), moe_input_name(s->input));
    if (used >= len) return;
    if (s->input == RF_MOE_X_GMM)
        used += (size_t)snprintf(buf + used, len - used, " gmm_p=%s", real_text(s->gmm_p, t1));
    if (used >= len) return;
    snprintf(buf + used, len - used, " regressors=%s gating=%s w_norm=%s seed=%llu",
             moe_regressors_name(s->regressors), moe_gating_name(s->gating), real_text(s->w_norm, t2),
             (unsigned long long)s->seed);
}
