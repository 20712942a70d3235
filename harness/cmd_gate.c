/* PLACEHOLDER for refast gate (being written). */
#include <stdio.h>
#include "cli.h"
int cmd_gate(int argc, char **argv) { (void)argc; (void)argv; return rf_usage_error("gate: not built yet"); }
