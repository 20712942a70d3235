/* sim_mpi.h over MPI (compiled when CMake found MPI, REFAST_MPI). */
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>

#include "errf.h"
#include "sim_mpi.h"

static bool mpi_ok(int rc, const char *what, char *err, size_t errlen)
{
    if (rc == MPI_SUCCESS) return true;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    return rf_fail(err, errlen, "%s failed: %s", what, msg);
}

/* MPI counts are ints; a round is far below that (sim_engine.c sizes them). */
static bool mpi_allgather(void *ctx, const uint64_t *mine, size_t count, uint64_t *all, char *err, size_t errlen)
{
    (void)ctx;
    if (count > (size_t)(1 << 30)) return rf_fail(err, errlen, "MPI exchange of %zu words is too large", count);
    return mpi_ok(MPI_Allgather(mine, (int)count, MPI_UINT64_T, all, (int)count, MPI_UINT64_T, MPI_COMM_WORLD),
                  "MPI_Allgather", err, errlen);
}

/* MPI_SUM on MPI_UINT64_T is unsigned addition: it wraps mod 2^64, as the decision hash wants. */
static bool mpi_allreduce_sum(void *ctx, uint64_t *words, size_t count, char *err, size_t errlen)
{
    (void)ctx;
    if (count > (size_t)(1 << 30)) return rf_fail(err, errlen, "MPI reduction of %zu words is too large", count);
    return mpi_ok(MPI_Allreduce(MPI_IN_PLACE, words, (int)count, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD),
                  "MPI_Allreduce", err, errlen);
}

bool rf_sim_mpi_init(rf_sim_comm *comm, unsigned *local_size, char *err, size_t errlen)
{
    int provided = 0, rank = 0, size = 1;
    /* A rank that waits for the others in a collective yields its core instead of spinning (unless
     * the user chose otherwise): on a shared or oversubscribed machine the spinning rank would take
     * the core from the rank it waits for; a round lasts 0.25 s or more, so the latency of
     * yielding does not matter. */
    setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
    /* only the calling thread talks to MPI; the workers never do */
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return rf_fail(err, errlen, "MPI_Init_thread failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm node;
    int nodes_ranks = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &nodes_ranks);
        MPI_Comm_free(&node);
    }
    *comm = (rf_sim_comm){rank, size, NULL, mpi_allgather, mpi_allreduce_sum};
    *local_size = nodes_ranks < 1 ? 1u : (unsigned)nodes_ranks;
    return true;
}

void rf_sim_mpi_finalize(void)
{
    MPI_Finalize();
}

void rf_sim_mpi_abort(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
}
