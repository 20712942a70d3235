/* libFuzzer target for the `.kow` readers (lib/ko/kow_file.h: the KO(m,2) models of lib/ko/kow.h and
 * the Polar(64,7) KO model of lib/ko/polar_weights.h): any byte string is either a valid model or a
 * one-line error (SPEC §8), never a crash, a leak or undefined behaviour (ASan/UBSan). An accepted
 * model must survive a round trip: re-encoding it gives the same bytes (so the reader keeps every
 * field it validated and the writer is its inverse). Both readers see every input: each must
 * refuse the other's files with a message.
 * Seeds: valid files from `refast ko init` (scripts/test.sh), so mutations start past the magic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ko/kow.h"
#include "ko/polar_weights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rejection(const char *err)
{
    if (err[0] == '\0' || strchr(err, '\n') != NULL) {
        fprintf(stderr, "kow fuzz: rejection without a one-line message: '%s'\n", err);
        abort();
    }
}

static void check_round_trip(uint8_t *img, size_t len, const uint8_t *data, size_t size, const char *err)
{
    if (!img) {
        fprintf(stderr, "kow fuzz: an accepted model does not re-encode: %s\n", err);
        abort();
    }
    if (len != size || memcmp(img, data, size) != 0) {
        fprintf(stderr, "kow fuzz: round trip changed the file (%zu -> %zu bytes)\n", size, len);
        abort();
    }
    free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    uint8_t *img = NULL;
    size_t len = 0;
    rf_ko_model mdl;
    if (!rf_ko_model_decode(&mdl, data, size, "fuzz.kow", err, sizeof err)) {
        check_rejection(err);
    } else {
        if (!rf_ko_model_encode(&mdl, &img, &len, err, sizeof err)) img = NULL;
        check_round_trip(img, len, data, size, err);
        rf_ko_model_free(&mdl);
    }
    rf_ko_polar_model pm;
    err[0] = '\0';
    if (!rf_ko_polar_decode(&pm, data, size, "fuzz.kow", err, sizeof err)) {
        check_rejection(err);
    } else {
        if (!rf_ko_polar_encode(&pm, &img, &len, err, sizeof err)) img = NULL;
        check_round_trip(img, len, data, size, err);
        rf_ko_polar_free(&pm);
    }
    return 0;
}
