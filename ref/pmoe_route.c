/* Reference pMoE routing: route, top-l, gate and their backward passes (refast/pmoe.h), the
 * loops of ref/pmoe_route_tmpl.h instantiated for float (float accumulators, as the authors
 * trained) and double. */
#include <math.h>
#include <stdint.h>

#include "refast/pmoe.h"

#define T float
#define SFX f32
#define EXP expf
#include "pmoe_route_tmpl.h"
#undef T
#undef SFX
#undef EXP

#define T double
#define SFX f64
#define EXP exp
#include "pmoe_route_tmpl.h"
#undef T
#undef SFX
#undef EXP
