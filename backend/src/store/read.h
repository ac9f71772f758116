/* A read that answers JSON text PostgreSQL builds (a list page, one row): its
 * statement, and the one function that runs any of them.  The files of store/ each
 * give theirs as a value (store_hours_list, store_locations_get, ...), said with its
 * parameters in their headers. */
#ifndef CLINICD_STORE_READ_H
#define CLINICD_STORE_READ_H

#include <stddef.h>

#include "db/session.h"

struct store_read {
    struct db_stmt *st; /* one or two text parameters */
};

/* Runs rd with a (and b, when its statement takes two); the JSON malloc'd into *json
 * (the caller frees it) with its length; DB_NOT_FOUND when there is no row. */
enum db_status store_read_json(struct db_session *s, const struct store_read *rd, const char *a,
                               const char *b, char **json, size_t *len);

#include "util/banned.h"
#endif
