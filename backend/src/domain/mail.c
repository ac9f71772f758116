/* Composing the e-mails patients get: plain words first, an iCalendar attachment
 * (METHOD:REQUEST, or CANCEL when cancelled; one UID per booking throughout). */
#include "domain/mail.h"

#include <libical/ical.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ics.h"
#include "domain/mail_plan.h"
#include "domain/mail_week.h"
#include "domain/tz.h"
#include "util/alloc.h"

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

/* The US zones' names as the country writes them: standard and summer time. */
struct us_zone {
    const char *name;
    int std_hours; /* the standard offset from UTC */
    const char *std, *dst;
};
static const struct us_zone us_zones[] = {
    {"America/New_York", -5, "EST", "EDT"},       {"America/Detroit", -5, "EST", "EDT"},
    {"America/Indiana/Indianapolis", -5, "EST", "EDT"},
    {"America/Kentucky/Louisville", -5, "EST", "EDT"},
    {"America/Chicago", -6, "CST", "CDT"},        {"America/Denver", -7, "MST", "MDT"},
    {"America/Boise", -7, "MST", "MDT"},          {"America/Phoenix", -7, "MST", "MST"},
    {"America/Los_Angeles", -8, "PST", "PDT"},    {"America/Anchorage", -9, "AKST", "AKDT"},
    {"Pacific/Honolulu", -10, "HST", "HST"},      {"America/Puerto_Rico", -4, "AST", "AST"},
};

static bool twelve_hour(const char *country)
{
    return country && strcmp(country, "US") == 0;
}

/* The zone's name at t ("PST"), or its IANA name when the table does not know it. */
static const char *zone_name(const char *tzname, int32_t offset)
{
    for (size_t i = 0; tzname && i < sizeof(us_zones) / sizeof(us_zones[0]); i++)
        if (strcmp(us_zones[i].name, tzname) == 0)
            return offset == us_zones[i].std_hours * 3600 ? us_zones[i].std : us_zones[i].dst;
    return tzname ? tzname : "UTC";
}

/* The wall clock of t: "9:00" (24-hour) or "9:00 AM PST" (12-hour, with the zone). */
static void clock_in(int64_t t, const char *tzname, const char *country, char *out, size_t outlen)
{
    const struct tz *z = tz_get(tzname);
    int32_t off = z ? tz_offset_at(z, t) : 0;
    int64_t local = t + off;
    int secs = (int)(local - day_of(local) * 86400);
    int h = secs / 3600, min = secs % 3600 / 60;
    if (twelve_hour(country))
        snprintf(out, outlen, "%d:%02d %s %s", h % 12 == 0 ? 12 : h % 12, min, h < 12 ? "AM" : "PM",
                 zone_name(tzname, off));
    else
        snprintf(out, outlen, "%d:%02d", h, min);
}

void mail_when_in(int64_t t, const char *tzname, const char *country, char *out, size_t outlen)
{
    if (!twelve_hour(country)) {
        mail_when(t, tzname, out, outlen);
        return;
    }
    const struct tz *z = tz_get(tzname);
    int64_t local = t + (z ? tz_offset_at(z, t) : 0);
    int64_t day = day_of(local);
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    char clock[40];
    clock_in(t, tzname, country, clock, sizeof(clock));
    snprintf(out, outlen, "%s, %s %u, %lld, %s", weekdays[iso_weekday(day) - 1], months[m - 1], d,
             (long long)y, clock);
}

static bool us_zone(const char *tzname)
{
    for (size_t i = 0; tzname && i < sizeof(us_zones) / sizeof(us_zones[0]); i++)
        if (strcmp(us_zones[i].name, tzname) == 0)
            return true;
    return false;
}

/* " (4:00 AM EST, your time)": t on the patient's clock (12-hour with the zone's name
 * for a US zone, else 24-hour with the IANA name), with their day when it differs from
 * the clinic's; "" when their zone is unknown or has the clinic's offset at t. */
