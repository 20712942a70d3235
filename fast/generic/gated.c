/* The GRU forward pass at a vector level (mirrors ref/gated.c: gru_f32_ref), over the level's ops
 * (fast/<isa>/simd.h, GL = VF_LANES floats per register) and its tile height GRU_R
 * (fast/<isa>/tiles.h). The same formulas as ref; what differs is only the evaluation freedom
 * refast/gated.h grants (summation order and blocking, FMA, sigma and tanh within 8 u).
 *
 * The tricks.
 * (1) Weight panels. U (3H x I) and W (3H x H) are repacked once per call into work as panels of
 *     GL units: panel jb holds, for every input l, the three gate registers [z | r | h] of units
 *     jb GL .. jb GL + GL - 1 side by side (zero padded past H, so every load is a whole aligned
 *     register; rf_gru_count reserves 3 Hp (I + H), Hp = H rounded up to RF_GRU_PANEL). A gate
 *     triple for GL units is then 3 loads from one cache line run, for the projections and the
 *     recurrence alike.
 * (2) One micro-kernel, gru_tile: GRU_R rows x NG gate registers of one panel (NG = 3, or 2 / 1
 *     for cho's two phases), per input l NG loads and GRU_R broadcasts feeding GRU_R NG independent
 *     FMA chains (avx2: 4 x 3 = 12 accumulators of 16 registers; avx512 and neon: 8 x 3 = 24 of 32).
 * (3) The input projections of all T steps are one GEMM, P (T B x 3H) = X U^T + b, blocked as
 *     64 rows (an L2-sized block of X) x every panel x row tiles, the bias as the accumulators'
 *     initial value.
 * (4) The recurrent step is the same tile over h_{t-1} with the W panels, FUSED with the gates:
 *     the tile's accumulators start from this step's projections (z, r) and, still in registers,
 *     go through sigma (or the binary gate), the candidate g and the update; only h_t is stored.
 *     lbr: z, r and W_h h of a unit come out of one tile, so a step is one pass. cho needs all of
 *     r before W_h (r * h): pass A (gates z, r: z kept, r * h stored), pass B (W_h (r * h),
 *     candidate, update). Panels outermost: each step streams W once; h (B x H) stays in L2.
 * (5) Vector sigma and tanh from fast/generic/vmath_f32.h: sigma(v) from e = e^-|v|
 *     (vf_exp_nonpos, 1.26 ulp = 2.52 u) as d = 1 / (1 + e) or e d: at most 2.52 + 1 + 1 (+ 1 for
 *     e d) = 5.6 u, within the header's 8 u (plus the absolute 2^-126 the oracle allows: below
 *     v = -88 it is 0, between -88 and -87 exp's clamp leaves at most 1.1e-38); tanh(q) =
 *     vf_tanh_half(2 q): 4 ulp = 8 u bound, 1.40 ulp measured. 1 - z is 1 - z, as in ref: with a
 *     binary gate both are exactly 0 or 1.
 * NaN: vmath's exp maps NaN to a number on x86, so sigma, tanh and the binary gate put NaN back
 * where their argument is NaN (the header's rules: gate(NaN) = g(NaN) = NaN); relu keeps NaN by
 * its ordered compare. The update is (1 - z) h + z h~ as one multiply and one FMA.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refast/gated.h"
#include "simd.h"
#include "tiles.h"
#include "vmath_f32.h"

#define GL ((size_t)VF_LANES)
/* Rows of X per block of the projection GEMM: 64 rows of I floats stay in L2 while every panel
 * passes over them. */
#define PROJ_ROWS 64

_Static_assert(RF_GRU_PANEL % VF_LANES == 0, "panels are whole registers");

/* ---- element functions ------------------------------------------------------------------------ */

AI vf gl_keep_nan(vf v, vf r)
{
    return vf_select(vf_isnan(v), v, r);
}

