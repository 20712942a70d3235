/* PLACEHOLDER for refast verify (being written). */
#include <stdio.h>
#include "cli.h"
int cmd_verify(int argc, char **argv) { (void)argc; (void)argv; return rf_usage_error("verify: not built yet"); }
