/* PLACEHOLDER for refast bench (being written). */
#include <stdio.h>
#include "cli.h"
int cmd_bench(int argc, char **argv) { (void)argc; (void)argv; return rf_usage_error("bench: not built yet"); }