AI vf gl_sigmoid(vf v)
{
    const vf e = vf_exp_nonpos(vf_neg(vf_abs(v)));
    const vf d = vf_div(vf_set1(1.0f), vf_add(vf_set1(1.0f), e));
    vf z = vf_select(vf_le(vf_zero(), v), d, vf_mul(e, d));
    z = vf_select(vf_lt(v, vf_set1(-88.0f)), vf_zero(), z);
    return gl_keep_nan(v, z);
}

AI vf gl_gate(rf_gated_gate kind, vf v)
{
    if (kind == RF_GATE_SIGMOID) return gl_sigmoid(v);
    return gl_keep_nan(v, vf_maskz(vf_le(vf_zero(), v), vf_set1(1.0f)));
}

AI vf gl_act(rf_gated_g g, vf v)
{
    switch (g) {
    case RF_GATED_G_LINEAR: return v;
    case RF_GATED_G_RELU: return vf_select(vf_lt(v, vf_zero()), vf_zero(), v);
    case RF_GATED_G_SIGMOID: return gl_sigmoid(v);
    default: return gl_keep_nan(v, vf_tanh_half(vf_add(v, v)));
    }
}

/* (1 - z) h + z h~ */
AI vf gl_update(vf z, vf h, vf ht)
{
    return vf_fma(z, ht, vf_mul(vf_sub(vf_set1(1.0f), z), h));
}

/* ---- panels ----------------------------------------------------------------------------------- */

/* M: 3H x K row-major (gate g, unit j at row g H + j) -> panels: dst[((jb K + l) 3 + g) GL + v] =
 * M[g H + jb GL + v][l], zero where jb GL + v >= H. Rows are read contiguously. */
static void pack_panels(const float *M, size_t H, size_t K, float *dst)
{
    const size_t nb = (H + GL - 1) / GL;
    if (nb * GL != H) memset(dst, 0, nb * K * 3 * GL * sizeof *dst);
    for (size_t g = 0; g < 3; g++)
        for (size_t j = 0; j < H; j++) {
            const float *row = M + (g * H + j) * K;
            float *d = dst + ((j / GL) * K * 3 + g) * GL + j % GL;
            for (size_t l = 0; l < K; l++) d[l * 3 * GL] = row[l];
        }
}

/* ---- the micro-kernel ------------------------------------------------------------------------- */

/* acc[r][g] += sum_{l < K} A[r lda + l] pan[(l 3 + g0 + g) GL] for r < R, g < NG. */
AI void gru_tile(const unsigned R, const unsigned NG, const unsigned g0, const float *A, size_t lda,
                 const float *pan, size_t K, vf acc[GRU_R][3])
{
    for (size_t l = 0; l < K; l++) {
        const float *p = pan + (l * 3 + g0) * GL;
        vf w[3];
        RF_UNROLL
        for (unsigned g = 0; g < NG; g++) w[g] = vf_load(p + g * GL);
        RF_UNROLL
        for (unsigned r = 0; r < R; r++) {
            const vf a = vf_set1(A[r * lda + l]);
            RF_UNROLL
            for (unsigned g = 0; g < NG; g++) acc[r][g] = vf_fma(a, w[g], acc[r][g]);
        }
    }
}

/* ---- input projections: P (rows x 3H) = X U^T + b --------------------------------------------- */

AI void proj_tile(const unsigned R, const float *X, size_t I, const float *Up, const float *bias,
                  size_t H, size_t jb, float *P)
{
    const size_t j = jb * GL, n = H - j < GL ? H - j : GL;
    vf acc[GRU_R][3];
    vf b[3];
    RF_UNROLL
    for (unsigned g = 0; g < 3; g++) b[g] = vf_loadn(bias + g * H + j, n);
    RF_UNROLL
    for (unsigned r = 0; r < R; r++)
        RF_UNROLL
        for (unsigned g = 0; g < 3; g++) acc[r][g] = b[g];
    gru_tile(R, 3, 0, X, I, Up + jb * I * 3 * GL, I, acc);
    RF_UNROLL
    for (unsigned r = 0; r < R; r++)
        RF_UNROLL
        for (unsigned g = 0; g < 3; g++) vf_storen(P + r * 3 * H + g * H + j, n, acc[r][g]);
}

