/* A treatment plan as a thing of its own: GET /booking-series/{id} shows the whole
 * plan to the holder of its manage token (every session with its state, the next one,
 * the progress, the clinic's phone, the policy and the flare allowance), and the
 * changes of the rest of a plan (cancel the rest, sessions added at the end, a new
 * cadence from session N), each previewed with the same answer before anything is
 * written (?preview=true or "dry_run": true), then written in one transaction
 * (store_plan_change). */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "api/rate.h"
#include "booking/bookings.h"
#include "booking/plan_rules.h"
#include "cache/index_keeper.h"
#include "domain/seal.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "store/plans.h"
#include "util/alloc.h"
#include "util/parse.h"

#define NEAR_WINDOW (3 * 86400)
#define ADD_MAX 20

/* --- reading a plan ----------------------------------------------------------------- */

static const char *bearer_token(struct req *r)
{
    const char *auth = req_header(r, "Authorization");
    return auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
}

/* Plan {id} if the request holds its manage token: DB_NOT_FOUND for no such plan, no
 * token or another's (one answer, so that a plan's existence is not told). */
static enum db_status plan_held(struct req *r, struct plan_row *p)
{
    const char *id = req_param(r, 0);
    const char *token = bearer_token(r);
    if (!is_uuid(id) || !token)
        return DB_NOT_FOUND;
    enum db_status st = store_plan_get(&r->db, id, p);
    if (st == DB_OK && !token_matches(token, p->token_hash))
        st = DB_NOT_FOUND;
    return st;
}

static void format_in(const struct plan_row *p, int64_t t, char *out, size_t n)
{
    const struct tz *z = tz_get(p->tz);
    rfc3339_format(t, z ? tz_offset_at(z, t) : 0, out, n);
}

/* A session's state for the patient: booked, moved, cancelled, completed, no_show or
 * unbookable. */
static const char *session_state(const struct plan_session *x)
{
    if (strcmp(x->status, "booked") == 0 && x->reschedule_count > 0)
        return "moved";
    return x->status;
}

static json_t *session_json(const struct plan_row *p, size_t i)
{
    const struct plan_session *x = &p->sessions[i];
    char a[40], b[40];
    format_in(p, x->start, a, sizeof(a));
    json_t *j = json_pack("{s:i, s:s, s:s, s:b, s:b}", "number", (int)i + 1, "status",
                          session_state(x), "start", a, "flare", x->flare, "changeable",
                          plan_session_changeable(x->status, p->now, x->start, p->notice_hours));
    if (x->id[0]) {
        format_in(p, x->end, b, sizeof(b));
        json_object_set_new(j, "end", json_string(b));
        json_object_set_new(j, "booking_id", json_string(x->id));
    } else {
        enum plan_reason why = plan_reason_parse(x->reason);
        json_object_set_new(j, "reason_code", json_string(x->reason));
        json_object_set_new(j, "reason", json_string(plan_reason_text(why)));
    }
    return j;
}

/* "please call <clinic> on <phone>" (without the phone when the clinic has none). */
static void call_clinic_text(const struct plan_row *p, char *out, size_t cap)
{
    snprintf(out, cap, "please call %s%s%s", p->clinic_name, p->clinic_phone[0] ? " on " : "",
             p->clinic_phone);
}

static json_t *policy_json(const struct plan_row *p)
{
    char text[600], call[300];
    call_clinic_text(p, call, sizeof(call));
    snprintf(text, sizeof(text),
             "Sessions can be moved or cancelled online up to %d hours before they start. "
             "After that, %s.",
             p->notice_hours, call);
    return json_pack("{s:i, s:s}", "notice_hours", p->notice_hours, "text", text);
}

