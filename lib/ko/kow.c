/* KO(m,2) weights: the tensor layout of an architecture, the `.kow` format (refast/ko.h), the
 * N(0, 0.02^2) initialisation and the import of the authors' exported weights
 * (ko-reference/ko_m_2/weights.{json,f32}). */
#include "ko/kow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refjson.h"
#include "bytes.h"
#include "refast/rng.h"

static const char *const role_names[3] = {"g", "f_left", "f_right"};

const char *rf_ko_arch_name(unsigned arch)
{
    return arch == RF_KO_ARCH_KO ? "ko" : arch == RF_KO_ARCH_TINY ? "tiny" : arch == RF_KOW_ARCH_POLAR_64_7 ? "polar_64_7" : "?";
}

const char *rf_ko_role_name(unsigned role)
{
    return role < 3 ? role_names[role] : "?";
}

static void arch_shape(unsigned arch, unsigned *hidden, unsigned *hidden_layers)
{
    *hidden = arch == RF_KO_ARCH_TINY ? 4u : 32u;
    *hidden_layers = arch == RF_KO_ARCH_TINY ? 1u : 3u;
}

/* Fills the (expected) tensor descriptors in file order; data pointers stay NULL. */
static size_t layout(unsigned m, unsigned arch, rf_ko_tensor *t)
{
    unsigned hidden, hl;
    arch_shape(arch, &hidden, &hl);
    size_t n = 0;
    for (unsigned i = m; i >= 3; i--)
        for (unsigned role = 0; role < 3; role++) {
            const unsigned in_dim = role == RF_KO_ROLE_FRIGHT ? 4u : 2u;
            for (unsigned l = 1; l <= hl + 1; l++) {
                const unsigned out = l == hl + 1 ? 1u : hidden, in = l == 1 ? in_dim : hidden;
                for (unsigned p = 0; p < 2; p++, n++) {
                    if (!t) continue;
                    rf_ko_tensor *x = &t[n];
                    memset(x, 0, sizeof *x);
                    snprintf(x->name, sizeof x->name, "n%u_2.%s.l%u.%c", i, role_names[role], l,
                             p ? 'b' : 'w');
                    x->node_m = i;
                    x->node_r = 2;
                    x->role = role;
                    x->layer = l;
                    x->param = p;
                    x->ndim = p ? 1 : 2;
                    x->shape[0] = out;
                    x->shape[1] = p ? 0 : in;
                    x->count = p ? out : (size_t)out * in;
                }
            }
        }
    return n;
}

static void bind_blocks(rf_ko_model *mdl)
{
    memset(mdl->blocks, 0, sizeof mdl->blocks);
    for (size_t t = 0; t < mdl->ntensors; t++) {
        const rf_ko_tensor *x = &mdl->tensors[t];
        rf_ko_mlp *b = &mdl->blocks[mdl->m - x->node_m][x->role];
        b->in_dim = x->role == RF_KO_ROLE_FRIGHT ? 4u : 2u;
        b->hidden = mdl->hidden;
        b->hidden_layers = mdl->hidden_layers;
        if (x->param) b->b[x->layer - 1] = x->data;
        else b->w[x->layer - 1] = x->data;
    }
}

bool rf_ko_model_alloc(rf_ko_model *mdl, unsigned m, rf_ko_arch arch, char *err, size_t errlen)
{
    memset(mdl, 0, sizeof *mdl);
    if (m < RF_KO_MIN_M || m > RF_KO_MAX_M)
        return rf_kj_fail(err, errlen, "KO(m,2) needs %u <= m <= %u (got %u)", RF_KO_MIN_M, RF_KO_MAX_M, m);
    if (arch != RF_KO_ARCH_KO && arch != RF_KO_ARCH_TINY)
        return rf_kj_fail(err, errlen, "unknown KO architecture %u", (unsigned)arch);
    mdl->m = m;
    mdl->r = 2;
    mdl->arch = arch;
    mdl->norm = 0;
    arch_shape(arch, &mdl->hidden, &mdl->hidden_layers);
    mdl->ntensors = layout(m, arch, NULL);
    mdl->tensors = calloc(mdl->ntensors, sizeof *mdl->tensors);
    if (!mdl->tensors) return rf_kj_fail(err, errlen, "out of memory");
    layout(m, arch, mdl->tensors);
    for (size_t t = 0; t < mdl->ntensors; t++) mdl->nfloats += mdl->tensors[t].count;
    mdl->data = calloc(mdl->nfloats, sizeof(float));
    if (!mdl->data) {
        rf_ko_model_free(mdl);
        return rf_kj_fail(err, errlen, "out of memory");
    }
    float *p = mdl->data;
    for (size_t t = 0; t < mdl->ntensors; t++) {
        mdl->tensors[t].data = p;
        p += mdl->tensors[t].count;
    }
    bind_blocks(mdl);
    return true;
}

