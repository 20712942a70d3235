/* Gaussian moments M(p,j) = E[g(Z)^p He_j(Z)] and the CQT polynomial transforms of SPEC §5.2
 * (seed 001 appendix C, seed 000 appendix B with the SPEC §9 errata).
 *
 * Every transform T(y) = sum_{q<=D} t_q y^q (t_D = 1) enters only through
 *     S(Z) = E[T(y) | Z] = sum_q t_q m_q(g(Z)),   y | Z ~ N(g(Z), sigma^2),
 * with the conditional moments m_0 = 1, m_1 = g, m_2 = g^2 + s^2, m_3 = g^3 + 3 s^2 g and
 * m_4 = g^4 + 6 s^2 g^2 + 3 s^4 (E[eps^4] = 3: SPEC §9). Each m_q is a polynomial in g, so
 *     A(q,j) = E[m_q(g(Z)) He_j(Z)] = sum_p m_q[p] M(p,j),
 * and the conditions E[S He_j] = 0 for j = 1 .. D-1 are the linear system
 *     sum_{q=1}^{D-1} A(q,j) t_q = -A(D,j),
 * D = 3 for P3, 2 for P2 and Q2, 4 for Q4. (t_0 does not enter: A(0,j) = E[He_j] = 0 for j >= 1.)
 * The constant t_0 = -sum_{q>=1} t_q A(q,0) makes E[S] = 0, and the c-constant is
 * c = E[S He_D] = sum_q t_q A(q,D).
 *
 * Refusing a g honestly. The system is rescaled so that entry (j,q) is the correlation
 * corr(m_q(g(Z)), He_j(Z)) = A(q,j) / (std(m_q(g(Z))) sqrt(j!)), which lies in [-1, 1] whatever
 * the scale of g and sigma. Its infinity-norm condition number kappa is computed exactly from the
 * explicit inverse (the systems are at most 3 x 3). kappa > 1e8 is refused as singular: SPEC
 * §5.2 only asks the moments to be accurate to 1e-12 (ours: ~1e-18, see below), and with errors
 * of 1e-12 .. 1e-13 a kappa beyond 1e8 leaves the coefficients fewer than ~4-5 significant
 * digits; any sampling noise in the moment tensors built from them is amplified by the same kappa.
 * A column whose m_q(g(Z)) has a centred variance below 1e-10 of the terms that cancel in it is
 * numerically constant (a constant g, or y^q that does not see Z) and is refused before kappa is
 * formed.
 * The c-constant is judged by corr(S, He_D) = c / (std(S) sqrt(D!)), in [-1, 1] by Cauchy–Schwarz:
 * |corr| < 1e-6 is refused as a vanishing constant, because the tensor the transform isolates is c
 * times the signal while its sample fluctuation scales with std(S): at corr = 1e-6 the signal needs
 * ~1e12 samples per unit of noise, and below ~1e-12 it cannot even be told from moment errors.
 * Measured for the five g of the enum: sigma in [0.05, 1] gives kappa <= 290 (Q4; P3 <= 11.2,
 * P2 and Q2 are 1 x 1) and |corr| >= 0.199, far from both limits. For large sigma kappa of Q4
 * grows like sigma^2 (the y^3 and y columns align as m_3 -> 3 s^2 g), so an absurd noise level
 * is refused too: sigmoid from sigma ~ 670, relu ~ 1100, leaky_relu ~ 1160, tanh ~ 1450,
 * linear ~ 6400.
 *
 * Gauss–Hermite for sigmoid and tanh: RF_MOE_GH_NODES = 400 nodes, the rule computed once per
 * process. The poles at distance pi (sigmoid) and pi/2 (tanh) from the real axis set the
 * convergence; measured max |dM(p,j)| over p <= 8, j <= 4 against 800 nodes: tanh 2.2e-11 at 200
 * nodes, 1.7e-13 at 256, 6e-17 at 360, 3.3e-18 at 400; sigmoid is at ~2e-18 from 100 nodes on.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cqt_internal.h"
#include "moe/cqt.h"

/* He_j(z) = sum_k HE[j][k] z^k (He_{j+1} = z He_j - j He_{j-1}). */
static const long double HE[RF_MOE_MAX_J + 1][RF_MOE_MAX_J + 1] = {
    {1, 0, 0, 0, 0},
    {0, 1, 0, 0, 0},
    {-1, 0, 1, 0, 0},
    {0, -3, 0, 1, 0},
    {3, 0, -6, 0, 1},
};
static const long double FACTORIAL[RF_MOE_MAX_J + 1] = {1, 1, 2, 6, 24};

