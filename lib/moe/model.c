/* The k-MoE model of seed 001 eq. (1), its counter-based generator, the experiment presets and
 * RegressorFit (seed 001 eq. 11); contract in refast/moe.h.
 *
 * Random-number layout (version "moe-v1"; the generator's files record it, so a change here must
 * change that name). Every number comes from the scalar (ref) Philox generators of refast/rng.h,
 * never the dispatching ones, so the output is the same at every ISA level. Streams:
 *   MOE_STREAM_A   gaussian i*d + j     -> a_i before normalisation (sphere regressors)
 *   MOE_STREAM_W   gaussian i*d + j     -> w_i before projection / normalisation
 *   MOE_STREAM_MU1 gaussian j           -> mu1 before normalisation (GMM input)
 *   MOE_STREAM_MU2 gaussian j           -> mu2
 *   MOE_STREAM_X   gaussians i*G .. i*G + d, G = 4 ceil((d+1)/4): the d coordinates of the noise
 *                  of x_i, then eps_i (G rounds up to whole Philox blocks, so samples share none)
 *   MOE_STREAM_U   words 4i .. 4i+3: (w0, w1) -> u_z, (w2, w3) -> u_c, 53-bit uniforms in [0, 1)
 * so sample i reads only counters derived from (seed, i). Gaussians are the float Box–Muller
 * values of refast/rng.h widened to double: x lives on the float grid and |x_j| < 5.8 (the
 * smallest u1 is 2^-24), which biases moments by far less than any sampling error at n <= 10^10.
 *
 * Sample i: c = (u_c < p) ? mu1 : mu2 (GMM input only), x = c + N(0, I);
 * z = the first i with u_z < p_0(x) + ... + p_i(x) (inverse CDF of softmax(<w_i, x>), k-1 when
 * rounding leaves u_z above the last partial sum); y = g(<a_z, x>) + sigma eps.
 *
 * Orthogonal gating: a_1..a_k span a k-dimensional space (almost surely, and we check it); each
 * w_i (i < k-1) is a gaussian vector with that span projected out (Gram–Schmidt against an
 * orthonormal basis of span{a}, done twice for stability), normalised, times w_norm. The k-1
 * gating vectors are linearly independent (almost surely) only if they fit in the complement,
 * d - k >= k - 1, so we require 2k - 1 <= d (seed 001 §1 "2k - 1 < d"; Assumption 3 asks for
 * linearly independent a_i and w_i orthogonal to their span). The basis layout w_i = e_{k+i}
 * (seed 003 §4, 0-based: rows 0..k-2 use coordinates k..2k-2) needs the same 2k - 1 <= d.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moe/model.h"
#include "refast/rng.h"

#define MOE_STREAM(tag) ((uint64_t)0x6d6f6500u << 32 | (uint64_t)(tag)) /* "moe\0" | tag */
#define MOE_STREAM_A MOE_STREAM(1)
#define MOE_STREAM_W MOE_STREAM(2)
#define MOE_STREAM_MU1 MOE_STREAM(3)
#define MOE_STREAM_MU2 MOE_STREAM(4)
#define MOE_STREAM_X MOE_STREAM(16)
#define MOE_STREAM_U MOE_STREAM(17)

/* ---- parameters ------------------------------------------------------------------------------ */

static void gauss_vec(uint64_t seed, uint64_t stream, uint64_t first, unsigned n, double *out)
{
    float buf[RF_MOE_MAX_D];
    gauss_f32_ref(seed, stream, first, n, buf);
    for (unsigned j = 0; j < n; j++) out[j] = (double)buf[j];
}

static double dot(const double *a, const double *b, unsigned d)
{
    double s = 0;
    for (unsigned j = 0; j < d; j++) s += a[j] * b[j];
    return s;
}

static bool normalise(double *v, unsigned d, double scale)
{
    const double nrm = sqrt(dot(v, v, d));
    if (!(nrm > 0) || !isfinite(nrm)) return false;
    for (unsigned j = 0; j < d; j++) v[j] *= scale / nrm;
    return true;
}

