/* Calendar feeds: their management and the iCalendar they serve. */
#ifndef CLINICD_CALENDAR_HANDLERS_H
#define CLINICD_CALENDAR_HANDLERS_H

#include "http/request.h"

void feeds_create(struct req *r);
void feeds_list(struct req *r);
void feeds_revoke(struct req *r);
void feeds_ics(struct req *r);
void bookings_ics(struct req *r);

#include "util/banned.h"
#endif