/* ---- closed forms for piecewise-linear g ------------------------------------------------------ */

/* (q-1)!! with (-1)!! = 1: E[Z^q] for even q. */
static long double odd_double_factorial(unsigned q)
{
    long double r = 1;
    for (int k = (int)q - 1; k > 1; k -= 2) r *= (long double)k;
    return r;
}

/* E[Z^q 1{Z > 0}] = E|Z|^q / 2 = (q-1)!!/2 * (sqrt(2/pi) if q is odd, else 1). */
static long double half_normal_moment(unsigned q)
{
    const long double sqrt_2_over_pi = sqrtl(2.0L / acosl(-1.0L));
    return odd_double_factorial(q) / 2 * (q % 2 ? sqrt_2_over_pi : 1.0L);
}

/* M(p,j) for linear, relu and leaky_relu, expanded through He_j's monomials:
 *   linear      E[Z^(p+k)]
 *   relu        E[Z^(p+k) 1{Z>0}]                                         (p >= 1)
 *   leaky_relu  E[Z^(p+k) 1{Z>0}] + 0.01^p E[Z^(p+k) 1{Z<0}], the latter = (-1)^(p+k) of the former. */
static long double closed_form_moment(rf_moe_g g, unsigned p, unsigned j)
{
    if (p == 0) return j == 0 ? 1.0L : 0.0L; /* E[He_j] = 0 for j >= 1, whatever g */
    long double sum = 0;
    for (unsigned k = 0; k <= j; k++) {
        if (HE[j][k] == 0) continue;
        const unsigned q = p + k;
        long double e;
        if (g == RF_MOE_G_LINEAR) e = q % 2 ? 0.0L : odd_double_factorial(q);
        else if (g == RF_MOE_G_RELU) e = half_normal_moment(q);
        else e = half_normal_moment(q) * (1 + powl(0.01L, (long double)p) * (q % 2 ? -1 : 1));
        sum += HE[j][k] * e;
    }
    return sum;
}

/* ---- Gauss–Hermite for smooth g ----------------------------------------------------------------- */

/* g in long double, for quadrature. */
static long double g_eval_long(rf_moe_g g, long double z)
{
    switch (g) {
    case RF_MOE_G_LINEAR:
        return z;
    case RF_MOE_G_RELU:
        return z < 0 ? 0.0L : z;
    case RF_MOE_G_LEAKY_RELU:
        return z < 0 ? 0.01L * z : z;
    case RF_MOE_G_SIGMOID:
        if (z >= 0) return 1.0L / (1.0L + expl(-z));
        return expl(z) / (1.0L + expl(z));
    case RF_MOE_G_TANH:
        return tanhl(z);
    case RF_MOE_G_COUNT:
        break;
    }
    return NAN;
}

/* Number of eigenvalues below x of the Jacobi matrix of the probabilists' Hermite polynomials
 * (zero diagonal, off-diagonal entries sqrt(1), ..., sqrt(n-1)), by the Sturm sequence of its
 * LDL^T pivots. A zero pivot is nudged off zero (the count is then that of a nearby x). */
static unsigned sturm_count(unsigned n, long double x)
{
    unsigned below = 0;
    long double pivot = 1;
    for (unsigned i = 0; i < n; i++) {
        long double d = -x - (i ? (long double)i / pivot : 0.0L);
        if (d == 0) d = -LDBL_EPSILON * (1 + fabsl(x));
        if (d < 0) below++;
        pivot = d;
    }
    return below;
}

/* Orthonormal probabilists' Hermite polynomials p_n(x) and p_{n-1}(x):
 * p_{k+1} = (x p_k - sqrt(k) p_{k-1}) / sqrt(k+1), p_0 = 1; sq[k] = sqrt(k), isq[k] = 1/sqrt(k). */
static void hermite_orthonormal(unsigned n, const long double *sq, const long double *isq, long double x,
                                long double *pn, long double *pn1)
{
    long double prev = 0, cur = 1;
    for (unsigned k = 0; k < n; k++) {
        const long double next = (x * cur - sq[k] * prev) * isq[k + 1];
        prev = cur;
        cur = next;
    }
    *pn = cur;
    *pn1 = prev;
}

