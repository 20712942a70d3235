/* Oracle of the KO Polar(64,7) codec in long double (oracle_ko_polar.h), written from
 * ko-reference/README.md §8: the formulas there act in THEIR position order (their p = canonical
 * 63 - p), so y is reversed on entry and x on exit. */
#include <math.h>
#include <string.h>

#include "oracle_ko_mlp.h"
#include "oracle_ko_polar.h"

#define LIP (ORA_SELU_LAMBDA * ORA_SELU_ALPHA)
#define C_SELU 8.0L /* 2 e_x + 2, e_x = 3 ulp (oracle_ko_mlp.h) */
#define H RF_KOP_HIDDEN
#define MAXW (3 * RF_KOP_N / 2) /* the widest layer input: the skip of g5, 3 x 32 */

/* ---- perturbation: a float rounding emulated as x (1 + eps r), r uniform in [-1, 1] ---------- */

typedef struct pert {
    long double eps;
    uint64_t ctr;
} pert;

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static long double rnd(pert *p, long double x)
{
    if (p->eps == 0) return x;
    const long double r = (long double)(splitmix(p->ctr++) >> 11) * 0x1p-52L - 1.0L;
    return x * (1.0L + p->eps * r);
}

/* A vector of values with their magnitude bounds S and error bounds E (units of u). */
typedef struct vec {
    long double v[MAXW], S[MAXW], E[MAXW];
    unsigned n;
} vec;

static void vec_exact(vec *x, const long double *v, unsigned n)
{
    x->n = n;
    for (unsigned i = 0; i < n; i++) {
        x->v[i] = v[i];
        x->S[i] = fabsl(v[i]);
        x->E[i] = 0;
    }
}

/* y = W a + b (b may be NULL), n_out units. */
static void dense(const float *w, const float *b, const vec *a, unsigned n_out, vec *y, pert *p)
{
    const unsigned n = a->n;
    for (unsigned o = 0; o < n_out; o++) {
        long double z = 0, A = b ? fabsl((long double)b[o]) : 0, E = 0;
        for (unsigned i = 0; i < n; i++) {
            const long double wi = w[o * n + i];
            z = rnd(p, z + rnd(p, wi * a->v[i]));
            A += fabsl(wi) * a->S[i];
            E += fabsl(wi) * a->E[i];
        }
        if (b) z = rnd(p, z + b[o]);
        y->v[o] = z;
        y->S[o] = A;
        y->E[o] = E + (long double)(n + 1) * A;
    }
    y->n = n_out;
}

static void selu_layer(vec *y, pert *p)
{
    for (unsigned o = 0; o < y->n; o++) {
        y->v[o] = rnd(p, rnd(p, ora_selu(y->v[o])));
        y->E[o] = LIP * (y->E[o] + C_SELU * y->S[o]);
        y->S[o] = LIP * y->S[o];
    }
}

/* One block (README §8): f blocks W4 selu(W3 selu(W2 selu(W1 z + b1) + b2) + b3) + b4; g blocks add
 * the skip S [z, z[0:h] z[h:2h]] to the second SELU layer. */
static void block(const rf_kop_block *blk, const vec *z, vec *out, pert *p)
{
    vec a, c;
    dense(blk->w[0], blk->b[0], z, H, &a, p);
    selu_layer(&a, p);
    dense(blk->w[1], blk->b[1], &a, H, &c, p);
    selu_layer(&c, p);
    if (blk->skip) {
        const unsigned h = z->n / 2;
        vec sk, r;
        sk = *z;
        sk.n = 3 * h;
        for (unsigned j = 0; j < h; j++) {
            sk.v[2 * h + j] = rnd(p, z->v[j] * z->v[h + j]);
            sk.S[2 * h + j] = z->S[j] * z->S[h + j];
            sk.E[2 * h + j] = z->S[j] * z->E[h + j] + z->S[h + j] * z->E[j] + sk.S[2 * h + j];
        }
        dense(blk->s, NULL, &sk, H, &r, p);
        for (unsigned o = 0; o < H; o++) {
            c.v[o] = rnd(p, c.v[o] + r.v[o]);
            c.S[o] += r.S[o];
            c.E[o] += r.E[o] + c.S[o];
        }
    }
    dense(blk->w[2], blk->b[2], &c, H, &a, p);
    selu_layer(&a, p);
    dense(blk->w[3], blk->b[3], &a, blk->out, out, p);
}

