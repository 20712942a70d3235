/* Parsing and validation of codes, decoders and polar constructions (codespec.h). */
#include "codespec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "refast/ko.h"
#include "ko/kow.h"
#include "ko/polar_weights.h"
#include "codes/construct.h"

/* A decimal unsigned integer that is the whole of [s, end) (no sign, no spaces). */
static bool parse_uint(const char *s, size_t len, unsigned long long max, unsigned long long *out)
{
    if (len == 0 || len > 20) return false;
    unsigned long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        const unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Splits "a:b" after a prefix into two integers. */
static bool two_fields(const char *s, unsigned long long *a, unsigned long long *b)
{
    const char *colon = strchr(s, ':');
    if (!colon) return false;
    return parse_uint(s, (size_t)(colon - s), 1ull << 40, a) && parse_uint(colon + 1, strlen(colon + 1), 1ull << 40, b);
}

bool rf_codespec_parse(const char *s, rf_codespec *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    unsigned long long a, b;
    if (!strncmp(s, "rm:", 3)) {
        if (!two_fields(s + 3, &a, &b))
            return rf_fail(err, errlen, "code '%s': expected rm:M:R with integers M and R", s);
        if (a > RF_RM_MAX_M)
            return rf_fail(err, errlen, "code '%s': m = %llu > %d (RM codes support 0 <= r <= m <= 16)", s, a,
                           RF_RM_MAX_M);
        if (b > a) return rf_fail(err, errlen, "code '%s': r = %llu > m = %llu (RM codes need 0 <= r <= m)", s, b, a);
        c->kind = RF_CODE_RM;
        c->m = (unsigned)a;
        c->r = (unsigned)b;
        c->n = (size_t)1 << c->m;
        c->k = rf_rm_k(c->m, c->r);
        snprintf(c->text, sizeof c->text, "rm:%u:%u", c->m, c->r);
        return true;
    }
    if (!strncmp(s, "polar:", 6)) {
        if (!two_fields(s + 6, &a, &b))
            return rf_fail(err, errlen, "code '%s': expected polar:N:K with integers N and K", s);
        if (a < 2 || (a & (a - 1)) != 0)
            return rf_fail(err, errlen, "code '%s': N = %llu is not a power of two >= 2", s, a);
        if (a > (1ull << RF_RM_MAX_M)) return rf_fail(err, errlen, "code '%s': N = %llu > 2^%d", s, a, RF_RM_MAX_M);
        if (b < 1 || b > a) return rf_fail(err, errlen, "code '%s': K = %llu must be in [1, N = %llu]", s, b, a);
        c->kind = RF_CODE_POLAR;
        while ((1ull << c->m) < a) c->m++;
        c->n = (size_t)a;
        c->k = (size_t)b;
        snprintf(c->text, sizeof c->text, "polar:%llu:%llu", a, b);
        return true;
    }
    if (!strncmp(s, "ko:", 3)) {
        if (!s[3]) return rf_fail(err, errlen, "code '%s': expected ko:FILE.kow (a weights file)", s);
        char lerr[400];
        uint8_t *buf = NULL;
        size_t len = 0;
        unsigned arch = 0;
        if (!rf_read_file(s + 3, RF_KOW_MAX_FILE_BYTES, &buf, &len, lerr, sizeof lerr) ||
            !rf_kow_peek_arch(buf, len, s + 3, &arch, lerr, sizeof lerr)) {
            free(buf);
            return rf_fail(err, errlen, "code ko: %s", lerr);
        }
        c->kind = RF_CODE_KO;
        c->path = s + 3;
        if (arch == RF_KOW_ARCH_POLAR_64_7) { /* the authors' KO Polar(64,7) model */
            rf_ko_polar_model *kop = calloc(1, sizeof *kop);
            const bool ok = kop && rf_ko_polar_decode(kop, buf, len, s + 3, lerr, sizeof lerr);
            free(buf);
            if (!ok) {
                free(kop);
                return rf_fail(err, errlen, "code ko: %s", kop ? lerr : "out of memory");
            }
            c->m = 6;
            c->n = RF_KOP_N;
            c->k = RF_KOP_K;
            c->kop = kop;
            snprintf(c->text, sizeof c->text, "ko:polar_64_7");
            return true;
        }
        rf_ko_model *mdl = calloc(1, sizeof *mdl);
        const bool ok = mdl && rf_ko_model_decode(mdl, buf, len, s + 3, lerr, sizeof lerr);
        free(buf);
        if (!ok) {
            free(mdl);
            return rf_fail(err, errlen, "code ko: %s", mdl ? lerr : "out of memory");
        }
        c->m = mdl->m;
        c->r = mdl->r;
        c->n = (size_t)1 << c->m;
        c->k = rf_ko_k(c->m);
        c->ko = mdl;
        snprintf(c->text, sizeof c->text, "ko:%u:%u", c->m, c->r);
        return true;
    }
    return rf_fail(err, errlen, "unknown code '%s' (expected rm:M:R, polar:N:K or ko:FILE.kow)", s);
}

void rf_codespec_free(rf_codespec *c)
{
    if (c->ko) rf_ko_model_free(c->ko);
    free(c->ko);
    c->ko = NULL;
    if (c->kop) rf_ko_polar_free(c->kop);
    free(c->kop);
    c->kop = NULL;
}

bool rf_decspec_parse(const char *s, rf_decspec *d, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        rf_dec_kind kind;
    } names[] = {{"dumer", RF_DEC_DUMER}, {"dumer0", RF_DEC_DUMER0}, {"sc", RF_DEC_SC},
                 {"map", RF_DEC_MAP},     {"softmap", RF_DEC_SOFTMAP}, {"ko", RF_DEC_KO}};
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].name)) {
            d->kind = names[i].kind;
            snprintf(d->text, sizeof d->text, "%s", s);
            return true;
        }
    /* scl:L... (SC list) and fscl:L... (Fast-SSC list: the same decisions, min-sum only) */
    const bool fast = !strncmp(s, "fscl:", 5);
    if (fast || !strncmp(s, "scl:", 4)) {
        unsigned long long l;
        const char *num = s + (fast ? 5 : 4), *name = fast ? "fscl" : "scl";
        const char *colon = strchr(num, ':');
        const size_t llen = colon ? (size_t)(colon - num) : strlen(num);
        if (!parse_uint(num, llen, 1000, &l) || l < 1 || l > RF_SCL_MAX_L)
            return rf_fail(err, errlen, "decoder '%s': the list size L must be an integer in [1, %d]", s, RF_SCL_MAX_L);
        d->kind = RF_DEC_SCL;
        d->list = (unsigned)l;
        d->fast_ssc = fast;
        snprintf(d->text, sizeof d->text, "%s:%u", name, d->list);
        if (!colon) return true;
        /* scl:L:crc=POLY[:adaptive] */
        char poly[64], crcerr[160];
        const char *rest = colon + 1, *next = strchr(rest, ':');
        const size_t plen = next ? (size_t)(next - rest) : strlen(rest);
        if (strncmp(rest, "crc=", 4) != 0 || plen - 4 >= sizeof poly)
            return rf_fail(err, errlen, "decoder '%s': expected %s:L, %s:L:crc=POLY or %s:L:crc=POLY:adaptive", s, name, name, name);
        memcpy(poly, rest + 4, plen - 4);
        poly[plen - 4] = '\0';
        if (!rf_crc_parse(poly, &d->crc, crcerr, sizeof crcerr))
            return rf_fail(err, errlen, "decoder '%s': %s", s, crcerr);
        if (next && strcmp(next + 1, "adaptive") != 0)
            return rf_fail(err, errlen, "decoder '%s': expected %s:L, %s:L:crc=POLY or %s:L:crc=POLY:adaptive", s, name, name, name);
        d->kind = RF_DEC_CASCL;
        d->adaptive = next != NULL;
        snprintf(d->text, sizeof d->text, "%s:%u:crc=%s%s", name, d->list, d->crc.name, d->adaptive ? ":adaptive" : "");
        return true;
    }
    return rf_fail(err, errlen,
                   "unknown decoder '%s' (expected dumer, dumer0, sc, scl:L[:crc=POLY[:adaptive]], fscl:L[...], map, "
                   "softmap or ko)", s);
}

