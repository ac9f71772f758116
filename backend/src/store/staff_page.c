/* A keyset page of the staff's lists. */
#include "store/staff_page.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "domain/cursor.h"
#include "util/buf.h"

/* The cursor after row n - 1 into next (CURSOR_MAX_TEXT bytes). */
static void next_cursor(PGresult *res, int n, char kind, int key_col, int id_col, char *next)
{
    if (!kind) {
        snprintf(next, CURSOR_MAX_TEXT, "%s", PQgetvalue(res, n - 1, key_col));
        return;
    }
    struct cursor nc = {.kind = kind};
    snprintf(nc.key, sizeof(nc.key), "%s", PQgetvalue(res, n - 1, key_col));
    snprintf(nc.id, sizeof(nc.id), "%s", PQgetvalue(res, n - 1, id_col));
    if (cursor_encode(&nc, next, CURSOR_MAX_TEXT) < 0)
        next[0] = '\0';
}

void staff_page_items(struct buf *b, PGresult *res, int n)
{
    buf_puts(b, "{\"items\":[");
    for (int i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        buf_append(b, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0));
    }
}

/* The page of res's rows: at most limit of them, the extra one saying there is more. */
static void staff_page_make(PGresult *res, long limit, char kind, int key_col, int id_col,
                            struct staff_page *out)
{
    int n = PQntuples(res);
    char next[CURSOR_MAX_TEXT] = "";
    if (n > limit) {
        n = (int)limit;
        next_cursor(res, n, kind, key_col, id_col, next);
    }
    struct buf b;
    buf_init(&b, 0);
    staff_page_items(&b, res, n);
    buf_puts(&b, "],\"next_cursor\":");
    json_t *s = next[0] ? json_string(next) : NULL;
    char *enc = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    buf_puts(&b, enc ? enc : "null");
    free(enc);
    json_decref(s);
    buf_putc(&b, '}');
    out->count = n;
    out->json = buf_detach(&b, &out->len);
}

void staff_page_limit(long limit, char *text)
{
    snprintf(text, STAFF_PAGE_LIMIT_TEXT, "%ld", limit + 1);
}

enum db_status staff_page_query(struct db_session *s, struct db_stmt *st,
                                const char *const *values, long limit, char kind, int key_col,
                                int id_col, struct staff_page *out)
{
    PGresult *res;
    enum db_status rc = db_query(s, st, values, &res);
    if (rc == DB_OK)
        staff_page_make(res, limit, kind, key_col, id_col, out);
    PQclear(res);
    return rc;
}
