/* Register-tile shapes of the generic kernels at the avx2 level: 16 ymm registers, so each tile
 * keeps its accumulators plus the row and broadcast registers it needs inside 16. Measured choices
 * (the kernels' files in fast/generic/ describe the tiles; their comments give the alternatives).
 */
#ifndef REFAST_FAST_TILES_H
#define REFAST_FAST_TILES_H

/* ko_mlp: 2 ymm (16 coordinates) x 4 output units = 8 accumulators, 2 inputs, 1 broadcast weight,
 * the rest for SELU and the compiler. */
#define KO_G 4
#define KO_TV 2
/* moe moments: up to 2 row registers x 6 columns (12 accumulators + 2 rows + 1 broadcast), or
 * 1 x 12. */
#define MM_CMAX1 12
#define MM_CMAX2 6
/* moe L4: 4 x 3 registers, 12 accumulators. */
#define L4_RMAX 4
#define L4_CMAX 3
/* moe q-Hessian: 4 rows x 3 registers (12 accumulators, 3 x registers, 1 broadcast: all 16;
 * measured at k=4, d=32 against 2 x 4, 3 x 4 and 4 x 2: 30 ms vs 35, 31 and 33 ms per 1e5
 * samples). */
#define HS_ROWS 4
#define HS_R 3
/* moe EM logits: 4 samples x 2 registers of 4 transposed weights (k <= 4 in one pass), 8
 * accumulators. */
#define EM_CH 2

/* gru (fast/generic/gated.c): 4 sequences (or rows of X) x the 3 gate registers of one panel = 12
 * accumulators, 3 weight registers, 1 broadcast: all 16. */
#define GRU_R 4

/* moe2 (fast/generic/gated_moe2.c): 2 inputs x 2 units x 3 matrices = 12 accumulators, 2 x and 1 weight register: 15 of 16. */
#define MOE2_B 2
#define MOE2_U 2

#endif