/* ---- encoder (their order) --------------------------------------------------------------------- */

/* t (length h) -> (t, g([t, w])), both halves of the input vec given. */
static void g_node(const rf_kop_block *g, vec *t, const vec *w, pert *p)
{
    const unsigned h = t->n;
    vec z, o;
    z.n = 2 * h;
    for (unsigned j = 0; j < h; j++) {
        z.v[j] = t->v[j], z.S[j] = t->S[j], z.E[j] = t->E[j];
        z.v[h + j] = w->v[j], z.S[h + j] = w->S[j], z.E[h + j] = w->E[j];
    }
    block(g, &z, &o, p);
    for (unsigned j = 0; j < h; j++) t->v[h + j] = o.v[j], t->S[h + j] = o.S[j], t->E[h + j] = o.E[j];
    t->n = 2 * h;
}

void ora_ko_polar_encode(const rf_ko_polar_model *mdl, const uint8_t *msg, size_t frames, long double eps,
                         uint64_t run, long double *x, long double *bound)
{
    const rf_kop_block *B = mdl->blocks;
    pert pt = {eps, splitmix(run ^ 0x6b6f70656e63ull) << 20};
    for (size_t f = 0; f < frames; f++) {
        long double m[RF_KOP_K], w[RF_KOP_N];
        for (unsigned j = 0; j < RF_KOP_K; j++) m[j] = (msg[f * RF_KOP_K + j] & 1u) ? -1.0L : 1.0L;
        vec t, a, wv;
        vec_exact(&t, &m[6], 1);
        vec_exact(&wv, &m[5], 1);
        g_node(&B[RF_KOP_G1_RIGHT], &t, &wv, &pt); /* b = (m6, g1_right([m6, m5])) */
        vec_exact(&a, &m[4], 1);
        vec_exact(&wv, &m[3], 1);
        g_node(&B[RF_KOP_G1_LEFT], &a, &wv, &pt); /* a = (m4, g1_left([m4, m3])) */
        g_node(&B[RF_KOP_G2], &t, &a, &pt);       /* t = (b, g2([b, a])) */
        static const unsigned gs[3] = {RF_KOP_G3, RF_KOP_G4, RF_KOP_G5};
        for (unsigned s = 0; s < 3; s++) { /* t = (t, g([t, m_(2-s) 1_h])) */
            for (unsigned j = 0; j < t.n; j++) w[j] = m[2 - s];
            vec_exact(&wv, w, t.n);
            g_node(&B[gs[s]], &t, &wv, &pt);
        }
        /* c = (t, t), x = c 8 / max(||c||, 1e-12) */
        long double ss = 0, se = 0;
        for (unsigned j = 0; j < t.n; j++) {
            ss = rnd(&pt, ss + rnd(&pt, t.v[j] * t.v[j]));
            se += 2 * fabsl(t.v[j]) * t.E[j];
        }
        ss *= 2;
        const long double s = rnd(&pt, 8.0L / rnd(&pt, fmaxl(sqrtl(ss), 1e-12L)));
        const long double rho = (ss > 0 ? se / ss : 0) + 5.0L + 3.0L;
        for (unsigned q = 0; q < RF_KOP_N; q++) {
            const unsigned j = q % (RF_KOP_N / 2);
            x[f * RF_KOP_N + (RF_KOP_N - 1 - q)] = rnd(&pt, t.v[j] * s);
            bound[f * RF_KOP_N + (RF_KOP_N - 1 - q)] = s * t.E[j] + fabsl(t.v[j] * s) * (rho + 3.0L);
        }
    }
}

