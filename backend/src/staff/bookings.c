/* Bookings made, read, cancelled or closed by staff (the front desk may book inside
 * the notice window and past the horizon, and cancel inside the cancellation
 * window). */
#include "api/handlers.h"

#include <stdio.h>
#include <string.h>

#include "api/outcome.h"
#include "booking/bookings.h"
#include "cache/index_keeper.h"
#include "api/access.h"
#include "domain/token.h"
#include "util/parse.h"

/* The audit actor of a. */
static struct booking_actor staff_actor(const struct auth *a)
{
    struct booking_actor actor = {a->api_key ? "api_key" : "staff",
                                  a->user_id[0] ? a->user_id : NULL,
                                  a->email[0] ? a->email : NULL, a->role};
    return actor;
}

/* The route's booking (parameter 1) if the caller may act on it: DB_NOT_FOUND for
 * none, and for another clinic's or (a practitioner's) another practitioner's, which
 * is recorded as refused. */
static enum db_status staff_booking(struct req *r, const struct auth *a, struct booking_row *b)
{
    memset(b, 0, sizeof(*b));
    const char *id = req_param(r, 1);
    if (!is_uuid(id))
        return DB_NOT_FOUND;
    enum db_status st = store_booking_get(&r->db, id, b);
    if (st != DB_OK)
        return st;
    bool here = strcmp(b->clinic_id, staff_clinic(r)) == 0;
    bool mine = here && (strcmp(a->role, "practitioner") != 0 ||
                         strcmp(b->practitioner_id, a->practitioner_id) == 0);
    if (!mine) {
        /* another clinic's booking is refused in that clinic's log too */
        auth_audit_denied(r, a, here ? "another practitioner's booking" : "another clinic's booking",
                          b->clinic_id);
        booking_row_release(b);
        st = DB_NOT_FOUND;
    }
    return st;
}

void staff_bookings_get(struct req *r)
{
    const struct auth *a = &r->actor;
    struct booking_row b;
    struct booking_actor actor = staff_actor(a);
    enum db_status st = staff_booking(r, a, &b);
    booking_read_reply(r, st, &b, &actor, staff_clinic(r), req_param(r, 1));
}

static enum db_status staff_loader(struct req *r, const void *arg, struct booking_row *b)
{
    return staff_booking(r, arg, b);
}

void staff_bookings_cancel(struct req *r)
{
    const struct auth *a = &r->actor;
    struct booking_actor actor = staff_actor(a);
    /* staff may cancel inside the notice window */
    booking_cancel_request(r, staff_loader, a, &actor, req_param(r, 1), false);
}

void staff_bookings_status(struct req *r)
{
    const struct auth *a = &r->actor;
    /* the answer carries the patient's details: the route asks for patient_data */
    struct input in;
    input_init(&in, r);
    json_t *body = body_object(&in);
    const char *status = NULL, *id = req_param(r, 1);
    struct booking_row b = {0};
    struct booking_actor actor = staff_actor(a);
    enum booking_outcome out = BOOKING_NOT_OPEN;
    enum db_status st = DB_OK;
    if (!body || !booking_status_parse(&in, body, &status)) {
        input_reply(&in);
        goto out;
    }
    st = staff_booking(r, a, &b);
    if (st == DB_OK)
        st = store_booking_mark(&r->db, id, status, staff_clinic(r), &actor, r->request_id, &out);
    if (st == DB_OK && out == BOOKING_NOT_OPEN) {
        reply_problem(r, 409, "not-closable", "Cannot mark this booking",
                      strcmp(b.status, "cancelled") == 0 ? "The booking was cancelled."
                                                         : "The session has not started yet.",
                      NULL);
        goto out;
    }
    if (st == DB_OK) {
        /* (was dirindex_commit: the index follows the change log at once) */
        dirindex_booked(b.practitioner_id, b.start, b.end);
        booking_row_release(&b);
        st = store_booking_get(&r->db, id, &b);
    }
    if (st == DB_OK)
        reply_json(r, 200, booking_json(&b, id));
    else
        reply_failure(r, st);
out:
    booking_row_release(&b);
    input_release(&in);
    json_decref(body);
}

/* Books q (checked) for staff at the route's clinic and replies. */
static void staff_book(struct req *r, const struct auth *a, struct input *in,
                       const struct booking_req *q)
{
    struct schedule s = {0};
    struct slot sl;
    enum db_status loaded = schedule_fetch(&r->db, q->practitioner_id, q->service_id,
                                           q->start - 86400, q->start + 86400, NULL, &s);
    if (loaded != DB_OK && loaded != DB_NOT_FOUND) {
        reply_failure(r, loaded);
        goto out;
    }
    if (loaded == DB_NOT_FOUND || strcmp(s.clinic_id, staff_clinic(r)) != 0)
        input_error(in, "practitioner_id", false, "no such practitioner at this clinic");
    else if (!s.service_found || !s.service_offered)
        input_error(in, "service_id", false, "this practitioner does not offer that service");
    else if (q->start <= s.now)
        input_error(in, "start", false, "start is in the past");
    if (!input_ok(in)) {
        input_reply(in);
        goto out;
    }
    /* the front desk may book inside the notice window and past the horizon */
    s.min_notice_min = 0;
    s.horizon_days = 3650;
    if (!schedule_offers(&s, q->start, &sl)) {
        reply_slot_unavailable(r, NULL);
        goto out;
    }
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, hash);
    struct booking_new b;
    booking_new_init(&b, &s, &sl, &q->patient, q->notes, hash, "staff");
    char *confirmation = booking_confirmation(&s, &sl, token);
    b.confirmation = confirmation;
    struct booking_actor actor = staff_actor(a);
    enum booking_outcome out;
    enum db_status st = store_booking_staff_create(&r->db, &b, &actor, r->request_id, &out);
    free(confirmation);
    if (st != DB_OK) {
        reply_failure(r, st);
    } else if (out == BOOKING_TAKEN) {
        reply_slot_unavailable(r, NULL);
    } else {
        dirindex_booked(s.practitioner_id, b.blocked_start, b.blocked_end);
        char st_s[40], en[40];
        schedule_format(&s, sl.start, st_s, sizeof(st_s));
        schedule_format(&s, sl.end, en, sizeof(en));
        reply_json(r, 201, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", b.id,
                                     "status", "booked", "start", st_s, "end", en,
                                     "practitioner_id", q->practitioner_id, "service_id",
                                     s.service_id, "location_id",
                                     schedule_location(&s, sl.location), "manage_token", token));
    }
out:
    schedule_release(&s);
}

void staff_bookings_create(struct req *r)
{
    const struct auth *a = &r->actor;
    struct input in;
    input_init(&in, r);
    struct booking_req q;
    json_t *body = body_object(&in);
    if (!body || !booking_parse(&in, body, &q)) {
        input_reply(&in);
    } else if (strcmp(a->role, "practitioner") == 0 &&
               strcmp(q.practitioner_id, a->practitioner_id) != 0) {
        input_error(&in, "practitioner_id", false, "practitioners book for themselves only");
        input_reply(&in);
    } else {
        staff_book(r, a, &in, &q);
    }
    input_release(&in);
    json_decref(body);
}
