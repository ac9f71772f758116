/* A keyset page of the staff's lists (practitioners, undelivered mail, the audit
 * log) as the JSON body {"items": [...], "next_cursor": ...}. */
#ifndef CLINICD_STORE_STAFF_PAGE_H
#define CLINICD_STORE_STAFF_PAGE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "util/buf.h"

/* A page: json (malloc'd, the caller frees it) and how many items it holds. */
struct staff_page {
    char *json;
    size_t len;
    int count;
};

/* res holds up to limit + 1 rows (the extra one says there is more), each item's
 * JSON text in column 0.  The next cursor is of the given kind (domain/cursor.h) made
 * of the last item's columns key_col and id_col; kind 0: column key_col's text as it
 * is.  null when there is no more. */
void staff_page_make(PGresult *res, long limit, char kind, int key_col, int id_col,
                     struct staff_page *out);

/* Appends {"items":[ and the JSON texts of column 0 of res's first n rows, comma
 * separated, to b: the caller closes the array and the object. */
void staff_page_items(struct buf *b, PGresult *res, int n);

#include "util/banned.h"
#endif