static json_t *plan_json(const struct plan_row *p)
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
        "{s:s, s:o, s:{s:i, s:i, s:s}, s:{s:s, s:s*}, s:{s:s, s:s}, s:{s:s, s:s, s:i},"
        " s:s, s:s, s:o, s:i, s:o, s:{s:i, s:i, s:i}, s:o}",
        "id", p->id, "next_session", next, "progress", "done", done, "total", total, "text",
        progress, "clinic", "name", p->clinic_name, "phone",
        p->clinic_phone[0] ? p->clinic_phone : NULL, "practitioner", "id", p->practitioner_id,
        "name", p->practitioner_name, "service", "id", p->service_id, "name", p->service_name,
        "duration_minutes", p->duration_min, "timezone", p->tz, "rrule", p->rrule,
        "every_weeks", p->every_weeks > 0 ? json_integer(p->every_weeks) : json_null(),
        "revision", p->revision, "cancellation_policy", policy_json(p), "flare_moves",
        "allowed", p->flare_allowed, "used", p->flare_used, "left", left > 0 ? left : 0,
        "sessions", sessions);
}

void series_get(struct req *r)
{
    struct plan_row *p = xcalloc(1, sizeof(*p));
    enum db_status st = plan_held(r, p);
    /* the holder reading their plan is an access to patient data */
    if (st == DB_OK)
        st = store_booking_audit(&r->db, &patient_actor, p->clinic_id, "read_series",
                                 "booking_series", p->id, r->request_id);
    if (st == DB_OK)
        reply_json(r, 200, plan_json(p));
    else
        reply_failure(r, st);
    free(p);
}

/* --- finding times ------------------------------------------------------------------ */

/* The practitioner's free slots around a plan's new dates, and the times the change
 * already chose. */
struct finder {
    struct schedule s;
    struct slot *slots;
    size_t n;
    struct interval taken[RECURRENCE_MAX];
    size_t ntaken;
};

static bool free_of(const struct finder *f, struct interval b)
{
    for (size_t i = 0; i < f->ntaken; i++)
        if (f->taken[i].start < b.end && b.start < f->taken[i].end)
            return false;
    return true;
}

static struct interval blocked_of(const struct finder *f, const struct slot *sl)
{
    return slots_blocked(sl->start, sl->end, f->s.buffer_before_min, f->s.buffer_after_min);
}

/* Drops from the busy ranges the sessions [start, end) that the change moves (their
 * own times are theirs to keep or leave). */
static void finder_forget(struct finder *f, int64_t start, int64_t end)
{
    struct slot sl = {start, end, 0};
    struct interval b = blocked_of(f, &sl);
    size_t k = 0;
    for (size_t i = 0; i < f->s.nbusy; i++)
        if (f->s.busy[i].start != b.start || f->s.busy[i].end != b.end)
            f->s.busy[k++] = f->s.busy[i];
    f->s.nbusy = k;
}

static void finder_slots(struct finder *f, int64_t lo, int64_t hi)
{
    struct slot_query q;
    schedule_query(&f->s, lo, hi, &q);
    free(f->slots);
    f->n = slots_compute_all(&q, &f->slots);
}

static void finder_release(struct finder *f)
{
    free(f->slots);
    schedule_release(&f->s);
}

enum pick { PICK_FREE, PICK_MOVED, PICK_NONE };

/* A slot for date d: the exact time, else the nearest free one within 3 days (not
 * overlapping what the change chose); *why: why the date itself is not free. */
static enum pick finder_pick(struct finder *f, const struct recurrence_date *d,
                             struct slot *out, enum plan_reason *why)
{
    *why = PR_NONE;
    const struct slot *best = NULL;
    int64_t best_d = NEAR_WINDOW + 1;
    for (size_t i = 0; i < f->n; i++) {
        const struct slot *sl = &f->slots[i];
        int64_t dd = sl->start > d->requested ? sl->start - d->requested
                                              : d->requested - sl->start;
        if (dd >= best_d || !free_of(f, blocked_of(f, sl)))
            continue;
        best = sl;
        best_d = dd;
    }
    enum pick pick = best && best_d == 0 && d->exists ? PICK_FREE : PICK_MOVED;
    if (pick == PICK_MOVED) {
        *why = plan_reason_of(&f->s, d->requested, d->exists);
        if (*why == PR_PAST_HORIZON || *why == PR_INSIDE_NOTICE)
            best = NULL; /* the policy refuses the date: no other time is put in its place */
    }
    if (!best) {
        if (*why == PR_TAKEN || *why == PR_OUTSIDE_HOURS)
            *why = PR_NO_FREE_NEAR;
        return PICK_NONE;
    }
    *out = *best;
    f->taken[f->ntaken++] = blocked_of(f, best);
    return pick;
}

