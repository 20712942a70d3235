/* refast ko: KO(m,2) weights (.kow) and the encoder / decoder on raw files
 * (SPEC §5.1 "KO codes", ko-reference/README.md §4; formats in refast/ko.h).
 *
 *   refast ko init --code ko:M:2 [--tiny] --seed S --out FILE.kow   all weights ~ N(0, 0.02^2)
 *   refast ko import DIR --out FILE.kow        DIR = ko-reference/ko_m_2 (weights.json + .f32)
 *   refast ko info FILE.kow [--tensors]        header, sizes, file hash (and every tensor)
 *   refast ko encode --weights W --messages M.u8 --out X.f32 [--isa L]
 *   refast ko decode --weights W --received Y.f32 --out L.f32 [--hard H.u8] [--isa L]
 * encode/decode run the kernels ko_encode_f32 / ko_decode_f32 at the current level (--isa, else
 * REFAST_ISA, else the best this CPU has).
 *
 * Raw files are headerless little-endian row-major arrays like the reference data: M.u8 frames x k
 * bytes 0/1, X.f32 / Y.f32 frames x 2^m float32, L.f32 frames x k float32 (positive = bit 0),
 * H.u8 frames x k bytes (1 iff L < 0). Every bad input exits 2 with one line; outputs are written
 * to a temporary name and renamed, and a failed run leaves no output file behind.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "refast/ko.h"
#include "rfg.h"
#include "ko/kow.h"

#define KO_MAX_INPUT ((size_t)1 << 30)

static void ko_help(void)
{
    printf("usage: refast ko init --code ko:M:2 [--tiny] --seed S --out FILE.kow\n"
           "       refast ko import DIR --out FILE.kow\n"
           "       refast ko info FILE.kow [--tensors]\n"
           "       refast ko encode --weights W.kow --messages M.u8 --out X.f32 [--isa L]\n"
           "       refast ko decode --weights W.kow --received Y.f32 --out L.f32 [--hard H.u8] [--isa L]\n"
           "KO(m,2), %u <= m <= %u, as the authors' code computes it (ko-reference/README.md §4).\n"
           "init: every weight and bias ~ N(0, 0.02^2) from Philox seed S (--tiny: TinyKO, hidden 4).\n"
           "import: converts ko-reference/ko_m_2 (weights.json + weights.f32) into .kow.\n"
           "encode: messages frames x k bytes 0/1 (canonical order) -> codewords frames x 2^m float32,\n"
           "||x||^2 = 2^m. decode: raw received frames x 2^m float32 (no sigma scaling) -> frames x k\n"
           "LLRs float32 (positive = bit 0) and optionally hard bits (1 iff LLR < 0).\n"
           "Raw files: headerless, little-endian, row-major. encode/decode run at --isa (default:\n"
           "REFAST_ISA, else the best level of this CPU).\n",
           RF_KO_MIN_M, RF_KO_MAX_M);
}

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

static bool load_weights(const char *path, rf_ko_model *mdl)
{
    char err[512];
    if (!path) {
        rf_usage_error("ko: --weights FILE.kow is required");
        return false;
    }
    if (!rf_ko_model_load(mdl, path, err, sizeof err)) {
        rf_usage_error("ko: %s", err);
        return false;
    }
    return true;
}

static int ko_init(int argc, char **argv)
{
    const char *code = NULL, *seed_s = NULL, *out = NULL;
    bool tiny = false;
    for (int i = 1; i < argc; i++) {
        if (rf_opt(argc, argv, &i, "--code", &code) || rf_opt(argc, argv, &i, "--seed", &seed_s) ||
            rf_opt(argc, argv, &i, "--out", &out))
            continue;
        if (!strcmp(argv[i], "--tiny")) tiny = true;
        else return rf_usage_error("ko init: unknown argument '%s'", argv[i]);
    }
    if (!code || !seed_s || !out) return rf_usage_error("ko init: --code ko:M:2, --seed S and --out FILE are required");
    unsigned m = 0, r = 0;
    char tail;
    if (sscanf(code, "ko:%u:%u%c", &m, &r, &tail) != 2 || r != 2 || m < RF_KO_MIN_M || m > RF_KO_MAX_M)
        return rf_usage_error("ko init: --code '%s': expected ko:M:2 with %u <= M <= %u", code, RF_KO_MIN_M,
                              RF_KO_MAX_M);
    unsigned long long seed;
    if (!rf_parse_u64(seed_s, &seed)) return rf_usage_error("ko init: --seed '%s' is not an unsigned integer", seed_s);
    rf_ko_model mdl;
    char err[512];
    if (!rf_ko_model_init(&mdl, m, tiny ? RF_KO_ARCH_TINY : RF_KO_ARCH_KO, seed, err, sizeof err))
        return rf_usage_error("ko init: %s", err);
    const bool ok = rf_ko_model_save(&mdl, out, err, sizeof err);
    rf_ko_model_free(&mdl);
    if (!ok) return rf_usage_error("ko init: %s", err);
    printf("wrote %s: KO(%u,2) %s, N(0, 0.02^2) seed %llu\n", out, m, tiny ? "tiny" : "ko", seed);
    return RF_EXIT_OK;
}

static int ko_import(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (rf_opt(argc, argv, &i, "--out", &out)) continue;
        if (argv[i][0] == '-') return rf_usage_error("ko import: unknown argument '%s'", argv[i]);
        if (dir) return rf_usage_error("ko import: more than one directory ('%s')", argv[i]);
        dir = argv[i];
    }
    if (!dir || !out) return rf_usage_error("ko import: DIR and --out FILE.kow are required");
    rf_ko_model mdl;
    char err[512];
    if (!rf_ko_model_import(&mdl, dir, err, sizeof err)) return rf_usage_error("ko import: %s", err);
    const bool ok = rf_ko_model_save(&mdl, out, err, sizeof err);
    if (ok) printf("wrote %s: KO(%u,2) from %s, %zu tensors, %zu floats\n", out, mdl.m, dir, mdl.ntensors, mdl.nfloats);
    rf_ko_model_free(&mdl);
    if (!ok) return rf_usage_error("ko import: %s", err);
    return RF_EXIT_OK;
}

static int ko_info(int argc, char **argv)
{
    const char *path = NULL;
    bool tensors = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tensors")) tensors = true;
        else if (argv[i][0] == '-') return rf_usage_error("ko info: unknown argument '%s'", argv[i]);
        else if (path) return rf_usage_error("ko info: more than one file ('%s')", argv[i]);
        else path = argv[i];
    }
    if (!path) return rf_usage_error("ko info: FILE.kow is required");
    rf_ko_model mdl;
    if (!load_weights(path, &mdl)) return RF_EXIT_USAGE;
    uint64_t hi = 0, lo = 0;
    rf_ko_model_hash(&mdl, &hi, &lo);
    printf("file: %s\ncode: KO(%u,2)  n = %zu  k = %zu\narchitecture: %s (hidden %u, %u hidden layers)\n"
           "normalisation: x = c sqrt(n) / max(||c||, 1e-12)\ntensors: %zu  floats: %zu\nxxh3-128: %016llx%016llx\n",
           path, mdl.m, (size_t)1 << mdl.m, rf_ko_k(mdl.m), rf_ko_arch_name(mdl.arch), mdl.hidden,
           mdl.hidden_layers, mdl.ntensors, mdl.nfloats, (unsigned long long)hi, (unsigned long long)lo);
    if (tensors)
        for (size_t t = 0; t < mdl.ntensors; t++) {
            const rf_ko_tensor *x = &mdl.tensors[t];
            double ss = 0;
            for (size_t i = 0; i < x->count; i++) ss += (double)x->data[i] * x->data[i];
            printf("  %-22s node (%u,%u) %-7s layer %u %s shape %u%s%.0u  rms %.6g\n", x->name, x->node_m,
                   x->node_r, rf_ko_role_name(x->role), x->layer, x->param ? "bias  " : "weight",
                   x->shape[0], x->ndim == 2 ? "x" : "", x->ndim == 2 ? x->shape[1] : 0u,
                   sqrt(ss / (double)x->count));
        }
    rf_ko_model_free(&mdl);
    return RF_EXIT_OK;
}

/* --isa: the level of the dispatching kernels (a level this CPU lacks is an error). */
static bool set_level(const char *cmd, const char *isa)
{
    if (!isa) return true;
    rf_isa level;
    char err[256];
    if (!rf_isa_request(isa, &level, err, sizeof err)) {
        rf_usage_error("%s: %s", cmd, err);
        return false;
    }
    rf_isa_set(level);
    return true;
}

