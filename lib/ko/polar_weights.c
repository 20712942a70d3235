/* The authors' KO Polar(64,7) model (refast/ko_polar.h): its tensor layout, allocation, views,
 * initialisation, .kow I/O, and the import of their weights (ko-reference/ko_polar_64_7/
 * weights.{json,f32}, README §8). The JSON is searched with a tiny key
 * scanner (the file is machine-written, one object per tensor); every tensor the architecture needs
 * is looked up by name and its shape, offset and count are checked before any value is copied. */
#include "ko/polar_weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "errf.h"
#include "ko/kow.h"
#include "refast/rng.h"
#include "refjson.h"

typedef struct {
    const char *name;
    unsigned in, out;
    bool skip;
} block_desc;

/* in the order of the enum in refast/ko_polar.h */
static const block_desc blocks[RF_KOP_NBLOCKS] = {
    {"g1_right", 2, 1, true},       {"g1_left", 2, 1, true},        {"g2", 4, 2, true},
    {"g3", 8, 4, true},             {"g4", 16, 8, true},            {"g5", 32, 16, true},
    {"g6", 64, 32, true},           {"f5_left", 32, 1, false},      {"f5_right", 3, 1, false},
    {"f4_left", 16, 1, false},      {"f4_right", 3, 1, false},      {"f3_left", 8, 1, false},
    {"f3_right", 3, 1, false},      {"f2_left", 4, 2, false},       {"f1_left_left", 2, 1, false},
    {"f1_left_right", 3, 1, false}, {"f2_right", 3, 1, false},      {"f1_right_left", 2, 1, false},
    {"f1_right_right", 3, 1, false},
};

const char *rf_kop_block_name(unsigned block)
{
    return block < RF_KOP_NBLOCKS ? blocks[block].name : "?";
}

/* The object of tensor `name`: the position of its "name" value and the end (the next "name"). */
static const char *find_tensor(const char *js, const char *jend, const char *name, const char **oend)
{
    char pat[72];
    snprintf(pat, sizeof pat, "\"%.64s\"", name);
    for (const char *q = js; (q = strstr(q, pat)) != NULL; q++) {
        const char *b = q;
        while (b > js && (b[-1] == ' ' || b[-1] == ':' || b[-1] == '\n')) b--;
        if (b - js >= 6 && memcmp(b - 6, "\"name\"", 6) == 0) {
            const char *next = strstr(q + 1, "\"name\"");
            *oend = next ? next : jend;
            return q;
        }
    }
    return NULL;
}

/* The tensor records of one block in layout order (fc1..fc4 weight then bias, then the skip); their
 * .kow metadata: node_m 6 (the code's m), node_r the block index, role 0 for g blocks and 1 for f
 * blocks, layer 1..4 (5 = skip), param 0 weight / 1 bias. Returns how many (8 or 9). */
static unsigned block_layout(unsigned bi, rf_ko_tensor *t)
{
    const block_desc *d = &blocks[bi];
    unsigned n = 0;
    for (unsigned l = 1; l <= 5; l++) {
        if (l == 5 && !d->skip) break;
        for (unsigned p = 0; p < (l == 5 ? 1u : 2u); p++, n++) {
            if (!t) continue;
            rf_ko_tensor *x = &t[n];
            memset(x, 0, sizeof *x);
            const unsigned in = l == 1 ? d->in : l == 5 ? 3 * (d->in / 2) : RF_KOP_HIDDEN;
            const unsigned out = l == 4 ? d->out : RF_KOP_HIDDEN;
            if (l == 5) snprintf(x->name, sizeof x->name, "%s.skip.weight", d->name);
            else snprintf(x->name, sizeof x->name, "%s.fc%u.%s", d->name, l, p ? "bias" : "weight");
            x->node_m = 6;
            x->node_r = bi;
            x->role = d->skip ? 0 : 1;
            x->layer = l;
            x->param = p;
            x->ndim = p ? 1 : 2;
            x->shape[0] = out;
            x->shape[1] = p ? 0 : in;
            x->count = p ? out : (size_t)out * in;
        }
    }
    return n;
}

/* Points each block's weights into the tensors' data. */
static void bind_blocks(rf_ko_polar_model *mdl)
{
    memset(mdl->blocks, 0, sizeof mdl->blocks);
    for (size_t i = 0; i < mdl->ntensors; i++) {
        const rf_ko_tensor *x = &mdl->tensors[i];
        rf_kop_block *blk = &mdl->blocks[x->node_r];
        blk->in = blocks[x->node_r].in;
        blk->out = blocks[x->node_r].out;
        blk->skip = blocks[x->node_r].skip;
        if (x->layer == 5) blk->s = x->data;
        else if (x->param) blk->b[x->layer - 1] = x->data;
        else blk->w[x->layer - 1] = x->data;
    }
}

