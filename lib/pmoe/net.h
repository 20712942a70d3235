/* The shape of one pMoE-family network (seed 002 §3.1): what the kernels of refast/pmoe.h are
 * composed into by step.h.
 *   CNN     eq. 5: h = m neurons on all n patches (k = 1, l = n, G = 1), f = sum_r a_r scale sum_j relu
 *   ROUTER  eq. 6: the separate-training router pre-training model, w = (w_1, w_2) (k = 2)
 *   MOE     eq. 1: k routers select l patches each for k experts of h neurons; gating ONE (separate
 *           training: routers frozen) or SOFTMAX / WRN (joint training: routers trained)
 * Parameters (step.h): router/gating kernels wg (k x d), expert weights W (k x h x d), output
 * weights a (k x h, fixed during training as in the seed and the authors' code). */
#ifndef REFAST_LIB_PMOE_NET_H
#define REFAST_LIB_PMOE_NET_H

#include <stddef.h>

typedef enum rf_pmoe_arch { RF_PMOE_ARCH_CNN = 0, RF_PMOE_ARCH_ROUTER, RF_PMOE_ARCH_MOE } rf_pmoe_arch;

typedef struct rf_pmoe_net {
    rf_pmoe_arch arch;
    size_t n, d;       /* patches per sample, values per patch */
    size_t k, h, l;    /* experts, neurons per expert (CNN: its width m), patches per expert */
    int gating;        /* RF_PMOE_GATE_* (MOE) */
    int tie;           /* RF_PMOE_TIE_* of the top-l selection (MOE) */
    size_t grid_w;     /* patches per grid row (the column-major tie rule) */
    double scale;      /* multiplies the expert sum: 1/n (code) or 1/l (paper) */
    int train_routers; /* MOE: 1 = the gating kernels are trained too (joint training) */
} rf_pmoe_net;

/* 0 if the shape is usable, else -1 and a one-line reason (l > n, l < 1, k < 1, ...). */
int rf_pmoe_net_check(const rf_pmoe_net *net, char *err, size_t errlen);
/* 0 if every one of count values is finite, else -1 and "pmoe WHAT: value I is not finite". */
int rf_pmoe_check_finite_f32(const float *v, size_t count, const char *what, char *err, size_t errlen);

/* Entries of wg, W and a (0 where the architecture has none). */
size_t rf_pmoe_net_wg_count(const rf_pmoe_net *net);
size_t rf_pmoe_net_w_count(const rf_pmoe_net *net);
size_t rf_pmoe_net_a_count(const rf_pmoe_net *net);

#endif
