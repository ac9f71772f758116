/* A visit of a result's rows, the same for the pool's sessions (db/session.h) and the
 * commands' direct connections (db/direct.h). */
#ifndef CLINICD_DB_ROWS_H
#define CLINICD_DB_ROWS_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Called for row `row` of the `rows` rows of a result, in order; false stops the visit. */
typedef bool (*db_row_fn)(void *ctx, const PGresult *res, int row, int rows);

/* Hands each row of res (NULL: none) to each(ctx, ...) until it says stop, says in
 * *rows (when not NULL) how many rows res had, and clears res. */
void db_rows_visit(PGresult *res, db_row_fn each, void *ctx, int *rows);

#include "util/banned.h"
#endif
