/* A practitioner's schedule as a subscribable iCalendar feed.  Staff issue and revoke
 * feed tokens; events carry the patient's initials, nothing more. */
#include "calendar/handlers.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "core/app.h"
#include "domain/ics.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "util/parse.h"

#define FEED_PAST_DAYS 30
#define FEED_FUTURE_DAYS 366

DB_STMT(st_feed_new,
        "INSERT INTO calendar_feeds (clinic_id, practitioner_id, token_hash, created_by)"
        " SELECT p.clinic_id, p.id, $3::bytea, $4::uuid FROM practitioners p"
        " WHERE p.id = $2::uuid AND p.clinic_id = $1::uuid"
        " RETURNING id, to_json(created_at) #>> '{}'",
        4);
DB_STMT(st_feed_list,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', id,"
        " 'created_at', created_at, 'revoked_at', revoked_at) ORDER BY created_at), '[]'),"
        " 'next_cursor', NULL)::text FROM calendar_feeds"
        " WHERE practitioner_id = $1::uuid AND clinic_id = $2::uuid",
        2);
DB_STMT(st_feed_revoke,
        "UPDATE calendar_feeds SET revoked_at = now() WHERE id = $1::uuid"
        " AND practitioner_id = $2::uuid AND clinic_id = $3::uuid AND revoked_at IS NULL"
        " RETURNING id",
        3);
/* The feed's practitioner and bookings; the token must be live. */
DB_STMT(st_feed_events,
        "SELECT f.id, f.clinic_id, l.timezone, b.id, extract(epoch FROM lower(b.during))::bigint,"
        " extract(epoch FROM upper(b.during))::bigint, s.name, b.patient_name, l.name, b.status,"
        " b.reschedule_count, p.name"
        " FROM calendar_feeds f JOIN practitioners p ON p.id = f.practitioner_id"
        " LEFT JOIN bookings b ON b.practitioner_id = f.practitioner_id AND b.status <> 'cancelled'"
        "   AND b.during && tstzrange(now() - interval '30 days', now() + interval '366 days')"
        " LEFT JOIN services s ON s.id = b.service_id"
        " LEFT JOIN locations l ON l.id = coalesce(b.location_id, (SELECT pl.location_id"
        "   FROM practitioner_locations pl WHERE pl.practitioner_id = p.id"
        "   ORDER BY pl.location_id LIMIT 1))"
        " WHERE f.token_hash = $1::bytea AND f.practitioner_id = $2::uuid AND f.revoked_at IS NULL"
        " ORDER BY lower(b.during)",
        2);

DB_STMT(st_feed_practitioner_here,
        "SELECT 1 FROM practitioners WHERE id = $1::uuid AND clinic_id = $2::uuid", 2);

static bool enter(struct req *r, struct auth *a, enum staff_access access)
{
    if (!staff_enter(r, a, access) || !auth_practitioner(r, a, req_param(r, 1)))
        return false;
    /* the practitioner must belong to the route's clinic (platform admins too) */
    const char *v[] = {req_param(r, 1), staff_clinic(r)};
    PGresult *res = api_query(r, &st_feed_practitioner_here, v);
    if (!res)
        return false;
    bool ok = PQntuples(res) == 1;
    PQclear(res);
    if (!ok)
        reply_not_found(r);
    return ok;
}

void feeds_create(struct req *r)
{
    struct auth a;
    if (!enter(r, &a, STAFF_SELF_WRITE))
        return;
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, hash);
    const char *v[] = {staff_clinic(r), req_param(r, 1), hash, a.api_key ? NULL : a.user_id};
    if (!api_begin(r))
        goto out;
    PGresult *res = api_query(r, &st_feed_new, v);
    if (!res)
        goto out;
    if (PQntuples(res) != 1) {
        PQclear(res);
        reply_not_found(r);
        goto out;
    }
    char url[600];
    snprintf(url, sizeof(url), "%s/api/v1/practitioners/%s/calendar.ics?feed=%s",
             app.cfg->public_base_url, req_param(r, 1), token);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", PQgetvalue(res, 0, 0), "url", url,
                          "feed_token", token, "created_at", PQgetvalue(res, 0, 1));
    bool ok = audit(r, &a, NULL, staff_clinic(r), "create_calendar_feed", "calendar_feed",
                    PQgetvalue(res, 0, 0), false, "success", NULL) &&
              api_commit(r);
    PQclear(res);
    if (ok)
        reply_json(r, 201, o);
    else
        json_decref(o);
