/* Oracle of gru_f32 (refast/gated.h): long double values one sequence at a time, the error scale
 * S = sum_s |Phi(t, s)| L_s of oracle/oracle_gated.h (the local rounding bound L_s of every step
 * carried by the product of the step Jacobians, Phi(t, s) = J_t ... J_{s+1}), and near-tie
 * margins. The bound's own arithmetic is double: it needs a few digits, not long double's.
 *
 * Cost per sequence: O(T^2 H^3) time and O(T H^2) memory for the matrices
 * P_s(t) = Phi(t, s) diag(L_s), s <= t, kept side by side as an H x (t H) matrix and multiplied
 * by J_{t+1} at every step; S_t[j] is the sum of |row j| of it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gated_common.h"

#define TAU_U (ORA_GATED_TAU * ORA_GATED_U)

/* Everything one sequence needs, H (or H x H, H x T H) entries each. */
typedef struct gru_seq {
    long double *h, *hn;           /* h_{t-1}, h_t */
    double *E;                     /* bound of h_{t-1} (in u): sum_s |P_s(t-1)| 1 */
    double *L;                     /* this step's local rounding bound */
    long double *z, *r;            /* gates */
    long double *dz, *dr;          /* their slopes (0 for binary gates) */
    long double *ht, *gp;          /* candidate g(q) and the slope used for it in J */
    long double *c;                /* lbr: W_h h + b_hr */
    long double *Eaz;              /* local bound of a_z */
    long double *Er, *Er_all;      /* bound of r: local, and local + propagated */
    long double *sv, *Es, *Es_all; /* cho: s = r * h, its local and total bounds */
    long double *tz, *tr;          /* tie ratios */
    double *J;                     /* H x H: d h_t / d h_{t-1} */
    double *D;                     /* cho: W_h diag(h sigma'(a_r)) W_r, H x H */
    double *P, *Pn;                /* H x T H each */
    long double *ld_block;         /* the allocations behind the vectors (h and hn swap) */
    double *d_block;
} gru_seq;

typedef struct gru_dims {
    size_t I, H;
    const float *U_z, *U_r, *U_h, *W_z, *W_r, *W_h, *b_z, *b_r, *b_h, *b_hr;
} gru_dims;

/* sum |W[j][l]| E[l] */
static long double abs_row_dot(const float *Wrow, const double *E, size_t H)
{
    long double s = 0;
    for (size_t l = 0; l < H; l++) s += ora_bmul(fabsl((long double)Wrow[l]), E[l]);
    return s;
}

/* Gate pre-activation a = b + U x + W h and its local bound (I + H + 1) sum|terms|. */
static long double gate_pre(const float *Urow, const float *Wrow, float bias, const float *xt,
                            const long double *h, size_t I, size_t H, long double *Eloc)
{
    long double a = bias, s = fabsl((long double)bias);
    for (size_t i = 0; i < I; i++) {
        a += (long double)Urow[i] * xt[i];
        s += fabsl((long double)Urow[i] * xt[i]);
    }
    for (size_t l = 0; l < H; l++) {
        a += Wrow[l] * h[l];
        s += fabsl(Wrow[l] * h[l]);
    }
    *Eloc = (long double)(I + H + 1) * s;
    return a;
}