bool rf_decspec_applies(const rf_decspec *d, const rf_codespec *c, char *err, size_t errlen)
{
    if (c->kind == RF_CODE_KO && d->kind != RF_DEC_KO)
        return rf_fail(err, errlen, "decoder %s does not decode KO codes (%s from %s): use --decoder ko", d->text,
                       c->text, c->path);
    switch (d->kind) {
    case RF_DEC_KO:
        if (c->kind == RF_CODE_KO) return true;
        return rf_fail(err, errlen, "decoder ko decodes KO codes (ko:FILE.kow) only, not %s", c->text);
    case RF_DEC_DUMER:
    case RF_DEC_DUMER0:
        if (c->kind == RF_CODE_RM) return true;
        return rf_fail(err, errlen, "decoder %s decodes RM codes, not %s (use sc or scl:L)", d->text, c->text);
    case RF_DEC_MAP:
    case RF_DEC_SOFTMAP:
        if (c->kind == RF_CODE_RM && c->r == 1 && c->m >= 1) return true;
        return rf_fail(err, errlen, "decoder %s applies to first-order codes rm:M:1 only, not %s", d->text, c->text);
    case RF_DEC_SC:
    case RF_DEC_SCL:
        return true;
    case RF_DEC_CASCL:
        if (c->kind != RF_CODE_POLAR)
            return rf_fail(err, errlen, "decoder %s decodes polar codes only, not %s", d->text, c->text);
        if (c->k <= d->crc.width)
            return rf_fail(err, errlen, "decoder %s: %s has K = %zu, not more than the CRC's %u bits", d->text, c->text,
                           c->k, d->crc.width);
        return true;
    }
    return rf_fail(err, errlen, "decoder %s is not applicable to %s", d->text, c->text);
}

