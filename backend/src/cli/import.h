/* `clinicd import`: practitioners from a CSV file into a clinic, from the command line. */
#ifndef CLINICD_IMPORT_CLI_H
#define CLINICD_IMPORT_CLI_H

/* Runs `clinicd import --clinic ID [--dry-run] FILE.csv` (argv[0] is "import") against
 * the database at conninfo.  Prints {"imported", "ids"} as JSON on standard output,
 * problems and progress on standard error.  Returns an exit code: 0 imported (or
 * checked, with --dry-run), 1 the file has problems or the database refused, 2 usage. */
int import_cli(int argc, char **argv, const char *conninfo);

#include "util/banned.h"
#endif
