/* Composing the e-mails patients get: plain words first, an iCalendar attachment
 * (METHOD:REQUEST, or CANCEL when cancelled; one UID per booking throughout). */
#include "domain/mail.h"

#include <libical/ical.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ics.h"
#include "domain/tz.h"

static const char *const weekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};
static const char *const months[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};

void mail_when(int64_t t, const char *tzname, char *out, size_t outlen)
{
    const struct tz *z = tz_get(tzname);
    int64_t local = t + (z ? tz_offset_at(z, t) : 0);
    int64_t day = day_of(local), secs = local - day * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, outlen, "%s %u %s %lld, %d:%02d", weekdays[iso_weekday(day) - 1], d,
             months[m - 1], (long long)y, (int)(secs / 3600), (int)(secs % 3600 / 60));
}

static void clock_of(int64_t t, const char *tzname, char *out, size_t outlen)
{
    const struct tz *z = tz_get(tzname);
    int64_t local = t + (z ? tz_offset_at(z, t) : 0);
    int64_t secs = local - day_of(local) * 86400;
    snprintf(out, outlen, "%d:%02d", (int)(secs / 3600), (int)(secs % 3600 / 60));
}

/* RFC 2047 is not needed: subjects stay ASCII; names go in the body. */
static void subject_of(const struct mail *m, const char *when, char *out, size_t n)
{
    if (strcmp(m->kind, "booking_confirmed") == 0)
        snprintf(out, n, "Booked: %s", when);
    else if (strcmp(m->kind, "booking_cancelled") == 0)
        snprintf(out, n, "Cancelled: %s", when);
    else if (strcmp(m->kind, "booking_rescheduled") == 0)
        snprintf(out, n, "Moved to %s", when);
    else if (strcmp(m->kind, "reminder") == 0)
        snprintf(out, n, "Reminder: %s", when);
    else if (strcmp(m->kind, "series_confirmed") == 0)
        snprintf(out, n, "Your treatment plan is booked, starting %s", when);
    else
        snprintf(out, n, "An earlier time is free: %s", when);
    /* keep the header plain ASCII */
    for (char *p = out; *p; p++)
        if ((unsigned char)*p >= 0x80 || *p == '\r' || *p == '\n')
            *p = '?';
}

static char *calendar(const struct mail *m, bool cancel)
{
    const struct tz *z = tz_get(m->tz);
    icalcomponent *cal = ics_calendar(cancel ? "CANCEL" : "REQUEST", z);
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    char summary[300], organizer[320], attendee[320];
    snprintf(summary, sizeof(summary), "%s with %s", m->service_name, m->practitioner_name);
    const char *from_addr = strchr(m->from, '<');
    snprintf(organizer, sizeof(organizer), "mailto:%.*s",
             from_addr ? (int)strcspn(from_addr + 1, ">") : (int)strlen(m->from),
             from_addr ? from_addr + 1 : m->from);
    snprintf(attendee, sizeof(attendee), "mailto:%s", m->to);
    icalcomponent_add_property(ev, icalproperty_new_uid(m->uid));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(
                                       icaltime_from_timet_with_zone((time_t)m->now, 0, utc)));
    icalcomponent_add_property(ev, ics_time(true, m->start, z));
    icalcomponent_add_property(ev, ics_time(false, m->end, z));
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    icalcomponent_add_property(ev, icalproperty_new_location(m->address));
    icalcomponent_add_property(ev, icalproperty_new_sequence(m->sequence));
    icalcomponent_add_property(ev, icalproperty_new_organizer(organizer));
    icalproperty *att = icalproperty_new_attendee(attendee);
    icalproperty_add_parameter(att, icalparameter_new_cn(m->patient_name));
    icalcomponent_add_property(ev, att);
    icalcomponent_add_property(ev, icalproperty_new_status(cancel ? ICAL_STATUS_CANCELLED
                                                                  : ICAL_STATUS_CONFIRMED));
    if (!cancel) {
        icalcomponent *alarm = icalcomponent_vanew(
            ICAL_VALARM_COMPONENT, icalproperty_new_action(ICAL_ACTION_DISPLAY),
            icalproperty_new_description(summary), (void *)0);
        struct icaltriggertype trig = {0};
        trig.time = icaltime_null_time();
        trig.duration = icaldurationtype_from_int(-2 * 3600);
        icalcomponent_add_property(alarm, icalproperty_new_trigger(trig));
        icalcomponent_add_component(ev, alarm);
    }
    icalcomponent_add_component(cal, ev);
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    return text;
}

