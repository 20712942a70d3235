/* `refast sim` with KO codes (SPEC §5.1 "KO codes", "Metrics and simulation"; harness/apps/sim.h):
 *  - SNR conventions: our Es/N0 gives BER.md's sigma column to 1e-12, Eb/N0 = Es/N0 + 10 log10(n/k)
 *    and the training SNR = Es/N0 + 10 log10 2;
 *  - the real-symbol channel sees the noise, fading and bursts of the LLR channels: with BPSK
 *    input, (2 / sigma^2) times its output is the LLR of awgn / rayleigh / bursty_llr_f32, frame by
 *    frame, at every level;
 *  - KO codewords have ||x||^2 = n (unit symbol energy, so the conventions keep their meaning);
 *  - the CLI with `refast ko init` weights: counts add up (bits = k frames, leaf counts sum to the
 *    block errors, leaves in KO decoding order with the canonical bit ranges, a frame-level BER
 *    interval that holds the BER), the target stops the run exactly, threads do not change the
 *    counts, every channel runs;
 *  - external truth (when ../shared/ko-reference exists): the imported authors' KO(8,2) at
 *    Es/N0 = -5 dB over 20000 frames agrees with BER.md (1.4381e-3 BER, 6.7e-3 BLER over 100000
 *    frames) at the 99.9% level, and beats RM(8,2) dumer on the same frames;
 *  - bad input: missing / corrupt weights, a decoder that does not fit -> exit 2, one line.
 *
 * The agreement test compares two independent estimates (ours over N frames, BER.md's over
 * N_ref = 100000): for the BLER, frames are Bernoulli trials, so a two-proportion z test with the
 * pooled rate; for the BER, the bits of a frame are correlated (errors come in bursts inside a
 * wrong frame), so the variance is the frame-level one: BER = mean(e_f) / k with e_f the frame's
 * bit error count, Var = s_e^2 / (N k^2), s_e^2 the sample variance of e_f from our run (the sim's
 * bit_errors_sq) and, for BER.md's run, s_e^2 rescaled to its mean (the shape of e_f given an
 * error does not change with the sample: Var ~ s_e^2 * p_ref / p). |difference| <= 3.2905 sd
 * (two-sided 99.9%). Our 99.9% Wilson BLER interval and the BER interval are printed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "refast/channel.h"
#include "refast/ko.h"
#include "refast/rng.h"
#include "sim.h"
#include "testlib.h"
#include "ko/kow.h"
#include "codes/snr.h"

#define REF_DIR "../shared/ko-reference"
#define Z999 3.2905267314918945 /* two-sided 99.9% */

static char tmp[256];
static char out[1 << 16], err[4096];

static bool one_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl && nl[1] == '\0' && nl > s;
}

static void path_in_tmp(char *p, size_t len, const char *name)
{
    snprintf(p, len, "%s/%s", tmp, name);
}

/* ---- conventions ------------------------------------------------------------------------------ */

static void test_conventions(void)
{
    /* BER.md: Es/N0 dB, sigma (their repr) */
    static const double table[][2] = {{-6, 1.4108635131604637},
                                      {-5, 1.2574334296829353},
                                      {-4, 1.1206887238456493},
                                      {-7, 1.5830148982673413}};
    for (size_t i = 0; i < 4; i++) {
        const double s = rf_sigma_from_esn0(table[i][0]);
        CHECKF(fabs(s - table[i][1]) <= 1e-12 * table[i][1], "Es/N0 %g: sigma %.17g, BER.md %.17g", table[i][0], s,
               table[i][1]);
        const double rate = 37.0 / 256.0;
        CHECKF(fabs(rf_ebn0_from_sigma(s, rate) - (table[i][0] + 10 * log10(256.0 / 37.0))) < 1e-9, "Eb/N0 at %g",
               table[i][0]);
        CHECKF(fabs(rf_ebn0_from_sigma(s, rate) - table[i][0] - 8.4004) < 5e-5, "Eb/N0 - Es/N0 = 8.4004 at %g",
               table[i][0]);
        CHECKF(fabs(rf_snr_from_sigma(s) - table[i][0] - 3.0103) < 5e-5, "training SNR at %g", table[i][0]);
        CHECKF(fabs(rf_sigma_from_ebn0(table[i][0] + 10 * log10(256.0 / 37.0), rate) - s) < 1e-12 * s,
               "Eb/N0 round trip at %g", table[i][0]);
    }
}

