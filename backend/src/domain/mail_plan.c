/* The words of the mails a plan's changes send (domain/mail_plan.h). */
#include "domain/mail_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

static const struct {
    const char *kind, *subject, *lead;
    const char *lead_cancelled; /* when the change cancelled what the lead says it moved */
} plan_kinds[] = {
    {"series_cancelled", "The rest of your treatment plan is cancelled",
     "The remaining sessions of your treatment plan are cancelled, as you asked.", NULL},
    {"series_extended", "Sessions added to your treatment plan",
     "New sessions are added at the end of your treatment plan, as you asked.", NULL},
    {"series_grown", "Your booking is now a treatment plan",
     "New sessions are added after your booking, as you asked: it is now a treatment plan, "
     "and one link shows all of it.", NULL},
    {"series_rescheduled", "Your treatment plan has new dates",
     "The rest of your treatment plan now follows the new rhythm you chose.", NULL},
    {"series_flare", "Your flare move is done",
     "Your next session is moved to a later day because of your flare, as you asked. "
     "Take care of yourself; nothing more to do.",
     "Your next session is cancelled because of your flare, as you asked. Take care of "
     "yourself; when you feel up to it, the link below books a new time."},
    {"flare_clinic", "A patient used a flare move",
     "(For the clinic.) A patient of this treatment plan moved or cancelled their next "
     "session for a flare; it is marked as a flare on the schedule, and its time was "
     "offered to the waitlist.", NULL},
};

static int find(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof(plan_kinds) / sizeof(plan_kinds[0]); i++)
        if (strcmp(plan_kinds[i].kind, kind) == 0)
            return (int)i;
    return -1;
}

bool mail_plan_kind(const char *kind)
{
    return find(kind) >= 0;
}

void mail_plan_subject(const struct mail *m, char *out, size_t n)
{
    int k = find(m->kind);
    snprintf(out, n, "%s", k >= 0 ? plan_kinds[k].subject : "Your treatment plan");
}

void mail_plan_text(const struct mail *m, struct buf *t)
{
    int k = find(m->kind);
    const char *lead = k < 0                                                ? "Your treatment plan has changed."
                       : m->ncancelled > 0 && plan_kinds[k].lead_cancelled ? plan_kinds[k].lead_cancelled
                                                                          : plan_kinds[k].lead;
    buf_printf(t, "%s\n\n", lead);
    buf_printf(t, "Your plan: %s with %s at %s.\n\n", m->service_name, m->practitioner_name,
               m->clinic_name);
    if (m->series_dates && *m->series_dates)
        buf_printf(t, "The sessions still booked:\n%s\n\n", m->series_dates);
    else
        buf_puts(t, "No session of this plan is booked any more.\n\n");
    if (m->manage_url)
        buf_printf(t, "To see the whole plan or change it, open:\n%s\n", m->manage_url);
    buf_printf(t, "Changes online are possible up to %d hours before a session.",
               m->cancel_hours);
    if (m->clinic_phone)
        buf_printf(t, " After that, call the clinic on %s.", m->clinic_phone);
    buf_puts(t, "\n");
}

/* Whether the change's list named (an array of booking ids) holds id. */
static bool listed(const json_t *calendar, const char *name, const char *id)
{
    const json_t *ids = json_object_get(calendar, name);
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const char *x = json_string_value(json_array_get(ids, i));
        if (x && strcmp(x, id) == 0)
            return true;
    }
    return false;
}

static int64_t member_int(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

void mail_plan_from_payload(const json_t *payload, const struct mail *m,
                            struct mail_plan_fill *out)
{
    memset(out, 0, sizeof(*out));
    const json_t *all = json_object_get(json_object_get(payload, "snapshot"), "sessions");
    const json_t *cal = json_object_get(payload, "calendar");
    size_t n = json_array_size(all);
    struct buf dates;
    buf_init(&dates, 0);
    if (n > 0) {
        out->sessions = xcalloc(n, sizeof(*out->sessions));
        out->uids = xcalloc(n, sizeof(*out->uids));
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(all, i);
        const char *id = json_string_value(json_object_get(s, "id"));
        const char *st = json_string_value(json_object_get(s, "status"));
        if (!id || !st)
            continue;
        bool booked = strcmp(st, "booked") == 0;
        bool added = booked && listed(cal, "added", id), moved = booked && listed(cal, "moved", id);
        bool cancelled = strcmp(st, "cancelled") == 0 && listed(cal, "cancelled", id);
        int64_t start = member_int(s, "start");
        if (booked) {
            char when[MAIL_WHEN_MAX], was[MAIL_WHEN_MAX];
            mail_when_for(m, start, when, sizeof(when));
            const json_t *from = json_object_get(json_object_get(cal, "moved_from"), id);
            if (moved && json_is_integer(from)) {
                mail_when_for(m, (int64_t)json_integer_value(from), was, sizeof(was));
                buf_printf(&dates, "%s%s (moved from %s)", dates.len ? "\n" : "", when, was);
            } else {
                buf_printf(&dates, "%s%s%s", dates.len ? "\n" : "", when,
                           added ? " (new)" : moved ? " (moved)" : "");
            }
        }
        if (!added && !moved && !cancelled)
            continue;
        /* the REQUEST's from the front, the CANCEL's from the back */
        size_t k = cancelled ? n - 1 - out->ncancelled++ : out->n++;
        snprintf(out->uids[k], sizeof(out->uids[k]), "%s@clinicd", id);
        out->sessions[k] = (struct mail_session){
            .uid = out->uids[k],
            .start = start,
            .end = member_int(s, "end"),
            .sequence = (int)member_int(s, "sequence") + (cancelled ? 1 : 0),
        };
    }
    /* the CANCEL's in time order */
    out->cancelled = out->sessions ? out->sessions + (n - out->ncancelled) : NULL;
    for (size_t i = 0; i < out->ncancelled / 2; i++) {
        struct mail_session x = out->cancelled[i];
        out->cancelled[i] = out->cancelled[out->ncancelled - 1 - i];
        out->cancelled[out->ncancelled - 1 - i] = x;
    }
    size_t len;
    out->dates = buf_detach(&dates, &len);
    if (out->n + out->ncancelled == 0) {
        free(out->sessions);
        free(out->uids);
        out->sessions = out->cancelled = NULL;
        out->uids = NULL;
    }
}
