/* What a change to a practitioner's schedule does to their open bookings, in the
 * database. */
#include "store/schedule_change.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/alloc.h"

/* The key is store_booking_lock_practitioner's (store/booking.c). */
DB_STMT(st_lock, "SELECT pg_advisory_xact_lock(hashtextextended('practitioner:' || $1, 0))", 1);

enum db_status store_schedule_change_lock(struct db_session *s, const char *practitioner_id)
{
    const char *v[] = {practitioner_id};
    return db_run(s, &st_lock, v);
}

DB_STMT(st_future_bookings,
        "SELECT b.id, extract(epoch FROM lower(b.during))::bigint,"
        " extract(epoch FROM upper(b.during))::bigint, b.patient_email"
        " FROM bookings b WHERE b.practitioner_id = $1::uuid AND b.status = 'booked'"
        " AND upper(b.during) > now() ORDER BY lower(b.during)",
        1);

enum db_status store_schedule_change_bookings(struct db_session *s, const char *practitioner_id,
                                     struct open_booking **out, size_t *n)
{
    const char *v[] = {practitioner_id};
    PGresult *res;
    *out = NULL;
    *n = 0;
    enum db_status st = db_query(s, &st_future_bookings, v, &res);
    if (st != DB_OK)
        return st;
    int rows = PQntuples(res);
    if (rows > 0)
        *out = xcalloc((size_t)rows, sizeof(**out));
    for (int i = 0; i < rows; i++) {
        struct open_booking *b = &(*out)[i];
        snprintf(b->id, sizeof(b->id), "%s", PQgetvalue(res, i, 0));
        b->start = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        b->end = strtoll(PQgetvalue(res, i, 2), NULL, 10);
        snprintf(b->email, sizeof(b->email), "%s", PQgetvalue(res, i, 3));
    }
    *n = (size_t)rows;
    PQclear(res);
    return DB_OK;
}

DB_STMT(st_staff_cancel,
        "UPDATE bookings SET status = 'cancelled', cancelled_at = now(), cancelled_by = 'staff',"
        " cancel_reason = $2, updated_at = now() WHERE id = $1::uuid AND status = 'booked'",
        2);
DB_STMT(st_notify_cancel,
        "INSERT INTO notifications (clinic_id, kind, booking_id, recipient, payload, dedupe_key)"
        " VALUES ($1::uuid, 'booking_cancelled', $2::uuid, $3, $4::jsonb,"
        " 'booking_cancelled:' || $2) ON CONFLICT (dedupe_key) DO NOTHING",
        4);

enum db_status store_schedule_change_cancel(struct db_session *s, const char *clinic_id,
                                   const struct open_booking *b, const char *reason,
                                   const char *payload)
{
    const char *cv[] = {b->id, reason};
    enum db_status st = db_run(s, &st_staff_cancel, cv);
    if (st != DB_OK)
        return st;
    const char *nv[] = {clinic_id, b->id, b->email, payload};
    return db_run(s, &st_notify_cancel, nv);
}
