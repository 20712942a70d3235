/* The benchmark and test fixture of the authors' models (fixture.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmoe/fixture.h"
#include "pmoe/prng.h"
#include "pmoe/synth.h"
#include "alloc.h"

const char *const rf_pmoe_fixture_models[] = {"joint", "separate", "cnn4", "cnn40", NULL};

void rf_pmoe_fixture_free(rf_pmoe_fixture *fx)
{
    rf_free(fx->x);
    free(fx->y);
    free(fx->wg);
    free(fx->W);
    free(fx->a);
    memset(fx, 0, sizeof *fx);
}

int rf_pmoe_fixture_make(const char *model, size_t B, uint64_t seed, rf_pmoe_fixture *fx, char *err, size_t errlen)
{
    memset(fx, 0, sizeof *fx);
    size_t which = 0;
    while (rf_pmoe_fixture_models[which] && strcmp(rf_pmoe_fixture_models[which], model)) which++;
    if (!rf_pmoe_fixture_models[which]) {
        snprintf(err, errlen, "pmoe fixture: unknown model '%s' (expected joint, separate, cnn4 or cnn40)", model);
        return -1;
    }
    if (B < 1) {
        snprintf(err, errlen, "pmoe fixture: the batch must hold at least one sample");
        return -1;
    }
    static const rf_pmoe_model kinds[] = {RF_PMOE_MODEL_JOINT, RF_PMOE_MODEL_SEPARATE, RF_PMOE_MODEL_CNN,
                                          RF_PMOE_MODEL_CNN};
    fx->model = rf_pmoe_fixture_models[which];
    rf_pmoe_train_defaults(&fx->cfg, kinds[which]);
    fx->cfg.seed = seed;
    if (!strcmp(model, "cnn40")) fx->cfg.h = 40;
    fx->B = B;

    rf_pmoe_synth_cfg scfg;
    rf_pmoe_synth_defaults(&scfg);
    rf_pmoe_synth m;
    rf_pmoe_dataset ds = {0};
    if (rf_pmoe_synth_make(&scfg, seed, &m, err, errlen)) return -1;
    int rc = rf_pmoe_synth_sample(&m, B, rf_pmoe_stream(RF_PMOE_STREAM_TRAIN_DATA, 0, 0), &ds, err, errlen);
    rf_pmoe_synth_free(&m);
    if (rc) return -1;
    rc = -1;
    if (rf_pmoe_train_net(&fx->cfg, ds.n, ds.d, ds.grid_w, &fx->net, err, errlen)) goto done;
    const rf_pmoe_net *net = &fx->net;
    fx->x = rf_alloc(B * ds.n * ds.d * sizeof *fx->x);
    fx->y = malloc(B);
    fx->wg = calloc(net->k * net->d + 1, sizeof *fx->wg);
    fx->W = calloc(rf_pmoe_net_w_count(net) + 1, sizeof *fx->W);
    fx->a = calloc(rf_pmoe_net_a_count(net) + 1, sizeof *fx->a);
    if (!fx->x || !fx->y || !fx->wg || !fx->W || !fx->a) {
        snprintf(err, errlen, "pmoe fixture: out of memory");
        goto done;
    }
    rf_pmoe_dataset_gather(&ds, NULL, 0, B, fx->x, fx->y);
    rf_pmoe_train_init(&fx->cfg, net, 0, fx->wg, fx->W, fx->a);
    rc = 0;
done:
    rf_pmoe_dataset_free(&ds);
    if (rc) rf_pmoe_fixture_free(fx);
    return rc;
}
