/* refast moe cqt --g G --sigma S [--json [FILE]]: the Gaussian moments M(p,j) = E[g(Z)^p He_j(Z)],
 * the CQT transforms P3, P2, Q4, Q2 with their constant terms, the c-constants c3, c2, c4, c' and
 * the residual of every condition (SPEC §5.2). A g whose systems are singular or whose c-constant
 * vanishes is an input error (exit 2), never a table of garbage.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "moe/cqt_internal.h"
#include "apps.h"
#include "cli.h"
#include "jsonw.h"
#include "refast/moe.h"
#include "moe/cqt.h"

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

static void build_json(rf_wbuf *w, const rf_moe_cqt *r, const rf_moe_moments *t, const rf_moe_cqt_diag *dg)
{
    rf_jsonw_member_str(w, "{\"g\":", rf_moe_g_name(r->g));
    rf_jsonw_member_num(w, ",\"sigma\":", r->sigma, 17);
    rf_wbuf_puts(w, ",\"moments\":[");
    for (unsigned p = 0; p <= RF_MOE_MAX_P; p++) {
        rf_wbuf_puts(w, p ? ",[" : "[");
        for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) {
            rf_jsonw_member_num(w, j ? "," : "", (double)t->m[p][j], 17);
        }
        rf_wbuf_puts(w, "]");
    }
    rf_wbuf_puts(w, "],\"transforms\":{");
    for (unsigned tr = 0; tr < 4; tr++) {
        rf_wbuf_printf(w, "%s\"%s\":{\"coefficients\":[", tr ? "," : "", T_LABEL[tr]);
        for (unsigned q = 0; q <= T_DEG[tr]; q++) {
            rf_jsonw_member_num(w, q ? "," : "", coefs(r, tr)[q], 17);
        }
        rf_wbuf_printf(w, "],\"%s\":", C_JSON[tr]);
        rf_jsonw_num(w, cconst(r, tr), 17);
        rf_jsonw_member_num(w, ",\"cond\":", dg->cond[tr], 17);
        rf_jsonw_member_num(w, ",\"corr\":", dg->corr[tr], 17);
        rf_wbuf_puts(w, "}");
    }
    rf_wbuf_puts(w, "},\"residuals\":{");
    for (unsigned i = 0; i < r->nresid; i++) {
        rf_jsonw_member_str(w, i ? "," : "", r->resid_name[i]);
        rf_jsonw_member_num(w, ":", r->resid[i], 17);
    }
    rf_wbuf_puts(w, "}}\n");
}

typedef struct cqt_opts {
    int g;
    double sigma;
    const char *json; /* NULL with json_given: stdout */
    bool json_given;
} cqt_opts;

static int run_cqt(const void *opts)
{
    const cqt_opts *o = opts;
    const rf_moe_g g = (rf_moe_g)o->g; /* the choices are listed in rf_moe_g's order */
    const double sigma = o->sigma;
    rf_moe_moments t;
    rf_moe_moment_table(g, &t);
    rf_moe_cqt r;
    rf_moe_cqt_diag dg;
    char err[256];
    if (!rf_moe_cqt_solve_moments(&t, rf_moe_g_name(g), sigma, &r, &dg, err, sizeof err))
        return rf_usage_error("moe cqt: %s", err);
    r.g = g;

    if (!o->json_given) {
        print_table(&r, &t, &dg);
        return RF_EXIT_OK;
    }
    rf_wbuf w = {0};
    build_json(&w, &r, &t, &dg);
    int status = RF_EXIT_OK;
    if (w.oom) status = rf_usage_error("moe cqt: out of memory");
    else if (o->json) {
        if (!rf_wbuf_save(&w, o->json, err, sizeof err)) status = rf_usage_error("moe cqt: %s", err);
    } else fputs(rf_wbuf_text(&w), stdout);
    rf_wbuf_free(&w);
    return status;
}

/* The numbers the help quotes, so that it changes with them. */
_Static_assert(RF_MOE_GH_NODES == 400, "update the moe cqt help");
/* (clang accepts a floating constant in an integer constant expression only as a cast operand.) */
_Static_assert((long long)RF_MOE_MAX_COND == 100000000LL && RF_MOE_MIN_CORR_INV == 1000000, "update the moe cqt help");

static const rf_opt cqt_opts_table[] = {
    {"--g", RF_OPT_CHOICE, offsetof(cqt_opts, g), "linear|relu|leaky_relu|sigmoid|tanh",
     .help = "the non-linearity (leaky_relu: slope 0.01)", .flags = RF_OPT_REQUIRED},
    {"--sigma", RF_OPT_F64, offsetof(cqt_opts, sigma), "S", .help = "the noise sigma", .min = 0,
     .flags = RF_OPT_REQUIRED | RF_OPT_MIN_OPEN},
    {"--json", RF_OPT_FILE, offsetof(cqt_opts, json), "FILE",
     .help = "write the same numbers as JSON to FILE (atomically), or to stdout\nwithout FILE",
     .flags = RF_OPT_VALUE_OPTIONAL, .given = RF_GIVEN(cqt_opts, json_given)},
    {0},
};

const rf_command rf_cmd_moe_cqt = {
    .name = "cqt",
    .summary = "Gaussian moments, CQT coefficients and the residuals of every condition",
    .about = "Prints M(p,j) = E[g(Z)^p He_j(Z)] (Z ~ N(0,1), probabilists' He_j; closed forms for\n"
             "piecewise-linear g, 400-node Gauss-Hermite for sigmoid and tanh), the transforms\n"
             "  P3 = y^3 + alpha y^2 + beta y + const   (E[S He_1] = E[S He_2] = 0, c3 = E[S He_3])\n"
             "  P2 = y^2 + gamma y + const              (E[S He_1] = 0,            c2 = E[S He_2])\n"
             "  Q4 = y^4 + alpha y^3 + beta y^2 + gamma y + const  (E[S He_j] = 0, j = 1..3, c4 = E[S He_4])\n"
             "  Q2 = y^2 + delta y + const              (E[S He_1] = 0,            c' = E[S He_2])\n"
             "where S(Z) = E[T(y)|Z] and each const makes E[S] = 0, then the residual of every condition\n"
             "re-evaluated from the moment table. cond is the condition number of the equilibrated system,\n"
             "corr = c / (std(S) sqrt(D!)) the correlation of S with He_D; a g with cond > 1e+08 or\n"
             "|corr| < 1e-06 is refused (exit 2).",
    .opts = cqt_opts_table,
    .size = sizeof(cqt_opts),
    .run = run_cqt,
};
