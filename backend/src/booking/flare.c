/* A flare (booking/plan.h): "I'm having a flare" moves or cancels the next session of
 * a plan, even inside the cancellation window, while the plan has flare moves left;
 * outside the allowance the answer says plainly what to do, with the clinic's phone. */
#include "booking/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "booking/plan_rules.h"

/* A flare lasts days and a session's effect shows 24 to 48 hours later: a flare move
 * offers times from two days after the session's start, up to FLARE_CHOICES of them,
 * each on another day, within four weeks (or before the plan's following session). */
#define FLARE_GAP (2 * 86400)
#define FLARE_LOOK_AHEAD (28 * 86400)

static const struct plan_session *plan_next_session(const struct plan_row *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->sessions[i].status, "booked") == 0 && p->sessions[i].start > p->now)
            return &p->sessions[i];
    return NULL;
}

/* The plan's booked session after x (NULL: none). */
static const struct plan_session *plan_following(const struct plan_row *p,
                                                 const struct plan_session *x)
{
    for (size_t i = 0; i < p->n; i++)
        if (&p->sessions[i] != x && strcmp(p->sessions[i].status, "booked") == 0 &&
            p->sessions[i].start > x->start)
            return &p->sessions[i];
    return NULL;
}

/* 409 saying plainly what to do (call the clinic, with its number): type, title and
 * what went before "please call"; cancel_offered: the answer says a flare cancel is
 * still possible. */
static void reply_call_ext(struct req *r, const struct plan_row *p, const char *type,
                           const char *title, const char *what, bool cancel_offered)
{
    char d[900], call[300];
    plan_call_clinic_text(p, call, sizeof(call));
    snprintf(d, sizeof(d), "%s To move or cancel it, %s.", what, call);
    json_t *ext = json_pack("{s:s, s:s*}", "clinic_name", p->clinic_name, "clinic_phone",
                            p->clinic_phone[0] ? p->clinic_phone : NULL);
    if (cancel_offered)
        json_object_set_new(ext, "cancel_offered", json_true());
    reply_problem_ext(r, 409, type, title, d, NULL, ext);
}

static void reply_call(struct req *r, const struct plan_row *p, const char *type,
                       const char *title, const char *what)
{
    reply_call_ext(r, p, type, title, what, false);
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

/* The local day of t and its seconds into that day, in zone z. */
static int64_t local_day(const struct tz *z, int64_t t, int64_t *secs)
{
    int64_t local = t + (z ? tz_offset_at(z, t) : 0);
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    *secs = local - day * 86400;
    return day;
}

size_t flare_pick(const struct flare_window *win, const struct slot *slots, size_t nslots,
                  struct slot *out)
{
    int64_t want, secs, day = 0;
    local_day(win->tz, win->session_start, &want);
    size_t n = 0;
    bool open = false; /* out[n] holds the best of day so far */
    for (size_t i = 0; i < nslots; i++) {
        const struct slot *sl = &slots[i];
        if (sl->start < win->from || (win->until && sl->end > win->until))
            continue;
        if (booking_start_rule(win->now, win->min_notice_min, win->horizon_days, sl->start) !=
            START_OK)
            continue;
        int64_t d = local_day(win->tz, sl->start, &secs);
        if (open && d != day) {
            if (++n == FLARE_CHOICES)
                return n;
            open = false;
        }
        int64_t dist = secs > want ? secs - want : want - secs;
        if (open) {
            int64_t best;
            local_day(win->tz, out[n].start, &best);
            best = best > want ? best - want : want - best;
            if (dist < best)
                out[n] = *sl;
        } else {
            out[n] = *sl;
            day = d;
            open = true;
        }
    }
    return n + (open ? 1 : 0);
}

/* {"start", "end", "chosen"} of each choice (a new reference). */
static json_t *choices_json(const struct plan_row *p, const struct slot *c, size_t n,
                            int64_t chosen)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = plan_change_line(p, 0, "free", c[i].start, c[i].end, PR_NONE);
        json_object_del(j, "status");
        json_object_set_new(j, "chosen", json_boolean(c[i].start == chosen));
        json_array_append_new(a, j);
    }
    return a;
}

/* The reply when start is not one of the choices: 409 when another booking has it
 * (taken meanwhile), else 422 naming start and the times offered. */
static void reply_not_offered(struct req *r, struct work *w, int64_t start,
                              const struct slot *c, size_t n)
{
    if (plan_reason_of(&w->f.s, start, true) == PR_TAKEN) {
        reply_slot_unavailable(r, "That time was just taken by someone else; nothing was "
                                  "changed. Please look at the times offered again.");
        return;
    }
    char list[200] = "", one[40];
    for (size_t i = 0; i < n; i++) {
        plan_format_in(w->p, c[i].start, one, sizeof(one));
        size_t len = strlen(list);
        snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", one);
    }
    struct input in;
    input_init(&in, r);
    input_error(&in, "start", false,
                "start must be one of the times a flare move offers now (%s); preview the "
                "flare move to see them",
                n ? list : "none");
    input_reply(&in);
}

/* The next session x moved to start (0: the first choice); false after replying. */
static bool flare_move(struct req *r, struct work *w, const struct plan_session *x,
                       int64_t start)
{
    const struct plan_session *next = plan_following(w->p, x);
    int64_t lo = x->start + FLARE_GAP;
    int64_t hi = next ? next->start : lo + FLARE_LOOK_AHEAD;
    /* a chosen start near the window is read too, to tell a time taken meanwhile (409)
     * from one never offered (422); one far from it is simply not offered */
    int64_t flo = lo, fhi = hi;
    if (start && start < lo)
        flo = start > lo - 7 * 86400 ? start : lo - 7 * 86400;
    if (start && start > hi)
        fhi = start < hi + 7 * 86400 ? start : hi + 7 * 86400;
    struct schedule *s = &w->f.s;
    enum db_status st = schedule_fetch(&r->db, w->p->practitioner_id, w->p->service_id,
                                       flo - 86400, fhi + 86400, x->id, s);
    if (st != DB_OK || !s->service_found) {
        if (st == DB_OK)
            reply_slot_unavailable(r, "This practitioner no longer takes this service.");
        else
            reply_failure(r, st);
        return false;
    }
    struct slot c[FLARE_CHOICES];
    size_t n = 0;
    if (hi > lo) {
        finder_slots(&w->f, lo, hi);
        struct flare_window win = {tz_get(w->p->tz), x->start, lo, next ? next->start : 0,
                                   s->now, s->min_notice_min, s->horizon_days};
        n = flare_pick(&win, w->f.slots, w->f.n, c);
    }
    size_t k = 0;
    while (start && k < n && c[k].start != start)
        k++;
    if (start && k == n) {
        reply_not_offered(r, w, start, c, n);
        return false;
    }
    if (n == 0) {
        char what[300], when[40];
        if (next) {
            plan_format_in(w->p, next->start, when, sizeof(when));
            snprintf(what, sizeof(what),
                     "There is no free time from two days after this session until your next "
                     "session (%.10s). You can cancel this session instead: a flare cancel, "
                     "without a fee.",
                     when);
        } else {
            snprintf(what, sizeof(what),
                     "There is no free time in the four weeks from two days after this "
                     "session. You can cancel it instead: a flare cancel, without a fee.");
        }
        reply_call_ext(r, w->p, "no-free-time", "No free time to move to", what, true);
        return false;
    }
    const struct slot sl = c[k];
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
    w->choices = choices_json(w->p, c, n, sl.start);
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
