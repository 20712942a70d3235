/* step.h for double (the body is step_tmpl.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "pmoe/step.h"

#define T double
#define SFX f64
#include "step_tmpl.h"