/* Base64 lines of 76 characters, CRLF. */
static void put_base64(struct buf *out, const char *data, size_t len)
{
    size_t enc = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(enc);
    if (!b64)
        abort();
    sodium_bin2base64(b64, enc, (const unsigned char *)data, len, sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(b64);
    for (size_t i = 0; i < n; i += 76) {
        buf_append(out, b64 + i, n - i < 76 ? n - i : 76);
        buf_puts(out, "\r\n");
    }
    free(b64);
}

static void body_text(const struct mail *m, const char *when, struct buf *t)
{
    char until[24];
    clock_of(m->end, m->tz, until, sizeof(until));
    const char *k = m->kind;
    buf_printf(t, "Hello %s,\n\n", m->patient_name);
    if (strcmp(k, "booking_confirmed") == 0 || strcmp(k, "reminder") == 0 ||
        strcmp(k, "booking_rescheduled") == 0) {
        if (strcmp(k, "booking_confirmed") == 0)
            buf_printf(t, "Your session is booked.\n\n");
        else if (strcmp(k, "reminder") == 0)
            buf_printf(t, "A reminder of your next session.\n\n");
        else {
            char was[64];
            mail_when(m->previous_start, m->tz, was, sizeof(was));
            buf_printf(t, "Your session has moved. It was on %s.\n\n", was);
        }
        buf_printf(t, "What:  %s with %s\nWhen:  %s to %s\nWhere: %s, %s\n\n", m->service_name,
                   m->practitioner_name, when, until, m->clinic_name, m->address);
        buf_printf(t, "The attached calendar file adds it to your calendar.\n\n");
        if (m->manage_url)
            buf_printf(t, "To cancel or move it, open this link:\n%s\n", m->manage_url);
        else
            buf_printf(t, "To cancel or move it, use the link you were shown when you booked.\n");
        buf_printf(t, "Please do this at least %d hours before the session.", m->cancel_hours);
        if (m->clinic_phone)
            buf_printf(t, " After that, call the clinic on %s.", m->clinic_phone);
        buf_puts(t, "\n");
    } else if (strcmp(k, "booking_cancelled") == 0) {
        buf_printf(t, "Your session on %s (%s with %s) is cancelled.\n\n", when, m->service_name,
                   m->practitioner_name);
        buf_printf(t, "Nothing more to do. To book again, visit the clinic's page%s%s.\n",
                   m->clinic_phone ? " or call " : "", m->clinic_phone ? m->clinic_phone : "");
    } else if (strcmp(k, "series_confirmed") == 0) {
        buf_printf(t, "Your treatment plan with %s is booked (%s, at %s).\n\nThe dates:\n%s\n",
                   m->practitioner_name, m->service_name, m->clinic_name,
                   m->series_dates ? m->series_dates : "");
        if (m->manage_url)
            buf_printf(t, "\nTo cancel or move a session, open:\n%s\n", m->manage_url);
        buf_printf(t, "Please give at least %d hours' notice.\n", m->cancel_hours);
    } else {
        buf_printf(t, "A time you were waiting for is free: %s with %s on %s.\n\n",
                   m->service_name, m->practitioner_name, when);
        if (m->book_url)
            buf_printf(t, "To book it, open:\n%s\n\n", m->book_url);
        buf_printf(t, "Others may be told later if you do not take it. No need to reply.\n");
    }
    buf_printf(t, "\nWith kind regards,\n%s\n", m->clinic_name);
}

int mail_compose(const struct mail *m, struct buf *out)
{
    static const char *const kinds[] = {"booking_confirmed", "booking_cancelled",
                                        "booking_rescheduled", "series_confirmed",
                                        "waitlist_offer", "reminder"};
    bool known = false;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        known = known || strcmp(kinds[i], m->kind) == 0;
    if (!known)
        return -1;
    char when[64], subject[160], date[64], boundary[40];
    mail_when(m->start, m->tz, when, sizeof(when));
    subject_of(m, when, subject, sizeof(subject));
    time_t now = (time_t)m->now;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    snprintf(boundary, sizeof(boundary), "=_clinicd_%08lx", (unsigned long)(m->now & 0xffffffff));
    bool with_ics = strcmp(m->kind, "waitlist_offer") != 0 && strcmp(m->kind, "series_confirmed") != 0;
    bool cancel = strcmp(m->kind, "booking_cancelled") == 0;

    buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n"
                    "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n",
               m->from, m->to, subject, date, m->message_id);
    struct buf text;
    buf_init(&text, 0);
    body_text(m, when, &text);
    if (with_ics)
        buf_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n", boundary,
                   boundary);
    buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    put_base64(out, text.data ? text.data : "", text.len);
    buf_release(&text);
    if (with_ics) {
        char *ics = calendar(m, cancel);
        buf_printf(out,
                   "--%s\r\nContent-Type: text/calendar; charset=utf-8; method=%s\r\n"
                   "Content-Disposition: attachment; filename=\"appointment.ics\"\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n",
                   boundary, cancel ? "CANCEL" : "REQUEST");
        put_base64(out, ics ? ics : "", ics ? strlen(ics) : 0);
        free(ics);
        buf_printf(out, "--%s--\r\n", boundary);
    }
    return 0;
}
