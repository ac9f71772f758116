/* The visit of a FHIR statement's rows (store/fhir_sql.h). */
#include "store/fhir_sql.h"

#include <stddef.h>

static const char *col(PGresult *res, int row, int c)
{
    return c < 0 || c >= PQnfields(res) || PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
}

enum db_status fhir_rows_query(struct db_session *s, struct db_stmt *st,
                               const char *const *values, const struct fhir_cols *cols,
                               fhir_row_fn each, void *ctx)
{
    PGresult *res;
    enum db_status rc = db_query(s, st, values, &res);
    if (rc != DB_OK)
        return rc;
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        struct fhir_row row = {i,
                               n,
                               col(res, i, cols->resource),
                               col(res, i, cols->hours),
                               col(res, i, cols->key),
                               col(res, i, cols->id),
                               col(res, i, cols->distance)};
        each(ctx, &row);
    }
    PQclear(res);
    return DB_OK;
}