/* v -= sum_r <q_r, v> q_r over the orthonormal rows q_0..q_{m-1}, twice ("twice is enough"). */
static void project_out(const double *Q, unsigned m, unsigned d, double *v)
{
    for (int pass = 0; pass < 2; pass++)
        for (unsigned r = 0; r < m; r++) {
            const double c = dot(Q + (size_t)r * d, v, d);
            for (unsigned j = 0; j < d; j++) v[j] -= c * Q[(size_t)r * d + j];
        }
}

static bool check_spec(const rf_moe_spec *s, char *err, size_t errlen)
{
    if (s->k < 2) return snprintf(err, errlen, "k = %u: a mixture needs k >= 2 experts", s->k), false;
    if (s->d > RF_MOE_MAX_D)
        return snprintf(err, errlen, "d = %u exceeds the limit %d", s->d, RF_MOE_MAX_D), false;
    if (s->k > s->d)
        return snprintf(err, errlen, "k = %u exceeds d = %u (the regressors must be linearly independent)",
                        s->k, s->d),
               false;
    if ((unsigned)s->g >= RF_MOE_G_COUNT) return snprintf(err, errlen, "unknown non-linearity %d", (int)s->g), false;
    if (!(s->sigma > 0) || !isfinite(s->sigma))
        return snprintf(err, errlen, "sigma = %g: must be finite and > 0", s->sigma), false;
    if (s->input != RF_MOE_X_GAUSS && s->input != RF_MOE_X_GMM)
        return snprintf(err, errlen, "unknown input distribution %d", (int)s->input), false;
    if (s->input == RF_MOE_X_GMM && !(s->gmm_p > 0 && s->gmm_p < 1))
        return snprintf(err, errlen, "gmm p = %g: must lie in (0, 1)", s->gmm_p), false;
    if (s->regressors != RF_MOE_A_SPHERE && s->regressors != RF_MOE_A_BASIS)
        return snprintf(err, errlen, "unknown regressor layout %d", (int)s->regressors), false;
    if (s->gating != RF_MOE_W_ORTHOGONAL && s->gating != RF_MOE_W_UNRESTRICTED && s->gating != RF_MOE_W_BASIS)
        return snprintf(err, errlen, "unknown gating layout %d", (int)s->gating), false;
    if (!(s->w_norm >= 0) || !isfinite(s->w_norm))
        return snprintf(err, errlen, "w-norm = %g: must be finite and >= 0", s->w_norm), false;
    if (s->gating != RF_MOE_W_UNRESTRICTED && 2 * s->k - 1 > s->d)
        return snprintf(err, errlen, "%s gating needs 2k - 1 <= d (k regressors + k - 1 gating directions), "
                        "got k = %u, d = %u", s->gating == RF_MOE_W_BASIS ? "basis" : "orthogonal", s->k, s->d),
               false;
    return true;
}