void rf_ko_model_free(rf_ko_model *mdl)
{
    free(mdl->tensors);
    free(mdl->data);
    memset(mdl, 0, sizeof *mdl);
}

bool rf_ko_model_init(rf_ko_model *mdl, unsigned m, rf_ko_arch arch, uint64_t seed, char *err,
                      size_t errlen)
{
    if (!rf_ko_model_alloc(mdl, m, arch, err, errlen)) return false;
    for (size_t t = 0; t < mdl->ntensors; t++) {
        rf_ko_tensor *x = &mdl->tensors[t];
        rf_gauss_f32(seed, t, 0, x->count, x->data);
        for (size_t i = 0; i < x->count; i++) x->data[i] *= 0.02f;
    }
    return true;
}


/* ---- .kow files (the container: lib/ko/kow_file.c) ------------------------------------------- */

static rf_kow_header header_of(const rf_ko_model *mdl)
{
    return (rf_kow_header){mdl->m, mdl->r, mdl->arch, mdl->norm, mdl->hidden, mdl->hidden_layers};
}

bool rf_ko_model_encode(const rf_ko_model *mdl, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    const rf_kow_header h = header_of(mdl);
    return rf_kow_encode(&h, mdl->tensors, mdl->ntensors, buf, len, err, errlen);
}

bool rf_ko_model_hash(const rf_ko_model *mdl, uint64_t *hi, uint64_t *lo)
{
    uint8_t *buf;
    size_t len;
    char err[64];
    if (!rf_ko_model_encode(mdl, &buf, &len, err, sizeof err)) return false;
    rf_kow_take_hash(buf, len, hi, lo);
    return true;
}

bool rf_ko_model_save(const rf_ko_model *mdl, const char *path, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    return rf_ko_model_encode(mdl, &buf, &len, err, errlen) && rf_kow_take_save(buf, len, path, err, errlen);
}

static bool decode_body(rf_rbuf *r, rf_ko_model *mdl)
{
    rf_kow_header h = {0};
    if (!rf_kow_read_header(r, &h)) return false;
    if (h.m < RF_KO_MIN_M || h.m > RF_KO_MAX_M)
        return rf_rbuf_fail(r, "m", "%u is outside %u..%u", h.m, RF_KO_MIN_M, RF_KO_MAX_M);
    if (h.arch == RF_KOW_ARCH_POLAR_64_7)
        return rf_rbuf_fail(r, "architecture", "polar_64_7 (the Polar(64,7) KO model), not a KO(m,2) model");
    if (h.arch > RF_KO_ARCH_TINY) return rf_rbuf_fail(r, "architecture", "unknown value %u", h.arch);
    char err[200];
    if (!rf_ko_model_alloc(mdl, h.m, (rf_ko_arch)h.arch, err, sizeof err)) return rf_rbuf_fail(r, "m", "%s", err);
    const rf_kow_header want = header_of(mdl);
    if (h.r != want.r) return rf_rbuf_fail(r, "r", "is %u, expected %u", h.r, want.r);
    if (h.norm != want.norm) return rf_rbuf_fail(r, "normalisation", "is %u, expected %u", h.norm, want.norm);
    if (h.hidden != want.hidden) return rf_rbuf_fail(r, "hidden", "is %u, expected %u", h.hidden, want.hidden);
    if (h.hidden_layers != want.hidden_layers)
        return rf_rbuf_fail(r, "hidden_layers", "is %u, expected %u", h.hidden_layers, want.hidden_layers);
    return rf_kow_read_tensors(r, mdl->tensors, mdl->ntensors);
}

bool rf_ko_model_decode(rf_ko_model *mdl, const uint8_t *buf, size_t len, const char *what, char *err,
                        size_t errlen)
{
    rf_rbuf r = {buf, len, 0, what, err, errlen};
    memset(mdl, 0, sizeof *mdl);
    if (!decode_body(&r, mdl)) {
        rf_ko_model_free(mdl);
        return false;
    }
    return true;
}

bool rf_ko_model_load(rf_ko_model *mdl, const char *path, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    memset(mdl, 0, sizeof *mdl);
    if (!rf_read_file(path, RF_KOW_MAX_FILE_BYTES, &buf, &len, err, errlen)) return false;
    const bool ok = rf_ko_model_decode(mdl, buf, len, path, err, errlen);
    free(buf);
    return ok;
}

/* ---- import of ko-reference/ko_m_2 ------------------------------------------------------------ */

