/* Sizes, names and command-line validation of the gated layers (refast/gated.h; support/gated_spec.c). The kernels
 * themselves check nothing: whatever reaches them has passed rf_*_count(), and the command line
 * also rf_*_validate(). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "refast/gated.h"

/* Checked size arithmetic: each returns 0, or -1 (leaving *r unspecified) on overflow. */
static int mul(size_t a, size_t b, size_t *r)
{
    if (b != 0 && a > SIZE_MAX / b) return -1;
    *r = a * b;
    return 0;
}

static int add(size_t a, size_t b, size_t *r)
{
    if (a > SIZE_MAX - b) return -1;
    *r = a + b;
    return 0;
}

/* a * b * c */
static int mul3(size_t a, size_t b, size_t c, size_t *r)
{
    size_t ab;
    return mul(a, b, &ab) || mul(ab, c, r) ? -1 : 0;
}

/* Every count must also be addressable in bytes. */
static int bytes_ok(const size_t *n, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (n[i] > SIZE_MAX / sizeof(float)) return -1;
    return 0;
}

int rf_moe2_count(const rf_moe2_spec *s, rf_moe2_counts *c)
{
    rf_moe2_counts r;
    if (mul3(3, s->m, s->d, &r.w) || mul(s->B, s->d, &r.x) || mul(s->B, s->m, &r.y)) return -1;
    const size_t all[] = {r.w, r.x, r.y};
    if (bytes_ok(all, 3)) return -1;
    *c = r;
    return 0;
}

int rf_gru_count(const rf_gru_spec *s, rf_gru_counts *c)
{
    const size_t T = s->T, B = s->B, I = s->In, H = s->H;
    rf_gru_counts r;
    size_t ih, hh, g, tbh, proj, scratch, rep, i_plus_h;
    /* w = 3HI + 3HH + 4H */
    if (mul3(3, H, I, &ih) || mul3(3, H, H, &hh) || mul(4, H, &g) || add(ih, hh, &r.w) ||
        add(r.w, g, &r.w))
        return -1;
    if (mul3(T, B, I, &r.x) || mul(B, H, &r.h0) || mul3(T, B, H, &tbh)) return -1;
    r.out = s->output == RF_GRU_OUT_LAST ? r.h0 : tbh;
    /* work = 3TBH + 6BH + 3 Hp (I + H) + 64, Hp = H rounded up to RF_GRU_PANEL */
    size_t hp;
    if (add(H, RF_GRU_PANEL - 1, &hp)) return -1;
    hp -= hp % RF_GRU_PANEL;
    if (mul(3, tbh, &proj) || mul(6, r.h0, &scratch) || add(I, H, &i_plus_h) ||
        mul3(3, hp, i_plus_h, &rep) || add(proj, scratch, &r.work) || add(r.work, rep, &r.work) ||
        add(r.work, 64, &r.work))
        return -1;
    const size_t all[] = {r.w, r.x, r.h0, r.out, r.work};
    if (bytes_ok(all, 5)) return -1;
    *c = r;
    return 0;
}

/* ---- names ----------------------------------------------------------------------------------- */

static const char *const gate_names[RF_GATE_COUNT] = {"sigmoid", "binary"};
static const char *const g_names[RF_GATED_G_COUNT] = {"tanh", "linear", "relu", "sigmoid"};
static const char *const variant_names[RF_GRU_VARIANT_COUNT] = {"cho", "lbr"};
static const char *const output_names[RF_GRU_OUTPUT_COUNT] = {"all", "last"};

static const char *name_of(const char *const *names, int count, int v)
{
    return v >= 0 && v < count ? names[v] : NULL;
}

static int parse_name(const char *const *names, int count, const char *s, int *v)
{
    for (int i = 0; s && i < count; i++)
        if (strcmp(s, names[i]) == 0) {
            *v = i;
            return 0;
        }
    return -1;
}

const char *rf_gated_gate_name(rf_gated_gate v)
{
    return name_of(gate_names, RF_GATE_COUNT, (int)v);
}
const char *rf_gated_g_name(rf_gated_g v)
{
    return name_of(g_names, RF_GATED_G_COUNT, (int)v);
}
const char *rf_gru_variant_name(rf_gru_variant v)
{
    return name_of(variant_names, RF_GRU_VARIANT_COUNT, (int)v);
}
const char *rf_gru_output_name(rf_gru_output v)
{
    return name_of(output_names, RF_GRU_OUTPUT_COUNT, (int)v);
}

int rf_gated_gate_parse(const char *s, rf_gated_gate *v)
{
    int i;
    if (parse_name(gate_names, RF_GATE_COUNT, s, &i)) return -1;
    *v = (rf_gated_gate)i;
    return 0;
}