/* ---- decoder (their order) --------------------------------------------------------------------- */

static long double sgn(long double v)
{
    return v > 0 ? 1.0L : v < 0 ? -1.0L : 0.0L;
}

/* One scalar block output (the blocks the decoder uses end in one unit, or two for f2_left). */
static void eval(const rf_kop_block *blk, const long double *in, unsigned n, long double *out, pert *p)
{
    vec z, o;
    vec_exact(&z, in, n);
    block(blk, &z, &o, p);
    for (unsigned j = 0; j < blk->out; j++) out[j] = o.v[j];
}

static long double tanh_half(long double v, pert *p)
{
    return rnd(p, tanhl(v / 2));
}

void ora_ko_polar_decode(const rf_ko_polar_model *mdl, const float *y, size_t frames, long double eps,
                         uint64_t run, long double *llr, long double *sign_margin)
{
    const rf_kop_block *B = mdl->blocks;
    static const unsigned fl[3] = {RF_KOP_F5_LEFT, RF_KOP_F4_LEFT, RF_KOP_F3_LEFT};
    static const unsigned fr[3] = {RF_KOP_F5_RIGHT, RF_KOP_F4_RIGHT, RF_KOP_F3_RIGHT};
    pert p = {eps, splitmix(run ^ 0x6b6f706f6c6172ull) << 20};
    for (size_t f = 0; f < frames; f++) {
        long double yt[RF_KOP_N], t[RF_KOP_N / 2], L[RF_KOP_K], z[3], q[2], ah[2], pv[2];
        for (unsigned i = 0; i < RF_KOP_N; i++) yt[i] = y[f * RF_KOP_N + (RF_KOP_N - 1 - i)];
        unsigned len = RF_KOP_N / 2;
        for (unsigned j = 0; j < len; j++) t[j] = rnd(&p, yt[len + j] + yt[j]);
        for (unsigned s = 0; s < 3; s++) {
            eval(&B[fl[s]], t, len, &L[s], &p);
            const unsigned h = len / 2;
            const long double th = tanh_half(L[s], &p);
            long double nt[RF_KOP_N / 4];
            for (unsigned j = 0; j < h; j++) {
                z[0] = t[j], z[1] = t[h + j], z[2] = th;
                eval(&B[fr[s]], z, 3, &nt[j], &p);
            }
            memcpy(t, nt, h * sizeof *t);
            len = h;
        }
        eval(&B[RF_KOP_F2_LEFT], t, 4, q, &p);
        eval(&B[RF_KOP_F1_LEFT_LEFT], q, 2, &L[3], &p);
        z[0] = q[0], z[1] = q[1], z[2] = tanh_half(L[3], &p);
        eval(&B[RF_KOP_F1_LEFT_RIGHT], z, 3, &L[4], &p);
        ah[0] = tanh_half(L[4], &p);
        z[0] = sgn(L[4]), z[1] = sgn(L[3]);
        eval(&B[RF_KOP_G1_LEFT], z, 2, &ah[1], &p);
        for (unsigned j = 0; j < 2; j++) {
            z[0] = t[j], z[1] = t[2 + j], z[2] = ah[j];
            eval(&B[RF_KOP_F2_RIGHT], z, 3, &pv[j], &p);
        }
        eval(&B[RF_KOP_F1_RIGHT_LEFT], pv, 2, &L[5], &p);
        z[0] = pv[0], z[1] = pv[1], z[2] = tanh_half(L[5], &p);
        eval(&B[RF_KOP_F1_RIGHT_RIGHT], z, 3, &L[6], &p);
        memcpy(llr + f * RF_KOP_K, L, sizeof L);
        if (sign_margin) sign_margin[f] = fminl(fabsl(L[3]), fabsl(L[4]));
    }
}
