/* SIGINT and SIGTERM during `refast sim` (issue 15, "lose nothing"): the handler only records the
 * signal; the engine sees it between batches (sim.h "stop"), ends the point at the last round
 * boundary, and the command then writes the finished points (marked partial) and the checkpoint
 * and exits with 128 + the signal number. A second signal while that happens kills the process
 * (the default action is restored by the first), so a stuck run can still be stopped. Under
 * mpirun both reach every rank: the launcher forwards them as SIGTERM. */
#ifndef REFAST_SIM_SIGNAL_H
#define REFAST_SIM_SIGNAL_H

#include <signal.h>

/* 0, or the number of the signal that asked the run to stop. */
extern volatile sig_atomic_t rf_sim_stop_signal;

void rf_sim_signals_install(void);
/* Puts back the actions found at install time. */
void rf_sim_signals_restore(void);

#endif