/* The tensor records (data pointing into `data`, owned or not). */
static bool layout(rf_ko_polar_model *mdl, float *data, bool owns, char *err, size_t errlen)
{
    size_t n = 0;
    for (unsigned bi = 0; bi < RF_KOP_NBLOCKS; bi++) n += block_layout(bi, NULL);
    mdl->tensors = calloc(n, sizeof *mdl->tensors);
    if (!mdl->tensors) return rf_fail(err, errlen, "out of memory");
    mdl->ntensors = 0;
    for (unsigned bi = 0; bi < RF_KOP_NBLOCKS; bi++) mdl->ntensors += block_layout(bi, mdl->tensors + mdl->ntensors);
    mdl->nfloats = 0;
    for (size_t i = 0; i < n; i++) mdl->nfloats += mdl->tensors[i].count;
    if (!data) data = calloc(mdl->nfloats, sizeof(float));
    if (!data) return rf_fail(err, errlen, "out of memory");
    mdl->data = data;
    mdl->owns_data = owns;
    float *q = data;
    for (size_t i = 0; i < n; i++) {
        mdl->tensors[i].data = q;
        q += mdl->tensors[i].count;
    }
    bind_blocks(mdl);
    return true;
}

size_t rf_ko_polar_nfloats(void)
{
    size_t n = 0;
    for (unsigned bi = 0; bi < RF_KOP_NBLOCKS; bi++) {
        rf_ko_tensor t[9];
        const unsigned nt = block_layout(bi, t);
        for (unsigned i = 0; i < nt; i++) n += t[i].count;
    }
    return n;
}

bool rf_ko_polar_alloc(rf_ko_polar_model *mdl, char *err, size_t errlen)
{
    memset(mdl, 0, sizeof *mdl);
    if (layout(mdl, NULL, true, err, errlen)) return true;
    rf_ko_polar_free(mdl);
    return false;
}

bool rf_ko_polar_view(rf_ko_polar_model *mdl, const float *data, size_t nfloats, char *err, size_t errlen)
{
    memset(mdl, 0, sizeof *mdl);
    if (nfloats != rf_ko_polar_nfloats())
        return rf_fail(err, errlen, "the Polar(64,7) KO model has %zu floats, not %zu", rf_ko_polar_nfloats(),
                       nfloats);
    /* the model never writes through a view: the cast only shares the tensor records' type */
    if (layout(mdl, (float *)data, false, err, errlen)) return true;
    rf_ko_polar_free(mdl);
    return false;
}

bool rf_ko_polar_init(rf_ko_polar_model *mdl, uint64_t seed, char *err, size_t errlen)
{
    if (!rf_ko_polar_alloc(mdl, err, errlen)) return false;
    for (size_t i = 0; i < mdl->ntensors; i++) {
        rf_ko_tensor *x = &mdl->tensors[i];
        /* the reference generator: the same weights whatever level this machine runs */
        gauss_f32_ref(seed, i, 0, x->count, x->data);
        for (size_t k = 0; k < x->count; k++) x->data[k] *= 0.02f;
    }
    return true;
}

void rf_ko_polar_free(rf_ko_polar_model *mdl)
{
    if (mdl->owns_data) free(mdl->data);
    free(mdl->tensors);
    memset(mdl, 0, sizeof *mdl);
}

/* ---- .kow (architecture polar_64_7) ---------------------------------------------------------- */

static const rf_kow_header polar_header = {6, 1, RF_KOW_ARCH_POLAR_64_7, 0, RF_KOP_HIDDEN, 3};

bool rf_ko_polar_encode(const rf_ko_polar_model *mdl, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    return rf_kow_encode(&polar_header, mdl->tensors, mdl->ntensors, buf, len, err, errlen);
}

bool rf_ko_polar_hash(const rf_ko_polar_model *mdl, uint64_t *hi, uint64_t *lo)
{
    uint8_t *buf;
    size_t len;
    char err[64];
    if (!rf_ko_polar_encode(mdl, &buf, &len, err, sizeof err)) return false;
    rf_kow_take_hash(buf, len, hi, lo);
    return true;
}

bool rf_ko_polar_save(const rf_ko_polar_model *mdl, const char *path, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    return rf_ko_polar_encode(mdl, &buf, &len, err, errlen) && rf_kow_take_save(buf, len, path, err, errlen);
}

bool rf_ko_polar_decode(rf_ko_polar_model *mdl, const uint8_t *buf, size_t len, const char *what, char *err,
                        size_t errlen)
{
    rf_rbuf r = {buf, len, 0, what, err, errlen};
    rf_kow_header h = {0};
    if (!rf_kow_read_header(&r, &h)) return false;
    if (h.arch != RF_KOW_ARCH_POLAR_64_7)
        return rf_rbuf_fail(&r, "architecture", "%u is a KO(m,2) model, not polar_64_7 (2)", h.arch);
    const unsigned got[] = {h.m, h.r, h.norm, h.hidden, h.hidden_layers};
    const unsigned want[] = {polar_header.m, polar_header.r, polar_header.norm, polar_header.hidden,
                             polar_header.hidden_layers};
    static const char *const names[] = {"m", "r", "normalisation", "hidden", "hidden_layers"};
    for (unsigned i = 0; i < 5; i++)
        if (got[i] != want[i]) return rf_rbuf_fail(&r, names[i], "is %u, expected %u", got[i], want[i]);
    if (!rf_ko_polar_alloc(mdl, err, errlen)) return false;
    if (rf_kow_read_tensors(&r, mdl->tensors, mdl->ntensors)) return true;
    rf_ko_polar_free(mdl);
    return false;
}

