/* The waitlist: a patient asks to be told when an earlier time frees up. */
#include "booking/handlers.h"

#include <stdio.h>
#include <string.h>

#include "booking/bookings.h"
#include "domain/timefmt.h"
#include "domain/token.h"

/* waitlist_join (migration 0013): under the contact's lock, the per-contact limit,
 * the entry and its audit row, in one statement. */
DB_STMT(st_waitlist_join,
        "SELECT outcome, entry_id FROM waitlist_join($1, $2::int, $3::uuid, $4::uuid, $5::uuid,"
        " $6::bigint, $7::bigint, $8, $9, $10, $11::bytea, $12)",
        12);

#define MAX_WAIT_DAYS 366

void waitlist_create(struct req *r)
{
    if (!patient_rate(r, 1))
        return;
    struct input in;
    input_init(&in, r);
    struct schedule s = {0};
    json_t *body = body_object(&in);
    if (!body) {
        input_reply(&in);
        return;
    }
    static const char *const allowed[] = {"practitioner_id", "service_id", "from", "to",
                                          "patient", NULL};
    body_only(&in, body, NULL, allowed);
    const char *pid = body_uuid(&in, body, NULL, "practitioner_id", true);
    const char *sid = body_uuid(&in, body, NULL, "service_id", true);
    int64_t from = 0, to = 0;
    bool hf = body_instant(&in, body, NULL, "from", true, &from);
    bool ht = body_instant(&in, body, NULL, "to", true, &to);
    struct patient p;
    patient_parse(&in, body, &p);
    if (hf && ht && to <= from)
        input_error(&in, "to", false, "to must be after from");
    if (hf && ht && to - from > (int64_t)MAX_WAIT_DAYS * 86400)
        input_error(&in, "to", false, "the window may be at most %d days", MAX_WAIT_DAYS);
    if (!input_ok(&in) || !pid || !sid)
        goto reply_input;
    enum schedule_result sr = schedule_load(r, pid, sid, from, from + 1, NULL, &s);
    if (sr == SCHEDULE_REPLIED)
        goto out;
    if (sr == SCHEDULE_NO_PRACTITIONER) {
        input_error(&in, "practitioner_id", false, "no such practitioner");
        goto reply_input;
    }
    if (!s.service_found || !s.service_offered) {
        input_error(&in, "service_id", false,
                    s.service_found ? "this practitioner does not offer that service"
                                    : "no such service at this practitioner's clinic");
        goto reply_input;
    }
    if (to <= s.now) {
        input_error(&in, "to", false, "the window is already over");
        goto reply_input;
    }
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1], f[24], t[24];
    token_new(token, hash);
    snprintf(f, sizeof(f), "%lld", (long long)from);
    snprintf(t, sizeof(t), "%lld", (long long)to);
    char lock[BOOKING_CONTACT_LOCK_MAX], max_waiting[16];
    booking_contact_lock(s.clinic_id, p.email, lock, sizeof(lock));
    /* as many waiting entries as open bookings: the clinic's per-contact limit */
    snprintf(max_waiting, sizeof(max_waiting), "%d", s.max_open_per_contact);
    const char *v[] = {lock, max_waiting, s.clinic_id, pid, s.service_id, f, t,
                       p.name, p.email, p.phone, hash, r->request_id};
    PGresult *res = api_query(r, &st_waitlist_join, v);
    if (!res)
        goto out;
    if (strcmp(PQgetvalue(res, 0, 0), "limit") == 0) {
        PQclear(res);
        reply_problem(r, 409, "waitlist-limit", "Too many waitlist entries",
                      "This contact is already waiting for as many times at this clinic as it "
                      "may hold bookings.",
                      json_pack("[o]", problem_error("patient.email", "too many waitlist entries")));
        goto out;
    }
    char a[40], b[40];
    schedule_format(&s, from, a, sizeof(a));
    schedule_format(&s, to, b, sizeof(b));
    reply_json(r, 201, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", PQgetvalue(res, 0, 1),
                                 "status", "waiting", "practitioner_id", pid, "service_id",
                                 s.service_id, "from", a, "to", b, "manage_token", token));
    PQclear(res);
    goto out;
reply_input:
    input_reply(&in);
out:
    schedule_release(&s);
    input_release(&in);
    json_decref(body);
}
