/* The checkpoint file of `refast sim` (sim_checkpoint.h). */
#include "sim_checkpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "bytes.h"
#include "errf.h"

#define MAGIC "refast-sim-checkpoint 1\n"
#define MAX_BYTES (64u << 20)

bool rf_sim_ckpt_save(const char *path, const char *description, const rf_sim_result *points, size_t npoints,
                      char *err, size_t errlen)
{
    rf_wbuf w = {0};
    rf_wbuf_puts(&w, MAGIC);
    rf_wbuf_printf(&w, "fingerprint %016" PRIx64 "\nrun %s\n", (uint64_t)XXH3_64bits(description, strlen(description)),
                   description);
    for (size_t i = 0; i < npoints; i++) {
        const rf_sim_result *p = &points[i];
        if (!p->finished && p->next_batch == 0) continue;
        rf_wbuf_printf(&w, "point %zu %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %016" PRIx64
                           " %.17g %.17g %.17g",
                       i, p->finished ? 1 : 0, p->next_batch, p->frames, p->bit_errors, p->bit_errors_sq,
                       p->block_errors, p->decisions_xxh3, p->seconds, p->cpu_seconds, p->exchange_seconds);
        for (int s = 0; s < RF_SIM_STAGES; s++) rf_wbuf_printf(&w, " %.17g", p->stage_seconds[s]);
        rf_wbuf_printf(&w, " %zu", p->nleaves);
        for (size_t l = 0; l < p->nleaves; l++) rf_wbuf_printf(&w, " %" PRIu64, p->leaf_errors[l]);
        rf_wbuf_puts(&w, "\n");
    }
    rf_wbuf_printf(&w, "end %016" PRIx64 "\n", (uint64_t)XXH3_64bits(w.p, w.len));
    const bool ok = rf_wbuf_save(&w, path, err, errlen);
    rf_wbuf_free(&w);
    return ok;
}

/* Strict numbers: decimal (or hex) digits up to a space or the end of the line. */
static bool next_u64(const char **s, int base, uint64_t *v)
{
    const char *p = *s;
    while (*p == ' ') p++;
    if (!((*p >= '0' && *p <= '9') || (base == 16 && ((*p >= 'a' && *p <= 'f'))))) return false;
    char *end;
    errno = 0;
    const unsigned long long x = strtoull(p, &end, base);
    if (errno || (*end != ' ' && *end != '\n')) return false;
    *v = x;
    *s = end;
    return true;
}

static bool next_double(const char **s, double *v)
{
    char *end;
    errno = 0;
    const double x = strtod(*s, &end);
    if (end == *s || errno || (*end != ' ' && *end != '\n') || !(x >= 0)) return false;
    *v = x;
    *s = end;
    return true;
}

static bool parse_point(const char *line, rf_sim_result *points, size_t npoints, size_t nleaves)
{
    const char *s = line;
    uint64_t i, fin, nl;
    rf_sim_result r = {0};
    if (!next_u64(&s, 10, &i) || i >= npoints || !next_u64(&s, 10, &fin) || fin > 1 ||
        !next_u64(&s, 10, &r.next_batch) || !next_u64(&s, 10, &r.frames) || !next_u64(&s, 10, &r.bit_errors) ||
        !next_u64(&s, 10, &r.bit_errors_sq) || !next_u64(&s, 10, &r.block_errors) ||
        !next_u64(&s, 16, &r.decisions_xxh3) || !next_double(&s, &r.seconds) || !next_double(&s, &r.cpu_seconds) ||
        !next_double(&s, &r.exchange_seconds))
        return false;
    for (int st = 0; st < RF_SIM_STAGES; st++)
        if (!next_double(&s, &r.stage_seconds[st])) return false;
    if (!next_u64(&s, 10, &nl) || nl != nleaves || points[i].leaf_errors) return false;
    r.finished = fin == 1;
    r.nleaves = nleaves;
    r.leaf_errors = calloc(nleaves ? nleaves : 1, sizeof *r.leaf_errors);
    if (!r.leaf_errors) return false;
    for (size_t l = 0; l < nleaves; l++)
        if (!next_u64(&s, 10, &r.leaf_errors[l])) {
            free(r.leaf_errors);
            return false;
        }
    if (*s != '\n') {
        free(r.leaf_errors);
        return false;
    }
    r.bits = 0; /* the caller knows k */
    points[i] = r;
    return true;
}

int rf_sim_ckpt_load(const char *path, const char *description, rf_sim_result *points, size_t npoints,
                     size_t nleaves, char *err, size_t errlen)
{
    if (access(path, F_OK) != 0 && errno == ENOENT) return 0;
    uint8_t *data;
    size_t len;
    if (!rf_read_file(path, MAX_BYTES, &data, &len, err, errlen)) return -1;
    const char *text = (const char *)data, *end = NULL;
    for (const char *p = strstr(text, "\nend "); p; p = strstr(p + 1, "\nend ")) end = p + 1; /* the last line's */
    int rc = -1;
    char want[32];
    snprintf(want, sizeof want, "%016" PRIx64, (uint64_t)XXH3_64bits(description, strlen(description)));
    if (strncmp(text, MAGIC, strlen(MAGIC)) != 0) {
        rf_fail(err, errlen, "checkpoint %s: not a refast sim checkpoint (bad first line)", path);
    } else if (!end || strlen(end) != 4 + 16 + 1 || end[20] != '\n') {
        rf_fail(err, errlen, "checkpoint %s: truncated (no end line)", path);
    } else {
        char sum[32];
        snprintf(sum, sizeof sum, "%016" PRIx64, (uint64_t)XXH3_64bits(text, (size_t)(end - text)));
        const char *fp = strstr(text, "\nfingerprint ");
        if (strncmp(end + 4, sum, 16) != 0) {
            rf_fail(err, errlen, "checkpoint %s: XXH3 mismatch: the file is corrupted", path);
        } else if (!fp || strncmp(fp + 13, want, 16) != 0) {
            rf_fail(err, errlen, "checkpoint %s: written by another run (code, decoder, channel, SNR points, "
                                 "seed, frame cap, target or ISA differ): remove it or choose another file", path);
        } else {
            rc = 1;
            for (const char *line = text; rc == 1 && line < end; line = strchr(line, '\n') + 1)
                if (!strncmp(line, "point ", 6) && !parse_point(line + 6, points, npoints, nleaves))
                    rc = rf_fail_rc(err, errlen, "checkpoint %s: bad point line '%.40s'", path, line);
        }
    }
    free(data);
    return rc;
}