static void patient_clock(const struct mail *m, int64_t t, char *out, size_t outlen)
{
    out[0] = '\0';
    const struct tz *pz = m->patient_tz && *m->patient_tz ? tz_get(m->patient_tz) : NULL;
    const struct tz *cz = tz_get(m->tz);
    int32_t coff = cz ? tz_offset_at(cz, t) : 0;
    if (!pz || tz_offset_at(pz, t) == coff)
        return;
    int32_t poff = tz_offset_at(pz, t);
    char clock[48], named[120];
    bool us = us_zone(m->patient_tz);
    clock_in(t, m->patient_tz, us ? "US" : NULL, clock, sizeof(clock));
    if (us)
        snprintf(named, sizeof(named), "%s", clock);
    else
        snprintf(named, sizeof(named), "%s %s", clock, m->patient_tz);
    int64_t pday = day_of(t + poff);
    if (pday == day_of(t + coff)) {
        snprintf(out, outlen, " (%s, your time)", named);
        return;
    }
    int64_t y;
    unsigned mo, d;
    civil_from_days(pday, &y, &mo, &d);
    snprintf(out, outlen, " (%s %u %s, %s, your time)", weekdays[iso_weekday(pday) - 1], d,
             months[mo - 1], named);
}

void mail_when_for(const struct mail *m, int64_t t, char *out, size_t outlen)
{
    char clinic[80], patient[160];
    mail_when_in(t, m->tz, m->country, clinic, sizeof(clinic));
    patient_clock(m, t, patient, sizeof(patient));
    if (!patient[0])
        snprintf(out, outlen, "%s", clinic);
    else if (twelve_hour(m->country))
        snprintf(out, outlen, "%s%s", clinic, patient);
    else
        snprintf(out, outlen, "%s %s time%s", clinic, m->tz ? m->tz : "UTC", patient);
}

/* --- the sender ------------------------------------------------------------------- */

/* Length of the UTF-8 sequence at s (1 to 4), or 0 when it is not a valid one. */
static size_t utf8_len(const unsigned char *s);

void mail_from_header(const char *display, const char *from, struct buf *out)
{
    const char *lt = strchr(from, '<');
    size_t alen = lt ? strcspn(lt + 1, ">") : strlen(from);
    const char *addr = lt ? lt + 1 : from;
    if (!display || !*display) {
        buf_printf(out, "%.*s", (int)alen, addr);
        return;
    }
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)display; *p && ascii; p++)
        ascii = *p >= 0x20 && *p < 0x7f;
    if (ascii) {
        buf_putc(out, '"');
        for (const char *p = display; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(out, '\\');
            buf_putc(out, *p);
        }
        buf_putc(out, '"');
    } else {
        /* RFC 2047 B words of whole characters, each well under 76 characters */
        const unsigned char *p = (const unsigned char *)display;
        size_t len = strlen(display), i = 0;
        bool first = true;
        while (i < len) {
            size_t n = 0;
            while (i + n < len) {
                size_t c = utf8_len(p + i + n);
                if (c == 0)
                    c = 1;
                if (n + c > 42)
                    break;
                n += c;
            }
            char b64[64];
            sodium_bin2base64(b64, sizeof(b64), p + i, n, sodium_base64_VARIANT_ORIGINAL);
            buf_printf(out, "%s=?utf-8?B?%s?=", first ? "" : "\r\n ", b64);
            first = false;
            i += n;
        }
    }
    buf_printf(out, " <%.*s>", (int)alen, addr);
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
    else if (mail_plan_kind(m->kind))
        mail_plan_subject(m, out, n);
    else if (strcmp(m->kind, "week_ahead") == 0)
        mail_week_subject(m, out, n);
    else
        snprintf(out, n, "An earlier time is free: %s", when);
    /* keep the header plain ASCII */
    for (char *p = out; *p; p++)
        if ((unsigned char)*p >= 0x80 || *p == '\r' || *p == '\n')
            *p = '?';
}

/* One VEVENT: uid, the times, SEQUENCE seq and STATUS; DTSTAMP is when the change
 * happened (the snapshot's time), so that each update is newer than the one before. */
static icalcomponent *vevent(const struct mail *m, const char *uid, int64_t start, int64_t end,
                             int seq, bool cancel)
{
    const struct tz *z = tz_get(m->tz);
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    char summary[300], organizer[320], attendee[320];
    snprintf(summary, sizeof(summary), "%s with %s", m->service_name, m->practitioner_name);
    const char *from_addr = strchr(m->from, '<');
    snprintf(organizer, sizeof(organizer), "mailto:%.*s",
             from_addr ? (int)strcspn(from_addr + 1, ">") : (int)strlen(m->from),
             from_addr ? from_addr + 1 : m->from);
    snprintf(attendee, sizeof(attendee), "mailto:%s", m->to);
    int64_t stamp = m->stamp > 0 ? m->stamp : m->now;
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(
                                       icaltime_from_timet_with_zone((time_t)stamp, 0, utc)));
    icalcomponent_add_property(ev, ics_time(true, start, z));
    icalcomponent_add_property(ev, ics_time(false, end, z));
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    icalcomponent_add_property(ev, icalproperty_new_location(m->address));
    icalcomponent_add_property(ev, icalproperty_new_sequence(seq));
    icalproperty *org = icalproperty_new_organizer(organizer);
    icalproperty_add_parameter(org, icalparameter_new_cn(m->clinic_name));
    icalcomponent_add_property(ev, org);
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
    return ev;
}