/* Newton on p_n from x0 (p_n' = sqrt(n) p_{n-1}); false if it does not settle. */
static bool newton_node(unsigned n, const long double *sq, const long double *isq, long double *x)
{
    long double xk = *x;
    for (int it = 0; it < 12; it++) {
        long double pn, pn1;
        hermite_orthonormal(n, sq, isq, xk, &pn, &pn1);
        const long double step = pn / (sq[n] * pn1);
        if (!isfinite(step)) return false;
        xk -= step;
        if (fabsl(step) <= 4 * LDBL_EPSILON * (1 + fabsl(xk))) {
            *x = xk;
            return true;
        }
    }
    return false;
}

/* The k-th eigenvalue (ascending, k >= n/2 so it is >= 0) by bisection on the Sturm count alone. */
static long double bisect_node(unsigned n, unsigned k, long double lo, long double hi)
{
    for (;;) {
        const long double mid = (lo + hi) / 2;
        if (mid <= lo || mid >= hi) return mid;
        if (sturm_count(n, mid) > k) hi = mid;
        else lo = mid;
    }
}

bool rf_moe_gh_rule(unsigned n, long double *x, long double *w)
{
    if (n == 0) return true;
    long double *sq = malloc((n + 1) * sizeof *sq), *isq = malloc((n + 1) * sizeof *isq);
    if (!sq || !isq) {
        free(sq);
        free(isq);
        return false;
    }
    for (unsigned k = 0; k <= n; k++) {
        sq[k] = sqrtl((long double)k);
        isq[k] = k ? 1 / sq[k] : 0;
    }
    const long double bound = 2 * sq[n] + 1; /* Gershgorin */
    /* Nodes are symmetric: find the upper half (eigenvalue index k >= n/2) in ascending order and
     * mirror it. Each node starts from the previous one plus the previous gap (gaps grow slowly
     * outwards), Newton finishes it, and two Sturm counts certify that the result is the k-th
     * eigenvalue to within 1e-9 (far inside its gap, >= ~pi / sqrt(2n + 1)). Whatever fails the
     * certificate is found by bisection instead. */
    const unsigned first = n / 2;
    for (unsigned k = first; k < n; k++) {
        long double xk = 0;
        if (!(n % 2 == 1 && k == first)) {
            const long double prev = k > first ? x[k - 1] : 0;
            bool ok = false;
            if (k >= first + 2 && (n % 2 == 0 || k >= first + 3)) {
                xk = 2 * prev - x[k - 2];
                const long double delta = 1e-9L * (1 + prev);
                ok = newton_node(n, sq, isq, &xk) && xk > prev && sturm_count(n, xk - delta) == k &&
                     sturm_count(n, xk + delta) == k + 1;
            }
            if (!ok) {
                xk = bisect_node(n, k, prev, bound);
                newton_node(n, sq, isq, &xk); /* polishes the last bits; keeps xk if it fails */
            }
        }
        x[k] = xk;
    }
    for (unsigned k = first; k < n; k++) {
        long double pn, pn1;
        hermite_orthonormal(n, sq, isq, x[k], &pn, &pn1);
        w[k] = 1 / ((long double)n * pn1 * pn1);
        x[n - 1 - k] = -x[k];
        w[n - 1 - k] = w[k];
    }
    free(sq);
    free(isq);
    return true;
}

static long double hermite_eval(unsigned j, long double z)
{
    long double r = 0;
    for (unsigned k = j + 1; k-- > 0;) r = r * z + HE[j][k];
    return r;
}

/* Fills t with Gauss–Hermite sums over the given rule. The mirrored nodes x and -x (equal
 * weights) are added together first, so that moments that vanish by symmetry (odd g with p + j
 * odd, E[He_j] for odd j) come out as exact zeros rather than rounding noise. */
void rf_moe_gh_table_rule(rf_moe_g g, unsigned n, const long double *x, const long double *w, rf_moe_moments *t)
{
    memset(t, 0, sizeof *t);
    for (unsigned i = n / 2; i < n; i++) {
        const bool middle = n % 2 == 1 && i == n / 2; /* the node 0 has no mirror */
        const long double xp = x[i], xm = x[n - 1 - i];
        const long double gpl = g_eval_long(g, xp), gmi = g_eval_long(g, xm);
        long double pp = 1, pm = 1; /* g(x)^p, g(-x)^p */
        for (unsigned p = 0; p <= RF_MOE_TABLE_P; p++) {
            for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) {
                const long double f = pp * hermite_eval(j, xp) + (middle ? 0 : pm * hermite_eval(j, xm));
                t->m[p][j] += w[i] * f;
            }
            pp *= gpl;
            pm *= gmi;
        }
    }
}

