/* The seed's synthetic data model (synth.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/prng.h"
#include "pmoe/synth.h"

void rf_pmoe_synth_defaults(rf_pmoe_synth_cfg *cfg)
{
    cfg->n = 16;
    cfg->d = 784;
    cfg->p = 8;
    cfg->grid_w = 4;
    cfg->delta_d = 0.5;
    cfg->delta_r = 0.5;
    cfg->radius = 1;
    cfg->norm = 1;
}

void rf_pmoe_synth_free(rf_pmoe_synth *m)
{
    free(m->o1);
    free(m->o2);
    free(m->u);
    free(m->centre);
    memset(m, 0, sizeof *m);
}

static double dot(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++) s += a[i] * b[i];
    return s;
}

static void scale(double *v, size_t d, double s)
{
    for (size_t i = 0; i < d; i++) v[i] *= s;
}

/* A Gaussian vector made orthogonal to the `k` unit vectors in `basis` (two Gram-Schmidt passes, so
 * rounding leaves no visible component) and scaled to unit length. */
static void random_orthogonal_unit(rf_pmoe_rng *r, double *v, size_t d, const double *const *basis, size_t k)
{
    for (;;) {
        for (size_t i = 0; i < d; i++) v[i] = rf_pmoe_rng_gauss(r);
        for (int pass = 0; pass < 2; pass++)
            for (size_t b = 0; b < k; b++) {
                const double c = dot(v, basis[b], d);
                for (size_t i = 0; i < d; i++) v[i] -= c * basis[b][i];
            }
        const double len = sqrt(dot(v, v, d));
        if (len > 1e-6) {
            scale(v, d, 1 / len);
            return;
        }
    }
}

int rf_pmoe_synth_make(const rf_pmoe_synth_cfg *cfg, uint64_t seed, rf_pmoe_synth *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    const char *why = NULL;
    if (cfg->n < 1 || cfg->n > 4096) why = "n must be in 1..4096";
    else if (cfg->d < 4 || cfg->d > (1u << 20)) why = "d must be in 4..2^20";
    else if (cfg->p < 1 || cfg->p > 4096) why = "p (pattern sets) must be in 1..4096";
    else if (cfg->grid_w < 1 || cfg->n % cfg->grid_w) why = "the grid width must divide n";
    else if (!(cfg->delta_d > -1 && cfg->delta_d < 1)) why = "delta_d must be in (-1, 1)";
    else if (!(cfg->delta_r >= 0 && cfg->delta_r < 1)) why = "delta_r must be in [0, 1)";
    else if (!(cfg->radius >= 0) || !isfinite(cfg->radius)) why = "radius must be finite and >= 0";
    else if (!(cfg->norm > 0) || !isfinite(cfg->norm)) why = "norm must be finite and > 0";
    if (why) {
        snprintf(err, errlen, "pmoe synthetic data: %s", why);
        return -1;
    }
    const size_t d = cfg->d;
    m->cfg = *cfg;
    m->seed = seed;
    m->o1 = malloc(d * sizeof *m->o1), m->o2 = malloc(d * sizeof *m->o2), m->u = malloc(d * sizeof *m->u);
    m->centre = malloc(cfg->p * d * sizeof *m->centre);
    if (!m->o1 || !m->o2 || !m->u || !m->centre) {
        rf_pmoe_synth_free(m);
        snprintf(err, errlen, "pmoe synthetic data: out of memory");
        return -1;
    }
    rf_pmoe_rng r;
    rf_pmoe_rng_init(&r, seed, rf_pmoe_stream(RF_PMOE_STREAM_PATTERNS, 0, 0));
    random_orthogonal_unit(&r, m->o1, d, NULL, 0);
    const double *b1[1] = {m->o1};
    random_orthogonal_unit(&r, m->u, d, b1, 1);
    const double s = sqrt(1 - cfg->delta_d * cfg->delta_d);
    for (size_t i = 0; i < d; i++) m->o2[i] = cfg->delta_d * m->o1[i] + s * m->u[i];
    const double *b2[2] = {m->o1, m->u};
    for (size_t c = 0; c < cfg->p; c++) {
        double *q = m->centre + c * d;
        random_orthogonal_unit(&r, q, d, b2, 2);
        const double rc = cfg->delta_r * rf_pmoe_rng_uniform(&r), t = 6.283185307179586 * rf_pmoe_rng_uniform(&r);
        const double a = sqrt(1 - rc * rc);
        for (size_t i = 0; i < d; i++) q[i] = a * q[i] + rc * (cos(t) * m->o1[i] + sin(t) * m->u[i]);
    }
    return 0;
}

int rf_pmoe_synth_sample(const rf_pmoe_synth *m, size_t count, uint64_t base, rf_pmoe_dataset *out, char *err,
                         size_t errlen)
{
    const rf_pmoe_synth_cfg *cfg = &m->cfg;
    const size_t n = cfg->n, d = cfg->d;
    if (count >= 0xfffffff0u) {
        snprintf(err, errlen, "pmoe synthetic data: %zu samples is too many", count);
        return -1;
    }
    if (rf_pmoe_dataset_alloc(out, count, n, d, cfg->grid_w, 0, err, errlen)) return -1;
    double *v = malloc(d * sizeof *v);
    if (!v) {
        rf_pmoe_dataset_free(out);
        snprintf(err, errlen, "pmoe synthetic data: out of memory");
        return -1;
    }
    const double ball = cfg->radius * sqrt((1 - cfg->delta_r * cfg->delta_r) / ((double)d * (double)(cfg->p * cfg->p)));
    for (size_t i = 0; i < count; i++) {
        rf_pmoe_rng r;
        rf_pmoe_rng_init(&r, m->seed, base | (uint32_t)i);
        const int positive = (i & 1) == 0;
        const size_t pos = rf_pmoe_rng_below(&r, (uint32_t)n);
        out->y[i] = positive ? 1 : -1;
        out->disc[i] = (int32_t)pos;
        for (size_t j = 0; j < n; j++) {
            float *dst = out->f32 + (i * n + j) * d;
            if (j == pos) {
                const double *o = positive ? m->o1 : m->o2;
                for (size_t k = 0; k < d; k++) dst[k] = (float)(cfg->norm * o[k]);
                continue;
            }
            const double *q = m->centre + rf_pmoe_rng_below(&r, (uint32_t)cfg->p) * d;
            const double *basis[3] = {m->o1, m->u, q};
            random_orthogonal_unit(&r, v, d, basis, 3);
            const double len = ball * rf_pmoe_rng_uniform(&r);
            const double norm = sqrt(1 + len * len); /* |q + xi| with xi orthogonal to the unit q */
            for (size_t k = 0; k < d; k++) dst[k] = (float)(cfg->norm * (q[k] + len * v[k]) / norm);
        }
    }
    free(v);
    return 0;
}
