/* MPI for `refast sim` (issue 15): `mpirun -np P refast sim ...` splits the batches of every SNR
 * point across P ranks (sim.h "rounds"); the ranks talk only through rf_sim_comm's allgather and allreduce.
 *
 * MPI is entered only when this process was started by an MPI launcher (its environment says so),
 * so a plain `refast sim` and every other command never initialise MPI. Built with MPI
 * (REFAST_MPI, on when CMake finds it): mpi/sim_mpi.c; without: mpi/sim_mpi_none.c, where a
 * launched run is refused (P copies that each ran the whole simulation would be a silent waste).
 * Errors: MPI's default handler (errors are fatal) stays, so a rank that dies or fails in MPI ends
 * the whole job through the launcher, which reports it; nothing is written by a job that did not
 * finish a round boundary together. */
#ifndef REFAST_SIM_MPI_H
#define REFAST_SIM_MPI_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

/* Initialises MPI and fills comm (rank, size, the collectives over MPI_COMM_WORLD); *local_size gets
 * the ranks on this node (for the default thread count). False with err when this build has no
 * MPI or MPI could not start. */
bool rf_sim_mpi_init(rf_sim_comm *comm, unsigned *local_size, char *err, size_t errlen);
void rf_sim_mpi_finalize(void);
/* Ends every rank of the job with exit code `code` (a rank that failed alone; the launcher reports
 * it). Returns only in a build without MPI. */
void rf_sim_mpi_abort(int code);

#endif