/* The production rule is computed once per process (about 15 ms for 400 nodes). */
static long double gh_cached_x[RF_MOE_GH_NODES], gh_cached_w[RF_MOE_GH_NODES];
static pthread_once_t gh_cached_once = PTHREAD_ONCE_INIT;

static void gh_cached_init(void)
{
    if (!rf_moe_gh_rule(RF_MOE_GH_NODES, gh_cached_x, gh_cached_w))
        for (unsigned i = 0; i < RF_MOE_GH_NODES; i++) gh_cached_w[i] = NAN; /* refused downstream */
}

bool rf_moe_gh_table(rf_moe_g g, unsigned n, rf_moe_moments *t)
{
    if ((unsigned)g >= RF_MOE_G_COUNT || n == 0) return false;
    if (n == RF_MOE_GH_NODES) {
        pthread_once(&gh_cached_once, gh_cached_init);
        rf_moe_gh_table_rule(g, n, gh_cached_x, gh_cached_w, t);
        return true;
    }
    long double *x = malloc(n * sizeof *x), *w = malloc(n * sizeof *w);
    const bool ok = x && w && rf_moe_gh_rule(n, x, w);
    if (ok) rf_moe_gh_table_rule(g, n, x, w, t);
    free(x);
    free(w);
    return ok;
}

void rf_moe_moment_table(rf_moe_g g, rf_moe_moments *t)
{
    if (g == RF_MOE_G_SIGMOID || g == RF_MOE_G_TANH) {
        rf_moe_gh_table(g, RF_MOE_GH_NODES, t);
        return;
    }
    for (unsigned p = 0; p <= RF_MOE_TABLE_P; p++)
        for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) t->m[p][j] = closed_form_moment(g, p, j);
}

double rf_moe_gauss_moment(rf_moe_g g, unsigned p, unsigned j)
{
    if ((unsigned)g >= RF_MOE_G_COUNT || p > RF_MOE_MAX_P || j > RF_MOE_MAX_J) return NAN;
    if (g == RF_MOE_G_SIGMOID || g == RF_MOE_G_TANH) {
        rf_moe_moments t;
        rf_moe_gh_table(g, RF_MOE_GH_NODES, &t);
        return (double)t.m[p][j];
    }
    return (double)closed_form_moment(g, p, j);
}

/* ---- the linear systems --------------------------------------------------------------------------- */

double rf_moe_poly(const double *coef, unsigned deg, double y)
{
    double r = coef[deg];
    for (unsigned q = deg; q-- > 0;) r = r * y + coef[q];
    return r;
}

/* Var(h(g(Z))) for h(g) = sum_{p<=4} a[p] g^p, as sum a_p a_p' Cov(g^p, g^p') so that the constant
 * term (often sigma-sized) never enters a cancellation. *scale gets the magnitude of the terms that
 * cancel, to judge whether the variance is resolved at all. */
static long double poly_variance(const long double a[5], const rf_moe_moments *t, long double *scale)
{
    long double var = 0, mag = 0;
    for (unsigned p = 1; p <= 4; p++)
        for (unsigned r = 1; r <= 4; r++) {
            const long double aa = a[p] * a[r];
            if (aa == 0) continue;
            var += aa * (t->m[p + r][0] - t->m[p][0] * t->m[r][0]);
            mag += fabsl(aa) * (fabsl(t->m[p + r][0]) + fabsl(t->m[p][0] * t->m[r][0]));
        }
    if (scale) *scale = mag;
    return var;
}

/* LU with partial pivoting of the n x n matrix a (n <= 3) in place; false on an exact zero pivot. */
static bool lu_factor(unsigned n, long double a[3][3], unsigned perm[3])
{
    for (unsigned i = 0; i < n; i++) perm[i] = i;
    for (unsigned c = 0; c < n; c++) {
        unsigned piv = c;
        for (unsigned r = c + 1; r < n; r++)
            if (fabsl(a[r][c]) > fabsl(a[piv][c])) piv = r;
        if (a[piv][c] == 0 || !isfinite(a[piv][c])) return false;
        if (piv != c) {
            for (unsigned k = 0; k < n; k++) {
                const long double tmp = a[c][k];
                a[c][k] = a[piv][k];
                a[piv][k] = tmp;
            }
            const unsigned tp = perm[c];
            perm[c] = perm[piv];
            perm[piv] = tp;
        }
        for (unsigned r = c + 1; r < n; r++) {
            a[r][c] /= a[c][c];
            for (unsigned k = c + 1; k < n; k++) a[r][k] -= a[r][c] * a[c][k];
        }
    }
    return true;
}