/* --- a change and its answer -------------------------------------------------------- */

/* What a change is about to do: the store's change, what it owns, and each line of
 * the answer (changes). */
struct work {
    struct plan_row *p;
    struct finder f;
    struct booking_row who; /* a session of the plan: the patient's details */
    struct plan_change c;
    const char *cancel[PLAN_SESSIONS_MAX];
    struct plan_move moves[RECURRENCE_MAX];
    struct booking_new add[RECURRENCE_MAX];
    struct plan_unbookable unbookable[RECURRENCE_MAX];
    json_t *changes;
    char token_hash[80];
};

static json_t *change_line(const struct plan_row *p, int number, const char *status,
                           int64_t start, int64_t end, enum plan_reason why)
{
    char a[40], b[40];
    format_in(p, start, a, sizeof(a));
    json_t *j = json_pack("{s:s, s:s}", "status", status, "start", a);
    if (number > 0)
        json_object_set_new(j, "number", json_integer(number));
    if (end > start) {
        format_in(p, end, b, sizeof(b));
        json_object_set_new(j, "end", json_string(b));
    }
    if (why != PR_NONE) {
        json_object_set_new(j, "reason_code", json_string(plan_reason_code(why)));
        json_object_set_new(j, "reason", json_string(plan_reason_text(why)));
    }
    return j;
}

/* The patient of the plan (from its first session), for new sessions and the mail. */
static enum db_status work_patient(struct req *r, struct work *w)
{
    for (size_t i = 0; i < w->p->n; i++)
        if (w->p->sessions[i].id[0])
            return store_booking_get(&r->db, w->p->sessions[i].id, &w->who);
    return DB_NOT_FOUND;
}

/* Reads the schedule for [lo, hi) into w->f; false after replying. */
static bool work_schedule(struct req *r, struct work *w, int64_t lo, int64_t hi)
{
    enum db_status st = schedule_fetch(&r->db, w->p->practitioner_id, w->p->service_id,
                                       lo - NEAR_WINDOW, hi + NEAR_WINDOW + 1, NULL, &w->f.s);
    if (st == DB_OK && !w->f.s.service_found) {
        reply_problem(r, 409, "slot-unavailable", "Not bookable any more",
                      "This practitioner no longer takes bookings for this service.", NULL);
        return false;
    }
    if (st != DB_OK) {
        reply_failure(r, st);
        return false;
    }
    return true;
}

/* A new session at slot sl into w->add. */
static void work_add(struct work *w, const struct slot *sl)
{
    struct booking_new *b = &w->add[w->c.nadd++];
    struct patient pt = {w->who.patient_name, w->who.patient_email, w->who.patient_phone};
    booking_new_init(b, &w->f.s, sl, &pt, w->who.notes, w->token_hash, "patient");
    b->series_id = w->p->id;
}

/* 422 when the last of dates is further ahead than the clinic takes bookings. */
static bool within_horizon(struct req *r, struct work *w, const struct recurrence_date *last,
                           const char *field)
{
    if (booking_start_rule(w->f.s.now, 0, w->f.s.horizon_days, last->requested) !=
        START_HORIZON)
        return true;
    struct input in;
    input_init(&in, r);
    char when[40];
    format_in(w->p, last->requested, when, sizeof(when));
    input_error(&in, field, false,
                "the last session would be on %.10s, further ahead than this clinic takes "
                "bookings (%d days); choose fewer sessions or a shorter cadence",
                when, w->f.s.horizon_days);
    input_reply(&in);
    return false;
}

/* The dates d[0..n) a change made of the want it asked for: false after replying (422
 * when they could not all be made; the schedule's failure; past the horizon, naming
 * field). */
static bool change_dates_ready(struct req *r, struct work *w, const struct recurrence_date *d,
                               int n, int want, const char *field)
{
    if (n != want) {
        reply_problem(r, 422, "validation", "No dates", "These dates cannot be made.", NULL);
        return false;
    }
    return work_schedule(r, w, d[0].requested, d[n - 1].requested) &&
           within_horizon(r, w, &d[n - 1], field);
}

