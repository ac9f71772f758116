/* The words of the mails a plan's changes send (series_cancelled, series_extended,
 * series_rescheduled): called by domain/mail.c's kind dispatch. */
#ifndef CLINICD_MAIL_PLAN_H
#define CLINICD_MAIL_PLAN_H

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

#include "util/banned.h"
#endif
