/* A staff write and its audit row, in one transaction. */
#include "store/staff_write.h"

#include <stdio.h>

static enum db_status staff_write_work(struct db_session *s, void *ctx)
{
    struct staff_write *w = ctx;
    PGresult *res;
    enum db_status rc = db_query_one(s, w->st, w->values, &res);
    if (rc == DB_OK && w->id) {
        snprintf(w->id, 40, "%s", PQgetvalue(res, 0, 0));
        if (w->audit)
            w->audit->resource_id = w->id;
    }
    PQclear(res);
    if (rc == DB_OK && w->audit)
        rc = store_audit_append(s, w->audit);
    return rc;
}

enum db_status store_staff_write(struct db_session *s, struct staff_write *w)
{
    return db_tx(s, staff_write_work, w);
}
