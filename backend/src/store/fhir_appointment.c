/* The FHIR facade's Appointment statements: bookings as FHIR Appointments, the
 * patient named only by the participant's display. */
#include "store/fhir_appointment.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/fhir_sql.h"

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

/* A visit of an appointment statement's rows: the caller's function. */
struct appointment_visit {
    fhir_appointment_fn each;
    void *ctx;
};

static bool appointment_row(void *ctx, const PGresult *res, int i, int n)
{
    const struct appointment_visit *v = ctx;
    struct fhir_appointment_row row = {i,
                                       n,
                                       PQgetisnull(res, i, 0) ? NULL : PQgetvalue(res, i, 0),
                                       strtoll(PQgetvalue(res, i, 1), NULL, 10),
                                       strtoll(PQgetvalue(res, i, 2), NULL, 10),
                                       PQgetvalue(res, i, 1),
                                       PQgetvalue(res, i, 3),
                                       PQgetvalue(res, i, 4),
                                       PQgetvalue(res, i, 5)};
    v->each(v->ctx, &row);
    return true;
}

static enum db_status visit(struct db_session *s, struct db_stmt *st, const char *const *values,
                            fhir_appointment_fn each, void *ctx)
{
    struct appointment_visit v = {each, ctx};
    return db_query_each(s, st, values, appointment_row, &v, NULL);
}

enum db_status store_fhir_appointment_read(struct db_session *s, const char *clinic,
                                           const char *practitioner, const char *id,
                                           fhir_appointment_fn each, void *ctx)
{
    const char *v[] = {clinic, practitioner, id};
    return visit(s, &st_appointment_read, v, each, ctx);
}

enum db_status store_fhir_booking_clinic(struct db_session *s, const char *id, char *clinic,
                                         size_t n)
{
    const char *v[] = {id};
    PGresult *res;
    enum db_status rc = db_query(s, &st_appointment_owner, v, &res);
    if (rc != DB_OK)
        return rc;
    rc = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
    if (rc == DB_OK)
        snprintf(clinic, n, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

static const char *bound_text(const struct fhir_time_bound *b, char *out, size_t n)
{
    snprintf(out, n, "%lld", (long long)b->t);
    return b->set ? out : NULL;
}

enum db_status store_fhir_appointment_search(struct db_session *s,
                                             const struct fhir_appointment_query *q,
                                             fhir_appointment_fn each, void *ctx)
{
    char b[4][24], rows[24];
    snprintf(rows, sizeof(rows), "%ld", q->rows);
    const char *v[] = {q->clinic,
                       q->practitioner,
                       bound_text(&q->from, b[0], sizeof(b[0])),
                       bound_text(&q->from_wall, b[1], sizeof(b[1])),
                       bound_text(&q->to, b[2], sizeof(b[2])),
                       bound_text(&q->to_wall, b[3], sizeof(b[3])),
                       q->practitioners,
                       q->locations,
                       q->statuses,
                       q->cursor_start,
                       q->cursor_id,
                       rows};
    return visit(s, &st_appointment_search, v, each, ctx);
}