static void projections(const float *X, size_t rows, size_t I, size_t H, const float *Up,
                        const float *bias, float *P)
{
    const size_t nb = (H + GL - 1) / GL;
    for (size_t r0 = 0; r0 < rows; r0 += PROJ_ROWS) {
        const size_t r1 = rows - r0 < PROJ_ROWS ? rows : r0 + PROJ_ROWS;
        for (size_t jb = 0; jb < nb; jb++) {
            size_t r = r0;
            for (; r + GRU_R <= r1; r += GRU_R)
                proj_tile(GRU_R, X + r * I, I, Up, bias, H, jb, P + r * 3 * H);
            for (; r < r1; r++) proj_tile(1, X + r * I, I, Up, bias, H, jb, P + r * 3 * H);
        }
    }
}

/* ---- recurrent steps -------------------------------------------------------------------------- */

typedef struct gru_step_args {
    const rf_gru_spec *s;
    const float *Wp, *b_hr; /* W panels; b_hr (lbr) */
    const float *p;         /* this step's projections, B x 3H */
    const float *h;         /* h_{t-1}, B x H */
    float *hn;              /* h_t, B x H */
    float *zs, *rh;         /* cho: z and r * h, B x H each */
} gru_step_args;

/* lbr, R sequences from b, panel jb: gates, candidate and update in one pass. */
AI void lbr_tile(const unsigned R, const gru_step_args *a, size_t b, size_t jb)
{
    const rf_gru_spec *s = a->s;
    const size_t H = s->H, j = jb * GL, n = H - j < GL ? H - j : GL;
    vf acc[GRU_R][3];
    RF_UNROLL
    for (unsigned r = 0; r < R; r++) {
        const float *p = a->p + (b + r) * 3 * H + j;
        acc[r][0] = vf_loadn(p, n);
        acc[r][1] = vf_loadn(p + H, n);
        acc[r][2] = vf_loadn(a->b_hr + j, n);
    }
    gru_tile(R, 3, 0, a->h + b * H, H, a->Wp + jb * H * 3 * GL, H, acc);
    RF_UNROLL
    for (unsigned r = 0; r < R; r++) {
        const float *p = a->p + (b + r) * 3 * H + j;
        const vf z = gl_gate(s->gate, acc[r][0]), rg = gl_gate(s->gate, acc[r][1]);
        const vf q = vf_fma(rg, acc[r][2], vf_loadn(p + 2 * H, n));
        const vf h = vf_loadn(a->h + (b + r) * H + j, n);
        vf_storen(a->hn + (b + r) * H + j, n, gl_update(z, h, gl_act(s->g, q)));
    }
}

/* cho pass A: z and r * h of R sequences, panel jb. */
AI void cho_tile_a(const unsigned R, const gru_step_args *a, size_t b, size_t jb)
{
    const rf_gru_spec *s = a->s;
    const size_t H = s->H, j = jb * GL, n = H - j < GL ? H - j : GL;
    vf acc[GRU_R][3];
    RF_UNROLL
    for (unsigned r = 0; r < R; r++) {
        const float *p = a->p + (b + r) * 3 * H + j;
        acc[r][0] = vf_loadn(p, n);
        acc[r][1] = vf_loadn(p + H, n);
    }
    gru_tile(R, 2, 0, a->h + b * H, H, a->Wp + jb * H * 3 * GL, H, acc);
    RF_UNROLL
    for (unsigned r = 0; r < R; r++) {
        const size_t o = (b + r) * H + j;
        vf_storen(a->zs + o, n, gl_gate(s->gate, acc[r][0]));
        vf_storen(a->rh + o, n, vf_mul(gl_gate(s->gate, acc[r][1]), vf_loadn(a->h + o, n)));
    }
}

