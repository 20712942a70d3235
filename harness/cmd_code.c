/* PLACEHOLDER for refast code (being written). */
#include "cli.h"
int cmd_code(int argc, char **argv) { (void)argc; (void)argv; return rf_usage_error("code: not built yet"); }
