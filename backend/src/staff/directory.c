/* Clinic staff keep their part of the directory: locations, services, practitioners
 * (create, update, deactivate), API keys for integrations, and CSV imports of
 * practitioners. */
#include "cache/index_keeper.h"
#include "staff/handlers.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/imports.h"
#include "staff/access.h"
#include "domain/cursor.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "util/parse.h"

#define API_KEY_PREFIX "ck_" /* auth_staff tells keys from sessions by it */
#define MAX_ACTIVE_API_KEYS 50
#define BOOKINGS_LISTED 200  /* in a 409 naming the bookings in the way */

/* --- small helpers --------------------------------------------------------------- */

/* The route's resource id (parameter 1); replies 404 when it cannot be one. */
static const char *route_id(struct req *r)
{
    const char *id = req_param(r, 1);
    if (is_uuid(id))
        return id;
    reply_not_found(r);
    return NULL;
}

/* Absent or null: both mean "not given" here (an update refuses null separately
 * for what cannot be removed, with not_null). */
static bool absent(json_t *body, const char *name)
{
    json_t *v = json_object_get(body, name);
    return !v || json_is_null(v);
}

/* A whole-number member in [min, max] as text in out; NULL when absent. */
static const char *int_member(struct input *in, json_t *body, const char *name, long min, long max,
                              char *out, size_t n)
{
    json_t *v = json_object_get(body, name);
    if (absent(body, name))
        return NULL;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        input_error(in, name, false, "%s must be a whole number from %ld to %ld", name, min, max);
        return NULL;
    }
    snprintf(out, n, "%lld", (long long)json_integer_value(v));
    return out;
}

/* A boolean member as "true"/"false"; NULL when absent. */
static const char *bool_member(struct input *in, json_t *body, const char *name)
{
    json_t *v = json_object_get(body, name);
    if (absent(body, name))
        return NULL;
    if (!json_is_boolean(v)) {
        input_error(in, name, false, "%s must be true or false", name);
        return NULL;
    }
    return json_is_true(v) ? "true" : "false";
}

/* A number member in [min, max] as text in out; NULL when absent. */
static const char *number_member(struct input *in, json_t *body, const char *name, double min,
                                 double max, char *out, size_t n)
{
    json_t *v = json_object_get(body, name);
    if (absent(body, name))
        return NULL;
    if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max) {
        input_error(in, name, false, "%s must be a number from %g to %g", name, min, max);
        return NULL;
    }
    snprintf(out, n, "%.7f", json_number_value(v));
    return out;
}

/* A member that may not be null in an update (it has no "nothing" value). */
static void not_null(struct input *in, json_t *body, const char *const *names)
{
    for (; *names; names++)
        if (json_is_null(json_object_get(body, *names)))
            input_error(in, *names, false, "%s cannot be removed", *names);
}

/* "active" in a PATCH may only bring something back: deactivating is DELETE, which
 * checks what depends on it. */
static const char *reactivate(struct input *in, json_t *body)
{
    const char *v = bool_member(in, body, "active");
    if (v && strcmp(v, "true") != 0) {
        input_error(in, "active", false, "active may only be set to true here; use DELETE to deactivate");
        return NULL;
    }
    return v;
}

/* ?cancel_bookings=true and ?reason= of a DELETE that may strand bookings. */
static bool cancel_params(struct input *in, bool *cancel, const char **reason, const char *dflt)
{
    static const char *const allowed[] = {"cancel_bookings", "reason", NULL};
    only_params(in, allowed);
    *cancel = false;
    q_bool(in, "cancel_bookings", cancel);
    *reason = q_str(in, "reason", 500);
    if (!*reason)
        *reason = dflt;
    return input_ok(in);
}

static void reply_no_content(struct req *r)
{
    reply_text(r, 204, "application/json", "", 0);
}

/* Runs a statement that reads one JSON document (the clinic and the id as $1, $2) and
 * replies with it: 200, or 404 when there is no row. */
static void reply_one(struct req *r, struct db_stmt *st, const char *id, int status)
{
    const char *v[] = {staff_clinic(r), id};
    PGresult *res = api_query(r, st, v);
    if (!res)
        return;
    if (PQntuples(res) == 1 && status != 200)
        reply_text(r, status, "application/json", PQgetvalue(res, 0, 0),
                   (size_t)PQgetlength(res, 0, 0));
    else
        reply_db_json(r, res);
    PQclear(res);
}

/* --- bookings in the way of a deactivation ----------------------------------------- */

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
/* Cancels them as staff do (see staff_schedule.c), returning the same columns. */
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

static void booking_times(PGresult *res, int i, char *start, char *end)
{
    rfc3339_format(strtoll(PQgetvalue(res, i, 1), NULL, 10),
                   (int32_t)strtol(PQgetvalue(res, i, 3), NULL, 10), start, 40);
    rfc3339_format(strtoll(PQgetvalue(res, i, 2), NULL, 10),
                   (int32_t)strtol(PQgetvalue(res, i, 4), NULL, 10), end, 40);
}

/* Inside the caller's transaction: the open future bookings a change would leave
 * without a practitioner or a place (practitioner, location, keep: as for
 * OPEN_BOOKINGS_WHERE).  With cancel, cancels them as staff, tells the patients and
 * audits it; otherwise, if there are any, rolls back and replies 409 naming field.
 * Returns false after replying. */
