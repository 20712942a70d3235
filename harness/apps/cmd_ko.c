/* refast ko: KO weights (.kow) and the encoder / decoder on raw files (SPEC §5.1 "KO codes",
 * ko-reference/README.md §4 and §8; formats in refast/ko.h and refast/ko_polar.h). Two
 * architectures: KO(m,2) (ko, tiny) and the authors' KO Polar(64,7) model (polar_64_7, n = 64,
 * k = 7); a .kow file says which it holds, and every subcommand follows it.
 *
 *   refast ko init --code ko:M:2|ko:polar_64_7 [--tiny] --seed S --out FILE.kow   N(0, 0.02^2)
 *   refast ko import DIR --out FILE.kow        DIR = ko-reference/ko_m_2 or ko_polar_64_7
 *   refast ko info FILE.kow [--tensors]        header, sizes, file hash (and every tensor)
 *   refast ko encode --weights W --messages M.u8 --out X.f32 [--isa L]
 *   refast ko decode --weights W --received Y.f32 --out L.f32 [--hard H.u8] [--isa L]
 * encode/decode run the kernels ko_encode_f32 / ko_decode_f32 (or ko_polar_encode_f32 /
 * ko_polar_decode_f32) at the current level (--isa, else REFAST_ISA, else the best this CPU has).
 *
 * Raw files are headerless little-endian row-major arrays like the reference data: M.u8 frames x k
 * bytes 0/1, X.f32 / Y.f32 frames x n float32 (Polar(64,7): canonical Arikan positions), L.f32
 * frames x k float32 (positive = bit 0),
 * H.u8 frames x k bytes (1 iff L < 0). Every bad input exits 2 with one line; outputs are written
 * to a temporary name and renamed, and a failed run leaves no output file behind.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "bytes.h"
#include "cli.h"
#include "refast/ko.h"
#include "refast/ko_polar.h"
#include "rfg.h"
#include "ko/kow.h"
#include "ko/polar_weights.h"

#define KO_MAX_INPUT ((size_t)1 << 30)

static bool read_raw(const char *path, const char *what, size_t unit, void **data, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rf_usage_error("ko: %s '%s': cannot open the file", what, path);
        return false;
    }
    long sz = -1;
    if (fseek(f, 0, SEEK_END) == 0) sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        rf_usage_error("ko: %s '%s': cannot determine its size", what, path);
        return false;
    }
    const size_t bytes = (size_t)sz;
    if (bytes == 0 || bytes % unit != 0 || bytes > KO_MAX_INPUT) {
        fclose(f);
        rf_usage_error("ko: %s '%s': %zu bytes is not a positive multiple of the frame size %zu%s", what, path,
                       bytes, unit, bytes > KO_MAX_INPUT ? " (or exceeds 1 GiB)" : "");
        return false;
    }
    void *p = malloc(bytes);
    const bool ok = p && fread(p, 1, bytes, f) == bytes;
    fclose(f);
    if (!ok) {
        free(p);
        rf_usage_error("ko: %s '%s': read error", what, path);
        return false;
    }
    *data = p;
    *count = bytes / unit;
    return true;
}

/* A loaded .kow of either architecture. */
typedef struct ko_weights {
    bool polar;
    rf_ko_model ko;
    rf_ko_polar_model kop;
    size_t n, k;
    char name[32]; /* "KO(8,2)", "KO Polar(64,7)" */
} ko_weights;

static bool load_weights(const char *path, ko_weights *w)
{
    char err[512];
    uint8_t *buf = NULL;
    size_t len = 0;
    unsigned arch = 0;
    memset(w, 0, sizeof *w);
    bool ok = rf_read_file(path, RF_KOW_MAX_FILE_BYTES, &buf, &len, err, sizeof err) &&
              rf_kow_peek_arch(buf, len, path, &arch, err, sizeof err);
    w->polar = ok && arch == RF_KOW_ARCH_POLAR_64_7;
    if (ok && w->polar) {
        ok = rf_ko_polar_decode(&w->kop, buf, len, path, err, sizeof err);
        w->n = RF_KOP_N, w->k = RF_KOP_K;
        snprintf(w->name, sizeof w->name, "KO Polar(64,7)");
    } else if (ok) {
        ok = rf_ko_model_decode(&w->ko, buf, len, path, err, sizeof err);
        w->n = (size_t)1 << w->ko.m, w->k = rf_ko_k(w->ko.m);
        snprintf(w->name, sizeof w->name, "KO(%u,2)", w->ko.m);
    }
    free(buf);
    if (!ok) rf_usage_error("ko: %s", err);
    return ok;
}

