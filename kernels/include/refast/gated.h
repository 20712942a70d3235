/* Gated layers of seed 003 §2 (SPEC §5.3 "2-MoE and GRU"): the vector 2-MoE layer of eq. 3 and
 * the GRU forward pass over T steps for a batch, float32.
 *
 * Conventions, binding on every level and every peer. Matrices are row-major and act on column
 * vectors as in the seed ("out x in", PyTorch's nn.Linear layout): U_z is H x I and (U_z x)[j] =
 * sum_i U_z[j][i] x[i]. '*' is the elementwise product. gate(v) is the sigmoid 1 / (1 + e^-v) or
 * the seed's binary gate 1{v >= 0} (v = 0 gives 1). g is tanh (the default, value 0), linear,
 * relu (v < 0 ? 0 : v) or sigmoid.
 *
 *   moe2 (eq. 3), m outputs, B inputs x in R^d:  y = (1 - z) * g(A1 x) + z * g(A2 x),
 *   z = gate(W x). No biases, as in the seed: append a constant 1 to x for them. w packs A1, A2,
 *   W (each m x d) in that order; x is B x d, y is B x m. (The seed's §2 first sets
 *   P[z = 0 | x] = sigma(w^T x), which puts sigma on g(a_1), then eq. 3 puts z(x) = sigma(W x) on
 *   g(A2 x); we follow eq. 3, as SPEC §5.3 does: z = 1 selects A2.)
 *
 *   gru, for t = 1..T and every sequence of the batch:
 *     z_t = gate(U_z x_t + W_z h_{t-1} + b_z)                       update gate
 *     r_t = gate(U_r x_t + W_r h_{t-1} + b_r)                       reset gate
 *     cho: h~_t = g(U_h x_t + b_h + W_h (r_t * h_{t-1}))            Cho et al. 2014, seed §2
 *     lbr: h~_t = g(U_h x_t + b_h + r_t * (W_h h_{t-1} + b_hr))     linear before reset
 *     h_t = (1 - z_t) * h_{t-1} + z_t * h~_t                        z_t = 1 takes the candidate
 *   w packs, in this order, U_z, U_r, U_h (each H x I), W_z, W_r, W_h (each H x H), b_z, b_r,
 *   b_h, b_hr (each H): 3HI + 3HH + 4H floats, i.e. U = [U_z; U_r; U_h] ((3H) x I), then
 *   W = [W_z; W_r; W_h] ((3H) x H), then the biases. b_hr is read by lbr only (cho ignores it, so
 *   that one weights file serves both variants). x is T x B x I (time-major; x_t of sequence b at
 *   x[(t-1) B I + b I]); h0 is B x H, or NULL for zeros. out is T x B x H with h_t at
 *   out[(t-1) B H] (RF_GRU_OUT_ALL), or B x H holding h_T (RF_GRU_OUT_LAST; h0 when T = 0).
 *
 * Evaluation freedom and its limits (what the oracle's error bound, oracle/oracle_gated.h,
 * assumes of every level). Dot products may be summed in any order and blocking, with or without
 * FMA; the gru may compute the input projections U x_t + b of all T steps first (that is what
 * `work` is for). lbr may evaluate r * (W_h h + b_hr) as written or distribute r over its terms
 * (ref does, see ref/gated.c). sigma and tanh may err by at most 8 u relative (u = 2^-24), and a
 * level may compute 1 - z as sigma(-v). The update must be evaluated as (1 - z) * h + z * h~
 * (FMA allowed), never as h + z * (h~ - h): with binary gates it then selects h or h~ exactly,
 * which the eq.-4 identity relies on.
 *
 * NaN and infinity. Kernels check nothing; non-finite values are data, evaluated in IEEE
 * arithmetic by the formulas above, with these rules that a SIMD level must keep (a plain
 * max(v, 0) or compare-and-blend drops NaN): binary gate of NaN is NaN (not 0), relu(NaN) = NaN,
 * sigma(NaN) = tanh(NaN) = NaN; sigma(+inf) = 1 and sigma(-inf) = 0 exactly, tanh(+-inf) = +-1.
 * Since 0 * NaN = NaN, a NaN reaches every output it feeds even through a zero weight or a closed
 * binary gate: a NaN in x_t of sequence b makes h_t .. h_T of b NaN; a NaN weight makes NaN
 * every output it feeds (the unit it belongs to at step 1, then through W h every unit of every
 * later step, for every sequence; b_hr under cho feeds nothing). Infinities give the IEEE result
 * of the formulas (inf - inf and 0 * inf are NaN: e.g. a closed binary gate times h~ = inf). All
 * of this is identical at every level as long as no finite intermediate overflows; inputs whose
 * dot products overflow float (a sum of |terms| beyond FLT_MAX) are outside the contract,
 * because where a sum overflows depends on its order. So are infinite inputs that meet a
 * sigmoid gate which saturates in float: (1 - z) inf is NaN where z rounds to 1 and inf where a
 * level computes 1 - z as sigma(-v) (or where z is exact, as in the oracle). Signed zeros are
 * not specified.
 *
 * Sizes. Any of T, B, I, H, d, m may be 0: outputs of zero length are not written, I = 0 (d = 0)
 * makes the pre-activations the biases (zero), T = 0 with RF_GRU_OUT_LAST copies h0 (or zeros).
 * Callers obtain buffer sizes from rf_gru_count() / rf_moe2_count(), which refuse sizes whose
 * element or byte counts overflow size_t; kernels assume that check passed. Any alignment. out
 * (y) must not overlap any input or work.
 *
 * Workspace. The gru takes `work`, at least rf_gru_counts.work floats: 3TBH for the input
 * projections of all T steps, 6BH for per-step scratch (recurrent pre-activations, r * h, the
 * state when only h_T is returned), 3 Hp (I + H) for a level's repacked copy of U and W (Hp = H
 * rounded up to RF_GRU_PANEL: whole-register panels with zero padding, fast/generic/gated.c), and
 * 64 floats of slack to align sub-buffers. No allocation in any kernel; work's contents on return are
 * unspecified. moe2 needs no workspace (three dot products per output, tiled in registers).
 *
 * oneDNN and PyTorch. oneDNN 2.6 (dev guide "RNN") names the matrices the other way round:
 * weights_layer (its W_*) multiply the input x_t, weights_iter (its U_*) multiply h_{t-1}. Gate
 * order u, r, o; GRU: o = tanh(W_o x + U_o (r * h) + B_o) (= cho); LBR-GRU: o = tanh(W_o x +
 * r * (U_o h + B_u') + B_o) (= lbr), bias gates u, r, o, u'. Both update as h_t = u * h_{t-1} +
 * (1 - u) * o: oneDNN's u keeps the old state, u = 1 - z. Since 1 - sigma(v) = sigma(-v), the
 * conversion negates the update gate exactly:
 *   weights_layer, gates (u, r, o) = (-U_z, U_r, U_h); weights_iter = (-W_z, W_r, W_h);
 *   bias (u, r, o[, u']) = (-b_z, b_r, b_h[, b_hr]).
 * Layouts: ldigo = dims (layers, directions, in, gates, out) with out fastest, so element
 * [0][0][i][g][o] = M_g[o][i], the transpose of our per-gate matrix; ldgoi = (layers,
 * directions, gates, out, in) is our own per-gate row-major order (peers/gated_onednn.c hands
 * oneDNN ldgoi and lets it reorder); bias ldgo = [g][o]. oneDNN has sigmoid gates and g = tanh
 * only. (Negation does not convert binary gates: 1 - 1{v >= 0} = 1{-v > 0}, not 1{-v >= 0}.)
 * PyTorch nn.GRU is lbr only, gate order r, z, n: weight_ih_l0 = [W_ir; W_iz; W_in] (3H x I),
 * weight_hh_l0 = [W_hr; W_hz; W_hn] (3H x H), bias_ih_l0 = [b_ir; b_iz; b_in], bias_hh_l0 =
 * [b_hr; b_hz; b_hn]; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h,
 * so PyTorch's z is oneDNN's u = 1 - (our z). Ours to PyTorch, exactly: weight_ih = [U_r; -U_z;
 * U_h], weight_hh = [W_r; -W_z; W_h], bias_ih = [b_r; -b_z; b_h], bias_hh = [0; 0; b_hr].
 * PyTorch to ours: U_z = -W_iz, W_z = -W_hz, U_r = W_ir, W_r = W_hr, U_h = W_in, W_h = W_hn,
 * b_h = b_in, b_hr = b_hn exactly, while b_z = -(b_iz + b_hz) and b_r = b_ir + b_hr round once
 * in float (PyTorch has two biases per gate, we have one). Beware the name clash: PyTorch's b_hr
 * is the recurrent bias of the reset gate; our (SPEC's) b_hr is PyTorch's b_hn.
 */