/* The payload of the change's mail: what changed, as it is now, and the link. */
static char *work_payload(struct req *r, const struct work *w, const char *action,
                          bool with_link)
{
    json_t *pl = json_pack("{s:s, s:O}", "action", action, "changes", w->changes);
    char sealed[256];
    const char *token = with_link ? bearer_token(r) : NULL;
    if (token && seal_text(token, sealed, sizeof(sealed)))
        json_object_set_new(pl, "manage_token_sealed", json_string(sealed));
    char *text = json_dumps(pl, JSON_COMPACT);
    json_decref(pl);
    return text;
}

/* Writes the change and replies with the plan as it is now; or the refusal. */
static void work_commit(struct req *r, struct work *w, const char *action)
{
    char *payload = work_payload(r, w, action, true);
    /* the clinic is told without the patient's link */
    char *clinic_payload = w->c.flare ? work_payload(r, w, action, false) : NULL;
    w->c.plan = w->p;
    w->c.payload = payload;
    w->c.clinic_payload = clinic_payload;
    w->c.request_id = r->request_id;
    w->c.email = w->who.patient_email;
    w->c.max_open = w->f.s.max_open_per_contact > 0 ? w->f.s.max_open_per_contact : 60;
    enum plan_outcome out;
    enum db_status st = store_plan_change(&r->db, &w->c, &out);
    free(payload);
    free(clinic_payload);
    if (st != DB_OK) {
        reply_failure(r, st);
    } else if (out == PLAN_CHANGED) {
        reply_problem(r, 409, "plan-changed", "The plan changed meanwhile",
                      "Another change of this plan was made at the same time; nothing was "
                      "changed by this one. Please look at the plan again.", NULL);
    } else if (out == PLAN_TAKEN) {
        reply_slot_unavailable(r, "A time of this change was taken a moment ago; nothing was "
                                  "changed. Please preview it again.");
    } else if (out == PLAN_LIMIT) {
        reply_problem(r, 409, "booking-limit", "Too many open bookings",
                      "This would give this contact more open bookings than the clinic allows.",
                      NULL);
    } else {
        dirindex_forget_next(w->p->practitioner_id);
        struct plan_row *now = xcalloc(1, sizeof(*now));
        st = store_plan_get(&r->db, w->p->id, now);
        if (st == DB_OK)
            reply_json(r, 200, json_pack("{s:b, s:s, s:O, s:o}", "preview", 0, "action", action,
                                         "changes", w->changes, "plan", plan_json(now)));
        else
            reply_failure(r, st);
        free(now);
    }
}

static void work_preview(struct req *r, struct work *w, const char *action)
{
    /* a preview shows the plan: an access to patient data */
    enum db_status st = store_booking_audit(&r->db, &patient_actor, w->p->clinic_id,
                                            "read_series", "booking_series", w->p->id,
                                            r->request_id);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    reply_json(r, 200, json_pack("{s:b, s:s, s:O, s:o}", "preview", 1, "action", action,
                                 "changes", w->changes, "plan", plan_json(w->p)));
}

/* 409 for a change that would change no session: nothing is written or mailed. */
static void reply_nothing(struct req *r, const struct work *w)
{
    reply_problem_ext(r, 409, "nothing-to-change", "Nothing would change",
                      "No session of the plan would change: no new date can be had, or the "
                      "plan already follows this cadence. Each date is listed with why.",
                      NULL, json_pack("{s:O}", "changes", w->changes));
}

/* --- the three changes --------------------------------------------------------------- */

/* Cancels every later session that can still be cancelled online; those inside the
 * cancellation window are kept, saying so. */
