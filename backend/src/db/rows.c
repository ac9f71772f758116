/* The visit of a result's rows (see rows.h). */
#include "db/rows.h"

#include <stddef.h>

void db_rows_visit(PGresult *res, db_row_fn each, void *ctx, int *rows)
{
    int n = res ? PQntuples(res) : 0;
    for (int i = 0; i < n; i++)
        if (!each(ctx, res, i, n))
            break;
    if (rows)
        *rows = n;
    PQclear(res);
}