static void lu_solve(unsigned n, long double lu[3][3], const unsigned perm[3], const long double *b, long double *x)
{
    long double y[3];
    for (unsigned i = 0; i < n; i++) {
        y[i] = b[perm[i]];
        for (unsigned k = 0; k < i; k++) y[i] -= lu[i][k] * y[k];
    }
    for (unsigned i = n; i-- > 0;) {
        long double s = y[i];
        for (unsigned k = i + 1; k < n; k++) s -= lu[i][k] * x[k];
        x[i] = s / lu[i][i];
    }
}

/* kappa_inf(a) = ||a||_inf ||a^-1||_inf from the factorisation. */
static long double condition_inf(unsigned n, long double a[3][3], long double lu[3][3], const unsigned perm[3])
{
    long double norm = 0, inv_norm = 0, inv[3][3];
    for (unsigned c = 0; c < n; c++) {
        long double e[3] = {0, 0, 0}, col[3];
        e[c] = 1;
        lu_solve(n, lu, perm, e, col);
        for (unsigned r = 0; r < n; r++) inv[r][c] = col[r];
    }
    for (unsigned r = 0; r < n; r++) {
        long double s = 0, si = 0;
        for (unsigned c = 0; c < n; c++) {
            s += fabsl(a[r][c]);
            si += fabsl(inv[r][c]);
        }
        if (s > norm) norm = s;
        if (si > inv_norm) inv_norm = si;
    }
    return norm * inv_norm;
}

enum { T_P3, T_P2, T_Q4, T_Q2, T_COUNT };
static const char *const T_NAME[T_COUNT] = {"P3", "P2", "Q4", "Q2"};
static const char *const C_NAME[T_COUNT] = {"c3", "c2", "c4", "c'"};
static const unsigned T_DEG[T_COUNT] = {3, 2, 4, 2};
static const char *const RESID_NAME[T_COUNT][4] = {
    {"P3: E[S]", "P3: E[S He_1]", "P3: E[S He_2]", NULL},
    {"P2: E[S]", "P2: E[S He_1]", NULL, NULL},
    {"Q4: E[S]", "Q4: E[S He_1]", "Q4: E[S He_2]", "Q4: E[S He_3]"},
    {"Q2: E[S]", "Q2: E[S He_1]", NULL, NULL},
};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        int off_ = snprintf(err, errlen, "g=%s sigma=%.15g: ", label, sigma);                       \
        if (off_ >= 0 && (size_t)off_ < errlen) snprintf(err + off_, errlen - (size_t)off_, __VA_ARGS__); \
        return false;                                                                              \
    } while (0)

