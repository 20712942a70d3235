/* refast pmoe: patch-level mixture of experts (seed 002; SPEC §5.3 "pMoE",
 * pmoe-reference/README.md): the check against the authors' computation, one training run, and the
 * seed's experiments.
 *
 *   refast pmoe check-reference DIR [--isa L|all] [--tol-f64 T] [--tol-f32 T]
 *   refast pmoe train --model cnn|separate|joint [--data D] [--n N] ... --json FILE
 *   refast pmoe experiment [--data D] [--runs R] [--sizes N,...] [--figures 4,8,6,7] --out PREFIX
 *
 * Every run uses the pMoE kernels of one level (lib/pmoe/ops.h rf_pmoe_ops_level: --isa, else
 * REFAST_ISA, else the best this CPU has). Data D: `fashion` (Debian's dataset-fashion-mnist),
 * `synthetic` (the seed's data model) or `idx:DIR` (any IDX set with train-* and t10k-* files).
 * Progress goes to stderr when it is a terminal. Every bad input exits 2 with one line before
 * anything is written; outputs are written at the
 * end, atomically (the JSON and SVG files of a command all or none).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apps.h"
#include "bytes.h"
#include "cli.h"
#include "jsonw.h"
#include "pmoe/experiment.h"
#include "pmoe/refcheck.h"
#include "pmoe/train.h"
#include "svg_plot.h"

#define PM_MAX_LIST 32

typedef struct pmoe_opts {
    const char *dir, *model, *data, *json, *out, *sizes, *figures, *ks, *ls, *hit_l, *gate, *scale;
    rf_levels levels;
    rf_isa isa;
    double tol_f64, tol_f32, lr;
    unsigned long long n, test, epochs, router_epochs, batch, k, h, l, seed, run, runs, threads, eval_every;
    bool given_epochs, given_router_epochs, given_lr, given_batch, given_k, given_h, given_l, paper;
} pmoe_opts;

/* ---- shared parsing ------------------------------------------------------------------------------ */

/* --data fashion | synthetic | idx:DIR into a data configuration. */
static int parse_data(const char *cmd, const char *s, uint64_t seed, rf_pmoe_data_cfg *cfg)
{
    rf_pmoe_data_defaults(cfg);
    cfg->seed = seed;
    if (!strcmp(s, "fashion")) {
        cfg->source = RF_PMOE_SOURCE_IDX;
        cfg->idx_dir = RF_PMOE_FASHION_DIR;
    } else if (!strcmp(s, "synthetic")) {
        cfg->source = RF_PMOE_SOURCE_SYNTH;
    } else if (!strncmp(s, "idx:", 4) && s[4]) {
        cfg->source = RF_PMOE_SOURCE_IDX;
        cfg->idx_dir = s + 4;
    } else {
        return rf_usage_error("pmoe %s: --data '%s': expected fashion, synthetic or idx:DIR", cmd, s);
    }
    return 0;
}

/* The samples' shape a data configuration gives (n patches of d values, grid_w wide). */
static void data_shape(const rf_pmoe_data_cfg *cfg, size_t *n, size_t *d, size_t *grid_w)
{
    if (cfg->source == RF_PMOE_SOURCE_SYNTH) {
        *n = cfg->synth.n;
        *d = cfg->synth.d;
        *grid_w = cfg->synth.grid_w;
    } else {
        *n = cfg->compose.grid_rows * cfg->compose.grid_cols;
        *d = 28 * 28; /* checked against the files when they are read */
        *grid_w = cfg->compose.grid_cols;
    }
}

/* A comma-separated list of integers in [lo, hi], at most PM_MAX_LIST. */
static int parse_list(const char *cmd, const char *opt, const char *s, size_t lo, size_t hi, size_t *out,
                      size_t *count)
{
    *count = 0;
    const char *p = s;
    while (*p) {
        char *end;
        if (*p < '0' || *p > '9')
            return rf_usage_error("pmoe %s: %s '%s': expected integers separated by commas", cmd, opt, s);
        const unsigned long long v = strtoull(p, &end, 10);
        if (v < lo || v > hi || *count == PM_MAX_LIST)
            return rf_usage_error("pmoe %s: %s '%s': every value must be in [%zu, %zu] (at most %d values)", cmd, opt,
                                  s, lo, hi, PM_MAX_LIST);
        out[(*count)++] = (size_t)v;
        if (*end == ',' && end[1]) p = end + 1;
        else if (*end == '\0') p = end;
        else return rf_usage_error("pmoe %s: %s '%s': expected integers separated by commas", cmd, opt, s);
    }
    if (*count == 0) return rf_usage_error("pmoe %s: %s is empty", cmd, opt);
    return 0;
}

