/* PLACEHOLDER for refast report (being written). */
#include <stdio.h>
#include "cli.h"
int cmd_report(int argc, char **argv) { (void)argc; (void)argv; return rf_usage_error("report: not built yet"); }
