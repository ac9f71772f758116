/* The open future bookings in the way of a deactivation or of locations taken away. */
#include "store/open_bookings.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "domain/timefmt.h"

/* Open future bookings of the clinic: $2 of a practitioner, $3 at a location, $4 at
 * none of the locations in this JSON list (each NULL for any). */
#define OPEN_BOOKINGS_WHERE                                                                  \
    " b.clinic_id = $1::uuid AND b.status = 'booked' AND upper(b.during) > now()"            \
    " AND ($2::uuid IS NULL OR b.practitioner_id = $2::uuid)"                                \
    " AND ($3::uuid IS NULL OR b.location_id = $3::uuid)"                                    \
    " AND ($4::jsonb IS NULL OR NOT ($4::jsonb ? b.location_id::text))"
/* id, start and end (epoch) and their UTC offsets in the location's zone, e-mail */
#define OPEN_BOOKINGS_COLUMNS                                                                \
    " b.id, extract(epoch FROM lower(b.during))::bigint, extract(epoch FROM upper(b.during))::bigint,"\
    " extract(epoch FROM (lower(b.during) AT TIME ZONE l.timezone)"                          \
    "   - (lower(b.during) AT TIME ZONE 'UTC'))::int,"                                       \
    " extract(epoch FROM (upper(b.during) AT TIME ZONE l.timezone)"                          \
    "   - (upper(b.during) AT TIME ZONE 'UTC'))::int, b.patient_email"

DB_STMT(st_open_bookings,
        "SELECT" OPEN_BOOKINGS_COLUMNS " FROM bookings b JOIN locations l ON l.id = b.location_id"
        " WHERE" OPEN_BOOKINGS_WHERE " ORDER BY lower(b.during), b.id",
        4);
/* Cancels them as staff do (see staff/schedule.c), returning the same columns. */
DB_STMT(st_cancel_open,
        "UPDATE bookings b SET status = 'cancelled', cancelled_at = now(), cancelled_by = 'staff',"
        " cancel_reason = $5, updated_at = now() FROM locations l WHERE l.id = b.location_id AND"
        OPEN_BOOKINGS_WHERE " RETURNING" OPEN_BOOKINGS_COLUMNS,
        5);
/* One booking_cancelled notification per element of $2: {id, email, payload}. */
DB_STMT(st_notify_cancelled,
        "INSERT INTO notifications (clinic_id, kind, booking_id, recipient, payload, dedupe_key)"
        " SELECT $1::uuid, 'booking_cancelled', (e->>'id')::uuid, e->>'email', e->'payload',"
        " 'booking_cancelled:' || (e->>'id') FROM jsonb_array_elements($2::jsonb) e"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        2);

void open_bookings_release(struct open_bookings *o)
{
    free(o->listed);
    o->listed = NULL;
    o->count = 0;
}

static void booking_times(PGresult *res, int i, char *start, char *end)
{
    rfc3339_format(strtoll(PQgetvalue(res, i, 1), NULL, 10),
                   (int32_t)strtol(PQgetvalue(res, i, 3), NULL, 10), start, 40);
    rfc3339_format(strtoll(PQgetvalue(res, i, 2), NULL, 10),
                   (int32_t)strtol(PQgetvalue(res, i, 4), NULL, 10), end, 40);
}

/* The patients told and the audit row of bookings res cancelled. */
static enum db_status cancelled(struct db_session *s, const struct open_bookings_of *of,
                                PGresult *res, json_t *notes, const char *reason,
                                struct audit_entry *e)
{
    char *text = json_dumps(notes, JSON_COMPACT);
    const char *nv[] = {of->clinic_id, text};
    enum db_status rc = db_run(s, &st_notify_cancelled, nv);
    free(text);
    if (rc != DB_OK)
        return rc;
    json_t *ids = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(ids, json_string(PQgetvalue(res, i, 0)));
    json_t *d = json_pack("{s:o, s:s}", "bookings", ids, "reason", reason);
    free(e->detail);
    e->detail = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    return store_audit_append(s, e);
}

enum db_status store_open_bookings_settle(struct db_session *s, const struct open_bookings_of *of,
                                          bool cancel, const char *reason, struct audit_entry *e,
                                          struct open_bookings *out)
{
    open_bookings_release(out);
    const char *v[] = {of->clinic_id, of->practitioner_id, of->location_id, of->keep, reason};
    PGresult *res;
    enum db_status rc = db_query(s, cancel ? &st_cancel_open : &st_open_bookings, v, &res);
    if (rc != DB_OK)
        return rc;
    json_t *listed = json_array(), *notes = json_array();
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        char start[40], end[40];
        booking_times(res, i, start, end);
        if (i < OPEN_BOOKINGS_LISTED)
            json_array_append_new(listed, json_pack("{s:s, s:s, s:s}", "id", PQgetvalue(res, i, 0),
                                                    "start", start, "end", end));
        if (cancel)
            json_array_append_new(notes, json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "id",
                                                   PQgetvalue(res, i, 0), "email",
                                                   PQgetvalue(res, i, 5), "payload", "start",
                                                   start, "by", "staff", "reason", reason));
    }
    out->count = n;
    out->listed = json_dumps(listed, JSON_COMPACT);
    if (n > 0 && !cancel)
        rc = DB_CONFLICT;
    else if (n > 0)
        rc = cancelled(s, of, res, notes, reason, e);
    json_decref(listed);
    json_decref(notes);
    PQclear(res);
    return rc;
}

static enum db_status deactivate_work(struct db_session *s, void *ctx)
{
    struct deactivation *d = ctx;
    const char *v[] = {d->of.clinic_id, d->id};
    const char *dv[] = {d->id};
    PGresult *res;
    d->was_active = false;
    open_bookings_release(&d->open);
    enum db_status rc = db_query_one(s, d->lock, v, &res);
    if (rc == DB_OK)
        d->was_active = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (rc == DB_OK && d->was_active)
        rc = store_open_bookings_settle(s, &d->of, d->cancel, d->reason, d->cancelled, &d->open);
    if (rc == DB_OK && d->was_active)
        rc = db_run(s, d->deactivate, dv);
    if (rc == DB_OK && d->was_active)
        rc = store_audit_append(s, d->deactivated);
    return rc;
}

enum db_status store_deactivate(struct db_session *s, struct db_stmt *lock,
                                struct db_stmt *deactivate, const struct open_bookings_of *of,
                                struct deactivation *d)
{
    d->lock = lock;
    d->deactivate = deactivate;
    d->of = *of;
    d->id = of->location_id ? of->location_id : of->practitioner_id;
    return db_tx(s, deactivate_work, d);
}
