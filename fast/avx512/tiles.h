/* Register-tile shapes of the generic kernels at the avx512 level: 32 zmm registers (the kernels'
 * files in fast/generic/ describe the tiles).
 */
#ifndef REFAST_FAST_TILES_H
#define REFAST_FAST_TILES_H

/* ko_mlp: 2 zmm (32 coordinates) x 8 output units = 16 accumulators, weights broadcast. */
#define KO_G 8
#define KO_TV 2
/* moe moments: up to 2 row registers x 12 columns (24 accumulators + 2 rows + 1 broadcast), or
 * 1 x 24; where the last register of a rectangle has at most 4 valid lanes, 1 x 24 tiles of ymm
 * (vdh): the zmm lanes they would waste are half of the work at d = 16..32, and ymm FMAs cost half
 * a zmm FMA wherever the FMA units are 256 bits wide (Zen 4). */
#define MM_CMAX1 24
#define MM_CMAX2 12
/* moe L4: 8 x 3 registers, 24 accumulators. */
#define L4_RMAX 8
#define L4_CMAX 3
/* moe q-Hessian: 4 rows x 4 registers (16 accumulators; a row of 32 columns in one tile),
 * broadcasts embedded in the FMAs. */
#define HS_ROWS 4
#define HS_R 4
/* moe EM logits: 8 samples x 8 logits (one register of transposed weights per coordinate, k <= 4
 * fits one chunk), each FMA taking its x_it by embedded broadcast. */
#define EM_CH 1

/* gru (fast/generic/gated.c): 8 x 3 = 24 accumulators of 32 registers (3 weights, 1 broadcast). */
#define GRU_R 8

/* moe2 (fast/generic/gated_moe2.c): 4 inputs x 2 units x 3 matrices = 24 accumulators of 32. */
#define MOE2_B 4
#define MOE2_U 2

#endif
