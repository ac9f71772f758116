/* `clinicd audit ...`: checks the audit log's hash chains (migration 0014). */
#ifndef CLINICD_AUDIT_CLI_H
#define CLINICD_AUDIT_CLI_H

/* Runs `clinicd audit SUBCOMMAND ...` (argv[0] is "audit").  Returns an exit code: 0
 * when every chain holds, 1 when one does not, 2 on bad usage or a database error. */
int audit_cli(int argc, char **argv, const char *conninfo);

#include "util/banned.h"
#endif