/* ---- the real-symbol channel against the LLR channels ----------------------------------------- */

static void test_real_channel(void)
{
    enum { N = 300, F = 5 }; /* N not a multiple of the kernels' chunks */
    uint8_t bits[F * N];
    float x[F * N], y[F * N], llr[F * N], scratch[3 * N];
    uint64_t st = 77;
    for (size_t i = 0; i < F * N; i++) {
        bits[i] = (uint8_t)(rf_test_u64(&st) & 1);
        x[i] = bits[i] ? -1.0f : 1.0f;
    }
    const float sigma = 0.8f, rho = 0.1f, sigma_b = (float)(sqrt(2.0) * 0.8);
    const float gain = (float)(2.0 / ((double)sigma * sigma));
    rf_isa levels[RF_ISA_COUNT];
    const int nl = rf_test_levels(levels);
    const rf_isa saved = rf_isa_current();
    for (int l = 0; l < nl; l++) {
        rf_isa_set(levels[l]);
        for (int ch = 0; ch < 3; ch++) {
            const uint64_t first = 1000 + (uint64_t)ch, seed = 9;
            if (ch == RF_CH_AWGN) rf_awgn_llr_f32(bits, N, F, first, seed, sigma, llr);
            else if (ch == RF_CH_RAYLEIGH) rf_rayleigh_llr_f32(bits, N, F, first, seed, sigma, llr);
            else rf_bursty_llr_f32(bits, N, F, first, seed, sigma, rho, sigma_b, llr);
            rf_sim_real_channel((rf_channel_kind)ch, x, N, F, first, seed, sigma, rho, sigma_b, scratch, y);
            double worst = 0;
            size_t nbad = 0;
            for (size_t i = 0; i < F * N; i++) {
                const double r = fabs((double)y[i] * gain - llr[i]) / (1 + fabs((double)llr[i]));
                nbad += !(r <= 1e-5); /* NaN counts */
                if (r > worst) worst = r;
            }
            CHECKF(nbad == 0, "level %s channel %d: real channel differs from the LLR channel by up to %g (relative), "
                   "%zu symbols", rf_isa_name(levels[l]), ch, worst, nbad);
            /* in place gives the same */
            float z[F * N];
            memcpy(z, x, sizeof z);
            rf_sim_real_channel((rf_channel_kind)ch, z, N, F, first, seed, sigma, rho, sigma_b, scratch, z);
            CHECKF(!memcmp(z, y, sizeof z), "level %s channel %d: in place differs", rf_isa_name(levels[l]), ch);
        }
    }
    rf_isa_set(saved);
}

/* ---- helpers for CLI runs ------------------------------------------------------------------- */

typedef struct point {
    double sigma, frames, bits, bit_errors, bit_errors_sq, block_errors, ber, bler, fr_lo, fr_hi;
    double leaf_sum;
    size_t nleaves;
    unsigned leaf_m[16], leaf_r[16];
    double leaf_lo[16], leaf_count[16];
} point;

/* Runs `refast sim ...` (NULL-terminated extra arguments) with --json into the tmp dir; returns the
 * exit code and fills p from the first point. */
