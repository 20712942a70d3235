/* PLACEHOLDER for refast sim (being written). */
#include "cli.h"
int cmd_sim(int argc, char **argv) { (void)argc; (void)argv; return rf_usage_error("sim: not built yet"); }
