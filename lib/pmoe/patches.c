/* Images to patches and back (patches.h). */
#include <stdio.h>

#include "pmoe/patches.h"

/* Calls visit(image offset, patch offset) for every value; one loop nest for both directions. */
#define FOR_EACH_VALUE(B, H, W, C, ph, pw, BODY)                                                    \
    do {                                                                                          \
        const size_t gw_ = (W) / (pw), n_ = ((H) / (ph)) * gw_, d_ = (ph) * (pw) * (C);           \
        for (size_t b = 0; b < (B); b++)                                                          \
            for (size_t j = 0; j < n_; j++)                                                       \
                for (size_t u = 0; u < (ph); u++)                                                 \
                    for (size_t v = 0; v < (pw); v++)                                             \
                        for (size_t ch = 0; ch < (C); ch++) {                                     \
                            const size_t row = (j / gw_) * (ph) + u, col = (j % gw_) * (pw) + v;   \
                            const size_t at_img = ((b * (H) + row) * (W) + col) * (C) + ch;         \
                            const size_t at_patch = (b * n_ + j) * d_ + (u * (pw) + v) * (C) + ch;  \
                            BODY;                                                                 \
                        }                                                                         \
    } while (0)

int rf_pmoe_patchify(const double *img, size_t B, size_t H, size_t W, size_t C, size_t ph, size_t pw,
                     double *out, char *err, size_t errlen)
{
    if (ph == 0 || pw == 0 || C == 0 || H == 0 || W == 0 || H % ph || W % pw) {
        snprintf(err, errlen, "image %zux%zu (x%zu channels) is not a whole number of %zux%zu patches", H, W, C,
                 ph, pw);
        return -1;
    }
    FOR_EACH_VALUE(B, H, W, C, ph, pw, out[at_patch] = img[at_img]);
    return 0;
}

void rf_pmoe_unpatchify(const double *patches, size_t B, size_t H, size_t W, size_t C, size_t ph, size_t pw,
                        double *img)
{
    if (ph == 0 || pw == 0 || H % ph || W % pw) return;
    FOR_EACH_VALUE(B, H, W, C, ph, pw, img[at_img] = patches[at_patch]);
}
