/* FHIR R4 Appointment: bookings for authenticated staff of their own clinic
 * (practitioners: their own bookings; API keys: with the patient_data scope).  The
 * patient appears only as the participant's display name: no contact details, notes
 * or cancellation reasons.  Every read and search is written to the audit log as an
 * access to patient data. */
#include "fhir/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "fhir/fhir.h"
#include "util/parse.h"

#define UTC_INSTANT(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define ALL_GROUPS(n, match)                                                                \
    " AND (" n "::jsonb IS NULL OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(" n       \
    "::jsonb) AS grp(vals) WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text("       \
    "grp.vals) AS gv(val) WHERE " match ")))"

#define PARTICIPATION(code, display, text)                                                  \
    "json_build_array(json_build_object('coding', json_build_array(json_build_object("      \
    "'system', 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'code', '"     \
    code "', 'display', '" display "')), 'text', '" text "'))"

/* Appointment (b booking, p practitioner, l location, s service); start and end are
 * added in C, in the location's time zone. */
#define APPOINTMENT_JSON                                                                    \
    "json_strip_nulls(json_build_object('resourceType', 'Appointment', 'id', b.id,"         \
    " 'meta', json_build_object('lastUpdated', " UTC_INSTANT("b.updated_at") "),"           \
    " 'status', CASE b.status WHEN 'completed' THEN 'fulfilled' WHEN 'no_show' THEN 'noshow'" \
    "   ELSE b.status END,"                                                                 \
    " 'cancelationReason', CASE WHEN b.status = 'cancelled' THEN json_build_object('text',"  \
    "   CASE b.cancelled_by WHEN 'patient' THEN 'Cancelled by the patient'"                  \
    "   ELSE 'Cancelled by the clinic' END) END,"                                           \
    " 'serviceType', json_build_array(json_build_object('coding', json_build_array("       \
    "   json_build_object('system', '" FHIR_CS_SERVICE "', 'code', s.id, 'display', s.name))," \
    "   'text', s.name)),"                                                                  \
    " 'minutesDuration', round(extract(epoch FROM upper(b.during) - lower(b.during)) / 60)::int," \
    " 'created', " UTC_INSTANT("b.created_at") ","                                          \
    " 'participant', json_build_array("                                                     \
    "   json_build_object('type', " PARTICIPATION("SBJ", "subject", "patient") ","          \
    "     'actor', json_build_object('display', b.patient_name), 'required', 'required',"   \
    "     'status', 'accepted'),"                                                           \
    "   json_build_object('type', " PARTICIPATION("PPRF", "primary performer", "practitioner") "," \
    "     'actor', json_build_object('reference', 'Practitioner/' || p.id, 'display', p.name)," \
    "     'required', 'required', 'status', 'accepted'),"                                   \
    "   json_build_object('type', " PARTICIPATION("LOC", "location", "location") ","         \
    "     'actor', json_build_object('reference', 'Location/' || l.id, 'display', l.name),"  \
    "     'required', 'required', 'status', 'accepted'))))"

/* Columns: resource, start, end (Unix times), time zone, id, clinic id. */
#define APPOINTMENT_SELECT                                                                  \
    "SELECT " APPOINTMENT_JSON "::text, extract(epoch FROM lower(b.during))::bigint,"       \
    " extract(epoch FROM upper(b.during))::bigint, l.timezone, b.id, b.clinic_id"           \
    " FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id"                     \
    " JOIN locations l ON l.id = b.location_id JOIN services s ON s.id = b.service_id"      \
    " WHERE ($1::uuid IS NULL OR b.clinic_id = $1::uuid)"                                   \
    " AND ($2::uuid IS NULL OR b.practitioner_id = $2::uuid)"

/* $1 clinic (NULL: any, for platform admins)  $2 practitioner (for practitioners)
 * $3 booking */
DB_STMT(st_appointment_read, APPOINTMENT_SELECT " AND b.id = $3::uuid", 3);
/* Whose a booking the caller may not see is (for the refusal's audit rows). */
DB_STMT(st_appointment_owner, "SELECT clinic_id FROM bookings WHERE id = $1::uuid", 1);

