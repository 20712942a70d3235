/* Oracle of the KO(m,2) codec in long double (oracle_ko.h), written from ko-reference/README.md §4. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_ko.h"
#include "oracle_ko_mlp.h"

#define LIP (ORA_SELU_LAMBDA * ORA_SELU_ALPHA)
#define C_SELU 8.0L /* 2 e_x + 2, e_x = 3 ulp (kernels/registry/ko.c) */

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

/* ---- one MLP block on long double features, with the encoder's error bound ------------------- */

/* out = MLP(in) for one coordinate; in_e (input bounds, may be NULL = exact) -> *out_e. */
static long double mlp(const rf_ko_mlp *net, const long double *in, const long double *in_e,
                       long double *out_e, pert *p)
{
    long double a[RF_KO_MAX_HIDDEN], s[RF_KO_MAX_HIDDEN], e[RF_KO_MAX_HIDDEN];
    long double na[RF_KO_MAX_HIDDEN], ns[RF_KO_MAX_HIDDEN], ne[RF_KO_MAX_HIDDEN];
    unsigned n_in = net->in_dim;
    for (unsigned f = 0; f < n_in; f++) {
        a[f] = in[f];
        s[f] = fabsl(in[f]);
        e[f] = in_e ? in_e[f] : 0;
    }
    const unsigned L = net->hidden_layers;
    for (unsigned l = 0; l <= L; l++) {
        const unsigned n_out = l < L ? net->hidden : 1;
        const float *w = net->w[l], *b = net->b[l];
        for (unsigned o = 0; o < n_out; o++) {
            long double z = b[o], A = fabsl((long double)b[o]), E = 0;
            for (unsigned i = 0; i < n_in; i++) {
                const long double wi = w[o * n_in + i];
                z = rnd(p, z + rnd(p, wi * a[i]));
                A += fabsl(wi) * s[i];
                E += fabsl(wi) * e[i];
            }
            E += (long double)(n_in + 1) * A;
            if (l < L) {
                na[o] = rnd(p, rnd(p, ora_selu(z)));
                ns[o] = LIP * A;
                ne[o] = LIP * (E + C_SELU * A);
            } else {
                na[o] = z;
                ne[o] = E;
            }
        }
        for (unsigned o = 0; o < n_out; o++) {
            a[o] = na[o];
            s[o] = ns[o];
            e[o] = ne[o];
        }
        n_in = n_out;
    }
    if (out_e) *out_e = e[0];
    return a[0];
}

static const rf_ko_mlp *block(const rf_ko_model *mdl, unsigned node, rf_ko_role role)
{
    return &mdl->blocks[mdl->m - node][role];
}

/* ---- encoder ---------------------------------------------------------------------------------- */

/* BPSK codeword of the leaf RM(mu,1) (canonical order: bit 0 constant, bit j+1 times index bit j). */
static void rm1_bpsk(unsigned mu, const uint8_t *b, long double *s)
{
    for (size_t p = 0; p < ((size_t)1 << mu); p++) {
        unsigned c = b[0] & 1u;
        for (unsigned j = 0; j < mu; j++) c ^= (unsigned)((p >> j) & 1u) & b[j + 1];
        s[p] = c ? -1.0L : 1.0L;
    }
}

/* RM(2,2): c = (b0, b0^b1, b0^b2, b0^b1^b2^b3). */
static unsigned rm22_bit(unsigned msg, unsigned p)
{
    static const unsigned gen[4] = {0xFu, 0xAu, 0xCu, 0x8u}; /* row t: positions bit t reaches */
    unsigned c = 0;
    for (unsigned t = 0; t < 4; t++) c ^= ((msg >> t) & 1u) & ((gen[t] >> p) & 1u);
    return c;
}

void ora_ko_encode(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, long double *x,
                   long double *bound)
{
    const unsigned m = mdl->m;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    long double c[1u << RF_KO_MAX_M], ce[1u << RF_KO_MAX_M], v[1u << (RF_KO_MAX_M - 1)];
    pert none = {0, 0};
    for (size_t f = 0; f < frames; f++) {
        const uint8_t *b = msg + f * k;
        const unsigned m4 = (unsigned)(b[0] & 1u) | (unsigned)(b[1] & 1u) << 1 |
                            (unsigned)(b[2] & 1u) << 2 | (unsigned)(b[3] & 1u) << 3;
        for (unsigned p = 0; p < 4; p++) {
            c[p] = rm22_bit(m4, p) ? -1.0L : 1.0L;
            ce[p] = 0;
        }
        for (unsigned i = 3; i <= m; i++) {
            const size_t h = (size_t)1 << (i - 1);
            rm1_bpsk(i - 1, b + rf_ko_k(i - 1), v);
            for (size_t j = 0; j < h; j++) {
                const long double in[2] = {c[j], v[j]}, in_e[2] = {ce[j], 0};
                long double ge;
                const long double g = mlp(block(mdl, i, RF_KO_ROLE_G), in, in_e, &ge, &none);
                c[h + j] = g + c[j] * v[j];
                ce[h + j] = ge + ce[j] + fabsl(c[h + j]);
            }
        }
        long double ss = 0, se = 0;
        for (size_t j = 0; j < n; j++) {
            ss += c[j] * c[j];
            se += fabsl(c[j]) * ce[j];
        }
        const long double norm = fmaxl(sqrtl(ss), 1e-12L);
        const long double s = sqrtl((long double)n) / norm;
        const long double rho = (ss > 0 ? se / ss : 0) + (long double)m + 2.0L;
        for (size_t j = 0; j < n; j++) {
            x[f * n + j] = c[j] * s;
            bound[f * n + j] = s * ce[j] + fabsl(c[j] * s) * (rho + 3.0L);
        }
    }
}