static int sim_json(point *p, const char *code, const char *decoder, const char *esn0, const char *frames,
                    const char *target, const char *channel, const char *threads)
{
    char json[512], range[64];
    path_in_tmp(json, sizeof json, "sim.json");
    unlink(json);
    snprintf(range, sizeof range, "%s:%s:1", esn0, esn0); /* one point */
    const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "sim", "--code", code, "--decoder", decoder, "--esn0",
                               range, "--max-frames", frames, "--target-errors", target, "--channel", channel,
                               "--threads", threads, "--seed", "3", "--json", json, (char *)NULL);
    memset(p, 0, sizeof *p);
    if (rc != 0) {
        fprintf(stderr, "sim %s %s: exit %d: %s", code, decoder, rc, err);
        return rc;
    }
    char jerr[256];
    rf_json *doc = rf_json_parse_file(json, jerr, sizeof jerr);
    CHECKF(doc != NULL, "%s", jerr);
    if (!doc) return -1;
    const rf_json *pts = rf_json_get(doc, "points");
    CHECK(pts && pts->type == RF_JSON_ARRAY && pts->count == 1);
    if (pts && pts->count >= 1) {
        const rf_json *q = &pts->items[0];
        rf_json_get_number(q, "sigma", &p->sigma);
        rf_json_get_number(q, "frames", &p->frames);
        rf_json_get_number(q, "bits", &p->bits);
        rf_json_get_number(q, "bit_errors", &p->bit_errors);
        rf_json_get_number(q, "bit_errors_sq", &p->bit_errors_sq);
        rf_json_get_number(q, "block_errors", &p->block_errors);
        rf_json_get_number(q, "ber", &p->ber);
        rf_json_get_number(q, "bler", &p->bler);
        const rf_json *ci = rf_json_get(q, "ber_ci95_frames");
        if (ci && ci->type == RF_JSON_ARRAY && ci->count == 2) {
            p->fr_lo = ci->items[0].number;
            p->fr_hi = ci->items[1].number;
        }
        const rf_json *lv = rf_json_get(q, "leaves");
        for (size_t i = 0; lv && lv->type == RF_JSON_ARRAY && i < lv->count && i < 16; i++) {
            double v = 0, m = 0, r = 0;
            rf_json_get_number(&lv->items[i], "block_errors", &v);
            rf_json_get_number(&lv->items[i], "m", &m);
            rf_json_get_number(&lv->items[i], "r", &r);
            rf_json_get_number(&lv->items[i], "first_bit", &p->leaf_lo[i]);
            rf_json_get_number(&lv->items[i], "bits", &p->leaf_count[i]);
            p->leaf_m[i] = (unsigned)m;
            p->leaf_r[i] = (unsigned)r;
            p->leaf_sum += v;
            p->nleaves++;
        }
    }
    rf_json_free(doc);
    return 0;
}

/* The KO leaves: RM(i-1,1) of node (i,2) for i = m..3 holding bits [k(i-1,2), k(i,2)), then RM(2,2). */
static bool ko_leaves_ok(const point *p, unsigned m)
{
    if (p->nleaves != m - 1) return false;
    for (unsigned i = m, l = 0; i >= 3; i--, l++)
        if (p->leaf_m[l] != i - 1 || p->leaf_r[l] != 1 || p->leaf_lo[l] != (double)rf_ko_k(i - 1) ||
            p->leaf_count[l] != (double)(rf_ko_k(i) - rf_ko_k(i - 1)))
            return false;
    return p->leaf_m[m - 2] == 2 && p->leaf_r[m - 2] == 2 && p->leaf_lo[m - 2] == 0 && p->leaf_count[m - 2] == 4;
}

static bool counts_add_up(const point *p, size_t k)
{
    return p->bits == p->frames * (double)k && p->leaf_sum == p->block_errors && p->block_errors <= p->frames &&
           p->bit_errors >= p->block_errors && p->bit_errors <= (double)k * p->block_errors &&
           p->bit_errors_sq >= p->bit_errors && p->fr_lo <= p->ber && p->ber <= p->fr_hi;
}

/* ---- KO with `refast ko init` weights ------------------------------------------------------- */

