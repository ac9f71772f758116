/* A practitioner's schedule for one service, loaded in one query: weekly hours, time
 * off, other bookings and the clinic's booking policy. */
#include "api/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timefmt.h"
#include "util/alloc.h"
#include "util/log.h"

/* $1 practitioner  $2 service or NULL  $3 from (epoch)  $4 to (epoch)  $5 booking to leave out */
DB_STMT(st_schedule,
        "WITH p AS (SELECT p.id, p.clinic_id FROM practitioners p WHERE p.id = $1::uuid AND p.active),"
        " svc AS (SELECT s.* FROM services s, p WHERE s.clinic_id = p.clinic_id AND s.active AND"
        "   s.id = coalesce($2::uuid, (SELECT x.service_id FROM practitioner_services x"
        "     JOIN services y ON y.id = x.service_id WHERE x.practitioner_id = p.id AND y.active"
        "     ORDER BY y.duration_minutes, y.price_cents, y.id LIMIT 1)))"
        " SELECT p.clinic_id, svc.id, svc.duration_minutes, svc.buffer_before_minutes,"
        "  svc.buffer_after_minutes, c.min_notice_minutes, c.booking_horizon_days,"
        "  c.slot_step_minutes, c.cancellation_notice_hours, c.max_open_bookings_per_contact,"
        "  EXISTS (SELECT 1 FROM practitioner_services x WHERE x.practitioner_id = p.id"
        "    AND x.service_id = svc.id),"
        "  floor(extract(epoch FROM now()))::bigint,"
        "  coalesce((SELECT json_agg(json_build_array(l.id, l.timezone) ORDER BY l.id)"
        "    FROM practitioner_locations pl JOIN locations l ON l.id = pl.location_id"
        "    WHERE pl.practitioner_id = p.id AND l.active), '[]')::text,"
        "  coalesce((SELECT json_agg(json_build_array(h.weekday,"
        "    extract(hour FROM h.start_time)::int * 60 + extract(minute FROM h.start_time)::int,"
        "    extract(hour FROM h.end_time)::int * 60 + extract(minute FROM h.end_time)::int,"
        "    coalesce(h.valid_from - date '1970-01-01', -2147483648),"
        "    coalesce(h.valid_to - date '1970-01-01', 2147483647), h.location_id))"
        "    FROM weekly_hours h JOIN locations l ON l.id = h.location_id"
        "    WHERE h.practitioner_id = p.id AND l.active), '[]')::text,"
        "  coalesce((SELECT json_agg(json_build_array(extract(epoch FROM lower(t.during))::bigint,"
        "    extract(epoch FROM upper(t.during))::bigint)) FROM time_off t"
        "    WHERE t.practitioner_id = p.id"
        "    AND t.during && tstzrange(to_timestamp($3::bigint), to_timestamp($4::bigint))), '[]')::text,"
        "  coalesce((SELECT json_agg(json_build_array(extract(epoch FROM lower(b.blocked))::bigint,"
        "    extract(epoch FROM upper(b.blocked))::bigint)) FROM bookings b"
        "    WHERE b.practitioner_id = p.id AND b.status <> 'cancelled'"
        "    AND b.blocked && tstzrange(to_timestamp($3::bigint), to_timestamp($4::bigint))"
        "    AND b.id IS DISTINCT FROM $5::uuid), '[]')::text"
        " FROM p JOIN clinics c ON c.id = p.clinic_id LEFT JOIN svc ON true",
        5);

static int col_int(PGresult *res, int col)
{
    return PQgetisnull(res, 0, col) ? 0 : (int)strtol(PQgetvalue(res, 0, col), NULL, 10);
}

static void load_intervals(const char *text, struct interval **out, size_t *n)
{
    json_t *a = json_loads(text, 0, NULL);
    size_t len = json_array_size(a);
    *out = xcalloc(len ? len : 1, sizeof(**out));
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(a, i);
        (*out)[*n].start = json_integer_value(json_array_get(e, 0));
        (*out)[*n].end = json_integer_value(json_array_get(e, 1));
        (*n)++;
    }
    json_decref(a);
}

