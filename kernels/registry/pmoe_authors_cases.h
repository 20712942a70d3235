/* The golden case tables of the pMoE descriptors, included once by kernels/registry/pmoe.c after
 * PM_ORACLE_CASES: every kernel's oracle cases, then the cases whose want.* are the pMoE authors'
 * numbers (source=<folder> of ../shared/pmoe-reference; kernels/registry/pmoe_authors.c builds
 * them and derives their bound). Regenerate with `refast golden generate --kernel 'pmoe_*'` from a
 * checkout next to ../shared (or REFAST_PMOE_REFERENCE=DIR); without the folder it fails naming it.
 *
 * Size (SPEC: golden/ under 32 MiB; it held 27.0 MiB, these cases add 3.1 MiB): the per-sample outputs (g, z, f) use the
 * first sample (B=1) of the 8 in data/ (one sample of 16 x 784 patches is 50 KB in float, 100 KB in
 * double; a model's 31360 expert weights 125 / 250 KB); the batch-mean outputs (dW, dWg, the
 * router's dw) need all 8 samples, so those cases exist in float only (the precision the authors
 * trained in), 400 KB of patches each; the small kernels (top-l, gate, logistic,
 * sgd of the small parameter sets, the gate_* folders' d = 12 patches) in both dtypes. Every folder
 * but data/ (the inputs of all) and train/ is used. train/ is left out: its numbers are whole
 * chained training steps on batches of 20 images (1 MB of float patches per case) with no single
 * kernel's output among them; `refast pmoe check-reference` and tests/test_pmoe_reference.c run
 * those four steps at every level. */
#ifndef REFAST_REGISTRY_PMOE_AUTHORS_CASES_H
#define REFAST_REGISTRY_PMOE_AUTHORS_CASES_H

#define PM_SHAPE_SEP "n=16 d=784 k=2 h=20 l=2 gate=one tie=col"
#define PM_SHAPE_JOINT "n=16 d=784 k=8 h=5 l=6 gate=softmax"
#define PM_SHAPE_CNN4 "n=16 d=784 k=1 h=4 l=16 cnn=1"
#define PM_SHAPE_CNN40 "n=16 d=784 k=1 h=40 l=16 cnn=1"
#define PM_SHAPE_GMNIST "B=2 n=16 d=12 k=1 l=3 gate=softmax"
#define PM_SHAPE_GWRN "B=2 n=16 d=12 k=1 l=3 gate=wrn"

/* per-sample routing values: the first sample of the models and the gate layers' generic input
 * (float: all; double: the joint model and the gate layers; the tie folder's images are used by
 * the top-l cases, their g being 0 or one patch's dot product) */
#define PM_AUTHORS_ROUTE_BOTH                                                                      \
    {"authors_joint_k8_l6", "source=joint_k8_l6 B=1 " PM_SHAPE_JOINT},                             \
    {"authors_gate_mnist", "source=gate_mnist " PM_SHAPE_GMNIST},                                  \
    {"authors_gate_wrn", "source=gate_wrn " PM_SHAPE_GWRN},
#define PM_AUTHORS_ROUTE_F32                                                                       \
    {"authors_sep_l2", "source=sep_l2 B=1 " PM_SHAPE_SEP},                                         \
    {"authors_joint_k8_l6_codeinit", "source=joint_k8_l6_codeinit B=1 " PM_SHAPE_JOINT},

/* selections of every sample: both tie rules, blank images, the codeinit near-ties (margin 2.3e-6) */
#define PM_AUTHORS_TOPL                                                                            \
    {"authors_sep_l2", "source=sep_l2 B=8 " PM_SHAPE_SEP},                                         \
    {"authors_joint_k8_l6", "source=joint_k8_l6 B=8 " PM_SHAPE_JOINT},                             \
    {"authors_joint_k8_l6_codeinit", "source=joint_k8_l6_codeinit B=8 " PM_SHAPE_JOINT},           \
    {"authors_tie_joint", "source=tie use=joint B=2 n=16 d=784 k=8 l=6"},                          \
    {"authors_tie_sep", "source=tie use=sep B=2 n=16 d=784 k=2 l=2 tie=col"},                      \
    {"authors_gate_mnist", "source=gate_mnist " PM_SHAPE_GMNIST},                                  \
    {"authors_gate_wrn", "source=gate_wrn " PM_SHAPE_GWRN},

#define PM_AUTHORS_GATE                                                                            \
    {"authors_joint_k8_l6", "source=joint_k8_l6 B=8 " PM_SHAPE_JOINT},                             \
    {"authors_joint_k8_l6_codeinit", "source=joint_k8_l6_codeinit B=8 " PM_SHAPE_JOINT},           \
    {"authors_gate_mnist", "source=gate_mnist " PM_SHAPE_GMNIST},                                  \
    {"authors_gate_wrn", "source=gate_wrn " PM_SHAPE_GWRN},

/* z (the CNN's h) and f of the first sample: the CNN (no selection) and the joint model (selection
 * and softmax gate) in both dtypes, the separate model (selection, G = 1) in float at the paper's
 * 1/l scale, the CNN with 40 neurons in float (the fast levels block the neurons: h = 40 is
 * another path than h = 4) */
#define PM_AUTHORS_EXPERT_FWD_BOTH                                                                 \
    {"authors_cnn_m4", "source=cnn_m4 B=1 " PM_SHAPE_CNN4},                                        \
    {"authors_joint_k8_l6", "source=joint_k8_l6 B=1 " PM_SHAPE_JOINT},