static void free_weights(ko_weights *w)
{
    if (w->polar) rf_ko_polar_free(&w->kop);
    else rf_ko_model_free(&w->ko);
}

typedef struct ko_opts {
    const char *code, *out, *dir, *file, *weights, *messages, *received, *hard;
    unsigned long long seed;
    bool tiny, tensors;
    rf_isa isa;
} ko_opts;

static int ko_init(const void *opts)
{
    const ko_opts *o = opts;
    const char *code = o->code, *out = o->out;
    const bool tiny = o->tiny;
    const unsigned long long seed = o->seed;
    unsigned m = 0, r = 0;
    char tail;
    char err[512];
    if (!strcmp(code, "ko:polar_64_7")) {
        if (tiny) return rf_usage_error("ko init: --tiny applies to KO(m,2) only, not ko:polar_64_7");
        rf_ko_polar_model kop;
        if (!rf_ko_polar_init(&kop, seed, err, sizeof err)) return rf_usage_error("ko init: %s", err);
        const bool ok = rf_ko_polar_save(&kop, out, err, sizeof err);
        rf_ko_polar_free(&kop);
        if (!ok) return rf_usage_error("ko init: %s", err);
        printf("wrote %s: KO Polar(64,7) polar_64_7, N(0, 0.02^2) seed %llu\n", out, seed);
        return RF_EXIT_OK;
    }
    if (sscanf(code, "ko:%u:%u%c", &m, &r, &tail) != 2 || r != 2 || m < RF_KO_MIN_M || m > RF_KO_MAX_M)
        return rf_usage_error("ko init: --code '%s': expected ko:M:2 with %u <= M <= %u, or ko:polar_64_7", code,
                              RF_KO_MIN_M, RF_KO_MAX_M);
    rf_ko_model mdl;
    if (!rf_ko_model_init(&mdl, m, tiny ? RF_KO_ARCH_TINY : RF_KO_ARCH_KO, seed, err, sizeof err))
        return rf_usage_error("ko init: %s", err);
    const bool ok = rf_ko_model_save(&mdl, out, err, sizeof err);
    rf_ko_model_free(&mdl);
    if (!ok) return rf_usage_error("ko init: %s", err);
    printf("wrote %s: KO(%u,2) %s, N(0, 0.02^2) seed %llu\n", out, m, tiny ? "tiny" : "ko", seed);
    return RF_EXIT_OK;
}

/* Whether DIR/weights.json names the authors' Polar(64,7) model (its "code" field); anything else
 * goes to the KO(m,2) importer, whose errors name what is wrong. */
static bool is_polar_dir(const char *dir)
{
    char path[4200], err[256];
    uint8_t *js = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/weights.json", dir);
    if (!rf_read_file(path, (uint64_t)64 << 20, &js, &len, err, sizeof err)) return false;
    const bool polar = strstr((const char *)js, "\"code\": \"KO Polar(64,7)\"") != NULL;
    free(js);
    return polar;
}

static int ko_import(const void *opts)
{
    const ko_opts *o = opts;
    const char *dir = o->dir, *out = o->out;
    char err[512];
    if (is_polar_dir(dir)) {
        rf_ko_polar_model kop;
        if (!rf_ko_polar_import(&kop, dir, err, sizeof err)) return rf_usage_error("ko import: %s", err);
        const bool ok = rf_ko_polar_save(&kop, out, err, sizeof err);
        if (ok) printf("wrote %s: KO Polar(64,7) from %s, %zu tensors, %zu floats\n", out, dir, kop.ntensors, kop.nfloats);
        rf_ko_polar_free(&kop);
        return ok ? RF_EXIT_OK : rf_usage_error("ko import: %s", err);
    }
    rf_ko_model mdl;
    if (!rf_ko_model_import(&mdl, dir, err, sizeof err)) return rf_usage_error("ko import: %s", err);
    const bool ok = rf_ko_model_save(&mdl, out, err, sizeof err);
    if (ok) printf("wrote %s: KO(%u,2) from %s, %zu tensors, %zu floats\n", out, mdl.m, dir, mdl.ntensors, mdl.nfloats);
    rf_ko_model_free(&mdl);
    if (!ok) return rf_usage_error("ko import: %s", err);
    return RF_EXIT_OK;
}

