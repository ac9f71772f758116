/* A keyset page of the staff's lists (practitioners, undelivered mail, the audit
 * log) as the JSON body {"items": [...], "next_cursor": ...}. */
#ifndef CLINICD_STORE_STAFF_PAGE_H
#define CLINICD_STORE_STAFF_PAGE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "db/session.h"
#include "util/buf.h"

/* A page: json (malloc'd, the caller frees it) and how many items it holds. */
struct staff_page {
    char *json;
    size_t len;
    int count;
};

/* A page statement's LIMIT parameter: limit + 1 as text (the extra row says there is
 * more), into text (STAFF_PAGE_LIMIT_TEXT bytes). */
#define STAFF_PAGE_LIMIT_TEXT 24
void staff_page_limit(long limit, char *text);

/* Runs st, whose LIMIT parameter is staff_page_limit's, and makes out of its rows:
 * each item's JSON text in column 0.  The next cursor is of the given kind
 * (domain/cursor.h) made of the last item's columns key_col and id_col; kind 0: column
 * key_col's text as it is.  null when there is no more.  out is untouched unless DB_OK. */
enum db_status staff_page_query(struct db_session *s, struct db_stmt *st,
                                const char *const *values, long limit, char kind, int key_col,
                                int id_col, struct staff_page *out);

/* Appends {"items":[ and the JSON texts of column 0 of res's first n rows, comma
 * separated, to b: the caller closes the array and the object. */
void staff_page_items(struct buf *b, PGresult *res, int n);

#include "util/banned.h"
#endif
