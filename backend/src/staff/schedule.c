/* Bookings made, cancelled or closed by staff.  (Weekly hours, time off and the day
 * schedule are in staff/hours.c, staff/time_off.c and staff/day_schedule.c.) */
#include "cache/index_keeper.h"
#include "staff/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/bookings.h"
#include "cache/schedule_cache.h"
#include "api/access.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "util/alloc.h"
#include "util/parse.h"

/* --- bookings by staff ----------------------------------------------------------- */

DB_STMT(st_booking_status,
        "UPDATE bookings SET status = $2, updated_at = now() WHERE id = $1::uuid"
        " AND status IN ('booked', 'completed', 'no_show') AND lower(during) <= now()"
        " RETURNING id",
        2);

/* The route's booking (parameter 1) if the caller may act on it; NULL after replying. */
static PGresult *staff_booking(struct req *r, const struct auth *a)
{
    const char *id = req_param(r, 1);
    if (!is_uuid(id)) {
        reply_not_found(r);
        return NULL;
    }
    bool found;
    PGresult *res = booking_load(r, id, &found);
    if (!res) {
        if (!found)
            reply_not_found(r);
        return NULL;
    }
    bool here = strcmp(booking_val(res, G_CLINIC), staff_clinic(r)) == 0;
    bool mine = here && (strcmp(a->role, "practitioner") != 0 ||
                         strcmp(booking_val(res, G_PRACT), a->practitioner_id) == 0);
    if (!mine) {
        /* another clinic's booking is refused in that clinic's log too */
        auth_audit_denied(r, a, here ? "another practitioner's booking" : "another clinic's booking",
                          booking_val(res, G_CLINIC));
        PQclear(res);
        reply_not_found(r);
        return NULL;
    }
    return res;
}

void staff_bookings_get(struct req *r)
{
    struct auth a;
    if (!staff_enter(r, &a, STAFF_READ) || !auth_scope(r, &a, SCOPE_PATIENT_DATA))
        return;
    PGresult *res = staff_booking(r, &a);
    if (!res)
        return;
    if (audit(r, &a, NULL, staff_clinic(r), "read_booking", "booking", req_param(r, 1), true,
              "success", NULL))
        reply_json(r, 200, booking_json(res, req_param(r, 1)));
    PQclear(res);
}

