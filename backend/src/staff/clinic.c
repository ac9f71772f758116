/* Clinic staff: the clinic and its policy, the schedule with patient details, staff
 * bookings, and the audit log. */
#include "api/access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/index_keeper.h"
#include "staff/handlers.h"
#include "domain/timefmt.h"
#include "util/parse.h"

/* --- the clinic ------------------------------------------------------------------ */

DB_STMT(st_clinic_get,
        "SELECT json_build_object('id', id, 'name', name, 'website', website, 'phone', phone,"
        " 'policy', json_build_object('min_notice_minutes', min_notice_minutes,"
        "   'booking_horizon_days', booking_horizon_days,"
        "   'cancellation_notice_hours', cancellation_notice_hours,"
        "   'slot_step_minutes', slot_step_minutes,"
        "   'max_open_bookings_per_contact', max_open_bookings_per_contact),"
        " 'created_at', created_at)::text FROM clinics WHERE id = $1::uuid",
        1);
DB_STMT(st_clinic_patch,
        "UPDATE clinics SET name = coalesce($2, name),"
        " website = CASE WHEN $3::bool THEN $4 ELSE website END,"
        " phone = CASE WHEN $5::bool THEN $6 ELSE phone END,"
        " min_notice_minutes = coalesce($7::int, min_notice_minutes),"
        " booking_horizon_days = coalesce($8::int, booking_horizon_days),"
        " cancellation_notice_hours = coalesce($9::int, cancellation_notice_hours),"
        " slot_step_minutes = coalesce($10::int, slot_step_minutes),"
        " max_open_bookings_per_contact = coalesce($11::int, max_open_bookings_per_contact)"
        " WHERE id = $1::uuid RETURNING id",
        11);

static void reply_clinic(struct req *r)
{
    const char *v[] = {staff_clinic(r)};
    PGresult *res = api_query(r, &st_clinic_get, v);
    if (!res)
        return;
    reply_db_json(r, res);
    PQclear(res);
}

void staff_clinic_get(struct req *r)
{
    struct auth a;
    if (staff_enter(r, &a, STAFF_READ))
        reply_clinic(r);
}

/* A whole-number member within bounds, written as text into out; NULL when absent. */
static const char *body_int(struct input *in, json_t *obj, const char *name, long min, long max,
                            char *out, size_t n)
{
    json_t *v = json_object_get(obj, name);
    if (!v)
        return NULL;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char f[80];
        snprintf(f, sizeof(f), "policy.%s", name);
        input_error(in, f, false, "%s must be a whole number from %ld to %ld", f, min, max);
        return NULL;
    }
    snprintf(out, n, "%lld", (long long)json_integer_value(v));
    return out;
}

void staff_clinic_patch(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE))
        return;
    static const char *const allowed[] = {"name", "website", "phone", "policy", NULL};
    body = staff_body(&in, allowed);
    char notice[24], horizon[24], cancel[24], step[24], maxopen[24];
    const char *v[11] = {staff_clinic(r)};
    if (body) {
        v[1] = body_str(&in, body, NULL, "name", false, 200);
        v[2] = json_object_get(body, "website") ? "true" : "false";
        v[3] = body_str(&in, body, NULL, "website", false, 500);
        if (v[3] && strncmp(v[3], "https://", 8) != 0 && strncmp(v[3], "http://", 7) != 0)
            input_error(&in, "website", false, "website must start with https://");
        v[4] = json_object_get(body, "phone") ? "true" : "false";
        v[5] = body_str(&in, body, NULL, "phone", false, 40);
        json_t *pol = json_object_get(body, "policy");
        if (pol && !json_is_object(pol)) {
            input_error(&in, "policy", false, "policy must be an object");
        } else if (pol) {
            static const char *const pallowed[] = {"min_notice_minutes", "booking_horizon_days",
                                                   "cancellation_notice_hours", "slot_step_minutes",
                                                   "max_open_bookings_per_contact", NULL};
            body_only(&in, pol, "policy", pallowed);
            v[6] = body_int(&in, pol, "min_notice_minutes", 0, 20160, notice, sizeof(notice));
            v[7] = body_int(&in, pol, "booking_horizon_days", 1, 730, horizon, sizeof(horizon));
            v[8] = body_int(&in, pol, "cancellation_notice_hours", 0, 720, cancel, sizeof(cancel));
            v[9] = body_int(&in, pol, "slot_step_minutes", 5, 60, step, sizeof(step));
            if (v[9] && 60 % strtol(v[9], NULL, 10) != 0)
                input_error(&in, "policy.slot_step_minutes", false,
                            "slot_step_minutes must be 5, 10, 15, 20, 30 or 60");
            v[10] = body_int(&in, pol, "max_open_bookings_per_contact", 1, 1000, maxopen,
                             sizeof(maxopen));
        }
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    if (!api_begin(r))
        goto out;
    PGresult *res = api_query(r, &st_clinic_patch, v);
    if (!res)
        goto out;
    bool found = PQntuples(res) == 1;
    PQclear(res);
    if (!found) {
        reply_not_found(r);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "update_clinic", "clinic", staff_clinic(r), false,
               "success", json_incref(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_clinic(r);
out:
    api_rollback(r);
    input_release(&in);
    json_decref(body);
}

/* --- the audit log --------------------------------------------------------------- */

DB_STMT(st_audit_list,
        "SELECT json_build_object('id', id, 'at', at, 'actor_type', actor_type, 'actor_id',"
        " actor_id, 'actor_email', actor_email, 'role', role, 'action', action, 'resource_type',"
        " resource_type, 'resource_id', resource_id, 'patient_data', patient_data, 'request_id',"
        " request_id, 'outcome', outcome, 'detail', detail, 'hash', encode(hash, 'hex'))::text, id"
        " FROM audit_log WHERE clinic_id = $1::uuid AND ($2::bigint IS NULL OR id < $2::bigint)"
        " AND ($4::bool IS NULL OR patient_data = $4::bool)"
        " ORDER BY id DESC LIMIT $3::int",
        4);

void staff_audit_log(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    /* The log names staff by e-mail and shows who read which patient's data: an API
     * key needs the audit scope for it (read alone is not enough), people an admin's
     * role. */
    if (!auth_staff(r, &a) || !auth_clinic(r, &a, staff_clinic(r)) ||
        !auth_scope(r, &a, SCOPE_AUDIT) || !auth_admin(r, &a))
        return;
    long limit = 50, before = 0;
    bool patient = false;
    q_long(&in, "limit", 1, 200, &limit);
    const char *cursor = q_str(&in, "cursor", 24);
    if (cursor && parse_long(cursor, 1, 9223372036854775807L, &before) != 0)
        input_error(&in, "cursor", false, "cursor is not one this list produced");
    bool has_pd = q_bool(&in, "patient_data", &patient);
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    char lim[24], bef[24];
    snprintf(lim, sizeof(lim), "%ld", limit + 1);
    snprintf(bef, sizeof(bef), "%ld", before);
    const char *v[] = {staff_clinic(r), cursor ? bef : NULL, lim,
                       has_pd ? (patient ? "true" : "false") : NULL};
    PGresult *res = api_query(r, &st_audit_list, v);
    if (!res)
        return;
    int n = PQntuples(res);
    bool more = n > limit;
    if (more)
        n = (int)limit;
    reply_items(r, res, n, 0, more ? PQgetvalue(res, n - 1, 1) : NULL);
    PQclear(res);
}
