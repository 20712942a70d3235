/* A set of pMoE kernel implementations (refast/pmoe.h), as function pointers, so that everything
 * in lib/pmoe/ (the reference checker, the training drivers, the experiments) runs on whichever
 * implementation the caller chooses: ref, any ISA level through the dispatch (rf_pmoe_ops_level),
 * or a peer (rf_pmoe_ops_autovec, rf_pmoe_ops_openblas).
 * One table per element type; a set is complete when no pointer is NULL. */
#ifndef REFAST_LIB_PMOE_OPS_H
#define REFAST_LIB_PMOE_OPS_H

#include <stddef.h>

#include "refast/isa.h"
#include "refast/pmoe.h"

typedef struct rf_pmoe_ops_f32 {
    rf_pmoe_route_f32_fn route;
    rf_pmoe_topl_f32_fn topl;
    rf_pmoe_gate_f32_fn gate;
    rf_pmoe_expert_fwd_f32_fn expert_fwd;
    rf_pmoe_logistic_f32_fn logistic;
    rf_pmoe_expert_bwd_f32_fn expert_bwd;
    rf_pmoe_gate_bwd_f32_fn gate_bwd;
    rf_pmoe_route_bwd_f32_fn route_bwd;
    rf_pmoe_router_loss_f32_fn router_loss;
    rf_pmoe_sgd_f32_fn sgd;
} rf_pmoe_ops_f32;

typedef struct rf_pmoe_ops_f64 {
    rf_pmoe_route_f64_fn route;
    rf_pmoe_topl_f64_fn topl;
    rf_pmoe_gate_f64_fn gate;
    rf_pmoe_expert_fwd_f64_fn expert_fwd;
    rf_pmoe_logistic_f64_fn logistic;
    rf_pmoe_expert_bwd_f64_fn expert_bwd;
    rf_pmoe_gate_bwd_f64_fn gate_bwd;
    rf_pmoe_route_bwd_f64_fn route_bwd;
    rf_pmoe_router_loss_f64_fn router_loss;
    rf_pmoe_sgd_f64_fn sgd;
} rf_pmoe_ops_f64;

typedef struct rf_pmoe_ops {
    const char *name; /* "scalar", "avx2", ... as the caller labels it */
    rf_pmoe_ops_f32 f32;
    rf_pmoe_ops_f64 f64;
} rf_pmoe_ops;

/* The scalar reference (ref/). */
extern const rf_pmoe_ops rf_pmoe_ops_ref;

/* The kernels a level runs (refast/kernels.h rf_dispatch: the level's own code, or what its
 * fallback chain ends at), labelled with the level's name; -1 with a one-line message when the
 * level is not usable on this machine. */
int rf_pmoe_ops_level(rf_isa level, rf_pmoe_ops *out, char *err, size_t errlen);

/* The autovec peer of a level: every kernel's ref/ source compiled at -O3 with the level's flags
 * (labelled "autovec_<level>"); -1 with a one-line message when that build or the level is not
 * available here. */
int rf_pmoe_ops_autovec(rf_isa level, rf_pmoe_ops *out, char *err, size_t errlen);

/* The openblas peer (labelled "openblas"): the GEMM-shaped kernels (route, route_bwd, expert_fwd,
 * expert_bwd) through single-threaded OpenBLAS (peers/pmoe_blas.c), the rest (top-l, gate,
 * logistic, gate_bwd, router loss, SGD: O(B k n) glue) from ref, as a program written over BLAS
 * would have them; -1 with a one-line message when the build has no OpenBLAS peer. */
int rf_pmoe_ops_openblas(rf_pmoe_ops *out, char *err, size_t errlen);

/* 0 if every pointer is set, else -1 with a one-line message naming the first missing kernel. */
int rf_pmoe_ops_check(const rf_pmoe_ops *ops, char *err, size_t errlen);

#endif
