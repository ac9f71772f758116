/* The mails a plan's changes send (series_cancelled, series_extended, series_grown,
 * series_rescheduled, series_flare, flare_clinic): their words, called by domain/mail.c's
 * kind dispatch, and their sessions for the calendar files, from the notification's
 * payload (the snapshot written with the change, and the change's own lists). */
#ifndef CLINICD_MAIL_PLAN_H
#define CLINICD_MAIL_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain/mail.h"
#include "util/buf.h"

/* Whether kind is one of a plan's changes. */
bool mail_plan_kind(const char *kind);
/* The subject (plain ASCII is the caller's care). */
void mail_plan_subject(const struct mail *m, char *out, size_t n);
/* The text between the greeting and the sign-off: what changed, the plan's booked
 * dates as they are now, the link, and the clinic's phone. */
void mail_plan_text(const struct mail *m, struct buf *t);

/* A plan change's sessions, from a notification's payload: the snapshot's sessions
 * ("snapshot": {"sessions": [{id, status, start, end, sequence}]}) that the change's
 * lists ("calendar": {"added", "moved", "cancelled"}: booking ids) name.  Booked ones
 * added or moved go in the REQUEST with their SEQUENCE (the session's moves: higher
 * than every mail of it before); cancelled ones in the CANCEL with one more (newer
 * than every REQUEST before).  UIDs are "<booking id>@clinicd", as the session's own
 * mails use.  dates: every booked session, one a line, its time as m's mails write
 * it (mail_when_for: the clinic's zone and country, the patient's time beside), those
 * this change added saying so, those it moved with their time before ("moved_from":
 * {booking id: Unix seconds}) ("" when none is booked).  sessions
 * holds both (the cancelled ones from cancelled on), uids their UIDs; the caller frees
 * sessions, uids and dates (NULL when empty). */
struct mail_plan_fill {
    struct mail_session *sessions; /* the REQUEST's: n of them */
    size_t n;
    struct mail_session *cancelled; /* the CANCEL's: ncancelled, inside sessions' block */
    size_t ncancelled;
    char (*uids)[80];
    char *dates;
};
void mail_plan_from_payload(const json_t *payload, const struct mail *m,
                            struct mail_plan_fill *out);

#include "util/banned.h"
#endif
