/* A unit of database work's connection, its failures told apart, and db_tx. */
#include "db/session.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "util/alloc.h"
#include "util/log.h"

static atomic_long tx_retries;

void db_session_init(struct db_session *s, struct db_pool *pool, bool (*defer)(void *),
                     void *defer_arg)
{
    memset(s, 0, sizeof(*s));
    s->pool = pool;
    s->defer = defer;
    s->defer_arg = defer_arg;
}

static void fail_set(struct db_session *s, enum db_status st, const char *state,
                     const char *message)
{
    s->fail.status = st;
    snprintf(s->fail.sqlstate, sizeof(s->fail.sqlstate), "%s", state ? state : "");
    s->fail.constraint[0] = '\0';
    s->fail.fault = NULL;
    s->fail.retry_after = NULL;
    snprintf(s->fail.message, sizeof(s->fail.message), "%s", message ? message : "");
}

enum db_status db_session_conn(struct db_session *s)
{
    if (s->conn)
        return DB_OK;
    if (s->defer && s->defer(s->defer_arg)) {
        fail_set(s, DB_DEFERRED, NULL, "moved to a read worker");
        return DB_DEFERRED;
    }
    enum db_status st = db_checkout(s->pool, &s->conn);
    if (st != DB_OK)
        fail_set(s, st, NULL,
                 st == DB_TIMEOUT ? "no pooled connection free" : "database unreachable");
    return st;
}

void db_session_end(struct db_session *s)
{
    if (s->conn) {
        db_checkin(s->pool, s->conn);
        s->conn = NULL;
    }
}

/* States of the database rather than of the request: the same request may succeed
 * later.  remember: noted on the pool for readiness (a restart's "starting up" is
 * not: the restart itself shows there, and keeping it would hold readiness back). */
static const struct db_fault {
    const char *state; /* a SQLSTATE, or its class (two characters) */
    const char *reason;
    const char *retry_after;
    bool remember;
} db_faults[] = {
    {"53100", "disk-full", "30", true},
    {"53200", "out-of-memory", "10", true},
    {"53300", "too-many-connections", "5", true},
    {"53", "insufficient-resources", "10", true},
    {"25006", "read-only", "10", true},
    {"57P03", "cannot-connect-now", "5", false},
    {"58030", "io-error", "10", true},
    {"58000", "system-error", "10", true},
};

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum db_status db_classify(struct db_session *s, PGresult *res)
{
    ExecStatusType rs = PQresultStatus(res);
    if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK)
        return DB_OK;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    if (!state)
        state = "";
    enum db_status st = DB_ERROR;
    const struct db_fault *fault = NULL;
    for (size_t i = 0; i < sizeof(db_faults) / sizeof(db_faults[0]) && !fault; i++)
        if (starts(state, db_faults[i].state))
            fault = &db_faults[i];
    if (fault)
        st = DB_FAULT;
    else if (strcmp(state, "57014") == 0 || starts(state, "08") ||
             strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0)
        st = DB_DOWN;
    else if (strcmp(state, "23P01") == 0 || strcmp(state, "23505") == 0)
        st = DB_CONFLICT;
    else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        st = DB_RETRY;
    else if (starts(state, "23") || starts(state, "22"))
        st = DB_INVALID;
    fail_set(s, st, state, PQresultErrorMessage(res));
    if (constraint)
        snprintf(s->fail.constraint, sizeof(s->fail.constraint), "%s", constraint);
    if (fault) {
        s->fail.fault = fault->reason;
        s->fail.retry_after = fault->retry_after;
        if (fault->remember)
            db_pool_note_fault(s->pool, fault->reason);
        /* a session opened read-only stays so: the next checkout opens a fresh one */
        if (strcmp(state, "25006") == 0 && s->conn)
            db_discard(s->conn);
    }
    return st;
}

enum db_status db_query(struct db_session *s, struct db_stmt *st, const char *const *values,
                        PGresult **out)
{
    *out = NULL;
    enum db_status rc = db_session_conn(s);
    if (rc != DB_OK)
        return rc;
    PGresult *res = db_exec(s->pool, s->conn, st, values);
    if (!res) {
        fail_set(s, DB_DOWN, NULL, "connection lost");
        return DB_DOWN;
    }
    rc = db_classify(s, res);
    if (rc == DB_OK)
        *out = res;
    else
        PQclear(res);
    return rc;
}

enum db_status db_run(struct db_session *s, struct db_stmt *st, const char *const *values)
{
    PGresult *res;
    enum db_status rc = db_query(s, st, values, &res);
    PQclear(res);
    return rc;
}

