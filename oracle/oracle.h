/* Oracles: independent, higher-precision computations of what every kernel must output.
 * They share no code with ref/ or fast/ (only the input conventions) and favour obvious
 * correctness over speed: long double with compensated (TwoSum) arithmetic, or exact integers.
 * Golden files store their results; ref is judged against them exactly like fast is. */
#ifndef REFAST_ORACLE_H
#define REFAST_ORACLE_H

#include <stddef.h>
#include <stdint.h>

/* A long double carried with its rounding error: value = hi + lo, |lo| <= ulp(hi)/2. */
typedef struct ora_dd {
    long double hi, lo;
} ora_dd;

ora_dd ora_dd_add(ora_dd a, ora_dd b);
ora_dd ora_dd_from(long double x);
ora_dd ora_dd_neg(ora_dd a);
long double ora_dd_value(ora_dd a);

/* Unnormalised Walsh–Hadamard transform of n = 2^log2n values in double-long-double arithmetic
 * (exact to ~2^-120 relative to sum|x|). Non-finite inputs: plain long double IEEE arithmetic,
 * whose NaN/inf pattern does not depend on the summation order. out has n entries. */
void ora_fht(const float *x, unsigned log2n, long double *out);

/* Sum of |x_i|. */
long double ora_abs_sum(const float *x, size_t n);

/* ---- Random numbers and the AWGN channel (oracle/rng.c) ------------------------------------
 * Words and uniforms are exact integers: their oracle is the Philox definition itself
 * (rf_philox4x32_10, proven by the SPEC §3 known-answer tests) with the addressing of
 * refast/rng.h. Gaussians and LLRs are computed in long double from the exactly reduced angle. */

/* Word `pos` of Philox stream (seed, stream). */
uint32_t ora_philox_word(uint64_t seed, uint64_t stream, uint64_t pos);
/* Gaussian number `index` of stream (seed, stream), Box–Muller in long double. */
long double ora_gauss(uint64_t seed, uint64_t stream, uint64_t index);
/* BPSK + AWGN LLRs of frames x n symbols (frame first_frame + i uses stream first_frame + i):
 * llr = 2 (s + sigma z) / sigma^2 with the long double gaussian z, and the error scale
 * scale = (2 / sigma^2) (1 + sigma |z|), the magnitudes of the terms that make up each LLR. */
void ora_awgn_llr(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                  uint64_t seed, float sigma, long double *llr, long double *scale);

/* ---- MAP and Soft-MAP by enumeration (oracle/softmap.c) --------------------------------------
 * Codes are given by a k x n generator matrix (u8 0/1, row-major, message bit i multiplies row
 * i); message u (bit i = information bit i) has codeword c(u) = u G over GF(2). */

/* The RM(m,1) generator in the canonical order: row 0 all ones (b0), row j+1 = bit_j(i). */
void ora_rm1_generator(unsigned m, uint8_t *gen);
/* corr[f * 2^k + u] = <l_f, 1 - 2 c(u)> for every frame f and message u, TwoSum-compensated
 * long double (plain long double IEEE arithmetic for a frame with non-finite LLRs). Returns -1 if out of
 * memory (it needs 2^k * n bytes), else 0. */
int ora_code_correlations(const float *llr, size_t frames, size_t n, unsigned k,
                          const uint8_t *gen, long double *corr);
/* The same correlations for ora_rm1_generator's code (k = m + 1) through the FHT: message
 * u = b0 + 2a has codeword b0 XOR <a, i>, so corr[u] = (-1)^b0 W(a) with W = ora_fht(l) (double-
 * double: as accurate as the enumeration's compensated sums; for a non-finite frame the plain long
 * double butterflies, whose NaN/inf pattern is the direct sums': a partial sum holds opposite
 * infinities only if the whole sum does). n log n per frame instead of 2^(m+1) n: what makes
 * RM(16,1) cases affordable. Returns -1 if out of memory, else 0. */
int ora_rm1_correlations(const float *llr, size_t frames, unsigned m, long double *corr);
/* 1 if all 2^k correlations of one frame are finite. */
int ora_corr_finite(const long double *corr, unsigned k);
/* The k information-bit LLRs of one frame from its 2^k correlations: maxlog != 0 gives
 * max_{u_i=0} corr - max_{u_i=1} corr, else LSE_{u_i=0} corr/2 - LSE_{u_i=1} corr/2 (long double
 * LSE). NaN everywhere if a correlation is not finite. */
void ora_softmap_from_corr(const long double *corr, unsigned k, int maxlog, long double *out);
/* MAP of one RM(m,1) frame (correlations of ora_rm1_generator's code): the first message in
 * increasing order with the largest correlation (strict >, NaN never wins, all-NaN gives 0),
 * written as m+1 bits b0..bm. Returns the decision margin min(|W(a*)| - max_{a != a*} |W(a)|,
 * |W(a*)|) with W(a) = corr[2a], or +inf for a frame with a non-finite correlation (its bits are
 * fixed by the NaN rules alone: no near-tie). */
