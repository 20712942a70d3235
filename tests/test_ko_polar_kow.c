/* The Polar(64,7) KO model's weights in .kow files (architecture polar_64_7, lib/ko/polar_weights.h):
 *  - the authors' imported weights round-trip through a file bit for bit, and the file is the
 *    same bytes when written twice;
 *  - init is deterministic and level-independent, a view over the flat floats is the same model;
 *  - damaged files (flipped payload byte, truncation, a KO(m,2) file, a wrong tensor count) are
 *    one-line errors naming the field, and a KO(m,2) reader refuses a polar file.
 * Without ../shared/ko-reference the import half fails, unless REFAST_ALLOW_MISSING_SHARED=1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "ko/kow.h"
#include "ko/polar_weights.h"
#include "testlib.h"

#define POLAR_DIR "../shared/ko-reference/ko_polar_64_7"

static void test_round_trip(const rf_ko_polar_model *mdl, const char *dir)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/polar.kow", dir);
    CHECKF(rf_ko_polar_save(mdl, path, err, sizeof err), "save: %s", err);
    rf_ko_polar_model back;
    CHECKF(rf_ko_polar_load(&back, path, err, sizeof err), "load: %s", err);
    CHECK(back.nfloats == mdl->nfloats && memcmp(back.data, mdl->data, mdl->nfloats * sizeof(float)) == 0);
    for (unsigned b = 0; b < RF_KOP_NBLOCKS; b++)
        CHECK(back.blocks[b].in == mdl->blocks[b].in && back.blocks[b].skip == mdl->blocks[b].skip);
    rf_ko_polar_free(&back);

    uint8_t *buf, *buf2;
    size_t len, len2;
    CHECK(rf_ko_polar_encode(mdl, &buf, &len, err, sizeof err));
    CHECK(rf_ko_polar_encode(mdl, &buf2, &len2, err, sizeof err));
    CHECK(len == len2 && memcmp(buf, buf2, len) == 0);
    free(buf2);
    /* a flipped payload byte: the file hash reports it */
    buf[len / 2] ^= 0x10;
    CHECK(!rf_ko_polar_decode(&back, buf, len, "x.kow", err, sizeof err) && strstr(err, "file hash"));
    buf[len / 2] ^= 0x10;
    CHECK(!rf_ko_polar_decode(&back, buf, len - 5, "x.kow", err, sizeof err) && strstr(err, "x.kow: field"));
    /* a KO(m,2) reader refuses it, and a polar reader refuses a KO(m,2) file */
    rf_ko_model ko;
    CHECK(!rf_ko_model_decode(&ko, buf, len, "p.kow", err, sizeof err) && strstr(err, "architecture"));
    CHECK(rf_ko_model_init(&ko, 3, RF_KO_ARCH_TINY, 1, err, sizeof err));
    uint8_t *kb;
    size_t kl;
    CHECK(rf_ko_model_encode(&ko, &kb, &kl, err, sizeof err));
    CHECK(!rf_ko_polar_decode(&back, kb, kl, "k.kow", err, sizeof err) && strstr(err, "architecture"));
    printf("KO(3,2) file read as polar: %s\n", err);
    free(kb);
    rf_ko_model_free(&ko);
    free(buf);
}

int main(void)
{
    const char *dir = rf_test_tmpdir();
    char err[512];
    rf_ko_polar_model a, b, v;
    CHECK(rf_ko_polar_nfloats() == 190029);
    CHECK(rf_ko_polar_init(&a, 7, err, sizeof err) && rf_ko_polar_init(&b, 7, err, sizeof err));
    CHECK(memcmp(a.data, b.data, a.nfloats * sizeof(float)) == 0);
    CHECK(rf_ko_polar_view(&v, a.data, a.nfloats, err, sizeof err) && v.blocks[3].w[2] == a.blocks[3].w[2]);
    rf_ko_polar_free(&v);
    CHECK(!rf_ko_polar_view(&v, a.data, a.nfloats - 1, err, sizeof err) && strstr(err, "190029"));
    test_round_trip(&a, dir);
    rf_ko_polar_free(&a);
    rf_ko_polar_free(&b);

    rf_ko_polar_model imp;
    if (rf_test_shared(POLAR_DIR "/weights.json", "test_ko_polar_kow: the import half")) {
        CHECKF(rf_ko_polar_import(&imp, POLAR_DIR, err, sizeof err), "import: %s", err);
        CHECK(imp.nfloats == 190029);
        test_round_trip(&imp, dir);
        rf_ko_polar_free(&imp);
    }
    return rf_test_summary("test_ko_polar_kow");
}
