/* Reference pMoE experts, CNN baseline, logistic and router losses, gradients and SGD
 * (refast/pmoe.h): the loops of ref/pmoe_expert_tmpl.h instantiated for float (float
 * accumulators, as the authors trained) and double. */
#include <math.h>
#include <stdint.h>

#include "refast/pmoe.h"

#define T float
#define SFX f32
#define EXP expf
#define LOG1P log1pf
#include "pmoe_expert_tmpl.h"
#undef T
#undef SFX
#undef EXP
#undef LOG1P

#define T double
#define SFX f64
#define EXP exp
#define LOG1P log1p
#include "pmoe_expert_tmpl.h"
#undef T
#undef SFX
#undef EXP
#undef LOG1P
