/* Images to patches. An NHWC batch (B images of H x W pixels with C channels, row-major) cut into
 * non-overlapping ph x pw tiles: patch j = R (W / pw) + Q (row-major over the grid of tiles, the
 * MNIST composite's j = 4R + C), value p = (u pw + v) C + ch inside a patch (the order of a
 * Keras conv kernel (kh, kw, C, 1) and, for C = 1, the 28u + v of the reference README):
 *   out[(b n + j) d + p] = img[((b H + ph R + u) W + pw Q + v) C + ch],  n = (H/ph)(W/pw), d = ph pw C.
 * The image must be a whole number of tiles: anything else is a one-line error. */
#ifndef REFAST_LIB_PMOE_PATCHES_H
#define REFAST_LIB_PMOE_PATCHES_H

#include <stddef.h>

int rf_pmoe_patchify(const double *img, size_t B, size_t H, size_t W, size_t C, size_t ph, size_t pw,
                     double *out, char *err, size_t errlen);
/* The inverse scatter (patches back to an NHWC image), for outputs defined on images. */
void rf_pmoe_unpatchify(const double *patches, size_t B, size_t H, size_t W, size_t C, size_t ph, size_t pw,
                        double *img);

#endif
