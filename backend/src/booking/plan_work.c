/* A change of a plan and its answer (booking/plan.h): the routes of the changes of
 * the rest of a plan, each previewed with the same answer before anything is written
 * (?preview=true or "dry_run": true), then written in one transaction
 * (store_plan_change). */
#include "booking/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "api/rate.h"
#include "cache/index_keeper.h"
#include "domain/seal.h"
#include "util/alloc.h"
#include "util/parse.h"

json_t *plan_change_line(const struct plan_row *p, int number, const char *status,
                           int64_t start, int64_t end, enum plan_reason why)
{
    char a[40], b[40];
    plan_format_in(p, start, a, sizeof(a));
    json_t *j = json_pack("{s:s, s:s}", "status", status, "start", a);
    if (number > 0)
        json_object_set_new(j, "number", json_integer(number));
    if (end > start) {
        plan_format_in(p, end, b, sizeof(b));
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
                                       lo - PLAN_NEAR_WINDOW, hi + PLAN_NEAR_WINDOW + 1, NULL, &w->f.s);
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
void work_add(struct work *w, const struct slot *sl)
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
    plan_format_in(w->p, last->requested, when, sizeof(when));
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
bool work_dates_ready(struct req *r, struct work *w, const struct recurrence_date *d,
                               int n, int want, const char *field)
{
    if (n != want) {
        reply_problem(r, 422, "validation", "No dates", "These dates cannot be made.", NULL);
        return false;
    }
    return work_schedule(r, w, d[0].requested, d[n - 1].requested) &&
           within_horizon(r, w, &d[n - 1], field);
}

/* The sessions the change adds, moves and cancels, by booking id: what the patient's
 * mail puts in its calendar files (domain/mail_plan.h). */
static json_t *work_calendar(const struct work *w)
{
    json_t *added = json_array(), *moved = json_array(), *cancelled = json_array();
    json_t *from = json_object(); /* a moved session's time before the change */
    for (size_t i = 0; i < w->c.nadd; i++)
        json_array_append_new(added, json_string(w->add[i].id));
    for (size_t i = 0; i < w->c.nmoves; i++) {
        json_array_append_new(moved, json_string(w->moves[i].id));
        json_object_set_new(from, w->moves[i].id, json_integer(w->moves[i].old_start));
    }
    for (size_t i = 0; i < w->c.ncancel; i++)
        json_array_append_new(cancelled, json_string(w->cancel[i]));
    return json_pack("{s:o, s:o, s:o, s:o}", "added", added, "moved", moved, "cancelled", cancelled,
                     "moved_from", from);
}

/* The payload of the change's mail: what changed, as it is now, and (the patient's)
 * the link and the calendar's sessions. */
static char *work_payload(struct req *r, const struct work *w, const char *action,
                          bool with_link)
{
    json_t *pl = json_pack("{s:s, s:O}", "action", action, "changes", w->changes);
    char sealed[256];
    const char *token = with_link ? plan_bearer_token(r) : NULL;
    if (token && seal_text(token, sealed, sizeof(sealed)))
        json_object_set_new(pl, "manage_token_sealed", json_string(sealed));
    if (with_link)
        json_object_set_new(pl, "calendar", work_calendar(w));
    char *text = json_dumps(pl, JSON_COMPACT);
    json_decref(pl);
    return text;
}

/* A plan of one about to grow into a plan: its new id and rule (one session every
 * every_weeks weeks, 1 when none), and its mail says so. */
static void work_grow(struct work *w)
{
    struct booking_new named;
    booking_new_id(&named);
    snprintf(w->p->id, sizeof(w->p->id), "%s", named.id);
    snprintf(w->rrule, sizeof(w->rrule), "FREQ=WEEKLY;INTERVAL=%d;COUNT=%zu",
             w->c.every_weeks > 0 ? w->c.every_weeks : 1, w->p->n + w->c.nadd);
    w->c.grow_rrule = w->rrule;
    if (w->c.nadd > 0)
        w->c.kind = "series_grown";
}

/* The answer of a change: what it does, the times a flare move offered, and the plan
 * (stolen). */
static json_t *work_answer(const struct work *w, bool preview, const char *action, json_t *plan)
{
    json_t *a = json_pack("{s:b, s:s, s:O, s:o}", "preview", preview, "action", action,
                          "changes", w->changes, "plan", plan);
    if (w->choices)
        json_object_set(a, "choices", w->choices);
    return a;
}

/* Writes the change and replies with the plan as it is now; or the refusal. */
static void work_commit(struct req *r, struct work *w, const char *action)
{
    if (!w->p->id[0])
        work_grow(w);
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
            reply_json(r, 200, work_answer(w, false, action, plan_json(now)));
        else
            reply_failure(r, st);
        free(now);
    }
}

static void work_preview(struct req *r, struct work *w, const char *action)
{
    /* a preview shows the plan: an access to patient data */
    enum db_status st = plan_audit_read(r, w->p);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    reply_json(r, 200, work_answer(w, true, action, plan_json(w->p)));
}

/* 409 for a change that would change no session: nothing is written or mailed. */
static void reply_nothing(struct req *r, const struct work *w)
{
    reply_problem_ext(r, 409, "nothing-to-change", "Nothing would change",
                      "No session of the plan would change: no new date can be had, or the "
                      "plan already follows this cadence. Each date is listed with why.",
                      NULL, json_pack("{s:O}", "changes", w->changes));
}

/* --- the routes ------------------------------------------------------------------------ */

typedef bool (*planner)(struct req *r, struct work *w, json_t *body);

/* Loads the plan a request names (plan_held, plan_of_booking_held). */
typedef enum db_status (*plan_loader)(struct req *r, struct plan_row *p);

static void plan_change_request(struct req *r, plan_loader load, planner make,
                                const char *action, const char *const *allowed)
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
    if (!body || !input_preview(&in, body, &preview)) {
        input_reply(&in);
    } else if ((st = load(r, w->p)) != DB_OK || (st = work_patient(r, w)) != DB_OK) {
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
        json_decref(w->choices); /* a flare's, made by make */
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
    plan_change_request(r, plan_held, plan_cancel_rest, "cancel_rest", allowed);
}

void series_add_sessions(struct req *r)
{
    static const char *const allowed[] = {"count", "every_weeks", "dry_run", NULL};
    plan_change_request(r, plan_held, plan_add, "add_sessions", allowed);
}

void series_flare(struct req *r)
{
    static const char *const allowed[] = {"action", "start", "dry_run", NULL};
    plan_change_request(r, plan_held, plan_flare, "flare", allowed);
}

void series_change_cadence(struct req *r)
{
    static const char *const allowed[] = {"from_session", "every_weeks", "dry_run", NULL};
    plan_change_request(r, plan_held, plan_cadence, "change_cadence", allowed);
}

/* A single booking's changes: sessions added after it (it becomes a plan), a flare. */
void bookings_add_sessions(struct req *r)
{
    static const char *const allowed[] = {"count", "every_weeks", "dry_run", NULL};
    plan_change_request(r, plan_of_booking_held, plan_add, "add_sessions", allowed);
}

void bookings_flare(struct req *r)
{
    static const char *const allowed[] = {"action", "start", "dry_run", NULL};
    plan_change_request(r, plan_of_booking_held, plan_flare, "flare", allowed);
}
