/* Checkpoints of `refast sim --checkpoint FILE` (issue 15): the state of every SNR point of a run
 * at a round boundary, so that a killed run resumed with the same command continues where it
 * stopped and ends with the counts of an uninterrupted run (sim.h "resume").
 *
 * Text, one item per line, written atomically (support/bytes.h: temporary file, then rename):
 *   refast-sim-checkpoint 1
 *   fingerprint <16 hex>     XXH3-64 of the run's description
 *   run <description>        what the fingerprint covers, for a person reading the file
 *   point <i> <finished 0|1> <next_batch> <frames> <bit_errors> <bit_errors_sq> <block_errors>
 *         <decisions_xxh3, 16 hex> <seconds> <cpu_seconds> <exchange_seconds> <5 stage seconds>
 *         <nleaves> <leaf counts>
 *   end <16 hex>             XXH3-64 of every byte before this line
 * Only points with some state have a line. The description (cmd_sim.c) names everything the counts
 * depend on: code (and the KO weights' hash), decoder, check-node function, construction, channel,
 * SNR convention and points, seed, frame cap, target, batch size and the ISA levels of the ranks;
 * never the thread or rank count, which change no count. A file with another fingerprint is
 * refused, never overwritten: it belongs to another run. */
#ifndef REFAST_SIM_CHECKPOINT_H
#define REFAST_SIM_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

/* Writes the state of points[0..npoints) (those finished or started) to path. */
bool rf_sim_ckpt_save(const char *path, const char *description, const rf_sim_result *points, size_t npoints,
                      char *err, size_t errlen);

/* Reads path written for `description`: every point line fills points[i] (its leaf counts
 * allocated here, nleaves of them; free with rf_sim_result_free). Returns 1 when read, 0 when
 * there is no file at path, -1 (err set, one line naming the file) when it is unreadable, corrupt,
 * of another run or does not fit (npoints, nleaves). */
int rf_sim_ckpt_load(const char *path, const char *description, rf_sim_result *points, size_t npoints,
                     size_t nleaves, char *err, size_t errlen);

#endif