static void test_init_weights(void)
{
    char w[512], code[600];
    path_in_tmp(w, sizeof w, "init6.kow");
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:6:2", "--seed", "11", "--out", w,
                      (char *)NULL) == 0);
    snprintf(code, sizeof code, "ko:%s", w);
    const size_t k = rf_ko_k(6);

    /* codewords have ||x||^2 = n */
    rf_ko_model mdl;
    CHECKF(rf_ko_model_load(&mdl, w, err, sizeof err), "%s", err);
    if (mdl.tensors) {
        enum { F = 64 };
        uint8_t msg[F * 22];
        float x[F * 64];
        rf_sim_messages(5, 0, F, k, msg);
        rf_ko_encode_f32(&mdl, msg, F, x);
        size_t nbad = 0;
        for (size_t f = 0; f < F; f++) {
            double e = 0;
            for (size_t i = 0; i < 64; i++) e += (double)x[f * 64 + i] * x[f * 64 + i];
            nbad += !(fabs(e - 64) / 64 < 1e-5); /* NaN counts */
        }
        CHECKF(nbad == 0, "%zu of %d codewords have ||x||^2 / n - 1 >= 1e-5", nbad, (int)F);
        rf_ko_model_free(&mdl);
    }

    point a, b, c;
    CHECK(sim_json(&a, code, "ko", "-1", "3000", "1000000", "awgn", "1") == 0);
    CHECKF(a.frames == 3000 && a.block_errors > 20 && counts_add_up(&a, k) && ko_leaves_ok(&a, 6),
           "init awgn: frames %g blk %g leaves %g (%zu)", a.frames, a.block_errors, a.leaf_sum, a.nleaves);
    CHECK(strstr(out, "first wrong leaf") && strstr(out, "(5,1)") && strstr(out, "(2,2)"));
    CHECK(sim_json(&b, code, "ko", "-1", "3000", "1000000", "awgn", "2") == 0);
    CHECK(b.bit_errors == a.bit_errors && b.block_errors == a.block_errors && b.leaf_sum == a.leaf_sum);
    /* the target stops the run at the exact frame */
    CHECK(sim_json(&c, code, "ko", "-1", "3000", "7", "awgn", "2") == 0);
    CHECKF(c.block_errors == 7 && c.frames < 3000 && counts_add_up(&c, k), "target: %g errors in %g frames",
           c.block_errors, c.frames);
    /* with near-zero weights KO(6,2) is nearly RM(6,2) in BPSK with a soft Dumer decoder: the error
     * rates of the two on the same frames are of the same order */
    point r;
    CHECK(sim_json(&r, "rm:6:2", "dumer", "-1", "3000", "1000000", "awgn", "2") == 0);
    CHECKF(a.bler > 0.5 * r.bler && a.bler < 2 * r.bler, "init KO BLER %g vs RM dumer %g", a.bler, r.bler);
    for (int ch = 1; ch < 3; ch++) {
        point q;
        const char *name = ch == 1 ? "rayleigh" : "bursty";
        CHECK(sim_json(&q, code, "ko", "1", "1000", "1000000", name, "2") == 0);
        CHECKF(q.frames == 1000 && q.block_errors > 0 && counts_add_up(&q, k), "%s", name);
        CHECK(strstr(out, ch == 1 ? "a y (matched filter)" : "raw y"));
    }
}

/* ---- the authors' KO(8,2) against BER.md ----------------------------------------------------- */

