/* The reference kernel set and the completeness check of a kernel set (ops.h). */
#include <stdio.h>

#include "pmoe/ops.h"
#include "refast/kernels.h"

const rf_pmoe_ops rf_pmoe_ops_ref = {
    "scalar",
    {pmoe_route_f32_ref, pmoe_topl_f32_ref, pmoe_gate_f32_ref, pmoe_expert_fwd_f32_ref,
     pmoe_logistic_f32_ref, pmoe_expert_bwd_f32_ref, pmoe_gate_bwd_f32_ref, pmoe_route_bwd_f32_ref,
     pmoe_router_loss_f32_ref, pmoe_sgd_f32_ref},
    {pmoe_route_f64_ref, pmoe_topl_f64_ref, pmoe_gate_f64_ref, pmoe_expert_fwd_f64_ref,
     pmoe_logistic_f64_ref, pmoe_expert_bwd_f64_ref, pmoe_gate_bwd_f64_ref, pmoe_route_bwd_f64_ref,
     pmoe_router_loss_f64_ref, pmoe_sgd_f64_ref},
};

int rf_pmoe_ops_check(const rf_pmoe_ops *ops, char *err, size_t errlen)
{
    static const char *const names[] = {"route", "topl", "gate", "expert_fwd", "logistic",
                                        "expert_bwd", "gate_bwd", "route_bwd", "router_loss", "sgd"};
    const rf_fnptr f32[] = {(rf_fnptr)ops->f32.route, (rf_fnptr)ops->f32.topl,
                         (rf_fnptr)ops->f32.gate, (rf_fnptr)ops->f32.expert_fwd,
                         (rf_fnptr)ops->f32.logistic, (rf_fnptr)ops->f32.expert_bwd,
                         (rf_fnptr)ops->f32.gate_bwd, (rf_fnptr)ops->f32.route_bwd,
                         (rf_fnptr)ops->f32.router_loss, (rf_fnptr)ops->f32.sgd};
    const rf_fnptr f64[] = {(rf_fnptr)ops->f64.route, (rf_fnptr)ops->f64.topl,
                         (rf_fnptr)ops->f64.gate, (rf_fnptr)ops->f64.expert_fwd,
                         (rf_fnptr)ops->f64.logistic, (rf_fnptr)ops->f64.expert_bwd,
                         (rf_fnptr)ops->f64.gate_bwd, (rf_fnptr)ops->f64.route_bwd,
                         (rf_fnptr)ops->f64.router_loss, (rf_fnptr)ops->f64.sgd};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *dtype = !f32[i] ? "f32" : !f64[i] ? "f64" : NULL;
        if (dtype) {
            snprintf(err, errlen, "pmoe kernel set '%s' lacks pmoe_%s_%s",
                     ops->name ? ops->name : "?", names[i], dtype);
            return -1;
        }
    }
    return 0;
}

#define PM_OP(T, name) (rf_pmoe_##name##_##T##_fn) rf_dispatch(RF_KID(pmoe_##name##_##T), level, NULL)

int rf_pmoe_ops_level(rf_isa level, rf_pmoe_ops *out, char *err, size_t errlen)
{
    if (!rf_isa_usable(level)) {
        snprintf(err, errlen, "level %s is not usable on this machine", rf_isa_name(level));
        return -1;
    }
    *out = (rf_pmoe_ops){
        rf_isa_name(level),
        {PM_OP(f32, route), PM_OP(f32, topl), PM_OP(f32, gate), PM_OP(f32, expert_fwd), PM_OP(f32, logistic),
         PM_OP(f32, expert_bwd), PM_OP(f32, gate_bwd), PM_OP(f32, route_bwd), PM_OP(f32, router_loss), PM_OP(f32, sgd)},
        {PM_OP(f64, route), PM_OP(f64, topl), PM_OP(f64, gate), PM_OP(f64, expert_fwd), PM_OP(f64, logistic),
         PM_OP(f64, expert_bwd), PM_OP(f64, gate_bwd), PM_OP(f64, route_bwd), PM_OP(f64, router_loss), PM_OP(f64, sgd)},
    };
    return rf_pmoe_ops_check(out, err, errlen);
}

#define PM_AV(T, name) (rf_pmoe_##name##_##T##_fn) rf_dispatch_autovec(RF_KID(pmoe_##name##_##T), level)

int rf_pmoe_ops_autovec(rf_isa level, rf_pmoe_ops *out, char *err, size_t errlen)
{
#define PM_AV_LABEL(name, E, fallback, bytes) "autovec_" #name,
    static const char *const labels[RF_ISA_COUNT] = {"autovec_scalar", RF_VECTOR_ISAS(PM_AV_LABEL)};
#undef PM_AV_LABEL
    if (!rf_isa_usable(level)) {
        snprintf(err, errlen, "level %s is not usable on this machine", rf_isa_name(level));
        return -1;
    }
    *out = (rf_pmoe_ops){
        labels[level],
        {PM_AV(f32, route), PM_AV(f32, topl), PM_AV(f32, gate), PM_AV(f32, expert_fwd), PM_AV(f32, logistic),
         PM_AV(f32, expert_bwd), PM_AV(f32, gate_bwd), PM_AV(f32, route_bwd), PM_AV(f32, router_loss), PM_AV(f32, sgd)},
        {PM_AV(f64, route), PM_AV(f64, topl), PM_AV(f64, gate), PM_AV(f64, expert_fwd), PM_AV(f64, logistic),
         PM_AV(f64, expert_bwd), PM_AV(f64, gate_bwd), PM_AV(f64, route_bwd), PM_AV(f64, router_loss), PM_AV(f64, sgd)},
    };
    return rf_pmoe_ops_check(out, err, errlen);
}

#define PM_BLAS(T, name) (rf_pmoe_##name##_##T##_fn) rf_dispatch_openblas(RF_KID(pmoe_##name##_##T))

int rf_pmoe_ops_openblas(rf_pmoe_ops *out, char *err, size_t errlen)
{
    *out = rf_pmoe_ops_ref;
    out->name = "openblas";
    out->f32.route = PM_BLAS(f32, route);
    out->f32.route_bwd = PM_BLAS(f32, route_bwd);
    out->f32.expert_fwd = PM_BLAS(f32, expert_fwd);
    out->f32.expert_bwd = PM_BLAS(f32, expert_bwd);
    out->f64.route = PM_BLAS(f64, route);
    out->f64.route_bwd = PM_BLAS(f64, route_bwd);
    out->f64.expert_fwd = PM_BLAS(f64, expert_fwd);
    out->f64.expert_bwd = PM_BLAS(f64, expert_bwd);
    return rf_pmoe_ops_check(out, err, errlen);
}
