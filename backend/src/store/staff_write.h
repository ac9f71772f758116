/* The shape most writes of the staff's directory take: one statement that returns the
 * id of the row it wrote (none: DB_NOT_FOUND), and its audit row, in one transaction. */
#ifndef CLINICD_STORE_STAFF_WRITE_H
#define CLINICD_STORE_STAFF_WRITE_H

#include "db/session.h"
#include "store/audit.h"

struct staff_write {
    struct db_stmt *st;        /* RETURNING id (text) */
    const char *const *values; /* st's parameters */
    struct audit_entry *audit; /* appended after st; NULL for none */
    char *id;                  /* NULL, or 40 bytes: the id st returned, which is also
                                * audit's resource_id then */
};
enum db_status store_staff_write(struct db_session *s, struct staff_write *w);

#include "util/banned.h"
#endif