out:
    api_rollback(r);
}

void feeds_list(struct req *r)
{
    struct auth a;
    if (!enter(r, &a, STAFF_READ))
        return;
    const char *v[] = {req_param(r, 1), staff_clinic(r)};
    PGresult *res = api_query(r, &st_feed_list, v);
    if (!res)
        return;
    reply_db_json(r, res);
    PQclear(res);
}

void feeds_revoke(struct req *r)
{
    struct auth a;
    if (!enter(r, &a, STAFF_SELF_WRITE))
        return;
    if (!is_uuid(req_param(r, 2))) {
        reply_not_found(r);
        return;
    }
    const char *v[] = {req_param(r, 2), req_param(r, 1), staff_clinic(r)};
    if (!api_begin(r))
        goto out;
    PGresult *res = api_query(r, &st_feed_revoke, v);
    if (!res)
        goto out;
    bool found = PQntuples(res) == 1;
    PQclear(res);
    if (!found) {
        reply_not_found(r);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "revoke_calendar_feed", "calendar_feed",
               req_param(r, 2), false, "success", NULL) ||
        !api_commit(r))
        goto out;
    reply_text(r, 204, "application/json", "", 0);
out:
    api_rollback(r);
}

/* "Ann Lee" -> "A. L." */
static void initials(const char *name, char *out, size_t n)
{
    size_t k = 0;
    bool start = true;
    for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < n; p++) {
        if (*p == ' ' || *p == '-') {
            start = true;
            continue;
        }
        if (start && *p < 0x80) {
            out[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            out[k++] = '.';
            out[k++] = ' ';
        }
        start = false;
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

void feeds_ics(struct req *r)
{
    const char *pid = req_param(r, 0);
    const char *feed = req_query(r, "feed");
    if (!is_uuid(pid) || !feed || strlen(feed) > 100) {
        reply_not_found(r);
        return;
    }
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(feed, hash);
    const char *v[] = {hash, pid};
    PGresult *res = api_query(r, &st_feed_events, v);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        PQclear(res);
        reply_not_found(r);
        return;
    }
    if (!audit(r, NULL, "anonymous", PQgetvalue(res, 0, 1), "read_calendar_feed",
               "calendar_feed", PQgetvalue(res, 0, 0), true, "success", NULL)) {
        PQclear(res);
        return;
    }
    const struct tz *z = tz_get(PQgetvalue(res, 0, 2));
    icalcomponent *cal = ics_calendar("PUBLISH", z);
    char calname[300];
    snprintf(calname, sizeof(calname), "%s: sessions", PQgetvalue(res, 0, 11));
    icalproperty *xn = icalproperty_new_x(calname);
    icalproperty_set_x_name(xn, "X-WR-CALNAME");
    icalcomponent_add_property(cal, xn);
    for (int i = 0; i < PQntuples(res); i++) {
        if (PQgetisnull(res, i, 3))
            continue; /* a feed with no bookings yet */
        char uid[80], summary[300], ini[40];
        snprintf(uid, sizeof(uid), "%s@clinicd", PQgetvalue(res, i, 3));
        initials(PQgetvalue(res, i, 7), ini, sizeof(ini));
        snprintf(summary, sizeof(summary), "%s: %s", PQgetvalue(res, i, 6), ini);
        icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
        icalcomponent_add_property(ev, icalproperty_new_uid(uid));
        icalcomponent_add_property(ev, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(
                                           time(NULL), 0, icaltimezone_get_utc_timezone())));
        icalcomponent_add_property(ev, ics_time(true, strtoll(PQgetvalue(res, i, 4), NULL, 10), z));
        icalcomponent_add_property(ev, ics_time(false, strtoll(PQgetvalue(res, i, 5), NULL, 10), z));
        icalcomponent_add_property(ev, icalproperty_new_summary(summary));
        icalcomponent_add_property(ev, icalproperty_new_location(PQgetvalue(res, i, 8)));
        icalcomponent_add_property(
            ev, icalproperty_new_sequence((int)strtol(PQgetvalue(res, i, 10), NULL, 10)));
        icalcomponent_add_property(ev, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
        icalcomponent_add_component(cal, ev);
    }
    PQclear(res);
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    if (!text) {
        reply_internal(r);
        return;
    }
    reply_owned(r, 200, "text/calendar; charset=utf-8", text, strlen(text));
}