static int ko_encode(int argc, char **argv)
{
    const char *wpath = NULL, *mpath = NULL, *out = NULL, *isa = NULL;
    for (int i = 1; i < argc; i++) {
        if (rf_opt(argc, argv, &i, "--weights", &wpath) || rf_opt(argc, argv, &i, "--messages", &mpath) ||
            rf_opt(argc, argv, &i, "--out", &out) || rf_opt(argc, argv, &i, "--isa", &isa))
            continue;
        return rf_usage_error("ko encode: unknown argument '%s'", argv[i]);
    }
    if (!mpath || !out) return rf_usage_error("ko encode: --weights, --messages and --out are required");
    if (!set_level("ko encode", isa)) return RF_EXIT_USAGE;
    rf_ko_model mdl;
    if (!load_weights(wpath, &mdl)) return RF_EXIT_USAGE;
    const size_t n = (size_t)1 << mdl.m, k = rf_ko_k(mdl.m);
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
    rf_ko_encode_f32(&mdl, b, frames, x);
    char err[512];
    if (!rf_write_file_atomic(out, x, frames * n * sizeof(float), err, sizeof err))
        rf_usage_error("ko encode: %s", err);
    else {
        printf("wrote %s: %zu KO(%u,2) codewords of %zu float32\n", out, frames, mdl.m, n);
        rc = RF_EXIT_OK;
    }
    free(x);
done_msg:
    free(msg);
done_model:
    rf_ko_model_free(&mdl);
    return rc;
}

