/* The demo schedules' statements (`clinicd seed-schedule`): weekly hours, time off and
 * bookings, all derived from the practitioners' ids (md5), so the same directory gets
 * the same week; bookings are placed relative to the current week. */
#include "store/seed_schedule.h"

#include <stdio.h>
#include <stdlib.h>

/* h: a stable number per practitioner. */
#define H "abs(('x' || substr(md5(p.id::text), 1, 8))::bit(32)::int)"

static const char *const steps[] = {
    /* hours: Monday to Friday less one weekday off, Saturdays for a third of them;
     * starting at 8 or 9, ending between 16 and 18, at their first location */
    "INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time,"
    " end_time)"
    " SELECT p.clinic_id, p.id, pl.location_id, d.wd, make_time(8 + x.h % 2, 0, 0),"
    "   make_time(16 + x.h % 3, 0, 0)"
    " FROM practitioners p"
    " CROSS JOIN LATERAL (SELECT " H " AS h) x"
    " JOIN LATERAL (SELECT location_id FROM practitioner_locations"
    "   WHERE practitioner_id = p.id ORDER BY location_id LIMIT 1) pl ON true"
    " CROSS JOIN generate_series(1, 6) AS d(wd)"
    /* NOT IN is evaluated once (hashed); a NOT EXISTS planned for the empty table being
     * filled ran as a nested loop, quadratic at 100,000 practitioners */
    " WHERE p.active AND p.id NOT IN (SELECT practitioner_id FROM weekly_hours)"
    "   AND (d.wd <= 5 OR x.h % 3 = 0) AND d.wd <> 1 + x.h % 5",

    /* a week of leave in the coming weeks for one in ten */
    "INSERT INTO time_off (clinic_id, practitioner_id, during, reason)"
    " SELECT p.clinic_id, p.id, tstzrange(w.start, w.start + interval '5 days'), 'Annual leave'"
    " FROM practitioners p CROSS JOIN LATERAL (SELECT " H " AS h) x"
    " CROSS JOIN LATERAL (SELECT date_trunc('week', now()) + (2 + x.h % 3) * interval '1 week'"
    "   AS start) w"
    " WHERE p.active AND x.h % 10 = 0"
    "   AND p.id NOT IN (SELECT practitioner_id FROM time_off)",

    /* $1 bookings per practitioner: on their working days from next week on, every two
     * hours from their start, in the location's time zone, for their shortest service */
    "INSERT INTO bookings (clinic_id, practitioner_id, service_id, location_id, during, blocked,"
    " patient_name, patient_email, manage_token_hash, created_by)"
    " SELECT p.clinic_id, p.id, s.id, w.location_id, tstzrange(t.s, t.s + s.len),"
    "   tstzrange(t.s - make_interval(mins => s.buffer_before_minutes),"
    "     t.s + s.len + make_interval(mins => s.buffer_after_minutes)),"
    "   (ARRAY['Ann Lee', 'Maria Gomez', 'Sam Patel', 'Joan Brooks', 'Lena Fischer',"
    "     'Tom Okafor', 'Ruth Cohen', 'Grace Kim'])[1 + k % 8],"
    "   'patient+' || substr(md5(p.id::text || k), 1, 10) || '@example.org',"
    "   decode(md5(p.id::text || k || 'a') || md5(p.id::text || k || 'b'), 'hex'), 'patient'"
    " FROM practitioners p"
    " CROSS JOIN generate_series(0, $1::int - 1) AS k"
    " JOIN LATERAL (SELECT sv.id, sv.buffer_before_minutes, sv.buffer_after_minutes,"
    "     make_interval(mins => sv.duration_minutes) AS len"
    "   FROM practitioner_services ps JOIN services sv ON sv.id = ps.service_id"
    "   WHERE ps.practitioner_id = p.id AND sv.active"
    "   ORDER BY sv.duration_minutes, sv.id LIMIT 1) s ON true"
    " JOIN LATERAL (SELECT h.weekday, h.start_time, h.location_id, l.timezone,"
    "     count(*) OVER () AS n, row_number() OVER (ORDER BY h.weekday) - 1 AS i"
    "   FROM weekly_hours h JOIN locations l ON l.id = h.location_id"
    "   WHERE h.practitioner_id = p.id) w ON w.i = (k / 3) % w.n"
    " CROSS JOIN LATERAL (SELECT ((date_trunc('week', now() AT TIME ZONE w.timezone)::date"
    "     + (1 + k / (3 * w.n)::int) * 7 + w.weekday - 1) + w.start_time"
    /* two hours apart, or more when the service and its buffers take longer */
    "     + (k % 3) * greatest(interval '2 hours', s.len + make_interval(mins =>"
    "       s.buffer_before_minutes + s.buffer_after_minutes))) AT TIME ZONE w.timezone AS s) t"
    " WHERE p.active AND p.id NOT IN (SELECT practitioner_id FROM bookings)"
    "   AND NOT EXISTS (SELECT 1 FROM time_off o WHERE o.practitioner_id = p.id"
    "     AND o.during && tstzrange(t.s, t.s + s.len))",
};

enum db_status store_seed_schedule_fill(struct db_direct *d, long per_practitioner,
                                        struct seed_schedule_counts *out)
{
    char n[24];
    snprintf(n, sizeof(n), "%ld", per_practitioner);
    const char *v[] = {n};
    long *counts[] = {&out->weekly_hours, &out->time_off, &out->bookings};
    *out = (struct seed_schedule_counts){0};
    enum db_status st = db_direct_exec(d, "BEGIN", 0, NULL, NULL);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && st == DB_OK; i++) {
        PGresult *res;
        st = db_direct_exec(d, steps[i], i == 2 ? 1 : 0, i == 2 ? v : NULL, &res);
        if (st == DB_OK)
            *counts[i] = strtol(PQcmdTuples(res), NULL, 10);
        PQclear(res);
    }
    if (st == DB_OK)
        st = db_direct_exec(d, "COMMIT", 0, NULL, NULL);
    return st;
}
