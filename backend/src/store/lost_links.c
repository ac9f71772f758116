/* Lost links in PostgreSQL (store/lost_links.h). */
#include "store/lost_links.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* --- the request ---------------------------------------------------------------------- */

/* One request at a time per contact key, so that the count below is exact. */
DB_STMT(st_lock,
        "SELECT pg_advisory_xact_lock(hashtextextended('clinicd.lost_links:' || contact_key($1),"
        " 0))",
        1);

/* The key's requests of the last hour; below the limit, the outbox row.  Returns the
 * rows written (0 or 1) and, when limited, the seconds until the oldest leaves the hour. */
DB_STMT(st_request,
        "WITH recent AS (SELECT count(*) AS n, min(created_at) AS oldest FROM notifications"
        "   WHERE kind = 'lost_links' AND contact_key = contact_key($1)"
        "   AND created_at > now() - interval '1 hour'),"
        " ins AS (INSERT INTO notifications (clinic_id, kind, recipient, dedupe_key)"
        "   SELECT NULL::uuid, 'lost_links', $1, 'lost_links:' || gen_random_uuid() FROM recent"
        "   WHERE n < $2::int RETURNING id)"
        " SELECT (SELECT count(*) FROM ins), greatest(1, ceil(extract(epoch FROM"
        "   oldest + interval '1 hour' - now())))::bigint FROM recent",
        2);

struct request_ctx {
    const char *email;
    char per_hour[24];
    struct audit_entry *audit;
    long retry_after;
};

static enum db_status request_work(struct db_session *s, void *arg)
{
    struct request_ctx *c = arg;
    const char *v[] = {c->email, c->per_hour};
    PGresult *res = NULL;
    enum db_status st = db_query_one(s, &st_lock, v, NULL);
    if (st == DB_OK)
        st = db_query_one(s, &st_request, v, &res);
    if (st != DB_OK)
        return st;
    bool written = strtol(PQgetvalue(res, 0, 0), NULL, 10) > 0;
    c->retry_after = written ? 0 : strtol(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    c->audit->outcome = written ? "success" : "denied";
    return store_audit_append(s, c->audit);
}

enum db_status store_lost_links_request(struct db_session *s, const char *email, long per_hour,
                                        struct audit_entry *audit, long *retry_after_s)
{
    struct request_ctx c = {.email = email, .audit = audit};
    snprintf(c.per_hour, sizeof(c.per_hour), "%ld", per_hour);
    enum db_status st = db_tx(s, request_work, &c);
    *retry_after_s = c.retry_after;
    return st;
}

/* --- the holder check ----------------------------------------------------------------- */

DB_STMT(st_check,
        "SELECT 1 FROM lost_link_tokens WHERE token_hash = $1::bytea AND expires_at > now()"
        " AND (booking_id = $2::uuid OR series_id = $3::uuid)",
        3);

enum db_status store_lost_link_check(struct db_session *s, const char *token_hash,
                                     const char *booking_id, const char *series_id)
{
    const char *v[] = {token_hash, booking_id, series_id};
    return db_query_one(s, &st_check, v, NULL);
}

/* --- the worker's side ------------------------------------------------------------------ */

static const char *const sql_held =
    "SELECT id, recipient::text FROM notifications WHERE lease_token = $1::uuid"
    " AND status = 'sending' AND kind = 'lost_links' ORDER BY created_at, id";

/* One held row into out (db_row_fn); the arrays are made at the first. */
static bool held_row(void *ctx, const PGresult *res, int i, int n)
{
    struct lost_links_rows *out = ctx;
    if (i == 0) {
        out->id = xcalloc((size_t)n + 1, sizeof(*out->id));
        out->recipient = xcalloc((size_t)n + 1, sizeof(*out->recipient));
    }
    snprintf(out->id[i], sizeof(out->id[i]), "%s", PQgetvalue(res, i, 0));
    out->recipient[i] = xstrdup(PQgetvalue(res, i, 1));
    out->n = i + 1;
    return true;
}

enum db_status store_lost_links_held(struct db_direct *d, const char *token,
                                     struct lost_links_rows *out)
{
    const char *v[] = {token};
    *out = (struct lost_links_rows){0};
    return db_direct_each(d, sql_held, 1, v, held_row, out, NULL);
}

void lost_links_rows_release(struct lost_links_rows *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->recipient[i]);
    free(r->recipient);
    free(r->id);
    *r = (struct lost_links_rows){0};
}

/* One row per single booking and per plan (its next open session), soonest first.  The
 * contact key finds the candidates by index; the address itself must match (case
 * ignored): "name+tag@" is probably, not certainly, the same mailbox. */
