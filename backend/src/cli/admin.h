/* Operator commands: clinics, staff accounts and platform admins from the command line. */
#ifndef CLINICD_ADMIN_H
#define CLINICD_ADMIN_H

/* Runs `clinicd admin SUBCOMMAND ...` (argv[0] is "admin").  Returns an exit code. */
int admin_cli(int argc, char **argv, const char *conninfo);

#include "util/banned.h"
#endif
