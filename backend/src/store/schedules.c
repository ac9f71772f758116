/* The SQL of a practitioner's schedule (see schedules.h). */
#include "store/schedules.h"

#include <stdio.h>
#include <stdlib.h>

/* $1 practitioners uuid[] (st_schedule_one: one uuid)  $2 service or NULL (else each
 * one's shortest service, of $6 minutes when given)  $3 from (epoch)  $4 to (epoch)
 * $5 booking to leave out.  One row per active practitioner, in the order of $1; its
 * last column is the schedule's revision (migrations/0010_schedule_revisions.sql). */
#define SCHEDULE_COLUMNS \
        " SELECT p.clinic_id, svc.id, svc.duration_minutes, svc.buffer_before_minutes," \
        "  svc.buffer_after_minutes, c.min_notice_minutes, c.booking_horizon_days," \
        "  c.slot_step_minutes, c.cancellation_notice_hours, c.max_open_bookings_per_contact," \
        "  EXISTS (SELECT 1 FROM practitioner_services x WHERE x.practitioner_id = p.id" \
        "    AND x.service_id = svc.id)," \
        "  floor(extract(epoch FROM now()))::bigint," \
        "  coalesce((SELECT json_agg(json_build_array(l.id, l.timezone) ORDER BY l.id)" \
        "    FROM practitioner_locations pl JOIN locations l ON l.id = pl.location_id" \
        "    WHERE pl.practitioner_id = p.id AND l.active), '[]')::text," \
        "  coalesce((SELECT json_agg(json_build_array(h.weekday," \
        "    extract(hour FROM h.start_time)::int * 60 + extract(minute FROM h.start_time)::int," \
        "    extract(hour FROM h.end_time)::int * 60 + extract(minute FROM h.end_time)::int," \
        "    coalesce(h.valid_from - date '1970-01-01', -2147483648)," \
        "    coalesce(h.valid_to - date '1970-01-01', 2147483647), h.location_id))" \
        "    FROM weekly_hours h JOIN locations l ON l.id = h.location_id" \
        "    WHERE h.practitioner_id = p.id AND l.active), '[]')::text," \
        "  coalesce((SELECT json_agg(json_build_array(extract(epoch FROM lower(t.during))::bigint," \
        "    extract(epoch FROM upper(t.during))::bigint)) FROM time_off t" \
        "    WHERE t.practitioner_id = p.id" \
        "    AND t.during && tstzrange(to_timestamp($3::bigint), to_timestamp($4::bigint))), '[]')::text," \
        "  coalesce((SELECT json_agg(json_build_array(extract(epoch FROM lower(b.blocked))::bigint," \
        "    extract(epoch FROM upper(b.blocked))::bigint)) FROM bookings b" \
        "    WHERE b.practitioner_id = p.id AND b.status <> 'cancelled'" \
        "    AND b.blocked && tstzrange(to_timestamp($3::bigint), to_timestamp($4::bigint))" \
        "    AND b.id IS DISTINCT FROM $5::uuid), '[]')::text," \
        "  p.id," \
        "  coalesce((SELECT r.rev FROM schedule_revisions r WHERE r.practitioner_id = p.id), 0)" \
        " FROM p JOIN clinics c ON c.id = p.clinic_id" \
        " LEFT JOIN LATERAL (SELECT s.* FROM services s WHERE s.clinic_id = p.clinic_id AND s.active" \
        "   AND CASE WHEN $2::uuid IS NOT NULL THEN s.id = $2::uuid" \
        "     ELSE s.id IN (SELECT x.service_id FROM practitioner_services x" \
        "       WHERE x.practitioner_id = p.id) AND ($6::int IS NULL OR s.duration_minutes = $6::int) END" \
        "   ORDER BY s.duration_minutes, s.price_cents, s.id LIMIT 1) svc ON true" \
        " ORDER BY p.ord"

DB_STMT(st_schedule,
        "WITH p AS (SELECT p.id, p.clinic_id, u.ord FROM unnest($1::uuid[]) WITH ORDINALITY"
        "   AS u(id, ord) JOIN practitioners p ON p.id = u.id AND p.active)" SCHEDULE_COLUMNS,
        6);
/* The same for one practitioner.  Its own statement, because PostgreSQL plans the
 * array form again at every call (it guesses 100 elements in unnest($1), so a plan
 * for any array looks dearer than one for the array at hand): 0.5-0.6 ms of planning
 * for 0.1-0.25 ms of work, at every booking and availability read.  This one gets a
 * generic plan after a few calls. */
DB_STMT(st_schedule_one,
        "WITH p AS (SELECT p.id, p.clinic_id, 1 AS ord FROM practitioners p"
        "   WHERE p.id = $1::uuid AND p.active)" SCHEDULE_COLUMNS,
        6);

static int col_int(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : (int)strtol(PQgetvalue(res, row, col), NULL, 10);
}

static void each_schedule(PGresult *res, store_schedule_fn fn, void *ctx)
{
    for (int i = 0; i < PQntuples(res); i++) {
        const struct store_schedule_row row = {
            .practitioner_id = PQgetvalue(res, i, 16),
            .clinic_id = PQgetvalue(res, i, 0),
            .service_id = PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1),
            .duration_min = col_int(res, i, 2),
            .buffer_before_min = col_int(res, i, 3),
            .buffer_after_min = col_int(res, i, 4),
            .min_notice_min = col_int(res, i, 5),
            .horizon_days = col_int(res, i, 6),
            .step_min = col_int(res, i, 7),
            .cancel_notice_hours = col_int(res, i, 8),
            .max_open_per_contact = col_int(res, i, 9),
            .service_offered = PQgetvalue(res, i, 10)[0] == 't',
            .now = strtoll(PQgetvalue(res, i, 11), NULL, 10),
            .revision = strtoll(PQgetvalue(res, i, 17), NULL, 10),
            .locations = PQgetvalue(res, i, 12),
            .hours = PQgetvalue(res, i, 13),
            .time_off = PQgetvalue(res, i, 14),
            .busy = PQgetvalue(res, i, 15),
        };
        fn(&row, ctx);
    }
}

enum db_status store_schedules_read(struct db_session *s, bool one, const char *ids,
                                    const char *service_id, const char *minutes, int64_t from,
                                    int64_t to, const char *exclude_booking,
                                    store_schedule_fn fn, void *ctx, size_t *rows)
{
    char from_s[24], to_s[24];
    /* a day either side: buffers and hours past midnight reach into the window */
    snprintf(from_s, sizeof(from_s), "%lld", (long long)(from - 86400));
    snprintf(to_s, sizeof(to_s), "%lld", (long long)(to + 86400));
    const char *v[] = {ids, service_id, from_s, to_s, exclude_booking, minutes};
    PGresult *res;
    *rows = 0;
    enum db_status st = db_query(s, one ? &st_schedule_one : &st_schedule, v, &res);
    if (st != DB_OK)
        return st;
    *rows = (size_t)PQntuples(res);
    each_schedule(res, fn, ctx);
    PQclear(res);
    return DB_OK;
}