bool rf_moe_model_make(const rf_moe_spec *s, rf_moe_model *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    if (!check_spec(s, err, errlen)) return false;
    const unsigned k = s->k, d = s->d;
    m->spec = *s;
    m->A = calloc((size_t)k * d, sizeof *m->A);
    m->W = calloc((size_t)k * d, sizeof *m->W);
    double *Q = calloc((size_t)k * d, sizeof *Q);
    if (s->input == RF_MOE_X_GMM) {
        m->mu1 = calloc(d, sizeof *m->mu1);
        m->mu2 = calloc(d, sizeof *m->mu2);
    }
    if (!m->A || !m->W || !Q || (s->input == RF_MOE_X_GMM && (!m->mu1 || !m->mu2))) {
        free(Q);
        rf_moe_model_free(m);
        return snprintf(err, errlen, "out of memory"), false;
    }
    bool ok = true;
    for (unsigned i = 0; i < k && ok; i++) {
        double *a = m->A + (size_t)i * d;
        if (s->regressors == RF_MOE_A_BASIS) a[i] = 1;
        else {
            gauss_vec(s->seed, MOE_STREAM_A, (uint64_t)i * d, d, a);
            ok = normalise(a, d, 1);
        }
        /* orthonormal basis of span{a} for the orthogonal gating */
        double *q = Q + (size_t)i * d;
        memcpy(q, a, d * sizeof *q);
        project_out(Q, i, d, q);
        if (ok && !(sqrt(dot(q, q, d)) > 1e-8)) ok = false; /* a_i (nearly) in span of the others */
        if (ok) normalise(q, d, 1);
    }
    if (!ok) {
        free(Q);
        rf_moe_model_free(m);
        return snprintf(err, errlen, "seed %llu: the drawn regressors are (nearly) linearly dependent",
                        (unsigned long long)s->seed), false;
    }
    for (unsigned i = 0; i + 1 < k && ok; i++) {
        double *w = m->W + (size_t)i * d;
        switch (s->gating) {
        case RF_MOE_W_BASIS: w[k + i] = s->w_norm; break;
        case RF_MOE_W_UNRESTRICTED:
            gauss_vec(s->seed, MOE_STREAM_W, (uint64_t)i * d, d, w);
            ok = normalise(w, d, 1);
            for (unsigned j = 0; j < d; j++) w[j] *= s->w_norm;
            break;
        default:
            gauss_vec(s->seed, MOE_STREAM_W, (uint64_t)i * d, d, w);
            project_out(Q, k, d, w);
            ok = normalise(w, d, 1);
            for (unsigned j = 0; j < d; j++) w[j] *= s->w_norm;
            break;
        }
    }
    free(Q);
    if (ok && s->input == RF_MOE_X_GMM) {
        gauss_vec(s->seed, MOE_STREAM_MU1, 0, d, m->mu1);
        gauss_vec(s->seed, MOE_STREAM_MU2, 0, d, m->mu2);
        ok = normalise(m->mu1, d, 1) && normalise(m->mu2, d, 1);
    }
    if (!ok) {
        rf_moe_model_free(m);
        return snprintf(err, errlen, "seed %llu: a drawn direction vanished", (unsigned long long)s->seed), false;
    }
    return true;
}

void rf_moe_model_free(rf_moe_model *m)
{
    free(m->A);
    free(m->W);
    free(m->mu1);
    free(m->mu2);
    m->A = m->W = m->mu1 = m->mu2 = NULL;
}

/* ---- samples --------------------------------------------------------------------------------- */

static double uniform53(uint32_t hi, uint32_t lo)
{
    return (double)(((uint64_t)(hi >> 5) << 26) | (lo >> 6)) * 0x1p-53;
}

void rf_moe_gate_probs(const rf_moe_model *m, const double *x, double *out)
{
    const unsigned k = m->spec.k, d = m->spec.d;
    double mx = 0; /* logit of expert k-1 (w = 0) */
    for (unsigned i = 0; i + 1 < k; i++) {
        out[i] = dot(m->W + (size_t)i * d, x, d);
        if (out[i] > mx) mx = out[i];
    }
    out[k - 1] = 0;
    double s = 0;
    for (unsigned i = 0; i < k; i++) {
        out[i] = exp(out[i] - mx); /* max subtracted: no overflow, the largest term is 1 */
        s += out[i];
    }
    for (unsigned i = 0; i < k; i++) out[i] /= s;
}

void rf_moe_sample(const rf_moe_model *m, uint64_t i0, size_t n, double *x, double *y, uint32_t *z)
{
    const unsigned k = m->spec.k, d = m->spec.d;
    const uint64_t G = 4 * (((uint64_t)d + 1 + 3) / 4);
    const uint64_t seed = m->spec.seed;
    float g[RF_MOE_MAX_D + 1];
    double p[RF_MOE_MAX_D];
    for (size_t r = 0; r < n; r++) {
        const uint64_t i = i0 + r;
        double *xi = x + r * d;
        uint32_t w[4];
        gauss_f32_ref(seed, MOE_STREAM_X, i * G, d + 1, g);
        philox_u32_ref(seed, MOE_STREAM_U, 4 * i, 4, w);
        const double uz = uniform53(w[0], w[1]), uc = uniform53(w[2], w[3]);
        const double *c = NULL;
        if (m->spec.input == RF_MOE_X_GMM) c = uc < m->spec.gmm_p ? m->mu1 : m->mu2;
        for (unsigned j = 0; j < d; j++) xi[j] = (c ? c[j] : 0) + (double)g[j];
        rf_moe_gate_probs(m, xi, p);
        unsigned zi = k - 1;
        double cum = 0;
        for (unsigned e = 0; e + 1 < k; e++) {
            cum += p[e];
            if (uz < cum) {
                zi = e;
                break;
            }
        }
        y[r] = rf_moe_g_eval(m->spec.g, dot(m->A + (size_t)zi * d, xi, d)) + m->spec.sigma * (double)g[d];
        if (z) z[r] = zi;
    }
}