static bool plan_cancel_rest(struct req *r, struct work *w, json_t *body)
{
    (void)body;
    struct plan_row *p = w->p;
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_session *x = &p->sessions[i];
        if (strcmp(x->status, "booked") != 0 || x->start <= p->now)
            continue;
        bool can = plan_session_changeable(x->status, p->now, x->start, p->notice_hours);
        json_t *j = change_line(p, (int)i + 1, can ? "cancelled" : "kept", x->start, x->end,
                                PR_NONE);
        if (!can) {
            char why[512], call[300];
            call_clinic_text(p, call, sizeof(call));
            snprintf(why, sizeof(why),
                     "less than %d hours before it starts, so it cannot be cancelled online: %s",
                     p->notice_hours, call);
            json_object_set_new(j, "reason_code", json_string("inside_cancellation_window"));
            json_object_set_new(j, "reason", json_string(why));
        } else {
            w->cancel[w->c.ncancel++] = x->id;
        }
        json_array_append_new(w->changes, j);
    }
    if (w->c.ncancel == 0) {
        reply_problem(r, 409, "nothing-to-change", "Nothing to cancel online",
                      "No later session of this plan can be cancelled online.", NULL);
        return false;
    }
    w->c.kind = "series_cancelled";
    w->c.action = "cancel_series_rest";
    return true;
}

/* A whole number member of body within [lo, hi] (absent: *out untouched, false). */
static bool body_int(struct input *in, json_t *body, const char *name, bool required, int lo,
                     int hi, int *out)
{
    json_t *v = json_object_get(body, name);
    if (!v) {
        if (required)
            input_error(in, name, false, "%s is required", name);
        return false;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        input_error(in, name, false, "%s must be a whole number from %d to %d", name, lo, hi);
        return false;
    }
    *out = (int)json_integer_value(v);
    return true;
}

/* Counts the sessions that are or were to happen (not cancelled). */
static size_t live_sessions(const struct plan_row *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += strcmp(p->sessions[i].status, "cancelled") != 0;
    return n;
}

/* Plans each date: a new session (free or moved) or a date that cannot be had. */
static void plan_dates(struct work *w, const struct recurrence_date *d, int n, int first_number)
{
    for (int i = 0; i < n; i++) {
        struct slot sl;
        enum plan_reason why;
        enum pick k = finder_pick(&w->f, &d[i], &sl, &why);
        if (k == PICK_NONE) {
            w->unbookable[w->c.nunbookable++] =
                (struct plan_unbookable){d[i].requested, plan_reason_code(why)};
            json_array_append_new(w->changes, change_line(w->p, first_number + i, "unavailable",
                                                          d[i].requested, 0, why));
            continue;
        }
        json_t *j = change_line(w->p, first_number + i, k == PICK_FREE ? "free" : "moved",
                                sl.start, sl.end, why);
        if (k == PICK_MOVED) {
            char req[40];
            format_in(w->p, d[i].requested, req, sizeof(req));
            json_object_set_new(j, "requested_start", json_string(req));
        }
        json_array_append_new(w->changes, j);
        work_add(w, &sl);
    }
}

/* POST .../sessions {count, every_weeks?}: count sessions after the last, keeping the
 * plan's cadence. */
static bool plan_add(struct req *r, struct work *w, json_t *body)
{
    struct input in;
    input_init(&in, r);
    int count = 0, weeks = w->p->every_weeks;
    body_int(&in, body, "count", true, 1, ADD_MAX, &count);
    body_int(&in, body, "every_weeks", false, 1, 12, &weeks);
    if (input_ok(&in) && weeks <= 0)
        input_error(&in, "every_weeks", false,
                    "this plan has no weekly cadence: give every_weeks (1 to 12)");
    if (input_ok(&in) && live_sessions(w->p) + (size_t)count > RECURRENCE_MAX)
        input_error(&in, "count", false, "a plan holds at most %d sessions", RECURRENCE_MAX);
    if (!input_ok(&in)) {
        input_reply(&in);
        return false;
    }
    input_release(&in);
    int64_t anchor = 0;
    for (size_t i = 0; i < w->p->n; i++)
        if (strcmp(w->p->sessions[i].status, "cancelled") != 0 || anchor == 0)
            anchor = w->p->sessions[i].start;
    struct recurrence_date d[RECURRENCE_MAX];
    int n = plan_weekly_dates(anchor, tz_get(w->p->tz), weeks, count, false, d);
    if (!change_dates_ready(r, w, d, n, count, "count"))
        return false;
    finder_slots(&w->f, d[0].requested - NEAR_WINDOW, d[n - 1].requested + NEAR_WINDOW + 1);
    plan_dates(w, d, n, (int)w->p->n + 1);
    w->c.kind = "series_extended";
    w->c.action = "extend_series";
    return true;
}