int rf_gated_g_parse(const char *s, rf_gated_g *v)
{
    int i;
    if (parse_name(g_names, RF_GATED_G_COUNT, s, &i)) return -1;
    *v = (rf_gated_g)i;
    return 0;
}

int rf_gru_variant_parse(const char *s, rf_gru_variant *v)
{
    int i;
    if (parse_name(variant_names, RF_GRU_VARIANT_COUNT, s, &i)) return -1;
    *v = (rf_gru_variant)i;
    return 0;
}

int rf_gru_output_parse(const char *s, rf_gru_output *v)
{
    int i;
    if (parse_name(output_names, RF_GRU_OUTPUT_COUNT, s, &i)) return -1;
    *v = (rf_gru_output)i;
    return 0;
}

/* ---- validation ------------------------------------------------------------------------------ */

static int fail(char *err, size_t errlen, const char *what)
{
    if (errlen) snprintf(err, errlen, "%s", what);
    return -1;
}

static int check_enum(const char *what, int v, int count, char *err, size_t errlen)
{
    if (v >= 0 && v < count) return 0;
    if (errlen) snprintf(err, errlen, "%s: unknown value %d", what, v);
    return -1;
}

static int check_size(const char *what, size_t v, char *err, size_t errlen)
{
    if (v >= 1) return 0;
    if (errlen) snprintf(err, errlen, "%s must be at least 1 (got 0)", what);
    return -1;
}

/* A block of a packed weights array: name, rows x cols (cols 0 for a vector). */
typedef struct wblock {
    const char *name;
    size_t rows, cols;
} wblock;

/* First non-finite weight of the blocks laid out back to back, named as "W_r[3][17] is NaN". */
static int check_weights(const wblock *blk, size_t nblk, const float *w, char *err, size_t errlen)
{
    size_t k = 0;
    for (size_t b = 0; b < nblk; b++) {
        const size_t n = blk[b].cols ? blk[b].rows * blk[b].cols : blk[b].rows;
        for (size_t e = 0; e < n; e++, k++) {
            if (isfinite(w[k])) continue;
            const char *what = isnan(w[k]) ? "NaN" : w[k] > 0 ? "+inf" : "-inf";
            if (!errlen) return -1;
            if (blk[b].cols)
                snprintf(err, errlen, "weight %s[%zu][%zu] is %s", blk[b].name, e / blk[b].cols,
                         e % blk[b].cols, what);
            else snprintf(err, errlen, "weight %s[%zu] is %s", blk[b].name, e, what);
            return -1;
        }
    }
    return 0;
}

int rf_moe2_validate(const rf_moe2_spec *s, const float *w, char *err, size_t errlen)
{
    rf_moe2_counts c;
    if (check_enum("gate", (int)s->gate, RF_GATE_COUNT, err, errlen) ||
        check_enum("g", (int)s->g, RF_GATED_G_COUNT, err, errlen) ||
        check_size("B", s->B, err, errlen) || check_size("d", s->d, err, errlen) ||
        check_size("m", s->m, err, errlen))
        return -1;
    if (rf_moe2_count(s, &c)) return fail(err, errlen, "sizes B x d x m overflow the buffer sizes");
    const wblock blk[] = {{"A1", s->m, s->d}, {"A2", s->m, s->d}, {"W", s->m, s->d}};
    return w ? check_weights(blk, 3, w, err, errlen) : 0;
}

int rf_gru_validate(const rf_gru_spec *s, const float *w, char *err, size_t errlen)
{
    rf_gru_counts c;
    if (check_enum("variant", (int)s->variant, RF_GRU_VARIANT_COUNT, err, errlen) ||
        check_enum("gate", (int)s->gate, RF_GATE_COUNT, err, errlen) ||
        check_enum("g", (int)s->g, RF_GATED_G_COUNT, err, errlen) ||
        check_enum("output", (int)s->output, RF_GRU_OUTPUT_COUNT, err, errlen) ||
        check_size("T", s->T, err, errlen) || check_size("B", s->B, err, errlen) ||
        check_size("I", s->In, err, errlen) || check_size("H", s->H, err, errlen))
        return -1;
    if (rf_gru_count(s, &c)) return fail(err, errlen, "sizes T, B, I, H overflow the buffer sizes");
    const size_t I = s->In, H = s->H;
    const wblock blk[] = {{"U_z", H, I}, {"U_r", H, I}, {"U_h", H, I}, {"W_z", H, H},
                          {"W_r", H, H}, {"W_h", H, H}, {"b_z", H, 0}, {"b_r", H, 0},
                          {"b_h", H, 0}, {"b_hr", H, 0}};
    return w ? check_weights(blk, 10, w, err, errlen) : 0;
}