void staff_bookings_cancel(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    PGresult *res = NULL;
    if (!staff_enter(r, &a, STAFF_SELF_WRITE))
        return;
    const char *reason = NULL;
    bool rest = false;
    if (r->body.len > 0) {
        static const char *const allowed[] = {"reason", "scope", NULL};
        body = staff_body(&in, allowed);
        if (body) {
            reason = body_text(&in, body, NULL, "reason", false, 500);
            const char *scope = body_str(&in, body, NULL, "scope", false, 20);
            rest = scope && strcmp(scope, "rest_of_series") == 0;
            if (scope && !rest && strcmp(scope, "occurrence") != 0)
                input_error(&in, "scope", false, "scope must be occurrence or rest_of_series");
        }
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    res = staff_booking(r, &a);
    if (!res)
        goto out;
    if (strcmp(booking_val(res, G_STATUS), "booked") != 0) {
        reply_problem(r, 409, "not-cancellable", "Not open",
                      "This booking is not open any more, so it cannot be cancelled.", NULL);
        goto out;
    }
    /* staff may cancel inside the notice window */
    booking_cancel(r, res, req_param(r, 1), "staff", reason, rest, &a);
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

void staff_bookings_status(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    PGresult *res = NULL;
    /* the answer carries the patient's details */
    if (!staff_enter(r, &a, STAFF_SELF_WRITE) || !auth_scope(r, &a, SCOPE_PATIENT_DATA))
        return;
    static const char *const allowed[] = {"status", NULL};
    body = staff_body(&in, allowed);
    const char *status = body ? body_str(&in, body, NULL, "status", true, 20) : NULL;
    if (status && strcmp(status, "completed") != 0 && strcmp(status, "no_show") != 0)
        input_error(&in, "status", false, "status must be completed or no_show");
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    res = staff_booking(r, &a);
    if (!res)
        goto out;
    const char *v[] = {req_param(r, 1), status};
    if (!api_begin(r))
        goto out;
    PGresult *u = api_query(r, &st_booking_status, v);
    if (!u)
        goto out;
    bool done = PQntuples(u) == 1;
    PQclear(u);
    if (!done) {
        api_rollback(r);
        reply_problem(r, 409, "not-closable", "Cannot mark this booking",
                      strcmp(booking_val(res, G_STATUS), "cancelled") == 0
                          ? "The booking was cancelled."
                          : "The session has not started yet.",
                      NULL);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "mark_booking", "booking", req_param(r, 1), true,
               "success", json_pack("{s:s}", "status", status)) ||
        !dirindex_commit(r))
        goto out;
    PQclear(res);
    bool found;
    res = booking_load(r, req_param(r, 1), &found);
    if (res)
        reply_json(r, 200, booking_json(res, req_param(r, 1)));
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

void staff_bookings_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    struct schedule s = {0};
    json_t *body = NULL;
    if (!staff_enter(r, &a, STAFF_SELF_WRITE) || !auth_scope(r, &a, SCOPE_PATIENT_DATA))
        return;
    static const char *const allowed[] = {"practitioner_id", "service_id", "start", "patient",
                                          "notes", NULL};
    body = staff_body(&in, allowed);
    const char *pid = NULL, *sid = NULL, *notes = NULL;
    int64_t start = 0;
    struct patient p = {0};
    if (body) {
        pid = body_uuid(&in, body, NULL, "practitioner_id", true);
        sid = body_uuid(&in, body, NULL, "service_id", true);
        body_instant(&in, body, NULL, "start", true, &start);
        patient_parse(&in, body, &p);
        notes = body_text(&in, body, NULL, "notes", false, 2000);
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    if (strcmp(a.role, "practitioner") == 0 && strcmp(pid, a.practitioner_id) != 0) {
        input_error(&in, "practitioner_id", false, "practitioners book for themselves only");
        input_reply(&in);
        goto out;
    }
    enum schedule_result sr = schedule_load(r, pid, sid, start - 86400, start + 86400, NULL, &s);
    if (sr == SCHEDULE_REPLIED)
        goto out;
    if (sr == SCHEDULE_NO_PRACTITIONER || strcmp(s.clinic_id, staff_clinic(r)) != 0) {
        input_error(&in, "practitioner_id", false, "no such practitioner at this clinic");
        input_reply(&in);
        goto out;
    }
    if (!s.service_found || !s.service_offered) {
        input_error(&in, "service_id", false, "this practitioner does not offer that service");
        input_reply(&in);
        goto out;
    }
    if (start <= s.now) {
        input_error(&in, "start", false, "start is in the past");
        input_reply(&in);
        goto out;
    }
    /* the front desk may book inside the notice window and past the horizon */
    s.min_notice_min = 0;
    s.horizon_days = 3650;
    struct slot sl;
    if (!schedule_offers(&s, start, &sl)) {
        reply_slot_unavailable(r, NULL);
        goto out;
    }
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1], id[40];
    token_new(token, hash);
    if (!api_begin(r) || !booking_lock(r, NULL, NULL, NULL, NULL, pid))
        goto out;
    enum book_result br = booking_insert(r, &s, &sl, &p, notes, NULL, token, hash, "staff", id);
    if (br == BOOK_REPLIED)
        goto out;
    if (br == BOOK_TAKEN) {
        api_rollback(r);
        reply_slot_unavailable(r, NULL);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "create_booking", "booking", id, true, "success",
               NULL) ||
        !dirindex_commit(r))
        goto out;
    char st[40], en[40];
    schedule_format(&s, sl.start, st, sizeof(st));
    schedule_format(&s, sl.end, en, sizeof(en));
    reply_json(r, 201, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "status",
                                 "booked", "start", st, "end", en, "practitioner_id", pid,
                                 "service_id", s.service_id, "location_id",
                                 schedule_location(&s, sl.location), "manage_token", token));
out:
    api_rollback(r);
    schedule_release(&s);
    input_release(&in);
    json_decref(body);
}
