/* The waitlist: a patient asks to be told when an earlier time frees up. */
#include "api/handlers.h"

#include <stdio.h>
#include <string.h>

#include "api/outcome.h"
#include "booking/bookings.h"
#include "domain/timefmt.h"
#include "domain/token.h"

/* Joins the waitlist of schedule s for q (checked) and replies. */
static void join_reply(struct req *r, const struct waitlist_req *q, const struct schedule *s)
{
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1], id[40];
    token_new(token, hash);
    /* as many waiting entries as open bookings: the clinic's per-contact limit */
    struct waitlist_new w = {s->clinic_id, q->practitioner_id, s->service_id,
                             q->patient.name, q->patient.email, q->patient.phone, hash,
                             r->request_id, q->from, q->to, s->max_open_per_contact};
    bool limited = false;
    enum db_status st = store_waitlist_join(&r->db, &w, &limited, id);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    if (limited) {
        reply_problem(r, 409, "waitlist-limit", "Too many waitlist entries",
                      "This contact is already waiting for as many times at this clinic as it "
                      "may hold bookings.",
                      json_pack("[o]", problem_error("patient.email", "too many waitlist entries")));
        return;
    }
    char a[40], b[40];
    schedule_format(s, q->from, a, sizeof(a));
    schedule_format(s, q->to, b, sizeof(b));
    reply_json(r, 201, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "status",
                                 "waiting", "practitioner_id", q->practitioner_id, "service_id",
                                 s->service_id, "from", a, "to", b, "manage_token", token));
}

void waitlist_create(struct req *r)
{
    struct input in;
    input_init(&in, r);
    struct schedule s = {0};
    struct waitlist_req q;
    enum db_status st = DB_OK;
    json_t *body = body_object(&in);
    if (body && waitlist_parse(&in, body, &q))
        st = schedule_fetch(&r->db, q.practitioner_id, q.service_id, q.from, q.from + 1, NULL,
                            &s);
    if (st != DB_OK && st != DB_NOT_FOUND) {
        reply_failure(r, st);
    } else if (!input_ok(&in) || !schedule_fields_ok(&in, st, &s)) {
        input_reply(&in);
    } else if (q.to <= s.now) {
        input_error(&in, "to", false, "the window is already over");
        input_reply(&in);
    } else {
        join_reply(r, &q, &s);
    }
    schedule_release(&s);
    input_release(&in);
    json_decref(body);
}