/* Gates of every unit, their slopes, bounds and ties. */
static void step_gates(const rf_gru_spec *s, const gru_dims *g, const float *xt, gru_seq *q)
{
    const size_t I = g->I, H = g->H;
    const int bin = s->gate == RF_GATE_BINARY;
    for (size_t j = 0; j < H; j++) {
        long double Ez, Er;
        const long double az =
            gate_pre(g->U_z + j * I, g->W_z + j * H, g->b_z[j], xt, q->h, I, H, &Ez);
        const long double ar =
            gate_pre(g->U_r + j * I, g->W_r + j * H, g->b_r[j], xt, q->h, I, H, &Er);
        q->z[j] = ora_gate(s->gate, az);
        q->r[j] = ora_gate(s->gate, ar);
        q->dz[j] = ora_gate_slope(s->gate, q->z[j]);
        q->dr[j] = ora_gate_slope(s->gate, q->r[j]);
        const long double Ez_all = Ez + abs_row_dot(g->W_z + j * H, q->E, H);
        const long double Er_all = Er + abs_row_dot(g->W_r + j * H, q->E, H);
        q->Eaz[j] = Ez;
        q->Er[j] = bin ? 0.0L : ora_bmul(q->dr[j], Er) + ORA_GATED_K_SIGMA * q->r[j] + ORA_GATED_TINY;
        q->Er_all[j] = bin ? 0.0L : q->Er[j] + ora_bmul(q->dr[j], Er_all - Er);
        q->tz[j] = bin ? ora_tie_ratio(az, Ez_all, I + H + 1) : INFINITY;
        q->tr[j] = bin ? ora_tie_ratio(ar, Er_all, I + H + 1) : INFINITY;
    }
}

/* Candidate, update and the local bound L of every unit. */
static void step_candidate(const rf_gru_spec *s, const gru_dims *g, const float *xt, gru_seq *q)
{
    const size_t I = g->I, H = g->H;
    if (s->variant == RF_GRU_CHO)
        for (size_t l = 0; l < H; l++) {
            const long double ah = fabsl(q->h[l]);
            q->sv[l] = q->r[l] * q->h[l];
            q->Es[l] = ora_bmul(ah, q->Er[l]) + q->r[l] * ah;
            q->Es_all[l] = ora_bmul(ah, q->Er_all[l]) + q->r[l] * ah + ora_bmul(q->r[l], q->E[l]);
        }
    for (size_t j = 0; j < H; j++) {
        long double p = g->b_h[j], P = fabsl((long double)g->b_h[j]);
        for (size_t i = 0; i < I; i++) {
            p += (long double)g->U_h[j * I + i] * xt[i];
            P += fabsl((long double)g->U_h[j * I + i] * xt[i]);
        }
        const float *Wh = g->W_h + j * H;
        long double qv, Eq, Eq_all;
        if (s->variant == RF_GRU_LBR) {
            long double c = g->b_hr[j], C = fabsl((long double)g->b_hr[j]);
            for (size_t l = 0; l < H; l++) {
                c += Wh[l] * q->h[l];
                C += fabsl(Wh[l] * q->h[l]);
            }
            const long double r = q->r[j];
            q->c[j] = c;
            qv = p + r * c;
            Eq = (long double)(I + H + 3) * (P + ora_bmul(r, C)) + ora_bmul(fabsl(c), q->Er[j]);
            Eq_all = Eq + ora_bmul(r, abs_row_dot(Wh, q->E, H)) +
                     ora_bmul(fabsl(c), q->Er_all[j] - q->Er[j]);
        } else {
            long double c = 0, C = 0, Es = 0, Es_all = 0;
            for (size_t l = 0; l < H; l++) {
                c += Wh[l] * q->sv[l];
                C += fabsl(Wh[l] * q->sv[l]);
                Es += ora_bmul(fabsl((long double)Wh[l]), q->Es[l]);
                Es_all += ora_bmul(fabsl((long double)Wh[l]), q->Es_all[l]);
            }
            qv = p + c;
            Eq = (long double)(I + H + 1) * (P + C) + Es;
            Eq_all = (long double)(I + H + 1) * (P + C) + Es_all;
        }
        const long double ht = ora_g(s->g, qv);
        long double slope = ora_g_slope(s->g, qv, ht), kink = 0;
        if (s->g == RF_GATED_G_RELU && fabsl(qv) <= TAU_U * Eq_all) {
            /* relu(q + e) - relu(q) = theta e with theta in [0, 1] unknown: linear part e / 2 (in
             * J), remainder (theta - 1/2) e of at most |e| / 2, a local error of this step. */
            slope = 0.5L;
            kink = 0.5L * Eq_all;
        }
        q->ht[j] = ht;
        q->gp[j] = slope;
        const long double z = q->z[j], h = q->h[j];
        const long double Eht = ora_bmul(slope, Eq) + ora_g_eval(s->g, ht) + kink;
        q->hn[j] = (1.0L - z) * h + z * ht;
        q->L[j] =
            (double)(ora_bmul(z, Eht) + ora_bmul(fabsl(ht - h), ora_bmul(q->dz[j], q->Eaz[j])) +
                     ora_update_rounding(s->gate, z, h, ht));
    }
}

