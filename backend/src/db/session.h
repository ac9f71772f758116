/* A unit of database work's view of the pool: the connection it holds (checked out on
 * first need, in at db_session_end), what its last statement failed with, and the one
 * transaction helper with its bounded retry.  A request holds one (struct req's db),
 * and so does each long-lived owner (the index keeper, the worker) and each command.
 * store/ functions take one; nothing above store/ and db/ sees a PGresult. */
#ifndef CLINICD_DB_SESSION_H
#define CLINICD_DB_SESSION_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/pool.h"
#include "db/rows.h"
#include "db/status.h"

struct db_session {
    struct db_pool *pool;
    struct db_conn *conn;          /* NULL until first need */
    bool (*defer)(void *arg);      /* asked before the first checkout; true: DB_DEFERRED */
    void *defer_arg;
    struct db_failure fail;
    int retries;                   /* serialization retries db_tx has made */
};

/* A session on pool holding nothing yet.  defer may be NULL. */
void db_session_init(struct db_session *s, struct db_pool *pool, bool (*defer)(void *),
                     void *defer_arg);
/* Checks a connection out when none is held.  DB_OK, DB_TIMEOUT, DB_DOWN or DB_DEFERRED. */
enum db_status db_session_conn(struct db_session *s);
/* Gives the connection back (one left inside a transaction is rolled back). */
void db_session_end(struct db_session *s);
/* Rolls back the transaction the session's connection is in, if any (for a unit of
 * work not yet run through db_tx). */
void db_session_rollback(struct db_session *s);

/* Runs a prepared statement.  On DB_OK *out holds the result (the caller PQclear()s
 * it); on any other status *out is NULL and s->fail says why (a fault is noted on the
 * pool for readiness; a session that turned read-only is discarded at checkin). */
enum db_status db_query(struct db_session *s, struct db_stmt *st, const char *const *values,
                        PGresult **out);
/* The same for a statement whose result is not needed (an UPDATE, an INSERT). */
enum db_status db_run(struct db_session *s, struct db_stmt *st, const char *const *values);
/* Column 0 of row 0 as text of its own (JSON that PostgreSQL built, say), malloc'd
 * into *text (the caller frees it) with its length; DB_NOT_FOUND when there is no row
 * or the value is NULL. */
enum db_status db_query_text(struct db_session *s, struct db_stmt *st,
                             const char *const *values, char **text, size_t *len);
/* db_query_text for a statement of one parameter (a), or of two (a, b). */
enum db_status db_query_text1(struct db_session *s, struct db_stmt *st, const char *a,
                              char **text, size_t *len);
enum db_status db_query_text2(struct db_session *s, struct db_stmt *st, const char *a,
                              const char *b, char **text, size_t *len);
/* db_query for a statement that names one row: DB_NOT_FOUND unless it answers exactly
 * one.  With out, on DB_OK *out holds the result (the caller PQclear()s it) and is NULL
 * otherwise; without (NULL), the result is cleared here. */
enum db_status db_query_one(struct db_session *s, struct db_stmt *st, const char *const *values,
                            PGresult **out);
/* db_query_one for a statement of one parameter (a), the result into *out as above. */
enum db_status db_query_one1(struct db_session *s, struct db_stmt *st, const char *a,
                             PGresult **out);
/* db_query_one for a statement of two parameters (a, b) whose row is not needed. */
enum db_status db_query_one2(struct db_session *s, struct db_stmt *st, const char *a,
                             const char *b);
/* db_query that hands each row of the result to each(ctx, ...) and clears it; *rows
 * (when not NULL) says how many rows the result had.  The values each sees live only
 * during its call. */
enum db_status db_query_each(struct db_session *s, struct db_stmt *st,
                             const char *const *values, db_row_fn each, void *ctx, int *rows);
/* A parameterless command (BEGIN, COMMIT, SAVEPOINT x, ...). */
enum db_status db_command_status(struct db_session *s, const char *sql);
/* The status a failed result stands for, recorded into s->fail. */
enum db_status db_classify(struct db_session *s, PGresult *res);

/* A unit of work: runs statements on s and returns DB_OK to commit, anything else to
 * roll back.  It may run more than once (see db_tx): it must start from its inputs
 * each time and write its outputs only from what this run read. */
typedef enum db_status (*db_work)(struct db_session *s, void *ctx);

#define DB_TX_ATTEMPTS 4

/* BEGIN; work; COMMIT.  A serialization failure or deadlock, in the work or at
 * COMMIT, rolls back and runs the work again after a short random pause, up to
 * DB_TX_ATTEMPTS times in all; then DB_RETRY.  Any other status rolls back and is
 * returned. */
enum db_status db_tx(struct db_session *s, db_work work, void *ctx);

/* db_query for a statement that is its own transaction (no BEGIN before it): run again
 * at once on a serialization failure or deadlock, up to DB_TX_ATTEMPTS times in all, as
 * db_tx runs a unit of work, without db_tx's two round trips for BEGIN and COMMIT. */
enum db_status db_query_retried(struct db_session *s, struct db_stmt *st,
                                const char *const *values, PGresult **out);

/* Serialization retries made by db_tx in this process (for /metrics). */
long db_tx_retry_count(void);

#include "util/banned.h"
#endif
