/* The SQL of the directory index keeper (see directory_index.h). */
#include "store/directory_index.h"

#include <stdio.h>
#include <stdlib.h>

#define CARD_COLUMNS                                                                         \
    "SELECT pc.practitioner_id, pc.location_id, ST_Y(pc.geog::geometry),"                    \
    " ST_X(pc.geog::geometry), pc.profession_id, pc.technique_ids::text,"                    \
    " pc.condition_ids::text, pc.languages::text, pc.accepting_new, pc.home_visits,"        \
    " pc.sliding_scale, pc.wheelchair_accessible, pc.timezone,"                              \
    " (SELECT coalesce(string_agg(s.duration_minutes || ':' || s.price_cents, ','), '')"    \
    "  FROM practitioner_services x JOIN services s ON s.id = x.service_id"                  \
    "  WHERE x.practitioner_id = pc.practitioner_id AND s.active)"                           \
    " FROM practitioner_cards pc"

/* A visit of CARD_COLUMNS rows: the caller's function, and where the last row's
 * practitioner goes (when not NULL). */
struct card_visit {
    store_card_fn fn;
    void *ctx;
    char *last_id;
};

/* Hands a CARD_COLUMNS row to the caller's function (db_row_fn). */
static bool card_row(void *ctx, const PGresult *res, int i, int rows)
{
    const struct card_visit *v = ctx;
    if (v->last_id && i == rows - 1)
        snprintf(v->last_id, 40, "%s", PQgetvalue(res, i, 0));
    const struct store_card_row row = {
        .practitioner_id = PQgetvalue(res, i, 0),
        .location_id = PQgetvalue(res, i, 1),
        .lat = strtod(PQgetvalue(res, i, 2), NULL),
        .lon = strtod(PQgetvalue(res, i, 3), NULL),
        .profession = (int)strtol(PQgetvalue(res, i, 4), NULL, 10),
        .technique_ids = PQgetvalue(res, i, 5),
        .condition_ids = PQgetvalue(res, i, 6),
        .languages = PQgetvalue(res, i, 7),
        .accepting_new = PQgetvalue(res, i, 8)[0] == 't',
        .home_visits = PQgetvalue(res, i, 9)[0] == 't',
        .sliding_scale = PQgetvalue(res, i, 10)[0] == 't',
        .wheelchair_accessible = PQgetvalue(res, i, 11)[0] == 't',
        .timezone = PQgetvalue(res, i, 12),
        .services = PQgetvalue(res, i, 13),
    };
    return v->fn(&row, v->ctx);
}

/* Runs st with $1 first and $2 limit, each row to each. */
static enum db_status query_limited(struct db_session *s, struct db_stmt *st, const char *first,
                                    int limit, db_row_fn each, void *ctx, size_t *rows)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *v[] = {first, lim};
    int n = 0;
    enum db_status rc = db_query_each(s, st, v, each, ctx, &n);
    *rows = (size_t)n;
    return rc;
}

DB_STMT(st_card_count, "SELECT count(DISTINCT practitioner_id), count(*) FROM practitioner_cards",
        0);

