/* What the FHIR facade's statements share (store/fhir_*.c only): SQL fragments and the
 * visit of a result's rows. */
#ifndef CLINICD_STORE_FHIR_SQL_H
#define CLINICD_STORE_FHIR_SQL_H

#include "db/session.h"
#include "store/fhir_rows.h"

#define UTC_INSTANT(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* $n holds groups of values as JSON ([["a", "b"], ["c"]]): every group must have a
 * value gv.val for which match holds. */
#define ALL_GROUPS(n, match)                                                                \
    " AND (" n "::jsonb IS NULL OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(" n       \
    "::jsonb) AS grp(vals) WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text("       \
    "grp.vals) AS gv(val) WHERE " match ")))"

#define HAS_LOCATION                                                                        \
    " EXISTS (SELECT 1 FROM practitioner_locations pl0 JOIN locations l0"                   \
    "   ON l0.id = pl0.location_id WHERE pl0.practitioner_id = p.id AND l0.active)"

/* Where a statement's columns are (-1: it has none). */
struct fhir_cols {
    int resource, hours, key, id, distance;
};

/* Runs st with values and calls each for every row, the members at cols. */
enum db_status fhir_rows_query(struct db_session *s, struct db_stmt *st,
                               const char *const *values, const struct fhir_cols *cols,
                               fhir_row_fn each, void *ctx);

#include "util/banned.h"
#endif
