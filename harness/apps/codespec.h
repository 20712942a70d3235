/* Code and decoder specifications of `refast sim` and `refast code` (SPEC §5.1, §6, §8).
 *
 * A code is written `rm:M:R` (Reed–Muller RM(M,R), 0 <= R <= M <= 16), `polar:N:K` (Arikan
 * polar code of length N = 2^m, 2 <= N <= 2^16, 1 <= K <= N) or `ko:FILE` (the KO code whose
 * weights are the .kow file FILE: KO(m,2) of refast/ko.h, or the authors' KO Polar(64,7) model of
 * refast/ko_polar.h when the file's architecture is polar_64_7; parsing loads them); a decoder
 * `dumer`, `dumer0`,
 * `sc`, `scl:L` (1 <= L <= 32), `scl:L:crc=POLY[:adaptive]` (CRC-aided list decoding of
 * codes/cascl.h, polar codes only: the last w of the K information bits carry the CRC of the
 * other K - w, which are the simulated message; POLY as codes/crc.h parses it, e.g. crc24c,
 * crc32, 0x1021/16; `adaptive`: SC first, then lists 2, 4, ... up to L while the CRC fails),
 * `fscl:L[:crc=POLY[:adaptive]]` (the same with the Fast-SSC list decoder polar_fscl: SCL's
 * decisions with min-sum, so f is min-sum and --f exact is refused), `map`,
 * `softmap` or `ko`. Which decoder applies to which code:
 *   rm:M:R    dumer, dumer0 (Dumer's recursive decoder, refast/decoders.h); map, softmap (only for
 *             R = 1, M >= 1: rm1_map / rm1_softmap_maxlog of refast/softmap.h, hard decisions
 *             [L < 0] of the C.6 LLRs); sc, scl:L through the polar machinery with the `rm` frozen
 *             set (the same code with its coordinates reversed, SPEC §5.1; the channel is
 *             memoryless, so BER and BLER are those of RM(M,R); the message bits are then the
 *             polar information bits).
 *   polar:N:K sc, scl:L, with the frozen set from --construction (ga, bhattacharyya, rm: the K
 *             must equal some k(m, r); file:F) at --design-sigma S or `adaptive` (the design point
 *             is each simulated point's sigma).
 *   ko:FILE   ko only (the KO decoder of the same weights, rf_ko_decode_f32 or
 *             rf_ko_polar_decode_f32), and ko applies to nothing else.
 * Parsing and validation give one-line errors naming the argument.
 */
#ifndef REFAST_CODESPEC_H
#define REFAST_CODESPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codes/crc.h"

typedef enum rf_code_kind { RF_CODE_RM = 0, RF_CODE_POLAR, RF_CODE_KO } rf_code_kind;

struct rf_ko_model;
struct rf_ko_polar_model;

typedef struct rf_codespec {
    rf_code_kind kind;
    unsigned m, r; /* rm: M and R; polar: m = log2 N (r unused); ko: m and r = 2 of the weights
                      (Polar(64,7) KO: m = 6, r = 0, unused) */
    size_t n, k;
    char text[48];           /* normalised: "rm:8:2", "polar:64:7"; ko: "ko:8:2" or "ko:polar_64_7" (the
                                file is `path`) */
    const char *path;        /* ko: the weights file (points into the parsed string) */
    struct rf_ko_model *ko;  /* ko: the loaded KO(m,2) weights (owned; rf_codespec_free), or NULL */
    struct rf_ko_polar_model *kop; /* ko: the loaded Polar(64,7) KO weights (owned), or NULL */
} rf_codespec;

/* On success a ko: code owns its loaded weights: release them with rf_codespec_free (a no-op for
 * rm and polar codes, and after a failed parse). */
bool rf_codespec_parse(const char *s, rf_codespec *c, char *err, size_t errlen);
void rf_codespec_free(rf_codespec *c);

typedef enum rf_dec_kind {
    RF_DEC_DUMER = 0,
    RF_DEC_DUMER0,
    RF_DEC_SC,
    RF_DEC_SCL,
    RF_DEC_MAP,
    RF_DEC_SOFTMAP,
    RF_DEC_KO,
    RF_DEC_CASCL
} rf_dec_kind;

typedef struct rf_decspec {
    rf_dec_kind kind;
    unsigned list; /* scl: L */
    rf_crc crc;    /* cascl */
    bool adaptive; /* cascl */
    bool fast_ssc; /* fscl:...: the Fast-SSC list decoder (polar_fscl), min-sum */
    char text[48];
} rf_decspec;

bool rf_decspec_parse(const char *s, rf_decspec *d, char *err, size_t errlen);
/* Whether decoder d applies to code c; if not, err says why. */
bool rf_decspec_applies(const rf_decspec *d, const rf_codespec *c, char *err, size_t errlen);

typedef enum rf_construction_kind {
    RF_CONS_GA = 0,
    RF_CONS_BHATTACHARYYA,
    RF_CONS_RM,
    RF_CONS_FILE
} rf_construction_kind;

typedef struct rf_construction {
    rf_construction_kind kind;
    const char *path;      /* file:F */
    bool adaptive;         /* design sigma = each point's sigma */
    double design_sigma;   /* when not adaptive */
    unsigned rm_r;         /* RF_CONS_RM: the r with k(m, r) = K */
    uint32_t *info;        /* RF_CONS_FILE: the K information positions read from the file */
} rf_construction;

/* Parses --construction (NULL: ga) and --design-sigma (NULL: adaptive) for code c and loads
 * file:F. For an RM code only `rm` (or nothing) is accepted. Free with rf_construction_free. */
bool rf_construction_parse(const char *cons, const char *design, const rf_codespec *c, rf_construction *out,
                           char *err, size_t errlen);
void rf_construction_free(rf_construction *k);
const char *rf_construction_name(const rf_construction *k);
/* The frozen mask (N entries) of polar code c (or of an RM code decoded by sc/scl) at the design
 * sigma (k->design_sigma, or `sigma` when adaptive). */
bool rf_construction_frozen(const rf_construction *k, const rf_codespec *c, double sigma, uint8_t *frozen,
                            char *err, size_t errlen);

/* Leaves of the Plotkin tree of RM(m,r) as Dumer's decoder visits them (seed 004 eq. 4.4): leaf
 * i is the sub-code RM(lm, lr) whose message bits are the contiguous range [lo, lo + count) of the
 * canonical message order. `variant` is RF_DUMER (RM(m,1) nodes are leaves) or RF_DUMER0 (they
 * are split down to repetition and full-rate leaves). Returns the number of leaves (at most
 * max; the count needed is returned even when larger). */
typedef struct rf_leaf {
    unsigned m, r;
    size_t lo, count;
} rf_leaf;
size_t rf_rm_leaves(unsigned m, unsigned r, int variant, rf_leaf *out, size_t max);

#endif
