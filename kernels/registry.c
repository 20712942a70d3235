/* The list of kernel families and lookups over it (see refast/registry.h).
 * Adding a family: one line in `families` below and its rf_family_<name> in kernels/registry/. */
#include "refast/registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const rf_kernel *const *const families[] = {
    rf_family_rng,
    rf_family_fht,
    rf_family_softmap,
    rf_family_codes,
    rf_family_channel,
    rf_family_dumer,
    rf_family_polar,
    rf_family_moe_moments,
    rf_family_moe_decomp,
    rf_family_moe_em,
    rf_family_moe_gating,
    rf_family_moe_loss,
    rf_family_ko,
};

size_t rf_kernel_count(void)
{
    size_t n = 0;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (const rf_kernel *const *k = families[f]; *k; k++) n++;
    return n;
}

const rf_kernel *rf_kernel_at(size_t i)
{
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (const rf_kernel *const *k = families[f]; *k; k++)
            if (i-- == 0) return *k;
    return NULL;
}

const rf_kernel *rf_kernel_find(const char *name)
{
    for (size_t i = 0, n = rf_kernel_count(); i < n; i++)
        if (strcmp(rf_kernel_at(i)->name, name) == 0) return rf_kernel_at(i);
    return NULL;
}

bool rf_glob_match(const char *pat, const char *s)
{
    if (*pat == '\0') return *s == '\0';
    if (*pat == '*') return rf_glob_match(pat + 1, s) || (*s && rf_glob_match(pat, s + 1));
    if (*s && (*pat == '?' || *pat == *s)) return rf_glob_match(pat + 1, s + 1);
    return false;
}

rf_fnptr rf_kernel_impl(const rf_kernel *k, rf_isa level, rf_isa *provided_by)
{
    for (;;) {
        if ((unsigned)level < RF_ISA_COUNT && k->level[level]) {
            if (provided_by) *provided_by = level;
            return k->level[level];
        }
        if (level == RF_ISA_SCALAR) return NULL;
        level = rf_isa_fallback(level);
    }
}

int rf_run_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *const tol_names[] = {"exact", "sum", "ulp", "decision", "iterate"};

const char *rf_tol_name(rf_tol_class c)
{
    return (unsigned)c < sizeof tol_names / sizeof tol_names[0] ? tol_names[c] : "?";
}

bool rf_tol_parse(const char *s, rf_tol_class *out)
{
    for (unsigned i = 0; i < sizeof tol_names / sizeof tol_names[0]; i++) {
        if (strcmp(s, tol_names[i]) == 0) {
            *out = (rf_tol_class)i;
            return true;
        }
    }
    return false;
}