#define WALL(n) "(timestamp '1970-01-01' + " n "::bigint * interval '1 second') AT TIME ZONE l.timezone"

/* $3 from  $4 from (wall-clock, in the location's zone)  $5 to  $6 to (wall-clock)
 * $7 practitioner refs  $8 location refs  $9 statuses  $10 cursor start  $11 cursor id
 * $12 rows */
DB_STMT(st_appointment_search,
        APPOINTMENT_SELECT
        " AND ($3::bigint IS NULL OR lower(b.during) >= to_timestamp($3::bigint))"
        " AND ($4::bigint IS NULL OR lower(b.during) >= " WALL("$4") ")"
        " AND ($5::bigint IS NULL OR lower(b.during) < to_timestamp($5::bigint))"
        " AND ($6::bigint IS NULL OR lower(b.during) < " WALL("$6") ")"
        ALL_GROUPS("$7", "'Practitioner/' || b.practitioner_id = gv.val")
        ALL_GROUPS("$8", "'Location/' || b.location_id = gv.val")
        ALL_GROUPS("$9", "b.status = gv.val")
        " AND ($10::bigint IS NULL OR (lower(b.during), b.id) > (to_timestamp($10::bigint), $11::uuid))"
        " ORDER BY lower(b.during), b.id LIMIT $12::int",
        12);

/* Staff who may see bookings with patient names; false after replying (401, 403). */
static bool appointment_enter(struct req *r, struct auth *a)
{
    return auth_staff(r, a) && auth_scope(r, a, SCOPE_READ | SCOPE_PATIENT_DATA);
}

/* The scope of what a sees: clinic (NULL for platform admins) and practitioner. */
static void scope_of(const struct auth *a, const char **clinic, const char **practitioner)
{
    *clinic = a->clinic_id[0] ? a->clinic_id : NULL;
    *practitioner = strcmp(a->role, "practitioner") == 0 && a->practitioner_id[0]
                        ? a->practitioner_id
                        : NULL;
}

/* Row i of res as an Appointment with start and end in the location's zone. */
static json_t *appointment_row(PGresult *res, int i)
{
    json_t *j = fhir_row(res, i, 0);
    if (!j)
        return NULL;
    const struct tz *z = tz_get(PQgetvalue(res, i, 3));
    char start[40], end[40];
    fhir_instant(strtoll(PQgetvalue(res, i, 1), NULL, 10), z, start, sizeof(start));
    fhir_instant(strtoll(PQgetvalue(res, i, 2), NULL, 10), z, end, sizeof(end));
    json_object_set_new(j, "start", json_string(start));
    json_object_set_new(j, "end", json_string(end));
    return j;
}

static void appointment_read(struct req *r)
{
    struct auth a;
    struct fhir_req f;
    if (!appointment_enter(r, &a) || !fhir_begin(&f, r, "Appointment", NULL, NULL) ||
        !fhir_checked(&f))
        return;
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) {
        fhir_not_found(r, "Appointment", id);
        return;
    }
    const char *clinic, *practitioner;
    scope_of(&a, &clinic, &practitioner);
    const char *v[] = {clinic, practitioner, id};
    PGresult *res = api_query(r, &st_appointment_read, v);
    if (!res)
        return;
    json_t *j = PQntuples(res) == 1 ? appointment_row(res, 0) : NULL;
    if (!j && PQntuples(res) == 0) {
        /* a booking outside the caller's scope: refused, in its clinic's log too */
        const char *ov[] = {id};
        PGresult *o = api_query(r, &st_appointment_owner, ov);
        if (o && PQntuples(o) == 1) {
            bool here = strcmp(PQgetvalue(o, 0, 0), a.clinic_id) == 0;
            auth_audit_denied(r, &a, here ? "another practitioner's booking" : "another clinic's booking",
                              PQgetvalue(o, 0, 0));
        }
        PQclear(o);
    }
    if (!j)
        fhir_not_found(r, "Appointment", id);
    else if (audit(r, &a, NULL, PQgetvalue(res, 0, 5), "fhir_read_appointment", "booking", id,
                   true, "success", NULL))
        fhir_reply(r, 200, j);
    else
        json_decref(j);
    PQclear(res);
}