bool rf_ko_polar_load(rf_ko_polar_model *mdl, const char *path, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    memset(mdl, 0, sizeof *mdl);
    if (!rf_read_file(path, RF_KOW_MAX_FILE_BYTES, &buf, &len, err, errlen)) return false;
    const bool ok = rf_ko_polar_decode(mdl, buf, len, path, err, errlen);
    free(buf);
    return ok;
}

bool rf_ko_polar_import(rf_ko_polar_model *mdl, const char *dir, char *err, size_t errlen)
{
    char jpath[4200], fpath[4200];
    uint8_t *json = NULL, *raw = NULL;
    size_t jlen, rlen;
    bool ok = false;
    memset(mdl, 0, sizeof *mdl);
    snprintf(jpath, sizeof jpath, "%s/weights.json", dir);
    snprintf(fpath, sizeof fpath, "%s/weights.f32", dir);
    /* rf_read_file NUL-terminates, so the JSON text can be searched with strstr */
    if (!rf_read_file(jpath, (uint64_t)64 << 20, &json, &jlen, err, errlen)) return false;
    const char *js = (const char *)json, *jend = js + jlen;
    const char *code = rf_kj_key(js, jend, "code");
    unsigned long long total = 0;
    if (!code || strncmp(code, "\"KO Polar(64,7)\"", 16) != 0) {
        rf_kj_fail(err, errlen, "%s: field 'code': not \"KO Polar(64,7)\"", jpath);
        goto done;
    }
    if (!rf_kj_ulong(js, jend, "total_floats", &total) || total == 0 || total > ((uint64_t)1 << 28)) {
        rf_kj_fail(err, errlen, "%s: field 'total_floats': missing or out of range", jpath);
        goto done;
    }
    if (!rf_read_file(fpath, (uint64_t)1 << 30, &raw, &rlen, err, errlen)) goto done;
    if (rlen != total * 4) {
        rf_kj_fail(err, errlen, "%s: size %zu bytes, weights.json says %llu floats", fpath, rlen, total);
        goto done;
    }
    if (!rf_ko_polar_alloc(mdl, err, errlen)) goto done;
    for (size_t i = 0; i < mdl->ntensors; i++) {
        rf_ko_tensor *x = &mdl->tensors[i];
        const char *oend, *at = find_tensor(js, jend, x->name, &oend);
        if (!at) {
            rf_kj_fail(err, errlen, "%s: tensor '%s': not found", jpath, x->name);
            goto done;
        }
        unsigned long long off, cnt, dims[2] = {0, 1};
        const unsigned nd = rf_kj_shape(at, oend, dims);
        if (!rf_kj_ulong(at, oend, "offset", &off) || !rf_kj_ulong(at, oend, "count", &cnt) || nd == 0) {
            rf_kj_fail(err, errlen, "%s: tensor '%s': shape/offset/count missing or malformed", jpath, x->name);
            goto done;
        }
        if (nd != x->ndim) {
            rf_kj_fail(err, errlen, "%s: tensor '%s': shape has %u dimensions (expected %u)", jpath, x->name, nd,
                       x->ndim);
            goto done;
        }
        if (dims[0] != x->shape[0] || (nd == 2 && dims[1] != x->shape[1])) {
            rf_kj_fail(err, errlen, "%s: tensor '%s': shape [%llu, %llu] (expected [%u, %u])", jpath, x->name,
                       dims[0], dims[1], x->shape[0], nd == 2 ? x->shape[1] : 1u);
            goto done;
        }
        if (cnt != x->count || off > total || cnt > total - off) {
            rf_kj_fail(err, errlen,
                       "%s: tensor '%s': count %llu at offset %llu does not fit (expected count %zu, file %llu floats)",
                       jpath, x->name, cnt, off, x->count, total);
            goto done;
        }
        for (size_t k = 0; k < x->count; k++) {
            const uint32_t u = (uint32_t)rf_load_le(raw + 4 * (off + k), 4);
            memcpy(&x->data[k], &u, 4);
            if (!isfinite(x->data[k])) {
                rf_kj_fail(err, errlen, "%s: tensor '%s': value %zu is not finite", fpath, x->name, k);
                goto done;
            }
        }
    }
    ok = true;
done:
    free(json);
    free(raw);
    if (!ok) rf_ko_polar_free(mdl);
    return ok;
}