/* The calendar file: the session's VEVENT, or for a plan one per booked session. */
static char *calendar(const struct mail *m, bool cancel)
{
    const struct tz *z = tz_get(m->tz);
    icalcomponent *cal = ics_calendar(cancel ? "CANCEL" : "REQUEST", z);
    if (cancel && m->ncancelled > 0) {
        /* the sessions a plan's change cancelled */
        for (size_t i = 0; i < m->ncancelled; i++)
            icalcomponent_add_component(cal, vevent(m, m->cancelled[i].uid, m->cancelled[i].start,
                                                    m->cancelled[i].end, m->cancelled[i].sequence,
                                                    true));
    } else if (m->nsessions > 0 && !cancel) {
        for (size_t i = 0; i < m->nsessions; i++)
            icalcomponent_add_component(cal, vevent(m, m->sessions[i].uid, m->sessions[i].start,
                                                    m->sessions[i].end, m->sessions[i].sequence,
                                                    false));
    } else {
        icalcomponent_add_component(cal, vevent(m, m->uid, m->start, m->end, m->sequence, cancel));
    }
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    return text;
}

void mail_put_base64(struct buf *out, const char *data, size_t len)
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

/* Whether the session is inside the clinic's cancellation window at the time the
 * mail is written: it can no longer be moved or cancelled online. */
static bool inside_window(const struct mail *m)
{
    return m->now >= m->start - (int64_t)m->cancel_hours * 3600;
}

/* "call the clinic on <phone>", or without the number when there is none. */
static void call_clinic(const struct mail *m, struct buf *t)
{
    if (m->clinic_phone && *m->clinic_phone)
        buf_printf(t, "call %s on %s", m->clinic_name, m->clinic_phone);
    else
        buf_printf(t, "contact %s", m->clinic_name);
}

/* The real rule for changing a booked session, with the clinic's phone number. */
static void change_rule(const struct mail *m, struct buf *t)
{
    if (inside_window(m)) {
        buf_printf(t, "This session is less than %d hours away, so it can no longer be moved "
                      "or cancelled online. To change it, please ",
                   m->cancel_hours);
        call_clinic(m, t);
        buf_puts(t, ".\n");
        if (m->manage_url)
            buf_printf(t, "Your booking: %s\n", m->manage_url);
        return;
    }
    if (m->manage_url)
        buf_printf(t, "To cancel or move it, open this link:\n%s\n", m->manage_url);
    else
        buf_printf(t, "To cancel or move it, use the link you were shown when you booked.\n");
    buf_printf(t, "This can be done online until %d hours before the session. After that, please ",
               m->cancel_hours);
    call_clinic(m, t);
    buf_puts(t, ".\n");
}