/* Checks session number from (1-based) can start a new cadence; false after
 * recording why. */
static bool cadence_from_ok(struct input *in, const struct plan_row *p, int from)
{
    if (from < 1 || (size_t)from > p->n)
        return false;
    const struct plan_session *x = &p->sessions[from - 1];
    if (strcmp(x->status, "unbookable") == 0 ? x->start > p->now
                                              : plan_session_changeable(x->status, p->now,
                                                                        x->start, p->notice_hours))
        return true;
    input_error(in, "from_session", false,
                "session %d cannot be changed online (it is past, cancelled or less than %d "
                "hours away)",
                from, p->notice_hours);
    return false;
}

/* The sessions from `from` that the new cadence takes (booked or unbookable): their
 * indexes into idx; the booked ones' times are forgotten by the finder. */
static int cadence_rest(struct work *w, int from, size_t *idx)
{
    int m = 0;
    for (size_t i = (size_t)from - 1; i < w->p->n && m < RECURRENCE_MAX; i++) {
        const char *st = w->p->sessions[i].status;
        if (strcmp(st, "booked") == 0 || strcmp(st, "unbookable") == 0)
            idx[m++] = i;
    }
    return m;
}

/* The sessions of the rest moved to the new dates in order (new sessions when more
 * dates can be had than there were sessions; the surplus cancelled). */
static void cadence_assign(struct work *w, const size_t *idx, int m)
{
    size_t nb = 0, used = 0;
    const struct plan_session *booked[RECURRENCE_MAX];
    for (int i = 0; i < m; i++)
        if (w->p->sessions[idx[i]].id[0])
            booked[nb++] = &w->p->sessions[idx[i]];
    size_t nadd = w->c.nadd;
    w->c.nadd = 0;
    for (size_t k = 0; k < nadd; k++) {
        struct booking_new *b = &w->add[k];
        if (used < nb) {
            const struct plan_session *x = booked[used++];
            if (x->start != b->start)
                w->moves[w->c.nmoves++] = (struct plan_move){
                    x->id, b->location_id, x->start, x->end, b->start, b->end, b->blocked_start,
                    b->blocked_end};
        } else {
            w->add[w->c.nadd++] = *b;
        }
    }
    for (; used < nb; used++) {
        w->cancel[w->c.ncancel++] = booked[used]->id;
        json_array_append_new(w->changes, change_line(w->p, 0, "cancelled", booked[used]->start,
                                                      booked[used]->end, PR_NONE));
    }
}

/* POST .../cadence {from_session, every_weeks}: the rest of the plan from session
 * from_session on, every_weeks weeks apart from that session's time. */
static bool plan_cadence(struct req *r, struct work *w, json_t *body)
{
    struct input in;
    input_init(&in, r);
    int from = 0, weeks = 0;
    body_int(&in, body, "from_session", true, 1, PLAN_SESSIONS_MAX, &from);
    body_int(&in, body, "every_weeks", true, 1, 12, &weeks);
    if (input_ok(&in) && (size_t)from > w->p->n)
        input_error(&in, "from_session", false, "this plan has %zu sessions", w->p->n);
    if (input_ok(&in))
        cadence_from_ok(&in, w->p, from);
    if (!input_ok(&in)) {
        input_reply(&in);
        return false;
    }
    input_release(&in);
    size_t idx[RECURRENCE_MAX];
    int m = cadence_rest(w, from, idx);
    struct recurrence_date d[RECURRENCE_MAX];
    int n = plan_weekly_dates(w->p->sessions[from - 1].start, tz_get(w->p->tz), weeks, m, true,
                              d);
    if (!change_dates_ready(r, w, d, n, m, "every_weeks"))
        return false;
    for (int i = 0; i < m; i++)
        if (w->p->sessions[idx[i]].id[0])
            finder_forget(&w->f, w->p->sessions[idx[i]].start, w->p->sessions[idx[i]].end);
    finder_slots(&w->f, d[0].requested - NEAR_WINDOW, d[n - 1].requested + NEAR_WINDOW + 1);
    plan_dates(w, d, n, from);
    cadence_assign(w, idx, m);
    w->c.drop_unbookable_from = w->p->sessions[from - 1].start;
    w->c.every_weeks = weeks;
    w->c.kind = "series_rescheduled";
    w->c.action = "change_series_cadence";
    return true;
}