/* ---- constructions ---------------------------------------------------------------------------- */

#define CONS_FILE_MAX (4u << 20)

/* Reads the information set of file:F: 0-based decimal indices separated by spaces, commas or
 * newlines; '#' starts a comment to the end of the line. */
static bool read_info_file(const char *path, const rf_codespec *c, uint32_t **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) return rf_fail(err, errlen, "construction file %s: %s", path, strerror(errno));
    char *text = malloc(CONS_FILE_MAX + 1);
    uint32_t *info = malloc(c->n * sizeof *info);
    if (!text || !info) {
        fclose(f);
        free(text);
        free(info);
        return rf_fail(err, errlen, "construction file %s: out of memory", path);
    }
    const size_t len = fread(text, 1, CONS_FILE_MAX + 1, f);
    const bool ioerr = ferror(f);
    fclose(f);
    bool ok = false;
    if (ioerr) {
        snprintf(err, errlen, "construction file %s: read error", path);
        goto done;
    }
    if (len > CONS_FILE_MAX) {
        snprintf(err, errlen, "construction file %s: larger than %u bytes", path, CONS_FILE_MAX);
        goto done;
    }
    text[len] = '\0';
    size_t count = 0;
    int line = 1;
    for (size_t i = 0; i < len;) {
        const char ch = text[i];
        if (ch == '\n') {
            line++;
            i++;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == ',') {
            i++;
        } else if (ch == '#') {
            while (i < len && text[i] != '\n') i++;
        } else {
            size_t j = i;
            while (j < len && !strchr(" \t\r\n,#", text[j]) && text[j] != '\0') j++;
            if (j == i) { /* an embedded NUL */
                snprintf(err, errlen, "construction file %s: line %d: unexpected byte 0", path, line);
                goto done;
            }
            unsigned long long v;
            if (!parse_uint(text + i, j - i, 1ull << 40, &v)) {
                snprintf(err, errlen, "construction file %s: line %d: '%.*s' is not a non-negative integer", path,
                         line, (int)(j - i < 32 ? j - i : 32), text + i);
                goto done;
            }
            if (v >= c->n) {
                snprintf(err, errlen, "construction file %s: line %d: index %llu >= N = %zu", path, line, v, c->n);
                goto done;
            }
            if (count == c->n) {
                snprintf(err, errlen, "construction file %s: more than N = %zu indices", path, c->n);
                goto done;
            }
            info[count++] = (uint32_t)v;
            i = j;
        }
    }
    if (count != c->k) {
        snprintf(err, errlen, "construction file %s: %zu information positions, the code needs K = %zu", path,
                 count, c->k);
        goto done;
    }
    ok = true;
done:
    free(text);
    if (!ok) {
        free(info);
        return false;
    }
    *out = info;
    return true;
}

