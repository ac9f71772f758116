/* A flare (booking/plan.h): "I'm having a flare" moves or cancels the next session of
 * a plan, even inside the cancellation window, while the plan has flare moves left;
 * outside the allowance the answer says plainly what to do, with the clinic's phone. */
#include "booking/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "booking/plan_rules.h"

#define FLARE_LOOK_AHEAD (28 * 86400)

static const struct plan_session *plan_next_session(const struct plan_row *p)
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
    plan_call_clinic_text(p, call, sizeof(call));
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
    json_t *j = plan_change_line(w->p, (int)(x - w->p->sessions) + 1, "moved", sl.start, sl.end,
                            PR_NONE);
    char was[40];
    plan_format_in(w->p, x->start, was, sizeof(was));
    json_object_set_new(j, "requested_start", json_string(was));
    json_array_append_new(w->changes, j);
    return true;
}

/* POST .../flare {action: move | cancel, start?}: the next session, even inside the
 * cancellation window, while the plan has flare moves left. */
bool plan_flare(struct req *r, struct work *w, json_t *body)
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
    const struct plan_session *x = plan_next_session(w->p);
    if (!x) {
        reply_problem(r, 409, "nothing-to-change", "No session ahead",
                      "This plan has no booked session ahead to move or cancel.", NULL);
        return false;
    }
    if (!flare_allowed(r, w->p))
        return false;
    if (cancel) {
        w->cancel[w->c.ncancel++] = x->id;
        json_array_append_new(w->changes, plan_change_line(w->p, (int)(x - w->p->sessions) + 1,
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
