/* A command's own connection to PostgreSQL, outside the pool: `clinicd admin`,
 * `audit`, `seed-demo`, `seed-schedule` and the notification worker each hold one.
 * It keeps what libpq reads from the environment (PGOPTIONS, as the setup script
 * passes to seed-demo) and has no statement timeout of its own.  SQL runs through
 * store/ functions; nothing above db/ and store/ sees the PGconn inside. */
#ifndef CLINICD_DB_DIRECT_H
#define CLINICD_DB_DIRECT_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "db/rows.h"
#include "db/status.h"

struct db_direct {
    PGconn *pg;                /* NULL until db_direct_open */
    enum db_status status;     /* of the last call that failed */
    char sqlstate[6];
    char message[1024];        /* libpq's text, ending in a newline, as it printed */
};

/* Connects to conninfo (a URL or key=value string).  connect_timeout_s > 0 bounds
 * the attempt (0: libpq's default).  On failure false, d->message says why, and
 * d must still be closed. */
bool db_direct_open(struct db_direct *d, const char *conninfo, long connect_timeout_s);
/* Closes the connection (if any); d may be opened again. */
void db_direct_close(struct db_direct *d);
/* Whether the connection is open and not known to be broken. */
bool db_direct_alive(const struct db_direct *d);

/* Runs sql with n text parameters.  DB_OK: *out (when out is not NULL) holds the
 * result, the caller PQclear()s it.  Otherwise *out is NULL and d->status, sqlstate
 * and message say why (DB_CONFLICT for 23505 and 23P01, DB_RETRY for 40001 and
 * 40P01, DB_DOWN for a lost connection, DB_ERROR for anything else). */
enum db_status db_direct_exec(struct db_direct *d, const char *sql, int n,
                              const char *const *values, PGresult **out);
/* db_direct_exec that hands each row of the result to each(ctx, ...) and clears it;
 * *rows (when not NULL) says how many rows it had. */
enum db_status db_direct_each(struct db_direct *d, const char *sql, int n,
                              const char *const *values, db_row_fn each, void *ctx, int *rows);

#include "util/banned.h"
#endif
