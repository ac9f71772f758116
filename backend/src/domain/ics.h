/* iCalendar pieces shared by the booking file, the e-mails and the practitioners'
 * feeds: events in the location's own time zone, with its VTIMEZONE. */
#ifndef CLINICD_ICS_H
#define CLINICD_ICS_H

#include <libical/ical.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/tz.h"

/* A VCALENDAR with VERSION, PRODID and METHOD (NULL: none), and the VTIMEZONE of z
 * (UTC times are used instead when z has no rule to tell). */
icalcomponent *ics_calendar(const char *method, const struct tz *z);
/* DTSTART or DTEND of t, as local time with TZID in z (UTC when z cannot be told). */
icalproperty *ics_time(bool start, int64_t t, const struct tz *z);
/* The wall-clock time of t in z as a floating libical time (no zone, not a date). */
struct icaltimetype ics_wall_time(int64_t t, const struct tz *z);

#include "util/banned.h"
#endif
