/* The in-memory case container (see refast/case.h). */
#include "refast/case.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    [RF_DT_NONE] = {"none", 0}, [RF_DT_U8] = {"u8", 1},   [RF_DT_I32] = {"i32", 4},
    [RF_DT_U32] = {"u32", 4},   [RF_DT_U64] = {"u64", 8}, [RF_DT_F32] = {"f32", 4},
    [RF_DT_F64] = {"f64", 8},
};

size_t rf_dtype_size(rf_dtype t)
{
    return (unsigned)t <= RF_DT_F64 ? dtypes[t].size : 0;
}

const char *rf_dtype_name(rf_dtype t)
{
    return (unsigned)t <= RF_DT_F64 ? dtypes[t].name : "?";
}

bool rf_dtype_parse(const char *s, rf_dtype *out)
{
    for (unsigned t = RF_DT_U8; t <= RF_DT_F64; t++) {
        if (strcmp(s, dtypes[t].name) == 0) {
            *out = (rf_dtype)t;
            return true;
        }
    }
    return false;
}

void rf_case_init(rf_case *c, const char *kernel, const char *name, const char *params)
{
    memset(c, 0, sizeof *c);
    snprintf(c->kernel, sizeof c->kernel, "%s", kernel ? kernel : "");
    snprintf(c->name, sizeof c->name, "%s", name ? name : "");
    snprintf(c->params, sizeof c->params, "%s", params ? params : "");
}

void rf_case_free(rf_case *c)
{
    for (unsigned i = 0; i < c->narrays; i++) rf_free_placed(c->arrays[i].alloc_base, c->arrays[i].alloc_len);
    c->narrays = 0;
}

void *rf_case_add(rf_case *c, const char *name, rf_dtype t, unsigned ndim, const uint64_t *shape)
{
    if (c->narrays >= RF_CASE_MAX_ARRAYS || ndim == 0 || ndim > RF_MAX_DIMS) return NULL;
    if (strlen(name) >= RF_NAME_MAX || rf_case_find(c, name) || rf_dtype_size(t) == 0) return NULL;
    uint64_t count = 1;
    for (unsigned d = 0; d < ndim; d++) {
        if (shape[d] != 0 && count > UINT64_MAX / shape[d]) return NULL;
        count *= shape[d];
    }
    size_t es = rf_dtype_size(t);
    if (count > SIZE_MAX / es) return NULL;
    void *base;
    size_t len;
    void *data = rf_alloc_placed((size_t)count * es, rf_place_resolve(c->place, es), &base, &len);
    if (!data) return NULL;
    rf_array *a = &c->arrays[c->narrays++];
    memset(a, 0, sizeof *a);
    a->alloc_base = base;
    a->alloc_len = len;
    snprintf(a->name, sizeof a->name, "%s", name);
    a->dtype = t;
    a->ndim = ndim;
    memcpy(a->shape, shape, ndim * sizeof *shape);
    a->count = count;
    a->data = data;
    return data;
}

void *rf_case_out(rf_case *c, const char *name, rf_dtype t, unsigned ndim, const uint64_t *shape)
{
    const rf_array *a = rf_case_find(c, name);
    if (!a) return rf_case_add(c, name, t, ndim, shape);
    if (a->dtype != t || a->ndim != ndim || memcmp(a->shape, shape, ndim * sizeof *shape) != 0) return NULL;
    return a->data;
}

const rf_array *rf_case_need(const rf_case *c, const char *name, rf_dtype t, unsigned ndim, char *err,
                             size_t errlen)
{
    const rf_array *a = rf_case_find(c, name);
    if (a && a->dtype == t && (ndim == 0 || a->ndim == ndim)) return a;
    if (err && errlen) {
        if (ndim) snprintf(err, errlen, "case has no %u-d %s array %s", ndim, rf_dtype_name(t), name);
        else snprintf(err, errlen, "case has no %s array %s", rf_dtype_name(t), name);
    }
    return NULL;
}

void *rf_case_add1(rf_case *c, const char *name, rf_dtype t, uint64_t n)
{
    return rf_case_add(c, name, t, 1, &n);
}

void *rf_case_add2(rf_case *c, const char *name, rf_dtype t, uint64_t rows, uint64_t cols)
{
    const uint64_t shape[2] = {rows, cols};
    return rf_case_add(c, name, t, 2, shape);
}

const rf_array *rf_case_find(const rf_case *c, const char *name)
{
    for (unsigned i = 0; i < c->narrays; i++)
        if (strcmp(c->arrays[i].name, name) == 0) return &c->arrays[i];
    return NULL;
}

void *rf_case_data(const rf_case *c, const char *name, rf_dtype t, uint64_t *count)
{
    const rf_array *a = rf_case_find(c, name);
    if (!a || a->dtype != t) return NULL;
    if (count) *count = a->count;
    return a->data;
}

bool rf_param_str(const char *params, const char *key, char *buf, size_t buflen)
{
    size_t klen = strlen(key);
    const char *p = params;
    while (p && *p) {
        while (*p == ' ') p++;
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t vlen = len - klen - 1;
            if (vlen + 1 > buflen) return false;
            memcpy(buf, p + klen + 1, vlen);
            buf[vlen] = '\0';
            return true;
        }
        p = end;
    }
    return false;
}

bool rf_param_u64(const char *params, const char *key, uint64_t *out)
{
    char buf[64], *end;
    if (!rf_param_str(params, key, buf, sizeof buf) || buf[0] == '-' || buf[0] == '\0') return false;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 0);
    if (errno || *end) return false;
    *out = v;
    return true;
}

bool rf_param_f64(const char *params, const char *key, double *out)
{
    char buf[64], *end;
    if (!rf_param_str(params, key, buf, sizeof buf) || buf[0] == '\0') return false;
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || *end || isnan(v)) return false;
    *out = v;
    return true;
}

void rf_case_set_param(rf_case *c, const char *key, const char *fmt, ...)
{
    char value[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    size_t used = strlen(c->params);
    snprintf(c->params + used, sizeof c->params - used, "%s%s=%s", used ? " " : "", key, value);
}