/* ---- presets --------------------------------------------------------------------------------- */

typedef struct preset {
    const char *name;
    unsigned k, d;
    double sigma;
    rf_moe_input input;
    double gmm_p;
    rf_moe_regressors regressors;
    rf_moe_gating gating;
    uint64_t n;
} preset;

/* Linear g and ||w_i|| = 1 throughout (seed 001 §4: "labels ... for linear activation", w on the
 * unit sphere; seed 003 §4: g = Id, w_i = e_{k+i}). */
static const preset presets[] = {
    /* seed 001 §4.1: GMM inputs, w uniform on S^9, a_i uniform on the sphere */
    {"001-gmm-p0.1", 2, 10, 0.1, RF_MOE_X_GMM, 0.1, RF_MOE_A_SPHERE, RF_MOE_W_UNRESTRICTED, 2000},
    {"001-gmm-p0.3", 2, 10, 0.1, RF_MOE_X_GMM, 0.3, RF_MOE_A_SPHERE, RF_MOE_W_UNRESTRICTED, 2000},
    {"001-gmm-p0.5", 2, 10, 0.1, RF_MOE_X_GMM, 0.5, RF_MOE_A_SPHERE, RF_MOE_W_UNRESTRICTED, 2000},
    {"001-gmm-p0.7", 2, 10, 0.1, RF_MOE_X_GMM, 0.7, RF_MOE_A_SPHERE, RF_MOE_W_UNRESTRICTED, 2000},
    {"001-gmm-p0.9", 2, 10, 0.1, RF_MOE_X_GMM, 0.9, RF_MOE_A_SPHERE, RF_MOE_W_UNRESTRICTED, 2000},
    /* seed 001 §4.2 (table 2): Gaussian x, orthogonal vs unrestricted w */
    {"001-orth", 2, 10, 0.1, RF_MOE_X_GAUSS, 0, RF_MOE_A_SPHERE, RF_MOE_W_ORTHOGONAL, 2000},
    {"001-nonorth", 2, 10, 0.1, RF_MOE_X_GAUSS, 0, RF_MOE_A_SPHERE, RF_MOE_W_UNRESTRICTED, 2000},
    /* seed 001 §4.3 (figure 3b, 3c): joint-EM comparison */
    {"001-joint-k3", 3, 10, 0.5, RF_MOE_X_GAUSS, 0, RF_MOE_A_SPHERE, RF_MOE_W_UNRESTRICTED, 8000},
    {"001-joint-k4", 4, 10, 0.5, RF_MOE_X_GAUSS, 0, RF_MOE_A_SPHERE, RF_MOE_W_UNRESTRICTED, 8000},
    /* seed 003 §4: a_i = e_i, w_i = e_{k+i}, g = Id; the seed gives no n (SGD on fresh batches of
     * 1024): 10^5 is our choice */
    {"003-l4", 3, 10, 0.05, RF_MOE_X_GAUSS, 0, RF_MOE_A_BASIS, RF_MOE_W_BASIS, 100000},
};
#define NPRESETS (sizeof presets / sizeof presets[0])

const char *const rf_moe_preset_names[] = {
    "001-gmm-p0.1", "001-gmm-p0.3", "001-gmm-p0.5", "001-gmm-p0.7", "001-gmm-p0.9", "001-orth",
    "001-nonorth",  "001-joint-k3", "001-joint-k4", "003-l4",       NULL,
};

bool rf_moe_preset(const char *name, rf_moe_spec *s, uint64_t *n, char *err, size_t errlen)
{
    for (size_t i = 0; i < NPRESETS; i++) {
        const preset *p = &presets[i];
        if (strcmp(name, p->name) != 0) continue;
        memset(s, 0, sizeof *s);
        s->k = p->k;
        s->d = p->d;
        s->g = RF_MOE_G_LINEAR;
        s->sigma = p->sigma;
        s->input = p->input;
        s->gmm_p = p->gmm_p;
        s->regressors = p->regressors;
        s->gating = p->gating;
        s->w_norm = 1;
        s->seed = 1;
        if (n) *n = p->n;
        return true;
    }
    char list[512] = "";
    for (size_t i = 0; i < NPRESETS; i++) {
        const size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", presets[i].name);
    }
    snprintf(err, errlen, "unknown preset '%s' (%s)", name, list);
    return false;
}