/* J[j][l] = (1 - z_j) [j = l] + (h~_j - h_j) z'_j W_z[j][l] + z_j g'_j dq_j/dh_l, with
 *   lbr: dq_j/dh_l = r_j W_h[j][l] + c_j r'_j W_r[j][l]
 *   cho: dq_j/dh_l = W_h[j][l] r_l + sum_k W_h[j][k] h_k r'_k W_r[k][l]. */
static void step_jacobian(const rf_gru_spec *s, const gru_dims *g, gru_seq *q)
{
    const size_t H = g->H;
    const int lbr = s->variant == RF_GRU_LBR, sig = s->gate == RF_GATE_SIGMOID;
    if (!lbr && sig) {
        memset(q->D, 0, H * H * sizeof *q->D);
        for (size_t j = 0; j < H; j++)
            for (size_t k = 0; k < H; k++) {
                const double a = (double)(g->W_h[j * H + k] * q->h[k] * q->dr[k]);
                if (a == 0) continue;
                for (size_t l = 0; l < H; l++) q->D[j * H + l] += a * g->W_r[k * H + l];
            }
    }
    for (size_t j = 0; j < H; j++) {
        const long double zg = q->z[j] * q->gp[j];
        const long double gz = q->dz[j] == 0 ? 0.0L : (q->ht[j] - q->h[j]) * q->dz[j];
        for (size_t l = 0; l < H; l++) {
            long double dq;
            if (lbr) dq = q->r[j] * g->W_h[j * H + l] + q->c[j] * q->dr[j] * g->W_r[j * H + l];
            else dq = g->W_h[j * H + l] * q->r[l] + (sig ? q->D[j * H + l] : 0.0);
            long double e = (j == l ? 1.0L - q->z[j] : 0.0L) + zg * dq;
            if (gz != 0) e += gz * g->W_z[j * H + l];
            q->J[j * H + l] = (double)e;
        }
    }
}

/* P <- [J P, diag(L)] (t earlier source blocks), E <- row sums of |P|. Returns 0, or -1 when
 * something is not finite (the caller then gives up bounding this sequence). */
static int step_propagate(size_t H, size_t t, gru_seq *q)
{
    const size_t w = (t + 1) * H, wold = t * H;
    for (size_t j = 0; j < H; j++) {
        double *row = q->Pn + j * w;
        memset(row, 0, w * sizeof *row);
        for (size_t l = 0; l < H; l++) {
            const double a = q->J[j * H + l];
            if (!isfinite(a)) return -1;
            if (a == 0) continue;
            const double *src = q->P + l * wold;
            for (size_t k = 0; k < wold; k++) row[k] += a * src[k];
        }
        if (!isfinite(q->L[j])) return -1;
        row[wold + j] = q->L[j];
    }
    double *sw = q->P;
    q->P = q->Pn;
    q->Pn = sw;
    for (size_t j = 0; j < H; j++) {
        double e = 0;
        for (size_t k = 0; k < w; k++) e += fabs(q->P[j * w + k]);
        if (!isfinite(e)) return -1;
        q->E[j] = e;
    }
    return 0;
}

static void seq_free(gru_seq *q)
{
    free(q->ld_block);
    free(q->d_block);
    free(q->J);
    free(q->P);
    free(q->Pn);
}

/* One block of long doubles carved into the per-unit vectors, one of doubles for E and L, and
 * the matrices. Returns -1 when out of memory. */