/* --- a flare ------------------------------------------------------------------------- */

#define FLARE_LOOK_AHEAD (28 * 86400)

static const struct plan_session *next_session(const struct plan_row *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->sessions[i].status, "booked") == 0 && p->sessions[i].start > p->now)
            return &p->sessions[i];
    return NULL;
}

/* 409 saying plainly what to do (call the clinic, with its number): type, title and
 * what went before "please call". */
static void reply_call(struct req *r, const struct plan_row *p, const char *type,
                       const char *title, const char *what)
{
    char d[700], call[300];
    call_clinic_text(p, call, sizeof(call));
    snprintf(d, sizeof(d), "%s To move or cancel it, %s.", what, call);
    reply_problem_ext(r, 409, type, title, d, NULL,
                      json_pack("{s:s, s:s*}", "clinic_name", p->clinic_name, "clinic_phone",
                                p->clinic_phone[0] ? p->clinic_phone : NULL));
}

/* Whether the plan has a flare move left; false after replying. */
static bool flare_allowed(struct req *r, const struct plan_row *p)
{
    char what[200];
    if (p->flare_allowed <= 0) {
        reply_call(r, p, "flare-moves-off", "No flare moves online",
                   "This clinic does not take flare moves online.");
        return false;
    }
    if (p->flare_used < p->flare_allowed)
        return true;
    snprintf(what, sizeof(what), "You have used the %d flare move%s of this plan.",
             p->flare_allowed, p->flare_allowed == 1 ? "" : "s");
    reply_call(r, p, "flare-allowance-used", "No flare moves left", what);
    return false;
}

/* The next session x moved to start (0: the next free time after it); false after
 * replying. */
static bool flare_move(struct req *r, struct work *w, const struct plan_session *x,
                       int64_t start)
{
    int64_t lo = start ? start - 86400 : x->end, hi = start ? start + 86400 : x->end + FLARE_LOOK_AHEAD;
    struct schedule *s = &w->f.s;
    enum db_status st = schedule_fetch(&r->db, w->p->practitioner_id, w->p->service_id, lo, hi,
                                       x->id, s);
    if (st != DB_OK || !s->service_found) {
        if (st == DB_OK)
            reply_slot_unavailable(r, "This practitioner no longer takes this service.");
        else
            reply_failure(r, st);
        return false;
    }
    struct slot sl;
    int64_t t = start ? start : schedule_next_opening(s, x->end, hi);
    if (t < 0 || booking_start_rule(s->now, s->min_notice_min, s->horizon_days, t) != START_OK ||
        !schedule_offers(s, t, &sl)) {
        if (start)
            reply_slot_unavailable(r, "That time is not free (or outside the clinic's booking "
                                      "policy); choose another, or let the plan find the next "
                                      "free time.");
        else
            reply_call(r, w->p, "no-free-time", "No free time soon",
                       "There is no free time in the four weeks after this session.");
        return false;
    }
    struct interval b = slots_blocked(sl.start, sl.end, s->buffer_before_min, s->buffer_after_min);
    w->moves[w->c.nmoves++] = (struct plan_move){
        x->id, schedule_location(s, sl.location), x->start, x->end, sl.start, sl.end, b.start,
        b.end};
    json_t *j = change_line(w->p, (int)(x - w->p->sessions) + 1, "moved", sl.start, sl.end,
                            PR_NONE);
    char was[40];
    format_in(w->p, x->start, was, sizeof(was));
    json_object_set_new(j, "requested_start", json_string(was));
    json_array_append_new(w->changes, j);
    return true;
}

/* POST .../flare {action: move | cancel, start?}: the next session, even inside the
 * cancellation window, while the plan has flare moves left. */