#ifndef REFAST_GATED_H
#define REFAST_GATED_H

#include <stddef.h>

#include "refast/kernel.h"

typedef enum rf_gated_gate {
    RF_GATE_SIGMOID = 0, /* 1 / (1 + e^-v) */
    RF_GATE_BINARY,      /* 1{v >= 0}, NaN for NaN */
    RF_GATE_COUNT
} rf_gated_gate;

typedef enum rf_gated_g {
    RF_GATED_G_TANH = 0, /* the default */
    RF_GATED_G_LINEAR,
    RF_GATED_G_RELU, /* v < 0 ? 0 : v, NaN for NaN */
    RF_GATED_G_SIGMOID,
    RF_GATED_G_COUNT
} rf_gated_g;

typedef enum rf_gru_variant {
    RF_GRU_CHO = 0, /* g(U_h x + b_h + W_h (r * h)) */
    RF_GRU_LBR,     /* g(U_h x + b_h + r * (W_h h + b_hr)) */
    RF_GRU_VARIANT_COUNT
} rf_gru_variant;

typedef enum rf_gru_output {
    RF_GRU_OUT_ALL = 0, /* h_1 .. h_T, T x B x H */
    RF_GRU_OUT_LAST,    /* h_T only, B x H */
    RF_GRU_OUTPUT_COUNT
} rf_gru_output;

