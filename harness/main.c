/* refast: the command-line harness (SPEC §6). Subcommands live in harness/cmd_*.c. */
#include "cli.h"

int main(int argc, char **argv)
{
    return rf_cli_main(argc, argv);
}