/* One line per tensor: name, metadata, shape, rms. */
static void print_tensors(const rf_ko_tensor *t, size_t n, bool polar)
{
    for (size_t i = 0; i < n; i++) {
        const rf_ko_tensor *x = &t[i];
        double ss = 0;
        for (size_t j = 0; j < x->count; j++) ss += (double)x->data[j] * x->data[j];
        if (polar)
            printf("  %-24s block %-2u %-6s layer %u %s shape %u%s%.0u  rms %.6g\n", x->name, x->node_r,
                   x->role ? "f" : "g", x->layer, x->layer == 5 ? "skip  " : x->param ? "bias  " : "weight",
                   x->shape[0], x->ndim == 2 ? "x" : "", x->ndim == 2 ? x->shape[1] : 0u, sqrt(ss / (double)x->count));
        else
            printf("  %-22s node (%u,%u) %-7s layer %u %s shape %u%s%.0u  rms %.6g\n", x->name, x->node_m,
                   x->node_r, rf_ko_role_name(x->role), x->layer, x->param ? "bias  " : "weight", x->shape[0],
                   x->ndim == 2 ? "x" : "", x->ndim == 2 ? x->shape[1] : 0u, sqrt(ss / (double)x->count));
    }
}

static int ko_info(const void *opts)
{
    const ko_opts *o = opts;
    const char *path = o->file;
    ko_weights w;
    if (!load_weights(path, &w)) return RF_EXIT_USAGE;
    uint64_t hi = 0, lo = 0;
    if (w.polar) {
        rf_ko_polar_hash(&w.kop, &hi, &lo);
        printf("file: %s\ncode: %s  n = %zu  k = %zu  info set {47, 55, 59, 60, 61, 62, 63}\n"
               "architecture: polar_64_7 (the authors' model: hidden %u, 4 dense layers per block, skip layer in g "
               "blocks)\nnormalisation: x = c 8 / max(||c||, 1e-12)\ntensors: %zu  floats: %zu\nxxh3-128: "
               "%016llx%016llx\n",
               path, w.name, w.n, w.k, RF_KOP_HIDDEN, w.kop.ntensors, w.kop.nfloats, (unsigned long long)hi,
               (unsigned long long)lo);
        if (o->tensors) print_tensors(w.kop.tensors, w.kop.ntensors, true);
    } else {
        const rf_ko_model *mdl = &w.ko;
        rf_ko_model_hash(mdl, &hi, &lo);
        printf("file: %s\ncode: %s  n = %zu  k = %zu\narchitecture: %s (hidden %u, %u hidden layers)\n"
               "normalisation: x = c sqrt(n) / max(||c||, 1e-12)\ntensors: %zu  floats: %zu\nxxh3-128: %016llx%016llx\n",
               path, w.name, w.n, w.k, rf_ko_arch_name(mdl->arch), mdl->hidden, mdl->hidden_layers, mdl->ntensors,
               mdl->nfloats, (unsigned long long)hi, (unsigned long long)lo);
        if (o->tensors) print_tensors(mdl->tensors, mdl->ntensors, false);
    }
    free_weights(&w);
    return RF_EXIT_OK;
}

static int ko_encode(const void *opts)
{
    const ko_opts *o = opts;
    const char *wpath = o->weights, *mpath = o->messages, *out = o->out;
    ko_weights w;
    if (!load_weights(wpath, &w)) return RF_EXIT_USAGE;
    const size_t n = w.n, k = w.k;
    void *msg;
    size_t frames;
    int rc = RF_EXIT_USAGE;
    if (!read_raw(mpath, "--messages", k, &msg, &frames)) goto done_model;
    const uint8_t *b = msg;
    for (size_t i = 0; i < frames * k; i++)
        if (b[i] > 1) {
            rf_usage_error("ko encode: --messages '%s': byte %zu (frame %zu) is %u, not 0 or 1", mpath, i, i / k, b[i]);
            goto done_msg;
        }
    float *x = malloc(frames * n * sizeof(float));
    if (!x) {
        rf_usage_error("ko encode: out of memory for %zu frames", frames);
        goto done_msg;
    }
    if (w.polar) rf_ko_polar_encode_f32(&w.kop, b, frames, x);
    else rf_ko_encode_f32(&w.ko, b, frames, x);
    char err[512];
    if (!rf_write_file_atomic(out, x, frames * n * sizeof(float), err, sizeof err))
        rf_usage_error("ko encode: %s", err);
    else {
        printf("wrote %s: %zu %s codewords of %zu float32\n", out, frames, w.name, n);
        rc = RF_EXIT_OK;
    }
    free(x);
done_msg:
    free(msg);
done_model:
    free_weights(&w);
    return rc;
}

