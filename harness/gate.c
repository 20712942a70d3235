/* Judging two benchmark runs (see gate.h for every rule). */
#include "gate.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "refast/registry.h"
#include "stats.h"

/* Resamples of the speedup bootstrap: BOOT_FIRST for every row, and for a row whose p falls
 * under alpha, again with enough resamples that the bootstrap's resolution 2 / (B + 1) is below
 * alpha / (2 m), the level Benjamini–Hochberg needs for one discovery among m (capped). */
enum { BOOT_FIRST = 2000, BOOT_MAX = 40000 };

const char *rf_verdict_name(rf_verdict_kind v)
{
    static const char *const names[] = {"unchanged", "REGRESSED", "improved", "inconclusive", "info"};
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

static bool is_instr_file(const rf_bench_file *f)
{
    const char *c = f->context ? rf_json_get_string(f->context, "refast_counter") : NULL;
    return c && !strcmp(c, "instructions");
}

bool rf_gate_metric_of(const rf_bench_file *fa, const rf_bench_file *fb, rf_gate_metric *out, char *err,
                       size_t errlen)
{
    const bool ia = is_instr_file(fa), ib = is_instr_file(fb);
    if (ia != ib)
        return rf_fail(err, errlen, "%s holds %s but %s holds %s: compare like with like", fa->path,
                       ia ? "instruction counts" : "times", fb->path, ib ? "instruction counts" : "times");
    for (int s = 0; ia && s < 2; s++) {
        const rf_bench_file *f = s ? fb : fa;
        for (size_t i = 0; i < f->n; i++) {
            const double *v = rf_bench_counter_values(&f->b[i], "instructions");
            for (size_t k = 0; k < f->b[i].n; k++)
                if (!v || !(isfinite(v[k]) && v[k] > 0))
                    return rf_fail(err, errlen, "%s: %s has no positive \"instructions\" counter", f->path,
                                   f->b[i].name);
        }
    }
    *out = ia ? RF_METRIC_INSTRUCTIONS : RF_METRIC_TIME;
    return true;
}

static const double *values(const rf_gate_result *r, const rf_bench *b)
{
    if (r->metric == RF_METRIC_INSTRUCTIONS) return rf_bench_counter_values(b, "instructions");
    return r->cfg.cpu ? b->cpu_ns : b->real_ns;
}

static double median(const rf_gate_result *r, const rf_bench *b) { return rf_stat_median(values(r, b), b->n); }

static bool is_machine(const char *name)
{
    rf_bench_name nm;
    return rf_bench_name_parse(name, &nm) && !strcmp(nm.kernel, "machine");
}

/* FNV-1a, so that each row's bootstrap draws its own reproducible stream. */
static uint64_t name_seed(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static double sq(double x) { return x * x; }

/* (z(1 - a/2) + z(power)) * factor * sd, as a percentage slowdown; INFINITY when infeasible. */
static double mds_pct(double level, double factor, double var, bool feasible)
{
    if (!feasible || !(level > 0) || !isfinite(var)) return INFINITY;
    const double z = rf_norm_quantile(1 - level / 2) + rf_norm_quantile(RF_GATE_POWER);
    return (exp(z * factor * sqrt(var)) - 1) * 100;
}

static void time_cmp(rf_gate_result *r, rf_gate_row *row)
{
    rf_gate_cmp *c = &row->time;
    const double *va = values(r, row->a), *vb = values(r, row->b);
    c->present = true;
    c->base = median(r, row->a);
    c->cur = median(r, row->b);
    c->change = (c->cur / c->base - 1) * 100;
    c->slowdown = c->change;
    c->nmin = row->a->n < row->b->n ? row->a->n : row->b->n;
    c->p = c->q = NAN;
    if (r->metric == RF_METRIC_INSTRUCTIONS) return;
    rf_mwu t;
    c->p = rf_mann_whitney(vb, row->b->n, va, row->a->n, &t) ? t.p : NAN;
}

/* The scalar row of the same kernel and size, or NULL. */
static const rf_bench *scalar_peer(const rf_bench_file *f, const rf_bench_name *nm)
{
    char key[320];
    snprintf(key, sizeof key, "%s/scalar/%s", nm->kernel, nm->size);
    return rf_bench_find(f, key);
}

static void speedup_cmp(rf_gate_result *r, rf_gate_row *row, const rf_bench_file *fa, const rf_bench_file *fb,
                        const rf_bench **sa_out, const rf_bench **sb_out)
{
    rf_bench_name nm;
    if (!rf_bench_name_parse(row->name, &nm) || rf_bench_row_kind(nm.impl, NULL, 0) == RF_ROW_SCALAR) return;
    const rf_bench *sa = scalar_peer(fa, &nm), *sb = scalar_peer(fb, &nm);
    if (!sa || !sb) return;
    *sa_out = sa;
    *sb_out = sb;
    rf_gate_cmp *c = &row->speedup;
    const double ma = median(r, sa), mb = median(r, sb);
    c->present = true;
    c->base = ma / median(r, row->a);
    c->cur = mb / median(r, row->b);
    c->change = (c->cur / c->base - 1) * 100;
    c->slowdown = -c->change;
    row->scalar_change = (mb / ma - 1) * 100;
    c->nmin = sa->n;
    if (sb->n < c->nmin) c->nmin = sb->n;
    if (row->a->n < c->nmin) c->nmin = row->a->n;
    if (row->b->n < c->nmin) c->nmin = row->b->n;
    c->p = c->q = NAN;
    if (r->metric == RF_METRIC_INSTRUCTIONS) return;
    c->p = rf_boot_ratio_p(values(r, sa), sa->n, values(r, row->a), row->a->n, values(r, sb), sb->n,
                           values(r, row->b), row->b->n, BOOT_FIRST, name_seed(row->name));
    /* The bootstrap is optimistic on few repetitions: its p is never taken as smaller than the
     * smallest p a rank test of n vs n could give (n the smallest of the four counts). */
    c->p = fmax(c->p, rf_mwu_min_p(c->nmin, c->nmin));
}

/* The second bootstrap pass, once m is known (see BOOT_MAX). */
static void refine_speedup_p(rf_gate_result *r, rf_gate_row *row, const rf_bench *sa, const rf_bench *sb)
{
    rf_gate_cmp *c = &row->speedup;
    if (!c->present || !(c->p < r->cfg.alpha)) return;
    double want = ceil(4.0 * (double)r->ncomparisons / r->cfg.alpha);
    const unsigned b = (unsigned)(want < BOOT_FIRST ? BOOT_FIRST : want > BOOT_MAX ? BOOT_MAX : want);
    if (b <= BOOT_FIRST) return;
    c->p = fmax(rf_boot_ratio_p(values(r, sa), sa->n, values(r, row->a), row->a->n, values(r, sb), sb->n,
                                values(r, row->b), row->b->n, b, name_seed(row->name)),
                rf_mwu_min_p(c->nmin, c->nmin));
}

static void mds(rf_gate_result *r, rf_gate_row *row, const rf_bench *sa, const rf_bench *sb)
{
    const double level = r->cfg.alpha / (double)(r->ncomparisons ? r->ncomparisons : 1);
    const double pi = 3.14159265358979323846;
    if (r->metric == RF_METRIC_INSTRUCTIONS) {
        row->time.mds = row->speedup.mds = 0;
        return;
    }
    if (row->time.present) {
        const rf_bench *a = row->a, *b = row->b;
        const double var = sq(rf_stat_robust_cv(values(r, a), a->n)) / (double)a->n +
                           sq(rf_stat_robust_cv(values(r, b), b->n)) / (double)b->n;
        row->time.mds = mds_pct(level, sqrt(pi / 3), var, rf_mwu_min_p(a->n, b->n) <= level);
    }
    if (row->speedup.present) {
        const rf_bench *set[4] = {sa, sb, row->a, row->b};
        double var = 0;
        for (int i = 0; i < 4; i++) var += sq(rf_stat_robust_cv(values(r, set[i]), set[i]->n)) / (double)set[i]->n;
        const size_t n = row->speedup.nmin;
        row->speedup.mds = mds_pct(level, sqrt(pi / 2), var, rf_mwu_min_p(n, n) <= level);
    }
}

static rf_verdict_kind judge_cmp(const rf_gate_result *r, const rf_gate_cmp *c, double threshold)
{
    if (!c->present) return RF_V_UNCHANGED;
    if (!(fabs(c->slowdown) > threshold)) return RF_V_UNCHANGED;
    if (r->metric == RF_METRIC_INSTRUCTIONS || c->q <= r->cfg.alpha)
        return c->slowdown > 0 ? RF_V_REGRESSED : RF_V_IMPROVED;
    return c->mds > threshold ? RF_V_INCONCLUSIVE : RF_V_UNCHANGED;
}

static rf_verdict_kind combine(rf_verdict_kind t, rf_verdict_kind s)
{
    if (t == RF_V_REGRESSED || s == RF_V_REGRESSED) return RF_V_REGRESSED;
    if (t == RF_V_IMPROVED || s == RF_V_IMPROVED) return RF_V_IMPROVED;
    if (t == RF_V_INCONCLUSIVE || s == RF_V_INCONCLUSIVE) return RF_V_INCONCLUSIVE;
    return RF_V_UNCHANGED;
}

static void count(rf_gate_result *r)
{
    r->nreg = r->nimp = r->nsame = r->ninc = 0;
    for (size_t i = 0; i < r->n; i++) {
        const rf_verdict_kind v = r->rows[i].overall;
        if (v == RF_V_REGRESSED) r->nreg++;
        else if (v == RF_V_IMPROVED) r->nimp++;
        else if (v != RF_V_INFO) {
            r->nsame++;
            if (v == RF_V_INCONCLUSIVE) r->ninc++;
        }
    }
}

static void warn(rf_gate_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(rf_gate_result *r, const char *fmt, ...)
{
    if (r->nwarnings >= sizeof r->warnings / sizeof r->warnings[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->warnings[r->nwarnings++], sizeof r->warnings[0], fmt, ap);
    va_end(ap);
}

/* Provenance that should agree between the two files; a difference is a warning, never an error
 * (an A/B of two compilers differs on purpose). */
static void environment_warnings(rf_gate_result *r, const rf_bench_file *fa, const rf_bench_file *fb)
{
    static const char *const keys[] = {"refast_machine_class", "refast_cpu_model", "refast_compiler",
                                       "refast_flags_scalar",  "refast_flags_avx2", "refast_flags_avx512",
                                       "refast_lib_benchmark", "refast_lib_openblas", "refast_lib_onednn"};
    char diff[256] = "";
    size_t o = 0;
    for (size_t i = 0; fa->context && fb->context && i < sizeof keys / sizeof keys[0]; i++) {
        const char *a = rf_json_get_string(fa->context, keys[i]), *b = rf_json_get_string(fb->context, keys[i]);
        if (!a || !b || !strcmp(a, b)) continue;
        if (!strcmp(keys[i], "refast_machine_class") && r->cfg.time_gate && r->metric == RF_METRIC_TIME)
            warn(r, "baseline is from machine class %s, current from %s; times are not comparable across "
                    "machines (--only speedup compares speedups only)", a, b);
        else if (o < sizeof diff)
            o += (size_t)snprintf(diff + o, sizeof diff - o, "%s%s", o ? ", " : "", keys[i] + 7);
    }
    if (o) warn(r, "the two runs differ in %s (see the JSON contexts)", diff);
    for (int s = 0; s < 2; s++) {
        const rf_bench_file *f = s ? fb : fa;
        const char *ncpu = f->context ? rf_json_get_string(f->context, "refast_online_cpus") : NULL;
        double worst = 0;
        for (int k = 0; k < 2 && f->context; k++) {
            const char *l = rf_json_get_string(f->context, k ? "refast_load_after" : "refast_load_before");
            if (l && atof(l) > worst) worst = atof(l);
        }
        if (ncpu && atof(ncpu) > 0 && worst > atof(ncpu) && r->metric == RF_METRIC_TIME)
            warn(r, "the %s ran on a busy machine (load average %.2f on %s CPUs)", s ? "current run" : "baseline",
                 worst, ncpu);
    }
}

static double kernel_threshold(const char *name)
{
    rf_bench_name nm;
    if (!rf_bench_name_parse(name, &nm)) return 0;
    const rf_kernel *k = rf_kernel_find(nm.kernel);
    return k ? k->gate_threshold_pct : 0;
}

static bool selected(const rf_gate_cfg *cfg, const char *name)
{
    if (!cfg->only) return true;
    for (size_t i = 0; i < cfg->nonly; i++)
        if (!strcmp(cfg->only[i], name)) return true;
    return false;
}

bool rf_gate_judge(const rf_gate_cfg *cfg, const rf_bench_file *fa, const rf_bench_file *fb, rf_gate_result *r,
                   char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    if (!rf_gate_metric_of(fa, fb, &r->metric, err, errlen)) return false;
    const bool instr = r->metric == RF_METRIC_INSTRUCTIONS;
    const double base_thr = cfg->threshold >= 0 ? cfg->threshold
                            : instr             ? RF_GATE_DEFAULT_INSTR_PCT
                                                : RF_GATE_DEFAULT_TIME_PCT;
    r->cfg.threshold = base_thr;
    r->rows = calloc(fa->n ? fa->n : 1, sizeof *r->rows);
    const rf_bench **peers = calloc(2 * (fa->n ? fa->n : 1), sizeof *peers);
    if (!r->rows || !peers) {
        free(peers);
        rf_gate_result_free(r);
        return rf_fail(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < fa->n; i++) {
        const rf_bench *b = rf_bench_find(fb, fa->b[i].name);
        if (!b) r->only_a++;
        else if (selected(cfg, fa->b[i].name)) r->rows[r->n++] = (rf_gate_row){.name = fa->b[i].name, .a = &fa->b[i], .b = b};
    }
    for (size_t i = 0; i < fb->n; i++)
        if (!rf_bench_find(fa, fb->b[i].name)) r->only_b++;
    if (r->n == 0) {
        free(peers);
        rf_gate_result_free(r);
        return rf_fail(err, errlen, "no benchmark is present in both %s (%zu) and %s (%zu)", fa->path, fa->n,
                       fb->path, fb->n);
    }

    /* the comparisons, then the family of p-values */
    double *p = calloc(2 * r->n, sizeof *p), *q = calloc(2 * r->n, sizeof *q);
    if (!p || !q) {
        free(p), free(q), free(peers);
        rf_gate_result_free(r);
        return rf_fail(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < r->n; i++) {
        rf_gate_row *row = &r->rows[i];
        row->scalar_change = NAN;
        if (is_machine(row->name)) { /* shown, never tested */
            row->overall = RF_V_INFO;
            row->time.base = median(r, row->a);
            row->time.cur = median(r, row->b);
            continue;
        }
        const double kt = instr ? 0 : kernel_threshold(row->name);
        row->threshold = kt > base_thr ? kt : base_thr;
        row->threshold_from_registry = kt > base_thr;
        if (cfg->time_gate) time_cmp(r, row);
        if (cfg->speedup_gate) speedup_cmp(r, row, fa, fb, &peers[2 * i], &peers[2 * i + 1]);
        r->ncomparisons += row->time.present + row->speedup.present;
    }
    for (size_t i = 0; i < r->n; i++) refine_speedup_p(r, &r->rows[i], peers[2 * i], peers[2 * i + 1]);
    for (size_t i = 0; i < r->n; i++) p[2 * i] = r->rows[i].time.present ? r->rows[i].time.p : NAN,
                                      p[2 * i + 1] = r->rows[i].speedup.present ? r->rows[i].speedup.p : NAN;
    if (!rf_bh_qvalues(p, 2 * r->n, q)) {
        free(p), free(q), free(peers);
        rf_gate_result_free(r);
        return rf_fail(err, errlen, "out of memory");
    }
    double *tr = calloc(r->n, sizeof *tr), *sr = calloc(r->n, sizeof *sr);
    size_t ntr = 0, nsr = 0;
    for (size_t i = 0; i < r->n; i++) {
        rf_gate_row *row = &r->rows[i];
        if (row->overall == RF_V_INFO) continue;
        row->time.q = q[2 * i];
        row->speedup.q = q[2 * i + 1];
        mds(r, row, peers[2 * i], peers[2 * i + 1]);
        row->time.v = judge_cmp(r, &row->time, row->threshold);
        row->speedup.v = judge_cmp(r, &row->speedup, row->threshold);
        row->overall = combine(row->time.v, row->speedup.v);
        r->nblind += (row->time.present && row->time.mds > row->threshold) +
                     (row->speedup.present && row->speedup.mds > row->threshold);
        if (tr && row->time.present) tr[ntr++] = row->time.cur / row->time.base;
        if (sr && row->speedup.present) sr[nsr++] = row->speedup.cur / row->speedup.base;
    }
    r->geomean_time = tr ? rf_stat_geomean(tr, ntr) : NAN;
    r->geomean_speedup = sr ? rf_stat_geomean(sr, nsr) : NAN;
    free(tr), free(sr), free(p), free(q), free(peers);
    r->too_noisy = !instr && 2 * r->nblind > r->ncomparisons;
    count(r);

    environment_warnings(r, fa, fb);
    if (fa->error_rows || fb->error_rows)
        warn(r, "skipped %zu baseline and %zu current rows reporting an error", fa->error_rows, fb->error_rows);
    return true;
}

void rf_gate_result_free(rf_gate_result *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}

int rf_gate_exit_code(const rf_gate_result *r)
{
    if (r->nreg) return 1;
    return r->too_noisy ? 2 : 0;
}

const char **rf_gate_flagged(const rf_gate_result *r, size_t *n)
{
    const char **names = malloc((r->n ? r->n : 1) * sizeof *names);
    *n = 0;
    for (size_t i = 0; names && i < r->n; i++)
        if (r->rows[i].overall == RF_V_REGRESSED) names[(*n)++] = r->rows[i].name;
    return names;
}

void rf_gate_apply_confirmation(rf_gate_result *r, const rf_gate_result *confirm)
{
    for (size_t i = 0; i < r->n; i++) {
        rf_gate_row *row = &r->rows[i];
        if (row->overall != RF_V_REGRESSED) continue;
        const rf_gate_row *c = NULL;
        for (size_t j = 0; j < confirm->n && !c; j++)
            if (!strcmp(confirm->rows[j].name, row->name)) c = &confirm->rows[j];
        if (!c) continue; /* not re-measured: the first verdict stands */
        row->confirm_ran = true;
        row->a = c->a;
        row->b = c->b;
        row->time = c->time;
        row->speedup = c->speedup;
        row->scalar_change = c->scalar_change;
        row->overall = c->overall == RF_V_REGRESSED ? RF_V_REGRESSED : RF_V_UNCHANGED;
    }
    count(r);
}
