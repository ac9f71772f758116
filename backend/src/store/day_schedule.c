/* The clinic's day schedule in the database. */
#include "store/day_schedule.h"

#include <stdio.h>

#include "store/staff_page.h"
#include "util/buf.h"

DB_STMT(st_schedule_list,
        "SELECT json_build_object('id', b.id, 'status', b.status, 'start', lower(b.during),"
        " 'end', upper(b.during), 'timezone', l.timezone,"
        " 'practitioner', json_build_object('id', p.id, 'name', p.name),"
        " 'service', json_build_object('id', s.id, 'name', s.name, 'duration_minutes',"
        "   s.duration_minutes), 'location', json_build_object('id', l.id, 'name', l.name),"
        " 'patient', json_build_object('name', b.patient_name, 'email', b.patient_email,"
        "   'phone', b.patient_phone), 'notes', b.notes, 'series_id', b.series_id, 'flare', b.flare,"
        " 'created_by', b.created_by, 'cancel_reason', b.cancel_reason)::text"
        " FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id"
        " JOIN services s ON s.id = b.service_id JOIN locations l ON l.id = b.location_id"
        " WHERE b.clinic_id = $1::uuid AND b.during && tstzrange(to_timestamp($2::bigint),"
        " to_timestamp($3::bigint)) AND ($4::uuid IS NULL OR b.practitioner_id = $4::uuid)"
        " AND ($5::bool OR b.status <> 'cancelled')"
        " ORDER BY lower(b.during), p.name, b.id LIMIT 2001",
        5);

enum db_status store_day_schedule(struct db_session *s, const char *clinic_id, int64_t from,
                                  int64_t to, const char *practitioner_id, bool with_cancelled,
                                  char **json, size_t *len)
{
    char f[24], t[24];
    snprintf(f, sizeof(f), "%lld", (long long)from);
    snprintf(t, sizeof(t), "%lld", (long long)to);
    const char *v[] = {clinic_id, f, t, practitioner_id, with_cancelled ? "true" : "false"};
    PGresult *res;
    *json = NULL;
    *len = 0;
    enum db_status st = db_query(s, &st_schedule_list, v, &res);
    if (st != DB_OK)
        return st;
    int n = PQntuples(res) > DAY_SCHEDULE_MAX_ITEMS ? DAY_SCHEDULE_MAX_ITEMS : PQntuples(res);
    struct buf b;
    buf_init(&b, 0);
    staff_page_items(&b, res, n);
    buf_puts(&b, "],\"next_cursor\":null}");
    *json = buf_detach(&b, len);
    PQclear(res);
    return DB_OK;
}