static bool settle_bookings(struct req *r, const struct auth *a, const char *practitioner,
                            const char *location, const char *keep, bool cancel,
                            const char *reason, const char *field, const char *what)
{
    bool ok = false;
    json_t *listed = json_array(), *notes = json_array();
    char *text = NULL;
    const char *v[] = {staff_clinic(r), practitioner, location, keep, reason};
    PGresult *res = api_query(r, cancel ? &st_cancel_open : &st_open_bookings, v);
    if (!res)
        goto out;
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        char start[40], end[40];
        booking_times(res, i, start, end);
        if (i < BOOKINGS_LISTED)
            json_array_append_new(listed, json_pack("{s:s, s:s, s:s}", "id", PQgetvalue(res, i, 0),
                                                    "start", start, "end", end));
        if (cancel)
            json_array_append_new(notes, json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "id",
                                                   PQgetvalue(res, i, 0), "email",
                                                   PQgetvalue(res, i, 5), "payload", "start",
                                                   start, "by", "staff", "reason", reason));
    }
    if (n > 0 && !cancel) {
        api_rollback(r);
        char detail[300], msg[200];
        snprintf(detail, sizeof(detail),
                 "%s %d open booking%s still to come. Move %s first, or send the request again "
                 "with ?cancel_bookings=true to cancel %s (the patients are told).",
                 what, n, n == 1 ? "" : "s", n == 1 ? "it" : "them", n == 1 ? "it" : "them");
        snprintf(msg, sizeof(msg), "%d open booking%s would be left behind", n, n == 1 ? "" : "s");
        reply_problem_ext(r, 409, "has-bookings", "Open bookings in the way", detail,
                          json_pack("[o]", problem_error(field, msg)),
                          json_pack("{s:O, s:i}", "bookings", listed, "count", n));
        goto out;
    }
    if (n > 0) {
        text = json_dumps(notes, JSON_COMPACT);
        const char *nv[] = {staff_clinic(r), text};
        PGresult *u = api_query(r, &st_notify_cancelled, nv);
        if (!u)
            goto out;
        PQclear(u);
        json_t *ids = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(ids, json_string(PQgetvalue(res, i, 0)));
        if (!audit(r, a, NULL, staff_clinic(r), "cancel_bookings",
                   practitioner ? "practitioner" : "location", practitioner ? practitioner : location,
                   true, "success", json_pack("{s:o, s:s}", "bookings", ids, "reason", reason)))
            goto out;
    }
    ok = true;
out:
    free(text);
    json_decref(listed);
    json_decref(notes);
    PQclear(res);
    return ok;
}

/* --- locations ------------------------------------------------------------------- */

#define LOCATION_VIEW                                                                        \
    "json_build_object('id', l.id, 'name', l.name, 'address', l.address, 'city', l.city,"    \
    " 'region', l.region, 'postcode', l.postcode, 'country', l.country,"                     \
    " 'lat', round(ST_Y(l.geog::geometry)::numeric, 6),"                                     \
    " 'lon', round(ST_X(l.geog::geometry)::numeric, 6), 'timezone', l.timezone,"             \
    " 'wheelchair_accessible', l.wheelchair_accessible, 'active', l.active,"                 \
    " 'practitioners', (SELECT count(*) FROM practitioner_locations x"                        \
    "   WHERE x.location_id = l.id), 'created_at', l.created_at)"

DB_STMT(st_loc_list,
        "SELECT json_build_object('items', coalesce(json_agg(" LOCATION_VIEW
        " ORDER BY l.name, l.id), '[]'), 'next_cursor', NULL)::text"
        " FROM locations l WHERE l.clinic_id = $1::uuid AND ($2::bool IS NULL OR l.active = $2::bool)",
        2);
DB_STMT(st_loc_get,
        "SELECT " LOCATION_VIEW "::text FROM locations l WHERE l.clinic_id = $1::uuid"
        " AND l.id = $2::uuid",
        2);
/* The zone as given when it is one, and the zone it probably meant (case aside). */
DB_STMT(st_tz_check,
        "SELECT (SELECT name FROM time_zones WHERE name = $1),"
        " (SELECT name FROM time_zones WHERE lower(name) = lower($1) ORDER BY name LIMIT 1)",
        1);
DB_STMT(st_loc_insert,
        "INSERT INTO locations (clinic_id, name, address, city, region, postcode, country, geog,"
        " timezone, wheelchair_accessible) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7,"
        " ST_SetSRID(ST_MakePoint($9::float8, $8::float8), 4326)::geography, $10,"
        " coalesce($11::bool, false)) RETURNING id",
        11);
DB_STMT(st_loc_update,
        "UPDATE locations SET name = coalesce($3, name), address = coalesce($4, address),"
        " city = coalesce($5, city), region = CASE WHEN $6::bool THEN $7 ELSE region END,"
        " postcode = CASE WHEN $8::bool THEN $9 ELSE postcode END,"
        " country = coalesce($10, country),"
        " geog = CASE WHEN $11::float8 IS NULL AND $12::float8 IS NULL THEN geog ELSE"
        "   ST_SetSRID(ST_MakePoint(coalesce($12::float8, ST_X(geog::geometry)),"
        "   coalesce($11::float8, ST_Y(geog::geometry))), 4326)::geography END,"
        " timezone = coalesce($13, timezone),"
        " wheelchair_accessible = coalesce($14::bool, wheelchair_accessible),"
        " active = coalesce($15::bool, active)"
        " WHERE clinic_id = $1::uuid AND id = $2::uuid RETURNING id",
        15);
/* Locks the row; says whether it was active. */
DB_STMT(st_loc_lock,
        "SELECT active FROM locations WHERE clinic_id = $1::uuid AND id = $2::uuid FOR UPDATE", 2);
DB_STMT(st_loc_deactivate, "UPDATE locations SET active = false WHERE id = $1::uuid", 1);

/* ISO 3166-1 alpha-2, and XK (Kosovo), which the gazetteer uses too. */
static const char iso3166[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO "
    "BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ "
    "DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP "
    "GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG "
    "KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML "
    "MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE "
    "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL "
    "SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM "
    "US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

static bool iso3166_alpha2(const char *s, char *out)
{
    if (strlen(s) != 2 || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]))
        return false;
    out[0] = (char)toupper((unsigned char)s[0]);
    out[1] = (char)toupper((unsigned char)s[1]);
    out[2] = '\0';
    for (size_t i = 0; i + 1 < sizeof(iso3166); i += 3)
        if (iso3166[i] == out[0] && iso3166[i + 1] == out[1])
            return true;
    return false;
}

struct location_in {
    const char *name, *address, *city, *region, *postcode, *timezone, *wheelchair, *active;
    const char *lat, *lon;
    bool set_region, set_postcode;
    char country[3], lat_s[32], lon_s[32];
    bool has_country;
};

/* Reads a location body; create requires the address fields.  The time zone is
 * checked against the database afterwards (location_tz_ok). */
