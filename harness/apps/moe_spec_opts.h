/* The command-line options that describe a MoE model, shared by `refast moe gen` and
 * `refast moe learn`:
 *   --preset NAME | --k K --d D --g G --sigma S [--input gauss|gmm --gmm-p P]
 *                   [--regressors sphere|basis] [--gating orthogonal|unrestricted|basis] [--w-norm R]
 *   [--n N] [--seed S]
 * A preset and explicit model options are mutually exclusive (a preset is the seed's setting, not a
 * starting point); --n and --seed go with either. The rows come from MOE_SPEC_OPTS inside the
 * command's own option table (opts.h); moe_spec_resolve checks what the rows cannot (the preset
 * against explicit options, the combinations) like rf_moe_model_make does. */
#ifndef REFAST_MOE_SPEC_OPTS_H
#define REFAST_MOE_SPEC_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moe/model.h"
#include "opts.h"
#include "refast/moe.h"

typedef struct moe_spec_opts {
    const char *preset;
    unsigned long long k, d, n, seed;
    double sigma, gmm_p, w_norm;
    int g, input, regressors, gating; /* choice indices: rf_moe_g, rf_moe_input, ... in enum order */
    bool has_k, has_d, has_g, has_sigma, has_input, has_gmm_p, has_regressors, has_gating, has_w_norm, has_n;
} moe_spec_opts;

/* The help of the model options (after the command's own). */
#define MOE_SPEC_TEXT                                                                                       \
    "Model (seed 001 eq. 1): x in R^d, z ~ softmax(<w_i, x>) with w_k = 0, y = g(<a_z, x>) + sigma eps."
#define MOE_PRESET_HELP                                                                                     \
    "a seed experiment (excludes the options below):\n"                                                     \
    "  001-gmm-p0.1 .. 001-gmm-p0.9  seed 001 §4.1: k=2 d=10 sigma=0.1 n=2000,\n"                           \
    "      x ~ p N(mu1,I) + (1-p) N(mu2,I), mu on S^9, w on S^9 (p = 0.1,0.3,0.5,0.7,0.9)\n"                \
    "  001-orth, 001-nonorth  seed 001 §4.2: k=2 d=10 sigma=0.1 n=2000, x ~ N(0,I),\n"                      \
    "      w orthogonal to span{a} / unrestricted on S^9\n"                                                 \
    "  001-joint-k3, 001-joint-k4  seed 001 §4.3: k=3/4 d=10 sigma=0.5 n=8000, w on S^9\n"                  \
    "  003-l4  seed 003 §4: k=3 d=10 sigma=0.05 a_i=e_i w_i=e_{k+i}; n=100000\n"                           \
    "      (our choice: the seed trains on fresh batches)\n"                                                \
    "all presets: g linear, a_i uniform on S^{d-1} unless stated, ||w_i|| = 1"

/* The rows of the model options for the options struct T whose member M is a moe_spec_opts. */
#define MOE_SPEC_OPTS(T, M)                                                                                 \
    {.kind = RF_OPT_TEXT, .help = MOE_SPEC_TEXT},                                                           \
    {"--preset", RF_OPT_STR, offsetof(T, M.preset), "NAME", .help = MOE_PRESET_HELP},                               \
    {"--k", RF_OPT_U64, offsetof(T, M.k), "K", .help = "experts, at most D", .min = 2, .max = RF_MOE_MAX_D,            \
     .given = RF_GIVEN(T, M.has_k)},                                                                        \
    {"--d", RF_OPT_U64, offsetof(T, M.d), "D", .help = "the input dimension", .min = 2, .max = RF_MOE_MAX_D,        \
     .given = RF_GIVEN(T, M.has_d)},                                                                        \
    {"--g", RF_OPT_CHOICE, offsetof(T, M.g), "linear|relu|leaky_relu|sigmoid|tanh",                          \
     .help = "the non-linearity (leaky_relu: slope 0.01)", .given = RF_GIVEN(T, M.has_g)},                          \
    {"--sigma", RF_OPT_F64, offsetof(T, M.sigma), "S", .help = "noise level", .min = 0, .flags = RF_OPT_MIN_OPEN,   \
     .given = RF_GIVEN(T, M.has_sigma)},                                                                    \
    {"--input", RF_OPT_CHOICE, offsetof(T, M.input), "gauss|gmm",                                          \
     .help = "x ~ N(0, I), or p N(mu1, I) + (1-p) N(mu2, I) with --gmm-p P", .def = "gauss",                        \
     .given = RF_GIVEN(T, M.has_input)},                                                                    \
    {"--gmm-p", RF_OPT_F64, offsetof(T, M.gmm_p), "P", .help = "the mixture weight p of --input gmm", .min = 0,     \
     .max = 1, .flags = RF_OPT_MIN_OPEN | RF_OPT_MAX_OPEN, .given = RF_GIVEN(T, M.has_gmm_p)},              \
    {"--regressors", RF_OPT_CHOICE, offsetof(T, M.regressors), "sphere|basis",                              \
     .help = "a_i uniform on the unit sphere, or a_i = e_i", .def = "sphere", .given = RF_GIVEN(T, M.has_regressors)}, \
    {"--gating", RF_OPT_CHOICE, offsetof(T, M.gating), "orthogonal|unrestricted|basis",                      \
     .help = "w_i a uniform direction orthogonal to span{a} (needs 2K-1 <= D), a\n"                                 \
     "uniform direction in R^D, or w_i = e_{K+i} (needs 2K-1 <= D)",                                        \
     .def = "orthogonal", .given = RF_GIVEN(T, M.has_gating)},                                              \
    {"--w-norm", RF_OPT_F64, offsetof(T, M.w_norm), "R", .help = "||w_i|| for i < K", .def = "1", .min = 0,          \
     .given = RF_GIVEN(T, M.has_w_norm)},                                                                   \
    {"--n", RF_OPT_U64, offsetof(T, M.n), "N", .help = "samples; default: the preset's, else 2000", .min = 1,      \
     .given = RF_GIVEN(T, M.has_n)},                                                                        \
    {"--seed", RF_OPT_U64, offsetof(T, M.seed), "S",                                                        \
     .help = "Philox seed: parameters and samples are functions of S, sample i of\n(S, i) alone", .def = "1"}

/* Builds the spec (seed and n included; n defaults to the preset's, else 2000 = seed 001's n) and
 * validates it like rf_moe_model_make does. Returns 0, else the exit code after printing the
 * one-line error prefixed by cmd ("moe gen"). */
int moe_spec_resolve(const char *cmd, const moe_spec_opts *o, rf_moe_spec *s, uint64_t *n);

/* "preset=NAME k=.. d=.. g=.. sigma=.. input=.. [gmm_p=..] regressors=.. gating=.. w_norm=.. seed=.." */
void moe_spec_describe(const rf_moe_spec *s, const char *preset, char *buf, size_t len);

#endif