enum schedule_result schedule_load(struct req *r, const char *practitioner_id,
                                   const char *service_id, int64_t from, int64_t to,
                                   const char *exclude_booking, struct schedule *s)
{
    memset(s, 0, sizeof(*s));
    char from_s[24], to_s[24];
    /* a day either side: buffers and hours past midnight reach into the window */
    snprintf(from_s, sizeof(from_s), "%lld", (long long)(from - 86400));
    snprintf(to_s, sizeof(to_s), "%lld", (long long)(to + 86400));
    const char *v[] = {practitioner_id, service_id, from_s, to_s, exclude_booking};
    PGresult *res = api_query(r, &st_schedule, v);
    if (!res)
        return SCHEDULE_REPLIED;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return SCHEDULE_NO_PRACTITIONER;
    }
    snprintf(s->practitioner_id, sizeof(s->practitioner_id), "%s", practitioner_id);
    snprintf(s->clinic_id, sizeof(s->clinic_id), "%s", PQgetvalue(res, 0, 0));
    s->service_found = !PQgetisnull(res, 0, 1);
    if (s->service_found)
        snprintf(s->service_id, sizeof(s->service_id), "%s", PQgetvalue(res, 0, 1));
    s->duration_min = col_int(res, 2);
    s->buffer_before_min = col_int(res, 3);
    s->buffer_after_min = col_int(res, 4);
    s->min_notice_min = col_int(res, 5);
    s->horizon_days = col_int(res, 6);
    s->step_min = col_int(res, 7);
    s->cancel_notice_hours = col_int(res, 8);
    s->max_open_per_contact = col_int(res, 9);
    s->service_offered = s->service_found && PQgetvalue(res, 0, 10)[0] == 't';
    s->now = strtoll(PQgetvalue(res, 0, 11), NULL, 10);

    json_t *locs = json_loads(PQgetvalue(res, 0, 12), 0, NULL);
    for (size_t i = 0; i < json_array_size(locs) && s->nlocations < SCHEDULE_MAX_LOCATIONS; i++) {
        json_t *e = json_array_get(locs, i);
        snprintf(s->location_ids[s->nlocations], sizeof(s->location_ids[0]), "%s",
                 json_string_value(json_array_get(e, 0)));
        const struct tz *z = tz_get(json_string_value(json_array_get(e, 1)));
        if (!z)
            log_error("time zone %s of location %s is not in the tz database",
                      json_string_value(json_array_get(e, 1)), s->location_ids[s->nlocations]);
        if (!s->tz)
            s->tz = z;
        s->nlocations++;
    }
    json_t *hours = json_loads(PQgetvalue(res, 0, 13), 0, NULL);
    size_t nh = json_array_size(hours);
    s->rules = xcalloc(nh ? nh : 1, sizeof(*s->rules));
    for (size_t i = 0; i < nh; i++) {
        json_t *e = json_array_get(hours, i);
        const char *loc = json_string_value(json_array_get(e, 5));
        int li = -1;
        for (size_t k = 0; k < s->nlocations && loc; k++)
            if (strcmp(s->location_ids[k], loc) == 0)
                li = (int)k;
        if (li < 0)
            continue;
        json_t *lz = json_array_get(json_array_get(locs, (size_t)li), 1);
        struct hours_rule *h = &s->rules[s->nrules];
        h->weekday = (int)json_integer_value(json_array_get(e, 0));
        h->start_min = (int)json_integer_value(json_array_get(e, 1));
        h->end_min = (int)json_integer_value(json_array_get(e, 2));
        h->valid_from = (int32_t)json_integer_value(json_array_get(e, 3));
        h->valid_to = (int32_t)json_integer_value(json_array_get(e, 4));
        h->tz = tz_get(json_string_value(lz));
        h->location = li;
        if (h->tz)
            s->nrules++;
    }
    json_decref(hours);
    json_decref(locs);
    load_intervals(PQgetvalue(res, 0, 14), &s->off, &s->noff);
    load_intervals(PQgetvalue(res, 0, 15), &s->busy, &s->nbusy);
    PQclear(res);
    if (!s->tz)
        s->tz = tz_get("UTC");
    return SCHEDULE_OK;
}

void schedule_release(struct schedule *s)
{
    free(s->rules);
    free(s->busy);
    free(s->off);
    memset(s, 0, sizeof(*s));
}

void schedule_query(const struct schedule *s, int64_t from, int64_t to, struct slot_query *q)
{
    memset(q, 0, sizeof(*q));
    q->rules = s->rules;
    q->nrules = s->nrules;
    q->busy = s->busy;
    q->nbusy = s->nbusy;
    q->off = s->off;
    q->noff = s->noff;
    q->duration_min = s->duration_min;
    q->buffer_before_min = s->buffer_before_min;
    q->buffer_after_min = s->buffer_after_min;
    q->step_min = s->step_min;
    q->from = from;
    q->to = to;
    q->earliest = s->now + (int64_t)s->min_notice_min * 60;
    q->latest = s->now + (int64_t)s->horizon_days * 86400;
}

bool schedule_offers(const struct schedule *s, int64_t start, struct slot *slot)
{
    struct slot_query q;
    schedule_query(s, start, start + 1, &q);
    struct slot found[4];
    size_t n = slots_compute(&q, found, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        if (found[i].start == start) {
            *slot = found[i];
            return true;
        }
    return false;
}

const char *schedule_location(const struct schedule *s, int location)
{
    return location >= 0 && (size_t)location < s->nlocations ? s->location_ids[location] : "";
}

void schedule_format(const struct schedule *s, int64_t t, char *out, size_t outlen)
{
    rfc3339_format(t, tz_offset_at(s->tz, t), out, outlen);
}

json_t *schedule_slot_json(const struct schedule *s, const struct slot *sl)
{
    char a[40], b[40];
    schedule_format(s, sl->start, a, sizeof(a));
    schedule_format(s, sl->end, b, sizeof(b));
    return json_pack("{s:s, s:s, s:s}", "start", a, "end", b, "location_id",
                     schedule_location(s, sl->location));
}