static const char *const sql_find =
    "SELECT * FROM (SELECT DISTINCT ON (coalesce(b.series_id, b.id)) b.id, b.series_id,"
    "  p.name, s.name, c.name, c.phone, l.address || ', ' || l.city, l.timezone,"
    "  extract(epoch FROM lower(b.during))::bigint,"
    "  CASE WHEN b.series_id IS NULL THEN 0 ELSE (SELECT count(*) FROM bookings x"
    "    WHERE x.series_id = b.series_id AND x.status = 'booked'"
    "    AND upper(x.during) > now()) END,"
    "  coalesce(b.patient_tz, (SELECT z.patient_tz FROM booking_series z"
    "    WHERE z.id = b.series_id)), l.country"
    "  FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id"
    "  JOIN services s ON s.id = b.service_id JOIN clinics c ON c.id = b.clinic_id"
    "  JOIN locations l ON l.id = b.location_id"
    "  WHERE b.contact = contact_key($1) AND b.patient_email = $1::citext"
    "  AND b.status = 'booked' AND upper(b.during) > now()"
    "  ORDER BY coalesce(b.series_id, b.id), lower(b.during)) found"
    " ORDER BY 9, 1 LIMIT $2::int";

static char *col(const PGresult *res, int i, int c, bool nullable)
{
    return nullable && PQgetisnull(res, i, c) ? NULL : xstrdup(PQgetvalue(res, i, c));
}

/* One found booking or plan into out (db_row_fn); the array is made at the first. */
static bool found_row(void *ctx, const PGresult *res, int i, int n)
{
    struct lost_links_found *out = ctx;
    if (i == 0)
        out->items = xcalloc((size_t)n + 1, sizeof(*out->items));
    out->items[i] = (struct lost_link_found){
        .booking_id = col(res, i, 0, false),
        .series_id = col(res, i, 1, true),
        .practitioner_name = col(res, i, 2, false),
        .service_name = col(res, i, 3, false),
        .clinic_name = col(res, i, 4, false),
        .clinic_phone = col(res, i, 5, true),
        .address = col(res, i, 6, false),
        .tz = col(res, i, 7, false),
        .start = strtoll(PQgetvalue(res, i, 8), NULL, 10),
        .sessions = (int)strtol(PQgetvalue(res, i, 9), NULL, 10),
        .patient_tz = col(res, i, 10, true),
        .country = col(res, i, 11, false),
    };
    out->n = i + 1;
    return true;
}

enum db_status store_lost_links_find(struct db_direct *d, const char *email,
                                     struct lost_links_found *out)
{
    char max[24];
    snprintf(max, sizeof(max), "%d", LOST_LINKS_MAX_ITEMS);
    const char *v[] = {email, max};
    *out = (struct lost_links_found){0};
    return db_direct_each(d, sql_find, 2, v, found_row, out, NULL);
}

void lost_links_found_release(struct lost_links_found *f)
{
    for (int i = 0; i < f->n; i++) {
        struct lost_link_found *it = &f->items[i];
        char *all[] = {it->booking_id,   it->series_id,    it->practitioner_name,
                       it->service_name, it->clinic_name,  it->clinic_phone,
                       it->address,      it->tz,           it->patient_tz,
                       it->country};
        for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
            free(all[k]);
    }
    free(f->items);
    *f = (struct lost_links_found){0};
}

static const char *const sql_insert =
    "INSERT INTO lost_link_tokens (token_hash, booking_id, series_id, notification_id,"
    " expires_at) VALUES ($1::bytea, $2::uuid, $3::uuid, $4::uuid,"
    " now() + make_interval(days => $5::int))";
static const char *const sql_prune =
    "DELETE FROM lost_link_tokens WHERE expires_at < now() - interval '1 day'";

enum db_status store_lost_links_save(struct db_direct *d, const char *request,
                                     const struct lost_links_found *f, char *const *hashes)
{
    char days[24];
    snprintf(days, sizeof(days), "%d", LOST_LINKS_VALID_DAYS);
    enum db_status st = db_direct_exec(d, "BEGIN", 0, NULL, NULL);
    if (st == DB_OK)
        st = db_direct_exec(d, sql_prune, 0, NULL, NULL);
    for (int i = 0; i < f->n && st == DB_OK; i++) {
        const struct lost_link_found *it = &f->items[i];
        const char *v[] = {hashes[i], it->series_id ? NULL : it->booking_id, it->series_id,
                           request, days};
        st = db_direct_exec(d, sql_insert, 5, v, NULL);
    }
    if (st == DB_OK)
        st = db_direct_exec(d, "COMMIT", 0, NULL, NULL);
    if (st != DB_OK && db_direct_alive(d))
        (void)db_direct_exec(d, "ROLLBACK", 0, NULL, NULL);
    return st;
}
