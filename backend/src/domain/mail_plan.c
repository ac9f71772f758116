/* The words of the mails a plan's changes send (domain/mail_plan.h). */
#include "domain/mail_plan.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *kind, *subject, *lead;
} plan_kinds[] = {
    {"series_cancelled", "The rest of your treatment plan is cancelled",
     "The remaining sessions of your treatment plan are cancelled, as you asked."},
    {"series_extended", "Sessions added to your treatment plan",
     "New sessions are added at the end of your treatment plan, as you asked."},
    {"series_grown", "Your booking is now a treatment plan",
     "New sessions are added after your booking, as you asked: it is now a treatment plan, "
     "and one link shows all of it."},
    {"series_rescheduled", "Your treatment plan has new dates",
     "The rest of your treatment plan now follows the new rhythm you chose."},
    {"series_flare", "Your flare move is done",
     "Your next session is moved (or cancelled) because of your flare, as you asked. "
     "Take care of yourself; nothing more to do."},
    {"flare_clinic", "A patient used a flare move",
     "(For the clinic.) A patient of this treatment plan moved or cancelled their next "
     "session for a flare; it is marked as a flare on the schedule, and its time was "
     "offered to the waitlist."},
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
    buf_printf(t, "%s\n\n", k >= 0 ? plan_kinds[k].lead : "Your treatment plan has changed.");
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

