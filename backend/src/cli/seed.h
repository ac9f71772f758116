/* The `clinicd seed-demo` command: loads a deterministic demo directory. */
#ifndef CLINICD_SEED_H
#define CLINICD_SEED_H

/* Runs `clinicd seed-demo [--practitioners N] [--seed S] [--force]`; argv[0] is "seed-demo".
 * conninfo is a libpq connection string. Returns a process exit code (0 ok, 1 failure, 2 usage).
 *
 * Creates clinics, their locations and services, and practitioners with their
 * locations, techniques, conditions and services, in one transaction with COPY.
 * The same --seed (default 42) and --practitioners (default 320, at most 1000000)
 * give byte-identical rows, ids and timestamps included.  If any clinic exists it
 * does nothing (exit 0) unless --force, which first deletes every clinic and, by
 * cascade, everything that belongs to one.  Reference data (professions,
 * techniques, conditions) must already be there: the migrations insert it.
 * Prints one summary line on stdout; errors go to stderr. */
int seed_cli(int argc, char **argv, const char *conninfo);

#endif
