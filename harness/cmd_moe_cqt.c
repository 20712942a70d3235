/* refast moe cqt --g G --sigma S [--json [FILE]]: the Gaussian moments M(p,j) = E[g(Z)^p He_j(Z)],
 * the CQT transforms P3, P2, Q4, Q2 with their constant terms, the c-constants c3, c2, c4, c' and
 * the residual of every condition (SPEC §5.2). A g whose systems are singular or whose c-constant
 * vanishes is an input error (exit 2), never a table of garbage.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "moe/cqt_internal.h"
#include "cli.h"
#include "jsonw.h"
#include "refast/moe.h"
#include "moe/cqt.h"

static void cqt_help(void)
{
    printf("usage: refast moe cqt --g G --sigma S [--json [FILE]]\n"
           "G: linear, relu, leaky_relu (slope 0.01), sigmoid, tanh. S: the noise sigma (> 0).\n"
           "Prints M(p,j) = E[g(Z)^p He_j(Z)] (Z ~ N(0,1), probabilists' He_j; closed forms for\n"
           "piecewise-linear g, %d-node Gauss-Hermite for sigmoid and tanh), the transforms\n"
           "  P3 = y^3 + alpha y^2 + beta y + const   (E[S He_1] = E[S He_2] = 0, c3 = E[S He_3])\n"
           "  P2 = y^2 + gamma y + const              (E[S He_1] = 0,            c2 = E[S He_2])\n"
           "  Q4 = y^4 + alpha y^3 + beta y^2 + gamma y + const  (E[S He_j] = 0, j = 1..3, c4 = E[S He_4])\n"
           "  Q2 = y^2 + delta y + const              (E[S He_1] = 0,            c' = E[S He_2])\n"
           "where S(Z) = E[T(y)|Z] and each const makes E[S] = 0, then the residual of every condition\n"
           "re-evaluated from the moment table. cond is the condition number of the equilibrated system,\n"
           "corr = c / (std(S) sqrt(D!)) the correlation of S with He_D; a g with cond > %.0Lg or\n"
           "|corr| < %.0Lg is refused (exit 2).\n"
           "--json writes the same numbers as JSON to FILE (atomically), or to stdout without FILE.\n",
           RF_MOE_GH_NODES, RF_MOE_MAX_COND, RF_MOE_MIN_CORR);
}

static const char *const T_LABEL[4] = {"P3", "P2", "Q4", "Q2"};
static const char *const C_LABEL[4] = {"c3", "c2", "c4", "c'"};
static const char *const C_JSON[4] = {"c3", "c2", "c4", "c_prime"};
static const unsigned T_DEG[4] = {3, 2, 4, 2};

static const double *coefs(const rf_moe_cqt *r, unsigned t)
{
    const double *c[4] = {r->p3, r->p2, r->q4, r->q2};
    return c[t];
}

static double cconst(const rf_moe_cqt *r, unsigned t)
{
    const double c[4] = {r->c3, r->c2, r->c4, r->cq2};
    return c[t];
}

static const char *moment_source(rf_moe_g g)
{
    switch (g) {
    case RF_MOE_G_LINEAR: return "closed form (Gaussian moments)";
    case RF_MOE_G_RELU:
    case RF_MOE_G_LEAKY_RELU: return "closed form (half-normal moments)";
    default: return "Gauss-Hermite quadrature";
    }
}

static void print_table(const rf_moe_cqt *r, const rf_moe_moments *t, const rf_moe_cqt_diag *dg)
{
    printf("g = %s, sigma = %.15g\n", rf_moe_g_name(r->g), r->sigma);
    printf("\nM(p,j) = E[g(Z)^p He_j(Z)], %s", moment_source(r->g));
    if (r->g == RF_MOE_G_SIGMOID || r->g == RF_MOE_G_TANH) printf(", %d nodes", RF_MOE_GH_NODES);
    printf("\n%-4s", "p\\j");
    for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) printf(" %22u", j);
    printf("\n");
    for (unsigned p = 0; p <= RF_MOE_MAX_P; p++) {
        printf("%-4u", p);
        for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) printf(" %22.15Le", t->m[p][j]);
        printf("\n");
    }

    printf("\ntransform coefficients (power of y)\n%-4s", "");
    for (int q = 4; q >= 0; q--) {
        char head[8] = "1";
        if (q) snprintf(head, sizeof head, "y^%d", q);
        printf(" %22s", head);
    }
    printf("   c-constant                       cond      corr\n");
    for (unsigned tr = 0; tr < 4; tr++) {
        printf("%-4s", T_LABEL[tr]);
        for (int q = 4; q >= 0; q--) {
            if ((unsigned)q > T_DEG[tr]) printf(" %22s", "");
            else printf(" %22.15e", coefs(r, tr)[q]);
        }
        printf("   %-3s = %22.15e %9.3g %9.3g\n", C_LABEL[tr], cconst(r, tr), dg->cond[tr], dg->corr[tr]);
    }
    printf("\nseed notation: P3 alpha = %.10f, beta = %.10f; P2 gamma = %.10f\n", r->p3[2], r->p3[1], r->p2[1]);
    printf("               Q4 alpha = %.10f, beta = %.10f, gamma = %.10f; Q2 delta = %.10f\n", r->q4[3], r->q4[2],
           r->q4[1], r->q2[1]);

    printf("\nresiduals of the conditions (from the moment table, coefficients as printed)\n");
    for (unsigned i = 0; i < r->nresid; i++) printf("  %-16s % .3e\n", r->resid_name[i], r->resid[i]);
}

static void json_num(rf_jsonw *w, double v)
{
    if (isfinite(v)) rf_jsonw_fmt(w, "%.17g", v);
    else rf_jsonw_raw(w, "null");
}

static void build_json(rf_jsonw *w, const rf_moe_cqt *r, const rf_moe_moments *t, const rf_moe_cqt_diag *dg)
{
    rf_jsonw_raw(w, "{\"g\":");
    rf_jsonw_str(w, rf_moe_g_name(r->g));
    rf_jsonw_raw(w, ",\"sigma\":");
    json_num(w, r->sigma);
    rf_jsonw_raw(w, ",\"moments\":[");
    for (unsigned p = 0; p <= RF_MOE_MAX_P; p++) {
        rf_jsonw_raw(w, p ? ",[" : "[");
        for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) {
            if (j) rf_jsonw_raw(w, ",");
            json_num(w, (double)t->m[p][j]);
        }
        rf_jsonw_raw(w, "]");
    }
    rf_jsonw_raw(w, "],\"transforms\":{");
    for (unsigned tr = 0; tr < 4; tr++) {
        rf_jsonw_fmt(w, "%s\"%s\":{\"coefficients\":[", tr ? "," : "", T_LABEL[tr]);
        for (unsigned q = 0; q <= T_DEG[tr]; q++) {
            if (q) rf_jsonw_raw(w, ",");
            json_num(w, coefs(r, tr)[q]);
        }
        rf_jsonw_fmt(w, "],\"%s\":", C_JSON[tr]);
        json_num(w, cconst(r, tr));
        rf_jsonw_raw(w, ",\"cond\":");
        json_num(w, dg->cond[tr]);
        rf_jsonw_raw(w, ",\"corr\":");
        json_num(w, dg->corr[tr]);
        rf_jsonw_raw(w, "}");
    }
    rf_jsonw_raw(w, "},\"residuals\":{");
    for (unsigned i = 0; i < r->nresid; i++) {
        if (i) rf_jsonw_raw(w, ",");
        rf_jsonw_str(w, r->resid_name[i]);
        rf_jsonw_raw(w, ":");
        json_num(w, r->resid[i]);
    }
    rf_jsonw_raw(w, "}}\n");
}

int cmd_moe_cqt(int argc, char **argv)
{
    const char *gname = NULL, *sname = NULL, *json_file = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cqt_help();
            return RF_EXIT_OK;
        }
        if (!strcmp(argv[i], "--json")) { /* optional value: a following non-option is the file */
            json = true;
            if (i + 1 < argc && argv[i + 1][0] != '-') json_file = argv[++i];
            continue;
        }
        if (!strncmp(argv[i], "--json=", 7)) {
            json = true;
            json_file = argv[i] + 7;
            if (!*json_file) return rf_usage_error("moe cqt: --json= needs a file name");
            continue;
        }
        if (rf_opt(argc, argv, &i, "--g", &v)) {
            if (!v) return rf_usage_error("moe cqt: --g needs a non-linearity (linear, relu, leaky_relu, sigmoid, tanh)");
            gname = v;
            continue;
        }
        if (rf_opt(argc, argv, &i, "--sigma", &v)) {
            if (!v) return rf_usage_error("moe cqt: --sigma needs a positive number");
            sname = v;
            continue;
        }
        return rf_usage_error("moe cqt: unknown argument '%s' (see refast moe cqt --help)", argv[i]);
    }
    if (!gname) return rf_usage_error("moe cqt: --g is required (linear, relu, leaky_relu, sigmoid, tanh)");
    if (!sname) return rf_usage_error("moe cqt: --sigma is required (a positive number)");
    rf_moe_g g;
    if (!rf_moe_g_parse(gname, &g))
        return rf_usage_error("moe cqt: unknown --g '%s' (linear, relu, leaky_relu, sigmoid, tanh)", gname);
    double sigma;
    if (!rf_parse_f64(sname, &sigma) || !(sigma > 0) || !isfinite(sigma))
        return rf_usage_error("moe cqt: --sigma must be a positive finite number, got '%s'", sname);

    rf_moe_moments t;
    rf_moe_moment_table(g, &t);
    rf_moe_cqt r;
    rf_moe_cqt_diag dg;
    char err[256];
    if (!rf_moe_cqt_solve_moments(&t, rf_moe_g_name(g), sigma, &r, &dg, err, sizeof err))
        return rf_usage_error("moe cqt: %s", err);
    r.g = g;

    if (!json) {
        print_table(&r, &t, &dg);
        return RF_EXIT_OK;
    }
    rf_jsonw w;
    rf_jsonw_init(&w);
    build_json(&w, &r, &t, &dg);
    int status = RF_EXIT_OK;
    if (w.oom) status = rf_usage_error("moe cqt: out of memory");
    else if (json_file) {
        if (!rf_jsonw_save(&w, json_file, err, sizeof err)) status = rf_usage_error("moe cqt: %s", err);
    } else fputs(w.p, stdout);
    rf_jsonw_free(&w);
    return status;
}