bool rf_construction_parse(const char *cons, const char *design, const rf_codespec *c, rf_construction *out,
                           char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->adaptive = true;
    if (design && strcmp(design, "adaptive") != 0) {
        char *end;
        errno = 0;
        const double s = strtod(design, &end);
        if (end == design || *end || errno == ERANGE || !isfinite(s) || !(s > 0))
            return rf_fail(err, errlen, "--design-sigma '%s': expected a finite sigma > 0 or 'adaptive'", design);
        out->adaptive = false;
        out->design_sigma = s;
    }
    if (c->kind == RF_CODE_KO) { /* no frozen set: nothing to construct */
        if (cons) return rf_fail(err, errlen, "--construction %s: a KO code has no construction", cons);
        out->kind = RF_CONS_GA;
        return true;
    }
    if (c->kind == RF_CODE_RM) {
        if (cons && strcmp(cons, "rm") != 0)
            return rf_fail(err, errlen, "--construction %s: an RM code has the rm construction only", cons);
        out->kind = RF_CONS_RM;
        out->rm_r = c->r;
        return true;
    }
    if (!cons || !strcmp(cons, "ga")) {
        out->kind = RF_CONS_GA;
    } else if (!strcmp(cons, "bhattacharyya")) {
        out->kind = RF_CONS_BHATTACHARYYA;
    } else if (!strcmp(cons, "rm")) {
        out->kind = RF_CONS_RM;
        unsigned r = 0;
        while (r <= c->m && rf_rm_k(c->m, r) < c->k) r++;
        if (r > c->m || rf_rm_k(c->m, r) != c->k)
            return rf_fail(err, errlen, "--construction rm: K = %zu is not the dimension of any RM(%u,r)", c->k, c->m);
        out->rm_r = r;
    } else if (!strncmp(cons, "file:", 5) && cons[5]) {
        out->kind = RF_CONS_FILE;
        out->path = cons + 5;
        if (!read_info_file(out->path, c, &out->info, err, errlen)) return false;
    } else {
        return rf_fail(err, errlen, "unknown --construction '%s' (expected ga, bhattacharyya, rm or file:F)", cons);
    }
    return true;
}

void rf_construction_free(rf_construction *k)
{
    free(k->info);
    k->info = NULL;
}

const char *rf_construction_name(const rf_construction *k)
{
    switch (k->kind) {
    case RF_CONS_GA: return "ga";
    case RF_CONS_BHATTACHARYYA: return "bhattacharyya";
    case RF_CONS_RM: return "rm";
    case RF_CONS_FILE: return "file";
    }
    return "?";
}

bool rf_construction_frozen(const rf_construction *k, const rf_codespec *c, double sigma, uint8_t *frozen,
                            char *err, size_t errlen)
{
    const double s = k->adaptive ? sigma : k->design_sigma;
    switch (k->kind) {
    case RF_CONS_GA: return rf_polar_construct_ga(c->m, c->k, s, frozen, err, errlen);
    case RF_CONS_BHATTACHARYYA: return rf_polar_construct_bhattacharyya(c->m, c->k, s, frozen, err, errlen);
    case RF_CONS_RM: return rf_polar_construct_rm(c->m, k->rm_r, frozen, err, errlen);
    case RF_CONS_FILE: return rf_polar_construct_list(c->m, k->info, c->k, frozen, err, errlen);
    }
    return rf_fail(err, errlen, "unknown construction");
}

/* ---- leaves of the Plotkin tree ---------------------------------------------------------------- */

static void leaves_rec(unsigned m, unsigned r, size_t lo, int variant, rf_leaf *out, size_t max, size_t *count)
{
    const bool leaf = r == 0 || r == m || (r == 1 && variant == RF_DUMER);
    if (leaf) {
        if (*count < max) out[*count] = (rf_leaf){m, r, lo, rf_rm_k(m, r)};
        (*count)++;
        return;
    }
    const unsigned ru = r < m - 1 ? r : m - 1;
    const size_t ku = rf_rm_k(m - 1, ru);
    leaves_rec(m - 1, r - 1, lo + ku, variant, out, max, count); /* v: decoded first, bits [ku, k) */
    leaves_rec(m - 1, ru, lo, variant, out, max, count);         /* u: bits [0, ku) */
}

size_t rf_rm_leaves(unsigned m, unsigned r, int variant, rf_leaf *out, size_t max)
{
    size_t count = 0;
    if (r <= m && m <= RF_RM_MAX_M) leaves_rec(m, r, 0, variant, out, max, &count);
    return count;
}