static int ko_decode(const void *opts)
{
    const ko_opts *o = opts;
    const char *wpath = o->weights, *ypath = o->received, *out = o->out, *hard = o->hard;
    if (hard && !strcmp(hard, out)) return rf_usage_error("ko decode: --out and --hard name the same file");
    ko_weights w;
    if (!load_weights(wpath, &w)) return RF_EXIT_USAGE;
    const size_t n = w.n, k = w.k;
    void *yv;
    size_t frames;
    int rc = RF_EXIT_USAGE;
    if (!read_raw(ypath, "--received", n * sizeof(float), &yv, &frames)) goto done_model;
    const float *y = yv;
    for (size_t i = 0; i < frames * n; i++)
        if (!isfinite(y[i])) {
            rf_usage_error("ko decode: --received '%s': value %zu (frame %zu) is not finite", ypath, i, i / n);
            goto done_y;
        }
    float *llr = malloc(frames * k * sizeof(float));
    uint8_t *bits = malloc(frames * k);
    if (!llr || !bits) {
        rf_usage_error("ko decode: out of memory for %zu frames", frames);
        goto done_out;
    }
    if (w.polar) rf_ko_polar_decode_f32(&w.kop, y, frames, llr);
    else rf_ko_decode_f32(&w.ko, y, frames, llr);
    for (size_t i = 0; i < frames * k; i++) bits[i] = llr[i] < 0.0f;
    char err[512];
    const rf_outfile files[2] = {{out, llr, frames * k * sizeof(float)}, {hard, bits, frames * k}};
    if (!rf_write_files_atomic(files, hard ? 2 : 1, err, sizeof err)) { /* both or neither */
        rf_usage_error("ko decode: %s", err);
        goto done_out;
    }
    printf("wrote %s%s%s: %zu %s frames, %zu LLRs each\n", out, hard ? " and " : "", hard ? hard : "", frames,
           w.name, k);
    rc = RF_EXIT_OK;
done_out:
    free(llr);
    free(bits);
done_y:
    free(yv);
done_model:
    free_weights(&w);
    return rc;
}

#define ISA_ROW                                                                                             \
    {"--isa", RF_OPT_LEVEL, offsetof(ko_opts, isa), NULL,                                                   \
     .help = "the level of the kernels (default: REFAST_ISA, else the\nbest this CPU has)"}

