/* refrun.h for float (the body is refrun_tmpl.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/refrun.h"
#include "pmoe/step.h"

#define T float
#define SFX f32
#include "refrun_tmpl.h"