static int level_ops(const char *cmd, rf_isa level, rf_pmoe_ops *ops)
{
    char err[256];
    if (rf_pmoe_ops_level(level, ops, err, sizeof err) != 0) return rf_usage_error("pmoe %s: %s", cmd, err);
    return 0;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- check-reference ------------------------------------------------------------------------------ */

static int pmoe_check(const void *opts)
{
    const pmoe_opts *o = opts;
    rf_pmoe_check_opts opt;
    rf_pmoe_check_defaults(&opt);
    opt.tol_f64 = o->tol_f64;
    opt.tol_f32 = o->tol_f32;
    size_t failures = 0, levels = 0;
    for (int l = 0; l < RF_ISA_COUNT; l++) {
        if (!o->levels.on[l]) continue;
        rf_pmoe_ops ops;
        if (level_ops("check-reference", (rf_isa)l, &ops)) return RF_EXIT_USAGE;
        rf_pmoe_check_report rep;
        char err[512];
        if (rf_pmoe_check_reference(o->dir, &ops, &opt, &rep, err, sizeof err) != 0)
            return rf_usage_error("pmoe check-reference: %s", err);
        if (levels++ == 0) {
            printf("%-8s %-22s %-10s %-18s %-5s %12s %10s  %s\n", "level", "folder", "kind", "output", "dtype",
                   "max rel err", "tolerance", "selections");
            for (size_t s = 0; s < rep.nskipped; s++) printf("skipped folder %s (unknown kind)\n", rep.skipped[s]);
        }
        for (size_t i = 0; i < rep.count; i++) {
            const rf_pmoe_check_row *r = &rep.rows[i];
            char sel[48] = "";
            if (r->sel_rows >= 0) snprintf(sel, sizeof sel, "%ld/%ld rows agree", r->sel_agree, r->sel_rows);
            printf("%-8s %-22s %-10s %-18s %-5s %12.3e %10.1e  %s%s\n", rf_isa_name((rf_isa)l), r->folder, r->kind,
                   r->output, r->dtype, r->max_rel, r->tol, sel, r->pass ? "" : "  FAIL");
        }
        const size_t f = rf_pmoe_check_failures(&rep);
        printf("%s: %zu model folders, %zu outputs, %zu beyond tolerance\n", rf_isa_name((rf_isa)l), rep.models,
               rep.count, f);
        failures += f;
        rf_pmoe_check_report_free(&rep);
    }
    printf("check-reference: %zu level(s), %zu failure(s)\n", levels, failures);
    return failures ? RF_EXIT_CHECK : RF_EXIT_OK;
}

/* ---- train --------------------------------------------------------------------------------------- */

static void on_epoch(void *user, const char *phase, unsigned epoch, const rf_pmoe_epoch *st)
{
    (void)user;
    if (!strcmp(phase, "router"))
        fprintf(stderr, "router epoch %u: loss %.6g\n", epoch + 1, st->loss);
    else
        fprintf(stderr, "epoch %u: loss %.6g  train acc %.4f (f>0.5) %.4f (yf>0)%s\n", epoch + 1, st->loss,
                st->train_acc_code, st->train_acc_paper, isnan(st->test_acc_code) ? "" : "  [test]");
}

/* Applies the options that override a model's defaults. */
static int apply_train_opts(const char *cmd, const pmoe_opts *o, rf_pmoe_train_cfg *cfg)
{
    static const char *const gates[] = {"softmax", "wrn"};
    if (o->paper) rf_pmoe_train_paper(cfg);
    if (o->given_epochs) cfg->epochs = (unsigned)o->epochs;
    if (o->given_router_epochs) cfg->router_epochs = (unsigned)o->router_epochs;
    if (o->given_lr) cfg->lr = o->lr;
    if (o->given_batch) cfg->batch = (size_t)o->batch;
    if (o->given_k) cfg->k = (size_t)o->k;
    if (o->given_h) cfg->h = (size_t)o->h;
    if (o->given_l) cfg->l = (size_t)o->l;
    if (o->gate) {
        if (!strcmp(o->gate, gates[0])) cfg->gating = RF_PMOE_GATE_SOFTMAX;
        else if (!strcmp(o->gate, gates[1])) cfg->gating = RF_PMOE_GATE_WRN;
        else return rf_usage_error("pmoe %s: --gate '%s': expected softmax or wrn", cmd, o->gate);
        if (cfg->model != RF_PMOE_MODEL_JOINT) return rf_usage_error("pmoe %s: --gate applies to --model joint", cmd);
    }
    if (o->scale) {
        if (!strcmp(o->scale, "code")) cfg->paper_scale = 0;
        else if (!strcmp(o->scale, "paper")) cfg->paper_scale = 1;
        else return rf_usage_error("pmoe %s: --scale '%s': expected code (1/n) or paper (1/l)", cmd, o->scale);
    }
    cfg->seed = o->seed;
    cfg->eval_every = (unsigned)o->eval_every;
    return 0;
}

static void json_epochs(rf_wbuf *w, const rf_pmoe_train_result *res)
{
    rf_wbuf_puts(w, "  \"router_loss\": [");
    for (unsigned e = 0; e < res->router_epochs; e++) {
        rf_jsonw_member_num(w, e ? ", " : "", res->router_loss[e], 9);
    }
    rf_wbuf_puts(w, "],\n  \"epochs\": [");
    for (unsigned e = 0; e < res->epochs; e++) {
        const rf_pmoe_epoch *st = &res->epoch[e];
        rf_wbuf_printf(w, "%s\n    {\"epoch\": %u, \"loss\": ", e ? "," : "", e + 1);
        rf_jsonw_num(w, st->loss, 9);
        rf_jsonw_member_num(w, ", \"train_acc_code\": ", st->train_acc_code, 6);
        rf_jsonw_member_num(w, ", \"train_acc_paper\": ", st->train_acc_paper, 6);
        rf_jsonw_member_num(w, ", \"test_acc_code\": ", st->test_acc_code, 6);
        rf_jsonw_member_num(w, ", \"test_acc_paper\": ", st->test_acc_paper, 6);
        rf_wbuf_puts(w, "}");
    }
    rf_wbuf_puts(w, "\n  ],\n");
}

static int pmoe_train(const void *opts)
{
    const pmoe_opts *o = opts;
    char err[512];
    rf_pmoe_model model;
    if (rf_pmoe_model_parse(o->model, &model, err, sizeof err) != 0) return rf_usage_error("pmoe train: %s", err);
    rf_pmoe_train_cfg cfg;
    rf_pmoe_train_defaults(&cfg, model);
    if (apply_train_opts("train", o, &cfg)) return RF_EXIT_USAGE;
    rf_pmoe_data_cfg dcfg;
    if (parse_data("train", o->data, o->seed, &dcfg)) return RF_EXIT_USAGE;
    dcfg.test_count = (size_t)o->test;
    size_t n, d, grid_w;
    data_shape(&dcfg, &n, &d, &grid_w);
    rf_pmoe_net net;
    if (rf_pmoe_train_net(&cfg, n, d, grid_w, &net, err, sizeof err) != 0) return rf_usage_error("pmoe train: %s", err);
    rf_pmoe_ops ops;
    if (level_ops("train", rf_isa_current(), &ops)) return RF_EXIT_USAGE;
    /* the run's data: run `run` of the seed, N samples (N/2 per class) and the test set */
    rf_pmoe_exp_data data;
    if (rf_pmoe_exp_data_make(&dcfg, (unsigned)o->run + 1, (size_t)o->n, &data, err, sizeof err) != 0)
        return rf_usage_error("pmoe train: %s", err);
    if (isatty(fileno(stderr))) cfg.on_epoch = on_epoch; /* progress only where someone watches */
    rf_pmoe_train_result res;
    const double t0 = now_seconds();
    const int rc = rf_pmoe_train(&ops, &cfg, &data.pool[o->run], &data.test, o->run, &res, err, sizeof err);
    const double secs = now_seconds() - t0;
    rf_pmoe_exp_data_free(&data);
    if (rc != 0) return rf_usage_error("pmoe train: %s", err);
    rf_wbuf w = {0};
    rf_wbuf_puts(&w, "{\n  \"model\": ");
    rf_jsonw_str(&w, rf_pmoe_model_name(model));
    rf_wbuf_puts(&w, ",\n  \"level\": ");
    rf_jsonw_str(&w, ops.name);
    rf_wbuf_puts(&w, ",\n  \"data\": ");
    rf_jsonw_str(&w, o->data);
    rf_wbuf_printf(&w, ",\n  \"N\": %llu, \"test_count\": %llu, \"seed\": %llu, \"run\": %llu,\n", o->n, o->test,
                   o->seed, o->run);
    rf_wbuf_printf(&w, "  \"config\": {\"k\": %zu, \"h\": %zu, \"l\": %zu, \"gating\": %d, \"tie\": %d, "
                   "\"paper_scale\": %d, \"lr\": %.17g, \"batch\": %zu, \"epochs\": %u, \"router_epochs\": %u},\n",
                   cfg.k, cfg.h, cfg.l, cfg.gating, cfg.tie, cfg.paper_scale, cfg.lr, cfg.batch, cfg.epochs,
                   cfg.router_epochs);
    json_epochs(&w, &res);
    rf_wbuf_puts(&w, "  \"final\": {\"train_acc_code\": ");
    rf_jsonw_num(&w, res.train_acc_code, 6);
    rf_wbuf_puts(&w, ", \"train_acc_paper\": ");
    rf_jsonw_num(&w, res.train_acc_paper, 6);
    rf_wbuf_puts(&w, ", \"test_acc_code\": ");
    rf_jsonw_num(&w, res.test_acc_code, 6);
    rf_wbuf_puts(&w, ", \"test_acc_paper\": ");
    rf_jsonw_num(&w, res.test_acc_paper, 6);
    rf_wbuf_printf(&w, "},\n  \"seconds\": %.3f\n}\n", secs);
    const bool ok = rf_wbuf_save(&w, o->json, err, sizeof err);
    rf_wbuf_free(&w);
    if (ok)
        printf("%s N=%llu at %s: test accuracy %.4f (f>0.5) %.4f (yf>0), train %.4f, %.1f s; wrote %s\n",
               rf_pmoe_model_name(model), o->n, ops.name, res.test_acc_code, res.test_acc_paper, res.train_acc_code,
               secs, o->json);
    rf_pmoe_train_result_free(&res);
    return ok ? RF_EXIT_OK : rf_usage_error("pmoe train: %s", err);
}

/* ---- experiment ---------------------------------------------------------------------------------- */

static void on_job(void *user, size_t done, size_t total)
{
    fprintf(stderr, "\r%s: %zu / %zu runs", (const char *)user, done, total);
    if (done == total) fputc('\n', stderr);
}

/* One figure's outputs: the JSON document and the SVG chart. */
typedef struct fig_out {
    char name[16];
    rf_wbuf json, svg;
} fig_out;

static const char *config_label(const rf_pmoe_train_cfg *c, char *buf, size_t len)
{
    if (c->model == RF_PMOE_MODEL_CNN) snprintf(buf, len, "CNN m=%zu", c->h);
    else snprintf(buf, len, "%s k=%zu l=%zu", rf_pmoe_model_name(c->model), c->k, c->l);
    return buf;
}

/* Accuracy vs N per configuration (figures 4, 6, 7): JSON rows and a chart of the authors'
 * accuracy (mean +- std over runs). */
static void fig_accuracy(fig_out *f, const char *title, const rf_pmoe_sweep *sw, const rf_pmoe_sweep_result *r)
{
    rf_wbuf_printf(&f->json, "{\n  \"figure\": \"%s\", \"runs\": %u,\n  \"sizes\": [", f->name, sw->runs);
    for (size_t s = 0; s < sw->nsizes; s++) rf_wbuf_printf(&f->json, "%s%zu", s ? ", " : "", sw->sizes[s]);
    rf_wbuf_puts(&f->json, "],\n  \"configs\": [");
    rf_plot_series series[PM_MAX_LIST];
    static double xs[PM_MAX_LIST][PM_MAX_LIST], ys[PM_MAX_LIST][PM_MAX_LIST], lo[PM_MAX_LIST][PM_MAX_LIST],
        hi[PM_MAX_LIST][PM_MAX_LIST];
    static char labels[PM_MAX_LIST][48];
    for (size_t c = 0; c < sw->nconfigs; c++) {
        config_label(&sw->configs[c], labels[c], sizeof labels[c]);
        rf_wbuf_printf(&f->json, "%s\n    {\"label\": ", c ? "," : "");
        rf_jsonw_str(&f->json, labels[c]);
        rf_wbuf_printf(&f->json, ", \"model\": \"%s\", \"k\": %zu, \"h\": %zu, \"l\": %zu, \"points\": [",
                       rf_pmoe_model_name(sw->configs[c].model), sw->configs[c].k, sw->configs[c].h, sw->configs[c].l);
        for (size_t s = 0; s < sw->nsizes; s++) {
            double m, sd, mp, sdp, secs, ssd;
            rf_pmoe_sweep_stat(r, r->test_code, c, s, &m, &sd);
            rf_pmoe_sweep_stat(r, r->test_paper, c, s, &mp, &sdp);
            rf_pmoe_sweep_stat(r, r->seconds, c, s, &secs, &ssd);
            rf_wbuf_printf(&f->json, "%s\n      {\"N\": %zu, \"test_acc_code_mean\": ", s ? "," : "", sw->sizes[s]);
            rf_jsonw_num(&f->json, m, 6);
            rf_wbuf_puts(&f->json, ", \"test_acc_code_std\": ");
            rf_jsonw_num(&f->json, sd, 6);
            rf_wbuf_puts(&f->json, ", \"test_acc_paper_mean\": ");
            rf_jsonw_num(&f->json, mp, 6);
            rf_wbuf_puts(&f->json, ", \"test_acc_paper_std\": ");
            rf_jsonw_num(&f->json, sdp, 6);
            rf_wbuf_puts(&f->json, ", \"seconds_mean\": ");
            rf_jsonw_num(&f->json, secs, 4);
            rf_wbuf_puts(&f->json, "}");
            xs[c][s] = (double)sw->sizes[s];
            ys[c][s] = m;
            lo[c][s] = m - sd;
            hi[c][s] = m + sd;
        }
        rf_wbuf_puts(&f->json, "]}");
        series[c] = (rf_plot_series){labels[c], (int)c, (int)(c % 4), false, false, xs[c], ys[c], lo[c], hi[c],
                                     sw->nsizes};
    }
    rf_wbuf_puts(&f->json, "\n  ]\n}\n");
    const rf_plot p = {title, "mean +- std over runs; accuracy (f > 0.5) == label", "training samples N",
                       "test accuracy", false, series, sw->nconfigs};
    rf_svg_plot(&f->svg, &p);
}

/* Router hit rate vs N per l (figure 8). */
static void fig_hits(fig_out *f, const rf_pmoe_sweep *sw, const rf_pmoe_sweep_result *r)
{
    rf_wbuf_printf(&f->json, "{\n  \"figure\": \"8\", \"runs\": %u,\n  \"sizes\": [", sw->runs);
    for (size_t s = 0; s < sw->nsizes; s++) rf_wbuf_printf(&f->json, "%s%zu", s ? ", " : "", sw->sizes[s]);
    rf_wbuf_puts(&f->json, "],\n  \"series\": [");
    rf_plot_series series[PM_MAX_LIST];
    static double xs[PM_MAX_LIST][PM_MAX_LIST], ys[PM_MAX_LIST][PM_MAX_LIST], lo[PM_MAX_LIST][PM_MAX_LIST],
        hi[PM_MAX_LIST][PM_MAX_LIST];
    static char labels[PM_MAX_LIST][32];
    for (size_t li = 0; li < sw->nhit_l; li++) {
        snprintf(labels[li], sizeof labels[li], "top-%zu", sw->hit_l[li]);
        rf_wbuf_printf(&f->json, "%s\n    {\"l\": %zu, \"points\": [", li ? "," : "", sw->hit_l[li]);
        for (size_t s = 0; s < sw->nsizes; s++) {
            double sum = 0, sq = 0;
            size_t cnt = 0;
            for (unsigned run = 0; run < sw->runs; run++) {
                const double v = r->hit[((0 * sw->nsizes + s) * sw->runs + run) * sw->nhit_l + li];
                if (isnan(v)) continue;
                sum += v;
                sq += v * v;
                cnt++;
            }
            const double m = cnt ? sum / (double)cnt : NAN;
            const double sd = cnt > 1 ? sqrt(fmax(0.0, (sq - sum * m) / (double)(cnt - 1))) : 0.0;
            rf_wbuf_printf(&f->json, "%s{\"N\": %zu, \"hit_mean\": ", s ? ", " : "", sw->sizes[s]);
            rf_jsonw_num(&f->json, m, 6);
            rf_wbuf_puts(&f->json, ", \"hit_std\": ");
            rf_jsonw_num(&f->json, sd, 6);
            rf_wbuf_puts(&f->json, "}");
            xs[li][s] = (double)sw->sizes[s];
            ys[li][s] = m;
            lo[li][s] = m - sd;
            hi[li][s] = m + sd;
        }
        rf_wbuf_puts(&f->json, "]}");
        series[li] = (rf_plot_series){labels[li], (int)li, (int)(li % 4), false, false, xs[li], ys[li], lo[li],
                                      hi[li], sw->nsizes};
    }
    rf_wbuf_puts(&f->json, "\n  ]\n}\n");
    const rf_plot p = {"Figure 8: discriminative patch in the router's top-l",
                       "separate training, router phase; mean +- std over runs", "training samples N",
                       "share of test images", false, series, sw->nhit_l};
    rf_svg_plot(&f->svg, &p);
}

static int pmoe_experiment(const void *opts)
{
    const pmoe_opts *o = opts;
    size_t sizes[PM_MAX_LIST], nsizes, figs[PM_MAX_LIST], nfigs, ks[PM_MAX_LIST], nks, ls[PM_MAX_LIST], nls,
        hits[PM_MAX_LIST], nhits;
    if (parse_list("experiment", "--sizes", o->sizes, 2, 1u << 20, sizes, &nsizes) ||
        parse_list("experiment", "--figures", o->figures, 4, 8, figs, &nfigs) ||
        parse_list("experiment", "--ks", o->ks, 1, 64, ks, &nks) || parse_list("experiment", "--ls", o->ls, 1, 256, ls, &nls) ||
        parse_list("experiment", "--hit-l", o->hit_l, 1, 256, hits, &nhits))
        return RF_EXIT_USAGE;
    for (size_t i = 0; i < nfigs; i++)
        if (figs[i] == 5) return rf_usage_error("pmoe experiment: --figures: 4, 6, 7 or 8 (no figure 5)");
    rf_pmoe_data_cfg dcfg;
    if (parse_data("experiment", o->data, o->seed, &dcfg)) return RF_EXIT_USAGE;
    dcfg.test_count = (size_t)o->test;
    size_t n, d, grid_w, max_n = 0;
    data_shape(&dcfg, &n, &d, &grid_w);
    for (size_t s = 0; s < nsizes; s++) max_n = sizes[s] > max_n ? sizes[s] : max_n;
    /* every configuration first (bad k, l: exit 2 before any work) */
    rf_pmoe_train_cfg cfgs[4][PM_MAX_LIST];
    size_t ncfg[4] = {0};
    char err[512];
    for (size_t i = 0; i < nfigs; i++) {
        const size_t f = figs[i], slot = f == 4 ? 0 : f == 6 ? 1 : f == 7 ? 2 : 3;
        if (f == 4) rf_pmoe_fig4_configs(cfgs[0], o->seed), ncfg[0] = RF_PMOE_FIG4_CONFIGS;
        if (f == 6) rf_pmoe_sweep_k(ks, nks, o->seed, cfgs[1]), ncfg[1] = nks;
        if (f == 7) rf_pmoe_sweep_l(ls, nls, o->seed, cfgs[2]), ncfg[2] = nls;
        if (f == 8) rf_pmoe_fig8_config(&cfgs[3][0], o->seed), ncfg[3] = 1;
        for (size_t c = 0; c < ncfg[slot]; c++) {
            rf_pmoe_train_cfg *cf = &cfgs[slot][c];
            if (o->given_epochs && f != 8) cf->epochs = (unsigned)o->epochs;
            if (o->given_router_epochs) cf->router_epochs = (unsigned)o->router_epochs;
            rf_pmoe_net net;
            if (rf_pmoe_train_net(cf, n, d, grid_w, &net, err, sizeof err) != 0)
                return rf_usage_error("pmoe experiment: figure %zu: %s", f, err);
        }
    }
    for (size_t i = 0; i < nhits; i++)
        if (hits[i] > n) return rf_usage_error("pmoe experiment: --hit-l %zu is more than the %zu patches", hits[i], n);
    rf_pmoe_ops ops;
    if (level_ops("experiment", rf_isa_current(), &ops)) return RF_EXIT_USAGE;
    rf_pmoe_exp_data data;
    if (rf_pmoe_exp_data_make(&dcfg, (unsigned)o->runs, max_n, &data, err, sizeof err) != 0)
        return rf_usage_error("pmoe experiment: %s", err);
    fig_out outs[4];
    memset(outs, 0, sizeof outs);
    size_t nout = 0;
    int rc = RF_EXIT_OK;
    const double t0 = now_seconds();
    static const char *const titles[] = {"Figure 4: test accuracy vs training samples",
                                         "Figure 6: joint pMoE, test accuracy vs k",
                                         "Figure 7: joint pMoE, test accuracy vs l", ""};
    static const char *const names[] = {"fig4", "fig6", "fig7", "fig8"};
    for (size_t slot = 0; slot < 4 && rc == RF_EXIT_OK; slot++) {
        if (!ncfg[slot]) continue;
        rf_pmoe_sweep sw = {cfgs[slot], ncfg[slot], sizes, nsizes, (unsigned)o->runs, (unsigned)o->threads,
                            slot == 3 ? hits : NULL, slot == 3 ? nhits : 0,
                            isatty(fileno(stderr)) ? on_job : NULL, (void *)names[slot]};
        rf_pmoe_sweep_result res;
        if (rf_pmoe_sweep_run(&ops, &data, &sw, &res, err, sizeof err) != 0) {
            rc = rf_usage_error("pmoe experiment: %s", err);
            break;
        }
        fig_out *f = &outs[nout++];
        snprintf(f->name, sizeof f->name, "%s", names[slot] + 3);
        if (slot == 3) fig_hits(f, &sw, &res);
        else fig_accuracy(f, titles[slot], &sw, &res);
        rf_pmoe_sweep_result_free(&res);
    }
    rf_pmoe_exp_data_free(&data);
    if (rc == RF_EXIT_OK) {
        rf_outfile files[8];
        char paths[8][1024];
        for (size_t i = 0; i < nout; i++) {
            snprintf(paths[2 * i], sizeof paths[0], "%s.fig%s.json", o->out, outs[i].name);
            snprintf(paths[2 * i + 1], sizeof paths[0], "%s.fig%s.svg", o->out, outs[i].name);
            files[2 * i] = (rf_outfile){paths[2 * i], rf_wbuf_text(&outs[i].json), strlen(rf_wbuf_text(&outs[i].json))};
            files[2 * i + 1] = (rf_outfile){paths[2 * i + 1], rf_wbuf_text(&outs[i].svg),
                                            strlen(rf_wbuf_text(&outs[i].svg))};
        }
        if (!rf_write_files_atomic(files, 2 * nout, err, sizeof err)) rc = rf_usage_error("pmoe experiment: %s", err);
        else
            for (size_t i = 0; i < 2 * nout; i++) printf("wrote %s\n", paths[i]);
        printf("experiment at %s: %.1f s\n", ops.name, now_seconds() - t0);
    }
    for (size_t i = 0; i < 4; i++) {
        rf_wbuf_free(&outs[i].json);
        rf_wbuf_free(&outs[i].svg);
    }
    return rc;
}

/* ---- tables -------------------------------------------------------------------------------------- */

#define ISA_ROW                                                                                                    \
    {"--isa", RF_OPT_LEVEL, offsetof(pmoe_opts, isa), NULL,                                                        \
     .help = "the level of the kernels (default: REFAST_ISA, else the\nbest this CPU has)"}
#define DATA_ROW                                                                                                   \
    {"--data", RF_OPT_STR, offsetof(pmoe_opts, data), "fashion|synthetic|idx:DIR",                                 \
     .help = "fashion: " RF_PMOE_FASHION_DIR " (Debian's dataset-fashion-mnist);\n"                                \
             "synthetic: the seed's data model; idx:DIR: train-* and t10k-* IDX files",                            \
     .def = "fashion"}
#define SEED_ROW {"--seed", RF_OPT_U64, offsetof(pmoe_opts, seed), "S", .help = "Philox seed of data and runs", .def = "1"}
#define TEST_ROW                                                                                                   \
    {"--test", RF_OPT_U64, offsetof(pmoe_opts, test), "COUNT", .help = "test images (from the test split)",        \
     .def = "1000", .min = 2, .max = 1e6}
#define EPOCH_ROWS                                                                                                 \
    {"--epochs", RF_OPT_U64, offsetof(pmoe_opts, epochs), "E", .help = "training epochs (default: the model's, 150)", \
     .min = 0, .max = 100000, .given = RF_GIVEN(pmoe_opts, given_epochs)},                                         \
    {"--router-epochs", RF_OPT_U64, offsetof(pmoe_opts, router_epochs), "E",                                       \
     .help = "router phase epochs of separate training (default 100)", .min = 0, .max = 100000,                    \
     .given = RF_GIVEN(pmoe_opts, given_router_epochs)}

static const rf_opt check_opts_table[] = {
    {"DIR", RF_OPT_ARG, offsetof(pmoe_opts, dir), NULL,
     .help = "a directory in the pmoe-reference format (MANIFEST.txt + raw arrays)", .flags = RF_OPT_REQUIRED},
    {"--isa", RF_OPT_LEVELS, offsetof(pmoe_opts, levels), NULL, .help = "the levels to check", .def = "all"},
    {"--tol-f64", RF_OPT_F64, offsetof(pmoe_opts, tol_f64), "T", .help = "relative tolerance of the double path",
     .def = "1e-12", .min = 0, .max = 1, .flags = RF_OPT_MIN_OPEN},
    {"--tol-f32", RF_OPT_F64, offsetof(pmoe_opts, tol_f32), "T", .help = "relative tolerance of the float32 path",
     .def = "1e-5", .min = 0, .max = 1, .flags = RF_OPT_MIN_OPEN},
    {0},
};

static const rf_opt train_opts_table[] = {
    {"--model", RF_OPT_STR, offsetof(pmoe_opts, model), "cnn|separate|joint", .help = "the model",
     .flags = RF_OPT_REQUIRED},
    DATA_ROW,
    {"--n", RF_OPT_U64, offsetof(pmoe_opts, n), "N", .help = "training samples (N/2 per class)", .def = "1000",
     .min = 2, .max = 1e6},
    TEST_ROW,
    EPOCH_ROWS,
    {"--lr", RF_OPT_F64, offsetof(pmoe_opts, lr), "LR", .help = "SGD learning rate (default 0.2)", .min = 0,
     .max = 1e6, .flags = RF_OPT_MIN_OPEN, .given = RF_GIVEN(pmoe_opts, given_lr)},
    {"--batch", RF_OPT_U64, offsetof(pmoe_opts, batch), "B", .help = "batch size (default 20)", .min = 1,
     .max = 1e6, .given = RF_GIVEN(pmoe_opts, given_batch)},
    {"--k", RF_OPT_U64, offsetof(pmoe_opts, k), "K", .help = "experts (default: separate 2, joint 8)", .min = 0,
     .max = 1024, .given = RF_GIVEN(pmoe_opts, given_k)},
    {"--h", RF_OPT_U64, offsetof(pmoe_opts, h), "H",
     .help = "neurons per expert, the CNN's width (default: 20, 5, CNN 4)", .min = 0, .max = 4096,
     .given = RF_GIVEN(pmoe_opts, given_h)},
    {"--l", RF_OPT_U64, offsetof(pmoe_opts, l), "L", .help = "patches per expert (default: separate 2, joint 6)",
     .min = 0, .max = 4096, .given = RF_GIVEN(pmoe_opts, given_l)},
    {"--gate", RF_OPT_STR, offsetof(pmoe_opts, gate), "softmax|wrn", .help = "joint gating (default softmax)"},
    {"--scale", RF_OPT_STR, offsetof(pmoe_opts, scale), "code|paper", .help = "output scale 1/n (code) or 1/l (paper)"},
    {"--paper", RF_OPT_FLAG, offsetof(pmoe_opts, paper), NULL,
     .help = "the paper's choices where it states them (1/l, CNN 40, a ~ N(0,1))"},
    {"--eval-every", RF_OPT_U64, offsetof(pmoe_opts, eval_every), "E",
     .help = "test accuracy every E epochs (0: at the end only)", .def = "10", .max = 100000},
    SEED_ROW,
    {"--run", RF_OPT_U64, offsetof(pmoe_opts, run), "R", .help = "run index (its own data and initial weights)",
     .def = "0", .max = 1000},
    ISA_ROW,
    {"--json", RF_OPT_FILE, offsetof(pmoe_opts, json), "FILE", .help = "per-epoch loss and accuracies",
     .flags = RF_OPT_REQUIRED},
    {0},
};

static const rf_opt experiment_opts_table[] = {
    DATA_ROW,
    {"--runs", RF_OPT_U64, offsetof(pmoe_opts, runs), "R", .help = "independent runs per point", .def = "5",
     .min = 1, .max = 1000},
    {"--sizes", RF_OPT_STR, offsetof(pmoe_opts, sizes), "N,...", .help = "training-set sizes",
     .def = "100,300,500,700,900,1000"},
    {"--figures", RF_OPT_STR, offsetof(pmoe_opts, figures), "F,...",
     .help = "4 (accuracy vs N), 8 (router hit rate), 6 (vs k), 7 (vs l)", .def = "4,8"},
    {"--ks", RF_OPT_STR, offsetof(pmoe_opts, ks), "K,...", .help = "figure 6: experts of joint pMoE", .def = "2,4,8,16"},
    {"--ls", RF_OPT_STR, offsetof(pmoe_opts, ls), "L,...", .help = "figure 7: patches per expert", .def = "1,2,4,6,8,12"},
    {"--hit-l", RF_OPT_STR, offsetof(pmoe_opts, hit_l), "L,...", .help = "figure 8: top-l of the router",
     .def = "1,2,3,4"},
    TEST_ROW,
    EPOCH_ROWS,
    {"--threads", RF_OPT_U64, offsetof(pmoe_opts, threads), "T", .help = "worker threads (0: one per CPU)",
     .def = "0", .max = 256},
    SEED_ROW,
    ISA_ROW,
    {"--out", RF_OPT_FILE, offsetof(pmoe_opts, out), "PREFIX",
     .help = "writes PREFIX.figF.json and PREFIX.figF.svg per figure", .flags = RF_OPT_REQUIRED},
    {0},
};

static const rf_command pmoe_check_cmd = {
    .name = "check-reference",
    .summary = "run every model of a pmoe-reference directory at every level, against its numbers",
    .about = "Reads every folder the directory's MANIFEST lists (the format of pmoe-reference/README.md),\n"
             "runs each model in double and float32 with the kernels of each level, and prints per output\n"
             "the max relative error (normwise) and the selection agreement. Exit 1 when an output is\n"
             "beyond tolerance or a selection differs, 2 when the directory cannot be read.\n",
    .opts = check_opts_table,
    .size = sizeof(pmoe_opts),
    .run = pmoe_check,
};
static const rf_command pmoe_train_cmd = {
    .name = "train",
    .summary = "one training run (CNN, separate or joint pMoE) with per-epoch JSON",
    .about = "Defaults are the authors' code (pmoe-reference README §2): SGD lr 0.2, batch 20, 150 epochs\n"
             "(router phase 100), scale 1/n. Progress on stderr; the JSON holds the loss and both\n"
             "accuracies per epoch: the authors' (f > 0.5) == label and the paper's y f > 0.\n",
    .opts = train_opts_table,
    .size = sizeof(pmoe_opts),
    .run = pmoe_train,
};
static const rf_command pmoe_experiment_cmd = {
    .name = "experiment",
    .summary = "the seed's figures 4, 6, 7 and 8: sweeps over N, k, l with runs in parallel",
    .about = "Figure 4: test accuracy vs N of separate pMoE (k 2, l 2), joint pMoE (k 8, l 6) and the CNN\n"
             "with 4 and 40 neurons; figure 8: share of test images whose discriminative patch is in\n"
             "the separately trained router's top-l; figures 6 / 7: joint pMoE vs k and vs l. Mean +- std\n"
             "over runs; every number is a function of the seed, whatever the thread count.\n",
    .opts = experiment_opts_table,
    .size = sizeof(pmoe_opts),
    .run = pmoe_experiment,
};

static const rf_command *const pmoe_subs[] = {&pmoe_check_cmd, &pmoe_train_cmd, &pmoe_experiment_cmd, NULL};

const rf_command rf_cmd_pmoe = {
    .name = "pmoe",
    .summary = "patch-level MoE (seed 002): check-reference, train, experiment",
    .about = "Patch-level mixture of experts as the authors' code computes it (pmoe-reference/README.md).\n"
             "Outputs are written atomically at the end; a failed run leaves no output file behind.\n",
    .subs = pmoe_subs,
};
