/* A fixed pool of PostgreSQL connections with lazily prepared statements. */
#ifndef CLINICD_POOL_H
#define CLINICD_POOL_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/status.h"

/* A statement known to the pool.  Declare each one once, statically, next to the
 * code that uses it (DB_STMT); it is prepared on a connection the first time it runs
 * there.  Text parameters only; SQL is never built from strings. */
struct db_stmt {
    const char *sql;
    int nparams;
    atomic_int idx; /* assigned on first use; -1 until then */
};
#define DB_STMT(var, sql_, n) static struct db_stmt var = {(sql_), (n), -1}
#define DB_MAX_STMTS 512

struct db_conn {
    PGconn *pg;
    uint64_t prepared[DB_MAX_STMTS / 64];
    bool used;      /* a statement has run since checkout */
    bool discard;   /* close at checkin (db_discard) */
    int slot;
};

struct db_pool_stats {
    long size, in_use, waiting;
    long checkouts, timeouts, reconnects, failures;
};

struct db_pool;

/* Creates a pool of size connections to conninfo (a URL or key=value string);
 * connections open lazily.  statement_timeout_ms bounds every statement. */
struct db_pool *db_pool_new(const char *conninfo, int size, int checkout_timeout_ms,
                            int connect_timeout_s, int statement_timeout_ms);
/* Closes every connection and frees the pool; no connection may be checked out. */
void db_pool_free(struct db_pool *pool);

/* Takes a connection (DB_OK, DB_TIMEOUT or DB_DOWN), waiting up to the checkout timeout, connecting it if needed.
 * On DB_TIMEOUT or DB_DOWN *out is NULL and nothing is held. */
enum db_status db_checkout(struct db_pool *pool, struct db_conn **out);
/* Returns a connection: one left inside a transaction is rolled back, a broken one
 * is closed (and reopened at its next checkout). */
void db_checkin(struct db_pool *pool, struct db_conn *c);

/* Runs a statement.  Returns the result (the caller PQclear()s it), which may hold
 * an error status; NULL only when the connection is lost.  The first statement after
 * checkout is retried once on a fresh connection if the old one turned out to be
 * dead: so writes must begin with an explicit BEGIN (db_begin). */
PGresult *db_exec(struct db_pool *pool, struct db_conn *c, struct db_stmt *st,
                  const char *const *values);
/* Plain command without parameters (BEGIN, COMMIT, ROLLBACK, SAVEPOINT...). */
PGresult *db_command(struct db_pool *pool, struct db_conn *c, const char *sql);

/* Marks c to be closed when it is checked in, so that the next checkout of its slot
 * opens a fresh session (one opened read-only stays read-only). */
void db_discard(struct db_conn *c);

void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out);

/* Faults of the database that keep the service from working for a while (disk full,
 * read-only, out of connections, ...), noted as they are met (reason: a static slug
 * such as "disk-full"), for readiness to report.  A failed attempt to connect notes
 * "too-many-connections" itself when PostgreSQL says so. */
void db_pool_note_fault(struct db_pool *pool, const char *reason);
/* Why the last attempt to connect failed ("too-many-connections",
 * "cannot-connect-now" or "unreachable"), or NULL when the last attempt succeeded or
 * failed more than 5 s ago. */
const char *db_pool_connect_failure(struct db_pool *pool);
/* The reason of the last fault noted within the last within_ms, or NULL. */
const char *db_pool_recent_fault(struct db_pool *pool, long within_ms);

/* Whether the database can serve: NULL when a connection can be had, answers, and
 * takes writes; otherwise a slug saying why: "unreachable", "too-many-connections",
 * "cannot-connect-now" (starting up, shutting down, in recovery), "busy" (no pooled
 * connection free within the checkout timeout), "read-only" (a standby, or
 * default_transaction_read_only on). */
const char *db_pool_check(struct db_pool *pool);

#include "util/banned.h"
#endif