/* ---- RegressorFit ---------------------------------------------------------------------------- */

/* C[i][j] = |<a_i, a*_j>| / (||a_i|| ||a*_j||), 0 when a row vanishes. */
static void abs_cosines(const double *A, const double *At, unsigned k, unsigned d, double *C)
{
    for (unsigned i = 0; i < k; i++)
        for (unsigned j = 0; j < k; j++) {
            const double *a = A + (size_t)i * d, *b = At + (size_t)j * d;
            const double na = sqrt(dot(a, a, d)), nb = sqrt(dot(b, b, d));
            C[(size_t)i * k + j] = na > 0 && nb > 0 ? fabs(dot(a, b, d)) / (na * nb) : 0;
        }
}

/* Exhaustive: every permutation by Heap's algorithm; perm[j] = the learnt row matched to a*_j. */
static double fit_exhaustive(const double *C, unsigned k)
{
    unsigned perm[8], cnt[8] = {0};
    for (unsigned j = 0; j < k; j++) perm[j] = j;
    double best = -1;
    for (unsigned t = 0;;) {
        double mn = INFINITY;
        for (unsigned j = 0; j < k; j++) mn = fmin(mn, C[(size_t)perm[j] * k + j]);
        best = fmax(best, mn);
        while (t < k && cnt[t] >= t) cnt[t++] = 0;
        if (t >= k) break;
        const unsigned sw = (t % 2) ? cnt[t] : 0, tmp = perm[sw];
        perm[sw] = perm[t];
        perm[t] = tmp;
        cnt[t]++;
        t = 1;
    }
    return best;
}

/* Kuhn's augmenting path for the bipartite graph {(i, j): C[i][j] >= thr}. */
static bool augment(const double *C, unsigned k, double thr, unsigned i, unsigned char *seen, int *match)
{
    for (unsigned j = 0; j < k; j++) {
        if (seen[j] || C[(size_t)i * k + j] < thr) continue;
        seen[j] = 1;
        if (match[j] < 0 || augment(C, k, thr, (unsigned)match[j], seen, match)) {
            match[j] = (int)i;
            return true;
        }
    }
    return false;
}

static bool perfect_matching(const double *C, unsigned k, double thr, unsigned char *seen, int *match)
{
    for (unsigned j = 0; j < k; j++) match[j] = -1;
    for (unsigned i = 0; i < k; i++) {
        memset(seen, 0, k);
        if (!augment(C, k, thr, i, seen, match)) return false;
    }
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Bottleneck assignment for k > 8: the largest entry t of C such that the entries >= t contain a
 * perfect matching (binary search over the sorted entries). Same value as the exhaustive max-min. */
static double fit_bottleneck(const double *C, unsigned k)
{
    const size_t kk = (size_t)k * k;
    double *v = malloc(kk * sizeof *v);
    unsigned char *seen = malloc(k);
    int *match = malloc(k * sizeof *match);
    double res = NAN;
    if (v && seen && match) {
        memcpy(v, C, kk * sizeof *v);
        qsort(v, kk, sizeof *v, cmp_double);
        size_t lo = 0, hi = kk - 1; /* v[lo] always admits a matching (every entry >= v[0]) */
        while (lo < hi) {
            const size_t mid = lo + (hi - lo + 1) / 2;
            if (perfect_matching(C, k, v[mid], seen, match)) lo = mid;
            else hi = mid - 1;
        }
        res = v[lo];
    }
    free(v);
    free(seen);
    free(match);
    return res;
}

double rf_moe_regressor_fit(const double *A, const double *A_true, unsigned k, unsigned d)
{
    if (k == 0) return NAN;
    double *C = malloc((size_t)k * k * sizeof *C);
    if (!C) return NAN;
    abs_cosines(A, A_true, k, d, C);
    const double f = k <= 8 ? fit_exhaustive(C, k) : fit_bottleneck(C, k);
    free(C);
    return f;
}
