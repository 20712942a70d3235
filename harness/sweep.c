/* The misalignment and tail sweep (see sweep.h). */
#include "sweep.h"

#include <stdio.h>

#include "golden.h"
#include <string.h>

size_t rf_sweep_span(const rf_impl *im)
{
    switch (im->kind) {
    case RF_IMPL_LEVEL: return rf_isa_vector_bytes(im->provided_by);
    case RF_IMPL_AUTOVEC: return rf_isa_vector_bytes(im->level);
    default: return rf_isa_vector_bytes(rf_isa_best()); /* a library picks its own code path */
    }
}

size_t rf_sweep_steps(const rf_case *c, size_t span)
{
    size_t es = 0;
    for (unsigned i = 0; i < c->narrays; i++) {
        const rf_array *a = &c->arrays[i];
        if (strncmp(a->name, "in.", 3) != 0 && strncmp(a->name, "want.", 5) != 0) continue;
        const size_t s = rf_dtype_size(a->dtype);
        if (s && (!es || s < es)) es = s;
    }
    return span && es && span >= es ? span / es : 1;
}

static bool judge_at(const rf_impl *im, const rf_case *c, rf_placement p, rf_sweep_result *r)
{
    rf_verdict v;
    const bool ran = rf_judge_placed(im, c, p, &v);
    r->judged++;
    if (ran && v.not_applicable) {
        r->na = true;
        r->v = v;
        return false;
    }
    if (ran && v.pass) return true;
    r->pass = false;
    r->where = p;
    r->v = v;
    return false;
}

void rf_sweep_impl(const rf_impl *im, const rf_case *c, size_t span, bool include_end0, rf_sweep_result *r)
{
    memset(r, 0, sizeof *r);
    r->pass = true;
    const size_t steps = rf_sweep_steps(c, span);
    for (size_t k = 0; k < steps; k++)
        if (!judge_at(im, c, (rf_placement){.mode = RF_PLACE_START, .elems = k, .span = span}, r)) return;
    for (size_t k = include_end0 ? 0 : 1; k < steps; k++)
        if (!judge_at(im, c, (rf_placement){.mode = RF_PLACE_END, .elems = k, .span = span}, r)) return;
}

void rf_sweep_where(rf_placement p, char *buf, size_t len)
{
    snprintf(buf, len, "%s%c%zu (elements, mod %zu bytes)", p.mode == RF_PLACE_START ? "start" : "end",
             p.mode == RF_PLACE_START ? '+' : '-', p.elems, p.span);
}

bool rf_sweep_params_with(const char *params, const char *key, unsigned long long value, char *out, size_t outlen)
{
    const size_t klen = strlen(key);
    size_t used = 0;
    bool set = false;
    out[0] = '\0';
    for (const char *p = params; p && *p;) {
        while (*p == ' ') p++;
        if (!*p) break;
        const char *end = strchr(p, ' ');
        const size_t len = end ? (size_t)(end - p) : strlen(p);
        int w;
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            w = snprintf(out + used, outlen - used, "%s%s=%llu", used ? " " : "", key, value);
            set = true;
        } else {
            w = snprintf(out + used, outlen - used, "%s%.*s", used ? " " : "", (int)len, p);
        }
        if (w < 0 || (size_t)w >= outlen - used) return false;
        used += (size_t)w;
        p += len;
    }
    if (!set) {
        const int w = snprintf(out + used, outlen - used, "%s%s=%llu", used ? " " : "", key, value);
        if (w < 0 || (size_t)w >= outlen - used) return false;
    }
    return true;
}

bool rf_sweep_has_tail(const rf_kernel *k, const rf_case_spec *s)
{
    uint64_t n;
    char source[64];
    if (!k->free_length || !rf_param_u64(s->params, k->free_length, &n)) return false;
    return k->free_max || !rf_param_str(s->params, "source", source, sizeof source);
}

bool rf_sweep_tail_build(const rf_kernel *k, const rf_case_spec *s, size_t t, size_t w, rf_case *c, char *label,
                         size_t labellen, char *err, size_t errlen)
{
    uint64_t n;
    if (!k->free_length || !rf_param_u64(s->params, k->free_length, &n)) {
        snprintf(err, errlen, "%s.%s has no free length", k->name, s->name);
        return false;
    }
    const uint64_t step = k->free_step ? k->free_step : 1;
    const bool down = k->free_max && n + w * step > k->free_max && n > w * step;
    const unsigned long long len = (unsigned long long)(down ? n - t * step : n + t * step);
    char params[RF_PARAMS_MAX];
    snprintf(label, labellen, "%s.%s@%s=%llu", k->name, s->name, k->free_length, len);
    if (!rf_sweep_params_with(s->params, k->free_length, len, params, sizeof params)) {
        snprintf(err, errlen, "%s: parameters too long", label);
        return false;
    }
    const rf_case_spec ts = {s->name, params};
    return rf_golden_build(k, &ts, c, err, errlen);
}