static void test_reference(void)
{
    char w[512], code[600];
    path_in_tmp(w, sizeof w, "ko82.kow");
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "import", REF_DIR "/ko_8_2", "--out", w, (char *)NULL) ==
          0);
    snprintf(code, sizeof code, "ko:%s", w);
    point ko, rm;
    CHECK(sim_json(&ko, code, "ko", "-5", "20000", "100000000", "awgn", "2") == 0);
    CHECK(sim_json(&rm, "rm:8:2", "dumer", "-5", "20000", "100000000", "awgn", "2") == 0);
    CHECK(fabs(ko.sigma - 1.2574334296829353) < 1e-12);
    CHECK(ko.frames == 20000 && counts_add_up(&ko, 37) && ko_leaves_ok(&ko, 8));
    const double k = 37, n1 = ko.frames, n2 = 100000;
    /* BLER: two-proportion z test */
    const double p1 = ko.bler, p2 = 670.0 / n2, pool = (ko.block_errors + 670) / (n1 + n2);
    const double z_bler = (p1 - p2) / sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2));
    /* BER: frame-level variances */
    const double mean_e = ko.bit_errors / n1;
    const double var_e = (ko.bit_errors_sq - n1 * mean_e * mean_e) / (n1 - 1);
    const double ber_ref = 5321.0 / (k * n2);
    const double var_ref = var_e * (ber_ref / fmax(ko.ber, 1e-300));
    const double sd = sqrt(var_e / n1 + var_ref / n2) / k;
    const double z_ber = (ko.ber - ber_ref) / sd;
    double wlo, whi;
    {
        /* 99.9% Wilson interval of our BLER, for the record */
        const double z = Z999, z2 = z * z, p = p1;
        const double den = 1 + z2 / n1, cen = (p + z2 / (2 * n1)) / den;
        const double half = z / den * sqrt(p * (1 - p) / n1 + z2 / (4 * n1 * n1));
        wlo = cen - half;
        whi = cen + half;
    }
    printf("test_sim_ko: KO(8,2) Es/N0 -5 dB, %g frames: BER %.4e (BER.md 1.4381e-3, 99.9%% range +- %.2e, z %.2f), "
           "BLER %.4e [99.9%% Wilson %.3e, %.3e] (BER.md 6.70e-3, z %.2f); RM(8,2) dumer BER %.4e BLER %.4e\n",
           n1, ko.ber, Z999 * sd, z_ber, p1, wlo, whi, z_bler, rm.ber, rm.bler);
    CHECKF(fabs(z_ber) <= Z999, "KO(8,2) BER %.4e vs BER.md 1.4381e-3: z = %.2f", ko.ber, z_ber);
    CHECKF(fabs(z_bler) <= Z999, "KO(8,2) BLER %.4e vs BER.md 6.7e-3: z = %.2f", p1, z_bler);
    CHECKF(ko.ber < rm.ber && ko.bler < rm.bler, "KO BER %.4e BLER %.4e not below RM dumer %.4e %.4e", ko.ber, p1,
           rm.ber, rm.bler);
    unlink(w);
}

/* ---- code distances / info ----------------------------------------------------------------- */

typedef struct dists {
    double pairs, width, nbins;
    bool all;
    double total[3], min[3], mean[3];
    double *counts[3];
} dists;

static int distances_json(dists *d, const char *code, const char *pairs)
{
    char json[512];
    path_in_tmp(json, sizeof json, "dist.json");
    unlink(json);
    memset(d, 0, sizeof *d);
    const int rc = rf_test_cli(out, sizeof out, err, sizeof err, "code", "distances", code, "--pairs", pairs, "--json",
                               json, (char *)NULL);
    if (rc != 0) return rc;
    char jerr[256];
    rf_json *doc = rf_json_parse_file(json, jerr, sizeof jerr);
    CHECKF(doc != NULL, "%s", jerr);
    if (!doc) return -1;
    rf_json_get_number(doc, "pairs", &d->pairs);
    const rf_json *all = rf_json_get(doc, "all_pairs");
    d->all = all && all->type == RF_JSON_BOOL && all->boolean;
    const rf_json *bins = rf_json_get(doc, "bins");
    rf_json_get_number(bins, "width", &d->width);
    rf_json_get_number(bins, "count", &d->nbins);
    const rf_json *cb = rf_json_get(doc, "codebooks");
    static const char *const names[3] = {"ko", "rm_bpsk", "gaussian"};
    for (size_t i = 0; cb && cb->type == RF_JSON_ARRAY && i < 3 && i < cb->count; i++) {
        const rf_json *c = &cb->items[i];
        const char *name = rf_json_get_string(c, "name");
        CHECK(name && !strcmp(name, names[i]));
        rf_json_get_number(c, "min", &d->min[i]);
        rf_json_get_number(c, "mean", &d->mean[i]);
        const rf_json *cnt = rf_json_get(c, "counts");
        if (!cnt || cnt->type != RF_JSON_ARRAY || cnt->count != (size_t)d->nbins) continue;
        d->counts[i] = calloc(cnt->count, sizeof(double));
        for (size_t b = 0; d->counts[i] && b < cnt->count; b++) {
            d->counts[i][b] = cnt->items[b].number;
            d->total[i] += cnt->items[b].number;
        }
    }
    rf_json_free(doc);
    unlink(json);
    return 0;
}

