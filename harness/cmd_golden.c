/* PLACEHOLDER for refast golden (being written). */
#include <stdio.h>
#include "cli.h"
int cmd_golden(int argc, char **argv) { (void)argc; (void)argv; return rf_usage_error("golden: not built yet"); }