/* cho pass B: q = p_h + W_h (r * h), candidate and update. */
AI void cho_tile_b(const unsigned R, const gru_step_args *a, size_t b, size_t jb)
{
    const rf_gru_spec *s = a->s;
    const size_t H = s->H, j = jb * GL, n = H - j < GL ? H - j : GL;
    vf acc[GRU_R][3];
    RF_UNROLL
    for (unsigned r = 0; r < R; r++) acc[r][0] = vf_loadn(a->p + (b + r) * 3 * H + 2 * H + j, n);
    gru_tile(R, 1, 2, a->rh + b * H, H, a->Wp + jb * H * 3 * GL, H, acc);
    RF_UNROLL
    for (unsigned r = 0; r < R; r++) {
        const size_t o = (b + r) * H + j;
        const vf z = vf_loadn(a->zs + o, n), h = vf_loadn(a->h + o, n);
        vf_storen(a->hn + o, n, gl_update(z, h, gl_act(s->g, acc[r][0])));
    }
}

/* Every panel, then every tile of sequences (R = GRU_R, the rest one by one). */
#define FOR_TILES(fn, a)                                                                         \
    do {                                                                                         \
        const size_t nb_ = ((a)->s->H + GL - 1) / GL, B_ = (a)->s->B;                             \
        for (size_t jb = 0; jb < nb_; jb++) {                                                    \
            size_t b = 0;                                                                        \
            for (; b + GRU_R <= B_; b += GRU_R) fn(GRU_R, (a), b, jb);                           \
            for (; b < B_; b++) fn(1, (a), b, jb);                                               \
        }                                                                                        \
    } while (0)

static void gru_step(const gru_step_args *a)
{
    if (a->s->variant == RF_GRU_LBR) {
        FOR_TILES(lbr_tile, a);
    } else {
        FOR_TILES(cho_tile_a, a);
        FOR_TILES(cho_tile_b, a);
    }
}

void RF_LEVEL_FN(gru_f32)(const rf_gru_spec *s, const float *w, const float *x, const float *h0,
                          float *out, float *work)
{
    const size_t T = s->T, B = s->B, I = s->In, H = s->H, G = 3 * H;
    const size_t Hp = (H + RF_GRU_PANEL - 1) / RF_GRU_PANEL * RF_GRU_PANEL;
    const float *U = w, *W = w + G * I, *bias = W + G * H, *b_hr = bias + G;
    float *proj = work;          /* T B x 3H */
    float *zs = proj + T * B * G; /* B H */
    float *rh = zs + B * H;      /* B H */
    float *st = rh + B * H;      /* 2 B H: zeros for h0 = NULL, the state when only h_T is kept */
    float *pan = st + 2 * B * H + 2 * B * H; /* past the 6BH scratch, aligned below */
    pan += (64 - ((uintptr_t)pan & 63)) % 64 / sizeof *pan;
    float *Up = pan, *Wp = pan + 3 * Hp * I;

    if (H == 0 || B == 0) return;
    if (T > 0) {
        pack_panels(U, H, I, Up);
        pack_panels(W, H, H, Wp);
        projections(x, T * B, I, H, Up, bias, proj);
    }
    const float *h = h0;
    if (!h) {
        memset(st, 0, B * H * sizeof *st);
        h = st;
    }
    for (size_t t = 0; t < T; t++) {
        float *hn;
        if (s->output == RF_GRU_OUT_ALL) hn = out + t * B * H;
        else if (t + 1 == T) hn = out;
        else hn = st + ((t + 1) & 1) * B * H; /* never the buffer h points to */
        const gru_step_args a = {s, Wp, b_hr, proj + t * B * G, h, hn, zs, rh};
        gru_step(&a);
        h = hn;
    }
    if (T == 0 && s->output == RF_GRU_OUT_LAST) memcpy(out, h, B * H * sizeof *out);
}
