/* The outbox's gauges for /metrics. */
#include "store/metrics.h"

#include <stdlib.h>

DB_STMT(st_outbox,
        "SELECT (SELECT count(*) FROM notifications WHERE status = 'pending'),"
        " (SELECT count(*) FROM notifications WHERE status = 'sending'),"
        " (SELECT count(*) FROM notifications WHERE status = 'failed'),"
        " (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM notifications"
        "  WHERE status = 'pending')",
        0);

enum db_status store_metrics_outbox(struct db_session *s, struct outbox_gauges *out)
{
    enum db_status st = db_session_conn(s);
    if (st != DB_OK)
        return st;
    /* db_exec, not db_query: a scrape's read notes no fault for readiness (as before) */
    PGresult *res = db_exec(s->pool, s->conn, &st_outbox, NULL);
    st = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ? DB_OK : DB_ERROR;
    if (st == DB_OK) {
        out->pending = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        out->sending = strtol(PQgetvalue(res, 0, 1), NULL, 10);
        out->failed = strtol(PQgetvalue(res, 0, 2), NULL, 10);
        out->oldest_pending_s = strtod(PQgetvalue(res, 0, 3), NULL);
    }
    PQclear(res);
    return st;
}