/* What one notification says, between the greeting and the sign-off. */
static void item_text(const struct mail *m, const char *when, struct buf *t)
{
    char until[48];
    clock_in(m->end, m->tz, m->country, until, sizeof(until));
    const char *k = m->kind;
    if (strcmp(k, "booking_confirmed") == 0 || strcmp(k, "reminder") == 0 ||
        strcmp(k, "booking_rescheduled") == 0) {
        if (strcmp(k, "booking_confirmed") == 0)
            buf_printf(t, "Your session is booked.\n\n");
        else if (strcmp(k, "reminder") == 0)
            buf_printf(t, "A reminder of your next session.\n\n");
        else if (m->previous_start) {
            char was[MAIL_WHEN_MAX];
            mail_when_for(m, m->previous_start, was, sizeof(was));
            buf_printf(t, "Your session has moved from %s to %s.\n\n", was, when);
        } else {
            buf_printf(t, "Your session has moved to %s.\n\n", when);
        }
        buf_printf(t, "What:  %s with %s\nWhen:  %s to %s\nWhere: %s, %s\n\n", m->service_name,
                   m->practitioner_name, when, until, m->clinic_name, m->address);
        buf_printf(t, "The attached calendar file adds it to your calendar.\n\n");
        change_rule(m, t);
    } else if (strcmp(k, "booking_cancelled") == 0) {
        buf_printf(t, "Your session on %s (%s with %s) is cancelled.\n\n", when, m->service_name,
                   m->practitioner_name);
        buf_printf(t, "The attached calendar file removes it from your calendar.\n");
        if (m->manage_url)
            buf_printf(t, "Your booking: %s\n", m->manage_url);
        buf_puts(t, "Nothing more to do. To book again, visit the clinic's page or ");
        call_clinic(m, t);
        buf_puts(t, ".\n");
    } else if (mail_plan_kind(k)) {
        mail_plan_text(m, t);
    } else if (strcmp(k, "week_ahead") == 0) {
        mail_week_text(m, t);
    } else if (strcmp(k, "series_confirmed") == 0) {
        buf_printf(t, "Your treatment plan with %s is booked (%s, at %s).\n\nThe dates:\n%s\n",
                   m->practitioner_name, m->service_name, m->clinic_name,
                   m->series_dates ? m->series_dates : "");
        if (m->nsessions > 0)
            buf_printf(t, "\nThe attached calendar file adds all %zu sessions to your calendar.\n",
                       m->nsessions);
        if (m->manage_url)
            buf_printf(t, "\nTo see your plan, or cancel or move a session, open:\n%s\n",
                       m->manage_url);
        buf_printf(t, "Sessions can be moved or cancelled online until %d hours before each one. "
                      "After that, please ",
                   m->cancel_hours);
        call_clinic(m, t);
        buf_puts(t, ".\n");
    } else {
        buf_printf(t, "A time you were waiting for is free: %s with %s on %s.\n\n",
                   m->service_name, m->practitioner_name, when);
        if (m->book_url)
            buf_printf(t, "To book it, open:\n%s\n\n", m->book_url);
        buf_printf(t, "Others may be told later if you do not take it. No need to reply.\n");
    }
}

/* The clinic's name, address and phone number, after the sign-off. */
static void clinic_footer(const struct mail *m, struct buf *t)
{
    buf_printf(t, "%s\n%s\n", m->clinic_name, m->address);
    if (m->clinic_phone && *m->clinic_phone)
        buf_printf(t, "Phone: %s\n", m->clinic_phone);
}

/* --- single lines ------------------------------------------------------------------ */

/* Length of the UTF-8 sequence at s (1 to 4), or 0 when it is not a valid one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

/* The code point of a valid sequence of n bytes. */
static unsigned utf8_cp(const unsigned char *s, size_t n)
{
    static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    unsigned cp = s[0] & lead_mask[n];
    for (size_t i = 1; i < n; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    return cp;
}

/* Characters that end or start a line, or steer the text's direction, wherever a mail
 * client may show them: C0 and C1 controls (CR, LF, NEL, tab...), DEL, the Unicode line
 * and paragraph separators, and the bidirectional embeddings, overrides and isolates. */
static bool unsafe_cp(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

char *mail_clean_line(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    char *out = xmalloc(len + 1); /* never longer: each replacement is one byte */
    size_t o = 0;
    bool gap = false; /* controls seen since the last character kept */
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len(p + i);
        if (n > 0 && unsafe_cp(utf8_cp(p + i, n))) {
            gap = true;
            i += n;
            continue;
        }
        if (gap && o > 0) /* a run of them between two characters: one space */
            out[o++] = ' ';
        gap = false;
        if (n == 0) { /* not UTF-8: a question mark, one per byte */
            out[o++] = '?';
            i++;
        } else {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return out;
}

/* Several lines, each cleaned (the lines of a series' dates): '\n' between them only. */
static char *clean_lines(const char *s)
{
    if (!s)
        return NULL;
    struct buf b;
    buf_init(&b, 0);
    while (*s) {
        size_t n = strcspn(s, "\n");
        char *line = xstrndup(s, n);
        char *c = mail_clean_line(line);
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, c);
        free(c);
        free(line);
        s += n + (s[n] == '\n');
    }
    size_t len;
    char *out = buf_detach(&b, &len);
    return out ? out : xstrdup("");
}

/* A copy of m whose text fields are clean single lines (the series' dates: clean
 * lines); the copies are kept in owned[] for release_clean. */
#define CLEAN_FIELDS 17
struct clean {
    struct mail m;
    char *owned[CLEAN_FIELDS];
};

static void make_clean(const struct mail *in, struct clean *c)
{
    c->m = *in;
    const char **fields[] = {&c->m.kind,         &c->m.from,        &c->m.to,
                             &c->m.message_id,   &c->m.patient_name, &c->m.practitioner_name,
                             &c->m.service_name, &c->m.clinic_name, &c->m.clinic_phone,
                             &c->m.address,      &c->m.tz,          &c->m.manage_url,
                             &c->m.book_url,     &c->m.uid,         &c->m.country,
                             &c->m.patient_tz};
    size_t i = 0;
    for (; i < sizeof(fields) / sizeof(fields[0]); i++) {
        c->owned[i] = mail_clean_line(*fields[i]);
        *fields[i] = c->owned[i];
    }
    c->owned[i] = clean_lines(in->series_dates);
    c->m.series_dates = c->owned[i];
    if (!c->m.patient_name)
        c->m.patient_name = "";
}

static void release_clean(struct clean *c)
{
    for (size_t i = 0; i < CLEAN_FIELDS; i++)
        free(c->owned[i]);
}

/* --- whole messages ------------------------------------------------------------------ */

static bool known_kind(const char *kind)
{
    static const char *const kinds[] = {"booking_confirmed", "booking_cancelled",
                                        "booking_rescheduled", "series_confirmed",
                                        "waitlist_offer", "reminder", "week_ahead"};
    for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i], kind) == 0)
            return true;
    return mail_plan_kind(kind);
}

