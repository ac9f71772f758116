/* Reading a treatment plan: GET /booking-series/{id} shows the whole plan to the
 * holder of its manage token (every session with its state, the next one, the
 * progress, the clinic's phone, the policy and the flare allowance). */
#include "booking/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "booking/holder_token.h"
#include "booking/plan_rules.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "util/alloc.h"
#include "util/parse.h"

const char *plan_bearer_token(struct req *r)
{
    const char *auth = req_header(r, "Authorization");
    return auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
}

enum db_status plan_held(struct req *r, struct plan_row *p)
{
    const char *id = req_param(r, 0);
    const char *token = plan_bearer_token(r);
    if (!is_uuid(id) || !token)
        return DB_NOT_FOUND;
    enum db_status st = store_plan_get(&r->db, id, p);
    /* the manage token, or a lost link mailed for this plan */
    if (st == DB_OK && !token_matches(token, p->token_hash))
        st = holder_token_matches(&r->db, token, NULL, id);
    return st;
}

enum db_status plan_of_booking_held(struct req *r, struct plan_row *p)
{
    struct booking_row b;
    enum db_status st = booking_held(r, &b);
    if (st == DB_OK)
        st = b.series_id ? store_plan_get(&r->db, b.series_id, p)
                         : store_plan_of_one_get(&r->db, req_param(r, 0), p);
    booking_row_release(&b);
    return st;
}

void plan_format_in(const struct plan_row *p, int64_t t, char *out, size_t n)
{
    const struct tz *z = tz_get(p->tz);
    rfc3339_format(t, z ? tz_offset_at(z, t) : 0, out, n);
}

/* Whether session x is not at the time first asked for: booked at the nearest free
 * time when it was made, or moved since. */
static bool session_moved(const struct plan_session *x)
{
    return x->reschedule_count > 0 || (x->asked > 0 && x->asked != x->start);
}

/* A session's state for the patient: booked, moved, cancelled, completed, no_show or
 * unbookable. */
static const char *session_state(const struct plan_session *x)
{
    if (strcmp(x->status, "booked") == 0 && session_moved(x))
        return "moved";
    return x->status;
}

/* A moved session's time asked for and why (a flare's move says flare). */
static void moved_json(const struct plan_row *p, const struct plan_session *x, json_t *j)
{
    char asked[40];
    if (x->asked <= 0 || x->asked == x->start || strcmp(x->status, "booked") != 0)
        return;
    plan_format_in(p, x->asked, asked, sizeof(asked));
    enum plan_reason why = x->flare ? PR_FLARE : plan_reason_parse(x->asked_reason);
    if (why == PR_NONE)
        why = PR_RESCHEDULED;
    json_object_set_new(j, "requested_start", json_string(asked));
    json_object_set_new(j, "reason_code", json_string(plan_reason_code(why)));
    json_object_set_new(j, "reason", json_string(plan_reason_text(why)));
}

static json_t *session_json(const struct plan_row *p, size_t i)
{
    const struct plan_session *x = &p->sessions[i];
    char a[40], b[40];
    plan_format_in(p, x->start, a, sizeof(a));
    json_t *j = json_pack("{s:i, s:s, s:s, s:b, s:b}", "number", (int)i + 1, "status",
                          session_state(x), "start", a, "flare", x->flare, "changeable",
                          plan_session_changeable(x->status, p->now, x->start, p->notice_hours));
    if (x->id[0]) {
        plan_format_in(p, x->end, b, sizeof(b));
        json_object_set_new(j, "end", json_string(b));
        json_object_set_new(j, "booking_id", json_string(x->id));
        moved_json(p, x, j);
    } else {
        enum plan_reason why = plan_reason_parse(x->reason);
        json_object_set_new(j, "reason_code", json_string(x->reason));
        json_object_set_new(j, "reason", json_string(plan_reason_text(why)));
    }
    return j;
}

/* "please call <clinic> on <phone>" (without the phone when the clinic has none). */
void plan_call_clinic_text(const struct plan_row *p, char *out, size_t cap)
{
    snprintf(out, cap, "please call %s%s%s", p->clinic_name, p->clinic_phone[0] ? " on " : "",
             p->clinic_phone);
}

static json_t *policy_json(const struct plan_row *p)
{
    char text[600], call[300];
    plan_call_clinic_text(p, call, sizeof(call));
    snprintf(text, sizeof(text),
             "Sessions can be moved or cancelled online up to %d hours before they start. "
             "After that, %s.",
             p->notice_hours, call);
    return json_pack("{s:i, s:s}", "notice_hours", p->notice_hours, "text", text);
}

json_t *plan_json(const struct plan_row *p)
{
    json_t *sessions = json_array(), *next = json_null();
    const char *statuses[PLAN_SESSIONS_MAX];
    for (size_t i = 0; i < p->n; i++) {
        json_t *j = session_json(p, i);
        statuses[i] = p->sessions[i].status;
        if (json_is_null(next) && strcmp(p->sessions[i].status, "booked") == 0 &&
            p->sessions[i].start > p->now)
            next = json_deep_copy(j);
        json_array_append_new(sessions, j);
    }
    int done, total;
    plan_progress(statuses, p->n, &done, &total);
    char progress[64];
    snprintf(progress, sizeof(progress), "%d of %d done", done, total);
    int left = p->flare_allowed - p->flare_used;
    return json_pack(
        "{s:o, s:o, s:{s:i, s:i, s:s}, s:{s:s, s:s*}, s:{s:s, s:s}, s:{s:s, s:s, s:i},"
        " s:s, s:s, s:o, s:i, s:o, s:{s:i, s:i, s:i}, s:o}",
        "id", p->id[0] ? json_string(p->id) : json_null(), "next_session", next, "progress", "done", done, "total", total, "text",
        progress, "clinic", "name", p->clinic_name, "phone",
        p->clinic_phone[0] ? p->clinic_phone : NULL, "practitioner", "id", p->practitioner_id,
        "name", p->practitioner_name, "service", "id", p->service_id, "name", p->service_name,
        "duration_minutes", p->duration_min, "timezone", p->tz, "rrule", p->rrule,
        "every_weeks", p->every_weeks > 0 ? json_integer(p->every_weeks) : json_null(),
        "revision", p->revision, "cancellation_policy", policy_json(p), "flare_moves",
        "allowed", p->flare_allowed, "used", p->flare_used, "left", left > 0 ? left : 0,
        "sessions", sessions);
}

enum db_status plan_audit_read(struct req *r, const struct plan_row *p)
{
    return p->id[0] ? store_booking_audit(&r->db, &patient_actor, p->clinic_id, "read_series",
                                          "booking_series", p->id, r->request_id)
                    : store_booking_audit(&r->db, &patient_actor, p->clinic_id, "read_booking",
                                          "booking", p->booking_id, r->request_id);
}

/* Replies to a read of plan p (loaded: st) with the plan, after its audit row.  Frees
 * p. */
static void plan_read_reply(struct req *r, enum db_status st, struct plan_row *p)
{
    if (st == DB_OK)
        st = plan_audit_read(r, p);
    if (st == DB_OK)
        reply_json(r, 200, plan_json(p));
    else
        reply_failure(r, st);
    free(p);
}

void series_get(struct req *r)
{
    struct plan_row *p = xcalloc(1, sizeof(*p));
    plan_read_reply(r, plan_held(r, p), p);
}

void bookings_plan_get(struct req *r)
{
    struct plan_row *p = xcalloc(1, sizeof(*p));
    plan_read_reply(r, plan_of_booking_held(r, p), p);
}
