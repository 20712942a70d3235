/* sim_mpi.h in a build without MPI: a run under an MPI launcher is refused (every copy would run
 * the whole simulation alone). */
#include "errf.h"
#include "sim_mpi.h"

bool rf_sim_mpi_init(rf_sim_comm *comm, unsigned *local_size, char *err, size_t errlen)
{
    (void)comm, (void)local_size;
    return rf_fail(err, errlen, "started by an MPI launcher, but this refast was built without MPI (install "
                                "libopenmpi-dev and rebuild; see README \"sim over MPI\")");
}

void rf_sim_mpi_finalize(void)
{
}

void rf_sim_mpi_abort(int code)
{
    (void)code;
}