static void location_parse(struct input *in, json_t *body, bool create, struct location_in *l)
{
    memset(l, 0, sizeof(*l));
    l->name = body_str(in, body, NULL, "name", create, 200);
    l->address = body_str(in, body, NULL, "address", create, 300);
    l->city = body_str(in, body, NULL, "city", create, 100);
    l->set_region = json_object_get(body, "region") != NULL;
    l->region = body_str(in, body, NULL, "region", false, 100);
    l->set_postcode = json_object_get(body, "postcode") != NULL;
    l->postcode = body_str(in, body, NULL, "postcode", false, 20);
    const char *country = body_str(in, body, NULL, "country", create, 2 + 8);
    if (country && !(l->has_country = iso3166_alpha2(country, l->country)))
        input_error(in, "country", false,
                    "country must be a two-letter ISO 3166-1 code such as US, GB or DE");
    l->lat = number_member(in, body, "lat", -90, 90, l->lat_s, sizeof(l->lat_s));
    l->lon = number_member(in, body, "lon", -180, 180, l->lon_s, sizeof(l->lon_s));
    if (create && absent(body, "lat"))
        input_error(in, "lat", false, "lat is required");
    if (create && absent(body, "lon"))
        input_error(in, "lon", false, "lon is required");
    l->timezone = body_str(in, body, NULL, "timezone", create, 64);
    l->wheelchair = bool_member(in, body, "wheelchair_accessible");
    if (!create) {
        static const char *const fixed[] = {"name", "address", "city", "country", "lat", "lon",
                                            "timezone", "wheelchair_accessible", "active", NULL};
        not_null(in, body, fixed);
        l->active = reactivate(in, body);
    }
}

/* The time zone must be one PostgreSQL knows (the time_zones table): a problem
 * otherwise.  False after replying 503. */
static bool location_tz_ok(struct req *r, struct input *in, const char *tz)
{
    if (!tz)
        return true;
    const char *v[] = {tz};
    PGresult *res = api_query(r, &st_tz_check, v);
    if (!res)
        return false;
    if (PQgetisnull(res, 0, 0)) {
        if (!PQgetisnull(res, 0, 1))
            input_error(in, "timezone", false, "timezone '%.64s' is not known; did you mean %s?",
                        tz, PQgetvalue(res, 0, 1));
        else
            input_error(in, "timezone", false,
                        "timezone '%.64s' is not an IANA time zone such as America/Los_Angeles",
                        tz);
    }
    PQclear(res);
    return true;
}

void staff_locations_list(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    if (!staff_enter(r, &a, STAFF_READ))
        return;
    static const char *const allowed[] = {"active", NULL};
    only_params(&in, allowed);
    bool active = false;
    bool has_active = q_bool(&in, "active", &active);
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    const char *v[] = {staff_clinic(r), has_active ? (active ? "true" : "false") : NULL};
    PGresult *res = api_query(r, &st_loc_list, v);
    if (!res)
        return;
    reply_db_json(r, res);
    PQclear(res);
}

void staff_locations_get(struct req *r)
{
    struct auth a;
    const char *id;
    if (staff_enter(r, &a, STAFF_READ) && (id = route_id(r)))
        reply_one(r, &st_loc_get, id, 200);
}

static const char *const location_fields[] = {"name", "address", "city", "region", "postcode",
                                              "country", "lat", "lon", "timezone",
                                              "wheelchair_accessible", NULL};

