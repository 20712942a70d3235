/* libFuzzer target for the `.kow` reader (refast/ko.h, kernels/ko_weights.c): any byte string is
 * either a valid model or a one-line error (SPEC §8), never a crash, a leak or undefined
 * behaviour (ASan/UBSan). An accepted model must survive a round trip: re-encoding it gives the
 * same bytes (so the reader keeps every field it validated and the writer is its inverse).
 * Seeds: valid files from `refast ko init` (scripts/test.sh), so mutations start past the magic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refast/ko.h"
#include "ko/kow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rf_ko_model mdl;
    char err[512] = "";
    if (!rf_ko_model_decode(&mdl, data, size, "fuzz.kow", err, sizeof err)) {
        if (err[0] == '\0' || strchr(err, '\n') != NULL) {
            fprintf(stderr, "kow fuzz: rejection without a one-line message: '%s'\n", err);
            abort();
        }
        return 0;
    }
    uint8_t *img = NULL;
    size_t len = 0;
    if (!rf_ko_model_encode(&mdl, &img, &len, err, sizeof err)) {
        fprintf(stderr, "kow fuzz: an accepted model does not re-encode: %s\n", err);
        abort();
    }
    if (len != size || memcmp(img, data, size) != 0) {
        fprintf(stderr, "kow fuzz: round trip changed the file (%zu -> %zu bytes)\n", size, len);
        abort();
    }
    free(img);
    rf_ko_model_free(&mdl);
    return 0;
}
