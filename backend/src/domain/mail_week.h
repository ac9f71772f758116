/* The words of a plan's "this week" mail (kind week_ahead), sent on Monday morning in
 * the clinic's time zone: called by domain/mail.c's kind dispatch. */
#ifndef CLINICD_MAIL_WEEK_H
#define CLINICD_MAIL_WEEK_H

#include <stddef.h>

#include "domain/mail.h"
#include "util/buf.h"

/* The subject (plain ASCII is the caller's care). */
void mail_week_subject(const struct mail *m, char *out, size_t n);
/* The text between the greeting and the sign-off: the week's sessions (m->series_dates,
 * one a line), the plan's link and the rule for changes with the clinic's phone. */
void mail_week_text(const struct mail *m, struct buf *t);

#include "util/banned.h"
#endif