static bool plan_flare(struct req *r, struct work *w, json_t *body)
{
    struct input in;
    input_init(&in, r);
    int64_t start = 0;
    const char *action = body_str(&in, body, NULL, "action", true, 10);
    bool chosen = body_instant(&in, body, NULL, "start", false, &start);
    bool cancel = action && strcmp(action, "cancel") == 0;
    if (action && !cancel && strcmp(action, "move") != 0)
        input_error(&in, "action", false, "action must be move or cancel");
    if (cancel && chosen)
        input_error(&in, "start", false, "start goes with action move only");
    if (!input_ok(&in)) {
        input_reply(&in);
        return false;
    }
    input_release(&in);
    const struct plan_session *x = next_session(w->p);
    if (!x) {
        reply_problem(r, 409, "nothing-to-change", "No session ahead",
                      "This plan has no booked session ahead to move or cancel.", NULL);
        return false;
    }
    if (!flare_allowed(r, w->p))
        return false;
    if (cancel) {
        w->cancel[w->c.ncancel++] = x->id;
        json_array_append_new(w->changes, change_line(w->p, (int)(x - w->p->sessions) + 1,
                                                      "cancelled", x->start, x->end, PR_NONE));
    } else if (!flare_move(r, w, x, chosen ? start : 0)) {
        return false;
    }
    w->c.flare = true;
    w->c.cancel_reason = "flare";
    w->c.kind = "series_flare";
    w->c.action = cancel ? "flare_cancel" : "flare_move";
    return true;
}

/* --- the routes ------------------------------------------------------------------------ */

typedef bool (*planner)(struct req *r, struct work *w, json_t *body);

/* Whether the request asks for a preview: ?preview=true or "dry_run": true; false
 * after recording a problem. */
static bool wants_preview(struct input *in, json_t *body, bool *preview)
{
    *preview = false;
    q_bool(in, "preview", preview);
    json_t *d = json_object_get(body, "dry_run");
    if (d && !json_is_boolean(d))
        input_error(in, "dry_run", false, "dry_run must be true or false");
    else if (d && json_is_true(d))
        *preview = true;
    return input_ok(in);
}

static void plan_change_request(struct req *r, planner make, const char *action,
                                const char *const *allowed)
{
    struct input in;
    input_init(&in, r);
    json_t *body = r->body.len > 0 ? body_object(&in) : json_object();
    struct work *w = xcalloc(1, sizeof(*w));
    w->changes = json_array();
    bool preview = false;
    enum db_status st;
    static const char *const params[] = {"preview", NULL};
    if (body)
        body_only(&in, body, NULL, allowed);
    only_params(&in, params);
    w->p = xcalloc(1, sizeof(*w->p));
    if (!body || !wants_preview(&in, body, &preview)) {
        input_reply(&in);
    } else if ((st = plan_held(r, w->p)) != DB_OK || (st = work_patient(r, w)) != DB_OK) {
        reply_failure(r, st);
    } else {
        snprintf(w->token_hash, sizeof(w->token_hash), "%s", w->p->token_hash);
        w->c.unbookable = w->unbookable;
        w->c.cancel = w->cancel;
        w->c.moves = w->moves;
        w->c.add = w->add;
        if (make(r, w, body)) {
            /* each further session costs a write of its own (the route took one) */
            if (preview)
                work_preview(r, w, action);
            else if (w->c.ncancel + w->c.nmoves + w->c.nadd == 0)
                reply_nothing(r, w);
            else if (w->c.nadd <= 1 || patient_rate(r, (long)w->c.nadd - 1))
                work_commit(r, w, action);
        }
    }
    finder_release(&w->f);
    booking_row_release(&w->who);
    json_decref(w->changes);
    free(w->p);
    free(w);
    input_release(&in);
    json_decref(body);
}

void series_cancel_rest(struct req *r)
{
    static const char *const allowed[] = {"dry_run", NULL};
    plan_change_request(r, plan_cancel_rest, "cancel_rest", allowed);
}

void series_add_sessions(struct req *r)
{
    static const char *const allowed[] = {"count", "every_weeks", "dry_run", NULL};
    plan_change_request(r, plan_add, "add_sessions", allowed);
}

void series_flare(struct req *r)
{
    static const char *const allowed[] = {"action", "start", "dry_run", NULL};
    plan_change_request(r, plan_flare, "flare", allowed);
}

void series_change_cadence(struct req *r)
{
    static const char *const allowed[] = {"from_session", "every_weeks", "dry_run", NULL};
    plan_change_request(r, plan_cadence, "change_cadence", allowed);
}