/* Notifications about one session carry its calendar file; a plan's carries its
 * sessions. */
static bool has_calendar(const struct mail *m)
{
    if (mail_plan_kind(m->kind)) /* a change to a plan: its new, moved and cancelled sessions */
        return m->nsessions + m->ncancelled > 0;
    if (strcmp(m->kind, "series_confirmed") == 0)
        return m->nsessions > 0;
    return strcmp(m->kind, "waitlist_offer") != 0 && strcmp(m->kind, "week_ahead") != 0;
}

/* display: the sender's name (the clinic's); NULL keeps the configured one. */
static void put_headers(const struct mail *m, const char *display, const char *subject,
                        const char *message_id, struct buf *out)
{
    char date[64];
    time_t now = (time_t)m->now;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_puts(out, "From: ");
    if (display)
        mail_from_header(display, m->from, out);
    else
        buf_puts(out, m->from);
    buf_printf(out, "\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n"
                    "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n",
               m->to, subject, date, message_id);
}

static void put_text_part(const struct buf *text, struct buf *out)
{
    buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    mail_put_base64(out, text->data ? text->data : "", text->len);
}

/* The body's start: with calendars, the multipart header and its first boundary; then
 * the text part (text is released). */
static void put_body_start(struct buf *text, bool with_ics, const char *boundary,
                           struct buf *out)
{
    if (with_ics)
        buf_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n", boundary,
                   boundary);
    put_text_part(text, out);
    buf_release(text);
}

static void put_calendar(const struct mail *m, bool cancel, const char *boundary,
                         const char *filename, struct buf *out)
{
    char *ics = calendar(m, cancel);
    buf_printf(out,
               "--%s\r\nContent-Type: text/calendar; charset=utf-8; method=%s\r\n"
               "Content-Disposition: attachment; filename=\"%s\"\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n",
               boundary, cancel ? "CANCEL" : "REQUEST", filename);
    mail_put_base64(out, ics ? ics : "", ics ? strlen(ics) : 0);
    free(ics);
}

/* The calendar file of m; for a plan's change one METHOD:REQUEST file of its new and
 * moved sessions and one METHOD:CANCEL file ("cancel-" filename) of those it cancelled,
 * each only when it has some. */
static void put_calendar_part(const struct mail *m, const char *boundary, const char *filename,
                              struct buf *out)
{
    if (!mail_plan_kind(m->kind)) {
        put_calendar(m, strcmp(m->kind, "booking_cancelled") == 0, boundary, filename, out);
        return;
    }
    char cancel_name[80];
    snprintf(cancel_name, sizeof(cancel_name), "cancel-%s", filename);
    if (m->nsessions > 0)
        put_calendar(m, false, boundary, filename, out);
    if (m->ncancelled > 0)
        put_calendar(m, true, boundary, cancel_name, out);
}