long double ora_rm1_map_from_corr(const long double *corr, unsigned m, uint8_t *bits);

/* ---- Rayleigh and bursty channels (oracle/channel.c) -----------------------------------------
 * The streams of refast/channel.h. Rayleigh: a = sqrt((x^2 + y^2) / 2) from the fading pair,
 * llr = (2 / sigma^2) a (a s + sigma z), scale = (2 / sigma^2)(a^2 + a sigma |z|). Bursty: hit iff
 * the exact uniform u < rho, llr = (2 / sigma^2)(s + sigma z + hit sigma_b w),
 * scale = (2 / sigma^2)(1 + sigma |z| + hit sigma_b |w|). */
void ora_rayleigh_llr(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
                      float sigma, long double *llr, long double *scale);
void ora_bursty_llr(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
                    float sigma, float rho, float sigma_b, long double *llr, long double *scale);

/* ---- Polar SC, SC list and block ML (oracle/polar.c) -----------------------------------------
 * Independent of ref/: every leaf LLR is recomputed from the channel and the path's decided prefix
 * u_0..u_{i-1} (recursively: first half f, second half g with x_a = the encoding of the first half's
 * u), in long double; codewords by the definition x_j = XOR of u_i over i containing j's bits
 * (F^{(x)n}[i][j] = 1 iff j & ~i == 0). The f rules, leaf rule [L < 0], path order and tie rules are
 * those of refast/decoders.h and ref/polar_scl.c (candidates c = 2p + (u != [L < 0]), ranked by
 * (metric with NaN last, c), survivors in increasing c, output the first best path). */

/* x = u F^{(x)log2n}, u and x of N = 2^log2n bits (N <= 2^16). */
void ora_polar_encode(unsigned log2n, const uint8_t *u, uint8_t *x);
/* SC of one frame; writes the K message bits. Returns the margin: min |L| over the information
 * leaves (NaN leaves, decided by the rule alone, excluded; +inf if none). */
long double ora_polar_sc(unsigned log2n, const uint8_t *frozen, int f, const float *llr, uint8_t *msg);
/* int8 SC (polar_sc_i8, oracle/polar_i8.c): every leaf LLR rebuilt from the channel (-128 read
 * as -127) and the decided prefix in int arithmetic with each f/g result clamped to [-127, 127],
 * the first half's codeword by ora_polar_encode. Writes the K message bits; returns 0, or -1 when
 * out of memory. */
int ora_polar_sc_i8(unsigned log2n, const uint8_t *frozen, const int8_t *llr, uint8_t *msg);
/* The SCL near-tie bound (derived in kernels/registry/polar.c). Every leaf LLR L carries a
 * running error bound e (units of u: a float implementation on the same prefix is within u e of
 * it). In: near (a leaf with |L| <= near e may take the other sign in an implementation: the
 * judge's tau u). Each path carries its count n of leaves that are penalised or near, the sum E of
 * their bounds and its weight w = E + n metric (metric 0 when infinite): two metrics a <= b can
 * swap only if b - a <= u (w_a + w_b). Out: tie and scale of the pair of smallest tie / scale over
 * the pairs that decide (a kept and a pruned candidate of a selection; ora_polar_scl also the best
 * final path and any other), so that some such pair is within tau u its scale iff tie <= tau u
 * scale (tie +inf, scale 0 when none); gap_min the smallest boundary gap (last kept vs first
 * pruned, best vs second) and count_max the largest n (reports); weights (ora_polar_scl_paths) the
 * final paths' w in rank order (NaN beyond), for the ranking's pairs. A pair with a NaN metric is
 * skipped (NaN ranks by position). */
typedef struct ora_scl_tie {
    long double near;
    long double tie, scale, gap_min;
    unsigned count_max;
    long double weights[32];
} ora_scl_tie;

/* The LLR of leaf i on the prefix u (u[0..i) read, N = 2^log2n <= 2^12) and, in *err, its
 * running error bound in units of u (ora_scl_tie). NaN when out of memory. */
long double ora_polar_leaf(unsigned log2n, int f, const float *llr, const uint8_t *u, size_t i, long double *err);

/* SC list of one frame (1 <= list <= 32); writes the best path's K message bits and fills t's
 * outputs. Returns 0, or -1 when out of memory. */
int ora_polar_scl(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                  uint8_t *msg, ora_scl_tie *t);
/* SC list of one frame, every final path: paths is list x K, the paths ranked by (metric, NaN
 * last, position), rows beyond the paths 0xff (refast/decoders.h polar_scl_paths); metrics
 * (list entries) their metrics in that order (NaN beyond). t: the selections only in tie and
 * scale (the final ranking's pairs follow from metrics and t->weights). */
