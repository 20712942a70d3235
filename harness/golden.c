/* Golden layout and MANIFEST (see golden.h). */
#include "golden.h"

#include "bytes.h"
#include "errf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rf_golden_dir(void)
{
    const char *d = getenv("REFAST_GOLDEN");
    return d && *d ? d : "golden";
}

void rf_golden_relpath(const rf_kernel *k, const rf_case_spec *s, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s.%s.rfg", k->family, k->name, s->name);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const rf_manifest_entry *)a)->path, ((const rf_manifest_entry *)b)->path);
}

rf_manifest_entry *rf_manifest_find(rf_manifest *m, const char *path)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->e[i].path, path)) return &m->e[i];
    return NULL;
}

bool rf_manifest_set(rf_manifest *m, const char *path, const char *kernel, const char *params,
                     rfg_hash hash)
{
    rf_manifest_entry *e = rf_manifest_find(m, path);
    if (!e) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? 2 * m->cap : 64;
            rf_manifest_entry *p = realloc(m->e, cap * sizeof *p);
            if (!p) return false;
            m->e = p;
            m->cap = cap;
        }
        e = &m->e[m->n++];
        memset(e, 0, sizeof *e);
    }
    snprintf(e->path, sizeof e->path, "%s", path);
    snprintf(e->kernel, sizeof e->kernel, "%s", kernel);
    snprintf(e->params, sizeof e->params, "%s", params);
    e->hash = hash;
    return true;
}

void rf_manifest_remove(rf_manifest *m, size_t i)
{
    if (i >= m->n) return;
    m->e[i] = m->e[--m->n];
}

void rf_manifest_free(rf_manifest *m)
{
    free(m->e);
    memset(m, 0, sizeof *m);
}

bool rf_manifest_load(const char *dir, rf_manifest *m, bool allow_missing, char *err, size_t errlen)
{
    char path[4096], line[2048];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (allow_missing && errno == ENOENT) return true;
        return rf_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    }
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n') line[--len] = '\0';
        else if (!feof(f)) {
            snprintf(err, errlen, "%s:%u: line too long", path, lineno);
            fclose(f);
            rf_manifest_free(m);
            return false;
        }
        if (len == 0 || line[0] == '#') continue;
        char *fields[4];
        int nf = 0;
        for (char *p = line; nf < 4; nf++) {
            fields[nf] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                nf++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        rfg_hash h;
        if (nf != 4 || strchr(fields[3], '\t') || !rfg_hash_parse(fields[3], &h) ||
            strlen(fields[0]) >= sizeof m->e[0].path || strlen(fields[1]) >= RF_NAME_MAX ||
            strlen(fields[2]) >= RF_PARAMS_MAX) {
            snprintf(err, errlen, "%s:%u: malformed line (expected path<TAB>kernel<TAB>params<TAB>"
                                  "32 hex digits)", path, lineno);
            fclose(f);
            rf_manifest_free(m);
            return false;
        }
        if (!rf_manifest_set(m, fields[0], fields[1], fields[2], h)) {
            snprintf(err, errlen, "%s: out of memory", path);
            fclose(f);
            rf_manifest_free(m);
            return false;
        }
    }
    fclose(f);
    return true;
}

bool rf_manifest_save(const char *dir, rf_manifest *m, char *err, size_t errlen)
{
    qsort(m->e, m->n, sizeof *m->e, entry_cmp);
    rf_wbuf w = {0};
    rf_wbuf_puts(&w, "# refast golden MANIFEST: path\tkernel\tparams\tXXH3-128\n");
    for (size_t i = 0; i < m->n; i++) {
        char hex[33];
        rfg_hash_hex(m->e[i].hash, hex);
        rf_wbuf_printf(&w, "%s\t%s\t%s\t%s\n", m->e[i].path, m->e[i].kernel, m->e[i].params, hex);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    const bool ok = rf_mkdirs(dir, err, errlen) && rf_wbuf_save(&w, path, err, errlen);
    rf_wbuf_free(&w);
    return ok;
}

bool rf_golden_build(const rf_kernel *k, const rf_case_spec *s, rf_case *c, char *err, size_t errlen)
{
    char why[256] = "";
    rf_case_init(c, k->name, s->name, s->params);
    c->work_dtype = k->work_dtype;
    if (k->make_inputs(k, c, why, sizeof why) != 0 || k->oracle(k, c, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s.%s: %s", k->name, s->name, why);
        rf_case_free(c);
        return false;
    }
    return true;
}
