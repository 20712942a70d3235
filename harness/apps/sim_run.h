/* One `refast sim` run, resolved from its command line (cmd_sim.c parses, sim_setup.c validates
 * and builds, sim_output.c prints the table and writes the JSON). Shared by those three files
 * only. */
#ifndef REFAST_SIM_RUN_H
#define REFAST_SIM_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "bytes.h"
#include "codespec.h"
#include "refast/isa.h"
#include "sim.h"
#include "sim_codecs.h"

/* What the command line says (cmd_sim.c's option table fills it). */
typedef struct rf_sim_args {
    const char *code, *decoder, *construction, *design, *json, *checkpoint;
    const char *ebn0, *esn0, *snr; /* exactly one is given */
    int f, channel;                /* indices into "exact|minsum" (-1: not given), "awgn|rayleigh|bursty" */
    int quant;                     /* index into "f32|int8" (-1: not given, f32) */
    rf_isa isa;
    unsigned long long max_frames, target_errors, seed, threads;
    double checkpoint_every;
    bool have_threads;
} rf_sim_args;

typedef struct rf_sim_run {
    const rf_sim_args *a;
    const char *range, *conv;      /* conv: "ebn0", "esn0" or "snr" */
    rf_sim_comm comm;              /* this process alone, or the MPI ranks */
    unsigned threads;              /* per rank */
    char isas[128];                /* the ranks' levels, distinct, comma-separated */
    rf_sim_codec_ctx ctx;
    const rf_sim_codec_row *row;
    rf_construction cons;
    rf_channel_kind channel;
    double first, step, rate;
    size_t npoints;
    rf_leaf *leaves;
    size_t nleaves;
    rf_sim_codec codec;
    char description[1024];        /* what the counts depend on (the checkpoint's fingerprint) */
    rf_sim_result *state;          /* npoints: each point's counts so far */
} rf_sim_run;

/* Parses and validates everything local to this process (no printing, no collective): false with
 * a one-line err. Free with rf_sim_run_free, also after a failure. */
bool rf_sim_setup(rf_sim_run *r, char *err, size_t errlen);
/* Fills r->isas and r->description (collective: every rank calls it). */
bool rf_sim_describe(rf_sim_run *r, char *err, size_t errlen);
void rf_sim_run_free(rf_sim_run *r);
/* sigma of point p. */
double rf_sim_point_sigma(const rf_sim_run *r, size_t p);

/* The header lines and the column titles of the table (stdout). */
void rf_sim_print_header(const rf_sim_run *r);
/* The table row (and leaf line) of a finished point. */
void rf_sim_print_point(const rf_sim_run *r, size_t p, const rf_sim_result *res);
/* The JSON document of the points finished in r->state (`partial`: the run was interrupted). */
void rf_sim_json(const rf_sim_run *r, bool partial, rf_wbuf *jw);

#endif