int mail_compose(const struct mail *in, struct buf *out)
{
    if (!known_kind(in->kind))
        return -1;
    struct clean c;
    make_clean(in, &c);
    const struct mail *m = &c.m;
    char when[MAIL_WHEN_MAX], subject[160], boundary[40];
    mail_when_in(m->start, m->tz, m->country, when, sizeof(when));
    subject_of(m, when, subject, sizeof(subject));
    mail_when_for(m, m->start, when, sizeof(when)); /* the text: the patient's time too */
    snprintf(boundary, sizeof(boundary), "=_clinicd_%08lx", (unsigned long)(m->now & 0xffffffff));
    bool with_ics = has_calendar(m);

    put_headers(m, m->clinic_name, subject, m->message_id, out);
    struct buf text;
    buf_init(&text, 0);
    buf_printf(&text, "Hello %s,\n\n", m->patient_name);
    item_text(m, when, &text);
    buf_puts(&text, "\nWith kind regards,\n");
    clinic_footer(m, &text);
    put_body_start(&text, with_ics, boundary, out);
    if (with_ics) {
        put_calendar_part(m, boundary, "appointment.ics", out);
        buf_printf(out, "--%s--\r\n", boundary);
    }
    release_clean(&c);
    return 0;
}

int mail_compose_folded(const struct mail *items, size_t n, const char *message_id,
                        struct buf *out)
{
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!known_kind(items[i].kind))
            return -1;
    if (n == 1) {
        struct mail one = items[0];
        one.message_id = message_id;
        return mail_compose(&one, out);
    }
    struct clean *c = xcalloc(n, sizeof(*c));
    char *msgid = mail_clean_line(message_id);
    for (size_t i = 0; i < n; i++)
        make_clean(&items[i], &c[i]);
    const struct mail *first = &c[0].m;
    bool one_name = true, one_clinic = true, with_ics = false;
    for (size_t i = 1; i < n; i++) {
        one_name = one_name && strcmp(c[i].m.patient_name, first->patient_name) == 0;
        one_clinic = one_clinic && strcmp(c[i].m.clinic_name, first->clinic_name) == 0;
    }
    for (size_t i = 0; i < n; i++)
        with_ics = with_ics || has_calendar(&c[i].m);
    char subject[160], boundary[40];
    snprintf(subject, sizeof(subject), "%zu updates about your sessions", n);
    snprintf(boundary, sizeof(boundary), "=_clinicd_%08lx", (unsigned long)(first->now & 0xffffffff));

    put_headers(first, one_clinic ? first->clinic_name : NULL, subject, msgid, out);
    struct buf text;
    buf_init(&text, 0);
    if (one_name && *first->patient_name)
        buf_printf(&text, "Hello %s,\n\n", first->patient_name);
    else
        buf_puts(&text, "Hello,\n\n");
    buf_printf(&text,
               "Here are %zu messages for you in one e-mail, so that they do not crowd your "
               "inbox. Each keeps its own link.\n",
               n);
    for (size_t i = 0; i < n; i++) {
        const struct mail *m = &c[i].m;
        char when[MAIL_WHEN_MAX], subj[160];
        mail_when_in(m->start, m->tz, m->country, when, sizeof(when));
        subject_of(m, when, subj, sizeof(subj));
        mail_when_for(m, m->start, when, sizeof(when));
        buf_printf(&text, "\n%zu. %s\n\n", i + 1, subj);
        item_text(m, when, &text);
    }
    buf_puts(&text, "\nWith kind regards,\n");
    if (one_clinic)
        clinic_footer(first, &text);
    for (size_t i = 0; i < n && !one_clinic; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(c[j].m.clinic_name, c[i].m.clinic_name) == 0;
        if (!seen)
            buf_printf(&text, "%s%s", i ? ", " : "", c[i].m.clinic_name);
    }
    if (!one_clinic)
        buf_puts(&text, "\n");
    put_body_start(&text, with_ics, boundary, out);
    if (with_ics) {
        for (size_t i = 0; i < n; i++) {
            if (!has_calendar(&c[i].m))
                continue;
            char name[40];
            snprintf(name, sizeof(name), "appointment-%zu.ics", i + 1);
            put_calendar_part(&c[i].m, boundary, name, out);
        }
        buf_printf(out, "--%s--\r\n", boundary);
    }
    for (size_t i = 0; i < n; i++)
        release_clean(&c[i]);
    free(c);
    free(msgid);
    return 0;
}
