/* step.h for float (the body is step_tmpl.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "pmoe/step.h"

#define T float
#define SFX f32
#include "step_tmpl.h"