typedef struct rf_moe2_spec {
    size_t B, d, m;
    rf_gated_gate gate;
    rf_gated_g g;
} rf_moe2_spec;

typedef struct rf_gru_spec {
    /* In is the I above: a member named I would be <complex.h>'s imaginary unit in every file
     * that includes it, as OpenBLAS's cblas.h does. */
    size_t T, B, In, H;
    rf_gru_variant variant;
    rf_gated_gate gate;
    rf_gated_g g;
    rf_gru_output output;
} rf_gru_spec;

/* The unit count the repacked weights are padded to (the widest register: 16 floats). */
#define RF_GRU_PANEL 16

/* Element (float) counts of every buffer of one call. */
typedef struct rf_moe2_counts {
    size_t w, x, y;
} rf_moe2_counts;

typedef struct rf_gru_counts {
    size_t w, x, h0, out, work;
} rf_gru_counts;

/* Fills *c; returns 0, or -1 if an element count or its size in bytes overflows size_t. */
int rf_moe2_count(const rf_moe2_spec *s, rf_moe2_counts *c);
int rf_gru_count(const rf_gru_spec *s, rf_gru_counts *c);

/* Argument validation for the command line: every enum in range, every size >= 1 (the kernels
 * accept 0, a user asking for it has made a mistake), no overflowing count, and, when w is not
 * NULL, every weight finite. Returns 0, or -1 with a one-line message in err naming the argument
 * (e.g. "weight W_r[3][17] is NaN"). */
int rf_moe2_validate(const rf_moe2_spec *s, const float *w, char *err, size_t errlen);
int rf_gru_validate(const rf_gru_spec *s, const float *w, char *err, size_t errlen);

/* Names as the command line spells them ("sigmoid", "binary"; "tanh", "linear", "relu",
 * "sigmoid"; "cho", "lbr"; "all", "last"), NULL for an out-of-range value; parsers return 0, or
 * -1 for an unknown name. */
const char *rf_gated_gate_name(rf_gated_gate v);
const char *rf_gated_g_name(rf_gated_g v);
const char *rf_gru_variant_name(rf_gru_variant v);
const char *rf_gru_output_name(rf_gru_output v);
int rf_gated_gate_parse(const char *s, rf_gated_gate *v);
int rf_gated_g_parse(const char *s, rf_gated_g *v);
int rf_gru_variant_parse(const char *s, rf_gru_variant *v);
int rf_gru_output_parse(const char *s, rf_gru_output *v);

/* ---- kernels ------------------------------------------------------------------------------- */

#define RF_KERNELS_GATED(X)                                                                      \
    X(moe2_f32, HAND, BLAS, VOID, (const rf_moe2_spec *s, const float *w, const float *x, float *y), \
      (s, w, x, y))                                                                              \
    X(gru_f32, HAND, BLAS_DNNL, VOID,                                                                  \
      (const rf_gru_spec *s, const float *w, const float *x, const float *h0, float *out,        \
       float *work),                                                                             \
      (s, w, x, h0, out, work))
RF_DECLARE_KERNELS(RF_KERNELS_GATED)

/* ---- peers (peers/): the same signatures, other engines --------------------------------------
 * openblas: single-threaded cblas_sgemm (moe2: X [A1; A2; W]^T in blocks; gru: the projections
 * of all T steps in one sgemm, then per step one recurrent sgemm (lbr) or two (cho: [W_z; W_r]
 * first, then W_h (r * h)), gates in plain C with libm). Every size that cblas's int arguments
 * hold; beyond INT_MAX they write NaN to every output. */

/* onednn (only when built with oneDNN: REFAST_HAVE_ONEDNN): oneDNN's vanilla GRU (cho) or
 * LBR-GRU (lbr), f32 inference forward, one thread, weights converted as stated above. One call
 * measures: the weight conversion into oneDNN's user layout (O(H(I + H))), oneDNN's reorder to
 * the primitive's preferred weights layout when it differs, and the primitive's execution; the
 * primitive itself (and its scratchpad, reorders and weight buffers) is created on the first call
 * for a shape (T, B, I, H, variant) and cached. It supports sigmoid gates, g = tanh and sizes >= 1
 * (rf_gru_onednn_supported); for anything else, or if oneDNN fails, it writes NaN to every output
 * and rf_gru_onednn_error() says why. Not reentrant across threads for the same shape: a mutex
 * serialises calls. rf_gru_onednn_release() frees the cache. */
int rf_gru_onednn_supported(const rf_gru_spec *s);
const char *rf_gru_onednn_error(void);
void rf_gru_onednn_release(void);

#endif