enum db_status store_directory_card_count(struct db_session *s, size_t *practitioners,
                                          size_t *cards)
{
    PGresult *res;
    enum db_status st = db_query(s, &st_card_count, NULL, &res);
    if (st != DB_OK)
        return st;
    *practitioners = strtoul(PQgetvalue(res, 0, 0), NULL, 10);
    *cards = strtoul(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    return DB_OK;
}

DB_STMT(st_cards_after,
        CARD_COLUMNS " WHERE pc.practitioner_id IN (SELECT DISTINCT practitioner_id"
        " FROM practitioner_cards WHERE practitioner_id > $1::uuid ORDER BY 1 LIMIT $2::int)"
        " ORDER BY pc.practitioner_id, pc.location_id",
        2);

enum db_status store_directory_cards_after(struct db_session *s, const char *after, int limit,
                                           store_card_fn fn, void *ctx, size_t *rows,
                                           char *last_id)
{
    struct card_visit v = {fn, ctx, last_id};
    return query_limited(s, &st_cards_after, after, limit, card_row, &v, rows);
}

DB_STMT(st_cards_of,
        CARD_COLUMNS " WHERE pc.practitioner_id = ANY ($1::uuid[])"
        " ORDER BY pc.practitioner_id, pc.location_id",
        1);

enum db_status store_directory_cards_of(struct db_session *s, const char *ids, store_card_fn fn,
                                        void *ctx)
{
    const char *v[] = {ids};
    struct card_visit visit = {fn, ctx, NULL};
    return db_query_each(s, &st_cards_of, v, card_row, &visit, NULL);
}

DB_STMT(st_xmin, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text", 0);

enum db_status store_directory_xmin(struct db_session *s, char *xmin)
{
    PGresult *res;
    enum db_status st = db_query(s, &st_xmin, NULL, &res);
    if (st != DB_OK)
        return st;
    snprintf(xmin, 32, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return DB_OK;
}

/* The oldest transaction still running, and the log rows of transactions from $1 on.
 * (In txid order, the index's: ordered by seq, a generic plan walked the whole log's
 * primary key and filtered every row out, 12 ms a poll at 66,000 rows.  The order of
 * the rows does not matter: more than $2 - 1 of them means reading everything.) */
DB_STMT(st_changes,
        "SELECT x.xmin::text, c.kind, c.practitioner_id, c.booked_from, c.booked_to"
        " FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) x"
        " LEFT JOIN LATERAL (SELECT d.kind, d.practitioner_id, d.booked_from, d.booked_to"
        "   FROM directory_changes d"
        "   WHERE d.txid >= $1::xid8 ORDER BY d.txid LIMIT $2::int) c ON true",
        2);

/* A visit of st_changes rows: the caller's function and where the xmin goes. */
struct change_visit {
    store_change_fn fn;
    void *ctx;
    char *next_xmin;
};

/* Hands a st_changes row to the caller's function (db_row_fn); the first row brings
 * the xmin, and alone with no change when there is none (the LEFT JOIN's empty row). */
static bool change_row(void *ctx, const PGresult *res, int i, int rows)
{
    (void)rows;
    const struct change_visit *v = ctx;
    if (i == 0)
        snprintf(v->next_xmin, 32, "%s", PQgetvalue(res, 0, 0));
    if (PQgetisnull(res, i, 1))
        return true;
    struct store_change_row row = {
        .kind = PQgetvalue(res, i, 1)[0],
        .practitioner_id = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2),
        .has_booked = !PQgetisnull(res, i, 3) && !PQgetisnull(res, i, 4),
    };
    if (row.has_booked) {
        row.booked_from = strtoll(PQgetvalue(res, i, 3), NULL, 10);
        row.booked_to = strtoll(PQgetvalue(res, i, 4), NULL, 10);
    }
    v->fn(&row, v->ctx);
    return true;
}

enum db_status store_directory_changes(struct db_session *s, const char *xmin, int limit,
                                       store_change_fn fn, void *ctx, char *next_xmin,
                                       size_t *rows)
{
    struct change_visit v = {fn, ctx, next_xmin};
    return query_limited(s, &st_changes, xmin, limit, change_row, &v, rows);
}

DB_STMT(st_changes_trim, "DELETE FROM directory_changes WHERE at < now() - interval '10 minutes'",
        0);

enum db_status store_directory_changes_trim(struct db_session *s)
{
    return db_run(s, &st_changes_trim, NULL);
}

DB_STMT(st_items,
        "SELECT pc.practitioner_id, pc.location_id, pc.item"
        " FROM unnest($1::uuid[], $2::uuid[]) AS u(p, l)"
        " JOIN practitioner_cards pc ON pc.practitioner_id = u.p AND pc.location_id = u.l",
        2);

/* A visit of st_items rows: the caller's function. */
struct item_visit {
    store_item_fn fn;
    void *ctx;
};

static bool item_row(void *ctx, const PGresult *res, int k, int rows)
{
    (void)rows;
    const struct item_visit *v = ctx;
    v->fn(PQgetvalue(res, k, 0), PQgetvalue(res, k, 1), PQgetvalue(res, k, 2),
          (size_t)PQgetlength(res, k, 2), v->ctx);
    return true;
}

enum db_status store_directory_items(struct db_session *s, const char *practitioner_ids,
                                     const char *location_ids, store_item_fn fn, void *ctx)
{
    const char *v[] = {practitioner_ids, location_ids};
    struct item_visit visit = {fn, ctx};
    return db_query_each(s, &st_items, v, item_row, &visit, NULL);
}