int ora_polar_scl_paths(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                        uint8_t *paths, long double *metrics, ora_scl_tie *t);
/* Per row r of ora_polar_scl_paths' ranking (its metrics and t): row_tie[r] / row_scale[r] is the
 * smallest tie/scale among the selections (t->tie, t->scale) and every pair of final paths ranked
 * i <= r <= j, whose swap would change row r (gap |m_i - m_j|, scale w_i + w_j). A pair with a
 * NaN metric is skipped (NaN ranks by position). */
void ora_polar_scl_row_ties(unsigned list, const long double *metrics, const ora_scl_tie *t, double *row_tie,
                            double *row_scale);
/* Block ML by enumeration (K <= 16): the message maximising <l, 1 - 2 x(u)> (ties: lowest message
 * index sum_j b_j 2^j, NaN never wins). Returns best minus second-best correlation (+inf if K = 0). */
long double ora_polar_ml(unsigned log2n, const uint8_t *frozen, const float *llr, uint8_t *msg);

/* ---- RM and polar encoders, polar construction (oracle/codes.c) -----------------------------
 * Independent of ref/ and fast/: RM by monomial evaluation, polar by XORing rows of an explicitly
 * built F^{(x)n}, GA with phi^-1 by bisection in long double. Bits one per byte. */

/* Monomials of degree <= r in m variables in the canonical order: the integers j < 2^m with
 * popcount(j) <= r, increasing (j = the set of variables x_t, t in j). Returns how many. */
size_t ora_rm_monomials(unsigned m, unsigned r, uint32_t *mono);
/* c_i = XOR_t b_t * prod_{v in mono_t} bit_v(i) for every frame: frames x k message bits (bit 0 of
 * each byte) -> frames x 2^m codeword bits. m <= 16. */
void ora_rm_encode_monomial(unsigned m, unsigned r, const uint8_t *msg, size_t frames, uint8_t *bits);
/* x = u G with G = F^{(x)log2n} built by the Kronecker recursion G_2N = [[G, 0], [G, G]]; the K
 * message bits fill the positions with frozen == 0 in increasing order. log2n <= 12. Returns -1 when
 * out of memory. */
int ora_polar_encode_gen(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                         uint8_t *bits);
/* GA mean LLR of every synthetic channel (SPEC §5.1, Chung's phi) in long double; worse child by
 * bisection of phi(t') = 1 - (1 - phi(t))^2 in log phi. log2n <= 16. */
void ora_polar_ga_means(unsigned log2n, long double sigma, long double *z);
/* Bhattacharyya parameters z (z0 = exp(-1/(2 sigma^2)), worse 2z - z^2, better z^2), plain long
 * double. log2n <= 12 keeps z^(2^log2n) above the long double underflow for sigma >= 0.2. */
void ora_polar_bhattacharyya(unsigned log2n, long double sigma, long double *z);
/* frozen[i] = 0 for the K largest rel[i] (ties: larger index first), by counting ranks. Returns
 * the relative gap (rel_(K) - rel_(K+1)) / max(|rel_(K)|, tiny) between the worst information and
 * the best frozen channel (+inf when K = 0 or K = n). */
long double ora_polar_select(const long double *rel, size_t n, size_t K, uint8_t *frozen);

/* ---- Dumer decoder and block ML (oracle/decoders.c) ------------------------------------------
 * Independent of ref/ and fast/: long double throughout, leaf correlations W(a) summed directly
 * (O(n^2), no transform), f by log1pl/expl, full-rate soft leaves by enumerating the leaf's
 * codewords (n <= 16). Inputs are sanitised as refast/decoders.h states (NaN -> 0, clamp to
 * +-2^100). variant: 0 dumer, 1 dumer0; f: 0 exact, 1 minsum (the RF_DUMER* / RF_F_* values). */

/* The canonical RM(m,r) encoder (SPEC §5.1): k(m,r) message bits to n = 2^m codeword bits. */
void ora_rm_encode(unsigned m, unsigned r, const uint8_t *msg, uint8_t *cw);
/* One frame of Dumer decoding. soft == 0: k hard bits into bits; soft != 0: the k max-log
 * leaf LLRs into soft_out (and their implied bits [L < 0] into bits). Returns the frame's
 * decision margin: the minimum over every decision on the oracle's path of its distance from
 * flipping (repetition |sum L|, RM(m,1) MAP min(|W*| - max_{a != a*}|W(a)|, |W*|), full rate
 * min |L_i|, soft leaves min |LLR_j|). Returns -1 (and writes nothing) when out of memory. */
long double ora_rm_dumer(unsigned m, unsigned r, int variant, int f, int soft, const float *llr,
                         uint8_t *bits, long double *soft_out);
/* Block ML of one frame over a k x n generator (1 <= k <= 16): first message (index sum b_j 2^j)
 * with the largest correlation <l, 1 - 2c> of the sanitised LLRs; returns best minus second best
 * (>= 0), or -1 when out of memory. */
long double ora_block_ml(const uint8_t *gen, unsigned k, size_t n, const float *llr, uint8_t *bits);

#endif
