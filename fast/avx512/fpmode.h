/* avx512 shares MXCSR with avx2: the same mode (fast/avx2/fpmode.h). */
#include "../avx2/fpmode.h"