#define PM_AUTHORS_EXPERT_FWD_F32                                                                  \
    {"authors_cnn_m40", "source=cnn_m40 B=1 " PM_SHAPE_CNN40},                                     \
    {"authors_sep_l2_paper", "source=sep_l2 B=1 scale=paper " PM_SHAPE_SEP},

#define PM_AUTHORS_LOGISTIC                                                                        \
    {"authors_cnn_m4", "source=cnn_m4 B=8 " PM_SHAPE_CNN4},                                        \
    {"authors_cnn_m40", "source=cnn_m40 B=8 " PM_SHAPE_CNN40},                                     \
    {"authors_sep_l2", "source=sep_l2 B=8 " PM_SHAPE_SEP},                                         \
    {"authors_joint_k8_l6", "source=joint_k8_l6 B=8 " PM_SHAPE_JOINT},                             \
    {"authors_joint_k8_l6_codeinit", "source=joint_k8_l6_codeinit B=8 " PM_SHAPE_JOINT},

/* batch-mean gradients: all 8 samples, float only (see the top): the joint model's dW (selection and
 * softmax gate: the most general expert backward) and the router's dw. The joint model's dWg is
 * not a case (500 KB for a routing backward whose input dg our oracle derives); the gate layers'
 * dkernel pins the gate backward and the routing backward instead. */
#define PM_AUTHORS_EXPERT_BWD {"authors_joint_k8_l6", "source=joint_k8_l6 B=8 " PM_SHAPE_JOINT},
#define PM_AUTHORS_ROUTE_BWD_GATE                                                                  \
    {"authors_gate_mnist", "source=gate_mnist " PM_SHAPE_GMNIST},                                  \
    {"authors_gate_wrn", "source=gate_wrn " PM_SHAPE_GWRN},
#define PM_AUTHORS_ROUTER_LOSS {"authors_router", "source=router B=8 n=16 d=784"},

/* one SGD step of the small parameter sets (the big ones are the same update on more numbers) */
#define PM_AUTHORS_SGD                                                                             \
    {"authors_cnn_m4", "source=cnn_m4 B=1 n=16 d=784 k=1 h=4"},                                    \
    {"authors_router", "source=router B=1 n=16 d=784 k=1 h=2"},

static const rf_case_spec pmoe_route_f32_cases[] = {
    PM_ORACLE_CASES PM_AUTHORS_ROUTE_BOTH PM_AUTHORS_ROUTE_F32{NULL, NULL}};
static const rf_case_spec pmoe_route_f64_cases[] = {PM_ORACLE_CASES PM_AUTHORS_ROUTE_BOTH{NULL, NULL}};
static const rf_case_spec pmoe_topl_f32_cases[] = {PM_ORACLE_CASES PM_AUTHORS_TOPL{NULL, NULL}};
static const rf_case_spec pmoe_topl_f64_cases[] = {PM_ORACLE_CASES PM_AUTHORS_TOPL{NULL, NULL}};
static const rf_case_spec pmoe_gate_f32_cases[] = {PM_ORACLE_CASES PM_AUTHORS_GATE{NULL, NULL}};
static const rf_case_spec pmoe_gate_f64_cases[] = {PM_ORACLE_CASES PM_AUTHORS_GATE{NULL, NULL}};
static const rf_case_spec pmoe_expert_fwd_f32_cases[] = {
    PM_ORACLE_CASES PM_AUTHORS_EXPERT_FWD_BOTH PM_AUTHORS_EXPERT_FWD_F32{NULL, NULL}};
static const rf_case_spec pmoe_expert_fwd_f64_cases[] = {PM_ORACLE_CASES PM_AUTHORS_EXPERT_FWD_BOTH{NULL, NULL}};
static const rf_case_spec pmoe_logistic_f32_cases[] = {PM_ORACLE_CASES PM_AUTHORS_LOGISTIC{NULL, NULL}};
static const rf_case_spec pmoe_logistic_f64_cases[] = {PM_ORACLE_CASES PM_AUTHORS_LOGISTIC{NULL, NULL}};
static const rf_case_spec pmoe_expert_bwd_f32_cases[] = {PM_ORACLE_CASES PM_AUTHORS_EXPERT_BWD{NULL, NULL}};
static const rf_case_spec pmoe_expert_bwd_f64_cases[] = {PM_ORACLE_CASES{NULL, NULL}};
/* no folder holds dL/dg: the gate backward is pinned through the routing backward's dw */
static const rf_case_spec pmoe_gate_bwd_f32_cases[] = {PM_ORACLE_CASES{NULL, NULL}};
static const rf_case_spec pmoe_gate_bwd_f64_cases[] = {PM_ORACLE_CASES{NULL, NULL}};
static const rf_case_spec pmoe_route_bwd_f32_cases[] = {PM_ORACLE_CASES PM_AUTHORS_ROUTE_BWD_GATE{NULL, NULL}};
static const rf_case_spec pmoe_route_bwd_f64_cases[] = {PM_ORACLE_CASES PM_AUTHORS_ROUTE_BWD_GATE{NULL, NULL}};
static const rf_case_spec pmoe_router_loss_f32_cases[] = {PM_ORACLE_CASES PM_AUTHORS_ROUTER_LOSS{NULL, NULL}};
static const rf_case_spec pmoe_router_loss_f64_cases[] = {PM_ORACLE_CASES{NULL, NULL}};
static const rf_case_spec pmoe_sgd_f32_cases[] = {PM_ORACLE_CASES PM_AUTHORS_SGD{NULL, NULL}};
static const rf_case_spec pmoe_sgd_f64_cases[] = {PM_ORACLE_CASES PM_AUTHORS_SGD{NULL, NULL}};

#endif