static void dists_free(dists *d)
{
    for (int i = 0; i < 3; i++) free(d->counts[i]);
}

static void test_distances(void)
{
    /* all-zero weights: the KO encoder is the BPSK RM(m,2) encoder (refast/ko.h), so its histogram
     * must be RM's bin for bin, over all pairs (m = 4, k = 11) and over the sampled pairs (m = 6, the
     * same message pairs for both); the Gaussian codebook is a different code with the same mean
     * distance to first order, about sqrt(2n) */
    for (unsigned m = 4; m <= 6; m += 2) {
        rf_ko_model z;
        char w[512], code[600], e2[256];
        snprintf(w, sizeof w, "%s/zero%u.kow", tmp, m);
        CHECKF(rf_ko_model_alloc(&z, m, RF_KO_ARCH_TINY, e2, sizeof e2) && rf_ko_model_save(&z, w, e2, sizeof e2), "%s",
               e2);
        rf_ko_model_free(&z);
        snprintf(code, sizeof code, "ko:%s", w);
        dists d;
        CHECK(distances_json(&d, code, "3000") == 0);
        const double n = (double)(1u << m), k = (double)rf_ko_k(m);
        const double want = m == 4 ? ldexp(1, (int)k - 1) * (ldexp(1, (int)k) - 1) : 3000;
        CHECKF(d.all == (m == 4) && d.pairs == want && d.nbins == 128 && fabs(d.width - 2 * sqrt(n) / 128) < 1e-12,
               "m %u: pairs %g (want %g), bins %g", m, d.pairs, want, d.nbins);
        bool same = d.counts[0] && d.counts[1] && d.counts[2];
        for (size_t b = 0; same && b < (size_t)d.nbins; b++) same = d.counts[0][b] == d.counts[1][b];
        CHECKF(same, "m %u: zero-weight KO histogram differs from BPSK RM(%u,2)", m, m);
        for (int i = 0; i < 3; i++) CHECKF(d.total[i] == want, "m %u codebook %d: %g pairs", m, i, d.total[i]);
        CHECKF(fabs(d.min[1] - 2 * sqrt(n / 4)) < 1e-5 && fabs(d.min[0] - d.min[1]) < 1e-5, "m %u: min %g %g", m,
               d.min[0], d.min[1]);
        CHECKF(d.min[2] > 0 && fabs(d.mean[2] - sqrt(2 * n)) < 0.05 * sqrt(2 * n), "m %u: Gaussian mean %g", m,
               d.mean[2]);
        dists_free(&d);
        CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "code", "info", code, "--pairs", "500", (char *)NULL) == 0 &&
              strstr(out, "minimum Euclidean distance"));
        unlink(w);
    }
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "code", "distances", "ko:/nonexistent.kow", (char *)NULL) == 2 &&
          one_line(err));
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "code", "distances", "rm:4:2", "--bins", "64", (char *)NULL) == 2 &&
          one_line(err)); /* --bins and --seed are the KO histograms' (every code takes --json) */
}

