/* The mail that answers "e-mail me my bookings" (lost links). */
#include "domain/mail_links.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/mail.h"

/* A field as one clean line ("" for NULL); the copy is the caller's. */
static char *line(const char *s)
{
    return mail_clean_line(s ? s : "");
}

static void item_text(const struct mail_link_item *it, const struct mail_link_zone *zone,
                      size_t no, struct buf *t)
{
    char *prac = line(it->practitioner_name), *svc = line(it->service_name),
         *clinic = line(it->clinic_name), *phone = it->clinic_phone ? line(it->clinic_phone) : NULL,
         *addr = line(it->address), *tz = line(it->tz), *url = line(it->url);
    char when[MAIL_WHEN_MAX];
    struct mail m = {.tz = tz};
    if (zone) {
        m.country = zone->country;
        m.patient_tz = zone->patient_tz;
    }
    mail_when_for(&m, it->start, when, sizeof(when));
    if (it->sessions > 0)
        buf_printf(t, "%zu. A treatment plan: %s with %s (%d open session%s; the next: %s)\n", no,
                   svc, prac, it->sessions, it->sessions == 1 ? "" : "s", when);
    else
        buf_printf(t, "%zu. %s with %s, %s\n", no, svc, prac, when);
    buf_printf(t, "   Where: %s, %s\n", clinic, addr);
    if (phone && *phone)
        buf_printf(t, "   Phone: %s\n", phone);
    buf_printf(t, "   To see, move or cancel it, open:\n   %s\n\n", url);
    char *all[] = {prac, svc, clinic, phone, addr, tz, url};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        free(all[i]);
}

int mail_links_compose(const struct mail_links *m, struct buf *out)
{
    return mail_links_compose_zoned(m, NULL, out);
}

int mail_links_compose_zoned(const struct mail_links *m, const struct mail_link_zone *zones,
                             struct buf *out)
{
    char *from = line(m->from), *to = line(m->to), *msgid = line(m->message_id);
    char date[64];
    time_t now = (time_t)m->now;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    const char *subject = m->n > 0 ? "Your links to your bookings" : "Your bookings: none found";
    buf_printf(out,
               "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n"
               "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
               "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
               from, to, subject, date, msgid);
    struct buf t;
    buf_init(&t, 0);
    buf_puts(&t, "Hello,\n\nSomeone, probably you, asked for the links to the bookings made with "
                 "this e-mail address.\n\n");
    if (m->n == 0) {
        buf_puts(&t, "We found no open bookings under this address. If you booked with another "
                     "address, ask again with that one, or call the clinic.\n");
    } else {
        buf_printf(&t, "Here %s the open booking%s and plan%s under this address. Each link "
                       "opens only its own booking or plan, and works for %d days; the links "
                       "you were given when you booked still work too.\n\n",
                   m->n == 1 ? "is" : "are", m->n == 1 ? "" : "s", m->n == 1 ? "" : "s",
                   m->valid_days);
        for (size_t i = 0; i < m->n; i++)
            item_text(&m->items[i], zones ? &zones[i] : NULL, i + 1, &t);
        buf_puts(&t, "Please keep these links to yourself: whoever has one can change that "
                     "booking.\n");
    }
    buf_puts(&t, "\nIf you did not ask for this, you can ignore this mail: nothing has "
                 "changed.\n");
    mail_put_base64(out, t.data ? t.data : "", t.len);
    buf_release(&t);
    free(from);
    free(to);
    free(msgid);
    return 0;
}