static int resolve_status(struct fhir_req *f, const char *key, const char *code, char *out,
                          size_t n)
{
    static const struct { const char *fhir, *ours; } map[] = {
        {"booked", "booked"},          {"fulfilled", "completed"}, {"cancelled", "cancelled"},
        {"noshow", "no_show"},         {"proposed", NULL},         {"pending", NULL},
        {"arrived", NULL},             {"checked-in", NULL},       {"waitlist", NULL},
        {"entered-in-error", NULL},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].fhir, code) == 0) {
            if (!map[i].ours)
                return 0; /* a status our bookings never have */
            snprintf(out, n, "%s", map[i].ours);
            return 1;
        }
    fhir_issue(f, "invalid", key, "%s: %.60s is not an appointment status", key, code);
    return -1;
}

static void appointment_search(struct req *r)
{
    static const char *const known[] = {"date", "practitioner", "location", "status", NULL};
    static const char *const pract_types[] = {"Practitioner", NULL};
    static const char *const loc_types[] = {"Location", NULL};
    struct auth a;
    struct fhir_req f;
    if (!appointment_enter(r, &a) || !fhir_begin(&f, r, "Appointment", known, "A"))
        return;
    struct fhir_range range = {0};
    fhir_dates(&f, "date", &range);
    char *practs = fhir_references(&f, "practitioner", pract_types);
    char *locs = fhir_references(&f, "location", loc_types);
    bool replied = false;
    char *statuses = fhir_tokens(&f, "status", "http://hl7.org/fhir/appointmentstatus",
                                 resolve_status, &replied);
    if (f.have_cursor && parse_long(f.cursor.key, 0, 253402300799L, &(long){0}) != 0)
        fhir_issue(&f, "invalid", "_cursor", "_cursor is not one this search produced");
    json_t *ids = NULL;
    PGresult *res = NULL;
    if (replied || !fhir_checked(&f))
        goto out;
    const char *clinic, *practitioner;
    scope_of(&a, &clinic, &practitioner);
    char b[4][24], rows[24];
    const struct fhir_bound *bounds[4] = {&range.lo, &range.lo_wall, &range.hi, &range.hi_wall};
    const char *bv[4];
    for (int i = 0; i < 4; i++) {
        snprintf(b[i], sizeof(b[i]), "%lld", (long long)bounds[i]->t);
        bv[i] = bounds[i]->set ? b[i] : NULL;
    }
    snprintf(rows, sizeof(rows), "%ld", f.count + 1);
    const char *v[] = {clinic, practitioner, bv[0], bv[1], bv[2], bv[3], practs, locs, statuses,
                       f.have_cursor ? f.cursor.key : NULL, f.have_cursor ? f.cursor.id : NULL,
                       rows};
    res = api_query(r, &st_appointment_search, v);
    if (!res)
        goto out;
    int n = PQntuples(res);
    bool more = n > f.count;
    int shown = more ? (int)f.count : n;
    ids = json_array();
    for (int i = 0; i < shown; i++)
        json_array_append_new(ids, json_string(PQgetvalue(res, i, 4)));
    if (!audit(r, &a, NULL, clinic, "fhir_search_appointments", "booking", NULL, true, "success",
               json_pack("{s:O}", "ids", ids)))
        goto out;
    struct fhir_bundle bundle;
    fhir_bundle_init(&bundle, &f);
    for (int i = 0; i < shown; i++)
        fhir_bundle_add(&bundle, appointment_row(res, i), NULL);
    struct cursor next = {.kind = 'A'};
    if (more) {
        snprintf(next.key, sizeof(next.key), "%s", PQgetvalue(res, shown - 1, 1));
        snprintf(next.id, sizeof(next.id), "%s", PQgetvalue(res, shown - 1, 4));
    }
    fhir_bundle_reply(&bundle, !f.have_cursor && !more ? (long)n : -1, more ? &next : NULL);
out:
    json_decref(ids);
    PQclear(res);
    free(practs);
    free(locs);
    free(statuses);
    fhir_release(&f);
}

void fhir_appointment_read(struct req *r)
{
    fhir_run(r, appointment_read);
}

void fhir_appointment_search(struct req *r)
{
    fhir_run(r, appointment_search);
}