static int ko_decode(int argc, char **argv)
{
    const char *wpath = NULL, *ypath = NULL, *out = NULL, *hard = NULL, *isa = NULL;
    for (int i = 1; i < argc; i++) {
        if (rf_opt(argc, argv, &i, "--weights", &wpath) || rf_opt(argc, argv, &i, "--received", &ypath) ||
            rf_opt(argc, argv, &i, "--out", &out) || rf_opt(argc, argv, &i, "--hard", &hard) ||
            rf_opt(argc, argv, &i, "--isa", &isa))
            continue;
        return rf_usage_error("ko decode: unknown argument '%s'", argv[i]);
    }
    if (!ypath || !out) return rf_usage_error("ko decode: --weights, --received and --out are required");
    if (!set_level("ko decode", isa)) return RF_EXIT_USAGE;
    if (hard && !strcmp(hard, out)) return rf_usage_error("ko decode: --out and --hard name the same file");
    rf_ko_model mdl;
    if (!load_weights(wpath, &mdl)) return RF_EXIT_USAGE;
    const size_t n = (size_t)1 << mdl.m, k = rf_ko_k(mdl.m);
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
    rf_ko_decode_f32(&mdl, y, frames, llr);
    for (size_t i = 0; i < frames * k; i++) bits[i] = llr[i] < 0.0f;
    char err[512];
    if (!rf_write_file_atomic(out, llr, frames * k * sizeof(float), err, sizeof err)) {
        rf_usage_error("ko decode: %s", err);
        goto done_out;
    }
    if (hard && !rf_write_file_atomic(hard, bits, frames * k, err, sizeof err)) {
        remove(out); /* no partial result */
        rf_usage_error("ko decode: %s", err);
        goto done_out;
    }
    printf("wrote %s%s%s: %zu KO(%u,2) frames, %zu LLRs each\n", out, hard ? " and " : "", hard ? hard : "",
           frames, mdl.m, k);
    rc = RF_EXIT_OK;
done_out:
    free(llr);
    free(bits);
done_y:
    free(yv);
done_model:
    rf_ko_model_free(&mdl);
    return rc;
}

int cmd_ko(int argc, char **argv)
{
    if (argc < 2) return rf_usage_error("ko: a subcommand is required (init, import, info, encode, decode; see --help)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) return ko_help(), RF_EXIT_OK;
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return ko_help(), RF_EXIT_OK;
    if (!strcmp(argv[1], "init")) return ko_init(argc - 1, argv + 1);
    if (!strcmp(argv[1], "import")) return ko_import(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return ko_info(argc - 1, argv + 1);
    if (!strcmp(argv[1], "encode")) return ko_encode(argc - 1, argv + 1);
    if (!strcmp(argv[1], "decode")) return ko_decode(argc - 1, argv + 1);
    return rf_usage_error("ko: unknown subcommand '%s' (init, import, info, encode, decode)", argv[1]);
}
