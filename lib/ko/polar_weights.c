/* Import of the authors' KO Polar(64,7) weights (ko-reference/ko_polar_64_7/weights.{json,f32},
 * README §8) into an in-memory model (refast/ko_polar.h). The JSON is searched with a tiny key
 * scanner (the file is machine-written, one object per tensor); every tensor the architecture needs
 * is looked up by name and its shape, offset and count are checked before any value is copied. */
#include "ko/polar_weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refjson.h"
#include "bytes.h"

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

/* Tensor list of one block, in a fixed order: fc1..fc4 weight and bias, then skip. */
typedef struct {
    char name[64];
    unsigned nd, shape[2];
    const float **dst;
} tensor_want;

static unsigned block_tensors(unsigned bi, rf_kop_block *blk, tensor_want t[9])
{
    const block_desc *d = &blocks[bi];
    unsigned n = 0;
    for (unsigned l = 0; l < 4; l++) {
        const unsigned in = l == 0 ? d->in : RF_KOP_HIDDEN, out = l == 3 ? d->out : RF_KOP_HIDDEN;
        snprintf(t[n].name, sizeof t[n].name, "%s.fc%u.weight", d->name, l + 1);
        t[n].nd = 2, t[n].shape[0] = out, t[n].shape[1] = in, t[n].dst = &blk->w[l];
        n++;
        snprintf(t[n].name, sizeof t[n].name, "%s.fc%u.bias", d->name, l + 1);
        t[n].nd = 1, t[n].shape[0] = out, t[n].shape[1] = 1, t[n].dst = &blk->b[l];
        n++;
    }
    if (d->skip) {
        snprintf(t[n].name, sizeof t[n].name, "%s.skip.weight", d->name);
        t[n].nd = 2, t[n].shape[0] = RF_KOP_HIDDEN, t[n].shape[1] = 3 * (d->in / 2), t[n].dst = &blk->s;
        n++;
    }
    return n;
}

void rf_ko_polar_free(rf_ko_polar_model *mdl)
{
    free(mdl->data);
    memset(mdl, 0, sizeof *mdl);
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
    /* sizes first, so that one allocation holds every tensor */
    size_t need = 0;
    for (unsigned bi = 0; bi < RF_KOP_NBLOCKS; bi++) {
        tensor_want t[9];
        const unsigned nt = block_tensors(bi, &mdl->blocks[bi], t);
        for (unsigned i = 0; i < nt; i++) need += (size_t)t[i].shape[0] * t[i].shape[1];
    }
    mdl->data = malloc(need * sizeof(float));
    if (!mdl->data) {
        rf_kj_fail(err, errlen, "out of memory");
        goto done;
    }
    mdl->nfloats = need;
    float *p = mdl->data;
    for (unsigned bi = 0; bi < RF_KOP_NBLOCKS; bi++) {
        rf_kop_block *blk = &mdl->blocks[bi];
        blk->in = blocks[bi].in;
        blk->out = blocks[bi].out;
        blk->skip = blocks[bi].skip;
        tensor_want t[9];
        const unsigned nt = block_tensors(bi, blk, t);
        for (unsigned i = 0; i < nt; i++) {
            const char *oend, *at = find_tensor(js, jend, t[i].name, &oend);
            if (!at) {
                rf_kj_fail(err, errlen, "%s: tensor '%s': not found", jpath, t[i].name);
                goto done;
            }
            unsigned long long off, cnt, dims[2] = {0, 1};
            const unsigned nd = rf_kj_shape(at, oend, dims);
            if (!rf_kj_ulong(at, oend, "offset", &off) || !rf_kj_ulong(at, oend, "count", &cnt) || nd == 0) {
                rf_kj_fail(err, errlen, "%s: tensor '%s': shape/offset/count missing or malformed", jpath,
                      t[i].name);
                goto done;
            }
            if (nd != t[i].nd) {
                rf_kj_fail(err, errlen, "%s: tensor '%s': shape has %u dimensions (expected %u)", jpath, t[i].name,
                      nd, t[i].nd);
                goto done;
            }
            if (dims[0] != t[i].shape[0] || (nd == 2 && dims[1] != t[i].shape[1])) {
                rf_kj_fail(err, errlen, "%s: tensor '%s': shape [%llu, %llu] (expected [%u, %u])", jpath, t[i].name,
                      dims[0], dims[1], t[i].shape[0], t[i].shape[1]);
                goto done;
            }
            const size_t count = (size_t)t[i].shape[0] * t[i].shape[1];
            if (cnt != count || off > total || cnt > total - off) {
                rf_kj_fail(err, errlen, "%s: tensor '%s': count %llu at offset %llu does not fit (expected count "
                      "%zu, file %llu floats)", jpath, t[i].name, cnt, off, count, total);
                goto done;
            }
            for (size_t k = 0; k < count; k++) {
                const uint32_t u = (uint32_t)rf_load_le(raw + 4 * (off + k), 4);
                memcpy(&p[k], &u, 4);
                if (!isfinite(p[k])) {
                    rf_kj_fail(err, errlen, "%s: tensor '%s': value %zu is not finite", fpath, t[i].name, k);
                    goto done;
                }
            }
            *t[i].dst = p;
            p += count;
        }
    }
    ok = true;
done:
    free(json);
    free(raw);
    if (!ok) rf_ko_polar_free(mdl);
    return ok;
}