enum db_status db_query_text(struct db_session *s, struct db_stmt *st,
                             const char *const *values, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    PGresult *res;
    enum db_status rc = db_query(s, st, values, &res);
    if (rc != DB_OK)
        return rc;
    if (PQntuples(res) < 1 || PQnfields(res) < 1 || PQgetisnull(res, 0, 0)) {
        rc = DB_NOT_FOUND;
    } else {
        *len = (size_t)PQgetlength(res, 0, 0);
        *text = xmalloc(*len + 1);
        memcpy(*text, PQgetvalue(res, 0, 0), *len + 1);
    }
    PQclear(res);
    return rc;
}

enum db_status db_query_text1(struct db_session *s, struct db_stmt *st, const char *a,
                              char **text, size_t *len)
{
    const char *v[] = {a};
    return db_query_text(s, st, v, text, len);
}

enum db_status db_query_text2(struct db_session *s, struct db_stmt *st, const char *a,
                              const char *b, char **text, size_t *len)
{
    const char *v[] = {a, b};
    return db_query_text(s, st, v, text, len);
}

enum db_status db_query_one(struct db_session *s, struct db_stmt *st, const char *const *values,
                            PGresult **out)
{
    PGresult *res;
    enum db_status rc = db_query(s, st, values, &res);
    if (rc == DB_OK && PQntuples(res) != 1)
        rc = DB_NOT_FOUND;
    if (rc != DB_OK || !out) {
        PQclear(res);
        res = NULL;
    }
    if (out)
        *out = res;
    return rc;
}

enum db_status db_query_one1(struct db_session *s, struct db_stmt *st, const char *a,
                             PGresult **out)
{
    const char *v[] = {a};
    return db_query_one(s, st, v, out);
}

enum db_status db_query_one2(struct db_session *s, struct db_stmt *st, const char *a,
                             const char *b)
{
    const char *v[] = {a, b};
    return db_query_one(s, st, v, NULL);
}

enum db_status db_query_each(struct db_session *s, struct db_stmt *st,
                             const char *const *values, db_row_fn each, void *ctx, int *rows)
{
    PGresult *res;
    enum db_status rc = db_query(s, st, values, &res);
    db_rows_visit(res, each, ctx, rows);
    return rc;
}

enum db_status db_command_status(struct db_session *s, const char *sql)
{
    enum db_status rc = db_session_conn(s);
    if (rc != DB_OK)
        return rc;
    PGresult *res = db_command(s->pool, s->conn, sql);
    if (!res) {
        fail_set(s, DB_DOWN, NULL, "connection lost");
        return DB_DOWN;
    }
    rc = db_classify(s, res);
    PQclear(res);
    return rc;
}

static void rollback(struct db_session *s)
{
    if (s->conn && PQtransactionStatus(s->conn->pg) != PQTRANS_IDLE) {
        PGresult *res = db_command(s->pool, s->conn, "ROLLBACK");
        PQclear(res);
    }
}

void db_session_rollback(struct db_session *s)
{
    rollback(s);
}

/* A random pause before running the work again: 1 to 5 ms times the attempt, so that
 * two transactions that collided do not collide again in step. */
static void retry_pause(int attempt)
{
    long ms = (long)(1 + randombytes_uniform(5)) * attempt;
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

enum db_status db_tx(struct db_session *s, db_work work, void *ctx)
{
    enum db_status rc = DB_RETRY;
    for (int attempt = 1; attempt <= DB_TX_ATTEMPTS && rc == DB_RETRY; attempt++) {
        if (attempt > 1) {
            s->retries++;
            atomic_fetch_add(&tx_retries, 1);
            retry_pause(attempt - 1);
        }
        rc = db_command_status(s, "BEGIN");
        if (rc != DB_OK)
            break;
        rc = work(s, ctx);
        if (rc == DB_OK)
            rc = db_command_status(s, "COMMIT");
        if (rc != DB_OK)
            rollback(s);
    }
    if (rc == DB_RETRY)
        log_warn("a transaction met %d serialization failures or deadlocks in a row",
                 DB_TX_ATTEMPTS);
    return rc;
}

enum db_status db_query_retried(struct db_session *s, struct db_stmt *st,
                                const char *const *values, PGresult **out)
{
    enum db_status rc = db_query(s, st, values, out);
    for (int attempt = 2; attempt <= DB_TX_ATTEMPTS && rc == DB_RETRY; attempt++) {
        s->retries++;
        atomic_fetch_add(&tx_retries, 1);
        retry_pause(attempt - 1);
        rc = db_query(s, st, values, out);
    }
    return rc;
}

long db_tx_retry_count(void)
{
    return atomic_load(&tx_retries);
}
