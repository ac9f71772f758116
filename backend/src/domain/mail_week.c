/* The words of a plan's "this week" mail (domain/mail_week.h). */
#include "domain/mail_week.h"

#include <stdio.h>

void mail_week_subject(const struct mail *m, char *out, size_t n)
{
    (void)m;
    snprintf(out, n, "Your sessions this week");
}

void mail_week_text(const struct mail *m, struct buf *t)
{
    buf_printf(t, "Your sessions this week (%s with %s at %s):\n\n%s\n\n", m->service_name,
               m->practitioner_name, m->clinic_name, m->series_dates ? m->series_dates : "");
    if (m->manage_url)
        buf_printf(t, "To see your whole plan, or move or cancel a session, open:\n%s\n",
                   m->manage_url);
    buf_printf(t, "Sessions can be moved or cancelled online until %d hours before each one. "
                  "After that, please ",
               m->cancel_hours);
    if (m->clinic_phone && *m->clinic_phone)
        buf_printf(t, "call %s on %s.\n", m->clinic_name, m->clinic_phone);
    else
        buf_printf(t, "contact %s.\n", m->clinic_name);
}
