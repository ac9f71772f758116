/* A command's own connection: connect, run a statement, say why it failed. */
#include "db/direct.h"

#include <stdio.h>
#include <string.h>

static void fail(struct db_direct *d, enum db_status st, const char *state, const char *message)
{
    d->status = st;
    snprintf(d->sqlstate, sizeof(d->sqlstate), "%s", state ? state : "");
    snprintf(d->message, sizeof(d->message), "%s", message ? message : "");
}

bool db_direct_open(struct db_direct *d, const char *conninfo, long connect_timeout_s)
{
    memset(d, 0, sizeof(*d));
    if (connect_timeout_s > 0) {
        char timeout[24];
        snprintf(timeout, sizeof(timeout), "%ld", connect_timeout_s);
        const char *const keys[] = {"dbname", "connect_timeout", NULL};
        const char *const values[] = {conninfo, timeout, NULL};
        d->pg = PQconnectdbParams(keys, values, 1);
    } else {
        d->pg = PQconnectdb(conninfo);
    }
    if (PQstatus(d->pg) == CONNECTION_OK)
        return true;
    fail(d, DB_DOWN, NULL, PQerrorMessage(d->pg));
    return false;
}

void db_direct_close(struct db_direct *d)
{
    if (d->pg)
        PQfinish(d->pg);
    d->pg = NULL;
}

bool db_direct_alive(const struct db_direct *d)
{
    return d->pg && PQstatus(d->pg) == CONNECTION_OK;
}

static enum db_status classify(const char *state)
{
    if (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0)
        return DB_CONFLICT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return DB_RETRY;
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0)
        return DB_DOWN;
    return DB_ERROR;
}

enum db_status db_direct_exec(struct db_direct *d, const char *sql, int n,
                              const char *const *values, PGresult **out)
{
    if (out)
        *out = NULL;
    PGresult *res = PQexecParams(d->pg, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType rs = PQresultStatus(res);
    if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK) {
        if (out)
            *out = res;
        else
            PQclear(res);
        return DB_OK;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    enum db_status st = !res || PQstatus(d->pg) != CONNECTION_OK ? DB_DOWN
                                                                  : classify(state ? state : "");
    fail(d, st, state, res ? PQresultErrorMessage(res) : PQerrorMessage(d->pg));
    PQclear(res);
    return st;
}

enum db_status db_direct_each(struct db_direct *d, const char *sql, int n,
                              const char *const *values, db_row_fn each, void *ctx, int *rows)
{
    PGresult *res;
    enum db_status rc = db_direct_exec(d, sql, n, values, &res);
    db_rows_visit(res, each, ctx, rows);
    return rc;
}
