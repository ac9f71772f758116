/* The visit of a FHIR statement's rows (store/fhir_sql.h). */
#include "store/fhir_sql.h"

#include <stddef.h>

static const char *col(const PGresult *res, int row, int c)
{
    return c < 0 || c >= PQnfields(res) || PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
}

/* A visit of a FHIR statement's rows: where the members are, the caller's function. */
struct fhir_visit {
    const struct fhir_cols *cols;
    fhir_row_fn each;
    void *ctx;
};

static bool fhir_row(void *ctx, const PGresult *res, int i, int n)
{
    const struct fhir_visit *v = ctx;
    struct fhir_row row = {i,
                           n,
                           col(res, i, v->cols->resource),
                           col(res, i, v->cols->hours),
                           col(res, i, v->cols->key),
                           col(res, i, v->cols->id),
                           col(res, i, v->cols->distance)};
    v->each(v->ctx, &row);
    return true;
}

enum db_status fhir_rows_query(struct db_session *s, struct db_stmt *st,
                               const char *const *values, const struct fhir_cols *cols,
                               fhir_row_fn each, void *ctx)
{
    struct fhir_visit v = {cols, each, ctx};
    return db_query_each(s, st, values, fhir_row, &v, NULL);
}
