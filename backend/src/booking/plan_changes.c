/* The changes of the rest of a plan (booking/plan.h): cancel the rest, sessions added
 * at the end, a new cadence from session N. */
#include "booking/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/plan_rules.h"

/* The most sessions one request adds. */
#define ADD_MAX 20

/* Cancels every later session that can still be cancelled online; those inside the
 * cancellation window are kept, saying so. */
bool plan_cancel_rest(struct req *r, struct work *w, json_t *body)
{
    (void)body;
    struct plan_row *p = w->p;
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_session *x = &p->sessions[i];
        if (strcmp(x->status, "booked") != 0 || x->start <= p->now)
            continue;
        bool can = plan_session_changeable(x->status, p->now, x->start, p->notice_hours);
        json_t *j = plan_change_line(p, (int)i + 1, can ? "cancelled" : "kept", x->start, x->end,
                                PR_NONE);
        if (!can) {
            char why[512], call[300];
            plan_call_clinic_text(p, call, sizeof(call));
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

/* Records that session booking_id is at another time than asked (requested), and why. */
static void note_moved(struct work *w, const char *booking_id, int64_t requested,
                       enum plan_reason why)
{
    size_t i = w->c.nunbookable++;
    size_t n = strnlen(booking_id, sizeof(w->moved_ids[i]) - 1);
    memcpy(w->moved_ids[i], booking_id, n); /* (booking_id may lie in w: no snprintf) */
    w->moved_ids[i][n] = '\0';
    w->unbookable[i] = (struct plan_unbookable){requested, plan_reason_code(why), w->moved_ids[i]};
}

/* The notes of new session from (moved to a nearby time) now say session to. */
static void retarget_moved(struct work *w, const char *from, const char *to)
{
    for (size_t i = 0; i < w->c.nunbookable; i++)
        if (w->unbookable[i].booking_id && strcmp(w->moved_ids[i], from) == 0)
            snprintf(w->moved_ids[i], sizeof(w->moved_ids[i]), "%s", to);
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
                (struct plan_unbookable){d[i].requested, plan_reason_code(why), NULL};
            json_t *no = plan_change_line(w->p, first_number + i, "unavailable", d[i].requested,
                                          0, why);
            json_object_set_new(no, "outcome", json_string("unavailable"));
            json_array_append_new(w->changes, no);
            continue;
        }
        json_t *j = plan_change_line(w->p, first_number + i, k == PICK_FREE ? "free" : "moved",
                                sl.start, sl.end, why);
        if (k == PICK_MOVED) {
            char req[40];
            plan_format_in(w->p, d[i].requested, req, sizeof(req));
            json_object_set_new(j, "requested_start", json_string(req));
        }
        json_object_set_new(j, "outcome", json_string("added"));
        json_array_append_new(w->changes, j);
        w->add_line[w->c.nadd] = j;
        work_add(w, &sl);
        if (k == PICK_MOVED)
            note_moved(w, w->add[w->c.nadd - 1].id, d[i].requested, why);
    }
}

/* POST .../sessions {count, every_weeks?}: count sessions after the last, keeping the
 * plan's cadence. */
bool plan_add(struct req *r, struct work *w, json_t *body)
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
    if (!work_dates_ready(r, w, d, n, count, "count"))
        return false;
    finder_slots(&w->f, d[0].requested - PLAN_NEAR_WINDOW, d[n - 1].requested + PLAN_NEAR_WINDOW + 1);
    plan_dates(w, d, n, (int)w->p->n + 1);
    if (w->p->every_weeks <= 0)
        w->c.every_weeks = weeks; /* the cadence chosen is the plan's from now on */
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

/* What a new date does to session x that takes it (line: the date's line of the
 * answer): "unchanged" when x is at start already, else "moved" from its time. */
static void session_outcome(const struct work *w, json_t *line, const struct plan_session *x,
                            int64_t start)
{
    if (!line)
        return;
    json_object_set_new(line, "booking_id", json_string(x->id));
    json_object_set_new(line, "outcome", json_string(x->start == start ? "unchanged" : "moved"));
    if (x->start != start) {
        char was[40];
        plan_format_in(w->p, x->start, was, sizeof(was));
        json_object_set_new(line, "from", json_string(was));
    }
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
            retarget_moved(w, b->id, x->id);
            session_outcome(w, w->add_line[k], x, b->start);
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
        json_t *j = plan_change_line(w->p, 0, "cancelled", booked[used]->start,
                                     booked[used]->end, PR_NONE);
        json_object_set_new(j, "outcome", json_string("cancelled"));
        json_object_set_new(j, "booking_id", json_string(booked[used]->id));
        json_array_append_new(w->changes, j);
    }
}

/* POST .../cadence {from_session, every_weeks}: the rest of the plan from session
 * from_session on, every_weeks weeks apart from that session's time. */
bool plan_cadence(struct req *r, struct work *w, json_t *body)
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
    if (!work_dates_ready(r, w, d, n, m, "every_weeks"))
        return false;
    for (int i = 0; i < m; i++)
        if (w->p->sessions[idx[i]].id[0])
            finder_forget(&w->f, w->p->sessions[idx[i]].start, w->p->sessions[idx[i]].end);
    finder_slots(&w->f, d[0].requested - PLAN_NEAR_WINDOW, d[n - 1].requested + PLAN_NEAR_WINDOW + 1);
    plan_dates(w, d, n, from);
    cadence_assign(w, idx, m);
    w->c.drop_unbookable_from = w->p->sessions[from - 1].start;
    w->c.every_weeks = weeks;
    w->c.kind = "series_rescheduled";
    w->c.action = "change_series_cadence";
    return true;
}