static int seq_alloc(gru_seq *q, size_t T, size_t H)
{
    enum { NLD = 20 };
    memset(q, 0, sizeof *q);
    const size_t h1 = H ? H : 1;
    long double *ld = malloc(NLD * h1 * sizeof *ld);
    double *d = malloc(2 * h1 * sizeof *d);
    q->ld_block = q->h = ld;
    q->d_block = q->E = d;
    q->J = malloc(2 * h1 * h1 * sizeof *q->J);
    q->P = malloc(h1 * h1 * (T ? T : 1) * sizeof *q->P);
    q->Pn = malloc(h1 * h1 * (T ? T : 1) * sizeof *q->Pn);
    if (!ld || !d || !q->J || !q->P || !q->Pn) {
        seq_free(q);
        return -1;
    }
    long double **v[] = {&q->hn,  &q->z,  &q->r,      &q->dz, &q->dr, &q->ht,     &q->gp, &q->c,
                         &q->Eaz, &q->Er, &q->Er_all, &q->sv, &q->Es, &q->Es_all, &q->tz, &q->tr};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) *v[i] = ld + (i + 1) * h1;
    q->L = d + h1;
    q->D = q->J + h1 * h1;
    return 0;
}

int ora_gru(const rf_gru_spec *s, const float *w, const float *x, const float *h0,
            long double *want, long double *scale, long double *tie)
{
    const size_t T = s->T, B = s->B, I = s->In, H = s->H;
    const float *Wb = w + 3 * H * I, *bb = Wb + 3 * H * H;
    const gru_dims g = {.I = I,
                        .H = H,
                        .U_z = w,
                        .U_r = w + H * I,
                        .U_h = w + 2 * H * I,
                        .W_z = Wb,
                        .W_r = Wb + H * H,
                        .W_h = Wb + 2 * H * H,
                        .b_z = bb,
                        .b_r = bb + H,
                        .b_h = bb + 2 * H,
                        .b_hr = bb + 3 * H};
    gru_seq q;
    if (seq_alloc(&q, T, H)) return -1;

    for (size_t b = 0; b < B; b++) {
        for (size_t l = 0; l < H; l++) {
            q.h[l] = h0 ? h0[b * H + l] : 0.0L;
            q.E[l] = 0;
        }
        long double history = INFINITY; /* smallest tie of every gate of the steps so far */
        int bounded = 1;                /* 0 once a non-finite value entered the bound */
        for (size_t t = 0; t < T; t++) {
            const float *xt = x + (t * B + b) * I;
            step_gates(s, &g, xt, &q);
            step_candidate(s, &g, xt, &q);
            if (bounded) {
                step_jacobian(s, &g, &q);
                bounded = step_propagate(H, t, &q) == 0;
            }
            if (!bounded)
                for (size_t j = 0; j < H; j++) q.E[j] = INFINITY;
            long double tr_min = INFINITY, step_min = INFINITY;
            for (size_t j = 0; j < H; j++) {
                tr_min = fminl(tr_min, q.tr[j]);
                step_min = fminl(step_min, fminl(q.tz[j], q.tr[j]));
            }
            if (s->output == RF_GRU_OUT_ALL || t + 1 == T) {
                const size_t o = s->output == RF_GRU_OUT_ALL ? (t * B + b) * H : b * H;
                for (size_t j = 0; j < H; j++) {
                    want[o + j] = q.hn[j];
                    scale[o + j] = q.E[j];
                    tie[o + j] =
                        fminl(history, fminl(q.tz[j], s->variant == RF_GRU_LBR ? q.tr[j] : tr_min));
                }
            }
            history = fminl(history, step_min);
            long double *sw = q.h;
            q.h = q.hn;
            q.hn = sw;
        }
        if (T == 0 && s->output == RF_GRU_OUT_LAST)
            for (size_t j = 0; j < H; j++) {
                want[b * H + j] = q.h[j];
                scale[b * H + j] = 0;
                tie[b * H + j] = INFINITY;
            }
    }
    seq_free(&q);
    return 0;
}