static const rf_opt init_opts_table[] = {
    {"--code", RF_OPT_STR, offsetof(ko_opts, code), "ko:M:2|ko:polar_64_7",
     .help = "the code: KO(M,2), or the authors' KO Polar(64,7) architecture", .flags = RF_OPT_REQUIRED},
    {"--tiny", RF_OPT_FLAG, offsetof(ko_opts, tiny), NULL, .help = "TinyKO: hidden 4"},
    {"--seed", RF_OPT_U64, offsetof(ko_opts, seed), "S", .help = "Philox seed of the weights",
     .flags = RF_OPT_REQUIRED},
    {"--out", RF_OPT_FILE, offsetof(ko_opts, out), "FILE.kow", .help = "the weights file to write",
     .flags = RF_OPT_REQUIRED},
    {0},
};
static const rf_opt import_opts_table[] = {
    {"DIR", RF_OPT_ARG, offsetof(ko_opts, dir), NULL, .help = "ko-reference/ko_m_2 or ko_polar_64_7 (weights.json + weights.f32)",
     .flags = RF_OPT_REQUIRED},
    {"--out", RF_OPT_FILE, offsetof(ko_opts, out), "FILE.kow", .help = "the weights file to write",
     .flags = RF_OPT_REQUIRED},
    {0},
};
static const rf_opt info_opts_table[] = {
    {"FILE.kow", RF_OPT_ARG, offsetof(ko_opts, file), NULL, .help = "the weights", .flags = RF_OPT_REQUIRED},
    {"--tensors", RF_OPT_FLAG, offsetof(ko_opts, tensors), NULL, .help = "also list every tensor"},
    {0},
};
static const rf_opt encode_opts_table[] = {
    {"--weights", RF_OPT_FILE, offsetof(ko_opts, weights), "W.kow", .help = "the weights", .flags = RF_OPT_REQUIRED},
    {"--messages", RF_OPT_FILE, offsetof(ko_opts, messages), "M.u8", .help = "frames x k bytes 0/1 (canonical order)",
     .flags = RF_OPT_REQUIRED},
    {"--out", RF_OPT_FILE, offsetof(ko_opts, out), "X.f32", .help = "frames x n float32 codewords, ||x||^2 = n",
     .flags = RF_OPT_REQUIRED},
    ISA_ROW,
    {0},
};
static const rf_opt decode_opts_table[] = {
    {"--weights", RF_OPT_FILE, offsetof(ko_opts, weights), "W.kow", .help = "the weights", .flags = RF_OPT_REQUIRED},
    {"--received", RF_OPT_FILE, offsetof(ko_opts, received), "Y.f32",
     .help = "raw received frames x n float32 (no sigma scaling)", .flags = RF_OPT_REQUIRED},
    {"--out", RF_OPT_FILE, offsetof(ko_opts, out), "L.f32", .help = "frames x k LLRs float32 (positive = bit 0)",
     .flags = RF_OPT_REQUIRED},
    {"--hard", RF_OPT_FILE, offsetof(ko_opts, hard), "H.u8", .help = "also the hard bits (1 iff LLR < 0)"},
    ISA_ROW,
    {0},
};

static const rf_command ko_init_cmd = {
    .name = "init",
    .summary = "new weights: every weight and bias ~ N(0, 0.02^2) from a Philox seed",
    .opts = init_opts_table,
    .size = sizeof(ko_opts),
    .run = ko_init,
};
static const rf_command ko_import_cmd = {
    .name = "import",
    .summary = "convert the authors' weights (ko-reference/ko_m_2, ko_polar_64_7) into .kow",
    .opts = import_opts_table,
    .size = sizeof(ko_opts),
    .run = ko_import,
};
static const rf_command ko_info_cmd = {
    .name = "info",
    .summary = "header, sizes and file hash of a .kow (and every tensor)",
    .opts = info_opts_table,
    .size = sizeof(ko_opts),
    .run = ko_info,
};
static const rf_command ko_encode_cmd = {
    .name = "encode",
    .summary = "messages -> codewords with the kernel ko_encode_f32 (ko_polar_encode_f32)",
    .opts = encode_opts_table,
    .size = sizeof(ko_opts),
    .run = ko_encode,
};
static const rf_command ko_decode_cmd = {
    .name = "decode",
    .summary = "received vectors -> LLRs (and hard bits) with ko_decode_f32 (ko_polar_decode_f32)",
    .opts = decode_opts_table,
    .size = sizeof(ko_opts),
    .run = ko_decode,
};

static const rf_command *const ko_subs[] = {&ko_init_cmd, &ko_import_cmd, &ko_info_cmd, &ko_encode_cmd,
                                            &ko_decode_cmd, NULL};

/* The bounds the about text quotes, so that it changes with them. */
_Static_assert(RF_KO_MIN_M == 3 && RF_KO_MAX_M == 10, "update the ko help");

const rf_command rf_cmd_ko = {
    .name = "ko",
    .summary = "KO codes: weights (.kow) init/import/info, encode and decode",
    .about = "KO(m,2), 3 <= m <= 10, as the authors' code computes it (ko-reference/README.md §4), and\n"
             "their KO Polar(64,7) model (architecture polar_64_7, §8: n = 64, k = 7, positions in\n"
             "canonical Arikan order); a .kow file says which it holds.\n"
             "Raw files are headerless, little-endian, row-major arrays like the reference data; outputs\n"
             "are written atomically, and a failed run leaves no output file behind.\n",
    .subs = ko_subs,
};
