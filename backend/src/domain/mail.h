/* Composing the e-mails patients get: plain words first, an iCalendar attachment
 * (METHOD:REQUEST, or CANCEL when cancelled; one UID per booking throughout). */
#ifndef CLINICD_MAIL_H
#define CLINICD_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* One session of a plan, for its calendar file (one VEVENT each). */
struct mail_session {
    const char *uid;          /* "<booking id>@clinicd", as in the booking's own mails */
    int64_t start, end;
    int sequence;             /* the booking's SEQUENCE when the plan was booked */
};

struct mail {
    const char *kind;        /* booking_confirmed, booking_cancelled, booking_rescheduled,
                                series_confirmed, waitlist_offer, reminder,
                                week_ahead (a plan's sessions of the week) */
    const char *from;        /* the configured sender: "Name <addr>" or "addr"; the mail
                                goes out as "<clinic_name>" <addr> */
    const char *to;
    const char *message_id;  /* without the angle brackets */
    const char *patient_name;
    const char *practitioner_name;
    const char *service_name;
    const char *clinic_name;
    const char *clinic_phone;
    const char *address;     /* one line */
    const char *tz;          /* IANA name of the location */
    const char *country;     /* the location's ISO code: "US" writes 12-hour times with
                                the zone's name; NULL or others 24-hour */
    const char *patient_tz;  /* the patient's own zone (IANA), or NULL: when its offset
                                differs from tz's, times are also written in it */
    int64_t start, end;      /* the session (for a series: the first one) */
    int64_t previous_start;  /* rescheduled: the old time; else 0 */
    int cancel_hours;
    const char *manage_url;  /* NULL when there is none to give */
    const char *book_url;    /* waitlist offers: where to book */
    const char *uid;         /* the booking's calendar UID */
    int sequence;            /* grows with each change of the booking (a cancellation
                                is one more than the last move) */
    int64_t stamp;           /* when the change happened: DTSTAMP (0: now) */
    const char *series_dates; /* series: one line per date, already written out */
    const struct mail_session *sessions; /* series: every booked session, for one
                                calendar file (METHOD:REQUEST, a VEVENT each) */
    size_t nsessions;
    const struct mail_session *cancelled; /* a plan's change: the sessions it cancelled, for a
                                             METHOD:CANCEL file (their SEQUENCE already one
                                             more than their moves) */
    size_t ncancelled;
    int64_t now;             /* DTSTAMP and the Date header */
};

/* Writes the whole RFC 5322 message (headers, a text/plain part and, for a session,
 * a text/calendar attachment) into out.  Returns 0, or -1 for an unknown kind.
 * Whatever the fields hold (rows written before names were checked at input may
 * carry CR, LF or other controls), no field can add a header or start a line of the
 * text: each is cleaned with mail_clean_line first (the series' dates line by line). */
int mail_compose(const struct mail *m, struct buf *out);
/* data[0..len) as base64 lines of 76 characters, each ended by CRLF (a MIME part's body). */
void mail_put_base64(struct buf *out, const char *data, size_t len);
/* One message for n notifications to one address (several due together past the
 * per-address limit): a numbered list of what each would have said, each keeping its
 * own manage or booking link, and a calendar file per session.  From, To and Date come
 * from items[0]; message_id names the folded mail.  Fields are cleaned as above.
 * Returns 0, or -1 when n is 0 or a kind is unknown. */
int mail_compose_folded(const struct mail *items, size_t n, const char *message_id,
                        struct buf *out);
/* A copy of s (the caller frees it; NULL for NULL) fit for one line of a mail:
 * control characters (C0, DEL, C1 such as NEL), the Unicode line and paragraph
 * separators and the bidirectional controls become one space per run between two
 * other characters (none at either end); bytes that are not UTF-8 become '?'. */
char *mail_clean_line(const char *s);
/* "Monday 23 November 2026, 9:00" in the zone (out: 64 bytes). */
void mail_when(int64_t t, const char *tz, char *out, size_t outlen);
/* As the clinic's country writes it: for "US" "Monday, November 23, 2026, 9:00 AM PST"
 * (12-hour, with the zone's name), else as mail_when (out: 80 bytes). */
void mail_when_in(int64_t t, const char *tz, const char *country, char *out, size_t outlen);
/* Room for mail_when_for's text. */
#define MAIL_WHEN_MAX 200
/* t as the mail writes it: mail_when_in in m's zone and country; when the patient's
 * zone (m->patient_tz) has another offset at t, the clinic's zone named and the
 * patient's own time after it: "..., 10:00 Europe/Berlin time (4:00 AM EST, your
 * time)", with the patient's day when it is another one. */
void mail_when_for(const struct mail *m, int64_t t, char *out, size_t outlen);
/* The From header's value: "display" <address of from>, the name as a quoted string
 * (ASCII) or RFC 2047 encoded words (UTF-8); the address alone when display is empty. */
void mail_from_header(const char *display, const char *from, struct buf *out);

#include "util/banned.h"
#endif