bool rf_ko_model_import(rf_ko_model *mdl, const char *dir, char *err, size_t errlen)
{
    char path[4200];
    uint8_t *json = NULL, *raw = NULL;
    size_t jlen, rlen;
    memset(mdl, 0, sizeof *mdl);
    snprintf(path, sizeof path, "%s/weights.json", dir);
    /* rf_read_file NUL-terminates, so the JSON text can be searched with strstr */
    if (!rf_read_file(path, (uint64_t)64 << 20, &json, &jlen, err, errlen)) return false;
    char *js = (char *)json;
    const char *jend = js + jlen;
    bool ok = false;
    unsigned long long total = 0;
    unsigned m = 0;
    const char *code = rf_kj_key(js, jend, "code");
    if (!code || sscanf(code, "\"KO(%u,2)\"", &m) != 1) {
        rf_kj_fail(err, errlen, "%s: field 'code': not \"KO(m,2)\"", path);
        goto done;
    }
    if (!rf_kj_ulong(js, jend, "total_floats", &total)) {
        rf_kj_fail(err, errlen, "%s: field 'total_floats': missing", path);
        goto done;
    }
    if (!rf_ko_model_alloc(mdl, m, RF_KO_ARCH_KO, err, errlen)) goto done;
    snprintf(path, sizeof path, "%s/weights.f32", dir);
    if (!rf_read_file(path, RF_KOW_MAX_FILE_BYTES, &raw, &rlen, err, errlen)) goto done;
    if (rlen != total * 4) {
        rf_kj_fail(err, errlen, "%s: size %zu bytes, weights.json says %llu floats", path, rlen, total);
        goto done;
    }
    snprintf(path, sizeof path, "%s/weights.json", dir);
    for (size_t t = 0; t < mdl->ntensors; t++) {
        rf_ko_tensor *x = &mdl->tensors[t];
        /* the authors' name of this tensor */
        unsigned blk = x->role == RF_KO_ROLE_G ? x->node_m
                                               : 2 * (m - x->node_m) + (x->role == RF_KO_ROLE_FLEFT ? 1 : 2);
        char theirs[64], pat[96];
        snprintf(theirs, sizeof theirs, "%c%u.fc%u.%s", x->role == RF_KO_ROLE_G ? 'g' : 'f', blk, x->layer,
                 x->param ? "bias" : "weight");
        snprintf(pat, sizeof pat, "\"%s\"", theirs);
        const char *at = NULL;
        for (const char *q = js; (q = strstr(q, pat)) != NULL; q++) {
            const char *b = q;
            while (b > js && (b[-1] == ' ' || b[-1] == ':' || b[-1] == '\n')) b--;
            if (b - js >= 6 && memcmp(b - 6, "\"name\"", 6) == 0) {
                at = q;
                break;
            }
        }
        if (!at) {
            rf_kj_fail(err, errlen, "%s: tensor '%s' (%s) not found", path, theirs, x->name);
            goto done;
        }
        const char *next = strstr(at + 1, "\"name\"");
        const char *oend = next ? next : jend;
        unsigned long long off, cnt, nm;
        if (!rf_kj_ulong(at, oend, "offset", &off) || !rf_kj_ulong(at, oend, "count", &cnt) ||
            !rf_kj_ulong(at, oend, "node_m", &nm)) {
            rf_kj_fail(err, errlen, "%s: tensor '%s': offset/count/node_m missing", path, theirs);
            goto done;
        }
        char role_pat[16];
        snprintf(role_pat, sizeof role_pat, "\"%s\"", role_names[x->role]);
        const char *role = rf_kj_key(at, oend, "role");
        if (!role || strncmp(role, role_pat, strlen(role_pat)) != 0) {
            rf_kj_fail(err, errlen, "%s: tensor '%s': role is not %s", path, theirs, role_pat);
            goto done;
        }
        if (cnt != x->count || nm != x->node_m || off > total || cnt > total - off) {
            rf_kj_fail(err, errlen, "%s: tensor '%s': count %llu / node_m %llu / offset %llu do not fit "
                  "(expected count %zu, node %u)", path, theirs, cnt, nm, off, x->count, x->node_m);
            goto done;
        }
        for (size_t i = 0; i < x->count; i++) {
            const uint8_t *b = raw + 4 * (off + i);
            const uint32_t u = (uint32_t)rf_load_le(b, 4);
            memcpy(&x->data[i], &u, 4);
            if (!isfinite(x->data[i])) {
                rf_kj_fail(err, errlen, "%s/weights.f32: tensor '%s' value %zu is not finite", dir, theirs, i);
                goto done;
            }
        }
    }
    ok = true;
done:
    free(js);
    free(raw);
    if (!ok) rf_ko_model_free(mdl);
    return ok;
}
