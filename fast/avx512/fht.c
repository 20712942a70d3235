/* PLACEHOLDER: mirrors ref/fht.c until the avx512 version lands. */
#include "refast/fht.h"

void fht_f32_avx512(float *x, unsigned log2n) { fht_f32_ref(x, log2n); }
void fht_f32_batch_avx512(float *x, unsigned log2n, size_t count) { fht_f32_batch_ref(x, log2n, count); }
