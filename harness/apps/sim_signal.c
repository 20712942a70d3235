/* The stop flag of `refast sim` (sim_signal.h). */
#include "sim_signal.h"

#include <string.h>

volatile sig_atomic_t rf_sim_stop_signal = 0;

static struct sigaction saved_int, saved_term;

static void on_signal(int sig)
{
    rf_sim_stop_signal = sig;
    signal(sig, SIG_DFL); /* async-signal-safe; a second signal ends the process */
}

void rf_sim_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    rf_sim_stop_signal = 0;
    sigaction(SIGINT, &sa, &saved_int);
    sigaction(SIGTERM, &sa, &saved_term);
}

void rf_sim_signals_restore(void)
{
    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
}
