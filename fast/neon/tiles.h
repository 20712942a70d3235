/* Register-tile shapes of the generic kernels at the neon level: 32 q registers (the kernels'
 * files in fast/generic/ describe the tiles).
 */
#ifndef REFAST_FAST_TILES_H
#define REFAST_FAST_TILES_H

/* ko_mlp: 2 registers (8 coordinates) x 8 output units = 16 accumulators. */
#define KO_G 8
#define KO_TV 2
/* moe moments: up to 2 row registers x 12 columns (24 accumulators + 2 rows + 1 broadcast), or
 * 1 x 24; vfmaq_f64 is fused. */
#define MM_CMAX1 24
#define MM_CMAX2 12
/* moe L4: 8 x 2 registers, 16 accumulators. */
#define L4_RMAX 8
#define L4_CMAX 2
/* moe q-Hessian: 4 rows x 4 registers (16 accumulators, 4 for x, 4 broadcasts by LD1R). */
#define HS_ROWS 4
#define HS_R 4
/* moe EM logits: 2 samples x 4 registers of 2 transposed weights (k <= 4 in one pass), 8 of the 32
 * registers. */
#define EM_CH 4

/* gru (fast/generic/gated.c): 8 x 3 = 24 accumulators of 32 registers (3 weights, 1 broadcast). */
#define GRU_R 8

/* moe2 (fast/generic/gated_moe2.c): 4 inputs x 2 units x 3 matrices = 24 accumulators of 32. */
#define MOE2_B 4
#define MOE2_U 2

#endif
