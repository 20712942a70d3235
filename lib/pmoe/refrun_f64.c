/* refrun.h for double (the body is refrun_tmpl.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/refrun.h"
#include "pmoe/step.h"

#define T double
#define SFX f64
#include "refrun_tmpl.h"

void rf_pmoe_refrun_out_free(rf_pmoe_refrun_out *o)
{
    free(o->g);
    free(o->idx);
    free(o->margin);
    free(o->G);
    free(o->z);
    free(o->f);
    free(o->f_paper);
    free(o->loss_per);
    free(o->dW);
    free(o->dwg);
    free(o->W_after);
    free(o->wg_after);
    memset(o, 0, sizeof *o);
}