void staff_locations_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    PGresult *res = NULL;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE))
        return;
    body = staff_body(&in, location_fields);
    struct location_in l;
    if (body)
        location_parse(&in, body, true, &l);
    if (body && !location_tz_ok(r, &in, l.timezone))
        goto out;
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    const char *v[] = {staff_clinic(r), l.name, l.address, l.city, l.region, l.postcode,
                       l.country, l.lat, l.lon, l.timezone, l.wheelchair};
    if (!api_begin(r) || !(res = api_query(r, &st_loc_insert, v)) ||
        !audit(r, &a, NULL, staff_clinic(r), "create_location", "location", PQgetvalue(res, 0, 0),
               false, "success", json_incref(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_one(r, &st_loc_get, PQgetvalue(res, 0, 0), 201);
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

void staff_locations_patch(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    PGresult *res = NULL;
    const char *id;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE) || !(id = route_id(r)))
        return;
    static const char *const allowed[] = {"name", "address", "city", "region", "postcode",
                                          "country", "lat", "lon", "timezone",
                                          "wheelchair_accessible", "active", NULL};
    body = staff_body(&in, allowed);
    struct location_in l;
    if (body)
        location_parse(&in, body, false, &l);
    if (body && !location_tz_ok(r, &in, l.timezone))
        goto out;
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    const char *v[] = {staff_clinic(r), id, l.name, l.address, l.city,
                       l.set_region ? "true" : "false", l.region,
                       l.set_postcode ? "true" : "false", l.postcode,
                       l.has_country ? l.country : NULL, l.lat, l.lon, l.timezone, l.wheelchair,
                       l.active};
    if (!api_begin(r) || !(res = api_query(r, &st_loc_update, v)))
        goto out;
    if (PQntuples(res) != 1) {
        reply_not_found(r);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "update_location", "location", id, false, "success",
               json_incref(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_one(r, &st_loc_get, id, 200);
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

void staff_locations_delete(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    PGresult *res = NULL;
    const char *id, *reason;
    bool cancel;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE) || !(id = route_id(r)))
        return;
    if (!cancel_params(&in, &cancel, &reason, "the clinic closed this location")) {
        input_reply(&in);
        goto out;
    }
    const char *v[] = {staff_clinic(r), id};
    if (!api_begin(r) || !(res = api_query(r, &st_loc_lock, v)))
        goto out;
    if (PQntuples(res) != 1) {
        reply_not_found(r);
        goto out;
    }
    if (PQgetvalue(res, 0, 0)[0] == 't') {
        const char *dv[] = {id};
        PGresult *u = NULL;
        if (!settle_bookings(r, &a, NULL, id, NULL, cancel, reason, "cancel_bookings",
                             "This location has") ||
            !(u = api_query(r, &st_loc_deactivate, dv)))
            goto out;
        PQclear(u);
        if (!audit(r, &a, NULL, staff_clinic(r), "deactivate_location", "location", id, false,
                   "success", NULL) ||
            !dirindex_commit(r))
            goto out;
    }
    reply_no_content(r); /* deactivating twice is fine */
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
}

/* --- services -------------------------------------------------------------------- */

#define SERVICE_VIEW                                                                         \
    "json_build_object('id', s.id, 'name', s.name, 'duration_minutes', s.duration_minutes,"  \
    " 'price', round(s.price_cents / 100.0, 2), 'currency', s.currency,"                     \
    " 'buffer_before_minutes', s.buffer_before_minutes,"                                     \
    " 'buffer_after_minutes', s.buffer_after_minutes, 'active', s.active,"                   \
    " 'practitioners', (SELECT count(*) FROM practitioner_services x"                         \
    "   WHERE x.service_id = s.id), 'created_at', s.created_at)"

DB_STMT(st_svc_list,
        "SELECT json_build_object('items', coalesce(json_agg(" SERVICE_VIEW
        " ORDER BY s.name, s.duration_minutes, s.id), '[]'), 'next_cursor', NULL)::text"
        " FROM services s WHERE s.clinic_id = $1::uuid AND ($2::bool IS NULL OR s.active = $2::bool)",
        2);
DB_STMT(st_svc_get,
        "SELECT " SERVICE_VIEW "::text FROM services s WHERE s.clinic_id = $1::uuid"
        " AND s.id = $2::uuid",
        2);
DB_STMT(st_svc_insert,
        "INSERT INTO services (clinic_id, name, duration_minutes, price_cents, currency,"
        " buffer_before_minutes, buffer_after_minutes) VALUES ($1::uuid, $2, $3::int, $4::int, $5,"
        " coalesce($6::int, 0), coalesce($7::int, 0)) RETURNING id",
        7);
DB_STMT(st_svc_update,
        "UPDATE services SET name = coalesce($3, name),"
        " duration_minutes = coalesce($4::int, duration_minutes),"
        " price_cents = coalesce($5::int, price_cents), currency = coalesce($6, currency),"
        " buffer_before_minutes = coalesce($7::int, buffer_before_minutes),"
        " buffer_after_minutes = coalesce($8::int, buffer_after_minutes),"
        " active = coalesce($9::bool, active)"
        " WHERE clinic_id = $1::uuid AND id = $2::uuid RETURNING id",
        9);
DB_STMT(st_svc_deactivate,
        "UPDATE services SET active = false WHERE clinic_id = $1::uuid AND id = $2::uuid"
        " RETURNING id",
        2);

#define MAX_PRICE_CENTS 10000000L /* the schema's bound: 100,000.00 */

struct service_in {
    const char *name, *duration, *price, *currency, *before, *after, *active;
    char duration_s[24], price_s[24], before_s[24], after_s[24];
};

static void service_parse(struct input *in, json_t *body, bool create, struct service_in *s)
{
    memset(s, 0, sizeof(*s));
    s->name = body_str(in, body, NULL, "name", create, 200);
    s->duration = int_member(in, body, "duration_minutes", 5, 480, s->duration_s,
                             sizeof(s->duration_s));
    if (create && absent(body, "duration_minutes"))
        input_error(in, "duration_minutes", false, "duration_minutes is required");
    json_t *p = json_object_get(body, "price");
    if (!absent(body, "price")) {
        double cents = json_is_number(p) ? json_number_value(p) * 100.0 : -1;
        double whole = round(cents);
        if (!json_is_number(p) || cents < 0 || whole > (double)MAX_PRICE_CENTS)
            input_error(in, "price", false, "price must be a number from 0 to 100000");
        else if (fabs(cents - whole) > 1e-6 * (whole > 1 ? whole : 1))
            input_error(in, "price", false, "price may have at most two decimals (cents)");
        else {
            snprintf(s->price_s, sizeof(s->price_s), "%.0f", whole);
            s->price = s->price_s;
        }
    } else if (create) {
        input_error(in, "price", false, "price is required");
    }
    s->currency = body_str(in, body, NULL, "currency", create, 3 + 8);
    if (s->currency && (strlen(s->currency) != 3 || !isupper((unsigned char)s->currency[0]) ||
                        !isupper((unsigned char)s->currency[1]) ||
                        !isupper((unsigned char)s->currency[2]))) {
        input_error(in, "currency", false,
                    "currency must be an ISO 4217 code of three capital letters, such as USD");
        s->currency = NULL;
    }
    s->before = int_member(in, body, "buffer_before_minutes", 0, 240, s->before_s,
                           sizeof(s->before_s));
    s->after = int_member(in, body, "buffer_after_minutes", 0, 240, s->after_s,
                          sizeof(s->after_s));
    if (!create) {
        static const char *const fixed[] = {"name", "duration_minutes", "price", "currency",
                                            "buffer_before_minutes", "buffer_after_minutes",
                                            "active", NULL};
        not_null(in, body, fixed);
        s->active = reactivate(in, body);
    }
}

void staff_services_list(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    if (!staff_enter(r, &a, STAFF_READ))
        return;
    static const char *const allowed[] = {"active", NULL};
    only_params(&in, allowed);
    bool active = false;
    bool has_active = q_bool(&in, "active", &active);
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    const char *v[] = {staff_clinic(r), has_active ? (active ? "true" : "false") : NULL};
    PGresult *res = api_query(r, &st_svc_list, v);
    if (!res)
        return;
    reply_db_json(r, res);
    PQclear(res);
}

void staff_services_get(struct req *r)
{
    struct auth a;
    const char *id;
    if (staff_enter(r, &a, STAFF_READ) && (id = route_id(r)))
        reply_one(r, &st_svc_get, id, 200);
}

void staff_services_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    PGresult *res = NULL;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE))
        return;
    static const char *const allowed[] = {"name", "duration_minutes", "price", "currency",
                                          "buffer_before_minutes", "buffer_after_minutes", NULL};
    body = staff_body(&in, allowed);
    struct service_in s;
    if (body)
        service_parse(&in, body, true, &s);
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    const char *v[] = {staff_clinic(r), s.name, s.duration, s.price, s.currency, s.before, s.after};
    if (!api_begin(r) || !(res = api_query(r, &st_svc_insert, v)) ||
        !audit(r, &a, NULL, staff_clinic(r), "create_service", "service", PQgetvalue(res, 0, 0),
               false, "success", json_incref(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_one(r, &st_svc_get, PQgetvalue(res, 0, 0), 201);
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

void staff_services_patch(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    PGresult *res = NULL;
    const char *id;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE) || !(id = route_id(r)))
        return;
    static const char *const allowed[] = {"name", "duration_minutes", "price", "currency",
                                          "buffer_before_minutes", "buffer_after_minutes",
                                          "active", NULL};
    body = staff_body(&in, allowed);
    struct service_in s;
    if (body)
        service_parse(&in, body, false, &s);
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    const char *v[] = {staff_clinic(r), id, s.name, s.duration, s.price, s.currency,
                       s.before, s.after, s.active};
    if (!api_begin(r) || !(res = api_query(r, &st_svc_update, v)))
        goto out;
    if (PQntuples(res) != 1) {
        reply_not_found(r);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "update_service", "service", id, false, "success",
               json_incref(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_one(r, &st_svc_get, id, 200);
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

/* Booked sessions of a deactivated service still take place; it is only no longer
 * offered for new bookings. */
void staff_services_delete(struct req *r)
{
    struct auth a;
    const char *id;
    PGresult *res = NULL;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE) || !(id = route_id(r)))
        return;
    const char *v[] = {staff_clinic(r), id};
    if (!api_begin(r) || !(res = api_query(r, &st_svc_deactivate, v)))
        goto out;
    if (PQntuples(res) != 1) {
        reply_not_found(r);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "deactivate_service", "service", id, false,
               "success", NULL) ||
        !dirindex_commit(r))
        goto out;
    reply_no_content(r);
out:
    api_rollback(r);
    PQclear(res);
}

/* --- practitioners --------------------------------------------------------------- */

#define PRACTITIONER_VIEW                                                                    \
    "json_build_object('id', p.id, 'clinic_id', p.clinic_id, 'name', p.name,"               \
    " 'profession', json_build_object('slug', pr.slug, 'name', pr.name),"                    \
    " 'credentials', p.credentials, 'bio', p.bio, 'languages', p.languages,"                 \
    " 'accepting_new', p.accepting_new, 'home_visits', p.home_visits,"                       \
    " 'sliding_scale', p.sliding_scale, 'active', p.active,"                                 \
    " 'techniques', coalesce((SELECT json_agg(t.slug ORDER BY t.sort_order, t.slug)"         \
    "   FROM practitioner_techniques x JOIN techniques t ON t.id = x.technique_id"           \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'conditions', coalesce((SELECT json_agg(k.slug ORDER BY k.slug)"                       \
    "   FROM practitioner_conditions x JOIN conditions k ON k.id = x.condition_id"           \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'location_ids', coalesce((SELECT json_agg(l.id ORDER BY l.name, l.id)"                 \
    "   FROM practitioner_locations x JOIN locations l ON l.id = x.location_id"              \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'locations', coalesce((SELECT json_agg(json_build_object('id', l.id, 'name', l.name,"  \
    "   'city', l.city, 'timezone', l.timezone, 'active', l.active) ORDER BY l.name, l.id)"  \
    "   FROM practitioner_locations x JOIN locations l ON l.id = x.location_id"              \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'service_ids', coalesce((SELECT json_agg(s.id ORDER BY s.name, s.id)"                  \
    "   FROM practitioner_services x JOIN services s ON s.id = x.service_id"                 \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'services', coalesce((SELECT json_agg(json_build_object('id', s.id, 'name', s.name,"   \
    "   'duration_minutes', s.duration_minutes, 'active', s.active) ORDER BY s.name, s.id)"  \
    "   FROM practitioner_services x JOIN services s ON s.id = x.service_id"                 \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'created_at', p.created_at, 'updated_at', p.updated_at)"

DB_STMT(st_pract_list,
        "SELECT " PRACTITIONER_VIEW "::text, p.name, p.id FROM practitioners p"
        " JOIN professions pr ON pr.id = p.profession_id WHERE p.clinic_id = $1::uuid"
        " AND ($2::bool IS NULL OR p.active = $2::bool)"
        " AND ($3::text IS NULL OR (p.name, p.id) > ($3::text, $4::uuid))"
        " ORDER BY p.name, p.id LIMIT $5::int",
        5);
DB_STMT(st_pract_get,
        "SELECT " PRACTITIONER_VIEW "::text FROM practitioners p"
        " JOIN professions pr ON pr.id = p.profession_id"
        " WHERE p.clinic_id = $1::uuid AND p.id = $2::uuid",
        2);
DB_STMT(st_pract_update,
        "UPDATE practitioners SET name = coalesce($3, name),"
        " profession_id = coalesce($4::smallint, profession_id),"
        " credentials = coalesce($5, credentials), bio = coalesce($6, bio),"
        " languages = CASE WHEN $7::jsonb IS NULL THEN languages"
        "   ELSE ARRAY(SELECT jsonb_array_elements_text($7::jsonb)) END,"
        " accepting_new = coalesce($8::bool, accepting_new),"
        " home_visits = coalesce($9::bool, home_visits),"
        " sliding_scale = coalesce($10::bool, sliding_scale),"
        " active = coalesce($11::bool, active), updated_at = now()"
        " WHERE clinic_id = $1::uuid AND id = $2::uuid RETURNING id",
        11);
/* Replaces the link lists present in $3 (pract_check's PRACT_UPDATE output); lists it
 * does not hold are left alone.  Weekly hours at a location taken away go with it. */
#define REPLACE_LINKS(tag, table, col, key, type)                                           \
    " del_" tag " AS (DELETE FROM " table " WHERE practitioner_id = $2::uuid AND $3::jsonb ? '" \
    key "' AND NOT ($3::jsonb->'" key "') @> to_jsonb(" col ")),"                             \
    " ins_" tag " AS (INSERT INTO " table " (clinic_id, practitioner_id, " col ")"               \
    "   SELECT $1::uuid, $2::uuid, x.v::" type " FROM jsonb_array_elements_text("             \
    "   coalesce($3::jsonb->'" key "', '[]')) AS x(v) ON CONFLICT DO NOTHING)"
DB_STMT(st_pract_links,
        "WITH" REPLACE_LINKS("l", "practitioner_locations", "location_id", "location_ids", "uuid")
        "," REPLACE_LINKS("s", "practitioner_services", "service_id", "service_ids", "uuid")
        "," REPLACE_LINKS("t", "practitioner_techniques", "technique_id", "technique_ids", "smallint")
        "," REPLACE_LINKS("c", "practitioner_conditions", "condition_id", "condition_ids", "smallint")
        " SELECT 1",
        3);
DB_STMT(st_pract_lock,
        "SELECT active FROM practitioners WHERE clinic_id = $1::uuid AND id = $2::uuid FOR UPDATE",
        2);
DB_STMT(st_pract_deactivate,
        "UPDATE practitioners SET active = false, updated_at = now() WHERE id = $1::uuid", 1);

#define PRACT_PAGE_DEFAULT 20
#define PRACT_PAGE_MAX 100

/* Loads the catalog for the route's clinic; false after replying. */
static bool load_catalog(struct req *r, struct catalog *cat)
{
    enum db_status st = store_imports_catalog(&r->db, staff_clinic(r), cat);
    if (st != DB_OK)
        reply_failure(r, st);
    return st == DB_OK;
}

static void input_problem(void *ctx, const char *field, const char *msg)
{
    input_error(ctx, field, false, "%s", msg);
}

/* What the audit log keeps of a practitioner body: everything but the bio's text. */
static json_t *pract_audit_detail(json_t *body)
{
    json_t *d = json_deep_copy(body);
    if (json_object_get(d, "bio"))
        json_object_set_new(d, "bio", json_string("(changed)"));
    return d;
}

void staff_practitioners_list(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    if (!staff_enter(r, &a, STAFF_READ))
        return;
    static const char *const allowed[] = {"active", "limit", "cursor", NULL};
    only_params(&in, allowed);
    bool active = false;
    bool has_active = q_bool(&in, "active", &active);
    long limit = PRACT_PAGE_DEFAULT;
    q_long(&in, "limit", 1, PRACT_PAGE_MAX, &limit);
    struct cursor c = {0};
    const char *cur = q_str(&in, "cursor", CURSOR_MAX_TEXT);
    if (cur && (cursor_decode(cur, &c) < 0 || c.kind != 'n'))
        input_error(&in, "cursor", false,
                    "cursor is not one this list produced; start again without it");
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    char lim[24];
    snprintf(lim, sizeof(lim), "%ld", limit + 1);
    const char *v[] = {staff_clinic(r), has_active ? (active ? "true" : "false") : NULL,
                       cur ? c.key : NULL, cur ? c.id : NULL, lim};
    PGresult *res = api_query(r, &st_pract_list, v);
    if (!res)
        return;
    char next[CURSOR_MAX_TEXT];
    int n = page_cut(res, limit, 'n', 1, 2, next);
    reply_items(r, res, n, 0, next[0] ? next : NULL);
    PQclear(res);
}

void staff_practitioners_get(struct req *r)
{
    struct auth a;
    const char *id;
    if (staff_enter(r, &a, STAFF_READ) && (id = route_id(r)))
        reply_one(r, &st_pract_get, id, 200);
}

static const char *const practitioner_fields[] = {
    "name", "profession", "credentials", "bio", "languages", "accepting_new", "home_visits",
    "sliding_scale", "techniques", "conditions", "service_ids", "location_ids", "active", NULL};

void staff_practitioners_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    struct catalog cat = {0};
    json_t *body = NULL, *rows = NULL, *ids = json_array();
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE))
        goto out;
    body = staff_body(&in, practitioner_fields);
    if (!body) {
        input_reply(&in);
        goto out;
    }
    if (json_object_get(body, "active"))
        input_error(&in, "active", false, "a new practitioner is active; leave active out");
    if (!load_catalog(r, &cat))
        goto out;
    json_t *p = pract_check(&cat, body, PRACT_CREATE, false, input_problem, &in);
    if (!input_ok(&in)) {
        json_decref(p);
        input_reply(&in);
        goto out;
    }
    rows = json_pack("[o]", p);
    if (!api_begin(r))
        goto out;
    enum db_status st = store_imports_insert(&r->db, staff_clinic(r), rows, 0, 1, ids);
    if (st != DB_OK) {
        reply_failure(r, st);
        goto out;
    }
    const char *id = json_string_value(json_array_get(ids, 0));
    if (!audit(r, &a, NULL, staff_clinic(r), "create_practitioner", "practitioner", id, false,
               "success", pract_audit_detail(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_one(r, &st_pract_get, id, 201);
out:
    api_rollback(r);
    catalog_release(&cat);
    input_release(&in);
    json_decref(body);
    json_decref(rows);
    json_decref(ids);
}

void staff_practitioners_patch(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    struct catalog cat = {0};
    json_t *body = NULL, *p = NULL;
    char *langs = NULL, *links = NULL, *keep = NULL;
    PGresult *res = NULL;
    const char *id;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE) || !(id = route_id(r)))
        goto out;
    body = staff_body(&in, practitioner_fields);
    if (!body) {
        input_reply(&in);
        goto out;
    }
    const char *active = reactivate(&in, body);
    if (!load_catalog(r, &cat))
        goto out;
    p = pract_check(&cat, body, PRACT_UPDATE, false, input_problem, &in);
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    json_t *pid = json_object_get(p, "profession_id");
    char prof[24];
    snprintf(prof, sizeof(prof), "%lld", (long long)json_integer_value(pid));
    json_t *lv = json_object_get(p, "languages");
    langs = lv ? json_dumps(lv, JSON_COMPACT) : NULL;
    json_t *b;
    const char *flag[3];
    static const char *const flags[] = {"accepting_new", "home_visits", "sliding_scale"};
    for (int i = 0; i < 3; i++)
        flag[i] = (b = json_object_get(p, flags[i])) ? (json_is_true(b) ? "true" : "false") : NULL;
    const char *v[] = {staff_clinic(r), id, json_string_value(json_object_get(p, "name")),
                       pid ? prof : NULL, json_string_value(json_object_get(p, "credentials")),
                       json_string_value(json_object_get(p, "bio")), langs, flag[0], flag[1],
                       flag[2], active};
    if (!api_begin(r) || !(res = api_query(r, &st_pract_update, v)))
        goto out;
    if (PQntuples(res) != 1) {
        reply_not_found(r);
        goto out;
    }
    json_t *locs = json_object_get(p, "location_ids");
    if (locs) { /* bookings at a location taken away would have nowhere to happen */
        keep = json_dumps(locs, JSON_COMPACT);
        if (!settle_bookings(r, &a, id, NULL, keep, false, NULL, "location_ids",
                             "The locations taken away have"))
            goto out;
    }
    links = json_dumps(p, JSON_COMPACT);
    const char *lv2[] = {staff_clinic(r), id, links};
    PGresult *u = api_query(r, &st_pract_links, lv2);
    if (!u)
        goto out;
    PQclear(u);
    if (!audit(r, &a, NULL, staff_clinic(r), "update_practitioner", "practitioner", id, false,
               "success", pract_audit_detail(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_one(r, &st_pract_get, id, 200);
out:
    api_rollback(r);
    catalog_release(&cat);
    PQclear(res);
    input_release(&in);
    json_decref(body);
    json_decref(p);
    free(langs);
    free(links);
    free(keep);
}

/* Deactivating takes the practitioner out of search and booking.  Their open future
 * bookings would be stranded: a 409 lists them, unless ?cancel_bookings=true, which
 * cancels them as staff (the patients are told). */
void staff_practitioners_delete(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    PGresult *res = NULL;
    const char *id, *reason;
    bool cancel;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE) || !(id = route_id(r)))
        return;
    if (!cancel_params(&in, &cancel, &reason, "the practitioner no longer sees patients here")) {
        input_reply(&in);
        goto out;
    }
    const char *v[] = {staff_clinic(r), id};
    if (!api_begin(r) || !(res = api_query(r, &st_pract_lock, v)))
        goto out;
    if (PQntuples(res) != 1) {
        reply_not_found(r);
        goto out;
    }
    if (PQgetvalue(res, 0, 0)[0] == 't') {
        const char *dv[] = {id};
        PGresult *u = NULL;
        if (!settle_bookings(r, &a, id, NULL, NULL, cancel, reason, "cancel_bookings",
                             "This practitioner has") ||
            !(u = api_query(r, &st_pract_deactivate, dv)))
            goto out;
        PQclear(u);
        if (!audit(r, &a, NULL, staff_clinic(r), "deactivate_practitioner", "practitioner", id,
                   false, "success", NULL) ||
            !dirindex_commit(r))
            goto out;
    }
    reply_no_content(r);
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
}

/* --- API keys -------------------------------------------------------------------- */

DB_STMT(st_keys_list,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', k.id,"
        " 'name', k.name, 'scopes', k.scopes, 'active', k.revoked_at IS NULL,"
        " 'created_at', k.created_at, 'created_by', k.created_by, 'last_used_at', k.last_used_at,"
        " 'revoked_at', k.revoked_at) ORDER BY k.created_at DESC, k.id), '[]'),"
        " 'next_cursor', NULL)::text FROM api_keys k WHERE k.clinic_id = $1::uuid",
        1);
DB_STMT(st_keys_active,
        "SELECT count(*) FROM api_keys WHERE clinic_id = $1::uuid AND revoked_at IS NULL", 1);
DB_STMT(st_key_insert,
        "INSERT INTO api_keys (clinic_id, name, token_hash, scopes, created_by)"
        " VALUES ($1::uuid, $2, $3::bytea, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)),"
        " $5::uuid) RETURNING id, to_json(created_at) #>> '{}'",
        5);
/* Revokes once: says whether the key was still active. */
DB_STMT(st_key_revoke,
        "WITH k AS (SELECT id, revoked_at FROM api_keys WHERE clinic_id = $1::uuid"
        "   AND id = $2::uuid FOR UPDATE)"
        " UPDATE api_keys a SET revoked_at = coalesce(k.revoked_at, now()) FROM k"
        " WHERE a.id = k.id RETURNING k.revoked_at IS NULL",
        2);

/* Keys are managed by people: a key that could mint keys could widen its own scopes. */
static bool enter_keys(struct req *r, struct auth *a, enum staff_access access)
{
    if (!staff_enter(r, a, access))
        return false;
    if (a->api_key) {
        reply_problem(r, 403, "forbidden", NULL,
                      "API keys are managed by a clinic administrator who is signed in, not "
                      "with an API key.",
                      NULL);
        return false;
    }
    return true;
}

void staff_api_keys_list(struct req *r)
{
    struct auth a;
    if (!enter_keys(r, &a, STAFF_ADMIN_READ))
        return;
    const char *v[] = {staff_clinic(r)};
    PGresult *res = api_query(r, &st_keys_list, v);
    if (!res)
        return;
    reply_db_json(r, res);
    PQclear(res);
}

void staff_api_keys_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL, *scopes = json_array();
    char *scopes_s = NULL;
    PGresult *res = NULL;
    char key[sizeof(API_KEY_PREFIX) + TOKEN_TEXT_LEN] = "", hash[TOKEN_HASH_HEX_LEN + 1];
    if (!enter_keys(r, &a, STAFF_ADMIN_WRITE))
        goto out;
    static const char *const allowed[] = {"name", "scopes", NULL};
    body = staff_body(&in, allowed);
    const char *name = body ? body_str(&in, body, NULL, "name", true, 100) : NULL;
    json_t *sv = json_object_get(body, "scopes");
    if (body && !json_is_array(sv)) {
        input_error(&in, "scopes", false,
                    "scopes must be a list of one or more of read, write, patient_data and audit");
    } else if (body) {
        static const char *const known[] = {"read", "write", "patient_data", "audit"};
        size_t i;
        json_t *x;
        json_array_foreach(sv, i, x) {
            const char *s = json_string_value(x);
            bool ok = false;
            for (size_t k = 0; k < sizeof(known) / sizeof(known[0]) && s && !ok; k++)
                ok = strcmp(s, known[k]) == 0;
            if (!ok) {
                input_error(&in, "scopes", false,
                            "scopes may hold only read, write, patient_data and audit");
                break;
            }
            bool dup = false;
            size_t j;
            json_t *y;
            json_array_foreach(scopes, j, y) dup = dup || strcmp(json_string_value(y), s) == 0;
            if (!dup)
                json_array_append_new(scopes, json_string(s));
        }
        if (input_ok(&in) && json_array_size(scopes) == 0)
            input_error(&in, "scopes", false, "scopes needs at least one scope");
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    const char *cv[] = {staff_clinic(r)};
    if (!api_begin(r) || !(res = api_query(r, &st_keys_active, cv)))
        goto out;
    long active = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    res = NULL;
    if (active >= MAX_ACTIVE_API_KEYS) {
        api_rollback(r);
        char detail[160];
        snprintf(detail, sizeof(detail),
                 "The clinic has %d active API keys, the most it may hold; revoke one first.",
                 MAX_ACTIVE_API_KEYS);
        reply_problem(r, 409, "too-many-keys", NULL, detail,
                      json_pack("[o]", problem_error("name", "too many active API keys")));
        goto out;
    }
    /* the stored hash is of the whole text presented, prefix included, as auth_staff
     * looks keys up */
    char token[TOKEN_TEXT_LEN + 1], unused[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, unused);
    snprintf(key, sizeof(key), "%s%s", API_KEY_PREFIX, token);
    token_hash_hex(key, hash);
    scopes_s = json_dumps(scopes, JSON_COMPACT);
    const char *v[] = {staff_clinic(r), name, hash, scopes_s, a.user_id};
    if (!(res = api_query(r, &st_key_insert, v)) ||
        !audit(r, &a, NULL, staff_clinic(r), "create_api_key", "api_key", PQgetvalue(res, 0, 0),
               false, "success", json_pack("{s:s, s:O}", "name", name, "scopes", scopes)) ||
        !dirindex_commit(r))
        goto out;
    reply_json(r, 201,
               json_pack("{s:s, s:s, s:O, s:b, s:s, s:s, s:s}", "id", PQgetvalue(res, 0, 0),
                         "name", name, "scopes", scopes, "active", 1, "created_at",
                         PQgetvalue(res, 0, 1), "key", key, "note",
                         "This is the only time the key is shown; store it now. Send it as "
                         "Authorization: Bearer <key>."));
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
    json_decref(scopes);
    free(scopes_s);
}

void staff_api_keys_delete(struct req *r)
{
    struct auth a;
    const char *id;
    PGresult *res = NULL;
    if (!enter_keys(r, &a, STAFF_ADMIN_WRITE) || !(id = route_id(r)))
        return;
    const char *v[] = {staff_clinic(r), id};
    if (!api_begin(r) || !(res = api_query(r, &st_key_revoke, v)))
        goto out;
    if (PQntuples(res) != 1) {
        reply_not_found(r);
        goto out;
    }
    if (PQgetvalue(res, 0, 0)[0] == 't' &&
        !audit(r, &a, NULL, staff_clinic(r), "revoke_api_key", "api_key", id, false, "success",
               NULL))
        goto out;
    if (!dirindex_commit(r))
        goto out;
    reply_no_content(r);
out:
    api_rollback(r);
    PQclear(res);
}

/* --- CSV imports ----------------------------------------------------------------- */

/* text/csv, in UTF-8 if a charset is named at all. */
static bool csv_body_type(struct req *r)
{
    const char *ct = req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] != '\0' && ct[8] != ';'))
        return false;
    const char *cs = strcasestr(ct, "charset=");
    if (!cs)
        return true;
    cs += 8;
    if (*cs == '"')
        cs++;
    return strncasecmp(cs, "utf-8", 5) == 0 || strncasecmp(cs, "utf8", 4) == 0;
}

void staff_imports_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    struct catalog cat = {0};
    struct import_result res = {0};
    json_t *ids = json_array();
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE))
        goto out;
    if (!csv_body_type(r)) {
        reply_problem(r, 415, "unsupported-media-type", NULL,
                      "Send the practitioners as a CSV file: Content-Type: text/csv (UTF-8).",
                      json_pack("[o]", problem_error("Content-Type", "must be text/csv")));
        goto out;
    }
    static const char *const allowed[] = {"dry_run", NULL};
    only_params(&in, allowed);
    bool dry_run = false;
    q_bool(&in, "dry_run", &dry_run);
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    if (!load_catalog(r, &cat))
        goto out;
    size_t problems = import_check(&cat, r->body.data ? r->body.data : "", r->body.len, &res,
                                   NULL, NULL);
    if (problems > 0) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "%zu problem%s in the file; nothing was imported. Each entry of errors names "
                 "the row (the header is row 1), the line and the column.",
                 problems, problems == 1 ? "" : "s");
        reply_problem(r, res.malformed ? 400 : 422, res.malformed ? "malformed" : "invalid-rows",
                      res.malformed ? "The file is not readable CSV" : "Invalid rows", detail,
                      json_incref(res.errors));
        goto out;
    }
    size_t n = json_array_size(res.rows);
    if (dry_run) {
        reply_json(r, 200, json_pack("{s:b, s:I, s:I, s:[]}", "dry_run", 1, "would_import",
                                     (json_int_t)n, "imported", (json_int_t)0, "ids"));
        goto out;
    }
    if (!api_begin(r))
        goto out;
    for (size_t from = 0; from < n; from += IMPORT_CHUNK) {
        enum db_status st = store_imports_insert(&r->db, staff_clinic(r), res.rows, from,
                                                 IMPORT_CHUNK, ids);
        if (st != DB_OK) {
            reply_failure(r, st);
            goto out;
        }
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "import_practitioners", "clinic", staff_clinic(r),
               false, "success", json_pack("{s:I, s:I}", "rows", (json_int_t)n, "bytes",
                                           (json_int_t)r->body.len)) ||
        !dirindex_commit(r))
        goto out;
    reply_json(r, 201, json_pack("{s:I, s:O}", "imported", (json_int_t)n, "ids", ids));
out:
    api_rollback(r);
    catalog_release(&cat);
    import_result_release(&res);
    input_release(&in);
    json_decref(ids);
}