/* ---- decoder ---------------------------------------------------------------------------------- */

static long double lse2(long double a, long double b, pert *p)
{
    return rnd(p, fmaxl(a, b) + rnd(p, log1pl(expl(-fabsl(a - b)))));
}

/* log(1 + e^(a+b)) - log(e^a + e^b) */
static long double ko_lse(long double a, long double b, pert *p)
{
    return rnd(p, lse2(rnd(p, a + b), 0.0L, p) - lse2(a, b, p));
}

/* C.6 max-log Soft-MAP of RM(mu,1) on l (length h = 2^mu): out[0..mu]. */
static void softmap_c6(const long double *l, unsigned mu, long double *w, long double *out, pert *p)
{
    const size_t h = (size_t)1 << mu;
    memcpy(w, l, h * sizeof *w);
    for (size_t len = 1; len < h; len <<= 1)
        for (size_t i = 0; i < h; i += 2 * len)
            for (size_t j = i; j < i + len; j++) {
                const long double a = w[j], b = w[j + len];
                w[j] = rnd(p, a + b);
                w[j + len] = rnd(p, a - b);
            }
    long double mx = w[0], mn = w[0];
    for (size_t a = 1; a < h; a++) {
        mx = fmaxl(mx, w[a]);
        mn = fminl(mn, w[a]);
    }
    out[0] = rnd(p, mx + mn);
    for (unsigned j = 0; j < mu; j++) {
        long double m0 = -INFINITY, m1 = -INFINITY;
        for (size_t a = 0; a < h; a++) {
            if ((a >> j) & 1u) m1 = fmaxl(m1, fabsl(w[a]));
            else m0 = fmaxl(m0, fabsl(w[a]));
        }
        out[j + 1] = rnd(p, m0 - m1);
    }
}

/* min-sum re-encoding of the leaf's info LLRs, vhat = tanh(Lc / 2); an LLR exactly 0 is left out
 * of the min and counts as positive (the authors' code). */
static void reencode(const long double *L, unsigned mu, long double *vhat, pert *p)
{
    for (size_t q = 0; q < ((size_t)1 << mu); q++) {
        int neg = 0;
        long double mag = INFINITY;
        for (unsigned s = 0; s <= mu; s++) {
            if (s > 0 && !((q >> (s - 1)) & 1u)) continue;
            if (L[s] == 0) continue;
            neg ^= L[s] < 0;
            mag = fminl(mag, fabsl(L[s]));
        }
        const long double lc = isinf(mag) ? 0.0L : (neg ? -mag : mag);
        vhat[q] = rnd(p, tanhl(lc / 2));
    }
}

/* RM(2,2) leaf Soft-MAP by enumeration of its 16 codewords (C.6 form). */
static void rm22_softmap(const long double *yu, long double *out, pert *p)
{
    long double corr[16];
    for (unsigned u = 0; u < 16; u++) {
        long double s = 0;
        for (unsigned q = 0; q < 4; q++) s = rnd(p, s + (rm22_bit(u, q) ? -yu[q] : yu[q]));
        corr[u] = s;
    }
    for (unsigned t = 0; t < 4; t++) {
        long double m0 = -INFINITY, m1 = -INFINITY;
        for (unsigned u = 0; u < 16; u++) {
            if ((u >> t) & 1u) m1 = fmaxl(m1, corr[u]);
            else m0 = fmaxl(m0, corr[u]);
        }
        out[t] = rnd(p, m0 - m1);
    }
}

int ora_ko_decode(const rf_ko_model *mdl, const float *y, size_t frames, long double eps,
                  uint64_t run, long double *llr)
{
    const unsigned m = mdl->m;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    long double *feat = malloc(n * sizeof *feat), *nxt = malloc(n * sizeof *nxt);
    long double *lv = malloc(n * sizeof *lv), *vh = malloc(n * sizeof *vh), *w = malloc(n * sizeof *w);
    pert p = {eps, splitmix(run ^ 0x6b6f6f7261636c65ull) << 20};
    if (!feat || !nxt || !lv || !vh || !w) {
        free(feat), free(nxt), free(lv), free(vh), free(w);
        return -1;
    }
    long double leaf[RF_KO_MAX_M + 1];
    for (size_t f = 0; f < frames; f++) {
        long double *out = llr + f * k;
        for (size_t j = 0; j < n; j++) feat[j] = y[f * n + j];
        for (unsigned i = m; i >= 3; i--) {
            const size_t h = (size_t)1 << (i - 1);
            for (size_t j = 0; j < h; j++) {
                const long double in[2] = {feat[j], feat[h + j]};
                const long double fl = mlp(block(mdl, i, RF_KO_ROLE_FLEFT), in, NULL, NULL, &p);
                lv[j] = rnd(&p, fl + ko_lse(feat[j], feat[h + j], &p));
            }
            softmap_c6(lv, i - 1, w, leaf, &p);
            memcpy(out + rf_ko_k(i - 1), leaf, i * sizeof *leaf);
            reencode(leaf, i - 1, vh, &p);
            for (size_t j = 0; j < h; j++) {
                const long double in[4] = {feat[j], feat[h + j], lv[j], vh[j]};
                const long double fr = mlp(block(mdl, i, RF_KO_ROLE_FRIGHT), in, NULL, NULL, &p);
                nxt[j] = rnd(&p, rnd(&p, fr + feat[j]) + rnd(&p, vh[j] * feat[h + j]));
            }
            memcpy(feat, nxt, h * sizeof *feat);
        }
        rm22_softmap(feat, out, &p);
    }
    free(feat), free(nxt), free(lv), free(vh), free(w);
    return 0;
}