bool rf_moe_cqt_solve_moments(const rf_moe_moments *t, const char *label, double sigma, rf_moe_cqt *out,
                              rf_moe_cqt_diag *diag, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->g = RF_MOE_G_COUNT;
    out->sigma = sigma;
    if (!(sigma > 0) || !isfinite(sigma)) FAIL("sigma must be a positive finite number");
    if (fabsl(t->m[0][0] - 1) > 1e-15L) FAIL("not a moment table (M(0,0) = E[1] must be 1)");
    for (unsigned j = 1; j <= RF_MOE_MAX_J; j++)
        if (!(fabsl(t->m[0][j]) <= 1e-15L)) FAIL("not a moment table (M(0,%u) = E[He_%u] must be 0)", j, j);
    for (unsigned p = 0; p <= RF_MOE_TABLE_P; p++)
        for (unsigned j = 0; j <= RF_MOE_MAX_J; j++)
            if (!isfinite(t->m[p][j])) FAIL("moment M(%u,%u) is not finite", p, j);

    /* m_q(g) = sum_p cm[q][p] g^p = E[y^q | Z] */
    const long double s2 = (long double)sigma * sigma, s4 = s2 * s2;
    const long double cm[5][5] = {
        {1, 0, 0, 0, 0},
        {0, 1, 0, 0, 0},
        {s2, 0, 1, 0, 0},
        {0, 3 * s2, 0, 1, 0},
        {3 * s4, 0, 6 * s2, 0, 1},
    };
    long double A[5][RF_MOE_MAX_J + 1], sd[5];
    for (unsigned q = 0; q <= 4; q++) {
        for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) {
            long double s = 0;
            for (unsigned p = 0; p <= 4; p++) s += cm[q][p] * t->m[p][j];
            A[q][j] = s;
        }
        long double scale;
        const long double var = poly_variance(cm[q], t, &scale);
        sd[q] = var > 1e-10L * scale ? sqrtl(var) : 0; /* 0: numerically constant */
    }

    double *coef[T_COUNT] = {out->p3, out->p2, out->q4, out->q2};
    double *cval[T_COUNT] = {&out->c3, &out->c2, &out->c4, &out->cq2};
    for (unsigned tr = 0; tr < T_COUNT; tr++) {
        const unsigned D = T_DEG[tr], n = D - 1;
        /* equilibrated system: row j-1, column q-1, entry corr(m_q(g(Z)), He_j(Z)) */
        long double B[3][3] = {{0}}, lu[3][3], rhs[3] = {0}, y[3] = {0};
        unsigned perm[3];
        for (unsigned q = 1; q <= n; q++)
            if (sd[q] == 0) FAIL("the %s system is singular (E[y^%u|Z] does not depend on Z)", T_NAME[tr], q);
        for (unsigned j = 1; j <= n; j++) {
            for (unsigned q = 1; q <= n; q++) B[j - 1][q - 1] = A[q][j] / (sd[q] * sqrtl(FACTORIAL[j]));
            rhs[j - 1] = -A[D][j] / sqrtl(FACTORIAL[j]);
        }
        memcpy(lu, B, sizeof lu);
        if (!lu_factor(n, lu, perm)) FAIL("the %s system is singular (zero pivot)", T_NAME[tr]);
        const long double kappa = condition_inf(n, B, lu, perm);
        if (!(kappa <= RF_MOE_MAX_COND))
            FAIL("the %s system is singular or too ill-conditioned to trust (condition number %.3Lg > %.0Lg)",
                 T_NAME[tr], kappa, RF_MOE_MAX_COND);
        lu_solve(n, lu, perm, rhs, y);

        /* coefficients as stored (double); t_0 and everything after it from the stored values */
        double *c = coef[tr];
        c[D] = 1;
        for (unsigned q = 1; q <= n; q++) c[q] = (double)(y[q - 1] / sd[q]) + 0.0; /* + 0.0: no -0 */
        long double t0 = 0;
        for (unsigned q = 1; q <= D; q++) t0 -= (long double)c[q] * A[q][0];
        c[0] = (double)t0 + 0.0;

        long double cc = 0, spoly[5] = {0, 0, 0, 0, 0};
        for (unsigned q = 0; q <= D; q++) {
            cc += (long double)c[q] * A[q][D];
            for (unsigned p = 0; p <= 4; p++) spoly[p] += (long double)c[q] * cm[q][p];
        }
        long double sscale;
        const long double svar = poly_variance(spoly, t, &sscale);
        const long double corr = svar > 0 ? cc / (sqrtl(svar) * sqrtl(FACTORIAL[D])) : 0;
        if (!(fabsl(corr) >= RF_MOE_MIN_CORR))
            FAIL("%s = E[S He_%u] of %s vanishes (correlation with He_%u %.3Lg < %.0Lg): g is not valid", C_NAME[tr],
                 D, T_NAME[tr], D, corr, RF_MOE_MIN_CORR);
        *cval[tr] = (double)cc;
        if (diag) {
            diag->cond[tr] = (double)kappa;
            diag->corr[tr] = (double)corr;
        }

        for (unsigned j = 0; j < D; j++) {
            long double r = 0;
            for (unsigned q = 0; q <= D; q++) r += (long double)c[q] * A[q][j];
            out->resid_name[out->nresid] = RESID_NAME[tr][j];
            out->resid[out->nresid++] = (double)r;
        }
        for (unsigned q = 0; q <= D; q++)
            if (!isfinite(c[q])) FAIL("the %s coefficients overflow double", T_NAME[tr]);
        if (!isfinite(*cval[tr])) FAIL("%s overflows double", C_NAME[tr]);
    }
    return true;
}

bool rf_moe_cqt_solve(rf_moe_g g, double sigma, rf_moe_cqt *out, char *err, size_t errlen)
{
    if ((unsigned)g >= RF_MOE_G_COUNT) {
        memset(out, 0, sizeof *out);
        snprintf(err, errlen, "unknown non-linearity %d", (int)g);
        return false;
    }
    rf_moe_moments t;
    rf_moe_moment_table(g, &t);
    const bool ok = rf_moe_cqt_solve_moments(&t, rf_moe_g_name(g), sigma, out, NULL, err, errlen);
    out->g = g;
    return ok;
}