/* ---- bad input ------------------------------------------------------------------------------ */

/* A 10-frame run with an optional extra option (opt NULL: none). */
static int sim_short(const char *code, const char *dec, const char *opt, const char *val)
{
    return rf_test_cli(out, sizeof out, err, sizeof err, "sim", "--code", code, "--decoder", dec, "--esn0", "0:0:1",
                       "--max-frames", "10", "--target-errors", "10", opt, val, (char *)NULL);
}

static void test_bad_input(void)
{
    char w[512], bad[512], code[600], badcode[600];
    path_in_tmp(w, sizeof w, "tiny4.kow");
    path_in_tmp(bad, sizeof bad, "bad.kow");
    CHECK(rf_test_cli(out, sizeof out, err, sizeof err, "ko", "init", "--code", "ko:4:2", "--tiny", "--seed", "2", "--out",
                      w, (char *)NULL) == 0);
    snprintf(code, sizeof code, "ko:%s", w);
    snprintf(badcode, sizeof badcode, "ko:%s", bad);
    /* a corrupt copy: one flipped bit in the middle */
    FILE *f = fopen(w, "rb");
    uint8_t buf[8192];
    size_t len = 0;
    if (f) {
        len = fread(buf, 1, sizeof buf, f);
        fclose(f);
    }
    CHECK(len > 100 && len < sizeof buf);
    buf[len / 2] ^= 8;
    f = fopen(bad, "wb");
    if (f) {
        fwrite(buf, 1, len, f);
        fclose(f);
    }
#define SIM(c, d) sim_short(c, d, NULL, NULL)
    CHECK(SIM(code, "ko") == 0);
    CHECK(SIM("ko:/nonexistent/w.kow", "ko") == 2 && one_line(err));
    CHECK(SIM("ko:", "ko") == 2 && one_line(err));
    CHECKF(SIM(badcode, "ko") == 2 && one_line(err) && strstr(err, "bad.kow"), "%s", err);
    /* truncated */
    f = fopen(bad, "wb");
    if (f) {
        fwrite(buf, 1, len / 3, f);
        fclose(f);
    }
    CHECK(SIM(badcode, "ko") == 2 && one_line(err));
    CHECK(SIM(code, "dumer") == 2 && one_line(err) && strstr(err, "--decoder ko"));
    CHECK(SIM(code, "sc") == 2 && one_line(err));
    CHECK(SIM(code, "map") == 2 && one_line(err));
    CHECK(SIM("rm:8:2", "ko") == 2 && one_line(err));
    CHECK(SIM("polar:64:7", "ko") == 2 && one_line(err));
    CHECK(sim_short(code, "ko", "--construction", "ga") == 2 && one_line(err));
    CHECK(sim_short(code, "ko", "--f", "minsum") == 2 && one_line(err));
#undef SIM
    unlink(w);
    unlink(bad);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "%s", rf_test_tmpdir());
    test_conventions();
    test_real_channel();
    test_bad_input();
    test_init_weights();
    test_distances();
    /* Under qemu (REFAST_TEST_EMULATED, set by tests/CMakeLists.txt in cross builds) the 40,000
     * frames of the statistical comparison take minutes of emulated NEON floating point; it is a
     * test of the simulator and the model, which the native run makes, not of the level. */
    if (getenv("REFAST_TEST_EMULATED"))
        printf("test_sim_ko: the BER.md comparison runs natively only (REFAST_TEST_EMULATED is set)\n");
    else if (rf_test_shared(REF_DIR "/ko_8_2/weights.json", "test_sim_ko: BER.md comparison"))
        test_reference();
    char p[512];
    path_in_tmp(p, sizeof p, "init6.kow");
    unlink(p);
    path_in_tmp(p, sizeof p, "sim.json");
    unlink(p);
    rmdir(tmp);
    return rf_test_summary("test_sim_ko");
}
